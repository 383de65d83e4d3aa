"""Evaluation: sacrebleu scores, terminology accuracy, QA flags, comparisons and the reports.

References are keyed by the Arabic sentence they translate, matched on a folded form of it (see
:func:`reference_key`), so they survive changes in segmentation and in how the text was cleaned.
They come as TSV files (header ``ar<TAB>en``, one row per sentence; several rows with the same
Arabic give several references) or as a ``.en`` file line-aligned with a ``.ar`` file. A segment
may have any number of references: they are passed to sacrebleu as reference streams padded with
``None``, sacrebleu's own way of saying "no reference in this stream for this segment" (an empty
string would be scored as an empty reference and lower TER's average reference length).

Every score carries its sacrebleu signature, which makes it reproducible. :func:`evaluate` returns
the content of ``report.json``; :func:`render_html` renders it as ``report.html``;
:func:`compare` runs sacrebleu's paired bootstrap resampling on two outputs of the same sources,
and :func:`render_comparison_html` renders a comparison as a page.

One module per job, all re-exported here:

- :mod:`.references`: loading reference files and matching them to sentences;
- :mod:`.scores`: corpus BLEU, chrF++, TER with signatures; sentence chrF++;
- :mod:`.terms`: glossary term accuracy;
- :mod:`.hter`: post-editing effort (HTER, edits, time spent) from the review's edit log;
- :mod:`.thresholds`: ``--fail-under`` gates;
- :mod:`.report`: ``report.json`` (:func:`evaluate`) and ``report.html``;
- :mod:`.comparison`: paired bootstrap comparison of two outputs;
- :mod:`.comparison_html`: the comparison as a self-contained HTML page.
"""

from __future__ import annotations

from .comparison import Pairing, compare, compare_hypotheses, pair_outputs
from .comparison_html import render_comparison_html
from .hter import PostEdit, effort, post_edits
from .references import References, load_references, read_lines, read_text, reference_key
from .report import WORST, evaluate, histogram, render_html
from .scores import METRICS, corpus_scores, reference_streams, sentences
from .thresholds import THRESHOLDS, check_thresholds, parse_thresholds

__all__ = [
    "METRICS",
    "THRESHOLDS",
    "WORST",
    "Pairing",
    "PostEdit",
    "References",
    "check_thresholds",
    "compare",
    "compare_hypotheses",
    "corpus_scores",
    "effort",
    "evaluate",
    "histogram",
    "load_references",
    "pair_outputs",
    "parse_thresholds",
    "post_edits",
    "read_lines",
    "read_text",
    "reference_key",
    "reference_streams",
    "render_comparison_html",
    "render_html",
    "sentences",
]
