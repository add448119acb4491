"""The HTML report in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

Each page is opened from its file with every non-``file:`` request aborted and recorded:
the report must work with no network at all. Where Chromium is missing the tests fail
with the command that installs it (``devtools.browser``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, expect, sync_playwright

from devtools.browser import ChromiumMissing, chromium

from .conftest import SCRIPT_KEY, SCRIPT_LABEL, LabelledJob, Report

pytestmark = pytest.mark.browser

FLAGGED = 4
WITH_THUMBNAIL = 3  # images/broken.png cannot be decoded


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        executable = chromium()
    except ChromiumMissing as missing:
        pytest.fail(str(missing))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def pages(
    labelled_job: LabelledJob, report: Report, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The labelled job's report, flagged only and with --include-clean."""
    directory = tmp_path_factory.mktemp("report")
    made = {}
    for name, extra in [("flagged", []), ("all", ["--include-clean"])]:
        path = directory / f"{name}.html"
        done = report(labelled_job.job_id, "--html", str(path), *extra)
        assert done.returncode == 0, done.stderr
        made[name] = path
    return made


@dataclass
class Opened:
    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def visible_cards(self) -> int:
        return self.page.locator("#grid .card:visible").count()


@pytest.fixture
def open_report(browser: Browser) -> Iterator[object]:
    contexts = []

    def open_page(path: Path) -> Opened:
        context = browser.new_context(offline=True, java_script_enabled=True)
        contexts.append(context)
        opened = Opened(context.new_page())

        def block(route: Route) -> None:
            if not route.request.url.startswith("file:"):
                opened.requests.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        def console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                opened.errors.append(f"console {message.type}: {message.text}")

        context.route("**/*", block)
        opened.page.on("console", console)
        opened.page.on("pageerror", lambda error: opened.errors.append(f"page error: {error}"))
        opened.page.goto(path.as_uri())
        opened.page.wait_for_load_state("load")
        return opened

    yield open_page
    for context in contexts:
        context.close()


def test_loads_from_the_file_with_no_network(open_report, pages: dict[str, Path]):
    opened = open_report(pages["flagged"])

    assert opened.requests == []
    # every thumbnail decoded (data: URIs need no network)
    widths = opened.page.eval_on_selector_all(
        "img.thumb-img", "images => images.map(image => image.complete && image.naturalWidth)"
    )
    assert len(widths) == WITH_THUMBNAIL and all(width > 0 for width in widths)
    assert opened.errors == []


def test_shows_every_flagged_image_and_a_placeholder_naming_why(
    open_report, pages: dict[str, Path]
):
    page = open_report(pages["flagged"]).page

    assert page.locator("#grid .card").count() == FLAGGED
    assert page.locator("#grid img.thumb-img").count() == WITH_THUMBNAIL
    placeholder = page.locator(".card", has_text="images/broken.png").locator(".placeholder")
    assert "cannot be decoded" in placeholder.inner_text()
    assert page.locator("#count-clean").inner_text().startswith("1")  # counted, not shown
    assert page.locator(".card.clean").count() == 0
    assert page.locator("#shown-count").inner_text() == f"{FLAGGED} of {FLAGGED}"
    # thumbnails are at most 256 px a side
    sizes = page.eval_on_selector_all(
        "img.thumb-img", "images => images.map(image => [image.naturalWidth, image.naturalHeight])"
    )
    assert all(max(size) <= 256 for size in sizes)
    # the job's facts, the invalid manifest line and its reason
    facts = page.locator("#facts").inner_text()
    assert "MinConfidence\t60" in facts or "MinConfidence\n60" in facts
    assert "images/missing.png" in facts and "InvalidS3ObjectException" in facts


def test_each_card_has_its_labels_taxonomy_and_location(
    open_report, pages: dict[str, Path], labelled_job: LabelledJob
):
    page = open_report(pages["flagged"]).page

    card = page.locator(".card", has_text="images/violence.png")
    text = card.inner_text()
    assert "Violence" in text and "88.5" in text
    assert "Graphic Violence" in text and "75.0" in text
    assert "Violence \u203a Graphic Violence" in text  # the taxonomy path
    assert f"{labelled_job.input_bucket}/images/violence.png" in text


def test_label_filter_and_minimum_confidence_change_what_is_visible(
    open_report, pages: dict[str, Path]
):
    opened = open_report(pages["flagged"])
    page = opened.page

    page.select_option("#filter-label", "Explicit Nudity")
    assert opened.visible_cards() == 1
    assert page.locator("#grid .card:visible").inner_text().count("explicit.jpg") == 1

    # a parent label shows the images labelled below it (Graphic Violence, Weapons)
    page.select_option("#filter-label", "Violence")
    assert opened.visible_cards() == 2

    page.select_option("#filter-label", "")
    page.locator("#filter-min").fill("90")
    assert opened.visible_cards() == 2  # Explicit Nudity 91, the <script> label 95
    assert page.locator("#shown-count").inner_text() == f"2 of {FLAGGED}"
    assert opened.errors == []


def test_clicking_a_thumbnail_unblurs_it(open_report, pages: dict[str, Path]):
    opened = open_report(pages["flagged"])
    image = opened.page.locator(".card", has_text="images/violence.png").locator("img")

    blurred = re.compile(r"^blur\(18px\)")
    expect(image).to_have_css("filter", blurred)
    image.click()
    expect(image).to_have_css("filter", "none")  # after the short transition
    image.click()
    expect(image).to_have_css("filter", blurred)
    assert opened.errors == []


def test_html_in_keys_and_labels_is_text_and_never_runs(open_report, pages: dict[str, Path]):
    opened = open_report(pages["flagged"])
    page = opened.page

    assert page.evaluate("typeof window.__pwnedByKey") == "undefined"
    assert page.evaluate("typeof window.__pwnedByLabel") == "undefined"
    assert page.locator("script").count() == 1  # the report's own
    card = page.locator(".card", has_text=SCRIPT_KEY)
    assert card.count() == 1
    assert SCRIPT_LABEL in card.inner_text()
    assert SCRIPT_LABEL in page.locator("#labels").inner_text()
    assert page.locator("#filter-label option", has_text=SCRIPT_LABEL).count() == 1
    page.select_option("#filter-label", SCRIPT_LABEL)  # a label with markup filters too
    assert opened.visible_cards() == 1
    assert opened.errors == []


def test_include_clean_shows_clean_images_behind_a_checkbox(open_report, pages: dict[str, Path]):
    opened = open_report(pages["all"])
    page = opened.page

    assert page.locator("#grid .card").count() == FLAGGED + 1
    assert opened.visible_cards() == FLAGGED + 1
    assert page.locator(".card.clean", has_text="images/clean.png").is_visible()
    page.uncheck("#filter-clean")
    assert opened.visible_cards() == FLAGGED
    page.select_option("#sort", "confidence")
    first = page.locator("#grid .card").first.inner_text()
    assert SCRIPT_LABEL in first  # 95, the most confident
    assert opened.errors == []
