"""Text risk scoring speed: messages/s on one core, and p50/p99 latency through the HTTP API.

Targets (issue 3): at least 5,000 short messages/s on one core for the full pipeline, and p99
under 20 ms per message through the API. Never run by the test suite. Messages are generated
from a small invented vocabulary in several languages; no real conversations.

    PYTHONPATH=src python benchmarks/text_speed.py [--messages 10000] [--repeats 5] [--cpu N]
        [--models-dir DIR] [--api-requests 500] [--json]

The throughput part pins this process to one CPU itself (``--cpu``, default the first one it may
use) and scores the messages ``--repeats`` times; the target is checked on the median run, the best
is printed beside it. As ``lindung serve`` and ``lindung scan-text`` do, the scorer is loaded and
warmed first and the loaded objects are then frozen out of the garbage collector's sight.

The API part gives the server back every CPU the script started with and sends one message per
request, one request at a time: over one kept-alive connection (as a platform's HTTP client with
a connection pool does), then over a new connection each (adding a TCP handshake and the client's
connection set-up). The target is checked on both: it passes only if both p99s are under 20 ms.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import random
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import running_server

WORDS = [
    "hey",
    "see",
    "you",
    "at",
    "school",
    "tomorrow",
    "the",
    "match",
    "was",
    "great",
    "lol",
    "ok",
    "thanks",
    "bro",
    "homework",
    "class",
    "game",
    "play",
    "send",
    "pic",
    "dont",
    "tell",
    "anyone",
    "loser",
    "stupid",
    "how",
    "old",
    "are",
    "you",
    "meet",
    "up",
    "where",
    "do",
    "you",
    "live",
    "nice",
    "happy",
    "birthday",
]
OTHER = [
    "jom jumpa esok kat sekolah",
    "umur kamu berapa sih",
    "อย่าบอกพ่อแม่นะ",
    "em học lớp mấy",
    "saan ka nakatira",
    "kys loser",
    "h0w 0ld r u",
    "ខ្ញុំនឹងជួបអ្នកថ្ងៃស្អែក",
]


def messages(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        if i % 5 == 0:
            out.append(f"{rng.choice(OTHER)} {rng.choice(WORDS)}")
        else:
            out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12))))
    return out


def throughput(texts: list[str], models_dir: Path | None, repeats: int) -> list[dict[str, Any]]:
    from lindung.detect.text.pipeline import TextScorer

    scorer = TextScorer.default(models_dir=models_dir)
    scorer.score_many(texts[:200])  # warm up: language detector, automaton
    gc.collect()
    gc.freeze()  # as `lindung serve` and `lindung scan-text` do once the scorer is loaded
    rows = []
    for explain in (False, True):
        rates = []
        for _ in range(repeats):
            start = time.perf_counter()
            results = scorer.score_many(texts, explain=explain)
            rates.append(len(texts) / (time.perf_counter() - start))
        rows.append(
            {
                "mode": f"score_many, explain={explain}",
                "models": scorer.model_keys(),
                "messages": len(texts),
                "messages_per_s": statistics.median(rates),
                "best_messages_per_s": max(rates),
                "runs": rates,
                "labelled": sum(bool(r.labels) for r in results),
            }
        )
    return rows


def decided_by_function_words(texts: list[str]) -> float:
    """Share of the messages whose language their function words decide without lingua
    (`language.function_word_language`): the speed depends on it, so it is printed."""
    from lindung.detect.text.language import function_word_language

    return sum(function_word_language(t) is not None for t in texts) / len(texts)


def api_latency(texts: list[str], requests: int, models_dir: Path | None) -> dict[str, Any]:
    extra = {"LINDUNG_TEXT_MODELS_DIR": str(models_dir)} if models_dir is not None else {}
    with running_server([("Bench", "platform", ["scan"])], extra) as server:
        key = server.keys["bench"]
        url = f"{server.url}/api/scan/text"
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        host, port = server.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)

        def body(text: str) -> bytes:
            return json.dumps({"messages": [{"id": "1", "text": text}]}).encode()

        def post_kept_alive(text: str) -> float:
            start = time.perf_counter()
            connection.request("POST", "/api/scan/text", body=body(text), headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"API answered {response.status}")
            return (time.perf_counter() - start) * 1000

        def post_new_connection(text: str) -> float:
            req = urllib.request.Request(url, data=body(text), headers=headers)
            start = time.perf_counter()
            with urllib.request.urlopen(req, timeout=10) as response:
                response.read()
            return (time.perf_counter() - start) * 1000

        out: dict[str, Any] = {"requests": requests}
        for name, post in (
            ("kept_alive", post_kept_alive),
            ("new_connection", post_new_connection),
        ):
            for text in texts[:20]:
                post(text)  # warm up
            latencies = sorted(post(texts[i % len(texts)]) for i in range(requests))
            out[name] = {
                "p50_ms": statistics.median(latencies),
                "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
                "max_ms": latencies[-1],
            }
        connection.close()
    return out


def reference_seconds() -> float:
    """Best of five timings of a fixed pure-Python loop, printed beside the throughput.

    Why: the targets are absolute, and these shared machines differ from day to day by a factor
    of two; this figure says how fast the core was during the run, so two runs can be compared.
    """
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        sum(range(10_000_000))
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument(
        "--repeats", type=int, default=5, help="throughput runs (median is checked)"
    )
    parser.add_argument("--cpu", type=int, default=None, help="CPU for the throughput part")
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--api-requests", type=int, default=500, help="0 skips the API test")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    texts = messages(args.messages)
    allowed = os.sched_getaffinity(0)
    cpu = args.cpu if args.cpu is not None else min(allowed)
    os.sched_setaffinity(0, {cpu})
    try:
        report: dict[str, Any] = {
            "throughput_cpu": cpu,
            "reference_loop_s": reference_seconds(),
            "decided_by_function_words": decided_by_function_words(texts),
            "throughput": throughput(texts, args.models_dir, max(1, args.repeats)),
        }
    finally:
        os.sched_setaffinity(0, allowed)
    report["api_cpus"] = len(allowed)
    if args.api_requests:
        report["api"] = api_latency(texts, args.api_requests, args.models_dir)
    best = max(r["messages_per_s"] for r in report["throughput"] if "False" in r["mode"])
    report["targets"] = [
        {"target": ">= 5,000 messages/s on one core", "value": best, "pass": best >= 5000},
    ]
    if "api" in report:
        p99 = max(report["api"][name]["p99_ms"] for name in ("kept_alive", "new_connection"))
        report["targets"].append(
            {"target": "API p99 < 20 ms (the higher of the two)", "value": p99, "pass": p99 < 20}
        )
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"throughput on CPU {report['throughput_cpu']} only; API server on {len(allowed)} CPU(s)")
    print(
        f"machine reference: sum(range(10**7)) in {1000 * report['reference_loop_s']:.0f} ms "
        "(best of 5; compare runs on different days by this)"
    )
    print(
        f"language decided by function words, without lingua: "
        f"{report['decided_by_function_words']:.0%} of the messages"
    )
    for row in report["throughput"]:
        print(
            f"{row['mode']:<30} {row['messages_per_s']:>9,.0f} messages/s median of "
            f"{len(row['runs'])} (best {row['best_messages_per_s']:,.0f}; {row['messages']:,} "
            f"messages, {row['labelled']:,} labelled, models {row['models']})"
        )
    if "api" in report:
        api = report["api"]
        for name, label in (
            ("kept_alive", "one kept-alive connection"),
            ("new_connection", "a new connection each"),
        ):
            row = api[name]
            print(
                f"API POST /api/scan/text, 1 message/request, {api['requests']} sequential "
                f"requests over {label}: p50 {row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms, "
                f"max {row['max_ms']:.1f} ms"
            )
    for t in report["targets"]:
        print(f"{'PASS' if t['pass'] else 'FAIL'}  {t['target']}: {t['value']:,.1f}")
    return 0 if all(t["pass"] for t in report["targets"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
