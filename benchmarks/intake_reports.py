"""Reports accepted per second by ``POST /api/reports``, with files, through a real server.

Starts `lindung serve` (waitress, SQLite, an encrypted evidence vault in a temporary data
directory), creates a hotline and a platform with the CLI, then sends reports from several client
threads: each with one generated JPEG screenshot (hashed with PDQ/MD5/SHA-256, matched against
the banks, encrypted into the vault, triaged and audited on arrival), and, for comparison, the
same reports without files. One request in ten is a retry of an earlier one (same
Idempotency-Key): it must come back as the first report, never a new one, and the benchmark
checks that the number of reports stored equals the number of distinct keys.

Images are generated noise-and-shapes pictures; the reports are invented. Never run by tests.

    PYTHONPATH=src python benchmarks/intake_reports.py [--reports 300] [--clients 4] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import running_server


def screenshot(seed: int) -> bytes:
    """A 480x320 JPEG of noise and shapes, different for every seed (about 40-60 KB)."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (320, 480, 3), dtype=np.uint8)
    img = Image.fromarray(pixels)
    draw = ImageDraw.Draw(img)
    for _ in range(8):
        x, y = int(rng.integers(0, 400)), int(rng.integers(0, 260))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        draw.rectangle([x, y, x + int(rng.integers(20, 80)), y + int(rng.integers(20, 60))], colour)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def report_body(i: int) -> dict[str, Any]:
    return {
        "incident_type": random.Random(i).choice(["online_enticement", "cyberbullying", "other"]),
        "incident_time": "2026-11-20T10:00:00Z",
        "description": f"Invented benchmark report {i}: an account sent unkind messages.",
        "urls": [f"https://chat.example.com/u/{i}"],
        "reported_accounts": [{"username": f"invented_{i}"}],
        "victims": [{"age_group": "13to17"}],
    }


def multipart(report: dict[str, Any], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="report"\r\n'
        f"Content-Type: application/json\r\n\r\n{json.dumps(report)}\r\n".encode()
    ]
    for name, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def send(url: str, key: str, idem: str, body: bytes, content_type: str) -> tuple[int, float]:
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": content_type,
            "Idempotency-Key": idem,
        },
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, (time.perf_counter() - start) * 1000


def run_phase(
    url: str, key: str, count: int, clients: int, with_files: bool, offset: int
) -> dict[str, Any]:
    jobs = []
    for i in range(count):
        n = offset + i
        retry_of = offset + i - 5 if i >= 5 and i % 10 == 0 else None
        idem = f"bench-{retry_of if retry_of is not None else n:08d}"
        body_n = retry_of if retry_of is not None else n
        report = report_body(body_n)
        if with_files:
            body, ctype = multipart(report, [("screenshot.jpg", screenshot(body_n))])
        else:
            body, ctype = json.dumps(report).encode(), "application/json"
        jobs.append((idem, body, ctype))
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda job: send(url, key, *job), jobs))
    elapsed = time.perf_counter() - start
    latencies = sorted(ms for _, ms in results)
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "files": with_files,
        "requests": count,
        "distinct_reports": len({idem for idem, _, _ in jobs}),
        "seconds": elapsed,
        "requests_per_s": count / elapsed,
        "statuses": statuses,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "bytes_per_request": sum(len(b) for _, b, _ in jobs) / count,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300, help="requests per phase")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    orgs = [
        ("Bench Hotline", "hotline", ["reports:read"]),
        ("Bench Platform", "platform", ["reports:write", "reports:read"]),
    ]
    with running_server(orgs) as server:
        url = f"{server.url}/api/reports"
        key = server.keys["bench-platform"]
        warm = run_phase(url, key, 10, 1, True, 1_000_000)  # first requests load the detectors
        phases = [
            run_phase(url, key, args.reports, args.clients, True, 0),
            run_phase(url, key, args.reports, args.clients, False, 100_000),
        ]
        listed: list[Any] = []
        offset = 0
        while True:
            page = urllib.request.Request(
                f"{url}?limit=500&offset={offset}",
                headers={"Authorization": f"Bearer {server.keys['bench-hotline']}"},
            )
            with urllib.request.urlopen(page, timeout=60) as response:
                batch = json.loads(response.read())
            listed += batch
            offset += 500
            if len(batch) < 500:
                break
        vault_files = sum(1 for p in (server.data_dir / "evidence").rglob("*") if p.is_file())
    expected = warm["distinct_reports"] + sum(p["distinct_reports"] for p in phases)
    doc = {
        "clients": args.clients,
        "phases": phases,
        "reports_stored": len(listed),
        "reports_expected": expected,
        "no_duplicates": len(listed) == expected,
        "vault_files": vault_files,
    }
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0 if doc["no_duplicates"] else 1
    for p in phases:
        kind = "with 1 JPEG each" if p["files"] else "JSON only, no files"
        print(
            f"POST /api/reports {kind:<18} {p['requests_per_s']:7.1f} reports/s "
            f"({p['requests']} requests, {args.clients} clients, "
            f"{p['bytes_per_request'] / 1024:.0f} KB each; p50 {p['p50_ms']:.0f} ms, "
            f"p99 {p['p99_ms']:.0f} ms; statuses {p['statuses']})"
        )
    with_files, without = phases
    print(
        f"Files cost: {without['requests_per_s'] / with_files['requests_per_s']:.2f}x slower "
        "than the same reports without files (hash, match, encrypt, audit)."
    )
    print(
        f"Stored {len(listed)} reports for {expected} distinct Idempotency-Keys "
        f"({'no duplicates' if doc['no_duplicates'] else 'DUPLICATES FOUND'}); "
        f"{vault_files} encrypted files in the vault."
    )
    return 0 if doc["no_duplicates"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
