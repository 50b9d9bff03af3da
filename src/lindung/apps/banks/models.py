"""Banks and their entries. Entries are never deleted by the service: they are disabled,
so provenance and the audit trail stay intact."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from lindung.apps.accounts.models import Organisation
from lindung.detect.signals import Action, SignalType

SIGNAL_TYPE_CHOICES = [(t.value, t.value) for t in SignalType]
ACTION_CHOICES = [(a.value, a.value) for a in Action]


class Bank(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="banks")
    name = models.CharField(
        max_length=100,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                "Use letters, digits, '_', '.' and '-' only, starting with a letter or digit.",
            )
        ],
    )
    description = models.TextField(blank=True)
    is_allow_list = models.BooleanField(
        default=False,
        help_text="Entries mark known benign content; a match here suppresses other matches.",
    )
    pdq_threshold = models.PositiveSmallIntegerField(
        default=31, validators=[MinValueValidator(0), MaxValueValidator(128)]
    )
    shared = models.BooleanField(
        default=False, help_text="Other organisations on this node may match against it."
    )
    enabled = models.BooleanField(default=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BankEntry(models.Model):
    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="entries")
    signal_type = models.CharField(max_length=16, choices=SIGNAL_TYPE_CHOICES)
    value = models.TextField()
    #: sha256 of ``value``: vPDQ values are long, so uniqueness is enforced on the digest.
    value_digest = models.CharField(max_length=64)
    labels = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=200, blank=True)
    provenance = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    added_by = models.CharField(max_length=200, blank=True)
    added_at = models.DateTimeField()
    disabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "signal_type", "value_digest"], name="unique_entry_per_bank"
            )
        ]
        indexes = [models.Index(fields=["signal_type", "value_digest"])]

    def __str__(self) -> str:
        return f"{self.signal_type}:{self.value[:16]}…"


class IndexVersion(models.Model):
    """A counter bumped in the same transaction as any change that affects matching.

    Every worker compares it with the version its in-memory index was built from, which
    is how a bank edit reaches all workers within seconds without any broker.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)
