"""XLIFF 2.1: one file per document, a ``<unit>`` per paragraph, a ``<segment>`` per sentence.

The title is unit ``p0``, paragraph *n* is unit ``p<n>``; each segment keeps our segment id and
our state (XLIFF 2 states are ours: initial, translated, reviewed, final). The whitespace between
sentences is an ``<ignorable>``, so joining a unit's sources gives the paragraph back. Glossary
terms are marked in the source (``<mrk type="term">``) and listed as glossary-module entries
(``<gls:glossEntry>``); term verdicts, QA flags and reviewers' comments are unit notes
(categories ``glossary``, ``qa``, ``comment``, each note starting with its segment id); the
article's metadata is metadata-module data on the file. Characters XML cannot hold are written
as ``<cp hex="…"/>``, as XLIFF 2 prescribes, so nothing is lost.

The file says ``canResegment="no"``, so CAT tools keep our segments, and a segment's
``subState`` brought in by ``tarjama import`` goes out again. Validates against the OASIS XLIFF 2
core schema with the glossary and metadata modules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..document import STATES, Document, Segment, Term
from ._chars import REPLACEMENT
from ._xml import serialize, set_attrs, sub

VERSION = "2.1"
NS = "urn:oasis:names:tc:xliff:document:2.0"  # XLIFF 2.1 keeps the 2.0 namespace
GLS = "urn:oasis:names:tc:xliff:glossary:2.0"
MDA = "urn:oasis:names:tc:xliff:metadata:2.0"

# What <cp/> may stand for: characters XML 1.0 forbids, except surrogates, which are not
# characters at all (they become U+FFFD).
_CP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters an XML NMTOKEN may not hold (https://www.w3.org/TR/xml/#NT-Nmtoken).
_NOT_NAME = re.compile(
    "[^-.0-9:A-Z_a-z\xb7\xc0-\xd6\xd8-\xf6\xf8-\u037d\u037f-\u1fff\u200c\u200d\u203f\u2040"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff]"
)


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def nmtoken(value: str) -> str:
    """``value`` usable as an XML id token: other characters become ``_``."""
    return _NOT_NAME.sub("_", value) or "_"


def render(doc: Document) -> str:
    """The XLIFF 2.1 file of one document."""
    from lxml import etree

    root = etree.Element(q(NS, "xliff"), nsmap={None: NS, "gls": GLS, "mda": MDA}, version=VERSION)
    set_attrs(root, srcLang="ar", trgLang="en")
    # canResegment="no": CAT tools keep our segmentation, which ``tarjama import`` relies on
    # (segment ids and counts must come back as they went out).
    file = sub(
        root, q(NS, "file"), id=nmtoken(doc.id), canResegment="no", srcDir="rtl", trgDir="ltr"
    )
    if doc.meta.source_path:
        set_attrs(file, original=doc.meta.source_path)
    set_attrs(file, xml_space="preserve")
    _metadata(file, doc)
    units = [[doc.title]] if doc.title is not None else [[]]
    units += doc.paragraphs
    for number, segments in enumerate(units):
        if segments:
            _unit(file, f"p{number}", "title" if number == 0 else f"paragraph {number}", segments)
    return serialize(root)


def _metadata(file: Any, doc: Document) -> None:
    fields = [("document", doc.id)]
    fields += [
        (key, getattr(doc.meta, key))
        for key in ("title", "site", "outlet", "byline", "date", "source_path", "encoding")
        if getattr(doc.meta, key)
    ]
    group = sub(sub(file, q(MDA, "metadata")), q(MDA, "metaGroup"), category="tarjama:document")
    for key, value in fields:
        sub(group, q(MDA, "meta"), value, type=key)


def _unit(file: Any, unit_id: str, name: str, segments: Sequence[Segment]) -> None:
    unit = sub(file, q(NS, "unit"), id=unit_id, name=name)
    marks = [
        (seg, [(f"m{i}-{k}", term) for k, term in enumerate(seg.terms, start=1)])
        for i, seg in enumerate(segments, start=1)
    ]
    entries = [(mark_id, term) for _, pairs in marks for mark_id, term in pairs]
    if entries:
        glossary = sub(unit, q(GLS, "glossary"))
        for mark_id, term in entries:
            entry = sub(glossary, q(GLS, "glossEntry"), ref=f"#{mark_id}")
            sub(entry, q(GLS, "term"), term.ar, source="tarjama glossary")
            sub(entry, q(GLS, "translation"), term.en, source="tarjama glossary")
            if term.type:
                sub(entry, q(GLS, "definition"), term.type)
    notes = [
        (seg, "glossary", f"{t.ar} = {t.en}: {t.verdict}")
        for seg in segments
        for t in seg.terms
        if t.verdict
    ]
    notes += [(seg, "qa", f"{f.code}: {f.message}") for seg in segments for f in seg.flags]
    notes += [(seg, "comment", n.text) for seg in segments for n in seg.notes]
    if notes:
        container = sub(unit, q(NS, "notes"))
        for seg, category, text in notes:
            note = f"{seg.id}: {text}"
            sub(container, q(NS, "note"), note, category=category, appliesTo="target")
    for seg, pairs in marks:
        state = seg.state if seg.state in STATES else "initial"
        if seg.target is None:
            state = "initial"
        segment = sub(unit, q(NS, "segment"), id=nmtoken(seg.id), state=state)
        sub_state = (seg.origin or {}).get("sub_state")
        if isinstance(sub_state, str) and sub_state:
            set_attrs(segment, subState=sub_state)  # kept from an imported file
        _inline(sub(segment, q(NS, "source")), seg.source, pairs)
        if seg.target is not None:
            _inline(sub(segment, q(NS, "target")), seg.target, [])
        if seg.space_after:
            _inline(sub(sub(unit, q(NS, "ignorable")), q(NS, "source")), seg.space_after, [])


def _inline(parent: Any, text: str, marks: Sequence[tuple[str, Term]]) -> None:
    """Fill ``parent`` with ``text``: terms as ``<mrk>``, forbidden characters as ``<cp>``."""
    pos = 0
    for mark_id, term in sorted(marks, key=lambda m: m[1].start):
        if term.start < pos or not 0 <= term.start < term.end <= len(text):
            continue  # overlapping or stale offsets: the term stays listed in the glossary
        _text(parent, text[pos : term.start])
        mrk = sub(parent, q(NS, "mrk"), id=mark_id, type="term")
        _text(mrk, text[term.start : term.end])
        pos = term.end
    _text(parent, text[pos:])


def _text(parent: Any, text: str) -> None:
    """Append ``text`` to the mixed content of ``parent``, invalid characters as ``<cp/>``."""
    from lxml import etree

    text = _SURROGATE.sub(REPLACEMENT, text)
    pos = 0
    for match in _CP.finditer(text):
        _append(parent, text[pos : match.start()])
        etree.SubElement(parent, q(NS, "cp"), hex=f"{ord(match.group()):04X}")
        pos = match.end()
    _append(parent, text[pos:])


def _append(parent: Any, text: str) -> None:
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
