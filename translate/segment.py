"""Paragraph → sentences, for Arabic news prose.

Sentence boundaries are ``.``, ``!``, ``?``, ``؟``, ``…`` (and ``...``) followed by whitespace or
the end of the paragraph. There is no boundary:

* inside quotations (``"…"``, ``“…”``, ``«…»``) or brackets; an unclosed quotation runs to the end
  of the paragraph (scraped articles often lose the closing mark), unless a quotation that ends
  with a terminator closes it (``قال: "انتهى." وأضاف``);
* inside numbers (``1.500``, ``3.5``): the terminator must be followed by whitespace;
* after abbreviations and initials: a run of single letters joined by dots (``د.``, ``م.``,
  ``أ.ف.ب.``, ``ص.ب.``).

Written by hand because the maintained splitters (pysbd, NLTK punkt, spaCy's sentencizer) have no
model of Arabic abbreviations and split inside quotations; see issue #3 for the planned
comparison. Segmentation is lossless: ``"".join(s.source + s.space_after for s in paragraph)``
gives the paragraph back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .arabic import normalize
from .document import Document, Segment

TERMINATORS = frozenset(".!?؟…")
_OPENERS = {"«": "»", "“": "”", "(": ")", "[": "]", "{": "}", "﴿": "﴾"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
_SYMMETRIC = '"'
_TRAILERS = frozenset(".!?؟…\"»”)]}'’")
# A run of single letters separated by dots, just before the candidate boundary: د. م. أ.ف.ب.
_INITIALS = re.compile(r"(?:^|[\s(«“\"])(?:[^\W\d_]\.)*[^\W\d_]$")


@dataclass(slots=True)
class SegmentOptions:
    """Options of the segmentation stage (more arrive with sentence-length budgets)."""

    keep_empty: bool = False


def split_sentences(paragraph: str) -> list[tuple[str, str]]:
    """Split a paragraph into ``(sentence, whitespace_after)`` pairs.

    Leading whitespace of the paragraph is not part of any sentence and is dropped; everything
    else is kept, so joining the pairs gives ``paragraph.lstrip()`` back.
    """
    text = paragraph.lstrip()
    pieces: list[tuple[str, str]] = []
    stack: list[str] = []  # expected closing characters
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == _SYMMETRIC:
            if stack and stack[-1] == _SYMMETRIC:
                stack.pop()
            else:
                stack.append(_SYMMETRIC)
        elif ch in _OPENERS:
            stack.append(_OPENERS[ch])
        elif ch in _CLOSERS:
            if _OPENERS[_CLOSERS[ch]] in stack:
                while stack and stack.pop() != ch:
                    pass
        elif ch in TERMINATORS:
            j, depth = _scan_trailers(text, i, list(stack))
            at_break = j >= n or text[j].isspace()
            if at_break and depth == 0 and not (ch == "." and _is_initial(text, start, i)):
                k = j
                while k < n and text[k].isspace():
                    k += 1
                pieces.append((text[start:j], text[j:k]))
                stack.clear()
                start = k
                i = k
                continue
        i += 1
    if start < n:
        pieces.append((text[start:].rstrip(), text[start:][len(text[start:].rstrip()) :]))
    return pieces


def _scan_trailers(text: str, i: int, stack: list[str]) -> tuple[int, int]:
    """Walk over the terminators and closing marks that end a sentence at ``i``.

    Returns the index after them and the quotation/bracket depth left open there.
    """
    j = i
    while j < len(text) and text[j] in _TRAILERS:
        ch = text[j]
        if ch == _SYMMETRIC or ch in _CLOSERS:
            closer = ch
            if stack and stack[-1] == closer:
                stack.pop()
            elif ch == _SYMMETRIC:
                break  # an opening quote glued to the terminator: not a trailer
        j += 1
    return j, len(stack)


def _is_initial(text: str, start: int, dot: int) -> bool:
    return bool(_INITIALS.search(text[start:dot]))


def segment(doc: Document, options: SegmentOptions | None = None) -> Document:
    """Split every paragraph of ``doc`` into sentences and give each a stable id.

    Ingest leaves one segment per paragraph; this stage replaces it with one segment per
    sentence (``<doc>:<paragraph>:<sentence>``, the title being paragraph 0).
    """
    options = options or SegmentOptions()
    if doc.title is not None:
        doc.title = _new_segment(f"{doc.id}:0:1", doc.title.source.strip(), "")
    paragraphs: list[list[Segment]] = []
    for paragraph in doc.paragraphs:
        text = "".join(s.source + s.space_after for s in paragraph)
        pairs = split_sentences(text)
        if not pairs and not options.keep_empty:
            continue
        number = len(paragraphs) + 1
        paragraphs.append(
            [
                _new_segment(f"{doc.id}:{number}:{k}", src, space)
                for k, (src, space) in enumerate(pairs, start=1)
            ]
        )
    doc.paragraphs = paragraphs
    return doc


def _new_segment(seg_id: str, source: str, space_after: str) -> Segment:
    return Segment(
        id=seg_id, source=source, normalized=normalize(source).text, space_after=space_after
    )
