from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.finder, name="finder"),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("referral/", views.referral_sheet, name="referral"),
    path("r/<str:token>", views.referral_short_link, name="referral-short"),
    path("meetings/feed.json", views.search_feed, name="feed"),
    path("meetings/feed.csv", views.search_csv, name="feed-csv"),
    path("meetings/calendar.ics", views.search_calendar, name="calendar"),
    path("meetings/feed/<slug:slug>.json", views.search_feed, name="organization-feed"),
    path("meetings/feed/<slug:slug>.csv", views.search_csv, name="organization-feed-csv"),
    path("meetings/<slug:slug>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<slug:slug>/report/", views.meeting_report, name="meeting-report"),
    path("meetings/<slug:slug>/report/thanks/", views.meeting_report_thanks, name="meeting-report-thanks"),
    path("meetings/<slug:slug>.ics", views.meeting_calendar, name="meeting-calendar"),
]
