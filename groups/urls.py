from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("", views.organization_list, name="organization-list"),
    path("<slug:slug>/", views.organization_detail, name="organization-detail"),
]
