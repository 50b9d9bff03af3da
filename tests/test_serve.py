"""`lindung serve` on a fresh data directory: migrates, creates the operator, answers HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_starts_on_embedded_sqlite(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINDUNG_")}
    env.update(
        LINDUNG_DATA_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="lindung.server.settings",
        PYTHONPATH=os.pathsep.join(sys.path),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "lindung.cli", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                    health = json.loads(r.read())
                    break
            except OSError:
                time.sleep(0.3)
        assert health is not None, "server did not answer"
        assert health["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/docs", timeout=5) as r:
            assert r.status == 200
        assert (tmp_path / "var" / "lindung.sqlite3").exists()
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "created operator account admin" in output
    assert "Traceback" not in output


@pytest.mark.slow
def test_cli_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINDUNG_")}
    env.update(LINDUNG_DATA_DIR=str(tmp_path / "var"), PYTHONPATH=os.pathsep.join(sys.path))
    cases = [
        ["bank", "list"],  # no migrations yet
        ["audit", "verify"],
    ]
    for args in cases:
        proc = subprocess.run(
            [sys.executable, "-m", "lindung.cli", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert "lindung migrate" in proc.stderr
    bad_url = dict(env, LINDUNG_DATABASE_URL="nosuchdb://x")
    proc = subprocess.run(
        [sys.executable, "-m", "lindung.cli", "bank", "list"],
        env=bad_url,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
