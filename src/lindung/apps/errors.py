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
