from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.finder, name="finder"),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/<slug:slug>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<slug:slug>.ics", views.meeting_calendar, name="meeting-calendar"),
]
