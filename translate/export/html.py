"""Side-by-side HTML pages and the batch index, through Jinja2 with autoescaping on.

Pages are self-contained (inline CSS, system fonts, no scripts from the network), valid HTML5,
with ``lang``/``dir`` set on every text block so browsers shape and order Arabic correctly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..document import Document, Segment
from ..glossary import english_spans

# Characters HTML forbids in text (NUL, other C0 controls but tab/newline, non-characters).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _FORBIDDEN.sub("\ufffd", text)


@lru_cache(maxsize=1)
def _env() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("translate", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clean"] = _clean
    return env


def _pieces(text: str, spans: Sequence[tuple[int, int, int]]) -> list[tuple[str, int | None]]:
    """Split ``text`` into (piece, term index or None) for highlighting."""
    out: list[tuple[str, int | None]] = []
    pos = 0
    for start, end, k in sorted(spans):
        if start < pos:
            continue
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], k))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def _row(seg: Segment) -> dict[str, Any]:
    ar = _pieces(seg.source, [(t.start, t.end, k) for k, t in enumerate(seg.terms)])
    target = seg.target or ""
    en_spans = [(s, e, k) for k, t in enumerate(seg.terms) for s, e in english_spans(target, t.en)]
    return {
        "seg": seg,
        "ar": ar,
        "en": _pieces(target, en_spans),
        "terms": seg.terms,
        "flags": seg.flags,
    }


def render(doc: Document) -> str:
    """The side-by-side page of one document."""
    title = _row(doc.title) if doc.title else None
    paragraphs = [[_row(s) for s in p] for p in doc.paragraphs]
    return str(
        _env().get_template("page.html.j2").render(doc=doc, title=title, paragraphs=paragraphs)
    )


def render_index(docs: Sequence[Document], report: dict[str, Any] | None = None) -> str:
    """The index of a batch: titles in both languages, outlet, date, scores when evaluated."""
    scores = (report or {}).get("documents", {})
    return str(_env().get_template("index.html.j2").render(docs=docs, scores=scores, report=report))
