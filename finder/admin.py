"""What every admin page of the project shares."""

from django.contrib import admin
from django.db import models


class ModelAdmin(admin.ModelAdmin):
    # A link typed without a scheme is read as https (Django 6's default), never as plain http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
