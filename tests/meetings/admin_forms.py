"""Posting admin forms back as a browser would: every field as the page shows it, then the test's changes."""

from django import forms
from django.test import Client
from django.urls import reverse


def admin_url(model, view: str, *args) -> str:
    """e.g. ``admin_url(Meeting, "change", meeting.pk)``."""
    return reverse(f"admin:meetings_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """The data an admin add, change or history page would post if nothing were changed."""
    data = {}
    all_forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        all_forms += formset.forms
    for form in all_forms:
        for name, field in form.fields.items():
            value = form[name].value()  # as the widget shows it
            if field.show_hidden_initial:  # fields with a callable default carry their initial value too
                data[form.add_initial_prefix(name)] = value
            if isinstance(field, forms.BooleanField):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif value is not None:
                data[form.add_prefix(name)] = value
            elif not isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
                data[form.add_prefix(name)] = ""
    return data


def post_changed(client: Client, url: str, **changes):
    """Open ``url``, change some fields, and save."""
    page = client.get(url)
    assert page.status_code == 200, url
    return client.post(url, {**form_data(page), **changes})
