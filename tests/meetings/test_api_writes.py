"""Curators create and change their own meetings through the API with a token; everyone else reads."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from finder.models import RateCount
from finder.throttling import AnonThrottle
from groups.models import Organization
from meetings.api import MeetingViewSet
from meetings.models import Curator, Meeting
from tests.factories import make_location, make_meeting

pytestmark = pytest.mark.django_db
API = "/api/v1/meetings/"


@pytest.fixture(scope="module")
def people(directory, django_db_blocker):
    """A curator of AA, a curator of SMART, a signed-up outsider, and one meeting of each organization."""
    with django_db_blocker.unblock():
        users = {}
        for name, slug in [("aa", "alcoholics-anonymous"), ("smart", "smart-recovery"), ("outsider", None)]:
            user = get_user_model().objects.create_user(name, password="a long and unguessable passphrase")
            if slug:
                Curator.objects.create(user=user).organizations.add(Organization.objects.get(slug=slug))
            users[name] = Token.objects.create(user=user).key
        aa = Organization.objects.get(slug="alcoholics-anonymous")
        smart = Organization.objects.get(slug="smart-recovery")
        meetings = {
            "aa": make_meeting(organization=aa, slug="aa-tuesday", name="Tuesday Big Book"),
            "smart": make_meeting(organization=smart, slug="smart-thursday", name="SMART Thursday", day=4),
        }
        yield {"tokens": users, "meetings": meetings, "hall": make_location(name="Parish Hall")}


def as_user(token: str | None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def new_meeting(people, **fields) -> dict:
    return {
        "name": "Sunday Serenity",
        "organization": "alcoholics-anonymous",
        "day": 0,
        "start_time": "10:00",
        "timezone": "America/New_York",
        "location": people["hall"].pk,
        "types": ["O", "D"],
        **fields,
    }


class TestCreating:
    def test_a_curator_creates_a_meeting_of_their_organization(self, people):
        response = as_user(people["tokens"]["aa"]).post(API, new_meeting(people), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["organization"]["slug"] == "alcoholics-anonymous"
        assert body["end_time"] == "11:00"  # an hour, when not given
        assert {t["code"] for t in body["types"]} == {"O", "D"}
        meeting = Meeting.objects.get(slug=body["slug"])
        assert meeting.history.first().history_user.username == "aa"

    def test_a_meeting_that_ends_as_it_starts_is_refused_naming_the_end(self, people):
        response = as_user(people["tokens"]["aa"]).post(
            API, new_meeting(people, start_time="10:00", end_time="10:00"), format="json"
        )
        assert response.status_code == 400
        assert "end_time" in response.json()

    def test_a_curator_cannot_create_a_meeting_of_another_organization(self, people):
        response = as_user(people["tokens"]["aa"]).post(
            API, new_meeting(people, organization="smart-recovery"), format="json"
        )
        assert response.status_code == 400
        assert "You do not curate" in response.json()["organization"][0]

    def test_an_outsider_with_a_token_cannot_create(self, people):
        response = as_user(people["tokens"]["outsider"]).post(API, new_meeting(people), format="json")
        assert response.status_code == 403

    def test_anonymous_visitors_cannot_create(self, people):
        response = as_user(None).post(API, new_meeting(people), format="json")
        assert response.status_code == 401
        assert not Meeting.objects.filter(name="Sunday Serenity", organization__slug="smart-recovery").exists()

    def test_a_wrong_token_is_refused(self, people):
        assert as_user("not-a-token").get(API).status_code == 401

    @pytest.mark.parametrize(
        "fields, bad",
        [
            ({"start_time": "25:00"}, "start_time"),
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"day": 7}, "day"),
            ({"location": None}, "location"),  # in person needs a place
            ({"attendance_mode": "online", "location": None}, "conference_url"),  # online needs a way in
            ({"types": ["NOPE"]}, "types"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, people, fields, bad):
        response = as_user(people["tokens"]["aa"]).post(API, new_meeting(people, **fields), format="json")
        assert response.status_code == 400
        assert bad in response.json()


class TestChanging:
    def test_a_curator_changes_their_own_meeting(self, people):
        response = as_user(people["tokens"]["aa"]).patch(f"{API}aa-tuesday/", {"start_time": "19:30"}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["start_time"] == "19:30"
        meeting = Meeting.objects.get(slug="aa-tuesday")
        assert str(meeting.start_time) == "19:30:00"
        assert meeting.history.first().history_user.username == "aa"

    def test_a_change_is_one_history_record_with_its_types_and_who_made_it(self, people):
        meeting = Meeting.objects.get(slug="aa-tuesday")
        before = meeting.history.count()
        response = as_user(people["tokens"]["aa"]).patch(
            f"{API}aa-tuesday/", {"types": ["C", "W"], "notes": "Side door"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert meeting.history.count() == before + 1
        latest = meeting.history.first()
        assert (latest.history_user.username, latest.history_change_reason) == ("aa", "changed through the API")
        assert sorted(link.meetingtype.code for link in latest.types.all()) == ["C", "W"]
        assert latest.notes == "Side door"

    def test_a_curator_cannot_change_another_organizations_meeting(self, people):
        response = as_user(people["tokens"]["aa"]).patch(f"{API}smart-thursday/", {"name": "Mine"}, format="json")
        assert response.status_code == 404
        assert Meeting.objects.get(slug="smart-thursday").name == "SMART Thursday"

    def test_the_other_curator_cannot_change_it_either(self, people):
        response = as_user(people["tokens"]["smart"]).patch(f"{API}aa-tuesday/", {"name": "Mine"}, format="json")
        assert response.status_code == 404

    def test_a_curator_cannot_move_a_meeting_to_another_organization(self, people):
        response = as_user(people["tokens"]["aa"]).patch(
            f"{API}aa-tuesday/", {"organization": "smart-recovery"}, format="json"
        )
        assert response.status_code == 400
        assert Meeting.objects.get(slug="aa-tuesday").organization.slug == "alcoholics-anonymous"

    def test_an_outsider_cannot_change_anything(self, people):
        response = as_user(people["tokens"]["outsider"]).patch(f"{API}aa-tuesday/", {"name": "X"}, format="json")
        assert response.status_code == 403

    def test_meetings_are_not_deleted_through_the_api(self, people):
        # Taking a meeting down is a status change, kept in its history.
        assert as_user(people["tokens"]["aa"]).delete(f"{API}aa-tuesday/").status_code == 405

    def test_a_curator_can_take_a_meeting_down_by_its_status(self, people):
        meeting = make_meeting(
            organization=Organization.objects.get(slug="alcoholics-anonymous"), slug="aa-closing", name="Closing"
        )
        client = as_user(people["tokens"]["aa"])
        assert client.patch(f"{API}aa-closing/", {"status": "removed"}, format="json").status_code == 200
        assert as_user(None).get(f"{API}aa-closing/").status_code == 404
        meeting.refresh_from_db()
        assert meeting.status == "removed"


class TestThrottling:
    @pytest.fixture
    def three_a_minute(self, monkeypatch):
        monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {**AnonThrottle.THROTTLE_RATES, "anon": "3/minute"})
        # Counts are per clock minute: the test's requests all fall 45 s into one.
        monkeypatch.setattr(AnonThrottle, "timer", staticmethod(lambda: 1_800_000_045.0))

    def test_anonymous_clients_are_slowed_down_per_address(self, people, three_a_minute):
        client = APIClient(REMOTE_ADDR="203.0.113.7")
        assert [client.get(API).status_code for _ in range(4)] == [200, 200, 200, 429]
        assert APIClient(REMOTE_ADDR="203.0.113.8").get(API).status_code == 200

    def test_an_ipv6_client_cannot_start_afresh_from_another_of_its_addresses(self, people, three_a_minute):
        statuses = [APIClient(REMOTE_ADDR=f"2001:db8:5:6::{n}").get(API).status_code for n in range(1, 5)]
        assert statuses == [200, 200, 200, 429]
        assert APIClient(REMOTE_ADDR="2001:db8:5:7::1").get(API).status_code == 200  # another customer's network

    def test_a_forwarded_address_is_ignored_unless_it_comes_from_our_proxy(self, people, three_a_minute, settings):
        def from_proxy(n: int) -> APIClient:
            return APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

        # Without a trusted proxy, everyone behind 10.0.0.2 is one client, whatever they claim.
        assert [from_proxy(n).get(API).status_code for n in range(4)] == [200, 200, 200, 429]
        settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
        assert [from_proxy(50).get(API).status_code for _ in range(4)] == [200, 200, 200, 429]
        assert from_proxy(51).get(API).status_code == 200

    def test_a_refused_client_is_told_when_its_minute_ends(self, people, three_a_minute):
        client = APIClient(REMOTE_ADDR="203.0.113.7")
        for _ in range(3):
            client.get(API)
        refused = client.get(API)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "15"
        assert "15 seconds" in refused.json()["detail"]

    def test_the_count_is_one_statement_and_keeps_no_address(self, people, three_a_minute, monkeypatch):
        client = APIClient(REMOTE_ADDR="203.0.113.7")
        client.get(API)  # first, so that both requests below find the caches (zones in use) filled alike
        with CaptureQueriesContext(connection) as limited:
            client.get(API)
        # Not through settings: a view reads DEFAULT_THROTTLE_CLASSES once, when its class is made.
        monkeypatch.setattr(MeetingViewSet, "throttle_classes", [])
        with CaptureQueriesContext(connection) as unlimited:
            client.get(API)
        assert len(limited) == len(unlimited) + 1
        assert any("finder_ratecount" in query["sql"] for query in limited.captured_queries)
        assert not any("finder_ratecount" in query["sql"] for query in unlimited.captured_queries)
        assert not RateCount.objects.filter(key__contains="203.0.113").exists()

    def test_many_clients_of_the_api_leave_login_lockouts_alone(self, people):
        # The shared cache holds lockouts; it forgets entries beyond 300 (locmem and database alike).
        caches["shared"].set("lockout-of-a-guessing-client", 5, timeout=3600)
        for n in range(310):
            assert APIClient(REMOTE_ADDR=f"10.0.{n // 256}.{n % 256}").get(API, {"page_size": 1}).status_code == 200
        assert caches["shared"].get("lockout-of-a-guessing-client") == 5
