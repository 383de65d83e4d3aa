"""Vocabulary shortlists: building them from parallel text, reading them, and both backends
decoding over a batch's candidates only."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from translate.cli import app
from translate.document import Document, Segment
from translate.engine import TranslateOptions, _term_specs, load_backend, translate
from translate.engine.model import _hash_dir
from translate.engine.shortlist import (
    FILENAME,
    BuildOptions,
    Shortlist,
    build,
    choose,
    parse,
    read,
    read_pairs,
    write,
)
from translate.errors import InputError, ModelError, UsageError
from translate.memory import TranslationMemory, translation_key

from .conftest import CORPUS, REFERENCES, translated_segments

runner = CliRunner()

BACKENDS = ["transformers", "ct2"]

#: The letters of the restricted shortlist: its output can spell nothing else.
LETTERS = set("▁aeiost")

#: A small parallel text where each name always comes with its English.
NAMES = [
    ("دمشق", "Damascus"),
    ("حلب", "Aleppo"),
    ("الرقة", "Raqqa"),
    ("إدلب", "Idlib"),
]
FRAMES = [
    ("وصل الوفد إلى {}", "The delegation arrived in {}"),
    ("قصف الطيران {} اليوم", "Aircraft shelled {} today"),
    ("قال مصدر في {} إن الوضع هادئ", "A source in {} said the situation is calm"),
]
PAIRS = [(ar.format(n_ar), en.format(n_en)) for n_ar, n_en in NAMES for ar, en in FRAMES] * 3


def _model(backend: str, tiny_model: Path, request: pytest.FixtureRequest) -> Path:
    if backend == "ct2":
        path: Path = request.getfixturevalue("ct2_model")
        return path
    return tiny_model


def _vocabulary(model: Path) -> list[str]:
    return list(json.loads((model / "vocab.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def restricted(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shortlist allowing only pieces spelled with :data:`LETTERS` (and ``</s>``)."""
    allowed = [p for p in _vocabulary(tiny_model) if set(p) <= LETTERS and p != "▁"]
    path = tmp_path_factory.mktemp("vmap") / "letters.vmap"
    write(Shortlist(("</s>", *allowed), {}), path)
    return path


# -- the file format --------------------------------------------------------------------------


def test_parse_reads_the_ctranslate2_format_and_computes_candidates() -> None:
    text = "\t</s> ▁the ,\n▁دمشق\t▁Damascus ▁Dam\n▁عين ▁العرب\t▁Kobani\n"
    shortlist = parse(text, "x.vmap")
    assert shortlist.always == ("</s>", "▁the", ",") and shortlist.order == 2
    assert shortlist.text() == text
    got = shortlist.candidates([["▁في", "▁عين", "▁العرب"], ["▁دمشق", "</s>"]])
    assert got == {"</s>", "▁the", ",", "<unk>", "<s>", "▁Kobani", "▁Damascus", "▁Dam"}
    assert parse(text).digest == shortlist.digest != parse(text + "▁x\t▁y\n").digest


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("\t▁the\n▁دمشق ▁Damascus\n", ":2:", "0 tabs"),
        ("\t▁the\n\n▁دمشق\t▁Damascus\n", ":2:", "a blank line"),
        ("\t▁the\n▁دمشق\t▁Damascus\n▁دمشق\t▁Dam\n", ":3:", "first on line 2"),
        ("\t▁the\n\t▁of\n", ":2:", "second always-allowed"),
        ("\t▁the  ▁of\n", ":1:", "empty target piece"),
        ("▁a\t▁b\tc\n", ":1:", "2 tabs"),
    ],
)
def test_a_malformed_shortlist_names_file_and_line(
    tmp_path: Path, text: str, where: str, what: str
) -> None:
    path = tmp_path / "bad.vmap"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as err:
        read(path)
    message = str(err.value)
    assert message.startswith(f"{path}{where}") and what in message and "\n" not in message


def test_missing_and_binary_shortlists(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no such shortlist"):
        read(tmp_path / "none.vmap")
    (tmp_path / "bin.vmap").write_bytes(b"\t\xff\xfe\n")
    with pytest.raises(ModelError, match="not UTF-8"):
        read(tmp_path / "bin.vmap")


# -- parallel text ----------------------------------------------------------------------------


def test_pairs_from_tsv_with_or_without_header(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text("ar\ten\nدمشق\tDamascus\n\nحلب\tAleppo\n", encoding="utf-8")
    (tmp_path / "b.tsv").write_text("دمشق\tDamascus\textra\n", encoding="utf-8")
    assert read_pairs(tmp_path / "a.tsv") == [("دمشق", "Damascus"), ("حلب", "Aleppo")]
    assert read_pairs(tmp_path / "b.tsv") == [("دمشق", "Damascus")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("دمشق\tDamascus\nحلب\n", ":2: expected columns ar, en"),
        ("دمشق\t\n", ":1: empty en cell"),
        ("Damascus\tدمشق\n", ":1: the Arabic is in the second column"),
        ("ar\ten\n", ": no ar<TAB>en rows"),
    ],
)
def test_a_bad_tsv_names_its_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_pairs(path)
    assert str(err.value).startswith(f"{path}{message}")


TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
 <header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en"
  srclang="ar" datatype="plaintext"/>
 <body>
  <tu><tuv xml:lang="ar-SY"><seg>وصل <ph>&lt;b&gt;</ph>الوفد إلى دمشق</seg></tuv>
      <tuv xml:lang="en-US"><seg>The delegation <hi>arrived</hi> in Damascus</seg></tuv></tu>
  <tu><tuv xml:lang="ar"><seg>حلب</seg></tuv><tuv xml:lang="fr"><seg>Alep</seg></tuv></tu>
 </body>
</tmx>
"""


def test_pairs_from_tmx(tmp_path: Path) -> None:
    path = tmp_path / "memory.tmx"
    path.write_text(TMX, encoding="utf-8")
    # Inline markup codes are left out, highlighted text kept; a unit without English skipped.
    assert read_pairs(path) == [("وصل الوفد إلى دمشق", "The delegation arrived in Damascus")]


def test_pairs_from_our_own_tmx_export(tmp_path: Path) -> None:
    from translate.export.tmx import render

    doc = Document(id="d", paragraphs=[[Segment(id="d:1:1", source="وصل الوفد إلى دمشق")]])
    doc.paragraphs[0][0].target = "The delegation arrived in Damascus"
    path = tmp_path / "d.tmx"
    path.write_text(render(doc), encoding="utf-8")
    assert read_pairs(path) == [("وصل الوفد إلى دمشق", "The delegation arrived in Damascus")]


def test_a_malformed_tmx_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tmx"
    path.write_text(TMX.replace("</tu>\n  <tu>", "</tu>\n  <tu"), encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{path}:\d+: not well-formed XML"):
        read_pairs(path)
    (tmp_path / "x.tmx").write_text("<xliff/>", encoding="utf-8")
    with pytest.raises(InputError, match="not <tmx>"):
        read_pairs(tmp_path / "x.tmx")


def test_pairs_from_a_workspace_memory_and_references(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    with TranslationMemory(ws / "memory.sqlite") as memory:
        memory.put_many([("k1", "دمشق", "Damascus", set(), set(), "m", {})])
        memory.record_edit("حلب", "Aleppo", "reviewed", "d:1:1")
    assert sorted(read_pairs(ws)) == [("حلب", "Aleppo"), ("دمشق", "Damascus")]
    assert sorted(read_pairs(ws / "memory.sqlite")) == sorted(read_pairs(ws))
    refs = read_pairs(REFERENCES)
    assert len(refs) > 10 and all(ar and en for ar, en in refs)
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="unknown parallel text"):
        read_pairs(tmp_path / "notes.txt")


# -- building ---------------------------------------------------------------------------------


def test_build_maps_a_name_to_its_translation(tiny_model: Path) -> None:
    import sentencepiece as spm

    source = spm.SentencePieceProcessor(model_file=str(tiny_model / "source.spm"))
    target = spm.SentencePieceProcessor(model_file=str(tiny_model / "target.spm"))
    options = BuildOptions(frequent=5, glossary=["Kobani"])
    shortlist, stats = build(PAIRS, tiny_model, options)
    assert stats.pairs == len(PAIRS) and stats.entries == len(shortlist.rules) > 0
    # Every name's pieces are candidates of a sentence that has it, and not of one without it.
    for ar, en in NAMES:
        rows = [source.encode(f"وصل الوفد إلى {ar}", out_type=str)]
        allowed = shortlist.candidates(rows)
        assert set(target.encode(en, out_type=str)) <= allowed, (ar, en)
    damascus = set(target.encode("Damascus", out_type=str)) - set(shortlist.always)
    assert damascus and not damascus & shortlist.candidates([source.encode("حلب", out_type=str)])
    # Always allowed: the end of sentence, digits, punctuation, the glossary's pieces.
    always = set(shortlist.always)
    assert {"</s>", "<unk>"} <= always
    assert set(target.encode("Kobani", out_type=str)) <= always
    assert any(p.strip("▁").isdigit() for p in always) and "," in always


def test_build_refuses_bad_options_and_no_text(tiny_model: Path) -> None:
    with pytest.raises(UsageError):
        build(PAIRS, tiny_model, BuildOptions(top=0))
    with pytest.raises(UsageError, match="no parallel text"):
        build([], tiny_model)


# -- decoding ---------------------------------------------------------------------------------

SENTENCES = ["قال الرئيس السوري في دمشق", "وصلت قوات سوريا الديمقراطية إلى عين العرب اليوم"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_output_uses_only_the_candidates(
    backend: str, tiny_model: Path, restricted: Path, request: pytest.FixtureRequest
) -> None:
    model = _model(backend, tiny_model, request)
    plain = load_backend(TranslateOptions(model=str(model), backend=backend, num_beams=2))
    short = load_backend(
        TranslateOptions(model=str(model), backend=backend, num_beams=2, shortlist=restricted)
    )
    free = [t.text for t in plain.translate_batch(SENTENCES)]
    kept = [t.text for t in short.translate_batch(SENTENCES)]
    # The random model writes Arabic pieces and any letter; with the shortlist nothing else
    # than the allowed letters appears.
    assert any(set(t) - LETTERS - {" "} for t in free)
    assert all(text and set(text) <= LETTERS | {" "} for text in kept), kept


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_shortlist_of_every_piece_changes_nothing(
    backend: str, tiny_model: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # The candidates' logits are the full layer's (same int8 rows and scale), so only the
    # pieces left out can change the output: none here.
    model = _model(backend, tiny_model, request)
    everything = write(Shortlist(tuple(_vocabulary(tiny_model)), {}), tmp_path / "all.vmap").path
    outputs = []
    for short in (None, everything):
        options = TranslateOptions(model=str(model), backend=backend, num_beams=3, shortlist=short)
        outputs.append([t.text for t in load_backend(options).translate_batch(SENTENCES)])
    assert outputs[0] == outputs[1]


def test_transformers_candidates_hold_the_terms_pieces(tiny_model: Path, restricted: Path) -> None:
    from translate.engine.hf import TransformersBackend

    backend = load_backend(TranslateOptions(model=str(tiny_model), shortlist=restricted))
    assert isinstance(backend, TransformersBackend)
    ids = backend._target_ids("Kobani")
    plain = set(backend.candidates([["▁قال"]]).tolist())
    with_term = set(backend.candidates([["▁قال"]], ids).tolist())
    assert not set(ids) <= plain and set(ids) <= with_term


@pytest.mark.parametrize("backend", BACKENDS)
def test_glossary_terms_are_in_the_output_with_the_shortlist(
    backend: str,
    tiny_model: Path,
    restricted: Path,
    corpus_docs: tuple[list[Any], Any],
    request: pytest.FixtureRequest,
) -> None:
    docs, glossary = corpus_docs
    model = _model(backend, tiny_model, request)
    segments = translated_segments(
        docs, glossary, model, backend=backend, num_beams=2, shortlist=restricted
    )
    terms = [(s, t) for s in segments for t in s.terms]
    assert len(terms) > 20
    for seg, term in terms:
        assert term.verdict in ("forced", "kept"), (term.en, seg.target)
        assert term.en in (seg.target or ""), (term.en, seg.target)


def test_ct2_adds_the_terms_pieces_to_the_always_allowed_line(
    ct2_model: Path, restricted: Path, corpus_docs: tuple[list[Any], Any]
) -> None:
    from translate.engine.ct2 import CTranslate2Backend

    docs, glossary = corpus_docs
    backend = load_backend(TranslateOptions(model=str(ct2_model), shortlist=restricted))
    assert isinstance(backend, CTranslate2Backend)
    seg = next(s for d in docs for s in d.segments() if s.terms)
    specs = _term_specs(seg, glossary)
    backend.translate_batch([seg.normalized], [specs])
    pieces = {p for spec in specs for p in backend._target_pieces(spec.en)}
    assert backend._vmap is not None and pieces <= set(backend._vmap.always)
    before = backend.translator
    backend.translate_batch([seg.normalized], [specs])  # nothing new: no second load
    assert backend.translator is before
    # The settings (and so the memory key) name the file, not what was added for the glossary.
    assert backend.settings["shortlist"] == read(restricted).digest


# -- settings, defaults, the memory key --------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_shortlist_is_part_of_the_memory_key(
    backend: str, tiny_model: Path, restricted: Path, request: pytest.FixtureRequest
) -> None:
    model = _model(backend, tiny_model, request)
    plain = load_backend(TranslateOptions(model=str(model), backend=backend))
    short = load_backend(TranslateOptions(model=str(model), backend=backend, shortlist=restricted))
    assert "shortlist" not in plain.settings
    assert short.settings["shortlist"] == read(restricted).digest
    keys = {translation_key("قال", b.settings, []) for b in (plain, short)}
    assert len(keys) == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_model_directory_carries_its_shortlist(
    backend: str,
    tiny_model: Path,
    restricted: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    model = tmp_path / "model"
    shutil.copytree(_model(backend, tiny_model, request), model)
    revision = _hash_dir(model)
    shutil.copy(restricted, model / FILENAME)
    assert _hash_dir(model) == revision  # --no-shortlist: the model exactly as before
    default = load_backend(TranslateOptions(model=str(model), backend=backend))
    off = load_backend(TranslateOptions(model=str(model), backend=backend, default_shortlist=False))
    assert default.settings["shortlist"] == read(restricted).digest
    assert "shortlist" not in off.settings
    text = default.translate_batch(SENTENCES[:1])[0].text
    assert set(text) <= LETTERS | {" "}
    assert choose(model, None, use_default=False) is None


def test_convert_puts_the_shortlist_in_the_model(
    tiny_model: Path, restricted: Path, tmp_path: Path
) -> None:
    pytest.importorskip("ctranslate2")
    from translate.engine.convert import convert

    out = convert(str(tiny_model), tmp_path / "ct2", shortlist=restricted)
    assert (out / FILENAME).read_text(encoding="utf-8") == restricted.read_text(encoding="utf-8")
    backend = load_backend(TranslateOptions(model=str(out)))
    assert backend.settings["shortlist"] == read(restricted).digest
    bad = tmp_path / "bad.vmap"
    bad.write_text("no tab\n", encoding="utf-8")
    with pytest.raises(ModelError, match=rf"^{bad}:1:"):
        convert(str(tiny_model), tmp_path / "ct2-bad", shortlist=bad)
    assert not (tmp_path / "ct2-bad").exists()


# -- the command line --------------------------------------------------------------------------


def test_model_shortlist_command_end_to_end(tiny_model: Path, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("".join(f"{ar}\t{en}\n" for ar, en in PAIRS), encoding="utf-8")
    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    out = model / FILENAME
    result = runner.invoke(
        app,
        ["model", "shortlist", str(model), "--out", str(out), "--from", str(pairs),
         "--from", str(REFERENCES), "--top", "20", "--frequent", "50"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{len(set(PAIRS)) + len(read_pairs(REFERENCES))} pairs read")
    assert result.stdout.strip().endswith(f"→ {out}")
    shortlist = read(out)
    info = json.loads(runner.invoke(app, ["model", "info", str(model)]).stdout)
    assert info["shortlist"]["digest"] == shortlist.digest
    assert info["shortlist"]["entries"] == len(shortlist.rules)
    # tarjama run uses the model's shortlist by default, and --no-shortlist turns it off.
    article = tmp_path / "in" / "a.txt"
    article.parent.mkdir()
    article.write_text(
        "الوضع في دمشق\n\nقال الرئيس السوري في دمشق إن الوضع هادئ.\n\n"
        "وأضاف أن الوفد وصل إلى حلب اليوم.\n",
        encoding="utf-8",
    )
    origins = []
    for extra in ([], ["--no-shortlist"], ["--shortlist", str(out)]):
        ws = tmp_path / f"ws{len(origins)}"
        result = runner.invoke(
            app,
            ["run", str(article.parent), "--model", str(model), "--out", str(ws), "--beams", "1",
             "--no-glossary", *extra],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        doc = json.loads(next((ws / "documents").glob("*.json")).read_text(encoding="utf-8"))
        origins.append(doc["paragraphs"][0][0]["origin"])
    assert origins[0]["shortlist"] == shortlist.digest == origins[2]["shortlist"]
    assert "shortlist" not in origins[1]


def test_shortlist_command_errors(tiny_model: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["model", "shortlist", str(tiny_model), "--out", "x.vmap"])
    assert result.exit_code == 2 and "give --from" in result.stderr
    bad = tmp_path / "bad.tsv"
    bad.write_text("دمشق\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["model", "shortlist", str(tiny_model), "--out", str(tmp_path / "o"), "--from", str(bad)],
    )
    assert result.exit_code == 2 and f"{bad}:1: expected columns ar, en" in result.stderr
    assert not (tmp_path / "o").exists()
    broken = tmp_path / "broken.vmap"
    broken.write_text("\t▁a\n\n", encoding="utf-8")
    for extra in (["--shortlist", str(broken)], ["--shortlist", str(broken), "--no-shortlist"]):
        result = runner.invoke(
            app,
            ["run", str(CORPUS), "--model", str(tiny_model), "--out", str(tmp_path / "w"), *extra],
        )
        assert result.exit_code in (2, 3), result.output
        assert len(result.stderr.strip().splitlines()) == 1
    assert f"{broken}:2:" in runner.invoke(
        app, ["run", str(CORPUS), "--model", str(tiny_model), "--out", str(tmp_path / "w"),
              "--shortlist", str(broken)],
    ).stderr  # fmt: skip


# -- a model that writes names by itself ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_trained_model_keeps_its_names_and_the_glossary_with_the_shortlist(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from evaluation.trained.corpus import bench
    from evaluation.trained.enforcement import documents, write_glossary
    from evaluation.trained.train import SMALL, ensure
    from translate.glossary import english_has, load

    folder = ensure(SMALL, log=lambda _: None) / ("model" if backend == "transformers" else "ct2")
    if not folder.is_dir():
        pytest.skip(f"no {backend} model")
    data = bench(SMALL.train, SMALL.test, seed=SMALL.seed, small=True, lexicon=SMALL.lexicon)
    tmp = tmp_path_factory.mktemp("trained-shortlist")
    shortlist, _ = build([(p.ar, p.en) for p in data.train], folder, BuildOptions(frequent=100))
    path = tmp / "vmap.txt"
    write(shortlist, path)
    glossary = load(write_glossary(data.glossary, tmp / "g.tsv"))
    docs = documents(data.test, glossary)
    runs = {}
    for short in (None, path):
        options = TranslateOptions(model=str(folder), backend=backend, shortlist=short)
        run = copy.deepcopy(docs)
        translate(run, load_backend(options), options, glossary=glossary)
        runs[short] = [s for d in run for s in d.segments()]
    import sacrebleu

    # The sentences that change are mostly the small model's own mistakes (a day or a month the
    # Arabic does not name is no candidate): the score against the references holds.
    same = sum(a.target == b.target for a, b in zip(runs[None], runs[path], strict=True))
    assert same >= 0.75 * len(runs[None])
    refs = [[p.en_glossary for p in data.test]]
    chrf = {
        k: sacrebleu.corpus_chrf([s.target or "" for s in v], refs, word_order=2).score
        for k, v in runs.items()
    }
    assert chrf[path] >= chrf[None] - 1.0, chrf
    terms = [(s, t) for s in runs[path] for t in s.terms]
    assert terms and all(english_has(s.target or "", t.en) for s, t in terms)
    assert sum(t.verdict == "kept" for _, t in terms) >= 0.8 * sum(
        t.verdict == "kept" for s in runs[None] for t in s.terms
    )
