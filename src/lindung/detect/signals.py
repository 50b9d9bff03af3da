"""Types shared by every detector, so callers never depend on one detector's internals.

A detector turns content into :class:`Signal` values (a hash, a score); matching a
signal against a bank gives :class:`Match` values; policy turns matches into a
:class:`Verdict`. These are plain frozen dataclasses so they cross process, JSON and
Django boundaries without surprises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class SignalType(StrEnum):
    """Kinds of hash a bank can hold. Names follow python-threatexchange where it has one."""

    PDQ = "pdq"
    MD5 = "md5"
    SHA256 = "sha256"
    VPDQ = "vpdq"

    @property
    def is_exact(self) -> bool:
        """Exact hashes match only on equality; perceptual ones match within a distance."""
        return self in (SignalType.MD5, SignalType.SHA256)


class Action(StrEnum):
    """What policy says to do with content; ordered from least to most severe."""

    IGNORE = "ignore"
    REVIEW = "review"
    BLOCK_REPORT = "block_report"

    @property
    def severity(self) -> int:
        return _ACTION_SEVERITY[self]


_ACTION_SEVERITY = {Action.IGNORE: 0, Action.REVIEW: 1, Action.BLOCK_REPORT: 2}


@dataclass(frozen=True, slots=True)
class Signal:
    """One hash of one piece of content.

    ``quality`` is PDQ's 0-100 quality score (``None`` for exact hashes); Meta advises
    not to trust PDQ hashes below 50 because flat images collide.
    """

    signal_type: SignalType
    value: str
    quality: int | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """A bank entry that a query signal matched, with everything a reviewer needs to judge it."""

    bank: str
    entry_id: int
    signal_type: SignalType
    value: str
    distance: int
    labels: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    allow_list: bool = False
    action: Action = Action.REVIEW


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision policy reached for one piece of content, and why."""

    action: Action
    reasons: tuple[str, ...] = ()
    matches: tuple[Match, ...] = ()
    suppressed: tuple[Match, ...] = ()
