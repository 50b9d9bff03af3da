"""Scan endpoints: ``POST /api/scan`` takes a file (multipart) or precomputed hashes (JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ValidationError as PydanticValidationError

from lindung.apps.accounts.permissions import Permission, require
from lindung.apps.banks.live_index import live_index
from lindung.apps.banks.services import current_index_version
from lindung.apps.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia, check_page
from lindung.apps.scanning import services, text
from lindung.apps.scanning.models import Scan
from lindung.apps.scanning.services import ScanOutcome, ScanRequest, match_to_dict
from lindung.detect.media.hashing import MediaHashes, MediaLimits, hash_bytes, hash_file
from lindung.detect.media.video import frames_from_vpdq_text
from lindung.detect.signals import SignalType
from lindung.detect.text.conversation import Message
from lindung.server.auth import principal_of

router = Router(tags=["scanning"])

TRUE_WORDS = {"1", "true", "yes", "on"}


class HashIn(Schema):
    signal_type: str = Field(description="pdq, md5, sha256 or vpdq")
    value: str = Field(max_length=5_000_000)
    quality: int | None = Field(None, description="PDQ quality 0-100, if known")


class ScanHashesIn(Schema):
    hashes: list[HashIn] = Field(min_length=1, max_length=64)
    banks: list[str] | None = Field(None, description="Only these banks (default: all visible)")


class MatchOut(Schema):
    bank: str
    entry_id: int
    signal_type: str
    value: str
    distance: int
    labels: list[str]
    metadata: dict[str, Any]
    allow_list: bool
    action: str


class VerdictOut(Schema):
    action: str
    reasons: list[str]


class ScanOut(Schema):
    scan_id: int
    media: dict[str, Any] | None
    matches: list[MatchOut]
    suppressed: list[MatchOut]
    verdict: VerdictOut
    notes: list[str]


def media_limits() -> MediaLimits:
    cfg = settings.LINDUNG
    return MediaLimits(
        max_bytes=cfg.max_upload_bytes,
        max_pixels=cfg.max_image_pixels,
        video_max_seconds=cfg.video_max_seconds,
        video_frames_per_second=cfg.video_frames_per_second,
    )


#: Room for multipart boundaries and small form fields on top of the file itself.
MULTIPART_OVERHEAD = 64 * 1024


def refuse_declared_oversize(request: HttpRequest) -> None:
    """Refuse a body whose declared length is over the limit before Django reads (and
    spools to disk) any of it; call before touching request.POST or request.FILES."""
    limit = media_limits().max_bytes
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        raise PayloadTooLarge(f"Files are limited to {limit} bytes.")


def hash_upload(request: HttpRequest, *, dihedral: bool) -> MediaHashes:
    refuse_declared_oversize(request)
    limits = media_limits()
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput("Send the content as a multipart field named 'file'.")
    if upload.size is not None and upload.size > limits.max_bytes:
        raise PayloadTooLarge(f"Files are limited to {limits.max_bytes} bytes.")
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        return hash_file(path(), limits=limits, dihedral=dihedral)
    return hash_bytes(upload.read(), filename=upload.name, limits=limits, dihedral=dihedral)


def _outcome_out(outcome: ScanOutcome, media: MediaHashes | None) -> dict[str, Any]:
    return {
        "scan_id": outcome.scan_id,
        "media": media.to_dict() if media is not None else None,
        "matches": [match_to_dict(m) for m in outcome.verdict.matches],
        "suppressed": [match_to_dict(m) for m in outcome.verdict.suppressed],
        "verdict": {
            "action": outcome.verdict.action.value,
            "reasons": list(outcome.verdict.reasons),
        },
        "notes": outcome.notes,
    }


def _banks_field(raw: str | None) -> list[str] | None:
    if raw is None or not raw.strip():
        return None
    return [b.strip() for b in raw.split(",") if b.strip()]


def _request_from_json(body: bytes) -> ScanRequest:
    try:
        payload = ScanHashesIn.model_validate_json(body)
    except PydanticValidationError as exc:
        details = [{"loc": list(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        raise InvalidInput("The request is not valid.", details=details) from None
    request = ScanRequest(banks=payload.banks)
    if sum(item.signal_type == SignalType.VPDQ.value for item in payload.hashes) > 1:
        raise InvalidInput("Send one vpdq hash per scan: each video is scanned on its own.")
    for item in payload.hashes:
        if item.signal_type == SignalType.VPDQ.value:
            try:
                frames = frames_from_vpdq_text(item.value)
            except ValueError as exc:
                raise InvalidInput(f"Invalid vpdq hash: {exc}") from None
            request.frames.extend(frames)
            request.media_type = "video"
            continue
        request.signals.append(
            services.normalise_signal(item.signal_type, item.value, item.quality)
        )
    return request


SCAN_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "banks": {"type": "string", "description": "comma-separated bank names"},
                        "dihedral": {
                            "type": "boolean",
                            "description": "also match rotated and flipped versions (images)",
                        },
                    },
                }
            },
            "application/json": {"schema": ScanHashesIn.model_json_schema()},
        },
    }
}


@router.post(
    "/scan",
    response=ScanOut,
    summary="Match a file or precomputed hashes against banks and get a verdict",
    openapi_extra=SCAN_OPENAPI,
)
def scan(request: HttpRequest) -> dict[str, Any]:
    content_type = request.content_type or ""
    media: MediaHashes | None = None
    if content_type == "application/json":
        scan_request = _request_from_json(request.body)
    elif content_type == "multipart/form-data":
        refuse_declared_oversize(request)
        dihedral = request.POST.get("dihedral", "").strip().lower() in TRUE_WORDS
        media = hash_upload(request, dihedral=dihedral)
        scan_request = ScanRequest.from_media(media, banks=_banks_field(request.POST.get("banks")))
    else:
        raise UnsupportedMedia(
            "Send multipart/form-data with a 'file', or application/json with 'hashes'."
        )
    outcome = services.scan(principal_of(request), scan_request)
    return _outcome_out(outcome, media)


@router.post("/hash", summary="Hash a file without matching (PDQ, MD5, SHA-256, vPDQ)")
def hash_endpoint(request: HttpRequest) -> dict[str, Any]:
    require(principal_of(request), Permission.SCAN)
    refuse_declared_oversize(request)
    dihedral = request.POST.get("dihedral", "").strip().lower() in TRUE_WORDS
    return hash_upload(request, dihedral=dihedral).to_dict()


class PolicyRuleIO(Schema):
    bank: str = ""
    label: str = ""
    action: str


class PolicyIO(Schema):
    default_action: str | None = None
    match_low_quality: bool | None = None
    rules: list[PolicyRuleIO] | None = None
    text_thresholds: dict[str, float] | None = None


@router.put("/policy", response=PolicyIO, summary="Set your organisation's scan policy")
def put_policy(request: HttpRequest, payload: PolicyIO) -> PolicyIO:
    rules = [r.dict() for r in payload.rules] if payload.rules is not None else None
    policy = services.set_policy(
        principal_of(request),
        default_action=payload.default_action,
        match_low_quality=payload.match_low_quality,
        rules=rules,
        text_thresholds=payload.text_thresholds,
    )
    return _policy_out(policy)


def _policy_out(policy: Any) -> PolicyIO:
    return PolicyIO(
        default_action=policy.default_action,
        match_low_quality=policy.match_low_quality,
        text_thresholds=dict(policy.text_thresholds),
        rules=[
            PolicyRuleIO(bank=r.bank.name if r.bank else "", label=r.label, action=r.action)
            for r in policy.rules.select_related("bank")
        ],
    )


@router.get("/policy", response=PolicyIO, summary="Your organisation's scan policy")
def get_policy(request: HttpRequest) -> PolicyIO:
    principal = principal_of(request)
    require(principal, Permission.SCAN)
    if principal.organisation is None:
        raise InvalidInput("A policy belongs to an organisation.")
    policy, _ = services.ScanPolicy.objects.get_or_create(organisation=principal.organisation)
    return _policy_out(policy)


@router.get("/health", auth=None, summary="Liveness (no authentication, no data)")
def health(request: HttpRequest) -> dict[str, Any]:
    return {"status": "ok", "database_version": current_index_version()}


@router.get("/index", summary="This worker's match index: version and size")
def index_status(request: HttpRequest) -> dict[str, Any]:
    require(principal_of(request), Permission.BANKS_READ)
    snap = live_index().snapshot()
    return {
        "index_version": snap.version,
        "database_version": current_index_version(),
        "built_at": snap.built_at,
        "counts": snap.counts,
    }


class ScanRecordOut(Schema):
    id: int
    created_at: datetime
    actor: str
    media_type: str
    action: str
    needs_review: bool
    signals: list[dict[str, Any]]
    matches: list[dict[str, Any]]
    reasons: list[str]


@router.get("/scans", response=list[ScanRecordOut], summary="Your organisation's scans")
def list_scans(
    request: HttpRequest, needs_review: bool | None = None, offset: int = 0, limit: int = 50
) -> list[ScanRecordOut]:
    """The review queue is ``needs_review=true``: scans whose verdict was review or block_report."""
    principal = principal_of(request)
    require(principal, Permission.SCAN)
    check_page(offset, limit, 500)
    scans = Scan.objects.order_by("-id")
    if not principal.is_superuser:
        if principal.organisation_id is None:
            return []
        scans = scans.filter(organisation_id=principal.organisation_id)
    if needs_review is not None:
        scans = scans.filter(needs_review=needs_review)
    return [
        ScanRecordOut(
            id=s.pk,
            created_at=s.created_at,
            actor=s.actor,
            media_type=s.media_type,
            action=s.action,
            needs_review=s.needs_review,
            signals=s.signals,
            matches=s.matches,
            reasons=s.reasons,
        )
        for s in scans[offset : offset + limit]
    ]


class TextMessageIn(Schema):
    id: str = Field(min_length=1, max_length=200)
    text: str = Field(max_length=100_000)


class ScanTextIn(Schema):
    messages: list[TextMessageIn] = Field(min_length=1, max_length=1000)


class ReasonOut(Schema):
    category: str
    kind: str
    detail: str
    weight: float
    quote: str | None = None
    span: list[int] | None = None


class TextResultOut(Schema):
    id: str
    language: str
    scores: dict[str, float]
    labels: list[str]
    reasons: list[ReasonOut]


class ScanTextOut(Schema):
    results: list[TextResultOut]


@router.post("/scan/text", response=ScanTextOut, summary="Score messages for text risks")
def scan_text(request: HttpRequest, payload: ScanTextIn) -> dict[str, Any]:
    items = [(m.id, m.text) for m in payload.messages]
    return {"results": text.scan_texts(principal_of(request), items)}


class ConversationMessageIn(Schema):
    id: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=200)
    text: str = Field(max_length=100_000)
    timestamp: datetime | None = None


class ScanConversationIn(Schema):
    conversation_id: str = Field(min_length=1, max_length=200)
    messages: list[ConversationMessageIn] = Field(min_length=1, max_length=5000)


@router.post(
    "/scan/conversation",
    summary="Score a conversation: per message, and per author with the early-warning message",
)
def scan_conversation(request: HttpRequest, payload: ScanConversationIn) -> dict[str, Any]:
    messages = [Message(m.id, m.author, m.text, m.timestamp) for m in payload.messages]
    return text.scan_conversation(principal_of(request), payload.conversation_id, messages)
