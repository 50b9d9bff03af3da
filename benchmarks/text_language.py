"""Language identification accuracy on labelled Latin-script text: lingua first, or function
words first (`language.function_word_language`, what `detect_language` does).

Reads the hand-made sets (labelled one message at a time) and samples each Latin-script dataset
in ../shared/data (labelled by dataset: a Tagalog dataset's English tweets count as Filipino).
Prints, per set and language, the share identified correctly both ways and the share the
function-word rule decides. Never run by the test suite.

    PYTHONPATH=src python benchmarks/text_language.py [--per-dataset 2000] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from text_handmade import read_jsonl

HERE = Path(__file__).resolve().parent
HANDMADE = [
    HERE / "handmade" / "messages.jsonl",
    HERE / "handmade" / "benign_more.jsonl",
    HERE / "handmade_test" / "messages.jsonl",
]
DATASETS = {
    "en-davidson-hate-offensive": "en",
    "en-grooming-pan12-vtpan": "en",
    "en-suicide-sdcnl": "en",
    "id-multilabel-hate-abusive": "id",
    "tl-tag-hate-elf": "fil",
    "vi-vihsd": "vi",
}
LATIN_LANGUAGES = ("en", "ms", "id", "fil", "vi", "tet")


def labelled_sets(per_dataset: int, data_dir: Path | None) -> dict[str, list[tuple[str, str]]]:
    from lindung.detect.text.datasets import load_raw

    handmade = [(m["text"], m["language"]) for path in HANDMADE for m in read_jsonl(path)]
    rng = random.Random(1)
    sampled: list[tuple[str, str]] = []
    for name, language in DATASETS.items():
        rows, _ = load_raw(name, data_dir)
        picked = rng.sample(list(rows), min(per_dataset, len(rows)))
        sampled += [(row.text[:300], language) for row in picked]
    return {"hand-made": handmade, "datasets": sampled}


def evaluate(items: list[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """Per language: messages, accuracy lingua-first and function-words-first, share decided."""
    from lindung.detect.text import language as lang
    from lindung.detect.text.normalise import normalise

    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    decisive = lang.DECISIVE_FUNCTION_WORDS
    for text, expected in items:
        if expected not in LATIN_LANGUAGES:
            continue
        normalised = normalise(text)
        ours = lang.detect_language(normalised)
        if ours.script != "Latn":
            continue
        lang.DECISIVE_FUNCTION_WORDS = 10**9  # never decisive: lingua first, as before
        try:
            lingua_first = lang.detect_language(normalised)
        finally:
            lang.DECISIVE_FUNCTION_WORDS = decisive
        row = tally[expected]
        row[0] += 1
        row[1] += lingua_first.code == expected
        row[2] += ours.code == expected
        row[3] += lang.function_word_language(normalised) is not None
    return {
        code: {
            "messages": n,
            "lingua_first": a / n,
            "function_words_first": b / n,
            "decided_by_function_words": d / n,
        }
        for code, (n, a, b, d) in sorted(tally.items())
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-dataset", type=int, default=2000)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    print(f"{'set':<10} {'lang':<5} {'n':>6} {'lingua first':>13} {'fw first':>9} {'decided':>8}")
    for name, items in labelled_sets(args.per_dataset, args.data_dir).items():
        for code, row in evaluate(items).items():
            print(
                f"{name:<10} {code:<5} {row['messages']:>6,.0f} {row['lingua_first']:>13.3f} "
                f"{row['function_words_first']:>9.3f} {row['decided_by_function_words']:>8.0%}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
