"""XLIFF round trip: export, edit as a CAT tool would (lxml; translate-toolkit in its own venv),
``tarjama import``. Accepted edits go through the same path as the app's; every refused file
exits 2 with one line naming the file, the unit/segment and the fix, and leaves the workspace
byte for byte as it was.
"""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from typer.testing import CliRunner

from translate.cli import app
from translate.document import read_document
from translate.evaluate import load_references
from translate.memory import TranslationMemory
from translate.review import apply_edit, history
from translate.workspace import Workspace

from .conftest import REFERENCES
from .review_support import copy_workspace, corpus_workspace, snapshot
from .test_export import (  # noqa: F401  (fixtures: the schemas, the translate-toolkit venv)
    schemas,
    ttk_python,
    xliff2_schema,
    xliff12_schema,
)

runner = CliRunner()
X2 = "urn:oasis:names:tc:xliff:document:2.0"
X12 = "urn:oasis:names:tc:xliff:document:1.2"
DOC = "baladi-sdf-regime-heavy-weapons"
SPUTNIK = f"{DOC}:2:1"
TWO = f"{DOC}:4:2"  # the second sentence of a two-sentence paragraph (unit p4)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Path:
    return corpus_workspace(tmp_path_factory, tiny_model)


@pytest.fixture
def ws(corpus: Path, tmp_path: Path) -> Workspace:
    return Workspace(copy_workspace(corpus, tmp_path / "ws"))


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _tree(path: Path) -> Any:
    return etree.parse(str(path), etree.XMLParser(remove_blank_text=False))


def _write(tree: Any, path: Path) -> Path:
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path


def _segment2(tree: Any, seg_id: str) -> Any:
    return next(s for s in tree.iter(_q(X2, "segment")) if s.get("id") == seg_id)


def _unit12(tree: Any, seg_id: str) -> Any:
    return next(u for u in tree.iter(_q(X12, "trans-unit")) if u.get("id") == seg_id)


def _set_text(element: Any, text: str) -> None:
    for child in list(element):
        element.remove(child)
    element.text = text


def _seg(ws: Workspace, seg_id: str) -> Any:
    doc = read_document(ws.document_path(seg_id.rsplit(":", 2)[0]))
    return next(s for s in doc.segments() if s.id == seg_id)


def _reference(ws: Workspace, seg_id: str) -> str:
    return load_references([REFERENCES]).get(_seg(ws, seg_id).source)[0]


def _import(ws: Workspace, *files: Path) -> Any:
    return runner.invoke(app, ["import", str(ws.root), *map(str, files), "--reviewer", "tr"])


# --- XLIFF 2.1 ------------------------------------------------------------------------------


def test_xliff2_round_trip_brings_back_targets_states_notes(ws: Workspace, tmp_path: Path) -> None:
    xlf = ws.exports_dir / f"{DOC}.xlf"
    tree = _tree(xlf)
    assert tree.getroot()[0].get("canResegment") == "no"
    sputnik = _reference(ws, SPUTNIK)
    title = _segment2(tree, f"{DOC}:0:1")
    # A CAT tool: new targets and states, term markers dropped from the source, a note, a
    # comment marker, a subState, an extension element and foreign attributes.
    seg = _segment2(tree, SPUTNIK)
    _set_text(seg.find(_q(X2, "target")), sputnik)
    seg.set("state", "reviewed")
    seg.set("subState", "cat:checked")
    seg.set("{urn:example:cat}reviewer", "someone")
    source = seg.find(_q(X2, "source"))
    _set_text(source, "".join(source.itertext()))  # <mrk type="term"> dropped
    unit = seg.getparent()
    notes = unit.find(_q(X2, "notes"))
    note = etree.SubElement(notes, _q(X2, "note"), category="translator")
    note.text = f"{SPUTNIK}: checked the agency's name"
    etree.SubElement(unit, "{urn:example:cat}qa", score="97")
    target = title.find(_q(X2, "target"))
    _set_text(target, "The regime sends ")
    mark = etree.SubElement(target, _q(X2, "mrk"), id="c1", type="comment", value="verify tense")
    mark.text = "heavy weapons"
    mark.tail = " to Aleppo"
    title.set("state", "final")
    edited = _write(tree, tmp_path / "edited.xlf")

    result = _import(ws, edited)
    assert result.exit_code == 0, result.stderr
    assert "XLIFF 2.1" in result.stderr and "2 edits" in result.stderr

    saved = _seg(ws, SPUTNIK)
    assert (saved.target, saved.state) == (sputnik, "reviewed")
    assert saved.origin and saved.origin["human"] and saved.origin["via"] == "edited.xlf"
    assert saved.origin["sub_state"] == "cat:checked"
    assert [n.text for n in saved.notes] == ["checked the agency's name"]
    title_seg = _seg(ws, f"{DOC}:0:1")
    assert (title_seg.target, title_seg.state) == (
        "The regime sends heavy weapons to Aleppo",
        "final",
    )
    assert [n.text for n in title_seg.notes] == ["verify tense"]
    [row] = history(ws, SPUTNIK)
    assert (row.action, row.via, row.reviewer, row.sub_state) == (
        "import",
        "edited.xlf",
        "tr",
        "cat:checked",
    )
    with TranslationMemory(ws.root / "memory.sqlite") as memory:
        assert memory.edits([saved.normalized]) == {saved.normalized: (sputnik, "reviewed")}
    page = (ws.html_dir / f"{DOC}.html").read_text(encoding="utf-8")
    assert "heavy weapons to Aleppo" in page
    # The next export carries the subState and the comments; importing it again changes nothing.
    again = _tree(xlf)
    assert _segment2(again, SPUTNIK).get("subState") == "cat:checked"
    assert "checked the agency" in etree.tostring(again, encoding="unicode")
    files = snapshot(ws.root)
    result = _import(ws, xlf)
    assert result.exit_code == 0 and "0 edits" in result.stderr
    assert snapshot(ws.root) == files


def test_a_lowered_state_is_taken_as_needs_work(ws: Workspace, tmp_path: Path) -> None:
    apply_edit(ws, SPUTNIK, _reference(ws, SPUTNIK), "reviewed", 0, "alice", 5)
    tree = _tree(ws.exports_dir / f"{DOC}.xlf")
    _segment2(tree, SPUTNIK).set("state", "translated")
    result = _import(ws, _write(tree, tmp_path / "lowered.xlf"))
    assert result.exit_code == 0, result.stderr
    seg = _seg(ws, SPUTNIK)
    assert seg.state == "initial"
    assert seg.target == _reference(ws, SPUTNIK)  # the text stays
    assert "needs work" in seg.notes[-1].text and "lowered.xlf" in seg.notes[-1].text


# --- XLIFF 1.2 ------------------------------------------------------------------------------


def test_xliff12_round_trip_brings_back_targets_states_notes(ws: Workspace, tmp_path: Path) -> None:
    first = apply_edit(ws, TWO, _reference(ws, TWO), "reviewed", 0, "alice", 5)
    assert first.revision
    tree = _tree(ws.exports_dir / f"{DOC}.xliff12.xlf")
    sputnik = _reference(ws, SPUTNIK)
    unit = _unit12(tree, SPUTNIK)
    target = unit.find(_q(X12, "target"))
    _set_text(target, sputnik)
    target.set("state", "signed-off")
    unit.set("approved", "yes")
    note = etree.SubElement(unit, _q(X12, "note"), {"from": "translator"})
    note.text = "agency name as in our style guide"
    final = _unit12(tree, f"{DOC}:3:1")
    final.find(_q(X12, "target")).set("state", "final")
    final.set("approved", "yes")
    commented = final.find(_q(X12, "target"))
    mark = etree.SubElement(commented, _q(X12, "mrk"), mtype="x-comment", comment="double-check")
    mark.text = ""
    lowered = _unit12(tree, TWO)  # reviewed in the workspace; the translator un-approves it
    lowered.set("approved", "no")
    lowered.find(_q(X12, "target")).set("state", "needs-review-translation")
    result = _import(ws, _write(tree, tmp_path / "edited12.xlf"))
    assert result.exit_code == 0, result.stderr
    assert "XLIFF 1.2" in result.stderr and "3 edits" in result.stderr

    seg = _seg(ws, SPUTNIK)
    assert (seg.target, seg.state) == (sputnik, "reviewed")
    assert [n.text for n in seg.notes] == ["agency name as in our style guide"]
    seg = _seg(ws, f"{DOC}:3:1")
    assert seg.state == "final" and [n.text for n in seg.notes] == ["double-check"]
    seg = _seg(ws, TWO)
    assert seg.state == "initial" and "needs work" in seg.notes[-1].text
    # Exported again, the notes come back as the translator's and are not imported twice.
    tree = _tree(ws.exports_dir / f"{DOC}.xliff12.xlf")
    assert _unit12(tree, SPUTNIK).get("approved") == "yes"
    files = snapshot(ws.root)
    result = _import(ws, ws.exports_dir / f"{DOC}.xliff12.xlf")
    assert result.exit_code == 0 and "0 edits" in result.stderr
    assert snapshot(ws.root) == files


# --- refused files --------------------------------------------------------------------------

Edit = Callable[[Any, Path], Any]


def _resegment(tree: Any, folder: Path) -> Any:
    seg = _segment2(tree, SPUTNIK)
    twin = copy.deepcopy(seg)
    twin.set("id", f"{SPUTNIK}b")
    seg.addnext(twin)
    return tree


def _drop_unit(tree: Any, folder: Path) -> Any:
    unit = _segment2(tree, SPUTNIK).getparent()
    unit.getparent().remove(unit)
    return tree


def _duplicate_segment(tree: Any, folder: Path) -> Any:
    _segment2(tree, TWO).set("id", f"{DOC}:4:1")  # two segments of unit p4, one id
    return tree


def _rename_document(tree: Any, folder: Path) -> Any:
    file = tree.getroot()[0]
    file.set("id", "no-such-article")
    for meta in tree.iter("{urn:oasis:names:tc:xliff:metadata:2.0}meta"):
        if meta.get("type") == "document":
            meta.text = "no-such-article"
    return tree


def _change_source(tree: Any, folder: Path) -> Any:
    source = _segment2(tree, SPUTNIK).find(_q(X2, "source"))
    _set_text(source, "نص آخر تماما.")
    return tree


def _set(attr: str, value: str) -> Edit:
    def edit(tree: Any, folder: Path) -> Any:
        _segment2(tree, SPUTNIK).set(attr, value)
        return tree

    return edit


def _no_target_but_reviewed(tree: Any, folder: Path) -> Any:
    seg = _segment2(tree, SPUTNIK)
    seg.remove(seg.find(_q(X2, "target")))
    seg.set("state", "reviewed")
    return tree


def _unknown_segment(tree: Any, folder: Path) -> Any:
    _segment2(tree, SPUTNIK).set("id", f"{DOC}:2:9")
    return tree


def _no_id(tree: Any, folder: Path) -> Any:
    del _segment2(tree, SPUTNIK).attrib["id"]
    return tree


def _version(value: str) -> Edit:
    def edit(tree: Any, folder: Path) -> Any:
        tree.getroot().set("version", value)
        return tree

    return edit


def _namespace(tree: Any, folder: Path) -> Any:
    text = etree.tostring(tree, encoding="unicode").replace(
        X2, "urn:oasis:names:tc:xliff:document:3.0"
    )
    return etree.ElementTree(etree.fromstring(text))


def _not_xliff(tree: Any, folder: Path) -> Any:
    return etree.ElementTree(etree.fromstring("<html><body><p>a page</p></body></html>"))


REFUSED2: dict[str, tuple[Edit, str]] = {
    "re-segmented": (_resegment, "re-segmented"),
    "missing unit": (_drop_unit, "missing"),
    "duplicate id": (_duplicate_segment, "appears twice"),
    "unknown document": (_rename_document, "not in the workspace"),
    "changed source": (_change_source, "source text changed"),
    "invalid state": (_set("state", "approved"), "invalid state"),
    "no target": (_no_target_but_reviewed, "without a target"),
    "unknown id": (_unknown_segment, "unknown segment id"),
    "no id": (_no_id, "has no id"),
    "wrong version": (_version("1.2"), "version '1.2'"),
    "wrong namespace": (_namespace, "not XLIFF"),
    "not xliff": (_not_xliff, "not XLIFF"),
}


@pytest.mark.parametrize("case", list(REFUSED2))
def test_a_bad_xliff2_file_is_refused_and_changes_nothing(
    ws: Workspace, tmp_path: Path, case: str
) -> None:
    edit, words = REFUSED2[case]
    tree = _tree(ws.exports_dir / f"{DOC}.xlf")
    # A good edit in the same file: the refusal must not let it through.
    good = _segment2(tree, f"{DOC}:3:1")
    _set_text(good.find(_q(X2, "target")), "A fine correction.")
    bad = _write(edit(tree, tmp_path), tmp_path / "bad.xlf")
    files = snapshot(ws.root)
    result = _import(ws, bad)
    assert result.exit_code == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"tarjama: error: {bad}"), lines[0]
    assert words in lines[0]
    assert snapshot(ws.root) == files


def test_the_one_line_names_the_unit_segment_and_the_fix(ws: Workspace, tmp_path: Path) -> None:
    tree = _resegment(_tree(ws.exports_dir / f"{DOC}.xlf"), tmp_path)
    result = _import(ws, _write(tree, tmp_path / "bad.xlf"))
    line = result.stderr.strip()
    assert "unit p2" in line and "canResegment" in line and "export again" in line
    tree = _change_source(_tree(ws.exports_dir / f"{DOC}.xlf"), tmp_path)
    result = _import(ws, _write(tree, tmp_path / "bad.xlf"))
    assert SPUTNIK in result.stderr and "must stay as exported" in result.stderr
    assert f"{tmp_path / 'bad.xlf'}:" in result.stderr  # file:line


def test_garbage_is_refused(ws: Workspace, tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlf"
    junk.write_bytes(b"\x89PNG not xml at all <<<")
    files = snapshot(ws.root)
    result = _import(ws, junk)
    assert result.exit_code == 2 and "not XML" in result.stderr
    assert snapshot(ws.root) == files


def test_an_xxe_file_reads_no_local_file(ws: Workspace, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PASSWORD", encoding="utf-8")
    text = (ws.exports_dir / f"{DOC}.xlf").read_text(encoding="utf-8")
    head, _, body = text.partition("?>")
    doctype = f'<!DOCTYPE xliff [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
    old = _segment2(_tree(ws.exports_dir / f"{DOC}.xlf"), SPUTNIK).find(_q(X2, "target")).text
    body = body.replace(f"<target>{old}</target>", "<target>&leak;</target>", 1)
    assert "&leak;" in body
    evil = tmp_path / "xxe.xlf"
    evil.write_text(head + "?>\n" + doctype + body, encoding="utf-8")
    files = snapshot(ws.root)
    result = _import(ws, evil)
    assert result.exit_code == 2 and "DOCTYPE" in result.stderr
    assert "TOP-SECRET" not in result.stderr + result.stdout
    assert snapshot(ws.root) == files
    assert "TOP-SECRET" not in json.dumps(
        [p.read_text("utf-8", "replace") for p in ws.root.rglob("*.json")]
    )


REFUSED12: dict[str, tuple[Callable[[Any], None], str]] = {
    "invalid state": (
        lambda tree: _unit12(tree, SPUTNIK).find(_q(X12, "target")).set("state", "approved"),
        "invalid state",
    ),
    "unknown id": (lambda tree: _unit12(tree, SPUTNIK).set("id", f"{DOC}:2:7"), "unknown"),
    "changed source": (
        lambda tree: _set_text(_unit12(tree, SPUTNIK).find(_q(X12, "source")), "تغيير"),
        "source text changed",
    ),
    "approved without target": (
        lambda tree: (
            _unit12(tree, SPUTNIK).remove(_unit12(tree, SPUTNIK).find(_q(X12, "target"))),
            _unit12(tree, SPUTNIK).set("approved", "yes"),
        ),
        "without a target",
    ),
    "bad approved": (lambda tree: _unit12(tree, SPUTNIK).set("approved", "maybe"), "approved"),
}


@pytest.mark.parametrize("case", list(REFUSED12))
def test_a_bad_xliff12_file_is_refused_and_changes_nothing(
    ws: Workspace, tmp_path: Path, case: str
) -> None:
    edit, words = REFUSED12[case]
    tree = _tree(ws.exports_dir / f"{DOC}.xliff12.xlf")
    edit(tree)
    bad = _write(tree, tmp_path / "bad.xliff12.xlf")
    files = snapshot(ws.root)
    result = _import(ws, bad)
    assert result.exit_code == 2, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    assert words in result.stderr and str(bad) in result.stderr
    assert snapshot(ws.root) == files


def test_xliff12_seg_source_split_in_two_is_re_segmentation(ws: Workspace, tmp_path: Path) -> None:
    tree = _tree(ws.exports_dir / f"{DOC}.xliff12.xlf")
    unit = _unit12(tree, SPUTNIK)
    seg_source = etree.Element(_q(X12, "seg-source"))
    for n in (1, 2):
        etree.SubElement(seg_source, _q(X12, "mrk"), mtype="seg", mid=str(n)).text = f"part {n}"
    unit.find(_q(X12, "source")).addnext(seg_source)
    files = snapshot(ws.root)
    result = _import(ws, _write(tree, tmp_path / "split.xlf"))
    assert result.exit_code == 2 and "re-segmented" in result.stderr
    assert snapshot(ws.root) == files


def test_one_bad_file_refuses_the_good_ones_too(ws: Workspace, tmp_path: Path) -> None:
    good = _tree(ws.exports_dir / f"{DOC}.xlf")
    _set_text(_segment2(good, SPUTNIK).find(_q(X2, "target")), "Good.")
    other = "thiqa-regime-reinforcements-kobani"
    bad = _tree(ws.exports_dir / f"{other}.xlf")
    next(bad.iter(_q(X2, "segment"))).set("state", "bogus")
    files = snapshot(ws.root)
    result = _import(ws, _write(good, tmp_path / "good.xlf"), _write(bad, tmp_path / "bad.xlf"))
    assert result.exit_code == 2 and "bad.xlf" in result.stderr
    assert snapshot(ws.root) == files


# --- translate-toolkit, as a CAT tool would use it --------------------------------------------

TTK_EDITOR = r"""
import json, sys
import translate
from translate.storage import xliff, xliff2
assert "site-packages" in translate.__file__, translate.__file__
job = json.load(sys.stdin)
kind, source, out, edits = job["kind"], job["source"], job["out"], job["edits"]
with open(source, "rb") as fh:
    store = (xliff2.Xliff2File if kind == "xliff" else xliff.xlifffile)(fh)
done = 0
for unit in store.units:
    if unit.isheader():
        continue
    uid = unit.getid().split("\x04")[-1].split("::")[-1]
    if uid in edits:
        unit.target = edits[uid]
        if kind == "xliff12":
            unit.markapproved(True)
        done += 1
assert done == len(edits), (done, [u.getid() for u in store.units])
with open(out, "wb") as fh:
    store.serialize(fh)
"""


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "suffix"), [("xliff", ".xlf"), ("xliff12", ".xliff12.xlf")])
def test_a_file_translate_toolkit_wrote_back_imports_cleanly(
    ws: Workspace,
    tmp_path: Path,
    ttk_python: Path,  # noqa: F811
    kind: str,
    suffix: str,
) -> None:
    correction = _reference(ws, SPUTNIK)
    out = tmp_path / f"ttk{suffix}"
    job = {
        "kind": kind,
        "source": str(ws.exports_dir / f"{DOC}{suffix}"),
        "out": str(out),
        "edits": {SPUTNIK: correction},
    }
    proc = subprocess.run(
        [str(ttk_python), "-I", "-c", TTK_EDITOR],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = _import(ws, out)
    assert result.exit_code == 0, result.stderr
    seg = _seg(ws, SPUTNIK)
    assert seg.target == correction
    if kind == "xliff12":
        assert seg.state == "reviewed"  # approved in the tool
    assert [r.via for r in history(ws, SPUTNIK)] == [out.name]


def test_exports_after_an_import_still_validate(
    ws: Workspace,
    tmp_path: Path,
    xliff2_schema: Any,  # noqa: F811
    xliff12_schema: Any,  # noqa: F811
) -> None:
    xlf = ws.exports_dir / f"{DOC}.xlf"
    tree = _tree(xlf)
    seg = _segment2(tree, SPUTNIK)
    seg.set("state", "reviewed")
    seg.set("subState", "cat:checked")
    notes = seg.getparent().find(_q(X2, "notes"))
    etree.SubElement(notes, _q(X2, "note")).text = "a translator's note & <markup>"
    assert _import(ws, _write(tree, tmp_path / "e.xlf")).exit_code == 0
    for path, schema in (
        (xlf, xliff2_schema),
        (ws.exports_dir / f"{DOC}.xliff12.xlf", xliff12_schema),
    ):
        assert schema.validate(etree.parse(str(path))), f"{path.name}: {schema.error_log}"
    assert "a translator's note &amp; &lt;markup&gt;" in xlf.read_text(encoding="utf-8")


def test_the_commands_are_listed_and_a_missing_workspace_is_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--help"])
    assert all(name in result.stdout for name in ("review", "import", "references"))
    result = runner.invoke(app, ["import", str(tmp_path / "nowhere"), str(tmp_path / "x.xlf")])
    assert result.exit_code == 2 and "nowhere" in result.stderr and "no documents" in result.stderr
    result = runner.invoke(app, ["review", "--help"])
    assert result.exit_code == 0 and "--reviewer" in result.stdout and "127.0.0.1" in result.stdout
