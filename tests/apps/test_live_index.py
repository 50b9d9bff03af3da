"""The live index rebuilds in the background while queries keep being answered."""

from __future__ import annotations

import secrets
import time

import pytest

from lindung.apps.banks import services
from lindung.apps.banks.live_index import LiveIndex
from tests.apps.conftest import OPERATOR, org_principal

pytestmark = pytest.mark.django_db(transaction=True)


def test_background_rebuild_swaps_in_new_entries() -> None:
    from lindung.apps.accounts.services import create_organisation

    org = create_organisation(OPERATOR, "Live Org", "platform", "VN")
    principal = org_principal(org)
    services.create_bank(principal, "LIVE")
    first = secrets.token_hex(32)
    services.add_entry(principal, "LIVE", "pdq", first)

    index = LiveIndex(refresh_seconds=0.0, background=True)
    old = index.snapshot()
    assert old.counts["pdq"] == 1

    second = secrets.token_hex(32)
    services.add_entry(principal, "LIVE", "pdq", second)
    # The first call after the change still answers from the old snapshot...
    assert index.snapshot() is old
    assert old.lookup_pdq([second], 0) == [[]]
    # ...and within seconds the rebuilt one is swapped in.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and index.snapshot().counts["pdq"] != 2:
        time.sleep(0.05)
    new = index.snapshot()
    assert new.counts["pdq"] == 2
    assert [h.distance for h in new.lookup_pdq([second], 0)[0]] == [0]
    assert new.version == services.current_index_version()


def test_snapshot_groups_signal_types() -> None:
    from lindung.apps.accounts.services import create_organisation

    org = create_organisation(OPERATOR, "Group Org", "hotline", "PH")
    principal = org_principal(org)
    services.create_bank(principal, "MIXED")
    md5 = secrets.token_hex(16)
    services.add_entry(principal, "MIXED", "md5", md5)
    services.add_entry(principal, "MIXED", "sha256", secrets.token_hex(32))
    entry = services.add_entry(principal, "MIXED", "pdq", secrets.token_hex(32))
    services.set_entry_disabled(principal, entry.pk, True)
    snap = LiveIndex(refresh_seconds=0.0, background=False).snapshot()
    assert snap.counts == {"pdq": 0, "exact": 2, "vpdq": 0}
    from lindung.detect.signals import SignalType

    assert len(snap.lookup_exact(SignalType.MD5, md5)) == 1
