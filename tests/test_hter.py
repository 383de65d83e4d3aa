"""Post-editing effort: HTER (sacrebleu TER, case-sensitive, machine output against its
post-edit) per segment, document and batch, with its signature, edit counts and time spent; in
report.json and report.html; post-edits written out as references, and marked as such."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from typer.testing import CliRunner

from translate.cli import app
from translate.document import Document, Segment
from translate.evaluate import effort, load_references, post_edits
from translate.memory import LoggedEdit
from translate.review import apply_edit
from translate.workspace import Workspace

from .conftest import REFERENCES
from .review_support import copy_workspace, corpus_workspace

runner = CliRunner()
DOC = "baladi-sdf-regime-heavy-weapons"


def _row(seq: int, seg: str, before: str, after: str, state: str, seconds: float) -> LoggedEdit:
    return LoggedEdit(
        seq, seg, "d", "src", before, after, "translated", state, 0, "alice", seconds, None,
        "edit", before, "review", None, 0.0, True,
    )  # fmt: skip


def test_hter_per_segment_document_and_batch() -> None:
    machine = ["the cat sat on the mat", "Aleppo is in the north", "a sentence sent back"]
    edited = ["the cat sat on a mat", "Aleppo is in the north", "a sentence sent back"]
    segs = [
        Segment(f"d:1:{i}", "نص", target=t, state=s)
        for i, (t, s) in enumerate(zip(edited, ["reviewed", "final", "initial"], strict=True), 1)
    ]
    doc = Document("d", paragraphs=[segs])
    log = [
        _row(1, "d:1:1", machine[0], edited[0], "reviewed", 30),
        _row(2, "d:1:2", machine[1], machine[1], "final", 5),
        _row(3, "d:1:3", machine[2], machine[2], "initial", 2),
    ]
    assert [e.segment for e in post_edits([doc], log)] == ["d:1:1", "d:1:2"]  # not sent back
    section = effort([doc], log)
    by_segment = {s["id"]: s["hter"] for s in section["by_segment"]}
    assert by_segment == {"d:1:1": pytest.approx(100 / 6, abs=0.01), "d:1:2": 0.0}
    assert section["hter"]["score"] == pytest.approx(100 / 11, abs=0.01)  # 1 edit, 11 words
    assert section["signature"].startswith("nrefs:1|case:mixed|tok:tercom")
    assert (section["segments"], section["changed"], section["saves"]) == (2, 1, 3)
    assert section["seconds"] == 37 and section["reviewers"] == {"alice": 3}
    assert section["documents"]["d"]["hter"] == section["hter"]["score"]
    # Case matters: a capital changed is an edit.
    capital = [_row(1, "d:1:1", "the SDF said", "The SDF said", "reviewed", 1)]
    doc2 = Document(
        "d", paragraphs=[[Segment("d:1:1", "نص", target="The SDF said", state="reviewed")]]
    )
    assert effort([doc2], capital)["hter"]["score"] > 0
    assert effort([doc], []) == {}


@pytest.fixture
def edited(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path, tmp_path: Path) -> Path:
    """A workspace where an editor corrected two sentences and approved one as it was."""
    ws = Workspace(copy_workspace(corpus_workspace(tmp_path_factory, tiny_model), tmp_path / "w"))
    refs = load_references([REFERENCES])
    doc = ws.load_all()[0]
    assert doc.id == DOC
    first, second, third = doc.paragraphs[1][0], doc.paragraphs[2][0], doc.paragraphs[3][0]
    apply_edit(ws, first.id, refs.get(first.source)[0], "reviewed", 0, "alice", 61)
    apply_edit(ws, second.id, refs.get(second.source)[0], "final", 0, "bob", 30)
    apply_edit(ws, third.id, None, "reviewed", 0, "alice", 4, action="approve")
    return ws.root


def test_evaluate_reports_post_editing_effort(edited: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(edited), "--references", str(REFERENCES)])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["post_editing"]["segments"] == 3
    report = json.loads((edited / "report.json").read_text(encoding="utf-8"))
    post = report["post_editing"]
    assert post["hter"]["signature"] == report["signatures"]["hter"]
    assert "case:mixed" in post["hter"]["signature"]
    assert post["hter"]["score"] > 0
    assert (post["saves"], post["changed"], post["seconds"]) == (3, 2, 95)
    assert post["reviewers"] == {"alice": 2, "bob": 1}
    assert report["documents"][DOC]["post_editing"]["segments"] == 3
    rows = {r["id"]: r for r in report["segments"]}
    assert rows[f"{DOC}:4:1"]["hter"] == 0.0  # approved as it was
    assert rows[f"{DOC}:2:1"]["hter"] > 0
    page = lxml.html.fromstring((edited / "report.html").read_text(encoding="utf-8"))
    section = page.get_element_by_id("h-post").getparent()
    text = section.text_content()
    assert "Post-editing effort" in text and "HTER" in text and post["hter"]["signature"] in text
    assert len(section.xpath(".//*[local-name()='svg']")) == 2  # per document, distribution
    assert len(section.xpath(".//*[local-name()='rect']")) >= 2


def test_post_edits_become_references_marked_as_post_edits(edited: Path, tmp_path: Path) -> None:
    out = tmp_path / "post-edits.tsv"
    result = runner.invoke(app, ["references", "export", str(edited), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "ar\ten\torigin" and len(lines) == 4
    assert all(line.endswith("\tpost-edit") for line in lines[1:])
    refs = load_references([out])
    assert refs.post_edited == [str(out)] and len(refs) == 3
    result = runner.invoke(app, ["evaluate", str(edited), "--references", str(out)])
    assert result.exit_code == 0, result.stderr
    report = json.loads((edited / "report.json").read_text(encoding="utf-8"))
    assert report["post_edit_references"] == [str(out)]
    html = (edited / "report.html").read_text(encoding="utf-8")
    assert "Some references are post-edits of machine output" in html


def test_independent_references_are_not_marked(tmp_path: Path) -> None:
    refs = load_references([REFERENCES])
    assert refs.post_edited == []
    bad = tmp_path / "bad.tsv"
    bad.write_text("ar\ten\tscore\nنص\ttext\t1\n", encoding="utf-8")
    with pytest.raises(Exception, match="optionally origin"):
        load_references([bad])
