"""Translation stage: model loading, batching and decoding behind one small interface.

``torch`` and ``transformers`` are imported only when an engine is built, so commands that do
not translate start fast.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..document import Document, Segment
from ..errors import TarjamaError
from ..glossary import Glossary, english_has
from ..memory import TranslationMemory, translation_key
from .batching import plan_batches
from .model import DEFAULT_MODEL, ModelRef, resolve
from .types import TermSpec, Translation

__all__ = [
    "DEFAULT_MODEL",
    "Backend",
    "Batch",
    "Decoder",
    "Interrupted",
    "LocalDecoder",
    "TermSpec",
    "TranslateOptions",
    "TranslateStats",
    "Translation",
    "load_backend",
    "translate",
]

#: Called as ``progress(sentences_done, sentences, documents)``: first with what the memory
#: already holds, then after each batch.
Progress = Callable[[int, int, int], None]

#: One planned batch: its sentences (normalized) and each sentence's terms to enforce.
Batch = tuple[list[str], list[list[TermSpec]]]


class Decoder(Protocol):
    """Where planned batches are decoded: here (:class:`LocalDecoder`) or on a cluster
    (:class:`translate.engine.cluster.RayDecoder`).

    ``decode`` yields ``(batch index, translations)`` as batches finish, in any order; the
    translate stage commits each to the memory as it arrives. A batch may come twice (a retried
    task): the stage keeps the first.
    """

    name: str  # "local", "ray": said in the run's summary
    workers: int

    def decode(
        self, backend: Backend, options: TranslateOptions, batches: Sequence[Batch]
    ) -> Iterator[tuple[int, list[Translation]]]: ...


class LocalDecoder:
    """Decode batches one after the other with the driver's own backend."""

    name = "local"
    workers = 1

    def decode(
        self, backend: Backend, options: TranslateOptions, batches: Sequence[Batch]
    ) -> Iterator[tuple[int, list[Translation]]]:
        for index, (texts, terms) in enumerate(batches):
            yield index, backend.translate_batch(texts, terms)


class Backend(Protocol):
    """What the translate stage needs from an engine."""

    name: str

    @property
    def settings(self) -> dict[str, object]: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def translate_batch(
        self, texts: Sequence[str], terms: Sequence[Sequence[TermSpec]] | None = None
    ) -> list[Translation]: ...


@dataclass(slots=True)
class TranslateOptions:
    """Options of the translation stage."""

    model: str = DEFAULT_MODEL
    num_beams: int = 4
    device: str = "auto"  # auto | cpu | cuda
    threads: int | None = None  # CPU threads; default: all cores
    # Source tokens per batch, padding included; None: the backend's own preference
    # (transformers 768 on CPU, 8192 on GPU; CTranslate2, which wastes little on padding, 8192).
    max_batch_tokens: int | None = None
    max_batch_sentences: int = 32
    retranslate: bool = False  # translate again segments that already have machine output
    download: bool = True  # fetch a hub model that is not cached
    enforce_glossary: bool = True  # decode every matched term's English into the output
    # names the glossary lacks keep the rendering their article first gave them
    # (translate/engine/consistency.py)
    consistency: bool = True
    precision: str = "auto"  # auto (int8 on CPU, float32 on GPU) | int8 | float32
    # auto: CTranslate2 for a CTranslate2 model directory, else transformers | transformers | ct2
    backend: str = "auto"
    # A vocabulary shortlist (CTranslate2 vmap text, translate/engine/shortlist.py); None: the
    # model directory's own vmap.txt when it has one, unless default_shortlist is False.
    shortlist: Path | None = None
    default_shortlist: bool = True


def load_backend(options: TranslateOptions) -> Backend:
    """Resolve and load the model named in ``options``.

    ``options.backend`` picks the engine: ``auto`` runs a CTranslate2 model directory with
    CTranslate2 and anything else with transformers.

    Raises:
        ModelError: the model cannot be found or loaded, or does not suit the backend asked for
            (the message names the fix).
        UsageError: an unknown backend name.
    """
    from ..errors import ModelError, UsageError

    if options.backend not in ("auto", "transformers", "ct2", "ctranslate2"):
        raise UsageError(f"unknown backend {options.backend!r}; choose auto, transformers or ct2")
    ref: ModelRef = resolve(options.model, download=options.download)
    if options.backend in ("ct2", "ctranslate2") or (
        options.backend == "auto" and ref.kind == "ct2"
    ):
        if ref.kind != "ct2":
            raise ModelError(
                f"{options.model}: not a CTranslate2 model; convert it with `tarjama model "
                f"convert {options.model} --out DIR` and pass --model DIR"
            )
        from .ct2 import CTranslate2Backend

        engine: Callable[..., Backend] = CTranslate2Backend
    elif ref.kind == "ct2":
        raise ModelError(
            f"{options.model}: a CTranslate2 model cannot run on the transformers backend; "
            "use --backend ct2 (or auto), or pass --model a transformers model"
        )
    else:
        from .hf import TransformersBackend

        engine = TransformersBackend
    return engine(
        ref,
        num_beams=options.num_beams,
        device=options.device,
        threads=options.threads,
        precision=options.precision,
        shortlist=options.shortlist,
        default_shortlist=options.default_shortlist,
    )


def _needs_translation(seg: Segment, retranslate: bool) -> bool:
    if seg.state in ("reviewed", "final"):
        return False  # a person's edit is never overwritten by the machine
    return seg.target is None or retranslate


def _term_specs(seg: Segment, glossary: Glossary | None) -> list[TermSpec]:
    entries = {e.ar: e for e in glossary.entries} if glossary is not None else {}
    size = max(len(seg.source), 1)
    specs = []
    from ..arabic import normalize

    for term in seg.terms:
        entry = entries.get(term.entry)
        specs.append(
            TermSpec(
                term.en,
                term.start / size,
                entry.avoid if entry else (),
                term.end / size,
                normalize(term.entry or term.ar).text,
            )
        )
    return specs


def _verdicts(seg: Segment, result: Translation, enforce: bool, glossary: Glossary | None) -> None:
    """Give each term of ``seg`` its verdict, replacing ``avoid`` renderings where needed."""
    entries = {e.ar: e for e in glossary.entries} if glossary is not None else {}
    for term in seg.terms:
        target = seg.target or ""
        if english_has(target, term.en):
            term.verdict = "forced" if enforce and term.en in result.forced else "kept"
            continue
        entry = entries.get(term.entry)
        for wrong in entry.avoid if entry else ():
            replaced = _replace_word(target, wrong, term.en)
            if replaced != target:
                seg.target = replaced
                term.verdict = "avoided"
                break
        else:
            term.verdict = "missed"


def _replace_word(text: str, old: str, new: str) -> str:
    pattern = r"(?<![^\W_])" + re.escape(old) + r"(?![^\W_])"
    return re.sub(pattern, lambda _: new, text, flags=re.IGNORECASE)


@dataclass(slots=True)
class TranslateStats:
    """What one call of :func:`translate` did."""

    segments: int = 0  # segments that needed a translation
    sentences: int = 0  # distinct sentences among them
    memory_hits: int = 0  # distinct sentences found in the translation memory
    decoded: int = 0  # distinct sentences the model translated
    edits: int = 0  # segments given a person's translation from the memory
    seconds: float = 0.0
    workers: int = 0  # decoders that translated (0: nothing was decoded)
    engine: str = "local"  # where they decoded

    @property
    def per_second(self) -> float:
        return self.decoded / self.seconds if self.seconds else 0.0


class Interrupted(TarjamaError):
    """Translation stopped on request between two batches; what was done is in the memory."""

    exit_code = 130


def translate(
    docs: Sequence[Document],
    backend: Backend,
    options: TranslateOptions,
    progress: Progress | None = None,
    glossary: Glossary | None = None,
    memory: TranslationMemory | None = None,
    stats: TranslateStats | None = None,
    should_stop: Callable[[], bool] | None = None,
    decoder: Decoder | None = None,
) -> list[Document]:
    """Translate every untranslated segment of ``docs`` in length-sorted, token-budget batches.

    Identical sentences (after normalization, with the same terms) are translated once. With
    ``options.enforce_glossary`` the English of every term recorded on a segment is decoded into
    its translation (:mod:`translate.engine.constraints`). Each segment gets its ``target``,
    ``state="translated"``, an ``origin`` naming the engine and its settings, and a verdict on
    each term: kept, forced, missed or avoided.

    With a ``memory``, sentences translated before (same model, settings and terms) are taken from
    it, people's edits win over machine output, and each batch is committed to it as soon as it
    is translated, so a run killed at any point resumes where it stopped. ``should_stop`` is
    polled between batches (Ctrl-C in the CLI): when it answers True, :class:`Interrupted` is
    raised after the current batch is committed.

    ``decoder`` says where batches are decoded (default: here, one after the other); planning,
    the memory and every write stay in this process whatever decodes, so the batches, and
    therefore the output, are the same.
    """
    started = time.perf_counter()
    stats = stats if stats is not None else TranslateStats()
    todo = [
        seg
        for doc in docs
        for seg in doc.segments()
        if _needs_translation(seg, options.retranslate)
    ]
    settings = dict(backend.settings)
    settings["glossary_enforced"] = options.enforce_glossary
    model = str(settings.get("model", ""))
    jobs: dict[str, tuple[str, list[TermSpec]]] = {}
    keys: list[str] = []
    for seg in todo:
        specs = _term_specs(seg, glossary) if options.enforce_glossary else []
        key = translation_key(seg.normalized, settings, specs)
        keys.append(key)
        if seg.normalized:
            jobs.setdefault(key, (seg.normalized, specs))
    # Ordered by the sentence (not by its key, which holds the glossary terms), so that a batch
    # holds the same sentences with the glossary as without it: decoding is unconstrained either
    # way (enforcement repairs the output afterwards), and in transformers batch-mates share
    # padding and int8 activation scales, so the same batches give the same unconstrained output.
    # The order is the same in every run, so a resumed run decodes the batches of an
    # uninterrupted run, less what the memory holds.
    unique = sorted(jobs, key=lambda k: (jobs[k][0], k))
    results: dict[str, Translation] = {}
    if memory is not None and not options.retranslate:
        for key, hit in memory.get_many(unique).items():
            results[key] = Translation(hit.target, set(hit.terms), set(hit.forced))
    stats.segments, stats.sentences, stats.memory_hits = len(todo), len(unique), len(results)
    pending = [k for k in unique if k not in results]
    counts = backend.count_tokens([jobs[k][0] for k in pending]) if pending else []
    budget = int(options.max_batch_tokens or getattr(backend, "batch_tokens", None) or 2048)
    plan = [
        [pending[i] for i in batch]
        for batch in plan_batches(counts, budget, options.max_batch_sentences)
    ]
    done = len(unique) - len(pending)
    if progress is not None:
        progress(done, len(unique), len(docs))
    if plan:
        decoder = decoder or LocalDecoder()
        batches: list[Batch] = [
            ([jobs[k][0] for k in batch_keys], [jobs[k][1] for k in batch_keys])
            for batch_keys in plan
        ]
        arrived: set[int] = set()
        stream = decoder.decode(backend, options, batches)
        try:
            for index, out in stream:
                if index in arrived:
                    continue  # a retried task's second answer: already committed
                arrived.add(index)
                batch_keys = plan[index]
                results.update(zip(batch_keys, out, strict=True))
                if memory is not None:
                    memory.put_many(
                        (k, jobs[k][0], r.text, r.terms, r.forced, model, settings)
                        for k, r in zip(batch_keys, out, strict=True)
                    )
                stats.decoded += len(batch_keys)
                done += len(batch_keys)
                if progress is not None:
                    progress(done, len(unique), len(docs))
                if should_stop is not None and should_stop() and done < len(unique):
                    stats.seconds = time.perf_counter() - started
                    where = f" (saved in {memory.path})" if memory is not None else ""
                    raise Interrupted(
                        f"interrupted after {done} of {len(unique)} sentences{where}; run the "
                        "same command again to resume"
                    )
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        stats.workers, stats.engine = decoder.workers, decoder.name
        if len(arrived) != len(plan):
            from ..errors import ModelError

            raise ModelError(
                f"the decoder answered {len(arrived)} of {len(plan)} batches; run the same "
                "command again to translate the rest"
            )
    edits = memory.edits([s.normalized for s in todo]) if memory is not None else {}
    for seg, key in zip(todo, keys, strict=True):
        if seg.normalized in edits:
            seg.target, seg.state = edits[seg.normalized]
            seg.origin = {"human": True}
            stats.edits += 1
            _verdicts(seg, Translation(seg.target), False, glossary)
            continue
        result = results.get(key, Translation(""))
        seg.target = result.text
        seg.state = "translated"
        seg.origin = dict(settings)
        _verdicts(seg, result, options.enforce_glossary, glossary)
    stats.seconds = time.perf_counter() - started
    return list(docs)
