"""Glossary enforcement in decoding, with the real transformers beam search and a tiny model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from translate.document import Document, Segment, Term
from translate.engine import Translation
from translate.engine.constraints import LengthCap, enforce, source_span, words
from translate.engine.constraints import Term as Term_
from translate.engine.types import TermSpec
from translate.glossary import Entry, Glossary, english_has

from .conftest import translated_segments


def _run(docs: list[Document], glossary: Glossary, model: Path, **kw: object) -> list[Segment]:
    return translated_segments(docs, glossary, model, **kw)


@pytest.mark.parametrize("beams", [1, 4])
def test_every_term_appears_in_the_english(corpus_docs, tiny_model: Path, beams: int) -> None:
    docs, glossary = corpus_docs
    segments = _run(docs, glossary, tiny_model, num_beams=beams)
    terms = [(s, t) for s in segments for t in s.terms]
    assert len(terms) > 40
    for seg, term in terms:
        assert english_has(seg.target or "", term.en), (seg.id, term.en, seg.target)
        assert term.verdict in ("kept", "forced")
    # A random model hardly ever produces a name by itself: decoding had to impose them.
    assert sum(t.verdict == "forced" for _, t in terms) > len(terms) * 0.8


def test_words_outside_the_terms_are_the_unconstrained_output(
    corpus_docs, tiny_model: Path
) -> None:
    docs, glossary = corpus_docs
    on = _run(docs, glossary, tiny_model, num_beams=4)
    off = _run(docs, glossary, tiny_model, num_beams=4, enforce_glossary=False)
    repaired = 0
    for a, b in zip(on, off, strict=True):
        if not a.terms or a.target == b.target:
            continue
        repaired += 1
        # Take the terms out of the enforced output: what is left are the unconstrained
        # output's characters with the model's renderings taken out, in order.
        rest = "".join((a.target or "").split())
        for term in sorted({t.en for t in a.terms}, key=len, reverse=True):
            rest = rest.replace("".join(term.split()), "")
        plain = iter("".join((b.target or "").split()))
        assert all(ch in plain for ch in rest), (a.target, b.target)
    assert repaired > 10


def test_segments_without_terms_are_unchanged(corpus_docs, tiny_model: Path) -> None:
    docs, glossary = corpus_docs
    on = _run(docs, glossary, tiny_model, num_beams=4)
    off = _run(docs, glossary, tiny_model, num_beams=4, enforce_glossary=False)
    plain = [(a, b) for a, b in zip(on, off, strict=True) if not a.terms]
    assert plain, "the corpus has sentences without glossary terms"
    assert all(a.target == b.target for a, b in plain)


def test_enforcement_off_reports_missed_terms(corpus_docs, tiny_model: Path) -> None:
    docs, glossary = corpus_docs
    segments = _run(docs, glossary, tiny_model, num_beams=2, enforce_glossary=False)
    verdicts = {t.verdict for s in segments for t in s.terms}
    assert "missed" in verdicts and "forced" not in verdicts
    for seg in segments:
        for term in seg.terms:
            assert (term.verdict == "kept") == english_has(seg.target or "", term.en)


def test_avoid_rendering_is_replaced_when_not_enforced() -> None:
    from translate.engine import _verdicts

    glossary = Glossary([Entry("عين العرب", "Kobani", avoid=("Ain al-Arab", "Kobane"))])
    seg = Segment(
        id="d:1:1",
        source="وصلت إلى عين العرب",
        target="They reached Kobane today.",
        terms=glossary.match("وصلت إلى عين العرب"),
    )
    _verdicts(seg, Translation(seg.target or ""), enforce=False, glossary=glossary)
    assert seg.target == "They reached Kobani today."
    assert seg.terms[0].verdict == "avoided"


# -- replacing the model's own rendering, on hand-made pieces and attention ------------------

# Source: ▁قال ▁المتحدث ▁في ▁عين ▁العرب . </s>   (the term عين العرب is pieces 3-4)
SOURCE = ["▁قال", "▁المتحدث", "▁في", "▁عين", "▁العرب", ".", "</s>"]
KOBANI = Term_("Kobani", ("▁Kob", "ani"), 3, 5)


def _attention(peaks: list[int], width: int = len(SOURCE)) -> np.ndarray:
    """One row per output piece, its mass on the source piece given (the last column is </s>)."""
    rows = np.full((len(peaks), width), 0.01, dtype=np.float32)
    for r, peak in enumerate(peaks):
        rows[r, peak] = 1.0
    return rows


def _text(pieces: list[str]) -> str:
    return "".join(pieces).replace("▁", " ").strip()


def test_agreeing_name_is_kept_and_nothing_changes() -> None:
    pieces = ["▁The", "▁spokesman", "▁said", "▁in", "▁Kob", "ani", "."]
    outcome = enforce(pieces, _attention([0, 1, 0, 2, 3, 4, 5]), [KOBANI], _text)
    assert outcome.pieces == pieces
    assert outcome.kept == {"Kobani"} and outcome.forced == set()


def test_models_own_rendering_is_replaced_where_it_stands() -> None:
    # "The spokesman said in Ain al-Arab." : Ain al-Arab attends to عين العرب.
    pieces = ["▁The", "▁spokesman", "▁said", "▁in", "▁Ain", "▁al", "-", "Arab", "."]
    outcome = enforce(pieces, _attention([0, 1, 0, 2, 3, 4, 4, 4, 5]), [KOBANI], _text)
    assert _text(outcome.pieces) == "The spokesman said in Kobani."
    assert outcome.forced == {"Kobani"}


def test_the_models_spelling_of_the_name_alone_wins_over_attention() -> None:
    # Attention points at "said" (a small model's noise); the model's translation of the name on
    # its own, "Ain al-Arab", is spelled out in the output: that is what gets replaced.
    pieces = ["▁The", "▁spokesman", "▁said", "▁in", "▁Ain", "▁al", "-", "Arab", "."]
    term = Term_("Kobani", ("▁Kob", "ani"), 3, 5, "عين العرب", ("Ain al-Arab.",))
    outcome = enforce(pieces, _attention([0, 1, 3, 2, 0, 0, 0, 0, 5]), [term], _text)
    assert _text(outcome.pieces) == "The spokesman said in Kobani."


def test_function_words_at_the_edge_stay_and_a_possessive_follows_the_name() -> None:
    # "in" attends to the name too; it is not part of it. "'s" stays after the new name.
    pieces = ["▁in", "▁Ain", "▁al", "-", "Arab", "'", "s", "▁east", "."]
    outcome = enforce(pieces, _attention([3, 3, 4, 4, 4, 4, 4, 2, 5]), [KOBANI], _text)
    assert _text(outcome.pieces) == "in Kobani's east."


def test_an_article_stays_outside_an_abbreviation() -> None:
    sdf = Term_("SDF", ("▁SDF",), 3, 5)
    pieces = ["▁the", "▁Syrian", "▁Democratic", "▁Forces", "▁said", "."]
    outcome = enforce(pieces, _attention([3, 3, 4, 4, 0, 5]), [sdf], _text)
    assert _text(outcome.pieces) == "the SDF said."


def test_a_dropped_name_is_inserted_before_the_words_that_follow_it() -> None:
    # "The spokesman said in . " : nothing renders the name; "." translates what follows it.
    pieces = ["▁The", "▁spokesman", "▁said", "▁in", "▁today", "."]
    outcome = enforce(pieces, _attention([0, 1, 0, 2, 5, 5]), [KOBANI], _text)
    assert _text(outcome.pieces) == "The spokesman said in Kobani today."


def test_two_names_each_replace_their_own_words() -> None:
    ras = Term_("Serekaniye", ("▁Sere", "kaniye"), 1, 2)
    kob = Term_("Kobani", ("▁Kob", "ani"), 3, 5)
    pieces = ["▁from", "▁Ras", "▁al", "-", "Ain", "▁to", "▁Ain", "▁al", "-", "Arab", "."]
    att = _attention([0, 1, 1, 1, 1, 2, 3, 4, 4, 4, 5])
    outcome = enforce(pieces, att, [ras, kob], _text)
    assert _text(outcome.pieces) == "from Serekaniye to Kobani."


def test_words_keep_hyphens_and_leave_punctuation_out() -> None:
    spans = words(["▁in", "▁Ain", "▁al", "-", "Arab", ",", "▁then"])
    assert [w.text for w in spans] == ["in", "Ain", "al-Arab", "then"]
    assert spans[2].end == 5  # the comma is not part of the word


def test_source_span_covers_the_whole_name() -> None:
    # Character fractions of "قال المتحدث في عين العرب." for عين العرب (chars 16-25).
    text = "قال المتحدث في عين العرب."
    start, end = text.index("عين"), text.index("العرب") + len("العرب")
    assert source_span(SOURCE, start / len(text), end / len(text)) == (3, 5)


def test_length_cap_ends_a_row_at_its_own_cap() -> None:
    cap = LengthCap([3], num_beams=1, eos=0)
    scores = cap(torch.tensor([[99, 4, 4, 4]]), torch.zeros(1, 12))[0]
    assert torch.isfinite(scores).tolist() == [i == 0 for i in range(12)]
    free = LengthCap([10], num_beams=1, eos=0)(torch.tensor([[99, 4]]), torch.zeros(1, 12))[0]
    assert bool(torch.isfinite(free).all())


def test_term_specs_carry_position_avoid_and_the_arabic() -> None:
    from translate.engine import _term_specs

    glossary = Glossary([Entry("عين العرب", "Kobani", avoid=("Kobane",))])
    seg = Segment(id="d:1:1", source="وصلت التعزيزات إلى عين العرب")
    seg.terms = glossary.match(seg.source)
    (spec,) = _term_specs(seg, glossary)
    size = len(seg.source)
    assert spec == TermSpec(
        "Kobani", seg.terms[0].start / size, ("Kobane",), seg.terms[0].end / size, "عين العرب"
    )
    assert isinstance(seg.terms[0], Term)
