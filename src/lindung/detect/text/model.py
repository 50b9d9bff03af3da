"""Small linear text classifiers that ship as safe, non-executable files.

A :class:`TextModel` is a logistic regression over TF-IDF features from one or more blocks
(character n-grams inside word boundaries, word n-grams), each block L2-normalised on its own,
exactly as scikit-learn's ``FeatureUnion`` of ``TfidfVectorizer`` s followed by
``LogisticRegression`` computes them. scikit-learn is needed to *train* (see
:mod:`lindung.detect.text.training`); scoring needs only numpy and reproduces scikit-learn's
probabilities to floating-point rounding.

File format (no pickle anywhere, so loading a model file never runs code):

* ``<stem>.npz`` — a zip of plain numeric arrays read with ``numpy.load(allow_pickle=False)``:
  ``coef`` (float64, one weight per feature, blocks concatenated), ``intercept`` (float64, 1),
  ``idf_<i>`` (float64 per block) and ``vocab_<i>`` (uint8: the UTF-8 bytes of a JSON list of terms,
  position = column within the block).
* ``<stem>.json`` — human-readable sidecar: format version, blocks' vectoriser parameters, classes,
  and training metadata (dataset, language, category, split, date, metrics).
"""

from __future__ import annotations

import json
import re
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise, repeat
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "FORMAT",
    "PACKAGE_MODELS_DIR",
    "FeatureBlock",
    "TextModel",
    "model_paths",
    "model_size",
]

FORMAT = "lindung-text-linear/1"
#: Models shipped inside the package (only those whose dataset licence allows it).
PACKAGE_MODELS_DIR = Path(__file__).with_name("models")
_WHITE_SPACES = re.compile(r"\s\s+")
_DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_ASCII_TOKENS = re.compile(r"[A-Za-z0-9_]{2,}")
_INT32_KEYS = 2**31  # (document, column) keys below this are sorted as 32-bit integers
_WORD_CACHE_SIZE = 200_000  # distinct words whose char_wb columns are remembered per block


def model_paths(path: str | Path) -> tuple[Path, Path]:
    """The ``.npz`` and ``.json`` paths for a model path given with either suffix or none."""
    p = Path(path)
    if p.suffix in (".npz", ".json"):
        p = p.with_suffix("")
    return p.with_name(p.name + ".npz"), p.with_name(p.name + ".json")


def model_size(path: str | Path) -> int:
    """Total size in bytes of a saved model's two files."""
    return sum(p.stat().st_size for p in model_paths(path))


def _char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    # Same n-grams, in the same way, as sklearn's VectorizerMixin._char_wb_ngrams.
    # (sklearn's loop, rewritten with slices: offsets 0 .. w_len - n, and a word no longer than n
    # is counted once, whole, and ends the loop over n.)
    ngrams: list[str] = []
    extend = ngrams.extend
    append = ngrams.append
    for w in text.split():
        w = " " + w + " "
        w_len = len(w)
        for n in range(min_n, max_n + 1):
            if n >= w_len:
                append(w)
                break
            extend([w[i : i + n] for i in range(w_len - n + 1)])
    return ngrams


def _char_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    # Same as sklearn's VectorizerMixin._char_ngrams.
    text = _WHITE_SPACES.sub(" ", text)
    text_len = len(text)
    ngrams: list[str] = []
    for n in range(min_n, min(max_n + 1, text_len + 1)):
        for i in range(text_len - n + 1):
            ngrams.append(text[i : i + n])
    return ngrams


def _word_ngrams(tokens: list[str], min_n: int, max_n: int) -> list[str]:
    # Same as sklearn's VectorizerMixin._word_ngrams without stop words.
    if max_n == 1:
        return tokens
    if (min_n, max_n) == (1, 2):  # the usual case, without slicing and joining
        return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]
    original = tokens
    if min_n == 1:
        out = list(original)
        min_n += 1
    else:
        out = []
    n_orig = len(original)
    for n in range(min_n, min(max_n + 1, n_orig + 1)):
        for i in range(n_orig - n + 1):
            out.append(" ".join(original[i : i + n]))
    return out


@dataclass
class FeatureBlock:
    """One TF-IDF vectoriser: analyzer ``word``, ``char`` or ``char_wb``, with its fitted vocabulary
    (term → column within the block) and idf weights."""

    analyzer: str
    ngram_range: tuple[int, int]
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    lowercase: bool = True
    sublinear_tf: bool = False
    norm: str | None = "l2"
    token_pattern: str = _DEFAULT_TOKEN_PATTERN
    _analyse: Callable[[str], list[str]] = field(init=False, repr=False, compare=False)
    _word_cache: dict[str, array[int]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        if self.analyzer not in ("word", "char", "char_wb"):
            raise ValueError(f"unsupported analyzer {self.analyzer!r}")
        if self.norm not in ("l2", None):
            raise ValueError(f"unsupported norm {self.norm!r}")
        if len(self.idf) != len(self.vocabulary):
            raise ValueError("idf and vocabulary sizes differ")
        lo, hi = self.ngram_range
        lower = self.lowercase
        if self.analyzer == "word":
            find = re.compile(self.token_pattern).findall
            # On ASCII text the default pattern's tokens are exactly the runs of two or more
            # [A-Za-z0-9_], which this pattern finds without boundary checks (about 40% faster).
            find_ascii = (
                _ASCII_TOKENS.findall if self.token_pattern == _DEFAULT_TOKEN_PATTERN else find
            )

            def analyse(text: str) -> list[str]:
                text = text.lower() if lower else text
                return _word_ngrams((find_ascii if text.isascii() else find)(text), lo, hi)
        else:
            ngrams = _char_wb_ngrams if self.analyzer == "char_wb" else _char_ngrams

            def analyse(text: str) -> list[str]:
                return ngrams(text.lower() if lower else text, lo, hi)

        self._analyse = analyse

    @property
    def n_features(self) -> int:
        return len(self.vocabulary)

    def params(self) -> dict[str, Any]:
        return {
            "analyzer": self.analyzer,
            "ngram_range": list(self.ngram_range),
            "lowercase": self.lowercase,
            "sublinear_tf": self.sublinear_tf,
            "norm": self.norm,
            "token_pattern": self.token_pattern,
            "n_features": self.n_features,
        }

    def _column_ids(
        self, texts: Sequence[str]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
        """The in-vocabulary columns of every n-gram of every text, and how many per text."""
        # Column ids gather in an int64 `array` (extended from cached arrays in C, then handed to
        # numpy without a copy): converting a Python list of ints was a tenth of scoring time.
        out: array[int] = array("q")
        sizes: list[int] = []
        vocab_get = self.vocabulary.get
        if self.analyzer == "char_wb":
            # char_wb n-grams never cross words: map each distinct word to its columns once.
            cache = self._word_cache
            if len(cache) > _WORD_CACHE_SIZE:
                cache.clear()
            lo, hi = self.ngram_range
            for text in texts:
                before = len(out)
                for w in (text.lower() if self.lowercase else text).split():
                    cols = cache.get(w)
                    if cols is None:
                        grams = _char_wb_ngrams(w, lo, hi)
                        cols = array(
                            "q",
                            [c for c in map(vocab_get, grams, repeat(-1, len(grams))) if c >= 0],
                        )
                        cache[w] = cols
                    out.extend(cols)
                sizes.append(len(out) - before)
        else:
            analyse = self._analyse
            for text in texts:
                grams = analyse(text)
                found = [c for c in map(vocab_get, grams, repeat(-1, len(grams))) if c >= 0]
                sizes.append(len(found))
                out.extend(found)
        ids = np.frombuffer(out, dtype=np.int64) if len(out) else np.zeros(0, dtype=np.int64)
        return ids, np.asarray(sizes, dtype=np.intp)

    def weights(
        self, texts: Sequence[str], coef: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """Each text's dot product of its TF-IDF vector (this block) with ``coef`` (this block)."""
        n_docs = len(texts)
        ids, lengths = self._column_ids(texts)
        if not len(ids):
            return np.zeros(n_docs, dtype=np.float64)
        # One key per (document, column), counted by sorting: in 32 bits when the keys fit, which
        # sorts in about 60% of the time of 64 bits.
        key_type = np.int32 if n_docs * self.n_features < _INT32_KEYS else np.int64
        docs = np.repeat(np.arange(n_docs, dtype=key_type), lengths)
        flat: npt.NDArray[np.signedinteger[Any]] = docs * self.n_features + ids.astype(
            key_type, copy=False
        )
        keys, counts = np.unique(flat, return_counts=True)
        doc = (keys // self.n_features).astype(np.intp)
        col = (keys % self.n_features).astype(np.intp)
        tf = counts.astype(np.float64)
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        w = tf * self.idf[col]
        if self.norm == "l2":
            norms = np.sqrt(np.bincount(doc, weights=w * w, minlength=n_docs))
            norms[norms == 0.0] = 1.0
            w = w / norms[doc]
        return np.bincount(doc, weights=w * coef[col], minlength=n_docs).astype(np.float64)


@dataclass
class TextModel:
    """Binary logistic regression over concatenated TF-IDF feature blocks."""

    blocks: list[FeatureBlock]
    coef: npt.NDArray[np.float64]
    intercept: float
    classes: tuple[int, int] = (0, 1)
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = sum(b.n_features for b in self.blocks)
        if self.coef.shape != (n,):
            raise ValueError(f"coef has shape {self.coef.shape}, expected ({n},)")

    # -- scoring ------------------------------------------------------------------------------

    def decision_function(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        scores = np.full(len(texts), self.intercept, dtype=np.float64)
        start = 0
        for b in self.blocks:
            end = start + b.n_features
            scores += b.weights(texts, self.coef[start:end])
            start = end
        return scores

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """``(n, 2)`` probabilities of ``classes`` (column 1 = the category applies), as
        sklearn's ``LogisticRegression.predict_proba`` gives them."""
        if isinstance(texts, str):
            raise TypeError("predict_proba takes a sequence of texts, not one string")
        with np.errstate(over="ignore"):  # exp overflow → inf → probability 0, as expit gives
            p = 1.0 / (1.0 + np.exp(-self.decision_function(texts)))
        return np.column_stack([1.0 - p, p])

    def score(self, text: str) -> float:
        """Probability that the category applies to one text."""
        return float(self.predict_proba([text])[0, 1])

    def top_features(self, text: str, k: int = 5) -> list[tuple[str, float]]:
        """The terms in ``text`` that pushed its score up most (term, contribution): evidence a
        reviewer can read."""
        contrib: dict[str, float] = {}
        start = 0
        for b in self.blocks:
            c = Counter(t for t in b._analyse(text) if t in b.vocabulary)
            if c:
                terms = list(c)
                col = np.array([b.vocabulary[t] for t in terms], dtype=np.intp)
                tf = np.array([c[t] for t in terms], dtype=np.float64)
                if b.sublinear_tf:
                    tf = np.log(tf) + 1.0
                w = tf * b.idf[col]
                if b.norm == "l2":
                    w = w / float(np.sqrt(np.dot(w, w)))
                for t, v in zip(terms, w * self.coef[start + col], strict=True):
                    contrib[t.strip()] = contrib.get(t.strip(), 0.0) + float(v)
            start += b.n_features
        ranked = sorted(contrib.items(), key=lambda kv: kv[1], reverse=True)
        return [(t, v) for t, v in ranked[:k] if v > 0]

    # -- building from scikit-learn -----------------------------------------------------------

    @classmethod
    def from_sklearn(
        cls, vectorizers: Sequence[Any], classifier: Any, metadata: dict[str, Any] | None = None
    ) -> TextModel:
        """Build from fitted ``TfidfVectorizer`` s (in ``FeatureUnion`` order) and a fitted binary
        ``LogisticRegression``. Duck-typed, so this module never imports scikit-learn."""
        blocks = []
        for v in vectorizers:
            if v.stop_words is not None or v.preprocessor is not None or v.tokenizer is not None:
                raise ValueError("stop words and custom preprocessors/tokenizers are not supported")
            if v.strip_accents is not None or not v.use_idf or v.binary:
                raise ValueError("strip_accents, binary tf and use_idf=False are not supported")
            vocab = {str(t): int(i) for t, i in v.vocabulary_.items()}
            blocks.append(
                FeatureBlock(
                    analyzer=str(v.analyzer),
                    ngram_range=(int(v.ngram_range[0]), int(v.ngram_range[1])),
                    vocabulary=vocab,
                    idf=np.asarray(v.idf_, dtype=np.float64),
                    lowercase=bool(v.lowercase),
                    sublinear_tf=bool(v.sublinear_tf),
                    norm=v.norm,
                    token_pattern=str(v.token_pattern),
                )
            )
        classes = [int(c) for c in classifier.classes_]
        if classes != [0, 1] or classifier.coef_.shape[0] != 1:
            raise ValueError("only binary classifiers with classes [0, 1] are supported")
        return cls(
            blocks=blocks,
            coef=np.asarray(classifier.coef_[0], dtype=np.float64).copy(),
            intercept=float(classifier.intercept_[0]),
            classes=(0, 1),
            metadata=dict(metadata or {}),
        )

    # -- files --------------------------------------------------------------------------------

    def save(self, path: str | Path) -> tuple[Path, Path]:
        """Write ``<stem>.npz`` and ``<stem>.json``; returns both paths."""
        npz_path, json_path = model_paths(path)
        npz_path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, npt.NDArray[Any]] = {
            "coef": self.coef.astype(np.float64),
            "intercept": np.array([self.intercept], dtype=np.float64),
        }
        for i, b in enumerate(self.blocks):
            terms = [""] * b.n_features
            for t, j in b.vocabulary.items():
                terms[j] = t
            raw = json.dumps(terms, ensure_ascii=False).encode("utf-8")
            arrays[f"vocab_{i}"] = np.frombuffer(raw, dtype=np.uint8)
            arrays[f"idf_{i}"] = b.idf.astype(np.float64)
        with npz_path.open("wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
        sidecar = {
            "format": FORMAT,
            "model": "logistic_regression",
            "classes": list(self.classes),
            "blocks": [b.params() for b in self.blocks],
            "n_features": int(self.coef.shape[0]),
            "arrays": npz_path.name,
            "metadata": self.metadata,
        }
        json_path.write_text(
            json.dumps(sidecar, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        return npz_path, json_path

    @classmethod
    def load(cls, path: str | Path) -> TextModel:
        """Read a model written by :meth:`save` (either file's path, or the stem)."""
        npz_path, json_path = model_paths(path)
        sidecar = json.loads(json_path.read_text(encoding="utf-8"))
        if sidecar.get("format") != FORMAT:
            raise ValueError(
                f"{json_path}: not a {FORMAT} model (format {sidecar.get('format')!r})"
            )
        with np.load(npz_path, allow_pickle=False) as z:
            coef = np.asarray(z["coef"], dtype=np.float64)
            intercept = float(z["intercept"][0])
            blocks = []
            for i, p in enumerate(sidecar["blocks"]):
                terms = json.loads(z[f"vocab_{i}"].tobytes().decode("utf-8"))
                if not isinstance(terms, list) or len(terms) != p["n_features"]:
                    raise ValueError(f"{npz_path}: vocabulary {i} does not match the sidecar")
                blocks.append(
                    FeatureBlock(
                        analyzer=str(p["analyzer"]),
                        ngram_range=(int(p["ngram_range"][0]), int(p["ngram_range"][1])),
                        vocabulary={str(t): j for j, t in enumerate(terms)},
                        idf=np.asarray(z[f"idf_{i}"], dtype=np.float64),
                        lowercase=bool(p["lowercase"]),
                        sublinear_tf=bool(p["sublinear_tf"]),
                        norm=p["norm"],
                        token_pattern=str(p["token_pattern"]),
                    )
                )
        classes = tuple(int(c) for c in sidecar["classes"])
        if classes != (0, 1):
            raise ValueError(f"{json_path}: unsupported classes {classes}")
        return cls(
            blocks=blocks,
            coef=coef,
            intercept=intercept,
            classes=(0, 1),
            metadata=dict(sidecar.get("metadata") or {}),
        )

    @property
    def n_features(self) -> int:
        return int(self.coef.shape[0])
