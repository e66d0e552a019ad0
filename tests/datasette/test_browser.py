"""Browser tests: Playwright driving Debian's Chromium against `convenio serve`.

Each step saves a screenshot under test-artifacts/datasette/. Every request the
pages make is recorded: nothing may leave the local server (no CDN).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
A, B, C = ("a" * 64, "b" * 64, "c" * 64)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.requested = requested  # type: ignore[attr-defined]
    yield page
    outside = [url for url in requested if not url.startswith(server) and not url.startswith("data:")]
    context.close()
    assert not outside, f"requests left the local server: {outside}"


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def test_search_in_spanish_with_an_inflected_word(page: Any, artifacts: Path) -> None:
    page.goto("/convenio/commitments")
    page.fill("#_search", "comprometen")
    page.press("#_search", "Enter")
    page.wait_for_url(re.compile(r"_search=comprometen"))
    body = page.inner_text("table.rows-and-columns")
    assert "se compromete a aportar" in body  # a different inflection of the query word
    assert "se comprometen a intercambiar" in body
    assert "procurarán" not in body
    shot(page, artifacts, "01-search-comprometen")


def test_home_page_and_search_all(page: Any, artifacts: Path) -> None:
    page.goto("/")
    assert page.locator(".home-links a[href='/convenio/paper_only']").is_visible()
    assert page.locator("text=_memory").count() == 0
    shot(page, artifacts, "00-home")
    page.goto("/-/search?q=intercambios")
    page.wait_for_selector("#search-all-results[data-done=true]")
    sections = page.locator("#search-all-results .search-hits")
    # Commitments first, then pages.
    assert [sections.nth(i).get_attribute("data-table") for i in range(sections.count())] == ["commitments", "pages"]
    results = page.inner_text("#search-all-results")
    commitment = page.locator(".search-hits[data-table=commitments] a.evidence-link").first
    assert commitment.get_attribute("href").startswith("/-/evidence/commitment/")
    assert "se comprometen a intercambiar" in results and "intercambio cultural" in results
    # The inflections found are highlighted: "intercambios" found "intercambiar" and "intercambio".
    marked = {m.lower() for m in page.locator(".search-hits mark").all_inner_texts()}
    assert {"intercambiar", "intercambio"} <= marked, marked
    shot(page, artifacts, "01b-search-all-intercambios")


def test_facet(page: Any, artifacts: Path) -> None:
    page.goto("/convenio/parties")
    facet = page.locator(".facet-info[data-column=level]")
    facet.locator("a", has_text="state").first.click()
    page.wait_for_url(re.compile(r"level=state"))
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 2
    assert "State of Nuevo Leon" in page.inner_text("table.rows-and-columns")
    shot(page, artifacts, "02-facet-level-state")


def test_facet_agreements_by_level_then_paper_only(page: Any, artifacts: Path) -> None:
    page.goto("/convenio/documents")
    page.locator(".facet-info[data-column=levels] a", has_text="municipal").first.click()
    page.wait_for_url(re.compile(r"levels__arraycontains=municipal"))
    assert page.locator("table.rows-and-columns tbody tr").count() == 2
    page.locator(".facet-info[data-column=paper_only] a", has_text="1").first.click()
    page.wait_for_url(re.compile(r"paper_only=1"))
    titles = page.locator("table.rows-and-columns tbody td.col-title").all_inner_texts()
    assert titles == ["Convenio de colaboración Tijuana – San Diego"]
    shot(page, artifacts, "02b-facet-municipal-paper-only")


def test_open_agreement_page_from_paper_only_view(page: Any, artifacts: Path) -> None:
    page.goto("/")
    page.click(".home-links a[href='/convenio/paper_only']")
    page.click("text=Convenio de colaboración Tijuana – San Diego")
    page.wait_for_url(re.compile(rf"/-/agreement/{C}"))
    assert page.inner_text("#agreement-title") == "Convenio de colaboración Tijuana – San Diego"
    assert "Paper-only" in page.inner_text(".verdict")
    assert page.locator("table.side-by-side .commitment").count() == 2
    shot(page, artifacts, "03-agreement-page")


def test_bilingual_agreement_side_by_side(page: Any, artifacts: Path) -> None:
    page.goto(f"/-/agreement/{A}")
    first_row = page.locator("table.side-by-side tr").nth(1)
    assert "se comprometen a intercambiar" in first_row.locator("td[lang=es]").inner_text()
    assert "commit to exchange 20 university students" in first_row.locator("td[lang=en]").inner_text()
    shot(page, artifacts, "04-agreement-bilingual")


def red_box_rows(png: bytes) -> list[int]:
    """Rows of a screenshot holding the red outline drawn around the evidence."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    return [y for y in range(image.height) if sum(
        1 for x in range(0, image.width, 2) if (lambda p: p[0] > 190 and p[1] < 80 and p[2] < 80)(image.getpixel((x, y)))
    ) > 20]


def follow_first_commitment(page: Any, doc_id: str, lands_on: str) -> Any:
    """From an agreement page, follow its first commitment's evidence link to a page whose
    address matches ``lands_on``; the highlighted span there."""
    page.goto(f"/-/agreement/{doc_id}")
    page.locator("#c-0 a.evidence-link", has_text="evidence").first.click()
    page.wait_for_url(re.compile(lands_on))
    return page.locator("mark#evidence")


def test_follow_commitment_to_highlighted_evidence(page: Any, artifacts: Path) -> None:
    mark = follow_first_commitment(page, A, rf"/-/evidence/commitment/{A}:c0")
    assert mark.inner_text() == "Las partes se comprometen a intercambiar cada año 20 estudiantes de nivel universitario."
    assert mark.is_visible()
    # The span is scrolled into the page-text pane, not hidden below its fold.
    pane, box = page.locator(".page-text").bounding_box(), mark.bounding_box()
    assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"]
    shot(page, artifacts, "05-evidence-text-page")
    page.click("a.related-evidence")
    page.wait_for_url(re.compile(rf"/-/evidence/commitment/{A}:c3"))
    assert page.inner_text("mark#evidence") == "The parties commit to exchange 20 university students every year."
    shot(page, artifacts, "05b-evidence-other-language")


def test_follow_scanned_commitment_to_its_box(page: Any, artifacts: Path) -> None:
    mark = follow_first_commitment(page, B, r"/-/evidence/commitment/")
    assert mark.inner_text() == "The parties shall exchange up to 10 students each year."
    assert mark.is_visible()
    image = page.locator("#evidence-image")
    image.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('#evidence-image').complete"
                           " && document.querySelector('#evidence-image').naturalWidth > 0")
    # The box is drawn on the scan as the reader sees it: around the third of five lines.
    rows = red_box_rows(image.screenshot())
    height = image.bounding_box()["height"]
    assert rows and 0.3 < min(rows) / height and max(rows) / height < 0.55, (rows[:3], rows[-3:], height)
    shot(page, artifacts, "05-evidence-scanned-page")


CHARTS = ("per-year", "paper-share-country", "paper-share-level", "paper-share-theme", "top-themes", "top-partners")


def test_dashboard_renders(page: Any, artifacts: Path) -> None:
    page.goto("/-/dashboards/convenio")
    # vega-embed draws each chart as an SVG inside its card: wait for the bars, not the containers.
    page.wait_for_function(
        "sel => sel.every(s => document.querySelectorAll(`#chart-${s} svg .mark-rect.role-mark path`).length > 0)",
        arg=list(CHARTS), timeout=20000)
    bars = {slug: page.locator(f"#chart-{slug} svg .mark-rect.role-mark path").count() for slug in CHARTS}
    # One bar per year with agreements of each verdict (2019-2022, one agreement each), per country
    # (MX, US), per level (municipal, state, other), per theme, and per partner.
    assert bars["per-year"] == 4 and bars["paper-share-country"] == 2 and bars["paper-share-level"] == 3, bars
    assert bars["top-partners"] == 8, bars
    # Drawn with a size: not an empty box.
    for slug in CHARTS:
        box = page.locator(f"#chart-{slug} svg.marks").bounding_box()
        assert box["width"] > 200 and box["height"] > 50, (slug, box)
    figures = {slug: page.inner_text(f"#card-{slug}") for slug in ("agreements", "paper-only", "commitments")}
    assert "4" in figures["agreements"] and "50 %" in figures["paper-only"] and "9" in figures["commitments"], figures
    labels = page.locator("#chart-paper-share-country svg .mark-text.role-mark text").all_text_contents()
    assert sorted(labels) == ["n=4", "n=4"], labels
    shot(page, artifacts, "06-dashboard")


def test_anonymous_visitor_cannot_flag(page: Any, artifacts: Path) -> None:
    page.goto(f"/-/agreement/{C}")
    assert page.locator("form.flag-form").count() == 0
    assert page.locator("text=Log in as an auditor").is_visible()
    status = page.evaluate(
        """async (id) => {
            const token = (document.cookie.match(/ds_csrftoken=([^;]+)/) || [])[1] || '';
            const body = new URLSearchParams({verdict: 'dispute', note: 'anonymous', csrftoken: token});
            const r = await fetch('/-/flag/' + id, {method: 'POST', body, redirect: 'manual'});
            return r.status;
        }""",
        C,
    )
    assert status == 403
    shot(page, artifacts, "07-anonymous-no-flag")


def test_auditor_logs_in_and_flags(page: Any, artifacts: Path) -> None:
    from sample_agreements import AUDITOR_PASSWORD

    page.goto("/-/login")
    page.fill("input[name=username]", "auditor")
    page.fill("input[name=password]", AUDITOR_PASSWORD)
    shot(page, artifacts, "08-login")
    page.click("input[type=submit], button[type=submit]")
    page.goto(f"/-/agreement/{C}")
    form = page.locator("form.flag-form")
    assert form.is_visible()
    form.locator("input[value=dispute]").check()
    form.locator("textarea[name=note]").fill("La cláusula SEGUNDA deja margen de seguimiento.")
    form.locator("[type=submit]").click()
    page.wait_for_url(re.compile(rf"/-/agreement/{C}"))
    flags = page.inner_text("table.flags")
    assert "dispute" in flags and "auditor" in flags and "La cláusula SEGUNDA" in flags
    shot(page, artifacts, "09-flagged")
    page.goto("/convenio/flags?verdict=dispute&user=")
    assert "La cláusula SEGUNDA" in page.inner_text("table.rows-and-columns")
    shot(page, artifacts, "10-flags-query")
    # Logged out, the flag is still there to read, and the form is gone.
    page.context.clear_cookies()
    page.goto(f"/-/agreement/{C}")
    assert "La cláusula SEGUNDA" in page.inner_text("table.flags")
    assert "1 disputed" in page.inner_text(".flag-summary")
    assert page.locator("form.flag-form").count() == 0
    shot(page, artifacts, "11-flag-seen-anonymously")
