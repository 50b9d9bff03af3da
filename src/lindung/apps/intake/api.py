"""Platform reporting API: ``POST /api/reports`` and the hotline's view of what arrived.

A report is JSON (`ReportIn`, published as JSON Schema at ``/api/reports/schema``), sent either
as the whole body (``application/json``, no files) or as the ``report`` part of a
``multipart/form-data`` body whose ``files`` parts carry the files, in the order of
``report.files``. Every request names an ``Idempotency-Key``: repeating a request with the same
key returns the first result (HTTP 200 instead of 201) and never makes a second report.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Field, Router, Schema
from ninja import Status as HttpStatus
from pydantic import ConfigDict, field_validator
from pydantic import ValidationError as PydanticValidationError

from lindung.apps.accounts.permissions import Permission, require
from lindung.apps.errors import InvalidInput, NotFound, PayloadTooLarge, UnsupportedMedia
from lindung.apps.intake import services
from lindung.apps.intake.jurisdiction import normalise_country
from lindung.apps.intake.models import INCIDENT_TYPE_VALUES, Evidence, Report, Status
from lindung.apps.scanning.api import MULTIPART_OVERHEAD, media_limits
from lindung.server.auth import principal_of

router = Router(tags=["reports"])

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:\-]{8,200}")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)

Short = Field(default="", max_length=500)


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ReportedAccount(_Strict):
    """The person or account reported, as the platform knows it (all optional)."""

    username: str = Short
    display_name: str = Short
    user_id: str = Short
    profile_url: str = Field(default="", max_length=2048)
    email: str = Short
    phone: str = Field(default="", max_length=50)
    ip_address: str = Field(default="", max_length=64)
    notes: str = Field(default="", max_length=5000)


class Victim(_Strict):
    """A child the report is about, when known; least data: an age group is often enough."""

    age_group: Literal["under13", "13to17", "adult", "unknown"] = "unknown"
    age: int | None = Field(default=None, ge=0, le=120)
    username: str = Short
    country: str = Field(default="", max_length=2)
    notes: str = Field(default="", max_length=5000)


class Contact(_Strict):
    """Who at the platform can answer questions about this report."""

    name: str = Short
    email: str = Short
    phone: str = Field(default="", max_length=50)


class FileMeta(_Strict):
    """What the platform knows of each uploaded file, in the order of the ``files`` parts."""

    filename: str = Field(default="", max_length=255)
    original_url: str = Field(default="", max_length=2048)
    uploaded_at: datetime | None = None
    publicly_available: bool | None = None
    viewed_by_platform: bool | None = Field(
        default=None, description="Did a person at the platform view the whole file?"
    )


class ReportIn(_Strict):
    incident_type: str = Field(description="One of: " + ", ".join(INCIDENT_TYPE_VALUES))
    incident_time: datetime | None = Field(default=None, description="UTC ISO 8601")
    imminent_danger: bool = Field(default=False, description="A child is in danger now")
    description: str = Field(default="", max_length=services.MAX_TEXT)
    urls: list[str] = Field(default_factory=list, max_length=50)
    platform_name: str = Field(default="", max_length=200)
    reported_accounts: list[ReportedAccount] = Field(default_factory=list, max_length=20)
    victims: list[Victim] = Field(default_factory=list, max_length=20)
    reporter: Contact = Field(default_factory=Contact)
    reporter_country: str = Field(default="", max_length=2)
    language: str = Field(default="", max_length=16)
    additional_info: str = Field(default="", max_length=services.MAX_TEXT)
    files: list[FileMeta] = Field(default_factory=list, max_length=services.MAX_FILES)

    @field_validator("incident_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in INCIDENT_TYPE_VALUES:
            raise ValueError("must be one of " + ", ".join(INCIDENT_TYPE_VALUES))
        return value

    @field_validator("urls")
    @classmethod
    def _urls(cls, values: list[str]) -> list[str]:
        for value in values:
            if len(value) > 2048 or not _URL.fullmatch(value):
                raise ValueError(f"{value[:100]!r} is not an http(s) URL")
        return values

    @field_validator("reporter_country")
    @classmethod
    def _country(cls, value: str) -> str:
        return normalise_country(value) if value else ""


class EvidenceOut(Schema):
    id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    md5: str
    pdq: str
    pdq_quality: int | None
    matches: list[dict[str, Any]]


class ReportOut(Schema):
    id: str
    replayed: bool = False
    status: str
    incident_type: str
    priority: int
    priority_reasons: list[str]
    jurisdiction: str
    jurisdiction_evidence: list[Any]
    text_scores: dict[str, Any]
    received_at: datetime
    evidence: list[EvidenceOut]


def _evidence_out(e: Evidence) -> dict[str, Any]:
    return {
        "id": str(e.public_id),
        "filename": e.filename,
        "media_type": e.media_type,
        "size": e.size,
        "sha256": e.sha256,
        "md5": e.md5,
        "pdq": e.pdq,
        "pdq_quality": e.pdq_quality,
        "matches": e.matches,
    }


def report_out(report: Report, *, replayed: bool = False, handler: bool = True) -> dict[str, Any]:
    """A report as the API shows it. The sender (not the handling hotline) sees status and
    digests, not what its files matched in the hotline's banks or why it was prioritised."""
    out = {
        "id": str(report.public_id),
        "replayed": replayed,
        "status": report.status,
        "incident_type": report.incident_type,
        "priority": report.priority,
        "priority_reasons": report.priority_reasons,
        "jurisdiction": report.jurisdiction,
        "jurisdiction_evidence": report.jurisdiction_evidence,
        "text_scores": report.text_scores,
        "received_at": report.created_at,
        "evidence": [_evidence_out(e) for e in report.evidence.order_by("pk")],
    }
    if not handler:
        out["priority_reasons"] = []
        out["jurisdiction_evidence"] = []
        for evidence in out["evidence"]:
            evidence["matches"] = []
    return out


def _parse_report(raw: bytes | str) -> ReportIn:
    try:
        return ReportIn.model_validate_json(raw)
    except PydanticValidationError as exc:
        details = [{"loc": list(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        raise InvalidInput("The report is not valid.", details=details) from None


def _items(request: HttpRequest, payload: ReportIn) -> list[services.UploadedItem]:
    unknown = sorted(set(request.FILES) - {"files"} | set(request.POST) - {"report"})
    if unknown:
        raise InvalidInput(
            f"Unknown multipart part(s) {', '.join(unknown)}: send 'report' and 'files' only.",
            code="unknown_part",
        )
    uploads = request.FILES.getlist("files")
    if len(uploads) > services.MAX_FILES:
        raise InvalidInput(f"Send at most {services.MAX_FILES} files per report.")
    if payload.files and len(payload.files) != len(uploads):
        raise InvalidInput(
            f"report.files describes {len(payload.files)} file(s) but {len(uploads)} were sent.",
            code="files_mismatch",
        )
    limit = media_limits().max_bytes
    items = []
    for index, upload in enumerate(uploads):
        if upload.size is not None and upload.size > limit:
            raise PayloadTooLarge(
                f"File {index + 1} ({upload.name}) is larger than {limit} bytes.",
                details={"file": index, "max_bytes": limit},
            )
        meta = payload.files[index].model_dump(mode="json") if payload.files else {}
        path = getattr(upload, "temporary_file_path", None)
        items.append(
            services.UploadedItem(
                name=(upload.name or f"file-{index + 1}")[:255],
                size=int(upload.size or 0),
                stream=None if path else upload.file,
                path=path() if path else None,
                declared_type=upload.content_type or "",
                metadata=meta,
            )
        )
    return items


REPORTS_OPENAPI = {
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": True,
            "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY.pattern},
            "description": "A unique key per report (e.g. a UUID); a retry repeats it.",
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ReportIn"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["report"],
                    "properties": {
                        "report": {"type": "string", "description": "ReportIn as JSON"},
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                        },
                    },
                }
            },
        },
    },
}


@router.post(
    "",
    response={200: ReportOut, 201: ReportOut},
    summary="Send a report (with files) to the hotline",
    openapi_extra=REPORTS_OPENAPI,
)
def create_report(request: HttpRequest) -> HttpStatus[dict[str, Any]]:
    principal = principal_of(request)
    require(principal, Permission.REPORTS_WRITE)
    key = request.headers.get("Idempotency-Key", "")
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidInput(
            "Send an Idempotency-Key header: 8-200 characters from A-Z a-z 0-9 _ . : - "
            "(a UUID is ideal), the same on every retry of this report.",
            code="idempotency_key_missing",
        )
    content_type = request.content_type or ""
    limit = media_limits().max_bytes * services.MAX_FILES + MULTIPART_OVERHEAD
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"A report is limited to {limit} bytes in all.")
    if content_type == "application/json":
        payload = _parse_report(request.body)
        items: list[services.UploadedItem] = []
        if payload.files:
            raise InvalidInput(
                "report.files describes files, but a JSON body carries none: send "
                "multipart/form-data with the files.",
                code="files_mismatch",
            )
    elif content_type == "multipart/form-data":
        raw = request.POST.get("report")
        if raw is None:
            raise InvalidInput("Send the report as a multipart field named 'report' (JSON).")
        payload = _parse_report(raw)
        items = _items(request, payload)
    else:
        raise UnsupportedMedia(
            "Send application/json, or multipart/form-data with 'report' and 'files'."
        )
    fields = payload.model_dump(mode="json")
    data = services.ReportInput(
        incident_type=payload.incident_type,
        description=payload.description,
        incident_time=payload.incident_time,
        imminent_danger=payload.imminent_danger,
        urls=payload.urls,
        platform_name=payload.platform_name,
        reporter_country=payload.reporter_country,
        language=payload.language,
        reported_accounts=fields["reported_accounts"],
        victims=fields["victims"],
        reporter=fields["reporter"],
        additional_info=payload.additional_info,
    )
    digest = services.request_digest(fields, items)
    try:
        result = services.submit_report(principal, data, items, idempotency_key=key, digest=digest)
    finally:
        for item in items:
            if item.stream is not None:
                item.stream.close()
    return HttpStatus(
        201 if result.created else 200,
        report_out(
            result.report,
            replayed=not result.created,
            handler=services.is_handler(principal, result.report),
        ),
    )


@router.get("/schema", auth=None, summary="JSON Schema of a report (ReportIn), public")
def report_schema(request: HttpRequest) -> dict[str, Any]:
    return ReportIn.model_json_schema()


@router.get("", response=list[ReportOut], summary="Reports you sent or handle, most urgent first")
def list_reports(
    request: HttpRequest,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    principal = principal_of(request)
    qs = services.visible_reports(principal)
    if status:
        if status not in Status.values:
            raise InvalidInput(f"Unknown status {status!r}; choose from {', '.join(Status.values)}")
        qs = qs.filter(status=status)
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidInput("limit must be 1-500 and offset not negative.")
    rows = qs.order_by("priority", "created_at")[offset : offset + limit]
    return [
        report_out(r, handler=services.is_handler(principal, r))
        for r in rows.prefetch_related("evidence")
    ]


@router.get("/{report_id}", response=ReportOut, summary="One report (no personal details)")
def get_report(request: HttpRequest, report_id: str) -> dict[str, Any]:
    report = _report(request, report_id)
    return report_out(report, handler=services.is_handler(principal_of(request), report))


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"No such {what}.") from None


def _report(request: HttpRequest, report_id: str) -> Report:
    principal = principal_of(request)
    wanted = _uuid(report_id, "report")
    try:
        return services.visible_reports(principal).get(public_id=wanted)
    except Report.DoesNotExist:
        raise NotFound("No such report.") from None


@router.get("/{report_id}/details", summary="The report's sealed personal details (audited)")
def get_details(request: HttpRequest, report_id: str) -> dict[str, Any]:
    return services.report_details(principal_of(request), _report(request, report_id))


class StatusIn(_Strict):
    status: str
    note: str = Field(default="", max_length=1000)


@router.post("/{report_id}/status", response=ReportOut, summary="Record a decision (audited)")
def set_status(request: HttpRequest, report_id: str, payload: StatusIn) -> dict[str, Any]:
    report = services.change_status(
        principal_of(request), _report(request, report_id), payload.status, payload.note
    )
    return report_out(report)


@router.get(
    "/{report_id}/evidence/{evidence_id}",
    summary="Open one evidence file (decrypted; every opening is audited)",
    response={200: None},
)
def open_evidence(request: HttpRequest, report_id: str, evidence_id: str) -> HttpResponse:
    report = _report(request, report_id)
    evidence = report.evidence.filter(public_id=_uuid(evidence_id, "evidence file")).first()
    if evidence is None:
        raise NotFound("No such evidence file.")
    chunks = services.open_evidence(principal_of(request), evidence)
    response = StreamingHttpResponse(chunks, content_type="application/octet-stream")
    response["Content-Length"] = str(evidence.size)  # a cut-off download is visibly short
    response["Content-Disposition"] = f'attachment; filename="{evidence.public_id}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Lindung-SHA256"] = evidence.sha256
    return response
