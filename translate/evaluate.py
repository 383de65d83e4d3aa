"""Evaluation: sacrebleu scores against reference translations, and terminology presence.

References are keyed by the Arabic sentence they translate, matched on a folded form of it (see
:func:`reference_key`), so they survive changes in segmentation and in how the text was cleaned.
Every score carries its sacrebleu signature, which makes it reproducible.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .arabic import fold
from .document import Document
from .errors import ReferencesError, WorkspaceError
from .glossary import english_has

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def reference_key(arabic: str) -> str:
    """The matching key of an Arabic sentence: folded words, punctuation and spacing ignored."""
    return " ".join(_WORD.findall(fold(arabic).text))


@dataclass(slots=True)
class References:
    """English reference translations, keyed by :func:`reference_key` of their Arabic."""

    by_key: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def get(self, arabic: str) -> list[str]:
        return self.by_key.get(reference_key(arabic), [])

    def __len__(self) -> int:
        return len(self.by_key)


def load_references(paths: Sequence[Path]) -> References:
    """Read reference TSV files (header ``ar<TAB>en``), or folders of them.

    Raises:
        ReferencesError: a file is missing, not UTF-8, or has malformed rows (file and line named).
    """
    refs = References()
    for path in paths:
        files = sorted(path.glob("*.tsv")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            raise ReferencesError(f"{path}: no .tsv reference files in this folder")
        for file in files:
            _read_tsv(file, refs)
    return refs


def _read_tsv(path: Path, refs: References) -> None:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise ReferencesError(f"{path}: no such reference file; check --references") from exc
    except OSError as exc:
        raise ReferencesError(f"{path}: cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ReferencesError(f"{path}: not UTF-8 (byte {exc.start}); save it as UTF-8") from exc
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["ar", "en"]:
        raise ReferencesError(f"{path}:1: expected a header row `ar<TAB>en`")
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != 2:
            raise ReferencesError(
                f"{path}:{lineno}: expected 2 tab-separated columns (ar, en); got {len(row)}"
            )
        ar, en = row[0].strip(), row[1].strip()
        if not ar or not en:
            raise ReferencesError(
                f"{path}:{lineno}: empty {'ar' if not ar else 'en'} cell; every "
                "row needs the Arabic sentence and its English"
            )
        refs.by_key.setdefault(reference_key(ar), []).append(en)
    refs.files.append(str(path))


def _scores(hyps: list[str], refs: list[str]) -> dict[str, Any]:
    from sacrebleu.metrics import BLEU, CHRF, TER

    out: dict[str, Any] = {}
    for name, metric in (("bleu", BLEU()), ("chrf", CHRF(word_order=2)), ("ter", TER())):
        result = metric.corpus_score(hyps, [refs])
        out[name] = {
            "score": result.score,
            "text": str(result),
            "signature": str(metric.get_signature()),
        }
    return out


def evaluate(
    docs: Sequence[Document], references: References | None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Score translated documents; returns the report (the content of ``report.json``).

    Segments without a reference are left out of the scores and listed; untranslated segments
    make the report ``partial``.

    Raises:
        WorkspaceError: nothing in ``docs`` is translated yet.
    """
    from sacrebleu.metrics import CHRF

    segments = [(doc, seg) for doc in docs for seg in doc.segments()]
    untranslated = [seg.id for _, seg in segments if seg.target is None]
    if segments and len(untranslated) == len(segments):
        raise WorkspaceError("no segment is translated yet; run `tarjama translate DIR` first")
    sentence_chrf = CHRF(word_order=2)
    report: dict[str, Any] = {
        "tarjama": __version__,
        **(extra or {}),
        "references": references.files if references else [],
        "partial": bool(untranslated),
        "untranslated": untranslated,
        "documents": {},
    }
    all_hyps: list[str] = []
    all_refs: list[str] = []
    terms_total = terms_present = 0
    missing: list[str] = []
    for doc in docs:
        hyps: list[str] = []
        refs: list[str] = []
        seg_scores = {}
        for seg in doc.segments():
            for term in seg.terms:
                terms_total += 1
                terms_present += bool(seg.target and english_has(seg.target, term.en))
            if seg.target is None or references is None:
                continue
            found = references.get(seg.source)
            if not found:
                missing.append(seg.id)
                continue
            hyps.append(seg.target)
            refs.append(found[0])
            seg_scores[seg.id] = sentence_chrf.sentence_score(seg.target, found[:1]).score
        entry: dict[str, Any] = {
            "segments": sum(1 for _ in doc.segments()),
            "with_reference": len(hyps),
        }
        if hyps:
            entry.update(_scores(hyps, refs))
            entry["sentence_chrf"] = seg_scores
        report["documents"][doc.id] = entry
        all_hyps += hyps
        all_refs += refs
    report["coverage"] = {
        "segments": len(segments),
        "with_reference": len(all_hyps),
        "without_reference": missing,
    }
    report["terms"] = {
        "total": terms_total,
        "present": terms_present,
        "accuracy": (100.0 * terms_present / terms_total) if terms_total else None,
    }
    if all_hyps:
        report["corpus"] = _scores(all_hyps, all_refs)
    return report
