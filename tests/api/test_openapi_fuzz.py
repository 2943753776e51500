"""Property-based run of the OpenAPI document (schemathesis): no server errors on any read route.

Bounded (a few examples per operation, derandomised) so it finishes in well under a minute. Our content
API is also checked for response/schema conformance; Wagtail's own v3 page API (a preview in Wagtail 8)
documents fewer status codes than it returns, so there only server errors are checked.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from django.core.wsgi import get_wsgi_application

schema = schemathesis.openapi.from_wsgi("/api/v3/openapi.json", get_wsgi_application())
BOUNDS = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.mark.django_db
@schema.include(method="GET", path_regex=r"^/api/v3/content/").parametrize()
@BOUNDS
def test_content_api_conforms_and_never_fails(case):
    case.call_and_validate(
        headers={"Host": "localhost"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )


@pytest.mark.django_db
@schema.include(method="GET", path_regex=r"^/api/v3/pages/").parametrize()
@BOUNDS
def test_wagtail_page_api_never_fails(case):
    case.call_and_validate(headers={"Host": "localhost"}, checks=[not_a_server_error])
