"""Tests for lindung.detect.text.lexicon and the packaged seed lexicons."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lindung.detect.text.lexicon import (
    CATEGORIES,
    DEFAULT_DIR,
    HEADER,
    Lexicon,
    LexiconError,
)
from lindung.detect.text.normalise import normalise

LANGUAGES = ["en", "ms", "id", "th", "vi", "fil", "km", "lo", "my", "tet"]
HEAD = "\t".join(HEADER) + "\n"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load_default()


def _found(lexicon: Lexicon, text: str) -> set[tuple[str, str]]:
    return {(h.category, h.language) for h in lexicon.match(text)}


def test_default_lexicon_covers_every_language_and_category(lexicon: Lexicon) -> None:
    assert lexicon.version == (DEFAULT_DIR / "VERSION").read_text().strip()
    assert set(lexicon.languages()) == set(LANGUAGES)
    for language in LANGUAGES:
        entries = [e for e in lexicon.entries if e.language == language]
        categories = {e.category for e in entries}
        assert categories == set(CATEGORIES), language
        minimum = 10 if language in {"en", "ms", "id", "th", "vi", "fil"} else 3
        for category in CATEGORIES:
            assert sum(e.category == category for e in entries) >= minimum, (language, category)
        if language != "en":
            assert all("native" in e.review for e in entries), language


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("en", "Hey, don't tell your parents about this ok?", "grooming"),
        ("ms", "jangan bagitahu mak ayah tau", "grooming"),
        ("id", "aku sebar foto kamu kalau gak bayar", "sextortion"),
        ("fil", "wag mong sabihin sa magulang mo ha", "grooming"),
        ("vi", "Đừng nói với bố mẹ nhé", "grooming"),
        ("th", "นี่อย่าบอกพ่อแม่นะ", "grooming"),
        ("km", "កុំប្រាប់ឪពុកម្តាយណា", "grooming"),
        ("lo", "ຢ່າບອກພໍ່ແມ່ເດີ້", "grooming"),
        ("my", "မိဘကိုမပြောနဲ့နော်", "grooming"),
        ("tet", "Labele fó-hatene ba o-nia inan-aman", "grooming"),
        ("en", "i want to kill myself", "self_harm"),
        ("ms", "pergi mampus la", "bullying_harassment"),
        ("fil", "send nudes naman", "sexual_content_minor"),
    ],
)
def test_positive_per_language(lexicon: Lexicon, language: str, text: str, category: str) -> None:
    assert (category, language) in _found(lexicon, text)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Did you finish the maths homework? The killer whale video was great."),
        ("ms", "saya suka makan nasi lemak dengan keluarga"),
        ("id", "besok kita belajar bersama di perpustakaan"),
        ("fil", "masarap ang pagkain sa bahay ni lola"),
        ("vi", "hôm nay trời đẹp quá, đi học vui"),
        ("th", "วันนี้อากาศดีมาก ไปโรงเรียนกัน"),
        ("km", "ថ្ងៃនេះអាកាសធាតុល្អ"),
        ("lo", "ມື້ນີ້ອາກາດດີ"),
        ("my", "ဒီနေ့ရာသီဥတုကောင်းတယ်"),
        ("tet", "ohin loron di'ak, ita bá eskola"),
    ],
)
def test_negative_per_language(lexicon: Lexicon, language: str, text: str) -> None:
    assert lexicon.match(text) == [], language


@pytest.mark.parametrize(
    "text",
    [
        "s\u0435nd m\u0435 \u0430 pic",  # Cyrillic homoglyphs
        "s3nd m3 a p1c",  # leetspeak
        "seeeend me a piiiic",  # repetition
        "s.e.n.d me a pic",  # separators
        "se\u200bnd me a p\u200bic",  # zero-width
        "\uff53\uff45\uff4e\uff44 \uff4d\uff45 \uff41 \uff50\uff49\uff43",  # fullwidth
        "SEND ME A PIC!!!",  # case and punctuation
    ],
)
def test_obfuscation_tricks_still_match(lexicon: Lexicon, text: str) -> None:
    hits = [h for h in lexicon.match(text) if h.phrase == "send me a pic"]
    assert hits, text
    a, b = hits[0].span_in_original
    assert hits[0].text_in_original == text[a:b]


def test_diacritics_are_optional(lexicon: Lexicon) -> None:
    assert ("grooming", "vi") in _found(lexicon, "dung noi voi bo me")
    assert ("grooming", "vi") in _found(lexicon, "ĐỪNG NÓI VỚI BỐ MẸ")


def test_word_boundaries_for_spaced_scripts(lexicon: Lexicon) -> None:
    assert not any(h.phrase == "kys" for h in lexicon.match("skysurfing"))
    assert any(h.phrase == "kys" for h in lexicon.match("just kys."))


def test_leet_one_as_l(lexicon: Lexicon) -> None:
    assert any(h.phrase == "kill yourself" for h in lexicon.match("k1ll y0urs3lf"))


def test_hit_fields(lexicon: Lexicon) -> None:
    text = "Pleeease DON\u2019T tell ur p@r3nts"
    [hit] = [h for h in lexicon.match(text) if h.phrase == "don't tell ur parents"]
    assert hit.category == "grooming"
    assert hit.stage == "secrecy"
    assert hit.language == "en"
    assert 0 < hit.weight <= 1
    assert hit.text_in_original == "DON\u2019T tell ur p@r3nts"


def test_language_filter_and_prenormalised_input(lexicon: Lexicon) -> None:
    normalised = normalise("buka baju")
    assert {h.language for h in lexicon.match(normalised)} == {"ms", "id"}
    assert {h.language for h in lexicon.match(normalised, languages=["id"])} == {"id"}


def test_empty_and_huge_input(lexicon: Lexicon) -> None:
    assert lexicon.match("") == []
    assert lexicon.match("   \u200b") == []
    big = "hello there " * 20_000 + "kill yourself"
    hits = lexicon.match(big)
    assert [h.phrase for h in hits] == ["kill yourself"]
    assert hits[0].span_in_original == (len(big) - 13, len(big))


def test_matching_speed(lexicon: Lexicon) -> None:
    messages = [f"hey how was school today {i} lol see you tmrw" for i in range(2000)]
    start = time.perf_counter()
    for message in messages:
        lexicon.match(message)
    assert time.perf_counter() - start < 2.0  # generous: the benchmark reports real figures


# --- loading, validation and overrides ---------------------------------------------------------


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_malformed_rows_report_file_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "en.tsv",
        "# comment\n"
        + HEAD
        + "ok phrase\tgrooming\t0.5\tsecrecy\t\t\n"
        + "bad category\tspam\t0.5\n"
        + "bad weight\tgrooming\t1.5\n"
        + "not a number\tself_harm\tlots\n"
        + "bad stage\tself_harm\t0.5\tsecrecy\n"
        + "too few\tgrooming\n"
        + "\tgrooming\t0.5\n"
        + "\u200b\tgrooming\t0.5\n",
    )
    with pytest.raises(LexiconError) as info:
        Lexicon.from_files([path])
    errors = info.value.errors
    assert any(e.startswith(f"{path}:4:") and "category" in e for e in errors)
    assert any(e.startswith(f"{path}:5:") and "weight" in e for e in errors)
    assert any(e.startswith(f"{path}:6:") and "weight" in e for e in errors)
    assert any(e.startswith(f"{path}:7:") and "stage" in e for e in errors)
    assert any(e.startswith(f"{path}:8:") and "columns" in e for e in errors)
    assert any(e.startswith(f"{path}:9:") and "empty phrase" in e for e in errors)
    assert any(e.startswith(f"{path}:10:") and "empty after normalisation" in e for e in errors)
    assert not any(f"{path}:3:" in e for e in errors)


def test_missing_or_wrong_header(tmp_path: Path) -> None:
    wrong = _write(tmp_path, "en.tsv", "text\tlabel\nhello\tgrooming\n")
    with pytest.raises(LexiconError, match=r"en\.tsv:1: header"):
        Lexicon.from_files([wrong])
    empty = _write(tmp_path, "ms.tsv", "# nothing\n")
    with pytest.raises(LexiconError, match="missing header"):
        Lexicon.from_files([empty])
    badname = _write(tmp_path, "Not A Language.tsv", HEAD)
    with pytest.raises(LexiconError, match="BCP 47"):
        Lexicon.from_files([badname])


def test_operator_files_extend_and_override_defaults(tmp_path: Path) -> None:
    custom = _write(
        tmp_path,
        "en.operator.tsv",
        HEAD
        + "meet me behind the mall\tgrooming\t0.9\tmeeting\tlocal pattern\toperator\n"
        + "loser\tbullying_harassment\t0\t\tdisabled by operator\toperator\n"
        + "how old are you\tgrooming\t0.1\ttrust_building\tdown-weighted\toperator\n",
    )
    lexicon = Lexicon.from_files([custom], include_default=True)
    assert lexicon.version.startswith(Lexicon.load_default().version + "+custom.")
    found = {h.phrase: h for h in lexicon.match("meet me behind the mall, loser. how old are you")}
    assert found["meet me behind the mall"].stage == "meeting"
    assert "loser" not in found
    assert found["how old are you"].weight == 0.1
    only_custom = Lexicon.from_files([custom])
    assert only_custom.languages() == ["en"]
    assert len(only_custom.entries) == 2


def test_packaged_files_are_valid_and_versioned() -> None:
    files = sorted(p.name for p in DEFAULT_DIR.glob("*.tsv"))
    assert files == sorted(f"{lang}.tsv" for lang in LANGUAGES)
    assert (DEFAULT_DIR / "VERSION").read_text().strip()
    Lexicon.from_files(DEFAULT_DIR.glob("*.tsv"))


def test_phrases_written_without_spaces_still_match() -> None:
    lexicon = Lexicon.load_default()
    for text in ("d.o.n.t t.e.l.l your parents", "#donttellyourparents", "DONTTELLYOURPARENTS!!"):
        phrases = {hit.phrase for hit in lexicon.match(text)}
        assert any("tell" in p and "parents" in p for p in phrases), (text, phrases)
    # short joined forms are not indexed: they would hide inside ordinary words
    assert not [h for h in lexicon.match("skysurfing is fun") if h.category == "self_harm"]


def test_quotes_cover_doubled_letters_at_the_end_of_a_hit() -> None:
    hits = Lexicon.load_default().match("honestly you are WORTHLESS, everyone says so")
    quotes = {hit.text_in_original for hit in hits}
    assert any(q.endswith("WORTHLESS") for q in quotes), quotes


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("tự tử đi", True),  # "go kill yourself", with its diacritics
        ("tu tu di", True),  # typed without diacritics: cannot be told apart, so it counts
        ("tự tu di", True),  # some marks left out, none contradicting
        ("từ từ đi", False),  # "take it easy": other diacritics, another phrase
        ("muốn từ từ thôi", False),
    ],
)
def test_diacritics_that_contradict_a_phrase_are_another_word(text: str, flagged: bool) -> None:
    hits = [h for h in Lexicon.load_default().match(text) if h.language == "vi"]
    assert bool([h for h in hits if h.weight >= 0.5]) is flagged, hits
