"""Who may do what: organisations, their staff and their machine keys."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models


class Organisation(models.Model):
    """A platform, hotline, police unit or welfare agency; the boundary of data isolation."""

    class Kind(models.TextChoices):
        PLATFORM = "platform", "Platform"
        HOTLINE = "hotline", "Hotline"
        LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
        SOCIAL_WELFARE = "social_welfare", "Social welfare"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=64, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use an ISO 3166-1 alpha-2 code, e.g. MY.")],
        help_text="ISO 3166-1 alpha-2",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Roles are deliberately few; each maps to a fixed permission set in permissions.py."""

    ADMIN = "admin", "Organisation admin"
    BANK_MANAGER = "bank_manager", "Bank manager"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


class User(AbstractUser):
    """Staff account. Passwords are Argon2 (settings.PASSWORD_HASHERS)."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.VIEWER)


class ApiKey(models.Model):
    """A platform's machine credential, scoped to one organisation.

    Only a SHA-256 of the secret is stored: the secret has 256 bits of entropy, so a slow
    password hash would add latency to every API call without adding security.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
