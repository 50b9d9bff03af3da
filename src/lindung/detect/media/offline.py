"""Matching media against a bank file with no server and no database (``lindung match``).

The same decisions as the scan API, minus policy: exact hashes by equality, PDQ within a
distance (optionally over the eight dihedral variants), videos by vPDQ frame overlap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lindung.detect.bankfile import BankRow
from lindung.detect.media.hashing import PDQ_MIN_QUALITY, MediaHashes
from lindung.detect.media.index import PdqIndex
from lindung.detect.media.video import VideoFrameHash, frames_from_vpdq_text, match_video
from lindung.detect.signals import SignalType


@dataclass(frozen=True)
class OfflineMatch:
    row_number: int
    signal_type: SignalType
    value: str
    distance: int
    labels: tuple[str, ...]
    details: dict[str, float | str] = field(default_factory=dict)


class OfflineBank:
    """An in-memory bank built from :class:`BankRow` values (disabled rows are ignored)."""

    def __init__(self, rows: Sequence[BankRow]) -> None:
        self.rows = list(rows)
        pdq_rows = [
            i for i, r in enumerate(self.rows) if not r.disabled and r.signal_type is SignalType.PDQ
        ]
        self._pdq_rows = np.asarray(pdq_rows, dtype=np.int64)
        self._pdq = PdqIndex([self.rows[i].value for i in pdq_rows])
        self._exact: dict[tuple[SignalType, str], list[int]] = defaultdict(list)
        self._videos: list[tuple[int, list[VideoFrameHash]]] = []
        for i, row in enumerate(self.rows):
            if row.disabled:
                continue
            if row.signal_type.is_exact:
                self._exact[(row.signal_type, row.value)].append(i)
            elif row.signal_type is SignalType.VPDQ:
                self._videos.append((i, frames_from_vpdq_text(row.value)))

    def match(
        self,
        media: MediaHashes,
        *,
        max_distance: int = 31,
        match_low_quality: bool = False,
        video_query_percent: float = 80.0,
        video_compared_percent: float = 0.0,
    ) -> list[OfflineMatch]:
        found: dict[int, OfflineMatch] = {}

        def keep(m: OfflineMatch) -> None:
            old = found.get(m.row_number)
            if old is None or m.distance < old.distance:
                found[m.row_number] = m

        for kind, value in ((SignalType.MD5, media.md5), (SignalType.SHA256, media.sha256)):
            for i in self._exact.get((kind, value), []):
                keep(OfflineMatch(i + 1, kind, value, 0, self.rows[i].labels))
        queries = []
        if media.pdq is not None and (match_low_quality or media.pdq.quality >= PDQ_MIN_QUALITY):
            queries.append(("original", media.pdq.hex))
            queries += [(f"dihedral-{n}", h.hex) for n, h in enumerate(media.dihedral)]
        if queries and len(self._pdq):
            results = self._pdq.search([h for _, h in queries], max_distance=max_distance)
            for (variant, _), hits in zip(queries, results, strict=True):
                for position, distance in hits:
                    i = int(self._pdq_rows[position])
                    row = self.rows[i]
                    keep(
                        OfflineMatch(
                            i + 1,
                            SignalType.PDQ,
                            row.value,
                            distance,
                            row.labels,
                            {"variant": variant},
                        )
                    )
        if media.frames:
            for i, frames in self._videos:
                score = match_video(list(media.frames), frames)
                if (
                    score.query_match_percent >= video_query_percent
                    and score.compared_match_percent >= video_compared_percent
                ):
                    keep(
                        OfflineMatch(
                            i + 1,
                            SignalType.VPDQ,
                            "",
                            round(100 - score.query_match_percent),
                            self.rows[i].labels,
                            {
                                "query_match_percent": round(score.query_match_percent, 2),
                                "compared_match_percent": round(score.compared_match_percent, 2),
                            },
                        )
                    )
        return sorted(found.values(), key=lambda m: (m.distance, m.row_number))
