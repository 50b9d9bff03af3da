"""Bank operations shared by the API, the CLI and (later) the HTML views.

Every change runs in one transaction with its audit entry and an index-version bump,
so either all three happen or none does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet

from lindung.apps.accounts.permissions import (
    Permission,
    Principal,
    can_see_organisation,
    require,
)
from lindung.apps.audit.services import record
from lindung.apps.banks.models import Bank, BankEntry, IndexVersion
from lindung.apps.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    clean_or_invalid,
    parse_signal,
    save_or_conflict,
)
from lindung.detect.bankfile import BankRow
from lindung.detect.signals import SignalType

IMPORT_BATCH = 2000
BANK_FIELDS = ("description", "is_allow_list", "pdq_threshold", "shared", "enabled")


def value_digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def bump_index_version() -> None:
    """Tell every worker's live index that matching data changed (same transaction)."""
    updated = IndexVersion.objects.filter(id=1).update(version=F("version") + 1)
    if not updated:
        IndexVersion.objects.get_or_create(id=1, defaults={"version": 1})


def current_index_version() -> int:
    row = IndexVersion.objects.filter(id=1).values_list("version", flat=True).first()
    return int(row or 0)


def visible_banks(principal: Principal) -> QuerySet[Bank]:
    require(principal, Permission.BANKS_READ)
    banks = Bank.objects.all()
    if principal.is_superuser:
        return banks
    return banks.filter(Q(organisation_id=principal.organisation_id) | Q(shared=True))


def get_bank(
    principal: Principal, name: str, *, write: bool = False, owner: bool = False, lock: bool = False
) -> Bank:
    """A bank the principal may see. ``owner``: its entries are wanted (sharing a bank lets
    others match against it, not read it); ``write``: it will be changed; ``lock``: hold
    its row until the transaction ends, so concurrent imports into it queue up."""
    banks = visible_banks(principal)
    if lock:
        banks = banks.select_for_update()
    bank = banks.filter(name=name).first()
    if bank is None:
        raise NotFound(f"No bank named {name!r}.")
    if (write or owner) and not can_see_organisation(principal, bank.organisation_id):
        raise Forbidden(
            "Only the organisation that owns this bank can read its entries or change it."
        )
    if write:
        require(principal, Permission.BANKS_WRITE)
    return bank


def create_bank(principal: Principal, name: str, **fields: Any) -> Bank:
    require(principal, Permission.BANKS_WRITE)
    unknown = set(fields) - set(BANK_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown bank field(s): {', '.join(sorted(unknown))}.")
    organisation = principal.organisation
    if organisation is None:
        raise InvalidInput("A bank belongs to an organisation; act on behalf of one.")
    fields.setdefault("pdq_threshold", settings.LINDUNG.default_pdq_threshold)
    bank = Bank(organisation=organisation, name=name, created_by=principal.actor, **fields)
    clean_or_invalid(bank)
    with transaction.atomic():
        save_or_conflict(bank, f"A bank named {name!r} already exists.")
        record(
            "bank.created",
            actor=principal.actor,
            organisation_id=organisation.pk,
            object_type="bank",
            object_id=bank.pk,
            data={"name": name, **fields},
        )
        bump_index_version()
    return bank


def update_bank(principal: Principal, name: str, **fields: Any) -> Bank:
    unknown = set(fields) - set(BANK_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown bank field(s): {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        bank = get_bank(principal, name, write=True)
        before = {k: getattr(bank, k) for k in fields}
        for key, value in fields.items():
            setattr(bank, key, value)
        clean_or_invalid(bank)
        bank.save()
        record(
            "bank.updated",
            actor=principal.actor,
            organisation_id=bank.organisation_id,
            object_type="bank",
            object_id=bank.pk,
            data={"before": before, "after": fields},
        )
        bump_index_version()
    return bank


def _entry_from_row(bank: Bank, row: BankRow, actor: str) -> BankEntry:
    return BankEntry(
        bank=bank,
        signal_type=row.signal_type.value,
        value=row.value,
        value_digest=value_digest(row.value),
        labels=list(row.labels),
        source=row.source,
        provenance=row.provenance,
        metadata=dict(row.metadata),
        added_by=row.added_by or actor,
        added_at=row.added_at or datetime.now(UTC),
        disabled=row.disabled,
    )


def add_entry(
    principal: Principal,
    bank_name: str,
    signal_type: str,
    value: str,
    *,
    labels: Sequence[str] = (),
    source: str = "",
    provenance: str = "",
    metadata: dict[str, str] | None = None,
) -> BankEntry:
    kind, normalised = parse_signal(signal_type, value)
    try:
        row = BankRow(
            signal_type=kind,
            value=normalised,
            labels=tuple(labels),
            source=source,
            provenance=provenance,
            metadata=dict(metadata or {}),
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    with transaction.atomic():
        bank = get_bank(principal, bank_name, write=True, lock=True)
        entry = _entry_from_row(bank, row, principal.actor)
        clean_or_invalid(entry, exclude=["bank"])
        save_or_conflict(entry, "This bank already holds that hash.")
        record(
            "bank_entry.added",
            actor=principal.actor,
            organisation_id=bank.organisation_id,
            object_type="bank_entry",
            object_id=entry.pk,
            data={"bank": bank.name, "signal_type": kind.value, "value_digest": entry.value_digest},
        )
        bump_index_version()
    return entry


def get_entry(principal: Principal, entry_id: int) -> BankEntry:
    entry = (
        BankEntry.objects.select_related("bank")
        .filter(pk=entry_id, bank__in=visible_banks(principal))
        .first()
    )
    if entry is None or not can_see_organisation(principal, entry.bank.organisation_id):
        raise NotFound(f"No bank entry {entry_id}.")
    return entry


def set_entry_disabled(principal: Principal, entry_id: int, disabled: bool) -> BankEntry:
    with transaction.atomic():
        entry = get_entry(principal, entry_id)
        get_bank(principal, entry.bank.name, write=True)
        if entry.disabled != disabled:
            entry.disabled = disabled
            entry.save(update_fields=["disabled", "updated_at"])
            record(
                "bank_entry.disabled" if disabled else "bank_entry.enabled",
                actor=principal.actor,
                organisation_id=entry.bank.organisation_id,
                object_type="bank_entry",
                object_id=entry.pk,
                data={"bank": entry.bank.name},
            )
            bump_index_version()
    return entry


@dataclass(frozen=True)
class ImportResult:
    bank: str
    added: int
    skipped_existing: int


def import_rows(
    principal: Principal, bank_name: str, rows: Iterable[BankRow], *, source_name: str = ""
) -> ImportResult:
    """Add rows to a bank in one transaction; hashes already in the bank are skipped.

    The rows were validated whole by :func:`lindung.detect.bankfile.read_bank_file`, so
    either every new row lands or (on any database error) none does.
    """
    rows = list(rows)
    with transaction.atomic():
        bank = get_bank(principal, bank_name, write=True, lock=True)
        existing = {
            (st, d)
            for st, d in BankEntry.objects.filter(bank=bank).values_list(
                "signal_type", "value_digest"
            )
        }
        new_entries: list[BankEntry] = []
        for row in rows:
            entry = _entry_from_row(bank, row, principal.actor)
            key = (entry.signal_type, entry.value_digest)
            if key in existing:
                continue
            existing.add(key)
            new_entries.append(entry)
        BankEntry.objects.bulk_create(new_entries, batch_size=IMPORT_BATCH)
        record(
            "bank.imported",
            actor=principal.actor,
            organisation_id=bank.organisation_id,
            object_type="bank",
            object_id=bank.pk,
            data={
                "bank": bank.name,
                "file": source_name,
                "rows": len(rows),
                "added": len(new_entries),
                "skipped_existing": len(rows) - len(new_entries),
            },
        )
        bump_index_version()
    return ImportResult(bank.name, len(new_entries), len(rows) - len(new_entries))


def export_rows(
    principal: Principal, bank_name: str, *, include_disabled: bool = False
) -> Iterator[BankRow]:
    bank = get_bank(principal, bank_name, owner=True)
    entries = BankEntry.objects.filter(bank=bank).order_by("id")
    if not include_disabled:
        entries = entries.filter(disabled=False)
    for entry in entries.iterator(chunk_size=IMPORT_BATCH):
        yield BankRow(
            signal_type=SignalType(entry.signal_type),
            value=entry.value,
            labels=tuple(entry.labels),
            source=entry.source,
            provenance=entry.provenance,
            added_by=entry.added_by,
            added_at=entry.added_at,
            disabled=entry.disabled,
            metadata={str(k): str(v) for k, v in entry.metadata.items()},
        )
