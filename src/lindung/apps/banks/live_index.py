"""The in-memory match index each worker holds, rebuilt from the database when banks change.

Why this shape: the scan API must stay stateless and fast, so every worker keeps an
immutable :class:`Snapshot` (PDQ index, exact-hash table, video frames) built from the
database. A cheap version check (one row, at most every ``refresh_seconds``) notices
changes; a background thread builds the next snapshot while queries keep using the old
one, then swaps a single reference. Disabling an entry or a bank takes effect at once
anyway, because matches are re-read from the database before they are returned.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import close_old_connections

from lindung.apps.banks.models import BankEntry
from lindung.apps.banks.services import current_index_version
from lindung.detect.media.index import PdqIndex
from lindung.detect.media.video import VideoFrameHash, frames_from_vpdq_text
from lindung.detect.signals import SignalType

log = logging.getLogger(__name__)

BUILD_CHUNK = 20_000
#: After a failed background build, wait this long before reading the whole bank again.
FAILED_BUILD_BACKOFF_SECONDS = 30.0


@dataclass(frozen=True)
class Hit:
    """A raw index hit, before the database confirms the entry is still live."""

    entry_id: int
    bank_id: int
    distance: int


@dataclass(frozen=True)
class VideoEntry:
    entry_id: int
    bank_id: int
    frames: tuple[VideoFrameHash, ...]


@dataclass(frozen=True)
class Snapshot:
    version: int
    built_at: float
    pdq_index: PdqIndex
    pdq_entry_ids: np.ndarray
    pdq_bank_ids: np.ndarray
    exact: dict[tuple[str, str], list[tuple[int, int]]]
    videos: tuple[VideoEntry, ...]
    video_frame_index: PdqIndex
    video_frame_owner: np.ndarray
    counts: dict[str, int] = field(default_factory=dict)

    def lookup_pdq(self, hexes: Sequence[str], max_distance: int) -> list[list[Hit]]:
        hits: list[list[Hit]] = [[] for _ in hexes]
        if not hexes or len(self.pdq_index) == 0:
            return hits
        q, pos, dist = self.pdq_index.search_array(list(hexes), max_distance=max_distance)
        for qi, p, d in zip(q.tolist(), pos.tolist(), dist.tolist(), strict=True):
            hits[qi].append(Hit(int(self.pdq_entry_ids[p]), int(self.pdq_bank_ids[p]), d))
        return hits

    def lookup_exact(self, signal_type: SignalType, value: str) -> list[Hit]:
        return [Hit(e, b, 0) for e, b in self.exact.get((signal_type.value, value), [])]

    def video_candidates(self, frame_hexes: Sequence[str], max_distance: int) -> list[VideoEntry]:
        """Videos sharing at least one near frame with the query; scored by the caller."""
        if not frame_hexes or len(self.video_frame_index) == 0:
            return []
        _, pos, _ = self.video_frame_index.search_array(
            list(frame_hexes), max_distance=max_distance
        )
        owners = np.unique(self.video_frame_owner[pos])
        return [self.videos[int(i)] for i in owners]


def build_snapshot(version: int | None = None) -> Snapshot:
    """Read every live entry of every enabled bank; bank visibility is applied at query time."""
    if version is None:
        version = current_index_version()
    pdq_hex: list[str] = []
    pdq_entries: list[int] = []
    pdq_banks: list[int] = []
    exact: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    videos: list[VideoEntry] = []
    rows = (
        BankEntry.objects.filter(disabled=False, bank__enabled=True)
        .order_by()
        .values_list("id", "bank_id", "signal_type", "value")
    )
    for entry_id, bank_id, signal_type, value in rows.iterator(chunk_size=BUILD_CHUNK):
        if signal_type == SignalType.PDQ:
            pdq_hex.append(value)
            pdq_entries.append(entry_id)
            pdq_banks.append(bank_id)
        elif signal_type == SignalType.VPDQ:
            try:
                frames = tuple(frames_from_vpdq_text(value))
            except ValueError:
                log.warning("bank entry %s holds an unreadable vPDQ value; skipped", entry_id)
                continue
            videos.append(VideoEntry(entry_id, bank_id, frames))
        else:
            exact[(signal_type, value)].append((entry_id, bank_id))
    frame_hex = [f.pdq for v in videos for f in v.frames]
    frame_owner = np.fromiter(
        (i for i, v in enumerate(videos) for _ in v.frames), dtype=np.int64, count=len(frame_hex)
    )
    return Snapshot(
        version=version,
        built_at=time.time(),
        pdq_index=PdqIndex(pdq_hex),
        pdq_entry_ids=np.asarray(pdq_entries, dtype=np.int64),
        pdq_bank_ids=np.asarray(pdq_banks, dtype=np.int64),
        exact=dict(exact),
        videos=tuple(videos),
        video_frame_index=PdqIndex(frame_hex),
        video_frame_owner=frame_owner,
        counts={
            "pdq": len(pdq_hex),
            "exact": sum(len(v) for v in exact.values()),
            "vpdq": len(videos),
        },
    )


class LiveIndex:
    """Holds the current snapshot and replaces it when the database's index version moves.

    ``background=False`` rebuilds inline (tests, the CLI); ``True`` keeps serving the old
    snapshot while a thread builds the new one, so queries never wait on a rebuild.
    """

    def __init__(self, refresh_seconds: float = 1.0, background: bool = True) -> None:
        self.refresh_seconds = refresh_seconds
        self.background = background
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._building = False
        self._last_check = 0.0
        self._retry_after = 0.0

    def snapshot(self) -> Snapshot:
        current = self._snapshot
        if current is None:
            with self._lock:
                if self._snapshot is None:
                    self._snapshot = build_snapshot()
                    self._last_check = time.monotonic()
                return self._snapshot
        now = time.monotonic()
        if now - self._last_check >= self.refresh_seconds and now >= self._retry_after:
            self._last_check = now
            version = current_index_version()
            if version != current.version:
                if self.background:
                    self._start_background_build(version)
                else:
                    self.refresh()
                    return self._snapshot or current
        return current

    def refresh(self) -> Snapshot:
        """Rebuild now and swap; used after bulk imports and by tests."""
        snap = build_snapshot()
        self._snapshot = snap
        return snap

    def _start_background_build(self, version: int) -> None:
        with self._lock:
            if self._building:
                return
            self._building = True

        def run() -> None:
            try:
                snap = build_snapshot(version)
                self._snapshot = snap
                log.info("match index rebuilt at version %s: %s", version, snap.counts)
            except Exception:
                log.exception(
                    "match index rebuild failed; still serving the previous one, retrying in %ss",
                    FAILED_BUILD_BACKOFF_SECONDS,
                )
                self._retry_after = time.monotonic() + FAILED_BUILD_BACKOFF_SECONDS
            finally:
                close_old_connections()
                self._building = False

        threading.Thread(target=run, name="lindung-index-build", daemon=True).start()


_live: LiveIndex | None = None
_live_lock = threading.Lock()


def live_index() -> LiveIndex:
    """The process-wide live index, configured from settings on first use."""
    global _live
    if _live is None:
        with _live_lock:
            if _live is None:
                from django.conf import settings

                cfg = settings.LINDUNG
                _live = LiveIndex(
                    refresh_seconds=cfg.index_refresh_seconds,
                    background=getattr(settings, "LINDUNG_INDEX_BACKGROUND", True),
                )
    return _live


def reset_live_index() -> None:
    """Forget the process-wide index (tests use a fresh one per database)."""
    global _live
    with _live_lock:
        _live = None
