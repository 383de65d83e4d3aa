"""Terminology accuracy: glossary terms found in the output, and in the references."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..document import Document
from ..glossary import english_has
from .references import References
from .scores import sentences


def _pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _term_counts(docs: Sequence[Document], references: References | None) -> dict[str, Any]:
    """Terminology accuracy: is each glossary term's English in the output, and in the reference.

    ``agreement`` crosses the two for terms in segments that have a reference: ``both`` (output
    and reference use the glossary English), ``output_only``, ``reference_only`` (a term the
    reference confirms and the output lacks: the clearest miss) and ``neither`` (the reference
    renders it differently: check the glossary or the reference).
    """
    total = present = with_ref = 0
    agreement = Counter({"both": 0, "output_only": 0, "reference_only": 0, "neither": 0})
    verdicts: Counter[str] = Counter()
    by_term: dict[str, dict[str, Any]] = {}
    for doc in docs:
        for seg in sentences(doc):
            found = references.get(seg.source) if references else []
            for term in seg.terms:
                if term.verdict:
                    verdicts[term.verdict] += 1
                key = term.entry or term.ar
                item = by_term.setdefault(
                    key,
                    {
                        "en": term.en,
                        "type": term.type,
                        "total": 0,
                        "present": 0,
                        "accuracy": None,
                        "with_reference": 0,
                        "reference_has": 0,
                        "missing": [],
                        "verdicts": {},
                    },
                )
                item["total"] += 1
                total += 1
                if term.verdict:
                    item["verdicts"][term.verdict] = item["verdicts"].get(term.verdict, 0) + 1
                # An untranslated segment's terms count as missing; the report is partial.
                has = seg.target is not None and english_has(seg.target, term.en)
                present += has
                item["present"] += has
                if not has:
                    item["missing"].append(seg.id)
                if found and seg.target is not None:
                    ref_has = any(english_has(r, term.en) for r in found)
                    with_ref += 1
                    item["with_reference"] += 1
                    item["reference_has"] += ref_has
                    cell = ("both" if has else "reference_only") if ref_has else None
                    cell = cell or ("output_only" if has else "neither")
                    agreement[cell] += 1
    for item in by_term.values():
        item["accuracy"] = _pct(item["present"], item["total"])
    summary = {
        "total": total,
        "present": present,
        "accuracy": _pct(present, total),
        "with_reference": with_ref,
        "agreement": dict(agreement),
        "reference_confirmed_accuracy": _pct(
            agreement["both"], agreement["both"] + agreement["reference_only"]
        ),
        "verdicts": dict(sorted(verdicts.items())),
    }
    return {"summary": summary, "by_term": dict(sorted(by_term.items()))}
