"""The public reporting page: ``/report``, ``/report/status``, ``/report/help``.

Built for a child on a cheap phone and a slow connection: plain HTML forms that work without
JavaScript, one small stylesheet, no images, no web fonts, no cookies, no third-party requests.
Every page carries a quick-exit link. The views are thin: validation of what a person typed is
here (in their language), everything else is `services.submit_report`, shared with the API.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from lindung.apps.intake import antispam, runtime, services
from lindung.apps.intake.i18n import Translator, available_languages, choose_language
from lindung.apps.intake.jurisdiction import ASEAN, normalise_country
from lindung.apps.intake.models import Status
from lindung.apps.scanning.api import MULTIPART_OVERHEAD
from lindung.detect.media.errors import MediaError
from lindung.detect.media.hashing import MediaLimits

log = logging.getLogger(__name__)

ASSETS = Path(__file__).with_name("assets")
ASSET_TYPES = {
    "report.css": "text/css",
    "exit.js": "text/javascript",
    "pow.js": "text/javascript",
}

#: Public choice -> incident type. The words a child reads are in the catalogs (what.*).
WHAT_CHOICES = {
    "grooming": "online_enticement",
    "sextortion": "sextortion",
    "solicitation": "solicitation",
    "abuse_material": "child_sexual_abuse_material",
    "bullying": "cyberbullying",
    "self_harm": "self_harm",
    "other": "other",
}
DANGER_CHOICES = ("yes", "no", "unsure")
WHEN_CHOICES = ("today", "week", "month", "older", "unsure")
WHO_CHOICES = ("me", "child", "adult", "unsure")
AGE_CHOICES = ("under13", "13to17", "adult", "unknown")
#: Endonyms, so a country can be found whatever the page's language.
COUNTRY_NAMES = {
    "BN": "Brunei Darussalam",
    "KH": "កម្ពុជា (Cambodia)",
    "ID": "Indonesia",
    "LA": "ລາວ (Laos)",
    "MY": "Malaysia",
    "MM": "မြန်မာ (Myanmar)",
    "PH": "Pilipinas (Philippines)",
    "SG": "Singapore",
    "TH": "ประเทศไทย (Thailand)",
    "TL": "Timor-Leste",
    "VN": "Việt Nam",
}
IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/gif"
PUBLIC_MIME_TYPES = frozenset(IMAGE_TYPES.split(","))
MAX_STORY = 5000
MAX_SHORT = 300
MAX_PLATFORM = 200  # Report.platform_name
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}")
_PHONE = re.compile(r"\+?[\d\s().\-]{6,24}")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
FORM_MIN_AGE_S = 3
FORM_MAX_AGE_S = 4 * 3600
RATE_WINDOW_S = 3600
#: The honeypot's name: not one autofill knows ("website", "email" would be filled in).
HONEYPOT = "leave_this_empty"


def _secret(purpose: str) -> str:
    return salted_hmac(f"lindung.intake.{purpose}", "").hexdigest()


def _page_context(request: HttpRequest) -> dict[str, Any]:
    language = choose_language(request)
    easy = request.GET.get("easy") == "1"  # query string only, as for the language
    tr = Translator(language, easy)
    config = settings.LINDUNG
    return {
        "tr": tr,
        "lang": language,
        "easy": easy,
        "direction": tr.catalog.direction,
        "languages": available_languages(),
        "operator": config.operator_name,
        "quick_exit_url": config.quick_exit_url,
        "query": f"lang={language}" + ("&easy=1" if easy else ""),
    }


def _secure(response: HttpResponse) -> HttpResponse:
    """Headers for every public page: nothing cached, nothing third-party, nothing framed."""
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    return response


def client_address(request: HttpRequest) -> str | None:
    """The visitor's address. Behind N reverse proxies (LINDUNG_TRUSTED_PROXIES=N), the N-th
    address from the right of X-Forwarded-For, the one the outermost trusted proxy saw;
    addresses further left are whatever the client claimed and are ignored."""
    proxies = settings.LINDUNG.trusted_proxies
    if not proxies:
        return request.META.get("REMOTE_ADDR")
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [a for a in chain if a]
    return chain[-proxies] if len(chain) >= proxies else None


def _client(request: HttpRequest) -> str:
    return antispam.client_key(client_address(request), _secret("client"))


@dataclass
class FormResult:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    data: services.ReportInput | None = None


def _clean(request: HttpRequest, tr: Translator) -> FormResult:
    """What the person typed, checked field by field, with messages in their language."""
    post = request.POST
    values = {
        k: (post.get(k) or "").strip()
        for k in (
            "what",
            "danger",
            "story",
            "url",
            "platform",
            "username",
            "when",
            "who",
            "age",
            "country",
            "contact",
        )
    }
    result = FormResult(values)
    errors = result.errors
    if values["what"] not in WHAT_CHOICES:
        errors["what"] = tr("error.what_missing")
    for name, choices in (
        ("danger", DANGER_CHOICES),
        ("when", WHEN_CHOICES),
        ("who", WHO_CHOICES),
        ("age", AGE_CHOICES),
    ):
        if values[name] and values[name] not in choices:
            errors[name] = tr("error.bad_choice")
    if len(values["story"]) > MAX_STORY:
        errors["story"] = tr("error.too_long", max=MAX_STORY)
    for name, longest in (
        ("platform", MAX_PLATFORM),
        ("username", MAX_SHORT),
        ("contact", MAX_SHORT),
    ):
        if len(values[name]) > longest:
            errors[name] = tr("error.too_long", max=longest)
    url = values["url"]
    if url and not url.lower().startswith(("http://", "https://")) and "." in url:
        url = "https://" + url  # people paste "example.com/page"
    if url and (len(url) > 2048 or not _URL.fullmatch(url)):
        errors["url"] = tr("error.bad_url")
    country = ""
    if values["country"]:
        try:
            country = normalise_country(values["country"])
        except ValueError:
            errors["country"] = tr("error.bad_country")
    contact = values["contact"]
    if contact and not (_EMAIL.fullmatch(contact) or _PHONE.fullmatch(contact)):
        errors.setdefault("contact", tr("error.bad_contact"))
    if not errors and not (values["story"] or url or values["username"] or values["platform"]):
        errors["story"] = tr("error.nothing_to_go_on")
    if errors:
        return result
    reporter: dict[str, Any] = {"relationship": values["who"] or "unsure"}
    if contact:
        reporter["email" if "@" in contact else "phone"] = contact
    result.data = services.ReportInput(
        incident_type=WHAT_CHOICES[values["what"]],
        description=values["story"],
        incident_when=values["when"],
        imminent_danger=values["danger"] == "yes",
        urls=[url] if url else [],
        platform_name=values["platform"],
        reporter_country=country,
        language=tr.language,
        reported_accounts=[{"username": values["username"]}] if values["username"] else [],
        victims=[{"age_group": values["age"] or "unknown"}],
        reporter=reporter,
    )
    return result


def _files(request: HttpRequest, tr: Translator) -> tuple[list[services.UploadedItem], str]:
    config = settings.LINDUNG
    uploads = [u for u in request.FILES.getlist("files") if u.size]
    if len(uploads) > config.public_max_files:
        return [], tr("error.too_many_files", max_files=config.public_max_files)
    max_mb = config.public_max_file_bytes // (1024 * 1024)
    items = []
    for upload in uploads:
        if upload.size is not None and upload.size > config.public_max_file_bytes:
            return [], tr("error.file_too_big", name=upload.name, max_mb=max_mb)
        path = getattr(upload, "temporary_file_path", None)
        items.append(
            services.UploadedItem(
                name=(upload.name or "screenshot")[:255],
                size=int(upload.size or 0),
                stream=None if path else upload.file,
                path=path() if path else None,
            )
        )
    return items, ""


def _media_message(exc: MediaError, tr: Translator, items: list[services.UploadedItem]) -> str:
    details = exc.details if isinstance(exc.details, dict) else {}
    name = str(details.get("filename") or (items[0].name if len(items) == 1 else ""))
    max_mb = settings.LINDUNG.public_max_file_bytes // (1024 * 1024)
    if exc.code in ("too_large",):
        return tr("error.file_too_big", name=name, max_mb=max_mb)
    if exc.code in ("unsupported_type", "unsupported_media"):
        return tr("error.file_type", name=name)
    return tr("error.file_broken", name=name)


def _form_context(request: HttpRequest, ctx: dict[str, Any], result: FormResult | None) -> None:
    config = settings.LINDUNG
    now = time.time()
    ctx["form_token"] = antispam.issue_form_token(_secret("form"), now)
    if config.public_pow_bits:
        ctx["pow_challenge"] = antispam.issue_challenge(_secret("pow"), now, config.public_pow_bits)
    ctx["values"] = result.values if result else {}
    ctx["errors"] = result.errors if result else {}
    ctx["what_choices"] = list(WHAT_CHOICES)
    ctx["danger_choices"] = DANGER_CHOICES
    ctx["when_choices"] = WHEN_CHOICES
    ctx["who_choices"] = WHO_CHOICES
    ctx["age_choices"] = AGE_CHOICES
    ctx["countries"] = [(c, COUNTRY_NAMES[c]) for c in sorted(ASEAN)]
    ctx["max_files"] = config.public_max_files
    ctx["max_mb"] = config.public_max_file_bytes // (1024 * 1024)
    ctx["image_types"] = IMAGE_TYPES
    ctx["emergency"] = _emergency(request, result)


def _emergency(request: HttpRequest, result: FormResult | None) -> str | None:
    country = (result.values.get("country") if result else "") or ""
    if not country:
        return None
    try:
        return runtime.helplines().emergency_for(country)
    except ValueError:
        return None


def _render_form(
    request: HttpRequest, ctx: dict[str, Any], result: FormResult | None, status: int = 200
) -> HttpResponse:
    _form_context(request, ctx, result)
    return _secure(render(request, "intake/report_form.html", ctx, status=status))


def _rate_decision(request: HttpRequest, solved_pow: bool) -> antispam.RateDecision:
    """At most N reports an hour per network without a proof of work, 3N in all with one."""
    config = settings.LINDUNG
    limiter = antispam.RateLimiter(cache)
    client, now = _client(request), time.time()
    limit = config.public_reports_per_hour
    try:
        if not solved_pow:
            plain = limiter.hit(f"report:plain:{client}", limit, RATE_WINDOW_S, now)
            if not plain.allowed:
                return plain
        return limiter.hit(f"report:all:{client}", 3 * limit, RATE_WINDOW_S, now)
    except Exception:  # the cache is down: let the report through rather than lose it
        log.exception("rate limit could not be checked; accepting the report")
        return antispam.RateDecision(allowed=True, remaining=0, retry_after_s=0)


def _solved_pow(request: HttpRequest) -> bool:
    """A valid, unused proof of work came with the form (each challenge counts once)."""
    if not settings.LINDUNG.public_pow_bits:
        return False
    challenge, nonce = request.POST.get("pow_challenge", ""), request.POST.get("pow_nonce", "")
    if not challenge or not nonce:
        return False
    now = time.time()
    try:
        antispam.verify_solution(challenge, nonce, _secret("pow"), now, FORM_MAX_AGE_S)
        seen = antispam.CacheSeenNonces(cache, prefix="lindung:pow")
        return seen.add(hashlib.sha256(challenge.encode()).hexdigest(), FORM_MAX_AGE_S, now)
    except antispam.PowError:
        return False
    except Exception:
        log.exception("proof of work could not be recorded")
        return False


@csrf_exempt  # the signed, single-use form token does CSRF's job without a cookie
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest) -> HttpResponse:
    config = settings.LINDUNG
    if request.method == "POST":
        # before anything reads the body: a declared size over the budget is refused unread
        declared = request.META.get("CONTENT_LENGTH") or "0"
        budget = config.public_max_file_bytes * max(config.public_max_files, 1)
        if declared.isdigit() and int(declared) > budget + MULTIPART_OVERHEAD:
            ctx = _page_context(request)
            too_big = ctx["tr"]("error.too_many_files", max_files=config.public_max_files)
            return _render_form(request, ctx, FormResult({}, {"files": too_big}), status=413)
    ctx = _page_context(request)
    tr: Translator = ctx["tr"]
    if request.method == "GET":
        return _render_form(request, ctx, None)
    try:
        request.POST, request.FILES  # noqa: B018 - parse now, inside this try
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
        too_long = tr("error.too_long", max=MAX_STORY)
        return _render_form(request, ctx, FormResult({}, {"form": too_long}), status=413)

    result = _clean(request, tr)
    had_files = any(u.size for u in request.FILES.getlist("files"))

    def again(status: int) -> HttpResponse:
        if had_files:  # browsers never re-send files: say so rather than lose them quietly
            result.errors.setdefault("files", tr("error.reattach_files"))
        return _render_form(request, ctx, result, status=status)

    if result.errors or result.data is None:
        return again(422)
    items, file_error = _files(request, tr)
    if file_error:
        result.errors["files"] = file_error
        return again(422)
    try:
        antispam.consume_form_token(
            request.POST.get("form_token"),
            _secret("form"),
            time.time(),
            antispam.CacheSeenNonces(cache),
            min_age_s=FORM_MIN_AGE_S,
            max_age_s=FORM_MAX_AGE_S,
        )
    except antispam.FormTokenError as exc:
        key = {"too_fast": "error.form_too_fast", "reused": "error.form_used"}.get(
            exc.code, "error.form_expired"
        )
        result.errors["form"] = tr(key)
        return again(400)
    except Exception:  # the cache is down: a report matters more than the replay check
        log.exception("form token could not be recorded; accepting the report")
    # Counted only for reports about to be saved: typing mistakes cost a person nothing.
    decision = _rate_decision(request, _solved_pow(request))
    if not decision.allowed:
        minutes = max(1, int(decision.retry_after_s // 60) + 1)
        result.errors["form"] = tr("error.rate_limited", minutes=minutes)
        response = again(429)
        response["Retry-After"] = str(int(decision.retry_after_s) + 1)
        return response
    # kept, never dropped (a screen reader or autofill may fill it), but marked for triage
    result.data.suspected_automated = antispam.is_honeypot_filled(request.POST.get(HONEYPOT))
    limits = MediaLimits(max_bytes=config.public_max_file_bytes, max_pixels=config.max_image_pixels)
    try:
        submission = services.submit_report(
            None, result.data, items, limits=limits, allowed_mimes=PUBLIC_MIME_TYPES
        )
    except MediaError as exc:
        result.errors["files"] = _media_message(exc, tr, items)
        return _render_form(request, ctx, result, status=422)
    except Exception:
        log.exception("public report could not be saved")
        result.errors["form"] = tr("error.server")
        return again(500)
    ctx["receipt"] = submission.receipt_code
    ctx["country"] = result.data.reporter_country
    return _secure(render(request, "intake/thanks.html", ctx, status=201))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def status_page(request: HttpRequest) -> HttpResponse:
    ctx = _page_context(request)
    if request.method == "POST":
        decision = antispam.RateLimiter(cache).hit(
            f"status:{_client(request)}", 30, RATE_WINDOW_S, time.time()
        )
        code = (request.POST.get("code") or "").strip()[:64]
        ctx["code"] = code
        if not decision.allowed:
            minutes = max(1, int(decision.retry_after_s // 60) + 1)
            ctx["message"] = ctx["tr"]("error.rate_limited", minutes=minutes)
            return _secure(render(request, "intake/status.html", ctx, status=429))
        report = services.status_for_receipt(code) if code else None
        if report is None:
            ctx["message"] = ctx["tr"]("status.not_found")
        else:
            ctx["message"] = ctx["tr"](f"status.{report.status}")
            ctx["updated"] = report.updated_at.date().isoformat()
            ctx["status"] = report.status
    ctx["statuses"] = Status.values
    return _secure(render(request, "intake/status.html", ctx))


@require_http_methods(["GET"])
def help_page(request: HttpRequest) -> HttpResponse:
    ctx = _page_context(request)
    directory = runtime.helplines()
    country = (request.GET.get("country") or "").strip()
    try:
        country = normalise_country(country) if country else ""
    except ValueError:
        country = ""
    ctx["country"] = country
    ctx["country_name"] = COUNTRY_NAMES.get(country, country)
    ctx["countries"] = [(c, COUNTRY_NAMES[c]) for c in sorted(ASEAN)]
    if country:
        services_ = directory.for_country(country)
        ctx["helplines"] = services_
        ctx["is_fallback"] = all(h.country is None for h in services_)
        ctx["emergency"] = directory.emergency_for(country)
    return _secure(render(request, "intake/help.html", ctx))


@require_http_methods(["GET"])
def asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSET_TYPES:
        raise Http404
    response = FileResponse((ASSETS / name).open("rb"), content_type=ASSET_TYPES[name])
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
