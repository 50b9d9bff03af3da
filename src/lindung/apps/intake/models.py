"""Reports, their evidence files, and what triage made of them.

Least data: personal details (the story, the reported account, the victim, the reporter's contact)
are sealed with the vault's keyring (`sealed` column, AES-GCM bound to the report's public id),
so a copy of the database alone reveals none of them; triage fields a queue must sort and filter
on (type, priority, country, status) stay in the clear. Evidence content lives in the vault; a row
here holds its hashes, type, size and the encrypted data-key header.
"""

from __future__ import annotations

import uuid

from django.db import models

from lindung.apps.accounts.models import Organisation

INCIDENT_TYPES = (
    ("child_sexual_abuse_material", "Child sexual abuse material"),
    ("online_enticement", "Online enticement / grooming of a child"),
    ("sextortion", "Sextortion"),
    ("solicitation", "Sexual solicitation of a child"),
    ("child_sex_trafficking", "Child sex trafficking"),
    ("unsolicited_obscene_material", "Unsolicited obscene material sent to a child"),
    ("cyberbullying", "Cyberbullying or harassment"),
    ("self_harm", "Self-harm or suicide risk"),
    ("other", "Other"),
)
INCIDENT_TYPE_VALUES = tuple(v for v, _ in INCIDENT_TYPES)


class Source(models.TextChoices):
    PUBLIC = "public", "Public reporting page"
    PLATFORM = "platform", "Platform reporting API"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_REVIEW = "in_review", "In review"
    REFERRED = "referred", "Referred"
    CLOSED_ACTIONED = "closed_actioned", "Closed, action taken"
    CLOSED_NO_ACTION = "closed_no_action", "Closed, no action"


class Priority(models.IntegerChoices):
    """Lower is more urgent; the triage queue sorts on it."""

    IMMINENT_DANGER = 1, "A child in imminent danger"
    KNOWN_MATERIAL = 2, "Matches known abuse material"
    HIGH_RISK = 3, "High-risk type or text"
    ROUTINE = 4, "Routine"


class Report(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(max_length=16, choices=Source.choices)
    reporter_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports_made",
        help_text="The platform that sent the report (empty for the public page).",
    )
    handling_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports_handled",
        help_text="The hotline whose analysts triage it.",
    )
    idempotency_key = models.CharField(max_length=200, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    receipt_hash = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="SHA-256 of the receipt code."
    )
    incident_type = models.CharField(max_length=40, choices=INCIDENT_TYPES)
    incident_time = models.DateTimeField(null=True, blank=True)
    incident_when = models.CharField(max_length=16, blank=True)
    imminent_danger = models.BooleanField(default=False)
    urls = models.JSONField(default=list, blank=True)
    platform_name = models.CharField(max_length=200, blank=True)
    reporter_country = models.CharField(max_length=2, blank=True)
    language = models.CharField(max_length=16, blank=True)
    sealed = models.TextField(blank=True, help_text="Encrypted personal details (JSON).")
    sealed_key_id = models.CharField(max_length=32, blank=True)
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.ROUTINE, db_index=True
    )
    priority_reasons = models.JSONField(default=list, blank=True)
    jurisdiction = models.CharField(max_length=2, blank=True, db_index=True)
    jurisdiction_evidence = models.JSONField(default=list, blank=True)
    text_scores = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    retain_until = models.DateTimeField(db_index=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reporter_organisation", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="intake_report_idempotency",
            )
        ]
        indexes = [models.Index(fields=["status", "priority", "created_at"])]

    def __str__(self) -> str:
        return f"report {self.public_id} ({self.incident_type}, P{self.priority})"


class Evidence(models.Model):
    """One file of a report: where its ciphertext is, and what is known about its plaintext."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    object_id = models.CharField(max_length=64, unique=True)
    header = models.TextField(help_text="Vault header: wrapped data key and format.")
    sha256 = models.CharField(max_length=64, db_index=True)
    md5 = models.CharField(max_length=32)
    pdq = models.CharField(max_length=64, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    size = models.BigIntegerField()
    media_type = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    matches = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"evidence {self.public_id} ({self.media_type}, {self.size} bytes)"
