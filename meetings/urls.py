from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting-list"),
    path("<slug:slug>/", views.meeting_detail, name="meeting-detail"),
]
