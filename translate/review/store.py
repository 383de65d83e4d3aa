"""The workspace's documents as the review app reads them: cached, summarized, filtered.

A workspace may hold thousands of documents; reading them all for every page would take
seconds. The store keeps each document and its summary in memory and re-reads a file only when
its size or modification time changed (an edit saved by the app, by ``tarjama import`` in
another process, or a new ``tarjama run``), so the index costs one ``stat`` per document.
The index is filtered (outlet, progress, open flags, words of the title) and paginated.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document, read_document
from ..workspace import Workspace

#: Documents per index page.
PAGE_SIZE = 50
#: Values of the index's "progress" filter.
PROGRESS = ("all", "todo", "done", "untranslated")
DONE = ("reviewed", "final")


@dataclass(frozen=True, slots=True)
class Summary:
    """What the index shows of one document."""

    id: str
    title_ar: str
    title_en: str
    outlet: str
    date: str
    segments: int
    translated: int
    reviewed: int  # reviewed or final
    flags_open: int  # segments with QA flags that nobody reviewed yet
    states: tuple[tuple[str, int], ...]

    @property
    def done(self) -> bool:
        return self.reviewed == self.segments


def summarize(doc: Document) -> Summary:
    segments = list(doc.segments())
    states = Counter(s.state for s in segments)
    return Summary(
        id=doc.id,
        title_ar=doc.title.source if doc.title else "",
        title_en=(doc.title.target or "") if doc.title else "",
        outlet=doc.meta.outlet or doc.meta.site,
        date=doc.meta.date,
        segments=len(segments),
        translated=sum(s.target is not None for s in segments),
        reviewed=sum(s.state in DONE for s in segments),
        flags_open=sum(bool(s.flags) and s.state not in DONE for s in segments),
        states=tuple(sorted(states.items())),
    )


@dataclass(slots=True)
class Filters:
    """The index's filters, as parsed from its query string."""

    outlet: str = ""
    progress: str = "all"
    flags: bool = False  # only documents with open flags
    q: str = ""  # words that the id or a title contains
    page: int = 1


@dataclass(slots=True)
class IndexPage:
    """One page of the index."""

    rows: list[Summary]
    matched: int
    page: int
    pages: int
    totals: dict[str, int]
    outlets: list[tuple[str, int]]
    filters: Filters = field(default_factory=Filters)


class DocumentStore:
    """Documents of a workspace, read once and again only when their file changes."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._lock = threading.Lock()
        self._docs: dict[str, tuple[tuple[int, int], Document, Summary]] = {}

    @staticmethod
    def _stamp(stat: os.stat_result) -> tuple[int, int]:
        return stat.st_mtime_ns, stat.st_size

    def _read(self, doc_id: str, path: Path, stamp: tuple[int, int]) -> None:
        doc = read_document(path)
        self._docs[doc_id] = (stamp, doc, summarize(doc))

    def scan(self) -> None:
        """Notice new, changed and removed document files.

        Raises:
            InputError: a document file is damaged.
        """
        folder = self.workspace.documents_dir
        seen: set[str] = set()
        with self._lock:
            try:
                entries = list(os.scandir(folder))
            except FileNotFoundError:
                entries = []
            for entry in entries:
                if not entry.name.endswith(".json") or entry.name.startswith("."):
                    continue
                doc_id = entry.name[: -len(".json")]
                seen.add(doc_id)
                stamp = self._stamp(entry.stat())
                cached = self._docs.get(doc_id)
                if cached is None or cached[0] != stamp:
                    self._read(doc_id, Path(entry.path), stamp)
            for gone in set(self._docs) - seen:
                del self._docs[gone]

    def get(self, doc_id: str) -> Document | None:
        """The document (as on disk now), or ``None`` when the workspace has no such one."""
        path = self.workspace.document_path(doc_id)
        try:
            stamp = self._stamp(path.stat())
        except (FileNotFoundError, NotADirectoryError):
            with self._lock:
                self._docs.pop(doc_id, None)
            return None
        with self._lock:
            cached = self._docs.get(doc_id)
            if cached is None or cached[0] != stamp:
                self._read(doc_id, path, stamp)
            return self._docs[doc_id][1]

    def documents(self) -> list[Document]:
        """Every document, in id order (as last scanned)."""
        with self._lock:
            return [self._docs[k][1] for k in sorted(self._docs)]

    def summaries(self) -> list[Summary]:
        with self._lock:
            return [self._docs[k][2] for k in sorted(self._docs)]

    def index(self, filters: Filters, page_size: int = PAGE_SIZE) -> IndexPage:
        """One page of the index, after a scan for changed files."""
        self.scan()
        everything = self.summaries()
        rows = select(everything, filters)
        pages = max(1, -(-len(rows) // page_size))
        page = min(max(1, filters.page), pages)
        start = (page - 1) * page_size
        totals = {
            "documents": len(everything),
            "segments": sum(s.segments for s in everything),
            "reviewed": sum(s.reviewed for s in everything),
            "flags_open": sum(s.flags_open for s in everything),
            "untranslated": sum(s.segments - s.translated for s in everything),
        }
        outlets = Counter(s.outlet for s in everything if s.outlet)
        return IndexPage(
            rows=rows[start : start + page_size],
            matched=len(rows),
            page=page,
            pages=pages,
            totals=totals,
            outlets=sorted(outlets.items()),
            filters=filters,
        )


def select(summaries: Sequence[Summary], filters: Filters) -> list[Summary]:
    """The summaries that pass the filters, in their order."""
    words = filters.q.casefold().split()
    out = []
    for s in summaries:
        if filters.outlet and s.outlet != filters.outlet:
            continue
        if filters.progress == "todo" and s.done:
            continue
        if filters.progress == "done" and not s.done:
            continue
        if filters.progress == "untranslated" and s.translated == s.segments:
            continue
        if filters.flags and not s.flags_open:
            continue
        if words:
            hay = f"{s.id} {s.title_ar} {s.title_en}".casefold()
            if not all(w in hay for w in words):
                continue
        out.append(s)
    return out
