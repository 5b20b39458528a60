"""A labelled set of sample meetings so every screen has something to show.

Nothing here is a real meeting: each one is flagged ``is_demo``, its name starts with
"Demo", its venue is "Sample venue" with no street address, and its join links point at
example.org (reserved for examples). The cities and their zones are real, so that search by
place and time zone can be tried; the set is the same every time it is made.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from groups.models import Organization
from meetings.models import Location, Meeting, MeetingType


@dataclass(frozen=True)
class City:
    name: str
    state: str
    country: str
    postal_code: str
    latitude: float
    longitude: float
    timezone: str
    spanish_share: float = 0.0


CITIES = [
    City("Philadelphia", "PA", "US", "19103", 39.9527, -75.1736, "America/New_York", 0.1),
    City("New York", "NY", "US", "10001", 40.7506, -73.9971, "America/New_York", 0.25),
    City("Springfield", "IL", "US", "62701", 39.8000, -89.6495, "America/Chicago"),
    City("Springfield", "MA", "US", "01103", 42.1029, -72.5887, "America/New_York", 0.1),
    City("Chicago", "IL", "US", "60601", 41.8864, -87.6186, "America/Chicago", 0.15),
    City("Denver", "CO", "US", "80202", 39.7525, -104.9995, "America/Denver", 0.1),
    City("Phoenix", "AZ", "US", "85004", 33.4513, -112.0686, "America/Phoenix", 0.25),
    City("Los Angeles", "CA", "US", "90012", 34.0614, -118.2385, "America/Los_Angeles", 0.35),
    City("Anchorage", "AK", "US", "99501", 61.2167, -149.8761, "America/Anchorage"),
    City("Honolulu", "HI", "US", "96813", 21.3099, -157.8581, "Pacific/Honolulu"),
    City("Toronto", "ON", "CA", "", 43.6532, -79.3832, "America/Toronto"),
    City("Mexico City", "CDMX", "MX", "", 19.4326, -99.1332, "America/Mexico_City", 1.0),
    City("London", "", "GB", "", 51.5074, -0.1278, "Europe/London"),
    City("Madrid", "", "ES", "", 40.4168, -3.7038, "Europe/Madrid", 1.0),
    City("Auckland", "", "NZ", "", -36.8485, 174.7633, "Pacific/Auckland"),
    City("Suva", "", "FJ", "", -18.1416, 178.4419, "Pacific/Fiji"),
]

# Organization slug, relative weight, meeting names (English, Spanish); the organizations
# must exist (load_organizations first), missing ones are skipped.
FELLOWSHIPS: list[tuple[str, int, list[str], list[str]]] = [
    (
        "alcoholics-anonymous",
        10,
        [
            "Early Birds",
            "Nooners",
            "Big Book Study",
            "Daily Reflections",
            "Step Study",
            "Back to Basics",
            "Speaker Meeting",
        ],
        ["Grupo Esperanza", "Grupo Nueva Vida"],
    ),
    (
        "narcotics-anonymous",
        5,
        ["Just for Today", "Clean and Serene", "Basic Text Study", "Living Clean"],
        ["Grupo Sólo por Hoy"],
    ),
    ("al-anon", 3, ["Hope for Today", "Courage to Change", "One Day at a Time"], ["Grupo Valor para Cambiar"]),
    ("smart-recovery", 3, ["SMART Tools", "4-Point Program Meeting"], ["SMART en Español"]),
    ("lifering-secular-recovery", 2, ["Secular Sobriety", "Sober Support"], []),
    ("women-for-sobriety", 2, ["New Life Women", "Women's Circle"], []),
    ("celebrate-recovery", 2, ["Large Group", "Step Study Group"], ["Celebremos la Recuperación"]),
    ("cocaine-anonymous", 1, ["Hope and Freedom"], []),
    ("gamblers-anonymous", 1, ["Turning Point"], []),
    ("nar-anon", 1, ["Family Hope"], []),
    ("secular-organizations-for-sobriety-save-our-selves", 1, ["Save Our Selves"], []),
]

TWELVE_STEP_FORMATS = ["D", "SP", "ST", "B", "LIT", "MED", "12x12", "DR"]
SECULAR_FORMATS = ["D", "MED"]
COMMUNITIES = ["W", "M", "Y", "LGBTQ", "BE", "SEN"]


@transaction.atomic
def create_demo_meetings(per_city: int = 18, online: int = 40, seed: int = 12) -> int:
    """Replace the demo set; returns how many meetings it made."""
    rng = random.Random(seed)
    Meeting.objects.filter(is_demo=True).delete()
    Location.objects.filter(is_demo=True, meetings__isnull=True).delete()

    organizations = Organization.objects.in_bulk([slug for slug, *_ in FELLOWSHIPS], field_name="slug")
    fellowships = [row for row in FELLOWSHIPS if row[0] in organizations]
    if not fellowships:
        raise ValueError("No organizations to attach demo meetings to: load the organizations first.")
    types = MeetingType.objects.in_bulk(field_name="code")
    today = dt.date.today()
    made = 0

    def make(city: City, location: Location | None, mode: str, number: int) -> None:
        nonlocal made
        slug, _weight, names, spanish_names = rng.choices(fellowships, weights=[f[1] for f in fellowships])[0]
        organization = organizations[slug]
        spanish = bool(spanish_names) and rng.random() < city.spanish_share
        title = rng.choice(spanish_names if spanish else names)
        start = _start_time(rng)
        meeting = Meeting(
            organization=organization,
            name=f"Demo · {title}",
            slug=slugify(f"demo-{organization.short_name or organization.slug}-{city.name}-{city.country}-{number}"),
            group_name=f"Demo {title}"
            if title.endswith(("Group", "Grupo")) or title.startswith("Grupo")
            else f"Demo {title} Group",
            day=rng.randrange(7),
            start_time=start,
            end_time=_end_time(start, rng.choice([60, 60, 60, 90, 90, 120])),
            timezone=city.timezone,
            location=location,
            attendance_mode=mode,
            notes="Sample data for trying Mutual Help Finder. This is not a real meeting.",
            is_demo=True,
            last_verified=today - dt.timedelta(days=rng.randrange(700)) if rng.random() < 0.8 else None,
        )
        if mode != Meeting.Attendance.IN_PERSON:
            meeting.conference_url = f"https://example.org/demo-join/{meeting.slug}"
            meeting.conference_url_notes = "Demo link: there is no meeting behind it."
            meeting.conference_phone = "+1 555 0100"
        meeting.save()
        codes = _type_codes(rng, organization, spanish, in_person=mode != Meeting.Attendance.ONLINE)
        meeting.types.set([types[code] for code in codes if code in types])
        made += 1

    number = 0
    for city in CITIES:
        venues = [_venue(city, n, rng) for n in range(1, 5)]
        for _ in range(per_city):
            number += 1
            mode = rng.choices([Meeting.Attendance.IN_PERSON, Meeting.Attendance.HYBRID], weights=[5, 1])[0]
            make(city, rng.choice(venues), mode, number)
    for _ in range(online):
        number += 1
        make(rng.choice(CITIES), None, Meeting.Attendance.ONLINE, number)
    Location.objects.filter(is_demo=True, meetings__isnull=True).delete()
    return made


def _venue(city: City, number: int, rng: random.Random) -> Location:
    # Scatter venues up to ~12 km from the centre so radius searches have something to sort.
    distance_km, bearing = rng.uniform(0.3, 12), rng.uniform(0, 2 * math.pi)
    latitude = city.latitude + distance_km / 111.2 * math.cos(bearing)
    longitude = city.longitude + distance_km / (111.2 * math.cos(math.radians(city.latitude))) * math.sin(bearing)
    place = ", ".join(part for part in (city.name, city.state, city.country) if part)
    return Location.objects.create(
        name=f"Sample venue {number} (demo)",
        city=city.name,
        state=city.state,
        postal_code=city.postal_code,
        country=city.country,
        formatted_address=f"{place} — sample location, not a real address",
        latitude=round(latitude, 5),
        longitude=round(((longitude + 180) % 360) - 180, 5),
        timezone=city.timezone,
        approximate=True,
        notes="Demo data: there is no venue at this position.",
        is_demo=True,
    )


def _start_time(rng: random.Random) -> dt.time:
    if rng.random() < 0.05:  # a few late meetings that run past midnight
        return dt.time(23, rng.choice([0, 30]))
    return dt.time(rng.randrange(6, 22), rng.choice([0, 0, 30, 15]))


def _end_time(start: dt.time, minutes: int) -> dt.time:
    return (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=minutes)).time()


def _type_codes(rng: random.Random, organization: Organization, spanish: bool, *, in_person: bool) -> list[str]:
    twelve_step = organization.approach == Organization.Approach.TWELVE_STEP
    codes = [rng.choice(["O", "C"])] if twelve_step else []
    codes.append(rng.choice(TWELVE_STEP_FORMATS if twelve_step else SECULAR_FORMATS))
    if organization.slug == "women-for-sobriety":
        codes.append("W")
    elif rng.random() < 0.25:
        codes.append(rng.choice(COMMUNITIES))
    codes.append("S" if spanish else "EN")
    # Drawn for online meetings too, so the rest of the demo data stays as it was.
    if rng.random() < 0.4 and in_person:
        codes.append("X")  # wheelchair access: a venue's
    return codes
