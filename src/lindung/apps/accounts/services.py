"""Creating organisations, staff and API keys, and resolving an API key to a principal."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from lindung.apps.accounts.models import ApiKey, Organisation, Role, User
from lindung.apps.accounts.permissions import (
    API_KEY_SCOPES,
    Permission,
    Principal,
    require,
)
from lindung.apps.audit.services import record
from lindung.apps.errors import Conflict, InvalidInput, clean_or_invalid, save_or_conflict

API_KEY_PREFIX = "lk"


def create_organisation(
    principal: Principal, name: str, kind: str, country: str = ""
) -> Organisation:
    if not principal.is_superuser:
        raise InvalidInput("Only an operator can create organisations.")
    slug = slugify(name, allow_unicode=True)[:64]
    if not slug:
        raise InvalidInput("An organisation name needs at least one letter or digit.")
    org = Organisation(name=name, slug=slug, kind=kind, country=country.upper())
    clean_or_invalid(org)
    with transaction.atomic():
        save_or_conflict(org, f"An organisation named {name!r} already exists.")
        record(
            "organisation.created",
            actor=principal.actor,
            organisation_id=org.pk,
            object_type="organisation",
            object_id=org.pk,
            data={"name": name, "kind": kind, "country": org.country},
        )
    return org


def create_user(
    principal: Principal,
    username: str,
    password: str,
    *,
    organisation: Organisation | None,
    role: str = Role.VIEWER,
    superuser: bool = False,
) -> User:
    if not principal.is_superuser:
        require(principal, Permission.KEYS_MANAGE)
        if organisation is None or organisation.pk != principal.organisation_id:
            raise InvalidInput("You can only add staff to your own organisation.")
    user = User(username=username, organisation=organisation, role=role)
    user.is_superuser = user.is_staff = superuser
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput("Password too weak.", details={"password": exc.messages}) from None
    user.set_password(password)
    clean_or_invalid(user)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict(f"A user named {username!r} already exists.")
        user.save()
        record(
            "user.created",
            actor=principal.actor,
            organisation_id=organisation.pk if organisation else None,
            object_type="user",
            object_id=user.pk,
            data={"username": username, "role": role, "superuser": superuser},
        )
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_api_key(
    principal: Principal, organisation: Organisation, name: str, scopes: Iterable[str]
) -> tuple[ApiKey, str]:
    """Return the key row and the plaintext key, which is shown once and never stored."""
    if not principal.is_superuser:
        require(principal, Permission.KEYS_MANAGE)
        if organisation.pk != principal.organisation_id:
            raise InvalidInput("You can only create keys for your own organisation.")
    scope_list = sorted(set(scopes))
    bad = [s for s in scope_list if s not in {p.value for p in API_KEY_SCOPES}]
    if bad or not scope_list:
        allowed = ", ".join(sorted(p.value for p in API_KEY_SCOPES))
        raise InvalidInput(f"Scopes must be a non-empty subset of: {allowed}.")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plaintext = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            organisation=organisation,
            name=name,
            prefix=prefix,
            key_hash=_digest(plaintext),
            scopes=scope_list,
            created_by=principal.actor,
        )
        record(
            "api_key.created",
            actor=principal.actor,
            organisation_id=organisation.pk,
            object_type="api_key",
            object_id=key.pk,
            data={"name": name, "prefix": prefix, "scopes": scope_list},
        )
    return key, plaintext


def revoke_api_key(principal: Principal, prefix: str) -> ApiKey:
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None or not (
        principal.is_superuser
        or (
            Permission.KEYS_MANAGE in principal.permissions
            and key.organisation_id == principal.organisation_id
        )
    ):
        raise InvalidInput(f"No API key {prefix!r} that you can revoke.")
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record(
            "api_key.revoked",
            actor=principal.actor,
            organisation_id=key.organisation_id,
            object_type="api_key",
            object_id=key.pk,
            data={"prefix": prefix},
        )
    return key


def authenticate_api_key(plaintext: str) -> Principal | None:
    parts = plaintext.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = ApiKey.objects.select_related("organisation").filter(prefix=parts[1]).first()
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.key_hash, _digest(plaintext.strip())):
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return Principal.for_api_key(key)
