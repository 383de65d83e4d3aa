"""One rendering per name per article, for names the glossary does not know yet.

Marian spells an unknown name differently from one sentence to the next (Farhad al-Shami,
Farhad Shami, Farhad Chami). After the translate stage, this pass finds the candidate names of
each article (:func:`translate.names.find_candidates`), takes the rendering the model gave a
name where the article first renders it, and enforces it in every later sentence of the same
article that has the name, exactly as a glossary term is enforced: the sentence's terms gain a
:class:`~translate.engine.types.TermSpec` with that English, and the backend repairs its
unconstrained output (:mod:`translate.engine.constraints`). The term is recorded on the segment
with the verdict ``consistent`` (or ``missed`` when the repair could not place it).

Re-decoded sentences are stored in the translation memory under a key that includes the extra
term, so a re-run takes them from the memory; a sentence whose output already has the rendering
is not decoded again. Segments people edited are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..arabic import normalize
from ..document import Document, Segment, Term
from ..glossary import Glossary, english_has
from ..memory import TranslationMemory, translation_key
from .types import TermSpec, Translation

if TYPE_CHECKING:
    from . import Backend, Decoder, TranslateOptions

#: The verdict of a term enforced for consistency inside an article.
VERDICT = "consistent"


@dataclass(slots=True)
class ConsistencyStats:
    """What one pass did."""

    names: int = 0  # candidate names rendered in one sentence and met again later
    segments: int = 0  # later sentences given the rendering as a term
    decoded: int = 0  # of them, decoded again (not in the memory, rendering absent)
    memory_hits: int = 0
    renderings: dict[str, str] = field(default_factory=dict)  # "doc|ar" -> English


def _machine(seg: Segment) -> bool:
    return (
        seg.state == "translated" and seg.target is not None and not (seg.origin or {}).get("human")
    )


def enforce_consistency(
    docs: Sequence[Document],
    backend: Backend,
    glossary: Glossary,
    memory: TranslationMemory | None = None,
    settings: dict[str, object] | None = None,
    options: TranslateOptions | None = None,
    decoder: Decoder | None = None,
    english_signal: bool = False,
) -> ConsistencyStats:
    """Give later sentences of each article the rendering its first sentence gave a new name.

    Args:
        docs: translated documents (the translate stage has run).
        backend: the engine that translated them (``translate_batch`` and ``settings``).
        glossary: the batch's glossary; its names are left to it.
        memory: the translation memory to take re-decoded sentences from and put them in.
        settings: the settings the translate stage keyed its memory with (default: the
            backend's, with glossary enforcement on).
        options: the translate stage's options (batch sizes); default ones when ``None``.
        decoder: where the re-decoded sentences are decoded, as in the translate stage
            (default: here); they are batched as the translate stage batches.
        english_signal: also enforce names found only by how the English sounds (off: see
            below; the evaluation turns it on to measure it).

    Returns:
        What was done; the segments are changed in place.
    """
    from ..names import SuggestOptions, english_names, find_candidates
    from . import _term_specs

    stats = ConsistencyStats()
    if settings is None:
        settings = dict(getattr(backend, "settings", {}))
        settings["glossary_enforced"] = True
    model = str(settings.get("model", ""))
    jobs: list[tuple[Segment, list[TermSpec], str]] = []
    for doc in docs:
        # The Arabic signals only: a name found by how the English sounds is paired with its
        # rendering by that sound, and enforcing such pairs repeats their alignment errors in
        # every later sentence (measured on the bench model: identical renderings 0.987 → 0.962,
        # chrF++ -0.15 with it; unchanged without; evaluation/names/consistency.json).
        found = SuggestOptions(renderings=False, english=english_signal)
        candidates = find_candidates([doc], glossary, found)
        segs = {s.id: s for s in doc.segments()}
        order = {s.id: n for n, s in enumerate(doc.segments())}
        extra: dict[str, list[Term]] = {}
        for cand in candidates:
            occurrences = sorted(cand.occurrences, key=lambda o: (order[o.segment], o.start))
            if len({o.segment for o in occurrences}) < 2:
                continue
            rendering = None
            first = None
            for occ in occurrences:
                seg = segs[occ.segment]
                if not _machine(seg):
                    continue
                rendering = _rendering(seg, occ.start, glossary, english_names)
                if rendering:
                    first = occ.segment
                    break
            if not rendering or first is None:
                continue
            stats.names += 1
            stats.renderings[f"{doc.id}|{cand.ar}"] = rendering
            for occ in occurrences:
                seg = segs[occ.segment]
                if order[occ.segment] <= order[first] or not _machine(seg):
                    continue
                if any(t.start < occ.end and occ.start < t.end for t in seg.terms):
                    continue
                extra.setdefault(seg.id, []).append(
                    Term(
                        ar=seg.source[occ.start : occ.end],
                        en=rendering,
                        start=occ.start,
                        end=occ.end,
                        entry=cand.surface,
                        type=cand.type,
                    )
                )
        for seg_id, terms in extra.items():
            seg = segs[seg_id]
            size = max(len(seg.source), 1)
            specs = _term_specs(seg, glossary) + [
                TermSpec(t.en, t.start / size, (), t.end / size, normalize(t.entry).text)
                for t in terms
            ]
            seg.terms = sorted([*seg.terms, *terms], key=lambda t: t.start)
            stats.segments += 1
            if all(english_has(seg.target or "", t.en) for t in terms):
                for t in terms:
                    t.verdict = VERDICT
                continue
            jobs.append((seg, specs, translation_key(seg.normalized, settings, specs)))
    if jobs:
        _decode(jobs, backend, memory, settings, model, stats, options, decoder)
    return stats


def _rendering(seg: Segment, start: int, glossary: Glossary, english_names: object) -> str | None:
    """The English run of ``seg``'s target nearest the name's place in the Arabic."""
    explained = [t.en for t in seg.terms]
    runs = english_names(seg.target or "", explained)  # type: ignore[operator]
    if not runs:
        return None
    where = start / max(len(seg.source), 1)
    size = max(len(seg.target or ""), 1)
    best = min(runs, key=lambda r: abs(r[0] / size - where))
    return str(best[2])


def _decode(
    jobs: list[tuple[Segment, list[TermSpec], str]],
    backend: Backend,
    memory: TranslationMemory | None,
    settings: dict[str, object],
    model: str,
    stats: ConsistencyStats,
    options: TranslateOptions | None,
    decoder: Decoder | None,
) -> None:
    from . import LocalDecoder, TranslateOptions
    from .batching import plan_batches

    results: dict[str, Translation] = {}
    if memory is not None:
        for key, hit in memory.get_many([k for _, _, k in jobs]).items():
            results[key] = Translation(hit.target, set(hit.terms), set(hit.forced))
        stats.memory_hits = len(results)
    todo: dict[str, tuple[str, list[TermSpec]]] = {}
    for seg, specs, key in jobs:
        if key not in results:
            todo.setdefault(key, (seg.normalized, specs))
    if todo:
        # Batched as the translate stage batches (sorted by sentence, under the token budget),
        # each batch committed to the memory as it arrives.
        options = options or TranslateOptions()
        keys = sorted(todo, key=lambda k: (todo[k][0], k))
        counts = backend.count_tokens([todo[k][0] for k in keys])
        budget = int(options.max_batch_tokens or getattr(backend, "batch_tokens", None) or 2048)
        plan = [
            [keys[i] for i in batch]
            for batch in plan_batches(counts, budget, options.max_batch_sentences)
        ]
        batches = [([todo[k][0] for k in b], [todo[k][1] for k in b]) for b in plan]
        for index, out in (decoder or LocalDecoder()).decode(backend, options, batches):
            if plan[index][0] in results:
                continue  # a retried batch's second answer
            results.update(zip(plan[index], out, strict=True))
            stats.decoded += len(plan[index])
            if memory is not None:
                memory.put_many(
                    (k, todo[k][0], r.text, r.terms, r.forced, model, settings)
                    for k, r in zip(plan[index], out, strict=True)
                )
    for seg, _specs, key in jobs:
        result = results[key]
        seg.target = result.text
        for term in seg.terms:
            present = english_has(seg.target, term.en)
            if term.verdict == VERDICT or term.verdict is None:
                term.verdict = VERDICT if present else "missed"
            elif not present:
                term.verdict = "missed"
