"""The bilingual pages in a real browser: Debian's headless Chromium, driven by Playwright.

Each page is loaded from the file system at a desktop (1280 px) and a phone (375 px) width; the
tests check what a reader sees (the Arabic column runs right to left, every sentence sits level
with its translation, nothing scrolls sideways, nothing is fetched from the network, nothing
logs an error) and leave screenshots in ``test-artifacts/browser/`` to look at.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from translate.export import export
from translate.workspace import Workspace

from .conftest import CHROMIUM_FLAGS, ROOT, playwright_and_chromium
from .test_export import bilingual, hostile

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "test-artifacts" / "browser"
FLAGS = CHROMIUM_FLAGS
WIDTHS = (1280, 375)
PAGES = {  # screenshot name -> page file
    "thiqa": "thiqa-regime-reinforcements-kobani.html",
    "baladi": "baladi-sdf-regime-heavy-weapons.html",
    "hostile": "مقال-تجريبي.html",
    "index": "index.html",
}

# Where each sentence's two cells are, how they are laid out, and in which direction.
ROWS_JS = """() => [...document.querySelectorAll("main .pair")].map((row) => {
  const cell = (sel) => {
    const el = row.querySelector(sel), box = el.getBoundingClientRect(), css = getComputedStyle(el);
    return {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
            direction: css.direction, display: css.display, align: css.textAlign};
  };
  return {id: row.id, ar: cell(":scope > .ar"), en: cell(":scope > .en")};
})"""


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The html/ folder of an edition: the bundled articles, the hostile one, and scores."""
    docs = [*bilingual(), hostile()]
    report = {
        "corpus": {
            "chrf": {"score": 58.1, "signature": "nrefs:1|case:mixed|eff:yes|nc:6|nw:2"},
            "bleu": {"score": 31.4, "signature": "nrefs:1|case:mixed|eff:no|tok:13a"},
        },
        "coverage": {"segments": 25, "with_reference": 20},
        "documents": {
            d.id: {"segments": 10, "with_reference": 10, "chrf": {"score": 58.1}} for d in docs[:2]
        },
    }
    ws = Workspace(tmp_path_factory.mktemp("edition"))
    export(docs, ws, ["html"], report)
    return ws.html_dir


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Chromium browser context with a fresh profile folder."""
    sync_api, executable = playwright_and_chromium()
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=executable,
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


class Visit:
    """A page opened in the browser, and everything it did that it should not have."""

    def __init__(self, browser: Any, url: str, width: int) -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page()
        self.page.set_viewport_size({"width": width, "height": 900})
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda request: self.requests.append(request.url))
        response = self.page.goto(url)
        assert response is None or response.ok, url

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"a script opened a dialog: {dialog.message}")
        dialog.dismiss()

    def overflow(self) -> int:
        """How many pixels the page is wider than the window (0: no sideways scrolling)."""
        width: int = self.page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        return width

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    opened: list[Visit] = []

    def open_page(url: str, width: int = 1280) -> Visit:
        opened.append(Visit(browser, url, width))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_reads_well(edition: Path, visit: Any, name: str, width: int) -> None:
    page = visit((edition / PAGES[name]).as_uri(), width)
    shot = page.screenshot(f"{name}-{width}")
    assert shot.stat().st_size > 10_000
    assert page.overflow() <= 0, f"{name} scrolls sideways at {width}px"
    assert page.problems == []
    assert all(url.startswith("file://") for url in page.requests), page.requests
    if name == "index":
        return
    rows = page.page.evaluate(ROWS_JS)
    assert len(rows) > 2
    for row in rows:
        ar, en = row["ar"], row["en"]
        assert ar["direction"] == "rtl" and en["direction"] == "ltr", row["id"]
        if width >= 1000:  # side by side: English on the left, level with its Arabic
            assert abs(ar["top"] - en["top"]) <= 3, row["id"]
            assert en["right"] <= ar["left"], row["id"]
        else:  # stacked: the Arabic, then its English
            assert ar["bottom"] <= en["top"] + 1, row["id"]
    title = page.page.evaluate(
        "() => getComputedStyle(document.querySelector('h1.title .ar')).direction"
    )
    assert title == "rtl"


def test_hostile_page_runs_no_planted_script(edition: Path, visit: Any) -> None:
    page = visit((edition / PAGES["hostile"]).as_uri())
    assert page.page.evaluate("() => document.scripts.length") == 1
    text = page.page.inner_text("main")
    assert '<script>alert("x")</script>' in text and "🙂" in text
    assert page.problems == []


def test_pointing_at_a_term_lights_its_pair(edition: Path, visit: Any) -> None:
    page = visit((edition / PAGES["thiqa"]).as_uri())
    row = page.page.locator("main .pair").first
    arabic = row.locator(".ar mark").first
    key = arabic.get_attribute("data-term")
    english = row.locator(f'.en mark[data-term~="{key}"]').first
    assert "on" not in (english.get_attribute("class") or "")
    arabic.hover()
    assert "on" in (english.get_attribute("class") or "")
    assert "on" in (arabic.get_attribute("class") or "")
    page.page.mouse.move(0, 0)
    assert "on" not in (english.get_attribute("class") or "")


def _displays(page: Any, selector: str) -> set[str]:
    found: list[str] = page.page.evaluate(
        "(sel) => [...document.querySelectorAll(sel)].map((e) => getComputedStyle(e).display)",
        selector,
    )
    return set(found)


def test_language_toggle(edition: Path, visit: Any) -> None:
    page = visit((edition / PAGES["baladi"]).as_uri())  # the article whose first sentence has notes
    page.page.click("label:has(#show-ar)")
    assert _displays(page, "main .en") == {"none"} and "none" not in _displays(page, "main .ar")
    page.screenshot("thiqa-arabic-only")
    page.page.click("label:has(#show-en)")
    assert _displays(page, "main .ar") == {"none"} and "none" not in _displays(page, "main .en")
    page.page.click("label:has(#show-both)")
    assert "none" not in _displays(page, "main .ar") | _displays(page, "main .en")
    page.page.click("label:has(#show-notes)")
    assert _displays(page, "main .notes") == {"none"}
    assert page.overflow() <= 0 and page.problems == []


def test_print_is_a_clean_two_column_page(edition: Path, visit: Any) -> None:
    page = visit((edition / PAGES["baladi"]).as_uri(), 794)  # A4 at 96 dpi
    page.page.emulate_media(media="print")
    rows = page.page.evaluate(ROWS_JS)
    for row in rows:
        assert abs(row["ar"]["top"] - row["en"]["top"]) <= 3, row["id"]
        assert row["en"]["right"] <= row["ar"]["left"], row["id"]
    for hidden in (".bar", "main .notes", "main .num"):
        assert _displays(page, hidden) <= {"none"}, hidden
    page.screenshot("baladi-print")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.pdf(path=str(ARTIFACTS / "baladi-print.pdf"), format="A4")
    assert (ARTIFACTS / "baladi-print.pdf").stat().st_size > 10_000


@pytest.fixture
def static_server(edition: Path) -> Iterator[str]:
    """The edition served over HTTP on the loopback interface, as any static server would."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=edition))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_edition_links_work_from_a_static_server(static_server: str, visit: Any) -> None:
    page = visit(static_server + "index.html")
    links = page.page.eval_on_selector_all("main h2 a", "(as) => as.map((a) => a.href)")
    assert len(links) == 3
    for link in links:
        response = page.page.goto(link)
        assert response is not None and response.ok, link
        assert page.page.locator("main .pair").count() > 2
        page.page.click("a.back")
        assert page.page.url == static_server + "index.html"
    assert page.problems == []
    assert all(url.startswith(static_server) for url in page.requests), page.requests


def test_report_and_edition_link_to_each_other(tmp_path: Path, visit: Any) -> None:
    from translate.evaluate import evaluate, load_references
    from translate.pipeline import write_report

    from .conftest import REFERENCES

    docs = bilingual()
    for doc in docs:  # a wrong translation, so that the report has a lowest-scoring sentence
        seg = next(s for s in doc.segments() if s.target)
        seg.target = "Something else entirely."
    report = evaluate(docs, load_references([REFERENCES]))
    ws = Workspace(tmp_path / "build")
    export(docs, ws, ["html"], report)
    write_report(ws, report)
    page = visit((ws.root / "report.html").as_uri())
    worst = page.page.locator("#h-worst ~ table a").first
    target = worst.inner_text()
    worst.click()
    assert page.page.url.startswith((ws.html_dir).as_uri())
    # The sentence is the page's :target, the row an editor lands on.
    assert page.page.evaluate("() => document.querySelector(':target').id") == target
    page.page.go_back()
    page.page.click("text=The bilingual edition")
    assert page.page.url == (ws.html_dir / "index.html").as_uri()
    page.page.click("text=Quality report")
    assert page.page.url == (ws.root / "report.html").as_uri()
    assert page.problems == []
    assert all(url.startswith("file://") for url in page.requests), page.requests
