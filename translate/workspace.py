"""The workspace: where ``tarjama run`` and the single-stage commands read and write.

Layout (see DESIGN.md)::

    DIR/documents/<doc-id>.json   canonical bilingual documents
    DIR/html/<doc-id>.html        side-by-side pages, and index.html for the batch
    DIR/exports/<doc-id>.<ext>    other renderings
    DIR/report.json               evaluation of the batch

Every file is written atomically (a temporary file in the same folder, then ``os.replace``), so
a crash or a full disk never leaves half a file behind.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .document import Document, read_document
from .errors import WorkspaceError


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8) so that readers see the old file or the new, never half.

    Raises:
        WorkspaceError: the folder cannot be created or written (read-only, disk full, …).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WorkspaceError(
            f"{path.parent}: cannot write here ({exc.strerror}); choose another "
            "--out folder or fix its permissions"
        ) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        fix = "free disk space, then " if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        raise WorkspaceError(
            f"{path}: cannot write ({exc.strerror}); the file is unchanged: "
            f"{fix}run the same command again"
        ) from exc


class Workspace:
    """A folder holding documents and their renderings."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def documents_dir(self) -> Path:
        return self.root / "documents"

    @property
    def html_dir(self) -> Path:
        return self.root / "html"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def report_path(self) -> Path:
        return self.root / "report.json"

    @property
    def report_html_path(self) -> Path:
        return self.root / "report.html"

    def check_writable(self) -> None:
        """Fail now, not after an hour of translation, if the workspace cannot be written.

        Raises:
            WorkspaceError: the folder cannot be created or a file cannot be written in it.
        """
        probe = self.root / ".tarjama-write-check"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise WorkspaceError(
                f"{self.root}: cannot write the workspace here ({exc.strerror}); choose another "
                "--out folder, free disk space or fix its permissions"
            ) from exc

    def document_path(self, doc_id: str) -> Path:
        return self.documents_dir / f"{doc_id}.json"

    def save(self, doc: Document) -> Path:
        path = self.document_path(doc.id)
        write_atomic(path, doc.to_json())
        return path

    def load_all(self) -> list[Document]:
        """Read every document in the workspace, in id order.

        Raises:
            WorkspaceError: the folder is missing or holds no documents.
            InputError: a document file is damaged.
        """
        if not self.root.is_dir():
            raise WorkspaceError(
                f"{self.root}: no such workspace; create it with "
                f"`tarjama ingest INPUT --out {self.root}` or `tarjama run`"
            )
        files = sorted(self.documents_dir.glob("*.json")) if self.documents_dir.is_dir() else []
        if not files:
            raise WorkspaceError(
                f"{self.root}: no documents in this workspace (expected "
                f"{self.documents_dir}/*.json); run `tarjama ingest` first"
            )
        return [read_document(p) for p in files]
