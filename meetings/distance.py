"""The project's one great-circle distance: in Python, in the database, and the box that narrows a search.

Every distance the finder filters on or shows comes from the same haversine formula on a sphere of the
mean Earth radius (IUGG R1), so a meeting listed as "4.9 mi" is never dropped by a 5-mile search:

- ``great_circle_miles`` computes it in Python (for a single pair, or to check the database);
- ``distance_miles`` builds the same computation as an ORM expression, from functions Django provides on
  both SQLite and PostgreSQL, for ``annotate()``, ``filter()`` and ``order_by()``;
- ``bounding_box`` and ``within_box`` give a latitude/longitude rectangle that holds every point within
  the radius, so the (latitude, longitude) index discards most rows before the formula runs.

A search is ``within_box`` (cheap, indexed, conservative) and then ``distance__lte`` (exact). Nothing here
knows about HTTP or views.
"""

import math
from dataclasses import dataclass

from django.db.models import Expression, F, FloatField, Func, Q
from django.utils.functional import cached_property

# Mean Earth radius (IUGG R1). The sphere is what makes one formula work everywhere; against the WGS 84
# ellipsoid it errs by at most about 0.5 %, far less than the difference between a venue and its geocode.
EARTH_RADIUS_MILES = 3958.7613
EARTH_RADIUS_KM = 6371.0088
# The international mile is exactly 1.609344 km.
KM_PER_MILE = 1.609344
MILES_PER_KM = 1 / KM_PER_MILE

UNITS = ("mi", "km")

# The box is computed for a radius a hair larger than asked: a relative 1e-9 (0.2 mm at 100 miles) plus
# 1e-12 radians (6 micrometres). Rounding in the formula, the box and the database is around 1e-15
# relative, so a point the distance filter keeps can never fall just outside the box, including where
# the longitude half-width is ill-conditioned (a circle that almost reaches a pole).
_BOX_RELATIVE_MARGIN = 1e-9
_BOX_ABSOLUTE_MARGIN_RADIANS = 1e-12


def great_circle_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Distance in miles between two points given in degrees, by the haversine formula.

    The longitude difference needs no wrapping: sin²(Δλ/2) is the same for Δλ and Δλ ± 360°, so
    179.9 and -179.9 are 0.2° apart.
    """
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    # The operations are in the same order as in ``distance_miles`` so both round alike.
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin((math.radians(lng2) - math.radians(lng1)) / 2) ** 2
    )
    # Near antipodes rounding puts ``a`` a hair above 1 (seen: 1 + 2.2e-16); asin of anything above 1 is undefined.
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class BoundingBox:
    """A latitude band and one or two longitude ranges, all in degrees and inclusive.

    ``longitude_ranges`` holds one range normally, two (one ending at 180, one starting at -180) when the
    box crosses the antimeridian, and ``(-180, 180)`` when the circle reaches a pole, where every
    longitude is near.
    """

    min_latitude: float
    max_latitude: float
    longitude_ranges: tuple[tuple[float, float], ...]

    @property
    def crosses_antimeridian(self) -> bool:
        return len(self.longitude_ranges) > 1

    @property
    def all_longitudes(self) -> bool:
        return self.longitude_ranges == ((-180.0, 180.0),)

    def contains(self, latitude: float, longitude: float) -> bool:
        """Whether a point lies in the box (the same test ``within_box`` makes in the database)."""
        return self.min_latitude <= latitude <= self.max_latitude and any(
            low <= longitude <= high for low, high in self.longitude_ranges
        )


def bounding_box(latitude: float, longitude: float, miles: float) -> BoundingBox:
    """A box holding every point within ``miles`` of (``latitude``, ``longitude``).

    Conservative: it may hold points farther away (its corners, for a start), never misses a nearer one.
    Filter with ``distance_miles`` afterwards for the exact answer.
    """
    if not -90 <= latitude <= 90:
        raise ValueError(f"latitude must be between -90 and 90, not {latitude!r}")
    if not miles >= 0:  # also refuses NaN
        raise ValueError(f"miles must be zero or more, not {miles!r}")
    if not math.isfinite(longitude):
        raise ValueError(f"longitude must be a number of degrees, not {longitude!r}")
    longitude = math.remainder(longitude, 360.0)  # into [-180, 180]: 190 is -170

    angle = miles / EARTH_RADIUS_MILES * (1 + _BOX_RELATIVE_MARGIN) + _BOX_ABSOLUTE_MARGIN_RADIANS
    spread = math.degrees(angle)
    min_latitude = latitude - spread
    max_latitude = latitude + spread
    if min_latitude <= -90 or max_latitude >= 90:
        # The circle holds a pole, and a pole is next to every longitude.
        return BoundingBox(max(min_latitude, -90.0), min(max_latitude, 90.0), ((-180.0, 180.0),))

    # The widest point of a circle is not due east of its centre but where a meridian touches it, nearer
    # the pole, so the half-width is asin(sin d / cos φ), not d / cos φ (which is too narrow at high
    # latitudes or large radii). The circle reaches no pole here, so the ratio is below 1; the check only
    # guards against rounding.
    ratio = math.sin(angle) / math.cos(math.radians(latitude))
    if ratio >= 1:
        return BoundingBox(min_latitude, max_latitude, ((-180.0, 180.0),))
    half_width = math.degrees(math.asin(ratio))

    west = longitude - half_width
    east = longitude + half_width
    # Longitude -180 and 180 are the same meridian, and rows may store either, so a box that reaches it
    # keeps both ends (hence <= and >=, not < and >).
    if west <= -180:
        ranges = ((-180.0, east), (west + 360, 180.0))
    elif east >= 180:
        ranges = ((-180.0, east - 360), (west, 180.0))
    else:
        ranges = ((west, east),)
    return BoundingBox(min_latitude, max_latitude, ranges)


def within_box(box: BoundingBox, latitude_field: str, longitude_field: str) -> Q:
    """A filter keeping rows whose coordinates lie in ``box``, e.g. ``within_box(box, "location__latitude",
    "location__longitude")``.

    The latitude range comes first and is always present: it is what the (latitude, longitude) index
    searches by, and it also drops rows without coordinates.
    """
    condition = Q(**{f"{latitude_field}__range": (box.min_latitude, box.max_latitude)})
    if box.all_longitudes:
        return condition
    longitudes = Q()
    for low, high in box.longitude_ranges:
        longitudes |= Q(**{f"{longitude_field}__range": (low, high)})
    return condition & longitudes


def distance_miles(latitude: float, longitude: float, latitude_field: str, longitude_field: str) -> Expression:
    """The ``great_circle_miles`` from a point to each row's coordinates, computed by the database.

    Usable in ``annotate(distance=...)``, then ``filter(distance__lte=...)`` and ``order_by("distance")``.
    Rows without coordinates get NULL on both SQLite and PostgreSQL.
    """
    return GreatCircleMiles(F(latitude_field), F(longitude_field), centre=(latitude, longitude))


class GreatCircleMiles(Func):
    """The haversine formula as one expression node.

    Built from Django's Sin, Cos, Power… it was some twenty nodes that every search resolved and
    compiled twice (annotation and filter): ~5 ms of Python per search (benchmarks/README.md). Here
    the ORM resolves only the two columns (so joins and aliases stay its business) and the rest is
    SQL text with the centre's terms as float literals, which PostgreSQL and SQLite (whose math
    functions Django provides) read back to the same doubles.
    """

    output_field = FloatField()

    def __init__(self, latitude: Expression, longitude: Expression, *, centre: tuple[float, float]) -> None:
        super().__init__(latitude, longitude)
        self.centre = centre

    @cached_property
    def identity(self) -> tuple:
        # What Django's identity says (class and constructor arguments) without its inspect.signature()
        # binding: ordering by the distance hashes it, ~0.1 ms per search.
        (latitude, longitude), kwargs = self._constructor_args  # as distance_miles() builds it
        return type(self), latitude, longitude, tuple(kwargs["centre"])

    def as_sql(self, compiler, connection, **extra_context):
        (lat, lat_params), (lng, lng_params) = (compiler.compile(arg) for arg in self.get_source_expressions())
        phi1, lambda1 = math.radians(self.centre[0]), math.radians(self.centre[1])
        # The centre's terms come from the same Python functions as in great_circle_miles, and the rest
        # follows that function's order of operations, so both round alike.
        a = (
            f"(POWER(SIN(((RADIANS({lat}) - {phi1!r}) / 2.0)), 2) + "
            f"(({math.cos(phi1)!r} * COS(RADIANS({lat}))) * POWER(SIN(((RADIANS({lng}) - {lambda1!r}) / 2.0)), 2)))"
        )
        a_params = [*lat_params, *lat_params, *lng_params]
        # Clamp to 1 as great_circle_miles does: PostgreSQL raises an error for asin of more than 1. Not with
        # LEAST(root, 1): PostgreSQL's LEAST skips NULLs, which would put rows without coordinates half the
        # planet's circumference away instead of leaving their distance NULL.
        sql = f"({2 * EARTH_RADIUS_MILES!r} * ASIN(CASE WHEN SQRT({a}) > 1.0 THEN 1.0 ELSE SQRT({a}) END))"
        return sql, [*a_params, *a_params]


def to_miles(value: float, units: str) -> float:
    """A distance in ``units`` ("mi" or "km") converted to miles."""
    if units == "mi":
        return value
    if units == "km":
        return value * MILES_PER_KM
    raise ValueError(f"units must be one of {UNITS}, not {units!r}")


def from_miles(miles: float, units: str) -> float:
    """A distance in miles converted to ``units`` ("mi" or "km")."""
    if units == "mi":
        return miles
    if units == "km":
        return miles * KM_PER_MILE
    raise ValueError(f"units must be one of {UNITS}, not {units!r}")
