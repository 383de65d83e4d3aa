"""Post-editing effort: HTER, edit counts and time spent, from the review's edit log.

HTER (human-targeted TER) is sacrebleu's TER, case-sensitive, between the machine output (the
hypothesis) and the English a person made of it (the reference): the share of words edited,
0 when a segment was approved as it was. It is computed per segment, per document and for the
batch, always with its signature. A segment counts once it is ``reviewed`` or ``final`` and the
log knows its machine output; segments sent back or reverted are not finished post-edits.

Post-edits are not independent references: scores against them measure how much was changed,
not how good the output is (see :func:`translate.evaluate.references.write_post_edits`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..document import Document

#: States in which a segment's English is a finished post-edit.
DONE = ("reviewed", "final")


class LogRow(Protocol):
    """What HTER needs of an edit-log row (:class:`translate.memory.LoggedEdit`)."""

    @property
    def segment(self) -> str: ...
    @property
    def document(self) -> str: ...
    @property
    def machine(self) -> str | None: ...
    @property
    def reviewer(self) -> str: ...
    @property
    def seconds(self) -> float: ...


@dataclass(frozen=True, slots=True)
class PostEdit:
    """A segment's machine output and the English a person made of it."""

    segment: str
    document: str
    source: str
    machine: str
    post_edit: str
    saves: int  # edits logged for the segment
    seconds: float  # time spent on it, all edits together
    reviewers: tuple[str, ...]


def post_edits(docs: Sequence[Document], log: Sequence[LogRow]) -> list[PostEdit]:
    """The finished post-edits of ``docs``, in document order."""
    rows: dict[str, list[LogRow]] = defaultdict(list)
    for row in log:
        rows[row.segment].append(row)
    out: list[PostEdit] = []
    for doc in docs:
        for seg in doc.segments():
            mine = rows.get(seg.id)
            if not mine or seg.target is None or seg.state not in DONE:
                continue
            machine = next((r.machine for r in reversed(mine) if r.machine is not None), None)
            if machine is None:
                continue
            out.append(
                PostEdit(
                    segment=seg.id,
                    document=doc.id,
                    source=seg.source,
                    machine=machine,
                    post_edit=seg.target,
                    saves=len(mine),
                    seconds=round(sum(r.seconds for r in mine), 1),
                    reviewers=tuple(dict.fromkeys(r.reviewer for r in mine)),
                )
            )
    return out


def _metric() -> Any:
    from sacrebleu.metrics import TER

    return TER(case_sensitive=True)


def effort(docs: Sequence[Document], log: Sequence[LogRow]) -> dict[str, Any]:
    """The ``post_editing`` section of ``report.json``; empty when nothing was edited.

    Keys: ``hter`` (score, signature) for the batch, ``segments`` post-edited, ``changed``
    (segments whose English differs from the machine's), ``saves`` and ``seconds`` over the whole
    log, ``reviewers`` (saves per reviewer), ``documents`` (per document: hter, segments,
    saves, seconds) and ``by_segment`` (per segment: hter, saves, seconds, both texts).
    """
    if not log:
        return {}
    edits = post_edits(docs, log)
    ter = _metric()
    signature = ""
    if edits:  # sacrebleu knows its signature once it has scored (the number of references)
        score = ter.corpus_score([e.machine for e in edits], [[e.post_edit for e in edits]])
        signature = str(ter.get_signature())
    section: dict[str, Any] = {
        "metric": "HTER: sacrebleu TER (case-sensitive) of the machine output against its "
        "post-edit; lower is less editing",
        "signature": signature,
        "hter": None,
        "segments": len(edits),
        "changed": sum(e.machine != e.post_edit for e in edits),
        "saves": len(log),
        "seconds": round(sum(r.seconds for r in log), 1),
        "reviewers": dict(Counter(r.reviewer for r in log).most_common()),
        "documents": {},
        "by_segment": [],
    }
    if edits:
        section["hter"] = {"score": round(score.score, 2), "signature": signature}
    per_doc_log: dict[str, list[LogRow]] = defaultdict(list)
    for row in log:
        per_doc_log[row.document].append(row)
    by_doc: dict[str, list[PostEdit]] = defaultdict(list)
    for e in edits:
        by_doc[e.document].append(e)
        section["by_segment"].append(
            {
                "id": e.segment,
                "document": e.document,
                "hter": round(ter.sentence_score(e.machine, [e.post_edit]).score, 2),
                "saves": e.saves,
                "seconds": e.seconds,
                "reviewers": list(e.reviewers),
                "source": e.source,
                "machine": e.machine,
                "post_edit": e.post_edit,
            }
        )
    for doc in docs:
        rows = per_doc_log.get(doc.id)
        if not rows:
            continue
        mine = by_doc.get(doc.id, [])
        entry: dict[str, Any] = {
            "hter": None,
            "segments": len(mine),
            "saves": len(rows),
            "seconds": round(sum(r.seconds for r in rows), 1),
        }
        if mine:
            score = ter.corpus_score([e.machine for e in mine], [[e.post_edit for e in mine]])
            entry["hter"] = round(score.score, 2)
        section["documents"][doc.id] = entry
    return section
