"""Scanning: hashes in, matches and a verdict out, recorded for review.

The flow follows DESIGN.md: detect (hashes, done by the caller) -> match (live index) ->
confirm (database) -> decide (organisation policy) -> record (Scan row, audit entry).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from lindung.apps.accounts.permissions import (
    Permission,
    Principal,
    can_see_organisation,
    require,
)
from lindung.apps.audit.services import record
from lindung.apps.banks.live_index import Hit, live_index
from lindung.apps.banks.models import Bank, BankEntry
from lindung.apps.banks.services import visible_banks
from lindung.apps.errors import InvalidInput, NotFound, clean_or_invalid, parse_signal
from lindung.apps.scanning.models import PolicyRule, Scan, ScanPolicy
from lindung.detect.media.hashing import PDQ_MIN_QUALITY, MediaHashes
from lindung.detect.media.video import VideoFrameHash, match_video
from lindung.detect.signals import Action, Match, Signal, SignalType, Verdict

MAX_QUERY_SIGNALS = 64
#: Two hours of video at one frame per second.
MAX_QUERY_FRAMES = 7200
VIDEO_FRAME_DISTANCE = 31


@dataclass
class ScanRequest:
    """What to look up: hashes of one item (a file's, or ones a platform computed itself)."""

    signals: list[Signal] = field(default_factory=list)
    dihedral_pdq: list[Signal] = field(default_factory=list)
    frames: list[VideoFrameHash] = field(default_factory=list)
    media_type: str = ""
    banks: list[str] | None = None

    @classmethod
    def from_media(cls, media: MediaHashes, *, banks: list[str] | None = None) -> ScanRequest:
        signals = [
            Signal(SignalType.MD5, media.md5),
            Signal(SignalType.SHA256, media.sha256),
        ]
        if media.pdq is not None:
            signals.append(Signal(SignalType.PDQ, media.pdq.hex, media.pdq.quality))
        dihedral = [Signal(SignalType.PDQ, h.hex, h.quality) for h in media.dihedral]
        return cls(
            signals=signals,
            dihedral_pdq=dihedral,
            frames=list(media.frames),
            media_type=media.media_type,
            banks=banks,
        )


@dataclass(frozen=True)
class ScanOutcome:
    scan_id: int
    verdict: Verdict
    signals: list[Signal]
    notes: list[str]


def normalise_signal(signal_type: str, value: str, quality: int | None) -> Signal:
    """Validate one client-supplied hash; a bad one is a 422 naming what is wrong."""
    kind, normalised = parse_signal(signal_type, value)
    if quality is not None and not 0 <= quality <= 100:
        raise InvalidInput("PDQ quality must be between 0 and 100.")
    return Signal(kind, normalised, quality)


#: Another organisation's shared bank never matches further than this for you, whatever its
#: own threshold: a loose shared bank must not flood every member's review queue.
FOREIGN_PDQ_THRESHOLD_CAP = 31


def _chosen_banks(principal: Principal, names: list[str] | None) -> dict[int, tuple[Bank, int]]:
    """Banks this scan uses, each with the PDQ threshold that applies to this caller.

    Other organisations' allow-lists are left out: only your own allow-list may silence
    your matches.
    """
    if names is not None and not names:
        raise InvalidInput("'banks' must name at least one bank, or be left out to use all.")
    banks: dict[int, tuple[Bank, int]] = {}
    for bank in visible_banks(principal).filter(enabled=True):
        own = can_see_organisation(principal, bank.organisation_id)
        if bank.is_allow_list and not own:
            continue
        threshold = (
            bank.pdq_threshold if own else min(bank.pdq_threshold, FOREIGN_PDQ_THRESHOLD_CAP)
        )
        banks[bank.pk] = (bank, threshold)
    if names is None:
        return banks
    by_name = {bank.name: (bank, t) for bank, t in banks.values()}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise NotFound(f"No enabled bank you can match against is named: {', '.join(missing)}.")
    return {by_name[n][0].pk: by_name[n] for n in names}


def _policy_for(principal: Principal) -> tuple[ScanPolicy, list[PolicyRule]]:
    if principal.organisation is None:
        return ScanPolicy(default_action=Action.REVIEW.value), []
    policy, _ = ScanPolicy.objects.get_or_create(organisation=principal.organisation)
    return policy, list(policy.rules.all())


def decide_action(
    policy: ScanPolicy, rules: Sequence[PolicyRule], bank_id: int, labels: Sequence[str]
) -> Action:
    applicable = [
        Action(r.action)
        for r in rules
        if (r.bank_id is None or r.bank_id == bank_id) and (not r.label or r.label in labels)
    ]
    if not applicable:
        return Action(policy.default_action)
    return max(applicable, key=lambda a: a.severity)


def _collect_hits(
    request: ScanRequest,
    banks: dict[int, tuple[Bank, int]],
    policy: ScanPolicy,
    notes: list[str],
) -> dict[int, tuple[Hit, SignalType, dict[str, Any]]]:
    """Best hit per entry, across exact, PDQ (with dihedral variants) and video lookups."""
    snap = live_index().snapshot()
    best: dict[int, tuple[Hit, SignalType, dict[str, Any]]] = {}

    def keep(hit: Hit, kind: SignalType, extra: dict[str, Any]) -> None:
        if hit.bank_id not in banks:
            return
        if kind is SignalType.PDQ and hit.distance > banks[hit.bank_id][1]:
            return
        old = best.get(hit.entry_id)
        if old is None or hit.distance < old[0].distance:
            best[hit.entry_id] = (hit, kind, extra)

    for signal in request.signals:
        if signal.signal_type.is_exact:
            for hit in snap.lookup_exact(signal.signal_type, signal.value):
                keep(hit, signal.signal_type, {})
    pdq_queries: list[tuple[Signal, str]] = []
    for signal in request.signals:
        if signal.signal_type is SignalType.PDQ:
            pdq_queries.append((signal, "original"))
    pdq_queries += [(s, f"dihedral-{i}") for i, s in enumerate(request.dihedral_pdq)]
    usable = []
    for signal, variant in pdq_queries:
        low = signal.quality is not None and signal.quality < PDQ_MIN_QUALITY
        if low and not policy.match_low_quality:
            if variant == "original":
                notes.append(
                    f"PDQ quality {signal.quality} is below {PDQ_MIN_QUALITY}: the image is too "
                    "flat for a reliable perceptual match, so only exact hashes were matched."
                )
            continue
        usable.append((signal, variant))
    if usable and banks:
        max_distance = max(t for _, t in banks.values())
        results = snap.lookup_pdq([s.value for s, _ in usable], max_distance)
        for (_, variant), hits in zip(usable, results, strict=True):
            for hit in hits:
                keep(hit, SignalType.PDQ, {"variant": variant})
    frames = [f for f in request.frames if f.quality >= PDQ_MIN_QUALITY]
    if request.frames and not frames:
        notes.append("Every sampled video frame had PDQ quality below 50; no video match tried.")
    if frames:
        for video in snap.video_candidates([f.pdq for f in frames], VIDEO_FRAME_DISTANCE):
            if video.bank_id not in banks:
                continue
            score = match_video(request.frames, video.frames)
            if (
                score.query_match_percent >= policy.video_query_match_percent
                and score.compared_match_percent >= policy.video_compared_match_percent
            ):
                distance = round(100 - score.query_match_percent)
                keep(
                    Hit(video.entry_id, video.bank_id, distance),
                    SignalType.VPDQ,
                    {
                        "query_match_percent": round(score.query_match_percent, 2),
                        "compared_match_percent": round(score.compared_match_percent, 2),
                    },
                )
    return best


def _match_dict(match: Match) -> dict[str, Any]:
    return {
        "bank": match.bank,
        "entry_id": match.entry_id,
        "signal_type": match.signal_type.value,
        "value": match.value,
        "distance": match.distance,
        "labels": list(match.labels),
        "metadata": match.metadata,
        "allow_list": match.allow_list,
        "action": match.action.value,
    }


def match_to_dict(match: Match) -> dict[str, Any]:
    return _match_dict(match)


def _family(signal_type: SignalType) -> str:
    return "exact" if signal_type.is_exact else signal_type.value


def _verdict(matches: list[Match]) -> Verdict:
    """Allow-list matches suppress flagged matches of the same kind of hash.

    An exact allow-list hit means these very bytes are known benign, so it suppresses
    everything; a PDQ (or vPDQ) allow-list hit only marks a known perceptual collision,
    so it cannot hide an exact match to known material.
    """
    allowed = [m for m in matches if m.allow_list]
    families = {_family(m.signal_type) for m in allowed}
    flagged, suppressed = [], []
    for m in matches:
        if m.allow_list:
            continue
        if "exact" in families or _family(m.signal_type) in families:
            suppressed.append(m)
        else:
            flagged.append(m)
    reasons: list[str] = []
    if allowed:
        names = sorted({m.bank for m in allowed})
        reasons.append(
            f"Matched allow-list bank(s) {', '.join(names)}: known benign content, so "
            f"{len(suppressed)} other match(es) were suppressed."
        )
    if not flagged:
        if not allowed:
            reasons.append("No bank matched.")
        return Verdict(Action.IGNORE, tuple(reasons), tuple(allowed), tuple(suppressed))
    for m in flagged:
        reasons.append(
            f"{m.signal_type.value} match in bank {m.bank} (entry {m.entry_id}, "
            f"distance {m.distance}) -> {m.action.value}"
        )
    action = max((m.action for m in flagged), key=lambda a: a.severity)
    return Verdict(action, tuple(reasons), (*flagged, *allowed), tuple(suppressed))


def scan(principal: Principal, request: ScanRequest) -> ScanOutcome:
    require(principal, Permission.SCAN)
    verdict, notes = find_matches(principal, request)
    matches = list(verdict.matches)
    signal_dicts = [
        {"signal_type": s.signal_type.value, "value": s.value, "quality": s.quality}
        for s in request.signals
    ]
    with transaction.atomic():
        row = Scan.objects.create(
            organisation=principal.organisation,
            actor=principal.actor,
            media_type=request.media_type,
            signals=signal_dicts,
            matches=[_match_dict(m) for m in (*verdict.matches, *verdict.suppressed)],
            action=verdict.action.value,
            reasons=list(verdict.reasons) + notes,
            needs_review=verdict.action is not Action.IGNORE,
        )
        if verdict.action is not Action.IGNORE:
            record(
                "scan.flagged",
                actor=principal.actor,
                organisation_id=principal.organisation_id,
                object_type="scan",
                object_id=row.pk,
                data={"action": verdict.action.value, "entries": [m.entry_id for m in matches]},
            )
    return ScanOutcome(row.pk, verdict, request.signals, notes)


def find_matches(principal: Principal, request: ScanRequest) -> tuple[Verdict, list[str]]:
    """Match one item's hashes against the banks `principal` may match, apply its policy.

    Records nothing: `scan` records a Scan row; report intake keeps matches on the evidence.
    Returns the verdict and notes a reviewer should read (e.g. a hash too flat to match).
    """
    if not request.signals and not request.frames:
        raise InvalidInput("Nothing to scan: send a file or at least one hash.")
    if len(request.signals) > MAX_QUERY_SIGNALS:
        raise InvalidInput(f"Send at most {MAX_QUERY_SIGNALS} hashes per scan.")
    if len(request.frames) > MAX_QUERY_FRAMES:
        raise InvalidInput(f"Send at most {MAX_QUERY_FRAMES} video frame hashes per scan.")
    banks = _chosen_banks(principal, request.banks)
    policy, rules = _policy_for(principal)
    notes: list[str] = []
    best = _collect_hits(request, banks, policy, notes)

    # Confirm against the database: an entry disabled since the index was built is dropped.
    entries = {
        e.pk: e
        for e in BankEntry.objects.filter(
            pk__in=list(best), disabled=False, bank__enabled=True
        ).select_related("bank")
    }
    matches: list[Match] = []
    for entry_id, (hit, _kind, extra) in sorted(best.items(), key=lambda kv: kv[1][0].distance):
        entry = entries.get(entry_id)
        if entry is None:
            continue
        bank = entry.bank
        threshold = min(bank.pdq_threshold, banks[bank.pk][1]) if bank.pk in banks else -1
        if entry.signal_type == SignalType.PDQ and hit.distance > threshold:
            continue
        if can_see_organisation(principal, bank.organisation_id):
            metadata = {**entry.metadata, "source": entry.source, "provenance": entry.provenance}
        else:
            # Another organisation's shared bank: say what matched, not its private notes.
            metadata = {"source": entry.source}
        metadata.update(extra)
        matches.append(
            Match(
                bank=bank.name,
                entry_id=entry.pk,
                signal_type=SignalType(entry.signal_type),
                value=entry.value if entry.signal_type != SignalType.VPDQ else entry.value_digest,
                distance=hit.distance,
                labels=tuple(entry.labels),
                metadata=metadata,
                allow_list=bank.is_allow_list,
                action=Action.IGNORE
                if bank.is_allow_list
                else decide_action(policy, rules, bank.pk, entry.labels),
            )
        )

    return _verdict(matches), notes


def set_policy(
    principal: Principal,
    *,
    default_action: str | None = None,
    match_low_quality: bool | None = None,
    rules: list[dict[str, str]] | None = None,
    text_thresholds: dict[str, float] | None = None,
) -> ScanPolicy:
    """Replace the organisation's policy settings (and rules, when given) in one change."""
    require(principal, Permission.POLICY_WRITE)
    if principal.organisation is None:
        raise InvalidInput("A policy belongs to an organisation; act on behalf of one.")
    valid_actions = {a.value for a in Action}
    with transaction.atomic():
        policy, _ = ScanPolicy.objects.select_for_update().get_or_create(
            organisation=principal.organisation
        )
        if default_action is not None:
            if default_action not in valid_actions:
                raise InvalidInput(f"Unknown action {default_action!r}.")
            policy.default_action = default_action
        if match_low_quality is not None:
            policy.match_low_quality = match_low_quality
        if text_thresholds is not None:
            from lindung.apps.scanning.text import validate_thresholds

            policy.text_thresholds = validate_thresholds(text_thresholds)
        policy.save()
        if rules is not None:
            new_rules = []
            for i, rule in enumerate(rules):
                action = rule.get("action", "")
                if action not in valid_actions:
                    raise InvalidInput(f"Rule {i + 1}: unknown action {action!r}.")
                bank = None
                if rule.get("bank"):
                    bank = visible_banks(principal).filter(name=rule["bank"]).first()
                    if bank is None:
                        raise InvalidInput(f"Rule {i + 1}: no bank named {rule['bank']!r}.")
                new_rule = PolicyRule(
                    policy=policy, bank=bank, label=rule.get("label", ""), action=action
                )
                clean_or_invalid(new_rule, exclude=["policy"])
                new_rules.append(new_rule)
            policy.rules.all().delete()
            PolicyRule.objects.bulk_create(new_rules)
        record(
            "policy.updated",
            actor=principal.actor,
            organisation_id=principal.organisation_id,
            object_type="scan_policy",
            object_id=policy.pk,
            data={
                "default_action": policy.default_action,
                "match_low_quality": policy.match_low_quality,
                "rules": rules,
                "text_thresholds": policy.text_thresholds,
            },
        )
    return policy
