"""Arabic text normalization, with a map from every output character back to the input.

Two levels, kept apart on purpose:

* :func:`normalize` is what the model sees. It mirrors the clean-up OPUS-MT training data went
  through (controls and bidi marks to spaces, zero-width characters dropped, typographic quotes
  and ellipses to ASCII, whitespace collapsed) plus Arabic clean-up that never changes a word:
  diacritics and tatweel removed, Arabic-Indic and Persian digits to ASCII, Persian letter forms
  to their Arabic equivalents.
* :func:`fold` is for *matching only* (glossary terms, reference keys). On top of
  :func:`normalize` it folds letter variants that writers use interchangeably (أ إ آ ٱ → ا,
  ى → ي, ة → ه) and lower-cases Latin letters. Folding changes words, so the model never sees it.

Both return a :class:`Normalized`: the text and ``offsets``, where ``offsets[i]`` is the index in
the input of the character that produced output character ``i`` (with one extra entry, the input
length, so that spans map back as ``original[offsets[start]:offsets[end]]``).

This is written by hand because no maintained library offers offset-preserving Arabic
normalization; camel-tools and pyarabic normalize but lose the mapping back to the text as written.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Harakat, tanwin, shadda, sukun, maddah/hamza marks above and below, superscript (dagger) alef,
# Quranic annotation marks. Removing them never changes which word is written.
_DIACRITICS = (
    {chr(c) for c in range(0x064B, 0x0660)}
    | {"\u0670"}
    | {chr(c) for c in range(0x06D6, 0x06EE) if c not in (0x06DD, 0x06DE, 0x06E9)}
)
_TATWEEL = "\u0640"
# Zero-width characters carry no text: dropped. So does U+FFFD, which stands where ingest met
# bytes no encoding could read (recorded in the document's removed lines).
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\ufffd"}
# Directional marks and embeddings: a word boundary at most, so they become spaces.
_BIDI = (
    {"\u200e", "\u200f", "\u061c"}
    | {chr(c) for c in range(0x202A, 0x202F)}
    | {chr(c) for c in range(0x2066, 0x206A)}
)
_PUNCT = {
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2033": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u2026": "...",
    "\u066b": ".",
    "\u066c": ",",
    "\u2013": "-",
    "\u2014": "-",
}
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {
    chr(0x06F0 + i): str(i) for i in range(10)
}
# Persian/Urdu letter forms that Arabic text scraped from the web sometimes contains.
_PERSIAN = {"\u06a9": "\u0643", "\u06cc": "\u064a", "\u06d5": "\u0647", "\u06c0": "\u0629"}
_FOLD = {
    "\u0623": "\u0627",
    "\u0625": "\u0627",
    "\u0622": "\u0627",
    "\u0671": "\u0627",
    "\u0649": "\u064a",
    "\u0629": "\u0647",
}


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalized text and the offset of each of its characters in the original."""

    text: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalized text to a span of the original."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        # end maps to the character after the last one, not to whatever followed in the input.
        return self.offsets[start], self.offsets[end - 1] + 1


def _model_char(ch: str) -> str:
    if ch in _DIACRITICS or ch == _TATWEEL or ch in _ZERO_WIDTH:
        return ""
    if ch in _BIDI:
        return " "
    if ch in _PUNCT:
        return _PUNCT[ch]
    if ch in _DIGITS:
        return _DIGITS[ch]
    if ch in _PERSIAN:
        return _PERSIAN[ch]
    if ch.isspace():
        return " "
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in ("\ufffe", "\uffff"):
        return " "
    return ch


def _fold_char(ch: str) -> str:
    out = _model_char(ch)
    if len(out) == 1:
        out = _FOLD.get(out, out)
        if out.isascii():
            out = out.lower()
    return out


#: Each mapper's answer per character: texts repeat a few hundred distinct characters, so a
#: dictionary look-up replaces the chain of set tests (evaluation normalizes every sentence
#: several times; this made it 3x faster).
_MAPPED: dict[Callable[[str], str], dict[str, str]] = {}


def _apply(text: str, mapper: Callable[[str], str]) -> Normalized:
    chars: list[str] = []
    offsets: list[int] = []
    known = _MAPPED.setdefault(mapper, {})
    for i, ch in enumerate(text):
        out = known.get(ch)
        if out is None:
            out = known[ch] = mapper(ch)
        for piece in out:
            if piece == " " and (not chars or chars[-1] == " "):
                continue  # collapse runs of whitespace, drop leading whitespace
            chars.append(piece)
            offsets.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    offsets.append(len(text))
    return Normalized("".join(chars), tuple(offsets))


@functools.lru_cache(maxsize=16384)
def normalize(text: str) -> Normalized:
    """Normalize Arabic text for the model, keeping a map back to ``text``.

    >>> normalize("قَالَ  «نعم»").text
    'قال "نعم"'
    """
    return _apply(text, _model_char)


@functools.lru_cache(maxsize=16384)
def fold(text: str) -> Normalized:
    """Normalize and fold letter variants, for matching only (never shown to the model).

    >>> fold("إلى الرقّة").text
    'الي الرقه'
    """
    return _apply(text, _fold_char)


def is_arabic_letter(ch: str) -> bool:
    """True for letters of the Arabic script (not digits, punctuation or marks)."""
    return (
        "\u0600" <= ch <= "\u06ff"
        or "\u0750" <= ch <= "\u077f"
        or "\u08a0" <= ch <= "\u08ff"
        or "\ufb50" <= ch <= "\ufdff"
        or "\ufe70" <= ch <= "\ufeff"
    ) and ch.isalpha()


def arabic_ratio(text: str) -> float:
    """Share of the letters in ``text`` that are Arabic (0.0 when there are no letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if is_arabic_letter(ch)) / len(letters)
