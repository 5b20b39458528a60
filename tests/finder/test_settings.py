"""Production settings: start-up refuses what is missing, and Django's deploy checks pass."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7!kq2-zr9#mv4@pl8^wn3&bt6*hy1(uj5)ce0_fd-ga7+so2=ix9",
    "ALLOWED_HOSTS": "finder.example.org",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Only what production would have: the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is not.
    ignored = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_production_refuses_the_development_secret_key():
    from finder.settings import _DEVELOPMENT_SECRET_KEY

    result = manage("check", **{**PRODUCTION, "SECRET_KEY": _DEVELOPMENT_SECRET_KEY})
    assert result.returncode != 0
    assert "must not be the development key" in result.stderr


def test_an_unknown_time_zone_fails_at_start():
    result = manage("check", TIME_ZONE="Europe/Atlantis")
    assert result.returncode != 0
    assert "TIME_ZONE must be an IANA zone" in result.stderr


def test_ssl_redirect_can_be_left_to_a_proxy():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER)",
        SECURE_SSL_REDIRECT="false",
        SECURE_PROXY_SSL_HEADER="true",
        **PRODUCTION,
    )
    assert result.stdout.split() == ["False", "('HTTP_X_FORWARDED_PROTO',", "'https')"], result.stderr
