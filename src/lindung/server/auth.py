"""API authentication: a platform's API key (Bearer or X-API-Key) or a staff session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from lindung.apps.accounts.permissions import Principal
from lindung.apps.accounts.services import authenticate_api_key


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        return authenticate_api_key(token)


class HeaderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        return authenticate_api_key(key) if key else None


class StaffSession(SessionAuth):
    """Logged-in staff; ninja enforces CSRF for this method."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return Principal.for_user(user)
        return None


API_AUTH = [BearerKey(), HeaderKey(), StaffSession()]


def principal_of(request: HttpRequest) -> Principal:
    auth = getattr(request, "auth", None)
    assert isinstance(auth, Principal)
    return auth
