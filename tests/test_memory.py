"""The translation memory: re-runs translate nothing, glossary edits re-translate only what they
touch, people's edits win, damaged memories fail clearly."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

import pytest

from translate.document import Document
from translate.engine import TranslateOptions, TranslateStats, load_backend, translate
from translate.errors import WorkspaceError
from translate.glossary import Entry, Glossary, annotate, load
from translate.memory import TranslationMemory
from translate.pipeline import prepare

from .conftest import CORPUS, GLOSSARY


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return prepare([CORPUS])


def _translate(
    docs: list[Document], model: Path, memory: Path, glossary: Glossary
) -> tuple[list[Document], TranslateStats]:
    docs = copy.deepcopy(docs)
    for doc in docs:
        annotate(doc, glossary)
    options = TranslateOptions(model=str(model), num_beams=2)
    stats = TranslateStats()
    with TranslationMemory(memory) as store:
        translate(
            docs, load_backend(options), options, glossary=glossary, memory=store, stats=stats
        )
    return docs, stats


def _targets(docs: list[Document]) -> list[str | None]:
    return [s.target for d in docs for s in d.segments()]


def test_second_run_translates_nothing(docs, tiny_model: Path, tmp_path: Path) -> None:
    glossary = load(GLOSSARY)
    first, stats1 = _translate(docs, tiny_model, tmp_path / "m.sqlite", glossary)
    second, stats2 = _translate(docs, tiny_model, tmp_path / "m.sqlite", glossary)
    assert stats1.decoded == stats1.sentences == 21 and stats1.memory_hits == 0
    assert stats2.decoded == 0 and stats2.memory_hits == 21
    assert _targets(first) == _targets(second)
    assert [t.verdict for d in second for s in d.segments() for t in s.terms] == [
        t.verdict for d in first for s in d.segments() for t in s.terms
    ]


def test_editing_one_entry_retranslates_only_its_sentences(
    docs, tiny_model: Path, tmp_path: Path
) -> None:
    glossary = load(GLOSSARY)
    _translate(docs, tiny_model, tmp_path / "m.sqlite", glossary)
    edited = Glossary(
        [e if e.ar != "منبج" else Entry("منبج", "Menbij", type="place") for e in glossary.entries]
    )
    out, stats = _translate(docs, tiny_model, tmp_path / "m.sqlite", edited)
    with_manbij = {
        s.normalized for d in out for s in d.segments() if any(t.entry == "منبج" for t in s.terms)
    }
    assert len(with_manbij) == stats.decoded == 2
    assert all(
        "Menbij" in (s.target or "")
        for d in out
        for s in d.segments()
        if s.normalized in with_manbij
    )


def test_peoples_edits_win(docs, tiny_model: Path, tmp_path: Path) -> None:
    glossary = load(GLOSSARY)
    title = docs[0].title
    assert title is not None
    with TranslationMemory(tmp_path / "m.sqlite") as store:
        store.record_edit(
            title.normalized, '"SDF" and regime agree on heavy vehicles', "reviewed", title.id
        )
    out, stats = _translate(docs, tiny_model, tmp_path / "m.sqlite", glossary)
    assert out[0].title is not None
    assert out[0].title.target == '"SDF" and regime agree on heavy vehicles'
    assert out[0].title.state == "reviewed" and out[0].title.origin == {"human": True}
    assert stats.edits == 1


def test_damaged_memory_is_reported_with_a_way_forward(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(WorkspaceError, match=r"not a usable translation memory.*mv .*\.bad"):
        TranslationMemory(path)


def test_memory_of_another_version_is_not_silently_reused(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    TranslationMemory(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value='99' WHERE key='schema'")
    with pytest.raises(WorkspaceError, match="another tarjama version"):
        TranslationMemory(path)


def test_memory_where_it_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(WorkspaceError, match="cannot open the translation memory"):
        TranslationMemory(blocker / "memory.sqlite")
