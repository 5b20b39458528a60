"""Load the organization directory from ``fixtures/organizations.json``.

The file is written from the source documents; loading it again updates what changed and
replaces each organization's figures, findings and citations, so it is safe to repeat.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_noop

from groups.models import Citation, Concern, Figure, Finding, Organization, Source

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "organizations.json"

# (slug, name, parent slug): what an organization can address. Names are stored in English and
# shown translated (Concern.label); gettext_noop marks them for makemessages.
CONCERNS: list[tuple[str, str, str | None]] = [
    ("alcohol", gettext_noop("Alcohol"), None),
    ("drugs", gettext_noop("Any drug"), None),
    ("cocaine", gettext_noop("Cocaine"), "drugs"),
    ("crystal-meth", gettext_noop("Crystal meth"), "drugs"),
    ("heroin", gettext_noop("Heroin"), "drugs"),
    ("marijuana", gettext_noop("Marijuana"), "drugs"),
    ("pills", gettext_noop("Pills"), "drugs"),
    ("methadone", gettext_noop("Methadone"), "drugs"),
    ("nicotine", gettext_noop("Nicotine"), None),
    ("gambling", gettext_noop("Gambling"), None),
    ("co-occurring", gettext_noop("Co-occurring mental illness"), None),
    ("family-of-addicted", gettext_noop("A loved one's addiction"), None),
    ("addiction", gettext_noop("Any addictive behavior"), None),
]

FACT_FIELDS = [
    "philosophy",
    "program",
    "meeting_format",
    "spiritual_stance",
    "sponsorship",
    "lifetime_membership",
    "mat_stance",
    "governance",
    "founded_year",
    "founded_place",
    "online_meetings",
    "website",
]


class DirectoryError(ValueError):
    """The directory file is malformed; the message names the organization and field."""


@dataclass
class LoadReport:
    sources: int = 0
    organizations: int = 0
    figures: int = 0
    findings: int = 0
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.organizations} organizations, {self.figures} figures, {self.findings} findings "
            f"from {self.sources} sources"
        )


def load_organizations_file(path: Path = DEFAULT_PATH) -> LoadReport:
    with open(path, encoding="utf-8") as handle:
        return load_organizations(json.load(handle))


@transaction.atomic
def load_organizations(data: dict) -> LoadReport:
    report = LoadReport()
    concerns = _load_concerns()
    sources = {}
    for row in data.get("sources", []):
        source, _ = Source.objects.update_or_create(
            key=row["key"],
            defaults={
                "title": row.get("title") or row["key"],
                "publisher": row.get("publisher") or "",
                "year": row.get("year"),
                "url": row.get("url") or "",
            },
        )
        sources[source.key] = source
    report.sources = len(sources)

    def source_for(key: str, where: str) -> Source:
        try:
            return sources[key]
        except KeyError:
            raise DirectoryError(f"{where}: unknown source {key!r}") from None

    for row in data.get("organizations", []):
        where = row.get("slug") or row.get("name") or "an organization"
        organization = _upsert_organization(row, where)
        unknown = set(row.get("addresses", [])) - concerns.keys()
        if unknown:
            raise DirectoryError(f"{where}: unknown concern(s) {', '.join(sorted(unknown))}")
        organization.concerns.set([concerns[slug] for slug in row.get("addresses", [])])

        organization.citations.all().delete()
        Citation.objects.bulk_create(
            Citation(organization=organization, field=fact, source=source_for(key, f"{where}.{fact}"))
            for fact, keys in row.get("fact_sources", {}).items()
            for key in dict.fromkeys(keys)
        )
        organization.figures.all().delete()
        figures = Figure.objects.bulk_create(
            Figure(
                organization=organization,
                kind=figure["kind"],
                value=figure["value"],
                qualifier=figure.get("qualifier") or "",
                as_of_year=figure.get("as_of_year"),
                scope=figure.get("scope") or "",
                source=source_for(figure["source"], f"{where} figure"),
                quote=figure["quote"],
            )
            for figure in row.get("figures", [])
        )
        report.figures += len(figures)
        organization.findings.all().delete()
        report.findings += len(_create_findings(row.get("findings", []), organization, source_for, where))
        report.organizations += 1

    Finding.objects.filter(organization__isnull=True).delete()
    report.findings += len(_create_findings(data.get("general_findings", []), None, source_for, "general"))
    return report


def _load_concerns() -> dict[str, Concern]:
    concerns: dict[str, Concern] = {}
    for order, (slug, name, parent) in enumerate(CONCERNS):
        concerns[slug], _ = Concern.objects.update_or_create(
            slug=slug, defaults={"name": name, "order": order, "parent": concerns.get(parent) if parent else None}
        )
    return concerns


def _upsert_organization(row: dict, where: str) -> Organization:
    for required in ("slug", "name"):
        if not row.get(required):
            raise DirectoryError(f"{where}: {required} is required")
    defaults = {
        "name": row["name"],
        "short_name": row.get("short_name") or "",
        "approach": row.get("approach") or "",
        "faith_tradition": row.get("faith_tradition") or "",
        "audience": row.get("audience") or Organization.Audience.PEOPLE,
    }
    for fact in FACT_FIELDS:
        value = row.get(fact)
        nullable = Organization._meta.get_field(fact).null
        defaults[fact] = value if value is not None else (None if nullable else "")
    organization, _ = Organization.objects.update_or_create(slug=row["slug"], defaults=defaults)
    try:
        organization.full_clean()
    except ValidationError as error:
        raise DirectoryError(f"{where}: {'; '.join(error.messages)}") from None
    return organization


def _create_findings(rows: list[dict], organization: Organization | None, source_for, where: str) -> list[Finding]:
    return Finding.objects.bulk_create(
        Finding(
            organization=organization,
            summary=row["summary"],
            quote=row["quote"],
            source=source_for(row["source"], f"{where} finding"),
            order=order,
        )
        for order, row in enumerate(rows)
    )
