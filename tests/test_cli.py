"""The `lindung` command: offline hash/match, bank import with bad rows, audit verify."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lindung.cli import app
from lindung.detect.media.hashing import hash_bytes
from tests.media_factory import shapes_png, slightly_changed_jpeg

runner = CliRunner()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_help_for_every_command() -> None:
    for args in (
        ["--help"],
        ["hash", "--help"],
        ["match", "--help"],
        ["bank", "import", "--help"],
        ["audit", "verify", "--help"],
        ["serve", "--help"],
        ["apikey", "create", "--help"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)


def test_hash_json(tmp_path: Path) -> None:
    image = _write(tmp_path, "a.png", shapes_png(1))
    result = runner.invoke(app, ["hash", str(image), "--json"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[0])
    assert line["file"] == str(image)
    assert len(line["pdq"]["hex"]) == 64 and line["pdq"]["quality"] >= 50
    assert line["md5"] == hash_bytes(shapes_png(1)).md5


def test_hash_reports_bad_files_without_traceback(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.jpg", b"\xff\xd8\xff\xe0 truncated")
    good = _write(tmp_path, "good.png", shapes_png(2))
    result = runner.invoke(
        app, ["hash", str(bad), str(good), str(tmp_path / "missing.png"), "--json"]
    )
    assert result.exit_code == 1
    lines = [json.loads(x) for x in result.stdout.strip().splitlines()]
    assert [("error" in x) for x in lines] == [True, False, True]
    assert "Traceback" not in result.output


def test_match_offline_against_bank_file(tmp_path: Path) -> None:
    pdq = hash_bytes(shapes_png(3)).pdq
    assert pdq is not None
    bank = tmp_path / "bank.csv"
    bank.write_text(
        f"signal_type,value,labels\npdq,{secrets.token_hex(32)},other\npdq,{pdq.hex},known\n"
    )
    near = _write(tmp_path, "near.jpg", slightly_changed_jpeg(3))
    other = _write(tmp_path, "other.png", shapes_png(4))
    result = runner.invoke(app, ["match", str(near), str(other), "--bank", str(bank), "--json"])
    assert result.exit_code == 3, result.output
    first, second = (json.loads(x) for x in result.stdout.strip().splitlines())
    assert first["matches"][0]["bank_row"] == 2 and first["matches"][0]["labels"] == ["known"]
    assert second["matches"] == []
    result = runner.invoke(app, ["match", str(other), "--bank", str(bank)])
    assert result.exit_code == 0 and "no match" in result.output


def test_match_with_bad_bank_file_names_the_line(tmp_path: Path) -> None:
    bank = tmp_path / "bank.csv"
    bank.write_text(f"signal_type,value\npdq,{secrets.token_hex(32)}\npdq,not-a-hash\n")
    image = _write(tmp_path, "a.png", shapes_png(5))
    result = runner.invoke(app, ["match", str(image), "--bank", str(bank)])
    assert result.exit_code == 1
    assert "3" in result.output and "Traceback" not in result.output


@pytest.mark.django_db
def test_bank_import_and_audit_verify(tmp_path: Path) -> None:
    assert (
        runner.invoke(
            app, ["org", "create", "CLI Org", "--kind", "hotline", "--country", "TH"]
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["bank", "create", "CLIBANK", "--org", "cli-org"]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(f"signal_type,value\npdq,{secrets.token_hex(32)}\nmd5,xyz\n")
    result = runner.invoke(app, ["bank", "import", "CLIBANK", str(bad)])
    assert result.exit_code == 1 and "nothing was imported" in result.output
    good = tmp_path / "good.csv"
    good.write_text(
        f"signal_type,value\npdq,{secrets.token_hex(32)}\nmd5,{secrets.token_hex(16)}\n"
    )
    result = runner.invoke(app, ["bank", "import", "CLIBANK", str(good), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"bank": "CLIBANK", "added": 2, "skipped_existing": 0}
    listing = json.loads(runner.invoke(app, ["bank", "list", "--json"]).stdout)
    assert listing[0]["entries"] == 2
    exported = runner.invoke(app, ["bank", "export", "CLIBANK", "--format", "csv"])
    assert exported.exit_code == 0 and exported.stdout.count("\n") >= 3
    verified = runner.invoke(app, ["audit", "verify", "--json"])
    assert verified.exit_code == 0 and json.loads(verified.stdout)["ok"] is True
    missing = runner.invoke(app, ["bank", "import", "NOPE", str(good)])
    assert missing.exit_code == 1 and "No bank named" in missing.output


@pytest.mark.django_db
def test_audit_verify_fails_on_tampering() -> None:
    from django.db import connection

    from lindung.apps.audit.services import record

    record("test.a", actor="t")
    record("test.b", actor="t")
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET action = 'test.x' WHERE seq = 1")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 2
    assert "TAMPERED" in result.output


def test_bench_runs_the_hash_benchmark_script() -> None:
    result = runner.invoke(app, ["bench", "hash", "--", "--help"])
    assert result.exit_code == 0
    assert runner.invoke(app, ["bench", "nope"]).exit_code == 1


def test_every_named_benchmark_script_exists() -> None:
    from lindung.cli import BENCHMARKS

    folder = Path(__file__).resolve().parents[1] / "benchmarks"
    assert all((folder / script).is_file() for script in BENCHMARKS.values())


@pytest.mark.slow
def test_text_train_then_evaluate(tmp_path: Path) -> None:
    from lindung.detect.text.datasets import DatasetNotFoundError, load_dataset

    try:
        load_dataset("th-thai-toxicity-tweet")
    except DatasetNotFoundError as exc:
        pytest.skip(f"shared datasets not present: {exc}")
    trained = runner.invoke(
        app, ["text", "train", "th-thai-toxicity-tweet", "--out", str(tmp_path), "--json"]
    )
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout.strip().splitlines()[-1])
    assert report["metrics"]["f1"] > report["baseline"]["f1"]
    model = tmp_path / "th-thai-toxicity-tweet.npz"
    evaluated = runner.invoke(
        app, ["text", "evaluate", "th-thai-toxicity-tweet", "--model", str(model), "--json"]
    )
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["f1"] == pytest.approx(report["metrics"]["f1"])
    assert runner.invoke(app, ["text", "train", "nope"]).exit_code == 1
    bad = runner.invoke(app, ["text", "evaluate", "vi-vihsd", "--model", str(tmp_path / "x.npz")])
    assert bad.exit_code == 1 and "cannot load model" in bad.output


def test_text_train_with_a_target_prior_records_the_calibration(tmp_path: Path) -> None:
    from lindung.detect.text.datasets import DatasetNotFoundError, load_dataset

    try:
        load_dataset("th-thai-toxicity-tweet")
    except DatasetNotFoundError as exc:
        pytest.skip(f"shared datasets not present: {exc}")
    args = ["text", "train", "th-thai-toxicity-tweet", "--out", str(tmp_path), "--json"]
    trained = runner.invoke(app, [*args, "--target-prior", "0.1"])
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout.strip().splitlines()[-1])
    assert report["target_prior"] == 0.1
    sidecar = json.loads((tmp_path / "th-thai-toxicity-tweet.json").read_text())
    calibration = sidecar["metadata"]["calibration"]
    assert calibration["method"] == "prior_shift" and calibration["intercept_shift"] < 0
    before = sidecar["metadata"]["metrics_before_calibration"]
    after = sidecar["metadata"]["metrics"]
    assert after["roc_auc"] == pytest.approx(before["roc_auc"])  # ranking unchanged
    assert after["recall"] <= before["recall"]


def test_text_train_package_refuses_datasets_whose_licence_forbids_shipping() -> None:
    result = runner.invoke(app, ["text", "train", "--package", "vi-vihsd"])
    assert result.exit_code == 1
    assert "licence" in result.output and "vi-vihsd" in result.output
    result = runner.invoke(app, ["text", "train", "th-thai-toxicity-tweet", "--target-prior", "1"])
    assert result.exit_code != 0


def test_scan_text_jsonl_with_errors_and_conversations() -> None:
    lines = "\n".join(
        [
            json.dumps({"id": "a", "text": "see you at school tomorrow"}),
            "{not json",
            json.dumps({"id": "b", "text": 42}),
            json.dumps(
                {"id": "c1", "conversation_id": "k", "author": "x", "text": "how old are you?"}
            ),
            json.dumps(
                {
                    "id": "c2",
                    "conversation_id": "k",
                    "author": "x",
                    "text": "don't tell your parents, it's our secret. send me a pic",
                    "timestamp": "2026-01-01T10:00:00Z",
                }
            ),
            json.dumps({"id": "d", "conversation_id": "k", "text": "no author"}),
        ]
    )
    result = runner.invoke(app, ["scan-text", "--json"], input=lines + "\n")
    assert result.exit_code == 1  # some lines were malformed
    rows = [json.loads(x) for x in result.stdout.strip().splitlines()]
    assert rows[0]["id"] == "a" and rows[0]["labels"] == []
    assert rows[1]["line"] == 2 and "JSON" in rows[1]["error"]["message"]
    assert rows[2]["line"] == 3 and "text" in rows[2]["error"]["message"]
    assert rows[3]["id"] == "c1" and rows[4]["id"] == "c2"
    assert rows[5]["line"] == 6 and "author" in rows[5]["error"]["message"]
    [conversation] = [r for r in rows if r.get("type") == "conversation"]
    assert conversation["conversation_id"] == "k" and conversation["author"] == "x"
    assert "early_warning_message_id" in conversation


def test_scan_text_rejects_bad_thresholds() -> None:
    result = runner.invoke(app, ["scan-text", "--threshold", "grooming=2"], input="")
    assert result.exit_code == 1
    result = runner.invoke(app, ["scan-text", "--threshold", "weather=0.5"], input="")
    assert result.exit_code == 1


def test_scan_text_reports_a_line_that_is_not_utf8_and_goes_on() -> None:
    data = (
        b'{"id": "1", "text": "hello there"}\n'
        b'{"id": "2", "text": "\xff\xfe"}\n'
        b'{"id": "3", "text": "bye"}\n'
    )
    result = runner.invoke(app, ["scan-text", "--json"], input=data)
    assert result.exit_code == 1
    rows = [json.loads(x) for x in result.stdout.strip().splitlines()]
    assert [r.get("id") for r in rows] == ["1", None, "3"]
    assert rows[1]["line"] == 2 and "UTF-8" in rows[1]["error"]["message"]


@pytest.mark.django_db
@pytest.mark.usefixtures("intake_settings")
def test_reports_commands(tmp_path: Path) -> None:
    entry = runner.invoke(app, ["reports", "new-vault-key", "k2026"])
    assert entry.exit_code == 0 and entry.stdout.startswith("k2026:")
    assert runner.invoke(app, ["reports", "new-vault-key", "bad id!"]).exit_code == 1
    purged = runner.invoke(app, ["reports", "purge", "--json"])
    assert purged.exit_code == 0, purged.output
    assert json.loads(purged.stdout) == {"purged": 0}
    rewrapped = runner.invoke(app, ["reports", "rewrap", "--json"])
    assert rewrapped.exit_code == 0, rewrapped.output
    assert json.loads(rewrapped.stdout)["files"] == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("intake_settings")
def test_reports_sweep() -> None:
    result = runner.invoke(app, ["reports", "sweep", "--older-than-hours", "0", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"removed": 0}
