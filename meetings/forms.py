from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from groups.models import Organization
from meetings.models import ChangeReport, Feed, Meeting, Weekday, validate_time_zone
from meetings.reports import ALL_SUGGESTIONS, SUGGESTIONS, problems_for
from meetings.sources import FORMATS


class ImportForm(forms.Form):
    """What a curator gives to import a feed from the admin: a file or a URL, and whose meetings they are."""

    organization = forms.ModelChoiceField(queryset=Organization.objects.all())
    name = forms.CharField(
        max_length=200, help_text="A name for this feed. Importing again under the same name updates its meetings."
    )
    format = forms.ChoiceField(choices=list(FORMATS.items()), initial=Feed.Format.MEETING_GUIDE)
    url = forms.URLField(required=False, assume_scheme="https", help_text="Where the feed is published…")
    upload = forms.FileField(required=False, help_text="…or the file itself.")
    formats = forms.FileField(required=False, help_text="BMLT only: the server's GetFormats answer (JSON).")
    timezone = forms.CharField(
        required=False,
        max_length=64,
        help_text="For meetings whose feed and place name no zone (America/New_York…).",
    )

    def __init__(self, *args, organizations=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:  # a curator imports only for the organizations they curate
            self.fields["organization"].queryset = organizations

    def clean_timezone(self) -> str:
        zone = self.cleaned_data["timezone"].strip()
        if zone:
            validate_time_zone(zone)
        return zone

    def clean(self):
        data = super().clean()
        if not data.get("url") and not data.get("upload"):
            raise ValidationError("Give the feed's URL or upload the file.")
        if data.get("url") and data.get("upload"):
            raise ValidationError("Give either a URL or a file, not both.")
        return data


class ChangeReportForm(forms.Form):
    """A visitor's "Report a problem": what is wrong and, if they know, what is right. Nothing about them."""

    problem = forms.ChoiceField(
        label=_("What is wrong with this listing?"),
        choices=ChangeReport.Problem.choices,  # narrowed to the meeting's in __init__
        widget=forms.RadioSelect,
        # Also for a problem this meeting cannot have (a join link for an in-person meeting), posted by hand.
        error_messages={"invalid_choice": _("Choose one of the problems listed.")},
    )
    suggested_day = forms.TypedChoiceField(
        label=_("The right day"),
        choices=[("", _("(same day, or I don't know)"))] + [(day.value, day.label) for day in Weekday],
        coerce=int,
        empty_value=None,
        required=False,
    )
    suggested_start_time = forms.TimeField(
        label=_("The right start time"),
        help_text=_("For example 19:30."),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    suggested_end_time = forms.TimeField(
        label=_("The right end time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    suggested_address = forms.CharField(
        label=_("The right address"),
        help_text=_("The venue and street address, as you would write them on an envelope."),
        max_length=300,
        required=False,
    )
    suggested_conference_url = forms.URLField(
        label=_("A join link that works"),
        help_text=_("If you know one, e.g. from the group's own website."),
        max_length=500,
        required=False,
        assume_scheme="https",
    )
    # Optional but for "Something else" (see clean); static/js/report.js marks it required when that is chosen.
    message = forms.CharField(
        label=_("Details"),
        help_text=format_lazy(
            "{} {}",
            _("Required when you choose “Something else”."),
            _("Volunteers who keep this listing read it. Please leave out names, phone numbers and emails."),
        ),
        max_length=ChangeReport.MESSAGE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "data-required-for": ChangeReport.Problem.OTHER}),
    )
    # A honeypot: hidden from people (and from screen readers), filled in by bots that fill in everything.
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    # Each group of suggestions is a fieldset with this legend, shown for its problem (static/js/report.js).
    LEGENDS = {
        ChangeReport.Problem.WRONG_TIME: _("If you know the right day or time"),
        ChangeReport.Problem.WRONG_PLACE: _("If you know the right place"),
        ChangeReport.Problem.BROKEN_LINK: _("If you know a link that works"),
    }

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the problems that fit the meeting are offered, and accepted.
        self.problems = problems_for(meeting)
        self.fields["problem"].choices = [(problem.value, problem.label) for problem in self.problems]

    def clean(self):
        data = super().clean()
        problem = data.get("problem")
        if problem:
            # Without JavaScript every field shows; a bad value typed for another problem is not this report's.
            for name in set(ALL_SUGGESTIONS) - set(SUGGESTIONS.get(problem, ())):
                self.errors.pop(name, None)
                data.pop(name, None)
        if problem == ChangeReport.Problem.OTHER and "message" not in self.errors and not data["message"].strip():
            self.add_error("message", _("Tell us what is wrong, so the volunteers can fix it."))
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("homepage"))

    def suggestion_groups(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(problem, legend, fields) for each group of suggested values, for the template's fieldsets."""
        return [
            (problem, self.LEGENDS[problem], [self[name] for name in names])
            for problem, names in SUGGESTIONS.items()
            if problem in self.problems
        ]

    def report_data(self) -> dict:
        """What ``meetings.reports.file_report`` takes."""
        return {name: value for name, value in self.cleaned_data.items() if name != "homepage"}
