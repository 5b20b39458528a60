import pytest

from groups.models import Organization
from meetings.models import Meeting

pytestmark = pytest.mark.django_db


def test_the_old_meeting_list_address_leads_to_the_finder(site_data, client):
    response = client.get("/meetings/", {"organization": "alcoholics-anonymous"})
    assert response.status_code == 301
    assert response["Location"] == "/?organization=alcoholics-anonymous"


def test_a_meeting_page_shows_time_with_its_zone_and_a_link_to_its_organization(site_data, client):
    meeting = Meeting.objects.filter(attendance_mode="hybrid").select_related("organization").first()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert meeting.timezone in page
    assert meeting.organization.get_absolute_url() in page
    assert meeting.conference_url in page
    assert "Last verified" in page


def test_a_draft_meeting_is_not_shown_to_the_public(site_data, client):
    meeting = Meeting.objects.first()
    meeting.status = Meeting.Status.DRAFT
    meeting.save()
    try:
        assert client.get(meeting.get_absolute_url()).status_code == 404
        listed = client.get("/", {"organization": meeting.organization.slug, "q": meeting.name}).content.decode()
        assert meeting.get_absolute_url() not in listed
    finally:
        meeting.status = Meeting.Status.PUBLISHED
        meeting.save()


def test_the_organization_list_shows_every_organization_in_few_queries(
    site_data, client, django_assert_max_num_queries
):
    # One more on the first visit of a minute: the meetings counted per organization (groups/meeting_counts.py).
    with django_assert_max_num_queries(4):
        client.get("/organizations/")
    with django_assert_max_num_queries(3):
        page = client.get("/organizations/").content.decode()
    for name in Organization.objects.values_list("name", flat=True):
        assert name.replace("&", "&amp;").replace("'", "&#x27;") in page


def test_a_fact_sheet_shows_every_figure_with_its_source(site_data, client, django_assert_max_num_queries):
    organization = Organization.objects.filter(figures__isnull=False).distinct().first()
    with django_assert_max_num_queries(6):
        page = client.get(organization.get_absolute_url()).content.decode()
    for figure in organization.figures.select_related("source"):
        assert f"{figure.value:,}" in page
        assert figure.source.key in page
