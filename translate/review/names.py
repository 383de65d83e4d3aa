"""Names the glossary lacks, from the review app: listed per workspace, accepted into a glossary.

The candidates are :func:`translate.names.find_candidates` over the workspace's documents,
against the glossary the workspace was translated with (the files ``tarjama review`` was given,
with the ``--glossary-out`` file layered last). They are cached, and found again when a document
file changes (one ``stat`` per document, as the store does) or a name is accepted.

Accepting a name (:meth:`NameDesk.accept`) is two steps, in this order:

1. **One row appended to the ``--glossary-out`` file**, in its own format (its header's columns,
   TSV or CSV, its line endings), written atomically, after the same checks
   ``tarjama glossary lint`` makes over the glossary files layered as the app layers them. A row
   the files already have (the same Arabic with the same English) is refused as "already in
   FILE:LINE", another English for the same Arabic as a conflict naming the line and both
   renderings, any other lint error or warning on the new row likewise; then nothing is written.
2. **The sentences whose glossary terms the row changes are marked for re-translation**: their
   terms are matched again with the new glossary (so their memory key changes, and only theirs)
   and their English is cleared (``target`` null, state ``initial``, an ``untranslated`` flag and a
   note saying why), so that ``tarjama translate DIR -g FILE`` translates exactly those. The
   documents are written under the workspace's edit lock, the lock every edit takes, and read
   from disk under it, so no concurrent edit is lost; the app's store re-reads them. A segment a
   person edited or reviewed is never touched: it is reported, for the person to look at.

A segment's revision is left as it is: it is the edit-log number of the last *edit*, and clearing
machine output is none (an open page that saves the segment afterwards saves a person's English,
which is what should win).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..arabic import is_arabic_letter, normalize
from ..document import Note, Segment, Term, read_document
from ..errors import GlossaryError, InputError, TarjamaError, UsageError, WorkspaceError, first_line
from ..glossary import OPTIONAL, REQUIRED, Glossary, load
from ..names import TYPES, Candidate, find_candidates
from ..qa import CODES, QAOptions, check
from ..workspace import Workspace, write_atomic
from .edits import edit_lock, is_human

if TYPE_CHECKING:
    from .refresh import Refresher
    from .store import DocumentStore

#: The columns of a glossary file ``--glossary-out`` creates (those of the bundled glossary).
NEW_FILE_COLUMNS = (*REQUIRED, *OPTIONAL)
#: Longest English accepted for a name; anything longer is a sentence pasted by mistake.
MAX_ENGLISH = 200
MAX_ARABIC = 200
#: Contexts sent per candidate by the API (the panel shows one).
CONTEXTS = 3


class NameRefused(GlossaryError):
    """The row was not written: the glossary has it already, or it conflicts with a row.

    ``where`` is the ``FILE:LINE`` of the row in the way, ``theirs`` its English (``None`` for a
    lint finding on the new row itself).
    """

    exit_code = 5

    def __init__(self, message: str, where: str = "", theirs: str | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.theirs = theirs


class MarkingStopped(WorkspaceError):
    """An accepted name's row was written, and marking its sentences stopped part way."""


class NoGlossaryOut(UsageError):
    """``tarjama review`` was started without ``--glossary-out``: there is nowhere to write."""

    message = "no glossary file to add names to: start tarjama review with --glossary-out FILE"


@dataclass(slots=True)
class Accepted:
    """What accepting one name did."""

    ar: str
    en: str
    type: str
    where: str  # FILE:LINE of the new row
    marked: list[str] = field(default_factory=list)  # segments set to be translated again
    kept: list[str] = field(default_factory=list)  # segments with the name a person edited

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "ar": self.ar,
            "en": self.en,
            "type": self.type,
            "where": self.where,
            "marked": len(self.marked),
            "marked_segments": self.marked,
            "kept": self.kept,
            "message": self.message,
        }

    @property
    def message(self) -> str:
        text = f"Added to {self.where}; {_count(len(self.marked), 'sentence')} to translate again"
        if self.kept:
            text += f", {_count(len(self.kept), 'reviewed sentence')} left as people wrote them"
        return text + "."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --- the glossary file ---------------------------------------------------------------------


def _key(form: str) -> tuple[str, ...]:
    from ..glossary.lint import _key as lint_key

    return lint_key(form)


def _clean(ar: object, en: object, kind: object, types: Sequence[str]) -> tuple[str, str, str]:
    """The row asked for, checked as the loader will read it.

    Raises:
        InputError: a cell is missing, too long, or holds what a TSV cell cannot.
    """
    if not isinstance(ar, str) or not isinstance(en, str) or not isinstance(kind, str):
        raise InputError("ar, en and type must be strings")
    ar, en, kind = normalize(ar.strip()).text.strip(), " ".join(en.split()), kind.strip()
    if not ar or not any(is_arabic_letter(ch) for ch in ar):
        raise InputError("the Arabic (ar) has no Arabic letters; send the name as written")
    if not en:
        raise InputError("write the English of the name first")
    if len(ar) > MAX_ARABIC or len(en) > MAX_ENGLISH:
        raise InputError(f"a name is at most {MAX_ENGLISH} characters; this is a sentence")
    for text in (ar, en):
        if any(ch in text for ch in "\t\r\n\x00"):
            raise InputError(f"{text[:40]!r}: tabs and line breaks cannot be in a glossary cell")
    if kind not in types:
        raise InputError(f"unknown type {kind!r:.40}; one of {', '.join(types)}")
    return ar, en, kind


def _read(path: Path) -> tuple[str, str, list[str], str]:
    """``(BOM, text, header, newline)`` of a glossary table (``("", "", [], "\\n")`` if none)."""
    if not path.exists():
        return "", "", [], "\n"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GlossaryError(f"{path}: cannot read glossary ({exc.strerror})") from exc
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GlossaryError(f"{path}: not UTF-8 (byte {exc.start})") from exc
    newline = "\r\n" if "\r\n" in text else "\n"
    first = text.splitlines()[0] if text.strip() else ""
    header = [h.strip().lower() for h in next(csv.reader([first], delimiter=_delimiter(path)))]
    return bom, text, header if first else [], newline


def _delimiter(path: Path) -> str:
    return "," if path.suffix.lower() == ".csv" else "\t"


def _row(path: Path, header: Sequence[str], cells: dict[str, str], newline: str) -> str:
    values = [cells.get(column, "") for column in header]
    if _delimiter(path) == "\t":
        return "\t".join(values) + newline
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerow(values)
    return out.getvalue()


def append_entry(
    out: Path, ar: str, en: str, kind: str, layered: Sequence[Path] = ()
) -> tuple[str, int]:
    """Append the row ``ar, en, type`` to the glossary file ``out``, atomically, when it passes
    lint over ``layered`` (the other glossary files, in order) and ``out``.

    Returns:
        The new text of ``out`` and the line number of the row.

    Raises:
        NameRefused: the same Arabic is there already (same English: "already in FILE:LINE";
            another: a conflict naming the line and both renderings), or lint finds another
            error or warning on the new row; nothing was written.
        GlossaryError: a glossary file does not load (the message names file and line).
        UsageError: ``out`` is a TBX file (rows are appended to TSV and CSV files only).
    """
    from ..glossary.lint import lint

    if out.suffix.lower() in (".tbx", ".xml"):
        raise UsageError(f"--glossary-out {out}: names are added to TSV or CSV glossaries only")
    others = [p for p in layered if p.resolve() != out.resolve()]
    existing = load([*others, out]) if out.exists() else load(others) if others else Glossary()
    wanted = _key(ar)
    for entry in reversed(existing.entries):  # the row that wins, as in matching
        for form in entry.forms:
            if _key(form) != wanted:
                continue
            if entry.en == en:
                raise NameRefused(f"{ar} is already in {entry.source} as {en}", entry.source, en)
            raise NameRefused(
                f"{ar} is at {entry.source} as {entry.en!r}, not {en!r}; nothing was written: "
                "keep that rendering, or change the row there",
                entry.source,
                entry.en,
            )
    bom, text, header, newline = _read(out)
    if not header:  # a new file: the bundled glossary's columns
        delimiter = _delimiter(out)
        text, header = delimiter.join(NEW_FILE_COLUMNS) + newline, list(NEW_FILE_COLUMNS)
    if text and not text.endswith(("\n", "\r")):
        text += newline
    text += _row(out, header, {"ar": ar, "en": en, "type": kind}, newline)
    line = len(text.splitlines())
    with tempfile.TemporaryDirectory(prefix="tarjama-glossary-") as tmp:
        trial = Path(tmp) / out.name
        trial.write_text(bom + text, encoding="utf-8", newline="")
        here = f"{trial}:{line}"
        found = [
            p
            for p in lint([*others, trial])
            if p.where == here and p.severity in ("error", "warning")
        ]
        if found:
            message = found[0].message.replace(str(trial), str(out))
            raise NameRefused(f"{out}:{line}: {message}; nothing was written", f"{out}:{line}")
    write_atomic(out, bom + text)
    return text, line


# --- the documents -------------------------------------------------------------------------


def _signature(terms: Sequence[Term]) -> list[tuple[int, int, str, str]]:
    return [(t.start, t.end, t.entry, t.en) for t in terms]


def _lacks(seg: Segment, terms: Sequence[Term], entry: str) -> bool:
    """``terms`` (the glossary's now) have ``entry`` and the segment's stored terms do not."""
    return any(t.entry == entry for t in terms) and not any(t.entry == entry for t in seg.terms)


def _people(seg: Segment) -> bool:
    return seg.state in ("reviewed", "final") or is_human(seg.origin)


def mark_for_translation(
    workspace: Workspace,
    before: Glossary,
    after: Glossary,
    qa: QAOptions,
    note: str,
    reviewer: str,
    entry: str | None = None,
) -> tuple[list[str], list[str], list[str]]:
    """Clear the machine English of the segments whose glossary terms differ between ``before``
    and ``after``, giving them ``after``'s terms; returns ``(marked, kept, documents written)``.

    ``entry``: also the segments in which ``after`` matches this entry and whose stored terms
    lack it (an accept that wrote its row and stopped before marking them all, run again).
    Segments people edited or reviewed are left as they are and listed in ``kept``.
    """
    marked: list[str] = []
    kept: list[str] = []
    written: list[str] = []
    when = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    with edit_lock(workspace):
        folder = workspace.documents_dir
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            if path.name.startswith("."):
                continue
            doc = read_document(path)
            changed = False
            for seg in doc.segments():
                terms = after.match(seg.source)
                pending = entry is not None and _lacks(seg, terms, entry)
                if not pending and _signature(terms) == _signature(before.match(seg.source)):
                    continue
                if _people(seg):
                    kept.append(seg.id)
                    continue
                seg.terms = terms
                seg.target = None
                seg.state = "initial"
                seg.origin = None
                seg.notes.append(Note(note, reviewer, when, "review"))
                seg.flags = [f for f in seg.flags if f.code not in CODES] + check(seg, qa)
                marked.append(seg.id)
                changed = True
            if changed:
                workspace.save(doc)
                written.append(doc.id)
    return marked, kept, written


# --- the desk ------------------------------------------------------------------------------


class NameDesk:
    """The review app's names: candidates cached per state of the documents, and acceptance.

    Args:
        workspace: the workspace under review.
        store: the app's document store (re-read after documents are written).
        glossary_files: the glossary files the workspace was translated with, in layer order.
        out: the glossary file accepted names are appended to (``--glossary-out``); ``None``:
            names can be listed, not accepted.
        qa: the QA options of the app (their glossary is replaced after each acceptance).
        refresher: brings written documents' pages and exports up to date.
        reviewer: who accepts (named in the note on each segment marked).
        glossary: the glossary already loaded from those files (default: loaded here).
    """

    def __init__(
        self,
        workspace: Workspace,
        store: DocumentStore,
        glossary_files: Sequence[Path],
        out: Path | None = None,
        qa: QAOptions | None = None,
        refresher: Refresher | None = None,
        reviewer: str = "",
        glossary: Glossary | None = None,
    ) -> None:
        self.workspace = workspace
        self.store = store
        self.out = out
        self.files = [p for p in glossary_files if out is None or p.resolve() != out.resolve()]
        self.qa = qa or QAOptions()
        self.refresher = refresher
        self.reviewer = reviewer
        self.glossary = glossary if glossary is not None else self._load()
        self._lock = threading.Lock()  # one acceptance at a time; one computation at a time
        self._cached: tuple[object, list[Candidate]] | None = None
        self._generation = 0

    def _load(self) -> Glossary:
        paths = [*self.files, *([self.out] if self.out and self.out.exists() else [])]
        return load(paths) if paths else Glossary()

    @property
    def types(self) -> list[str]:
        """The types a name can be given: the candidates' and those the glossary uses."""
        used = {e.type for e in self.glossary.entries if e.type}
        return [*TYPES, *sorted(used - set(TYPES))]

    def _fingerprint(self) -> object:
        folder = self.workspace.documents_dir
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except FileNotFoundError:
            entries = []
        stamps = tuple(
            (e.name, e.stat().st_mtime_ns, e.stat().st_size)
            for e in entries
            if e.name.endswith(".json") and not e.name.startswith(".")
        )
        return self._generation, stamps

    def candidates(self) -> list[Candidate]:
        """Every candidate of the workspace (found again only when a document changed)."""
        with self._lock:
            return self._candidates()

    def _candidates(self) -> list[Candidate]:
        # The fingerprint is taken before the documents are read: a document written between
        # the two leaves a stale fingerprint, so the next call finds the names again.
        stamp = self._fingerprint()
        if self._cached is not None and self._cached[0] == stamp:
            return self._cached[1]
        self.store.scan()
        found = find_candidates(self.store.documents(), self.glossary)
        self._cached = (stamp, found)
        return found

    def for_document(self, doc_id: str) -> list[Candidate]:
        """The candidates that occur in one document, most frequent there first."""
        here = [c for c in self.candidates() if any(o.doc == doc_id for o in c.occurrences)]
        return sorted(here, key=lambda c: -sum(o.doc == doc_id for o in c.occurrences))

    def accept(
        self, candidate_ar: object, english: object, type: object, glossary_file: Path | None = None
    ) -> Accepted:
        """Add a name to the glossary file and mark the sentences that have it for re-translation.

        Args:
            candidate_ar: the Arabic of the name (normalized as the candidates give it).
            english: its English.
            type: its glossary type (:attr:`types`).
            glossary_file: the file to append to (default: ``--glossary-out``).

        Raises:
            NoGlossaryOut: no file to write to.
            InputError: a cell is empty, too long or not writable in a glossary table.
            NameRefused: the glossary has the name already, or another English for it.
        """
        out = glossary_file or self.out
        if out is None:
            raise NoGlossaryOut(NoGlossaryOut.message)
        ar, en, kind = _clean(candidate_ar, english, type, self.types)
        with self._lock:
            before = self.glossary
            try:
                _, line = append_entry(out, ar, en, kind, self.files)
                where = f"{out}:{line}"
            except NameRefused as refused:
                # The same row in this file: an earlier accept wrote it and stopped before its
                # sentences were all marked (a damaged document, a full disk). Marking them is
                # what is left to do; with nothing left, it is refused as before.
                if refused.theirs != en or not refused.where.startswith(f"{out}:"):
                    raise
                if not self._pending(ar):
                    raise
                where = refused.where
            self.glossary = self._load() if out == self.out else load([*self.files, out])
            self.qa = QAOptions(glossary=self.glossary, calibration=self.qa.calibration)
            self._generation += 1
            try:
                marked, kept, written = mark_for_translation(
                    self.workspace,
                    before,
                    self.glossary,
                    self.qa,
                    f"translate again: the glossary now has {ar} → {en} ({where})",
                    self.reviewer,
                    entry=ar,
                )
            except TarjamaError as exc:
                raise MarkingStopped(
                    f"{first_line(exc)}; the row is in {where}, but not every sentence with "
                    f"{ar} is marked yet: fix that, then accept {ar} again to mark the rest"
                ) from exc
        for doc_id in written:
            self.store.get(doc_id)  # the store reads the document as written
            if self.refresher is not None:
                self.refresher.poke(doc_id)
        return Accepted(ar, en, kind, where, marked, kept)

    def _pending(self, ar: str) -> bool:
        """Machine-translated segments in which the glossary matches ``ar`` and whose stored
        terms lack it."""
        for doc in self.workspace.load_all():
            for seg in doc.segments():
                if not _people(seg) and _lacks(seg, self.glossary.match(seg.source), ar):
                    return True
        return False


def candidate_json(cand: Candidate, doc_id: str | None = None) -> dict[str, Any]:
    """A candidate as the API sends it (its contexts in ``doc_id`` first, when given)."""
    data = cand.to_dict(contexts=None)
    contexts = data["contexts"]
    if doc_id is not None:
        contexts.sort(key=lambda o: o["doc"] != doc_id)
    data["contexts"] = contexts[:CONTEXTS]
    return data
