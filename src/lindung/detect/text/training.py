"""Train and evaluate Lindung's text models on the public datasets (needs scikit-learn).

Ours: TF-IDF of character n-grams inside word boundaries (``char_wb`` 1-5, sublinear tf) plus word
1-2-grams (sublinear tf), each block L2-normalised, capped by document frequency, and a logistic
regression, optionally over features scaled by their Naive Bayes log-count ratio (NB-LR, see
:func:`nb_ratio`); ``C``, class weighting and the scaling are chosen by stratified 3-fold
cross-validation (F1) on the **training** split only. Baseline: scikit-learn's default word
``TfidfVectorizer`` and ``LogisticRegression``, trained on the same split. Both are scored on the
dataset's held-out split at threshold 0.5. Everything is seeded, so a rerun gives the same model
and figures.

Run every dataset and write models (not committed; the sets' licences differ, see SOURCES.md)::

    python -m lindung.detect.text.training --out /tmp/lindung-models

Rebuild the models that ship inside the package (only datasets whose licence allows it, each with
its documented deployment prior, see :func:`shift_prior`)::

    lindung text train --package
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from lindung.detect.text.datasets import DATASETS, Dataset, load_dataset
from lindung.detect.text.model import PACKAGE_MODELS_DIR, TextModel, model_size

__all__ = [
    "PACKAGE_NB_ALPHAS",
    "Metrics",
    "TrainConfig",
    "TrainReport",
    "cross_validate",
    "effective_prior",
    "evaluate",
    "fit_features",
    "fit_logistic",
    "fit_sklearn",
    "main",
    "nb_ratio",
    "score_metrics",
    "shift_prior",
    "train",
    "train_baseline",
    "train_on",
]


Setting = TypeVar("Setting")


class ProbabilisticClassifier(Protocol):
    def predict_proba(self, texts: Sequence[str], /) -> npt.NDArray[np.float64]: ...


@dataclass(frozen=True)
class Metrics:
    precision: float
    recall: float
    f1: float
    roc_auc: float  # nan when the held-out split has one class only
    n: int
    positives: int
    threshold: float = 0.5


@dataclass(frozen=True)
class TrainConfig:
    char_ngram_range: tuple[int, int] = (1, 5)
    char_max_features: int = 100_000
    word_ngram_range: tuple[int, int] = (1, 2)
    word_max_features: int = 40_000
    min_df: int = 2
    c_grid: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
    class_weights: tuple[str | None, ...] = (None, "balanced")
    #: Naive Bayes smoothing of the log-count-ratio scaling to try (None: no scaling).
    nb_alphas: tuple[float | None, ...] = (None, 0.5)
    cv_folds: int = 3
    #: Processes for the cross-validation (joblib's n_jobs; -1: every core). The choice and the
    #: model do not depend on it.
    n_jobs: int = 1
    seed: int = 0
    #: Prior-shift calibration (see `shift_prior`); None leaves the model as trained.
    target_prior: float | None = None


@dataclass
class TrainReport:
    dataset: str
    language: str
    category: str
    split: str
    n_train: int
    metrics: Metrics
    baseline: Metrics | None
    train_seconds: float
    chosen: dict[str, Any] = field(default_factory=dict)


def score_metrics(
    labels: Sequence[int] | npt.NDArray[np.int64],
    scores: Sequence[float] | npt.NDArray[np.float64],
    threshold: float = 0.5,
) -> Metrics:
    """Precision, recall and F1 of the positive class at ``threshold``, and ROC-AUC."""
    from sklearn.metrics import precision_recall_fscore_support, roc_auc_score

    y = np.asarray(labels, dtype=np.int64)
    s = np.asarray(scores, dtype=np.float64)
    pred = (s >= threshold).astype(np.int64)
    p, r, f, _ = precision_recall_fscore_support(
        y, pred, average="binary", pos_label=1, zero_division=0
    )
    auc = float(roc_auc_score(y, s)) if len(set(y.tolist())) == 2 else float("nan")
    return Metrics(
        precision=float(p),
        recall=float(r),
        f1=float(f),
        roc_auc=auc,
        n=len(y),
        positives=int(y.sum()),
        threshold=threshold,
    )


def evaluate(model: ProbabilisticClassifier, dataset: Dataset, threshold: float = 0.5) -> Metrics:
    """Score ``model`` on the dataset's held-out (test) split."""
    texts = [ex.text for ex in dataset.test]
    labels = [ex.label for ex in dataset.test]
    return score_metrics(labels, model.predict_proba(texts)[:, 1], threshold)


def _vectorizers(config: TrainConfig) -> list[Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=config.char_ngram_range,
            sublinear_tf=True,
            min_df=config.min_df,
            max_features=config.char_max_features,
            dtype=np.float64,
        ),
        TfidfVectorizer(
            analyzer="word",
            ngram_range=config.word_ngram_range,
            sublinear_tf=True,
            min_df=config.min_df,
            max_features=config.word_max_features,
            dtype=np.float64,
        ),
    ]


def fit_features(config: TrainConfig, texts: list[str]) -> tuple[list[Any], Any]:
    """Fit our feature blocks on `texts`: (vectorisers, sparse feature matrix)."""
    from scipy.sparse import hstack

    vecs = _vectorizers(config)
    X = hstack([v.fit_transform(texts) for v in vecs]).tocsr()
    return vecs, X


def nb_ratio(X: Any, y: npt.NDArray[np.int64], alpha: float) -> npt.NDArray[np.float64]:
    """Naive Bayes log-count ratio of each feature for the positive class.

    Why: scaling TF-IDF features by how much more often they occur in positive than in negative
    examples before the logistic regression (NB-LR, Wang & Manning, ACL 2012, "Baselines and
    Bigrams") lets rare but telling n-grams count without a smaller penalty on everything; on the
    Davidson tweets it raised cross-validated 3-class weighted F1 from 0.892 to 0.901. ``alpha``
    smooths features seen in one class only.
    """
    pos = np.asarray(X[y == 1].sum(axis=0), dtype=np.float64).ravel() + alpha
    neg = np.asarray(X[y != 1].sum(axis=0), dtype=np.float64).ravel() + alpha
    return np.asarray(np.log((pos / pos.sum()) / (neg / neg.sum())), dtype=np.float64)


def fit_logistic(
    X: Any,
    y: npt.NDArray[np.int64],
    *,
    c: float,
    class_weight: str | None,
    nb_alpha: float | None,
    seed: int = 0,
) -> Any:
    """A binary ``LogisticRegression`` on ``X``, NB-scaled when ``nb_alpha`` is set.

    The scaling is folded back into the coefficients (``coef * r``), so the returned classifier
    takes unscaled features: the shipped model and its scoring code stay a plain linear model
    over TF-IDF, with no extra work per message.
    """
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, class_weight=class_weight, solver="liblinear", random_state=seed)
    if nb_alpha is None:
        return clf.fit(X, y)
    r = nb_ratio(X, y, nb_alpha)
    clf.fit(X.multiply(r).tocsr(), y)
    clf.coef_ = clf.coef_ * r
    return clf


def cross_validate(
    grid: Sequence[Setting],
    folds: Sequence[tuple[Any, Any]],
    fold_score: Callable[[Setting, Any, Any], float],
    n_jobs: int = 1,
) -> tuple[Setting, float]:
    """The setting of `grid` with the best mean `fold_score(setting, fit_rows, held_rows)` over
    `folds` (the first one on ties), and that mean. ``n_jobs`` as in joblib (-1: every core)."""
    from joblib import Parallel, delayed

    scores = Parallel(n_jobs=n_jobs)(
        delayed(fold_score)(setting, fit, held) for setting in grid for fit, held in folds
    )
    k = len(folds)
    means = [float(np.mean(scores[i * k : (i + 1) * k])) for i in range(len(grid))]
    best = int(np.argmax(means))
    return grid[best], means[best]


def _choose(config: TrainConfig, X: Any, y: npt.NDArray[np.int64]) -> dict[str, Any]:
    """Pick C, class weight and NB scaling by stratified k-fold F1 on the training split (the
    NB ratios are computed on each fold's training part only)."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    grid = [
        (c, w, a) for c in config.c_grid for w in config.class_weights for a in config.nb_alphas
    ]
    folds = min(config.cv_folds, int(np.bincount(y, minlength=2).min()))
    if len(grid) == 1 or folds < 2:
        c, w, a = grid[0]
        return {"C": c, "class_weight": w, "nb_alpha": a, "cv_f1": None}
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=config.seed).split(X, y))

    def fold_f1(setting: tuple[float, str | None, float | None], fit: Any, held: Any) -> float:
        c, w, a = setting
        clf = fit_logistic(X[fit], y[fit], c=c, class_weight=w, nb_alpha=a, seed=config.seed)
        return float(f1_score(y[held], clf.predict(X[held]), zero_division=0))

    (c, w, a), f1 = cross_validate(grid, splits, fold_f1, n_jobs=config.n_jobs)
    return {"C": c, "class_weight": w, "nb_alpha": a, "cv_f1": round(f1, 4)}


def fit_sklearn(
    texts: list[str], labels: Sequence[int], config: TrainConfig | None = None
) -> tuple[list[Any], Any, dict[str, Any]]:
    """Fit our vectorisers and logistic regression with scikit-learn: (vectorisers, classifier,
    chosen hyper-parameters). :meth:`TextModel.from_sklearn` turns the result into a model."""
    config = config or TrainConfig()
    y = np.asarray(labels, dtype=np.int64)
    if len(set(y.tolist())) != 2:
        raise ValueError("the training split needs both labels")
    vecs, X = fit_features(config, texts)
    chosen = _choose(config, X, y)
    clf = fit_logistic(
        X,
        y,
        c=chosen["C"],
        class_weight=chosen["class_weight"],
        nb_alpha=chosen["nb_alpha"],
        seed=config.seed,
    )
    return vecs, clf, chosen


def train_on(
    dataset: Dataset, config: TrainConfig | None = None, *, with_baseline: bool = True
) -> tuple[TextModel, TrainReport]:
    """Train our model on ``dataset.train``; evaluate it (and the baseline) on ``dataset.test``."""
    config = config or TrainConfig()
    if not dataset.test:
        raise ValueError(f"{dataset.name}: no held-out examples to evaluate on")
    texts = [ex.text for ex in dataset.train]
    t0 = time.perf_counter()
    vecs, clf, chosen = fit_sklearn(texts, [ex.label for ex in dataset.train], config)
    seconds = time.perf_counter() - t0
    model = TextModel.from_sklearn(vecs, clf)
    calibration = None
    uncalibrated = None
    if config.target_prior is not None:
        uncalibrated = evaluate(model, dataset)
        calibration = shift_prior(model, effective_prior(dataset, chosen), config.target_prior)
    metrics = evaluate(model, dataset)
    baseline = None
    if with_baseline:
        baseline = evaluate(train_baseline(dataset, seed=config.seed), dataset)
    report = TrainReport(
        dataset=dataset.name,
        language=dataset.language,
        category=dataset.category,
        split=dataset.split,
        n_train=len(texts),
        metrics=metrics,
        baseline=baseline,
        train_seconds=round(seconds, 2),
        chosen=chosen,
    )
    model.metadata = {
        "dataset": dataset.name,
        "language": dataset.language,
        "category": dataset.category,
        "split": dataset.split,
        "licence": dataset.licence,
        "n_train": len(texts),
        "n_test": len(dataset.test),
        "trained_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "config": asdict(config),
        "chosen": chosen,
        "metrics": asdict(report.metrics),
        "baseline_metrics": asdict(baseline) if baseline else None,
        "calibration": calibration,
        "metrics_before_calibration": asdict(uncalibrated) if uncalibrated else None,
    }
    return model, report


def effective_prior(dataset: Dataset, chosen: dict[str, Any]) -> float:
    """The share of positives the trained model's probabilities assume.

    Why: balanced class weights make a logistic regression fit as if both classes were equally
    common, so its probabilities carry a prior of 0.5 whatever the split's share; shifting from
    the split's share would move the decision point too far (by 1.6 logits on the Davidson
    tweets, 83% positive).
    """
    if chosen.get("class_weight") == "balanced":
        return 0.5
    return float(np.mean([ex.label for ex in dataset.train]))


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def shift_prior(model: TextModel, train_prior: float, target_prior: float) -> dict[str, Any]:
    """Move the model's intercept so its probabilities assume `target_prior` positives.

    Why: a logistic regression's probabilities carry the class balance of its training split.
    The Davidson tweets are 83% offensive, so the model called most ordinary chat lines
    "offensive" with probability 0.7-0.99. Where a model is used, far fewer messages are
    abusive; the Bayes-consistent correction for a change of class prior (Saerens, Latinne &
    Decaestecker, Neural Computation 14(1), 2002) adds ``logit(target) - logit(train)`` to the
    log-odds. It changes no ranking (ROC-AUC is unchanged), only where 0.5 falls. Returns the
    calibration record kept in the model's metadata.
    """
    for name, p in (("train_prior", train_prior), ("target_prior", target_prior)):
        if not 0.0 < p < 1.0:
            raise ValueError(f"{name} must be strictly between 0 and 1, not {p!r}")
    shift = _logit(target_prior) - _logit(train_prior)
    model.intercept = float(model.intercept + shift)
    return {
        "method": "prior_shift",
        "train_prior": round(train_prior, 6),
        "target_prior": target_prior,
        "intercept_shift": round(shift, 6),
    }


def train_baseline(dataset: Dataset, seed: int = 0) -> Any:
    """Word TF-IDF + logistic regression with scikit-learn's defaults, on the same split."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000, random_state=seed))
    pipe.fit([ex.text for ex in dataset.train], [ex.label for ex in dataset.train])
    return pipe


def train(
    dataset_name: str,
    *,
    data_dir: Path | str | None = None,
    config: TrainConfig | None = None,
    with_baseline: bool = True,
) -> tuple[TextModel, TrainReport]:
    """Load a dataset by name, train on its training split, evaluate on its held-out split."""
    return train_on(load_dataset(dataset_name, data_dir), config, with_baseline=with_baseline)


#: NB scaling the package build may choose: none. Why: the shipped model is used on chat, not
#: tweets, and NB ratios sharpen the fit to the training domain. On the PAN12 non-predator chat
#: segments (benign chat it never saw), at the same 6.3% of them flagged, the NB-scaled Davidson
#: model kept 0.68 recall on held-out abusive tweets and the plain one 0.79 (docs/text.md).
PACKAGE_NB_ALPHAS: tuple[float | None, ...] = (None,)


def _fmt(m: Metrics | None) -> str:
    if m is None:
        return "-"
    return f"{m.precision:.3f}/{m.recall:.3f}/{m.f1:.3f}/{m.roc_auc:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("datasets", nargs="*", help="dataset names (default: all)")
    parser.add_argument("--out", type=Path, help="folder to write <dataset>.npz/.json models to")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--json", action="store_true", help="one JSON report per line")
    parser.add_argument(
        "--jobs",
        type=int,
        default=-1,
        help="processes for cross-validation (default -1: every core; results do not change)",
    )
    parser.add_argument(
        "--target-prior",
        type=float,
        default=None,
        help="calibrate each model to this share of positives (prior shift)",
    )
    parser.add_argument(
        "--package",
        action="store_true",
        help="train the datasets whose licence lets the model ship, with their deployment "
        "priors, into the package's models folder",
    )
    args = parser.parse_args(argv)
    if args.target_prior is not None and not 0.0 < args.target_prior < 1.0:
        parser.error("--target-prior must be strictly between 0 and 1")
    names = args.datasets or list(DATASETS)
    out: Path | None = args.out
    if args.package:
        refused = [n for n in names if not DATASETS[n].ships]
        if args.datasets and refused:
            parser.error(
                "not shippable (licence, see shared/data/SOURCES.md): " + ", ".join(refused)
            )
        names = [n for n in names if DATASETS[n].ships]
        out = out or PACKAGE_MODELS_DIR
    if not args.json:
        print(
            "dataset | lang | category | ours P/R/F1/AUC | baseline P/R/F1/AUC | "
            "train s | C/weight/NB | prior | size KB"
        )
    for name in names:
        prior = args.target_prior
        if args.package and prior is None:
            prior = DATASETS[name].deploy_prior
        config = TrainConfig(target_prior=prior, n_jobs=args.jobs)
        if args.package:
            config = replace(config, nb_alphas=PACKAGE_NB_ALPHAS)
        model, report = train(name, data_dir=args.data_dir, config=config)
        size = 0
        if out is not None:
            model.save(out / name)
            size = model_size(out / name)
        if args.json:
            print(json.dumps({**asdict(report), "target_prior": prior, "model_bytes": size}))
        else:
            print(
                f"{name} | {report.language} | {report.category} | {_fmt(report.metrics)} | "
                f"{_fmt(report.baseline)} | {report.train_seconds} | "
                f"{'/'.join(str(report.chosen[k]) for k in ('C', 'class_weight', 'nb_alpha'))} | "
                f"{prior if prior is not None else '-'} | {size // 1024}"
            )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
