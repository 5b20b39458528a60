from django import forms
from django.core.exceptions import ValidationError

from groups.models import Organization
from meetings.models import Feed, validate_time_zone
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
