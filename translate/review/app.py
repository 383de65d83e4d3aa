"""The review web app: routes that parse a request, call the library, render a template.

Routes (all behind :class:`~translate.review.security.Guard`):

=========================================  ====================================================
``GET  /``                                 the edition index (``outlet``, ``progress``,
                                           ``flags=open``, ``q``, ``page`` filter and paginate)
``GET  /doc/<document id>``                a document side by side, every English cell editable
``POST /api/segment/<segment id>``         an edit (JSON), answered with the segment re-rendered
                                           or, on a stale revision, 409 with both versions
``GET  /api/segment/<segment id>/history`` the segment's versions, each restorable
``GET  /api/names``                        names the glossary lacks (``doc``: those of one
                                           document), :mod:`.names`
``POST /api/names/accept``                 a name added to the ``--glossary-out`` file (JSON
                                           ``ar``, ``en``, ``type``), its sentences marked for
                                           re-translation; 409 when refused
``GET  /static/review.js|review.css``      the page's script and style (no inline script)
=========================================  ====================================================

Templates autoescape everything; untrusted text (articles, machine output) goes through the
``show`` filter, which also shows bidi controls as visible labels, so that nothing in a
sentence can reorder the page or hide what it says, and characters HTML forbids (U+0000…) become
U+FFFD.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ..document import Document, Segment, Term
from ..errors import Conflict, InputError, TarjamaError, UsageError
from ..evaluate.references import References
from ..export._chars import html_text
from ..memory import FILENAME as MEMORY_FILE
from ..memory import LoggedEdit, TranslationMemory
from ..qa import QAOptions
from ..workspace import Workspace
from .edits import (
    DOCUMENT_ID,
    EditOptions,
    EditRequest,
    apply_edits,
    is_human,
    machine_output,
    split_segment_id,
)
from .names import NameDesk, NameRefused, NoGlossaryOut, candidate_json
from .refresh import Refresher, stale
from .security import Guard, Secrets
from .store import PROGRESS, DocumentStore, Filters, summarize

#: What each button of the page does to the state.
ACTION_STATES = {
    "edit": "reviewed",
    "approve": "reviewed",
    "final": "final",
    "send-back": "initial",
    "revert": "translated",
}
STATIC = {"review.js": "text/javascript", "review.css": "text/css"}

# Bidi controls: shown as labels, never passed to the page, where they would reorder the text
# around them (and could make a sentence read as something else).
_BIDI = {
    "\u061c": "ALM",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
}
_BIDI_RE = re.compile("[" + "".join(_BIDI) + "]")


def show(text: object) -> Any:
    """Untrusted text as safe HTML: escaped, forbidden characters as U+FFFD, bidi controls as
    visible labels (``<span class="ctl">RLO</span>``)."""
    from markupsafe import Markup, escape

    value = html_text("" if text is None else str(text))
    parts: list[Any] = []
    pos = 0
    for match in _BIDI_RE.finditer(value):
        parts.append(escape(value[pos : match.start()]))
        name = _BIDI[match.group()]
        code = f"U+{ord(match.group()):04X}"
        parts.append(Markup('<span class="ctl" title="{} {}">{}</span>').format(code, name, name))
        pos = match.end()
    parts.append(escape(value[pos:]))
    return Markup("").join(parts)


@dataclass(slots=True)
class Piece:
    text: str
    term: Term | None = None


@dataclass(slots=True)
class SegmentView:
    """What the page shows of one segment."""

    seg: Segment
    label: str
    ar: list[Piece]
    machine: str | None
    references: list[str]
    origin: str
    versions: int
    rows: int


@dataclass(slots=True)
class ReviewContext:
    """Everything the routes share: the workspace, its documents, how edits are checked."""

    workspace: Workspace
    reviewer: str
    qa: QAOptions = field(default_factory=QAOptions)
    references: References | None = None
    secrets: Secrets = field(default_factory=Secrets)
    store: DocumentStore = field(init=False)
    saves: int = 0  # edits saved since the app started
    # A connection held open while the app runs: SQLite checkpoints the WAL when the last
    # connection closes, and each request's own connection would otherwise pay for that.
    keeper: TranslationMemory | None = None
    # Pages and exports are written in the background after each save (None: in the save).
    refresher: Refresher | None = None
    # Names the glossary lacks, and where accepted ones go (None: no names panel).
    names: NameDesk | None = None

    def __post_init__(self) -> None:
        self.store = DocumentStore(self.workspace)

    def close(self) -> None:
        """Write the renderings still pending, release the memory."""
        if self.refresher is not None:
            self.refresher.close()
            self.refresher = None
        if self.keeper is not None:
            self.keeper.close()
            self.keeper = None


def _env() -> Any:
    from ..templating import environment

    env = environment("translate.review")
    env.filters["show"] = show
    return env


def _pieces(seg: Segment) -> list[Piece]:
    out: list[Piece] = []
    pos = 0
    for term in sorted(seg.terms, key=lambda t: (t.start, -t.end)):
        if term.start < pos or not 0 <= term.start < term.end <= len(seg.source):
            continue
        if term.start > pos:
            out.append(Piece(seg.source[pos : term.start]))
        out.append(Piece(seg.source[term.start : term.end], term))
        pos = term.end
    if pos < len(seg.source):
        out.append(Piece(seg.source[pos:]))
    return out


def _origin(seg: Segment) -> str:
    origin = seg.origin or {}
    if is_human(origin):
        who = origin.get("edited_by")
        when = origin.get("edited")
        if not who:
            return "human edit (from the translation memory)"
        via = origin.get("via")
        where = f", from {via}" if via and via != "review" else ""
        return f"human edit by {who}, {when}{where}"
    if seg.target is None:
        return "not translated yet"
    model = origin.get("model")
    text = f"machine: {model}" if model else "machine"
    if origin.get("engine"):
        text += f" ({origin['engine']})"
    if origin.get("reviewed_by"):
        text += f"; approved by {origin['reviewed_by']}"
    return text


def _label(seg_id: str) -> str:
    _, paragraph, sentence = seg_id.rsplit(":", 2)
    return "title" if paragraph == "0" else f"{paragraph}.{sentence}"


def _log(workspace: Workspace, document: str) -> dict[str, list[LoggedEdit]]:
    path = workspace.root / MEMORY_FILE
    if not path.is_file():
        return {}
    by_segment: dict[str, list[LoggedEdit]] = {}
    with TranslationMemory(path) as memory:
        for row in memory.edit_log(document=document):
            by_segment.setdefault(row.segment, []).append(row)
    return by_segment


def _view(seg: Segment, log: list[LoggedEdit], refs: References | None) -> SegmentView:
    length = len(seg.target or "")
    return SegmentView(
        seg=seg,
        label=_label(seg.id),
        ar=_pieces(seg),
        machine=machine_output(seg, log),
        references=refs.get(seg.source) if refs else [],
        origin=_origin(seg),
        versions=len(log),
        rows=max(2, min(12, length // 70 + 1)),
    )


def _json(data: dict[str, Any], status: int = 200) -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse(data, status_code=status)


def _html(text: str, status: int = 200) -> Any:
    from starlette.responses import HTMLResponse

    return HTMLResponse(text, status_code=status)


def _not_found(what: str) -> Any:
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(f"{what}: not in this workspace.\n", status_code=404)


def build_app(context: ReviewContext, hosts: set[str], cookie: str, lifespan: Any = None) -> Guard:
    """The ASGI app: the routes of the module docstring behind the guard.

    Args:
        hosts: the ``Host`` header values to answer (:func:`.security.allowed_hosts`).
        cookie: the session cookie's name.
        lifespan: Starlette's lifespan context (the server prints its address there).
    """
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    env = _env()
    csrf = context.secrets.csrf

    def render(name: str, **values: Any) -> str:
        return str(env.get_template(name).render(csrf=csrf, reviewer=context.reviewer, **values))

    def index(request: Request) -> Any:
        q = request.query_params
        page_text = q.get("page", "1")
        filters = Filters(
            outlet=q.get("outlet", "")[:200],
            progress=q.get("progress", "all") if q.get("progress") in PROGRESS else "all",
            flags=q.get("flags") == "open",
            q=q.get("q", "")[:200],
            page=int(page_text) if page_text.isdigit() and len(page_text) < 7 else 1,
        )
        page = context.store.index(filters)

        def query(number: int) -> str:
            values = {
                "outlet": filters.outlet,
                "progress": filters.progress if filters.progress != "all" else "",
                "flags": "open" if filters.flags else "",
                "q": filters.q,
                "page": str(number),
            }
            return urlencode({k: v for k, v in values.items() if v})

        return _html(render("index.html.j2", page=page, query=query))

    def document(request: Request) -> Any:
        doc_id = request.path_params["doc_id"]
        if not DOCUMENT_ID.fullmatch(doc_id) or len(doc_id) > 400:
            return _not_found("document")
        doc = context.store.get(doc_id)
        if doc is None:
            return _not_found(f"document {doc_id}")
        log = _log(context.workspace, doc.id)
        views = [_view(s, log.get(s.id, []), context.references) for s in doc.segments()]
        desk = context.names
        return _html(
            render(
                "document.html.j2",
                doc=doc,
                views=views,
                names=desk.for_document(doc.id) if desk else [],
                name_types=desk.types if desk else [],
                names_out=str(desk.out) if desk and desk.out else "",
                summary=summarize(doc),
                title_en=(doc.title.target or "") if doc.title else "",
                title_ar=doc.title.source if doc.title else "",
            )
        )

    def segment_fragment(doc: Document, seg_id: str) -> tuple[str, Segment | None]:
        seg = next((s for s in doc.segments() if s.id == seg_id), None)
        if seg is None:
            return "", None
        log = _log(context.workspace, doc.id).get(seg_id, [])
        macro = env.get_template("_segment.html.j2").module.segment
        return str(macro(_view(seg, log, context.references))), seg

    def history_view(request: Request) -> Any:
        seg_id = request.path_params["segment_id"]
        try:
            doc_id = split_segment_id(seg_id)[0]
        except InputError:
            return _not_found("segment")
        doc = context.store.get(doc_id)
        seg = next((s for s in doc.segments() if s.id == seg_id), None) if doc else None
        if seg is None:
            return _not_found(f"segment {seg_id}")
        log = _log(context.workspace, doc_id).get(seg_id, [])
        versions = [
            {
                "seq": row.seq,
                "when": datetime.fromtimestamp(row.created, tz=timezone.utc).strftime(
                    "%Y-%m-%d %H:%M:%S UTC"
                ),
                "reviewer": row.reviewer,
                "action": row.action,
                "state": row.state,
                "after": row.after,
                "note": row.note,
                "via": row.via,
                "seconds": row.seconds,
            }
            for row in log
        ]
        return _html(render("history.html.j2", versions=versions, machine=machine_output(seg, log)))

    async def save(request: Request) -> Any:
        seg_id = request.path_params["segment_id"]
        try:
            doc_id = split_segment_id(seg_id)[0]
        except InputError as exc:
            return _json({"error": str(exc)}, 404)
        try:
            data = json.loads(await request.body())
        except ValueError:
            return _json({"error": "the body is not JSON"}, 400)
        try:
            req = _request(data, seg_id, context.reviewer)
        except (InputError, UsageError) as exc:
            return _json({"error": str(exc)}, 400)
        try:
            options = EditOptions(qa=context.qa, refresh=context.refresher is None)
            results = await run_in_threadpool(apply_edits, context.workspace, [req], options)
        except Conflict as exc:
            return _json(
                {
                    "conflict": True,
                    "message": str(exc),
                    "yours": exc.yours,
                    "theirs": exc.theirs,
                },
                409,
            )
        except InputError as exc:
            status = 404 if "no segment" in str(exc) or "no document" in str(exc) else 400
            return _json({"error": str(exc)}, status)
        except UsageError as exc:
            return _json({"error": str(exc)}, 400)
        except TarjamaError as exc:
            return _json({"error": str(exc)}, 500)
        context.saves += 1
        if context.refresher is not None:
            context.refresher.poke(doc_id)
        result = results[0]
        doc = await run_in_threadpool(context.store.get, doc_id)
        html, _ = await run_in_threadpool(segment_fragment, doc, seg_id) if doc else ("", None)
        summary = summarize(doc) if doc else None
        return _json(
            {
                "ok": True,
                "id": seg_id,
                "revision": result.revision,
                "state": result.segment.state,
                "changed": result.changed,
                "flags": [f.code for f in result.segment.flags],
                "html": html,
                "progress": f"{summary.reviewed} / {summary.segments} reviewed" if summary else "",
            }
        )

    def names_list(request: Request) -> Any:
        desk = context.names
        doc_id = request.query_params.get("doc")
        found = desk.candidates() if desk else []
        if doc_id:
            found = [c for c in found if any(o.doc == doc_id for o in c.occurrences)]
        return _json(
            {
                "names": [candidate_json(c, doc_id) for c in found],
                "glossary_out": str(desk.out) if desk and desk.out else None,
            }
        )

    async def names_accept(request: Request) -> Any:
        try:
            data = json.loads(await request.body())
        except ValueError:
            return _json({"error": "the body is not JSON"}, 400)
        if not isinstance(data, dict):
            return _json({"error": "expected a JSON object with ar, en and type"}, 400)
        desk = context.names
        if desk is None or desk.out is None:
            return _json({"error": NoGlossaryOut.message}, 409)
        try:
            result = await run_in_threadpool(
                desk.accept, data.get("ar"), data.get("en"), data.get("type", "")
            )
        except NameRefused as exc:
            return _json({"error": str(exc), "where": exc.where, "theirs": exc.theirs}, 409)
        except (InputError, UsageError) as exc:
            return _json({"error": str(exc)}, 400)
        except TarjamaError as exc:
            return _json({"error": str(exc)}, 500)
        context.qa = desk.qa  # later edits are checked against the glossary with the name
        return _json(result.to_dict())

    def static(request: Request) -> Any:
        name = request.path_params["name"]
        if name not in STATIC:
            return _not_found(name)
        data = resources.files("translate.review").joinpath(f"static/{name}").read_bytes()
        return Response(data, media_type=STATIC[name])

    def not_found(request: Request, exc: Exception) -> Any:
        return PlainTextResponse("Not found.\n", status_code=404)

    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/doc/{doc_id:str}", document, methods=["GET", "HEAD"]),
        Route("/api/segment/{segment_id:str}", save, methods=["POST"]),
        Route("/api/segment/{segment_id:str}/history", history_view, methods=["GET"]),
        Route("/api/names", names_list, methods=["GET"]),
        Route("/api/names/accept", names_accept, methods=["POST"]),
        Route("/static/{name:str}", static, methods=["GET", "HEAD"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found}, lifespan=lifespan)
    return Guard(app, secrets_=context.secrets, hosts=hosts, cookie=cookie)


def _request(data: object, seg_id: str, reviewer: str) -> EditRequest:
    """The edit a page's JSON asks for.

    Raises:
        InputError: a field is missing or of the wrong type.
        UsageError: an unknown action or state.
    """
    if not isinstance(data, dict):
        raise InputError("expected a JSON object")
    action = data.get("action")
    if action == "restore":
        state = data.get("state")
        if not isinstance(state, str):
            raise InputError("restore needs the state of the version to restore")
    elif isinstance(action, str) and action in ACTION_STATES:
        state = ACTION_STATES[action]
    else:
        raise UsageError(
            f"unknown action {action!r:.40}; one of {', '.join([*ACTION_STATES, 'restore'])}"
        )
    target = data.get("target")
    if target is not None and not isinstance(target, str):
        raise InputError("target must be a string or null")
    if action in ("edit", "restore") and target is None:
        raise InputError(f"{action} needs the English (target)")
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise InputError("note must be a string or null")
    if action == "send-back" and not (note or "").strip():
        raise InputError("sending a segment back needs a comment saying why")
    base = data.get("base_revision")
    if not isinstance(base, int) or isinstance(base, bool):
        raise InputError("base_revision must be the segment's revision (a whole number)")
    seconds = data.get("seconds", 0)
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        raise InputError("seconds must be a number")
    return EditRequest(
        segment_id=seg_id,
        target=None if action == "revert" else target,
        state=state,
        base_revision=base,
        reviewer=reviewer,
        seconds=float(seconds),
        note=(note or "").strip() or None,
        action=action,
    )


def load_context(
    workspace: Path,
    reviewer: str,
    glossary: list[Path] | None = None,
    references: list[Path] | None = None,
    warn: Callable[[str], None] | None = None,
    glossary_out: Path | None = None,
) -> ReviewContext:
    """The context of a review of ``workspace``: its documents scanned, the glossary and
    references loaded (by default the bundled glossary, and the bundled references when any
    document comes from the bundled corpus: they are keyed by sentence, so others find none), and
    any edit a crash left half-applied replayed (:func:`~translate.review.edits.recover`).
    ``glossary_out`` is the file accepted names are appended to (:mod:`.names`), layered last.

    Raises:
        WorkspaceError: no workspace or no documents there.
        GlossaryError, ReferencesError: a glossary or reference file is malformed.
    """
    from .. import pipeline
    from ..evaluate import load_references
    from ..qa import DEFAULT_CALIBRATION, calibrate
    from .edits import recover

    ws = Workspace(workspace)
    docs = ws.load_all()  # fails clearly on a missing or empty workspace
    if references is None:  # the bundled ones, when any document comes from the bundled corpus
        found = (pipeline.default_references([d.meta.source_path or "-"]) for d in docs)
        references = next((r for r in found if r), [])
    refs = load_references(references) if references else None
    files = pipeline.default_glossary() if glossary is None else glossary
    if glossary_out is not None and glossary_out.suffix.lower() not in (".tsv", ".csv", ".txt"):
        raise UsageError(f"--glossary-out {glossary_out}: names are added to TSV or CSV files")
    if glossary_out is not None and not glossary_out.parent.is_dir():
        raise UsageError(f"--glossary-out {glossary_out}: no folder {glossary_out.parent}")
    layered = [p for p in files if glossary_out is None or p.resolve() != glossary_out.resolve()]
    if glossary_out is not None and glossary_out.is_file():
        layered.append(glossary_out)
    gloss = pipeline.load_glossary(layered)
    calibration = calibrate(refs.pairs) if refs else DEFAULT_CALIBRATION
    qa = QAOptions(glossary=gloss, calibration=calibration)
    replayed = recover(ws, qa)
    if replayed and warn is not None:
        warn(f"replayed {replayed} edits a crash had left out of the documents")
    context = ReviewContext(ws, reviewer, qa=qa, references=refs)
    context.keeper = TranslationMemory(ws.root / MEMORY_FILE)
    context.store.scan()
    context.refresher = Refresher(ws)
    for doc_id in stale(ws, [d.id for d in docs]):
        context.refresher.poke(doc_id)
    context.names = NameDesk(
        ws, context.store, files, glossary_out, qa, context.refresher, reviewer, gloss
    )
    return context
