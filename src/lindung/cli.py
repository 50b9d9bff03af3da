"""The ``lindung`` command. Offline commands (hash, match) never start Django; the rest do.

Every command has ``--help``; commands that print results take ``--json`` for machines.
Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import gc
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

app = typer.Typer(
    help="Lindung: child online protection tooling (detect, report, respond).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
bank_app = typer.Typer(
    help="Hash banks: create, list, import, export, add, disable.", no_args_is_help=True
)
org_app = typer.Typer(help="Organisations and their staff.", no_args_is_help=True)
key_app = typer.Typer(help="API keys for platforms.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
text_app = typer.Typer(help="Text risk models: train and evaluate.", no_args_is_help=True)
reports_app = typer.Typer(
    help="Reports: retention, and the evidence vault's keys.", no_args_is_help=True
)
app.add_typer(bank_app, name="bank")
app.add_typer(org_app, name="org")
app.add_typer(key_app, name="apikey")
app.add_typer(audit_app, name="audit")
app.add_typer(text_app, name="text")
app.add_typer(reports_app, name="reports")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.server.settings")
    from lindung.config import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        fail(str(exc))


def run_migrations(verbose: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


def cli_principal(org_slug: str | None = None) -> Any:
    """The CLI acts as the machine's operator; ``--org`` picks whom it acts for."""
    from lindung.apps.accounts.models import Organisation
    from lindung.apps.accounts.permissions import Principal

    organisation = None
    if org_slug:
        organisation = Organisation.objects.filter(slug=org_slug).first()
        if organisation is None:
            fail(f"No organisation with slug {org_slug!r} (see `lindung org list`).")
    return Principal.system(
        actor=f"cli:{os.environ.get('USER', 'operator')}", organisation=organisation
    )


def handle_service_errors(fn: Any) -> Any:
    """Turn service errors into one line on stderr."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from lindung.apps.errors import LindungError

        try:
            return fn(*args, **kwargs)
        except LindungError as exc:
            detail = f" {json.dumps(exc.details, default=str)}" if exc.details else ""
            fail(f"{exc.message}{detail}")

    return wrapper


# ---------------------------------------------------------------- offline: hash and match


def _hash_paths(paths: list[Path], dihedral: bool, fps: float | None) -> list[tuple[Path, Any]]:
    from lindung.detect.media.errors import MediaError
    from lindung.detect.media.hashing import MediaLimits, hash_file

    limits = MediaLimits() if fps is None else MediaLimits(video_frames_per_second=fps)
    results: list[tuple[Path, Any]] = []
    with Progress(console=err, transient=True, disable=len(paths) < 3) as progress:
        task = progress.add_task("hashing", total=len(paths))
        for path in paths:
            try:
                if not path.is_file():
                    raise MediaError("unreadable_file", f"{path}: no such file")
                results.append((path, hash_file(path, limits=limits, dihedral=dihedral)))
            except MediaError as exc:
                results.append((path, exc))
            progress.advance(task)
    return results


@app.command("hash")
def hash_cmd(
    files: Annotated[list[Path], typer.Argument(help="Images or videos to hash.")],
    dihedral: Annotated[
        bool, typer.Option(help="Also print the 8 rotated/flipped PDQ hashes.")
    ] = False,
    fps: Annotated[float | None, typer.Option(help="Video frames sampled per second.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print each file's PDQ hash and quality, MD5 and SHA-256 (and vPDQ frames for videos)."""
    failed = 0
    for path, result in _hash_paths(files, dihedral, fps):
        if isinstance(result, Exception):
            failed += 1
            if as_json:
                print(
                    json.dumps(
                        {
                            "file": str(path),
                            "error": {
                                "code": getattr(result, "code", "error"),
                                "message": str(result),
                            },
                        }
                    )
                )
            else:
                err.print(f"[red]{escape(str(path))}[/red]: {escape(str(result))}", highlight=False)
            continue
        data = result.to_dict()
        if as_json:
            print(json.dumps({"file": str(path), **data}))
            continue
        out.print(
            f"[bold]{escape(str(path))}[/bold] "
            f"({data['media_type']}, {data['mime']}, {data['size']} bytes)"
        )
        if result.pdq is not None:
            flag = "  [yellow]LOW QUALITY[/yellow]" if result.low_quality else ""
            out.print(f"  pdq     {result.pdq.hex}  quality {result.pdq.quality}{flag}")
        out.print(f"  md5     {result.md5}")
        out.print(f"  sha256  {result.sha256}")
        for n, h in enumerate(result.dihedral):
            out.print(f"  pdq[{n}]  {h.hex}  quality {h.quality}")
        if result.frames:
            out.print(f"  vpdq    {len(result.frames)} frames")
    if failed:
        raise typer.Exit(1)


@app.command("match")
def match_cmd(
    files: Annotated[list[Path], typer.Argument(help="Images or videos to check.")],
    bank: Annotated[
        Path, typer.Option("--bank", "-b", help="Bank file (CSV, threatexchange or HMA JSON).")
    ],
    bank_format: Annotated[
        str | None, typer.Option("--format", help="Bank file format (default: guess).")
    ] = None,
    max_distance: Annotated[int, typer.Option(min=0, max=256, help="PDQ distance threshold.")] = 31,
    dihedral: Annotated[bool, typer.Option(help="Also match rotated and flipped images.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Match files against a bank file offline. Exit code 0: no match, 3: matches, 1: errors."""
    from lindung.detect.bankfile import BankFileError, BankFormat, read_bank_file
    from lindung.detect.media.offline import OfflineBank

    try:
        fmt = BankFormat(bank_format) if bank_format else None
    except ValueError:
        fail(f"unknown format {bank_format!r}; use one of {', '.join(f.value for f in BankFormat)}")
    if not bank.is_file():
        fail(f"{bank}: no such bank file")
    try:
        rows = read_bank_file(bank.read_bytes(), fmt, filename=bank.name)
    except BankFileError as exc:
        fail(f"{bank} has errors:\n{exc}")
    index = OfflineBank(rows)
    any_match = failed = False
    for path, result in _hash_paths(files, dihedral, None):
        if isinstance(result, Exception):
            failed = True
            msg = {
                "file": str(path),
                "error": {"code": getattr(result, "code", "error"), "message": str(result)},
            }
            print(json.dumps(msg)) if as_json else err.print(
                f"[red]{escape(str(path))}[/red]: {escape(str(result))}", highlight=False
            )
            continue
        matches = index.match(result, max_distance=max_distance)
        any_match = any_match or bool(matches)
        if as_json:
            print(
                json.dumps(
                    {
                        "file": str(path),
                        "low_quality": result.low_quality,
                        "matches": [
                            {
                                "bank_row": m.row_number,
                                "signal_type": m.signal_type.value,
                                "value": m.value,
                                "distance": m.distance,
                                "labels": list(m.labels),
                                **m.details,
                            }
                            for m in matches
                        ],
                    }
                )
            )
            continue
        if not matches:
            note = " (low-quality PDQ: exact hashes only)" if result.low_quality else ""
            out.print(f"{escape(str(path))}: no match{note}")
        for m in matches:
            out.print(
                f"{escape(str(path))}: [bold red]MATCH[/bold red] {m.signal_type.value} "
                f"row {m.row_number} "
                f"distance {m.distance} labels {','.join(m.labels) or '-'}"
            )
    if failed:
        raise typer.Exit(1)
    if any_match:
        raise typer.Exit(3)


# ---------------------------------------------------------------- service


def ensure_first_admin() -> None:
    """Create an operator account on first start and print its one-time password."""
    from lindung.apps.accounts.models import User
    from lindung.apps.accounts.permissions import Principal
    from lindung.apps.accounts.services import create_user

    if User.objects.filter(is_superuser=True).exists():
        return
    username = os.environ.get("LINDUNG_ADMIN_USERNAME", "admin")
    password = os.environ.get("LINDUNG_ADMIN_PASSWORD") or secrets.token_urlsafe(18)
    create_user(
        Principal.system("cli:first-start"), username, password, organisation=None, superuser=True
    )
    out.print(
        f"[bold green]First start:[/bold green] created operator account [bold]{username}[/bold] "
        f"with password [bold]{password}[/bold] — store it now; it is not shown again."
    )


def freeze_loaded_objects() -> None:
    """Move everything loaded so far out of the garbage collector's sight.

    Why: what a long-running command has loaded by now (Django, the lexicon automaton's entries,
    models) lives as long as the process, yet every full collection scanned all of it again: in
    `serve` that cost tens of milliseconds of tail latency, in `scan-text` about a tenth of the
    scoring time. Objects created afterwards are collected as usual.
    """
    gc.collect()
    gc.freeze()


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    threads: Annotated[int, typer.Option(min=1, help="Request threads.")] = 8,
    migrate: Annotated[bool, typer.Option(help="Apply database migrations first.")] = True,
) -> None:
    """Run the Lindung service (API and docs at /api/docs) with waitress."""
    setup_django()
    if migrate:
        run_migrations()
    ensure_first_admin()
    from django.conf import settings
    from waitress import serve as waitress_serve

    from lindung.apps.banks.live_index import live_index
    from lindung.apps.scanning.text import text_scorer
    from lindung.server.wsgi import application

    snap = live_index().snapshot()
    text_scorer().score("warm up", explain=False)  # lexicon, rules, models, language detector
    freeze_loaded_objects()
    out.print(
        f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}  "
        f"index: {snap.counts}"
    )
    out.print(
        f"Lindung listening on http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs)"
    )
    waitress_serve(application, host=host, port=port, threads=threads, ident="lindung")


@app.command("migrate")
def migrate_cmd() -> None:
    """Apply database migrations (``serve`` does this too)."""
    setup_django()
    run_migrations(verbose=True)


# ---------------------------------------------------------------- organisations and keys


@org_app.command("create")
@handle_service_errors
def org_create(
    name: str,
    kind: Annotated[str, typer.Option(help="platform, hotline, law_enforcement or social_welfare")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2, e.g. MY")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create an organisation."""
    setup_django()
    from lindung.apps.accounts.services import create_organisation

    org = create_organisation(cli_principal(), name, kind, country)
    if as_json:
        print(
            json.dumps(
                {"name": org.name, "slug": org.slug, "kind": org.kind, "country": org.country}
            )
        )
    else:
        out.print(f"Created organisation {org.name} (slug {org.slug})")


@org_app.command("list")
def org_list(as_json: JsonOpt = False) -> None:
    """List organisations."""
    setup_django()
    from lindung.apps.accounts.models import Organisation

    orgs = [
        {"name": o.name, "slug": o.slug, "kind": o.kind, "country": o.country}
        for o in Organisation.objects.order_by("name")
    ]
    if as_json:
        print(json.dumps(orgs))
        return
    table = Table("slug", "name", "kind", "country")
    for o in orgs:
        table.add_row(o["slug"], o["name"], o["kind"], o["country"])
    out.print(table)


@org_app.command("add-user")
@handle_service_errors
def org_add_user(
    org: Annotated[str, typer.Argument(help="Organisation slug")],
    username: str,
    role: Annotated[str, typer.Option(help="admin, bank_manager, reviewer or viewer")] = "viewer",
) -> None:
    """Add a staff account to an organisation; the password is read from the terminal."""
    setup_django()
    from lindung.apps.accounts.services import create_user

    principal = cli_principal(org)
    password = os.environ.get("LINDUNG_NEW_USER_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    create_user(principal, username, password, organisation=principal.organisation, role=role)
    out.print(f"Created user {username} ({role}) in {org}")


@key_app.command("create")
@handle_service_errors
def apikey_create(
    org: Annotated[str, typer.Option("--org", help="Organisation slug")],
    name: Annotated[str, typer.Option(help="What the key is for")],
    scope: Annotated[
        list[str],
        typer.Option(
            help="scan, banks:read, banks:write, policy:write, reports:write, reports:read, "
            "reports:triage, evidence:open (repeat --scope for several)"
        ),
    ] = ["scan"],  # noqa: B006
    as_json: JsonOpt = False,
) -> None:
    """Create an API key; the key is printed once and only its hash is stored."""
    setup_django()
    from lindung.apps.accounts.services import create_api_key

    principal = cli_principal(org)
    key, plaintext = create_api_key(principal, principal.organisation, name, scope)
    if as_json:
        print(json.dumps({"prefix": key.prefix, "key": plaintext, "scopes": key.scopes}))
    else:
        out.print(
            f"API key for {org} ({', '.join(key.scopes)}):\n[bold]{plaintext}[/bold]\n"
            "Store it now; it is not shown again."
        )


@key_app.command("revoke")
@handle_service_errors
def apikey_revoke(prefix: str) -> None:
    """Revoke an API key by its prefix."""
    setup_django()
    from lindung.apps.accounts.services import revoke_api_key

    revoke_api_key(cli_principal(), prefix)
    out.print(f"Revoked {prefix}")


# ---------------------------------------------------------------- banks


@bank_app.command("create")
@handle_service_errors
def bank_create(
    name: str,
    org: Annotated[str, typer.Option("--org", help="Owning organisation's slug")],
    description: str = "",
    allow_list: Annotated[
        bool, typer.Option("--allow-list", help="Entries suppress other matches.")
    ] = False,
    threshold: Annotated[int, typer.Option(min=0, max=128, help="PDQ distance threshold.")] = 31,
    shared: Annotated[bool, typer.Option(help="Let other organisations match against it.")] = False,
) -> None:
    """Create a bank."""
    setup_django()
    from lindung.apps.banks.services import create_bank

    create_bank(
        cli_principal(org),
        name,
        description=description,
        is_allow_list=allow_list,
        pdq_threshold=threshold,
        shared=shared,
    )
    out.print(f"Created bank {name}")


@bank_app.command("list")
def bank_list(as_json: JsonOpt = False) -> None:
    """List banks with their entry counts."""
    setup_django()
    from django.db.models import Count, Q

    from lindung.apps.banks.models import Bank

    banks = Bank.objects.select_related("organisation").annotate(
        live=Count("entries", filter=Q(entries__disabled=False)), total=Count("entries")
    )
    rows = [
        {
            "name": b.name,
            "organisation": b.organisation.slug,
            "allow_list": b.is_allow_list,
            "pdq_threshold": b.pdq_threshold,
            "shared": b.shared,
            "enabled": b.enabled,
            "entries": b.live,
            "disabled_entries": b.total - b.live,
        }
        for b in banks
    ]
    if as_json:
        print(json.dumps(rows))
        return
    table = Table(
        "name",
        "organisation",
        "allow-list",
        "threshold",
        "shared",
        "enabled",
        "entries",
        "disabled",
    )
    for r in rows:
        table.add_row(
            *(
                str(r[k])
                for k in (
                    "name",
                    "organisation",
                    "allow_list",
                    "pdq_threshold",
                    "shared",
                    "enabled",
                    "entries",
                    "disabled_entries",
                )
            )
        )
    out.print(table)


@bank_app.command("import")
@handle_service_errors
def bank_import(
    name: str,
    file: Path,
    bank_format: Annotated[
        str | None, typer.Option("--format", help="csv, threatexchange or hma (default: guess)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a bank file: every row is checked first, and nothing is imported if any is bad."""
    setup_django()
    from lindung.apps.banks.services import import_rows
    from lindung.detect.bankfile import BankFileError, BankFormat, read_bank_file

    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        fmt = BankFormat(bank_format) if bank_format else None
        rows = read_bank_file(file.read_bytes(), fmt, filename=file.name)
    except BankFileError as exc:
        fail(f"{file} has errors; nothing was imported:\n{exc}")
    except ValueError as exc:
        fail(str(exc))
    result = import_rows(cli_principal(), name, rows, source_name=file.name)
    if as_json:
        print(
            json.dumps(
                {
                    "bank": result.bank,
                    "added": result.added,
                    "skipped_existing": result.skipped_existing,
                }
            )
        )
    else:
        out.print(
            f"Imported into {result.bank}: {result.added} added, "
            f"{result.skipped_existing} already present"
        )


@bank_app.command("export")
@handle_service_errors
def bank_export(
    name: str,
    bank_format: Annotated[
        str, typer.Option("--format", help="csv, threatexchange or hma")
    ] = "csv",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout)")
    ] = None,
    include_disabled: bool = False,
) -> None:
    """Export a bank."""
    setup_django()
    from lindung.apps.banks.services import export_rows
    from lindung.detect.bankfile import BankFormat, write_bank_file

    try:
        fmt = BankFormat(bank_format)
    except ValueError:
        fail(f"unknown format {bank_format!r}")
    body = write_bank_file(
        list(export_rows(cli_principal(), name, include_disabled=include_disabled)), fmt
    )
    if output is None:
        sys.stdout.write(body)
    else:
        output.write_text(body, encoding="utf-8")
        err.print(f"Wrote {output}")


@bank_app.command("add")
@handle_service_errors
def bank_add(
    name: str,
    signal_type: Annotated[str, typer.Argument(help="pdq, md5, sha256 or vpdq")],
    value: str,
    label: Annotated[list[str], typer.Option(help="Label (repeatable)")] = [],  # noqa: B006
    source: str = "",
) -> None:
    """Add one hash to a bank."""
    setup_django()
    from lindung.apps.banks.services import add_entry

    entry = add_entry(cli_principal(), name, signal_type, value, labels=label, source=source)
    out.print(f"Added entry {entry.pk} to {name}")


@bank_app.command("disable")
@handle_service_errors
def bank_disable(
    entry_id: int,
    enable: Annotated[bool, typer.Option("--enable", help="Re-enable instead.")] = False,
) -> None:
    """Disable (or re-enable) a bank entry; entries are never deleted."""
    setup_django()
    from lindung.apps.banks.services import set_entry_disabled

    set_entry_disabled(cli_principal(), entry_id, not enable)
    out.print(f"Entry {entry_id} {'enabled' if enable else 'disabled'}")


# ---------------------------------------------------------------- text scanning


@app.command("scan-text")
def scan_text(
    models_dir: Annotated[
        Path | None,
        typer.Option(help="Folder of trained text models (default: LINDUNG_TEXT_MODELS_DIR)."),
    ] = None,
    threshold: Annotated[
        list[str] | None,
        typer.Option(help="CATEGORY=VALUE, repeatable, e.g. grooming=0.4."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score JSON Lines from stdin: {"id", "text"} plus optional conversation_id, author, timestamp.

    One output line per input line (errors name the line number; the rest are still scored),
    then one line per conversation and author with the early-warning message id.
    """
    from lindung.config import ConfigError, load_config
    from lindung.detect.text.pipeline import CATEGORIES, TextScorer
    from lindung.detect.text.stream import scan_lines

    thresholds: dict[str, float] = {}
    for item in threshold or []:
        name, _, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            fail(f"--threshold {item!r}: use CATEGORY=VALUE with a number between 0 and 1")
        if name not in CATEGORIES or not 0.0 <= number <= 1.0:
            fail(f"--threshold {item!r}: category one of {', '.join(CATEGORIES)}, value 0..1")
        thresholds[name] = number
    if models_dir is None:
        try:
            models_dir = load_config().text_models_dir
        except ConfigError as exc:
            fail(str(exc))
    if models_dir is not None and not models_dir.is_dir():
        fail(f"{models_dir}: no such folder of text models")
    scorer = TextScorer.default(models_dir=models_dir)
    scorer.score("warm up", explain=False)
    freeze_loaded_objects()
    errors = 0
    # Bytes, so that one line that is not UTF-8 becomes an error line instead of ending the run.
    for row in scan_lines(sys.stdin.buffer, scorer, thresholds=thresholds or None):
        errors += "error" in row
        if as_json:
            print(json.dumps(row, ensure_ascii=False), flush=False)
        elif "error" in row:
            err.print(
                f"line {row['line']}: {row['error']['message']}", highlight=False, markup=False
            )
        elif row.get("type") == "conversation":
            warn = row.get("early_warning_message_id")
            labels = ", ".join(row["labels"]) or "-"
            out.print(
                f"conversation {row['conversation_id']} author {row['author']}: {labels}"
                + (f" (early warning at message {warn})" if warn else ""),
                highlight=False,
                markup=False,
            )
        else:
            labels = ", ".join(row["labels"]) or "-"
            top = max(row["scores"].items(), key=lambda kv: kv[1])
            out.print(
                f"{row['id']} [{row['language']}] {labels}  (highest {top[0]} {top[1]:.2f})",
                highlight=False,
                markup=False,
            )
    sys.stdout.flush()
    if errors:
        raise typer.Exit(1)


# ---------------------------------------------------------------- text models


@text_app.command("train")
def text_train(
    datasets: Annotated[
        list[str] | None, typer.Argument(help="Dataset names (default: all); see `text datasets`.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for <dataset>.npz/.json models.")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Datasets folder (default shared/data).")
    ] = None,
    target_prior: Annotated[
        float | None,
        typer.Option(
            min=0.0001,
            max=0.9999,
            help="Calibrate to this share of positives where the model is used (prior shift).",
        ),
    ] = None,
    package: Annotated[
        bool,
        typer.Option(
            "--package",
            help="Rebuild the models that ship in the package: only datasets whose licence "
            "allows it, each with its documented deployment prior.",
        ),
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(help="Processes for cross-validation (-1: every core; same results)."),
    ] = -1,
    as_json: JsonOpt = False,
) -> None:
    """Train each dataset's model reproducibly and print held-out metrics beside the baseline."""
    from lindung.detect.text.datasets import DATASETS, DatasetNotFoundError
    from lindung.detect.text.training import main as train_main

    unknown = [d for d in datasets or [] if d not in DATASETS]
    if unknown:
        fail(f"unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(DATASETS)}")
    argv = [*(datasets or [])]
    if package:
        refused = [d for d in datasets or [] if not DATASETS[d].ships]
        if refused:
            fail(
                f"{', '.join(refused)}: the licence does not let a model ship in the package "
                "(see shared/data/SOURCES.md); train it with --out for your own deployment"
            )
        argv.append("--package")
    if target_prior is not None:
        argv += ["--target-prior", str(target_prior)]
    if out is not None:
        argv += ["--out", str(out)]
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    argv += ["--jobs", str(jobs)]
    if as_json:
        argv.append("--json")
    try:
        raise typer.Exit(train_main(argv))
    except DatasetNotFoundError as exc:
        fail(str(exc))


@text_app.command("evaluate")
def text_evaluate(
    dataset: Annotated[str, typer.Argument(help="Dataset name.")],
    model: Annotated[Path, typer.Option(help="Model file (.npz) made by `text train --out`.")],
    data_dir: Annotated[
        Path | None, typer.Option(help="Datasets folder (default shared/data).")
    ] = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.5,
    as_json: JsonOpt = False,
) -> None:
    """Precision, recall, F1 and ROC-AUC of a model on the dataset's held-out split."""
    from lindung.detect.text.datasets import DATASETS, DatasetNotFoundError, load_dataset
    from lindung.detect.text.model import TextModel
    from lindung.detect.text.training import evaluate

    if dataset not in DATASETS:
        fail(f"unknown dataset {dataset!r}; choose from {', '.join(DATASETS)}")
    try:
        loaded = TextModel.load(model)
        data = load_dataset(dataset, data_dir)
    except DatasetNotFoundError as exc:
        fail(str(exc))
    except (OSError, ValueError) as exc:
        fail(f"cannot load model {model}: {exc}")
    m = evaluate(loaded, data, threshold=threshold)
    row = {
        "dataset": dataset,
        "language": data.language,
        "category": data.category,
        "precision": m.precision,
        "recall": m.recall,
        "f1": m.f1,
        "roc_auc": m.roc_auc,
        "n": m.n,
    }
    if as_json:
        print(json.dumps(row))
    else:
        out.print(
            f"{dataset} ({data.language}, {data.category}): precision {m.precision:.3f} "
            f"recall {m.recall:.3f} F1 {m.f1:.3f} ROC-AUC {m.roc_auc:.3f} on {m.n} held-out texts"
        )


@text_app.command("datasets")
def text_datasets(as_json: JsonOpt = False) -> None:
    """List the datasets Lindung can train on, with language, category and licence."""
    from lindung.detect.text.datasets import DATASETS

    rows = [
        {"name": n, "language": i.language, "category": i.category, "licence": i.licence}
        for n, i in DATASETS.items()
    ]
    if as_json:
        print(json.dumps(rows))
        return
    table = Table("language", "category", "licence")
    table.add_column("name", no_wrap=True)
    for r in rows:
        table.add_row(r["language"], r["category"], r["licence"], r["name"])
    out.print(table)


# ---------------------------------------------------------------- benchmarks

BENCHMARKS = {
    "match": "match_pdq.py",
    "hash": "hash_images.py",
    "text-quality": "text_quality.py",
    "text-handmade": "text_handmade.py",
    "text-speed": "text_speed.py",
    "text-instructions": "text_instructions.py",
    "text-language": "text_language.py",
    "text-calibration": "text_calibration.py",
    "reports": "intake_reports.py",
}


@app.command(
    "bench",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def bench(
    ctx: typer.Context,
    which: Annotated[
        str,
        typer.Argument(help="One of: " + ", ".join(BENCHMARKS) + "."),
    ],
) -> None:
    """Run a benchmark script from benchmarks/; options after `--` go to the script."""
    import subprocess

    if which not in BENCHMARKS:
        fail(f"unknown benchmark {which!r}; choose from {', '.join(BENCHMARKS)}")
    script = Path(__file__).resolve().parents[2] / "benchmarks" / BENCHMARKS[which]
    if not script.is_file():
        fail(f"{script} not found: benchmarks run from a source checkout of Lindung")
    env = dict(os.environ, PYTHONPATH=str(script.parents[1] / "src"))
    raise typer.Exit(subprocess.call([sys.executable, str(script), *ctx.args], env=env))


# ---------------------------------------------------------------- audit


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        str | None,
        typer.Option(help="SEQ:HASH exported earlier with `lindung audit head`; must still match."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the hash chain; exit 2 if any entry was edited, inserted or deleted."""
    setup_django()
    from lindung.apps.audit.services import parse_anchor, verify

    if anchor is not None:
        try:
            parse_anchor(anchor)
        except ValueError as exc:
            fail(str(exc))
    result = verify(anchor=anchor)
    if as_json:
        print(
            json.dumps(
                {
                    "ok": result.ok,
                    "checked": result.checked,
                    "head_seq": result.head_seq,
                    "head_hash": result.head_hash,
                    "problems": result.problems,
                }
            )
        )
    elif result.ok:
        out.print(
            f"[green]OK[/green]: {result.checked} entries, "
            f"head {result.head_seq} {result.head_hash}"
        )
    else:
        err.print(
            f"[red]TAMPERED[/red]: {len(result.problems)} problem(s) in {result.checked} entries"
        )
        for p in result.problems:
            err.print(f"  - {p}", highlight=False)
    if not result.ok:
        raise typer.Exit(2)


@audit_app.command("head")
def audit_head(as_json: JsonOpt = False) -> None:
    """Print the newest entry as SEQ:HASH, to keep somewhere the database is not."""
    setup_django()
    from lindung.apps.audit.models import AuditHead

    head = AuditHead.objects.filter(id=1).first()
    seq, entry_hash = (head.seq, head.entry_hash) if head else (0, "0" * 64)
    print(json.dumps({"seq": seq, "hash": entry_hash}) if as_json else f"{seq}:{entry_hash}")


# ---------------------------------------------------------------- reports


@reports_app.command("purge")
@handle_service_errors
def reports_purge(as_json: JsonOpt = False) -> None:
    """Erase reports past their retention date (files and personal details); run it daily."""
    setup_django()
    from lindung.apps.intake.services import purge_expired

    count = purge_expired(actor="cli:retention")
    print(json.dumps({"purged": count}) if as_json else f"{count} report(s) purged")


@reports_app.command("sweep")
@handle_service_errors
def reports_sweep(
    older_than_hours: Annotated[float, typer.Option(min=0.0)] = 24.0,
    as_json: JsonOpt = False,
) -> None:
    """Delete vault files no report points to (left by crashes) and stale temporary files."""
    setup_django()
    from lindung.apps.intake.services import sweep_vault

    removed = sweep_vault(older_than_seconds=older_than_hours * 3600, actor="cli:sweep")
    print(json.dumps({"removed": removed}) if as_json else f"{removed} file(s) removed")


@reports_app.command("new-vault-key")
def reports_new_vault_key(
    key_id: Annotated[str, typer.Argument(help="A name for the key, e.g. k2026")] = "k1",
) -> None:
    """Print a new master key entry for LINDUNG_VAULT_KEYS (put it first to make it current)."""
    from lindung.apps.intake.vault import KeyringError, generate_key_entry

    try:
        print(generate_key_entry(key_id))
    except KeyringError as exc:
        fail(str(exc.message))


@reports_app.command("rewrap")
@handle_service_errors
def reports_rewrap(as_json: JsonOpt = False) -> None:
    """Re-wrap every evidence file's data key with the current master key (after rotation)."""
    setup_django()
    from lindung.apps.intake.services import rewrap_all

    result = rewrap_all(actor="cli:operator")
    files, details = result["files"], result["reports"]
    print(json.dumps(result) if as_json else f"re-wrapped {files} file(s), {details} report(s)")


def main() -> None:
    """Entry point: any error the commands did not handle becomes one line, never a traceback."""
    from django.db.utils import OperationalError, ProgrammingError

    from lindung.apps.errors import LindungError
    from lindung.config import ConfigError

    try:
        app()
    except (LindungError, ConfigError) as exc:
        err.print(f"[red]error:[/red] {escape(str(getattr(exc, 'message', exc)))}", highlight=False)
        sys.exit(1)
    except (OperationalError, ProgrammingError) as exc:
        hint = (
            " (run `lindung migrate` first?)"
            if "no such table" in str(exc) or "does not exist" in str(exc)
            else ""
        )
        err.print(f"[red]database error:[/red] {escape(str(exc))}{hint}", highlight=False)
        sys.exit(1)
    except OSError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        sys.exit(1)
    except Exception as exc:  # the last line of defence for an operator's terminal
        err.print(
            f"[red]unexpected error:[/red] {type(exc).__name__}: {escape(str(exc))}",
            highlight=False,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
