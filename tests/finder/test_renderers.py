"""The API's JSON is written by orjson, and reads exactly as DRF's own renderer wrote it."""

import datetime as dt
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from finder.renderers import FastJSONRenderer

DATA = {
    "count": 2,
    "results": [
        {
            "name": "Mujeres en Recuperación",
            "distance": 4.3,
            "updated_at": dt.datetime(2026, 11, 25, 16, 35, 45, 123456, tzinfo=dt.UTC),
            "last_verified": dt.date(2026, 11, 1),
            "start_time": dt.time(19, 30),
            "lat": decimal.Decimal("39.9526"),
            "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "types": [],
            "location": None,
            "is_demo": True,
        }
    ],
    "errors": {"near": [ErrorDetail("We couldn’t find “Sprngfield”.", code="invalid")]},
    "label": gettext_lazy("Today"),
    7: "a number key",
}


def test_it_reads_as_drf_s_own_json():
    assert json.loads(FastJSONRenderer().render(DATA)) == json.loads(JSONRenderer().render(DATA))


def test_times_and_dates_are_written_as_drf_writes_them():
    row = json.loads(FastJSONRenderer().render(DATA))["results"][0]
    assert row["updated_at"] == "2026-11-25T16:35:45.123456Z"
    assert row["last_verified"] == "2026-11-01" and row["start_time"] == "19:30:00"


def test_text_stays_readable_utf8():
    assert "Mujeres en Recuperación".encode() in FastJSONRenderer().render(DATA)


def test_indented_json_still_comes_when_asked_for():
    rendered = FastJSONRenderer().render({"a": 1}, "application/json; indent=2")
    assert rendered == b'{\n  "a": 1\n}'


@pytest.mark.django_db
def test_the_api_answers_with_it(client, directory):
    response = client.get("/api/v1/types/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert type(response.accepted_renderer) is FastJSONRenderer
    assert {"code": "W", "name_en": "Women", "name_es": "Mujeres", "facet": "community"} in response.json()


@pytest.mark.django_db
def test_only_the_browsable_api_may_set_inline_styles(client):
    html = client.get("/api/v1/types/", HTTP_ACCEPT="text/html")
    plain = client.get("/api/v1/types/")
    assert "style-src 'self' 'unsafe-inline'" in html["Content-Security-Policy"]
    assert "unsafe-inline" not in plain["Content-Security-Policy"]
    assert "unsafe-inline" not in client.get("/organizations/")["Content-Security-Policy"]
