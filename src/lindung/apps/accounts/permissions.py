"""The one permission check: who is acting, for which organisation, allowed to do what."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lindung.apps.accounts.models import ApiKey, Organisation, Role, User


class Permission(StrEnum):
    SCAN = "scan"
    BANKS_READ = "banks:read"
    BANKS_WRITE = "banks:write"
    POLICY_WRITE = "policy:write"
    AUDIT_READ = "audit:read"
    KEYS_MANAGE = "keys:manage"
    REPORTS_WRITE = "reports:write"
    REPORTS_READ = "reports:read"
    REPORTS_TRIAGE = "reports:triage"
    EVIDENCE_OPEN = "evidence:open"


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.BANK_MANAGER: frozenset(
        {Permission.SCAN, Permission.BANKS_READ, Permission.BANKS_WRITE, Permission.AUDIT_READ}
    ),
    Role.REVIEWER: frozenset(
        {
            Permission.SCAN,
            Permission.BANKS_READ,
            Permission.REPORTS_READ,
            Permission.REPORTS_TRIAGE,
            Permission.EVIDENCE_OPEN,
        }
    ),
    Role.VIEWER: frozenset({Permission.BANKS_READ, Permission.REPORTS_READ}),
}

#: Scopes an API key may carry; keys never manage other keys.
API_KEY_SCOPES = frozenset(
    {
        Permission.SCAN,
        Permission.BANKS_READ,
        Permission.BANKS_WRITE,
        Permission.POLICY_WRITE,
        Permission.REPORTS_WRITE,
        Permission.REPORTS_READ,
        Permission.REPORTS_TRIAGE,
        Permission.EVIDENCE_OPEN,
    }
)


class PermissionDenied(Exception):
    """Raised by :func:`require`; the API turns it into a 403 with this message."""


@dataclass(frozen=True)
class Principal:
    """Whoever is acting: a staff user or an API key, always on behalf of one organisation."""

    organisation: Organisation | None
    permissions: frozenset[Permission]
    actor: str
    user: User | None = None
    api_key: ApiKey | None = None
    is_superuser: bool = False

    @classmethod
    def for_user(cls, user: User) -> Principal:
        perms = frozenset(Permission) if user.is_superuser else ROLE_PERMISSIONS[user.role]
        return cls(
            organisation=user.organisation,
            permissions=perms,
            actor=f"user:{user.username}",
            user=user,
            is_superuser=user.is_superuser,
        )

    @classmethod
    def for_api_key(cls, key: ApiKey) -> Principal:
        scopes = frozenset(Permission(s) for s in key.scopes if s in API_KEY_SCOPES)
        return cls(
            organisation=key.organisation,
            permissions=scopes,
            actor=f"apikey:{key.prefix}",
            api_key=key,
        )

    @classmethod
    def system(cls, actor: str = "system", organisation: Organisation | None = None) -> Principal:
        """The CLI acting with operator rights on the machine itself."""
        return cls(
            organisation=organisation,
            permissions=frozenset(Permission),
            actor=actor,
            is_superuser=True,
        )

    @property
    def organisation_id(self) -> int | None:
        return self.organisation.pk if self.organisation else None


def require(principal: Principal, permission: Permission) -> None:
    if permission not in principal.permissions:
        raise PermissionDenied(f"This action needs the '{permission}' permission.")


def can_see_organisation(principal: Principal, organisation_id: int | None) -> bool:
    """Per-organisation isolation: only operators (superusers) cross organisations."""
    return principal.is_superuser or (
        principal.organisation_id is not None and principal.organisation_id == organisation_id
    )
