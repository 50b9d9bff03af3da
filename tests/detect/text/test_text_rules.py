"""Co-occurrence rules: parsing, matching in either order within a window, scripts, pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from lindung.detect.text.lexicon import Lexicon
from lindung.detect.text.pipeline import TextScorer
from lindung.detect.text.rules import HEADER, RuleError, RuleSet

HEAD = "\t".join(HEADER)


def rules_file(tmp_path: Path, *lines: str, name: str = "en.test.tsv") -> Path:
    path = tmp_path / name
    path.write_text("# invented test rules\n" + HEAD + "\n" + "\n".join(lines) + "\n")
    return path


@pytest.fixture
def ruleset(tmp_path: Path) -> RuleSet:
    return RuleSet.from_files(
        [
            rules_file(
                tmp_path,
                "unclothed\tsexual_content_minor\t0.7\t\tsend|show|take\t"
                "without clothes|shirt off|naked\t30\trequest + undressing\treview",
                "cam\tsexual_content_minor\t0.4\t\tcam|camera\toff|naked\t10\t\treview",
            ),
            rules_file(
                tmp_path,
                "th_send_naked\tsexual_content_minor\t0.7\t\tส่ง\tไม่ใส่เสื้อ\t20\t\treview",
                name="th.test.tsv",
            ),
        ],
        include_default=False,
    )


@pytest.mark.parametrize(
    "text",
    [
        "send me a pic without clothes",
        "without clothes, just send it",  # either order
        "TAKE it... sh1rt off pls",  # normalised like messages
        "ส่งรูปที่ไม่ใส่เสื้อมาหน่อย",  # Thai: no spaces, matches inside words
    ],
)
def test_two_sides_within_the_window(ruleset: RuleSet, text: str) -> None:
    [hit] = [h for h in ruleset.match(text) if h.weight == 0.7]
    assert hit.source == "rule" and hit.category == "sexual_content_minor"
    assert hit.text_in_original in text
    assert hit.text_in_original == text[hit.span_in_original[0] : hit.span_in_original[1]]


@pytest.mark.parametrize(
    "text",
    [
        "send me the homework photo",  # one side only
        "send it now. " + "and then we talked about school " * 3 + "shirt off",  # too far
        "resend the naked-eye astronomy notes",  # "send" inside "resend": word boundary
    ],
)
def test_no_hit(ruleset: RuleSet, text: str) -> None:
    assert [h for h in ruleset.match(text) if h.weight == 0.7] == []


def test_overlapping_terms_are_not_a_pair(tmp_path: Path) -> None:
    rules = RuleSet.from_files(
        [rules_file(tmp_path, "same\tbullying_harassment\t0.5\t\tkill you\tkill\t20\t\t")],
        include_default=False,
    )
    assert rules.match("i will kill you") == []
    assert len(rules.match("kill you, i will kill")) == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("x\tweather\t0.5\t\ta\tb\t10\t\t", "unknown category"),
        ("x\tgrooming\t1.5\t\ta\tb\t10\t\t", "weight"),
        ("x\tgrooming\t0.5\tthreat\ta\tb\t10\t\t", "stage"),
        ("x\tgrooming\t0.5\t\t\tb\t10\t\t", "terms_a and terms_b"),
        ("x\tgrooming\t0.5\t\ta\tb\t500\t\t", "window"),
        ("x\tgrooming\t0.5", "columns"),
    ],
)
def test_bad_rows_are_reported_with_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = rules_file(tmp_path, line)
    with pytest.raises(RuleError, match=message) as info:
        RuleSet.from_files([path], include_default=False)
    assert f"{path}:3:" in str(info.value)


def test_duplicate_names_and_missing_header(tmp_path: Path) -> None:
    line = "x\tgrooming\t0.5\t\ta\tb\t10\t\t"
    with pytest.raises(RuleError, match="used twice"):
        RuleSet.from_files([rules_file(tmp_path, line, line)], include_default=False)
    bad = tmp_path / "en.bad.tsv"
    bad.write_text("just text\n")
    with pytest.raises(RuleError, match="header"):
        RuleSet.from_files([bad], include_default=False)


def test_rule_hits_score_and_explain_like_phrases(ruleset: RuleSet) -> None:
    scorer = TextScorer(Lexicon([], version="test"), rules=ruleset)
    result = scorer.score("pls send a selfie without clothes")
    assert "sexual_content_minor" in result.labels
    [reason] = [r for r in result.reasons if r.kind == "lexicon"]
    assert reason.detail.startswith('rule "unclothed') and "en rules" in reason.detail
    assert reason.quote == "send a selfie without clothes"


def test_packaged_rules_load() -> None:
    rules = RuleSet.load_default()
    assert rules is RuleSet.load_default()  # parsed once
    assert all(0 < r.weight <= 1 and r.terms_a and r.terms_b for r in rules.rules)


def test_terms_sharing_one_collapsed_letter_still_pair(tmp_path: Path) -> None:
    # Lao "ຮູບ" (picture) + "ບໍ່ໃສ່ເສື້ອ" (no shirt): the doubled ບ collapses into one
    rules = RuleSet.from_files(
        [rules_file(tmp_path, "lo\tsexual_content_minor\t0.7\t\tຮູບ\tບໍ່ໃສ່ເສື້ອ\t20\t\t")],
        include_default=False,
    )
    assert len(rules.match("ສົ່ງຮູບບໍ່ໃສ່ເສື້ອມາ")) == 1
