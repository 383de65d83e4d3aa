"""The CTranslate2 backend: conversion, raw-equivalent decoding, and glossary enforcement."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

ctranslate2 = pytest.importorskip(
    "ctranslate2", reason="the CTranslate2 backend is an optional extra: pip install tarjama[ct2]"
)

from translate.cli import app  # noqa: E402
from translate.document import Document, Segment  # noqa: E402
from translate.engine import (  # noqa: E402
    TranslateOptions,
    _term_specs,
    load_backend,
    translate,
)
from translate.engine.convert import convert  # noqa: E402
from translate.engine.ct2 import CTranslate2Backend  # noqa: E402
from translate.engine.hf import _max_new_tokens, cpu_cores  # noqa: E402
from translate.engine.model import CT2_MARKER, resolve  # noqa: E402
from translate.engine.types import TermSpec  # noqa: E402
from translate.errors import ModelError, UsageError  # noqa: E402
from translate.glossary import Glossary, english_has  # noqa: E402
from translate.pipeline import prepare  # noqa: E402

from .conftest import CORPUS, translated_segments  # noqa: E402

runner = CliRunner()


@pytest.fixture(scope="module")
def backend(ct2_model: Path) -> CTranslate2Backend:
    loaded = load_backend(TranslateOptions(model=str(ct2_model), num_beams=4))
    assert isinstance(loaded, CTranslate2Backend)
    return loaded


def _run(docs: list[Document], glossary: Glossary, model: Path, **kw: object) -> list[Segment]:
    return translated_segments(docs, glossary, model, **kw)


# -- conversion ------------------------------------------------------------------------------


def test_conversion_is_self_contained_and_described(ct2_model: Path, tiny_model: Path) -> None:
    for name in ("model.bin", "source.spm", "target.spm", "vocab.json", CT2_MARKER):
        assert (ct2_model / name).is_file(), name
    marker = json.loads((ct2_model / CT2_MARKER).read_text(encoding="utf-8"))
    assert marker["source"] == str(tiny_model) and marker["quantization"] == "int8"
    ref = resolve(str(ct2_model))
    assert ref.kind == "ct2" and resolve(str(tiny_model)).kind == "transformers"
    info = ref.describe()
    assert info["kind"] == "ct2" and info["model_type"] == "marian"
    assert info["d_model"] == 32 and info["quantization"] == "int8"
    assert info["converted_from"] == str(tiny_model)


def test_model_convert_and_info_commands(tmp_path: Path, tiny_model: Path) -> None:
    out = tmp_path / "f32"
    result = runner.invoke(
        app, ["model", "convert", str(tiny_model), "--out", str(out), "-q", "float32"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    result = runner.invoke(app, ["model", "info", str(out)])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["kind"] == "ct2" and info["quantization"] == "float32"
    result = runner.invoke(app, ["model", "convert", str(tiny_model), "--out", str(out)])
    assert result.exit_code == 3 and "already exists" in result.stderr
    assert "--force" in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folder left"


def test_conversion_errors(tmp_path: Path, ct2_model: Path, tiny_model: Path) -> None:
    (tmp_path / "notes").mkdir()
    with pytest.raises(ModelError, match="not a model directory"):
        convert(str(tmp_path / "notes"), tmp_path / "out")
    with pytest.raises(ModelError, match="already a CTranslate2 model"):
        convert(str(ct2_model), tmp_path / "out")
    with pytest.raises(UsageError, match="unknown quantization 'int4'"):
        convert(str(tiny_model), tmp_path / "out", "int4")
    assert not (tmp_path / "out").exists()
    result = runner.invoke(
        app, ["model", "convert", str(tmp_path / "notes"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines() == [
        f"tarjama: error: {tmp_path / 'notes'}: not a model directory (no config.json); pass "
        "--model a hub id such as Helsinki-NLP/opus-mt-ar-en or a folder saved with "
        "save_pretrained"
    ]


def test_ct2_dir_without_tokenizer_names_the_fix(tmp_path: Path, ct2_model: Path) -> None:
    bare = tmp_path / "bare"
    shutil.copytree(ct2_model, bare)
    (bare / "source.spm").unlink()
    with pytest.raises(ModelError, match=r"without its tokenizer files \(source.spm\).*convert"):
        resolve(str(bare))


def test_backend_must_suit_the_model(ct2_model: Path, tiny_model: Path) -> None:
    with pytest.raises(ModelError, match=r"not a CTranslate2 model.*tarjama model convert"):
        load_backend(TranslateOptions(model=str(tiny_model), backend="ct2"))
    with pytest.raises(ModelError, match="--backend ct2"):
        load_backend(TranslateOptions(model=str(ct2_model), backend="transformers"))
    with pytest.raises(UsageError, match="unknown backend 'onnx'"):
        load_backend(TranslateOptions(model=str(ct2_model), backend="onnx"))
    auto = load_backend(TranslateOptions(model=str(ct2_model)))
    assert auto.name == "ctranslate2" and auto.settings["precision"] == "int8"


# -- decoding adds nothing to CTranslate2 ----------------------------------------------------


def test_tokens_are_marian_tokenizers(backend: CTranslate2Backend, ct2_model: Path) -> None:
    from transformers import MarianTokenizer

    tok = MarianTokenizer.from_pretrained(str(ct2_model))
    texts = [s.normalized for d in prepare([CORPUS]) for s in d.segments()]
    expected = [tok.convert_ids_to_tokens(ids) for ids in tok(texts)["input_ids"]]
    assert backend.source_tokens(texts) == expected
    hyps = backend.translator.translate_batch(expected[:6], beam_size=1, max_decoding_length=20)
    for hyp in (r.hypotheses[0] for r in hyps):
        ids = tok.convert_tokens_to_ids(hyp)
        assert backend.detokenize(hyp) == tok.decode(ids, skip_special_tokens=True).strip()


@pytest.mark.parametrize("beams", [1, 4])
def test_output_equals_raw_translate_batch(
    backend: CTranslate2Backend, ct2_model: Path, beams: int
) -> None:
    texts = [s.normalized for d in prepare([CORPUS]) for s in d.segments()][:8]
    tokens = backend.source_tokens(texts)
    caps = [_max_new_tokens(len(t)) for t in tokens]
    translator = ctranslate2.Translator(str(ct2_model), device="cpu", compute_type="int8")
    raw = translator.translate_batch(tokens, beam_size=beams, max_decoding_length=max(caps))
    backend.num_beams = beams
    try:
        ours = backend.translate_batch(texts)
    finally:
        backend.num_beams = 4
    # One call per batch, so one length limit: each hypothesis is then cut to its own cap.
    expected = [backend.detokenize(r.hypotheses[0][:cap]) for r, cap in zip(raw, caps, strict=True)]
    assert [t.text for t in ours] == expected
    assert all(not t.terms and not t.forced for t in ours)


@contextmanager
def _beam_passes(backend: CTranslate2Backend, fixed_tokens: int) -> Iterator[list[list[Any]]]:
    """Records the results of every decode of sentences the backend makes (not its decodes of
    names alone), with every output forced to ``fixed_tokens`` tokens, as the benchmark does."""
    calls: list[list[Any]] = []
    translator = backend.translator

    class Recording:
        def translate_batch(self, source: list[list[str]], **kw: object) -> list:
            results = translator.translate_batch(source, **kw)
            if not kw.get("num_hypotheses"):
                calls.append(results)
            return results

    backend.translator, backend.fixed_output_tokens = Recording(), fixed_tokens
    try:
        yield calls
    finally:
        backend.translator, backend.fixed_output_tokens = translator, None


def test_exact_output_length_for_benchmarks(backend: CTranslate2Backend) -> None:
    texts = [s.normalized for d in prepare([CORPUS]) for s in d.segments()][:4]
    with _beam_passes(backend, 12) as calls:
        backend.translate_batch(texts)
        forced = backend.translate_batch(texts, [[TermSpec("Kobani", 0.5)]] * len(texts))
    assert {len(r.hypotheses[0]) for results in calls for r in results} == {12}
    assert all("Kobani" in r.terms for r in forced)


# -- glossary enforcement --------------------------------------------------------------------


@pytest.mark.parametrize("beams", [1, 4])
def test_every_term_appears_in_the_english(corpus_docs, ct2_model: Path, beams: int) -> None:
    docs, glossary = corpus_docs
    options = TranslateOptions(model=str(ct2_model), num_beams=beams)
    backend = load_backend(options)
    assert isinstance(backend, CTranslate2Backend)
    docs = copy.deepcopy(docs)
    translate(docs, backend, options, glossary=glossary)
    terms = [(s, t) for d in docs for s in d.segments() for t in s.terms]
    assert len(terms) > 40
    for seg, term in terms:
        assert english_has(seg.target or "", term.en), (seg.id, term.en, seg.target)
        assert term.verdict in ("kept", "forced")
    # Random weights hardly ever produce a name: the repair had to put them in.
    assert sum(t.verdict == "forced" for _, t in terms) > len(terms) * 0.8


def test_segments_without_terms_are_unchanged(corpus_docs, ct2_model: Path) -> None:
    docs, glossary = corpus_docs
    on = _run(docs, glossary, ct2_model, num_beams=4)
    off = _run(docs, glossary, ct2_model, num_beams=4, enforce_glossary=False)
    plain = [(a, b) for a, b in zip(on, off, strict=True) if not a.terms]
    assert plain, "the corpus has sentences without glossary terms"
    assert all(a.target == b.target for a, b in plain)
    assert {t.verdict for s in off for t in s.terms} <= {"kept", "missed"}


def test_mixed_batch_leaves_sentences_without_terms_alone(
    backend: CTranslate2Backend, corpus_docs
) -> None:
    docs, glossary = corpus_docs
    segments = [s for d in docs for s in d.segments()]
    texts = [s.normalized for s in segments]
    specs = [_term_specs(s, glossary) for s in segments]
    with_terms = backend.translate_batch(texts, specs)
    without = backend.translate_batch(texts)
    plain = [i for i, row in enumerate(specs) if not row]
    assert plain and all(with_terms[i].text == without[i].text for i in plain)
    assert all(t.en in with_terms[i].terms for i, row in enumerate(specs) for t in row)


def test_one_decode_per_batch_and_names_asked_once(backend: CTranslate2Backend) -> None:
    texts = [s.normalized for d in prepare([CORPUS]) for s in d.segments()][:6]
    spec = [[TermSpec("Kobani", 0.5, ar="عين العرب")]] * len(texts)
    backend._names.clear()
    with _beam_passes(backend, 12) as calls:
        out = backend.translate_batch(texts, spec)
        again = backend.translate_batch(texts, spec)
    assert all(r.terms == {"Kobani"} for r in out + again)
    # The sentences are decoded once per call, without constraints; the name alone is asked
    # once and remembered.
    assert [len(results) for results in calls] == [len(texts), len(texts)]
    assert list(backend._names) == ["عين العرب"]


def test_one_thread_or_a_worker_per_core_gives_the_same_english(
    backend: CTranslate2Backend, ct2_model: Path, corpus_docs
) -> None:
    docs, glossary = corpus_docs
    segments = [s for d in docs for s in d.segments()]
    texts = [s.normalized for s in segments]
    specs = [_term_specs(s, glossary) for s in segments]
    single = load_backend(TranslateOptions(model=str(ct2_model), num_beams=4, threads=1))
    assert isinstance(single, CTranslate2Backend)
    assert single.translator.num_translators == 1
    assert backend.translator.num_translators == backend.workers == cpu_cores()
    assert [t.text for t in single.translate_batch(texts)] == [
        t.text for t in backend.translate_batch(texts)
    ]
    # With terms, the decode is the same too; where a repair puts a name follows attention
    # weights, whose last bits differ between batch shapes, and a random model's attention is
    # flat enough for that to move a name. Both still hold every term.
    for engine in (single, backend):
        out = engine.translate_batch(texts, specs)
        assert all(t.en in r.terms for r, row in zip(out, specs, strict=True) for t in row)


def test_run_with_backend_ct2(tmp_path: Path, ct2_model: Path, tiny_model: Path) -> None:
    out = tmp_path / "build"
    args = ["run", str(CORPUS), "--model", str(ct2_model), "--out", str(out), "--beams", "2"]
    result = runner.invoke(app, [*args, "--backend", "ct2", "--threads", "1"])
    assert result.exit_code == 0, result.output
    for path in (out / "documents").glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for seg in [doc["title"], *[s for p in doc["paragraphs"] for s in p]]:
            assert seg["target"] and seg["origin"]["engine"] == "ctranslate2"
            assert all(t["verdict"] in ("kept", "forced") for t in seg["terms"])
    result = runner.invoke(
        app,
        ["run", str(CORPUS), "--model", str(tiny_model), "--out", str(tmp_path / "o"),
         "--backend", "ct2"],
    )  # fmt: skip
    assert result.exit_code == 3
    assert "tarjama model convert" in result.stderr and "Traceback" not in result.output
