"""Conversation-level risk scoring (layer 4 of issue 3): each author's risk as the chat unfolds.

`ConversationScorer.score(conversation_id, messages)` sorts the messages by timestamp (stable;
a message without a timestamp keeps its place after the last timestamped message before it),
scores every message once with `pipeline.TextScorer.score_many`, then walks the conversation and
keeps, per author, a running score for each category. After each of the author's messages the
running scores are compared with the thresholds; the first message after which any category
reaches its threshold is the author's **early warning** (`early_warning_message_id`), which is
what lets a platform act while grooming is still in progress rather than only at the end.

Rules, per author:

* **Decayed evidence.** Message scores are folded into a running score with a decayed noisy-OR,
  ``R = 1 - (1 - DECAY * R) * (1 - s)``: repeated cues add up, older ones fade
  (``DECAY`` per message of that author), and a single cue is worth exactly its message score.
  This is the whole rule for ``sexual_content_minor``, ``bullying_harassment`` and ``self_harm``.
  The reported `scores` are each category's peak running score, consistent with the early warning.
* **Grooming is a process, not a phrase.** Grooming research describes a progression of stages:
  friendship forming and relationship forming (trust building), risk assessment (is the child
  alone, do the parents check the phone), exclusivity/secrecy, and sexual stages, often ending in
  a request to meet (O'Connell 2003, "A typology of child cybersexploitation and online grooming
  practices"; the PAN 2012 sexual predator identification task, Inches & Crestani 2012, framed
  detection the same way, over whole conversations rather than lines). Lexicon phrases carry
  stages (`lexicon.GROOMING_STAGES`); isolation and secrecy count as one phase, so there are four
  phases: trust building, isolation/secrecy, sexualisation, meeting. The stage score rises with
  the number of distinct phases seen (`STAGE_SCORES`) plus `ORDER_BONUS` when they appeared in
  the usual order. Age-probing questions ("how old are you", `AGE_PROBES`) in a conversation with
  another participant add `AGE_PROBE_WEIGHT` each (noisy-OR) and count as trust building. The
  grooming score is the noisy-OR of the stage score, the age-probe evidence and
  ``CUE_FACTOR`` x the decayed message evidence, and it stays below `GROOMING_CAP` (under the
  default threshold) until a sexualisation or meeting phase has been seen *together with* another
  phase: one rude message, or one "don't tell anyone" about a surprise party, never makes a
  conversation "grooming".
* **Sextortion is threat plus demand.** A threat (to share/post the victim's images) and a demand
  (money, gift cards, more pictures), from the lexicon's ``threat``/``demand`` stages or the
  patterns of `sextortion` (threats to expose to the victim's audience, possession claims, sums of
  money with a currency, e-wallets), must both come from the same author. Then the score is the
  noisy-OR of the strongest threat, the strongest demand, `SEXTORTION_BOOST` and the decayed
  evidence; until both have appeared it stays below `SEXTORTION_CAP`.

Reasons name the message they come from (`Reason.message_id`); "stage" and "pattern" reasons
explain the conversation-level rules. Constants are starting points for calibration on labelled
conversations (e.g. PAN12), not measured optima.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from lindung.detect.text.normalise import normalise
from lindung.detect.text.pipeline import (
    CATEGORIES,
    Reason,
    TextResult,
    TextScorer,
    check_thresholds,
    noisy_or,
    sextortion_reason,
)
from lindung.detect.text.sextortion import (
    CUE_WEIGHT,
    DEMAND_PATTERNS,
    SEXTORTION_BOOST,
    THREAT_PATTERNS,
    sextortion_cues,
)

__all__ = [
    "AGE_PROBES",
    "DEMAND_PATTERNS",
    "THREAT_PATTERNS",
    "AuthorRisk",
    "ConversationScorer",
    "Message",
]

#: Weight kept by the running evidence at each new message of the same author.
DECAY = 0.8
#: Share of the decayed message evidence that counts towards conversation-level grooming.
CUE_FACTOR = 0.5
#: Stage score by number of distinct grooming phases seen.
STAGE_SCORES: tuple[float, ...] = (0.0, 0.15, 0.4, 0.65, 0.8)
#: Added to the stage score (noisy-OR) when two or more phases appeared in the usual order.
ORDER_BONUS = 0.15
#: Grooming stays below this until sexualisation or meeting is seen with another phase.
GROOMING_CAP = 0.45
#: Evidence added by each age-probing question aimed at another participant.
AGE_PROBE_WEIGHT = 0.15
#: Boost when threat and demand both come from one author; cap until they do.
SEXTORTION_CAP = 0.45

_PHASE: dict[str, int] = {
    "trust_building": 1,
    "isolation": 2,
    "secrecy": 2,
    "sexualisation": 3,
    "meeting": 4,
}
_CONTACT_PHASES = frozenset({3, 4})

# Patterns run on the normalised text (case-folded, leetspeak decoded, diacritics stripped).
#: Questions about the other person's age or school year, in the covered languages.
AGE_PROBES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"\bhow old (are|r) (you|u|ya)\b",
        r"\b(what|wat) grade (are|r) (you|u)\b",
        r"\b(you|u) (are|r) (like )?(1[0-7]|[89])\b",
        r"\basl\b",
        r"\b(awak|kamu|kau|ko) umur berapa\b|\bumur (awak|kamu|kau|ko) berapa\b",
        r"\bberapa umur (awak|kamu|kau|ko)\b|\busia (kamu|awak) berapa\b",
        r"\bilang taon ka\b|\bilang taon (ka )?na\b",
        r"\b(em|ban) bao nhieu tuoi\b",
        r"อายุเท่าไ",
        r"អាយុប៉ុន្មាន",
        r"ອາຍຸຈັກປີ|ອາຍຸເທົ່າໃດ",
        r"အသက်ဘယ်လောက်",
        r"\bo tinan hira\b|\bidade hira\b",
    )
)


@dataclass(frozen=True)
class Message:
    """One chat message. `timestamp` naive values are taken as UTC."""

    id: str
    author: str
    text: str
    timestamp: datetime | None = None


@dataclass(frozen=True)
class AuthorRisk:
    """One author's risk over a conversation, with the early-warning message."""

    conversation_id: str
    author: str
    scores: dict[str, float]
    labels: list[str]
    stages: list[str]
    early_warning_message_id: str | None
    early_warning_category: str | None
    messages: int
    reasons: list[Reason]

    def to_dict(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "author": self.author,
            "scores": {c: round(s, 4) for c, s in self.scores.items()},
            "labels": list(self.labels),
            "stages": list(self.stages),
            "early_warning_message_id": self.early_warning_message_id,
            "early_warning_category": self.early_warning_category,
            "messages": self.messages,
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass
class _AuthorState:
    messages: int = 0
    running: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0.0))
    peak: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0.0))
    stages: list[str] = field(default_factory=list)
    age_probes: int = 0
    threat: float = 0.0
    demand: float = 0.0
    threat_id: str | None = None
    demand_id: str | None = None
    early_id: str | None = None
    early_category: str | None = None
    reasons: list[Reason] = field(default_factory=list)


def _utc(ts: datetime) -> datetime:
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def _order(messages: Sequence[Message]) -> list[int]:
    """Stable sort by timestamp; an untimed message sorts with the last timed one before it."""
    keys: list[datetime] = []
    last = datetime.min.replace(tzinfo=UTC)
    for m in messages:
        if m.timestamp is not None:
            last = _utc(m.timestamp)
        keys.append(last)
    return sorted(range(len(messages)), key=lambda i: keys[i])


def _check(messages: Sequence[Message]) -> None:
    if isinstance(messages, str | bytes) or not isinstance(messages, Sequence):
        raise TypeError("messages must be a sequence of Message")
    for i, m in enumerate(messages):
        if not isinstance(m, Message):
            raise TypeError(f"message {i} must be a Message, not {type(m).__name__}")
        if not isinstance(m.text, str):
            raise TypeError(f"message {m.id!r}: text must be a string")
        if not isinstance(m.author, str) or not m.author:
            raise ValueError(f"message {m.id!r}: author must be a non-empty string")
        if m.timestamp is not None and not isinstance(m.timestamp, datetime):
            raise TypeError(f"message {m.id!r}: timestamp must be a datetime or None")


class ConversationScorer:
    """Scores each author of a conversation (see module docstring)."""

    def __init__(
        self, scorer: TextScorer | None = None, thresholds: Mapping[str, float] | None = None
    ) -> None:
        self.scorer = scorer if scorer is not None else TextScorer()
        self.thresholds = check_thresholds(thresholds, self.scorer.thresholds)

    def score(
        self,
        conversation_id: str,
        messages: Sequence[Message],
        thresholds: Mapping[str, float] | None = None,
        results: Sequence[TextResult] | None = None,
    ) -> list[AuthorRisk]:
        """One `AuthorRisk` per author, in order of each author's first message.

        ``results``: the messages' own scores (same order as ``messages``, same thresholds),
        when the caller has already computed them, so no message is scored twice.
        """
        _check(messages)
        limits = check_thresholds(thresholds, self.thresholds)
        order = _order(messages)
        ordered = [messages[i] for i in order]
        if results is None:
            results = self.scorer.score_many([m.text for m in ordered], limits)
        else:
            if len(results) != len(messages):
                raise ValueError("results must hold one TextResult per message")
            results = [results[i] for i in order]
        several_authors = len({m.author for m in ordered}) > 1
        states: dict[str, _AuthorState] = {}
        for message, result in zip(ordered, results, strict=True):
            state = states.setdefault(message.author, _AuthorState())
            self._update(state, message, result, several_authors, limits)
        return [
            AuthorRisk(
                conversation_id=conversation_id,
                author=author,
                scores=dict(state.peak),
                labels=[c for c in CATEGORIES if state.peak[c] > 0 and state.peak[c] >= limits[c]],
                stages=list(state.stages),
                early_warning_message_id=state.early_id,
                early_warning_category=state.early_category,
                messages=state.messages,
                reasons=state.reasons,
            )
            for author, state in states.items()
        ]

    # --- one message -------------------------------------------------------------------------

    def _update(
        self,
        state: _AuthorState,
        message: Message,
        result: TextResult,
        several_authors: bool,
        limits: Mapping[str, float],
    ) -> None:
        state.messages += 1
        for reason in result.reasons:
            state.reasons.append(_with_message(reason, message.id))
        for category in CATEGORIES:
            state.running[category] = 1.0 - (1.0 - DECAY * state.running[category]) * (
                1.0 - result.scores[category]
            )

        new_stages = result.stages("grooming")
        patterned = normalise(message.text).text if message.text.strip() else ""
        if several_authors and patterned and any(p.search(patterned) for p in AGE_PROBES):
            state.age_probes += 1
            state.reasons.append(
                Reason(
                    category="grooming",
                    kind="pattern",
                    detail="age-probing question to another participant",
                    weight=AGE_PROBE_WEIGHT,
                    quote=message.text,
                    message_id=message.id,
                )
            )
            new_stages.append("trust_building")
        for stage in new_stages:
            if stage not in state.stages:
                state.stages.append(stage)
                state.reasons.append(
                    Reason(
                        category="grooming",
                        kind="stage",
                        detail=f"grooming stage {stage!r} first seen",
                        weight=0.0,
                        stage=stage,
                        message_id=message.id,
                    )
                )

        self._sextortion_cues(state, message, result, patterned)

        conversation = dict(state.running)
        conversation["grooming"] = self._grooming(state)
        conversation["sextortion"] = self._sextortion(state)
        crossed: list[tuple[float, str]] = []
        for category in CATEGORIES:
            value = conversation[category]
            if value > state.peak[category]:
                state.peak[category] = value
            if value > 0 and value >= limits[category]:
                crossed.append((value - limits[category], category))
        if crossed and state.early_id is None:
            state.early_id = message.id
            state.early_category = max(crossed)[1]
            state.reasons.append(
                Reason(
                    category=state.early_category,
                    kind="stage",
                    detail=(
                        f"early warning: running {state.early_category} score "
                        f"{conversation[state.early_category]:.2f} reached threshold "
                        f"{limits[state.early_category]:g} at this message"
                    ),
                    weight=conversation[state.early_category],
                    message_id=message.id,
                )
            )

    @staticmethod
    def _sextortion_cues(
        state: _AuthorState, message: Message, result: TextResult, text: str
    ) -> None:
        # lexicon phrases with a threat/demand stage, and the message's own pattern reasons
        # (given when one message holds both halves), are already in `result.reasons`
        threat = max((r.weight for r in result.reasons if r.stage == "threat"), default=0.0)
        demand = max((r.weight for r in result.reasons if r.stage == "demand"), default=0.0)
        reported = {r.stage for r in result.reasons if r.kind == "pattern"}
        for kind, quote in sextortion_cues(text, message.text):
            if kind in reported:
                continue
            state.reasons.append(
                sextortion_reason(kind, quote, "over the conversation", message.id)
            )
            if kind == "threat":
                threat = max(threat, CUE_WEIGHT)
            else:
                demand = max(demand, CUE_WEIGHT)
        if threat > state.threat:
            state.threat, state.threat_id = threat, state.threat_id or message.id
        if demand > state.demand:
            state.demand, state.demand_id = demand, state.demand_id or message.id

    @staticmethod
    def _grooming(state: _AuthorState) -> float:
        phases = [_PHASE[s] for s in state.stages if s in _PHASE]
        distinct = list(dict.fromkeys(phases))
        stage_score = STAGE_SCORES[min(len(distinct), len(STAGE_SCORES) - 1)]
        if len(distinct) >= 2 and distinct == sorted(distinct):
            stage_score = noisy_or((stage_score, ORDER_BONUS))
        age = noisy_or([AGE_PROBE_WEIGHT] * state.age_probes)
        score = noisy_or((stage_score, age, CUE_FACTOR * state.running["grooming"]))
        if not (len(distinct) >= 2 and _CONTACT_PHASES.intersection(distinct)):
            score = min(score, GROOMING_CAP)
        return score

    @staticmethod
    def _sextortion(state: _AuthorState) -> float:
        evidence = state.running["sextortion"]
        if state.threat > 0 and state.demand > 0:
            return noisy_or((state.threat, state.demand, SEXTORTION_BOOST, evidence))
        return min(evidence, SEXTORTION_CAP)


def _with_message(reason: Reason, message_id: str) -> Reason:
    return replace(reason, message_id=message_id)
