"""Side-by-side HTML pages and the edition index, through Jinja2 with autoescaping on.

Pages are self-contained (inline CSS and one small inline script, system fonts, nothing fetched
from the network), valid HTML5, with ``lang``/``dir`` on every text block so browsers shape and
order Arabic correctly. Each sentence pair is one grid row, so the two languages stay level
whatever their lengths; a sentence split into pieces (``continues``) is joined back into one
row. Links are relative, so an edition works from the file system and from any static server.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..document import Document, Segment, Term
from ..glossary import english_spans
from ._pieces import sentences

VERDICTS = {
    "kept": "the English has the glossary rendering",
    "forced": "the glossary rendering was enforced while translating",
    "missed": "the English lacks the glossary rendering",
    "avoided": "the English uses a rendering the glossary avoids",
}


@dataclass(slots=True)
class Piece:
    """A run of text, and the glossary terms it belongs to (empty: plain text)."""

    text: str
    keys: tuple[str, ...] = ()
    verdict: str = ""
    hint: str = ""


@dataclass(slots=True)
class Row:
    """One line of the page: a sentence (or the pieces of one) in both languages."""

    id: str
    label: str
    ar: list[Piece]
    en: list[Piece]
    translated: bool
    state: str
    terms: list[tuple[str, Term]] = field(default_factory=list)
    flags: list[Any] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Term]:
        """Terms the English got wrong that no QA flag already mentions."""
        said = " ".join(f.message for f in self.flags)
        return [t for _, t in self.terms if t.verdict in ("missed", "avoided") and t.ar not in said]


def page_name(doc_id: str) -> str:
    """The file name of a document's page (never ``index.html``, which is the edition's)."""
    return f"{doc_id}-article.html" if doc_id.lower() == "index" else f"{doc_id}.html"


@lru_cache(maxsize=1)
def _env() -> Any:
    from ..templating import environment

    env = environment()
    env.filters["page_name"] = page_name
    env.filters["file_name"] = lambda path: re.split(r"[\\/]", path)[-1]
    env.globals["VERDICTS"] = VERDICTS
    return env


def _pieces(text: str, spans: Sequence[tuple[int, int, str, str, str]]) -> list[Piece]:
    """Split ``text`` at the term spans ``(start, end, key, verdict, hint)``.

    Spans with the same extent merge (two Arabic spellings of one name both point at the
    English ``Kobani``); overlapping ones are dropped after the first.
    """
    merged: dict[tuple[int, int], Piece] = {}
    for start, end, key, verdict, hint in spans:
        if not 0 <= start < end <= len(text):
            continue
        piece = merged.setdefault((start, end), Piece(text[start:end], (), verdict, hint))
        piece.keys += (key,)
        if verdict and not piece.verdict:
            piece.verdict = verdict
    out: list[Piece] = []
    pos = 0
    for (start, end), piece in sorted(merged.items()):
        if start < pos:
            continue
        if start > pos:
            out.append(Piece(text[pos:start]))
        out.append(piece)
        pos = end
    if pos < len(text):
        out.append(Piece(text[pos:]))
    return out


def _hint(term: Term, arabic: bool) -> str:
    other = term.en if arabic else term.ar
    return f"{other} · {term.verdict}" if term.verdict else other


def _rows(segments: Sequence[Segment], paragraph: int) -> list[Row]:
    """Rows of one paragraph; pieces of a sentence (``continues``) share a row."""
    return [_row(group, f"{paragraph}.{n}") for n, group in enumerate(sentences(segments), 1)]


def _row(group: Sequence[Segment], label: str) -> Row:
    row = Row(
        id=group[0].id,
        label=label,
        ar=[],
        en=[],
        translated=all(s.target is not None for s in group),
        state=min(group, key=_state_rank).state,
        ids=[s.id for s in group],
    )
    for i, seg in enumerate(group):
        keys = [(f"{i}-{k}", term) for k, term in enumerate(seg.terms)]
        row.terms += keys
        row.flags += seg.flags
        last = i == len(group) - 1
        ar_spans = [(t.start, t.end, key, t.verdict or "", _hint(t, True)) for key, t in keys]
        row.ar += _pieces(seg.source + ("" if last else seg.space_after), ar_spans)
        target = seg.target or ""
        en_spans = [
            (start, end, key, t.verdict or "", _hint(t, False))
            for key, t in keys
            for start, end in english_spans(target, t.en)
        ]
        if row.en and target:
            row.en.append(Piece(" "))
        row.en += _pieces(target, en_spans)
    return row


def _state_rank(seg: Segment) -> int:
    order = ("initial", "translated", "reviewed", "final")
    return order.index(seg.state) if seg.state in order else 0


def _summary(doc: Document) -> dict[str, Any]:
    """What the page header and the index say about a document's translation."""
    segments = list(doc.segments())
    verdicts = Counter(t.verdict for s in segments for t in s.terms if t.verdict)
    models = sorted(
        {str(s.origin["model"]) for s in segments if s.origin and s.origin.get("model")}
    )
    states = Counter(s.state for s in segments)
    return {
        "sentences": len(segments),
        "translated": sum(s.target is not None for s in segments),
        "people": states["reviewed"] + states["final"],
        "flagged": sum(bool(s.flags) for s in segments),
        "terms": sum(len(s.terms) for s in segments),
        "verdicts": [(v, verdicts[v]) for v in VERDICTS if verdicts[v]],
        "models": models,
    }


def render(doc: Document) -> str:
    """The side-by-side page of one document."""
    title = _row([doc.title], "0") if doc.title else None
    paragraphs = [_rows(p, n) for n, p in enumerate(doc.paragraphs, start=1)]
    return str(
        _env()
        .get_template("page.html.j2")
        .render(doc=doc, title=title, paragraphs=paragraphs, summary=_summary(doc))
    )


def render_index(
    docs: Sequence[Document],
    report: Mapping[str, Any] | None = None,
    report_href: str | None = None,
) -> str:
    """The edition index: titles in both languages, outlet, date, scores when evaluated, and a
    link to the quality report (``report_href``, relative to the index) when there is one."""
    report = report or {}
    per_doc = report.get("documents") or {}
    entries: list[dict[str, Any]] = [
        {
            "doc": doc,
            "summary": _summary(doc),
            "scores": _scores(per_doc.get(doc.id) or {}),
            "coverage": _coverage(per_doc.get(doc.id) or {}),
        }
        for doc in docs
    ]
    corpus = report.get("corpus") or {}
    return str(
        _env()
        .get_template("index.html.j2")
        .render(
            entries=entries,
            models=sorted({m for e in entries for m in e["summary"]["models"]}),
            scores=_scores(corpus),
            signatures=[s["signature"] for s in corpus.values() if _signed(s)],
            coverage=_coverage(report.get("coverage") or {}),
            report_href=report_href,
        )
    )


def _scores(entry: Mapping[str, Any]) -> list[tuple[str, float]]:
    """(label, score) of the metrics a report entry holds, chrF++ first."""
    labels = (("chrf", "chrF++"), ("bleu", "BLEU"), ("ter", "TER"))
    return [
        (label, float(entry[key]["score"]))
        for key, label in labels
        if isinstance(entry.get(key), Mapping) and entry[key].get("score") is not None
    ]


def _signed(score: object) -> bool:
    return isinstance(score, Mapping) and bool(score.get("signature"))


def _coverage(entry: Mapping[str, Any]) -> tuple[int, int] | None:
    """(sentences with a reference, sentences) when the report says."""
    if "with_reference" in entry and "segments" in entry:
        total = entry["segments"]
        return int(entry["with_reference"]), total if isinstance(total, int) else len(total)
    return None
