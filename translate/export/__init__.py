"""Renderings of documents. Each format is one module with ``render(doc)``; exports are always
generated from the document JSON, never edited by hand and never read back as a source.

=========  =========================  =====================================================
name       files                      what
=========  =========================  =====================================================
html       html/<id>.html, index.html side-by-side page per article, and the edition index
md         exports/<id>.md            Markdown, an English | Arabic table per paragraph
jsonl      exports/<id>.jsonl         JSON Lines, one aligned segment per line
tmx        exports/<id>.tmx           TMX 1.4b translation memory
xliff      exports/<id>.xlf           XLIFF 2.1, units per paragraph, segments per sentence
xliff12    exports/<id>.xliff12.xlf   XLIFF 1.2, for CAT tools that predate XLIFF 2
txt        exports/<id>.ar, <id>.en   plain parallel text, line-aligned
=========  =========================  =====================================================
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import UsageError
from ..workspace import Workspace, write_atomic
from . import html, jsonl, markdown, parallel, tmx, xliff2, xliff12


@dataclass(frozen=True, slots=True)
class Format:
    """An export format: its name, what it is, and how a document becomes files."""

    name: str
    summary: str
    render: Callable[[Document], str | Mapping[str, str]]
    suffix: str = ""  # file-name ending when ``render`` returns one text
    folder: str = "exports"  # workspace folder: "html" or "exports"
    suffixes: tuple[str, ...] = ()  # file-name endings when ``render`` returns several texts

    def files(self, doc: Document) -> dict[str, str]:
        """File-name suffix → text of every file this format writes for ``doc``."""
        out = self.render(doc)
        return {self.suffix: out} if isinstance(out, str) else dict(out)


#: format name → format, in the order ``--help`` lists them
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("html", "side-by-side HTML pages and index.html", html.render, ".html", "html"),
        Format("md", "Markdown tables", markdown.render, ".md"),
        Format("jsonl", "JSON Lines, one segment per line", jsonl.render, ".jsonl"),
        Format("tmx", "TMX 1.4b translation memory", tmx.render, ".tmx"),
        Format("xliff", "XLIFF 2.1", xliff2.render, ".xlf"),
        Format("xliff12", "XLIFF 1.2", xliff12.render, ".xliff12.xlf"),
        Format("txt", "parallel plain text, .ar and .en", parallel.render, suffixes=(".ar", ".en")),
    )
}

#: other spellings people type
ALIASES = {"markdown": "md", "xliff2": "xliff", "xliff21": "xliff", "text": "txt"}


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
            part = ALIASES.get(part, part)
            if part not in FORMATS:
                raise UsageError(f"unknown format {part!r}; choose from {', '.join(FORMATS)}")
            if part not in formats:
                formats.append(part)
    return formats


def formats_in(workspace: Workspace, docs: Sequence[Document]) -> list[str]:
    """The formats the workspace holds a file of for any of ``docs`` (to bring them up to date
    after the documents changed)."""
    found: list[str] = []
    for name, fmt in FORMATS.items():
        if fmt.folder == "html":
            paths = [workspace.html_dir / html.page_name(doc.id) for doc in docs]
        else:
            endings = fmt.suffixes or (fmt.suffix,)
            paths = [workspace.exports_dir / f"{doc.id}{e}" for doc in docs for e in endings]
        if any(path.is_file() for path in paths):
            found.append(name)
    return found


def export(
    docs: Sequence[Document],
    workspace: Workspace,
    formats: Sequence[str],
    report: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write each document in each format into the workspace; returns the files written.

    HTML goes to ``html/`` with an ``index.html`` for the batch (``report`` adds the scores);
    other formats to ``exports/``. Every file is written atomically.
    """
    written: list[Path] = []
    for name in formats:
        fmt = FORMATS[name]
        folder = workspace.html_dir if fmt.folder == "html" else workspace.exports_dir
        for doc in docs:
            for suffix, text in fmt.files(doc).items():
                name_ = html.page_name(doc.id) if fmt.folder == "html" else f"{doc.id}{suffix}"
                path = folder / name_
                write_atomic(path, text)
                written.append(path)
        if name == "html":
            path = folder / "index.html"
            # report.html is written with report.json, which ``report`` comes from.
            report_href = (
                Path(os.path.relpath(workspace.report_html_path, folder)).as_posix()
                if report
                else None
            )
            write_atomic(path, html.render_index(docs, report, report_href))
            written.append(path)
    return written
