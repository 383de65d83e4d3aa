"""Comparison of two outputs of the same sources: sacrebleu's paired bootstrap resampling.

:func:`pair_outputs` aligns two workspaces or two line-aligned ``.en`` files into a
:class:`Pairing`; :func:`compare` tests B against A and lists the segments that differ most.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from .. import __version__
from ..errors import InputError, ReferencesError
from .references import load_references, read_lines, reference_key
from .report import WORST
from .scores import METRICS, _metrics, _sentence_chrf, reference_streams


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
        from ..workspace import Workspace

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


def compare_hypotheses(
    sources: Sequence[str] | None,
    hyps_a: Sequence[str | None],
    hyps_b: Sequence[str | None],
    references: Sequence[str | Sequence[str]],
    names: tuple[str, str] = ("A", "B"),
    *,
    ids: Sequence[str] | None = None,
    samples: int = 1000,
    top: int = WORST,
) -> dict[str, Any]:
    """:func:`compare` two lists of hypotheses of the same sentences, for scripts.

    Args:
        sources: the Arabic of each sentence (shown beside the differences), or None.
        hyps_a: the baseline's English, one per sentence; None for an untranslated one.
        hyps_b: the other system's English, aligned with ``hyps_a``.
        references: each sentence's reference, or list of references (empty: left out of the
            scores and listed as ``without_reference``).
        names: what to call the two systems.
        ids: a label per sentence; by default ``segment 1``, ``segment 2``…
        samples: bootstrap resamples.
        top: how many most-different segments to return.

    Returns:
        The comparison, as :func:`compare` returns it.

    Raises:
        InputError: the lists are not all of the same length.
        ReferencesError: no sentence has a reference.
    """
    n = len(hyps_a)
    labels = list(ids) if ids is not None else [f"segment {i}" for i in range(1, n + 1)]
    arabic = list(sources) if sources is not None else [""] * n
    for what, seq in (("hyps_b", hyps_b), ("references", references), ("sources", arabic)):
        if len(seq) != n:
            raise InputError(
                f"{what} has {len(seq)} entries but hyps_a has {n}; give one per sentence, "
                "in the same order"
            )
    if len(labels) != n:
        raise InputError(f"ids has {len(labels)} entries but hyps_a has {n}; give one per sentence")
    pairing = Pairing(names=names)
    for seg_id, ar, ha, hb, refs in zip(labels, arabic, hyps_a, hyps_b, references, strict=True):
        if ha is None or hb is None:
            pairing.untranslated.append(seg_id)
            continue
        found = [refs] if isinstance(refs, str) else list(refs)
        pairing.add(seg_id, ar, ha, hb, [r for r in found if r])
    return compare(pairing, samples=samples, top=top)


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
