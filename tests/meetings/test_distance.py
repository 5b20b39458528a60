"""The great-circle distance in Python and in the database, and the bounding box in front of it."""

import math
from dataclasses import dataclass

import pytest

from meetings.distance import (
    EARTH_RADIUS_KM,
    EARTH_RADIUS_MILES,
    KM_PER_MILE,
    MILES_PER_KM,
    bounding_box,
    distance_miles,
    from_miles,
    great_circle_miles,
    to_miles,
    within_box,
)
from meetings.models import Location, Meeting
from tests.factories import make_location, make_meeting

PHILADELPHIA = (39.9526, -75.1652)
NEW_YORK = (40.7128, -74.0060)
SUVA = (-18.1416, 178.4419)

# A point this far inside or outside the radius must land on its side of it: far above rounding (about
# 1e-12 miles here) and far below anything a person would notice (1.6 mm).
EPSILON_MILES = 1e-6


def destination(latitude: float, longitude: float, bearing: float, miles: float) -> tuple[float, float]:
    """The point ``miles`` from a start along an initial ``bearing`` (degrees clockwise from north)."""
    phi1 = math.radians(latitude)
    theta = math.radians(bearing)
    delta = miles / EARTH_RADIUS_MILES
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lambda2 = math.radians(longitude) + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2)
    )
    return math.degrees(phi2), math.remainder(math.degrees(lambda2), 360.0)


def circle(latitude: float, longitude: float, miles: float, bearings: int = 360) -> list[tuple[float, float]]:
    return [destination(latitude, longitude, 360 * i / bearings, miles) for i in range(bearings)]


def longitude_offset(longitude: float, centre: float) -> float:
    """Degrees east (positive) or west of the centre, the short way round."""
    return math.remainder(longitude - centre, 360.0)


class TestGreatCircleMiles:
    def test_philadelphia_is_about_80_miles_from_new_york(self):
        assert great_circle_miles(*PHILADELPHIA, *NEW_YORK) == pytest.approx(80.6, abs=0.5)

    def test_a_point_is_no_distance_from_itself(self):
        for point in (PHILADELPHIA, SUVA, (90.0, 0.0), (-90.0, 180.0), (0.0, -180.0)):
            assert great_circle_miles(*point, *point) == 0

    @pytest.mark.parametrize(
        ("here", "there"),
        [
            ((0.0, 0.0), (0.0, 180.0)),
            ((10.0, 20.0), (-10.0, -160.0)),
            ((90.0, 0.0), (-90.0, 0.0)),
            (SUVA, (18.1416, -1.5581)),
        ],
    )
    def test_antipodes_are_half_the_circumference_apart(self, here, there):
        # Near antipodes asin has an infinite slope, so rounding the degrees costs about 1e-4 miles (16 cm).
        assert great_circle_miles(*here, *there) == pytest.approx(math.pi * EARTH_RADIUS_MILES, abs=1e-3)

    def test_the_distance_is_the_same_both_ways(self):
        assert great_circle_miles(*PHILADELPHIA, *SUVA) == pytest.approx(great_circle_miles(*SUVA, *PHILADELPHIA))

    def test_a_short_hop_across_the_antimeridian_stays_short(self):
        # 0.2 degrees of longitude at the equator, not 359.8.
        assert great_circle_miles(0.0, 179.9, 0.0, -179.9) == pytest.approx(0.2 * math.pi / 180 * EARTH_RADIUS_MILES)

    def test_the_database_expressions_for_one_centre_are_equal_and_others_are_not(self):
        # Ordering by distance looks the expression up among the selected columns by equality.
        fields = ("location__latitude", "location__longitude")
        same = distance_miles(40.0, -75.0, *fields), distance_miles(40.0, -75.0, *fields)
        assert same[0] == same[1] and hash(same[0]) == hash(same[1])
        assert distance_miles(40.0, -75.1, *fields) != same[0]
        assert distance_miles(40.0, -75.0, "latitude", "longitude") != same[0]

    def test_a_point_made_by_the_destination_formula_is_at_its_distance(self):
        # The tests below trust this helper to draw circles.
        for bearing in range(0, 360, 15):
            point = destination(*SUVA, bearing, 150.0)
            assert great_circle_miles(*SUVA, *point) == pytest.approx(150.0, abs=1e-9)


class TestUnits:
    def test_a_kilometre_is_the_international_fraction_of_a_mile(self):
        assert to_miles(1.609344, "km") == pytest.approx(1.0)
        assert from_miles(1.0, "km") == KM_PER_MILE
        assert round(MILES_PER_KM, 6) == 0.621371

    def test_miles_stay_miles(self):
        assert to_miles(12.5, "mi") == 12.5
        assert from_miles(12.5, "mi") == 12.5

    def test_converting_to_miles_and_back_returns_the_distance(self):
        for value in (0.0, 0.3, 5.0, 25.0, 12_000.0):
            assert from_miles(to_miles(value, "km"), "km") == pytest.approx(value)

    @pytest.mark.parametrize("units", ["miles", "KM", "Mi", "m", ""])
    def test_any_other_units_are_refused(self, units):
        with pytest.raises(ValueError, match="units"):
            to_miles(1.0, units)
        with pytest.raises(ValueError, match="units"):
            from_miles(1.0, units)

    def test_the_two_radii_describe_the_same_earth(self):
        assert to_miles(EARTH_RADIUS_KM, "km") == pytest.approx(EARTH_RADIUS_MILES, abs=1e-4)


BOX_CENTRES = [
    (0.0, 0.0),
    (60.0, 10.0),
    (-60.0, -70.0),
    (89.5, 0.0),
    (-89.5, 120.0),
    (0.0, 179.9),
    (0.0, -179.9),
    (60.0, 179.9),
    SUVA,
]
BOX_RADII = [0.0, 1.0, 50.0, 500.0, 2000.0]


class TestBoundingBox:
    @pytest.mark.parametrize("miles", BOX_RADII)
    @pytest.mark.parametrize(("latitude", "longitude"), BOX_CENTRES)
    def test_the_box_holds_every_point_on_a_circle_of_its_radius(self, latitude, longitude, miles):
        box = bounding_box(latitude, longitude, miles)
        missed = [point for point in circle(latitude, longitude, miles) if not box.contains(*point)]
        assert not missed
        assert box.contains(latitude, longitude)

    @pytest.mark.parametrize("miles", BOX_RADII[1:])
    @pytest.mark.parametrize(("latitude", "longitude"), BOX_CENTRES)
    def test_the_box_is_no_larger_than_the_circle_needs(self, latitude, longitude, miles):
        box = bounding_box(latitude, longitude, miles)
        points = circle(latitude, longitude, miles, bearings=3600)
        spread = math.degrees(miles / EARTH_RADIUS_MILES)
        assert box.max_latitude == pytest.approx(min(latitude + spread, 90.0), rel=1e-8)
        assert box.min_latitude == pytest.approx(max(latitude - spread, -90.0), rel=1e-8)
        if box.all_longitudes:
            assert box.max_latitude == 90.0 or box.min_latitude == -90.0
            return
        widest = max(abs(longitude_offset(point_longitude, longitude)) for _, point_longitude in points)
        half_width = sum(high - low for low, high in box.longitude_ranges) / 2
        assert half_width == pytest.approx(widest, rel=1e-4)

    def test_a_large_circle_at_a_high_latitude_is_wider_than_the_radius_over_the_cosine(self):
        # The widest point of the circle lies poleward of its centre; d / cos(latitude) would cut it off.
        box = bounding_box(60.0, 10.0, 2000.0)
        naive = math.degrees(2000.0 / EARTH_RADIUS_MILES) / math.cos(math.radians(60.0))
        ((west, east),) = box.longitude_ranges
        assert (east - west) / 2 > naive + 10

    @pytest.mark.parametrize("longitude", [179.9, -179.9])
    def test_a_box_near_the_antimeridian_splits_into_two_ranges(self, longitude):
        box = bounding_box(0.0, longitude, 20.0)
        assert box.crosses_antimeridian
        (west_low, west_high), (east_low, east_high) = box.longitude_ranges
        assert west_low == -180.0
        assert east_high == 180.0
        assert west_high < 0 < east_low
        assert box.contains(0.0, 180.0)
        assert box.contains(0.0, -180.0)

    def test_a_box_that_only_touches_the_antimeridian_still_holds_both_of_its_names(self):
        # 180 and -180 are one meridian and rows may store either.
        miles = math.radians(1.0) * EARTH_RADIUS_MILES
        box = bounding_box(0.0, 179.0, miles)
        assert box.contains(0.0, 180.0)
        assert box.contains(0.0, -180.0)

    @pytest.mark.parametrize("latitude", [89.5, -89.5])
    def test_a_box_that_reaches_a_pole_takes_every_longitude(self, latitude):
        box = bounding_box(latitude, 45.0, 50.0)
        assert box.all_longitudes
        assert box.longitude_ranges == ((-180.0, 180.0),)
        assert (box.max_latitude if latitude > 0 else box.min_latitude) == math.copysign(90.0, latitude)

    def test_a_small_circle_near_a_pole_keeps_a_narrow_box(self):
        box = bounding_box(89.5, 0.0, 1.0)
        assert not box.all_longitudes
        assert box.max_latitude < 90

    def test_half_the_circumference_is_the_whole_earth(self):
        box = bounding_box(12.0, 34.0, math.pi * EARTH_RADIUS_MILES)
        assert (box.min_latitude, box.max_latitude, box.longitude_ranges) == (-90.0, 90.0, ((-180.0, 180.0),))

    def test_a_longitude_beyond_180_is_read_the_short_way_round(self):
        assert bounding_box(10.0, 190.0, 30.0) == bounding_box(10.0, -170.0, 30.0)

    @pytest.mark.parametrize(
        ("latitude", "longitude", "miles"),
        [
            (90.5, 0.0, 1.0),
            (-91.0, 0.0, 1.0),
            (math.nan, 0.0, 1.0),
            (0.0, math.nan, 1.0),
            (0.0, 0.0, -1.0),
            (0.0, 0.0, math.nan),
        ],
    )
    def test_impossible_input_is_refused(self, latitude, longitude, miles):
        with pytest.raises(ValueError):
            bounding_box(latitude, longitude, miles)


@dataclass(frozen=True)
class Search:
    name: str
    latitude: float
    longitude: float
    miles: float

    @property
    def box(self):
        return bounding_box(self.latitude, self.longitude, self.miles)


FROM_SUVA = Search("suva", *SUVA, 150.0)  # reaches past 180 to the east
BESIDE_THE_ANTIMERIDIAN = Search("antimeridian", -16.8, -179.9, 25.0)
BESIDE_THE_NORTH_POLE = Search("north-pole", 89.7, 30.0, 40.0)  # reaches the pole
IN_THE_HIGH_ARCTIC = Search("arctic", 88.5, -150.0, 60.0)  # stops short of the pole, spans 125 degrees of longitude
SEARCHES = [FROM_SUVA, BESIDE_THE_ANTIMERIDIAN, BESIDE_THE_NORTH_POLE, IN_THE_HIGH_ARCTIC]

RING_FRACTIONS = [0.0, 0.25, 0.5, 0.9, 0.99, 1.01, 1.1, 1.5, 2.5]
BOUNDARY_BEARINGS = [0, 45, 90, 135, 180, 225, 270, 315]


def _places_for(search: Search) -> list[Location]:
    places = [
        Location(name=f"{search.name}:ring", latitude=latitude, longitude=longitude, timezone="UTC")
        for fraction in RING_FRACTIONS
        for latitude, longitude in circle(search.latitude, search.longitude, search.miles * fraction, bearings=18)
    ]
    for bearing in BOUNDARY_BEARINGS:
        for side, miles in (("inside", search.miles - EPSILON_MILES), ("outside", search.miles + EPSILON_MILES)):
            latitude, longitude = destination(search.latitude, search.longitude, bearing, miles)
            places.append(
                Location(name=f"{search.name}:{side}", latitude=latitude, longitude=longitude, timezone="UTC")
            )
    return places


def _places_around_the_antimeridian() -> list[Location]:
    latitudes = [-19.0 + 0.5 * i for i in range(9)]
    longitudes = [177.0 + 0.5 * i for i in range(7)] + [-177.0 - 0.5 * i for i in range(7)]
    grid = [
        Location(name="grid", latitude=lat, longitude=lng, timezone="UTC") for lat in latitudes for lng in longitudes
    ]
    # The same meridian under both of its names, 6.6 miles east of BESIDE_THE_ANTIMERIDIAN's centre.
    meridian = [
        Location(name="meridian", latitude=-16.8, longitude=180.0, timezone="UTC"),
        Location(name="meridian", latitude=-16.8, longitude=-180.0, timezone="UTC"),
    ]
    poles = [Location(name="pole", latitude=90.0, longitude=lng, timezone="UTC") for lng in (-180.0, 0.0, 30.0, 180.0)]
    return grid + meridian + poles


@pytest.fixture(scope="module")
def places(django_db_setup, django_db_blocker):
    """Locations around Suva, across the antimeridian and near the North Pole, made once for the module.

    Made outside the per-test transaction, so they are deleted again at the end.
    """
    with django_db_blocker.unblock():
        made = Location.objects.bulk_create(
            [place for search in SEARCHES for place in _places_for(search)]
            + _places_around_the_antimeridian()
            + [Location(name="nowhere", latitude=None, longitude=None, timezone="UTC")]
        )
        yield made
        Location.objects.filter(pk__in=[place.pk for place in made]).delete()


def found_by_the_database(search: Search) -> dict[int, float]:
    found = (
        Location.objects.filter(within_box(search.box, "latitude", "longitude"))
        .annotate(d=distance_miles(search.latitude, search.longitude, "latitude", "longitude"))
        .filter(d__lte=search.miles)
    )
    return dict(found.values_list("pk", "d"))


def found_by_python(search: Search) -> set[int]:
    rows = Location.objects.filter(latitude__isnull=False).values_list("pk", "latitude", "longitude")
    return {
        pk
        for pk, latitude, longitude in rows
        if great_circle_miles(search.latitude, search.longitude, latitude, longitude) <= search.miles
    }


@pytest.mark.django_db
class TestSearchingTheDatabase:
    @pytest.mark.parametrize("search", SEARCHES, ids=lambda search: search.name)
    def test_the_box_and_the_distance_find_exactly_the_places_python_finds(self, places, search):
        found = found_by_the_database(search)
        assert set(found) == found_by_python(search)
        assert len(found) > 50

    @pytest.mark.parametrize("search", SEARCHES, ids=lambda search: search.name)
    def test_the_database_box_keeps_exactly_the_rows_the_python_box_does(self, places, search):
        box = search.box
        in_database = set(
            Location.objects.filter(within_box(box, "latitude", "longitude")).values_list("pk", flat=True)
        )
        assert in_database == {
            place.pk for place in places if place.latitude is not None and box.contains(place.latitude, place.longitude)
        }

    @pytest.mark.parametrize("search", SEARCHES, ids=lambda search: search.name)
    def test_a_place_just_inside_the_radius_is_found_and_one_just_outside_is_not(self, places, search):
        inside = {place.pk for place in places if place.name == f"{search.name}:inside"}
        outside = {place.pk for place in places if place.name == f"{search.name}:outside"}
        assert len(inside) == len(outside) == len(BOUNDARY_BEARINGS)
        for place in places:
            if place.pk in inside | outside:
                distance = great_circle_miles(search.latitude, search.longitude, place.latitude, place.longitude)
                assert distance == pytest.approx(search.miles, abs=2 * EPSILON_MILES)
                assert (distance < search.miles) == (place.pk in inside)
        found = set(found_by_the_database(search))
        assert inside <= found
        assert not outside & found

    def test_a_search_from_suva_across_the_antimeridian_finds_both_sides(self, places):
        found = found_by_the_database(FROM_SUVA)
        longitudes = dict(Location.objects.filter(pk__in=found).values_list("pk", "longitude"))
        assert any(longitude > 178 for longitude in longitudes.values())
        assert any(longitude < 0 for longitude in longitudes.values())

    def test_a_search_beside_the_antimeridian_finds_the_meridian_under_both_its_names(self, places):
        found = found_by_the_database(BESIDE_THE_ANTIMERIDIAN)
        meridian = Location.objects.filter(name="meridian", pk__in=found)
        assert sorted(meridian.values_list("longitude", flat=True)) == [-180.0, 180.0]
        assert Location.objects.filter(pk__in=found, longitude__gt=179).exists()

    def test_a_search_beside_the_north_pole_finds_places_on_every_side_of_it(self, places):
        found = found_by_the_database(BESIDE_THE_NORTH_POLE)
        assert Location.objects.filter(pk__in=found, name="pole").count() == 4
        ring = Location.objects.filter(pk__in=found, name=f"{BESIDE_THE_NORTH_POLE.name}:ring")
        offsets = [
            longitude_offset(lng, BESIDE_THE_NORTH_POLE.longitude) for lng in ring.values_list("longitude", flat=True)
        ]
        # Places beyond the pole: straight across it, and more than a quarter turn round either way.
        assert any(abs(offset) == 180 for offset in offsets)
        assert min(offsets) < -90
        assert max(offsets) > 90

    def test_the_database_and_python_agree_on_every_distance(self, places):
        for search in SEARCHES:
            rows = (
                Location.objects.filter(latitude__isnull=False)
                .annotate(d=distance_miles(search.latitude, search.longitude, "latitude", "longitude"))
                .values_list("latitude", "longitude", "d")
            )
            for latitude, longitude, d in rows:
                expected = great_circle_miles(search.latitude, search.longitude, latitude, longitude)
                assert d == pytest.approx(expected, abs=1e-6), (search.name, latitude, longitude)

    def test_antipodes_are_half_the_circumference_apart_in_the_database_too(self, places):
        antipode = Location.objects.create(latitude=-SUVA[0], longitude=SUVA[1] - 180, timezone="UTC")
        d = (
            Location.objects.filter(pk=antipode.pk)
            .annotate(d=distance_miles(*SUVA, "latitude", "longitude"))
            .values_list("d", flat=True)
            .get()
        )
        assert d == pytest.approx(great_circle_miles(*SUVA, antipode.latitude, antipode.longitude), abs=1e-6)
        assert d == pytest.approx(math.pi * EARTH_RADIUS_MILES, abs=1e-3)

    def test_places_come_nearest_first(self, places):
        search = FROM_SUVA
        ordered = list(
            Location.objects.filter(within_box(search.box, "latitude", "longitude"))
            .annotate(d=distance_miles(search.latitude, search.longitude, "latitude", "longitude"))
            .filter(d__lte=search.miles)
            .order_by("d")
            .values_list("d", flat=True)
        )
        assert ordered == sorted(ordered)
        assert ordered[0] == pytest.approx(0.0, abs=1e-9)

    def test_a_place_without_coordinates_has_no_distance_and_is_in_no_box(self, places):
        nowhere = Location.objects.filter(name="nowhere")
        assert list(nowhere.annotate(d=distance_miles(*SUVA, "latitude", "longitude")).values_list("d", flat=True)) == [
            None
        ]
        whole_earth = bounding_box(0.0, 0.0, math.pi * EARTH_RADIUS_MILES)
        assert not nowhere.filter(within_box(whole_earth, "latitude", "longitude")).exists()


@pytest.mark.django_db
def test_a_meeting_search_reaches_through_its_location():
    near = make_meeting(location=make_location(latitude=39.95, longitude=-75.17))
    far = make_meeting(location=make_location(latitude=NEW_YORK[0], longitude=NEW_YORK[1]))
    online = make_meeting(attendance_mode=Meeting.Attendance.ONLINE)
    box = bounding_box(*PHILADELPHIA, 25.0)
    distance = distance_miles(*PHILADELPHIA, "location__latitude", "location__longitude")

    found = Meeting.objects.filter(within_box(box, "location__latitude", "location__longitude")).annotate(
        distance=distance
    )
    assert list(found.filter(distance__lte=25.0)) == [near]

    everyone = dict(Meeting.objects.annotate(distance=distance).order_by("distance").values_list("pk", "distance"))
    assert everyone[online.pk] is None
    assert everyone[far.pk] == pytest.approx(great_circle_miles(*PHILADELPHIA, *NEW_YORK), abs=1e-6)
