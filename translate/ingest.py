"""Ingest: read scraped articles (text or HTML, any common encoding) into documents.

The stage reads bytes, detects the encoding, extracts the main content of HTML pages with
trafilatura, then cleans the text line by line:

1. **Title.** Of the lines of two words or more that no rule matches: the first printed twice
   near the top (CMS pages repeat the title; headlines end without a full stop), else the first
   with a site name glued after `` - ``, `` | `` or `` – ``, else the first that is neither a
   glued headline ticker nor part of a menu (a run of one- to three-word lines). Lines above it
   are dropped as ``menu`` (up to four words) or ``ticker``. The site name goes to
   ``meta.site``; ``meta.title`` keeps the line as written. For HTML, the extractor's title. A
   headline has at most 40 words: text without one (an article pasted without its title, one
   paragraph on stdin) has no title, and a lone line of several sentences is body text.
2. **Rules** (:mod:`translate.boilerplate`, data): share, tag, follow-us, copyright, cookie and
   "read also" lines are dropped; related-article headings drop the rest of the page; outlet,
   byline and date lines move to ``meta``.
3. **Generic signals**, for what no rule knows: a line with no Arabic letter (``latin-only``);
   a line of at most four words without sentence punctuation between the title and the body
   (``header``: a section name, an author's name); three or more short lines without sentence
   punctuation in a row (``link-list``: headlines of other articles); short unpunctuated lines
   after the last sentence of the body (``footer``); and, across a batch, a short line found in
   three or more articles of the same outlet (``repeated-in-batch``: a slogan, a promotion).

Every dropped line is recorded in ``Document.removed`` with its line number and reason, including,
for HTML, the blocks of the page that the main-content extractor left out
(``outside-main-content``, numbered by their line in the HTML file) and, for damaged files, the
bytes no encoding could read (``undecodable-bytes``). Nothing disappears without a record.

``meta.outlet`` is the outlet named by the page (an outlet line, a dateline, a source credit);
when the page names none, it falls back to ``meta.site``, the name the CMS glued to the title.
For the seed article ``baladi-…``: site ``It's Over 9000!`` (the aggregator's title suffix),
outlet ``بلدي نيوز`` (the line under the title).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .arabic import arabic_ratio, normalize
from .boilerplate import META_ACTIONS, RULES, Rule
from .document import Document, Meta, Removed, Segment
from .errors import InputError, UsageError

#: Articles are a few kilobytes, article pages a few hundred; anything past this is not an
#: article (a dump, a log, a binary), and reading it whole would only waste memory.
MAX_BYTES = 5 * 1024 * 1024
SUFFIXES = (".txt", ".text", ".html", ".htm")
# Separators between a title and the site name appended to it by the CMS.
_SITE_SUFFIX = re.compile(r"^(?P<title>.+?)\s+(?:-|\||–|—|::|»)\s+(?P<site>[^-|–—]{2,60})$")
# Loose sentence end (closing quotes and brackets count): a header line ending so is prose.
_SENTENCE_END = re.compile(r"[.!?؟…:»\"”)]\s*$")
# Strict sentence end: a terminator, then only closing marks. Headlines in link lists often end
# with "(فيديو)" or a quotation mark, which must not make them look like sentences.
_TERMINATED = re.compile(r"[.!?؟…:]['\"»”’)\]]*\s*$")
# Lines this short, between the title and the body, are header material (section, author).
_HEADER_WORDS = 4
# Menu items and breadcrumbs are one to three words; a title is longer or stands alone.
_MENU_WORDS = 3
# A glued headline ticker: long, and headlines run together without sentence punctuation.
_TICKER_MIN_CHARS = 250
# The title is looked for among the first lines only (CMS repeats it close to the top).
_TITLE_WINDOW = 15
# A headline is at most this many words (the longest in tests/data/pages has 21); a longer line
# is body text, as in an article pasted without its title.
_TITLE_MAX_WORDS = 40
# A link-list entry (a headline) is at most this many words.
_LINK_WORDS = 12
# Footer lines after the body (outlet name, section links) are at most this many words.
_FOOTER_WORDS = 8
# Of undecodable UTF-8 sequences per decoded character, above this share the file is in another
# encoding; below it, it is UTF-8 with a few damaged bytes (a truncated download, a bad paste).
_DAMAGED_UTF8_SHARE = 0.01


@dataclass(slots=True)
class IngestOptions:
    """Options of the ingest stage."""

    rules: Sequence[Rule] = field(default_factory=lambda: RULES)
    min_arabic_ratio: float = 0.5  # share of Arabic letters below which a file is not an article
    link_list_min_lines: int = 3  # short unpunctuated lines in a row that make a link list
    # A line in this many articles of one outlet in a batch is the outlet's boilerplate...
    repeated_min_articles: int = 3
    # ...when it is this short: agencies repeat background paragraphs verbatim, and those are
    # article text that must be translated.
    repeated_max_words: int = 25

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_arabic_ratio <= 1.0:
            raise UsageError(
                f"min_arabic_ratio must be between 0 and 1, not {self.min_arabic_ratio}"
            )
        if self.link_list_min_lines < 2 or self.repeated_min_articles < 2:
            raise UsageError(
                "link_list_min_lines and repeated_min_articles must be at least 2 "
                f"(got {self.link_list_min_lines} and {self.repeated_min_articles})"
            )


@dataclass(slots=True)
class Source:
    """An input to ingest: a path, or ``-`` for standard input."""

    path: Path | None
    data: bytes

    @property
    def name(self) -> str:
        return str(self.path) if self.path is not None else "<stdin>"


@dataclass(slots=True)
class Decoded:
    """Text decoded from an input's bytes."""

    text: str
    encoding: str
    damaged: list[Removed] = field(default_factory=list)  # bytes no encoding could read


@dataclass(slots=True)
class Traced:
    """A cleaned document and, for each of its paragraphs, the input line it came from."""

    doc: Document
    lines: list[int]
    title_line: int | None = None


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


def _too_large(name: str, size: int) -> InputError:
    return InputError(
        f"{name}: {size / 1e6:.1f} MB is too large for an article "
        f"(limit {MAX_BYTES / 1e6:.0f} MB); split it into articles first"
    )


def read_source(path: Path | None) -> Source:
    """Read one input's bytes (``None`` reads standard input).

    Raises:
        InputError: the file cannot be read, or is larger than :data:`MAX_BYTES`.
    """
    if path is None:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise _too_large("<stdin>", len(data) + len(sys.stdin.buffer.read()))
        return Source(None, data)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _too_large(str(path), size)
        return Source(path, path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc


def _encoding_name(name: str) -> str:
    """The usual (WHATWG/IANA) spelling of a Python codec name: ``cp1256`` → ``windows-1256``."""
    name = name.lower().replace("_", "-")
    if re.fullmatch(r"cp125\d", name):
        return "windows-" + name[2:]
    return {"iso8859-6": "iso-8859-6", "utf-16-le": "utf-16le", "utf-16-be": "utf-16be"}.get(
        name, name
    )


def _damaged_utf8(data: bytes, text: str) -> list[Removed]:
    """One record per line of ``text`` (UTF-8 decoded with replacement) holding bad bytes."""
    records: list[Removed] = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            bad: list[str] = []
            rest = raw
            while rest:
                try:
                    rest.decode("utf-8")
                    break
                except UnicodeDecodeError as exc:
                    bad.append(rest[exc.start : exc.end].hex(" "))
                    rest = rest[exc.end :]
            records.append(
                Removed(number, "bytes " + ", ".join(bad) + " (shown as �)", "undecodable-bytes")
            )
    return records


def decode(data: bytes, name: str) -> Decoded:
    """Decode article bytes.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are recognised directly; anything else goes
    to charset-normalizer, which tells Windows-1256 from ISO-8859-6 and UTF-16 without a BOM.
    UTF-8 with a few damaged byte sequences is read with ``�`` in their place, and each line
    holding one is recorded (``undecodable-bytes``), so the article is still translated and the
    damage is visible.

    Raises:
        InputError: the bytes are empty, or not text in any encoding we can recognise.
    """
    if not data.strip():
        raise InputError(f"{name}: the file is empty; nothing to translate")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: starts like UTF-16 but is not valid UTF-16 ({exc.reason}); "
                "save it again as UTF-8"
            ) from exc
    if b"\x00" not in data:
        try:
            text = data.decode("utf-8-sig")
            return Decoded(text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8-sig", errors="replace")
            if text.count("\ufffd") <= max(1, len(text) * _DAMAGED_UTF8_SHARE):
                return Decoded(text, "utf-8", _damaged_utf8(data, text))
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
    return Decoded(text, _encoding_name(best.encoding))


def _is_html(text: str, path: Path | None) -> bool:
    if path is not None and path.suffix.lower() in (".html", ".htm"):
        return True
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


# Elements that start a new line when a browser renders a page.
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "br", "button", "caption"),
        *("dd", "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure"),
        *("footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"),
        *("nav", "ol", "option", "p", "pre", "section", "summary", "table", "td", "th", "tr"),
        "ul",
    }
)
# Elements whose text is never shown as page text.
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "head", "title"}
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def html_lines(html: str) -> list[tuple[int, str]]:
    """The visible text of a page's body, one entry per rendered line: ``(source line, text)``.

    The source line is the line of the HTML where the text starts, so that what ingest drops
    from a page can be found in the file. Returns ``[]`` when the page cannot be parsed.
    """
    from lxml import etree
    from lxml import html as lxml_html

    # lxml refuses str input that declares an encoding; blank it out, keeping line numbers.
    html = _XML_DECLARATION.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), html)
    try:
        root = lxml_html.document_fromstring(html)
    except (ValueError, etree.ParserError):
        return []
    body = root.find("body")
    if body is None:
        body = root
    lines: list[tuple[int, str]] = []
    parts: list[str] = []
    first_line = [0]

    def add(text: str | None, line: int | None) -> None:
        if text:
            if not "".join(parts).strip():
                first_line[0] = line or 1
            parts.append(text)

    def flush() -> None:
        text = " ".join("".join(parts).split())
        if text:
            lines.append((first_line[0], text))
        parts.clear()

    stack: list[tuple[Any, bool]] = [(body, False)]
    while stack:
        el, done = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else None  # comments and processing instructions
        if done:
            if tag in _BLOCK_TAGS:
                flush()
            if el is not body:
                add(el.tail, el.sourceline)
            continue
        if tag is None or tag in _SKIP_TAGS:
            add(el.tail, el.sourceline)
            continue
        if tag in _BLOCK_TAGS:
            flush()
        add(el.text, el.sourceline)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    flush()
    return lines


def _html_to_lines(html: str, name: str) -> tuple[list[tuple[int, str]], bool, Meta, list[Removed]]:
    """Main content of an HTML page via trafilatura, as numbered lines (title first).

    Lines are numbered by where their text is in the HTML file. Returns the lines, whether the
    first one is the title, the metadata trafilatura found, and a record of every block of the
    page left out of the main content.
    """
    import trafilatura

    extracted: Any = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, favor_precision=True, with_metadata=True
    )
    if extracted is None or not (extracted.text or "").strip():
        raise InputError(
            f"{name}: no article text found in this HTML page; save the article as text instead"
        )
    meta = Meta(
        site=extracted.sitename or "", byline=extracted.author or "", date=extracted.date or ""
    )
    title = " ".join((extracted.title or "").split())
    texts = [title] if title else []
    texts += [" ".join(t.split()) for t in (extracted.text or "").splitlines()]
    texts = [t for t in texts if t]
    blocks = html_lines(html)
    used = [False] * len(blocks)
    numbered: list[tuple[int, str]] = []
    cursor, last = 0, 1
    for text in texts:
        found = _find_block(blocks, used, text, cursor)
        if found is not None:
            used[found] = True
            cursor, last = found + 1, blocks[found][0]
            # The extractor may join several blocks into one line: mark the rest of them too.
            while (
                blocks[found][1] != text
                and cursor < len(blocks)
                and not used[cursor]
                and blocks[cursor][1] in text
            ):
                used[cursor] = True
                cursor += 1
        numbered.append((last, text))
    outside = [
        Removed(line, text, "outside-main-content")
        for (line, text), was_used in zip(blocks, used, strict=True)
        if not was_used
    ]
    return numbered, bool(title), meta, outside


def _find_block(
    blocks: list[tuple[int, str]], used: list[bool], text: str, cursor: int
) -> int | None:
    """The unused block that ``text`` came from, looked for after ``cursor`` first.

    Best a block equal to the line, then one holding it, then one the line starts with (the
    extractor joined blocks); a short menu item that happens to occur in the line is no match.
    """
    order = [*range(cursor, len(blocks)), *range(cursor)]
    tests = (
        lambda block: block == text,
        lambda block: text in block,
        lambda block: text.startswith(block),
    )
    for test in tests:
        for i in order:
            if not used[i] and test(blocks[i][1]):
                return i
    return None


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
    return trace_source(source, doc_id, options).doc


def trace_source(
    source: Source, doc_id: str, options: IngestOptions | None = None, check: bool = True
) -> Traced:
    """:func:`ingest_source`, keeping the input line of every paragraph (for ``--explain``);
    with ``check=False``, a document left without body text is returned, not refused."""
    options = options or IngestOptions()
    decoded = decode(source.data, source.name)
    meta = Meta(source_path=source.name, encoding=decoded.encoding)
    removed = list(decoded.damaged)
    if _is_html(decoded.text, source.path):
        lines, title_first, html_meta, outside = _html_to_lines(decoded.text, source.name)
        meta.site, meta.byline, meta.date = html_meta.site, html_meta.byline, html_meta.date
        removed += outside
    else:
        lines, title_first = _number_lines(decoded.text), False
    if arabic_ratio("\n".join(text for _, text in lines)) < options.min_arabic_ratio:
        raise InputError(
            f"{source.name}: no Arabic article text found; tarjama translates Arabic news articles"
        )
    traced = _clean(lines, doc_id, meta, options, title_first)
    traced.doc.removed = sorted(removed + traced.doc.removed, key=lambda r: r.line)
    if check:
        check_body(traced.doc, source.name, options)
    return traced


def check_body(doc: Document, name: str, options: IngestOptions | None = None) -> None:
    """Refuse a document that cleaning left without Arabic body text.

    Raises:
        InputError: naming the file and ``tarjama ingest --explain``.
    """
    options = options or IngestOptions()
    if not doc.paragraphs:
        path = "-" if name == "<stdin>" else name
        where = "after the title" if doc.title is not None else "left"
        raise InputError(
            f"{name}: no article text {where} once boilerplate is removed "
            f"({len(doc.removed)} lines removed); see `tarjama ingest --explain {path}`"
        )
    body = " ".join(s.source for p in doc.paragraphs for s in p)
    if arabic_ratio(body) < options.min_arabic_ratio:
        raise InputError(
            f"{name}: no Arabic article text found; tarjama translates Arabic news articles"
        )


def _number_lines(text: str) -> list[tuple[int, str]]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]


def clean(text: str, doc_id: str, meta: Meta, options: IngestOptions | None = None) -> Document:
    """Find title, metadata and body paragraphs in the plain text of a scraped page."""
    return _clean(_number_lines(text), doc_id, meta, options or IngestOptions(), False).doc


@dataclass(slots=True)
class _Hit:
    """What a rule made of a line: its reason and action, and the value for ``meta``."""

    rule: Rule
    value: str


def _rule_for(line: str, rules: Sequence[Rule], in_header: bool) -> _Hit | None:
    """The first rule matching ``line`` (matched in its normalized form, see boilerplate)."""
    norm = normalize(line)
    for rule in rules:
        if rule.scope == "header" and not in_header:
            continue
        match = rule.match(norm.text)
        if match is None:
            continue
        value = line
        if "value" in rule.regex.groupindex and match.group("value"):
            # Up to the next character the model sees, so that marks after the value's last
            # letter (diacritics, tatweel: "هـ") stay with it.
            start, end = norm.offsets[match.start("value")], norm.offsets[match.end("value")]
            value = line[start:end].strip()
        return _Hit(rule, value)
    return None


def _words(line: str) -> int:
    return len(line.split())


def _is_ticker(line: str) -> bool:
    return len(line) >= _TICKER_MIN_CHARS and not _SENTENCE_END.search(line)


def _clean(
    lines: list[tuple[int, str]],
    doc_id: str,
    meta: Meta,
    options: IngestOptions,
    title_first: bool,
) -> Traced:
    doc = Document(id=doc_id, meta=meta)
    hits = [_rule_for(line, options.rules, True) for _, line in lines]
    title_at = 0 if title_first else _find_title(lines, hits)
    title, title_line = "", None
    if title_at is None:  # no headline: the text starts with the article itself
        title_at = -1
    else:
        for (n, line), hit in zip(lines[:title_at], hits[:title_at], strict=True):
            if hit is not None:
                _record_hit(doc, n, line, hit)
            else:
                reason = "menu" if _words(line) <= _HEADER_WORDS else "ticker"
                doc.removed.append(Removed(n, line, reason))
        if title_at >= len(lines):
            return Traced(doc, [])
        title_line, title_text = lines[title_at]
        meta.title = title_text
        title, site = _split_site(title_text)
        if site:
            meta.site = meta.site or site
        doc.title = Segment(id=f"{doc_id}:0:1", source=title)
    kept: list[tuple[int, str]] = []
    in_header = True
    rest_reason = ""  # set by a heading whose list runs to the end of the page
    next_reason = ""  # set by a label whose link is on the next line
    for (n, line), header_hit in zip(lines[title_at + 1 :], hits[title_at + 1 :], strict=True):
        if rest_reason:
            doc.removed.append(Removed(n, line, rest_reason))
            continue
        if next_reason:
            reason, next_reason = next_reason, ""
            if _words(line) <= _LINK_WORDS and not _TERMINATED.search(line):
                doc.removed.append(Removed(n, line, reason))
                continue
        if title and _same_title(line, title):
            doc.removed.append(Removed(n, line, "repeated-title"))
            continue
        hit = header_hit
        if hit is not None and hit.rule.scope == "header" and not in_header:
            hit = _rule_for(line, options.rules, in_header)
        if hit is not None:
            _record_hit(doc, n, line, hit)
            if hit.rule.action == "drop-rest":
                rest_reason = hit.rule.reason
            elif hit.rule.action == "drop-next":
                next_reason = hit.rule.reason
            continue
        if arabic_ratio(line) == 0.0 and any(ch.isalpha() for ch in line):
            doc.removed.append(Removed(n, line, "latin-only"))
            continue
        if in_header and _words(line) <= _HEADER_WORDS and not _SENTENCE_END.search(line):
            doc.removed.append(Removed(n, line, "header"))
            continue
        in_header = False
        kept.append((n, line))
    kept = _drop_link_lists(kept, doc, options.link_list_min_lines)
    kept = _drop_footer(kept, doc)
    if not kept and title_line is not None and doc.title is not None and not title_first:
        # A lone line of several sentences is a paragraph, not a headline.
        from .segment import split_sentences

        if len(split_sentences(lines[title_at][1])) > 1:
            kept, doc.title, meta.title, title_line = [lines[title_at]], None, "", None
    doc.removed.sort(key=lambda r: r.line)
    doc.paragraphs = [[Segment(id="", source=line)] for _, line in kept]
    if not meta.outlet:
        meta.outlet = meta.site
    return Traced(doc, [n for n, _ in kept], title_line)


def _record_hit(doc: Document, n: int, line: str, hit: _Hit) -> None:
    if hit.rule.action in META_ACTIONS and not getattr(doc.meta, hit.rule.action):
        setattr(doc.meta, hit.rule.action, hit.value)
    doc.removed.append(Removed(n, line, hit.rule.reason))


def _find_title(lines: list[tuple[int, str]], hits: list[_Hit | None]) -> int | None:
    """Index of the title line (see the module docstring for the order of the tests);
    ``len(lines)`` when only menus and tickers were found, None when prose (a line too long for
    a headline) comes before any headline: the text starts with the article itself."""

    def candidate(i: int) -> bool:
        line = lines[i][1]
        return (
            hits[i] is None
            and not _is_ticker(line)
            and 2 <= _words(_split_site(line)[0]) <= _TITLE_MAX_WORDS
            and arabic_ratio(line) > 0.5
        )

    window = range(min(len(lines), _TITLE_WINDOW))
    for i in window:
        # Headlines end without a full stop; a repeated line ending with one is body text.
        if candidate(i) and not lines[i][1].endswith("."):
            title, _site = _split_site(lines[i][1])
            if any(_same_title(lines[j][1], title) for j in window if j > i):
                return i
    for i in window:
        if candidate(i) and _split_site(lines[i][1])[1]:
            return i

    def menu_item(i: int) -> bool:
        return 0 <= i < len(lines) and hits[i] is None and _words(lines[i][1]) <= _MENU_WORDS

    for i, (_, line) in enumerate(lines):
        if hits[i] is None and not _is_ticker(line) and _words(line) > _TITLE_MAX_WORDS:
            return None  # prose before any headline: the text starts with the article
        if candidate(i) and not (menu_item(i) and (menu_item(i - 1) or menu_item(i + 1))):
            return i
    return len(lines)


def _split_site(line: str) -> tuple[str, str]:
    match = _SITE_SUFFIX.match(line)
    if (
        match
        and arabic_ratio(match["title"]) > 0.5
        and _words(match["site"]) <= 6
        and _words(match["title"]) > _words(match["site"])
    ):
        return match["title"].strip(), match["site"].strip()
    return line, ""


def _same_title(line: str, title: str) -> bool:
    return line == title or _split_site(line)[0] == title


def _is_link(line: str) -> bool:
    return _words(line) <= _LINK_WORDS and not _TERMINATED.search(line)


def _drop_link_lists(
    kept: list[tuple[int, str]], doc: Document, min_lines: int
) -> list[tuple[int, str]]:
    """Drop runs of ``min_lines`` or more short lines without sentence punctuation."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(kept):
        j = i
        while j < len(kept) and _is_link(kept[j][1]):
            j += 1
        if j - i >= min_lines:
            doc.removed.extend(Removed(n, line, "link-list") for n, line in kept[i:j])
        else:
            out.extend(kept[i : max(j, i + 1)])
        i = max(j, i + 1)
    return out


def _drop_footer(kept: list[tuple[int, str]], doc: Document) -> list[tuple[int, str]]:
    """Drop short unpunctuated lines after the last sentence of the body."""
    end = len(kept)
    while end > 0 and _words(kept[end - 1][1]) <= _FOOTER_WORDS and _is_link(kept[end - 1][1]):
        end -= 1
    if end == 0:  # no sentence at all: these lines are the article, not its footer
        return kept
    doc.removed.extend(Removed(n, line, "footer") for n, line in kept[end:])
    return kept[:end]


def _drop_repeated(traced: list[Traced], options: IngestOptions) -> None:
    """Drop short lines that three or more articles of the same outlet in the batch share."""
    by_outlet: dict[str, list[Traced]] = defaultdict(list)
    for item in traced:
        meta = item.doc.meta
        by_outlet[meta.outlet or meta.site or str(Path(meta.source_path).parent)].append(item)
    for group in by_outlet.values():
        if len(group) < options.repeated_min_articles:
            continue
        counts: dict[str, int] = defaultdict(int)
        for item in group:
            for text in {p[0].source for p in item.doc.paragraphs}:
                counts[text] += 1
        repeated = {
            text
            for text, count in counts.items()
            if count >= options.repeated_min_articles and _words(text) <= options.repeated_max_words
        }
        if not repeated:
            continue
        for item in group:
            keep = [
                (n, p)
                for n, p in zip(item.lines, item.doc.paragraphs, strict=True)
                if p[0].source not in repeated
            ]
            item.doc.removed.extend(
                Removed(n, p[0].source, "repeated-in-batch")
                for n, p in zip(item.lines, item.doc.paragraphs, strict=True)
                if p[0].source in repeated
            )
            item.doc.removed.sort(key=lambda r: r.line)
            item.lines = [n for n, _ in keep]
            item.doc.paragraphs = [p for _, p in keep]


def trace(
    inputs: Iterable[str | Path], options: IngestOptions | None = None, check: bool = True
) -> list[Traced]:
    """:func:`ingest`, keeping the input line of every paragraph (for ``--explain``); with
    ``check=False``, documents left without body text are returned, not refused."""
    options = options or IngestOptions()
    taken: set[str] = set()
    traced = []
    for path in collect_inputs(inputs):
        source = read_source(path)
        traced.append(trace_source(source, make_id(path, taken), options, check=False))
    _drop_repeated(traced, options)
    if check:
        for item in traced:
            check_body(item.doc, item.doc.meta.source_path, options)
    return traced


def ingest(inputs: Iterable[str | Path], options: IngestOptions | None = None) -> list[Document]:
    """Read every input (files, folders, ``-``) into cleaned, unsegmented documents.

    All inputs are read before anything is returned, so one bad file stops the batch before a
    single output is written.

    Raises:
        InputError: an input is missing, unreadable, empty, binary or not an Arabic article.
    """
    return [item.doc for item in trace(inputs, options)]


def explain(item: Traced) -> list[tuple[int, str, str]]:
    """What happened to every line of one input, in line order: ``(line, what, text)``.

    ``what`` is ``title``, ``removed (<reason>)``, or the id of the segment a line became (one
    row per sentence once the document is segmented).
    """
    doc = item.doc
    rows: list[tuple[int, str, str]] = [
        (r.line, f"removed ({r.reason})", r.text) for r in doc.removed
    ]
    if item.title_line is not None and doc.title is not None:
        rows.append((item.title_line, "title", doc.meta.title))
    for n, paragraph in zip(item.lines, doc.paragraphs, strict=True):
        rows += [(n, seg.id or "kept", seg.source) for seg in paragraph]
    return sorted(rows, key=lambda row: row[0])
