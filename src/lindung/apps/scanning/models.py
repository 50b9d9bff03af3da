"""Scan policy per organisation, and the record of each scan (hashes only, never content)."""

from __future__ import annotations

from django.db import models

from lindung.apps.accounts.models import Organisation
from lindung.apps.banks.models import ACTION_CHOICES, Bank
from lindung.detect.signals import Action


class ScanPolicy(models.Model):
    """What an organisation wants done when its content matches a bank."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="scan_policy"
    )
    default_action = models.CharField(
        max_length=16, choices=ACTION_CHOICES, default=Action.REVIEW.value
    )
    match_low_quality = models.BooleanField(
        default=False,
        help_text="Also match PDQ hashes with quality below 50 (Meta advises against it).",
    )
    video_query_match_percent = models.FloatField(default=80.0)
    video_compared_match_percent = models.FloatField(default=0.0)
    text_thresholds = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per-category score thresholds for text scans; missing ones use the defaults.",
    )
    updated_at = models.DateTimeField(auto_now=True)


class PolicyRule(models.Model):
    """Overrides the default action for matches in one bank and/or carrying one label.

    When several rules apply to a match, the most severe action wins: a platform can
    escalate, never silently downgrade, a match another rule flags.
    """

    policy = models.ForeignKey(ScanPolicy, on_delete=models.CASCADE, related_name="rules")
    bank = models.ForeignKey(Bank, null=True, blank=True, on_delete=models.CASCADE)
    label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=16, choices=ACTION_CHOICES)


class Scan(models.Model):
    """One scanned item: its hashes, what matched, and the verdict. No content is kept."""

    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.PROTECT, related_name="scans"
    )
    actor = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    media_type = models.CharField(max_length=16, blank=True)
    signals = models.JSONField(default=list)
    matches = models.JSONField(default=list)
    action = models.CharField(max_length=16, choices=ACTION_CHOICES)
    reasons = models.JSONField(default=list)
    needs_review = models.BooleanField(default=False, db_index=True)
