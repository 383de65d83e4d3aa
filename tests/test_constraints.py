"""Glossary enforcement in decoding, with the real transformers beam search and a tiny model."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from translate.document import Document, Segment, Term
from translate.engine import Translation
from translate.engine.constraints import Constraint, TermForcer
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


def test_terms_are_decoded_inside_the_hypothesis(corpus_docs, tiny_model: Path) -> None:
    docs, glossary = corpus_docs
    segments = _run(docs, glossary, tiny_model, num_beams=4)
    placements = []
    for seg in segments:
        text = seg.target or ""
        for term in seg.terms:
            start = text.find(term.en)
            placements.append(start / max(len(text), 1))
    # Words follow the terms (they are conditioned on them): most terms sit well before the end.
    assert sum(p < 0.7 for p in placements) > len(placements) * 0.7


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


# -- the constraint state machine, on hand-made score tensors ------------------------------

VOCAB = 12
EOS = 0
GLUE = torch.zeros(VOCAB, dtype=torch.bool)
GLUE[9] = True  # token 9 continues a word


def _forcer(constraints: list[Constraint], cap: int = 20) -> TermForcer:
    return TermForcer([constraints], [cap], num_beams=1, eos=EOS, glue=GLUE, start=1)


def _step(forcer: TermForcer, generated: list[int]) -> torch.Tensor:
    ids = torch.tensor([[99, *generated]])
    return forcer(ids, torch.zeros(1, VOCAB))[0]


def test_started_term_is_completed_and_not_glued() -> None:
    forcer = _forcer([Constraint("Kobani", (5, 6), expected=10)])
    after_start = _step(forcer, [3, 5])
    assert torch.isfinite(after_start).tolist() == [i == 6 for i in range(VOCAB)]
    after_term = _step(forcer, [3, 5, 6])
    assert after_term[9] == float("-inf")  # no letters glued onto the term
    assert torch.isfinite(after_term[EOS])  # all terms done: the sentence may end


def test_pending_term_blocks_eos_and_is_forced_at_its_deadline() -> None:
    forcer = _forcer([Constraint("SDF", (7,), expected=2)])
    early = _step(forcer, [3])
    assert early[EOS] == float("-inf")
    assert early[7] > early[3]  # inside the window: a bonus, not a force
    late = _step(forcer, [3, 3, 3, 3, 3, 3])
    assert torch.isfinite(late).tolist() == [i == 7 for i in range(VOCAB)]
    done, forced = forcer.outcome(0, [3, 3, 3, 3, 3, 3, 7, 4, EOS])
    assert done == {"SDF"} and forced == {"SDF"}


def test_term_produced_by_the_model_is_kept() -> None:
    forcer = _forcer([Constraint("SDF", (7,), expected=15)])
    done, forced = forcer.outcome(0, [3, 7, 4])
    assert done == {"SDF"} and forced == set()


def test_budget_forces_terms_in_time() -> None:
    forcer = _forcer([Constraint("Kobani", (5, 6), expected=15)], cap=6)
    scores = _step(forcer, [3, 3, 3])  # 3 left: just room for the term and EOS
    assert torch.isfinite(scores).tolist() == [i == 5 for i in range(VOCAB)]


def test_avoid_rendering_cannot_be_completed() -> None:
    forcer = _forcer([Constraint("Kobani", (5, 6), expected=1, avoid=((2, 8),))])
    scores = _step(forcer, [2])
    assert scores[8] == float("-inf")


def test_length_cap_ends_rows_without_terms() -> None:
    forcer = TermForcer([[]], [3], num_beams=1, eos=EOS, glue=GLUE)
    scores = forcer(torch.tensor([[99, 4, 4, 4]]), torch.zeros(1, VOCAB))[0]
    assert torch.isfinite(scores).tolist() == [i == EOS for i in range(VOCAB)]


def test_term_specs_carry_position_and_avoid() -> None:
    from translate.engine import _term_specs

    glossary = Glossary([Entry("عين العرب", "Kobani", avoid=("Kobane",))])
    seg = Segment(id="d:1:1", source="وصلت التعزيزات إلى عين العرب")
    seg.terms = glossary.match(seg.source)
    (spec,) = _term_specs(seg, glossary)
    size = len(seg.source)
    assert spec == TermSpec(
        "Kobani", seg.terms[0].start / size, ("Kobane",), seg.terms[0].end / size
    )
    assert isinstance(seg.terms[0], Term)
