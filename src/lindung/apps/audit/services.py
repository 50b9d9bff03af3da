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
    """JSON-native copy of ``value`` that hashes the same after a round trip through the database.

    Floats become strings: PostgreSQL's jsonb may print a number differently from how
    Python wrote it (``1e16`` comes back as ``10000000000000000``), which would break the chain.
    """
    native = json.loads(json.dumps(value, default=str, ensure_ascii=False))

    def fix(item: Any) -> Any:
        if isinstance(item, float):
            return repr(item)
        if isinstance(item, dict):
            return {k: fix(v) for k, v in item.items()}
        if isinstance(item, list):
            return [fix(v) for v in item]
        return item

    return fix(native)


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
    so the change and its audit entry commit or roll back together; outside one it refuses."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction of the change it logs")
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


def parse_anchor(anchor: str) -> tuple[int, str]:
    """``SEQ:HASH`` as printed by ``lindung audit head``; ValueError if malformed."""
    seq_text, _, hash_text = anchor.strip().partition(":")
    if not seq_text.isdigit() or len(hash_text) != 64:
        raise ValueError(
            "an anchor looks like 1234:<64 hex digits>, as `lindung audit head` prints"
        )
    return int(seq_text), hash_text.lower()


def verify(anchor: str | None = None, batch_size: int = 5000) -> VerifyResult:
    """Walk the chain up to the head read at the start; report every edited, inserted,
    reordered or missing entry. Entries appended while it runs are left for the next run.

    ``anchor`` (``SEQ:HASH`` exported earlier) must still be in the chain unchanged: this
    is what reveals a wholesale rewrite by someone who could also rewrite the head.
    """
    result = VerifyResult()
    expected_anchor = parse_anchor(anchor) if anchor else None
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.entry_hash) if head else (0, GENESIS_HASH)
    prev_hash = GENESIS_HASH
    expected_seq = 1
    last_seq = 0
    anchor_seen = False
    queryset = AuditEntry.objects.filter(seq__lte=head_seq).order_by("seq")
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
        if hash_of(entry) != entry.entry_hash:
            result.problems.append(f"entry {entry.seq} was modified after it was written")
        if expected_anchor and entry.seq == expected_anchor[0]:
            anchor_seen = True
            if entry.entry_hash != expected_anchor[1]:
                result.problems.append(
                    f"entry {entry.seq} differs from the anchor exported earlier: "
                    "the log was rewritten"
                )
        prev_hash = entry.entry_hash
        expected_seq = entry.seq + 1
        last_seq = entry.seq
    if head_seq != last_seq or head_hash != prev_hash:
        result.problems.append(
            f"the log ends at entry {last_seq} but its head records entry {head_seq}: "
            "newest entries were removed or the head was altered"
        )
    if expected_anchor and not anchor_seen:
        result.problems.append(
            f"anchor entry {expected_anchor[0]} is not in the log: the log was cut or rewritten"
        )
    result.head_seq, result.head_hash = head_seq, head_hash
    return result
