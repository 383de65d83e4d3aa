"""Evaluation: sacrebleu scores, terminology accuracy, QA flags, comparisons and the reports.

References are keyed by the Arabic sentence they translate, matched on a folded form of it (see
:func:`reference_key`), so they survive changes in segmentation and in how the text was cleaned.
They come as TSV files (header ``ar<TAB>en``, one row per sentence; several rows with the same
Arabic give several references) or as a ``.en`` file line-aligned with a ``.ar`` file. A segment
may have any number of references: they are passed to sacrebleu as reference streams padded with
``None``, sacrebleu's own way of saying "no reference in this stream for this segment" (an empty
string would be scored as an empty reference and lower TER's average reference length).

Every score carries its sacrebleu signature, which makes it reproducible. :func:`evaluate` returns
the content of ``report.json``; :func:`render_html` renders it as ``report.html``;
:func:`compare` runs sacrebleu's paired bootstrap resampling on two outputs of the same sources.
"""

from __future__ import annotations

import codecs
import csv
import math
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from . import __version__
from .arabic import arabic_ratio, fold
from .document import Document, Segment
from .errors import InputError, ReferencesError, UsageError, WorkspaceError
from .glossary import Glossary, english_has
from .qa import DEFAULT_CALIBRATION, DESCRIPTIONS, QAOptions, calibrate, qa
from .qa import summary as qa_summary

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

#: Report keys, by metric: the corpus-level metrics and their sacrebleu names.
METRICS = {"bleu": "BLEU", "chrf": "chrF2++", "ter": "TER"}
#: How many segments the report shows as the ones to look at first.
WORST = 10


def reference_key(arabic: str) -> str:
    """The matching key of an Arabic sentence: folded words, punctuation and spacing ignored."""
    return " ".join(_WORD.findall(fold(arabic).text))


# --- references -------------------------------------------------------------------------------


@dataclass(slots=True)
class References:
    """English reference translations, keyed by :func:`reference_key` of their Arabic."""

    by_key: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (Arabic as written, English)

    def get(self, arabic: str) -> list[str]:
        return self.by_key.get(reference_key(arabic), [])

    def add(self, arabic: str, english: str) -> None:
        found = self.by_key.setdefault(reference_key(arabic), [])
        if english not in found:  # the same sentence in two files is one reference, not two
            found.append(english)
            self.pairs.append((arabic, english))

    def __len__(self) -> int:
        return len(self.by_key)


def load_references(paths: Sequence[Path], sources: Path | None = None) -> References:
    """Read reference files: TSV (``ar<TAB>en``), ``.en`` files line-aligned with Arabic, folders.

    A ``.en`` file takes its Arabic from ``sources`` when given, else from the ``.ar`` file of the
    same name beside it. Several files, or several rows with the same Arabic, give a segment
    several references.

    Raises:
        ReferencesError: a file is missing, not UTF-8, empty, misaligned or has malformed rows
            (file and line named, with the fix).
    """
    refs = References()
    for path in paths:
        if path.is_dir():
            files = sorted([*path.glob("*.tsv"), *path.glob("*.en")])
            if not files:
                raise ReferencesError(
                    f"{path}: no .tsv or .en reference files in this folder; check --references"
                )
        else:
            files = [path]
        for file in files:
            suffix = file.suffix.lower()
            if suffix == ".tsv":
                _read_tsv(file, refs)
            elif suffix == ".en":
                _read_pair(file, sources or file.with_suffix(".ar"), refs, explicit=bool(sources))
            elif suffix == ".ar":
                raise ReferencesError(
                    f"{file}: this is the Arabic side; give the English file "
                    f"({file.with_suffix('.en')}) to --references, its .ar is found beside it"
                )
            elif not file.exists():
                raise ReferencesError(f"{file}: no such reference file or folder; check the path")
            else:
                raise ReferencesError(
                    f"{file}: unknown reference format {file.suffix or '(no suffix)'!r}; use a "
                    ".tsv with columns ar, en, or a .en file with its .ar beside it"
                )
    return refs


def read_text(path: Path, what: str = "reference") -> str:
    """Read a text file as UTF-8 (BOM allowed; UTF-16 with a BOM too).

    Raises:
        ReferencesError: missing, unreadable, binary or in another encoding (named when it can
            be guessed, with the command that converts it).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ReferencesError(f"{path}: no such {what} file; check the path") from exc
    except OSError as exc:
        raise ReferencesError(f"{path}: cannot read {what} file ({exc.strerror})") from exc
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            from charset_normalizer import from_bytes

            best = from_bytes(raw).best()
            guess = best.encoding.upper().replace("_", "-") if best else ""
            hint = (
                f" (looks like {guess}); convert it: iconv -f {guess} -t UTF-8 {path}"
                if guess
                else "; save it as UTF-8"
            )
            raise ReferencesError(f"{path}: not UTF-8, byte {exc.start}{hint}") from exc
    if "\x00" in text:
        raise ReferencesError(f"{path}: binary data, not a {what} text file")
    return text


def read_lines(path: Path, what: str = "text") -> list[str]:
    """The lines of a line-aligned file (``.en``, ``.ar``), whitespace-stripped."""
    return [line.strip() for line in read_text(path, what).splitlines()]


def _check_english(path: Path, lineno: int, en: str) -> None:
    if arabic_ratio(en) > 0.5:
        raise ReferencesError(
            f"{path}:{lineno}: the English reference is in Arabic script; are the columns "
            "(or the .ar and .en files) swapped?"
        )


def _read_tsv(path: Path, refs: References) -> None:
    text = read_text(path)
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["ar", "en"]:
        raise ReferencesError(f"{path}:1: expected a header row `ar<TAB>en`")
    added = 0
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
        _check_english(path, lineno, en)
        refs.add(ar, en)
        added += 1
    if not added:
        raise ReferencesError(f"{path}: no reference rows after the header; the file is empty")
    refs.files.append(str(path))


def _read_pair(en_path: Path, ar_path: Path, refs: References, explicit: bool) -> None:
    if not ar_path.is_file():
        raise ReferencesError(
            f"{en_path}: no Arabic for it ({ar_path} {'is missing' if explicit else 'not found'}); "
            "put the Arabic beside it as a .ar file, one sentence per line, or give it "
            "with --sources FILE.ar"
        )
    en_lines = read_lines(en_path, "reference")
    ar_lines = read_lines(ar_path, "source")
    if len(en_lines) != len(ar_lines):
        raise ReferencesError(
            f"{en_path} has {len(en_lines)} lines but {ar_path} has {len(ar_lines)}; "
            "they must be line-aligned (line N of one translates line N of the other)"
        )
    added = 0
    for lineno, (ar, en) in enumerate(zip(ar_lines, en_lines, strict=True), start=1):
        if not ar and not en:
            continue
        if not en:
            raise ReferencesError(
                f"{en_path}:{lineno}: empty reference for the Arabic on {ar_path.name}:{lineno}; "
                "write the English, or delete the line from both files"
            )
        if not ar:
            raise ReferencesError(
                f"{ar_path}:{lineno}: empty Arabic line but {en_path.name}:{lineno} has text; "
                "the files are misaligned"
            )
        _check_english(en_path, lineno, en)
        refs.add(ar, en)
        added += 1
    if not added:
        raise ReferencesError(f"{en_path}: empty reference file; nothing to score against")
    refs.files.append(str(en_path))


# --- scores -----------------------------------------------------------------------------------


def sentences(doc: Document) -> list[Segment]:
    """The document's sentences for scoring: pieces of a sentence cut for the model
    (``continues``) are joined back, since references translate whole sentences."""
    out: list[Segment] = []
    pieces: list[Segment] = []
    for seg in doc.segments():
        pieces.append(seg)
        if seg.continues:
            continue
        if len(pieces) == 1:
            out.append(seg)
        else:
            targets = [p.target for p in pieces]
            out.append(
                Segment(
                    id=pieces[0].id,
                    source="".join(p.source + p.space_after for p in pieces).strip(),
                    normalized=" ".join(p.normalized for p in pieces),
                    target=None if None in targets else " ".join(t or "" for t in targets),
                    terms=[t for p in pieces for t in p.terms],
                    flags=[f for p in pieces for f in p.flags],
                    origin=pieces[0].origin,
                    state=pieces[-1].state,
                )
            )
        pieces = []
    out.extend(pieces)
    return out


def _metrics() -> dict[str, Any]:
    from sacrebleu.metrics import BLEU, CHRF, TER

    return {"bleu": BLEU(), "chrf": CHRF(word_order=2), "ter": TER()}


def reference_streams(refs: Sequence[Sequence[str]]) -> list[list[str | None]]:
    """Per-segment reference lists as sacrebleu's reference streams, padded with ``None``.

    Every stream is as long as the hypotheses; a segment with fewer references than the widest
    has ``None`` in the streams it lacks, which sacrebleu leaves out of that segment's scoring
    (and reports as ``nrefs:var`` in the signature).
    """
    width = max((len(r) for r in refs), default=0)
    return [[r[i] if i < len(r) else None for r in refs] for i in range(width)]


def corpus_scores(hyps: Sequence[str], refs: Sequence[Sequence[str]]) -> dict[str, Any]:
    """BLEU, chrF++ and TER of ``hyps`` against per-segment reference lists, with signatures."""
    streams: Any = reference_streams(refs)
    out: dict[str, Any] = {}
    for name, metric in _metrics().items():
        result = metric.corpus_score(list(hyps), streams)
        out[name] = {
            "score": result.score,
            "text": str(result),
            "signature": str(metric.get_signature()),
        }
    return out


def _sentence_chrf() -> Any:
    from sacrebleu.metrics import CHRF

    return CHRF(word_order=2)


# --- the report -------------------------------------------------------------------------------


def evaluate(
    docs: Sequence[Document],
    references: References | None = None,
    extra: dict[str, Any] | None = None,
    *,
    glossary: Glossary | None = None,
    qa_options: QAOptions | None = None,
    worst: int = WORST,
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
        if hyps:
            entry.update(corpus_scores(hyps, refs))
            entry["sentence_chrf"] = seg_scores
        entry["terms"] = _term_counts([doc], references)["summary"]
        entry["flags"] = {k: v for k, v in qa_summary([doc]).items() if v}
        report["documents"][doc.id] = entry
        all_hyps += hyps
        all_refs += refs
    if all_hyps:
        report["corpus"] = {**corpus_scores(all_hyps, all_refs), "segments": len(all_hyps)}
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
    return report


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


# --- thresholds -------------------------------------------------------------------------------

#: --fail-under names: (where in the report, label, higher is better)
THRESHOLDS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "bleu": (("corpus", "bleu", "score"), "BLEU", True),
    "chrf": (("corpus", "chrf", "score"), "chrF++", True),
    "ter": (("corpus", "ter", "score"), "TER", False),
    "terms": (("terms", "accuracy"), "term accuracy", True),
}


def parse_thresholds(specs: Sequence[str]) -> dict[str, float]:
    """Parse ``chrf=50,terms=100`` (repeatable). TER is a ceiling, the others floors.

    Raises:
        UsageError: an unknown metric or a value that is not a number.
    """
    out: dict[str, float] = {}
    for spec in specs:
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            name, sep, value = part.partition("=")
            name = name.strip().lower().rstrip("+")
            if name not in THRESHOLDS or not sep:
                raise UsageError(
                    f"--fail-under: {part!r} is not METRIC=NUMBER with METRIC one of "
                    f"{', '.join(THRESHOLDS)} (e.g. chrf=50,terms=100)"
                )
            try:
                number = float(value)
            except ValueError:
                raise UsageError(f"--fail-under: {value.strip()!r} is not a number") from None
            if not math.isfinite(number):
                raise UsageError(f"--fail-under: {value.strip()!r} is not a number")
            out[name] = number
    return out


def check_thresholds(report: dict[str, Any], thresholds: dict[str, float]) -> dict[str, Any]:
    """Compare a report with ``--fail-under`` thresholds; returns the ``gate`` report section.

    A metric the report lacks (no references, no terms) fails its threshold: a gate never passes
    on numbers it could not check. Partial results fail any gate.
    """
    failures: list[str] = []
    checks: dict[str, Any] = {}
    for name, limit in thresholds.items():
        path, label, higher = THRESHOLDS[name]
        value: Any = report
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            ok = False
            why = "no segment has a reference" if path[0] == "corpus" else "no glossary terms"
            failures.append(f"{label}: cannot check ({why})")
        else:
            ok = value >= limit if higher else value <= limit
            if not ok:
                op = "<" if higher else ">"
                failures.append(f"{label} {value:.2f} {op} {limit:g}")
        checks[name] = {"limit": limit, "value": value, "passed": ok, "higher_is_better": higher}
    if thresholds and report.get("partial"):
        failures.append(f"partial results ({len(report['untranslated'])} segments not translated)")
    return {"thresholds": checks, "passed": not failures, "failures": failures}


# --- comparison -------------------------------------------------------------------------------


@dataclass(slots=True)
class Pairing:
    """Two outputs of the same sources, aligned segment by segment, with their references."""

    ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    a: list[str] = field(default_factory=list)
    b: list[str] = field(default_factory=list)
    references: list[list[str]] = field(default_factory=list)
    without_reference: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    names: tuple[str, str] = ("A", "B")

    def add(self, seg_id: str, source: str, a: str, b: str, refs: list[str]) -> None:
        if not refs:
            self.without_reference.append(seg_id)
            return
        self.ids.append(seg_id)
        self.sources.append(source)
        self.a.append(a)
        self.b.append(b)
        self.references.append(refs)


def pair_outputs(
    a: Path, b: Path, references: Sequence[Path], sources: Path | None = None
) -> Pairing:
    """Align two outputs of the same sources: two workspaces, or two line-aligned ``.en`` files.

    Workspaces pair segments by id (their Arabic must be the same). Plain files pair by line;
    their references are either line-aligned files of their own (several files: several
    references) or, with ``sources`` (the Arabic, one line each), any reference format.

    Raises:
        InputError: the outputs are not of the same sources, or are of different kinds.
        ReferencesError: bad references (see :func:`load_references`).
        WorkspaceError: a workspace is missing or empty.
    """
    names = (_name(a), _name(b))
    if names[0] == names[1]:
        names = (f"A: {names[0]}", f"B: {names[1]}")
    pairing = Pairing(names=names)
    if a.is_dir() and b.is_dir():
        from .workspace import Workspace

        segs_a = {s.id: s for d in Workspace(a).load_all() for s in d.segments()}
        segs_b = {s.id: s for d in Workspace(b).load_all() for s in d.segments()}
        for seg_id in sorted(set(segs_a) ^ set(segs_b)):
            where = b if seg_id in segs_a else a
            raise InputError(
                f"{where}: has no segment {seg_id}; compare two translations of the same "
                "ingested articles"
            )
        refs = load_references(references, sources)
        for seg_id, sa in segs_a.items():
            sb = segs_b[seg_id]
            if reference_key(sa.source) != reference_key(sb.source):
                raise InputError(
                    f"{b}: segment {seg_id} has different Arabic than in {a}; compare two "
                    "translations of the same ingested articles"
                )
            if sa.target is None or sb.target is None:
                pairing.untranslated.append(seg_id)
                continue
            pairing.add(seg_id, sa.source, sa.target, sb.target, refs.get(sa.source))
        return pairing
    if a.is_dir() or b.is_dir():
        raise InputError(
            f"{a if b.is_dir() else b}: compare two workspaces or two .en files, not one of each"
        )
    lines_a = read_lines(a, "output")
    lines_b = read_lines(b, "output")
    if len(lines_a) != len(lines_b):
        raise InputError(
            f"{a} has {len(lines_a)} lines but {b} has {len(lines_b)}; two outputs of the same "
            "sources have one line per source sentence"
        )
    ids = [f"line {i}" for i in range(1, len(lines_a) + 1)]
    if sources is not None:
        src = read_lines(sources, "source")
        if len(src) != len(lines_a):
            raise InputError(
                f"{sources} has {len(src)} lines but {a} has {len(lines_a)}; they must be "
                "line-aligned"
            )
        refs = load_references(references, sources)
        for i, (ar, ha, hb) in enumerate(zip(src, lines_a, lines_b, strict=True)):
            pairing.add(ids[i], ar, ha, hb, refs.get(ar) if ar else [])
        return pairing
    streams: list[list[str]] = []
    for path in references:
        if path.is_dir() or path.suffix.lower() == ".tsv":
            raise ReferencesError(
                f"{path}: references keyed by Arabic need the Arabic of {a.name}; give it "
                "with --sources FILE.ar, or give line-aligned .en references"
            )
        lines = read_lines(path, "reference")
        if len(lines) != len(lines_a):
            raise ReferencesError(
                f"{path} has {len(lines)} lines but {a} has {len(lines_a)}; references must be "
                "line-aligned with the outputs"
            )
        streams.append(lines)
    if not streams:
        raise ReferencesError("no references given; pass --references")
    for i, (ha, hb) in enumerate(zip(lines_a, lines_b, strict=True)):
        found = [s[i] for s in streams if s[i]]
        if not found:
            raise ReferencesError(
                f"{references[0]}:{i + 1}: empty reference; write the English (an empty line "
                "in one of several reference files just gives that line fewer references)"
            )
        pairing.add(ids[i], "", ha, hb, found)
    return pairing


def _name(path: Path) -> str:
    return path.name or str(path)


def compare(pairing: Pairing, *, samples: int = 1000, top: int = WORST) -> dict[str, Any]:
    """Paired bootstrap resampling (sacrebleu's, seeded) of B against A, and the top differences.

    Returns the comparison: per metric both scores, the bootstrap mean and 95% interval of each,
    B's p-value against A, which is better and whether the difference is significant (p < 0.05);
    and the ``top`` segments whose sentence chrF++ differs most between the two.

    Raises:
        ReferencesError: no segment has a reference.
    """
    from sacrebleu.significance import PairedTest

    if not pairing.ids:
        raise ReferencesError(
            "no segment of the two outputs has a reference; check --references (and --sources)"
        )
    streams: Any = reference_streams(pairing.references)
    metrics = _metrics()
    test = PairedTest(
        [(pairing.names[0], pairing.a), (pairing.names[1], pairing.b)],
        metrics,
        references=streams,
        test_type="bs",
        n_samples=samples,
    )
    signatures, results = test()
    out: dict[str, Any] = {
        "tarjama": __version__,
        "systems": {"a": pairing.names[0], "b": pairing.names[1]},
        "test": "paired bootstrap resampling",
        "samples": test.n_samples,
        "seed": os.environ.get("SACREBLEU_SEED", "12345"),  # as PairedTest reads it
        "segments": len(pairing.ids),
        "without_reference": pairing.without_reference,
        "untranslated": pairing.untranslated,
        "partial": bool(pairing.untranslated),
        "metrics": {},
    }
    for key, sacre_name in zip(METRICS, [k for k in results if k != "System"], strict=True):
        base, other = (cast(Any, r) for r in results[sacre_name])
        higher = key != "ter"
        delta = other.score - base.score
        p = float(other.p_value) if other.p_value is not None else None
        # sacrebleu gives identical outputs a tiny p (multeval's convention: a zero difference
        # is not chance); for an editor, no difference is never a significant one.
        significant = p is not None and p < 0.05 and delta != 0
        better = None
        if significant and delta:
            better = "b" if (delta > 0) == higher else "a"
        out["metrics"][key] = {
            "name": sacre_name,
            "a": _bootstrap(base),
            "b": _bootstrap(other),
            "delta": delta,
            "p_value": p,
            "significant": significant,
            "better": better,
            "signature": str(signatures[sacre_name]),
        }
    chrf = _sentence_chrf()
    diffs = []
    for i, seg_id in enumerate(pairing.ids):
        sa = chrf.sentence_score(pairing.a[i], pairing.references[i]).score
        sb = chrf.sentence_score(pairing.b[i], pairing.references[i]).score
        diffs.append(
            {
                "id": seg_id,
                "source": pairing.sources[i],
                "a": pairing.a[i],
                "b": pairing.b[i],
                "references": pairing.references[i],
                "chrf_a": sa,
                "chrf_b": sb,
                "delta": sb - sa,
            }
        )
    diffs.sort(key=lambda d: (-abs(d["delta"]), d["id"]))
    out["differences"] = diffs[:top]
    return out


def _bootstrap(result: Any) -> dict[str, float | None]:
    def num(x: Any) -> float | None:
        return None if x is None else float(x)

    return {"score": float(result.score), "mean": num(result.mean), "ci": num(result.ci)}


# --- HTML -------------------------------------------------------------------------------------


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
    template = env.get_template("report.html.j2")
    return str(
        template.render(
            report=report,
            bins=bins,
            peak=max([b["count"] for b in bins] + [1]),
            scored=len(scores),
            pages=pages or {},
            index=index,
        )
    )
