"""The API fuzzed from its own OpenAPI schema (schemathesis): no 500s, every response matching the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from finder.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_the_api_answers_every_generated_request_as_its_schema_says(case, finder_meetings):
    # finder_meetings: the module's meetings around Philadelphia, so searches find something.
    # Every documented check but "valid per schema means accepted": a schema cannot say that lat needs
    # lng, or which strings are time zones, so some schema-valid requests rightly get a 400.
    case.call_and_validate(
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    )
