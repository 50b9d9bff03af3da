"""Report intake: validate, hash and vault the files, triage, then record everything at once.

One function, `submit_report`, serves both entry points (the public page and the platform API),
so both get the same checks, the same triage and the same audit trail. The order matters for
"no partial records": files are hashed and written to the vault first (outside any database
transaction, since they may be large); only when every file is in, the report, its evidence rows
and their audit entries are written in one transaction. If anything fails, the files already
written are deleted again, so a failed submission leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from lindung.apps.accounts.models import Organisation
from lindung.apps.accounts.permissions import Permission, Principal, require
from lindung.apps.audit.services import record
from lindung.apps.errors import Conflict, Forbidden, InvalidInput, LindungError, NotFound
from lindung.apps.intake import runtime
from lindung.apps.intake.jurisdiction import guess_jurisdiction
from lindung.apps.intake.models import (
    INCIDENT_TYPE_VALUES,
    Evidence,
    Priority,
    Report,
    Source,
    Status,
)
from lindung.apps.intake.sealing import seal, unseal
from lindung.apps.intake.vault import LocalBlobStore, StoredEvidence, rewrap
from lindung.apps.scanning.services import ScanRequest, find_matches, match_to_dict
from lindung.apps.scanning.text import text_scorer
from lindung.detect.media.errors import MediaError
from lindung.detect.media.hashing import MediaHashes, MediaLimits, hash_bytes, hash_file

log = logging.getLogger(__name__)

#: Receipt alphabet: no 0/O, 1/I/L, so a child can copy it from a screen without mistakes.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_GROUPS = 3
RECEIPT_GROUP_LEN = 4

#: Incident types that are high-risk by their nature (priority 3 at least).
HIGH_RISK_TYPES = frozenset(
    {
        "child_sexual_abuse_material",
        "online_enticement",
        "sextortion",
        "solicitation",
        "child_sex_trafficking",
        "unsolicited_obscene_material",
    }
)
#: Text evidence this strong about self-harm is treated as a person in danger now.
SELF_HARM_DANGER_SCORE = 0.8
MAX_FILES = 20
MAX_TEXT = 20_000


@dataclass
class UploadedItem:
    """One file as received: a readable binary stream, or a path on disk (large uploads)."""

    name: str
    size: int
    stream: IO[bytes] | None = None
    path: str | None = None
    declared_type: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def sha256(self) -> str:
        """SHA-256 of the content, read in chunks (a stream is rewound, not closed)."""
        digest = hashlib.sha256()
        if self.path is not None:
            with open(self.path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                    digest.update(chunk)
            return digest.hexdigest()
        stream = self.stream
        assert stream is not None
        stream.seek(0)
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(chunk)
        stream.seek(0)
        return digest.hexdigest()


@dataclass
class ReportInput:
    """A validated report, whichever entry point it came from."""

    incident_type: str
    description: str = ""
    incident_time: datetime | None = None
    incident_when: str = ""
    imminent_danger: bool = False
    urls: list[str] = field(default_factory=list)
    platform_name: str = ""
    reporter_country: str = ""
    language: str = ""
    reported_accounts: list[dict[str, Any]] = field(default_factory=list)
    victims: list[dict[str, Any]] = field(default_factory=list)
    reporter: dict[str, Any] = field(default_factory=dict)
    additional_info: str = ""
    #: The public form's honeypot came back filled: kept, but a reviewer is told.
    suspected_automated: bool = False


@dataclass(frozen=True)
class Submission:
    report: Report
    created: bool
    receipt_code: str | None  # only on creation of a report that has one


# --- receipts ---------------------------------------------------------------------------------


def new_receipt_code() -> str:
    """``ABCD-EFGH-JKMN``: 12 characters from 31, about 59 bits, unguessable but copyable."""
    chars = "".join(
        secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_GROUPS * RECEIPT_GROUP_LEN)
    )
    return "-".join(
        chars[i : i + RECEIPT_GROUP_LEN] for i in range(0, len(chars), RECEIPT_GROUP_LEN)
    )


def normalise_receipt(code: str) -> str:
    """What a person typed, as the canonical code: case, spaces and dashes do not matter."""
    return "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())


def receipt_hash(code: str) -> str:
    return hashlib.sha256(normalise_receipt(code).encode("ascii", "ignore")).hexdigest()


def status_for_receipt(code: str) -> Report | None:
    """The report a receipt code belongs to, or None (a wrong code and no report look alike)."""
    if not isinstance(code, str) or len(code) > 64:
        return None
    wanted = receipt_hash(code)
    if not normalise_receipt(code):
        return None
    return Report.objects.filter(receipt_hash=wanted).first()


# --- helpers ------------------------------------------------------------------------------------


def handling_organisation() -> Organisation | None:
    """The hotline that triages incoming reports: LINDUNG_INTAKE_ORGANISATION, else the first
    hotline organisation on this node, else none (only operators then see reports)."""
    slug = settings.LINDUNG.intake_organisation
    if slug:
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            raise NotFound(f"LINDUNG_INTAKE_ORGANISATION names no organisation: {slug!r}")
        return org
    return Organisation.objects.filter(kind="hotline").order_by("pk").first()


def matching_principal(handler: Organisation | None) -> Principal:
    """Whose eyes incoming files are matched with: the handling hotline's (its own banks and
    shared ones, its policy), never an operator's, so another organisation's private bank is
    neither matched nor revealed. Without a handler, shared banks only."""
    return Principal(
        organisation=handler,
        permissions=frozenset({Permission.SCAN, Permission.BANKS_READ}),
        actor="intake",
    )


def retention_until(incident_type: str, now: datetime) -> datetime:
    days = settings.LINDUNG.retention_days
    return now + timedelta(days=days.get(incident_type, days["default"]))


def request_digest(payload: dict[str, Any], files: Sequence[UploadedItem]) -> str:
    """What a retry must repeat exactly: the report's fields and the files' names and contents."""
    canonical = json.dumps(
        {"report": payload, "files": [(f.name, f.sha256()) for f in files]},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hash_item(item: UploadedItem, limits: MediaLimits) -> MediaHashes:
    if item.path is not None:
        return hash_file(item.path, limits=limits)
    assert item.stream is not None
    item.stream.seek(0)
    data = item.stream.read(limits.max_bytes + 1)
    return hash_bytes(data, filename=item.name, limits=limits)


def _open_item(item: UploadedItem) -> IO[bytes]:
    if item.path is not None:
        return open(item.path, "rb")
    assert item.stream is not None
    item.stream.seek(0)
    return item.stream


@dataclass
class _PreparedFile:
    item: UploadedItem
    hashes: MediaHashes
    stored: StoredEvidence
    matches: list[dict[str, Any]]
    notes: list[str]


def _store_files(
    items: Sequence[UploadedItem],
    limits: MediaLimits,
    match_as: Principal,
    allowed_mimes: frozenset[str] | None,
) -> list[_PreparedFile]:
    """Hash, match and vault every file; on any failure delete what was stored and re-raise."""
    vault = runtime.vault()
    done: list[_PreparedFile] = []
    try:
        for index, item in enumerate(items):
            hashes = _hash_item(item, limits)
            if allowed_mimes is not None and hashes.mime not in allowed_mimes:
                raise MediaError(
                    "unsupported_type",
                    f"File {index + 1} ({item.name}) is {hashes.mime}; only "
                    f"{', '.join(sorted(allowed_mimes))} files are accepted here.",
                    details={"file": index, "filename": item.name},
                )
            with _open_item(item) as fh:
                stored = vault.store_file(fh, max_bytes=limits.max_bytes)
            try:
                if (stored.sha256, stored.md5) != (hashes.sha256, hashes.md5):
                    raise InvalidInput(
                        f"File {index + 1} ({item.name}) changed while it was being received.",
                        code="file_changed",
                    )
                verdict, notes = find_matches(match_as, ScanRequest.from_media(hashes))
            except BaseException:
                vault.delete(stored.object_id)
                raise
            matches = [match_to_dict(m) for m in verdict.matches if not m.allow_list]
            done.append(_PreparedFile(item, hashes, stored, matches, notes))
    except BaseException:
        for prepared in done:
            vault.delete(prepared.stored.object_id)
        raise
    return done


def _score_text(data: ReportInput) -> dict[str, Any]:
    text = "\n".join(t for t in (data.description, data.additional_info) if t.strip())
    if not text:
        return {}
    result = text_scorer().score(text, explain=False)
    return {
        "language": result.language,
        "scores": {c: round(s, 4) for c, s in result.scores.items()},
        "labels": list(result.labels),
        "reasons": [r.detail for r in result.reasons][:20],
    }


def triage(
    data: ReportInput, files: Sequence[_PreparedFile], text: dict[str, Any]
) -> tuple[int, list[str]]:
    """Priority and the reasons for it, in plain words: danger first, then known material."""
    reasons: list[str] = []
    caveat = (
        ["The form's hidden anti-robot field was filled: possibly automated (or autofill)."]
        if data.suspected_automated
        else []
    )
    scores = text.get("scores", {})
    if data.imminent_danger:
        reasons.append("The reporter says someone is in danger now.")
    if data.incident_type == "child_sex_trafficking":
        reasons.append("Reported as child sex trafficking.")
    if scores.get("self_harm", 0.0) >= SELF_HARM_DANGER_SCORE:
        reasons.append(f"The text reads as a risk of self-harm (score {scores['self_harm']:.2f}).")
    if reasons:
        return Priority.IMMINENT_DANGER, reasons + caveat
    matched = [f for f in files if f.matches]
    if matched:
        banks = sorted({m["bank"] for f in matched for m in f.matches})
        reasons.append(
            f"{len(matched)} file(s) match known material in bank(s) {', '.join(banks)}."
        )
        return Priority.KNOWN_MATERIAL, reasons + caveat
    if data.incident_type in HIGH_RISK_TYPES:
        reasons.append(f"Incident type {data.incident_type} is high-risk.")
    if text.get("labels"):
        reasons.append("The text was flagged for: " + ", ".join(text["labels"]) + ".")
    if reasons:
        return Priority.HIGH_RISK, reasons + caveat
    return Priority.ROUTINE, ["No danger, match or high-risk signal.", *caveat]


def _phone_hints(data: ReportInput) -> list[str]:
    phones: list[str] = []
    for group in (data.reported_accounts, data.victims, [data.reporter]):
        for person in group:
            for key in ("phone", "phone_number", "contact"):
                value = person.get(key)
                if isinstance(value, str) and any(ch.isdigit() for ch in value):
                    phones.append(value)
    return phones


def _account_urls(data: ReportInput) -> list[str]:
    urls = list(data.urls)
    for account in data.reported_accounts:
        value = account.get("profile_url")
        if isinstance(value, str):
            urls.append(value)
    return urls


# --- the entry point ---------------------------------------------------------------------------


def submit_report(
    principal: Principal | None,
    data: ReportInput,
    files: Sequence[UploadedItem] = (),
    *,
    idempotency_key: str = "",
    digest: str = "",
    limits: MediaLimits | None = None,
    allowed_mimes: frozenset[str] | None = None,
) -> Submission:
    """Accept one report (public when `principal` is None, else a platform's).

    Idempotent for platforms: the same `idempotency_key` with the same `digest` returns the
    report made the first time (``created=False``); with a different digest it is a conflict.
    """
    if data.incident_type not in INCIDENT_TYPE_VALUES:
        raise InvalidInput(f"Unknown incident type {data.incident_type!r}.")
    if len(files) > MAX_FILES:
        raise InvalidInput(f"Send at most {MAX_FILES} files per report.")
    organisation = None
    if principal is not None:
        require(principal, Permission.REPORTS_WRITE)
        organisation = principal.organisation
        if idempotency_key:
            existing = _replay(organisation, idempotency_key, digest)
            if existing is not None:
                return Submission(existing, False, None)

    config = settings.LINDUNG
    limits = limits or MediaLimits(
        max_bytes=config.max_upload_bytes,
        max_pixels=config.max_image_pixels,
        video_max_seconds=config.video_max_seconds,
        video_frames_per_second=config.video_frames_per_second,
    )
    handler = handling_organisation()
    match_as = matching_principal(handler)
    text = _score_text(data)
    guess = guess_jurisdiction(
        phone_numbers=_phone_hints(data),
        urls=_account_urls(data),
        declared_country=data.reporter_country or None,
    )
    prepared = _store_files(files, limits, match_as, allowed_mimes)
    priority, reasons = triage(data, prepared, text)
    now = datetime.now(UTC)
    receipt = new_receipt_code() if principal is None else None
    try:
        with transaction.atomic():
            report = Report(
                source=Source.PUBLIC if principal is None else Source.PLATFORM,
                reporter_organisation=organisation,
                handling_organisation=handler,
                idempotency_key=idempotency_key,
                request_digest=digest,
                receipt_hash=receipt_hash(receipt) if receipt else "",
                incident_type=data.incident_type,
                incident_time=data.incident_time,
                incident_when=data.incident_when,
                imminent_danger=data.imminent_danger,
                urls=data.urls,
                platform_name=data.platform_name,
                reporter_country=data.reporter_country,
                language=data.language,
                priority=priority,
                priority_reasons=reasons,
                jurisdiction=guess.primary or "",
                jurisdiction_evidence=[
                    {"country": c.country, "score": c.score} for c in guess.countries
                ],
                text_scores={k: v for k, v in text.items() if k != "reasons"},
                retain_until=retention_until(data.incident_type, now),
            )
            details = {
                "description": data.description,
                "additional_info": data.additional_info,
                "reported_accounts": data.reported_accounts,
                "victims": data.victims,
                "reporter": data.reporter,
                # readable evidence quotes phone numbers and the story's words: sealed too
                "jurisdiction_evidence": guess.as_dict(),
                "text_reasons": text.get("reasons", []),
            }
            report.sealed, report.sealed_key_id = seal(
                runtime.keyring(), str(report.public_id), details
            )
            report.save()
            actor = principal.actor if principal is not None else "public"
            record(
                "report.received",
                actor=actor,
                organisation_id=handler.pk if handler else None,
                object_type="report",
                object_id=str(report.public_id),
                data={
                    "source": report.source,
                    "incident_type": report.incident_type,
                    "priority": int(priority),
                    "files": len(prepared),
                    "reporter_organisation": organisation.slug if organisation else None,
                },
            )
            for p in prepared:
                evidence = Evidence.objects.create(
                    report=report,
                    object_id=p.stored.object_id,
                    header=p.stored.header,
                    sha256=p.stored.sha256,
                    md5=p.stored.md5,
                    pdq=p.hashes.pdq.hex if p.hashes.pdq else "",
                    pdq_quality=p.hashes.pdq.quality if p.hashes.pdq else None,
                    size=p.stored.size,
                    media_type=p.hashes.mime,
                    filename=p.item.name[:255],
                    metadata={**p.item.metadata, "notes": p.notes},
                    matches=p.matches,
                )
                # chain of custody: what arrived, its digests, where it is and under which key
                record(
                    "evidence.received",
                    actor=actor,
                    organisation_id=handler.pk if handler else None,
                    object_type="evidence",
                    object_id=str(evidence.public_id),
                    data={
                        "report": str(report.public_id),
                        "sha256": evidence.sha256,
                        "md5": evidence.md5,
                        "size": evidence.size,
                        "media_type": evidence.media_type,
                        "vault_object": evidence.object_id,
                        "key_id": p.stored.key_id,
                        "matches": len(p.matches),
                    },
                )
    except IntegrityError:
        # A concurrent retry with the same idempotency key won the race.
        _delete_blobs(p.stored.object_id for p in prepared)
        if principal is not None and idempotency_key:
            existing = _replay(organisation, idempotency_key, digest)
            if existing is not None:
                return Submission(existing, False, None)
        raise
    except BaseException:
        _delete_blobs(p.stored.object_id for p in prepared)
        raise
    return Submission(report, True, receipt)


def _replay(organisation: Organisation | None, key: str, digest: str) -> Report | None:
    existing = Report.objects.filter(
        reporter_organisation=organisation, idempotency_key=key
    ).first()
    if existing is None:
        return None
    if existing.request_digest != digest:
        raise Conflict(
            "This Idempotency-Key was already used for a different report. Use a new key for "
            "a new report; repeat the exact same request to get the first result back.",
            code="idempotency_conflict",
            details={"report_id": str(existing.public_id)},
        )
    return existing


def _delete_blobs(object_ids: Iterable[str]) -> None:
    vault = runtime.vault()
    for object_id in object_ids:
        try:
            vault.delete(object_id)
        except Exception:  # pragma: no cover - best effort; retention sweeps leftovers
            log.exception("could not delete vault object %s", object_id)


# --- reading, status and evidence -------------------------------------------------------------


def visible_reports(principal: Principal) -> QuerySet[Report]:
    """Reports a principal may see: those it sent, and those its organisation handles."""
    require(principal, Permission.REPORTS_READ)
    qs = Report.objects.all()
    if principal.is_superuser:
        return qs
    org = principal.organisation_id
    if org is None:
        return qs.none()
    from django.db.models import Q

    return qs.filter(Q(reporter_organisation_id=org) | Q(handling_organisation_id=org))


def is_handler(principal: Principal, report: Report) -> bool:
    return principal.is_superuser or (
        principal.organisation_id is not None
        and principal.organisation_id == report.handling_organisation_id
    )


def _audited_handler_access(
    principal: Principal,
    report: Report,
    what: str,
    action: str,
    target: Report | Evidence,
    data: dict[str, Any] | None = None,
) -> None:
    """Refuse anyone but the handling organisation; otherwise record who looked at what."""
    if not is_handler(principal, report):
        raise Forbidden(f"Only the organisation handling this report may {what}.")
    with transaction.atomic():
        record(
            action,
            actor=principal.actor,
            organisation_id=principal.organisation_id,
            object_type="evidence" if isinstance(target, Evidence) else "report",
            object_id=str(target.public_id),
            data=data,
        )


def report_details(principal: Principal, report: Report) -> dict[str, Any]:
    """The sealed personal details, for the handling hotline only; reading them is audited."""
    require(principal, Permission.REPORTS_READ)
    _audited_handler_access(principal, report, "read its details", "report.details_opened", report)
    return unseal(runtime.keyring(), str(report.public_id), report.sealed, report.sealed_key_id)


ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset(
        {Status.IN_REVIEW, Status.REFERRED, Status.CLOSED_ACTIONED, Status.CLOSED_NO_ACTION}
    ),
    Status.IN_REVIEW: frozenset({Status.REFERRED, Status.CLOSED_ACTIONED, Status.CLOSED_NO_ACTION}),
    Status.REFERRED: frozenset({Status.CLOSED_ACTIONED, Status.CLOSED_NO_ACTION}),
    Status.CLOSED_ACTIONED: frozenset({Status.IN_REVIEW}),
    Status.CLOSED_NO_ACTION: frozenset({Status.IN_REVIEW}),
}


def change_status(principal: Principal, report: Report, new: str, note: str = "") -> Report:
    """A person's decision on a report; audited, and only along `ALLOWED_TRANSITIONS`."""
    require(principal, Permission.REPORTS_TRIAGE)
    if not is_handler(principal, report):
        raise Forbidden("Only the organisation handling this report may change its status.")
    if new not in Status.values:
        raise InvalidInput(f"Unknown status {new!r}; choose from {', '.join(Status.values)}.")
    if new not in ALLOWED_TRANSITIONS[report.status]:
        raise Conflict(f"A report that is {report.status} cannot become {new}.")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if new not in ALLOWED_TRANSITIONS[locked.status]:
            raise Conflict(f"A report that is {locked.status} cannot become {new}.")
        old = locked.status
        locked.status = new
        locked.save(update_fields=["status", "updated_at"])
        record(
            "report.status_changed",
            actor=principal.actor,
            organisation_id=principal.organisation_id,
            object_type="report",
            object_id=str(locked.public_id),
            data={"from": old, "to": new, "note": note[:1000]},
        )
    return locked


def open_evidence(principal: Principal, evidence: Evidence) -> Iterable[bytes]:
    """The decrypted file, for a handler with the evidence permission; every opening audited."""
    require(principal, Permission.EVIDENCE_OPEN)
    if evidence.purged_at is not None:
        raise NotFound("This file was deleted when its retention period ended.")
    report = evidence.report
    data = {"report": str(report.public_id), "sha256": evidence.sha256}
    _audited_handler_access(
        principal, report, "open its evidence", "evidence.opened", evidence, data
    )
    return runtime.vault().open_file(
        evidence.object_id, evidence.header, expected_sha256=evidence.sha256
    )


# --- retention ---------------------------------------------------------------------------------


#: Reports someone is still working on (in review, or referred to police or welfare) are held:
#: their evidence outlives the retention date until a person closes them.
HELD_STATUSES = (Status.IN_REVIEW, Status.REFERRED)


def purge_expired(now: datetime | None = None, *, actor: str = "system:retention") -> int:
    """Erase reports past their retention date, unless held (`HELD_STATUSES`): evidence files
    (crypto-erasure: the blob and its wrapped key go), and the sealed personal details. Kept:
    type, dates, priority, country and digests, which statistics need and which identify no
    one. Returns the count."""
    now = now or datetime.now(UTC)
    count = 0
    due = Report.objects.filter(retain_until__lte=now, purged_at__isnull=True).exclude(
        status__in=HELD_STATUSES
    )
    for report in due.iterator():
        files = list(report.evidence.filter(purged_at__isnull=True))
        for evidence in files:
            runtime.vault().delete(evidence.object_id)
        with transaction.atomic():
            Evidence.objects.filter(pk__in=[e.pk for e in files]).update(
                header="", purged_at=now, filename="", metadata={}
            )
            Report.objects.filter(pk=report.pk).update(
                sealed="", sealed_key_id="", urls=[], platform_name="", purged_at=now
            )
            record(
                "report.purged",
                actor=actor,
                organisation_id=report.handling_organisation_id,
                object_type="report",
                object_id=str(report.public_id),
                data={"files": len(files), "retain_until": report.retain_until.isoformat()},
            )
        count += 1
    return count


def rewrap_all(*, actor: str) -> dict[str, Any]:
    """After a master-key rotation (and a restart of every server process, which cache the
    keyring): re-wrap every file's data key and re-seal every report's details under the
    current key, so the old key can then be removed. A row changed meanwhile (a purge) is left
    as it now is; a row that cannot be opened is counted, not fatal. Always audited."""
    keyring = runtime.keyring()
    files = reports = 0
    failed: list[str] = []
    for evidence in Evidence.objects.exclude(header="").iterator():
        try:
            new = rewrap(evidence.header, keyring)
        except LindungError:
            failed.append(f"evidence {evidence.public_id}")
            continue
        if new != evidence.header:
            files += Evidence.objects.filter(pk=evidence.pk, header=evidence.header).update(
                header=new
            )
    stale = Report.objects.exclude(sealed="").exclude(sealed_key_id=keyring.current_id)
    for report in stale.iterator():
        rid = str(report.public_id)
        try:
            details = unseal(keyring, rid, report.sealed, report.sealed_key_id)
        except LindungError:
            failed.append(f"report {rid}")
            continue
        token, key_id = seal(keyring, rid, details)
        reports += Report.objects.filter(pk=report.pk, sealed=report.sealed).update(
            sealed=token, sealed_key_id=key_id
        )
    result = {
        "key_id": keyring.current_id,
        "files": files,
        "reports": reports,
        "failed": failed,
    }
    with transaction.atomic():
        record("vault.rewrapped", actor=actor, data=result)
    return result


def sweep_vault(*, older_than_seconds: float = 86400, actor: str = "system:sweep") -> int:
    """Delete vault files no evidence row points to (left by a crash between storing a file
    and committing its report) and stale temporary files. Returns how many were removed."""
    store = runtime.vault().store
    if not isinstance(store, LocalBlobStore):  # other stores list their objects their own way
        return 0
    known = set(Evidence.objects.exclude(header="").values_list("object_id", flat=True))
    removed = 0
    for object_id in list(store.object_ids(older_than_seconds)):
        if object_id not in known and store.delete(object_id):
            removed += 1
    removed += store.remove_stale_temp_files(older_than_seconds)
    if removed:
        with transaction.atomic():
            record("vault.swept", actor=actor, data={"removed": removed})
    return removed
