"""End to end: Debian's Chromium, headless, opens the generated catalogue from file:// and uses it as a reader would.

These tests name pembrolizumab and melanoma (MONDO:0005105); every expectation about them is read from
the data, so curators' additions do not break them. They skip only when /usr/bin/chromium is absent
(.ci/run installs it from Debian's packages).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser import CHROMIUM, launch

import immunoref
from immunoref.site import build_site
from immunoref.site.words import class_title

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")

DESIGN_CLASSES = ("checkpoint_inhibitor", "monoclonal_antibody", "vaccine", "car_t", "cytokine", "oncolytic_virus")
MELANOMA = "MONDO:0005105"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("site") / "out").out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


class Visit:
    """A browser tab that records every request and every script error."""

    def __init__(self, browser: Browser, site: Path, width: int = 1280, height: int = 900) -> None:
        self.site = site
        self.page: Page = browser.new_page(viewport={"width": width, "height": height})
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))

    def open(self, path: str) -> Page:
        path, _, fragment = path.partition("#")
        self.page.goto((self.site / path).as_uri() + (f"#{fragment}" if fragment else ""))
        self.page.wait_for_load_state("load")
        return self.page

    def visible_ids(self, table: str) -> list[str]:
        return self.page.eval_on_selector_all(
            f"{table} tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.dataset.id)"
        )


@pytest.fixture
def visit(browser: Browser, site: Path) -> Iterator[Visit]:
    tab = Visit(browser, site)
    yield tab
    tab.page.close()
    assert tab.errors == []
    assert tab.failed == []


def test_home_lists_every_class(visit: Visit) -> None:
    page = visit.open("index.html")
    headings = page.locator(".class-card h3").all_inner_texts()
    for therapy_class in DESIGN_CLASSES:
        assert any(h.startswith(class_title(therapy_class)) for h in headings), therapy_class
    classes = set(immunoref.load("agents")["therapy_class"].astype(str))
    for therapy_class in classes:
        card = page.locator(f'.class-card[data-class="{therapy_class}"]')
        assert card.is_visible()
        expected = set(immunoref.load("agents", therapy_class=therapy_class)["name"])
        assert set(card.locator(".agent-list a").all_inner_texts()) == expected
    assert page.locator("svg.timeline rect").count() > 0


def test_search_narrows_the_table_to_pembrolizumab(visit: Visit) -> None:
    page = visit.open("agents/index.html")
    total = len(immunoref.load("agents"))
    assert len(visit.visible_ids("#agents-table")) == total
    page.get_by_label("Search names, brand names and synonyms").fill("pembro")
    assert visit.visible_ids("#agents-table") == ["pembrolizumab"]
    assert page.locator("#agents-count").inner_text() == f"1 of {total} agents"
    page.get_by_label("Search names, brand names and synonyms").fill("KEYTRUDA")
    assert visit.visible_ids("#agents-table") == ["pembrolizumab"]
    page.get_by_label("Search names, brand names and synonyms").fill("mk3475")  # synonym MK-3475, typed loosely
    assert visit.visible_ids("#agents-table") == ["pembrolizumab"]
    page.get_by_label("Search names, brand names and synonyms").fill("")
    assert len(visit.visible_ids("#agents-table")) == total


def test_filters_by_class_target_disease_and_agency(visit: Visit) -> None:
    from playwright.sync_api import expect

    page = visit.open("agents/index.html")
    page.get_by_label("Class").select_option("checkpoint_inhibitor")
    expected = set(immunoref.load("agents", therapy_class="checkpoint_inhibitor")["agent_id"])
    assert set(visit.visible_ids("#agents-table")) == expected
    assert "class=checkpoint_inhibitor" in page.url  # the filter is in the address, to share or bookmark
    page.get_by_label("Class").select_option("")
    page.get_by_label("Target").select_option("PDCD1")
    assert set(visit.visible_ids("#agents-table")) == set(immunoref.load("targets", symbol="PDCD1")["agent_id"])
    page.get_by_label("Target").select_option("")
    page.get_by_label("Disease").select_option("mondo-0005105")
    assert set(visit.visible_ids("#agents-table")) == set(
        immunoref.load("indications", disease_id=MELANOMA)["agent_id"]
    )
    page.get_by_label("Agency").select_option("FDA")
    fda = immunoref.load("indications", disease_id=MELANOMA, agency="FDA")
    assert set(visit.visible_ids("#agents-table")) == set(fda["agent_id"])
    page.get_by_role("button", name="Clear filters").click()
    total = len(immunoref.load("agents"))
    # A form's reset event fires before its controls are cleared, so the page filters again on the next
    # turn of the event loop; wait for the count it writes then, instead of racing it.
    expect(page.locator("#agents-count")).to_have_text(f"{total} agents")
    assert len(visit.visible_ids("#agents-table")) == total
    assert "#" not in page.url


def test_a_filtered_address_opens_filtered(visit: Visit) -> None:
    visit.open("agents/index.html#class=car_t")
    assert set(visit.visible_ids("#agents-table")) == set(immunoref.load("agents", therapy_class="car_t")["agent_id"])
    assert visit.page.get_by_label("Class").input_value() == "car_t"


def test_sorting_by_a_column(visit: Visit) -> None:
    page = visit.open("agents/index.html")
    names = sorted(immunoref.load("agents")["name"], key=str.lower)
    header = page.locator("#agents-table thead th", has_text="Agent")
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert page.locator("#agents-table tbody th a").all_inner_texts() == names
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert page.locator("#agents-table tbody th a").all_inner_texts() == names[::-1]
    approvals = page.locator("#agents-table thead th", has_text="Approvals")
    approvals.get_by_role("button").click()
    counts = [int(text) for text in page.locator("#agents-table tbody td.num").all_inner_texts()]
    assert counts == sorted(counts)


def _boxed_count(agent_id: str) -> int:
    toxicities = immunoref.load("toxicities", agent_id=agent_id)
    return int(toxicities["boxed_warning"].sum())


def test_pembrolizumab_page_lists_its_indications_with_dates(visit: Visit) -> None:
    page = visit.open("agents/pembrolizumab.html")
    assert page.locator("h1").inner_text().startswith("pembrolizumab")
    indications = immunoref.load("indications", agent_id="pembrolizumab")
    rows = page.locator("table.indications tbody tr")
    assert rows.count() == len(indications)
    shown = rows.locator("td.date").all_inner_texts()
    dated = sorted(d.isoformat() for d in indications["approval_date"].dropna())
    assert sorted(text for text in shown if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)) == dated
    assert shown.count("date unknown") == indications["approval_date"].isna().sum()
    assert rows.filter(has_text="melanoma").count() >= 1
    assert page.locator("a[href*='genenames.org'][href$='HGNC:8760']").count() == 1
    assert page.locator("table.toxicities tr[data-boxed='true']").count() == _boxed_count("pembrolizumab")
    # every source a row cites is listed, and its number links to it
    for href in set(page.locator(".refs a").evaluate_all("links => links.map(a => a.getAttribute('href'))")):
        assert page.locator(href).count() == 1, href


def test_boxed_warning_rows_are_marked_and_set_apart(visit: Visit) -> None:
    toxicities = immunoref.load("toxicities")
    agent_id = sorted(set(toxicities[toxicities["boxed_warning"]]["agent_id"]))[0]
    page = visit.open(f"agents/{agent_id}.html")
    marked = page.locator("tr[data-boxed='true']")
    assert marked.count() == _boxed_count(agent_id)
    assert page.locator("#boxed-warning tr[data-boxed='true']").count() == marked.count()  # all inside the box
    assert page.locator("#boxed-warning tr[data-boxed='false']").count() == 0
    assert marked.first.locator(".boxed-flag").inner_text().lower() == "boxed warning"
    border = page.locator("#boxed-warning").evaluate("e => parseFloat(getComputedStyle(e).borderTopWidth)")
    assert border >= 2
    assert page.get_by_role("heading", name="Boxed warning").count() >= 1


def test_melanoma_page_lists_the_agents_approved_for_it(visit: Visit) -> None:
    page = visit.open("diseases/mondo-0005105.html")
    assert page.locator("h1").inner_text().lower() == "melanoma"
    indications = immunoref.load("indications", disease_id=MELANOMA)
    active = indications[indications["status"] == "active"]
    assert "pembrolizumab" in set(active["agent_id"])
    ids = visit.visible_ids("#approved-agents")
    assert set(ids) == set(indications["agent_id"])
    rows = page.locator("#approved-agents tbody tr")
    for agent_id in set(active["agent_id"]):
        dates = active[active["agent_id"] == agent_id]["approval_date"].dropna()
        since = min(dates).isoformat() if len(dates) else "date unknown"  # "and since when"
        row = rows.filter(has=page.locator(f'a[href="../agents/{agent_id}.html"]'))
        assert row.locator("td.date").inner_text().startswith(since)
        assert "approved" in row.inner_text()


def test_no_page_requests_anything_from_the_network(visit: Visit, site: Path) -> None:
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    for path in pages:
        visit.open(path)
    assert visit.requests
    outside = [url for url in visit.requests if not url.startswith(("file://", "data:"))]
    assert outside == []
    assert any(url.endswith("/static/style.css") for url in visit.requests)


@pytest.mark.parametrize("path", ["index.html", "agents/index.html", "agents/pembrolizumab.html"])
def test_phone_width_has_no_horizontal_overflow(browser: Browser, site: Path, path: str) -> None:
    tab = Visit(browser, site, width=375, height=812)
    page = tab.open(path)
    widths: dict[str, Any] = page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
        " tables: [...document.querySelectorAll('.table-scroll')].map(e => e.getBoundingClientRect().right)})"
    )
    tab.page.close()
    assert widths["page"] <= 375 and widths["body"] <= 375, widths
    assert all(right <= 375 for right in widths["tables"]), widths
    assert tab.errors == []
