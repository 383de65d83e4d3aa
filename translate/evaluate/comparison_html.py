"""A comparison of two outputs as one self-contained HTML page, for people.

The page holds no script and fetches nothing (inline CSS and SVG, system fonts, a
Content-Security-Policy that forbids the rest), so it can be mailed or attached to a review. It
shows each metric's bootstrap mean and 95% interval for both systems, whether the difference is
significant, and the segments whose sentence chrF++ differs most, side by side with the words
that differ between the two outputs marked. Everything goes through Jinja2 with autoescaping on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

#: How many most-different segments the page shows: enough to see a pattern in, few enough to
#: read in one sitting (the command line asks :func:`compare` for at least this many).
PAGE_TOP = 50

#: A difference is significant below this p-value (as :func:`compare` decides).
ALPHA = 0.05

# Chart geometry, in SVG user units: a panel per metric, a row per system inside it.
_WIDTH = 720
_PLOT_LEFT, _PLOT_RIGHT = 150, 520
_PANEL = 96
_ROW_Y = (30, 52)


@dataclass(slots=True)
class Piece:
    """A run of words of one output, and whether the other output lacks it."""

    text: str
    changed: bool = False


@dataclass(slots=True)
class Interval:
    """One system's bar in a metric's panel: the bootstrap mean and its 95% interval."""

    system: str  # "a" or "b"
    label: str
    score: float
    mean: float | None
    ci: float | None
    y: float
    x_low: float
    x_high: float
    x_mean: float

    @property
    def low(self) -> float | None:
        return None if self.mean is None or self.ci is None else self.mean - self.ci

    @property
    def high(self) -> float | None:
        return None if self.mean is None or self.ci is None else self.mean + self.ci


@dataclass(slots=True)
class Panel:
    """One metric's part of the chart: its axis and the two systems' intervals."""

    key: str
    name: str
    higher_is_better: bool
    y: float
    ticks: list[tuple[float, float]]  # (value, x)
    intervals: list[Interval]


def word_diff(a: str, b: str) -> tuple[list[Piece], list[Piece]]:
    """The words of ``a`` and of ``b``, with those the other lacks marked ``changed``.

    Words are whitespace-separated tokens, matched with :class:`difflib.SequenceMatcher`;
    consecutive changed words form one piece, so that a page wraps them in one element.
    """
    wa, wb = a.split(), b.split()
    out_a: list[Piece] = []
    out_b: list[Piece] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        changed = op != "equal"
        if i2 > i1:
            out_a.append(Piece(" ".join(wa[i1:i2]), changed))
        if j2 > j1:
            out_b.append(Piece(" ".join(wb[j1:j2]), changed))
    return out_a, out_b


def _nice_step(span: float) -> float:
    """A tick step of 1, 2 or 5 times a power of ten that cuts ``span`` in five or fewer."""
    raw = max(span, 1e-9) / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _centre(system: Mapping[str, Any]) -> tuple[float, float]:
    """A system's bootstrap mean and half-width; its plain score when it has no bootstrap."""
    if system["mean"] is None:
        return float(system["score"]), 0.0
    return float(system["mean"]), float(system["ci"] or 0.0)


def _panels(metrics: Mapping[str, Any], systems: Mapping[str, str]) -> list[Panel]:
    """Lay out the chart: each metric on its own axis, zoomed on the two intervals.

    Each metric gets its own axis because their ranges differ (BLEU near 30, chrF++ near 55)
    and a shared 0–100 axis would shrink intervals of a point or two to a few pixels.
    """
    panels: list[Panel] = []
    for n, (key, m) in enumerate(metrics.items()):
        centres = {side: _centre(m[side]) for side in ("a", "b")}
        values = [v for mean, ci in centres.values() for v in (mean - ci, mean + ci)]
        lo, hi = min(values), max(values)
        step = _nice_step(max(hi - lo, 1.0))  # an axis a point wide at least
        axis_lo = math.floor(lo / step) * step
        axis_hi = math.ceil(hi / step) * step
        if axis_hi <= axis_lo:  # two identical outputs, exactly on a tick
            axis_lo, axis_hi = axis_lo - step, axis_hi + step

        def x(value: float, axis_lo: float = axis_lo, axis_hi: float = axis_hi) -> float:
            frac = (value - axis_lo) / (axis_hi - axis_lo)
            return round(_PLOT_LEFT + frac * (_PLOT_RIGHT - _PLOT_LEFT), 1)

        count = round((axis_hi - axis_lo) / step)
        ticks = [(axis_lo + i * step, x(axis_lo + i * step)) for i in range(count + 1)]
        y0 = n * _PANEL
        intervals = []
        for side, row_y in zip(("a", "b"), _ROW_Y, strict=True):
            s = m[side]
            mean, ci = centres[side]
            intervals.append(
                Interval(
                    system=side,
                    label=systems[side],
                    score=s["score"],
                    mean=s["mean"],
                    ci=s["ci"],
                    y=y0 + row_y,
                    x_low=x(mean - ci),
                    x_high=x(mean + ci),
                    x_mean=x(mean),
                )
            )
        panels.append(
            Panel(
                key=key,
                name=m["name"],
                higher_is_better=key != "ter",
                y=y0,
                ticks=ticks,
                intervals=intervals,
            )
        )
    return panels


def _rows(differences: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for d in differences:
        a, b = word_diff(d["a"], d["b"])
        rows.append({**d, "pieces_a": a, "pieces_b": b})
    return rows


def render_comparison_html(
    result: Mapping[str, Any], *, title: str | None = None, top: int | None = None
) -> str:
    """The comparison page: intervals chart, significance, and the segments that differ most.

    Args:
        result: what :func:`translate.evaluate.compare` (or ``compare_hypotheses``) returns.
        title: the page's heading; by default ``A vs B`` with the two systems' names.
        top: show at most this many of ``result["differences"]`` (default: all of them).

    Returns:
        The page, a complete HTML document.
    """
    from ..templating import environment

    env = environment()
    systems = result["systems"]
    differences = list(result.get("differences", []))
    if top is not None:
        differences = differences[:top]
    panels = _panels(result["metrics"], systems)
    template = env.get_template("compare.html.j2")
    return str(
        template.render(
            result=result,
            title=title or f"{systems['a']} vs {systems['b']}",
            panels=panels,
            width=_WIDTH,
            height=len(panels) * _PANEL,
            plot=(_PLOT_LEFT, _PLOT_RIGHT),
            rows=_rows(differences),
            has_sources=any(d.get("source") for d in differences),
            alpha=ALPHA,
        )
    )
