"""Staff's second factor: a TOTP authenticator app (django-otp), set up from the admin.

A user has at most one confirmed device. Setting one up makes an unconfirmed device first (its
secret shown as a QR code and as text); the first correct code confirms it, and from then on the
admin login asks for a code. Codes are checked against the user's own devices only, with
django-otp's throttling and its refusal to accept the same code twice.
"""

import base64

import segno
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator app"


def has_confirmed_device(user: AbstractBaseUser) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def pending_device(user: AbstractBaseUser) -> TOTPDevice:
    """The user's unconfirmed device, made on first call: reloading the page keeps the same secret."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code in a data: URI, made here (no other service).

    A white background, so phones can read it under the admin's dark theme too.
    """
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4, light="#fff")


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for apps that cannot scan."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def normalize_code(code: str) -> str:
    """People type codes as "123 456" or "123-456"."""
    return "".join(character for character in code if character.isdigit())


def confirm_device(device: TOTPDevice, code: str) -> bool:
    """Confirm ``device`` when ``code`` is its current code."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not locked.verify_token(normalize_code(code)):
            return False
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
    device.refresh_from_db()
    return True


def verify_login_code(user: AbstractBaseUser, code: str) -> TOTPDevice | None:
    """The user's confirmed device whose current code is ``code``, or None."""
    code = normalize_code(code)
    if not code:
        return None
    # Locked rows: two requests racing with one code cannot both use it.
    with transaction.atomic():
        for device in TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None
