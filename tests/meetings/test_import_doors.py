"""The two doors onto the importer: ``manage.py import_feed`` and the admin's import page."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from meetings.models import Feed, Meeting

pytestmark = pytest.mark.django_db

FEED = [
    {"name": "Serenity", "slug": "serenity", "day": 1, "time": "19:00", "types": ["O", "XYZ"],
     "location": "Church", "formatted_address": "1 Elm St, Philadelphia, PA 19107, USA",
     "latitude": 39.95, "longitude": -75.16, "timezone": "America/New_York"},
    {"name": "No day", "slug": "no-day", "time": "19:00"},
]  # fmt: skip


@pytest.fixture
def feed_file(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(FEED))
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("import_feed", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


class TestCommand:
    def test_it_imports_a_file_and_reports_each_count(self, directory, feed_file):
        output = run(str(feed_file), "--organization", "alcoholics-anonymous", "--name", "Test feed")
        assert "1 created, 0 updated, 0 unchanged, 0 deactivated, 1 skipped." in output
        assert "Skipped row 2 (no-day): no day (by appointment)" in output
        assert "XYZ (1)" in output
        assert Meeting.objects.get().feed.name == "Test feed"

    def test_importing_again_changes_nothing(self, directory, feed_file):
        run(str(feed_file), "--organization", "alcoholics-anonymous")
        assert "0 created, 0 updated, 1 unchanged" in run(str(feed_file), "--organization", "alcoholics-anonymous")

    def test_a_file_that_is_not_json_is_refused_with_the_reason(self, directory, tmp_path):
        broken = tmp_path / "broken.json"
        broken.write_text('[{"name": "A",')
        with pytest.raises(CommandError, match="not valid JSON"):
            run(str(broken), "--organization", "alcoholics-anonymous")
        assert not Meeting.objects.exists()

    def test_an_unknown_organization_or_missing_file_is_a_clear_error(self, directory, feed_file):
        with pytest.raises(CommandError, match="No organization with the slug 'aaa'"):
            run(str(feed_file), "--organization", "aaa")
        with pytest.raises(CommandError, match=r"No file at /nowhere\.json"):
            run("/nowhere.json", "--organization", "alcoholics-anonymous")

    def test_an_unknown_default_zone_is_refused(self, directory, feed_file):
        with pytest.raises(CommandError, match="not an IANA time zone"):
            run(str(feed_file), "--organization", "alcoholics-anonymous", "--timezone", "Moon/Base")


class TestAdmin:
    URL = "/admin/meetings/feed/import/"

    def test_a_curator_uploads_a_feed_and_sees_the_report(self, directory, admin_client):
        organization = Feed._meta.get_field("organization").related_model.objects.get(slug="alcoholics-anonymous")
        upload = SimpleUploadedFile("feed.json", json.dumps(FEED).encode(), content_type="application/json")
        response = admin_client.post(
            self.URL,
            {"organization": organization.pk, "name": "Uploaded", "format": "meeting_guide", "upload": upload},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "1 created, 0 updated, 0 unchanged, 0 deactivated, 1 skipped." in page
        assert "no day (by appointment)" in page
        assert Meeting.objects.filter(feed__name="Uploaded").count() == 1

    def test_a_broken_upload_is_a_form_error_and_changes_nothing(self, directory, admin_client):
        organization = Feed._meta.get_field("organization").related_model.objects.get(slug="alcoholics-anonymous")
        upload = SimpleUploadedFile("feed.json", b"<html>oops</html>")
        response = admin_client.post(
            self.URL, {"organization": organization.pk, "name": "Broken", "format": "meeting_guide", "upload": upload}
        )
        assert "it looks like a web page, not a feed" in response.content.decode()
        assert not Meeting.objects.exists()

    def test_the_form_needs_a_file_or_a_url(self, directory, admin_client):
        response = admin_client.post(self.URL, {"name": "x", "format": "meeting_guide"})
        assert "Give the feed&#x27;s URL or upload the file." in response.content.decode()

    def test_the_feed_list_links_to_the_import_page(self, directory, admin_client):
        assert self.URL in admin_client.get("/admin/meetings/feed/").content.decode()

    def test_visitors_cannot_import(self, directory, client):
        assert client.get(self.URL).status_code == 302
