"""Text model quality: Lindung vs a TF-IDF + logistic-regression baseline vs published figures.

For each dataset (default: all in ``lindung.detect.text.datasets.DATASETS``) this trains Lindung's
model and the baseline on the dataset's training split with ``lindung.detect.text.training.train``
(which calls ``train_on``, ``train_baseline`` and ``evaluate``; nothing is re-implemented here) and
prints, per dataset, category and language, precision, recall, F1 (positive class, threshold 0.5)
and ROC-AUC on the held-out split for both; then the dataset's published figures
(:data:`PUBLISHED`), and PASS/FAIL lines for issue 3's targets:

* beat the baseline on every dataset (F1 and ROC-AUC, each a separate target);
* reach the published figure where one exists. A published figure measured on another split or
  with another metric (the official test sets kept back from ``shared/data``, multi-class accuracy
  or macro-F1 against our binary F1, author-level instead of message-level scoring) is printed as
  ``not comparable`` with the reason, never as PASS or FAIL. A figure that could not be found in a
  source is printed as ``not found``.

Exit code: 1 if any *comparable* target failed, else 0 (datasets whose files are missing are
reported as skipped). ``--json`` prints one JSON document instead of the tables.

Run:  PYTHONPATH=src python benchmarks/text_quality.py [DATASET ...] [--data-dir DIR] [--json]
Needs scikit-learn. Never run by the test suite. See docs/text-quality.md.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

try:
    import lindung  # noqa: F401
except ImportError:  # running from a checkout without PYTHONPATH=src
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np
import numpy.typing as npt
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lindung.detect.text.datasets import DATASETS, DatasetNotFoundError, load_davidson_classes
from lindung.detect.text.training import (
    Metrics,
    TrainConfig,
    TrainReport,
    cross_validate,
    fit_features,
    fit_logistic,
    train,
)

PASS, FAIL, NOT_COMPARABLE, NOT_FOUND, SKIPPED, CONTEXT = (
    "PASS",
    "FAIL",
    "not comparable",
    "not found",
    "skipped",
    "context",
)

# --------------------------------------------------------------------------- published figures

#: Full references, by citation key.
CITATIONS: dict[str, str] = {
    "davidson2017": (
        "Thomas Davidson, Dana Warmsley, Michael Macy, Ingmar Weber. Automated Hate Speech "
        "Detection and the Problem of Offensive Language. Proceedings of the 11th International "
        "AAAI Conference on Web and Social Media (ICWSM 2017), pp. 512-515. "
        "doi:10.1609/icwsm.v11i1.14955. arXiv:1703.04009."
    ),
    "ibrohim2019": (
        "Muhammad Okky Ibrohim, Indra Budi. Multi-label Hate Speech and Abusive Language "
        "Detection in Indonesian Twitter. Proceedings of the Third Workshop on Abusive Language "
        "Online (ALW3), ACL, Florence, 2019, pp. 46-57. doi:10.18653/v1/W19-3506."
    ),
    "luu2021": (
        "Son T. Luu, Kiet Van Nguyen, Ngan Luu-Thuy Nguyen. A Large-Scale Dataset for Hate "
        "Speech Detection on Vietnamese Social Media Texts. IEA/AIE 2021, Advances and Trends in "
        "Artificial Intelligence, Springer LNCS, pp. 415-426. doi:10.1007/978-3-030-79457-6_35. "
        "arXiv:2103.11528."
    ),
    "sirihattasak2018": (
        "Sugan Sirihattasak, Mamoru Komachi, Hiroshi Ishikawa. Annotation and Classification of "
        "Toxicity for Thai Twitter. Second Workshop on Text Analytics for Cybersecurity and "
        "Online Safety (TA-COS 2018). (Authors not checked against the paper.)"
    ),
    "sukhamsri2025": (
        "Sutthisak Sukhamsri. Toxicity Posts and Hateful Comments Detection in Thai Language "
        "Using Supervised Ensemble Classification. RMUTL Engineering Journal 10(1), 2025, pp. 1-8. "
        "doi:10.14456/rmutlengj.2025.1."
    ),
    "cabasag2019": (
        "Neil Vicente Cabasag, Vicente Raphael Chan, Sean Christian Lim, Mark Edward Gonzales, "
        "Charibeth Cheng. Hate Speech in Philippine Election-Related Tweets: Automated Detection "
        "and Classification Using Natural Language Processing. Philippine Computing Journal, "
        "2019. (Authors and venue as commonly cited; not checked against the paper.)"
    ),
    "haque2021": (
        "Ayaan Haque, Viraaj Reddi, Tyler Giallanza. Deep Learning for Suicide and Depression "
        "Identification with Unsupervised Label Correction. ICANN 2021, Springer LNCS 12895. "
        "arXiv:2102.09427."
    ),
    "inches2012": (
        "Giacomo Inches, Fabio Crestani. Overview of the International Sexual Predator "
        "Identification Competition at PAN-2012. CLEF 2012 Evaluation Labs and Workshop, Online "
        "Working Notes (CEUR-WS Vol-1178)."
    ),
    "morris2012": (
        "Colin Morris, Graeme Hirst. Identifying Sexual Predators by SVM Classification with "
        "Lexical and Behavioral Features. Notebook for PAN at CLEF 2012 (CEUR-WS Vol-1178)."
    ),
    "vogt2021": (
        "Matthias Vogt, Ulf Leser, Alan Akbik. Early Detection of Sexual Predators in Chats. "
        "ACL-IJCNLP 2021 (Volume 1: Long Papers), pp. 4985-4999. "
        "doi:10.18653/v1/2021.acl-long.386."
    ),
    "kyaw2024": (
        "Nang Aeindray Kyaw, Ye Kyaw Thu, Hutchatai Chanlekha, Thazin Myint Oo, Manabu Okumura, "
        "Thepchai Supnithi. Enhancing Hate Speech Classification in Myanmar Language through "
        "Lexicon-Based Filtering. 21st International Joint Conference on Computer Science and "
        "Software Engineering (JCSSE 2024), Phuket. doi:10.1109/JCSSE61278.2024.10613636."
    ),
}


@dataclass(frozen=True)
class PublishedFigure:
    """One figure as a paper reports it, or a record that none was found.

    ``value`` is None when no figure was found in a source. ``compare_with`` names the metric of
    ours (``"f1"`` or ``"roc_auc"``) it can be judged against; it is None, with ``reason``, when
    the figure is not comparable (other split, other metric, other unit of classification).
    """

    dataset: str
    citation: str  # key of CITATIONS
    metric: str
    value: float | None
    split: str
    read_at: str  # where the figure (or its absence) was read
    compare_with: str | None
    reason: str
    #: Decimals the source printed: ours is compared after rounding the same way (a paper's
    #: "0.90" stands for anything from 0.895 to 0.905).
    decimals: int | None = None
    #: False for figures printed beside the target for context (the parts of an operating
    #: point, such as precision and recall behind an F1): shown with ours, never PASS or FAIL.
    target: bool = True


DAVIDSON_HELD_OUT = (
    "the authors' held-out 10% of labeled_data.csv (scikit-learn train_test_split, "
    "random_state=42: 2,479 tweets, 164 hate / 1,905 offensive / 410 neither); their model was "
    "chosen by 5-fold cross-validation on the other 90%"
)
DAVIDSON_NOTEBOOK = (
    "classification report on the held-out set in the authors' replication notebook "
    "(github.com/t-davidson/hate-speech-and-offensive-language, src/'Automated Hate Speech "
    "Detection and the Problem of Offensive Language Python 3.6.ipynb'): P 0.91, R 0.89, F1 0.90; "
    "hate P 0.44, R 0.59. From its per-class rows the exact weighted F1 lies in 0.895-0.899"
)


def _davidson_held_out(
    metric: str, value: float, compare_with: str, reason: str, *, target: bool = True
) -> PublishedFigure:
    """One figure of the held-out report in the authors' notebook (printed to two decimals)."""
    return PublishedFigure(
        "en-davidson-hate-offensive",
        "davidson2017",
        f"{metric}, held out",
        value,
        DAVIDSON_HELD_OUT,
        DAVIDSON_NOTEBOOK,
        compare_with,
        reason,
        decimals=2,
        target=target,
    )


PUBLISHED: tuple[PublishedFigure, ...] = (
    _davidson_held_out(
        "3-class (hate / offensive / neither) F1, weighted average over classes",
        0.90,
        "davidson_3class_weighted_f1",
        "the same 2,479 tweets (split rebuilt and its class counts checked), same three classes, "
        "same metric; ours is trained on the same 90%",
    ),
    _davidson_held_out(
        "3-class precision, weighted average over classes",
        0.91,
        "davidson_3class_weighted_precision",
        "context for the F1 above (one side of its operating point)",
        target=False,
    ),
    _davidson_held_out(
        "3-class recall, weighted average over classes",
        0.89,
        "davidson_3class_weighted_recall",
        "context for the F1 above (the other side of its operating point)",
        target=False,
    ),
    _davidson_held_out(
        "precision of the hate class",
        0.44,
        "davidson_3class_hate_precision",
        "context: the smallest class (164 tweets)",
        target=False,
    ),
    _davidson_held_out(
        "recall of the hate class",
        0.59,
        "davidson_3class_hate_recall",
        "context: the smallest class (164 tweets)",
        target=False,
    ),
    PublishedFigure(
        "en-davidson-hate-offensive",
        "davidson2017",
        "3-class weighted F1 in the paper (P 0.91, R 0.90, F1 0.90; hate P 0.44, R 0.61)",
        0.90,
        "all 24,783 tweets, by the best model retrained on the entire dataset",
        "arXiv:1703.04009; the authors' notebook says the paper's results come from the model "
        "retrained on the entire dataset",
        None,
        "scored on tweets the model was trained on; the held-out figure above is the one to "
        "compare with",
    ),
    PublishedFigure(
        "en-grooming-pan12-vtpan",
        "morris2012",
        "F1 of predator identification (author level), PAN12 participant",
        0.83,
        "PAN12 official test corpus, one decision per chat author",
        "abstract, CEUR-WS Vol-1178 CLEF2012wn-PAN-MorrisEt2012",
        None,
        "author-level identification over the whole PAN12 test corpus (0.003 F1 chance baseline) "
        "vs our segment-level classification on a seeded 80/20 split of the English VTPAN "
        "validation segments; a participant's figure, not necessarily the competition's best",
    ),
    PublishedFigure(
        "en-grooming-pan12-vtpan",
        "inches2012",
        "best F-score of the PAN12 competition",
        None,
        "PAN12 official test corpus",
        "abstract of the overview (virascience.com copy): no figure",
        None,
        "no figure found; the competition scored authors, not segments",
    ),
    PublishedFigure(
        "en-grooming-pan12-vtpan",
        "vogt2021",
        "F1 (BERT, conventional SPD on VTPAN)",
        None,
        "VTPAN test conversations (VTPAN_test_IDs.txt)",
        "abstract, ACL Anthology author page and project site: 'state-of-the-art results for "
        "conventional SPD', no number",
        None,
        "no number found; measured on the VTPAN test set, which is not here",
    ),
    PublishedFigure(
        "en-suicide-sdcnl",
        "haque2021",
        "accuracy / F1, suicide vs depression",
        None,
        "SDCNL testing-set.csv (kept back here)",
        "abstracts (arXiv, ICANN, project page) and data README: the results table is an image",
        None,
        "no number found in text; measured on SDCNL's test set, which is kept back here",
    ),
    PublishedFigure(
        "id-multilabel-hate-abusive",
        "ibrohim2019",
        "multi-label accuracy (RFDT + label power-set)",
        None,
        "the paper's own cross-validation",
        "abstract (ACL Anthology W19-3506, readkong copy): 'RFDT ... LP ... best accuracy', "
        "no number",
        None,
        "no number found; multi-label accuracy over 12 labels is not our binary F1 over "
        "HS-or-Abusive",
    ),
    PublishedFigure(
        "my-myhatespeech",
        "kyaw2024",
        "accuracy, multi-class (fastText, lexicon-filtered short sentences)",
        0.771,
        "the authors' split of myHateSpeech v1.0",
        "IEEE Xplore abstract (unpaywall.org/10.1109/JCSSE61278.2024.10613636) and the "
        "corpus README",
        None,
        "multi-class accuracy over the corpus's hate classes on lexicon-filtered sentences, not "
        "binary hate-vs-no F1 on whole sentences; other split (20% of the corpus is kept back "
        "here)",
    ),
    PublishedFigure(
        "th-thai-toxicity-tweet",
        "sirihattasak2018",
        "toxic vs non-toxic classification",
        None,
        "the paper's own evaluation",
        "dataset README and Hugging Face card: link to the TA-COS PDF, no figure",
        None,
        "no figure found",
    ),
    PublishedFigure(
        "th-thai-toxicity-tweet",
        "sukhamsri2025",
        "'accuracy of 0.8235 in the F1 binary scoring' (ensemble; wording of the abstract)",
        0.8235,
        "the author's split of the 2,160 tweets with text",
        "abstract, ph01.tci-thaijo.org RMUTLEngJ article 256026",
        None,
        "a later paper, not the dataset's; metric ambiguous as worded; its split includes the "
        "20% kept back here and differs from ours",
    ),
    PublishedFigure(
        "tl-tag-hate-elf",
        "cabasag2019",
        "hate vs non-hate classification",
        None,
        "the 2016-election test split (test.csv, kept back here)",
        "Hugging Face card of hate_speech_filipino (quotes the paper's aims, no figure)",
        None,
        "no figure found; the official test split is kept back here (we evaluate on valid.csv)",
    ),
    PublishedFigure(
        "vi-vihsd",
        "luu2021",
        "macro-F1 over CLEAN / OFFENSIVE / HATE (Text CNN + fastText; accuracy 86.69%)",
        0.6111,
        "ViHSD official test split (kept back here)",
        "'Values from Popular Papers' table of the ViHSD metric card (huggingface space "
        "phucdev/vihsd) quoting the paper; its transformer rows were cut off in the copy read, "
        "so the paper's best may be higher",
        None,
        "3-class macro-F1 on the official test split, which is kept back here; ours is binary F1 "
        "(OFFENSIVE or HATE vs CLEAN) on dev.csv",
    ),
)


# --------------------------------------------------------------------------- same task as a paper


#: Class counts (hate, offensive, neither) of the authors' held-out split, as their notebook
#: prints them; rebuilding the split must give exactly these or the data file differs.
DAVIDSON_TEST_COUNTS = (164, 1905, 410)


def davidson_split(n_rows: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Row indices (train, test) of the authors' split: ``train_test_split`` with
    ``test_size=0.1, random_state=42`` over the file's rows in order, as in their notebook."""
    from sklearn.model_selection import train_test_split

    train_idx, test_idx = train_test_split(np.arange(n_rows), test_size=0.1, random_state=42)
    return np.asarray(train_idx), np.asarray(test_idx)


def _one_vs_rest(
    X: Any, y: npt.NDArray[np.int64], X_test: Any, c: float, nb_alpha: float | None, seed: int
) -> npt.NDArray[np.int64]:
    """Three-class predictions from one of our binary classifiers per class (balanced weights,
    as the paper's model had), taking the class whose classifier is most sure."""
    scores = [
        fit_logistic(
            X, (y == k).astype(np.int64), c=c, class_weight="balanced", nb_alpha=nb_alpha, seed=seed
        ).decision_function(X_test)
        for k in range(3)
    ]
    return np.asarray(np.argmax(np.vstack(scores), axis=0), dtype=np.int64)


def _weighted_f1(y: npt.NDArray[np.int64], pred: npt.NDArray[np.int64]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, average="weighted", zero_division=0))


def davidson_three_classes(data_dir: Path | None) -> dict[str, float]:
    """Lindung's features and classifier trained the authors' way, scored on their held-out rows.

    The shipped model merges hate and offensive; to be judged against Davidson et al.'s figures
    the same features (`fit_features`) and classifier (`fit_logistic`, one per class) are
    trained on the authors' 90% and scored on their 10% (`davidson_split`, checked against
    :data:`DAVIDSON_TEST_COUNTS`) with their metrics: weighted averages over classes, and the
    hate class alone. ``C`` and the NB scaling are chosen from `TrainConfig`'s grids by
    cross-validated weighted F1 on the 90% only, so nothing is tuned on the held-out rows.
    """
    from scipy.sparse import hstack
    from sklearn.metrics import precision_recall_fscore_support
    from sklearn.model_selection import StratifiedKFold

    rows = load_davidson_classes(data_dir)
    train_idx, test_idx = davidson_split(len(rows))
    labels = np.array([ex.label for ex in rows], dtype=np.int64)
    counts = tuple(int(n) for n in np.bincount(labels[test_idx], minlength=3))
    if counts != DAVIDSON_TEST_COUNTS:
        raise ValueError(
            f"rebuilt held-out split has classes {counts}, the authors' had "
            f"{DAVIDSON_TEST_COUNTS}: labeled_data.csv is not the authors' file"
        )
    config = TrainConfig()
    vecs, X = fit_features(config, [rows[i].text for i in train_idx])
    X_test = hstack([v.transform([rows[i].text for i in test_idx]) for v in vecs]).tocsr()
    y, y_test = labels[train_idx], labels[test_idx]

    folds = list(
        StratifiedKFold(config.cv_folds, shuffle=True, random_state=config.seed).split(X, y)
    )
    grid = [(c, a) for c in config.c_grid for a in config.nb_alphas]

    def fold_f1(setting: tuple[float, float | None], fit: Any, held: Any) -> float:
        c, a = setting
        return _weighted_f1(y[held], _one_vs_rest(X[fit], y[fit], X[held], c, a, config.seed))

    (c, alpha), cv_f1 = cross_validate(grid, folds, fold_f1, n_jobs=-1)
    pred = _one_vs_rest(X, y, X_test, c, alpha, config.seed)
    p, r, f, _ = precision_recall_fscore_support(y_test, pred, average="weighted", zero_division=0)
    hp, hr, _hf, _ = precision_recall_fscore_support(
        y_test, pred, labels=[0], average=None, zero_division=0
    )
    return {
        "davidson_3class_weighted_precision": float(p),
        "davidson_3class_weighted_recall": float(r),
        "davidson_3class_weighted_f1": float(f),
        "davidson_3class_hate_precision": float(hp[0]),
        "davidson_3class_hate_recall": float(hr[0]),
        "davidson_3class_cv_weighted_f1": cv_f1,
        "davidson_3class_C": float(c),
        "davidson_3class_nb_alpha": float("nan") if alpha is None else float(alpha),
        "davidson_3class_test_n": float(len(y_test)),
    }


#: Our figures measured the way a paper measured its own, by dataset.
SAME_TASK: dict[str, Callable[[Path | None], dict[str, float]]] = {
    "en-davidson-hate-offensive": davidson_three_classes,
}


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    dataset: str
    name: str
    status: str  # PASS, FAIL, NOT_COMPARABLE, NOT_FOUND, SKIPPED
    detail: str


def _beats(name: str, dataset: str, ours: float, base: float, metric: str) -> Target:
    if math.isnan(ours) or math.isnan(base):
        return Target(dataset, name, NOT_COMPARABLE, f"{metric} undefined (one class held out)")
    status = PASS if ours > base else FAIL
    return Target(dataset, name, status, f"{metric} {ours:.3f} vs baseline {base:.3f}")


def _reach(dataset: str, target: str, fig: PublishedFigure, mine: float) -> Target:
    """Ours against one published figure, rounded as the source rounded it."""
    assert fig.value is not None and fig.compare_with is not None
    shown = mine if fig.decimals is None else round(mine, fig.decimals)
    detail = f"{fig.compare_with} {mine:.4f}"
    if fig.decimals is not None:
        detail += f" ({shown:.{fig.decimals}f} at the source's {fig.decimals} decimals)"
    detail += f" vs published {fig.value:g}"
    if not fig.target:
        side = "higher" if shown > fig.value else "lower" if shown < fig.value else "equal"
        return Target(dataset, target.replace("reach", "beside"), CONTEXT, f"{detail}: {side}")
    return Target(dataset, target, PASS if shown >= fig.value else FAIL, detail)


def judge(
    report: TrainReport,
    published: Sequence[PublishedFigure],
    same_task: dict[str, float] | None = None,
) -> list[Target]:
    """The issue's targets for one dataset's report. `same_task` holds our figures measured
    the paper's way (see `SAME_TASK`), looked up by a figure's ``compare_with``."""
    ours, base = report.metrics, report.baseline
    same_task = same_task or {}
    name = report.dataset
    out: list[Target] = []
    if base is None:
        out.append(Target(name, "beat the baseline", FAIL, "no baseline was trained"))
    else:
        out.append(_beats("beat the baseline (F1)", name, ours.f1, base.f1, "F1"))
        out.append(
            _beats("beat the baseline (ROC-AUC)", name, ours.roc_auc, base.roc_auc, "ROC-AUC")
        )
    if not published:
        out.append(Target(name, "reach the published figure", NOT_FOUND, "no paper listed"))
    for fig in published:
        target = f"reach the published figure [{fig.citation}]"
        if fig.value is None:
            out.append(Target(name, target, NOT_FOUND, fig.reason))
        elif fig.compare_with is None:
            out.append(Target(name, target, NOT_COMPARABLE, fig.reason))
        else:
            if fig.compare_with in same_task:
                mine = same_task[fig.compare_with]
            else:
                mine = float(getattr(ours, fig.compare_with))
            out.append(_reach(name, target, fig, mine))
    return out


# --------------------------------------------------------------------------- output


def _row(m: Metrics) -> list[str]:
    auc = "n/a" if math.isnan(m.roc_auc) else f"{m.roc_auc:.3f}"
    return [f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}", auc]


def _metrics_table(reports: Sequence[TrainReport]) -> Table:
    t = Table(title="Held-out split, threshold 0.5 (P/R/F1 of the positive class)")
    for col in ("dataset", "lang", "category", "test n (pos)", "model"):
        t.add_column(col)
    for col in ("precision", "recall", "F1", "ROC-AUC"):
        t.add_column(col, justify="right")
    for r in reports:
        n = f"{r.metrics.n} ({r.metrics.positives})"
        t.add_row(r.dataset, r.language, r.category, n, "Lindung", *_row(r.metrics))
        if r.baseline is not None:
            t.add_row("", "", "", "", "baseline", *_row(r.baseline), end_section=True)
    return t


def _published_table(names: Sequence[str]) -> Table:
    t = Table(title="Published figures (see docs/text-quality.md for the references)")
    for col in ("dataset", "citation", "metric", "value", "measured on"):
        t.add_column(col, overflow="fold")
    for fig in PUBLISHED:
        if fig.dataset in names:
            value = NOT_FOUND if fig.value is None else f"{fig.value:.4g}"
            t.add_row(
                *(escape(c) for c in (fig.dataset, fig.citation, fig.metric, value, fig.split))
            )
    return t


_STYLE = {
    PASS: "green",
    FAIL: "bold red",
    NOT_COMPARABLE: "yellow",
    NOT_FOUND: "dim",
    CONTEXT: "cyan",
}


def _targets_table(targets: Sequence[Target]) -> Table:
    t = Table(title="Issue 3 targets")
    for col in ("dataset", "target", "result", "detail"):
        t.add_column(col, overflow="fold")
    for x in targets:
        style = _STYLE.get(x.status, "")
        result = f"[{style}]{x.status}[/]" if style else x.status
        t.add_row(escape(x.dataset), escape(x.name), result, escape(x.detail))
    return t


def _finite(obj: Any) -> Any:
    """``obj`` with NaN floats (ROC-AUC of a one-class split) as None, so the JSON is strict."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "datasets", nargs="*", help=f"dataset names (default: all of {len(DATASETS)})"
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="folder of dataset folders")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    names = list(args.datasets) or list(DATASETS)
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        parser.error(f"unknown dataset(s): {', '.join(unknown)}; known: {', '.join(DATASETS)}")

    err = Console(stderr=True)
    reports: list[TrainReport] = []
    targets: list[Target] = []
    skipped: dict[str, str] = {}
    same_task_figures: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    for i, name in enumerate(names, 1):
        with err.status(f"[{i}/{len(names)}] training {name} (Lindung and baseline)"):
            try:
                _model, report = train(name, data_dir=args.data_dir, config=TrainConfig(n_jobs=-1))
            except DatasetNotFoundError as exc:
                skipped[name] = str(exc)
                targets.append(Target(name, "all targets", SKIPPED, str(exc)))
                continue
        reports.append(report)
        same_task: dict[str, float] = {}
        if name in SAME_TASK:
            with err.status(f"[{i}/{len(names)}] {name}: the paper's own task"):
                same_task = SAME_TASK[name](args.data_dir)
            same_task_figures[name] = same_task
        targets.extend(judge(report, [f for f in PUBLISHED if f.dataset == name], same_task))
    seconds = time.perf_counter() - started
    failures = [t for t in targets if t.status == FAIL]

    if args.json:
        doc: dict[str, Any] = {
            "reports": [asdict(r) for r in reports],
            "published": [asdict(f) for f in PUBLISHED if f.dataset in names],
            "citations": CITATIONS,
            "targets": [asdict(t) for t in targets],
            "same_task": same_task_figures,
            "skipped": skipped,
            "comparable_failures": len(failures),
            "seconds": round(seconds, 1),
        }
        print(json.dumps(_finite(doc), indent=2, allow_nan=False))
    else:
        out = Console(width=max(Console().width, 140))
        out.print(_metrics_table(reports))
        out.print(_published_table(names))
        for name, figures in same_task_figures.items():
            shown = ", ".join(f"{k} {v:.3f}" for k, v in figures.items() if not k.endswith("_n"))
            out.print(f"{name}, the paper's own task: {escape(shown)}")
        out.print(_targets_table(targets))
        counts = {s: sum(t.status == s for t in targets) for s in _STYLE}
        out.print(
            f"{counts[PASS]} PASS, {counts[FAIL]} FAIL, {counts[NOT_COMPARABLE]} not comparable, "
            f"{counts[NOT_FOUND]} not found, {counts[CONTEXT]} context, "
            f"{len(skipped)} dataset(s) skipped; "
            f"{seconds:.0f} s. Exit code {1 if failures else 0}."
        )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
