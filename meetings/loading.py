"""Load the meeting types, their facets and each fellowship's own codes from ``fixtures/meeting_types.json``."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from groups.models import Organization
from meetings.models import (
    OWN_TYPE_NAMES_CACHE_KEY,
    TYPE_IDS_CACHE_KEY,
    MeetingType,
    OrganizationTypeCode,
    TypeFacet,
)

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "meeting_types.json"


@dataclass
class TypesReport:
    facets: int = 0
    types: int = 0
    organization_codes: int = 0
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.types} meeting types in {self.facets} facets, {self.organization_codes} fellowship codes"


def load_meeting_types_file(path: Path = DEFAULT_PATH) -> TypesReport:
    with open(path, encoding="utf-8") as handle:
        return load_meeting_types(json.load(handle))


@transaction.atomic
def load_meeting_types(data: dict) -> TypesReport:
    report = TypesReport()
    facets = {}
    for row in data["facets"]:
        facets[row["key"]], _ = TypeFacet.objects.update_or_create(
            key=row["key"],
            defaults={"name_en": row["name_en"], "name_es": row.get("name_es", ""), "order": row.get("order", 0)},
        )
    report.facets = len(facets)

    types = {}
    for row in data["types"]:
        if row["facet"] not in facets:
            raise ValueError(f"type {row['code']}: unknown facet {row['facet']!r}")
        types[row["code"]], _ = MeetingType.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_en": row["name_en"],
                "name_es": row.get("name_es", ""),
                "facet": facets[row["facet"]],
                "description": row.get("description_en", ""),
                "order": row.get("order", 0),
            },
        )
    report.types = len(types)
    # Searches check codes against the first; lists of meetings name types by the second.
    transaction.on_commit(lambda: cache.delete_many([TYPE_IDS_CACHE_KEY, OWN_TYPE_NAMES_CACHE_KEY]))

    organizations = Organization.objects.in_bulk(list(data.get("organization_codes", {})), field_name="slug")
    for slug, codes in data.get("organization_codes", {}).items():
        organization = organizations.get(slug)
        if organization is None:
            report.warnings.append(f"codes for {slug!r} skipped: no such organization")
            continue
        for row in codes:
            mapped = row.get("maps_to")
            if mapped and mapped not in types:
                raise ValueError(f"{slug} code {row['code']}: maps to unknown type {mapped!r}")
            OrganizationTypeCode.objects.update_or_create(
                organization=organization,
                code=row["code"],
                defaults={
                    "name_en": row["name_en"],
                    "name_es": row.get("name_es", ""),
                    "meeting_type": types.get(mapped) if mapped else None,
                },
            )
            report.organization_codes += 1
    return report
