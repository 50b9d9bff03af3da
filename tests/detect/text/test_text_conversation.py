"""Tests for conversation-level scoring. Every conversation here is invented for these tests;
no real people or real chats."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from lindung.detect.text.conversation import AuthorRisk, ConversationScorer, Message
from lindung.detect.text.lexicon import CATEGORIES
from lindung.detect.text.pipeline import TextScorer

T0 = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scorer() -> ConversationScorer:
    return ConversationScorer(TextScorer())


def chat(*lines: tuple[str, str], start: int = 1) -> list[Message]:
    """Messages m1, m2, ... one minute apart, from (author, text) pairs."""
    return [
        Message(f"m{i}", author, text, T0 + timedelta(minutes=i))
        for i, (author, text) in enumerate(lines, start=start)
    ]


def by_author(risks: list[AuthorRisk]) -> dict[str, AuthorRisk]:
    return {r.author: r for r in risks}


GROOMING_EN = chat(
    ("adult", "hey, saw your drawing on the art forum, it's really good"),
    ("kid", "thanks!! i drew it in class"),
    ("adult", "how old are you?"),
    ("kid", "13"),
    ("adult", "wow you are so mature for your age"),
    ("adult", "your parents don't understand you, only i care about you"),
    ("kid", "lol maybe"),
    ("adult", "this is our little secret ok, don't tell anyone"),
    ("adult", "what are you wearing right now"),
    ("adult", "let's meet up on saturday, come alone"),
)


def test_slow_grooming_in_english(scorer: ConversationScorer) -> None:
    risks = by_author(scorer.score("c-en", GROOMING_EN))
    adult, kid = risks["adult"], risks["kid"]
    assert "grooming" in adult.labels
    # not at the age question, the compliments, isolation or secrecy: only once sexualisation
    # joins the earlier stages
    assert adult.early_warning_message_id == "m9"
    assert adult.early_warning_category == "grooming"
    assert adult.stages == ["trust_building", "isolation", "secrecy", "sexualisation", "meeting"]
    assert adult.messages == 7 and kid.messages == 3
    assert kid.labels == [] and kid.early_warning_message_id is None
    kinds = {r.kind for r in adult.reasons}
    assert {"lexicon", "stage", "pattern"} <= kinds
    assert any(r.kind == "pattern" and r.message_id == "m3" for r in adult.reasons)
    json.dumps([r.to_dict() for r in risks.values()])


def test_slow_grooming_in_malay(scorer: ConversationScorer) -> None:
    messages = chat(
        ("abang", "hai, lukisan awak cantik la"),
        ("adik", "terima kasih bang"),
        ("abang", "awak umur berapa?"),
        ("adik", "12 tahun"),
        ("abang", "mak ayah awak tak faham awak, hanya saya yang sayang awak"),
        ("abang", "jangan bagitahu mak ayah ya, rahsia kita berdua"),
        ("adik", "ok"),
        ("abang", "jom jumpa hujung minggu ni, datang sorang-sorang"),
    )
    risks = by_author(scorer.score("c-ms", messages))
    assert risks["abang"].early_warning_message_id == "m8"
    assert "grooming" in risks["abang"].labels
    assert risks["abang"].stages[:2] == ["trust_building", "isolation"]
    assert "meeting" in risks["abang"].stages
    assert risks["adik"].labels == []


def test_sextortion_needs_threat_and_demand(scorer: ConversationScorer) -> None:
    messages = chat(
        ("x", "i have your pictures from last night"),
        ("v", "please delete them"),
        ("x", "no. send me $500 in gift cards or i'll send your pics to your friends"),
        ("v", "please i don't have money"),
    )
    risks = by_author(scorer.score("c-sx", messages))
    assert "sextortion" in risks["x"].labels
    assert risks["x"].early_warning_message_id == "m3"
    assert risks["x"].early_warning_category == "sextortion"
    assert risks["v"].labels == []
    # the threat alone (first message only) is not the pattern
    threat_only = by_author(scorer.score("c-sx1", messages[:2]))
    assert threat_only["x"].labels == []
    assert 0 < threat_only["x"].scores["sextortion"] < 0.5


def test_threat_and_demand_must_come_from_the_same_author(scorer: ConversationScorer) -> None:
    messages = chat(
        ("a", "i will post your nudes"),
        ("b", "send me gift cards"),
    )
    risks = by_author(scorer.score("c-split", messages))
    assert "sextortion" not in risks["a"].labels
    assert "sextortion" not in risks["b"].labels


def test_benign_friendly_chat(scorer: ConversationScorer) -> None:
    messages = chat(
        ("ana", "hey how was school today?"),
        ("ben", "good! we won the football match"),
        ("ana", "nice!! see you tomorrow at practice"),
        ("ben", "don't tell anyone but i got us tickets for the concert"),
        ("ana", "omg thank you"),
    )
    risks = scorer.score("c-ok", messages)
    assert [r.author for r in risks] == ["ana", "ben"]
    for risk in risks:
        assert risk.labels == [], risk
        assert risk.early_warning_message_id is None
        assert set(risk.scores) == set(CATEGORIES)


def test_only_the_bully_is_flagged(scorer: ConversationScorer) -> None:
    messages = chat(
        ("bully", "what a loser lol"),
        ("target", "stop it please"),
        ("bully", "such a loser"),
        ("target", "leave me alone"),
        ("bully", "kys loser"),
    )
    risks = by_author(scorer.score("c-bully", messages))
    assert risks["bully"].labels == ["bullying_harassment"]
    assert risks["bully"].early_warning_message_id == "m3"  # 0.4 and 0.4 add up
    assert risks["target"].labels == []


def test_messages_out_of_timestamp_order(scorer: ConversationScorer) -> None:
    shuffled = list(GROOMING_EN)
    random.Random(7).shuffle(shuffled)
    assert shuffled != GROOMING_EN
    risks = by_author(scorer.score("c-shuffled", shuffled))
    assert risks["adult"].early_warning_message_id == "m9"
    assert risks["adult"].stages[0] == "trust_building"
    assert [r.author for r in scorer.score("c", shuffled)] == ["adult", "kid"]


def test_naive_and_missing_timestamps() -> None:
    scorer = ConversationScorer()
    messages = [
        Message("b", "x", "kys", datetime(2026, 1, 1, 12, 0)),  # naive: taken as UTC
        Message("c", "x", "you are worthless"),  # no timestamp: stays after "b"
        Message("a", "x", "hello", datetime(2026, 1, 1, 11, 0, tzinfo=UTC)),
    ]
    (risk,) = scorer.score("c-ts", messages)
    assert risk.early_warning_message_id == "b"
    assert [r.message_id for r in risk.reasons if r.kind == "lexicon"] == ["b", "c"]
    assert risk.messages == 3


def test_empty_conversation(scorer: ConversationScorer) -> None:
    assert scorer.score("c-empty", []) == []


def test_bad_input(scorer: ConversationScorer) -> None:
    with pytest.raises(TypeError, match="Message"):
        scorer.score("c", [{"id": "1", "author": "a", "text": "hi"}])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="text"):
        scorer.score("c", [Message("1", "a", 5)])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="author"):
        scorer.score("c", [Message("1", "", "hi")])


def test_obfuscated_grooming_is_caught(scorer: ConversationScorer) -> None:
    messages = chat(
        ("adult", "h0w 0ld 4re y0u?"),
        ("kid", "14"),
        ("adult", "d.o.n.t tell anyone ok"),
        ("adult", "wh4t 4re y0u we4ring"),  # leetspeak
        ("adult", "\u217dome \u0430lone"),  # Roman numeral c and Cyrillic a
    )
    risks = by_author(scorer.score("c-obf", messages))
    adult = risks["adult"]
    assert "grooming" in adult.labels
    assert adult.stages == ["trust_building", "secrecy", "sexualisation", "meeting"]
    assert adult.early_warning_message_id == "m4"
    quotes = [r.quote for r in adult.reasons if r.kind == "lexicon"]
    assert "wh4t 4re y0u we4ring" in quotes


def test_age_probe_needs_another_participant(scorer: ConversationScorer) -> None:
    (alone,) = scorer.score("c-solo", chat(("a", "how old are you?")))
    assert not any(r.kind == "pattern" for r in alone.reasons)
    risks = by_author(scorer.score("c-duo", chat(("a", "how old are you?"), ("b", "12"))))
    assert any(r.kind == "pattern" for r in risks["a"].reasons)
    assert risks["a"].scores["grooming"] > alone.scores["grooming"]


def test_single_secrecy_phrase_is_not_grooming(scorer: ConversationScorer) -> None:
    (risk,) = scorer.score("c-one", chat(("a", "don't tell your parents")))
    assert risk.labels == []
    assert 0 < risk.scores["grooming"] < 0.5


def test_thresholds_per_call_and_per_scorer() -> None:
    messages = chat(("a", "you are such a loser"), ("b", "ok"))
    assert by_author(ConversationScorer().score("c", messages))["a"].labels == []
    low = ConversationScorer(thresholds={"bullying_harassment": 0.3})
    assert by_author(low.score("c", messages))["a"].labels == ["bullying_harassment"]
    assert (
        by_author(ConversationScorer().score("c", messages, {"bullying_harassment": 0.3}))[
            "a"
        ].early_warning_message_id
        == "m1"
    )


def test_to_dict_shape(scorer: ConversationScorer) -> None:
    (risk, _) = scorer.score("c-en", GROOMING_EN)
    data = risk.to_dict()
    assert data["conversation_id"] == "c-en"
    assert data["early_warning_message_id"] == "m9"
    assert set(data) == {
        "conversation_id",
        "author",
        "scores",
        "labels",
        "stages",
        "early_warning_message_id",
        "early_warning_category",
        "messages",
        "reasons",
    }


def test_precomputed_results_give_the_same_verdict_without_rescoring() -> None:
    from lindung.detect.text.pipeline import TextScorer

    scorer = TextScorer()
    messages = [
        Message(
            "2",
            "a",
            "don't tell your parents, it's our secret",
            datetime(2026, 1, 1, 10, 5, tzinfo=UTC),
        ),
        Message("1", "a", "how old are you?", datetime(2026, 1, 1, 10, 0, tzinfo=UTC)),
        Message("3", "b", "13", datetime(2026, 1, 1, 10, 1, tzinfo=UTC)),
    ]
    fresh = ConversationScorer(scorer).score("c", messages)
    given = ConversationScorer(scorer).score(
        "c", messages, results=scorer.score_many([m.text for m in messages])
    )
    assert [r.to_dict() for r in given] == [r.to_dict() for r in fresh]
    with pytest.raises(ValueError):
        ConversationScorer(scorer).score("c", messages, results=[])


# Exposure threats: a "send/show" word near the victim's own audience, in each language.
EXPOSURE_THREATS = {
    "en": "pay up or the whole video goes to your followers and your school",
    "ms": "kalau tak bayar aku sebar kat semua kawan sekolah kau",
    "id": "ga transfer? gw kirim ke ortu lo sekarang",
    "fil": "ipapakita ko to sa magulang mo pag di ka nagbayad",
    "vi": "không chuyển tiền thì tao gửi cho bố mẹ mày xem",
    "th": "ไม่โอนเงินมา จะส่งคลิปให้พ่อแม่แกดู",
    "km": "បើមិនផ្ញើលុយ ខ្ញុំនឹងផ្ញើវីដេអូទៅឪពុកម្តាយឯង",
    "lo": "ຖ້າບໍ່ໂອນເງິນ ຂ້ອຍຈະສົ່ງຄລິບໃຫ້ພໍ່ແມ່ເຈົ້າ",
    "my": "ပိုက်ဆံမလွှဲရင် မင်းမိဘဆီ ဗီဒီယို ပို့မယ်",
    "tet": "se la selu, ha'u haruka video ba ita-nia inan-aman",
}


@pytest.mark.parametrize("language", sorted(EXPOSURE_THREATS))
def test_exposure_threat_plus_demand_is_sextortion(
    scorer: ConversationScorer, language: str
) -> None:
    messages = chat(
        ("x", EXPOSURE_THREATS[language]),
        ("v", "please no"),
        ("x", "$300 in gift cards in one hour"),
    )
    risks = by_author(scorer.score(f"c-exp-{language}", messages))
    threats = [r for r in risks["x"].reasons if r.stage == "threat"]
    assert threats and threats[0].message_id == "m1", risks["x"].reasons
    assert "sextortion" in risks["x"].labels
    assert risks["v"].labels == []


def test_exposure_words_without_a_demand_flag_nothing(scorer: ConversationScorer) -> None:
    messages = chat(
        ("a", "i'll show the photos from the trip to your parents and our friends tonight"),
        ("b", "haha ok send them to my mum too"),
        ("a", "gw kirim ke ortu lo fotonya ya, bagus banget"),
    )
    risks = by_author(scorer.score("c-benign-exposure", messages))
    assert risks["a"].labels == [] and risks["b"].labels == []


def test_possession_claim_plus_demand_is_sextortion(scorer: ConversationScorer) -> None:
    messages = chat(
        ("x", "i screen recorded our video call. all of it"),
        ("v", "what do you want"),
        ("x", "send more pics or pay 100 dollars"),
    )
    risks = by_author(scorer.score("c-possession", messages))
    assert "sextortion" in risks["x"].labels


@pytest.mark.parametrize(
    "text",
    [
        "bank in RM500 malam ni",
        "transfer 2 triệu trước 9h",
        "ផ្ញើ ១០០ ដុល្លារ មក",
        "ໂອນ 1 ລ້ານກີບ ມາ",
        "KPay နဲ့ ၅ သိန်း လွှဲ",
        "โอนมา 5000 บาท",
        "P2,000 sa gcash mo na",
        "selu $150 agora",
        "kirim 500rb sekarang",
    ],
)
def test_sums_of_money_in_local_currencies_are_demands(text: str) -> None:
    from lindung.detect.text.sextortion import MONEY_PATTERNS, money_text

    assert any(p.search(money_text(text)) for p in MONEY_PATTERNS), money_text(text)


@pytest.mark.parametrize(
    "text", ["see you at 10 malam", "i got 95 on the test", "page 12 of the book", "room 5"]
)
def test_numbers_without_a_currency_are_not_demands(text: str) -> None:
    from lindung.detect.text.sextortion import MONEY_PATTERNS, money_text

    assert not any(p.search(money_text(text)) for p in MONEY_PATTERNS)
