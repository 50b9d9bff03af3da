"""Tests for lindung.detect.text.language."""

from __future__ import annotations

import threading

import pytest

from lindung.detect.text.language import (
    LanguageGuess,
    detect_language,
    function_word_language,
    tetum_score,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("don't tell your parents about us, ok?", "en"),
        ("jangan bagitahu mak ayah awak tau, nanti abang belanja", "ms"),
        ("kamu cantik banget, kirim foto dong", "id"),
        ("anh muốn gặp em một mình tối nay", "vi"),
        ("huwag mong sabihin sa magulang mo ha", "fil"),
        ("Ha'u hakarak hasoru o, labele fó-hatene ba o-nia inan-aman", "tet"),
        ("อย่าบอกพ่อแม่นะ", "th"),
        ("កុំប្រាប់ឪពុកម្តាយ", "km"),
        ("ຢ່າບອກພໍ່ແມ່", "lo"),
        ("မိဘကိုမပြောနဲ့", "my"),
    ],
)
def test_each_language(text: str, code: str) -> None:
    guess = detect_language(text)
    assert guess.code == code
    assert 0.0 < guess.confidence <= 1.0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("this is a normal english sentence about school", "tet"),
        ("saya suka makan nasi lemak", "th"),
        ("สวัสดีครับ", "en"),
    ],
)
def test_negative_examples(text: str, code: str) -> None:
    assert detect_language(text).code != code


def test_short_and_empty_text_is_undetermined() -> None:
    for text in ["", "   ", "ok", "123 !!", "\U0001f600\U0001f600"]:
        assert detect_language(text) == LanguageGuess("und", 0.0)


def test_other_scripts_get_a_script_subtag() -> None:
    assert detect_language("Привет как дела").code == "und-Cyrl"
    assert detect_language("你好吗朋友").code == "und-Hani"


def test_taglish_reports_english_as_secondary() -> None:
    guess = detect_language("I love you pero hindi ko alam kung saan ka nakatira")
    assert guess.code == "fil"
    assert "en" in guess.mixed


def test_manglish_reports_both() -> None:
    guess = detect_language("I dont know lah, you nak jumpa saya tak")
    assert {guess.code, *guess.mixed} >= {"en", "ms"}


def test_thai_with_english() -> None:
    guess = detect_language("send pic please กูอยากเห็นหน้า")
    assert guess.code == "th"
    assert "en" in guess.mixed


def test_tetum_heuristic() -> None:
    assert tetum_score(["ha'u", "hakarak", "hatene"]) > 0.5
    assert tetum_score(["i", "want", "to", "know"]) == 0.0


def test_detector_is_thread_safe() -> None:
    text = "nice match yesterday, great game bro"  # no function words: lingua decides
    assert function_word_language(text) is None
    results: list[str] = []

    def run() -> None:
        results.append(detect_language(text).code)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["en"] * 8


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("where do you live", "en"),
        ("saan ka nakatira ngayon", "fil"),  # lingua alone said Malay or Indonesian
        ("kamu mau ketemu nggak", "id"),
        ("awak nak jumpa tak", "ms"),
        ("em oi anh khong biet", "vi"),
    ],
)
def test_function_words_decide_without_lingua(text: str, code: str) -> None:
    assert function_word_language(text) == code
    guess = detect_language(text)
    assert guess.code == code
    assert guess.mixed == ()
    assert 0.5 < guess.confidence <= 0.9


@pytest.mark.parametrize(
    "text",
    [
        "hello there",  # one function word is not enough
        "I love you pero hindi ko alam",  # two languages: lingua and the mixing rules decide
        "saya pergi dengan dia",  # Malay or Indonesian, and no marker says which
        "ko la",  # "ko" is Filipino and Vietnamese
    ],
)
def test_function_words_do_not_decide(text: str) -> None:
    assert function_word_language(text) is None


def test_huge_input() -> None:
    assert detect_language("please send me the homework " * 5000).code == "en"


def test_accepts_normalised_text() -> None:
    from lindung.detect.text.normalise import normalise

    text = "huwag mong sabihin sa magulang mo ha"
    a, b = detect_language(normalise(text)), detect_language(text)
    assert (a.code, a.mixed, a.script) == (b.code, b.mixed, b.script)
    assert a.confidence == pytest.approx(b.confidence, abs=1e-3)
