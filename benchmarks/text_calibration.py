"""Where the shipped text model's 0.5 falls: abusive tweets found vs ordinary chat flagged.

The packaged model (``lindung text train --package``) is trained on tweets but used on chat. This
prints, for each dataset whose licence lets its model ship, the two things a deployment prior
(``training.shift_prior``) trades against each other:

* held-out precision, recall and F1 on the dataset's own test split, and
* the share of *chat the model never saw* that it flags: the PAN12 segments without a predator
  (``shared/data``; strangers' chat, which may still hold profanity) and the English lines of the
  hand-made benign sets (``benchmarks/handmade*/``, invented everyday messages),

at the prior it was trained with and at a few deployment priors. A second table checks the
package's choice of no NB scaling (``training.PACKAGE_NB_ALPHAS``): for the plain and the
NB-scaled model, the held-out recall each keeps at the threshold that flags the same share of
PAN12 chat (3%, 6%, 10%). It ranks, it does not depend on calibration.

Information for choosing ``DatasetInfo.deploy_prior``, not targets; exit code 0 unless data is
missing. Needs scikit-learn; trains two models (about four minutes on two cores).

Run:  PYTHONPATH=src python benchmarks/text_calibration.py [--data-dir DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

try:
    import lindung  # noqa: F401
except ImportError:  # running from a checkout without PYTHONPATH=src
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np
import numpy.typing as npt
from rich.console import Console
from rich.table import Table

from lindung.detect.text.datasets import DATASETS, Dataset, DatasetNotFoundError, load_dataset
from lindung.detect.text.model import TextModel
from lindung.detect.text.training import (
    PACKAGE_NB_ALPHAS,
    TrainConfig,
    effective_prior,
    evaluate,
    shift_prior,
    train_on,
)
from text_handmade import read_jsonl

BENCH = Path(__file__).resolve().parent
HANDMADE_FILES = (
    BENCH / "handmade" / "messages.jsonl",
    BENCH / "handmade" / "benign_more.jsonl",
    BENCH / "handmade_test" / "messages.jsonl",
)
DEPLOY_PRIORS = (0.30, 0.10, 0.05, 0.02)
MATCHED_CHAT_SHARES = (0.03, 0.06, 0.10)


@dataclass(frozen=True)
class PriorRow:
    prior: float
    label: str
    precision: float
    recall: float
    f1: float
    pan12_flagged: float | None
    handmade_flagged: float | None


@dataclass(frozen=True)
class MatchedRow:
    scaling: str
    chat_flagged: float
    recall: float
    tweets_false_alarm: float


def pan12_chat(data_dir: Path | None) -> list[str]:
    """Unique PAN12 segments without a predator (both parts of its split), or [] without the set."""
    try:
        pan12 = load_dataset("en-grooming-pan12-vtpan", data_dir)
    except DatasetNotFoundError:
        return []
    return [ex.text for ex in (*pan12.train, *pan12.test) if ex.label == 0]


def handmade_benign(language: str) -> list[str]:
    """The hand-made benign lines in ``language``."""
    rows = [row for path in HANDMADE_FILES for row in read_jsonl(path)]
    return [
        str(r["text"]) for r in rows if r.get("language") == language and r["category"] == "none"
    ]


def _flagged(model: TextModel, texts: Sequence[str]) -> float | None:
    if not texts:
        return None
    return float(np.mean(model.decision_function(texts) >= 0.0))


def prior_rows(
    model: TextModel, dataset: Dataset, chosen: dict[str, Any], chat: list[str], benign: list[str]
) -> list[PriorRow]:
    """Held-out metrics and chat flagged, as trained and at each deployment prior."""
    trained_intercept = model.intercept
    own = effective_prior(dataset, chosen)
    rows = []
    for prior in (own, *DEPLOY_PRIORS):
        model.intercept = trained_intercept
        if prior != own:
            shift_prior(model, own, prior)
        m = evaluate(model, dataset)
        label = f"{prior:g} (as trained)" if prior == own else f"{prior:g}"
        rows.append(
            PriorRow(
                prior,
                label,
                m.precision,
                m.recall,
                m.f1,
                _flagged(model, chat),
                _flagged(model, benign),
            )
        )
    model.intercept = trained_intercept
    return rows


def matched_rows(
    scaling: str, model: TextModel, dataset: Dataset, chat: list[str]
) -> list[MatchedRow]:
    """Held-out recall at the thresholds that flag fixed shares of the chat."""
    chat_scores = model.decision_function(chat)
    scores = model.decision_function([ex.text for ex in dataset.test])
    labels: npt.NDArray[np.int64] = np.array([ex.label for ex in dataset.test])
    rows = []
    for share in MATCHED_CHAT_SHARES:
        flagged = scores >= float(np.quantile(chat_scores, 1.0 - share))
        rows.append(
            MatchedRow(
                scaling,
                share,
                float(flagged[labels == 1].mean()),
                float(flagged[labels == 0].mean()),
            )
        )
    return rows


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, default=None, help="folder of dataset folders")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    err = Console(stderr=True)
    out = Console(width=max(Console().width, 120))
    started = time.perf_counter()
    chat = pan12_chat(args.data_dir)
    doc: dict[str, Any] = {"pan12_chat_n": len(chat), "datasets": {}}
    for name in (n for n, info in DATASETS.items() if info.ships):
        try:
            dataset = load_dataset(name, args.data_dir)
        except DatasetNotFoundError as exc:
            err.print(f"{name}: skipped ({exc})")
            continue
        benign = handmade_benign(dataset.language)
        shipped = replace(TrainConfig(), nb_alphas=PACKAGE_NB_ALPHAS)
        scaled = replace(TrainConfig(), nb_alphas=(0.5,))
        models: dict[str, tuple[TextModel, dict[str, Any]]] = {}
        for label, config in (("plain (shipped)", shipped), ("NB-scaled", scaled)):
            with err.status(f"{name}: training the {label} model"):
                model, report = train_on(dataset, config, with_baseline=False)
            models[label] = (model, report.chosen)
        model, chosen = models["plain (shipped)"]
        priors = prior_rows(model, dataset, chosen, chat, benign)
        matched: list[MatchedRow] = []
        for key, (m, _) in models.items():
            matched += matched_rows(key, m, dataset, chat) if chat else []
        doc["datasets"][name] = {
            "chosen": {k: c for k, (_, c) in models.items()},
            "handmade_benign_n": len(benign),
            "priors": [asdict(r) for r in priors],
            "matched": [asdict(r) for r in matched],
        }
        if args.json:
            continue
        t = Table(title=f"{name}: held-out tweets vs chat never seen, by prior (plain model)")
        for col in ("prior", "P", "R", "F1", f"PAN12 chat flagged (n={len(chat)})"):
            t.add_column(col, justify="right")
        t.add_column(f"hand-made {dataset.language} benign flagged (n={len(benign)})")
        for r in priors:
            t.add_row(
                r.label,
                f"{r.precision:.3f}",
                f"{r.recall:.3f}",
                f"{r.f1:.3f}",
                _pct(r.pan12_flagged),
                _pct(r.handmade_flagged),
            )
        out.print(t)
        if matched:
            t = Table(title=f"{name}: recall kept at the same share of PAN12 chat flagged")
            for col in ("model", "PAN12 chat flagged", "held-out recall", "held-out false alarms"):
                t.add_column(col, justify="right")
            for row in matched:
                t.add_row(
                    row.scaling,
                    _pct(row.chat_flagged),
                    f"{row.recall:.3f}",
                    _pct(row.tweets_false_alarm),
                )
            out.print(t)
        out.print(f"chosen by cross-validation: {doc['datasets'][name]['chosen']}")
    doc["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        out.print(f"{doc['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
