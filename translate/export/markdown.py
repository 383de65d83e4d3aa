"""Markdown: the title and metadata, then an English | Arabic table per paragraph, a row per
sentence (the pieces of a sentence that segmentation split are one row).

Every cell is escaped (Markdown syntax and HTML alike), kept on one line, and stripped of the
characters HTML forbids, so a renderer shows the text and never runs or formats it.
"""

from __future__ import annotations

import re

from ..document import Document, Segment
from ._chars import one_line
from ._pieces import sentences

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~$])")


def _cell(text: str | None) -> str:
    if not text:
        return "—"
    text = _SPECIAL.sub(r"\\\1", one_line(text)).replace("&", "&amp;")
    return " ".join(text.split())


def _row(pieces: list[Segment]) -> str:
    """One table row per sentence; the pieces of a split sentence are joined."""
    arabic = "".join(s.source + (s.space_after or " ") for s in pieces[:-1]) + pieces[-1].source
    if all(s.target is None for s in pieces):
        english = _cell(None)
    else:
        english = " ".join(_cell(s.target) for s in pieces)
    flags = "".join(f" ⚑ {_cell(f.code)}" for s in pieces for f in s.flags)
    return f"| {english}{flags} | {_cell(arabic)} |"


def render(doc: Document) -> str:
    """The title as a heading, metadata, then one English | Arabic table row per sentence."""
    title_en = doc.title.target if doc.title else ""
    title_ar = doc.title.source if doc.title else doc.id
    out = [
        f"# {_cell(title_en) if title_en else _cell(title_ar)}",
        "",
        f"**{_cell(title_ar)}**",
        "",
    ]
    facts = [
        (k, getattr(doc.meta, k)) for k in ("outlet", "byline", "date") if getattr(doc.meta, k)
    ]
    out += [f"- {k}: {_cell(v)}" for k, v in facts]
    if facts:
        out.append("")
    for paragraph in doc.paragraphs:
        rows = [_row(pieces) for pieces in sentences(paragraph)]
        out += ["| English | العربية |", "| --- | --- |", *rows, ""]
    return "\n".join(out)
