"""References: loading them (TSV, ``.en`` files beside their ``.ar``, folders) and matching them.

References are keyed by the Arabic sentence they translate, matched on a folded form of it (see
:func:`reference_key`), so they survive changes in segmentation and in how the text was cleaned.
They come as TSV files (header ``ar<TAB>en``, one row per sentence; several rows with the same
Arabic give several references) or as a ``.en`` file line-aligned with a ``.ar`` file.

Post-edits written out by ``tarjama references export`` (:func:`write_post_edits`) are TSV files
with a third column, ``origin``, saying ``post-edit``: they load like any reference, and the
report lists them apart (``post_edit_references``) so that nobody takes them for independent
translations.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .. import textfile
from ..arabic import arabic_ratio, fold
from ..errors import ReferencesError

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

#: The ``origin`` of a row that is a person's post-edit of machine output.
POST_EDIT = "post-edit"


def reference_key(arabic: str) -> str:
    """The matching key of an Arabic sentence: folded words, punctuation and spacing ignored."""
    return " ".join(_WORD.findall(fold(arabic).text))


class PostEditPair(Protocol):
    """A post-edited sentence (:class:`translate.evaluate.hter.PostEdit`)."""

    @property
    def source(self) -> str: ...
    @property
    def post_edit(self) -> str: ...


@dataclass(slots=True)
class References:
    """English reference translations, keyed by :func:`reference_key` of their Arabic."""

    by_key: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (Arabic as written, English)
    post_edited: list[str] = field(default_factory=list)  # files of post-edits, not references

    def get(self, arabic: str) -> list[str]:
        return self.by_key.get(reference_key(arabic), [])

    def add(self, arabic: str, english: str) -> None:
        found = self.by_key.setdefault(reference_key(arabic), [])
        if english not in found:  # the same sentence in two files is one reference, not two
            found.append(english)
            self.pairs.append((arabic, english))

    def __len__(self) -> int:
        return len(self.by_key)


def load_references(paths: Sequence[Path], sources: Path | None = None) -> References:
    """Read reference files: TSV (``ar<TAB>en``), ``.en`` files line-aligned with Arabic, folders.

    A ``.en`` file takes its Arabic from ``sources`` when given, else from the ``.ar`` file of the
    same name beside it. Several files, or several rows with the same Arabic, give a segment
    several references.

    Raises:
        ReferencesError: a file is missing, not UTF-8, empty, misaligned or has malformed rows
            (file and line named, with the fix).
    """
    refs = References()
    for path in paths:
        if path.is_dir():
            files = sorted([*path.glob("*.tsv"), *path.glob("*.en")])
            if not files:
                raise ReferencesError(
                    f"{path}: no .tsv or .en reference files in this folder; check --references"
                )
        else:
            files = [path]
        for file in files:
            suffix = file.suffix.lower()
            if suffix == ".tsv":
                _read_tsv(file, refs)
            elif suffix == ".en":
                _read_pair(file, sources or file.with_suffix(".ar"), refs, explicit=bool(sources))
            elif suffix == ".ar":
                raise ReferencesError(
                    f"{file}: this is the Arabic side; give the English file "
                    f"({file.with_suffix('.en')}) to --references, its .ar is found beside it"
                )
            elif not file.exists():
                raise ReferencesError(f"{file}: no such reference file or folder; check the path")
            else:
                raise ReferencesError(
                    f"{file}: unknown reference format {file.suffix or '(no suffix)'!r}; use a "
                    ".tsv with columns ar, en, or a .en file with its .ar beside it"
                )
    return refs


def read_text(path: Path, what: str = "reference") -> str:
    """Read a text file as UTF-8 (BOM allowed; UTF-16 with a BOM too).

    Raises:
        ReferencesError: missing, unreadable, binary or in another encoding (named when it can
            be guessed, with the command that converts it).
    """
    return textfile.read_text(path, ReferencesError, what)


def read_lines(path: Path, what: str = "text") -> list[str]:
    """The lines of a line-aligned file (``.en``, ``.ar``), whitespace-stripped."""
    return [line.strip() for line in read_text(path, what).splitlines()]


def _check_english(path: Path, lineno: int, en: str) -> None:
    if arabic_ratio(en) > 0.5:
        raise ReferencesError(
            f"{path}:{lineno}: the English reference is in Arabic script; are the columns "
            "(or the .ar and .en files) swapped?"
        )


def _read_tsv(path: Path, refs: References) -> None:
    text = read_text(path)
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["ar", "en"]:
        raise ReferencesError(f"{path}:1: expected a header row `ar<TAB>en`")
    header = [c.strip().lower() for c in rows[0]]
    if header not in (["ar", "en"], ["ar", "en", "origin"]):
        raise ReferencesError(
            f"{path}:1: expected the columns ar, en (and optionally origin); got "
            f"{', '.join(header)}"
        )
    columns = len(header)
    post_edits = 0
    added = 0
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != columns:
            raise ReferencesError(
                f"{path}:{lineno}: expected {columns} tab-separated columns "
                f"({', '.join(header)}); got {len(row)}"
            )
        if columns == 3:
            post_edits += row[2].strip() == POST_EDIT
        ar, en = row[0].strip(), row[1].strip()
        if not ar or not en:
            raise ReferencesError(
                f"{path}:{lineno}: empty {'ar' if not ar else 'en'} cell; every "
                "row needs the Arabic sentence and its English"
            )
        _check_english(path, lineno, en)
        refs.add(ar, en)
        added += 1
    if not added:
        raise ReferencesError(f"{path}: no reference rows after the header; the file is empty")
    refs.files.append(str(path))
    if post_edits:
        refs.post_edited.append(str(path))


def _read_pair(en_path: Path, ar_path: Path, refs: References, explicit: bool) -> None:
    if not ar_path.is_file():
        raise ReferencesError(
            f"{en_path}: no Arabic for it ({ar_path} {'is missing' if explicit else 'not found'}); "
            "put the Arabic beside it as a .ar file, one sentence per line, or give it "
            "with --sources FILE.ar"
        )
    en_lines = read_lines(en_path, "reference")
    ar_lines = read_lines(ar_path, "source")
    if len(en_lines) != len(ar_lines):
        raise ReferencesError(
            f"{en_path} has {len(en_lines)} lines but {ar_path} has {len(ar_lines)}; "
            "they must be line-aligned (line N of one translates line N of the other)"
        )
    added = 0
    for lineno, (ar, en) in enumerate(zip(ar_lines, en_lines, strict=True), start=1):
        if not ar and not en:
            continue
        if not en:
            raise ReferencesError(
                f"{en_path}:{lineno}: empty reference for the Arabic on {ar_path.name}:{lineno}; "
                "write the English, or delete the line from both files"
            )
        if not ar:
            raise ReferencesError(
                f"{ar_path}:{lineno}: empty Arabic line but {en_path.name}:{lineno} has text; "
                "the files are misaligned"
            )
        _check_english(en_path, lineno, en)
        refs.add(ar, en)
        added += 1
    if not added:
        raise ReferencesError(f"{en_path}: empty reference file; nothing to score against")
    refs.files.append(str(en_path))


def write_post_edits(path: Path, edits: Sequence[PostEditPair]) -> int:
    """Write post-edits as a reference TSV (``ar``, ``en``, ``origin`` = ``post-edit``).

    The Arabic goes on one line (tabs and line breaks inside a sentence become spaces), as
    TSV needs. Returns the number of rows written.

    Raises:
        WorkspaceError: the file cannot be written.
    """
    from ..export._chars import one_line
    from ..workspace import write_atomic

    lines = ["ar\ten\torigin"]
    seen: set[tuple[str, str]] = set()
    for edit in edits:
        row = (one_line(edit.source).strip(), one_line(edit.post_edit).strip())
        if row[0] and row[1] and row not in seen:
            seen.add(row)
            lines.append(f"{row[0]}\t{row[1]}\t{POST_EDIT}")
    write_atomic(path, "\n".join(lines) + "\n")
    return len(lines) - 1
