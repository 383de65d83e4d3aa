"""Proper-noun glossaries: loading, validation, and clitic-aware matching in Arabic text.

Arabic attaches conjunctions, prepositions and the article to the word that follows, so a name is
rarely written alone: والرقة, بحلب, للقامشلي, وبالحسكة. Matching runs on a folded shadow of the
text (:func:`translate.arabic.fold`) and accepts exactly the clitics Arabic grammar allows for the
kind of name at hand:

* و and ف (and, so) before anything;
* ب ك ل before a bare name (بحلب، لمنبج), and ال added to one (القسد);
* for a name written with ال: بال كال, and لل where ل swallows the alef (للرقة), each optionally
  after و or ف.

Nothing else is stripped, so suffixes never match (الحلبي is not حلب, عينه is not عين العرب) and
a preposition cannot eat the article (برقة is not الرقة). Entries may require a context word
before them (``context`` column) for names that are also common words (الباب, the door / al-Bab).

Written by hand because no maintained Arabic library matches multi-word terms with clitics while
keeping offsets into the text as written, which the review and export stages need.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..arabic import fold, is_arabic_letter
from ..document import Document, Term
from ..errors import GlossaryError

REQUIRED = ("ar", "en")
OPTIONAL = ("type", "aliases", "avoid", "note", "context")
_CONJ = ("", "و", "ف")
_PREP_DEFINITE = ("", "ب", "ك")  # before ال, kept intact: بالرقة
_PREP_BARE = ("", "ب", "ك", "ل")
_CONTEXT_WINDOW = 3  # words before a term searched for its context words
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Entry:
    """One glossary entry: an Arabic name, its English, and how to check it."""

    ar: str
    en: str
    type: str = ""
    aliases: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    note: str = ""
    context: tuple[str, ...] = ()
    source: str = ""  # file:line, for messages

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.ar, *self.aliases)


@dataclass(slots=True)
class Glossary:
    """A set of entries with an index for matching. Later entries win over earlier ones."""

    entries: list[Entry] = field(default_factory=list)
    _index: dict[str, list[tuple[tuple[str, ...], Entry]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._build()

    def _build(self) -> None:
        by_form: dict[tuple[str, ...], Entry] = {}
        for entry in self.entries:
            for form in entry.forms:
                key = tuple(_WORD.findall(fold(form).text))
                if key:
                    by_form[key] = entry  # later glossaries override earlier ones
        self._index = {}
        for key, entry in by_form.items():
            self._index.setdefault(key[0], []).append((key, entry))
        for candidates in self._index.values():
            candidates.sort(key=lambda item: (-len(item[0]), -sum(map(len, item[0]))))

    def extend(self, other: Glossary) -> Glossary:
        """A new glossary with ``other``'s entries layered over this one's."""
        return Glossary([*self.entries, *other.entries])

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def digest(self) -> str:
        """A short hash of the entries, recorded with translations and scores."""
        h = hashlib.sha256()
        for e in self.entries:
            h.update("\t".join((e.ar, e.en, "|".join(e.aliases), "|".join(e.context))).encode())
            h.update(b"\n")
        return h.hexdigest()[:16]

    def match(self, text: str) -> list[Term]:
        """Find the glossary terms in ``text`` (Arabic as written).

        Returns terms in text order, longest match first at each position, never overlapping;
        ``start``/``end`` index ``text`` and ``text[start:end] == term.ar``.
        """
        folded = fold(text)
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded.text)]
        terms: list[Term] = []
        i = 0
        while i < len(words):
            hit = self._match_at(folded.text, words, i)
            if hit is None:
                i += 1
                continue
            length, skip, entry = hit
            start, end = folded.span(words[i][0] + skip, words[i + length - 1][1])
            while end < len(text) and (
                unicodedata.category(text[end]) == "Mn" or text[end] == "\u0640"
            ):
                end += 1  # vowel marks and tatweel written on the last letter belong to the name
            terms.append(
                Term(
                    ar=text[start:end],
                    en=entry.en,
                    start=start,
                    end=end,
                    entry=entry.ar,
                    type=entry.type,
                )
            )
            i += length
        return terms

    def _match_at(
        self, folded: str, words: list[tuple[int, int, str]], i: int
    ) -> tuple[int, int, Entry] | None:
        for head, skip, form in _analyses(words[i][2]):
            for key, entry in self._index.get(head, ()):
                if not _allowed(form, key[0], entry):
                    continue
                n = len(key)
                if i + n > len(words):
                    continue
                if any(words[i + k][2] != key[k] for k in range(1, n)):
                    continue
                # The words of a multi-word name are separated by whitespace only, not by a comma.
                if any(folded[words[i + k - 1][1] : words[i + k][0]].strip() for k in range(1, n)):
                    continue
                if entry.context and not _has_context(words, i, entry.context):
                    continue
                return n, skip, entry
        return None


# How the letters before a name were read (see _analyses and _allowed).
_PLAIN = "plain"  # optional و/ف, optional ب/ك/ل, then the name as written
_CONTRACTED = "contracted"  # (و/ف) لل + name without its ال: للرقة, للاذقية
_ADDED = "added"  # (و/ف) (ب/ك) ال + bare name: القسد, بالقسد
_ADDED_CONTRACTED = "added-contracted"  # (و/ف) لل + bare name: للقسد

#: Bare names of these kinds take the article in running text (القسد، للقسد); places, states and
#: people do not, and reading an ال there finds words instead (السورية, الحمص "the chickpeas").
ARTICLE_TYPES = frozenset({"armed-group", "organisation", "organization", "political-body"})


def _analyses(token: str) -> Iterable[tuple[str, int, str]]:
    """Ways to read ``token`` as clitics + the first word of a name.

    Yields ``(head, skip, form)``: the candidate first word, how many letters of ``token`` precede
    the span of the term, and which reading it is.
    """
    for conj in _CONJ:
        if not token.startswith(conj):
            continue
        rest = token[len(conj) :]
        for prep in _PREP_BARE:
            if rest.startswith(prep) and len(rest) - len(prep) >= 2:
                stem = rest[len(prep) :]
                yield stem, len(conj) + len(prep), _PLAIN
                if prep != "ل" and stem.startswith("ال") and len(stem) > 3:
                    yield stem[2:], len(conj) + len(prep), _ADDED
        if rest.startswith("لل") and len(rest) > 3:
            # ل before ال drops the alef (للرقة), and the article's ل too before a ل (للاذقية);
            # the ل and the article stay inside the span.
            yield "ال" + rest[2:], len(conj), _CONTRACTED
            yield "ال" + rest[1:], len(conj), _CONTRACTED
            yield rest[2:], len(conj), _ADDED_CONTRACTED


def _allowed(form: str, key_head: str, entry: Entry) -> bool:
    """Whether this reading of the clitics fits this kind of name."""
    definite = key_head.startswith("ال")
    if form == _CONTRACTED:
        return definite
    if form in (_ADDED, _ADDED_CONTRACTED):
        return not definite and entry.type in ARTICLE_TYPES
    # _PLAIN: the name's own letters follow the clitics; a definite name keeps its article
    # (بالرقة), so برقة is no reading of الرقة.
    return True


def _has_context(words: list[tuple[int, int, str]], i: int, context: Sequence[str]) -> bool:
    wanted = {fold(c).text for c in context}
    for _, _, word in words[max(0, i - _CONTEXT_WINDOW) : i]:
        if any(head in wanted for head, _, _ in _analyses(word)):
            return True
    return False


def annotate(doc: Document, glossary: Glossary) -> Document:
    """Glossary stage: record the terms found in every segment of ``doc``."""
    for seg in doc.segments():
        seg.terms = glossary.match(seg.source)
    return doc


def english_spans(text: str, en: str) -> list[tuple[int, int]]:
    """Where the English ``text`` contains the rendering ``en`` (case-aware, inflection-tolerant).

    Accepts ``the SDF``, ``SDF's``, ``SDF-led``; an all-capitals acronym must stay in capitals,
    other names match with or without a sentence-initial capital (``al-Bab``, ``Al-Bab``).
    """
    if not en:
        return []
    flags = 0 if en.isupper() else re.IGNORECASE
    pattern = r"(?<![^\W_])" + re.escape(en) + r"(?![^\W_])"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, flags)]


def english_has(text: str, en: str) -> bool:
    """Whether the English ``text`` contains the rendering ``en`` (see :func:`english_spans`)."""
    return bool(english_spans(text, en))


# --- loading -------------------------------------------------------------------------------


def load(paths: Path | Sequence[Path]) -> Glossary:
    """Load one glossary file or several layered ones (later files win).

    Raises:
        GlossaryError: a file is missing, empty or malformed; the message names file and line.
    """
    if isinstance(paths, Path):
        paths = [paths]
    entries: list[Entry] = []
    for path in paths:
        if path.suffix.lower() in (".tbx", ".xml"):
            from .tbx import read_tbx

            entries.extend(read_tbx(path))
        else:
            entries.extend(_read_table(path))
    return Glossary(entries)


def _read_table(path: Path) -> list[Entry]:
    from ..textfile import read_text

    text = read_text(path, GlossaryError, "glossary", fix="save the glossary as UTF-8")
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise GlossaryError(f"{path}: the glossary is empty; expected a header row `ar<TAB>en`")
    delimiter = "\t" if path.suffix.lower() != ".csv" else ","
    header = [h.strip().lower() for h in next(csv.reader([lines[0]], delimiter=delimiter))]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        other = "," if delimiter == "\t" else "\t"
        hint = (
            " (the file looks comma-separated; name it .csv)"
            if other in lines[0] and delimiter == "\t"
            else ""
        )
        raise GlossaryError(
            f"{path}:1: header must name the columns ar and en; got "
            f"{', '.join(header) or 'nothing'}{hint}"
        )
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise GlossaryError(
            f"{path}:1: unknown column {unknown[0]!r}; columns are {', '.join(REQUIRED + OPTIONAL)}"
        )
    entries = []
    reader = csv.reader(
        lines[1:],
        delimiter=delimiter,
        quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL,
    )
    for lineno, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path}:{lineno}"
        if len(row) > len(header) or len(row) < len(REQUIRED):
            raise GlossaryError(
                f"{where}: expected {len(header)} columns ({', '.join(header)}); got {len(row)}"
            )
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        if not cells.get("ar") or not cells.get("en"):
            raise GlossaryError(
                f"{where}: empty {'ar' if not cells.get('ar') else 'en'} cell; "
                "every entry needs both the Arabic and the English"
            )
        if not any(is_arabic_letter(ch) for ch in cells["ar"]):
            raise GlossaryError(
                f"{where}: {cells['ar']!r} has no Arabic letters; the ar column "
                "holds the Arabic name"
            )
        entries.append(
            Entry(
                ar=cells["ar"],
                en=cells["en"],
                type=cells.get("type", ""),
                aliases=_split(cells.get("aliases", "")),
                avoid=_split(cells.get("avoid", "")),
                note=cells.get("note", ""),
                context=_split(cells.get("context", "")),
                source=where,
            )
        )
    return entries


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())
