"""The whole workflow as plain functions: what ``tarjama run`` and the stage commands call.

Everything that can fail on bad input (reading articles, glossary, references, the model) is
done before the first output file is written, so a failed run leaves the workspace as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import export as exporting
from . import glossary as glossary_mod
from .document import Document
from .engine import Progress, TranslateOptions, load_backend, translate
from .evaluate import References, evaluate, load_references
from .ingest import IngestOptions, ingest
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
) -> list[Document]:
    """Ingest and segment articles (no glossary, no model)."""
    return [segment(doc, segment_options) for doc in ingest(inputs, ingest_options)]


@dataclass(slots=True)
class RunOptions:
    """Everything ``tarjama run`` needs, validated by the CLI or built by a library user."""

    inputs: Sequence[str | Path]
    out: Path
    glossary: Sequence[Path] | None = None  # None: the bundled glossary
    references: Sequence[Path] | None = None  # None: bundled references for the bundled corpus
    formats: Sequence[str] = ("html",)
    translate: TranslateOptions = field(default_factory=TranslateOptions)


@dataclass(slots=True)
class RunResult:
    documents: list[Document]
    written: list[Path]
    report: dict[str, Any] | None
    segments: int


def glossary_and_translate(
    docs: list[Document],
    glossary: glossary_mod.Glossary,
    options: TranslateOptions,
    progress: Progress | None = None,
) -> None:
    """Record glossary terms in every segment, then translate what is untranslated."""
    for doc in docs:
        glossary_mod.annotate(doc, glossary)
    backend = load_backend(options)
    translate(docs, backend, options, progress)
    for doc in docs:
        for seg in doc.segments():
            if seg.origin is not None and seg.state == "translated":
                seg.origin["glossary"] = glossary.digest


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
    docs = prepare(options.inputs)
    glossary_and_translate(docs, glossary, options.translate, progress)
    report = None
    if references is not None:
        report = evaluate(
            docs,
            references,
            extra={
                "model": options.translate.model,
                "glossary": glossary.digest,
            },
        )
    workspace = Workspace(options.out)
    written = [workspace.save(doc) for doc in docs]
    written += exporting.export(docs, workspace, formats, report)
    if report is not None:
        written.append(write_report(workspace, report))
    return RunResult(docs, written, report, sum(1 for d in docs for _ in d.segments()))


def write_report(workspace: Workspace, report: dict[str, Any]) -> Path:
    import json

    write_atomic(workspace.report_path, json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    return workspace.report_path
