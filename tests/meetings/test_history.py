"""Every change to a meeting or a venue is recorded (who, when, which fields, before and after), through the
admin or an import, shown to those who curate it, and can be reverted. Contacts are never copied into it."""

import json
import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from groups.models import Organization
from meetings.models import Contact, Location, Meeting, MeetingType
from tests.factories import logged_in, make_curator, make_location, make_meeting
from tests.meetings.admin_forms import admin_url, form_data, post_changed

pytestmark = pytest.mark.django_db

FEED = [
    {"name": "Serenity", "slug": "serenity", "day": 1, "time": "19:00", "types": ["O", "D"],
     "location": "Elm Church", "formatted_address": "1 Elm St, Philadelphia, PA 19107, USA",
     "latitude": 39.95, "longitude": -75.16, "timezone": "America/New_York"},
    {"name": "Hope", "slug": "hope", "day": 3, "time": "12:00", "types": ["C"],
     "location": "Elm Church", "formatted_address": "1 Elm St, Philadelphia, PA 19107, USA",
     "latitude": 39.95, "longitude": -75.16, "timezone": "America/New_York"},
]  # fmt: skip


@pytest.fixture(scope="module")
def people(directory, django_db_blocker):
    with django_db_blocker.unblock():
        made = {
            username: make_curator(username, Organization.objects.get(slug=slug))
            for username, slug in (("aa-curator", "alcoholics-anonymous"), ("smart-curator", "smart-recovery"))
        }
        made["boss"] = get_user_model().objects.create_superuser("boss", "boss@example.org", None)
        yield made


@pytest.fixture
def aa(people):
    return logged_in(people["aa-curator"])


@pytest.fixture
def meeting(people):
    """An AA meeting, open and a discussion, with a contact."""
    made = make_meeting(
        organization=Organization.objects.get(slug="alcoholics-anonymous"),
        name="Tuesday Serenity",
        location=make_location(name="AA Hall", country="US", state="PA"),
    )
    made.types.set(MeetingType.objects.filter(code__in=["O", "D"]))
    Contact.objects.create(meeting=made, name="Ann", email="ann@example.org", phone="215-555-0100")
    return made


def codes(meeting_or_version) -> set[str]:
    if isinstance(meeting_or_version, Meeting):
        return set(meeting_or_version.types.values_list("code", flat=True))
    return {link.meetingtype.code for link in meeting_or_version.types.select_related("meetingtype")}


class TestAdminEdits:
    def test_an_admin_edit_is_one_record_naming_who_changed_which_fields(self, people, aa, meeting):
        before = meeting.history.count()
        closed = MeetingType.objects.get(code="C").pk
        response = post_changed(aa, admin_url(Meeting, "change", meeting.pk), name="Tuesday Step Study", types=[closed])
        assert response.status_code == 302
        assert meeting.history.count() == before + 1
        latest = meeting.history.first()
        assert latest.history_user == people["aa-curator"]
        assert latest.history_change_reason == "edited in the admin"
        assert codes(latest) == {"C"}
        delta = latest.diff_against(latest.prev_record)
        assert set(delta.changed_fields) == {"name", "types"}
        change = next(c for c in delta.changes if c.field == "name")
        assert (change.old, change.new) == ("Tuesday Serenity", "Tuesday Step Study")

    def test_saving_without_changes_records_nothing(self, aa, meeting):
        post_changed(aa, admin_url(Meeting, "change", meeting.pk), name="First edit")
        before = meeting.history.count()
        assert post_changed(aa, admin_url(Meeting, "change", meeting.pk)).status_code == 302
        assert meeting.history.count() == before

    def test_a_new_meeting_is_recorded_with_its_types(self, people, aa, meeting):
        page = aa.get(admin_url(Meeting, "add"))
        data = {
            **form_data(page), "organization": meeting.organization_id, "name": "Brand New", "slug": "brand-new",
            "day": "4", "start_time": "20:00", "timezone": "America/New_York", "location": meeting.location_id,
            "attendance_mode": "in_person", "status": "published", "types": [MeetingType.objects.get(code="O").pk],
        }  # fmt: skip
        assert aa.post(admin_url(Meeting, "add"), data).status_code == 302
        (record,) = Meeting.objects.get(slug="brand-new").history.all()
        assert record.history_type == "+" and record.history_user == people["aa-curator"]
        assert codes(record) == {"O"}

    def test_the_history_page_shows_each_change_before_and_after(self, aa, meeting):
        closed = MeetingType.objects.get(code="C").pk
        post_changed(aa, admin_url(Meeting, "change", meeting.pk), name="Tuesday Step Study", types=[closed])
        page = aa.get(admin_url(Meeting, "history", meeting.pk)).content.decode()
        assert "Tuesday Serenity" in page and "Tuesday Step Study" in page
        assert re.search(r"\[Open \(O\), Discussion \(D\)\]\s*&nbsp;&rarr;&nbsp;&nbsp;\[Closed \(C\)\]", page)
        assert "aa-curator" in page and "edited in the admin" in page

    def test_a_venue_edit_is_recorded_too(self, people, aa, meeting):
        post_changed(aa, admin_url(Location, "change", meeting.location_id), name="AA Hall, upstairs")
        latest = meeting.location.history.first()
        assert latest.name == "AA Hall, upstairs" and latest.history_user == people["aa-curator"]
        assert "AA Hall, upstairs" in aa.get(admin_url(Location, "history", meeting.location_id)).content.decode()

    def test_a_deletion_is_recorded_with_who_deleted(self, people, meeting):
        boss = logged_in(people["boss"])
        pk = meeting.pk
        assert boss.post(admin_url(Meeting, "delete", pk), {"post": "yes"}).status_code == 302
        deleted = Meeting.history.filter(id=pk).first()
        assert deleted.history_type == "-" and deleted.history_user == people["boss"]


class TestWhoSeesHistory:
    def test_another_organizations_curator_sees_neither_the_history_nor_a_version(self, people, aa, meeting):
        post_changed(aa, admin_url(Meeting, "change", meeting.pk), name="Renamed")
        smart = logged_in(people["smart-curator"])
        version = meeting.history.last()
        assert smart.get(admin_url(Meeting, "history", meeting.pk)).status_code == 404
        assert smart.get(admin_url(Meeting, "simple_history", meeting.pk, version.history_id)).status_code == 404
        assert smart.get(admin_url(Location, "history", meeting.location_id)).status_code == 404

    def test_another_organizations_curator_cannot_revert(self, people, aa, meeting):
        post_changed(aa, admin_url(Meeting, "change", meeting.pk), name="Renamed")
        version_url = admin_url(Meeting, "simple_history", meeting.pk, meeting.history.last().history_id)
        data = form_data(aa.get(version_url))
        assert logged_in(people["smart-curator"]).post(version_url, data).status_code == 404
        meeting.refresh_from_db()
        assert meeting.name == "Renamed"


class TestRevert:
    def test_a_curator_reverts_a_meeting_to_an_earlier_version_types_included(self, people, aa, meeting):
        post_changed(aa, admin_url(Meeting, "change", meeting.pk), name="Before")
        earlier = meeting.history.first()
        closed = MeetingType.objects.get(code="C").pk
        post_changed(aa, admin_url(Meeting, "change", meeting.pk), name="After", types=[closed])
        version_url = admin_url(Meeting, "simple_history", meeting.pk, earlier.history_id)
        page = aa.get(version_url)
        assert {t.code for t in page.context["adminform"].form.initial["types"]} == {"O", "D"}
        assert aa.post(version_url, form_data(page)).status_code == 302
        meeting.refresh_from_db()
        assert meeting.name == "Before" and codes(meeting) == {"O", "D"}
        latest = meeting.history.first()
        assert latest.history_change_reason == "reverted in the admin"
        assert latest.history_user == people["aa-curator"]
        assert codes(latest) == {"O", "D"}

    def test_reverting_cannot_move_a_meeting_into_another_organization(self, people, aa, meeting):
        smart = Organization.objects.get(slug="smart-recovery")
        meeting.organization = smart
        meeting.save()  # a superuser's old mistake: the meeting was SMART's for a while
        meeting.organization = Organization.objects.get(slug="alcoholics-anonymous")
        meeting.save()
        smart_version = meeting.history.filter(organization_id=smart.pk).first()
        version_url = admin_url(Meeting, "simple_history", meeting.pk, smart_version.history_id)
        response = aa.post(version_url, form_data(aa.get(version_url)))
        assert response.status_code == 200 and response.context["adminform"].form.errors["organization"]
        meeting.refresh_from_db()
        assert meeting.organization.slug == "alcoholics-anonymous"


class TestImports:
    def upload(self, client: Client, feed: list, name: str = "Intergroup"):
        aa = Organization.objects.get(slug="alcoholics-anonymous")
        upload = SimpleUploadedFile("feed.json", json.dumps(feed).encode(), content_type="application/json")
        data = {"organization": aa.pk, "name": name, "format": "meeting_guide", "upload": upload}
        return client.post("/admin/meetings/feed/import/", data)

    def test_an_admin_import_records_each_meeting_and_venue_with_the_feed_and_the_importer(self, people, aa):
        assert "2 created" in self.upload(aa, FEED).content.decode()
        serenity = Meeting.objects.get(feed_key="serenity")
        (record,) = serenity.history.all()
        assert record.history_type == "+" and record.history_user == people["aa-curator"]
        assert record.history_change_reason == "import from Intergroup"
        assert codes(record) == {"O", "D"}
        (venue,) = serenity.location.history.all()
        assert venue.history_user == people["aa-curator"] and venue.name == "Elm Church"

    def test_a_reimport_records_what_changed_and_what_was_removed(self, people, aa, tmp_path):
        path = tmp_path / "feed.json"
        path.write_text(json.dumps(FEED))
        command = [str(path), "--organization", "alcoholics-anonymous", "--name", "Nightly"]
        call_command("import_feed", *command, stdout=StringIO(), stderr=StringIO())
        changed = [{**FEED[0], "name": "Serenity Step Study", "types": ["C"]}]  # Hope is gone
        path.write_text(json.dumps(changed))
        call_command("import_feed", *command, stdout=StringIO(), stderr=StringIO())

        serenity = Meeting.objects.get(feed_key="serenity", feed__name="Nightly").history.first()
        delta = serenity.diff_against(serenity.prev_record)
        assert set(delta.changed_fields) == {"name", "types"}
        assert serenity.history_user is None and serenity.history_change_reason == "import from Nightly"
        hope = Meeting.objects.get(feed_key="hope", feed__name="Nightly").history.first()
        assert hope.diff_against(hope.prev_record).changed_fields == ["status"]
        assert hope.status == Meeting.Status.REMOVED

    def test_an_unchanged_reimport_records_nothing(self, aa):
        self.upload(aa, FEED)
        before = Meeting.history.count()
        assert "2 unchanged" in self.upload(aa, FEED).content.decode()
        assert Meeting.history.count() == before


class TestContactsAreNotCopied:
    def test_no_history_is_kept_of_contacts(self):
        assert not hasattr(Contact, "history")
        historical = [model for model in apps.get_models() if model.__name__.startswith("Historical")]
        assert historical and not any(model.__name__.startswith("HistoricalContact") for model in historical)

    def test_a_meetings_history_holds_none_of_its_contacts_details(self, aa, meeting):
        post_changed(aa, admin_url(Meeting, "change", meeting.pk), name="Renamed")
        fields = {field.name for field in Meeting.history.model._meta.get_fields()}
        assert not {"contacts", "email", "phone"} & fields
        stored = json.dumps(list(Meeting.history.filter(id=meeting.pk).values()), default=str)
        assert "ann@example.org" not in stored and "215-555-0100" not in stored
