"""The API fuzzed from its own OpenAPI schema (schemathesis): no 500s, every response matching the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

# Django's WSGI application, not finder.wsgi's: that one also sets up the worker process (the gazetteer
# warmed, garbage collected between requests), which this test session should not inherit.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI app, whose end-of-request handler would close the test's
    database connection (and its transaction); Django's own test client holds it back the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_the_api_answers_every_generated_request_as_its_schema_says(case, finder_meetings):
    # finder_meetings: the module's meetings around Philadelphia, so searches find something.
    # Every documented check but "valid per schema means accepted": a schema cannot say that lat needs
    # lng, or which strings are time zones, so some schema-valid requests rightly get a 400.
    # The WSGI client would not unpack a compressed body; compression has its own test.
    case.call_and_validate(
        headers={"Accept-Encoding": "identity"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
