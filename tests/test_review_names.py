"""Names the glossary lacks, in the review app: listed, accepted into ``--glossary-out``.

A real ``tarjama review`` on a free loopback port over the bundled corpus translated by the tiny
random model, its documents annotated with a copy of the bundled glossary less three rows
(منبج، عين عيسى، آرام حنا), as a run with that copy annotates them, so that those three are
candidates. Accepting one appends exactly one row that lints clean, marks the sentences with the
name (and no others; a reviewed one is left and reported), and ``tarjama translate`` then
translates exactly those. A row already there, another English for a name, no
``--glossary-out``, a wrong CSRF token or cookie: refused, nothing written. One test clicks
Accept in Chromium.
"""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from translate.cli import app as cli
from translate.document import read_document
from translate.glossary import annotate, load
from translate.glossary.lint import lint
from translate.workspace import Workspace

from .conftest import CHROMIUM_FLAGS, GLOSSARY, playwright_and_chromium
from .review_support import Client, Server, copy_workspace, corpus_workspace, start_server

pytestmark = pytest.mark.slow

KOBANI = "thiqa-regime-reinforcements-kobani"
MANBIJ = "منبج"
REMOVED = ("منبج", "عين عيسى", "آرام حنا")


def _glossary_less(path: Path) -> Path:
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.split("\t")[0] not in REMOVED]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> tuple[Path, Path]:
    """The corpus workspace, its terms those of the glossary less three rows; and that copy."""
    folder = tmp_path_factory.mktemp("names")
    gloss = _glossary_less(folder / "glossary.tsv")
    root = copy_workspace(corpus_workspace(tmp_path_factory, tiny_model), folder / "ws")
    ws, glossary = Workspace(root), load(gloss)
    for doc in ws.load_all():
        ws.save(annotate(doc, glossary))
    return root, gloss


@pytest.fixture(scope="module")
def shared(base: tuple[Path, Path]) -> Iterator[Server]:
    """A server without --glossary-out: names listed, never accepted."""
    root, gloss = base
    server = start_server(root, "--reviewer", "alice", "-g", str(gloss))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh(base: tuple[Path, Path], tmp_path: Path) -> Iterator[tuple[Server, Path, Path]]:
    """A server of its own over a copy, accepting names into a copy of the glossary."""
    root = copy_workspace(base[0], tmp_path / "ws")
    out = tmp_path / "names.tsv"
    out.write_bytes(base[1].read_bytes())
    server = start_server(root, "--reviewer", "alice", "-g", str(out), "--glossary-out", str(out))
    try:
        yield server, root, out
    finally:
        server.stop(signal.SIGKILL)


def _accept(client: Client, payload: dict[str, Any], **headers: str) -> Any:
    sent = {"Content-Type": "application/json", "X-CSRF-Token": client.csrf}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return client.request("POST", "/api/names/accept", json.dumps(payload).encode(), sent)


def _segments(root: Path) -> dict[str, Any]:
    return {s.id: s for d in Workspace(root).load_all() for s in d.segments()}


def _with_name(root: Path, out: Path) -> set[str]:
    entry = next(e for e in load(out).entries if e.ar == MANBIJ)
    glossary = load(out)
    return {
        sid
        for sid, seg in _segments(root).items()
        if any(t.entry == entry.ar for t in glossary.match(seg.source))
    }


# --- listing -------------------------------------------------------------------------------


def test_the_candidates_are_listed_with_counts_contexts_and_renderings(shared: Server) -> None:
    client = shared.client().login()
    reply = client.request("GET", "/api/names")
    assert reply.status == 200
    data = reply.json()
    assert data["glossary_out"] is None
    names = {c["ar"]: c for c in data["names"]}
    assert set(REMOVED) <= set(names), sorted(names)
    manbij = names[MANBIJ]
    assert manbij["type"] == "place" and manbij["count"] == 2 and manbij["documents"] == 1
    context = manbij["contexts"][0]
    assert context["doc"] == KOBANI and context["sentence"][context["start"] : context["end"]]
    assert manbij["renderings"] and all(r["count"] >= 1 for r in manbij["renderings"])
    assert names["عين عيسى"]["documents"] == 2
    # one document's names
    here = client.request("GET", f"/api/names?doc={KOBANI}").json()["names"]
    assert MANBIJ in {c["ar"] for c in here} and "آرام حنا" not in {c["ar"] for c in here}


def test_the_page_lists_its_names_without_an_accept_control(shared: Server) -> None:
    client = shared.client().login()
    page = client.page(KOBANI).text
    panel = page[page.index('<aside class="names"') :]
    assert '<span class="name-ar" lang="ar" dir="rtl">منبج</span>' in panel
    assert "--glossary-out FILE" in panel
    assert 'data-name-action="accept"' not in panel


def test_accepting_without_glossary_out_is_409_with_the_reason(shared: Server) -> None:
    client = shared.client().login()
    reply = _accept(client, {"ar": MANBIJ, "en": "Manbij", "type": "place"})
    assert reply.status == 409
    assert reply.json()["error"] == (
        "no glossary file to add names to: start tarjama review with --glossary-out FILE"
    )


@pytest.mark.parametrize(
    ("headers", "cookie", "status"),
    [
        ({"X-CSRF-Token": "forged"}, True, 403),
        ({"Origin": "http://evil.example"}, True, 403),
        ({}, False, 401),
        ({"Cookie": "tarjama_review_{port}=forged"}, False, 403),
    ],
)
def test_accept_needs_the_session_and_the_csrf_token(
    fresh: tuple[Server, Path, Path], headers: dict[str, str], cookie: bool, status: int
) -> None:
    server, _, out = fresh
    before = out.read_bytes()
    client = server.client().login()
    sent = {"Content-Type": "application/json", "X-CSRF-Token": client.csrf}
    sent.update({k: v.replace("{port}", str(server.port)) for k, v in headers.items()})
    body = json.dumps({"ar": MANBIJ, "en": "Manbij", "type": "place"}).encode()
    reply = client.request("POST", "/api/names/accept", body, sent, cookie=cookie)
    assert reply.status == status, reply
    assert out.read_bytes() == before
    assert client.request("GET", "/api/names?token=wrong", cookie=False).status == 403


# --- accepting -----------------------------------------------------------------------------


def test_accepting_adds_one_row_and_marks_exactly_the_sentences_with_the_name(
    fresh: tuple[Server, Path, Path], tiny_model: Path
) -> None:
    server, root, out = fresh
    client = server.client().login()
    before_lines = out.read_text(encoding="utf-8").splitlines()
    before = _segments(root)
    # A person reviewed one of the sentences with the name: it is left as they wrote it.
    reviewed = f"{KOBANI}:7:1"
    assert MANBIJ in before[reviewed].source
    saved = client.save(
        reviewed,
        {"action": "edit", "target": "People wrote this, Manbij.", "base_revision": 0},
    )
    assert saved.status == 200, saved.text
    page = client.page(KOBANI).text
    assert 'data-name-action="accept"' in page and 'data-ar="منبج"' in page

    reply = _accept(client, {"ar": MANBIJ, "en": "Manbij", "type": "place"})
    assert reply.status == 200, reply.text
    data = reply.json()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[:-1] == before_lines  # exactly one row more, at the end
    assert lines[-1].split("\t") == [MANBIJ, "Manbij", "place", "", "", "", ""]
    assert data["where"] == f"{out}:{len(lines)}"
    assert [p for p in lint([out]) if p.severity != "note"] == []
    with_name = _with_name(root, out)
    assert data["kept"] == [reviewed]
    assert set(data["marked_segments"]) == with_name - {reviewed}
    assert data["marked"] == len(with_name) - 1 >= 1
    assert data["message"].startswith(f"Added to {out}:{len(lines)}; ")

    after = _segments(root)
    for sid, seg in after.items():
        if sid in data["marked_segments"]:
            assert seg.target is None and seg.state == "initial"
            assert [t.en for t in seg.terms if t.entry == MANBIJ] == ["Manbij"]
            assert "the glossary now has منبج → Manbij" in seg.notes[-1].text
        elif sid != reviewed:
            assert (seg.target, seg.state, seg.terms) == (
                before[sid].target,
                before[sid].state,
                before[sid].terms,
            ), sid
    assert after[reviewed].target == "People wrote this, Manbij."
    # The list has the name no more; the page shows the sentence untranslated.
    assert MANBIJ not in {c["ar"] for c in client.request("GET", "/api/names").json()["names"]}
    server.stop()

    # tarjama translate translates exactly the marked sentences, with the new rendering.
    result = CliRunner().invoke(
        cli,
        [
            "translate",
            str(root),
            "-m",
            str(tiny_model),
            "-g",
            str(out),
            "--beams",
            "1",
            "--no-consistency",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = re.search(r"(\d+) segments?: (\d+) from memory, (\d+) translated", result.stderr)
    assert summary and int(summary.group(1)) == data["marked"], result.stderr
    assert int(summary.group(3)) >= 1
    done = _segments(root)
    for sid, seg in done.items():
        if sid in data["marked_segments"]:
            assert seg.target is not None and seg.state == "translated"
            assert [t.verdict for t in seg.terms if t.entry == MANBIJ] in (["kept"], ["forced"])
        else:
            assert seg.target == after[sid].target, sid


def test_a_row_already_there_or_another_english_is_refused_and_nothing_written(
    fresh: tuple[Server, Path, Path],
) -> None:
    server, root, out = fresh
    client = server.client().login()
    first = _accept(client, {"ar": MANBIJ, "en": "Manbij", "type": "place"})
    assert first.status == 200, first.text
    line = len(out.read_text(encoding="utf-8").splitlines())
    written, documents = out.read_bytes(), _segments(root)

    again = _accept(client, {"ar": MANBIJ, "en": "Manbij", "type": "place"})
    assert again.status == 409
    assert again.json()["error"] == f"منبج is already in {out}:{line} as Manbij"

    other = _accept(client, {"ar": MANBIJ, "en": "Menbij", "type": "place"})
    assert other.status == 409
    error = other.json()["error"]
    assert f"{out}:{line}" in error and "'Manbij'" in error and "'Menbij'" in error
    assert "\n" not in error

    # a row of the file as it came, matched through its folded form (حلب is in it)
    aleppo = next(n for n, row in enumerate(written.decode().splitlines(), 1) if row[:4] == "حلب\t")
    haleb = _accept(client, {"ar": "حلب", "en": "Haleb", "type": "place"})
    assert haleb.status == 409 and f"{out}:{aleppo}" in haleb.json()["error"]
    bad = _accept(client, {"ar": "Manbij", "en": "Manbij", "type": "place"})
    assert bad.status == 400 and "Arabic letters" in bad.json()["error"]
    kind = _accept(client, {"ar": "عين عيسى", "en": "Ain Issa", "type": "planet"})
    assert kind.status == 400 and "unknown type" in kind.json()["error"]
    assert out.read_bytes() == written
    assert _segments(root) == documents


def test_an_accept_stopped_by_a_damaged_document_is_finished_by_accepting_again(
    fresh: tuple[Server, Path, Path],
) -> None:
    server, root, out = fresh
    client = server.client().login()
    path = Workspace(root).document_path(KOBANI)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])  # a document cut off mid-write by something else

    stopped = _accept(client, {"ar": MANBIJ, "en": "Manbij", "type": "place"})
    assert stopped.status == 500
    error = stopped.json()["error"]
    line = len(out.read_text(encoding="utf-8").splitlines())
    assert f"the row is in {out}:{line}" in error and f"accept {MANBIJ} again" in error
    assert "\n" not in error
    assert out.read_text(encoding="utf-8").splitlines()[-1].startswith(f"{MANBIJ}\tManbij\t")

    path.write_bytes(good)  # the editor puts the document back
    again = _accept(client, {"ar": MANBIJ, "en": "Manbij", "type": "place"})
    assert again.status == 200, again.text
    data = again.json()
    assert data["where"] == f"{out}:{line}"  # no second row
    assert len(out.read_text(encoding="utf-8").splitlines()) == line
    assert set(data["marked_segments"]) == _with_name(root, out) >= {f"{KOBANI}:7:1"}
    # and with every sentence marked, a third time is the plain refusal
    third = _accept(client, {"ar": MANBIJ, "en": "Manbij", "type": "place"})
    assert third.status == 409 and "is already in" in third.json()["error"]


def test_a_new_glossary_out_file_is_created_with_the_bundled_columns(
    base: tuple[Path, Path], tmp_path: Path
) -> None:
    root = copy_workspace(base[0], tmp_path / "ws")
    out = tmp_path / "new-names.tsv"
    server = start_server(root, "-g", str(base[1]), "--glossary-out", str(out))
    try:
        client = server.client().login()
        reply = _accept(client, {"ar": "آرام حنا", "en": "Aram Hanna", "type": "person"})
        assert reply.status == 200, reply.text
    finally:
        server.stop(signal.SIGKILL)
    assert out.read_text(encoding="utf-8").splitlines() == [
        "ar\ten\ttype\taliases\tavoid\tnote\tcontext",
        "آرام حنا\tAram Hanna\tperson\t\t\t\t",
    ]
    assert reply.json()["where"] == f"{out}:2" and reply.json()["marked"] == 1
    assert read_document(root / "documents" / f"{KOBANI}.json")  # still readable


# --- in a browser --------------------------------------------------------------------------


def test_accept_in_the_browser_shows_the_confirmation(fresh: tuple[Server, Path, Path]) -> None:
    server, _, out = fresh
    sync_api, executable = playwright_and_chromium()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            problems: list[str] = []
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.goto(server.url)
            page.goto(f"http://127.0.0.1:{server.port}/doc/{KOBANI}")
            item = page.locator(f'li.name[data-ar="{MANBIJ}"]')
            assert item.locator(".name-ar").get_attribute("dir") == "rtl"
            item.locator("input[data-name-rendering]").first.check()  # a rendering fills the box
            assert item.locator(".name-en").input_value() != ""
            item.locator(".name-en").fill("Manbij")
            item.locator(".name-type").select_option("place")
            item.locator('[data-name-action="accept"]').click()
            status = item.locator('.name-status[data-kind="ok"]')
            status.wait_for(timeout=15_000)
            assert status.inner_text().startswith(f"Added to {out}:")
            assert item.locator('[data-name-action="accept"]').is_disabled()
            # another name: no English is an error line in the page; Enter accepts
            other = page.locator('li.name[data-ar="عين عيسى"]')
            other.locator(".name-en").fill("")
            other.locator('[data-name-action="accept"]').click()
            error = other.locator('.name-status[data-kind="error"]')
            assert error.inner_text() == "Write the English of the name first."
            other.locator(".name-en").fill("Ain Issa")
            other.locator(".name-en").press("Enter")
            other.locator('.name-status[data-kind="ok"]').wait_for(timeout=15_000)
            assert problems == []
        finally:
            browser.close()
    rows = [line.split("\t")[:3] for line in out.read_text(encoding="utf-8").splitlines()[-2:]]
    assert rows == [[MANBIJ, "Manbij", "place"], ["عين عيسى", "Ain Issa", "place"]]
