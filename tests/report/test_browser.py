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

from .conftest import SCRIPT_KEY, SCRIPT_LABEL, LabelledJob, Report, Shards

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


def test_a_batch_page_names_every_shard_and_shows_their_images_as_one(
    open_report, shards: Shards, report: Report, tmp_path: Path
):
    failed, running = shards.failed["JobId"], shards.running["JobId"]
    path = tmp_path / "batch.html"
    done = report(*shards.ids, failed, running, "--html", str(path))
    assert done.returncode == 1  # two of the four jobs are not in it
    opened = open_report(path)
    page = opened.page

    assert opened.requests == [] and opened.errors == []
    assert "batch of 4 jobs" in page.title()
    rows = page.locator("#jobs tbody tr")
    assert rows.count() == 4
    assert rows.nth(0).inner_text().split("\t")[:4] == [shards.ids[0], "", "SUCCEEDED", "3"]
    assert rows.nth(1).inner_text().split("\t")[:4] == [shards.ids[1], "", "SUCCEEDED", "2"]
    assert "FAILED" in rows.nth(2).inner_text() and "not in this report" in rows.nth(2).inner_text()
    assert rows.nth(3).get_attribute("class") == "missing"
    expect(rows.nth(2).locator("td").first).to_have_css("color", "rgb(180, 35, 44)")
    assert page.locator("#count-analysed").inner_text() == "5"
    assert page.locator("#count-flagged").inner_text() == "4"
    # the second shard's invalid manifest line, with its job
    invalid = page.locator(".invalid-lines tbody tr")
    assert invalid.count() == 1
    assert invalid.first.inner_text().split("\t")[:3] == [
        shards.ids[1],
        "3",
        (f"s3://{shards.input_bucket}/images/missing.png"),
    ]
    # every flagged image of both shards, each naming its job, in shard order
    cards = page.locator("#grid .card")
    assert cards.count() == FLAGGED
    assert "images/violence.png" in cards.first.inner_text()
    assert f"of job {shards.ids[0]}" in cards.first.inner_text()
    assert "images/broken.png" in cards.last.inner_text()
    assert f"results line 2 of job {shards.ids[1]}" in cards.last.inner_text()
    page.select_option("#sort", "confidence")
    assert SCRIPT_LABEL in cards.first.inner_text()
    page.select_option("#sort", "line")
    assert "images/violence.png" in cards.first.inner_text()
    page.select_option("#filter-label", "Violence")  # Graphic Violence and Weapons, both shards
    assert opened.visible_cards() == 2
    assert opened.errors == []
