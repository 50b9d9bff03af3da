"""Message-level text risk scoring: layers 1-3 of issue 3 combined.

`TextScorer.score_many(texts)` (the fast path; `score(text)` is the one-message form) does, per
message:

1. **Normalise once** (`normalise.normalise`) and **detect the language once**
   (`language.detect_language`, given the normalised text so nothing is normalised twice).
   Empty or whitespace-only text is language "und" with every score 0 and no reasons.
2. **Lexicon evidence** (`lexicon.Lexicon.match`, all languages at once since chats mix them,
   and `rules.RuleSet.match`, co-occurrence rules). Where several hits of one category overlap
   (the same phrase in the Malay and the Indonesian lexicon, a phrase inside a longer one, a rule
   spanning a phrase) only the heaviest, then longest, is kept, so one cue is never counted twice.
   A secrecy cue in a message that calls the secret a surprise (birthday, party, gift) weighs half.
   The remaining weights of a category are combined with
   a **noisy-OR**, ``1 - prod(1 - w)``: several weak cues add up, the result never exceeds 1, and
   a single cue keeps its curated weight.
3. **Model evidence** (`model.TextModel`), batched: every message whose language (primary, or a
   secondary language of code-mixed text) is a model's language goes through that model in one
   `predict_proba` call per `BATCH` messages. A model applies only to its own language because
   it is a character/word n-gram model trained on one monolingual dataset: on another language
   its features are noise and its probabilities uncalibrated. Models see the *original* text,
   as they were trained on raw dataset text (normalising would, for instance, strip Vietnamese
   diacritics the vi model relies on); obfuscation is the lexicon's job.
4. **Combination: ``score = max(lexicon evidence, model probability)``** (the largest model
   probability if several models cover a category and language). Not a noisy-OR, because the two
   are not independent evidence - the model has usually learnt the very words the lexicon lists,
   so a noisy-OR would count them twice - and because a model gives every benign message a small
   non-zero probability that a noisy-OR would add to every lexicon score. With ``max`` each score
   is the strongest single line of evidence, which a reviewer can check against its reason.
5. **Labels**: categories whose score is at least its threshold (`DEFAULT_THRESHOLDS`, overridable
   per scorer and per call, e.g. per organisation).

Every contributing cue becomes a `Reason`: lexicon hits quote the message's own words with their
span in the original text (via the normalisation span map); model reasons are given when the
model's probability reaches half the category threshold, with the model's top features.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import regex

from lindung.detect.text.language import LanguageGuess, detect_language
from lindung.detect.text.lexicon import CATEGORIES, Lexicon, LexiconHit
from lindung.detect.text.model import PACKAGE_MODELS_DIR, TextModel, model_paths
from lindung.detect.text.normalise import NormalisedText, normalise
from lindung.detect.text.rules import RuleSet
from lindung.detect.text.sextortion import CUE_WEIGHT, SEXTORTION_BOOST, sextortion_cues

__all__ = [
    "CATEGORIES",
    "DEFAULT_THRESHOLDS",
    "PACKAGE_MODELS_DIR",
    "Reason",
    "TextResult",
    "TextScorer",
    "check_thresholds",
    "noisy_or",
    "sextortion_reason",
]

#: Starting points, to be tuned per organisation: 0.5 means "one strong cue, or several weaker".
DEFAULT_THRESHOLDS: dict[str, float] = dict.fromkeys(CATEGORIES, 0.5)

#: Messages scored together by `TextScorer.score_many` (each model runs once per batch).
BATCH = 1024
#: A model reason is given when its probability is at least this fraction of the threshold.
MODEL_REASON_FRACTION = 0.5
#: How many of a model's top features a reason lists.
MODEL_TOP_FEATURES = 5


def noisy_or(weights: Iterable[float]) -> float:
    """``1 - prod(1 - w)``: independent cues add up without exceeding 1."""
    miss = 1.0
    for w in weights:
        miss *= 1.0 - min(max(w, 0.0), 1.0)
    return 1.0 - miss


def check_thresholds(
    thresholds: Mapping[str, float] | None, base: Mapping[str, float] | None = None
) -> dict[str, float]:
    """`base` (default `DEFAULT_THRESHOLDS`) overridden by `thresholds`, validated."""
    out = dict(base if base is not None else DEFAULT_THRESHOLDS)
    if thresholds is None:
        return out
    if not isinstance(thresholds, Mapping):
        raise TypeError(f"thresholds must be a mapping of category to number, not {thresholds!r}")
    for category, value in thresholds.items():
        if category not in CATEGORIES:
            raise ValueError(f"unknown category {category!r} (expected one of {CATEGORIES})")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"threshold for {category!r} must be a number, not {value!r}")
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"threshold for {category!r} must be from 0 to 1, not {value!r}")
        out[category] = float(value)
    return out


@dataclass(frozen=True)
class Reason:
    """One piece of evidence a reviewer can read and check.

    `kind` is "lexicon", "model", "stage" or "pattern"; `span` is in the ORIGINAL text and `quote`
    is the original words there. `stage` is the grooming/sextortion stage of a lexicon phrase;
    `message_id` names the message in conversation-level reasons.
    """

    category: str
    kind: str
    detail: str
    weight: float
    quote: str | None = None
    span: tuple[int, int] | None = None
    stage: str | None = None
    message_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "category": self.category,
            "kind": self.kind,
            "detail": self.detail,
            "weight": round(self.weight, 4),
            "quote": self.quote,
            "span": list(self.span) if self.span is not None else None,
        }
        if self.stage is not None:
            out["stage"] = self.stage
        if self.message_id is not None:
            out["message_id"] = self.message_id
        return out


@dataclass(frozen=True)
class TextResult:
    """Scores (every category, 0..1), labels over threshold and reasons for one message."""

    language: str
    scores: dict[str, float]
    labels: list[str]
    reasons: list[Reason]
    mixed: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "scores": {c: round(s, 4) for c, s in self.scores.items()},
            "labels": list(self.labels),
            "reasons": [r.to_dict() for r in self.reasons],
        }

    def stages(self, category: str) -> list[str]:
        """Stages named by this message's reasons for `category`, in order of position."""
        seen: list[str] = []
        for r in self.reasons:
            if r.category == category and r.stage is not None and r.stage not in seen:
                seen.append(r.stage)
        return seen


def _zero_scores() -> dict[str, float]:
    return dict.fromkeys(CATEGORIES, 0.0)


#: Words that make a secret a *surprise* (a birthday, a party, a gift), per language: a secrecy
#: cue in the same message weighs half as much. Machine-assisted; needs native review.
SURPRISE_MARKERS: tuple[str, ...] = (
    "surprise",
    "birthday",
    "bday",
    "party",
    "gift",
    "present",  # en
    "kejutan",
    "hari jadi",
    "harijadi",
    "ulang tahun",
    "ultah",
    "hadiah",
    "parti",  # ms, id
    "sorpresa",
    "kaarawan",
    "regalo",
    "handaan",  # fil
    "bat ngo",
    "sinh nhat",
    "qua",  # vi (diacritics stripped)
    "เซอร์ไพรส์",
    "วันเกิด",
    "ของขวัญ",
    "ปาร์ตี้",  # th
    "ខួបកំណើត",
    "កាដូ",
    "ជប់លៀង",  # km
    "ເຊີໄພຣສ໌",
    "ວັນເກີດ",
    "ຂອງຂວັນ",  # lo
    "မွေးနေ့",
    "လက်ဆောင်",
    "ပါတီ",  # my
    "surpreza",
    "aniversariu",
    "prezente",
    "festa",  # tet
)
SURPRISE_DISCOUNT = 0.5
_SURPRISE = regex.compile(
    "|".join(
        regex.escape(m) if not m.isascii() else rf"\b{regex.escape(m)}\b" for m in SURPRISE_MARKERS
    )
)


def _defuse_surprises(hits: list[LexiconHit], normalised: NormalisedText) -> list[LexiconHit]:
    """Halve secrecy cues in a message that says the secret is a surprise ("don't tell mum,
    it's a surprise for her birthday"): common in children's chats, and a groomer's secrecy
    rarely comes with a birthday cake. Halved, not dropped: other cues still add up."""
    if not any(h.stage == "secrecy" for h in hits) or not _SURPRISE.search(normalised.text):
        return hits
    return [
        replace(h, weight=h.weight * SURPRISE_DISCOUNT) if h.stage == "secrecy" else h for h in hits
    ]


def _distinct_hits(hits: Sequence[LexiconHit]) -> list[LexiconHit]:
    """Per category, the heaviest hit over any stretch of words: a hit that overlaps a kept
    (heavier, then longer) hit of the same category is the same evidence and is dropped."""
    if len(hits) == 1:
        return list(hits)
    kept: list[LexiconHit] = []
    ranked = sorted(
        hits,
        key=lambda h: (
            -h.weight,
            -(h.span_in_original[1] - h.span_in_original[0]),
            h.span_in_original,
        ),
    )
    for hit in ranked:
        a, b = hit.span_in_original
        if any(
            k.category == hit.category and a < k.span_in_original[1] and k.span_in_original[0] < b
            for k in kept
        ):
            continue
        kept.append(hit)
    kept.sort(key=lambda h: (h.span_in_original, h.category))
    return kept


def _lexicon_reason(hit: LexiconHit, normalised: NormalisedText) -> Reason:
    stage = f", {hit.stage}" if hit.stage else ""
    span = hit.span_in_original
    what = "rule" if hit.source == "rule" else "phrase"
    return Reason(
        category=hit.category,
        kind="lexicon",
        detail=(
            f'{what} "{hit.phrase}" ({hit.category}{stage}, weight {hit.weight:g}, '
            f"{hit.language} {'rules' if hit.source == 'rule' else 'lexicon'})"
        ),
        weight=hit.weight,
        quote=normalised.original[span[0] : span[1]],
        span=span,
        stage=hit.stage,
    )


def sextortion_reason(kind: str, quote: str, context: str, message_id: str | None = None) -> Reason:
    """The reason a `sextortion` pattern cue gives (``kind`` is "threat" or "demand")."""
    return Reason(
        category="sextortion",
        kind="pattern",
        detail=f"sextortion {kind} pattern ({context})",
        weight=CUE_WEIGHT,
        quote=quote,
        stage=kind,
        message_id=message_id,
    )


def _sextortion_in_one_message(
    hits: Sequence[LexiconHit], normalised: NormalisedText, text: str, reasons: list[Reason]
) -> float:
    """When one message holds a threat *and* a demand (lexicon stages or `sextortion`
    patterns), the sextortion evidence they make together; else 0. Adds the pattern reasons."""
    halves = {"threat": 0.0, "demand": 0.0}
    for hit in hits:
        if hit.stage in halves and hit.weight > halves[hit.stage]:
            halves[hit.stage] = hit.weight
    cues = sextortion_cues(normalised.text, text)
    for kind, _quote in cues:
        halves[kind] = max(halves[kind], CUE_WEIGHT)
    if not (halves["threat"] and halves["demand"]):
        return 0.0
    for kind, quote in cues:
        reasons.append(sextortion_reason(kind, quote, "threat and demand in one message"))
    return noisy_or((halves["threat"], halves["demand"], SEXTORTION_BOOST))


def _model_name(model: TextModel) -> str:
    return str(model.metadata.get("dataset") or model.metadata.get("name") or "model")


class TextScorer:
    """Scores messages for every category from a lexicon and optional per-language models."""

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        models: Sequence[TextModel] = (),
        thresholds: Mapping[str, float] | None = None,
        rules: RuleSet | None = None,
    ) -> None:
        self.lexicon = lexicon if lexicon is not None else Lexicon.load_default()
        self.rules = rules if rules is not None else RuleSet.load_default()
        self.thresholds = check_thresholds(thresholds)
        self.models: tuple[TextModel, ...] = tuple(models)
        # language -> [(category, model)]
        self._by_language: dict[str, list[tuple[str, TextModel]]] = {}
        for model in self.models:
            category = model.metadata.get("category")
            language = model.metadata.get("language")
            if category not in CATEGORIES:
                raise ValueError(
                    f"model {_model_name(model)!r}: metadata category {category!r} is not one of "
                    f"{CATEGORIES}"
                )
            if not isinstance(language, str) or not language:
                raise ValueError(f"model {_model_name(model)!r}: metadata has no language")
            self._by_language.setdefault(language, []).append((category, model))

    @classmethod
    def default(cls, models_dir: Path | None = None) -> TextScorer:
        """The default lexicon and every model found in the package's ``models/`` folder and in
        `models_dir` (operator-trained, ``lindung text train --out DIR``). A model in
        `models_dir` replaces a packaged model with the same file name."""
        found: dict[str, Path] = {}
        for folder in (PACKAGE_MODELS_DIR, models_dir):
            if folder is None:
                continue
            folder = Path(folder)
            if models_dir is not None and folder == Path(models_dir) and not folder.is_dir():
                raise FileNotFoundError(f"models folder {folder} does not exist")
            if not folder.is_dir():
                continue
            for npz in sorted(folder.glob("*.npz")):
                if model_paths(npz)[1].is_file():
                    found[npz.stem] = npz
        models = [TextModel.load(path) for path in found.values()]
        return cls(models=models)

    def model_keys(self) -> list[tuple[str, str, str]]:
        """(language, category, model name) of every loaded model."""
        return sorted(
            (lang, cat, _model_name(m))
            for lang, pairs in self._by_language.items()
            for cat, m in pairs
        )

    # --- scoring -----------------------------------------------------------------------------

    def score(
        self, text: str, thresholds: Mapping[str, float] | None = None, *, explain: bool = True
    ) -> TextResult:
        """Score one message (see module docstring)."""
        return self.score_many([text], thresholds, explain=explain)[0]

    def score_many(
        self,
        texts: Sequence[str],
        thresholds: Mapping[str, float] | None = None,
        *,
        explain: bool = True,
    ) -> list[TextResult]:
        """Score many messages, running each model once per `BATCH` messages of its language.

        ``explain=False`` leaves the models' top features out of model reasons: listing them
        costs about as much as the rest of the pipeline, so bulk scans that only need scores and
        labels can skip it (scores, labels and every other reason are unchanged).
        """
        if isinstance(texts, str):
            raise TypeError("score_many takes a sequence of texts, not one string")
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {i} must be a string, not {type(text).__name__}")
        limits = check_thresholds(thresholds, self.thresholds)
        results: list[TextResult] = []
        # In batches, so that each batch's working objects (normalised texts, language guesses)
        # are freed before the next: the garbage collector then has less to walk, and memory
        # stays flat however many messages come in.
        for start in range(0, len(texts), BATCH):
            results += self._score_batch(texts[start : start + BATCH], limits, explain)
        return results

    def _score_batch(
        self, texts: Sequence[str], limits: Mapping[str, float], explain: bool
    ) -> list[TextResult]:
        prepared: list[tuple[NormalisedText, LanguageGuess] | None] = []
        for text in texts:
            if not text or text.isspace():
                prepared.append(None)
                continue
            normalised = normalise(text)
            prepared.append((normalised, detect_language(normalised)))

        # model evidence by message index: [(category, probability, model)], in the models' order
        evidence: dict[int, list[tuple[str, float, TextModel]]] = {}
        if self._by_language:
            batches: dict[int, tuple[TextModel, str, list[int]]] = {}
            for i, item in enumerate(prepared):
                if item is None:
                    continue
                guess = item[1]
                langs = dict.fromkeys((guess.code, *guess.mixed)) if guess.mixed else (guess.code,)
                for lang in langs:
                    for category, model in self._by_language.get(lang, ()):
                        batch = batches.setdefault(id(model), (model, category, []))
                        if not batch[2] or batch[2][-1] != i:
                            batch[2].append(i)
            for model, category, indices in batches.values():
                probs = model.predict_proba([texts[i] for i in indices])[:, 1]
                for i, p in zip(indices, probs.tolist(), strict=True):
                    evidence.setdefault(i, []).append((category, float(p), model))

        results: list[TextResult] = []
        for i, item in enumerate(prepared):
            if item is None:
                results.append(TextResult("und", _zero_scores(), [], []))
                continue
            normalised, guess = item
            results.append(
                self._assemble(texts[i], normalised, guess, evidence.get(i, ()), limits, explain)
            )
        return results

    def _assemble(
        self,
        text: str,
        normalised: NormalisedText,
        guess: LanguageGuess,
        evidence: Sequence[tuple[str, float, TextModel]],
        limits: Mapping[str, float],
        explain: bool,
    ) -> TextResult:
        found = self.lexicon.match(normalised)
        found += self.rules.match(normalised)
        hits = _distinct_hits(_defuse_surprises(found, normalised)) if found else found
        reasons = [_lexicon_reason(h, normalised) for h in hits]
        # noisy-OR per category in one pass (the same products, in the same order, as noisy_or)
        miss = dict.fromkeys(CATEGORIES, 1.0)
        for hit in hits:
            miss[hit.category] *= 1.0 - min(max(hit.weight, 0.0), 1.0)
        scores = {category: 1.0 - m for category, m in miss.items()}
        both_halves = _sextortion_in_one_message(hits, normalised, text, reasons)
        if both_halves:
            scores["sextortion"] = max(scores["sextortion"], both_halves)
        if evidence:
            for category in CATEGORIES:
                for of, p, model in evidence:
                    if of != category:
                        continue
                    scores[category] = max(scores[category], p)
                    if p >= MODEL_REASON_FRACTION * limits[category]:
                        reasons.append(self._model_reason(model, category, text, p, explain))
        labels = [c for c in CATEGORIES if scores[c] > 0 and scores[c] >= limits[c]]
        return TextResult(guess.code, scores, labels, reasons, guess.mixed)

    @staticmethod
    def _model_reason(
        model: TextModel, category: str, text: str, p: float, explain: bool
    ) -> Reason:
        language = model.metadata.get("language", "?")
        detail = f'model "{_model_name(model)}" ({category}, {language}) probability {p:.2f}'
        features = model.top_features(text, MODEL_TOP_FEATURES) if explain else []
        if features:
            detail += "; top features: " + ", ".join(f'"{t}" (+{v:.2f})' for t, v in features)
        return Reason(category=category, kind="model", detail=detail, weight=p)
