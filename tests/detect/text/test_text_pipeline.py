"""Tests for the message-level scoring pipeline. All messages are invented for these tests."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from lindung.detect.text.datasets import DATASETS, Dataset, Example
from lindung.detect.text.lexicon import CATEGORIES, Lexicon
from lindung.detect.text.model import PACKAGE_MODELS_DIR, TextModel
from lindung.detect.text.pipeline import (
    DEFAULT_THRESHOLDS,
    Reason,
    TextResult,
    TextScorer,
    noisy_or,
)
from lindung.detect.text.training import PACKAGE_NB_ALPHAS, TrainConfig, train_on


@pytest.fixture(scope="module")
def scorer() -> TextScorer:
    return TextScorer()


CLEAR = {
    "grooming": "this is our little secret, don't tell your parents",
    "sextortion": "i will share your photos with everyone. pay me or they go online",
    "sexual_content_minor": "take off your clothes and send nudes",
    "bullying_harassment": "kys you fat pig, everyone hates you",
    "self_harm": "i want to kill myself, there is no reason to live",
}


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_fires_on_a_clear_example(scorer: TextScorer, category: str) -> None:
    result = scorer.score(CLEAR[category])
    assert result.language == "en"
    assert category in result.labels
    assert result.scores[category] >= DEFAULT_THRESHOLDS[category]
    assert set(result.scores) == set(CATEGORIES)
    assert all(0.0 <= s <= 1.0 for s in result.scores.values())
    assert any(r.category == category and r.kind == "lexicon" for r in result.reasons)


# One lexicon phrase per language, inside a short invented sentence of that language.
PHRASES = [
    ("en", "hey don't tell your parents about this ok", "grooming"),
    ("ms", "okay, jangan bagitahu mak ayah tau", "grooming"),
    ("id", "pokoknya jangan bilang orang tua ya", "grooming"),
    ("th", "อย่าบอกพ่อแม่นะ", "grooming"),
    ("vi", "nhớ là đừng nói với bố mẹ nhé", "grooming"),
    ("fil", "wag mong sabihin sa magulang mo ha", "grooming"),
    ("km", "កុំប្រាប់ឪពុកម្តាយ", "grooming"),
    ("lo", "ຢ່າບອກພໍ່ແມ່", "grooming"),
    ("my", "မိဘကိုမပြောနဲ့", "grooming"),
    ("tet", "labele fó-hatene ba o-nia inan-aman", "grooming"),
]


@pytest.mark.parametrize(("language", "text", "category"), PHRASES)
def test_each_language_scores_a_lexicon_phrase(
    scorer: TextScorer, language: str, text: str, category: str
) -> None:
    result = scorer.score(text)
    assert result.scores[category] >= 0.5
    assert any(r.kind == "lexicon" and f"{language} lexicon" in r.detail for r in result.reasons)
    if language not in ("ms", "id"):  # Malay and Indonesian share most phrases
        assert result.language == language


def test_empty_and_whitespace_text(scorer: TextScorer) -> None:
    for text in ("", "   \n\t "):
        result = scorer.score(text)
        assert result.language == "und"
        assert result.scores == dict.fromkeys(CATEGORIES, 0.0)
        assert result.labels == [] and result.reasons == []


def test_benign_text_has_no_labels(scorer: TextScorer) -> None:
    result = scorer.score("see you at football practice tomorrow, bring the ball")
    assert result.labels == []
    assert all(s == 0.0 for s in result.scores.values())


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["list"]])
def test_non_string_input_is_rejected(scorer: TextScorer, bad: object) -> None:
    with pytest.raises(TypeError, match="must be a string"):
        scorer.score(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        scorer.score_many("a bare string")


def test_thresholds_override(scorer: TextScorer) -> None:
    text = "you are such a loser"  # loser: weight 0.4
    assert scorer.score(text).labels == []
    assert scorer.score(text, {"bullying_harassment": 0.3}).labels == ["bullying_harassment"]
    strict = TextScorer(scorer.lexicon, thresholds={"bullying_harassment": 0.95})
    assert strict.score("kys loser").labels == []
    assert strict.score("kys loser", {"bullying_harassment": 0.5}).labels == ["bullying_harassment"]
    with pytest.raises(ValueError, match="unknown category"):
        scorer.score(text, {"spam": 0.5})
    with pytest.raises(ValueError, match="from 0 to 1"):
        scorer.score(text, {"grooming": 1.5})


def test_reasons_quote_the_original_text(scorer: TextScorer) -> None:
    text = "ok but DON\u2019T t.e.l.l ur p@r3nts, k?"
    result = scorer.score(text)
    assert "grooming" in result.labels
    reason = next(r for r in result.reasons if r.kind == "lexicon")
    assert reason.span is not None and reason.quote is not None
    assert text[reason.span[0] : reason.span[1]] == reason.quote
    assert reason.quote.startswith("DON\u2019T")
    assert "p@r3nts" in reason.quote
    assert "don't tell ur parents" in reason.detail and "secrecy" in reason.detail
    assert reason.stage == "secrecy"
    as_dict = result.to_dict()
    assert set(as_dict) == {"language", "scores", "labels", "reasons"}
    json.dumps(as_dict)  # serialisable


def test_quotes_cover_collapsed_letter_runs(scorer: TextScorer) -> None:
    for text in ("you are worthless", "YOU ARE WORTHLESSSS!!", "you are w0rthle55 lol"):
        reason = next(r for r in scorer.score(text).reasons if r.kind == "lexicon")
        assert reason.quote is not None and reason.quote.lower().startswith("you")
        assert reason.quote.lower().rstrip("!").endswith(("less", "lessss", "le55")), reason.quote


def test_obfuscation_is_caught(scorer: TextScorer) -> None:
    # leetspeak, Cyrillic look-alikes, zero-width spaces, letter repetition
    for text in (
        "k1ll y0urs3lf",
        "k\u0456ll y\u043eurself",
        "ki\u200bll yourself",
        "kiiiill yourselfff",
    ):
        assert "bullying_harassment" in scorer.score(text).labels, text


def test_noisy_or_combines_weak_cues(scorer: TextScorer) -> None:
    assert noisy_or([]) == 0.0
    assert noisy_or([0.5, 0.5]) == pytest.approx(0.75)
    assert noisy_or([1.0, 0.3]) == 1.0
    one = scorer.score("you are worthless").scores["bullying_harassment"]
    two = scorer.score("you are worthless, nobody likes you").scores["bullying_harassment"]
    assert one == pytest.approx(0.5) and two == pytest.approx(0.8)


def test_same_phrase_in_two_lexicons_counts_once(scorer: TextScorer) -> None:
    # "bunuh diri" is in both the Malay and Indonesian lexicons (self_harm 0.5)
    result = scorer.score("dia cakap pasal bunuh diri")
    assert result.scores["self_harm"] == pytest.approx(0.5)
    assert len([r for r in result.reasons if r.category == "self_harm"]) == 1


def test_batch_equals_one_by_one(scorer: TextScorer) -> None:
    texts = [*CLEAR.values(), *(t for _, t, _ in PHRASES), "", "hello there", "kys"]
    batch = scorer.score_many(texts)
    assert batch == [scorer.score(t) for t in texts]
    assert scorer.score_many([]) == []


def test_result_types() -> None:
    reason = Reason("grooming", "lexicon", "d", 0.5, "q", (1, 2))
    assert reason.to_dict() == {
        "category": "grooming",
        "kind": "lexicon",
        "detail": "d",
        "weight": 0.5,
        "quote": "q",
        "span": [1, 2],
    }
    result = TextResult("en", dict.fromkeys(CATEGORIES, 0.0), [], [reason])
    assert result.to_dict()["reasons"] == [reason.to_dict()]


# --- models -------------------------------------------------------------------------------------

_INSULTS = [
    "you stupid freak",
    "shut up you idiot",
    "what a dumb moron you are",
    "you are a pathetic clown",
    "idiot freak go away",
    "dumb clown shut up",
    "you moron nobody asked",
    "pathetic stupid idiot",
]
_FRIENDLY = [
    "see you at class tomorrow",
    "thanks for the help with homework",
    "the match was great today",
    "happy birthday have a nice day",
    "let us study together after school",
    "nice drawing i like the colours",
    "what time is practice tomorrow",
    "good luck on the test friend",
]


def _tiny_model() -> TextModel:
    rows = [Example(t, 1) for t in _INSULTS] + [Example(t, 0) for t in _FRIENDLY]
    dataset = Dataset("toy-insults", "en", "bullying_harassment", rows, rows[::3], "toy", "test")
    model, _ = train_on(
        dataset, TrainConfig(min_df=1, c_grid=(4.0,), class_weights=(None,)), with_baseline=False
    )
    return model


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models")
    _tiny_model().save(folder / "toy-insults")
    return folder


def test_model_from_a_folder_contributes_a_reason(models_dir: Path) -> None:
    scorer = TextScorer.default(models_dir)
    assert ("en", "bullying_harassment", "toy-insults") in scorer.model_keys()
    text = "you are such a stupid freak and a moron"
    result = scorer.score(text)
    model_reasons = [r for r in result.reasons if r.kind == "model" and "toy-insults" in r.detail]
    assert model_reasons and model_reasons[0].category == "bullying_harassment"
    assert "stupid" in model_reasons[0].detail or "freak" in model_reasons[0].detail
    best_model = max(r.weight for r in result.reasons if r.kind == "model")
    assert result.scores["bullying_harassment"] == pytest.approx(best_model)
    assert "bullying_harassment" in result.labels
    # batch path gives the same results as one by one
    texts = [text, "see you at class tomorrow", "", "kys", "jangan bagitahu mak ayah"]
    assert scorer.score_many(texts) == [scorer.score(t) for t in texts]


def test_explain_false_skips_top_features_only(models_dir: Path) -> None:
    scorer = TextScorer.default(models_dir)
    texts = ["you stupid freak moron", "kys", "see you at class tomorrow"]
    full, quick = scorer.score_many(texts), scorer.score_many(texts, explain=False)
    for a, b in zip(full, quick, strict=True):
        assert (a.scores, a.labels, len(a.reasons)) == (b.scores, b.labels, len(b.reasons))
    assert "top features" in full[0].reasons[-1].detail
    assert "top features" not in quick[0].reasons[-1].detail


def test_model_applies_only_to_its_language() -> None:
    model = _tiny_model()
    model.metadata = {**model.metadata, "language": "ms"}
    scorer = TextScorer(Lexicon.load_default(), [model])
    english = scorer.score("you are such a stupid freak and a moron")
    assert english.language == "en"
    assert not any(r.kind == "model" for r in english.reasons)
    assert english.scores["bullying_harassment"] == 0.0


def test_model_metadata_is_required() -> None:
    model = _tiny_model()
    model.metadata = {"dataset": "x", "language": "en"}
    with pytest.raises(ValueError, match="category"):
        TextScorer(Lexicon.load_default(), [model])


def test_default_scorer_loads_only_the_shippable_packaged_model(tmp_path: Path) -> None:
    scorer = TextScorer.default(tmp_path)
    assert scorer.model_keys() == [("en", "bullying_harassment", "en-davidson-hate-offensive")]
    (model,) = scorer.models
    # only a licence that allows redistribution, and the calibration is recorded
    assert model.metadata["licence"] == "MIT"
    assert DATASETS[model.metadata["dataset"]].ships
    # the file is what `lindung text train --package` builds today
    assert model.metadata["config"]["nb_alphas"] == list(PACKAGE_NB_ALPHAS)
    assert model.metadata["calibration"]["method"] == "prior_shift"
    info = DATASETS[model.metadata["dataset"]]
    assert model.metadata["calibration"]["target_prior"] == info.deploy_prior
    assert (PACKAGE_MODELS_DIR / "NOTICE.md").read_text().count("MIT License") == 1
    with pytest.raises(FileNotFoundError):
        TextScorer.default(tmp_path / "missing")


def test_operator_model_replaces_the_packaged_one_with_the_same_name(tmp_path: Path) -> None:
    toy = _tiny_model()
    toy.metadata = {**toy.metadata, "dataset": "operator-retrained"}
    toy.save(tmp_path / "en-davidson-hate-offensive")
    scorer = TextScorer.default(tmp_path)
    assert scorer.model_keys() == [("en", "bullying_harassment", "operator-retrained")]


@pytest.mark.parametrize(
    "text",
    [
        "you're crazy haha",
        "text me when you get home",
        "ok see you at the bus stop",
        "shut up you're joking",
        "i hate mondays",
        "my brother ate all the snacks",
        "can you send me the notes from class",
        "that boss fight was insane",
    ],
)
def test_packaged_model_does_not_flag_ordinary_chat(text: str) -> None:
    # Before calibration the Davidson model gave these 0.85-0.99 (it learnt the 83% prior).
    result = TextScorer.default().score(text)
    assert result.scores["bullying_harassment"] < 0.5, result.reasons
    assert result.labels == []


@pytest.mark.parametrize(
    "text",
    [
        "you dumb hoe",
        "shut up you stupid ugly bitch",
    ],
)
def test_packaged_model_still_flags_abuse(text: str) -> None:
    (model,) = TextScorer.default().models
    assert model.score(text) >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "transfer RM300 tonight or the video goes to your parents and all your followers",
        "kirim 500rb sekarang atau gw sebarin ke ortu lo",
        "โอน 3000 บาท ไม่งั้นส่งคลิปให้พ่อแม่แกดู",
    ],
)
def test_threat_and_demand_in_one_message_is_sextortion(text: str) -> None:
    result = TextScorer(Lexicon.load_default()).score(text)
    assert "sextortion" in result.labels, result.reasons
    stages = {r.stage for r in result.reasons if r.kind == "pattern"}
    assert stages == {"threat", "demand"}


@pytest.mark.parametrize(
    "text",
    [
        "can you lend me $5 for lunch",
        "i'll show the holiday photos to your parents tonight",
        "send me RM20 for the movie tickets pls",
    ],
)
def test_one_half_alone_is_not_sextortion(text: str) -> None:
    result = TextScorer(Lexicon.load_default()).score(text)
    assert "sextortion" not in result.labels
    assert not any(r.kind == "pattern" for r in result.reasons)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("don't tell mum about the cake, it's a surprise for her birthday", False),
        ("อย่าบอกแม่นะ จะเซอร์ไพรส์วันเกิดแม่", False),
        ("don't tell your mom, this is our secret", True),
    ],
)
def test_a_surprise_is_not_a_secret(text: str, flagged: bool) -> None:
    result = TextScorer.default().score(text)
    assert ("grooming" in result.labels) is flagged, result.reasons


def test_overlapping_cues_of_one_category_count_once() -> None:
    result = TextScorer.default().score("don't tell your mom, this is our secret")
    grooming = [r for r in result.reasons if r.category == "grooming" and r.kind == "lexicon"]
    spans = sorted(r.span for r in grooming if r.span is not None)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))  # no overlaps
