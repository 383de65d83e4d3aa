"""The tarjama command line: Typer commands that parse options, call the library and print.

Data goes to stdout, progress and messages to stderr. A :class:`TarjamaError` becomes one line
on stderr and its exit code; no traceback reaches the user.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
model_app = typer.Typer(no_args_is_help=True, help="Download and inspect translation models.")
app.add_typer(glossary_app, name="glossary")
app.add_typer(model_app, name="model")

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
BeamsOpt = Annotated[int, typer.Option("--beams", min=1, max=16, help="Beam size.")]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto, cpu or cuda.")]


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
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr; yields the callback the library calls."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("sentences"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _translate_options(model: str, beams: int, device: str, retranslate: bool = False) -> Any:
    from .engine import TranslateOptions

    return TranslateOptions(model=model, num_beams=beams, device=device, retranslate=retranslate)


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
        typer.Option("--format", "-f", help="Extra export formats besides html: md, jsonl."),
    ] = None,
    beams: BeamsOpt = 4,
    device: DeviceOpt = "auto",
) -> None:
    """Clean, segment, translate, evaluate and export articles in one go."""
    from . import pipeline
    from .export import parse_formats

    options = pipeline.RunOptions(
        inputs=inputs,
        out=out,
        glossary=glossary,
        references=references,
        formats=parse_formats(formats or []),
        translate=_translate_options(model, beams, device),
    )
    with _progress("translating") as progress:
        result = pipeline.run(options, progress)
    print(
        f"{len(result.documents)} documents, {result.segments} segments → {out}/", file=sys.stderr
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
    from .pipeline import prepare
    from .workspace import Workspace

    if out is None and not (as_json or explain):
        raise _fail("give --out DIR to write documents, or --json / --explain to print them", 2)
    docs = prepare(inputs)
    if explain:
        for doc in docs:
            _explain(doc)
    if as_json:
        payload = docs[0].to_dict() if len(docs) == 1 else [d.to_dict() for d in docs]
        print(json.dumps(payload, ensure_ascii=False, indent=1))
    if out is not None:
        workspace = Workspace(out)
        for doc in docs:
            workspace.save(doc)
        print(f"{len(docs)} documents → {workspace.documents_dir}/", file=sys.stderr)


def _explain(doc: Any) -> None:
    print(f"# {doc.id} ({doc.meta.source_path}, {doc.meta.encoding})")
    print(f"  title   {doc.title.source if doc.title else '(none)'}")
    for key in ("site", "outlet", "byline", "date"):
        if getattr(doc.meta, key):
            print(f"  {key:<7} {getattr(doc.meta, key)}")
    for removed in doc.removed:
        print(f"  line {removed.line:>4}  removed ({removed.reason}): {removed.text[:100]}")
    for paragraph in doc.paragraphs:
        for seg in paragraph:
            print(f"  {seg.id}  {seg.source}")


@_command(app)
def segment(
    text: Annotated[str, typer.Argument(help="Arabic text, or - to read stdin.")],
    as_json: Annotated[bool, typer.Option("--json", help="Details as JSON.")] = False,
) -> None:
    """Split Arabic text into sentences, one per line."""
    from .arabic import normalize
    from .segment import split_sentences

    if text == "-":
        text = sys.stdin.read()
    rows = []
    for paragraph in text.splitlines():
        for sentence, space in split_sentences(paragraph):
            rows.append(
                {"source": sentence, "space_after": space, "normalized": normalize(sentence).text}
            )
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            print(row["source"])


@_command(app, "translate")
def translate_cmd(
    workspace: Annotated[Path, typer.Argument(help="Workspace folder made by `tarjama ingest`.")],
    model: ModelOpt = "Helsinki-NLP/opus-mt-ar-en",
    glossary: GlossaryOpt = None,
    beams: BeamsOpt = 4,
    device: DeviceOpt = "auto",
    retranslate: Annotated[
        bool,
        typer.Option(
            "--retranslate", help="Translate again segments that already have machine output."
        ),
    ] = False,
) -> None:
    """Translate the documents of a workspace in place."""
    from . import pipeline
    from .workspace import Workspace

    ws = Workspace(workspace)
    docs = ws.load_all()
    paths = pipeline.default_glossary() if glossary is None else glossary
    gloss = pipeline.load_glossary(paths)
    with _progress("translating") as progress:
        pipeline.glossary_and_translate(
            docs, gloss, _translate_options(model, beams, device, retranslate), progress
        )
    for doc in docs:
        ws.save(doc)
    print(f"{len(docs)} documents translated in {ws.documents_dir}/", file=sys.stderr)


@_command(app, "export")
def export_cmd(
    workspace: Annotated[Path, typer.Argument(help="Workspace folder.")],
    formats: Annotated[
        list[str],
        typer.Option("--format", "-f", help="html, md, jsonl (repeat or comma-separate)."),
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
        list[Path], typer.Option("--references", "-r", help="Reference TSV files or folders.")
    ],
) -> None:
    """Score translations against references (BLEU, chrF++, TER) and write report.json."""
    from .evaluate import evaluate, load_references
    from .pipeline import write_report
    from .workspace import Workspace

    ws = Workspace(workspace)
    refs = load_references(references)
    docs = ws.load_all()
    models = sorted({str(s.origin.get("model")) for d in docs for s in d.segments() if s.origin})
    report = evaluate(docs, refs, extra={"model": ", ".join(models)})
    write_report(ws, report)
    print(
        json.dumps(
            {k: report[k] for k in ("corpus", "coverage", "terms", "partial") if k in report},
            ensure_ascii=False,
            indent=1,
        )
    )
    if report["partial"]:
        print(
            f"tarjama: warning: partial results: {len(report['untranslated'])} segments are "
            "not translated",
            file=sys.stderr,
        )


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


def main() -> None:
    """Console-script entry point."""
    app()
