"""Renderings brought up to date after edits: a document's page and exports, the edition index.

Only the formats the workspace already holds a file of are written again (as ``tarjama evaluate``
does, :func:`translate.export.formats_in`), so an edit never adds formats nobody asked for. The
edition index lists every document, so it is refreshed separately (:func:`refresh_index`), once
after a batch of edits rather than after each.

Renderings are derived from the document JSON, which is written first: the review app leaves
them to a background :class:`Refresher` (writing a page and two XLIFF files costs four fsyncs,
more than the rest of a save), and on start :func:`stale` finds any a crash left behind.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..document import Document
from ..workspace import Workspace, write_atomic


def refresh_documents(workspace: Workspace, docs: Sequence[Document]) -> list[Path]:
    """Write again each document's page (``html/<id>.html``) and exports; returns the files."""
    from ..export import FORMATS, formats_in
    from ..export import html as html_export

    written: list[Path] = []
    for doc in docs:
        for name in formats_in(workspace, [doc]):
            fmt = FORMATS[name]
            if fmt.folder == "html":
                path = workspace.html_dir / html_export.page_name(doc.id)
                write_atomic(path, html_export.render(doc))
                written.append(path)
                continue
            for suffix, text in fmt.files(doc).items():
                path = workspace.exports_dir / f"{doc.id}{suffix}"
                write_atomic(path, text)
                written.append(path)
    return written


def read_report(workspace: Workspace) -> dict[str, Any] | None:
    """The workspace's ``report.json``, or ``None`` when there is none (or it is unreadable)."""
    try:
        report: dict[str, Any] = json.loads(workspace.report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report


def refresh_index(workspace: Workspace, docs: Sequence[Document] | None = None) -> list[Path]:
    """Write again ``html/index.html`` (when the workspace has one) from every document."""
    from ..export import html as html_export

    path = workspace.html_dir / "index.html"
    if not path.is_file():
        return []
    docs = list(docs) if docs is not None else workspace.load_all()
    report = read_report(workspace)
    href = (
        Path(os.path.relpath(workspace.report_html_path, workspace.html_dir)).as_posix()
        if report
        else None
    )
    write_atomic(path, html_export.render_index(docs, report, href))
    return [path]


def stale(workspace: Workspace, doc_ids: Sequence[str]) -> list[str]:
    """Documents whose page or exports are older than their JSON (a crash came between an
    edit and its renderings, or the renderings are waiting in a :class:`Refresher`)."""
    from ..export import FORMATS
    from ..export import html as html_export

    out = []
    for doc_id in doc_ids:
        try:
            written = workspace.document_path(doc_id).stat().st_mtime_ns
        except OSError:
            continue
        paths = [workspace.html_dir / html_export.page_name(doc_id)]
        for fmt in FORMATS.values():
            if fmt.folder != "html":
                paths += [
                    workspace.exports_dir / f"{doc_id}{e}" for e in fmt.suffixes or (fmt.suffix,)
                ]
        for path in paths:
            try:
                if path.stat().st_mtime_ns < written:
                    out.append(doc_id)
                    break
            except OSError:
                continue
    return out


class Refresher:
    """Writes documents' pages and exports in a background thread, so that a save is answered
    as soon as the edit log, the memory and the document JSON have it.

    Requests for one document coalesce: ten saves in a row write its renderings once or twice,
    never ten times, and always from the document as it is on disk when the writing starts; if
    the document changed meanwhile (another save, ``tarjama import`` in another process), it is
    written again. :meth:`flush` waits until nothing is pending (the server calls it on exit).
    """

    def __init__(self, workspace: Workspace) -> None:
        import threading

        self.workspace = workspace
        self._pending: dict[str, None] = {}  # ordered set
        self._busy = False
        self._stopped = False
        self._cond = threading.Condition()
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._run, name="tarjama-refresh", daemon=True)
        self._thread.start()

    def poke(self, doc_id: str) -> None:
        with self._cond:
            self._pending[doc_id] = None
            self._cond.notify_all()

    def flush(self, timeout: float = 60.0) -> bool:
        """Wait until every poked document is written; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def close(self, timeout: float = 60.0) -> None:
        self.flush(timeout)
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        from ..document import read_document
        from ..errors import TarjamaError

        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopped)
                if self._stopped and not self._pending:
                    return
                doc_id = next(iter(self._pending))
                del self._pending[doc_id]
                self._busy = True
            try:
                path = self.workspace.document_path(doc_id)
                before = path.stat().st_mtime_ns
                for written in refresh_documents(self.workspace, [read_document(path)]):
                    # Stamped with the time of the document they were made from: if a save
                    # writes the document while they are being made and the server dies before
                    # they are made again, :func:`stale` still finds them older than it.
                    os.utime(written, ns=(before, before))
                if path.stat().st_mtime_ns != before:
                    self.poke(doc_id)  # changed while being rendered: once more
            except (TarjamaError, OSError) as exc:
                self.errors.append(f"{doc_id}: {exc}")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
