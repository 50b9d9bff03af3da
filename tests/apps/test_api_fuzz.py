"""Schemathesis against the published OpenAPI spec: no generated request may get a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from lindung.apps.banks.services import add_entry, create_bank
from tests.apps.conftest import ALL_SCOPES, make_client, org_principal

pytestmark = pytest.mark.slow


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Requests go through the real WSGI handler, which closes the database connection when
    a request ends; inside a test transaction that must not happen (Django's own test
    client disconnects the same signal handlers)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_header(org: Any, keep_test_connection: None) -> dict[str, str]:
    principal = org_principal(org)
    create_bank(principal, "FUZZ")
    add_entry(principal, "FUZZ", "md5", "0" * 32)
    scopes = [*ALL_SCOPES, "reports:write", "reports:read", "reports:triage", "evidence:open"]
    return {"Authorization": f"Bearer {make_client(org, scopes).key}"}


def _load_schema() -> Any:
    from lindung.server.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


schema = _load_schema()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.usefixtures("intake_settings")
def test_no_request_gets_a_server_error(case: Any, auth_header: dict[str, str], db: None) -> None:
    case.call_and_validate(headers=auth_header, checks=[not_a_server_error])
