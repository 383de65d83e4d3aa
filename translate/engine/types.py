"""Plain data exchanged between the translate stage and its backends (no heavy imports)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TermSpec:
    """A glossary term to enforce in one sentence: its English, where it starts and ends in the
    source (fractions of its length: 0.0 = first character, 1.0 = the end), English renderings
    to avoid, and the name's Arabic (normalized, as the model sees it) to ask the model how it
    renders the name by itself."""

    en: str
    position: float = 0.0
    avoid: tuple[str, ...] = ()
    end: float | None = None
    ar: str = ""


@dataclass(slots=True)
class Translation:
    """One sentence's output: the English, the terms it contains, and those decoding forced."""

    text: str
    terms: set[str] = field(default_factory=set)
    forced: set[str] = field(default_factory=set)
