"""Visitors report a problem with a listing, without giving or leaving anything about themselves; curators of
the meeting's organization see the report beside the listing and apply or dismiss it in one step."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client, override_settings

from finder.models import RateCount
from groups.models import Organization
from meetings import reports
from meetings.models import ChangeReport, Curator, Meeting
from tests.factories import logged_in

pytestmark = pytest.mark.django_db

VISITOR = "203.0.113.7"
PROXY = "10.0.0.1"
Problem = ChangeReport.Problem


@pytest.fixture(scope="module")
def users(finder_meetings, django_db_blocker):
    """A superuser; curators of AA and of SMART Recovery; a staff member who curates nothing."""
    User = get_user_model()
    with django_db_blocker.unblock():
        may_handle_reports = list(
            Permission.objects.filter(
                content_type__app_label="meetings", codename__in=["view_changereport", "change_changereport"]
            )
        )
        made = {"root": User.objects.create_superuser("root", password=None)}
        for name, slug in [("aa", "alcoholics-anonymous"), ("smart", "smart-recovery"), ("outsider", None)]:
            user = User.objects.create_user(name, password=None, is_staff=True)
            user.user_permissions.set(may_handle_reports)
            if slug:
                Curator.objects.create(user=user).organizations.set([Organization.objects.get(slug=slug)])
            made[name] = user
        yield made
        User.objects.filter(pk__in=[user.pk for user in made.values()]).delete()


def report_url(meeting: Meeting) -> str:
    return f"/meetings/{meeting.slug}/report/"


def send(client: Client, meeting: Meeting, address: str = VISITOR, forwarded_for: str = "", **data):
    meta = {"REMOTE_ADDR": address, "HTTP_USER_AGENT": "TestBrowser/1.0"}
    if forwarded_for:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(report_url(meeting), data, **meta)


def make_report(meeting: Meeting, problem: str = Problem.WRONG_TIME, **fields) -> ChangeReport:
    return ChangeReport.objects.create(meeting=meeting, problem=problem, **fields)


# The public form


def test_the_form_asks_what_is_wrong_in_a_fieldset_with_a_legend(client, finder_meetings):
    # A hybrid meeting: every problem fits it (tests/meetings/test_report_form_wording.py has the others).
    response = client.get(report_url(finder_meetings["hybrid_al_anon"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>What is wrong with this listing\?</legend>", html)
    for value, label in Problem.choices:
        assert f'type="radio" name="problem" value="{value}"' in html
        assert str(label) in html
    # Every suggestion has its own label, so the form works without scripts.
    for name in reports.ALL_SUGGESTIONS:
        assert f'<label for="id_{name}">' in html
    assert '<script src="/static/js/report.js" type="module"></script>' in html
    assert "Courage Hybrid" in html


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, finder_meetings):
    html = client.get(report_url(finder_meetings["women_spanish"])).content.decode()
    honeypot = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>\s*<p>', html, re.S).group(1)
    assert "Leave this field empty" in honeypot
    assert 'tabindex="-1"' in honeypot and 'name="homepage"' in honeypot


def test_only_published_meetings_can_be_reported(client, finder_meetings):
    draft = finder_meetings["draft"]
    assert client.get(report_url(draft)).status_code == 404
    assert send(client, draft, problem=Problem.GONE).status_code == 404
    assert client.get("/meetings/no-such-meeting/report/").status_code == 404
    assert not ChangeReport.objects.exists()


@pytest.mark.parametrize(
    ("data", "stored"),
    [
        ({"problem": "gone"}, {}),
        (
            {"problem": "time", "suggested_day": "3", "suggested_start_time": "20:00", "suggested_end_time": "21:15"},
            {"suggested_day": 3, "suggested_start_time": dt.time(20, 0), "suggested_end_time": dt.time(21, 15)},
        ),
        (
            {"problem": "place", "suggested_address": "12 Oak St, Philadelphia"},
            {"suggested_address": "12 Oak St, Philadelphia"},
        ),
        (
            {"problem": "link", "suggested_conference_url": "zoom.example.org/j/9"},
            {"suggested_conference_url": "https://zoom.example.org/j/9"},
        ),
        ({"problem": "other", "message": "  The door code changed.  "}, {"message": "The door code changed."}),
    ],
    ids=lambda value: value.get("problem", "") if isinstance(value, dict) else "",
)
def test_each_problem_is_stored_with_its_suggestions_and_nothing_about_the_visitor(
    client, finder_meetings, data, stored
):
    meeting = finder_meetings["hybrid_al_anon"]  # every problem fits a hybrid meeting
    response = send(client, meeting, **data)
    assert response.status_code == 302
    assert response["Location"] == "/meetings/courage-hybrid/report/thanks/"
    report = ChangeReport.objects.get()
    assert (report.meeting, report.problem, report.status) == (meeting, data["problem"], ChangeReport.Status.NEW)
    for name in reports.ALL_SUGGESTIONS | {"message"}:
        assert getattr(report, name) == stored.get(name, None if name in ("suggested_day",) or "time" in name else "")
    values = " ".join(str(getattr(report, field.attname)) for field in ChangeReport._meta.concrete_fields)
    assert VISITOR not in values and "TestBrowser" not in values


def test_a_report_keeps_no_field_for_addresses_browsers_or_emails():
    names = {field.name for field in ChangeReport._meta.get_fields()}
    assert not {name for name in names if re.search(r"ip|addr(?!ess$)|agent|email|user(?!_)", name)} - {
        "suggested_address"
    }


def test_the_thank_you_page_leads_back_to_the_meeting(client, finder_meetings):
    response = send(client, finder_meetings["women_spanish"], problem="gone")
    html = client.get(response["Location"]).content.decode()
    assert "Thank you for your report" in html and 'href="/meetings/mujeres/"' in html


def test_a_report_on_a_sample_meeting_promises_no_correction(client, finder_meetings):
    meeting = finder_meetings["women_spanish"]
    Meeting.objects.filter(pk=meeting.pk).update(is_demo=True)  # rolled back after the test
    form = client.get(report_url(meeting)).content.decode()
    assert "This is sample data, not a real meeting." in form
    assert "correct the listing" not in form
    thanks = client.get(send(client, meeting, problem="gone")["Location"]).content.decode()
    assert "no real listing to correct" in thanks
    assert ChangeReport.objects.filter(meeting=meeting).exists()  # curators can try the queue with it


def test_a_report_on_a_real_meeting_says_who_will_correct_it(client, finder_meetings):
    form = client.get(report_url(finder_meetings["women_spanish"])).content.decode()
    assert "will read your report and correct the listing" in form
    assert "sample data" not in form


def test_suggestions_for_another_problem_are_dropped_even_when_malformed(client, finder_meetings):
    response = send(
        client, finder_meetings["women_spanish"], problem="place", suggested_address="5 Elm St",
        suggested_day="4", suggested_start_time="25:99",
    )  # fmt: skip
    assert response.status_code == 302
    report = ChangeReport.objects.get()
    assert (report.suggested_address, report.suggested_day, report.suggested_start_time) == ("5 Elm St", None, None)


def test_a_bad_time_is_a_form_error_and_nothing_is_stored(client, finder_meetings):
    response = send(client, finder_meetings["women_spanish"], problem="time", suggested_start_time="25:99")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid time." in html
    assert 'aria-invalid="true"' in html
    assert 'value="25:99"' in html  # what was typed comes back to be corrected
    assert not ChangeReport.objects.exists()


def test_no_problem_chosen_or_something_else_without_words_is_a_form_error(client, finder_meetings):
    meeting = finder_meetings["women_spanish"]
    assert "This field is required." in send(client, meeting, message="hi").content.decode()
    assert "Tell us what is wrong" in send(client, meeting, problem="other").content.decode()
    assert "at most 1000 characters" in send(client, meeting, problem="gone", message="x" * 1001).content.decode()
    assert not ChangeReport.objects.exists()


def test_a_filled_honeypot_looks_like_success_and_stores_nothing(client, finder_meetings):
    response = send(client, finder_meetings["women_spanish"], problem="gone", homepage="https://spam.example")
    assert response.status_code == 302 and response["Location"].endswith("/report/thanks/")
    assert not ChangeReport.objects.exists()


def test_the_page_sets_no_cookie_but_the_csrf_token_and_keeps_csrf_protection(finder_meetings):
    strict = Client(enforce_csrf_checks=True)
    meeting = finder_meetings["women_spanish"]
    page = strict.get(report_url(meeting))
    assert set(page.cookies) == {"csrftoken"}
    assert send(strict, meeting, problem="gone").status_code == 403
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    sent = send(strict, meeting, problem="gone", csrfmiddlewaretoken=token)
    assert sent.status_code == 302
    assert set(sent.cookies) <= {"csrftoken"}
    assert set(strict.get(sent["Location"]).cookies) <= {"csrftoken"}


# The rate limit


@override_settings(CHANGE_REPORTS_PER_HOUR=3)
def test_one_client_may_send_only_a_few_reports_an_hour_and_keeps_what_it_typed(client, finder_meetings):
    meeting = finder_meetings["women_spanish"]
    for _ in range(3):
        assert send(client, meeting, problem="gone").status_code == 302
    refused = send(client, meeting, problem="other", message="The hall is being painted")
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "several reports from you in a short time" in html
    assert "The hall is being painted</textarea>" in html
    assert re.search(r'value="other"[^>]*checked', html)
    assert ChangeReport.objects.count() == 3


@override_settings(CHANGE_REPORTS_PER_HOUR=2)
def test_the_limit_is_per_client(client, finder_meetings):
    meeting = finder_meetings["women_spanish"]
    for _ in range(2):
        send(client, meeting, problem="gone")
    assert send(client, meeting, problem="gone").status_code == 429
    assert send(client, meeting, "198.51.100.20", problem="gone").status_code == 302


@override_settings(CHANGE_REPORTS_PER_HOUR=2)
def test_an_ipv6_client_has_one_limit_for_all_its_addresses(client, finder_meetings):
    meeting = finder_meetings["women_spanish"]
    for n in range(1, 3):
        send(client, meeting, f"2001:db8:4:4::{n}", problem="gone")
    assert send(client, meeting, "2001:db8:4:4::3", problem="gone").status_code == 429
    assert send(client, meeting, "2001:db8:4:5::1", problem="gone").status_code == 302


@override_settings(CHANGE_REPORTS_PER_HOUR=2, TRUSTED_PROXIES=[])
def test_a_forwarded_for_header_from_anyone_but_a_trusted_proxy_is_ignored(client, finder_meetings):
    meeting = finder_meetings["women_spanish"]
    for n in range(2):
        send(client, meeting, forwarded_for=f"198.51.100.{n}", problem="gone")
    # Claiming yet another address does not make a new client.
    assert send(client, meeting, forwarded_for="198.51.100.99", problem="gone").status_code == 429


@override_settings(CHANGE_REPORTS_PER_HOUR=1, TRUSTED_PROXIES=[PROXY])
def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(client, finder_meetings):
    meeting = finder_meetings["women_spanish"]
    assert send(client, meeting, PROXY, forwarded_for=VISITOR, problem="gone").status_code == 302
    assert send(client, meeting, PROXY, forwarded_for=VISITOR, problem="gone").status_code == 429
    assert send(client, meeting, PROXY, forwarded_for="198.51.100.5", problem="gone").status_code == 302


def test_the_limit_stores_a_hash_in_place_of_the_address(client, finder_meetings):
    send(client, finder_meetings["women_spanish"], VISITOR, problem="gone")
    (row,) = RateCount.objects.all()
    assert row.count == 1
    assert re.fullmatch("[0-9a-f]{64}", row.key)


# The curators' queue


def test_a_curator_sees_reports_about_their_organizations_meetings_only(finder_meetings, users):
    make_report(finder_meetings["women_spanish"], message="AA report")
    make_report(finder_meetings["smart"], message="SMART report")
    aa = logged_in(users["aa"]).get("/admin/meetings/changereport/").content.decode()
    assert "Mujeres en Recuperación" in aa and "Burlington SMART" not in aa
    everything = logged_in(users["root"]).get("/admin/meetings/changereport/").content.decode()
    assert "Mujeres en Recuperación" in everything and "Burlington SMART" in everything
    nothing = logged_in(users["outsider"]).get("/admin/meetings/changereport/").content.decode()
    assert "Mujeres en Recuperación" not in nothing and "0 change reports" in nothing


def test_the_queue_filters_by_status_and_problem(finder_meetings, users):
    make_report(finder_meetings["women_spanish"], Problem.GONE)
    make_report(finder_meetings["open_aa"], Problem.WRONG_TIME, status=ChangeReport.Status.DISMISSED)
    client = logged_in(users["aa"])
    new = client.get("/admin/meetings/changereport/", {"status__exact": "new"}).content.decode()
    assert "Mujeres en Recuperación" in new and "Kensington Open Discussion" not in new
    timing = client.get("/admin/meetings/changereport/", {"problem__exact": "time"}).content.decode()
    assert "Kensington Open Discussion" in timing and "Mujeres en Recuperación" not in timing


def test_the_queue_takes_the_same_number_of_queries_for_many_reports(
    finder_meetings, users, django_assert_max_num_queries
):
    client = logged_in(users["aa"])
    for meeting in (finder_meetings["women_spanish"], finder_meetings["open_aa"]):
        for problem in Problem.values:
            make_report(meeting, problem)
    with django_assert_max_num_queries(9):
        assert client.get("/admin/meetings/changereport/").status_code == 200


def test_the_report_page_shows_the_listing_beside_the_suggestion(finder_meetings, users):
    report = make_report(finder_meetings["women_spanish"], suggested_day=3, suggested_start_time=dt.time(20, 0))
    html = logged_in(users["aa"]).get(f"/admin/meetings/changereport/{report.pk}/change/").content.decode()
    row = re.search(r"<th scope=\"row\">Starts</th><td>(.*?)</td><td>(.*?)</td>", html)
    assert row.groups() == ("19:30", "<strong>20:00</strong>")
    assert re.search(r"<th scope=\"row\">Day</th><td>Tuesday</td><td><strong>Wednesday</strong>", html)
    assert "America/New_York" in html and "Center City Church" in html
    assert 'value="Apply suggested change"' in html and 'value="Dismiss"' in html
    assert 'name="_save"' not in html  # the report itself cannot be edited


def test_applying_a_wrong_time_report_changes_the_meeting_in_one_step(finder_meetings, users):
    meeting = finder_meetings["women_spanish"]
    report = make_report(meeting, suggested_day=3, suggested_start_time=dt.time(20, 0))
    client = logged_in(users["aa"])
    response = client.post(f"/admin/meetings/changereport/{report.pk}/resolve/", {"_apply": "1"}, follow=True)
    assert "Applied to Mujeres en Recuperación" in response.content.decode()
    meeting = Meeting.objects.get(pk=meeting.pk)
    # A new start alone keeps the meeting an hour long.
    assert (meeting.day, meeting.start_time, meeting.end_time) == (3, dt.time(20, 0), dt.time(21, 0))
    assert meeting.history.first().history_user == users["aa"]
    report.refresh_from_db()
    assert (report.status, report.resolved_by) == (ChangeReport.Status.APPLIED, users["aa"])
    assert report.resolved_at is not None


def test_applying_no_longer_meets_marks_the_meeting_temporarily_inactive(finder_meetings, users):
    report = make_report(finder_meetings["open_aa"], Problem.GONE)
    logged_in(users["aa"]).post(f"/admin/meetings/changereport/{report.pk}/resolve/", {"_apply": "1"})
    meeting = Meeting.objects.get(pk=report.meeting_id)
    assert meeting.attendance_mode == Meeting.Attendance.INACTIVE
    assert meeting.status == Meeting.Status.PUBLISHED  # its page still opens and says so


def test_applying_a_working_join_link_replaces_the_broken_one(finder_meetings, users):
    report = make_report(
        finder_meetings["online_smart"], Problem.BROKEN_LINK, suggested_conference_url="https://example.org/j/new"
    )
    logged_in(users["smart"]).post(f"/admin/meetings/changereport/{report.pk}/resolve/", {"_apply": "1"})
    assert Meeting.objects.get(pk=report.meeting_id).conference_url == "https://example.org/j/new"


def test_dismissing_a_report_leaves_the_meeting_as_it_was(finder_meetings, users):
    meeting = finder_meetings["women_spanish"]
    report = make_report(meeting, suggested_start_time=dt.time(6, 0))
    logged_in(users["aa"]).post(f"/admin/meetings/changereport/{report.pk}/resolve/", {"_dismiss": "1"})
    assert Meeting.objects.get(pk=meeting.pk).start_time == dt.time(19, 30)
    report.refresh_from_db()
    assert (report.status, report.resolved_by) == (ChangeReport.Status.DISMISSED, users["aa"])


def test_an_address_is_fixed_by_hand_and_then_marked_done(finder_meetings, users):
    report = make_report(finder_meetings["women_spanish"], Problem.WRONG_PLACE, suggested_address="5 Elm St")
    client = logged_in(users["aa"])
    html = client.get(f"/admin/meetings/changereport/{report.pk}/change/").content.decode()
    assert "Apply suggested change" not in html and 'value="Mark as fixed by hand"' in html
    assert f'href="/admin/meetings/location/{report.meeting.location_id}/change/"' in html
    client.post(f"/admin/meetings/changereport/{report.pk}/resolve/", {"_done": "1"})
    report.refresh_from_db()
    assert report.status == ChangeReport.Status.APPLIED


def test_a_suggestion_that_would_make_the_listing_invalid_is_a_message_not_an_error(finder_meetings, users):
    report = make_report(finder_meetings["online_smart"], Problem.BROKEN_LINK, suggested_conference_url="not a link")
    response = logged_in(users["smart"]).post(
        f"/admin/meetings/changereport/{report.pk}/resolve/", {"_apply": "1"}, follow=True
    )
    assert response.status_code == 200
    assert "would make the listing invalid" in response.content.decode()
    assert Meeting.objects.get(pk=report.meeting_id).conference_url == "https://example.org/j/1"
    report.refresh_from_db()
    assert report.status == ChangeReport.Status.NEW


def test_a_resolved_report_cannot_be_applied_again(finder_meetings, users):
    report = make_report(finder_meetings["women_spanish"], suggested_start_time=dt.time(20, 0))
    reports.dismiss_report(report, users["aa"])
    response = logged_in(users["aa"]).post(
        f"/admin/meetings/changereport/{report.pk}/resolve/", {"_apply": "1"}, follow=True
    )
    assert "already resolved (Dismissed)" in response.content.decode()
    assert Meeting.objects.get(pk=report.meeting_id).start_time == dt.time(19, 30)


def test_nobody_but_the_meetings_curators_can_apply_a_report(finder_meetings, users):
    report = make_report(finder_meetings["women_spanish"], suggested_start_time=dt.time(6, 0))
    url = f"/admin/meetings/changereport/{report.pk}/resolve/"
    assert logged_in(users["outsider"]).post(url, {"_apply": "1"}).status_code == 404
    assert logged_in(users["smart"]).post(url, {"_apply": "1"}).status_code == 404
    anonymous = Client().post(url, {"_apply": "1"})
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert logged_in(users["aa"]).get(url).status_code == 405
    assert Meeting.objects.get(pk=report.meeting_id).start_time == dt.time(19, 30)
    assert ChangeReport.objects.get(pk=report.pk).status == ChangeReport.Status.NEW


def test_reports_cannot_be_added_or_edited_in_the_admin(finder_meetings, users):
    report = make_report(finder_meetings["women_spanish"], message="original words")
    client = logged_in(users["root"])
    assert client.get("/admin/meetings/changereport/add/").status_code == 403
    client.post(f"/admin/meetings/changereport/{report.pk}/change/", {"message": "changed", "problem": "other"})
    report.refresh_from_db()
    assert (report.message, report.problem) == ("original words", Problem.WRONG_TIME)
