import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from groups.models import Organization
from meetings.distance import great_circle_miles
from meetings.generate import delete_generated, generate_meetings
from meetings.models import Location, Meeting, MeetingType, Place, TypeFacet
from tests.factories import make_location, make_meeting

pytestmark = pytest.mark.django_db

COUNT = 300
SEED = 7
# name, admin1, country, latitude, longitude, population, zone
PLACES = [
    ("Bigton", "NY", "US", 40.70, -74.00, 3_000_000, "America/New_York"),
    ("Midville", "AZ", "US", 33.45, -112.07, 600_000, "America/Phoenix"),
    ("Smallburg", "MT", "US", 46.59, -112.04, 60_000, "America/Denver"),
    ("Ciudad Prueba", "09", "MX", 19.43, -99.13, 1_000_000, "America/Mexico_City"),
    # Never chosen: no zone, or nobody lives there.
    ("Zoneless", "", "XX", 10.0, 10.0, 9_000_000, ""),
    ("Ghost Town", "NV", "US", 38.0, -117.0, 0, "America/Los_Angeles"),
]
TYPES = {
    "attendance": ["O", "C"],
    "format": ["D", "SP", "ST", "B", "LIT", "MED"],
    "community": ["W", "M", "Y", "LGBTQ"],
    "language": ["EN", "S"],
    "accessibility": ["X"],
}


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """A few places, fellowships and types, and COUNT generated meetings, made once for the module."""
    with django_db_blocker.unblock():
        for number, (name, admin1, country, latitude, longitude, population, zone) in enumerate(PLACES, 1):
            Place.objects.create(
                geonameid=number, name=name, search_name=name.lower(), admin1=admin1, country=country,
                latitude=latitude, longitude=longitude, population=population, timezone=zone,
            )  # fmt: skip
        for slug, approach in [
            ("alcoholics-anonymous", Organization.Approach.TWELVE_STEP),
            ("narcotics-anonymous", Organization.Approach.TWELVE_STEP),
            ("smart-recovery", Organization.Approach.SECULAR),
        ]:
            Organization.objects.create(name=slug.replace("-", " ").title(), slug=slug, approach=approach)
        for order, (facet_key, codes) in enumerate(TYPES.items()):
            facet = TypeFacet.objects.create(key=facet_key, name_en=facet_key.title(), order=order)
            for code in codes:
                MeetingType.objects.create(code=code, name_en=code, facet=facet)
        generate_meetings(COUNT, seed=SEED, batch_size=64)  # several batches, so venues are reused across them
        yield
        call_command("flush", interactive=False, verbosity=0)


def _snapshot() -> list[tuple]:
    """What must come out the same for the same seed (primary keys aside)."""
    return [
        (m.slug, m.day, m.start_time, m.end_time, m.timezone, m.attendance_mode, m.organization.slug,
         m.location and (m.location.latitude, m.location.longitude),
         sorted(t.code for t in m.types.all()))
        for m in Meeting.objects.filter(is_generated=True).select_related("organization", "location")
        .prefetch_related("types").order_by("slug")
    ]  # fmt: skip


def _codes(meeting: Meeting) -> set[str]:
    return {t.code for t in meeting.types.all()}


def test_it_makes_as_many_meetings_as_asked_all_marked_generated_and_none_demo(generated):
    assert Meeting.objects.count() == COUNT
    assert Meeting.objects.filter(is_generated=True, is_demo=False).count() == COUNT
    assert not Location.objects.filter(is_demo=True).exists()


def test_names_venues_and_links_say_plainly_they_are_generated(generated):
    meetings = Meeting.objects.all()
    assert not meetings.exclude(name__startswith="Generated meeting ").exists()
    assert not meetings.exclude(slug__startswith="gen-").exists()
    assert not Location.objects.exclude(name__startswith="Generated venue ").exists()
    assert not Location.objects.exclude(address="").exists(), "no generated venue has a street address"
    assert not meetings.exclude(conference_url="").exclude(conference_url__startswith="https://example.org/").exists()


def test_more_meetings_are_near_the_most_populous_city_than_near_any_other(generated):
    near = Counter(Meeting.objects.exclude(location=None).values_list("location__city", flat=True))
    assert near.most_common(1)[0][0] == "Bigton"
    assert near["Bigton"] > near["Midville"] > near["Smallburg"]
    assert not {"Zoneless", "Ghost Town"} & set(near), "places without a zone or people are never chosen"


def test_every_in_person_or_hybrid_meeting_has_a_venue_near_its_city_in_the_citys_zone(generated):
    places = {place.name: place for place in Place.objects.all()}
    meetings = Meeting.objects.in_person().select_related("location")
    assert meetings.count() > COUNT / 2
    for meeting in meetings:
        location, place = meeting.location, places[meeting.location.city]
        assert location.latitude is not None and location.longitude is not None
        assert meeting.timezone == location.timezone == place.timezone
        assert great_circle_miles(location.latitude, location.longitude, place.latitude, place.longitude) < 38


def test_venues_are_shared_by_several_meetings_and_a_few_are_rural(generated):
    places = {place.name: place for place in Place.objects.all()}
    assert Location.objects.count() < Meeting.objects.in_person().count() * 0.8
    miles = [
        great_circle_miles(v.latitude, v.longitude, places[v.city].latitude, places[v.city].longitude)
        for v in Location.objects.all()
    ]
    assert sum(m < 9.4 for m in miles) > len(miles) * 0.8, "most venues are within 15 km of their city"


def test_about_three_in_four_meet_in_person_and_online_ones_have_a_link_but_no_venue(generated):
    modes = Counter(Meeting.objects.values_list("attendance_mode", flat=True))
    assert 0.65 * COUNT < modes["in_person"] < 0.85 * COUNT
    assert modes["online"] > 0.07 * COUNT
    assert modes["hybrid"] > 0.04 * COUNT
    online = Meeting.objects.filter(attendance_mode=Meeting.Attendance.ONLINE)
    assert not online.exclude(location=None).exists()
    assert not Meeting.objects.online().filter(conference_url="").exists()


def test_start_times_cluster_in_the_morning_at_noon_and_in_the_evening_and_some_cross_midnight(generated):
    starts = list(Meeting.objects.values_list("start_time", flat=True))
    clustered = [t for t in starts if t.hour in (6, 7, 12, 18, 19) or t == dt.time(20, 0)]
    assert len(clustered) > 0.6 * COUNT
    assert set(Meeting.objects.values_list("day", flat=True)) == set(range(7))
    late = [m for m in Meeting.objects.filter(start_time__gte=dt.time(22, 0)) if m.crosses_midnight]
    assert late, "some late meetings end after midnight"
    assert all(m.end_time <= dt.time(1, 0) for m in late)
    durations = {m.duration for m in Meeting.objects.all()}
    assert durations == {dt.timedelta(minutes=60), dt.timedelta(minutes=90)}


def test_alcoholics_anonymous_has_the_most_meetings_and_every_fellowship_some(generated):
    by_fellowship = Counter(Meeting.objects.values_list("organization__slug", flat=True))
    assert by_fellowship.most_common(1)[0][0] == "alcoholics-anonymous"
    assert set(by_fellowship) == {"alcoholics-anonymous", "narcotics-anonymous", "smart-recovery"}


def test_twelve_step_meetings_are_open_or_closed_and_every_meeting_has_one_format_and_one_language(generated):
    for meeting in Meeting.objects.select_related("organization").prefetch_related("types"):
        codes = _codes(meeting)
        twelve_step = meeting.organization.approach == Organization.Approach.TWELVE_STEP
        assert len(codes & {"O", "C"}) == (1 if twelve_step else 0)
        assert len(codes & set(TYPES["format"])) == 1
        assert len(codes & {"EN", "S"}) == 1
    assert Meeting.objects.filter(types__code__in=TYPES["community"]).exists()
    assert Meeting.objects.filter(types__code="X").exists()


def test_spanish_meetings_are_common_in_mexico_and_rare_elsewhere(generated):
    def spanish_share(city: str) -> float:
        meetings = Meeting.objects.filter(location__city=city)
        return meetings.filter(types__code="S").count() / meetings.count()

    assert spanish_share("Ciudad Prueba") > 0.8
    assert spanish_share("Bigton") < 0.2


def test_the_same_seed_makes_the_same_meetings_and_another_seed_others(generated):
    before = _snapshot()
    delete_generated()
    generate_meetings(COUNT, seed=SEED)  # another batch size too: it must not matter
    assert _snapshot() == before
    delete_generated()
    generate_meetings(COUNT, seed=SEED + 1)
    assert [row[1:4] for row in _snapshot()] != [row[1:4] for row in before]


def test_adding_more_continues_the_numbering(generated):
    generate_meetings(5, seed=SEED)
    slugs = set(Meeting.objects.filter(is_generated=True).values_list("slug", flat=True))
    assert {f"gen-{n}" for n in range(COUNT + 1, COUNT + 6)} <= slugs
    assert len(slugs) == COUNT + 5


def test_delete_generated_removes_every_generated_meeting_and_their_venues_but_nothing_else(generated):
    real_venue = make_location(name="Real Hall")
    real = make_meeting(location=real_venue)
    assert delete_generated(batch_size=50) == COUNT
    assert list(Meeting.objects.all()) == [real]
    assert list(Location.objects.all()) == [real_venue]
    assert Meeting.types.through.objects.count() == 0


def test_delete_generated_keeps_a_generated_venue_a_real_meeting_uses(generated):
    venue = Location.objects.first()
    real = make_meeting(location=venue)
    delete_generated()
    assert list(Location.objects.all()) == [venue]
    assert list(Meeting.objects.all()) == [real]


def test_without_places_or_organizations_it_says_what_to_load(generated):
    delete_generated()
    Place.objects.all().delete()
    with pytest.raises(ValueError, match="load_places"):
        generate_meetings(10)
    Place.objects.create(geonameid=99, name="Town", search_name="town", country="US", latitude=1, longitude=1,
                         population=10, timezone="UTC")  # fmt: skip
    Organization.objects.all().delete()
    with pytest.raises(ValueError, match="load_organizations"):
        generate_meetings(10)


def test_the_command_replaces_the_generated_meetings_and_reports_count_and_time(generated):
    out = io.StringIO()
    call_command("generate_meetings", "20", "--replace", "--seed", "3", stdout=out)
    output = out.getvalue()
    assert f"Deleted {COUNT} generated meetings in" in output
    assert "Made 20 generated meetings in" in output and " s (seed 3)" in output
    assert Meeting.objects.filter(is_generated=True).count() == 20


def test_the_command_turns_a_missing_table_into_a_command_error(generated):
    delete_generated()
    Organization.objects.all().delete()
    with pytest.raises(CommandError, match="load_organizations"):
        call_command("generate_meetings", "5", stdout=io.StringIO())
