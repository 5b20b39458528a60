from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from groups.models import Kind, Organization


def organization_list(request: HttpRequest) -> HttpResponse:
    organizations = Organization.objects.prefetch_related("concerns").annotate(
        meeting_count=Count("meetings", filter=Q(meetings__status="published"))
    )
    return render(request, "groups/organization_list.html", {"organizations": organizations, "kinds": Kind})


def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization.objects.with_facts(), slug=slug)
    meeting_count = organization.meetings.filter(status="published").count()
    return render(
        request, "groups/organization_detail.html", {"organization": organization, "meeting_count": meeting_count}
    )
