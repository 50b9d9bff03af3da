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


def test_expected_head_mismatch_is_detected() -> None:
    _write(2)
    assert verify(expected_head=verify().head_hash).ok
    assert not verify(expected_head="f" * 64).ok


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
