"""What a model's target vocabulary can write (translate.engine.vocab), and the glossary check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from translate.document import Document, Segment
from translate.engine.vocab import quote_characters, target_spm, unspellable
from translate.errors import ModelError
from translate.glossary import Entry, Glossary, annotate, load
from translate.pipeline import unspellable_terms

from .conftest import GLOSSARY


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Syria TV"], {"Syria TV": "V"}),
        (["Qamishli", "Aleppo", "al-Qaeda"], {"Qamishli": "Q", "al-Qaeda": "Q"}),
        # in the order they first occur, each once; whitespace never counts
        (["Quneitra Valley via Q"], {"Quneitra Valley via Q": "QVv"}),
        (["Raqqa", " Aleppo\t"], {"Raqqa": "q"}),
        ([], {}),
    ],
)
def test_unspellable_characters(
    model_without_v_and_q: Path, texts: list[str], expected: dict[str, str]
) -> None:
    assert unspellable(model_without_v_and_q, texts) == expected


def test_the_tiny_model_writes_every_bundled_glossary_english(tiny_model: Path) -> None:
    # Its English is trained on the bundled glossary; it lacks "X", which no entry has.
    english = [e.en for e in load(GLOSSARY).entries]
    assert unspellable(tiny_model, english) == {}
    assert unspellable(tiny_model, ["Xinhua"]) == {"Xinhua": "X"}


def test_a_directory_without_target_spm(tmp_path: Path, tiny_model: Path) -> None:
    assert target_spm(tmp_path) is None
    with pytest.raises(ModelError, match=r"no target\.spm in the model directory"):
        unspellable(tmp_path, ["Aleppo"])
    (tmp_path / "target.spm").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a sentencepiece model"):
        unspellable(tmp_path, ["Aleppo"])


def test_a_ct2_directory_is_checked_with_its_copied_target_spm(
    tmp_path: Path, model_without_v_and_q: Path
) -> None:
    # What `tarjama model convert` leaves: model.bin and the tokenizer files beside it.
    ct2 = tmp_path / "ct2"
    ct2.mkdir()
    for name in ("source.spm", "target.spm"):
        shutil.copy(model_without_v_and_q / name, ct2 / name)
    assert unspellable(ct2, ["Syria TV"]) == {"Syria TV": "V"}


def test_quote_characters_shows_invisible_ones_as_code_points() -> None:
    assert quote_characters("VQ") == '"V", "Q"'
    assert quote_characters("\u200f\u0301") == "U+200F, U+0301"


def test_unspellable_terms_of_a_batch_or_of_the_whole_glossary(model_without_v_and_q: Path) -> None:
    glossary = Glossary(
        [
            Entry("تلفزيون سوريا", "Syria TV", source="g.tsv:2"),
            Entry("حلب", "Aleppo", source="g.tsv:3"),
            Entry("فنزويلا", "Venezuela", source="g.tsv:4"),
            Entry("القامشلي", "Qamishli", source="g.tsv:5"),
        ]
    )
    everything = unspellable_terms(glossary, model_without_v_and_q)
    assert [(u.entry.en, u.characters) for u in everything] == [
        ("Syria TV", "V"),
        ("Venezuela", "V"),
        ("Qamishli", "Q"),
    ]
    doc = Document(
        id="d", paragraphs=[[Segment(id="d:1:1", source="قال تلفزيون سوريا إن حلب هادئة.")]]
    )
    annotate(doc, glossary)
    (only,) = unspellable_terms(glossary, model_without_v_and_q, [doc])
    assert str(only) == (
        'g.tsv:2: "Syria TV": the model cannot write "V"; this term will be reported missed'
    )
    assert unspellable_terms(glossary, Path("/nonexistent"), [doc]) == []  # nothing to check
