"""``tarjama glossary lint``: problems in glossary files, each with file and line.

Errors make a glossary wrong (a duplicate Arabic form with two different renderings, a row the
loader rejects, an entry that can never match; with a model, an English the model cannot write);
warnings are worth a look (the same entry twice, an entry inside a longer one, an ``avoid``
rendering inside the rendering itself).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..arabic import fold
from ..errors import GlossaryError
from . import Entry, Glossary, english_has, load

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: where, how bad, what."""

    where: str  # file:line
    severity: str  # error | warning | note
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


def _key(form: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(form).text))


def lint(paths: Sequence[Path], model_dir: Path | None = None) -> list[Problem]:
    """Check glossary files (layered in the order given); returns the problems found.

    Args:
        paths: glossary files, layered in this order.
        model_dir: a model directory (``ModelRef.path``); when given, every entry whose English
            has characters the model's target vocabulary cannot encode is an error: that term is
            reported missed wherever it occurs (:mod:`translate.engine.vocab`).

    Raises:
        ModelError: ``model_dir`` has no readable ``target.spm``.
    """
    problems: list[Problem] = []
    entries: list[Entry] = []
    for path in paths:
        try:
            entries.extend(load(path).entries)
        except GlossaryError as exc:
            where, _, message = str(exc).partition(": ")
            problems.append(Problem(where, "error", message))
    seen: dict[tuple[str, ...], Entry] = {}
    written: dict[tuple[str, ...], str] = {}
    for entry in entries:
        for form in entry.forms:
            key = _key(form)
            if not key or len(key[0]) < 2:
                problems.append(
                    Problem(
                        entry.source,
                        "error",
                        f"{form!r} can never match (no Arabic word of two or "
                        "more letters after normalization)",
                    )
                )
                continue
            other = seen.get(key)
            if other is not None and other is not entry:
                if other.en != entry.en:
                    problems.append(
                        Problem(
                            entry.source,
                            "error",
                            f"{form!r} is also at {other.source} with another "
                            f"rendering ({other.en!r} vs {entry.en!r}); the "
                            "later one wins",
                        )
                    )
                else:
                    problems.append(
                        Problem(entry.source, "warning", f"{form!r} duplicates {other.source}")
                    )
            seen[key] = entry
            written[key] = form
        for wrong in entry.avoid:
            if english_has(entry.en, wrong):
                problems.append(
                    Problem(
                        entry.source,
                        "warning",
                        f"avoid rendering {wrong!r} occurs inside the rendering "
                        f"{entry.en!r}; it can never be flagged",
                    )
                )
        for cell, parts in (("aliases", entry.aliases), ("avoid", entry.avoid)):
            if any(not p.strip() for p in parts):
                problems.append(Problem(entry.source, "warning", f"empty item in {cell}"))
    problems += _contained(seen, written)
    if model_dir is not None:
        problems += _unspellable(entries, model_dir)
    return problems


def _unspellable(entries: Sequence[Entry], model_dir: Path) -> list[Problem]:
    """Entries whose English the model cannot write (an error: the term is always missed)."""
    from ..engine.vocab import quote_characters, unspellable

    missing = unspellable(model_dir, dict.fromkeys(e.en for e in entries))
    return [
        Problem(
            entry.source,
            "error",
            f"{entry.en!r}: the model cannot write {quote_characters(missing[entry.en])}, so "
            "this term will be reported missed wherever it occurs; write the English with "
            "characters the model knows, or use a model whose vocabulary has them",
        )
        for entry in entries
        if entry.en in missing
    ]


def _contained(
    seen: dict[tuple[str, ...], Entry], written: dict[tuple[str, ...], str]
) -> list[Problem]:
    """Entries whose Arabic is a run of words inside another entry's Arabic."""
    out = []
    keys = sorted(seen, key=len)
    for short in keys:
        for long in keys:
            if len(long) <= len(short):
                continue
            n = len(short)
            if any(long[i : i + n] == short for i in range(len(long) - n + 1)):
                inner, outer = seen[short], seen[long]
                if inner is outer:
                    continue
                out.append(
                    Problem(
                        inner.source,
                        "note",
                        f"{written[short]!r} ({inner.en}) is inside "
                        f"{written[long]!r} ({outer.en}, {outer.source}); where both "
                        "match, the longer wins",
                    )
                )
    return out


def summary(problems: Sequence[Problem], glossary: Glossary | None = None) -> str:
    counts = {k: sum(p.severity == k for p in problems) for k in ("error", "warning", "note")}
    size = f"{len(glossary)} entries, " if glossary is not None else ""
    return f"{size}{counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes"
