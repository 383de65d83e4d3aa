"""The document model that flows through every stage, and its JSON form.

A :class:`Document` is one article. Ingest creates it, segmentation fills its paragraphs with
:class:`Segment` objects, the glossary stage adds :class:`Term` matches, translation fills
``target``, evaluation adds :class:`Flag` objects. Each stage returns the same object, changed.
The JSON written to ``build/documents/<id>.json`` is the canonical form; every export is a
rendering of it. Its schema is ``translate/schema/document.schema.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InputError

SCHEMA_VERSION = 1

#: XLIFF 2 segment states, in the order a segment moves through them.
STATES = ("initial", "translated", "reviewed", "final")


@dataclass(slots=True)
class Term:
    """A glossary term found in a segment's source text.

    ``start``/``end`` are character offsets into :attr:`Segment.source` (the text as written), so
    ``segment.source[start:end] == ar``.
    """

    ar: str
    en: str
    start: int
    end: int
    entry: str = ""  # the glossary headword that matched (``ar`` may be an inflected/alias form)
    type: str = ""
    verdict: str | None = None  # kept | forced | missed | avoided | consistent, once translated


@dataclass(slots=True)
class Flag:
    """A quality warning on a segment: a short stable code and a sentence for people."""

    code: str
    message: str


@dataclass(slots=True)
class Note:
    """A person's comment on a segment: a reviewer sending it back, or a translator's note
    brought in with an XLIFF file."""

    text: str
    author: str = ""
    date: str = ""  # ISO 8601, UTC
    via: str = ""  # "review" (the app) or the XLIFF file it came in


@dataclass(slots=True)
class Segment:
    """One sentence: the Arabic as written, what the model sees, and the English."""

    id: str
    source: str
    normalized: str = ""
    target: str | None = None
    space_after: str = ""  # whitespace that followed the sentence in its paragraph (lossless join)
    terms: list[Term] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    origin: dict[str, Any] | None = None
    state: str = "initial"
    # This piece of an over-long sentence continues in the next segment of the same paragraph;
    # exports join the two to give the sentence back.
    continues: bool = False
    # The edit-log sequence number of the last edit applied to this segment (0: never edited);
    # a save based on another revision is stale (see translate.review.edits).
    revision: int = 0
    notes: list[Note] = field(default_factory=list)


@dataclass(slots=True)
class Removed:
    """A line of the input that ingest dropped, and why."""

    line: int
    text: str
    reason: str


@dataclass(slots=True)
class Meta:
    """What is known about the article besides its text."""

    title: str = ""  # the title line as written, site-name suffix included
    outlet: str = ""
    byline: str = ""
    date: str = ""
    source_path: str = ""
    encoding: str = ""
    site: str = ""  # site name the CMS appended to the title
    language: str = "ar"


@dataclass(slots=True)
class Document:
    """One article and everything the pipeline learned about it."""

    id: str
    meta: Meta = field(default_factory=Meta)
    title: Segment | None = None
    paragraphs: list[list[Segment]] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION

    def segments(self) -> Iterator[Segment]:
        """Yield the title segment (if any), then every body segment in reading order."""
        if self.title is not None:
            yield self.title
        for paragraph in self.paragraphs:
            yield from paragraph

    @property
    def is_translated(self) -> bool:
        """True when every segment has an English target."""
        return all(seg.target is not None for seg in self.segments())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        """Build a document from its JSON form.

        Raises:
            KeyError, TypeError, ValueError: when ``data`` is not a document; callers that read
            files use :func:`read_document`, which turns these into an :class:`InputError`.
        """
        version = data.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise ValueError(f"schema_version {version} (this tarjama reads {SCHEMA_VERSION})")
        title = data.get("title")
        return cls(
            id=data["id"],
            meta=Meta(**data.get("meta", {})),
            title=_segment_from_dict(title) if title else None,
            paragraphs=[[_segment_from_dict(s) for s in p] for p in data["paragraphs"]],
            removed=[Removed(**r) for r in data.get("removed", [])],
        )

    @classmethod
    def from_json(cls, text: str) -> Document:
        return cls.from_dict(json.loads(text))


def _segment_from_dict(data: dict[str, Any]) -> Segment:
    data = dict(data)
    terms = [Term(**t) for t in data.pop("terms", [])]
    flags = [Flag(**f) for f in data.pop("flags", [])]
    notes = [Note(**n) for n in data.pop("notes", [])]
    return Segment(terms=terms, flags=flags, notes=notes, **data)


def read_document(path: Path) -> Document:
    """Read a document JSON file written by tarjama.

    Raises:
        InputError: the file is missing, not JSON, or not a tarjama document.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read document ({exc.strerror})") from exc
    try:
        return Document.from_json(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); re-create it with `tarjama ingest`"
        ) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"{path}: not a tarjama document ({exc}); re-create it with `tarjama ingest`"
        ) from exc


def schema() -> dict[str, Any]:
    """The JSON Schema that every document file satisfies."""
    text = resources.files("translate").joinpath("schema/document.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
