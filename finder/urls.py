from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from finder.health import healthz
from finder.views import ApiNotFound, favicon
from groups.api import OrganizationViewSet
from meetings.api import MeetingTypeViewSet, MeetingViewSet

admin.site.site_header = "Mutual Help Finder administration"
admin.site.site_title = "Mutual Help Finder admin"

router = DefaultRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("types", MeetingTypeViewSet, basename="type")

api_patterns = [
    path("v1/", include(router.urls)),
    # The schema is the same for everyone and costs no database work: not rate-limited.
    path("schema/", SpectacularAPIView.as_view(throttle_classes=[]), name="schema"),
    # Swagger UI sets styles from its script; its own page may, no other.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    # Last: any other address that ends in a slash (without one, CommonMiddleware first adds it).
    re_path(r"^(?:.*/)?$", ApiNotFound.as_view()),
]

urlpatterns = [
    path("", include("meetings.urls")),
    path("", include("groups.urls")),
    path("api/", include((api_patterns, "api"))),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for it on pages that name no icon (the admin, the browsable API).
    path("favicon.ico", favicon),
    # The language switch is on every page. A CSRF token there would set a cookie on every visit,
    # and all a forged request could do is change someone's display language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
