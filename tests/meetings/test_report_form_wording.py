"""The "Report a problem" form says truthfully when its details are required, ties its errors to their fields,
and offers only the problems a meeting can have: no join link for a meeting met in person, no venue online."""

import re

import pytest

from meetings.models import ChangeReport, Meeting

pytestmark = pytest.mark.django_db
Problem = ChangeReport.Problem


def report_url(meeting: Meeting) -> str:
    return f"/meetings/{meeting.slug}/report/"


def form_html(client, meeting: Meeting) -> str:
    response = client.get(report_url(meeting))
    assert response.status_code == 200
    return response.content.decode()


def offered(html: str) -> set[str]:
    return set(re.findall(r'type="radio" name="problem" value="([^"]+)"', html))


def details_box(html: str) -> str:
    """The details field's <textarea> tag."""
    return re.search(r'<textarea name="message"[^>]*>', html).group(0)


def described_by(tag: str) -> list[str]:
    return re.search(r'aria-describedby="([^"]*)"', tag).group(1).split()


def text_of(html: str, element_id: str) -> str:
    return " ".join(
        re.sub(r"<[^>]+>", "", re.search(rf'id="{element_id}">(.*?)</(div|ul)>', html, re.S).group(1)).split()
    )


# The details field


def test_it_labels_the_details_field_without_calling_it_optional(client, finder_meetings):
    html = form_html(client, finder_meetings["women_spanish"])
    assert '<label for="id_message">Details:</label>' in html
    assert "optional" not in html.lower()


def test_it_says_the_details_are_required_for_something_else_where_screen_readers_read_it(client, finder_meetings):
    html = form_html(client, finder_meetings["women_spanish"])
    (help_id,) = described_by(details_box(html))
    assert text_of(html, help_id).startswith("Required when you choose “Something else”.")


def test_it_ties_the_missing_details_error_to_the_field_and_alerts_the_reader(client, finder_meetings):
    response = client.post(report_url(finder_meetings["women_spanish"]), {"problem": Problem.OTHER})
    html = response.content.decode()
    assert response.status_code == 200
    box = details_box(html)
    assert 'aria-invalid="true"' in box
    error_id = next(name for name in described_by(box) if name.endswith("_error"))
    assert text_of(html, error_id) == "Tell us what is wrong, so the volunteers can fix it."
    assert '<p class="error" role="alert">Please correct the marked fields below.</p>' in html
    assert not ChangeReport.objects.exists()


def test_it_accepts_another_problem_without_details(client, finder_meetings):
    response = client.post(report_url(finder_meetings["women_spanish"]), {"problem": Problem.GONE})
    assert response.status_code == 302
    assert ChangeReport.objects.get().message == ""


# The problems each meeting is offered

EVERYWHERE = {Problem.GONE, Problem.WRONG_TIME, Problem.OTHER}


@pytest.mark.parametrize(
    ("meeting", "fitting"),
    [
        ("women_spanish", EVERYWHERE | {Problem.WRONG_PLACE}),
        ("online_smart", EVERYWHERE | {Problem.BROKEN_LINK}),
        ("hybrid_al_anon", EVERYWHERE | {Problem.WRONG_PLACE, Problem.BROKEN_LINK}),
    ],
    ids=["in person", "online", "hybrid"],
)
def test_it_offers_only_the_problems_that_fit_how_the_meeting_is_attended(client, finder_meetings, meeting, fitting):
    html = form_html(client, finder_meetings[meeting])
    assert offered(html) == set(fitting)
    # No fieldset asking for a venue or link the meeting does not have.
    assert set(re.findall(r'<fieldset class="suggestions" data-problem="([^"]+)"', html)) == set(fitting) - {
        Problem.GONE,
        Problem.OTHER,
    }


def test_it_offers_neither_venue_nor_link_problems_for_a_temporarily_inactive_meeting(client, finder_meetings):
    # Its page shows neither a venue nor a join link.
    meeting = finder_meetings["hybrid_al_anon"]
    Meeting.objects.filter(pk=meeting.pk).update(attendance_mode=Meeting.Attendance.INACTIVE)  # rolled back
    assert offered(form_html(client, meeting)) == EVERYWHERE


@pytest.mark.parametrize(
    ("meeting", "data"),
    [
        ("women_spanish", {"problem": Problem.BROKEN_LINK, "suggested_conference_url": "https://example.org/j/9"}),
        ("online_smart", {"problem": Problem.WRONG_PLACE, "suggested_address": "12 Oak St, Philadelphia"}),
        ("women_spanish", {"problem": "nonsense"}),
    ],
    ids=["link for in person", "place for online", "unknown"],
)
def test_it_refuses_a_posted_problem_that_does_not_fit_with_a_form_error(client, finder_meetings, meeting, data):
    response = client.post(report_url(finder_meetings[meeting]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<fieldset aria-describedby="id_problem_error">', html)
    assert text_of(html, "id_problem_error") == "Choose one of the problems listed."
    assert not ChangeReport.objects.exists()


def test_it_stores_a_broken_link_for_a_hybrid_meeting(client, finder_meetings):
    meeting = finder_meetings["hybrid_al_anon"]
    data = {"problem": Problem.BROKEN_LINK, "suggested_conference_url": "https://example.org/j/9"}
    assert client.post(report_url(meeting), data).status_code == 302
    report = ChangeReport.objects.get()
    assert (report.meeting, report.problem, report.suggested_conference_url) == (
        meeting,
        "link",
        data["suggested_conference_url"],
    )
