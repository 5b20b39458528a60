"""How staff log in to the admin: password, then a TOTP code for those who set one up.

The admin site is Django's, with a login form that also asks for the code, a page to set up an
authenticator app, and (with REQUIRE_STAFF_2FA) a detour to that page for staff who have none.
Lockouts after repeated failures are django-axes' (settings.py); a wrong code counts as a failure.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import update_wrapper

import django_otp
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from finder.two_factor import (
    confirm_device,
    has_confirmed_device,
    pending_device,
    qr_data_uri,
    secret_for_typing,
    verify_login_code,
)

# Pages a signed-in staff member without a second factor may still reach when one is required.
_OPEN_WITHOUT_SECOND_FACTOR = {"two_factor", "logout", "password_change", "password_change_done", "jsi18n"}


def _code_field(required: bool, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=_("Authentication code"),
        required=required,
        max_length=12,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )


class StaffLoginForm(AdminAuthenticationForm):
    """Username, password and, for staff with an authenticator app, its current code."""

    otp_token = _code_field(False, _("The six digits your authenticator app shows, if you have set one up."))

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        # One message whichever part was wrong, so a guessed password is not confirmed by asking for a code.
        "invalid_login": _(
            "Please enter the correct %(username)s and password for a staff account, and the code from your "
            "authenticator app if you have set one up. Note that username and password may be case-sensitive."
        ),
    }

    def clean(self) -> dict:
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and has_confirmed_device(user):
            device = verify_login_code(user, cleaned.get("otp_token") or "")
            if device is None:
                self.user_cache = None
                # Counted by django-axes like a wrong password, so codes cannot be guessed without limit.
                user_login_failed.send(
                    sender=__name__, credentials={"username": cleaned.get("username")}, request=self.request
                )
                raise self.get_invalid_login_error()
            user.otp_device = device  # django_otp keeps it in the session when the view logs the user in
        return cleaned


class ConfirmDeviceForm(forms.Form):
    otp_token = _code_field(True, _("The six digits your app shows now, after you have added the account."))

    def __init__(self, device: TOTPDevice, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self) -> str:
        code = self.cleaned_data["otp_token"]
        if not confirm_device(self.device, code):
            raise ValidationError(
                _(
                    "That is not the code your app shows now. Enter the current code; if it keeps failing, "
                    "check that your phone sets its clock automatically."
                ),
                code="wrong_code",
            )
        return code


def must_set_up_second_factor(request: HttpRequest) -> bool:
    """With REQUIRE_STAFF_2FA, a session not verified by a code goes to the set-up page first."""
    if not settings.REQUIRE_STAFF_2FA:
        return False
    is_verified = getattr(request.user, "is_verified", None)
    return not (is_verified and is_verified())


class StaffAdminSite(admin.AdminSite):
    login_form = StaffLoginForm
    login_template = "admin/staff_login.html"

    def get_urls(self) -> list[URLPattern]:
        return [path("two-factor/", self.admin_view(self.two_factor), name="two_factor"), *super().get_urls()]

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        def set_up_first(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            match = request.resolver_match
            if must_set_up_second_factor(request) and (
                match is None or match.url_name not in _OPEN_WITHOUT_SECOND_FACTOR
            ):
                return redirect("admin:two_factor")
            return view(request, *args, **kwargs)

        # Django's wrapper runs first: only signed-in staff reach set_up_first.
        return super().admin_view(update_wrapper(set_up_first, view), cacheable)

    def two_factor(self, request: HttpRequest) -> HttpResponse:
        """Set up an authenticator app: scan or type the secret, then confirm with a first code."""
        context = {**self.each_context(request), "title": _("Two-factor authentication")}
        if has_confirmed_device(request.user):
            verified = getattr(request.user, "is_verified", lambda: False)()
            return TemplateResponse(
                request, "admin/two_factor.html", context | {"enrolled": True, "verified": verified}
            )
        device = pending_device(request.user)
        form = ConfirmDeviceForm(device, request.POST if request.method == "POST" else None)
        if form.is_valid():
            django_otp.login(request, device)
            request.session.cycle_key()  # a new session id for the more trusted session
            messages.success(
                request, _("Two-factor authentication is on: from now on, log in with a code from your app.")
            )
            return redirect("admin:index")
        context |= {
            "form": form,
            "qr_code": qr_data_uri(device),
            "secret": secret_for_typing(device),
            "required": settings.REQUIRE_STAFF_2FA,
        }
        return TemplateResponse(request, "admin/two_factor.html", context)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' answer to a locked-out login: an admin page saying why and for how long (429)."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60) if isinstance(cool_off, timedelta) else None
    context = {**admin.site.each_context(request), "title": _("Too many failed logins"), "minutes": minutes}
    return render(request, "admin/lockout.html", context, status=429)
