"""The evaluation report: :func:`evaluate` builds ``report.json``, :func:`render_html` renders it.

Every score carries its sacrebleu signature, which makes it reproducible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..document import Document, Segment
from ..errors import WorkspaceError
from ..glossary import Glossary
from ..qa import DEFAULT_CALIBRATION, DESCRIPTIONS, QAOptions, calibrate, qa
from ..qa import summary as qa_summary
from .hter import LogRow, effort
from .references import References, reference_key
from .scores import METRICS, CorpusScorer, _sentence_chrf, sentences
from .terms import _term_counts

#: How many segments the report shows as the ones to look at first.
WORST = 10


def evaluate(
    docs: Sequence[Document],
    references: References | None = None,
    extra: dict[str, Any] | None = None,
    *,
    glossary: Glossary | None = None,
    qa_options: QAOptions | None = None,
    worst: int = WORST,
    edit_log: Sequence[LogRow] | None = None,
) -> dict[str, Any]:
    """Score and check translated documents; returns the report (the content of ``report.json``).

    Sets the QA flags of every segment (:func:`translate.qa.qa`), with the length range
    calibrated on ``references`` when there are enough of them. Segments without a reference are
    left out of the scores and listed; untranslated segments make the report ``partial`` and are
    listed too.

    Args:
        docs: the documents; their segments' ``flags`` are replaced by this run's QA.
        references: reference translations, or None for QA and terminology only.
        extra: more top-level keys (``model``, ``glossary``…); they override the defaults.
        glossary: the glossary, for the ``avoid`` check and its hash in the report.
        qa_options: QA settings; by default built from ``glossary`` and ``references``.
        worst: how many segments to list as the ones to look at first.
        edit_log: the review's edit log (:meth:`translate.memory.TranslationMemory.edit_log`);
            when it has rows, the report gets post-editing effort (HTER, edits, time spent:
            :mod:`.hter`) for the batch, each document and each post-edited segment.

    Raises:
        WorkspaceError: nothing in ``docs`` is translated yet.
    """
    import sacrebleu

    segments = [(doc, seg) for doc in docs for seg in doc.segments()]
    if not segments:
        raise WorkspaceError("the documents have no segments; nothing to evaluate")
    untranslated = [seg.id for _, seg in segments if seg.target is None]
    if len(untranslated) == len(segments):
        raise WorkspaceError("no segment is translated yet; run `tarjama translate DIR` first")
    calibration = calibrate(references.pairs) if references else DEFAULT_CALIBRATION
    options = qa_options or QAOptions(glossary=glossary, calibration=calibration)
    for doc in docs:
        qa(doc, options)

    origins = [seg.origin for _, seg in segments if seg.origin]
    report: dict[str, Any] = {
        "tarjama": __version__,
        "sacrebleu": sacrebleu.__version__,
        "model": ", ".join(sorted({str(o.get("model")) for o in origins if o.get("model")})),
        "glossary": glossary.digest if glossary is not None else "",
        "glossary_at_translation": sorted(
            {str(o["glossary"]) for o in origins if o.get("glossary")}
        ),
        "references": references.files if references else [],
        **(extra or {}),
    }
    if references and references.post_edited:
        # Post-edits of machine output written out as references: never independent ones.
        report["post_edit_references"] = references.post_edited
    report.update(
        {
            "partial": bool(untranslated),
            "untranslated": untranslated,
            "untranslated_documents": [d.id for d in docs if not d.is_translated],
            "signatures": {},
            "documents": {},
        }
    )
    sentence_chrf = _sentence_chrf()
    all_hyps: list[str] = []
    all_refs: list[list[str]] = []
    rows: list[dict[str, Any]] = []
    texts: dict[str, tuple[Segment, list[str]]] = {}
    missing: list[str] = []
    per_count: Counter[int] = Counter()
    used_keys: set[str] = set()
    spans: list[tuple[dict[str, Any], int, int, dict[str, float]]] = []
    for doc in docs:
        hyps: list[str] = []
        refs: list[list[str]] = []
        seg_scores: dict[str, float] = {}
        for seg in sentences(doc):
            found = references.get(seg.source) if references else []
            if found:
                used_keys.add(reference_key(seg.source))
            texts[seg.id] = (seg, found)
            row: dict[str, Any] = {
                "id": seg.id,
                "document": doc.id,
                "chrf": None,
                "references": len(found),
                "flags": [f.code for f in seg.flags],
            }
            rows.append(row)
            if seg.target is None or references is None:
                continue
            if not found:
                missing.append(seg.id)
                continue
            hyps.append(seg.target)
            refs.append(found)
            per_count[len(found)] += 1
            score = sentence_chrf.sentence_score(seg.target, found).score
            seg_scores[seg.id] = row["chrf"] = score
        entry: dict[str, Any] = {
            "title": {
                "ar": doc.title.source if doc.title else "",
                "en": (doc.title.target or "") if doc.title else "",
            },
            "segments": sum(1 for _ in doc.segments()),
            "translated": sum(1 for s in doc.segments() if s.target is not None),
            "with_reference": len(hyps),
        }
        spans.append((entry, len(all_hyps), len(all_hyps) + len(hyps), seg_scores))
        entry["terms"] = _term_counts([doc], references)["summary"]
        entry["flags"] = {k: v for k, v in qa_summary([doc]).items() if v}
        report["documents"][doc.id] = entry
        all_hyps += hyps
        all_refs += refs
    # Every hypothesis scored once; each document's scores are a slice of the corpus's.
    scorer = CorpusScorer(all_hyps, all_refs)
    for entry, start, end, seg_scores in spans:
        if end > start:
            tail = {k: entry.pop(k) for k in ("terms", "flags")}
            entry.update(scorer.scores(start, end))
            entry["sentence_chrf"] = seg_scores
            entry.update(tail)
    if all_hyps:
        report["corpus"] = {**scorer.scores(), "segments": len(all_hyps)}
        report["signatures"] = {m: report["corpus"][m]["signature"] for m in METRICS}
        report["signatures"]["sentence_chrf"] = str(sentence_chrf.get_signature())
    report["coverage"] = {
        "segments": len(segments),
        "translated": len(segments) - len(untranslated),
        "with_reference": len(all_hyps),
        "without_reference": missing,
        "references_per_segment": {str(k): per_count[k] for k in sorted(per_count)},
        "reference_sentences": len(references) if references else 0,
        "references_unused": len(set(references.by_key) - used_keys) if references else 0,
    }
    terms = _term_counts(docs, references)
    report["terms"] = {**terms["summary"], "by_term": terms["by_term"]}
    report["qa"] = {
        "calibration": options.calibration.to_dict(),
        "flags": qa_summary(docs),
        "segments_flagged": sum(1 for r in rows if r["flags"]),
        "descriptions": DESCRIPTIONS,
    }
    report["segments"] = rows
    report["worst"] = _worst(rows, texts, worst)
    if edit_log:
        _post_editing(report, docs, edit_log)
    return report


def _post_editing(report: dict[str, Any], docs: Sequence[Document], log: Sequence[LogRow]) -> None:
    """Add post-editing effort to the report: its section, per document, per segment row."""
    section = effort(docs, log)
    report["post_editing"] = section
    for doc_id, entry in section["documents"].items():
        if doc_id in report["documents"]:
            report["documents"][doc_id]["post_editing"] = entry
    by_id = {s["id"]: s["hter"] for s in section["by_segment"]}
    for row in report["segments"]:
        if row["id"] in by_id:
            row["hter"] = by_id[row["id"]]
    if section["hter"]:
        report["signatures"]["hter"] = section["signature"]


def _worst(
    rows: list[dict[str, Any]], texts: dict[str, tuple[Segment, list[str]]], n: int
) -> dict[str, Any]:
    scored = [r for r in rows if r["chrf"] is not None]
    if scored:
        by = "chrf"
        chosen = sorted(scored, key=lambda r: (r["chrf"], r["id"]))[:n]
    else:
        by = "flags"
        flagged = [r for r in rows if r["flags"]]
        chosen = sorted(flagged, key=lambda r: (-len(r["flags"]), r["id"]))[:n]
    out = []
    for row in chosen:
        seg, refs = texts[row["id"]]
        out.append(
            {
                "id": seg.id,
                "document": row["document"],
                "chrf": row["chrf"],
                "source": seg.source,
                "target": seg.target,
                "references": refs,
                "flags": [{"code": f.code, "message": f.message} for f in seg.flags],
            }
        )
    return {"by": by, "segments": out}


def histogram(values: Sequence[float], bins: int = 10) -> list[dict[str, Any]]:
    """Counts of sentence scores (0–100) in ``bins`` equal bins; 100 falls in the last."""
    width = 100 / bins
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v // width)))] += 1
    return [
        {"low": round(i * width), "high": round((i + 1) * width), "count": c}
        for i, c in enumerate(counts)
    ]


def render_html(
    report: dict[str, Any], pages: dict[str, str] | None = None, index: str | None = None
) -> str:
    """``report.html``: the report for people, self-contained (inline CSS and SVG, no scripts).

    ``pages`` maps document ids to their side-by-side pages (links relative to the report), so
    that documents and segments link to where an editor corrects them; ``index`` is the
    edition's index page.
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("translate", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    scores = [r["chrf"] for r in report.get("segments", []) if r.get("chrf") is not None]
    bins = histogram(scores)
    post = report.get("post_editing") or {}
    hters = [s["hter"] for s in post.get("by_segment", [])]
    hter_bins = histogram(hters)
    template = env.get_template("report.html.j2")
    return str(
        template.render(
            report=report,
            bins=bins,
            peak=max([b["count"] for b in bins] + [1]),
            scored=len(scores),
            pages=pages or {},
            index=index,
            post=post,
            hter_bins=hter_bins,
            hter_peak=max([b["count"] for b in hter_bins] + [1]),
        )
    )
