"""The whole workflow as plain functions: what ``tarjama run`` and the stage commands call.

Everything that can fail on bad input (reading articles, glossary, references, the model) is
done before the first output file is written, so a failed run leaves the workspace as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import export as exporting
from . import glossary as glossary_mod
from .document import Document
from .engine import (
    Backend,
    Decoder,
    Progress,
    TranslateOptions,
    TranslateStats,
    load_backend,
    translate,
)
from .engine.model import ModelRef
from .evaluate import References, evaluate, load_references
from .ingest import IngestOptions, ingest
from .memory import FILENAME as MEMORY_FILE
from .memory import TranslationMemory
from .segment import SegmentOptions, segment
from .workspace import Workspace, write_atomic

#: The project checkout (when installed from it): bundled glossary and corpus live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_GLOSSARY = PROJECT_ROOT / "glossary"
BUNDLED_CORPUS = PROJECT_ROOT / "corpus"


def default_glossary() -> list[Path]:
    """The bundled newsroom glossary files, when tarjama runs from its checkout."""
    return sorted(BUNDLED_GLOSSARY.glob("*.tsv")) if BUNDLED_GLOSSARY.is_dir() else []


def default_references(inputs: Sequence[str | Path]) -> list[Path]:
    """The bundled references, when every input lies in the bundled corpus."""
    refs = BUNDLED_CORPUS / "references"
    if not refs.is_dir() or not inputs:
        return []
    for item in inputs:
        if str(item) == "-":
            return []
        path = Path(item).resolve()
        if path != BUNDLED_CORPUS and BUNDLED_CORPUS not in path.parents:
            return []
    return [refs]


def load_glossary(paths: Sequence[Path]) -> glossary_mod.Glossary:
    return glossary_mod.load(list(paths)) if paths else glossary_mod.Glossary([])


def prepare(
    inputs: Sequence[str | Path],
    ingest_options: IngestOptions | None = None,
    segment_options: SegmentOptions | None = None,
    count_tokens: Callable[[str], int] | None = None,
) -> list[Document]:
    """Ingest and segment articles (no glossary, no model).

    Args:
        count_tokens: the model tokenizer's count for a (normalized) sentence, e.g.
            ``lambda s: backend.count_tokens([s])[0]``; sentences over
            ``segment_options.max_tokens`` are cut in pieces. ``None``: the options' counter, or
            an estimate of two tokens per word.
    """
    if count_tokens is not None:
        segment_options = replace(segment_options or SegmentOptions(), count_tokens=count_tokens)
    return [segment(doc, segment_options) for doc in ingest(inputs, ingest_options)]


def _cut_long_sentences(
    docs: list[Document], backend: Backend, glossary: glossary_mod.Glossary
) -> list[Document]:
    """Segment again with the model's own token counts, never cutting inside a glossary term.

    Ingest estimated sentence lengths; now that the tokenizer is loaded, sentences over the
    budget are cut into pieces the model can take (marked ``continues``).
    """
    options = SegmentOptions(
        count_tokens=lambda text: backend.count_tokens([text])[0],
        protected=lambda text: [(t.start, t.end) for t in glossary.match(text)],
    )
    return [segment(doc, options) for doc in docs]


@dataclass(slots=True)
class RunOptions:
    """Everything ``tarjama run`` needs, validated by the CLI or built by a library user."""

    inputs: Sequence[str | Path]
    out: Path
    glossary: Sequence[Path] | None = None  # None: the bundled glossary
    references: Sequence[Path] | None = None  # None: bundled references for the bundled corpus
    formats: Sequence[str] = ("html",)
    translate: TranslateOptions = field(default_factory=TranslateOptions)
    use_memory: bool = True  # keep translations in a memory, and take them from it
    memory: Path | None = None  # None: <out>/memory.sqlite
    should_stop: Callable[[], bool] | None = None  # polled between batches (Ctrl-C)
    # Told each warning found before translating: glossary English the model cannot write.
    warn: Callable[[str], None] | None = None
    # Where batches are decoded: None here (the local engine), or e.g. a RayDecoder
    # (translate.engine.cluster); planning, the memory and every write stay in this process.
    decoder: Decoder | None = None


@dataclass(slots=True)
class RunResult:
    documents: list[Document]
    written: list[Path]
    report: dict[str, Any] | None
    segments: int
    stats: TranslateStats = field(default_factory=TranslateStats)


@dataclass(frozen=True, slots=True)
class Unspellable:
    """A glossary entry whose English has characters the model cannot write."""

    entry: glossary_mod.Entry
    characters: str

    def __str__(self) -> str:
        from .engine.vocab import quote_characters

        where = f"{self.entry.source}: " if self.entry.source else ""
        return (
            f'{where}"{self.entry.en}": the model cannot write '
            f"{quote_characters(self.characters)}; this term will be reported missed"
        )


def unspellable_terms(
    glossary: glossary_mod.Glossary, model_dir: Path, docs: Sequence[Document] | None = None
) -> list[Unspellable]:
    """Glossary entries whose English the model's target vocabulary cannot encode.

    Such a term can be neither forced into a translation nor found in one: it is reported
    ``missed`` wherever it occurs (see :mod:`translate.engine.vocab`).

    Args:
        glossary: the glossary of the batch.
        model_dir: the model's directory (``ModelRef.path``).
        docs: when given, only the entries of terms recorded on their segments (what this batch
            will report, and what ``run``/``translate`` warn about), once each; else every
            entry of the glossary.

    Returns:
        One item per entry, in glossary order; none when the model has no ``target.spm`` to
        check against.

    Raises:
        ModelError: the model's ``target.spm`` cannot be read.
    """
    from .engine.vocab import target_spm, unspellable

    if target_spm(model_dir) is None:
        return []
    entries = glossary.entries
    if docs is not None:
        # Terms name their entry by its Arabic; the last entry with it wins, as in matching.
        by_ar = {e.ar: e for e in glossary.entries}
        used = {t.entry for d in docs for s in d.segments() for t in s.terms}
        chosen = {id(by_ar[ar]) for ar in used if ar in by_ar}
        entries = [e for e in entries if id(e) in chosen]
    missing = unspellable(model_dir, dict.fromkeys(e.en for e in entries))
    return [Unspellable(e, missing[e.en]) for e in entries if e.en in missing]


def glossary_and_translate(
    docs: list[Document],
    glossary: glossary_mod.Glossary,
    options: TranslateOptions,
    progress: Progress | None = None,
    *,
    backend: Backend | None = None,
    memory: Path | None = None,
    should_stop: Callable[[], bool] | None = None,
    warn: Callable[[str], None] | None = None,
    decoder: Decoder | None = None,
) -> TranslateStats:
    """Record glossary terms in every segment, then translate what is untranslated.

    Args:
        backend: an engine already loaded (else loaded from ``options``).
        memory: the translation memory file to use and fill (``None``: none).
        should_stop: polled between batches; see :func:`translate.engine.translate`.
        warn: called, before translating, with one line per glossary entry matched in ``docs``
            whose English the model cannot write (:func:`unspellable_terms`).
        decoder: where batches are decoded (default: here); see :class:`translate.engine.Decoder`.
    """
    for doc in docs:
        glossary_mod.annotate(doc, glossary)
    backend = backend or load_backend(options)
    ref = getattr(backend, "ref", None)  # both engines have one; a stand-in may not
    if warn is not None and isinstance(ref, ModelRef):
        for item in unspellable_terms(glossary, ref.path, docs):
            warn(str(item))
    stats = TranslateStats()
    store = TranslationMemory(memory) if memory is not None else None
    try:
        translate(docs, backend, options, progress, glossary, store, stats, should_stop, decoder)
        if options.consistency and options.enforce_glossary:
            from .engine.consistency import enforce_consistency

            enforce_consistency(
                docs, backend, glossary, store, _settings(backend, options), options, decoder
            )
    finally:
        if store is not None:
            store.close()
    for doc in docs:
        for seg in doc.segments():
            if seg.origin is not None and seg.state == "translated":
                seg.origin["glossary"] = glossary.digest
    return stats


def _settings(backend: Backend, options: TranslateOptions) -> dict[str, object]:
    """The settings the translate stage keys its memory with."""
    settings = dict(backend.settings)
    settings["glossary_enforced"] = options.enforce_glossary
    return settings


def run(options: RunOptions, progress: Progress | None = None) -> RunResult:
    """Ingest, segment, match the glossary, translate, evaluate and write a workspace."""
    formats = exporting.parse_formats(["html", *options.formats])
    glossary_paths = default_glossary() if options.glossary is None else list(options.glossary)
    ref_paths = (
        default_references(options.inputs)
        if options.references is None
        else list(options.references)
    )
    glossary = load_glossary(glossary_paths)
    references: References | None = load_references(ref_paths) if ref_paths else None
    docs = prepare(options.inputs)  # bad input fails here, before the model is even loaded
    backend = load_backend(options.translate)
    Workspace(options.out).check_writable()  # before the translation, not after it
    docs = _cut_long_sentences(docs, backend, glossary)
    memory = None
    if options.use_memory:
        memory = options.memory or (options.out / MEMORY_FILE)
    stats = glossary_and_translate(
        docs,
        glossary,
        options.translate,
        progress,
        backend=backend,
        memory=memory,
        should_stop=options.should_stop,
        warn=options.warn,
        decoder=options.decoder,
    )
    # Evaluation sets every segment's QA flags (with or without references), so it runs before
    # the documents are saved; scores need references, terms and flags do not.
    from .review.edits import edit_log  # people's edits in this memory: HTER in the report

    report = evaluate(
        docs,
        references,
        extra={"model": options.translate.model},
        glossary=glossary,
        edit_log=edit_log(memory) if memory is not None else None,
    )
    workspace = Workspace(options.out)
    written = [workspace.save(doc) for doc in docs]
    written += exporting.export(docs, workspace, formats, report)
    written += write_report(workspace, report)
    return RunResult(docs, written, report, sum(1 for d in docs for _ in d.segments()), stats)


def write_report(workspace: Workspace, report: dict[str, Any]) -> list[Path]:
    """Write ``report.json`` and its rendering ``report.html`` into the workspace."""
    import json
    from urllib.parse import quote

    from .evaluate import render_html
    from .export.html import page_name

    html_path = workspace.report_html_path
    text = json.dumps(report, ensure_ascii=False, indent=1) + "\n"
    # Link the side-by-side pages that are there (``run`` writes them first).
    folder = workspace.html_dir.name
    pages = {
        doc_id: f"{folder}/{quote(page_name(doc_id))}"
        for doc_id in report.get("documents") or {}
        if (workspace.html_dir / page_name(doc_id)).is_file()
    }
    index = f"{folder}/index.html" if (workspace.html_dir / "index.html").is_file() else None
    html = render_html(report, pages, index)  # rendered first: both files or neither
    write_atomic(workspace.report_path, text)
    write_atomic(html_path, html)
    return [workspace.report_path, html_path]
