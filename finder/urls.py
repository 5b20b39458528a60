from django.contrib import admin
from django.urls import include, path

from finder.health import healthz
from meetings.views import home

admin.site.site_header = "Mutual Help Finder administration"
admin.site.site_title = "Mutual Help Finder admin"

urlpatterns = [
    path("", home, name="home"),
    path("organizations/", include("groups.urls")),
    path("meetings/", include("meetings.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
