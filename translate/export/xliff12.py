"""XLIFF 1.2 (strict): the version every CAT tool imports (OmegaT, Trados, memoQ).

A ``<group>`` per paragraph (the title is ``p0``), a ``<trans-unit>`` per sentence with our
segment id as its ``id``, the English as ``<target>`` with a 1.2 ``state`` (see
:data:`STATE`); glossary terms, term verdicts, QA flags and reviewers' comments are ``<note>``
elements, the article's metadata notes in the file header. Characters XML forbids become U+FFFD.

Validates against the OASIS XLIFF 1.2 strict schema.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..document import Document, Segment
from ._xml import creation_date, serialize, set_attrs, sub

NS = "urn:oasis:names:tc:xliff:document:1.2"

#: Our states → XLIFF 1.2 target states. ``reviewed`` and ``final`` are also ``approved``.
STATE = {
    "initial": "needs-translation",
    "translated": "translated",
    "reviewed": "signed-off",
    "final": "final",
}
APPROVED = frozenset({"reviewed", "final"})


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def render(doc: Document) -> str:
    """The XLIFF 1.2 file of one document."""
    from lxml import etree

    root = etree.Element(_q("xliff"), nsmap={None: NS}, version="1.2")
    file = sub(
        root,
        _q("file"),
        original=doc.meta.source_path or f"{doc.id}.txt",
        source_language="ar",
        target_language="en",
        datatype="plaintext",
        tool_id="tarjama",
        date=creation_date().strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    header = sub(file, _q("header"))
    sub(header, _q("tool"), tool_id="tarjama", tool_name="tarjama", tool_version=__version__)
    for key in ("title", "site", "outlet", "byline", "date", "encoding"):
        value = getattr(doc.meta, key)
        if value:
            sub(header, _q("note"), f"{key}: {value}", **{"from": "tarjama"})
    body = sub(file, _q("body"))
    groups = [[doc.title]] if doc.title is not None else [[]]
    groups += doc.paragraphs
    for number, segments in enumerate(groups):
        if not segments:
            continue
        group = sub(
            body,
            _q("group"),
            id=f"p{number}",
            resname="title" if number == 0 else f"paragraph {number}",
        )
        for seg in segments:
            _trans_unit(group, seg)
    return serialize(root)


def _trans_unit(group: Any, seg: Segment) -> None:
    unit = sub(group, _q("trans-unit"), id=seg.id, resname=seg.id, xml_space="preserve")
    if seg.state in APPROVED and seg.target is not None:
        set_attrs(unit, approved="yes")
    sub(unit, _q("source"), seg.source, xml_lang="ar")
    if seg.target is not None:
        target = sub(unit, _q("target"), seg.target, xml_lang="en")
        set_attrs(target, state=STATE.get(seg.state, "needs-translation"))
        if seg.state == "translated" and seg.origin and seg.origin.get("engine"):
            set_attrs(target, state_qualifier="mt-suggestion")
    for term in seg.terms:
        verdict = f" ({term.verdict})" if term.verdict else ""
        sub(
            unit,
            _q("note"),
            f"glossary: {term.ar} = {term.en}{verdict}",
            annotates="source",
            **{"from": "tarjama glossary"},
        )
    for flag in seg.flags:
        sub(
            unit,
            _q("note"),
            f"{flag.code}: {flag.message}",
            annotates="target",
            priority="2",
            **{"from": "tarjama qa"},
        )
    for note in seg.notes:
        sub(unit, _q("note"), note.text, annotates="target", **{"from": note.author or "reviewer"})
