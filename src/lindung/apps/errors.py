"""Service errors: one hierarchy, rendered by the API as ``{"error": {code, message, details}}``.

Services raise these instead of returning error values so the HTTP API, the HTML views
and the CLI all report a failure the same way.
"""

from __future__ import annotations

from typing import Any


class LindungError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidInput(LindungError):
    status = 422
    code = "invalid"


class NotFound(LindungError):
    status = 404
    code = "not_found"


class Conflict(LindungError):
    status = 409
    code = "conflict"


class Forbidden(LindungError):
    status = 403
    code = "forbidden"


class PayloadTooLarge(LindungError):
    status = 413
    code = "too_large"


class UnsupportedMedia(LindungError):
    status = 415
    code = "unsupported_media"


def clean_or_invalid(obj: Any, exclude: list[str] | None = None) -> None:
    """Run a model's field validation and report failures as one InvalidInput (422).

    Also refuses NUL characters in text fields: PostgreSQL cannot store them, and SQLite
    would store what PostgreSQL later refuses to restore.
    """
    from django.core.exceptions import ValidationError

    errors: dict[str, list[str]] = {}
    for model_field in obj._meta.concrete_fields:
        value = getattr(obj, model_field.attname, None)
        if isinstance(value, str) and "\x00" in value:
            errors[model_field.name] = ["Null characters are not allowed."]
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise InvalidInput("Invalid data.", details=errors)


def parse_signal(signal_type: str, value: str) -> tuple[Any, str]:
    """Validate a (signal type, hash) pair from a client: the SignalType and normalised value.

    One place for this check, so the bank API and the scan API accept exactly the same
    hashes (and the same threatexchange type names).
    """
    from lindung.detect.bankfile import signal_type_from_name, validate_signal

    try:
        kind = signal_type_from_name(signal_type)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    try:
        return kind, validate_signal(kind, value)
    except ValueError as exc:
        raise InvalidInput(f"Invalid {kind.value} hash: {exc}") from None


def parse_bank_format(name: str | None) -> Any:
    """The BankFormat named by a client, None for 'guess', or a 422 listing the choices."""
    from lindung.detect.bankfile import BankFormat

    if not name:
        return None
    try:
        return BankFormat(name)
    except ValueError:
        allowed = ", ".join(f.value for f in BankFormat)
        raise InvalidInput(f"Unknown format {name!r}; use one of {allowed}.") from None


#: Deeper pages than this are refused: an offset this large is a mistake or a probe.
MAX_OFFSET = 10_000_000


def check_page(offset: int, limit: int, max_limit: int) -> None:
    if not 0 <= offset <= MAX_OFFSET or not 1 <= limit <= max_limit:
        raise InvalidInput(
            f"offset must be between 0 and {MAX_OFFSET}, limit between 1 and {max_limit}."
        )


def save_or_conflict(obj: Any, message: str) -> None:
    """Insert ``obj``; a unique-constraint clash (say, two concurrent creates) is a 409.

    The savepoint keeps the caller's transaction usable after the clash on PostgreSQL.
    """
    from django.db import IntegrityError, transaction

    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Conflict(message) from None
