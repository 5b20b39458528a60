from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from groups.filters import OrganizationFilter
from groups.guides import GUIDES, get_guide
from groups.meeting_counts import with_meeting_counts
from groups.models import Concern, Kind, Organization, Source

MIN_COMPARED, MAX_COMPARED = 2, 4


FIELD_LABELS = {
    "kind": _("Kind"),
    "addresses": _("Addresses"),
    "audience": pgettext_lazy("audience", "For"),
    "online": _("Sources say it offers online meetings"),
}


def organization_list(request: HttpRequest) -> HttpResponse:
    directory = OrganizationFilter(request.GET, Organization.objects.prefetch_related("concerns"))
    valid = directory.is_valid()
    return render(
        request,
        "groups/organization_list.html",
        {
            "directory": directory,
            "organizations": with_meeting_counts(directory.qs) if valid else [],
            "valid": valid,
            # Each refused parameter by the label the form shows it with (the API names the parameter).
            "errors": [(FIELD_LABELS.get(name, name), errors) for name, errors in directory.errors.items()],
            "kinds": Kind.choices,
            "concerns": Concern.objects.all(),
            "picked": {
                "kind": {v.lower() for v in request.GET.getlist("kind")},
                "addresses": set(request.GET.getlist("addresses")),
                # Ticked only for a value the filter took: "online=false" is refused, not ticked.
                "online": directory.form.cleaned_data.get("online") is True,
            },
        },
    )


def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organization = with_meeting_counts([get_object_or_404(Organization.objects.with_facts(), slug=slug)])[0]
    return render(
        request, "groups/organization_detail.html", {"organization": organization, "sources": _cited([organization])}
    )


def _cited(organizations: list[Organization]) -> list[Source]:
    """The documents the organizations' facts, figures and findings come from, in their numbers' order."""
    cited = set()
    for organization in organizations:
        cited |= {c.source for c in organization.citations.all()}
        cited |= {f.source for f in organization.figures.all()} | {f.source for f in organization.findings.all()}
    return sorted(cited, key=lambda source: source.key)


class CompareForm(forms.Form):
    o = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.all(), to_field_name="slug", label=_("Organizations to compare"), required=False
    )

    def clean_o(self):
        chosen = self.cleaned_data["o"]
        if len(chosen) > MAX_COMPARED:
            message = ngettext(
                "Choose at most %(most)d organization.", "Choose at most %(most)d organizations.", MAX_COMPARED
            )
            raise forms.ValidationError(message % {"most": MAX_COMPARED})
        return chosen


def organization_compare(request: HttpRequest) -> HttpResponse:
    """Two to four organizations side by side; the choice lives in the URL (?o=aa&o=smart-recovery)."""
    form = CompareForm(request.GET)
    compared = []
    if form.is_valid():
        order = request.GET.getlist("o")
        chosen = with_meeting_counts(Organization.objects.with_facts().filter(slug__in=order))
        compared = sorted(chosen, key=lambda organization: order.index(organization.slug))
    too_few = 0 < len(compared) < MIN_COMPARED
    compared = [] if too_few else compared
    facts = [organization.facts() for organization in compared]
    rows = [{"label": row[0].label, "facts": row} for row in zip(*facts, strict=True)] if facts else []
    return render(
        request,
        "groups/organization_compare.html",
        {
            "form": form,
            "compared": compared,
            "rows": rows,
            "too_few": too_few,
            "choices": Organization.objects.only("slug", "name", "short_name"),
            "picked": set(request.GET.getlist("o")),
            "limits": (MIN_COMPARED, MAX_COMPARED),
            "sources": _cited(compared),
        },
    )


def guide_list(request: HttpRequest) -> HttpResponse:
    return render(request, "groups/guides/index.html", {"guides": GUIDES})


def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_guide(slug)
    if guide is None:
        raise Http404("No such guide.")
    sources = Source.objects.in_bulk(list(guide.sources), field_name="key")
    return render(
        request, guide.template, {"guide": guide, "sources": [sources[key] for key in guide.sources if key in sources]}
    )
