"""Full text pipeline on the hand-made sets: every category, every language, and conversations.

There is no labelled public data for grooming, sextortion, sexual content involving minors or
self-harm in the ASEAN languages (``shared/data/SOURCES.md``), so those categories are measured on
small sets the developers invented (``benchmarks/handmade/``, see its README: fictional,
non-graphic, machine-assisted, awaiting native review, written without looking at the lexicons).
The scorer is the one `lindung serve` uses: the packaged lexicons and models
(`TextScorer.default()`), default thresholds.

Printed:

* per language and category: precision, recall and F1 of the label (positives: that category's
  lines; predictions over all of the language's lines), and the false-alarm rate on the language's
  benign lines (share with any label);
* per conversation: is the risky author flagged for the conversation's category, where is the
  early warning against the message a human marked as the first worrying one (negative = earlier),
  and is anyone in a benign conversation, or the child in a risky one, flagged.

Information, not targets: the sets are tiny (6 lines per language and category), so one line
moves recall by 0.17. Exit code 0 unless the files are missing or malformed.

Run:  PYTHONPATH=src python benchmarks/text_handmade.py [--data DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

try:
    import lindung  # noqa: F401
except ImportError:  # running from a checkout without PYTHONPATH=src
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lindung.detect.text.conversation import ConversationScorer, Message
from lindung.detect.text.lexicon import CATEGORIES
from lindung.detect.text.pipeline import TextScorer

HANDMADE = Path(__file__).with_name("handmade")
LANGUAGES = ("en", "ms", "id", "th", "vi", "fil", "km", "lo", "my", "tet")


@dataclass(frozen=True)
class CellResult:
    language: str
    category: str
    positives: int
    predicted: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class ConversationResult:
    id: str
    language: str
    category: str
    risk_author_flagged: bool | None  # None for benign conversations
    early_warning_delta: int | None  # messages after the human's mark; None if never warned
    false_alarm_authors: list[str]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{n}: not JSON: {exc}") from None
    return rows


def evaluate_messages(
    scorer: TextScorer, rows: Sequence[dict[str, Any]]
) -> tuple[list[CellResult], dict[str, float]]:
    """Per (language, category) label counts, and per-language false-alarm rate on benign lines."""
    results = scorer.score_many([r["text"] for r in rows], explain=False)
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    benign: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row, result in zip(rows, results, strict=True):
        lang, truth = row["language"], row["category"]
        if truth == "none":
            benign[lang][0] += 1
            benign[lang][1] += bool(result.labels)
        for category in CATEGORIES:
            cell = cells[(lang, category)]
            cell[0] += truth == category
            cell[1] += category in result.labels
            cell[2] += truth == category and category in result.labels
    out = [
        CellResult(lang, cat, *cells[(lang, cat)])
        for lang in LANGUAGES
        for cat in CATEGORIES
        if (lang, cat) in cells
    ]
    false_alarms = {lang: b[1] / b[0] for lang, b in benign.items() if b[0]}
    return out, false_alarms


def evaluate_conversations(
    scorer: TextScorer, conversations: Sequence[dict[str, Any]]
) -> list[ConversationResult]:
    judge = ConversationScorer(scorer)
    out = []
    for conv in conversations:
        messages = [
            Message(
                m["id"],
                m["author"],
                m["text"],
                datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00")),
            )
            for m in conv["messages"]
        ]
        ids = [m.id for m in messages]
        risks = {r.author: r for r in judge.score(conv["id"], messages)}
        category, risky = conv["category"], conv.get("risk_author")
        flagged = None
        delta = None
        if category != "none" and risky is not None:
            mine = risks.get(risky)
            flagged = mine is not None and category in mine.labels
            if mine is not None and mine.early_warning_message_id is not None:
                mark = conv.get("first_risk_message")
                if mark in ids:
                    delta = ids.index(mine.early_warning_message_id) - ids.index(mark)
        false_alarms = [a for a, r in risks.items() if r.labels and a != risky]
        out.append(
            ConversationResult(
                conv["id"], conv["language"], category, flagged, delta, sorted(false_alarms)
            )
        )
    return out


def _f(x: float) -> str:
    return f"{x:.2f}"


def _message_table(cells: Sequence[CellResult], false_alarms: dict[str, float]) -> Table:
    t = Table(title="Hand-made messages: label precision / recall / F1 (default thresholds)")
    t.add_column("lang")
    for c in CATEGORIES:
        t.add_column(c, justify="right")
    t.add_column("benign lines flagged", justify="right")
    by_lang: dict[str, dict[str, CellResult]] = defaultdict(dict)
    for cell in cells:
        by_lang[cell.language][cell.category] = cell
    for lang in LANGUAGES:
        if lang not in by_lang:
            continue
        row = [lang]
        for c in CATEGORIES:
            found = by_lang[lang].get(c)
            row.append(
                "-" if found is None else f"{_f(found.precision)}/{_f(found.recall)}/{_f(found.f1)}"
            )
        row.append(_f(false_alarms.get(lang, 0.0)))
        t.add_row(*row)
    totals = [
        CellResult(
            "all",
            c,
            sum(x.positives for x in cells if x.category == c),
            sum(x.predicted for x in cells if x.category == c),
            sum(x.true_positives for x in cells if x.category == c),
        )
        for c in CATEGORIES
    ]
    mean_fa = sum(false_alarms.values()) / len(false_alarms) if false_alarms else 0.0
    t.add_row(
        "all",
        *(f"{_f(x.precision)}/{_f(x.recall)}/{_f(x.f1)}" for x in totals),
        _f(mean_fa),
        end_section=True,
    )
    return t


def _conversation_table(results: Sequence[ConversationResult]) -> Table:
    t = Table(title="Hand-made conversations")
    for col in ("conversation", "category", "risky author flagged", "early warning", "others"):
        t.add_column(col)
    for r in results:
        flagged = (
            "-" if r.risk_author_flagged is None else ("yes" if r.risk_author_flagged else "NO")
        )
        if r.category == "none":
            warn = "-"
        elif r.early_warning_delta is None:
            warn = "never"
        else:
            warn = f"{r.early_warning_delta:+d} messages"
        others = ", ".join(r.false_alarm_authors) or "none flagged"
        t.add_row(escape(r.id), r.category, flagged, warn, escape(others))
    return t


#: The two sets: the first was read while the detector was improved (a development set), the
#: second was written afterwards by someone who saw neither it nor the lexicons (held out).
SETS = {
    "dev": (HANDMADE, "benchmarks/handmade: seen while the lexicons and rules were improved"),
    "test": (HANDMADE.with_name("handmade_test"), "benchmarks/handmade_test: held out"),
}


def run_set(scorer: TextScorer, folder: Path) -> tuple[dict[str, Any], Any]:
    messages = read_jsonl(folder / "messages.jsonl")
    extra = folder / "benign_more.jsonl"  # more hard negatives, for tuning precision (dev only)
    if extra.is_file():
        messages += read_jsonl(extra)
    conversations = read_jsonl(folder / "conversations.jsonl")
    started = time.perf_counter()
    cells, false_alarms = evaluate_messages(scorer, messages)
    convs = evaluate_conversations(scorer, conversations)
    seconds = time.perf_counter() - started
    risky = [c for c in convs if c.risk_author_flagged is not None]
    totals = {
        c: CellResult(
            "all",
            c,
            sum(x.positives for x in cells if x.category == c),
            sum(x.predicted for x in cells if x.category == c),
            sum(x.true_positives for x in cells if x.category == c),
        )
        for c in CATEGORIES
    }
    summary = {
        "messages": len(messages),
        "conversations": len(convs),
        "recall_by_category": {c: round(t.recall, 3) for c, t in totals.items()},
        "precision_by_category": {c: round(t.precision, 3) for c, t in totals.items()},
        "benign_false_alarm_rate": round(
            sum(false_alarms.values()) / len(false_alarms) if false_alarms else 0.0, 3
        ),
        "risky_conversations_flagged": sum(bool(c.risk_author_flagged) for c in risky),
        "risky_conversations": len(risky),
        "warned_no_later_than_human": sum(
            c.early_warning_delta is not None and c.early_warning_delta <= 0 for c in risky
        ),
        "median_warning_delay": sorted(
            c.early_warning_delta for c in risky if c.early_warning_delta is not None
        )[len([c for c in risky if c.early_warning_delta is not None]) // 2]
        if any(c.early_warning_delta is not None for c in risky)
        else None,
        "conversations_with_false_alarms": sum(bool(c.false_alarm_authors) for c in convs),
        "seconds": round(seconds, 2),
    }
    doc = {
        "cells": [
            {**asdict(c), "precision": c.precision, "recall": c.recall, "f1": c.f1} for c in cells
        ],
        "benign_false_alarm_rate": false_alarms,
        "conversations": [asdict(c) for c in convs],
        "summary": summary,
    }
    return doc, (cells, false_alarms, convs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--data", type=Path, default=None, help="one folder to evaluate instead of both sets"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    sets = {"given": (args.data, str(args.data))} if args.data else SETS
    scorer = TextScorer.default()
    docs: dict[str, Any] = {}
    out = Console(width=max(Console().width, 140))
    for name, (folder, description) in sets.items():
        if not (folder / "messages.jsonl").is_file():
            docs[name] = {"skipped": f"{folder} has no messages.jsonl"}
            continue
        doc, (cells, false_alarms, convs) = run_set(scorer, folder)
        docs[name] = {"description": description, **doc}
        if args.json:
            continue
        out.rule(f"{name}: {description}")
        out.print(_message_table(cells, false_alarms))
        out.print(_conversation_table(convs))
        summary = doc["summary"]
        out.print(
            f"{summary['risky_conversations_flagged']}/{summary['risky_conversations']} risky "
            f"conversations flagged for their category; "
            f"{summary['warned_no_later_than_human']} warned no later than the human mark "
            f"(median delay {summary['median_warning_delay']} messages); "
            f"{summary['conversations_with_false_alarms']} conversation(s) with someone else "
            f"flagged. {summary['messages']} messages, {summary['seconds']:.1f} s."
        )
    if args.json:
        print(json.dumps({"models": [list(k) for k in scorer.model_keys()], "sets": docs}))
    else:
        out.print("Hand-made, invented sets: information, not targets.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
