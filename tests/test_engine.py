from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate.engine import TranslateOptions, Translation, load_backend, translate
from translate.engine.batching import plan_batches
from translate.engine.model import download_model, resolve
from translate.errors import ModelError
from translate.pipeline import prepare

from .conftest import CORPUS


@given(st.lists(st.integers(1, 300), max_size=200), st.integers(300, 4000), st.integers(1, 64))
def test_batches_cover_every_sentence_once_within_budget(
    lengths: list[int], budget: int, most: int
) -> None:
    batches = plan_batches(lengths, budget, most)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= most
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= budget


def test_batches_group_similar_lengths() -> None:
    lengths = [5, 100, 6, 98, 7, 99]
    assert plan_batches(lengths, 300, 64) == [[1, 5, 3], [4, 2, 0]]


def test_not_a_model_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a model directory"):
        resolve(str(tmp_path))
    (tmp_path / "config.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(ModelError, match="unreadable model config"):
        resolve(str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "marian"}), encoding="utf-8")
    with pytest.raises(ModelError, match="no weights"):
        resolve(str(tmp_path))
    with pytest.raises(ModelError, match="no such model directory"):
        resolve(str(tmp_path / "missing"))


def test_corrupt_weights_are_a_model_error(tmp_path: Path, tiny_model: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "model.safetensors").write_bytes(b"\x00" * 100)
    backend = load_backend(TranslateOptions(model=str(broken)))  # the weights are read lazily
    with pytest.raises(ModelError, match="cannot load the model"):
        backend.translate_batch(["وصل الوفد إلى حلب"])


def test_uncached_hub_model_offline_names_the_fix() -> None:
    with pytest.raises(ModelError, match=r"HF_HUB_OFFLINE.*tarjama model download.*--model PATH"):
        resolve("Helsinki-NLP/opus-mt-ar-en")


def test_unreachable_hub_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(ModelError, match=r"cannot be reached.*--model PATH"):
        download_model("Helsinki-NLP/opus-mt-ar-en")


class CountingBackend:
    """The real transformers backend, recording what it was asked to translate."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.seen: list[str] = []
        self.name = "transformers"

    @property
    def settings(self) -> dict[str, object]:
        return self.inner.settings  # type: ignore[attr-defined,no-any-return]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.inner.count_tokens(texts)  # type: ignore[attr-defined,no-any-return]

    def translate_batch(self, texts: Sequence[str], terms: object = None) -> list[Translation]:
        self.seen.extend(texts)
        return self.inner.translate_batch(texts, terms)  # type: ignore[attr-defined,no-any-return]


def test_translate_fills_every_segment_once_per_distinct_sentence(tiny_model: Path) -> None:
    docs = prepare([CORPUS, CORPUS / "baladi-sdf-regime-heavy-weapons.txt"])  # one article twice
    # float32: with int8, batch-mates share activation scales (see test_constraints for the
    # guarantee that holds either way).
    options = TranslateOptions(
        model=str(tiny_model), num_beams=2, max_batch_tokens=300, precision="float32"
    )
    backend = CountingBackend(load_backend(options))
    translate(docs, backend, options)
    segments = [s for d in docs for s in d.segments()]
    assert all(s.target and s.state == "translated" for s in segments)
    assert all(s.origin and s.origin["model"] == str(tiny_model) for s in segments)
    assert len(backend.seen) == len({s.normalized for s in segments}) < len(segments)
    # Batched and sorted, yet each sentence gets its own translation back. (The longest one: in
    # its batch it has no padding, so alone it must come out the same.)
    longest = max(segments, key=lambda s: backend.count_tokens([s.normalized])[0])
    (single,) = backend.inner.translate_batch([longest.normalized])  # type: ignore[attr-defined]
    assert single.text == longest.target


def test_reviewed_segments_are_never_overwritten(tiny_model: Path) -> None:
    (doc,) = prepare([CORPUS / "thiqa-regime-reinforcements-kobani.txt"])
    assert doc.title is not None
    doc.title.target, doc.title.state = "Assad regime sends reinforcements to Kobani", "reviewed"
    options = TranslateOptions(model=str(tiny_model), num_beams=1, retranslate=True)
    translate([doc], load_backend(options), options)
    assert doc.title.target == "Assad regime sends reinforcements to Kobani"
    assert doc.title.state == "reviewed"
