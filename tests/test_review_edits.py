"""The edit library: one function applies an edit, whichever door it comes by.

Every test works on a copy of a real workspace (the bundled corpus through the real pipeline
and the tiny model) and checks what an editor relies on: the edit log, the translation memory,
the document JSON (valid against the published schema), the page and the exports all say the
same thing; a stale revision saves nothing and says why, with both versions.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import jsonschema
import lxml.html
import pytest

from translate.document import Document, read_document, schema
from translate.errors import Conflict, InputError, UsageError
from translate.evaluate import load_references
from translate.glossary import load as load_glossary
from translate.memory import NewEdit, TranslationMemory
from translate.qa import QAOptions
from translate.review import EditOptions, EditRequest, apply_edit, apply_edits, history, recover
from translate.review.edits import edit_lock
from translate.workspace import Workspace

from .conftest import GLOSSARY, REFERENCES
from .review_support import copy_workspace, corpus_workspace, snapshot

DOC = "baladi-sdf-regime-heavy-weapons"
SPUTNIK = f"{DOC}:2:1"  # one glossary term: سبوتنيك → Sputnik


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Path:
    return corpus_workspace(tmp_path_factory, tiny_model)


@pytest.fixture
def ws(corpus: Path, tmp_path: Path) -> Workspace:
    return Workspace(copy_workspace(corpus, tmp_path / "ws"))


@pytest.fixture(scope="module")
def qa() -> QAOptions:
    return QAOptions(glossary=load_glossary(GLOSSARY))


def _doc(ws: Workspace, doc_id: str = DOC) -> Document:
    return read_document(ws.document_path(doc_id))


def _seg(ws: Workspace, seg_id: str):
    return next(s for s in _doc(ws, seg_id.rsplit(":", 2)[0]).segments() if s.id == seg_id)


def _reference(ws: Workspace, seg_id: str) -> str:
    return load_references([REFERENCES]).get(_seg(ws, seg_id).source)[0]


def test_an_edit_reaches_the_log_memory_document_page_and_exports(
    ws: Workspace, qa: QAOptions
) -> None:
    before = _seg(ws, SPUTNIK)
    correction = _reference(ws, SPUTNIK)
    assert "Sputnik" in correction and before.target != correction
    others = {s.id: s.target for s in _doc(ws).segments() if s.id != SPUTNIK}

    result = apply_edit(
        ws, SPUTNIK, correction, "reviewed", 0, "alice", 42.5, options=EditOptions(qa=qa)
    )

    assert result.revision > 0 and result.changed
    with TranslationMemory(ws.root / "memory.sqlite") as memory:
        [row] = memory.edit_log(segment=SPUTNIK)
        assert (row.before, row.after, row.machine) == (before.target, correction, before.target)
        assert (row.state_before, row.state, row.base, row.seq) == (
            "translated",
            "reviewed",
            0,
            result.revision,
        )
        assert (row.reviewer, row.seconds, row.via, row.written) == ("alice", 42.5, "review", True)
        assert memory.edits([before.normalized]) == {before.normalized: (correction, "reviewed")}
    data = json.loads(ws.document_path(DOC).read_text(encoding="utf-8"))
    jsonschema.validate(data, schema())
    saved = _seg(ws, SPUTNIK)
    assert (saved.target, saved.state, saved.revision) == (correction, "reviewed", result.revision)
    assert saved.origin and saved.origin["human"] and saved.origin["edited_by"] == "alice"
    assert saved.origin["machine"]["model"] == before.origin["model"]  # the machine's, kept
    assert [t.verdict for t in saved.terms] == ["kept"]
    assert "term-missing" not in [f.code for f in saved.flags]
    assert {s.id: s.target for s in _doc(ws).segments() if s.id != SPUTNIK} == others
    page = lxml.html.fromstring((ws.html_dir / f"{DOC}.html").read_text(encoding="utf-8"))
    row = page.get_element_by_id(SPUTNIK)
    assert row.xpath("./div[@lang='en']")[0].text_content() == correction
    assert row.get("data-state") == "reviewed"
    assert ws.html_dir / f"{DOC}.html" in result.written
    for path in (
        ws.exports_dir / f"{DOC}.xlf",
        ws.exports_dir / f"{DOC}.xliff12.xlf",
        ws.exports_dir / f"{DOC}.md",
    ):
        assert correction in path.read_text(encoding="utf-8"), path
        assert path in result.written
    assert 'state="reviewed"' in (ws.exports_dir / f"{DOC}.xlf").read_text(encoding="utf-8")


def test_a_correction_that_drops_a_glossary_name_is_saved_but_flagged(
    ws: Workspace, qa: QAOptions
) -> None:
    without = _reference(ws, SPUTNIK).replace("Sputnik", "the agency")
    first = apply_edit(ws, SPUTNIK, without, "reviewed", 0, "alice", 5, options=EditOptions(qa=qa))
    saved = _seg(ws, SPUTNIK)
    assert saved.target == without  # saved all the same
    assert [t.verdict for t in saved.terms] == ["missed"]
    assert [f.code for f in saved.flags if f.code == "term-missing"] == ["term-missing"]
    assert "Sputnik" in next(f.message for f in saved.flags if f.code == "term-missing")
    # Putting the name back clears the flag.
    apply_edit(
        ws, SPUTNIK, _reference(ws, SPUTNIK), "reviewed", first.revision, "alice", 3,
        options=EditOptions(qa=qa),
    )  # fmt: skip
    again = _seg(ws, SPUTNIK)
    assert [t.verdict for t in again.terms] == ["kept"]
    assert "term-missing" not in [f.code for f in again.flags]


def test_a_stale_revision_saves_nothing_and_carries_both_versions(ws: Workspace) -> None:
    first = apply_edit(ws, SPUTNIK, "Their version.", "reviewed", 0, "bob", 1)
    files = snapshot(ws.root / "documents")
    with pytest.raises(Conflict) as caught:
        apply_edit(ws, SPUTNIK, "My version.", "final", 0, "alice", 2)
    assert caught.value.yours["target"] == "My version."
    assert caught.value.yours["state"] == "final"
    assert caught.value.theirs["target"] == "Their version."
    assert caught.value.theirs["revision"] == first.revision
    assert caught.value.theirs["reviewer"] == "bob"
    assert "nothing was saved" in str(caught.value)
    assert snapshot(ws.root / "documents") == files
    assert len(history(ws, SPUTNIK)) == 1


def test_approve_final_send_back_and_revert(ws: Workspace) -> None:
    machine = _seg(ws, SPUTNIK)
    store = ws.root / "memory.sqlite"
    approved = apply_edit(ws, SPUTNIK, None, "reviewed", 0, "alice", 4, action="approve")
    seg = _seg(ws, SPUTNIK)
    assert (seg.target, seg.state, approved.changed) == (machine.target, "reviewed", False)
    assert seg.origin and not seg.origin.get("human") and seg.origin["reviewed_by"] == "alice"
    with TranslationMemory(store) as memory:  # an approved translation wins from now on
        assert memory.edits([seg.normalized]) == {seg.normalized: (machine.target, "reviewed")}

    final = apply_edit(ws, SPUTNIK, None, "final", approved.revision, "alice", 1, action="final")
    assert _seg(ws, SPUTNIK).state == "final"

    back = apply_edit(
        ws, SPUTNIK, None, "initial", final.revision, "alice", 2, "Wrong tense", action="send-back"
    )
    seg = _seg(ws, SPUTNIK)
    assert (seg.state, seg.target) == ("initial", machine.target)
    assert [(n.text, n.author, n.via) for n in seg.notes] == [("Wrong tense", "alice", "review")]
    with TranslationMemory(store) as memory:  # unapproved machine output: nothing to remember
        assert memory.edits([seg.normalized]) == {}

    mine = "A person's English."
    edited = apply_edit(ws, SPUTNIK, mine, "reviewed", back.revision, "bob", 9)
    with TranslationMemory(store) as memory:
        assert memory.edits([seg.normalized]) == {seg.normalized: (mine, "reviewed")}
    apply_edit(ws, SPUTNIK, None, "translated", edited.revision, "bob", 1, action="revert")
    seg = _seg(ws, SPUTNIK)
    assert (seg.target, seg.state) == (machine.target, "translated")
    assert seg.origin == machine.origin  # the machine's origin, as it was
    with TranslationMemory(store) as memory:
        assert memory.edits([seg.normalized]) == {}
    actions = [(r.action, r.state) for r in history(ws, SPUTNIK)]
    assert actions == [
        ("approve", "reviewed"),
        ("final", "final"),
        ("send-back", "initial"),
        ("edit", "reviewed"),
        ("revert", "translated"),
    ]


@pytest.mark.parametrize(
    ("segment", "target", "state", "error", "words"),
    [
        (SPUTNIK, "x", "approved", UsageError, "unknown state"),
        ("no-colons", "x", "reviewed", InputError, "not a segment id"),
        ("../../etc/passwd:1:1", "x", "reviewed", InputError, "not a segment id"),
        ("absent-doc:1:1", "x", "reviewed", InputError, "no document absent-doc"),
        (f"{DOC}:99:1", "x", "reviewed", InputError, "no segment"),
        (SPUTNIK, "x" * 20_001, "reviewed", InputError, "over 20000"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(
    ws: Workspace, segment: str, target: str, state: str, error: type, words: str
) -> None:
    files = snapshot(ws.root)
    with pytest.raises(error, match=words):
        apply_edit(ws, segment, target, state, 0, "alice", 1)
    assert snapshot(ws.root) == files


def test_a_state_past_initial_needs_an_english_target(ws: Workspace, corpus: Path) -> None:
    doc = _doc(ws)
    seg = doc.paragraphs[-1][-1]
    seg.target, seg.state, seg.origin = None, "initial", None
    ws.save(doc)
    with pytest.raises(InputError, match="needs an English target"):
        apply_edit(ws, seg.id, None, "reviewed", 0, "alice", 1, action="approve")


def test_documents_without_revisions_or_notes_still_load(ws: Workspace) -> None:
    data = json.loads(ws.document_path(DOC).read_text(encoding="utf-8"))
    for paragraph in data["paragraphs"]:
        for seg in paragraph:
            del seg["revision"], seg["notes"]
    doc = Document.from_dict(data)
    assert {s.revision for s in doc.segments()} == {0}
    assert all(s.notes == [] for s in doc.segments())


def test_the_edit_log_is_append_only(ws: Workspace) -> None:
    apply_edit(ws, SPUTNIK, "Something.", "reviewed", 0, "alice", 1)
    db = sqlite3.connect(ws.root / "memory.sqlite")
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("DELETE FROM edit_log")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("UPDATE edit_log SET after = 'rewritten'")
        assert db.execute("SELECT after FROM edit_log").fetchall() == [("Something.",)]
    finally:
        db.close()


def test_recover_replays_an_edit_a_crash_left_out_of_the_document(ws: Workspace) -> None:
    seg = _seg(ws, SPUTNIK)
    # What a crash between the two writes leaves: the edit logged, the document not written.
    with edit_lock(ws), TranslationMemory(ws.root / "memory.sqlite") as memory:
        [seq] = memory.commit_edits(
            [
                NewEdit(
                    segment=seg.id,
                    document=DOC,
                    source=seg.normalized,
                    before=seg.target,
                    after="Logged but never written.",
                    state_before=seg.state,
                    state="reviewed",
                    base=seg.revision,
                    reviewer="alice",
                    seconds=3,
                    action="edit",
                    machine=seg.target,
                    remember=True,
                )
            ]
        )
    assert _seg(ws, SPUTNIK).target == seg.target
    assert recover(ws) == 1
    fixed = _seg(ws, SPUTNIK)
    assert (fixed.target, fixed.state, fixed.revision) == (
        "Logged but never written.",
        "reviewed",
        seq,
    )
    assert "Logged but never written." in (ws.exports_dir / f"{DOC}.xlf").read_text("utf-8")
    assert recover(ws) == 0  # marked written: never replayed twice


def test_edits_from_many_threads_on_one_document_are_all_kept(ws: Workspace) -> None:
    ids = [s.id for s in _doc(ws).segments()]
    errors: list[BaseException] = []

    def edit(seg_id: str) -> None:
        try:
            for n in range(3):
                revision = _seg(ws, seg_id).revision
                apply_edit(ws, seg_id, f"{seg_id} version {n}.", "reviewed", revision, "t", 1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=edit, args=(i,)) for i in ids[:4]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    doc = _doc(ws)
    for seg_id in ids[:4]:
        seg = next(s for s in doc.segments() if s.id == seg_id)
        assert seg.target == f"{seg_id} version 2."
        assert len(history(ws, seg_id)) == 3


def test_one_batch_is_all_or_nothing(ws: Workspace) -> None:
    files = snapshot(ws.root)
    good = EditRequest(SPUTNIK, "Fine.", "reviewed", 0, "alice")
    stale = EditRequest(f"{DOC}:3:1", "Stale.", "reviewed", 7, "alice")
    with pytest.raises(Conflict):
        apply_edits(ws, [good, stale])
    assert snapshot(ws.root) == files
