"""API authentication: an API key, as ``Authorization: Bearer`` or ``X-API-Key``.

Only headers are read, so a request without a valid key is refused before its body (a
possibly huge upload) is parsed. Staff sessions will join when the staff interface, with
its second factor, does; their CSRF check reads the body, so they must come after keys.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer

from lindung.apps.accounts.permissions import Principal
from lindung.apps.accounts.services import authenticate_api_key


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        return authenticate_api_key(token)


class HeaderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        return authenticate_api_key(key) if key else None


API_AUTH = [BearerKey(), HeaderKey()]


def principal_of(request: HttpRequest) -> Principal:
    auth = getattr(request, "auth", None)
    assert isinstance(auth, Principal)
    return auth
