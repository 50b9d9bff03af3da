"""Organisations, Argon2 passwords, API keys stored hashed and scoped."""

from __future__ import annotations

import pytest

from lindung.apps.accounts.models import ApiKey, Organisation, User
from lindung.apps.accounts.permissions import Permission, Principal
from lindung.apps.accounts.services import (
    authenticate_api_key,
    create_api_key,
    create_organisation,
    create_user,
    revoke_api_key,
)
from lindung.apps.audit.models import AuditEntry
from lindung.apps.errors import Conflict, InvalidInput
from tests.apps.conftest import OPERATOR, org_principal

pytestmark = pytest.mark.django_db


def test_organisation_kinds_and_country_validated(org: Organisation) -> None:
    assert org.slug == "example-platform"
    with pytest.raises(InvalidInput):
        create_organisation(OPERATOR, "Bad Kind", "bakery", "MY")
    with pytest.raises(InvalidInput):
        create_organisation(OPERATOR, "Bad Country", "hotline", "Malaysia")
    with pytest.raises(Conflict):
        create_organisation(OPERATOR, "Example Platform", "platform", "MY")


def test_only_operators_create_organisations(org: Organisation) -> None:
    with pytest.raises(InvalidInput):
        create_organisation(Principal.for_user(_user(org, "admin")), "X", "platform")


def _user(org: Organisation, role: str) -> User:
    return create_user(
        OPERATOR, f"{role}-user", "a-long-Passphrase-123", organisation=org, role=role
    )


def test_passwords_are_argon2(org: Organisation) -> None:
    user = _user(org, "reviewer")
    assert user.password.startswith("argon2")
    assert user.check_password("a-long-Passphrase-123")
    with pytest.raises(InvalidInput):
        create_user(OPERATOR, "weak", "password", organisation=org)


def test_roles_map_to_permissions(org: Organisation) -> None:
    viewer = Principal.for_user(_user(org, "viewer"))
    admin = Principal.for_user(_user(org, "admin"))
    assert Permission.BANKS_WRITE not in viewer.permissions
    assert Permission.KEYS_MANAGE in admin.permissions


def test_api_key_is_stored_hashed_and_authenticates(org: Organisation) -> None:
    key, plaintext = create_api_key(OPERATOR, org, "uploader", ["scan"])
    assert plaintext not in key.key_hash and len(key.key_hash) == 64
    assert not ApiKey.objects.filter(key_hash=plaintext).exists()
    principal = authenticate_api_key(plaintext)
    assert principal is not None and principal.organisation == org
    assert principal.permissions == frozenset({Permission.SCAN})
    assert authenticate_api_key(plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
    assert authenticate_api_key("nonsense") is None
    assert AuditEntry.objects.filter(action="api_key.created").count() == 1


def test_revoked_key_stops_working(org: Organisation) -> None:
    key, plaintext = create_api_key(OPERATOR, org, "uploader", ["scan"])
    revoke_api_key(OPERATOR, key.prefix)
    assert authenticate_api_key(plaintext) is None


def test_bad_scopes_rejected(org: Organisation) -> None:
    with pytest.raises(InvalidInput):
        create_api_key(OPERATOR, org, "x", ["keys:manage"])
    with pytest.raises(InvalidInput):
        create_api_key(OPERATOR, org, "x", [])


def test_org_admin_cannot_make_keys_for_others(org: Organisation, other_org: Organisation) -> None:
    admin = Principal.for_user(_user(org, "admin"))
    create_api_key(admin, org, "mine", ["scan"])
    with pytest.raises(InvalidInput):
        create_api_key(admin, other_org, "theirs", ["scan"])
    assert org_principal(org).organisation == org
