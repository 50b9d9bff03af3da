"""Tests for lindung.detect.text.sextortion: the literal gate must never change a result."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.detect.text import sextortion
from lindung.detect.text.sextortion import (
    DEMAND_PATTERNS,
    EXPOSURE_PATTERNS,
    MONEY_PATTERNS,
    THREAT_PATTERNS,
    money_text,
    required_literals,
    sextortion_cues,
)


def _ungated_cues(normalised: str, original: str) -> list[tuple[str, str]]:
    """`sextortion_cues` as it was before the gate: every pattern searched in order."""
    found: list[tuple[str, str]] = []
    threat = next(
        (m for p in THREAT_PATTERNS + EXPOSURE_PATTERNS if (m := p.search(normalised))), None
    )
    if threat is not None:
        found.append(("threat", threat.group()))
    demand = next((m for p in DEMAND_PATTERNS if (m := p.search(normalised))), None)
    if demand is None and original.strip():
        money = money_text(original)
        demand = next((m for p in MONEY_PATTERNS if (m := p.search(money))), None)
    if demand is not None:
        found.append(("demand", demand.group()))
    return found


@pytest.mark.parametrize(
    ("alternation", "expected"),
    [
        ("parents?|mom|orang ?tua", ("parent", "mom", "orang")),
        ("kasih (liat|lihat)|upload", ("kasih ", "upload")),
        ("goes? to|will see", ("goe", "will see")),
        ("i-?send|cash ?app|screen ?recorded", ("send", "cash", "recorded")),
        (r"\bsend|.{0,3}x|a{2}", ("", "", "")),
        ("ส่ง|ปล่อย", ("ส่ง", "ปล่อย")),
    ],
)
def test_required_literals(alternation: str, expected: tuple[str, ...]) -> None:
    assert required_literals(alternation) == expected


def test_every_gated_word_has_a_required_literal() -> None:
    """An alternative without one would make its pattern run on every message (still correct,
    but the gate would be useless): every word list in the module must give one."""
    groups = [g for pattern_groups in sextortion._THREAT_GROUPS for g in pattern_groups]
    groups += [g for pattern_groups in sextortion._DEMAND_GROUPS for g in pattern_groups]
    for verbs, audience in (
        *sextortion._EXPOSURE_WORDS.values(),
        *sextortion._EXPOSURE_WORDS_SPACELESS.values(),
    ):
        groups += [verbs, audience]
    for group in groups:
        assert all(required_literals(group)), group
    assert not sextortion._GATE._always
    assert len(sextortion._GATE._needed) == len(sextortion._GATED_PATTERNS)


def _words_of(alternation: str) -> list[str]:
    """Rough spellings of an alternation's words (optional parts both kept and dropped)."""
    out = []
    for alternative in alternation.split("|"):
        out.append(re.sub(r"[()?\\]", "", alternative))
        out.append(re.sub(r".\?|[()\\]", "", alternative))
    return out


_VOCABULARY = sorted(
    {
        word
        for verbs, audience in (
            *sextortion._EXPOSURE_WORDS.values(),
            *sextortion._EXPOSURE_WORDS_SPACELESS.values(),
        )
        for word in _words_of(verbs) + _words_of(audience)
    }
    | {
        word
        for pattern_groups in sextortion._THREAT_GROUPS + sextortion._DEMAND_GROUPS
        for group in pattern_groups
        for word in _words_of(group)
    }
    | {"i'll", "i will", "gonna", "i", "your", "me", "the", "to", "or", "$", "rm", "500", "₱"}
    | {
        "usd",
        "baht",
        "บาท",
        "ringgit",
        "10",
        "1,000",
        "lol",
        "ok",
        "x",
        "y",
        "๕๐๐",
        "\uff32\uff4d\uff15\uff10\uff10",
    }
)
_messages = st.lists(st.sampled_from(_VOCABULARY), max_size=12).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(_messages)
def test_the_gate_never_changes_a_result(text: str) -> None:
    # the vocabulary is already lower case; the text serves as its own normalised form
    assert sextortion_cues(text, text) == _ungated_cues(text, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("rmRM$usdUSD0123456789 .,kK₱฿bahtBAHT"))))
def test_money_fast_path_matches_money_text(text: str) -> None:
    assert sextortion_cues("", text) == _ungated_cues("", text)


@pytest.mark.parametrize(
    "text",
    [
        "i'll send your pics to your parents",
        "i recorded our video call",
        "send me more nudes",
        "buy me a steam card",
        "sebarin foto kamu",
        "aku akan sebar ke keluarga",
        "ส่งให้พ่อแม่ดู",
    ],
)
def test_gated_patterns_still_fire(text: str) -> None:
    assert sextortion_cues(text, text), text
    assert sextortion_cues(text, text) == _ungated_cues(text, text)
