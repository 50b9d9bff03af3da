"""The HTTP API: one NinjaAPI, OpenAPI docs at /api/docs, one error shape for every failure."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lindung import __version__
from lindung.apps.accounts.permissions import PermissionDenied
from lindung.apps.errors import LindungError
from lindung.detect.media.errors import MediaError
from lindung.server.auth import API_AUTH

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Lindung API",
    version=__version__,
    description=(
        "Child online protection: hash matching against banks of known material, "
        "reporting and response. Authenticate with an API key: "
        "`Authorization: Bearer lk_...` or `X-API-Key: lk_...`."
    ),
    auth=API_AUTH,
    docs_url="/docs",
    urls_namespace="api",
)

MEDIA_ERROR_STATUS = {"too_large": 413, "unsupported_type": 415}


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details: object = None
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "details": details}},
        status=status,
    )


@api.exception_handler(LindungError)
def _lindung_error(request: HttpRequest, exc: LindungError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(MediaError)
def _media_error(request: HttpRequest, exc: MediaError) -> HttpResponse:
    code = str(exc.code.value if hasattr(exc.code, "value") else exc.code)
    status = MEDIA_ERROR_STATUS.get(code, 422)
    return error_response(request, status, code, str(exc), getattr(exc, "details", None) or None)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [{"loc": list(e.get("loc", [])), "message": e.get("msg", "")} for e in exc.errors]
    return error_response(request, 422, "invalid", "The request is not valid.", details)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "unauthenticated", "Send a valid API key or log in as staff."
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "http_error"
    )
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "Not found.")


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return error_response(request, 400, "bad_request", f"The multipart body is malformed: {exc}")


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return error_response(request, 413, "too_large", "The request body is too large.")
    return error_response(request, 400, "bad_request", "The request could not be read.")


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unhandled error in %s %s", request.method, request.path)
    return error_response(
        request, 500, "internal", "Something went wrong on our side; it has been logged."
    )


def _register_routers() -> None:
    from lindung.apps.banks.api import router as banks_router
    from lindung.apps.intake.api import router as intake_router
    from lindung.apps.scanning.api import router as scanning_router

    api.add_router("/", scanning_router)
    api.add_router("/banks", banks_router)
    api.add_router("/reports", intake_router)


_register_routers()
