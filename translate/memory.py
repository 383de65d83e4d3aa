"""Translation memory and resume state, in one SQLite file of the workspace (``memory.sqlite``).

Machine translations are stored under a key made of everything that decides the output: the
normalized source, the model (name and revision or content hash), the glossary terms that matched
the sentence (their English and ``avoid`` lists: editing one glossary entry re-translates only the
sentences that contain it) and the decoding settings. A re-run of the same batch translates
nothing; a run killed at any moment resumes from the last committed batch, because each batch is
committed as soon as it is translated (WAL mode: readers never block, a crash never corrupts).

People's corrections are stored too, keyed by the normalized source alone: they win over machine
output whatever the model or settings.

The same file keeps the review's edit log (table ``edit_log``): one row per save, in the app or
through an imported XLIFF file, never updated nor deleted (triggers refuse it) except for its
``written`` mark, which says the document JSON has the edit. A row and the memory's ``edits``
entry it implies are committed in one transaction (:meth:`TranslationMemory.commit_edits`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import WorkspaceError

SCHEMA_VERSION = 1
FILENAME = "memory.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    terms TEXT NOT NULL,      -- JSON list: terms present in the target
    forced TEXT NOT NULL,     -- JSON list: terms whose start the decoder forced
    model TEXT NOT NULL,
    settings TEXT NOT NULL,   -- JSON: engine, revision, beams, glossary enforcement
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS edits (
    source TEXT PRIMARY KEY,  -- normalized Arabic
    target TEXT NOT NULL,
    state TEXT NOT NULL,      -- reviewed | final
    segment TEXT NOT NULL,    -- where the edit was made, for the record
    edited REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS edit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- the segment's revision once applied
    segment TEXT NOT NULL,
    document TEXT NOT NULL,
    source TEXT NOT NULL,         -- normalized Arabic
    before TEXT,                  -- the English before (NULL: none)
    after TEXT,                   -- the English after
    state_before TEXT NOT NULL,
    state TEXT NOT NULL,
    base INTEGER NOT NULL,        -- the segment's revision the edit was made on
    reviewer TEXT NOT NULL,
    seconds REAL NOT NULL,        -- time the reviewer spent on the segment
    note TEXT,
    action TEXT NOT NULL,         -- edit | approve | final | send-back | revert | restore | import
    machine TEXT,                 -- the machine output of the segment, when known (for HTER)
    via TEXT NOT NULL,            -- review | the XLIFF file's name
    sub_state TEXT,               -- XLIFF 2 subState, kept from an imported file
    created REAL NOT NULL,
    written INTEGER NOT NULL DEFAULT 0  -- 1 once the document JSON holds the edit
);
CREATE INDEX IF NOT EXISTS edit_log_segment ON edit_log (segment, seq);
CREATE INDEX IF NOT EXISTS edit_log_document ON edit_log (document, seq);
CREATE INDEX IF NOT EXISTS edit_log_pending ON edit_log (written) WHERE written = 0;
CREATE TRIGGER IF NOT EXISTS edit_log_no_delete BEFORE DELETE ON edit_log
BEGIN SELECT RAISE(ABORT, 'the edit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS edit_log_no_update BEFORE UPDATE OF
    seq, segment, document, source, before, after, state_before, state, base, reviewer, seconds,
    note, action, machine, via, sub_state, created ON edit_log
BEGIN SELECT RAISE(ABORT, 'the edit log is append-only'); END;
"""

#: Columns of ``edit_log``, in table order.
_LOG_COLUMNS = (
    "seq, segment, document, source, before, after, state_before, state, base, reviewer, "
    "seconds, note, action, machine, via, sub_state, created, written"
)


@dataclass(frozen=True, slots=True)
class Stored:
    """A machine translation found in the memory."""

    target: str
    terms: frozenset[str]
    forced: frozenset[str]


@dataclass(frozen=True, slots=True)
class NewEdit:
    """An edit about to be logged, and what it means for the memory's ``edits``.

    ``remember`` keeps ``after`` as the person's translation of ``source`` (it wins over machine
    output from then on); ``forget`` drops the person's translation of ``source`` (the segment
    went back to machine output); neither leaves the memory as it is.
    """

    segment: str
    document: str
    source: str
    before: str | None
    after: str | None
    state_before: str
    state: str
    base: int
    reviewer: str
    seconds: float
    action: str
    via: str = "review"
    note: str | None = None
    machine: str | None = None
    sub_state: str | None = None
    remember: bool = False
    forget: bool = False


@dataclass(frozen=True, slots=True)
class LoggedEdit:
    """A row of the edit log."""

    seq: int
    segment: str
    document: str
    source: str
    before: str | None
    after: str | None
    state_before: str
    state: str
    base: int
    reviewer: str
    seconds: float
    note: str | None
    action: str
    machine: str | None
    via: str
    sub_state: str | None
    created: float
    written: bool


def translation_key(normalized: str, settings: dict[str, Any], terms: Iterable[Any]) -> str:
    """The memory key of one sentence: source, model and settings, and its glossary terms."""
    payload = json.dumps(
        [SCHEMA_VERSION, normalized, settings, sorted([t.en, list(t.avoid)] for t in terms)],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


#: SQLite result codes that say the disk or the folder is at fault, not the file: SQLITE_PERM,
#: SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN.
_STORAGE_CODES = frozenset({3, 8, 10, 13, 14})
_STORAGE_WORDS = ("disk is full", "readonly", "read-only", "unable to open", "disk i/o error")


def _storage_problem(exc: sqlite3.Error) -> bool:
    """True when ``exc`` comes from the disk or the folder (full, read-only), not the file."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return (code & 0xFF) in _STORAGE_CODES
    return any(word in str(exc).lower() for word in _STORAGE_WORDS)


class TranslationMemory:
    """The workspace's SQLite memory. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif row[0] != str(SCHEMA_VERSION):
                self._db.close()
                raise WorkspaceError(
                    f"{path}: translation memory of another tarjama version (schema {row[0]}, "
                    f"this one reads {SCHEMA_VERSION}); move it aside (its translations stay "
                    "readable with that version) or pass --memory with another file"
                )
        except sqlite3.DatabaseError as exc:
            if _storage_problem(exc):
                raise WorkspaceError(
                    f"{path}: cannot open the translation memory ({exc}); free disk space or "
                    "fix the folder's permissions, then run the same command again"
                ) from exc
            raise WorkspaceError(
                f"{path}: not a usable translation memory ({exc}); move it aside "
                f"(mv {path} {path}.bad) to start a fresh one, or pass --memory with another file"
            ) from exc
        except OSError as exc:
            raise WorkspaceError(
                f"{path}: cannot open the translation memory ({exc.strerror})"
            ) from exc

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _run(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if self._db.in_transaction:  # part of a larger transaction (see :meth:`transaction`)
            self._db.executemany(sql, rows)
            return
        with self.transaction():
            self._db.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: everything done inside commits together, or not at all.

        Raises:
            WorkspaceError: the memory cannot be written (disk full, read-only, locked).
        """
        try:
            self._db.execute("BEGIN IMMEDIATE")
            yield
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise WorkspaceError(
                f"{self.path}: cannot write the translation memory ({exc}); "
                "free disk space or fix the folder's permissions, then run the "
                "same command again to resume"
            ) from exc
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def get_many(self, keys: Sequence[str]) -> dict[str, Stored]:
        """The stored translations among ``keys``."""
        found: dict[str, Stored] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for key, target, terms, forced in self._db.execute(
                f"SELECT key, target, terms, forced FROM translations WHERE key IN ({marks})", chunk
            ):
                found[key] = Stored(
                    target, frozenset(json.loads(terms)), frozenset(json.loads(forced))
                )
        return found

    def put_many(
        self,
        rows: Iterable[tuple[str, str, str, Iterable[str], Iterable[str], str, dict[str, Any]]],
    ) -> None:
        """Store ``(key, source, target, terms, forced, model, settings)`` rows in one commit."""
        now = time.time()
        self._run(
            "INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    k,
                    src,
                    tgt,
                    json.dumps(sorted(terms), ensure_ascii=False),
                    json.dumps(sorted(forced), ensure_ascii=False),
                    model,
                    json.dumps(settings, sort_keys=True),
                    now,
                )
                for k, src, tgt, terms, forced, model, settings in rows
            ],
        )

    def record_edit(self, normalized: str, target: str, state: str, segment: str) -> None:
        """Keep a person's translation of a sentence; it wins over machine output from now on."""
        self._run(
            "INSERT OR REPLACE INTO edits VALUES (?, ?, ?, ?, ?)",
            [(normalized, target, state, segment, time.time())],
        )

    def edits(self, sources: Sequence[str]) -> dict[str, tuple[str, str]]:
        """People's translations among ``sources``: normalized source → (target, state)."""
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(sources), 500):
            chunk = list(sources[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for source, target, state in self._db.execute(
                f"SELECT source, target, state FROM edits WHERE source IN ({marks})", chunk
            ):
                found[source] = (target, state)
        return found

    def forget_edit(self, normalized: str) -> None:
        """Drop a person's translation of a sentence: machine output is used for it again."""
        self._run("DELETE FROM edits WHERE source = ?", [(normalized,)])

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])

    # --- the review's edit log -----------------------------------------------------------------

    def commit_edits(self, edits: Sequence[NewEdit]) -> list[int]:
        """Log ``edits`` and update the people's translations they imply, in one transaction.

        Returns:
            The log sequence number of each edit, in order: the segments' new revisions.

        Raises:
            WorkspaceError: the memory cannot be written; nothing was logged.
        """
        now = time.time()
        seqs: list[int] = []
        with self.transaction():
            for e in edits:
                cursor = self._db.execute(
                    "INSERT INTO edit_log (segment, document, source, before, after, "
                    "state_before, state, base, reviewer, seconds, note, action, machine, via, "
                    "sub_state, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        e.segment,
                        e.document,
                        e.source,
                        e.before,
                        e.after,
                        e.state_before,
                        e.state,
                        e.base,
                        e.reviewer,
                        e.seconds,
                        e.note,
                        e.action,
                        e.machine,
                        e.via,
                        e.sub_state,
                        now,
                    ),
                )
                seqs.append(int(cursor.lastrowid or 0))
                if e.remember and e.after is not None:
                    self.record_edit(e.source, e.after, e.state, e.segment)
                elif e.forget:
                    self.forget_edit(e.source)
        return seqs

    def mark_written(self, seqs: Sequence[int]) -> None:
        """Note that the documents hold the edits ``seqs`` (see :meth:`pending_edits`)."""
        self._run("UPDATE edit_log SET written = 1 WHERE seq = ?", [(s,) for s in seqs])

    def _log(self, where: str = "", args: Sequence[Any] = ()) -> list[LoggedEdit]:
        rows = self._db.execute(f"SELECT {_LOG_COLUMNS} FROM edit_log {where} ORDER BY seq", args)
        out = []
        for row in rows:
            values: list[Any] = list(row)
            values[-1] = bool(values[-1])  # written
            out.append(LoggedEdit(*values))
        return out

    def pending_edits(self) -> list[LoggedEdit]:
        """Logged edits that no document holds yet (a crash came between the two writes)."""
        return self._log("WHERE written = 0")

    def edit_log(
        self, *, segment: str | None = None, document: str | None = None
    ) -> list[LoggedEdit]:
        """The edit log, oldest first: all of it, one segment's or one document's."""
        if segment is not None:
            return self._log("WHERE segment = ?", (segment,))
        if document is not None:
            return self._log("WHERE document = ?", (document,))
        return self._log()
