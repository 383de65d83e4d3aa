"""Ingest: read scraped articles (text or HTML, any common encoding) into documents.

The stage reads bytes, detects the encoding, extracts the main content of HTML pages with
trafilatura, then cleans the text line by line: finds the title (splitting a site-name suffix off
into ``meta.site``), moves outlet, byline and date lines into ``meta``, and drops boilerplate
(see :mod:`translate.boilerplate`). Every dropped line is recorded in ``Document.removed`` with
its reason; nothing disappears without a record.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .arabic import arabic_ratio
from .boilerplate import RULES, Rule
from .document import Document, Meta, Removed, Segment
from .errors import InputError

#: Articles are a few kilobytes; anything past this is not an article (a dump, a log, a binary).
MAX_BYTES = 5 * 1024 * 1024
SUFFIXES = (".txt", ".text", ".html", ".htm")
# Separators between a title and the site name appended to it by the CMS.
_SITE_SUFFIX = re.compile(r"^(?P<title>.+?)\s+(?:-|\||–|—|::|»)\s+(?P<site>[^-|–—]{2,60})$")
# Sentence-final punctuation: a line with none of it and many words is a ticker or a menu.
_SENTENCE_END = re.compile(r"[.!?؟…:»\"”)]\s*$")
# Lines this short, before the body starts, are header material (outlet, section, date).
_HEADER_WORDS = 8
# A glued headline ticker: long, and headlines run together without sentence punctuation.
_TICKER_MIN_CHARS = 250


@dataclass(slots=True)
class IngestOptions:
    """Options of the ingest stage."""

    rules: Sequence[Rule] = field(default_factory=lambda: RULES)
    min_arabic_ratio: float = 0.5  # share of Arabic letters below which a file is not an article


@dataclass(slots=True)
class Source:
    """An input to ingest: a path, or ``-`` for standard input."""

    path: Path | None
    data: bytes

    @property
    def name(self) -> str:
        return str(self.path) if self.path is not None else "<stdin>"


def collect_inputs(inputs: Iterable[str | Path]) -> list[Path | None]:
    """Expand files and folders into the list of article files to read (``None`` = stdin).

    Raises:
        InputError: an input does not exist, or a folder holds no article files.
    """
    found: list[Path | None] = []
    for item in inputs:
        if str(item) == "-":
            found.append(None)
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
            if not files:
                raise InputError(f"{path}: no .txt or .html files in this folder")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or folder; check the path")
    return found


def read_source(path: Path | None) -> Source:
    """Read one input's bytes (``None`` reads standard input)."""
    if path is None:
        return Source(None, sys.stdin.buffer.read())
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"{path}: {size / 1e6:.1f} MB is too large for an article "
                f"(limit {MAX_BYTES / 1e6:.0f} MB); split it into articles first"
            )
        return Source(path, path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode article bytes; returns ``(text, encoding)``.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are recognised directly; anything else goes
    to charset-normalizer, which tells Windows-1256 from ISO-8859-6 and UTF-16 without a BOM.

    Raises:
        InputError: the bytes are not text in any encoding we can recognise.
    """
    if not data.strip():
        raise InputError(f"{name}: the file is empty; nothing to translate")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: starts like UTF-16 but is not valid UTF-16 ({exc.reason})"
            ) from exc
    if b"\x00" not in data:
        try:
            text = data.decode("utf-8-sig")
            return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(
            f"{name}: not a text file (no encoding fits its bytes); give tarjama .txt or .html "
            "articles"
        )
    text = str(best)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(2, len(text) // 100):
        raise InputError(
            f"{name}: looks like a binary file, not an article; remove it from the input"
        )
    return text, best.encoding


def _is_html(text: str, path: Path | None) -> bool:
    if path is not None and path.suffix.lower() in (".html", ".htm"):
        return True
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def _html_to_text(html: str, name: str) -> tuple[str, Meta]:
    """Main content of an HTML page as plain text (title first), via trafilatura."""
    import trafilatura

    meta = Meta()
    extracted: Any = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, favor_precision=True, with_metadata=True
    )
    if extracted is None or not (extracted.text or "").strip():
        raise InputError(f"{name}: no article text found in this HTML page")
    meta.site = extracted.sitename or ""
    meta.byline = extracted.author or ""
    meta.date = extracted.date or ""
    title = (extracted.title or "").strip()
    body = extracted.text or ""
    return (f"{title}\n\n{body}" if title else body), meta


def make_id(path: Path | None, taken: set[str]) -> str:
    """A stable, file-name-safe document id from the input's file name, unique in ``taken``."""
    stem = path.stem if path is not None else "stdin"
    base = re.sub(r"[^\w.-]+", "-", stem, flags=re.UNICODE).strip("-.") or "article"
    doc_id, n = base, 2
    while doc_id in taken:
        doc_id, n = f"{base}-{n}", n + 1
    taken.add(doc_id)
    return doc_id


def ingest_source(source: Source, doc_id: str, options: IngestOptions | None = None) -> Document:
    """Turn one input into a cleaned document (one segment per paragraph, not yet split).

    Raises:
        InputError: the input is empty, binary, undecodable or holds no Arabic article.
    """
    options = options or IngestOptions()
    text, encoding = decode(source.data, source.name)
    meta = Meta(source_path=source.name, encoding=encoding)
    if _is_html(text, source.path):
        text, html_meta = _html_to_text(text, source.name)
        meta.site, meta.byline, meta.date = html_meta.site, html_meta.byline, html_meta.date
    if arabic_ratio(text) < options.min_arabic_ratio:
        raise InputError(
            f"{source.name}: no Arabic article text found; tarjama translates Arabic news articles"
        )
    doc = clean(text, doc_id, meta, options)
    if not doc.paragraphs:
        raise InputError(
            f"{source.name}: no article text left after removing boilerplate "
            f"({len(doc.removed)} lines removed); see `tarjama ingest --explain`"
        )
    body = " ".join(s.source for p in doc.paragraphs for s in p)
    if arabic_ratio(body) < options.min_arabic_ratio:
        raise InputError(
            f"{source.name}: no Arabic article text found; tarjama translates Arabic news articles"
        )
    return doc


def clean(text: str, doc_id: str, meta: Meta, options: IngestOptions) -> Document:
    """Find title, metadata and body paragraphs in the plain text of a scraped page."""
    lines = [
        (n, line.strip())
        for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)
    ]
    lines = [(n, line) for n, line in lines if line]
    doc = Document(id=doc_id, meta=meta)
    title_at = _find_title(lines)
    for n, line in lines[:title_at]:
        doc.removed.append(Removed(n, line, "ticker"))
    if title_at >= len(lines):
        return doc
    title_line = lines[title_at][1]
    meta.title = title_line
    title, site = _split_site(title_line)
    if site:
        meta.site = meta.site or site
    doc.title = Segment(id=f"{doc_id}:0:1", source=title)
    in_header, dropping = True, False
    for n, line in lines[title_at + 1 :]:
        if dropping:
            doc.removed.append(Removed(n, line, "related-articles"))
            continue
        if _same_title(line, title):
            doc.removed.append(Removed(n, line, "repeated-title"))
            continue
        rule = _first_rule(line, options.rules, in_header)
        if rule is not None:
            if rule.action == "drop-rest":
                dropping = True
            if rule.action in ("outlet", "byline", "date"):
                _set_meta(meta, rule.action, line)
            doc.removed.append(Removed(n, line, rule.reason))
            continue
        if arabic_ratio(line) == 0.0 and any(ch.isalpha() for ch in line):
            doc.removed.append(Removed(n, line, "latin-only"))
            continue
        if in_header and len(line.split()) <= _HEADER_WORDS and not _SENTENCE_END.search(line):
            doc.removed.append(Removed(n, line, "header"))
            continue
        in_header = False
        doc.paragraphs.append([Segment(id="", source=line)])
    if not meta.outlet:
        meta.outlet = meta.site
    return doc


def _find_title(lines: list[tuple[int, str]]) -> int:
    """Index of the title line: the first line repeated just below (CMS pages print the title
    twice), else the first line that is not a glued headline ticker."""
    window = lines[:8]
    for i, (_, line) in enumerate(window):
        title, _site = _split_site(line)
        if any(_same_title(other, title) for _, other in window[i + 1 :]):
            return i
    for i, (_, line) in enumerate(lines):
        if not (len(line) >= _TICKER_MIN_CHARS and not _SENTENCE_END.search(line)):
            return i
    return len(lines)


def _split_site(line: str) -> tuple[str, str]:
    match = _SITE_SUFFIX.match(line)
    if match and arabic_ratio(match["title"]) > 0.5 and len(match["site"].split()) <= 6:
        return match["title"].strip(), match["site"].strip()
    return line, ""


def _same_title(line: str, title: str) -> bool:
    return line == title or _split_site(line)[0] == title


def _first_rule(line: str, rules: Sequence[Rule], in_header: bool) -> Rule | None:
    short = len(line.split()) <= _HEADER_WORDS
    for rule in rules:
        if rule.action in ("outlet", "byline", "date") and not (short and in_header):
            continue
        if rule.matches(line):
            return rule
    return None


def _set_meta(meta: Meta, field_name: str, line: str) -> None:
    value = line
    if field_name == "outlet":
        value = re.sub(r"\s*[-–]\s*\((خاص|حصري|متابعات)\)$", "", line)
    elif field_name == "byline":
        value = re.split(r"[:：]", line, maxsplit=1)[1].strip()
    if not getattr(meta, field_name):
        setattr(meta, field_name, value)


def ingest(inputs: Iterable[str | Path], options: IngestOptions | None = None) -> list[Document]:
    """Read every input (files, folders, ``-``) into cleaned, unsegmented documents.

    All inputs are read before anything is returned, so one bad file stops the batch before a
    single output is written.
    """
    taken: set[str] = set()
    docs = []
    for path in collect_inputs(inputs):
        source = read_source(path)
        docs.append(ingest_source(source, make_id(path, taken), options))
    return docs
