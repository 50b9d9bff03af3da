"""Tests for lindung.detect.text.normalise and lindung.detect.text.scripts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.detect.text.normalise import (
    matching_skeleton,
    normalise,
    skeleton_index,
    skeleton_text,
)
from lindung.detect.text.scripts import script_of, script_profile

# Text mixing the characters the normaliser treats specially, so hypothesis reaches the branches.
_SPECIAL = list(
    "aeiouxyzsk 013457@$.-_*'\u2019\u200b\u200d\u00ad\ufe0f\u0301\u0308"
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445 \u03b1\u03bf \uff53\uff45\uff58 "
    "đơ ÀÉ ส่ง ក្ម ລາວ မြန် 漢 🍆📸😀🏽 \t\n!!"
)
texts = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(_SPECIAL)),
    st.lists(st.sampled_from(["s", "e", "x", " ", ".", "3", "1", "ll", "eee", "@", "k", "yo"])).map(
        "".join
    ),
)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_never_raises_and_spans_in_range(text: str) -> None:
    n = normalise(text)
    assert len(n.starts) == len(n.ends) == len(n.text)
    for s, e in zip(n.starts, n.ends, strict=True):
        assert 0 <= s < e <= len(text)
    for i in range(len(n.text) + 1):
        a, b = n.original_span(0, i)
        assert 0 <= a <= b <= len(text)
    sk = n.skeleton
    assert len(sk) == len(n.skeleton_index)
    assert all(0 <= j < len(n.text) for j in n.skeleton_index)
    a, b = n.original_span_of_skeleton(0, len(sk))
    assert 0 <= a <= b <= len(text)


_ascii_texts = st.text(
    alphabet=st.sampled_from(list("aab11'' .-!?\t\n,zz\"()_#@$:^&%`=+*~|/\\Aa")), max_size=30
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(texts, _ascii_texts))
def test_skeleton_fast_path_equals_the_indexed_loop(text: str) -> None:
    assert skeleton_text(text) == matching_skeleton(text)[0]
    assert skeleton_index(text) == matching_skeleton(text)[1]
    n = normalise(text)
    assert n.skeleton == matching_skeleton(n.text)[0]
    assert n.skeleton_index == matching_skeleton(n.text)[1]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_idempotent(text: str) -> None:
    once = normalise(text).text
    assert normalise(once).text == once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # homoglyphs: Cyrillic ie and a inside English words
        ("s\u0435nd me \u0430 pic", "send me a pic"),
        # fullwidth and mathematical alphanumerics
        ("\uff53\uff45\uff4e\uff44 \uff4e\uff55\uff44\uff45\uff53", "send nudes"),
        ("\U0001d42c\U0001d41e\U0001d427\U0001d41d", "send"),
        # case folding
        ("DON'T TELL", "don't tell"),
        # diacritics: Vietnamese, including đ, and decomposed input
        ("Đừng nói với bố mẹ", "dung noi voi bo me"),
        ("cafe\u0301", "cafe"),
        # leetspeak only inside mixed words
        ("s3nd n00dz", "send noodz"),
        ("k1ll y0urs3lf", "kill yourself"),
        ("$3x", "sex"),
        ("i am 13yo and 2nd", "i am 13yo and 2nd"),
        ("call 5551234", "call 5551234"),
        ("hi @john", "hi @john"),
        # repetition: 3+ -> 2, digits untouched
        ("pleeeeease", "pleease"),
        ("goooood", "good"),
        ("1000", "1000"),
        # separators
        ("s.e.x", "sex"),
        ("s e x y", "sexy"),
        ("k-i-l-l yourself", "kill yourself"),
        ("s 3 x", "sex"),
        ("1 2 3", "1 2 3"),
        ("i am a boy", "i am a boy"),
        # zero-width and soft hyphen
        ("k\u200bi\u200cl\u200dl", "kill"),
        ("nu\u00addes", "nudes"),
        # curly apostrophe and whitespace
        ("don\u2019t   tell\n\tanyone ", "don't tell anyone"),
        # emoji
        ("send \U0001f346\U0001f4f8", "send :eggplant: :camera:"),
        ("ok\U0001f600", "ok \U0001f600"),
        ("\U0001f44d\U0001f3fd", "\U0001f44d"),
    ],
)
def test_obfuscation_tricks(raw: str, expected: str) -> None:
    assert normalise(raw).text == expected


def test_scripts_keep_their_marks() -> None:
    for text in ["ส่งรูปมาหน่อย", "កុំប្រាប់ម្ដាយ", "ສົ່ງຮູບມາ", "ပုံပို့ပေး"]:
        assert normalise(text).text == text


def test_russian_is_not_folded_to_latin() -> None:
    assert (
        normalise(
            "\u041f\u0440\u0438\u0432\u0435\u0442 \u043a\u0430\u043a \u0434\u0435\u043b\u0430"
        ).text
        == "\u043f\u0440\u0438\u0432\u0435\u0442 \u043a\u0430\u043a \u0434\u0435\u043b\u0430"
    )


def test_span_maps_to_original_words() -> None:
    n = normalise("Pleeeease DON\u2019T tell ur p@r3nts!!!")
    i = n.text.index("don't")
    assert n.original_substring(i, i + 5) == "DON\u2019T"
    assert n.original_substring(0, len("pleease")) == "Pleeeease"
    j = n.text.index("parents")
    assert n.original_substring(j, j + 7) == "p@r3nts"


def test_skeleton_collapses_doubles_and_punctuation() -> None:
    assert normalise("Pleeeease, don't!").skeleton == "please dont"
    assert normalise("please").skeleton == normalise("pleeease").skeleton


def test_empty_and_huge_input() -> None:
    assert normalise("").text == ""
    assert normalise("   \u200b ").text == ""
    big = "send me a pic " * 20_000
    n = normalise(big)
    assert n.text == big.strip()


def test_script_identification() -> None:
    assert script_of("a") == "Latin"
    assert script_of("ก") == "Thai"
    assert script_of("ក") == "Khmer"
    assert script_of("ກ") == "Lao"
    assert script_of("က") == "Myanmar"
    assert script_of("漢") == "Han"
    assert script_of("\u0434") == "Cyrillic"
    assert script_of("ع") == "Arabic"
    assert script_of("1") == "Common"
    profile = script_profile("hello สวัสดี 123")
    assert profile.dominant == "Thai"
    assert set(profile.proportions) == {"Latin", "Thai"}
    assert abs(sum(profile.proportions.values()) - 1.0) < 1e-9
    assert script_profile("123 !!").dominant is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abXY019@$' .-_*~+|/\\!"))))
def test_ascii_fast_paths_agree_with_unicode_patterns(text: str) -> None:
    from lindung.detect.text import normalise as module

    fast = [m.span() for m in module._SEPARATED_ASCII.finditer(text)]
    slow = [m.span() for m in module._SEPARATED.finditer(text)]
    assert fast == slow
    assert bool(module._LEET_CANDIDATE_ASCII.search(text)) == bool(
        module._LEET_CANDIDATE.search(text)
    )
