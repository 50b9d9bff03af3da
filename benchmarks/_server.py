"""A real `lindung serve` in a temporary data directory, for the benchmarks that go through HTTP.

Migrates, creates organisations and API keys with the CLI (as an operator would), starts the
server on a free port and waits for /api/health. Never used by the test suite.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Server:
    url: str
    data_dir: Path
    keys: dict[str, str] = field(default_factory=dict)  # org slug -> API key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    orgs: Sequence[tuple[str, str, Sequence[str]]],
    env_extra: dict[str, str] | None = None,
) -> Iterator[Server]:
    """``orgs``: (name, kind, scopes) per organisation; its key is in ``server.keys[slug]``."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LINDUNG_")}
        env.update(LINDUNG_DATA_DIR=tmp, PYTHONPATH=str(REPO / "src"), **(env_extra or {}))
        cli = [sys.executable, "-m", "lindung.cli"]

        def run(*args: str) -> str:
            done = subprocess.run(
                [*cli, *args], env=env, check=True, capture_output=True, text=True
            )
            return done.stdout

        run("migrate")
        server = Server(url="", data_dir=Path(tmp))
        for name, kind, scopes in orgs:
            slug = json.loads(run("org", "create", name, "--kind", kind, "--json"))["slug"]
            scope_args = [a for s in scopes for a in ("--scope", s)]
            created = run(
                "apikey", "create", "--org", slug, "--name", "bench", *scope_args, "--json"
            )
            server.keys[slug] = json.loads(created)["key"]
        port = _free_port()
        process = subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--no-migrate"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server.url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{server.url}/api/health", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("server did not start") from None
                    time.sleep(0.2)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=10)
