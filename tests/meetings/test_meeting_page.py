"""A meeting's own page and its calendar file."""

import datetime as dt
import re

import icalendar
import pytest

pytestmark = pytest.mark.django_db


def test_an_in_person_meeting_page_gives_time_zone_place_and_directions(client, finder_meetings):
    html = client.get("/meetings/mujeres/").content.decode()
    assert "Every Tuesday" in html and "7:30 PM" in html and "America/New_York" in html
    assert "Center City Church" in html
    assert "openstreetmap.org/directions?to=39.952600%2C-75.163500" in html
    assert 'href="/organizations/alcoholics-anonymous/"' in html
    assert "Women" in html and "Spanish" in html and "Open" in html
    assert "Not verified yet" in html
    assert 'href="/meetings/mujeres.ics"' in html


def test_an_online_meeting_page_gives_its_join_link(client, finder_meetings):
    html = client.get("/meetings/smart-online/").content.decode()
    assert 'href="https://example.org/j/1"' in html
    assert "Directions" not in html


def test_a_meeting_page_links_to_report_a_problem_and_to_the_groups_own_feedback_page(client, finder_meetings):
    meeting = finder_meetings["open_aa"]
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert 'href="/meetings/kensington-open/report/"' in html
    assert "intergroup.example.org" not in html
    type(meeting).objects.filter(pk=meeting.pk).update(feedback_url="https://intergroup.example.org/feedback")
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert 'href="/meetings/kensington-open/report/"' in html
    assert 'href="https://intergroup.example.org/feedback"' in html


def test_the_calendar_file_repeats_weekly_in_the_meetings_zone(client, finder_meetings):
    response = client.get("/meetings/friday-celebrate.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="friday-celebrate.ics"' in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    event = next(iter(calendar.walk("VEVENT")))
    start = event.decoded("dtstart")
    assert (start.weekday(), start.hour, start.minute) == (4, 23, 30)  # Friday 23:30
    assert str(start.tzinfo) == "America/New_York"
    assert event.decoded("duration").total_seconds() == 3600
    assert event["rrule"]["FREQ"] == ["WEEKLY"]
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert b"TZID=America/New_York" in response.content


def test_a_demo_meetings_calendar_entry_says_it_is_sample_data(client, site_data):
    from meetings.models import Meeting

    meeting = Meeting.objects.filter(is_demo=True).first()
    assert b"sample data" in client.get(f"/meetings/{meeting.slug}.ics").content


@pytest.mark.parametrize("end, says", [(dt.time(1, 0), True), (dt.time(0, 0), False), (dt.time(23, 59), False)])
def test_the_page_says_a_meeting_ends_after_midnight_only_when_it_does(client, finder_meetings, end, says):
    meeting = finder_meetings["open_aa"]
    type(meeting).objects.filter(pk=meeting.pk).update(start_time=dt.time(23, 0), end_time=end)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert ("(ends after midnight)" in html) is says


class TestTypesInTheFellowshipsOwnWords:
    """A closed Al-Anon meeting is for families and friends, not for "people who have the problem"."""

    HAVE_THE_PROBLEM = "Only for people who have the problem, or who want to stop."

    def closed_meeting_of(self, slug: str, **extra):
        from groups.models import Organization
        from meetings.models import MeetingType
        from tests.factories import make_meeting

        organization = Organization.objects.get(slug=slug)
        meeting = make_meeting(organization=organization, name="Zebra Closed", slug=f"closed-{slug}", **extra)
        meeting.types.set(MeetingType.objects.filter(code__in=["C", "W"]))
        return meeting

    def test_a_twelve_step_meeting_explains_closed_as_for_those_with_the_problem(self, client, directory):
        html = client.get(self.closed_meeting_of("alcoholics-anonymous").get_absolute_url()).content.decode()
        assert f"Closed <small>— {self.HAVE_THE_PROBLEM}</small>" in html

    def test_al_anon_names_closed_its_own_way_without_the_shared_explanation(self, client, directory):
        html = client.get(self.closed_meeting_of("al-anon").get_absolute_url()).content.decode()
        assert "Families and Friends Only" in html
        assert self.HAVE_THE_PROBLEM not in html
        assert "Women" in html  # the other types as usual

    def test_a_family_group_without_its_own_names_says_closed_without_the_explanation(self, client, directory):
        html = client.get(self.closed_meeting_of("families-anonymous").get_absolute_url()).content.decode()
        assert "Closed" in html and self.HAVE_THE_PROBLEM not in html

    def test_in_spanish_al_anons_closed_is_its_own_spanish_name(self, client, directory):
        meeting = self.closed_meeting_of("al-anon")
        html = client.get(meeting.get_absolute_url(), headers={"Accept-Language": "es"}).content.decode()
        assert "Solo familiares y amigos" in html and "Families and Friends Only" not in html

    def test_the_results_and_the_handout_say_it_in_the_fellowships_words_too(self, client, directory):
        meeting = self.closed_meeting_of("al-anon")
        results = client.get("/", {"q": "Zebra"}).content.decode()  # the module may hold the demo meetings too
        assert re.search(
            r'<p class="types">(Families and Friends Only, Women|Women, Families and Friends Only)</p>', results
        )
        handout = client.get("/referral/", {"m": meeting.slug}).content.decode()
        assert "Families and Friends Only" in handout and ">Closed<" not in handout
        aa = self.closed_meeting_of("alcoholics-anonymous")
        assert "Closed" in client.get("/referral/", {"m": aa.slug}).content.decode()

    def test_the_page_reads_the_fellowships_names_in_one_query(self, client, directory, django_assert_max_num_queries):
        meeting = self.closed_meeting_of("al-anon")
        with django_assert_max_num_queries(4):  # the meeting, its types, their facets, the fellowship's codes
            client.get(meeting.get_absolute_url())
