"""The public reporting page: forms without JavaScript, languages, receipts, abuse resistance."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lindung.apps.intake import views
from lindung.apps.intake.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_ORDER,
    Translator,
    catalogs,
    placeholders,
)
from lindung.apps.intake.models import Report, Status
from tests.apps.conftest import with_config
from tests.media_factory import shapes_png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("intake_settings")]


@pytest.fixture(autouse=True)
def _instant_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    # Real people take more than 3 s to fill the form; tests post at once.
    monkeypatch.setattr(views, "FORM_MIN_AGE_S", 0)
    cache.clear()


def _token(client: Client, **params: str) -> str:
    page = client.get("/report", params).content.decode()
    match = re.search(r'name="form_token" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def _send(client: Client, lang: str = "en", **fields: Any) -> Any:
    data = {"form_token": _token(client, lang=lang), "lang": lang, **fields}
    return client.post("/report", data)


def _receipt(response: Any) -> str:
    match = re.search(r'id="receipt-code">([A-Z0-9-]+)<', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def test_form_page_is_safe_and_light() -> None:
    response = Client().get("/report")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    assert not response.cookies  # no cookie: fewer traces on a shared phone
    assert 'id="quick-exit"' in html and 'lang="en"' in html
    assert "<script>" not in html and "style=" not in html  # nothing inline: CSP holds
    assert len(html.encode()) < 30_000  # a slow connection loads it quickly
    css = Client().get("/report/assets/report.css")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    assert Client().get("/report/assets/../settings.py").status_code == 404


def test_report_without_javascript_gives_a_receipt_and_status() -> None:
    client = Client()
    response = _send(
        client,
        what="bullying",
        danger="no",
        story="Someone keeps posting mean comments about me.",
        url="example.com/some/page",
        when="week",
        who="me",
        age="13to17",
        country="MY",
    )
    assert response.status_code == 201
    code = _receipt(response)
    report = Report.objects.get()
    assert report.source == "public" and report.incident_type == "cyberbullying"
    assert report.urls == ["https://example.com/some/page"]
    assert report.reporter_country == "MY" and report.jurisdiction == "MY"
    assert report.receipt_hash and code not in report.receipt_hash
    status = client.post("/report/status", {"code": code.lower().replace("-", " ")})
    assert "We got your report" in status.content.decode()
    report.status = Status.REFERRED
    report.save()
    status = client.post("/report/status", {"code": code})
    assert "passed your report" in status.content.decode()
    wrong = client.post("/report/status", {"code": "AAAA-BBBB-CCCC"})
    assert "could not find" in wrong.content.decode()


def test_screenshot_is_kept_encrypted_and_child_in_danger_goes_first(settings: Any) -> None:
    response = _send(
        Client(),
        what="grooming",
        danger="yes",
        story="A man wants to meet my friend after school.",
        files=SimpleUploadedFile("shot.png", shapes_png(2), content_type="image/png"),
    )
    assert response.status_code == 201, response.content.decode()[:3000]
    report = Report.objects.get()
    assert report.imminent_danger and report.priority == 1
    [evidence] = report.evidence.all()
    assert evidence.media_type == "image/png" and evidence.pdq


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"story": "something"}, "Please choose what happened."),
        ({"what": "bullying"}, "Please tell us what happened or where it happened."),
        ({"what": "bullying", "url": "http:// not a url"}, "does not look right"),
        ({"what": "sextortion", "story": "x", "country": "ZZ"}, "choose a country"),
        ({"what": "sextortion", "story": "x", "contact": "not contact"}, "email address"),
        ({"what": "nonsense", "story": "x"}, "Please choose what happened."),
    ],
)
def test_mistakes_are_explained_and_what_was_typed_is_kept(
    fields: dict[str, str], message: str
) -> None:
    response = _send(Client(), **fields)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and "error-summary" in html and 'aria-invalid="true"' in html
    if "story" in fields:
        assert fields["story"] in html
    assert Report.objects.count() == 0


def test_only_pictures_are_taken_and_broken_ones_are_refused(settings: Any) -> None:
    text = SimpleUploadedFile("notes.txt", b"plain words, not a picture")
    response = _send(Client(), what="bullying", story="x", files=text)
    assert response.status_code == 422 and "We can only take pictures" in response.content.decode()
    broken = SimpleUploadedFile("broken.png", shapes_png(1)[:150])
    response = _send(Client(), what="bullying", story="x", files=broken)
    assert response.status_code == 422 and "could not open the picture" in response.content.decode()
    with_config(settings, public_max_file_bytes=1024)
    big = SimpleUploadedFile("big.png", shapes_png(1))
    response = _send(Client(), what="bullying", story="x", files=big)
    assert response.status_code == 422 and "too big" in response.content.decode()
    assert Report.objects.count() == 0


def test_a_form_is_sent_once_and_bots_are_slowed(monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client()
    token = _token(client)
    fields = {"form_token": token, "what": "other", "story": "x"}
    assert client.post("/report", fields).status_code == 201
    again = client.post("/report", fields)
    assert again.status_code == 400 and "already sent" in again.content.decode()
    forged = client.post("/report", {**fields, "form_token": token[:-3] + "abc"})
    assert forged.status_code == 400
    monkeypatch.setattr(views, "FORM_MIN_AGE_S", 60)
    fast = _send(client, what="other", story="x")
    assert fast.status_code == 400 and "very fast" in fast.content.decode()
    assert Report.objects.count() == 1


def test_honeypot_reports_are_kept_but_marked() -> None:
    response = _send(Client(), what="other", story="x", leave_this_empty="http://spam.example")
    assert response.status_code == 201
    assert any("anti-robot" in r for r in Report.objects.get().priority_reasons)


def test_rate_limit_per_network(settings: Any) -> None:
    with_config(settings, public_reports_per_hour=2)
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert _send(client, what="other", story="1").status_code == 201
    assert _send(client, what="other", story="2").status_code == 201
    limited = _send(client, what="other", story="3")
    assert limited.status_code == 429 and "Please wait" in limited.content.decode()
    assert int(limited["Retry-After"]) > 0
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert _send(other, what="other", story="4").status_code == 201


def test_language_from_link_or_browser() -> None:
    assert 'lang="en"' in Client().get("/report").content.decode()
    available = catalogs()
    for code in available:
        html = Client().get("/report", {"lang": code}).content.decode()
        assert f'<html lang="{code}"' in html
    if "th" in available:
        html = Client(HTTP_ACCEPT_LANGUAGE="th-TH,th;q=0.9,en;q=0.5").get("/report").content
        assert '<html lang="th"' in html.decode()
    if "fil" in available:
        html = Client(HTTP_ACCEPT_LANGUAGE="tl").get("/report").content.decode()
        assert '<html lang="fil"' in html
    html = Client(HTTP_ACCEPT_LANGUAGE="xx-YY").get("/report").content.decode()
    assert '<html lang="en"' in html


def test_easy_read_uses_the_easy_words() -> None:
    html = Client().get("/report", {"easy": "1"}).content.decode()
    assert Translator("en", easy=True)("intro.text") in html
    assert 'class="easy"' in html


def test_help_page_lists_helplines_with_sources() -> None:
    html = Client().get("/report/help", {"country": "MY"}).content.decode()
    assert "15999" in html and "999" in html and "Source" in html
    fallback = Client().get("/report/help", {"country": "MM"}).content.decode()
    assert "childhelplineinternational.org" in fallback
    assert Client().get("/report/help", {"country": "nope"}).status_code == 200


def test_every_catalog_has_every_key_with_the_same_placeholders() -> None:
    found = catalogs()
    english = found[DEFAULT_LANGUAGE].messages
    for code, catalog in found.items():
        assert list(catalog.messages) == list(english), code
        for key, text in catalog.messages.items():
            assert text.strip(), (code, key)
            assert placeholders(text) == placeholders(english[key]), (code, key)
        if code != DEFAULT_LANGUAGE:
            assert catalog.machine_assisted, f"{code}: translations we write are marked"
    assert set(LANGUAGE_ORDER) <= set(found), sorted(set(LANGUAGE_ORDER) - set(found))


def test_proof_of_work_earns_a_larger_allowance(settings: Any) -> None:
    from lindung.apps.intake import antispam

    with_config(settings, public_pow_bits=8, public_reports_per_hour=1)
    client = Client(REMOTE_ADDR="192.0.2.44")

    def send_with_pow(story: str) -> Any:
        page = client.get("/report").content.decode()
        token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
        challenge = re.search(r'name="pow_challenge" value="([^"]+)"', page).group(1)
        assert "/report/assets/pow.js" in page
        nonce = antispam.solve(challenge)
        fields = {"form_token": token, "pow_challenge": challenge, "pow_nonce": nonce}
        return client.post("/report", {**fields, "what": "other", "story": story})

    # without a solution: the plain allowance (1 an hour here), and the form still works
    assert _send(client, what="other", story="plain").status_code == 201
    assert _send(client, what="other", story="plain again").status_code == 429
    # with a solution: three in all (one already used without)
    assert [send_with_pow(str(i)).status_code for i in range(3)] == [201, 201, 429]
    # a wrong solution counts as none
    page = client.get("/report").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    challenge = re.search(r'name="pow_challenge" value="([^"]+)"', page).group(1)
    wrong = next(n for n in map(str, range(1000)) if not _solves(challenge, n))
    fields = {"form_token": token, "pow_challenge": challenge, "pow_nonce": wrong}
    assert client.post("/report", {**fields, "what": "other", "story": "x"}).status_code == 429


def _solves(challenge: str, nonce: str) -> bool:
    import time

    from lindung.apps.intake import antispam

    try:
        antispam.verify_solution(challenge, nonce, views._secret("pow"), time.time(), 3600)
    except antispam.PowError:
        return False
    return True


def test_client_address_behind_trusted_proxies(settings: Any) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get(
        "/report", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.9"
    )
    assert views.client_address(request) == "10.0.0.1"  # no proxy trusted: the socket's peer
    with_config(settings, trusted_proxies=1)
    assert views.client_address(request) == "10.0.0.9"
    with_config(settings, trusted_proxies=2)
    assert views.client_address(request) == "203.0.113.5"  # never the client's own claim
    with_config(settings, trusted_proxies=5)
    assert views.client_address(request) is None  # shorter chain: one shared "unknown" key


def test_a_solved_challenge_counts_once(settings: Any) -> None:
    from lindung.apps.intake import antispam

    with_config(settings, public_pow_bits=8, public_reports_per_hour=1)
    client = Client(REMOTE_ADDR="192.0.2.45")
    page = client.get("/report").content.decode()
    challenge = re.search(r'name="pow_challenge" value="([^"]+)"', page).group(1)
    nonce = antispam.solve(challenge)
    statuses = []
    for story in ("one", "two", "three"):
        token = _token(client)
        fields = {"form_token": token, "pow_challenge": challenge, "pow_nonce": nonce}
        statuses.append(client.post("/report", {**fields, "what": "other", "story": story}))
    # the first use earns the larger allowance; reusing the solution is as good as none
    assert [r.status_code for r in statuses] == [201, 201, 429]


def test_oversized_bodies_are_refused_before_they_are_read(settings: Any) -> None:
    with_config(settings, public_max_file_bytes=1024 * 1024, public_max_files=1)
    response = Client().post(
        "/report",
        data=b"x",
        content_type="multipart/form-data; boundary=zz",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413 and "no more than 1 files" in response.content.decode()


def test_files_must_be_attached_again_after_a_mistake() -> None:
    shot = SimpleUploadedFile("shot.png", shapes_png(2), content_type="image/png")
    response = _send(Client(), story="forgot to choose what happened", files=shot)
    assert response.status_code == 422
    assert "please add them again" in response.content.decode()


def test_only_the_listed_picture_types_are_taken() -> None:
    import io

    from PIL import Image

    bmp = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 10, 10)).save(bmp, "BMP")
    shot = SimpleUploadedFile("shot.bmp", bmp.getvalue())
    response = _send(Client(), what="other", story="x", files=shot)
    assert response.status_code == 422 and "We can only take pictures" in response.content.decode()


def test_a_cache_outage_does_not_lose_a_report(monkeypatch: pytest.MonkeyPatch) -> None:
    from lindung.apps.intake import antispam

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(antispam.CacheSeenNonces, "add", down)
    monkeypatch.setattr(antispam.RateLimiter, "hit", down)
    response = _send(Client(), what="other", story="the cache is down")
    assert response.status_code == 201 and Report.objects.count() == 1


def test_a_huge_text_field_gets_the_page_not_a_bare_error() -> None:
    response = Client().post("/report", {"what": "other", "story": "x" * (11 * 1024 * 1024)})
    assert response.status_code == 413
    assert 'id="quick-exit"' in response.content.decode()
    assert "Content-Security-Policy" in response
