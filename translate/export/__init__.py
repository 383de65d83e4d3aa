"""Renderings of documents. Each format is one module with ``render(doc) -> str``; exports are
always generated from the document JSON, never edited by hand and never read back as a source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..document import Document
from ..errors import UsageError
from ..workspace import Workspace, write_atomic
from . import html, jsonl, markdown

#: format name -> (file extension, renderer)
FORMATS: dict[str, tuple[str, Callable[[Document], str]]] = {
    "html": ("html", html.render),
    "md": ("md", markdown.render),
    "jsonl": ("jsonl", jsonl.render),
}


def parse_formats(names: Sequence[str]) -> list[str]:
    """Validate format names (``html,md`` and repeated options both work).

    Raises:
        UsageError: an unknown format, naming the known ones.
    """
    formats: list[str] = []
    for name in names:
        for part in name.split(","):
            part = part.strip().lower()
            if not part:
                continue
            if part not in FORMATS:
                raise UsageError(f"unknown format {part!r}; choose from {', '.join(FORMATS)}")
            if part not in formats:
                formats.append(part)
    return formats


def export(
    docs: Sequence[Document],
    workspace: Workspace,
    formats: Sequence[str],
    report: dict[str, object] | None = None,
) -> list[Path]:
    """Write each document in each format into the workspace; returns the files written.

    HTML goes to ``html/`` with an ``index.html`` for the batch; other formats to ``exports/``.
    """
    written: list[Path] = []
    for fmt in formats:
        ext, renderer = FORMATS[fmt]
        folder = workspace.html_dir if fmt == "html" else workspace.exports_dir
        for doc in docs:
            path = folder / f"{doc.id}.{ext}"
            write_atomic(path, renderer(doc))
            written.append(path)
        if fmt == "html":
            path = folder / "index.html"
            write_atomic(path, html.render_index(docs, report))
            written.append(path)
    return written
