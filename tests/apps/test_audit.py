"""The audit chain detects edits, deletions and truncation, and refuses ORM changes."""

from __future__ import annotations

import pytest
from django.db import connection

from lindung.apps.audit.models import AppendOnlyError, AuditEntry
from lindung.apps.audit.services import record, verify

pytestmark = pytest.mark.django_db


def _write(n: int = 5) -> list[AuditEntry]:
    return [
        record(
            "test.event", actor="test", object_type="thing", object_id=i, data={"i": i, "ü": "ā"}
        )
        for i in range(n)
    ]


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_intact_chain_verifies() -> None:
    entries = _write()
    result = verify()
    assert result.ok, result.problems
    assert result.checked == 5
    assert result.head_hash == entries[-1].entry_hash
    assert entries[1].prev_hash == entries[0].entry_hash


def test_empty_log_verifies() -> None:
    assert verify().ok


def test_edited_entry_is_detected() -> None:
    entries = _write()
    _raw(
        f"UPDATE {AuditEntry._meta.db_table} SET actor = %s WHERE seq = %s",
        ["mallory", entries[2].seq],
    )
    result = verify()
    assert not result.ok
    assert any("entry 3 was modified" in p for p in result.problems)


def test_edited_data_is_detected() -> None:
    entries = _write()
    _raw(
        f"UPDATE {AuditEntry._meta.db_table} SET data = %s WHERE seq = %s",
        ['{"i": 99}', entries[0].seq],
    )
    assert any("entry 1 was modified" in p for p in verify().problems)


def test_deleted_middle_entry_is_detected() -> None:
    entries = _write()
    _raw(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = %s", [entries[2].seq])
    problems = verify().problems
    assert any("missing" in p for p in problems)
    assert any("does not link" in p for p in problems)


def test_truncated_tail_is_detected() -> None:
    entries = _write()
    _raw(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = %s", [entries[-1].seq])
    assert any("head records entry 5" in p for p in verify().problems)


def test_anchor_survives_appends_and_reveals_rewrites() -> None:
    entries = _write(2)
    anchor = f"{entries[-1].seq}:{entries[-1].entry_hash}"
    _write(3)
    assert verify(anchor=anchor).ok
    assert not verify(anchor=f"{entries[-1].seq}:{'f' * 64}").ok
    assert any("not in the log" in p for p in verify(anchor=f"99:{'a' * 64}").problems)
    with pytest.raises(ValueError):
        verify(anchor="nonsense")


def test_entries_appended_during_verify_are_not_tampering(monkeypatch) -> None:
    from lindung.apps.audit import services

    _write(2)
    real_iter = AuditEntry.objects.filter

    def filter_then_append(*args, **kwargs):  # an append lands between head read and walk
        qs = real_iter(*args, **kwargs)
        record("test.late", actor="test")
        return qs

    monkeypatch.setattr(services.AuditEntry.objects, "filter", filter_then_append)
    assert services.verify().ok


def test_floats_in_data_survive_the_database() -> None:
    record("test.float", actor="t", data={"score": 1e16, "ratio": 0.1, "n": [1.5, 2]})
    assert verify().ok


def test_record_refuses_to_run_outside_a_transaction(monkeypatch) -> None:
    from django.db import transaction

    monkeypatch.setattr(transaction.get_connection(), "in_atomic_block", False)
    with pytest.raises(RuntimeError):
        record("test.loose", actor="t")


def test_orm_refuses_update_and_delete() -> None:
    entry = _write(1)[0]
    entry.actor = "mallory"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(actor="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert verify().ok
