"""The review app in a real browser: Debian's Chromium driven by Playwright, against a real
``tarjama review`` on a free loopback port.

An editor corrects a sentence with the keyboard alone (Ctrl+Enter), reloads, and finds it; the
document JSON, the memory and the static page changed too. A second tab saving a stale
revision sees both versions and keeps its text. A hostile article renders as text. No page
logs an error, and no request leaves the machine. Screenshots go to ``test-artifacts/review/``.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from translate.document import read_document
from translate.memory import TranslationMemory
from translate.workspace import Workspace

from .conftest import CHROMIUM_FLAGS, ROOT, playwright_and_chromium
from .review_support import Server, copy_workspace, corpus_workspace, start_server
from .test_export import hostile

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "test-artifacts" / "review"
DOC = "baladi-sdf-regime-heavy-weapons"
SPUTNIK = f"{DOC}:2:1"
HOSTILE_DOC = "مقال-تجريبي"
RLO = "\u202e"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Path:
    return corpus_workspace(tmp_path_factory, tiny_model)


@pytest.fixture
def app(corpus: Path, tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    root = copy_workspace(corpus, tmp_path / "ws")
    doc = hostile()
    doc.paragraphs[0][0].target = f"{doc.paragraphs[0][0].target} {RLO}reversed?"
    Workspace(root).save(doc)
    server = start_server(root, "--reviewer", "editor")
    try:
        yield server, root
    finally:
        server.stop(signal.SIGKILL)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    sync_api, executable = playwright_and_chromium()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()


class Tab:
    """A page of the app, and everything it did that it should not have."""

    def __init__(self, context: Any, server: Server) -> None:
        self.server = server
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"a dialog opened: {dialog.message}")
        dialog.dismiss()

    def open(self, path: str) -> Tab:
        response = self.page.goto(f"http://127.0.0.1:{self.server.port}{path}")
        assert response is not None and response.ok, path
        return self

    def segment(self, seg_id: str) -> Any:
        return self.page.locator(f'article.seg[data-id="{seg_id}"]')

    def saved(self, seg_id: str) -> None:
        self.segment(seg_id).locator('.status[data-kind="ok"]').wait_for(timeout=15_000)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def stayed_home(self) -> bool:
        base = f"http://127.0.0.1:{self.server.port}/"
        return all(url.startswith(base) for url in self.requests)


@pytest.fixture
def context(browser: Any, app: tuple[Server, Path]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    server, _ = app
    # Signed in as a person is: by opening the printed address.
    page = context.new_page()
    page.goto(server.url)
    assert page.url == f"http://127.0.0.1:{server.port}/"
    page.close()
    try:
        yield context
    finally:
        context.close()


def test_an_edit_saved_with_ctrl_enter_is_there_after_a_reload(
    context: Any, app: tuple[Server, Path]
) -> None:
    server, root = app
    tab = Tab(context, server).open("/")
    tab.shot("index")
    tab.page.click(f'a[href="/doc/{DOC}"]')
    tab.page.wait_for_url(f"**/doc/{DOC}")
    correction = "He made the remarks to the Russian news agency Sputnik."
    box = tab.segment(SPUTNIK).locator("textarea")
    box.click()
    box.fill(correction)
    box.press("Control+Enter")
    tab.saved(SPUTNIK)
    # Saving moved the cursor on to the next sentence's English.
    active = tab.page.evaluate("document.activeElement.closest('article.seg').dataset.id")
    assert active == f"{DOC}:3:1"
    tab.shot("after-save")
    tab.page.reload()
    seg = tab.segment(SPUTNIK)
    assert seg.locator("textarea").input_value() == correction
    assert seg.get_attribute("data-state") == "reviewed"
    assert "human edit by editor" in seg.inner_text()
    # The document JSON, the memory and the static page changed with it.
    doc = read_document(root / "documents" / f"{DOC}.json")
    saved = next(s for s in doc.segments() if s.id == SPUTNIK)
    assert (saved.target, saved.state) == (correction, "reviewed")
    with TranslationMemory(root / "memory.sqlite") as memory:
        assert memory.edits([saved.normalized])[saved.normalized] == (correction, "reviewed")
        [row] = memory.edit_log(segment=SPUTNIK)
        assert row.reviewer == "editor" and row.seconds > 0
    assert "Russian news agency" in seg.locator(".reference").inner_text()  # the reference
    # The page and exports follow in the background, within moments.
    static = root / "html" / f"{DOC}.html"
    deadline = time.monotonic() + 20
    while "Russian news agency" not in static.read_text("utf-8") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (
        "Russian news agency Sputnik"
        in lxml.html.fromstring(static.read_text("utf-8")).text_content()
    )
    assert correction in (root / "exports" / f"{DOC}.xlf").read_text(encoding="utf-8")
    assert tab.problems == [] and tab.stayed_home(), (tab.problems, tab.requests)


def test_keyboard_alone_approves_finalizes_sends_back_and_reverts(
    context: Any, app: tuple[Server, Path]
) -> None:
    server, root = app
    tab = Tab(context, server).open(f"/doc/{DOC}")
    page = tab.page
    ids = page.eval_on_selector_all("article.seg", "els => els.map(e => e.dataset.id)")
    page.keyboard.press("j")  # to the first sentence
    assert page.evaluate("document.activeElement.dataset.id") == ids[0]
    page.keyboard.press("a")  # approve as is
    tab.saved(ids[0])
    assert tab.segment(ids[0]).get_attribute("data-state") == "reviewed"
    assert page.evaluate("document.activeElement.dataset.id") == ids[1]
    page.keyboard.press("f")  # final
    tab.saved(ids[1])
    assert tab.segment(ids[1]).get_attribute("data-state") == "final"
    page.keyboard.press("b")  # send back, with a comment
    page.keyboard.type("Names are transliterated wrongly")
    page.keyboard.press("Enter")
    tab.saved(ids[2])
    assert tab.segment(ids[2]).get_attribute("data-state") == "initial"
    assert "Names are transliterated wrongly" in tab.segment(ids[2]).inner_text()
    page.keyboard.press("Enter")  # edit it, save it
    page.keyboard.press("Control+a")
    page.keyboard.type("A corrected sentence.")
    page.keyboard.press("Control+Enter")
    tab.saved(ids[2])
    assert tab.segment(ids[2]).get_attribute("data-state") == "reviewed"
    page.keyboard.press("Escape")
    page.keyboard.press("k")  # back up to it, and revert it to the machine output
    assert page.evaluate("document.activeElement.dataset.id") == ids[2]
    page.keyboard.press("r")
    tab.saved(ids[2])
    seg = tab.segment(ids[2])
    assert seg.get_attribute("data-state") == "translated"
    assert seg.locator("textarea").input_value() != "A corrected sentence."
    page.keyboard.press("h")  # history: every version, restorable
    history = seg.locator(".history")
    history.wait_for()
    assert history.locator("li").count() == 4  # sent back, edited, reverted, the machine's
    history.locator("button", has_text="Restore").first.click()
    tab.saved(ids[2])
    assert tab.segment(ids[2]).locator("textarea").input_value() == "A corrected sentence."
    page.keyboard.press("n")  # next unreviewed
    focused = page.evaluate("document.activeElement.dataset.state")
    assert focused not in ("reviewed", "final")
    tab.shot("keyboard")
    actions = [r.action for r in _log(root) if r.segment == ids[2]]
    assert actions == ["send-back", "edit", "revert", "restore"]
    assert tab.problems == [] and tab.stayed_home(), (tab.problems, tab.requests)


def _log(root: Path) -> list[Any]:
    with TranslationMemory(root / "memory.sqlite") as memory:
        return memory.edit_log()


def test_a_stale_save_from_a_second_tab_shows_both_versions_and_loses_nothing(
    context: Any, app: tuple[Server, Path]
) -> None:
    server, root = app
    first = Tab(context, server).open(f"/doc/{DOC}")
    second = Tab(context, server).open(f"/doc/{DOC}")
    mine, theirs = "Second tab's English.", "First tab's English."
    box = first.segment(SPUTNIK).locator("textarea")
    box.fill(theirs)
    box.press("Control+Enter")
    first.saved(SPUTNIK)
    stale = second.segment(SPUTNIK)
    stale.locator("textarea").fill(mine)
    stale.locator("textarea").press("Control+Enter")
    panel = stale.locator(".conflict")
    panel.wait_for(state="visible")
    text = panel.inner_text()
    assert theirs in text and mine in text and "Nothing of yours was saved" in text
    assert stale.locator("textarea").input_value() == mine  # kept
    second.shot("conflict")
    doc = read_document(root / "documents" / f"{DOC}.json")
    assert next(s for s in doc.segments() if s.id == SPUTNIK).target == theirs
    # The reviewer decides: keep mine, saved over theirs on purpose.
    panel.locator("button", has_text="Keep mine").click()
    second.saved(SPUTNIK)
    doc = read_document(root / "documents" / f"{DOC}.json")
    assert next(s for s in doc.segments() if s.id == SPUTNIK).target == mine
    assert [r.after for r in _log(root) if r.segment == SPUTNIK] == [theirs, mine]
    assert first.problems == [] and first.stayed_home()
    # The browser reports the 409 answer itself; nothing else may appear.
    assert all("409" in p for p in second.problems), second.problems
    assert second.stayed_home()


def test_a_hostile_article_renders_as_text(context: Any, app: tuple[Server, Path]) -> None:
    server, _ = app
    tab = Tab(context, server).open(f"/doc/{HOSTILE_DOC}")
    page = tab.page
    assert page.evaluate("document.scripts.length") == 1  # ours, from /static
    text = page.inner_text("main")
    assert '<script>alert("x")</script>' in text and "🙂" in text
    assert "RLM" in text  # bidi controls shown as labels, not obeyed
    labels = page.eval_on_selector_all(".ar .ctl", "els => els.map(e => e.title)")
    assert "U+200F RLM" in labels
    box = tab.segment(f"{HOSTILE_DOC}:1:1").locator("textarea")
    assert f"{RLO}reversed?" in box.input_value()  # the English box keeps the text exactly
    # Saving the hostile English back does not run it either.
    box.press("Control+Enter")
    tab.saved(f"{HOSTILE_DOC}:1:1")
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("typeof window.alert") == "function"
    tab.shot("hostile")
    assert tab.problems == [] and tab.stayed_home(), (tab.problems, tab.requests)


def test_the_app_refuses_a_page_without_its_cookie(browser: Any, app: tuple[Server, Path]) -> None:
    server, _ = app
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(f"http://127.0.0.1:{server.port}/doc/{DOC}")
        assert response is not None and response.status == 401
        assert "tarjama review" in page.inner_text("body")
        response = page.goto(server.url)  # the printed address signs in
        assert response is not None and response.ok
        cookies = context.cookies()
        assert [(c["httpOnly"], c["sameSite"]) for c in cookies] == [(True, "Strict")]
        assert json.dumps(cookies).count(server.token) == 0
    finally:
        context.close()
