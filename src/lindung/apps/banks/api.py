"""Bank endpoints: list, create, edit, entries, import and export."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lindung.apps.banks import services
from lindung.apps.banks.models import Bank, BankEntry
from lindung.apps.errors import InvalidInput, PayloadTooLarge, check_page, parse_bank_format
from lindung.detect.bankfile import BankFileError, BankFormat, read_bank_file, write_bank_file
from lindung.server.auth import principal_of

router = Router(tags=["banks"])

MAX_IMPORT_BYTES = 512 * 1024 * 1024


class BankOut(Schema):
    name: str
    organisation: str
    description: str
    is_allow_list: bool
    pdq_threshold: int
    shared: bool
    enabled: bool
    created_at: datetime

    @staticmethod
    def from_bank(bank: Bank) -> BankOut:
        return BankOut(
            name=bank.name,
            organisation=bank.organisation.slug,
            description=bank.description,
            is_allow_list=bank.is_allow_list,
            pdq_threshold=bank.pdq_threshold,
            shared=bank.shared,
            enabled=bank.enabled,
            created_at=bank.created_at,
        )


class BankIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    is_allow_list: bool = False
    pdq_threshold: int = Field(31, ge=0, le=128)
    shared: bool = False


class BankPatch(Schema):
    description: str | None = None
    is_allow_list: bool | None = None
    pdq_threshold: int | None = Field(None, ge=0, le=128)
    shared: bool | None = None
    enabled: bool | None = None


class EntryIn(Schema):
    signal_type: str
    value: str = Field(min_length=1, max_length=2_000_000)
    labels: list[str] = []
    source: str = ""
    provenance: str = ""
    metadata: dict[str, str] = {}


class EntryOut(Schema):
    id: int
    bank: str
    signal_type: str
    value: str
    labels: list[str]
    source: str
    provenance: str
    metadata: dict[str, object]
    added_by: str
    added_at: datetime
    disabled: bool

    @staticmethod
    def from_entry(entry: BankEntry) -> EntryOut:
        return EntryOut(
            id=entry.pk,
            bank=entry.bank.name,
            signal_type=entry.signal_type,
            value=entry.value,
            labels=list(entry.labels),
            source=entry.source,
            provenance=entry.provenance,
            metadata=dict(entry.metadata),
            added_by=entry.added_by,
            added_at=entry.added_at,
            disabled=entry.disabled,
        )


class EntryPatch(Schema):
    disabled: bool


class ImportOut(Schema):
    bank: str
    added: int
    skipped_existing: int


class EntryPage(Schema):
    total: int
    offset: int
    entries: list[EntryOut]


@router.get("", response=list[BankOut], summary="Banks visible to you")
def list_banks(request: HttpRequest) -> list[BankOut]:
    banks = services.visible_banks(principal_of(request)).select_related("organisation")
    return [BankOut.from_bank(b) for b in banks]


@router.post("", response={201: BankOut}, summary="Create a bank")
def create_bank(request: HttpRequest, payload: BankIn) -> Status[BankOut]:
    fields = payload.dict()
    name = fields.pop("name")
    bank = services.create_bank(principal_of(request), name, **fields)
    return Status(201, BankOut.from_bank(bank))


@router.get("/{name}", response=BankOut)
def get_bank(request: HttpRequest, name: str) -> BankOut:
    return BankOut.from_bank(services.get_bank(principal_of(request), name))


@router.patch("/{name}", response=BankOut, summary="Change a bank's settings")
def patch_bank(request: HttpRequest, name: str, payload: BankPatch) -> BankOut:
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    return BankOut.from_bank(services.update_bank(principal_of(request), name, **fields))


@router.get("/{name}/entries", response=EntryPage)
def list_entries(request: HttpRequest, name: str, offset: int = 0, limit: int = 100) -> EntryPage:
    check_page(offset, limit, 1000)
    bank = services.get_bank(principal_of(request), name, owner=True)
    entries = BankEntry.objects.filter(bank=bank).select_related("bank").order_by("id")
    page = [EntryOut.from_entry(e) for e in entries[offset : offset + limit]]
    return EntryPage(total=entries.count(), offset=offset, entries=page)


@router.post("/{name}/entries", response={201: EntryOut}, summary="Add one hash")
def add_entry(request: HttpRequest, name: str, payload: EntryIn) -> Status[EntryOut]:
    entry = services.add_entry(
        principal_of(request),
        name,
        payload.signal_type,
        payload.value,
        labels=payload.labels,
        source=payload.source,
        provenance=payload.provenance,
        metadata=payload.metadata,
    )
    return Status(201, EntryOut.from_entry(entry))


@router.patch("/entries/{entry_id}", response=EntryOut, summary="Disable or re-enable an entry")
def patch_entry(request: HttpRequest, entry_id: int, payload: EntryPatch) -> EntryOut:
    entry = services.set_entry_disabled(principal_of(request), entry_id, payload.disabled)
    return EntryOut.from_entry(entry)


@router.post(
    "/{name}/import",
    response=ImportOut,
    summary="Import a bank file (CSV, threatexchange or HMA JSON); all rows or none",
)
def import_file(
    request: HttpRequest,
    name: str,
    file: File[UploadedFile],
    format: Form[str | None] = None,
) -> ImportOut:
    if file.size and file.size > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"Bank files are limited to {MAX_IMPORT_BYTES} bytes.")
    fmt = parse_bank_format(format)
    try:
        rows = read_bank_file(file.read(), fmt, filename=file.name)
    except BankFileError as exc:
        raise InvalidInput(
            "The file has errors; nothing was imported.",
            details=[{"line": e.line, "field": e.field, "message": e.message} for e in exc.errors],
            code="bad_bank_file",
        ) from None
    result = services.import_rows(principal_of(request), name, rows, source_name=file.name or "")
    return ImportOut(bank=result.bank, added=result.added, skipped_existing=result.skipped_existing)


@router.get("/{name}/export", summary="Export a bank file", response={200: None})
def export_file(
    request: HttpRequest, name: str, format: str = "csv", include_disabled: bool = False
) -> HttpResponse:
    fmt = parse_bank_format(format) or BankFormat.CSV
    rows = list(
        services.export_rows(principal_of(request), name, include_disabled=include_disabled)
    )
    body = write_bank_file(rows, fmt)
    response = HttpResponse(body, content_type=fmt.media_type)
    response["Content-Disposition"] = f'attachment; filename="{name}{fmt.file_extension}"'
    return response
