"""Staff log in with a strong password, a code from an authenticator app once they set one up, and are
locked out for a while after repeated failures (per username and address)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"
LOGIN = "/admin/login/"
HOME = "/admin/"
SET_UP = "/admin/two-factor/"
LOCKED = "Too many failed attempts to log in"
REFUSED = "Please enter the correct username and password for a staff account"


@pytest.fixture(scope="module", autouse=True)
def _fast_hashing():
    # Django's real hasher takes a noticeable moment per login on purpose; these tests log in often.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="module")
def users(_fast_hashing, django_db_setup, django_db_blocker):
    User = get_user_model()
    with django_db_blocker.unblock():
        made = {
            "curator": User.objects.create_user("curator", password=PASSWORD, is_staff=True),
            "editor": User.objects.create_user("editor", password=PASSWORD, is_staff=True),
            "root": User.objects.create_superuser("root", password=PASSWORD),
        }
        yield made
        User.objects.filter(pk__in=[user.pk for user in made.values()]).delete()


@pytest.fixture
def curator(users):
    return users["curator"]


@pytest.fixture
def app(curator) -> TOTPDevice:
    """The curator's confirmed authenticator app."""
    return TOTPDevice.objects.create(user=curator, name="Phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"


def log_in(client, username="curator", password=PASSWORD, code="", **headers):
    data = {"username": username, "password": password, "otp_token": code, "next": HOME}
    return client.post(LOGIN, data, **headers)


def is_in_admin(client) -> bool:
    return client.get(HOME).status_code == 200


# Second factor


def test_the_login_page_asks_for_a_code_beside_the_password(client):
    page = client.get(LOGIN).content.decode()
    assert 'name="password"' in page
    assert "Authentication code" in page
    assert 'autocomplete="one-time-code"' in page


def test_a_staff_member_without_an_app_logs_in_with_the_password(client, curator):
    response = log_in(client)
    assert response.status_code == 302 and response.url == HOME
    assert is_in_admin(client)


def test_with_an_app_the_password_alone_is_refused(client, app):
    response = log_in(client)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not is_in_admin(client)


def test_with_an_app_the_current_code_admits(client, app):
    response = log_in(client, code=current_code(app))
    assert response.status_code == 302 and response.url == HOME
    assert is_in_admin(client)
    assert client.session["otp_device_id"] == app.persistent_id


def test_a_code_typed_with_a_space_is_understood(client, app):
    code = current_code(app)
    assert log_in(client, code=f"{code[:3]} {code[3:]}").status_code == 302


def test_a_wrong_code_is_refused_with_the_same_message_as_a_wrong_password(client, app):
    response = log_in(client, code=wrong_code(app))
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not is_in_admin(client)


def test_the_set_up_page_shows_a_qr_code_and_the_secret_to_type(client, curator):
    client.force_login(curator)
    page = client.get(SET_UP).content.decode()
    device = TOTPDevice.objects.get(user=curator)
    assert not device.confirmed
    assert '<img src="data:image/svg+xml' in page
    assert 'alt="QR code' in page
    secret = page.split('<code id="totp-secret">')[1].split("</code>")[0]
    assert len(secret.replace(" ", "")) == 32
    # Reloading keeps the secret the person may already have scanned.
    assert secret in client.get(SET_UP).content.decode()
    assert TOTPDevice.objects.filter(user=curator).count() == 1


def test_the_admin_links_to_the_set_up_page(client, curator):
    client.force_login(curator)
    assert f'href="{SET_UP}"' in client.get(HOME).content.decode()


def test_confirming_with_the_current_code_turns_the_app_on(client, curator):
    client.force_login(curator)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=curator)
    response = client.post(SET_UP, {"otp_token": current_code(device)})
    assert response.status_code == 302 and response.url == HOME
    device.refresh_from_db()
    assert device.confirmed
    assert "Two-factor authentication is on" in client.get(HOME).content.decode()
    # From now on the password alone is not enough.
    client.logout()
    assert REFUSED in log_in(client).content.decode()


def test_a_wrong_first_code_is_a_form_error_and_changes_nothing(client, curator):
    client.force_login(curator)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=curator)
    response = client.post(SET_UP, {"otp_token": wrong_code(device)})
    assert response.status_code == 200
    assert "That is not the code your app shows now" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_the_set_up_page_offers_no_new_secret_once_an_app_is_on(client, app):
    log_in(client, code=current_code(app))
    page = client.get(SET_UP).content.decode()
    assert "Two-factor authentication is on for your account" in page
    assert "totp-secret" not in page
    assert TOTPDevice.objects.filter(user=app.user).count() == 1


def test_when_required_staff_without_an_app_are_sent_to_set_one_up(client, curator, settings):
    settings.REQUIRE_STAFF_2FA = True
    log_in(client)
    response = client.get("/admin/meetings/meeting/")
    assert response.status_code == 302 and response.url == SET_UP
    page = client.get(SET_UP).content.decode()
    assert "This site requires two-factor authentication for staff" in page
    device = TOTPDevice.objects.get(user=curator)
    client.post(SET_UP, {"otp_token": current_code(device)})
    assert is_in_admin(client)


def test_when_required_staff_can_still_log_out(client, curator, settings):
    settings.REQUIRE_STAFF_2FA = True
    log_in(client)
    client.post(reverse("admin:logout"))
    assert "_auth_user_id" not in client.session


def test_a_superuser_lists_and_removes_another_users_app_without_seeing_its_secret(client, users, app):
    client.force_login(users["root"])
    assert "curator" in client.get("/admin/otp_totp/totpdevice/").content.decode()
    change_page = client.get(f"/admin/otp_totp/totpdevice/{app.pk}/change/").content.decode()
    assert app.key not in change_page
    client.post(f"/admin/otp_totp/totpdevice/{app.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=app.pk).exists()


def test_staff_cannot_see_others_apps(client, users, app):
    client.force_login(users["editor"])
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 403


# Lockout


def fail(client, times: int, username="curator", **headers) -> None:
    for _ in range(times):
        assert log_in(client, username, password="not-the-password", **headers).status_code in (200, 429)


def test_five_failed_logins_lock_out_even_the_right_password(client, curator):
    for _ in range(4):
        assert REFUSED in log_in(client, password="not-the-password").content.decode()
    assert log_in(client, password="not-the-password").status_code == 429  # the fifth failure locks
    response = log_in(client)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "60 minutes" in page
    assert "Mutual Help Finder administration" in page  # an admin page, not a bare error
    assert not is_in_admin(client)


def test_the_lockout_is_for_that_username_from_that_address_only(client, users):
    here = {"REMOTE_ADDR": "198.51.100.7"}
    fail(client, 5, **here)
    assert log_in(client, **here).status_code == 429
    # The curator from elsewhere, and another user from the same address, still get in.
    assert log_in(client, REMOTE_ADDR="198.51.100.8").status_code == 302
    client.logout()
    assert log_in(client, "editor", **here).status_code == 302


def test_an_ipv6_client_stays_locked_out_from_its_other_addresses(client, curator):
    for n in range(1, 6):
        log_in(client, password="wrong", REMOTE_ADDR=f"2001:db8:9:1::{n}")
    assert log_in(client, REMOTE_ADDR="2001:db8:9:1::beef").status_code == 429
    assert log_in(client, REMOTE_ADDR="2001:db8:9:2::1").status_code == 302


def test_an_admin_lifts_a_lockout_early_with_the_command_the_readme_gives(client, curator):
    fail(client, 5, REMOTE_ADDR="2001:db8:9:1::5")
    fail(client, 5, REMOTE_ADDR="198.51.100.9")
    call_command("axes_reset_ip_username", "2001:db8:9:1::/64", "curator", stdout=io.StringIO())
    call_command("axes_reset_ip_username", "198.51.100.9", "curator", stdout=io.StringIO())
    assert log_in(client, REMOTE_ADDR="2001:db8:9:1::77").status_code == 302
    client.logout()
    assert log_in(client, REMOTE_ADDR="198.51.100.9").status_code == 302


def test_wrong_codes_count_towards_the_lockout(client, app):
    for _ in range(5):
        log_in(client, code=wrong_code(app))
    response = log_in(client, code=current_code(app))
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_a_successful_login_forgets_earlier_failures(client, curator):
    fail(client, 4)
    assert log_in(client).status_code == 302
    client.logout()
    fail(client, 4)
    assert log_in(client).status_code == 302


def test_forwarded_addresses_are_ignored_unless_the_request_comes_through_our_proxy(client, curator):
    # Without trusted proxies, a client cannot dodge the lockout by claiming a new address each time.
    for n in range(5):
        log_in(client, password="wrong", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert log_in(client, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_behind_our_proxy_the_forwarded_address_is_the_one_locked_out(client, curator, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail(client, 5, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert log_in(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    assert log_in(client, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy).status_code == 302


# Strong passwords


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("short-pw1", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("849302758163", "This password is entirely numeric."),
    ],
)
def test_a_weak_new_password_is_refused_with_a_reason(client, curator, new_password, message):
    client.force_login(curator)
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    curator.refresh_from_db()
    assert curator.check_password(PASSWORD)
