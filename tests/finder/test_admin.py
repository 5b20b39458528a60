"""Every model's admin pages render for a superuser, with data in them."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from meetings.models import ChangeReport, Contact, Curator, Feed, Meeting, Place, PlaceAlias

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label in ("groups", "meetings")]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def with_every_model(site_data):
    """The site data has no feeds or contacts; add one of each for the change pages."""
    meeting = Meeting.objects.select_related("organization").first()
    Contact.objects.create(meeting=meeting, name="Secretary", email="sec@example.org")
    Feed.objects.create(name="Intergroup feed", url="https://example.org/feed.json", organization=meeting.organization)
    philadelphia = Place.objects.create(
        geonameid=4560349, name="Philadelphia", search_name="philadelphia", admin1="PA", country="US",
        latitude=39.95233, longitude=-75.16379, population=1567442, timezone="America/New_York",
    )  # fmt: skip
    PlaceAlias.objects.create(place=philadelphia, search_name="filadelfia")
    curator = Curator.objects.create(user=get_user_model().objects.create_user("curator"), regions="US-PA")
    curator.organizations.add(meeting.organization)
    ChangeReport.objects.create(meeting=meeting, problem=ChangeReport.Problem.OTHER, message="The hall moved.")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_admin_list_add_and_change_page_renders(model, admin_client, with_every_model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "a"}).status_code == 200
    # Change reports come only from visitors (the meeting's "Report a problem" form).
    assert admin_client.get(admin_url(model, "add")).status_code == (403 if model is ChangeReport else 200)
    obj = model.objects.first()
    assert obj is not None, f"no {model._meta.verbose_name} in the site data"
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_a_meetings_change_page_shows_its_organization_and_location_at_a_glance(admin_client, site_data):
    meeting = Meeting.objects.exclude(location=None).select_related("organization", "location").first()
    page = admin_client.get(admin_url(Meeting, "change", meeting.pk)).content.decode()
    assert reverse("admin:groups_organization_change", args=[meeting.organization_id]) in page
    assert reverse("admin:meetings_location_change", args=[meeting.location_id]) in page


def test_the_admin_meeting_list_does_not_grow_queries_with_rows(admin_client, site_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert admin_client.get(admin_url(Meeting, "changelist")).status_code == 200


def test_every_model_is_in_the_admin():
    from django.apps import apps

    for app in ("groups", "meetings"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue  # shown on their object's History page
            assert model in admin.site._registry, model
