from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from groups.models import Organization
from meetings.models import Meeting, Weekday

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "meetings/home.html",
        {
            "meeting_count": Meeting.objects.active().count(),
            "organization_count": Organization.objects.count(),
            "has_demo": Meeting.objects.active().filter(is_demo=True).exists(),
        },
    )


def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = Meeting.objects.active().with_details().in_week_order()
    organization = None
    if slug := request.GET.get("organization"):
        organization = get_object_or_404(Organization, slug=slug)
        meetings = meetings.for_organization(organization)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "page": page,
            "organization": organization,
            "has_demo": any(meeting.is_demo for meeting in page),
        },
    )


def meeting_detail(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.published().with_details(), slug=slug)
    return render(request, "meetings/meeting_detail.html", {"meeting": meeting, "weekday": Weekday(meeting.day)})
