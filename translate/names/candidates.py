"""What candidate finding returns: candidates, their occurrences, its options."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..evaluate.references import References

#: The types a candidate can be given (the glossary's ``type`` column uses the same words).
TYPES = ("person", "place", "facility", "armed-group", "organisation", "outlet")


@dataclass(slots=True)
class Occurrence:
    """Where a candidate occurs: a segment, and the span of the name in its source."""

    doc: str
    segment: str
    start: int
    end: int
    sentence: str
    signals: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "segment": self.segment,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
            "signals": list(self.signals),
        }


@dataclass(slots=True)
class Candidate:
    """A name the glossary lacks: its Arabic, a suggested type, where it occurs, how it was
    rendered.

    Attributes:
        ar: the name normalized as the model sees it (:func:`translate.arabic.normalize`).
        surface: its most frequent form as written (diacritics kept).
        type: the suggested glossary type (one of :data:`TYPES`).
        signals: how often each signal pointed at it.
        occurrences: every occurrence in the batch.
        renderings: the English the model wrote for it, with counts, most frequent first.
    """

    ar: str
    surface: str
    type: str
    signals: dict[str, int] = field(default_factory=dict)
    occurrences: list[Occurrence] = field(default_factory=list)
    renderings: list[tuple[str, int]] = field(default_factory=list)
    key: tuple[str, ...] = ()
    # Documents the candidate is looked for in (a family name alone: where the full name is).
    only: set[str] | None = None

    @property
    def count(self) -> int:
        return len(self.occurrences)

    @property
    def documents(self) -> int:
        return len({o.doc for o in self.occurrences})

    def rank(self) -> tuple[int, int, int, str]:
        return (-self.count, -self.documents, -len(self.signals), self.ar)

    def to_dict(self, contexts: int | None = None) -> dict[str, Any]:
        shown = self.occurrences if contexts is None else self.occurrences[:contexts]
        return {
            "ar": self.ar,
            "surface": self.surface,
            "type": self.type,
            "count": self.count,
            "documents": self.documents,
            "signals": dict(sorted(self.signals.items())),
            "renderings": [{"en": en, "count": n} for en, n in self.renderings],
            "contexts": [o.to_dict() for o in shown],
        }


@dataclass(slots=True)
class SuggestOptions:
    """Options of candidate finding.

    Attributes:
        min_count: candidates occurring fewer times in the batch are left out.
        renderings: read the model's English renderings from the segments' targets.
        english: read the English (the segments' targets and ``references``) for words it
            writes as transliterated names (signal ``transliterated``).
        references: reference translations (:func:`translate.evaluate.load_references`),
            English for the transliteration signal beside the targets.
    """

    min_count: int = 1
    renderings: bool = True
    english: bool = True
    references: References | None = None
