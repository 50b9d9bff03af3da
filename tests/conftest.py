"""Shared fixtures: every test gets a fresh, synchronous live index (no background threads,
which could not see the per-test database)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _synchronous_live_index(request: pytest.FixtureRequest) -> Iterator[None]:
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker(
        "django_db"
    ):
        yield
        return
    from lindung.apps.banks import live_index as li

    li._live = li.LiveIndex(refresh_seconds=0.0, background=False)
    yield
    li.reset_live_index()


@pytest.fixture
def intake_settings(settings: Any, tmp_path: Any) -> Any:
    """A private evidence vault and key for one test, so no test sees another's files."""
    import dataclasses

    from lindung.apps.intake import runtime
    from lindung.apps.intake.vault import generate_key_entry

    settings.LINDUNG = dataclasses.replace(
        settings.LINDUNG,
        evidence_dir=tmp_path / "evidence",
        vault_keys=generate_key_entry("test1"),
        intake_organisation="",
    )
    runtime.reset()
    yield settings.LINDUNG
    runtime.reset()
