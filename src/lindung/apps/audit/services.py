"""The one audit call, :func:`record`, and the chain check behind ``lindung audit verify``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from lindung.apps.audit.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-native copy of ``value`` so the stored data hashes the same when read back."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def compute_hash(
    *,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    organisation_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
) -> str:
    body = json.dumps(
        {
            "prev": prev_hash,
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "org": organisation_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "data": data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def hash_of(entry: AuditEntry) -> str:
    """The hash an entry must carry, computed from its own fields and its predecessor's hash."""
    return compute_hash(
        prev_hash=entry.prev_hash,
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        organisation_id=entry.organisation_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        data=entry.data,
    )


def record(
    action: str,
    *,
    actor: str,
    organisation_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction that makes the change it describes,
    so the change and its audit entry commit or roll back together."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        seq = head.seq + 1
        at = datetime.now(UTC)
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor=actor,
            organisation_id=organisation_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            data=_canonical(data or {}),
            prev_hash=head.entry_hash,
        )
        entry.entry_hash = hash_of(entry)
        entry.save()
        entry_hash = entry.entry_hash
        AuditHead.objects.filter(id=1).update(seq=seq, entry_hash=entry_hash)
        return entry


@dataclass
class VerifyResult:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(expected_head: str | None = None, batch_size: int = 5000) -> VerifyResult:
    """Walk the whole chain; report every edited, inserted, reordered or missing entry."""
    result = VerifyResult()
    prev_hash = GENESIS_HASH
    expected_seq = 1
    last_seq = 0
    queryset = AuditEntry.objects.order_by("seq")
    for entry in queryset.iterator(chunk_size=batch_size):
        result.checked += 1
        if entry.seq != expected_seq:
            result.problems.append(
                f"entries {expected_seq}..{entry.seq - 1} are missing (deleted?)"
                if entry.seq > expected_seq
                else f"entry {entry.seq} is out of order"
            )
        if entry.prev_hash != prev_hash:
            result.problems.append(f"entry {entry.seq} does not link to the entry before it")
        recomputed = hash_of(entry)
        if recomputed != entry.entry_hash:
            result.problems.append(f"entry {entry.seq} was modified after it was written")
        prev_hash = entry.entry_hash
        expected_seq = entry.seq + 1
        last_seq = entry.seq
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.entry_hash) if head else (0, GENESIS_HASH)
    if head_seq != last_seq or head_hash != prev_hash:
        result.problems.append(
            f"the log ends at entry {last_seq} but its head records entry {head_seq}: "
            "newest entries were removed or the head was altered"
        )
    if expected_head is not None and expected_head != head_hash:
        result.problems.append("the head hash differs from the one you exported earlier")
    result.head_seq, result.head_hash = head_seq, head_hash
    return result
