"""The tarjama command line: Typer commands that parse options, call the library and print.

Data goes to stdout, progress and messages to stderr. A :class:`TarjamaError` becomes one line
on stderr and its exit code; no traceback reaches the user.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import __version__
from .errors import TarjamaError

app = typer.Typer(
    name="tarjama",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode=None,
    help="Arabic→English news translation with an enforced proper-noun glossary "
    "and aligned bilingual output.",
)
glossary_app = typer.Typer(no_args_is_help=True, help="Inspect glossaries and match terms.")
model_app = typer.Typer(
    no_args_is_help=True, help="Download, inspect and convert translation models."
)
references_app = typer.Typer(
    no_args_is_help=True, help="Reference translations: post-edits written out as references."
)
app.add_typer(glossary_app, name="glossary")
app.add_typer(model_app, name="model")
app.add_typer(references_app, name="references")

F = TypeVar("F", bound=Callable[..., Any])

ModelOpt = Annotated[str, typer.Option("--model", "-m", help="Hub id or local model directory.")]
GlossaryOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--glossary",
        "-g",
        help="Glossary TSV/CSV (repeat to layer; later wins). Default: the bundled glossary/.",
    ),
]
NoGlossaryOpt = Annotated[
    bool,
    typer.Option(
        "--no-glossary",
        help="Load no glossary (not the bundled one either): no terms are recorded or enforced.",
    ),
]
NoConsistencyOpt = Annotated[
    bool,
    typer.Option(
        "--no-consistency",
        help="Do not keep one rendering per article for names the glossary lacks.",
    ),
]
BeamsOpt = Annotated[int, typer.Option("--beams", min=1, max=16, help="Beam size.")]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto, cpu or cuda.")]
ThreadsOpt = Annotated[
    int | None,
    typer.Option(
        "--threads", min=1, help="CPU threads to translate with. Default: every core available."
    ),
]
MemoryOpt = Annotated[
    Path | None,
    typer.Option(
        "--memory", help="Translation memory file. Default: memory.sqlite in the workspace."
    ),
]
NoMemoryOpt = Annotated[
    bool, typer.Option("--no-memory", help="Neither use nor fill a translation memory.")
]
BatchTokensOpt = Annotated[
    int | None,
    typer.Option(
        "--batch-tokens",
        min=16,
        help="Source tokens per batch, padding included. Default: the backend's (transformers "
        "768 on CPU, 8192 on GPU; CTranslate2 8192).",
    ),
]
BackendOpt = Annotated[
    str,
    typer.Option(
        "--backend",
        help="auto (CTranslate2 for a CTranslate2 model directory, else transformers), "
        "transformers or ct2.",
    ),
]
PrecisionOpt = Annotated[
    str,
    typer.Option(
        "--precision",
        help="auto (int8 on CPU, float32 on GPU), int8 or float32. int8 is about twice as fast "
        "on CPU.",
    ),
]
BatchSentencesOpt = Annotated[
    int, typer.Option("--batch-sentences", min=1, help="Sentences per batch at most.")
]
ShortlistOpt = Annotated[
    Path | None,
    typer.Option(
        "--shortlist",
        help="Vocabulary shortlist (CTranslate2 vmap text, from `tarjama model shortlist`): "
        "decode over each batch's candidate pieces only. Default: the model directory's "
        "vmap.txt, if it has one.",
    ),
]
NoShortlistOpt = Annotated[
    bool,
    typer.Option(
        "--no-shortlist", help="Decode over the whole vocabulary, whatever the model has."
    ),
]
EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="local (decode here) or ray (decode batches on a Ray cluster: pip install "
        "'tarjama[ray]'). Same documents either way.",
    ),
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="With --engine ray: HOST:PORT of a head started by `ray start --head` (or auto). "
        "Default: start Ray on this machine for the run.",
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="With --engine ray: decoding actors (one model each). Default: one per CPU of the "
        "cluster.",
    ),
]
WorkerThreadsOpt = Annotated[
    int | None,
    typer.Option(
        "--worker-threads",
        min=1,
        help="With --engine ray: CPU threads of each actor. Default: 1, more when there are "
        "fewer batches than CPUs.",
    ),
]


def _fail(message: str, code: int) -> typer.Exit:
    print(f"tarjama: error: {message}", file=sys.stderr)
    return typer.Exit(code)


@contextmanager
def _reporting() -> Iterator[None]:
    try:
        yield
    except TarjamaError as exc:
        raise _fail(str(exc), exc.exit_code) from None
    except KeyboardInterrupt:
        raise _fail(
            "interrupted; nothing was written for the unfinished step, run the same "
            "command again to redo it",
            130,
        ) from None


def _command(group: typer.Typer, name: str | None = None) -> Callable[[F], F]:
    """Register a command whose library errors become one stderr line and an exit code."""

    def register(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _reporting():
                return func(*args, **kwargs)

        group.command(name)(wrapper)
        return func

    return register


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int, int], None]]:
    """A progress bar on stderr (documents, sentences, sentences/s, time left); yields the
    callback the library calls."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        # The first update is what the memory held: rich leaves it out of the speed.
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f}/s" if speed else "", style="progress.data.speed")

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("sentences"),
        Rate(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    ) as bar:
        tasks: list[Any] = []  # made at the first update: the clock starts with translation

        def update(done: int, total: int, documents: int) -> None:
            if not tasks:
                tasks.append(
                    bar.add_task(
                        f"{label} {_count(documents, 'document')}", total=total, completed=done
                    )
                )
            bar.update(tasks[0], completed=done, total=total)

        yield update


@contextmanager
def _stop_on_ctrl_c() -> Iterator[Callable[[], bool]]:
    """Turn the first Ctrl-C into a polite stop after the current batch; a second one stops now.

    Yields the ``should_stop`` callable the library polls between batches.
    """
    import signal

    requested: list[bool] = []

    def handler(signum: int, frame: object) -> None:
        if requested:
            raise KeyboardInterrupt
        requested.append(True)
        print(
            "\ntarjama: stopping after the current batch (Ctrl-C again to stop at once)",
            file=sys.stderr,
        )

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (e.g. inside a test runner's worker): no handler
        yield lambda: False
        return
    try:
        yield lambda: bool(requested)
    finally:
        signal.signal(signal.SIGINT, previous)


def _decoder(
    engine: str, address: str | None, workers: int | None, worker_threads: int | None
) -> Any:
    """The decoder ``--engine`` asks for: ``None`` for the local engine."""
    if engine not in ("local", "ray"):
        raise _fail(f"--engine {engine}: unknown engine; choose local or ray", 2)
    if engine == "local":
        if address or workers:
            raise _fail("--ray-address and --workers need --engine ray", 2)
        return None
    from .engine.cluster import RayDecoder, RayOptions

    return RayDecoder(RayOptions(address, workers, worker_threads))


def _print_stats(stats: Any) -> None:
    print(
        f"{_count(stats.segments, 'segment')}: {stats.memory_hits} from memory, "
        f"{stats.decoded} translated"
        + (f", {stats.edits} human edits" if stats.edits else "")
        + f" in {stats.seconds:.1f} s"
        + (f" ({stats.per_second:.2f} sentences/s)" if stats.decoded else "")
        + (
            f" on {_count(stats.workers, 'worker')} ({stats.engine})"
            if stats.workers and stats.engine != "local"
            else ""
        ),
        file=sys.stderr,
    )


def _warn(message: str) -> None:
    print(f"tarjama: warning: {message}", file=sys.stderr)


def _glossary_choice(glossary: list[Path] | None, no_glossary: bool) -> list[Path] | None:
    """The glossary files asked for: ``None`` for the bundled ones, ``[]`` for none at all."""
    if no_glossary and glossary:
        raise _fail("--no-glossary and --glossary contradict each other; give one or the other", 2)
    return [] if no_glossary else glossary


def _translate_options(
    model: str,
    beams: int,
    device: str,
    *,
    backend: str = "auto",
    precision: str = "auto",
    batch_tokens: int | None = None,
    batch_sentences: int = 32,
    retranslate: bool = False,
    threads: int | None = None,
    enforce_glossary: bool = True,
    shortlist: Path | None = None,
    no_shortlist: bool = False,
    consistency: bool = True,
) -> Any:
    from .engine import TranslateOptions

    if shortlist is not None and no_shortlist:
        raise _fail(
            "--shortlist and --no-shortlist contradict each other; give one or the other", 2
        )
    return TranslateOptions(
        model=model,
        num_beams=beams,
        device=device,
        backend=backend,
        precision=precision,
        max_batch_tokens=batch_tokens,
        max_batch_sentences=batch_sentences,
        retranslate=retranslate,
        threads=threads,
        enforce_glossary=enforce_glossary,
        shortlist=shortlist,
        default_shortlist=not no_shortlist,
        consistency=consistency,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _version(value: bool) -> None:
    if value:
        print(f"tarjama {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Arabic→English news translation with an enforced proper-noun glossary."""


@_command(app)
def run(
    inputs: Annotated[
        list[str], typer.Argument(help="Article files or folders (.txt, .html), or - for stdin.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Workspace folder to write.")] = Path(
        "build"
    ),
    model: ModelOpt = "Helsinki-NLP/opus-mt-ar-en",
    glossary: GlossaryOpt = None,
    no_glossary: NoGlossaryOpt = False,
    no_consistency: NoConsistencyOpt = False,
    references: Annotated[
        list[Path] | None,
        typer.Option(
            "--references",
            "-r",
            help="Reference TSV files or folders. Default: the bundled "
            "references when the inputs are the bundled corpus.",
        ),
    ] = None,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            help="Export formats besides html (repeat or comma-separate): md, jsonl, tmx, "
            "xliff (XLIFF 2.1), xliff12 (XLIFF 1.2), txt (parallel .ar/.en).",
        ),
    ] = None,
    beams: BeamsOpt = 4,
    device: DeviceOpt = "auto",
    threads: ThreadsOpt = None,
    memory: MemoryOpt = None,
    no_memory: NoMemoryOpt = False,
    batch_tokens: BatchTokensOpt = None,
    batch_sentences: BatchSentencesOpt = 32,
    backend: BackendOpt = "auto",
    precision: PrecisionOpt = "auto",
    shortlist: ShortlistOpt = None,
    no_shortlist: NoShortlistOpt = False,
    engine: EngineOpt = "local",
    ray_address: RayAddressOpt = None,
    workers: WorkersOpt = None,
    worker_threads: WorkerThreadsOpt = None,
) -> None:
    """Clean, segment, translate, evaluate and export articles in one go.

    Translations are kept in a memory (memory.sqlite in the workspace): a second run translates
    only what changed, and a run that was stopped (Ctrl-C, a crash) resumes where it stopped.
    """
    from . import pipeline
    from .export import parse_formats

    glossary = _glossary_choice(glossary, no_glossary)
    settings = _translate_options(
        model,
        beams,
        device,
        backend=backend,
        precision=precision,
        batch_tokens=batch_tokens,
        batch_sentences=batch_sentences,
        threads=threads,
        enforce_glossary=not no_glossary,
        shortlist=shortlist,
        no_shortlist=no_shortlist,
        consistency=not no_consistency,
    )
    decoder = _decoder(engine, ray_address, workers, worker_threads)
    with _stop_on_ctrl_c() as should_stop, decoder or nullcontext():
        options = pipeline.RunOptions(
            inputs=inputs,
            out=out,
            glossary=glossary,
            references=references,
            formats=parse_formats(formats or []),
            translate=settings,
            use_memory=not no_memory,
            memory=memory,
            should_stop=should_stop,
            warn=_warn,
            decoder=decoder,
        )
        with _progress("translating") as progress:
            result = pipeline.run(options, progress)
    _print_stats(result.stats)
    print(
        f"{_count(len(result.documents), 'document')}, {_count(result.segments, 'segment')} "
        f"→ {out}/",
        file=sys.stderr,
    )
    if result.report and "corpus" in result.report:
        c = result.report["corpus"]
        cov = result.report["coverage"]
        print(
            f"BLEU {c['bleu']['score']:.1f}  chrF++ {c['chrf']['score']:.1f}  "
            f"TER {c['ter']['score']:.1f}  ({cov['with_reference']}/{cov['segments']} segments "
            "with a reference)",
            file=sys.stderr,
        )
    print(str(out / "html" / "index.html"))


@_command(app)
def ingest(
    inputs: Annotated[list[str], typer.Argument(help="Article files or folders, or - for stdin.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Workspace folder.")] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the document(s) as JSON to stdout instead of writing files."
        ),
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show every input line and what happened to it.")
    ] = False,
) -> None:
    """Clean and segment articles into documents (no translation)."""
    from .ingest import check_body, trace
    from .pipeline import prepare
    from .segment import segment as segment_doc
    from .workspace import Workspace

    if out is None and not (as_json or explain):
        raise _fail("give --out DIR to write documents, or --json / --explain to print them", 2)
    if explain:
        # What prepare() does, keeping each paragraph's input line to show; a document that
        # ends up empty is explained first, then refused.
        traced = trace(inputs, check=False)
        docs = [segment_doc(item.doc) for item in traced]
        for item in traced:
            _explain(item)
        for item in traced:
            check_body(item.doc, item.doc.meta.source_path)
    else:
        docs = prepare(inputs)
    if as_json:
        payload = docs[0].to_dict() if len(docs) == 1 else [d.to_dict() for d in docs]
        print(json.dumps(payload, ensure_ascii=False, indent=1))
    if out is not None:
        workspace = Workspace(out)
        for doc in docs:
            workspace.save(doc)
        print(f"{_count(len(docs), 'document')} → {workspace.documents_dir}/", file=sys.stderr)


def _explain(item: Any) -> None:
    """Print every line of one input and what became of it, in line order."""
    from .ingest import explain

    doc = item.doc
    print(f"# {doc.id} ({doc.meta.source_path}, {doc.meta.encoding})")
    for key in ("title", "site", "outlet", "byline", "date"):
        if getattr(doc.meta, key):
            print(f"  {key:<7} {getattr(doc.meta, key)}")
    for line, what, text in explain(item):
        if what == "title" or what.startswith("removed"):
            print(f"  line {line:>4}  {what}: {text[:100]}")
        else:
            print(f"  line {line:>4}  → {what}  {text}")


@_command(app)
def segment(
    text: Annotated[str, typer.Argument(help="Arabic text, or - to read stdin.")],
    as_json: Annotated[bool, typer.Option("--json", help="Details as JSON.")] = False,
    max_tokens: Annotated[
        int,
        typer.Option(
            "--max-tokens",
            min=8,
            help="Cut sentences longer than this (tokens estimated at two per word) at ؛ ، "
            "and clause connectors.",
        ),
    ] = 200,
) -> None:
    """Split Arabic text into sentences, one per line (each line of TEXT is a paragraph)."""
    from .segment import SegmentOptions, segment_paragraph

    if text == "-":
        text = sys.stdin.read()
    options = SegmentOptions(max_tokens=max_tokens)
    segments = [
        seg for paragraph in text.splitlines() for seg in segment_paragraph(paragraph, options)
    ]
    if as_json:
        rows = [
            {
                "source": seg.source,
                "space_after": seg.space_after,
                "normalized": seg.normalized,
                "continues": seg.continues,
                "flags": [flag.code for flag in seg.flags],
            }
            for seg in segments
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for seg in segments:
            print(seg.source)


@_command(app, "translate")
def translate_cmd(
    workspace: Annotated[Path, typer.Argument(help="Workspace folder made by `tarjama ingest`.")],
    model: ModelOpt = "Helsinki-NLP/opus-mt-ar-en",
    glossary: GlossaryOpt = None,
    no_glossary: NoGlossaryOpt = False,
    no_consistency: NoConsistencyOpt = False,
    beams: BeamsOpt = 4,
    device: DeviceOpt = "auto",
    threads: ThreadsOpt = None,
    retranslate: Annotated[
        bool,
        typer.Option(
            "--retranslate", help="Translate again segments that already have machine output."
        ),
    ] = False,
    memory: MemoryOpt = None,
    no_memory: NoMemoryOpt = False,
    batch_tokens: BatchTokensOpt = None,
    batch_sentences: BatchSentencesOpt = 32,
    backend: BackendOpt = "auto",
    precision: PrecisionOpt = "auto",
    shortlist: ShortlistOpt = None,
    no_shortlist: NoShortlistOpt = False,
) -> None:
    """Translate the documents of a workspace in place (memory.sqlite keeps what was done)."""
    from . import pipeline
    from .workspace import Workspace

    chosen = _glossary_choice(glossary, no_glossary)
    ws = Workspace(workspace)
    docs = ws.load_all()
    paths = pipeline.default_glossary() if chosen is None else chosen
    gloss = pipeline.load_glossary(paths)
    settings = _translate_options(
        model,
        beams,
        device,
        backend=backend,
        precision=precision,
        batch_tokens=batch_tokens,
        batch_sentences=batch_sentences,
        retranslate=retranslate,
        threads=threads,
        enforce_glossary=not no_glossary,
        shortlist=shortlist,
        no_shortlist=no_shortlist,
        consistency=not no_consistency,
    )
    store = None if no_memory else (memory or workspace / pipeline.MEMORY_FILE)
    with _stop_on_ctrl_c() as should_stop, _progress("translating") as progress:
        stats = pipeline.glossary_and_translate(
            docs, gloss, settings, progress, memory=store, should_stop=should_stop, warn=_warn
        )
    _print_stats(stats)
    for doc in docs:
        ws.save(doc)
    print(f"{len(docs)} documents translated in {ws.documents_dir}/", file=sys.stderr)


@_command(app, "export")
def export_cmd(
    workspace: Annotated[Path, typer.Argument(help="Workspace folder.")],
    formats: Annotated[
        list[str],
        typer.Option(
            "--format",
            "-f",
            help="html (pages and index.html), md, jsonl, tmx, xliff (XLIFF 2.1), xliff12 "
            "(XLIFF 1.2), txt (parallel .ar/.en); repeat or comma-separate.",
        ),
    ],
) -> None:
    """Render the workspace's documents in one or more formats."""
    from .export import export, parse_formats
    from .workspace import Workspace

    chosen = parse_formats(formats)
    ws = Workspace(workspace)
    report = None
    if ws.report_path.is_file():
        report = json.loads(ws.report_path.read_text(encoding="utf-8"))
    for path in export(ws.load_all(), ws, chosen, report):
        print(path)


@_command(app, "evaluate")
def evaluate_cmd(
    workspace: Annotated[Path, typer.Argument(help="Workspace folder with translated documents.")],
    references: Annotated[
        list[Path] | None,
        typer.Option(
            "--references",
            "-r",
            help="Reference TSV files (ar, en), .en files with their .ar beside them, or "
            "folders; repeat for several references per sentence. Default: the bundled "
            "references when the documents come from the bundled corpus.",
        ),
    ] = None,
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="The Arabic of .en references (one sentence per line), "
            "when it is not the .ar file beside them.",
        ),
    ] = None,
    glossary: GlossaryOpt = None,
    fail_under: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-under",
            help="Exit 1 when the batch falls short, e.g. chrf=50,terms=100 (also bleu=N; "
            "ter=N is a ceiling, TER being lower-is-better).",
        ),
    ] = None,
) -> None:
    """Score (BLEU, chrF++, TER, glossary terms), flag segments, write report.json and .html."""
    from . import pipeline
    from .evaluate import check_thresholds, evaluate, load_references, parse_thresholds
    from .export import export, formats_in
    from .workspace import Workspace

    thresholds = parse_thresholds(fail_under or [])
    ws = Workspace(workspace)
    docs = ws.load_all()
    if references is None:
        references = pipeline.default_references([d.meta.source_path or "-" for d in docs])
    refs = load_references(references, sources) if references else None
    gloss = pipeline.load_glossary(pipeline.default_glossary() if glossary is None else glossary)
    from .review.edits import edit_log

    report = evaluate(docs, refs, glossary=gloss, edit_log=edit_log(ws))
    if thresholds:
        report["gate"] = check_thresholds(report, thresholds)
    for doc in docs:
        ws.save(doc)  # the QA flags are stored in the documents
    # Every rendering shows the QA flags, and the index the scores: bring them up to date.
    export(docs, ws, formats_in(ws, docs), report)
    pipeline.write_report(ws, report)
    summary: dict[str, Any] = {
        k: report[k] for k in ("corpus", "coverage", "partial", "gate") if k in report
    }
    summary["terms"] = {k: v for k, v in report["terms"].items() if k != "by_term"}
    summary["qa"] = {k: report["qa"][k] for k in ("flags", "segments_flagged")}
    if report.get("post_editing"):
        summary["post_editing"] = {
            k: report["post_editing"][k]
            for k in ("hter", "segments", "changed", "saves", "seconds", "reviewers")
        }
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    if refs is None:
        print(
            "tarjama: note: no references, so no scores (QA flags and glossary terms only); "
            "give --references R to score",
            file=sys.stderr,
        )
    if report["partial"]:
        print(
            f"tarjama: warning: partial results: {len(report['untranslated'])} segments are "
            f"not translated (documents: {', '.join(report['untranslated_documents'])})",
            file=sys.stderr,
        )
    print(f"report: {ws.root / 'report.html'}", file=sys.stderr)
    if thresholds and not report["gate"]["passed"]:
        print(f"tarjama: fail-under: {'; '.join(report['gate']['failures'])}", file=sys.stderr)
        raise typer.Exit(1)


@_command(app, "compare")
def compare_cmd(
    a: Annotated[
        Path, typer.Argument(help="Baseline: a workspace, or a .en file (one line per sentence).")
    ],
    b: Annotated[Path, typer.Argument(help="The output to compare with A, of the same kind.")],
    references: Annotated[
        list[Path],
        typer.Option(
            "--references",
            "-r",
            help="References (as for evaluate); for .en outputs without --sources, .en files "
            "line-aligned with them (repeat for several references).",
        ),
    ],
    sources: Annotated[
        Path | None,
        typer.Option("--sources", help="The Arabic of .en outputs, one sentence per line."),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", min=0, help="How many most-different segments to list.")
    ] = 10,
    samples: Annotated[int, typer.Option("--samples", min=100, help="Bootstrap resamples.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Also write the comparison as a self-contained HTML page: the intervals as a "
            "chart, and the segments that differ most (at least 50) with their words marked.",
        ),
    ] = None,
) -> None:
    """Compare two outputs of the same sources: paired bootstrap resampling, biggest differences."""
    from .evaluate import compare, pair_outputs, render_comparison_html
    from .evaluate.comparison_html import PAGE_TOP
    from .workspace import write_atomic

    pairing = pair_outputs(a, b, references, sources)
    result = compare(pairing, samples=samples, top=max(top, PAGE_TOP) if html else top)
    if html is not None:
        write_atomic(html, render_comparison_html(result))
        print(f"comparison page: {html}", file=sys.stderr)
        # The page lists more segments than the terminal; print only the --top asked for.
        result["differences"] = result["differences"][:top]
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    systems = result["systems"]
    print(
        f"A = {systems['a']}, B = {systems['b']}: {result['segments']} segments with a reference; "
        f"paired bootstrap resampling, {result['samples']} samples, seed {result['seed']}"
    )
    for m in result["metrics"].values():
        verdict = (
            f"{m['better'].upper()} is significantly better"
            if m["better"]
            else "no significant difference"
        )
        print(
            f"  {m['name']:<8} A {m['a']['score']:6.2f}  B {m['b']['score']:6.2f}  "
            f"Δ {m['delta']:+6.2f}  p = {m['p_value']:.4f}  {verdict}"
        )
    if result["differences"]:
        print("segments that differ most (sentence chrF++ A → B):")
    for d in result["differences"]:
        print(f"  {d['id']}  {d['chrf_a']:.1f} → {d['chrf_b']:.1f} ({d['delta']:+.1f})")
        if d["source"]:
            print(f"    ar: {d['source']}")
        print(f"    A:  {d['a']}\n    B:  {d['b']}")
        for ref in d["references"]:
            print(f"    R:  {ref}")
    for key, label in (("untranslated", "not translated"), ("without_reference", "no reference")):
        if result[key]:
            print(
                f"tarjama: warning: {len(result[key])} segments left out ({label})",
                file=sys.stderr,
            )


def _reviewer(name: str | None) -> str:
    if name:
        return name
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "reviewer"


ReviewerOpt = Annotated[
    str | None,
    typer.Option("--reviewer", help="Name the edits are logged under. Default: the OS user."),
]


@_command(app, "review")
def review_cmd(
    workspace: Annotated[Path, typer.Argument(help="Workspace folder made by `tarjama run`.")],
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="Port to listen on. Default: a free one."),
    ] = 0,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Default 127.0.0.1 (this machine only); any other "
            "exposes the workspace to the network.",
        ),
    ] = "127.0.0.1",
    reviewer: ReviewerOpt = None,
    glossary: GlossaryOpt = None,
    references: Annotated[
        list[Path] | None,
        typer.Option(
            "--references",
            "-r",
            help="Reference files shown beside each sentence. Default: the bundled references "
            "when the documents come from the bundled corpus.",
        ),
    ] = None,
    glossary_out: Annotated[
        Path | None,
        typer.Option(
            "--glossary-out",
            help="Glossary TSV/CSV that names accepted in the app are appended to (created "
            "when missing). Without it, names are listed, not accepted.",
        ),
    ] = None,
) -> None:
    """Correct and approve translations in a local web app; every edit flows back.

    Prints one line, `Review at http://127.0.0.1:PORT/?token=TOKEN`: open it in a browser.
    Each save goes into the edit log and the translation memory (a human edit wins in every
    later run), then into the document, its page and its exports. Ctrl-C stops it.
    """
    from .review.server import ReviewOptions, check_host, serve

    if not check_host(host):
        _warn(
            f"--host {host}: the review app will accept connections from other machines; "
            "anyone who learns the printed address can edit this workspace"
        )

    def ready(url: str) -> None:
        print(f"Review at {url}", flush=True)
        print("tarjama: press Ctrl-C to stop", file=sys.stderr, flush=True)

    options = ReviewOptions(
        workspace=workspace,
        reviewer=_reviewer(reviewer),
        host=host,
        port=port,
        glossary=glossary,
        references=references,
        glossary_out=glossary_out,
        warn=_warn,
    )
    context = serve(options, ready)
    print(f"tarjama: review stopped; {_count(context.saves, 'edit')} saved", file=sys.stderr)


@_command(app, "import")
def import_cmd(
    workspace: Annotated[Path, typer.Argument(help="Workspace the files were exported from.")],
    files: Annotated[
        list[Path], typer.Argument(help="XLIFF 2.x or 1.2 files edited in a CAT tool.")
    ],
    reviewer: ReviewerOpt = None,
    glossary: GlossaryOpt = None,
) -> None:
    """Bring back XLIFF files edited in a CAT tool: changed targets, states and notes.

    Every file is checked first; any problem (changed source, re-segmented unit, unknown id,
    invalid state…) refuses the whole import with exit 2 and changes nothing.
    """
    from . import pipeline
    from .qa import QAOptions
    from .review.edits import EditOptions
    from .review.xliff_import import import_files
    from .workspace import Workspace

    gloss = pipeline.load_glossary(pipeline.default_glossary() if glossary is None else glossary)
    result = import_files(
        Workspace(workspace),
        files,
        _reviewer(reviewer),
        EditOptions(qa=QAOptions(glossary=gloss)),
    )
    for plan in result.files:
        edits = sum(1 for r in result.results if r.document in plan.documents)
        print(
            f"{plan.path}: XLIFF {plan.version}, {_count(plan.segments, 'segment')}, "
            f"{_count(edits, 'edit')}",
            file=sys.stderr,
        )
    for r in result.results:
        print(f"{r.segment.id}\t{r.segment.state}\t{'changed' if r.changed else 'state'}")
    print(
        f"{_count(result.edits, 'edit')} imported into {workspace}/"
        + ("; run `tarjama evaluate` for post-editing effort (HTER)" if result.edits else ""),
        file=sys.stderr,
    )


@_command(references_app, "export")
def references_export(
    workspace: Annotated[Path, typer.Argument(help="Workspace with reviewed segments.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="TSV file to write.")],
) -> None:
    """Write the post-edits (reviewed or final segments that people edited or approved) as a
    reference TSV: ar, en, origin=post-edit. Reports list them as post-edits, never as
    independent references."""
    from .evaluate.hter import post_edits
    from .evaluate.references import write_post_edits
    from .review.edits import edit_log
    from .workspace import Workspace

    ws = Workspace(workspace)
    rows = write_post_edits(out, post_edits(ws.load_all(), edit_log(ws)))
    print(f"{_count(rows, 'post-edit')} → {out}", file=sys.stderr)


@_command(glossary_app, "match")
def glossary_match(
    text: Annotated[str, typer.Argument(help="Arabic text, or - to read stdin.")],
    glossary: GlossaryOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the glossary terms found in TEXT, with offsets."""
    from dataclasses import asdict

    from .pipeline import default_glossary, load_glossary

    if text == "-":
        text = sys.stdin.read()
    terms = load_glossary(default_glossary() if glossary is None else glossary).match(text)
    if as_json:
        print(
            json.dumps(
                [{k: v for k, v in asdict(t).items() if k != "verdict"} for t in terms],
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for t in terms:
            print(f"{t.start}\t{t.end}\t{t.ar}\t{t.en}")


@_command(glossary_app, "suggest")
def glossary_suggest(
    workspace: Annotated[Path, typer.Argument(help="Workspace folder with documents.")],
    min_count: Annotated[
        int, typer.Option("--min-count", min=1, help="Leave out names seen fewer times.")
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    glossary: GlossaryOpt = None,
    contexts: Annotated[
        int, typer.Option("--contexts", min=0, help="Contexts shown per name (text output).")
    ] = 3,
    references: Annotated[
        list[Path] | None,
        typer.Option(
            "--references",
            "-r",
            help="Reference translations (as for evaluate): names their English writes as they "
            "sound are candidates too. Default: the bundled references for the bundled corpus.",
        ),
    ] = None,
    sources: Annotated[
        Path | None,
        typer.Option("--sources", help="The Arabic of .en references, when not beside them."),
    ] = None,
) -> None:
    """List names in the workspace's Arabic that the glossary lacks, most frequent first:
    count, documents, suggested type, Arabic, the model's renderings, signals, contexts.
    Besides the Arabic signals, words the English (translations, references) writes as they
    sound (القامشلي ~ Qamishli) are candidates."""
    from . import pipeline
    from .evaluate import load_references
    from .names import SuggestOptions, describe, find_candidates
    from .pipeline import default_glossary, load_glossary
    from .workspace import Workspace

    docs = Workspace(workspace).load_all()
    gloss = load_glossary(default_glossary() if glossary is None else glossary)
    if references is None:
        references = pipeline.default_references([d.meta.source_path or "-" for d in docs])
    refs = load_references(references, sources) if references else None
    found = find_candidates(docs, gloss, SuggestOptions(min_count=min_count, references=refs))
    if as_json:
        print(json.dumps([c.to_dict() for c in found], ensure_ascii=False, indent=1))
    elif found:
        print(describe(found, contexts))
    print(f"{_count(len(found), 'name')} the glossary lacks", file=sys.stderr)


@_command(glossary_app, "lint")
def glossary_lint(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Glossary files (TSV, CSV, TBX), layered in order. Default: glossary/."
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Also report English the model's target vocabulary cannot write (hub id, "
            "cached, or local directory).",
        ),
    ] = None,
) -> None:
    """Report duplicate, conflicting, shadowed and unmatchable entries, with file and line."""
    from .glossary.lint import lint, summary
    from .pipeline import default_glossary

    model_dir = None
    if model is not None:
        from .engine.model import resolve

        model_dir = resolve(model, download=False).path
    problems = lint(files or default_glossary(), model_dir=model_dir)
    for problem in problems:
        print(problem)
    print(summary(problems), file=sys.stderr)
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(1)


@_command(model_app, "download")
def model_download(
    name: Annotated[str, typer.Argument(help="Hub id.")] = "Helsinki-NLP/opus-mt-ar-en",
) -> None:
    """Download a model into the local Hugging Face cache, for machines that will go offline."""
    from .engine.model import download_model

    print(download_model(name))


@_command(model_app, "info")
def model_info(
    name: Annotated[
        str, typer.Argument(help="Hub id or directory.")
    ] = "Helsinki-NLP/opus-mt-ar-en",
) -> None:
    """Where a model is on this machine, its size and shape."""
    from .engine.model import resolve

    print(json.dumps(resolve(name, download=False).describe(), indent=1))


@_command(model_app, "convert")
def model_convert(
    source: Annotated[str, typer.Argument(help="Hub id or transformers model directory.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the CTranslate2 model to.")
    ],
    quantization: Annotated[
        str,
        typer.Option(
            "--quantization", "-q", help="int8 (fastest on CPU), int8_float32 or float32."
        ),
    ] = "int8",
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    shortlist: Annotated[
        Path | None,
        typer.Option(
            "--shortlist",
            help="A shortlist (from `tarjama model shortlist`) to put in the model as vmap.txt; "
            "the model then uses it unless --no-shortlist.",
        ),
    ] = None,
) -> None:
    """Convert a MarianMT model to CTranslate2 (needs the ct2 extra); use it with --model."""
    from .engine.convert import convert

    print(convert(source, out, quantization, force=force, shortlist=shortlist))


@_command(model_app, "shortlist")
def model_shortlist(
    model: Annotated[str, typer.Argument(help="Hub id or model directory (its tokenizers).")],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="File to write (MODEL_DIR/vmap.txt: the model uses it by default)."
        ),
    ],
    sources: Annotated[
        list[Path] | None,
        typer.Option(
            "--from",
            help="Parallel text: a workspace (its memory), a .tsv (ar<TAB>en), a .tmx, or "
            "references (folder or .en); repeat for several.",
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Candidates per source entry.")] = 50,
    frequent: Annotated[
        int, typer.Option("--frequent", min=0, help="Most frequent target pieces, always allowed.")
    ] = 500,
    glossary: GlossaryOpt = None,
    no_glossary: NoGlossaryOpt = False,
) -> None:
    """Build a vocabulary shortlist (CTranslate2 vmap text) from parallel text, for --shortlist."""
    from . import pipeline
    from .engine.model import resolve
    from .engine.shortlist import BuildOptions, make

    chosen = _glossary_choice(glossary, no_glossary)
    gloss = pipeline.load_glossary(pipeline.default_glossary() if chosen is None else chosen)
    options = BuildOptions(top=top, frequent=frequent, glossary=[e.en for e in gloss.entries])
    written, stats = make(resolve(model, download=False).path, sources or [], out, options)
    print(f"{stats.summary()} → {written.path}")


def main() -> None:
    """Console-script entry point."""
    app()
