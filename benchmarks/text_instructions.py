"""Instructions per message of the text pipeline, counted by valgrind: a speed figure that does
not depend on how busy the machine is.

`text_speed.py` measures time, and on these shared machines the same code has run at 2,700 and
at 7,000 messages/s on different days. Callgrind counts the instructions the CPU executes,
which is the same for the same code, input and environment, whatever else the machine does.
With ``--baseline REV`` the same messages are scored by that git revision too (checked out in a
temporary worktree), in the same run, and the ratio is printed.

    python benchmarks/text_instructions.py [--messages 2000] [--baseline REV] [--json]

Each tree is run twice under ``valgrind --tool=callgrind``: once loading and warming the scorer
only, once also scoring the messages; the difference divided by the number of messages is the
cost per message. Needs valgrind (Debian package ``valgrind``); each run takes a few minutes
(valgrind is about 50 times slower than the CPU), and the trees run in parallel on two cores.
Never run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from text_speed import messages

REPO = Path(__file__).resolve().parents[1]
WARM_UP = 2000  # messages scored before the counted ones, to fill caches (both runs score them)
_COLLECTED = re.compile(r"Collected : (\d+)")


def _child(messages_file: Path, count: int) -> None:
    """Load and warm the scorer, then score `count` messages: the code valgrind counts."""
    import lindung
    from lindung.detect.text.pipeline import TextScorer

    tree = Path(os.environ["LINDUNG_BENCH_TREE"])
    if not Path(lindung.__file__).resolve().is_relative_to(tree.resolve()):
        raise RuntimeError(f"imported {lindung.__file__}, not the code in {tree}")
    texts = [json.loads(line) for line in messages_file.read_text(encoding="utf-8").splitlines()]
    scorer = TextScorer.default()
    scorer.score_many(texts[:WARM_UP])
    if count:
        scorer.score_many(texts[WARM_UP : WARM_UP + count], explain=False)


def _count(tree: Path, messages_file: Path, count: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/callgrind.out",
                sys.executable,
                str(Path(__file__).resolve()),
                "--child",
                str(messages_file),
                str(count),
            ],
            env={
                **os.environ,
                "PYTHONPATH": str(tree / "src"),
                "LINDUNG_BENCH_TREE": str(tree),
                "PYTHONHASHSEED": "0",  # the same dict and set layouts in every run
            },
            capture_output=True,
            text=True,
            check=False,
        )
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind run failed in {tree}:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_message(tree: Path, messages_file: Path, count: int) -> float:
    """Instructions per scored message for the code in `tree`."""
    return (_count(tree, messages_file, count) - _count(tree, messages_file, 0)) / count


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(Path(sys.argv[2]), int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--baseline", help="git revision to compare with, e.g. HEAD~3")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        messages_file = Path(tmp) / "messages.jsonl"
        texts = messages(WARM_UP + args.messages, seed=1)
        messages_file.write_text(
            "\n".join(json.dumps(t, ensure_ascii=False) for t in texts), encoding="utf-8"
        )
        trees = {"this tree": REPO}
        if args.baseline:
            worktree = Path(tmp) / "baseline"
            subprocess.run(
                [
                    "git",
                    "-C",
                    str(REPO),
                    "worktree",
                    "add",
                    "--detach",
                    str(worktree),
                    args.baseline,
                ],
                check=True,
                capture_output=True,
            )
            trees[f"baseline {args.baseline}"] = worktree
        try:
            with ThreadPoolExecutor(max_workers=len(trees)) as pool:
                futures = {
                    name: pool.submit(per_message, tree, messages_file, args.messages)
                    for name, tree in trees.items()
                }
                report: dict[str, object] = {
                    "messages": args.messages,
                    "instructions_per_message": {n: f.result() for n, f in futures.items()},
                }
        finally:
            if args.baseline:
                subprocess.run(
                    ["git", "-C", str(REPO), "worktree", "remove", "--force", str(worktree)],
                    check=False,
                    capture_output=True,
                )
    counts = report["instructions_per_message"]
    assert isinstance(counts, dict)
    if args.baseline:
        report["ratio_baseline_to_this"] = counts[f"baseline {args.baseline}"] / counts["this tree"]
    if args.json:
        print(json.dumps(report))
        return 0
    for name, value in counts.items():
        print(f"{name:<24} {value:>12,.0f} instructions per message ({args.messages:,} messages)")
    if args.baseline:
        print(f"baseline / this tree: {report['ratio_baseline_to_this']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
