"""The admin app, with the project's own default site (finder.auth.StaffAdminSite)."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    # Every app's admin.register() lands on this site; it adds the second factor to the login.
    default_site = "finder.auth.StaffAdminSite"
