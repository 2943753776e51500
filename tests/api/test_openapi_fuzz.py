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

from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections


@pytest.fixture(autouse=True)
def keep_test_connection():
    """A WSGI request closes "old" database connections when it ends; inside a test that would close the
    test's own transaction (PostgreSQL). Django's test client unhooks this the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


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
