"""TMX 1.4b: a translation memory of the document's translated sentence pairs.

One ``<tu>`` per translated segment, Arabic then English ``<tuv>`` (``xml:lang`` ``ar``/``en``),
with our segment id, document and state as ``<prop>`` elements (``x-`` types, as TMX asks for
user-defined properties). Untranslated segments are left out: a memory holds pairs. Validates
against the LISA TMX 1.4b DTD; characters XML forbids become U+FFFD.
"""

from __future__ import annotations

from .. import __version__
from ..document import Document, Segment
from ._xml import creation_date, serialize, sub

DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
SOURCE_LANG = "ar"
TARGET_LANG = "en"


def render(doc: Document) -> str:
    """The TMX 1.4b file of one document."""
    from lxml import etree

    root = etree.Element("tmx", version="1.4")
    date = creation_date().strftime("%Y%m%dT%H%M%SZ")  # TMX's own date format
    header = sub(
        root,
        "header",
        creationtool="tarjama",
        creationtoolversion=__version__,
        segtype="sentence",
        o_tmf="tarjama",
        adminlang="en",
        srclang=SOURCE_LANG,
        datatype="plaintext",
        o_encoding="UTF-8",
        creationdate=date,
    )
    sub(header, "prop", doc.id, type="x-document")
    for key in ("title", "outlet", "date", "source_path"):
        value = getattr(doc.meta, key)
        if value:
            sub(header, "prop", value, type=f"x-{key.replace('_', '-')}")
    body = sub(root, "body")
    for seg in doc.segments():
        if seg.target is not None:
            _tu(body, doc, seg, date)
    return serialize(root, DOCTYPE)


def _tu(body: object, doc: Document, seg: Segment, date: str) -> None:
    tu = sub(body, "tu", tuid=seg.id, srclang=SOURCE_LANG, creationdate=date)
    sub(tu, "prop", seg.id, type="x-segment-id")
    sub(tu, "prop", doc.id, type="x-document")
    sub(tu, "prop", seg.state, type="x-state")
    if seg.origin and seg.origin.get("model"):
        sub(tu, "prop", str(seg.origin["model"]), type="x-model")
    for term in seg.terms:
        verdict = f" ({term.verdict})" if term.verdict else ""
        sub(tu, "note", f"glossary: {term.ar} = {term.en}{verdict}")
    for flag in seg.flags:
        sub(tu, "note", f"{flag.code}: {flag.message}")
    for lang, text in ((SOURCE_LANG, seg.source), (TARGET_LANG, seg.target or "")):
        tuv = sub(tu, "tuv", xml_lang=lang)
        sub(tuv, "seg", text)
