"""Organizations (fellowships) and what the source documents say about them.

Every fact on a fact sheet is traceable: figures and findings point at the ``Source`` they
come from, and the text fields of an organization are cited field by field through
``Citation``. Sources disagree (one fact sheet says SMART Recovery has about 300 weekly
meetings, a later report says over 1,500), so a figure is a row, never a column.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Source(models.Model):
    """A document facts are taken from, named by its file name in the seed collection."""

    key = models.CharField(max_length=100, unique=True, help_text="File name of the source document.")
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title or self.key


class Concern(models.Model):
    """What an organization addresses: alcohol, any drug, a specific drug, gambling..."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="A specific drug belongs under 'drugs'.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the visitor's language: our own fixed list (groups.loading.CONCERNS), translated."""
        return gettext(self.name)


@dataclass(frozen=True)
class Fact:
    label: str
    value: str  # "" when the sources are silent
    sources: tuple["Source", ...]
    field: str = ""
    quoted: bool = False  # the sources' own English words, shown as written in every language


# The fact sheet's rows, in the order a clinician reads them: (label, field).
FACT_ROWS = [
    (_("Philosophy"), "philosophy"),
    (_("Program"), "program"),
    (_("How meetings run"), "meeting_format"),
    (_("Spiritual stance"), "spiritual_stance"),
    (_("Sponsorship"), "sponsorship"),
    (_("Lifetime membership expected"), "lifetime_membership"),
    (_("Medication-assisted treatment"), "mat_stance"),
    (_("Governance"), "governance"),
    (_("Founded"), "founded_year"),
    (_("Online meetings"), "online_meetings"),
    (_("Website"), "website"),
]


class Kind(models.TextChoices):
    """The four kinds people look for; an organization can be more than one (Al-Anon: 12-step and family)."""

    TWELVE_STEP = "twelve-step", _("12-step")
    SECULAR = "secular", _("Secular")
    RELIGIOUS = "religious", _("Religious")
    FAMILY = "family", _("Family and friends")


class OrganizationQuerySet(models.QuerySet):
    def of_kind(self, kind: str) -> "OrganizationQuerySet":
        conditions = {
            Kind.TWELVE_STEP: Q(approach=Organization.Approach.TWELVE_STEP),
            Kind.SECULAR: Q(approach=Organization.Approach.SECULAR),
            Kind.RELIGIOUS: Q(approach=Organization.Approach.FAITH_BASED) | ~Q(faith_tradition=""),
            Kind.FAMILY: Q(audience__in=[Organization.Audience.FAMILY, Organization.Audience.BOTH]),
        }
        return self.filter(conditions[Kind(kind)])

    def addressing(self, *concern_slugs: str) -> "OrganizationQuerySet":
        """Organizations addressing any of the concerns or one of their children (drugs includes cocaine)."""
        matching = Organization.objects.filter(
            Q(concerns__slug__in=concern_slugs) | Q(concerns__parent__slug__in=concern_slugs)
        )
        return self.filter(pk__in=matching.values("pk"))

    def with_facts(self) -> "OrganizationQuerySet":
        return self.prefetch_related(
            "concerns",
            models.Prefetch("figures", queryset=Figure.objects.select_related("source")),
            models.Prefetch("findings", queryset=Finding.objects.select_related("source")),
            models.Prefetch("citations", queryset=Citation.objects.select_related("source")),
        )


class Organization(models.Model):
    # The fact sheet's long texts: lists of meetings leave them out (MeetingQuerySet.for_listing).
    LONG_TEXTS = ("philosophy", "program", "meeting_format", "spiritual_stance", "sponsorship", "mat_stance")

    class Approach(models.TextChoices):
        TWELVE_STEP = "twelve_step", _("12-step")
        SECULAR = "secular", _("Secular")
        FAITH_BASED = "faith_based", _("Faith-based")

    class Audience(models.TextChoices):
        PEOPLE = "people", _("People with the problem")
        FAMILY = "family", _("Family and friends")
        BOTH = "both", pgettext_lazy("audience", "Both")

    class Governance(models.TextChoices):
        HORIZONTAL = "horizontal", _("Horizontal (groups govern themselves)")
        VERTICAL = "vertical", _("Vertical (central organization)")

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=30, blank=True, help_text="AA, NA, SMART…")
    slug = models.SlugField(max_length=100, unique=True)
    approach = models.CharField(max_length=20, choices=Approach.choices, blank=True)
    faith_tradition = models.CharField(
        max_length=100, blank=True, help_text="Christian, Jewish, Islamic… when a source names one."
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PEOPLE)
    concerns = models.ManyToManyField(Concern, blank=True, related_name="organizations")

    # The fact sheet. Empty means the sources are silent: nothing here is guessed.
    philosophy = models.TextField(blank=True)
    program = models.TextField(blank=True, help_text="The 12 Steps, the 4-Point Program, the 13 Statements…")
    meeting_format = models.TextField(blank=True)
    spiritual_stance = models.TextField(blank=True)
    sponsorship = models.TextField(blank=True)
    lifetime_membership = models.BooleanField(null=True, blank=True, help_text="Is lifetime membership expected?")
    mat_stance = models.TextField("stance on medication-assisted treatment", blank=True)
    governance = models.CharField(max_length=20, choices=Governance.choices, blank=True)
    founded_year = models.PositiveSmallIntegerField(null=True, blank=True)
    founded_place = models.CharField(max_length=200, blank=True)
    online_meetings = models.BooleanField(null=True, blank=True, help_text="Offers online meetings.")
    website = models.URLField(blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:organization-detail", args=[self.slug])

    @property
    def kinds(self) -> list[Kind]:
        kinds = []
        if self.approach == self.Approach.TWELVE_STEP:
            kinds.append(Kind.TWELVE_STEP)
        if self.approach == self.Approach.SECULAR:
            kinds.append(Kind.SECULAR)
        if self.approach == self.Approach.FAITH_BASED or self.faith_tradition:
            kinds.append(Kind.RELIGIOUS)
        if self.audience in (self.Audience.FAMILY, self.Audience.BOTH):
            kinds.append(Kind.FAMILY)
        return kinds

    @property
    def philosophy_summary(self) -> str:
        """The philosophy's first sentence, for lists and handouts."""
        text = " ".join(self.philosophy.split())
        end = text.find(". ")
        return text if end == -1 else text[: end + 1]

    def facts(self) -> list[Fact]:
        """Every fact-sheet row with its value in words and its sources (uses prefetched citations).

        Labels and our own words are in the active language; the sources' text stays as written.
        """
        words = {
            "lifetime_membership": {True: gettext("Yes"), False: gettext("No")}.get(self.lifetime_membership, ""),
            "online_meetings": {True: gettext("Offered"), False: gettext("Not offered")}.get(self.online_meetings, ""),
            "governance": str(self.get_governance_display()) if self.governance else "",
            "founded_year": self._founded(),
        }
        rows = []
        for label, field in FACT_ROWS:
            value = words[field] if field in words else getattr(self, field)
            cited = self.sources_for(field) + (self.sources_for("founded_place") if field == "founded_year" else [])
            quoted = field not in words and field != "website"
            rows.append(Fact(str(label), value or "", tuple(dict.fromkeys(cited)) if value else (), field, quoted))
        return rows

    def _founded(self) -> str:
        if self.founded_year and self.founded_place:
            return gettext("%(year)s in %(place)s") % {"year": self.founded_year, "place": self.founded_place}
        return str(self.founded_year or self.founded_place or "")

    def sources_for(self, field: str) -> list[Source]:
        """The documents that state this fact-sheet field (uses prefetched citations)."""
        return [c.source for c in self.citations.all() if c.field == field]


class Citation(models.Model):
    """A fact-sheet field of an organization and a document that states it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="citations")
    field = models.CharField(max_length=50)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")

    class Meta:
        ordering = ["organization", "field", "source"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "field", "source"], name="unique_citation"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.field} · {self.source.key}"


class Figure(models.Model):
    """One size figure as one source states it."""

    class Kind(models.TextChoices):
        GROUPS = "groups", _("Groups")
        MEMBERS = "members", _("Members")
        WEEKLY_MEETINGS = "weekly_meetings", _("Weekly meetings")
        MEETINGS = "meetings", _("Meetings")
        COUNTRIES = "countries", _("Countries")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="figures")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.PositiveBigIntegerField()
    qualifier = models.CharField(max_length=20, blank=True, help_text="approximately, over, nearly…")
    as_of_year = models.PositiveSmallIntegerField(null=True, blank=True)
    scope = models.CharField(max_length=100, blank=True, help_text="Where it counts: worldwide, U.S. and Canada…")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="figures")
    quote = models.TextField(help_text="The source's own words, so the figure can be checked.")

    class Meta:
        ordering = ["organization", "kind", "as_of_year"]

    def __str__(self) -> str:
        return f"{self.organization}: {self.display_value} {self.get_kind_display().lower()}"

    @property
    def display_value(self) -> str:
        return f"{self.qualifier} {self.value:,}".strip()

    @property
    def kind_label(self) -> str:
        label = self.get_kind_display()
        return f"{label} ({self.scope})" if self.scope else label


class Finding(models.Model):
    """A research finding as a source reports it; without an organization it is about mutual help in general."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    summary = models.TextField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="findings")
    quote = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organization", "order", "pk"]

    def __str__(self) -> str:
        return self.summary[:80]
