"""Markdown: a two-column table per paragraph, Arabic on the right as it is read."""

from __future__ import annotations

import re

from ..document import Document, Segment

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|])")


def _cell(text: str | None) -> str:
    if not text:
        return "—"
    # Escape Markdown syntax and HTML, and keep table cells on one line.
    text = _SPECIAL.sub(r"\\\1", text).replace("&", "&amp;")
    return " ".join(text.split())


def _rows(segments: list[Segment]) -> list[str]:
    return [f"| {_cell(s.target)} | {_cell(s.source)} |" for s in segments]


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
        out += ["| English | العربية |", "| --- | --- |", *_rows(paragraph), ""]
    return "\n".join(out)
