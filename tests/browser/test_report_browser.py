"""The public reporting page in a real browser: Debian's Chromium, headless, driven by Playwright.

Submits a report in three languages and checks the receipt and its status page, keyboard access,
labels on every control, and the quick exit. Marked ``browser``; `scripts/test` installs
Chromium and runs these. Outside CI they are skipped when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from lindung.apps.intake import views
from lindung.apps.intake.i18n import Translator
from tests.apps.conftest import with_config
from tests.media_factory import shapes_png

CHROMIUM = os.environ.get("LINDUNG_CHROMIUM", "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("intake_settings"),
]

if not shutil.which(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are
    # plain synchronous code between browser steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(views, "FORM_MIN_AGE_S", 0)
    context = browser.new_context(viewport={"width": 360, "height": 740})  # a small phone
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.parametrize(
    ("lang", "what"), [("en", "bullying"), ("ms", "grooming"), ("th", "sextortion")]
)
def test_submit_a_report_and_check_its_receipt(
    page: Any, live_server: Any, tmp_path: Any, lang: str, what: str
) -> None:
    from lindung.apps.intake.models import Report

    tr = Translator(lang)
    page.goto(f"{live_server.url}/report?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    assert page.title() == tr("site.title")
    page.check(f"input[name=what][value={what}]")
    page.check("input[name=danger][value=no]")
    page.fill("#story", "Invented test report: someone sent unkind messages.")
    page.fill("#url", "https://example.com/post/1")
    shot = tmp_path / "screenshot.png"
    shot.write_bytes(shapes_png(11))
    page.set_input_files("#files", str(shot))
    page.click("button.send")
    page.wait_for_selector("#receipt-code")
    assert page.inner_text("h1") == tr("thanks.heading")
    code = page.inner_text("#receipt-code").strip()
    assert len(code) == 14 and code.count("-") == 2
    report = Report.objects.get(language=lang)
    assert report.evidence.count() == 1

    page.click("a[href^='/report/status']")
    page.fill("#code", code.lower())
    page.click("button.send")
    page.wait_for_selector("#status-result")
    assert tr("status.received") in page.inner_text("#status-result")


def test_keyboard_labels_and_errors(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/report")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit"
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(e => e.type !== 'hidden' && e.name !== 'leave_this_empty')
            .filter(e => !(e.labels && e.labels.length))
            .map(e => e.name)"""
    )
    assert unlabelled == []
    # submit with nothing chosen: a summary with links to the fields, focusable
    page.click("button.send")
    page.wait_for_selector(".error-summary")
    assert Translator("en")("error.what_missing") in page.inner_text(".error-summary")


def test_quick_exit_leaves_and_drops_the_page_from_history(
    page: Any, live_server: Any, settings: Any
) -> None:
    with_config(settings, quick_exit_url=f"{live_server.url}/report/help")
    page.goto(f"{live_server.url}/report/status")
    page.goto(f"{live_server.url}/report")
    page.click("#quick-exit")
    page.wait_for_url("**/report/help")
    page.go_back()
    # the reporting page was replaced, so "back" skips it
    assert page.url.endswith("/report/status")
