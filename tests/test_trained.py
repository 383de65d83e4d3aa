"""Glossary enforcement against a model that has its own opinion about names.

The model is the small MarianMT of ``evaluation/trained/`` (a few dozen names, trained here on
synthetic Syrian news in well under a minute, cached per machine outside the repository). A
random-weight model never writes a name by itself, so only a trained one shows whether
enforcement leaves a right name alone, replaces a wrong one without keeping it, and keeps the
words around it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from evaluation.trained.corpus import Pair, bench
from evaluation.trained.enforcement import documents, write_glossary
from evaluation.trained.train import SMALL, ensure
from translate.engine import TranslateOptions, load_backend, translate
from translate.glossary import english_spans, load

pytestmark = pytest.mark.slow

BACKENDS = ["transformers", "ct2"]


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The small trained model's folder (``model/`` for transformers, ``ct2/``)."""
    return ensure(SMALL, log=lambda _: None)


@pytest.fixture(scope="module")
def runs(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The small bench's test sentences translated by each backend, without and with the
    glossary, as ``tarjama run`` would."""
    data = bench(SMALL.train, SMALL.test, seed=SMALL.seed, small=True, lexicon=SMALL.lexicon)
    glossary = load(write_glossary(data.glossary, tmp_path_factory.mktemp("g") / "g.tsv"))
    docs = documents(data.test, glossary)
    out: dict[str, Any] = {"pairs": data.test}
    for backend in BACKENDS:
        folder = trained_model / ("model" if backend == "transformers" else "ct2")
        if not folder.is_dir():
            continue
        for enforce in (False, True):
            options = TranslateOptions(model=str(folder), backend=backend, enforce_glossary=enforce)
            run = copy.deepcopy(docs)
            translate(run, load_backend(options), options, glossary=glossary)
            out[backend, enforce] = [s for d in run for s in d.segments()]
    return out


def _count(text: str, en: str) -> int:
    return len(english_spans(text, en))


def _rows(runs: dict[str, Any], backend: str) -> list[tuple[Pair, Any, Any]]:
    if (backend, True) not in runs:
        pytest.skip(f"no {backend} model (ctranslate2 not installed)")
    return list(zip(runs["pairs"], runs[backend, False], runs[backend, True], strict=True))


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_glossary_name_is_in_the_english(runs: dict[str, Any], backend: str) -> None:
    rows = _rows(runs, backend)
    terms = [(b, t) for _, _, b in rows for t in b.terms]
    assert len(terms) > 60
    for seg, term in terms:
        assert english_spans(seg.target or "", term.en), (term.en, seg.target)


@pytest.mark.parametrize("backend", BACKENDS)
def test_agreeing_names_are_kept_and_the_sentence_unchanged(
    runs: dict[str, Any], backend: str
) -> None:
    checked = 0
    for pair, plain, enforced in _rows(runs, backend):
        glossed = [n for n in pair.names if n.glossary]
        if not glossed or not all(n.agrees for n in glossed):
            continue
        if not all(_count(plain.target or "", n.en) for n in glossed):
            continue  # the model got a name wrong by itself: a repair is right there
        checked += 1
        assert enforced.target == plain.target
        assert {t.verdict for t in enforced.terms} == {"kept"}
    assert checked >= 10


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_disagreeing_name_appears_once_and_the_learned_rendering_not(
    runs: dict[str, Any], backend: str
) -> None:
    checked = 0
    for pair, plain, enforced in _rows(runs, backend):
        wrong = [n for n in pair.names if n.glossary and not n.agrees]
        if not wrong or not all(_count(plain.target or "", n.en) == 1 for n in wrong):
            continue
        checked += 1
        text = enforced.target or ""
        for name in wrong:
            assert name.glossary is not None
            assert _count(text, name.glossary) == pair.names.count(name), text
            # The learned rendering is gone (unless the glossary's English contains it).
            assert _count(text, name.en) == _count(name.glossary, name.en), text
        assert {t.verdict for t in enforced.terms if t.en in {n.glossary for n in wrong}} == {
            "forced"
        }
    assert checked >= 10


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_sentence_ending_in_a_name_keeps_its_ending(runs: dict[str, Any], backend: str) -> None:
    checked = 0
    for pair, plain, enforced in _rows(runs, backend):
        last = pair.names[-1] if pair.names else None
        if last is None or last.glossary is None or last.agrees:
            continue
        if not pair.en.endswith(f"{last.en}.") or not (plain.target or "").endswith(f"{last.en}."):
            continue
        wrong = [n for n in pair.names if n.glossary and not n.agrees]
        if not all(_count(plain.target or "", n.en) == 1 for n in wrong):
            continue
        checked += 1
        expected = plain.target or ""
        for name in wrong:
            expected = re.sub(re.escape(name.en), name.glossary or "", expected, count=1)
        # Every other word is the model's own: only the names changed, the ending is there.
        assert enforced.target == expected
        assert (enforced.target or "").endswith(f"{last.glossary}.")
    assert checked >= 5
