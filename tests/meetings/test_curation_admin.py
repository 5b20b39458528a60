"""Curators in the admin: each sees, creates, edits and imports only their own organizations' listings.

Three people: a curator of AA, a curator of SMART Recovery and an outsider (staff, with the curators'
permissions, but curating nothing), plus a superuser who sees everything.
"""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from groups.models import Organization
from meetings import curation
from meetings.models import Contact, Curator, Feed, Location, Meeting
from tests.factories import logged_in, make_curator, make_location, make_meeting
from tests.meetings.admin_forms import admin_url, form_data, post_changed

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/meetings/feed/import/"
FEED = [
    {"name": "Imported Serenity", "slug": "serenity", "day": 1, "time": "19:00", "types": ["O"],
     "location": "Church", "formatted_address": "1 Elm St, Philadelphia, PA 19107, USA",
     "latitude": 39.95, "longitude": -75.16, "timezone": "America/New_York"},
]  # fmt: skip


@pytest.fixture(scope="module")
def world(directory, django_db_blocker):
    """Two organizations' listings, each with a venue, a contact and a feed, and a venue they share."""
    with django_db_blocker.unblock():
        aa = Organization.objects.get(slug="alcoholics-anonymous")
        smart = Organization.objects.get(slug="smart-recovery")
        pa = {"country": "US", "state": "PA"}
        aa_hall = make_location(name="AA Hall", **pa)
        smart_hall = make_location(name="SMART Hall", **pa)
        shared = make_location(name="Shared Church", **pa)
        jersey = make_location(name="Jersey Hall", country="US", state="NJ")
        aa_feed = Feed.objects.create(name="AA intergroup", organization=aa)
        smart_feed = Feed.objects.create(name="SMART feed", organization=smart)
        w = SimpleNamespace(
            aa=aa,
            smart=smart,
            aa_hall=aa_hall,
            smart_hall=smart_hall,
            shared=shared,
            unused=make_location(name="Unused Annex", **pa),
            aa_meeting=make_meeting(organization=aa, name="AA Tuesday", slug="aa-tuesday", location=aa_hall),
            aa_shared=make_meeting(organization=aa, name="AA at Shared", slug="aa-shared", location=shared),
            aa_jersey=make_meeting(organization=aa, name="AA Jersey", slug="aa-jersey", location=jersey),
            smart_meeting=make_meeting(
                organization=smart, name="SMART Monday", slug="smart-monday", location=smart_hall
            ),
            smart_shared=make_meeting(
                organization=smart, name="SMART at Shared", slug="smart-shared", location=shared
            ),
            aa_feed=aa_feed,
            smart_feed=smart_feed,
            superuser=get_user_model().objects.create_superuser("boss", "boss@example.org", None),
            aa_curator=make_curator("aa-curator", aa),
            smart_curator=make_curator("smart-curator", smart),
            pa_curator=make_curator("pa-curator", aa, regions="US-PA"),
        )  # fmt: skip
        w.ann = Contact.objects.create(meeting=w.aa_meeting, name="Ann Secretary", email="ann@example.org")
        w.sam = Contact.objects.create(meeting=w.smart_meeting, name="Sam Treasurer", email="sam@example.org")
        # Staff with the curators' permissions who curates nothing: permissions alone show no rows.
        w.outsider = get_user_model().objects.create_user("outsider", is_staff=True)
        w.outsider.groups.add(Group.objects.get(name=curation.CURATOR_GROUP))
        yield w


@pytest.fixture
def aa(world):
    return logged_in(world.aa_curator)


@pytest.fixture
def smart(world):
    return logged_in(world.smart_curator)


@pytest.fixture
def outsider(world):
    return logged_in(world.outsider)


@pytest.fixture
def boss(world):
    return logged_in(world.superuser)


def listed(client: Client, model) -> set[str]:
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return {str(obj) for obj in response.context["cl"].result_list}


def names(*objs) -> set[str]:
    return {str(obj) for obj in objs}


class TestLists:
    def test_each_curator_lists_only_their_organizations_meetings(self, world, aa, smart, outsider, boss):
        assert listed(aa, Meeting) == names(world.aa_meeting, world.aa_shared, world.aa_jersey)
        assert listed(smart, Meeting) == names(world.smart_meeting, world.smart_shared)
        assert listed(outsider, Meeting) == set()
        assert names(world.aa_meeting, world.smart_meeting) <= listed(boss, Meeting)

    def test_a_shared_venue_belongs_to_neither_curator_but_their_own_venues_do(self, world, aa, smart, outsider):
        assert {"AA Hall", "Unused Annex", "Jersey Hall"} <= {s.split(",")[0] for s in listed(aa, Location)}
        assert not {"SMART Hall", "Shared Church"} & {s.split(",")[0] for s in listed(aa, Location)}
        assert not {"AA Hall", "Shared Church"} & {s.split(",")[0] for s in listed(smart, Location)}
        assert listed(outsider, Location) == set()

    def test_contacts_of_other_organizations_are_never_listed(self, world, aa, smart, outsider):
        assert listed(aa, Contact) == {"Ann Secretary"}
        assert listed(smart, Contact) == {"Sam Treasurer"}
        assert listed(outsider, Contact) == set()
        assert "sam@example.org" not in aa.get(admin_url(Contact, "changelist"), {"q": "sam"}).content.decode()

    def test_feeds_are_listed_by_organization(self, world, aa, smart, outsider):
        assert listed(aa, Feed) == {"AA intergroup"}
        assert listed(smart, Feed) == {"SMART feed"}
        assert listed(outsider, Feed) == set()

    def test_a_region_curator_lists_only_meetings_in_their_regions(self, world):
        assert listed(logged_in(world.pa_curator), Meeting) == names(world.aa_meeting, world.aa_shared)

    def test_the_organization_filter_offers_only_the_curators_own(self, world, aa, boss):
        assert (
            f"organization__id__exact={world.smart.pk}" not in aa.get(admin_url(Meeting, "changelist")).content.decode()
        )
        everyone = boss.get(admin_url(Meeting, "changelist")).content.decode()
        assert f"organization__id__exact={world.smart.pk}" in everyone

    def test_a_curators_meeting_list_does_not_grow_queries_with_rows(self, aa, django_assert_max_num_queries):
        with django_assert_max_num_queries(14):
            assert aa.get(admin_url(Meeting, "changelist")).status_code == 200

    def test_staff_without_the_curators_permissions_see_no_meetings_at_all(self, world):
        client = logged_in(get_user_model().objects.create_user("plain-staff", is_staff=True))
        assert "meetings/meeting/" not in client.get("/admin/").content.decode()
        assert client.get(admin_url(Meeting, "changelist")).status_code == 403


def single_object_pages(world):
    """(label, model, object) for each curated kind of object, one of AA's and one of SMART's."""
    return [
        (Meeting, world.aa_meeting, world.smart_meeting),
        (Location, world.aa_hall, world.smart_hall),
        (Contact, world.ann, world.sam),
        (Feed, world.aa_feed, world.smart_feed),
    ]


class TestSingleObjects:
    @pytest.mark.parametrize("view", ["change", "delete", "history"])
    def test_another_organizations_object_is_not_found_for_a_curator(self, world, aa, view):
        for model, _own, theirs in single_object_pages(world):
            assert aa.get(admin_url(model, view, theirs.pk)).status_code == 404, (model, view)

    @pytest.mark.parametrize("view", ["change", "delete", "history"])
    def test_the_outsider_finds_nothing_at_all(self, world, outsider, view):
        for model, own, theirs in single_object_pages(world):
            assert outsider.get(admin_url(model, view, own.pk)).status_code == 404, (model, view)
            assert outsider.get(admin_url(model, view, theirs.pk)).status_code == 404, (model, view)

    def test_a_missing_object_looks_the_same_as_someone_elses(self, world, aa):
        assert aa.get(admin_url(Meeting, "change", 999_999)).status_code == 404

    def test_a_curator_opens_their_own_objects(self, world, aa):
        for model, own, _theirs in single_object_pages(world):
            assert aa.get(admin_url(model, "change", own.pk)).status_code == 200, model
            assert aa.get(admin_url(model, "history", own.pk)).status_code == 200, model

    def test_a_superuser_opens_everyones_objects(self, world, boss):
        for model, own, theirs in single_object_pages(world):
            assert boss.get(admin_url(model, "change", own.pk)).status_code == 200
            assert boss.get(admin_url(model, "change", theirs.pk)).status_code == 200

    def test_curators_hide_meetings_rather_than_delete_them(self, world, aa):
        assert aa.get(admin_url(Meeting, "delete", world.aa_meeting.pk)).status_code == 403
        assert aa.post(admin_url(Meeting, "delete", world.aa_meeting.pk), {"post": "yes"}).status_code == 403
        assert Meeting.objects.filter(pk=world.aa_meeting.pk).exists()

    def test_a_curator_deletes_their_own_unused_venue_but_not_another_organizations(self, world, aa, smart):
        unused = make_location(name="Duplicate Hall", country="US", state="PA")
        assert smart.post(admin_url(Location, "delete", world.aa_hall.pk), {"post": "yes"}).status_code == 404
        assert aa.post(admin_url(Location, "delete", unused.pk), {"post": "yes"}).status_code == 302
        assert not Location.objects.filter(pk=unused.pk).exists()
        assert Location.objects.filter(pk=world.aa_hall.pk).exists()

    def test_a_curator_cannot_delete_another_organizations_contact(self, world, aa):
        assert aa.post(admin_url(Contact, "delete", world.sam.pk), {"post": "yes"}).status_code == 404
        assert Contact.objects.filter(pk=world.sam.pk).exists()


class TestChoicesAndMoves:
    def test_a_curator_chooses_only_among_their_organizations(self, world, aa):
        form = aa.get(admin_url(Meeting, "add")).context["adminform"].form
        assert list(form.fields["organization"].queryset) == [world.aa]
        assert list(form.fields["feed"].queryset) == [world.aa_feed]

    def test_a_superuser_chooses_among_every_organization(self, world, boss):
        form = boss.get(admin_url(Meeting, "add")).context["adminform"].form
        assert form.fields["organization"].queryset.count() == Organization.objects.count()

    def test_venue_choices_are_the_curators_own_and_the_meetings_current_one(self, world, aa):
        add = aa.get(admin_url(Meeting, "add")).context["adminform"].form.fields["location"].queryset
        assert world.aa_hall in add and world.unused in add
        assert world.smart_hall not in add and world.shared not in add
        change = aa.get(admin_url(Meeting, "change", world.aa_shared.pk)).context["adminform"].form
        assert world.shared in change.fields["location"].queryset  # it may stay where it is

    def test_moving_a_meeting_to_another_organization_is_refused(self, world, aa):
        response = post_changed(aa, admin_url(Meeting, "change", world.aa_meeting.pk), organization=world.smart.pk)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["organization"]
        assert Meeting.objects.get(pk=world.aa_meeting.pk).organization == world.aa

    def test_the_move_is_refused_by_the_form_itself_not_only_by_its_choices(self, world, aa):
        response = aa.get(admin_url(Meeting, "change", world.aa_meeting.pk))
        form_class = type(response.context["adminform"].form)
        data = {**form_data(response), "organization": world.smart.pk}
        form = form_class(data, instance=world.aa_meeting)
        form.fields["organization"].queryset = Organization.objects.all()  # as if the choices had slipped
        assert not form.is_valid()
        assert "You do not curate this organization" in str(form.errors["organization"])

    def test_moving_a_meeting_to_another_organizations_venue_is_refused(self, world, aa):
        response = post_changed(aa, admin_url(Meeting, "change", world.aa_meeting.pk), location=world.smart_hall.pk)
        assert response.context["adminform"].form.errors["location"]
        assert Meeting.objects.get(pk=world.aa_meeting.pk).location == world.aa_hall

    def test_a_curator_edits_their_own_meeting(self, world, aa):
        response = post_changed(aa, admin_url(Meeting, "change", world.aa_meeting.pk), name="AA Tuesday Step Study")
        assert response.status_code == 302
        assert Meeting.objects.get(pk=world.aa_meeting.pk).name == "AA Tuesday Step Study"

    def test_a_curator_cannot_post_a_change_to_another_organizations_meeting(self, world, aa, boss):
        data = form_data(boss.get(admin_url(Meeting, "change", world.smart_meeting.pk)))
        response = aa.post(admin_url(Meeting, "change", world.smart_meeting.pk), {**data, "name": "Hijacked"})
        assert response.status_code == 404
        assert Meeting.objects.get(pk=world.smart_meeting.pk).name == "SMART Monday"

    def test_a_curator_adds_a_meeting_only_for_their_organization(self, world, aa):
        page = aa.get(admin_url(Meeting, "add"))
        data = {
            **form_data(page), "name": "New AA", "slug": "new-aa", "day": "3", "start_time": "18:00",
            "timezone": "America/New_York", "location": world.aa_hall.pk, "status": "published",
            "attendance_mode": "in_person",
        }  # fmt: skip
        refused = aa.post(admin_url(Meeting, "add"), {**data, "organization": world.smart.pk, "slug": "new-smart"})
        assert refused.status_code == 200 and refused.context["adminform"].form.errors["organization"]
        assert aa.post(admin_url(Meeting, "add"), {**data, "organization": world.aa.pk}).status_code == 302
        assert Meeting.objects.get(slug="new-aa").organization == world.aa
        assert not Meeting.objects.filter(slug="new-smart").exists()

    def test_a_region_curator_cannot_place_a_meeting_outside_their_regions(self, world):
        client = logged_in(world.pa_curator)
        jersey_annex = make_location(name="Jersey Annex", country="US", state="NJ")
        assert (
            jersey_annex
            not in client.get(admin_url(Meeting, "add")).context["adminform"].form.fields["location"].queryset
        )
        response = post_changed(client, admin_url(Meeting, "change", world.aa_meeting.pk), location=jersey_annex.pk)
        assert response.context["adminform"].form.errors["location"]

    def test_a_region_curator_cannot_move_a_venue_out_of_their_regions(self, world):
        client = logged_in(world.pa_curator)
        response = post_changed(client, admin_url(Location, "change", world.aa_hall.pk), state="NJ")
        assert response.status_code == 200 and response.context["adminform"].form.errors["state"]
        assert Location.objects.get(pk=world.aa_hall.pk).state == "PA"

    def test_a_feed_cannot_be_given_to_another_organization(self, world, aa):
        response = post_changed(aa, admin_url(Feed, "change", world.aa_feed.pk), organization=world.smart.pk)
        assert response.context["adminform"].form.errors["organization"]
        assert Feed.objects.get(pk=world.aa_feed.pk).organization == world.aa


class TestContacts:
    def test_a_curator_sees_the_contacts_of_their_own_meeting(self, world, aa):
        page = aa.get(admin_url(Meeting, "change", world.aa_meeting.pk)).content.decode()
        assert "ann@example.org" in page and "sam@example.org" not in page

    def test_a_contact_cannot_be_added_to_another_organizations_meeting(self, world, aa):
        response = aa.post(admin_url(Contact, "add"), {"meeting": world.smart_meeting.pk, "name": "Mole"})
        assert response.status_code == 200 and response.context["adminform"].form.errors["meeting"]
        assert not Contact.objects.filter(name="Mole").exists()

    def test_the_meeting_search_for_contacts_offers_only_the_curators_meetings(self, world, aa):
        response = aa.get(
            "/admin/autocomplete/",
            {"app_label": "meetings", "model_name": "contact", "field_name": "meeting", "term": "Monday"},
        )
        assert response.status_code == 200 and response.json()["results"] == []

    def test_the_venue_search_offers_only_the_curators_venues(self, world, aa):
        response = aa.get(
            "/admin/autocomplete/",
            {"app_label": "meetings", "model_name": "meeting", "field_name": "location", "term": "Hall"},
        )
        found = {result["text"].split(",")[0] for result in response.json()["results"]}
        assert "AA Hall" in found and "SMART Hall" not in found


class TestImport:
    def post_import(self, client: Client, organization: Organization, name: str = "Uploaded"):
        upload = SimpleUploadedFile("feed.json", json.dumps(FEED).encode(), content_type="application/json")
        return client.post(
            IMPORT_URL, {"organization": organization.pk, "name": name, "format": "meeting_guide", "upload": upload}
        )

    def test_a_curator_imports_into_their_own_organization(self, world, aa):
        response = self.post_import(aa, world.aa)
        assert "1 created" in response.content.decode()
        assert Meeting.objects.get(slug__contains="serenity").organization == world.aa

    def test_a_curator_cannot_import_for_another_organization(self, world, aa):
        response = self.post_import(aa, world.smart, name="Sneaky")
        assert response.context["form"].errors["organization"]
        assert not Feed.objects.filter(name="Sneaky").exists()

    def test_the_import_form_offers_only_the_curators_organizations(self, world, aa):
        assert list(aa.get(IMPORT_URL).context["form"].fields["organization"].queryset) == [world.aa]

    def test_a_region_curator_cannot_import_a_whole_feed(self, world):
        response = self.post_import(logged_in(world.pa_curator), world.aa, name="Regional")
        assert "in some regions only" in str(response.context["form"].errors["organization"])
        assert not Feed.objects.filter(name="Regional").exists()

    def test_the_outsider_cannot_open_the_import_page(self, world, outsider):
        assert outsider.get(IMPORT_URL).status_code == 403


class TestCuratorsAndTheirGroup:
    def test_only_a_superuser_manages_curators(self, world, aa, boss):
        assert aa.get(admin_url(Curator, "changelist")).status_code == 403
        assert aa.get(admin_url(Curator, "change", world.aa_curator.curator.pk)).status_code == 403
        assert boss.get(admin_url(Curator, "changelist")).status_code == 200

    def test_saving_a_curator_lets_them_into_the_admin(self, world, boss):
        newcomer = get_user_model().objects.create_user("newcomer")
        response = boss.post(
            admin_url(Curator, "add"), {"user": newcomer.pk, "organizations": [world.smart.pk], "regions": ""}
        )
        assert response.status_code == 302
        newcomer.refresh_from_db()
        assert newcomer.is_staff
        assert newcomer.has_perm("meetings.change_meeting") and not newcomer.has_perm("meetings.delete_meeting")

    def test_the_group_command_can_run_again(self, world):
        call_command("setup_curator_group", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("setup_curator_group", stdout=open("/dev/null", "w"))  # noqa: SIM115
        group = Group.objects.get(name=curation.CURATOR_GROUP)
        assert group.permissions.count() == len(curation.CURATOR_PERMISSIONS)


class TestVerification:
    def test_a_curator_marks_their_meetings_verified_from_the_list(self, world, aa):
        stale = make_meeting(organization=world.aa, location=world.aa_hall, last_verified=dt.date(2020, 1, 1))
        response = aa.post(
            admin_url(Meeting, "changelist"), {"action": "mark_verified", "_selected_action": [stale.pk]}, follow=True
        )
        assert "1 meeting marked as verified." in response.content.decode()
        stale.refresh_from_db()
        assert stale.last_verified == dt.date.today()
        assert stale.history.first().history_user == world.aa_curator

    def test_the_action_cannot_reach_another_organizations_meeting(self, world, aa):
        aa.post(
            admin_url(Meeting, "changelist"), {"action": "mark_verified", "_selected_action": [world.smart_meeting.pk]}
        )
        assert Meeting.objects.get(pk=world.smart_meeting.pk).last_verified is None

    def test_a_curator_ticks_verified_today_on_the_meeting_page(self, world, aa):
        meeting = make_meeting(organization=world.aa, location=world.aa_hall)
        assert post_changed(aa, admin_url(Meeting, "change", meeting.pk), verified_today="on").status_code == 302
        meeting.refresh_from_db()
        assert meeting.last_verified == dt.date.today()
        assert meeting.history.first().history_change_reason == "verified in the admin"

    def test_the_list_finds_meetings_not_verified_for_over_a_year_or_never(self, world, aa):
        old = make_meeting(
            organization=world.aa, location=world.aa_hall, name="Old check", last_verified=dt.date(2020, 1, 1)
        )
        fresh = make_meeting(
            organization=world.aa, location=world.aa_hall, name="Fresh check", last_verified=dt.date.today()
        )
        response = aa.get(admin_url(Meeting, "changelist"), {"verified": "stale"})
        shown = {m.pk for m in response.context["cl"].result_list}
        assert old.pk in shown and world.aa_meeting.pk in shown  # never verified counts too
        assert fresh.pk not in shown and world.smart_meeting.pk not in shown
        page = aa.get(admin_url(Meeting, "changelist")).content.decode()
        stale_count = curation.not_verified_since(curation.curated_meetings(world.aa_curator)).count()
        assert f"{stale_count} not verified for over a year" in page and '?verified=stale"' in page

    def test_the_public_page_says_when_a_meeting_was_last_verified(self, world, client):
        verified = make_meeting(organization=world.aa, location=world.aa_hall, last_verified=dt.date(2026, 3, 4))
        assert "Last verified on March 4, 2026" in client.get(verified.get_absolute_url()).content.decode()
        assert "Not verified yet" in client.get(world.aa_meeting.get_absolute_url()).content.decode()
