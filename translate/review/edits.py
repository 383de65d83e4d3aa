"""Edits: the one way a person's correction enters a workspace, from the app or an XLIFF file.

:func:`apply_edits` (and :func:`apply_edit` for one) is the only code that changes a segment on a
person's behalf; the web routes and the XLIFF importer parse their input and call it, so the two
doors can never disagree about what an edit does. One call, under the workspace's edit lock:

1. reads the documents concerned from disk and checks every edit's ``base_revision`` against
   the segment's current revision; a stale one raises :class:`~translate.errors.Conflict`
   carrying both versions, and nothing is written;
2. works out each segment's new English, state, notes and origin, re-checks it (QA flags,
   glossary term verdicts: a correction that drops a glossary name is saved but flagged
   ``term-missing``);
3. in one SQLite transaction, appends the edits to the edit log and updates the translation
   memory's people's translations (a human edit wins over machine output in every later run and
   in every document with the same sentence; a revert to machine output removes it);
4. writes each document JSON atomically, then marks the log rows as written;
5. brings each document's page and exports up to date (:mod:`.refresh`).

**Revisions.** A segment's revision is the edit-log sequence number of the last edit applied to
it, stored in the segment JSON (``revision``, 0 when never edited). Keeping it in the document
means the check in step 1 compares against exactly what is on disk, under the lock; taking it
from the log's global sequence makes it unique and increasing, so a crash between steps 3 and 4
can be told apart from anything else: :func:`recover` replays a logged edit that is not marked
written when the document still has the revision the edit was made on, and a document rebuilt by
a fresh ``tarjama run`` (revision 0 again, its human edits back from the memory) is never mistaken
for one that missed an edit.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..document import STATES, Document, Note, Segment
from ..errors import Conflict, InputError, UsageError
from ..glossary import english_has
from ..memory import FILENAME as MEMORY_FILE
from ..memory import LoggedEdit, NewEdit, TranslationMemory
from ..qa import CODES, QAOptions, check
from ..workspace import Workspace

#: What an edit may say it is, for the log. The effect comes from ``target`` and ``state``,
#: except ``revert``, which takes the machine output as the target.
ACTIONS = ("edit", "approve", "final", "send-back", "revert", "restore", "import")

#: A segment id: ``<doc>:<paragraph>:<sentence>`` (as in the document schema).
SEGMENT_ID = re.compile(r"[\w.-]+:\d+:\d+")
#: A document id (as in the document schema; never a hidden file name, never a path).
DOCUMENT_ID = re.compile(r"(?!\.)[\w.-]+")
MAX_ID = 400  # characters; ids come from file names, which no file system allows much longer
MAX_TARGET = 20_000  # characters of English for one sentence; a longer "edit" is a paste gone wrong
MAX_NOTE = 5_000
MAX_SECONDS = 24 * 3600.0  # a longer time on one segment is a tab left open, not work


@dataclass(frozen=True, slots=True)
class EditRequest:
    """One edit as a person asked for it.

    Args:
        segment_id: ``<doc>:<paragraph>:<sentence>``.
        target: the English (leading and trailing whitespace dropped); ``None`` keeps the
            English the segment has (approve as is, mark final, send back).
        state: the state after the edit: initial, translated, reviewed or final.
        base_revision: the segment's revision the person saw (``Segment.revision``).
        reviewer: who made it.
        seconds: time the person spent on the segment.
        note: a comment kept with the segment (sending it back says why).
        action: what the person did, for the log (:data:`ACTIONS`).
        via: where the edit came from: ``review`` (the app) or the XLIFF file's name.
        sub_state: an XLIFF 2 ``subState`` to keep with the segment.
    """

    segment_id: str
    target: str | None
    state: str
    base_revision: int
    reviewer: str
    seconds: float = 0.0
    note: str | None = None
    action: str = "edit"
    via: str = "review"
    sub_state: str | None = None


@dataclass(slots=True)
class EditOptions:
    """How edits are checked and what is refreshed after them.

    Args:
        qa: the QA settings the segment is re-checked with (the glossary, for ``avoid``; the
            length calibration). Default: no glossary, the default calibration.
        refresh: bring each edited document's page and exports up to date.
    """

    qa: QAOptions | None = None
    refresh: bool = True


@dataclass(slots=True)
class EditResult:
    """What one edit did."""

    segment: Segment  # the segment as saved
    document: str
    revision: int
    changed: bool  # the English changed
    written: list[Path] = field(default_factory=list)  # document JSON, page, exports


def split_segment_id(segment_id: str) -> tuple[str, int, int]:
    """``(document id, paragraph, sentence)`` of a segment id.

    Raises:
        InputError: not a segment id.
    """
    if (
        not isinstance(segment_id, str)
        or len(segment_id) > MAX_ID
        or not SEGMENT_ID.fullmatch(segment_id)
    ):
        raise InputError(
            f"{segment_id!r:.80}: not a segment id; expected <document>:<paragraph>:<sentence>"
        )
    doc_id, paragraph, sentence = segment_id.rsplit(":", 2)
    if not DOCUMENT_ID.fullmatch(doc_id):
        raise InputError(f"{segment_id!r:.80}: not a segment id (bad document id)")
    return doc_id, int(paragraph), int(sentence)


def find_segment(doc: Document, segment_id: str) -> Segment | None:
    for seg in doc.segments():
        if seg.id == segment_id:
            return seg
    return None


def is_human(origin: dict[str, Any] | None) -> bool:
    return bool(origin and origin.get("human"))


def machine_origin(seg: Segment) -> dict[str, Any] | None:
    """The engine's origin of the segment's machine output (kept under a human edit)."""
    if is_human(seg.origin):
        kept = (seg.origin or {}).get("machine")
        return dict(kept) if isinstance(kept, dict) else None
    return dict(seg.origin) if seg.origin else None


def machine_output(seg: Segment, log: Sequence[LoggedEdit] = ()) -> str | None:
    """The machine English of a segment: what the log recorded, else the target when the
    machine wrote it; ``None`` when unknown (a human translation from the memory, say)."""
    for row in reversed(log):
        if row.machine is not None:
            return row.machine
    if seg.target is not None and not is_human(seg.origin):
        return seg.target
    return None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


_THREAD_LOCKS: dict[Path, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@contextmanager
def edit_lock(workspace: Workspace) -> Iterator[None]:
    """Hold the workspace's edit lock: one edit at a time, across threads and processes
    (the app and ``tarjama import`` may run at once)."""
    key = workspace.root.resolve()
    with _THREAD_LOCKS_GUARD:
        lock = _THREAD_LOCKS.setdefault(key, threading.Lock())
    with lock:
        try:
            import fcntl
        except ImportError:  # Windows: the thread lock alone (one process edits at a time)
            yield
            return
        # The lock is taken on the documents folder itself: no lock file is left behind, so a
        # refused edit leaves the workspace exactly as it was.
        folder = workspace.documents_dir if workspace.documents_dir.is_dir() else workspace.root
        fd = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


@dataclass(slots=True)
class _Change:
    """An edit worked out against the segment as it is: what the log and the document get."""

    request: EditRequest
    doc: Document
    seg: Segment
    target: str | None
    machine: str | None
    row: NewEdit | None = None


def _validate(req: EditRequest) -> None:
    split_segment_id(req.segment_id)
    if req.state not in STATES:
        raise UsageError(
            f"{req.segment_id}: unknown state {req.state!r}; choose one of {', '.join(STATES)}"
        )
    if req.action not in ACTIONS:
        raise UsageError(f"unknown action {req.action!r}; choose one of {', '.join(ACTIONS)}")
    if req.target is not None and len(req.target) > MAX_TARGET:
        raise InputError(
            f"{req.segment_id}: the English is {len(req.target)} characters long, over "
            f"{MAX_TARGET}; one segment holds one sentence"
        )
    if req.note is not None and len(req.note) > MAX_NOTE:
        raise InputError(f"{req.segment_id}: the note is over {MAX_NOTE} characters")
    if not isinstance(req.base_revision, int) or req.base_revision < 0:
        raise InputError(f"{req.segment_id}: base revision must be a whole number, 0 or more")
    if not isinstance(req.seconds, (int, float)) or not math.isfinite(req.seconds):
        raise InputError(f"{req.segment_id}: seconds spent must be a number")


def _plan(req: EditRequest, doc: Document, memory: TranslationMemory, path: Path) -> _Change:
    seg = find_segment(doc, req.segment_id)
    if seg is None:
        raise InputError(
            f"{path}: no segment {req.segment_id} in document {doc.id}; reload the page or "
            "export the document again"
        )
    log = memory.edit_log(segment=seg.id)
    if req.base_revision != seg.revision:
        last = next((r for r in reversed(log) if r.seq == seg.revision), None)
        raise Conflict(
            f"{seg.id}: changed since you opened it (revision {req.base_revision}, now "
            f"{seg.revision}"
            + (f" by {last.reviewer}" if last else "")
            + "); nothing was saved: compare both versions and save again",
            yours={
                "target": req.target,
                "state": req.state,
                "note": req.note,
                "base_revision": req.base_revision,
            },
            theirs={
                "target": seg.target,
                "state": seg.state,
                "revision": seg.revision,
                "reviewer": last.reviewer if last else "",
                "time": last.created if last else None,
                "via": last.via if last else "",
            },
        )
    machine = machine_output(seg, log)
    if req.action == "revert":
        if machine is None:
            raise InputError(
                f"{seg.id}: no machine output is known for this segment, so there is nothing "
                "to revert to; edit the English instead"
            )
        target: str | None = machine
    elif req.target is not None:
        target = req.target.strip()
    else:
        target = seg.target
    if target is None and req.state != "initial":
        raise InputError(
            f"{seg.id}: state {req.state} needs an English target, and the segment has none; "
            "write the English first"
        )
    return _Change(req, doc, seg, target, machine)


def _log_row(change: _Change) -> NewEdit:
    req, seg, target, machine = change.request, change.seg, change.target, change.machine
    remember = target is not None and (target != machine or req.state in ("reviewed", "final"))
    return NewEdit(
        segment=seg.id,
        document=change.doc.id,
        source=seg.normalized,
        before=seg.target,
        after=target,
        state_before=seg.state,
        state=req.state,
        base=seg.revision,
        reviewer=req.reviewer,
        seconds=max(0.0, min(float(req.seconds), MAX_SECONDS)),
        action=req.action,
        via=req.via,
        note=req.note or None,
        machine=machine,
        sub_state=req.sub_state,
        remember=remember,
        forget=not remember and target is not None and target == machine,
    )


def _apply(seg: Segment, row: NewEdit | LoggedEdit, seq: int, when: str, qa: QAOptions) -> None:
    """Set the segment to what the logged edit says (also used to replay one, see
    :func:`recover`)."""
    target, machine = row.after, row.machine
    unchanged = target is not None and target == machine
    previous = machine_origin(seg)
    sub_state = row.sub_state
    if sub_state is None and row.state == seg.state and seg.origin:
        sub_state = seg.origin.get("sub_state")
    origin: dict[str, Any]
    if unchanged:  # the machine's English, approved (or sent back) as it is
        origin = dict(previous or {})
    elif is_human(seg.origin) and target == seg.target:  # a person's English, state changed
        origin = dict(seg.origin or {})
    else:
        origin = {"human": True, "edited_by": row.reviewer, "edited": when, "via": row.via}
        origin["machine"] = previous
    for key in ("sub_state", "reviewed_by", "reviewed"):
        origin.pop(key, None)
    if row.state in ("reviewed", "final"):
        origin.update({"reviewed_by": row.reviewer, "reviewed": when})
    if sub_state:
        origin["sub_state"] = sub_state
    verdicts = {id(t): t.verdict for t in seg.terms}
    seg.target = target
    seg.state = row.state
    seg.origin = origin
    seg.revision = seq
    if row.note:
        seg.notes.append(Note(row.note, row.reviewer, when, row.via))
    for term in seg.terms:
        if target is None:
            term.verdict = None
        elif not english_has(target, term.en):
            term.verdict = "missed"
        elif unchanged and verdicts[id(term)] in ("kept", "forced", "avoided"):
            term.verdict = verdicts[id(term)]
        else:
            term.verdict = "kept"
    seg.flags = [f for f in seg.flags if f.code not in CODES] + check(seg, qa)


def _open_memory(workspace: Workspace) -> TranslationMemory:
    return TranslationMemory(workspace.root / MEMORY_FILE)


def _load(workspace: Workspace, doc_id: str) -> tuple[Document, Path]:
    from ..document import read_document

    path = workspace.document_path(doc_id)
    if not path.is_file():
        raise InputError(
            f"{path}: no document {doc_id} in the workspace {workspace.root}; check the "
            "segment id, or run `tarjama run` into this workspace first"
        )
    return read_document(path), path


def apply_edits(
    workspace: Workspace, requests: Sequence[EditRequest], options: EditOptions | None = None
) -> list[EditResult]:
    """Apply edits: all of them, or (on any error or conflict) none.

    See the module docstring for what an edit does, in which order.

    Raises:
        Conflict: an edit's ``base_revision`` is not the segment's revision; nothing written.
        InputError: an unknown document or segment, an id that is not one, a state past
            ``initial`` without an English target.
        UsageError: an unknown state or action.
        WorkspaceError: the memory or a document cannot be written.
    """
    options = options or EditOptions()
    qa = options.qa or QAOptions()
    for req in requests:
        _validate(req)
    if not requests:
        return []
    with edit_lock(workspace):
        docs: dict[str, tuple[Document, Path]] = {}
        seen: set[str] = set()
        for req in requests:  # every document and segment found before the memory is opened
            if req.segment_id in seen:
                raise InputError(f"{req.segment_id}: edited twice in one batch; send one edit")
            seen.add(req.segment_id)
            doc_id = split_segment_id(req.segment_id)[0]
            if doc_id not in docs:
                docs[doc_id] = _load(workspace, doc_id)
            doc, path = docs[doc_id]
            if find_segment(doc, req.segment_id) is None:
                raise InputError(
                    f"{path}: no segment {req.segment_id} in document {doc.id}; reload the page "
                    "or export the document again"
                )
        with _open_memory(workspace) as memory:
            return _commit(workspace, requests, docs, memory, options, qa)


def _commit(
    workspace: Workspace,
    requests: Sequence[EditRequest],
    docs: dict[str, tuple[Document, Path]],
    memory: TranslationMemory,
    options: EditOptions,
    qa: QAOptions,
) -> list[EditResult]:
    """Steps 1 (conflicts) to 5 of the module docstring, under the lock, memory open."""
    changes: list[_Change] = []
    for req in requests:
        doc, path = docs[split_segment_id(req.segment_id)[0]]
        changes.append(_plan(req, doc, memory, path))
    rows = [_log_row(c) for c in changes]
    seqs = memory.commit_edits(rows)
    when = _now()
    for change, row, seq in zip(changes, rows, seqs, strict=True):
        change.row = row
        _apply(change.seg, row, seq, when, qa)
    written: dict[str, list[Path]] = {}
    for doc_id, (doc, _) in docs.items():
        written[doc_id] = [workspace.save(doc)]
    memory.mark_written(seqs)
    if options.refresh:
        from .refresh import refresh_documents

        for doc_id, (doc, _) in docs.items():
            written[doc_id] += refresh_documents(workspace, [doc])
    return [
        EditResult(
            segment=c.seg,
            document=c.doc.id,
            revision=seq,
            changed=row.before != row.after,
            written=written[c.doc.id],
        )
        for c, row, seq in zip(changes, rows, seqs, strict=True)
    ]


def apply_edit(
    workspace: Workspace,
    segment_id: str,
    target: str | None,
    state: str,
    base_revision: int,
    reviewer: str,
    seconds: float,
    note: str | None = None,
    *,
    action: str = "edit",
    options: EditOptions | None = None,
) -> EditResult:
    """Apply one edit (see :func:`apply_edits`, which this calls, and :class:`EditRequest`).

    Raises:
        Conflict: ``base_revision`` is stale; nothing was saved, both versions are on the error.
    """
    request = EditRequest(
        segment_id, target, state, base_revision, reviewer, seconds, note, action=action
    )
    return apply_edits(workspace, [request], options)[0]


def history(workspace: Workspace, segment_id: str) -> list[LoggedEdit]:
    """Every logged version of a segment, oldest first (empty when never edited)."""
    split_segment_id(segment_id)
    path = workspace.root / MEMORY_FILE
    if not path.is_file():
        return []
    with TranslationMemory(path) as memory:
        return memory.edit_log(segment=segment_id)


def edit_log(workspace: Workspace | Path) -> list[LoggedEdit]:
    """The workspace's whole edit log, oldest first (empty when it has no memory yet)."""
    root = workspace.root if isinstance(workspace, Workspace) else workspace
    path = root / MEMORY_FILE if root.is_dir() else root
    if not path.is_file():
        return []
    with TranslationMemory(path) as memory:
        return memory.edit_log()


def recover(workspace: Workspace, qa: QAOptions | None = None) -> int:
    """Bring the documents up to the edit log after a crash; returns how many edits were
    replayed.

    An edit is logged before its document is written. A logged edit not marked written is
    replayed when its segment still has the revision the edit was made on (the crash came
    between the two writes); when the segment already has the edit's revision, it is only
    marked; otherwise the document was rebuilt since (a fresh ``tarjama run``) and the edit is
    marked without replaying it.
    """
    if not (workspace.root / MEMORY_FILE).is_file():
        return 0
    qa = qa or QAOptions()
    replayed = 0
    with edit_lock(workspace), _open_memory(workspace) as memory:
        pending = memory.pending_edits()
        if not pending:
            return 0
        docs: dict[str, Document | None] = {}
        changed: set[str] = set()
        for row in pending:
            if row.document not in docs:
                path = workspace.document_path(row.document)
                docs[row.document] = _load(workspace, row.document)[0] if path.is_file() else None
            doc = docs[row.document]
            seg = find_segment(doc, row.segment) if doc is not None else None
            if doc is not None and seg is not None and seg.revision == row.base:
                when = datetime.fromtimestamp(row.created, tz=timezone.utc)
                stamp = when.isoformat(timespec="seconds").replace("+00:00", "Z")
                _apply(seg, row, row.seq, stamp, qa)
                changed.add(doc.id)
                replayed += 1
        for doc_id in sorted(changed):
            doc = docs[doc_id]
            if doc is not None:
                workspace.save(doc)
        memory.mark_written([row.seq for row in pending])
        if changed:
            from .refresh import refresh_documents

            refresh_documents(workspace, [d for k, d in docs.items() if k in changed and d])
    return replayed
