"""The project's apps: the admin with its own default site (finder.auth.StaffAdminSite), and the site's own tables."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    # Every app's admin.register() lands on this site; it adds the second factor to the login.
    default_site = "finder.auth.StaffAdminSite"


class FinderConfig(AppConfig):
    """The project's own tables (finder/models.py)."""

    name = "finder"
