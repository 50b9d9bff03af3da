"""Organisations, keys and API clients for service and API tests (all invented)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from lindung.apps.accounts.models import Organisation
from lindung.apps.accounts.permissions import Principal
from lindung.apps.accounts.services import create_api_key, create_organisation

OPERATOR = Principal.system("test:operator")
ALL_SCOPES = ["scan", "banks:read", "banks:write", "policy:write"]


@dataclass
class ApiClient:
    client: Client
    key: str
    organisation: Organisation

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.key}"}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **self._headers(), **kw)

    def post_json(self, path: str, data: Any) -> Any:
        return self.client.post(path, data, content_type="application/json", **self._headers())

    def patch_json(self, path: str, data: Any) -> Any:
        return self.client.patch(path, data, content_type="application/json", **self._headers())

    def put_json(self, path: str, data: Any) -> Any:
        return self.client.put(path, data, content_type="application/json", **self._headers())

    def post_form(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data, **self._headers())


@pytest.fixture
def org(db: None) -> Organisation:
    return create_organisation(OPERATOR, "Example Platform", "platform", "MY")


@pytest.fixture
def other_org(db: None) -> Organisation:
    return create_organisation(OPERATOR, "Example Hotline", "hotline", "ID")


def make_client(organisation: Organisation, scopes: list[str] | None = None) -> ApiClient:
    _, plaintext = create_api_key(OPERATOR, organisation, "tests", scopes or ALL_SCOPES)
    return ApiClient(Client(), plaintext, organisation)


@pytest.fixture
def api(org: Organisation) -> ApiClient:
    return make_client(org)


@pytest.fixture
def other_api(other_org: Organisation) -> ApiClient:
    return make_client(other_org)


def org_principal(organisation: Organisation) -> Principal:
    return Principal.system("test:operator", organisation=organisation)


def with_config(settings: Any, **changes: Any) -> None:
    """Change some LINDUNG settings for the rest of a test (the vault keeps its keys)."""
    import dataclasses

    settings.LINDUNG = dataclasses.replace(settings.LINDUNG, **changes)
