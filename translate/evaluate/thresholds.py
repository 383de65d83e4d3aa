"""Quality gates: parsing ``--fail-under`` thresholds and checking a report against them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..errors import UsageError

#: --fail-under names: (where in the report, label, higher is better)
THRESHOLDS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "bleu": (("corpus", "bleu", "score"), "BLEU", True),
    "chrf": (("corpus", "chrf", "score"), "chrF++", True),
    "ter": (("corpus", "ter", "score"), "TER", False),
    "terms": (("terms", "accuracy"), "term accuracy", True),
}


def parse_thresholds(specs: Sequence[str]) -> dict[str, float]:
    """Parse ``chrf=50,terms=100`` (repeatable). TER is a ceiling, the others floors.

    Raises:
        UsageError: an unknown metric or a value that is not a number.
    """
    out: dict[str, float] = {}
    for spec in specs:
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            name, sep, value = part.partition("=")
            name = name.strip().lower().rstrip("+")
            if name not in THRESHOLDS or not sep:
                raise UsageError(
                    f"--fail-under: {part!r} is not METRIC=NUMBER with METRIC one of "
                    f"{', '.join(THRESHOLDS)} (e.g. chrf=50,terms=100)"
                )
            try:
                number = float(value)
            except ValueError:
                raise UsageError(f"--fail-under: {value.strip()!r} is not a number") from None
            if not math.isfinite(number):
                raise UsageError(f"--fail-under: {value.strip()!r} is not a number")
            out[name] = number
    return out


def check_thresholds(report: dict[str, Any], thresholds: dict[str, float]) -> dict[str, Any]:
    """Compare a report with ``--fail-under`` thresholds; returns the ``gate`` report section.

    A metric the report lacks (no references, no terms) fails its threshold: a gate never passes
    on numbers it could not check. Partial results fail any gate.
    """
    failures: list[str] = []
    checks: dict[str, Any] = {}
    for name, limit in thresholds.items():
        path, label, higher = THRESHOLDS[name]
        value: Any = report
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            ok = False
            why = "no segment has a reference" if path[0] == "corpus" else "no glossary terms"
            failures.append(f"{label}: cannot check ({why})")
        else:
            ok = value >= limit if higher else value <= limit
            if not ok:
                op = "<" if higher else ">"
                failures.append(f"{label} {value:.2f} {op} {limit:g}")
        checks[name] = {"limit": limit, "value": value, "passed": ok, "higher_is_better": higher}
    if thresholds and report.get("partial"):
        failures.append(f"partial results ({len(report['untranslated'])} segments not translated)")
    return {"thresholds": checks, "passed": not failures, "failures": failures}
