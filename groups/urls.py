from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization-list"),
    path("organizations/compare/", views.organization_compare, name="organization-compare"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization-detail"),
    path("guides/", views.guide_list, name="guide-list"),
    path("guides/<slug:slug>/", views.guide_detail, name="guide"),
]
