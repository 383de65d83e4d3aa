from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from typer.testing import CliRunner

from translate.cli import app
from translate.document import Document, Term
from translate.errors import ReferencesError, UsageError, WorkspaceError
from translate.evaluate import (
    References,
    check_thresholds,
    evaluate,
    histogram,
    load_references,
    parse_thresholds,
    reference_key,
    reference_streams,
    render_html,
)
from translate.glossary import annotate
from translate.glossary import load as load_glossary
from translate.pipeline import prepare
from translate.workspace import Workspace

from .conftest import CHROMIUM_FLAGS, CORPUS, GLOSSARY, REFERENCES

runner = CliRunner()
METRIC_NAMES = {"bleu": "BLEU", "chrf": "chrF2++", "ter": "TER"}


def sacrebleu_cli(
    hyps: list[str],
    refs: list[str] | list[list[str]],
    tmp_path: Path,
    extra: tuple[str, ...] = (),
) -> dict[str, dict[str, Any]]:
    """Scores from sacrebleu's own command line on the same lines.

    ``refs`` is one reference per line, or several reference streams (one file each).
    """
    streams = [refs] if refs and isinstance(refs[0], str) else refs
    (tmp_path / "hyp.txt").write_text("\n".join(hyps) + "\n", encoding="utf-8")
    files = []
    for i, stream in enumerate(streams):
        path = tmp_path / f"ref{i}.txt"
        path.write_text("\n".join(stream) + "\n", encoding="utf-8")  # type: ignore[arg-type]
        files.append(str(path))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sacrebleu",
            *files,
            "-i",
            str(tmp_path / "hyp.txt"),
            "-m",
            "bleu",
            "chrf",
            "ter",
            "--chrf-word-order",
            "2",
            "-w",
            "6",
            "-f",
            "json",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return {m["name"]: m for m in json.loads(out.stdout)}


def _degrade(text: str, k: int) -> str:
    words = text.split()
    return " ".join(w for i, w in enumerate(words) if i % k)  # drop every k-th word


def _translated(refs: References | None = None) -> list[Document]:
    """The bundled corpus, translated by degrading the reference (no model needed)."""
    docs = prepare([CORPUS])
    refs = refs or load_references([REFERENCES])
    glossary = load_glossary(GLOSSARY)
    for n, seg in enumerate(s for d in docs for s in d.segments()):
        seg.target = _degrade(refs.get(seg.source)[0], 3 + n % 4)
    for doc in docs:
        annotate(doc, glossary)
    return docs


def _assert_equal(ours: dict[str, Any], cli: dict[str, dict[str, Any]]) -> None:
    for key, name in METRIC_NAMES.items():
        assert round(ours[key]["score"], 6) == pytest.approx(cli[name]["score"], abs=1e-6), key


# --- scores equal sacrebleu's command line ---------------------------------------------------


def test_scores_equal_sacrebleus_command_line(tmp_path: Path) -> None:
    refs = load_references([REFERENCES])
    docs = _translated(refs)
    hyps = [s.target or "" for d in docs for s in d.segments()]
    ref_lines = [refs.get(s.source)[0] for d in docs for s in d.segments()]
    report = evaluate(docs, refs)
    cli = sacrebleu_cli(hyps, ref_lines, tmp_path)
    corpus = report["corpus"]
    _assert_equal(corpus, cli)
    for key, name in METRIC_NAMES.items():
        assert corpus[key]["signature"] == cli[name]["signature"]
        assert report["signatures"][key] == cli[name]["signature"]
    assert 20 < corpus["bleu"]["score"] < 95
    assert report["coverage"] == {
        "segments": 21,
        "translated": 21,
        "with_reference": 21,
        "without_reference": [],
        "references_per_segment": {"1": 21},
        "reference_sentences": 21,
        "references_unused": 0,
    }
    assert set(report["documents"]) == {d.id for d in docs}


def test_per_document_and_sentence_scores_equal_the_command_line(tmp_path: Path) -> None:
    refs = load_references([REFERENCES])
    docs = _translated(refs)
    report = evaluate(docs, refs)
    doc = docs[1]
    hyps = [s.target or "" for s in doc.segments()]
    ref_lines = [refs.get(s.source)[0] for s in doc.segments()]
    _assert_equal(report["documents"][doc.id], sacrebleu_cli(hyps, ref_lines, tmp_path))
    (tmp_path / "ref.txt").write_text("\n".join(ref_lines) + "\n", encoding="utf-8")
    (tmp_path / "hyp.txt").write_text("\n".join(hyps) + "\n", encoding="utf-8")
    out = subprocess.run(
        [
            *(sys.executable, "-m", "sacrebleu", str(tmp_path / "ref.txt")),
            *("-i", str(tmp_path / "hyp.txt"), "-m", "chrf", "--chrf-word-order", "2"),
            *("-sl", "-w", "6"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    cli_sentences = [float(line.rsplit("= ", 1)[1]) for line in out[: len(hyps)]]
    ours = report["documents"][doc.id]["sentence_chrf"]
    assert [round(ours[s.id], 6) for s in doc.segments()] == pytest.approx(cli_sentences, abs=1e-6)
    rows = {r["id"]: r for r in report["segments"]}
    assert all(rows[s.id]["chrf"] == ours[s.id] for s in doc.segments())


def _two_refs(refs: References, every: int) -> References:
    """A second reference (a paraphrase-like variant) for every ``every``-th sentence."""
    out = References()
    for i, (ar, en) in enumerate(refs.pairs):
        out.add(ar, en)
        if i % every == 0:
            out.add(ar, " ".join(reversed(en.split(", "))) + " indeed")
    return out


@pytest.mark.slow
def test_several_references_per_segment_equal_the_command_line(tmp_path: Path) -> None:
    refs = _two_refs(load_references([REFERENCES]), every=1)
    docs = _translated(refs)
    report = evaluate(docs, refs)
    segs = [s for d in docs for s in d.segments()]
    streams = [[refs.get(s.source)[i] for s in segs] for i in range(2)]
    cli = sacrebleu_cli([s.target or "" for s in segs], streams, tmp_path)
    _assert_equal(report["corpus"], cli)
    assert report["corpus"]["bleu"]["signature"] == cli["BLEU"]["signature"]
    assert report["corpus"]["bleu"]["signature"].startswith("nrefs:2|")
    assert report["coverage"]["references_per_segment"] == {"2": 21}


@pytest.mark.slow
def test_a_variable_number_of_references_equals_the_command_line(tmp_path: Path) -> None:
    """Segments with one and two references: padded with None, as sacrebleu's API wants.

    sacrebleu's command line needs the same number of references on every line. Repeating a
    segment's references evenly up to that number leaves every metric unchanged (the best match
    and the average reference length stay the same), so the command line on such files is the
    yardstick. Padding with empty lines instead is not the same: TER averages in the empty one.
    """
    refs = _two_refs(load_references([REFERENCES]), every=2)
    docs = _translated(refs)
    report = evaluate(docs, refs)
    segs = [s for d in docs for s in d.segments()]
    per_seg = [refs.get(s.source) for s in segs]
    assert {len(r) for r in per_seg} == {1, 2}
    hyps = [s.target or "" for s in segs]
    repeated = [[r[0] for r in per_seg], [r[-1] for r in per_seg]]
    cli = sacrebleu_cli(hyps, repeated, tmp_path)
    _assert_equal(report["corpus"], cli)
    assert report["corpus"]["ter"]["signature"].startswith("nrefs:var|")
    assert report["coverage"]["references_per_segment"] == {"1": 10, "2": 11}
    empty_padded = [[r[0] for r in per_seg], [r[1] if len(r) > 1 else "" for r in per_seg]]
    wrong = sacrebleu_cli(hyps, empty_padded, tmp_path)
    assert round(report["corpus"]["ter"]["score"], 6) != pytest.approx(
        wrong["TER"]["score"], abs=1e-6
    )


def test_reference_streams_pad_with_none() -> None:
    assert reference_streams([["a"], ["b", "c"], ["d"]]) == [["a", "b", "d"], [None, "c", None]]
    assert reference_streams([]) == []


# --- references ------------------------------------------------------------------------------


def test_references_survive_spelling_and_spacing_changes() -> None:
    assert reference_key("إلى الرَّقَّة،  اليوم.") == reference_key("الى الرقه اليوم")


def _write_pair(tmp_path: Path, name: str, ar: list[str], en: list[str]) -> Path:
    (tmp_path / f"{name}.ar").write_text("\n".join(ar) + "\n", encoding="utf-8")
    path = tmp_path / f"{name}.en"
    path.write_text("\n".join(en) + "\n", encoding="utf-8")
    return path


def _bundled_pairs() -> list[tuple[str, str]]:
    return load_references([REFERENCES]).pairs


def test_line_aligned_en_and_ar_files_equal_the_tsv(tmp_path: Path) -> None:
    pairs = _bundled_pairs()
    en = _write_pair(tmp_path, "refs", [a for a, _ in pairs], [e for _, e in pairs])
    from_pair = load_references([en])
    assert from_pair.by_key == load_references([REFERENCES]).by_key
    assert from_pair.files == [str(en)]
    folder = tmp_path / "folder"
    folder.mkdir()
    _write_pair(folder, "refs", [a for a, _ in pairs], [e for _, e in pairs])
    assert load_references([folder]).by_key == from_pair.by_key


def test_sources_option_pairs_several_en_files(tmp_path: Path) -> None:
    src = tmp_path / "src.ar"
    src.write_text("قال المتحدث\nوصلت التعزيزات\n", encoding="utf-8")
    (tmp_path / "one.en").write_text("The spokesman said\nReinforcements arrived\n", "utf-8")
    (tmp_path / "two.en").write_text("The spokesperson said\nReinforcements arrived\n", "utf-8")
    refs = load_references([tmp_path / "one.en", tmp_path / "two.en"], sources=src)
    assert refs.get("قال المتحدث") == ["The spokesman said", "The spokesperson said"]
    assert refs.get("وصلت التعزيزات") == ["Reinforcements arrived"]  # the same twice is one


def test_the_same_reference_twice_is_one_reference() -> None:
    refs = load_references([REFERENCES, REFERENCES])
    assert {len(v) for v in refs.by_key.values()} == {1}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("en\tar\nx\ty\n", ":1: expected a header"),
        ("ar\ten\nقال\n", ":2: expected 2"),
        ("ar\ten\nقال\t\n", ":2: empty en"),
        ("ar\ten\n", "no reference rows"),
        ("ar\ten\nsaid\tقال\n", "swapped"),
    ],
)
def test_malformed_references(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReferencesError, match=message):
        load_references([path])


@pytest.mark.parametrize(
    ("ar", "en", "message"),
    [
        (["قال", "وصل"], ["said"], "r.en has 1 lines but .*r.ar has 2; they must be line-aligned"),
        (["قال", "وصل"], ["said", ""], r"r.en:2: empty reference for the Arabic on r.ar:2"),
        (["قال", ""], ["said", "arrived"], r"r.ar:2: empty Arabic line"),
        ([""], [""], "empty reference file"),
    ],
)
def test_misaligned_line_files(tmp_path: Path, ar: list[str], en: list[str], message: str) -> None:
    path = _write_pair(tmp_path, "r", ar, en)
    with pytest.raises(ReferencesError, match=message):
        load_references([path])


def test_an_en_file_without_its_arabic(tmp_path: Path) -> None:
    path = tmp_path / "r.en"
    path.write_text("said\n", encoding="utf-8")
    with pytest.raises(ReferencesError, match=r"no Arabic for it .*--sources"):
        load_references([path])
    with pytest.raises(ReferencesError, match="give the English file"):
        load_references([tmp_path / "r.ar"])
    (tmp_path / "r.csv").write_text("ar,en\n", encoding="utf-8")
    with pytest.raises(ReferencesError, match="unknown reference format"):
        load_references([tmp_path / "r.csv"])
    for missing in ("missing.tsv", "missing", "missing/"):
        with pytest.raises(ReferencesError, match="no such reference file"):
            load_references([tmp_path / missing])


def test_reference_in_another_encoding(tmp_path: Path) -> None:
    path = tmp_path / "r.tsv"
    path.write_bytes("ar\ten\nقال المتحدث باسم القوات اليوم\tsaid\n".encode("cp1256"))
    with pytest.raises(ReferencesError, match=r"r.tsv: not UTF-8, byte \d+.*iconv") as err:
        load_references([path])
    assert "\n" not in str(err.value)
    utf16 = tmp_path / "u.tsv"
    utf16.write_bytes("ar\ten\nقال\tsaid\n".encode("utf-16"))  # with a BOM: unambiguous
    assert load_references([utf16]).get("قال") == ["said"]


# --- partial results -------------------------------------------------------------------------


def test_partial_and_untranslated_workspaces() -> None:
    docs = prepare([CORPUS])
    refs = load_references([REFERENCES])
    with pytest.raises(WorkspaceError, match="tarjama translate"):
        evaluate(docs, refs)
    first = next(docs[0].segments())
    first.target = "SDF and regime agree"
    report = evaluate(docs, refs)
    assert report["partial"] is True
    assert len(report["untranslated"]) == 20
    assert report["untranslated_documents"] == [d.id for d in docs]
    assert report["coverage"]["with_reference"] == 1 and report["corpus"]["segments"] == 1
    assert report["qa"]["flags"]["untranslated"] == 20
    gate = check_thresholds(report, {"chrf": 0})
    assert not gate["passed"] and "partial results (20 segments" in gate["failures"][-1]


def test_without_references_qa_and_terms_only() -> None:
    docs = _translated()
    report = evaluate(docs, None, glossary=load_glossary(GLOSSARY))
    assert "corpus" not in report and report["signatures"] == {}
    assert report["coverage"]["with_reference"] == 0
    assert report["qa"]["calibration"]["source"] == "default"
    assert report["terms"]["total"] > 0 and report["terms"]["with_reference"] == 0
    assert report["worst"]["by"] == "flags"


def test_report_keys_are_stable() -> None:
    refs = load_references([REFERENCES])
    report = evaluate(_translated(refs), refs, glossary=load_glossary(GLOSSARY))
    assert list(report) == [
        "tarjama",
        "sacrebleu",
        "model",
        "glossary",
        "glossary_at_translation",
        "references",
        "partial",
        "untranslated",
        "untranslated_documents",
        "signatures",
        "documents",
        "corpus",
        "coverage",
        "terms",
        "qa",
        "segments",
        "worst",
    ]
    assert set(report["signatures"]) == {"bleu", "chrf", "ter", "sentence_chrf"}
    assert report["glossary"] == load_glossary(GLOSSARY).digest
    assert report["qa"]["calibration"]["source"] == "references"
    assert len(report["worst"]["segments"]) == 10
    chrfs = [s["chrf"] for s in report["worst"]["segments"]]
    assert chrfs == sorted(chrfs)
    json.dumps(report)  # serializable as is


# --- terminology accuracy --------------------------------------------------------------------


def _doc(*segments: tuple[str, str | None, list[Term]]) -> Document:
    from translate.document import Segment

    doc = Document(id="d")
    doc.paragraphs = [
        [
            Segment(id=f"d:1:{i}", source=src, target=tgt, terms=terms)
            for i, (src, tgt, terms) in enumerate(segments)
        ]
    ]
    return doc


def test_term_accuracy_per_term_document_and_corpus() -> None:
    sdf = Term("قسد", "SDF", 0, 3, entry="قسد", type="armed-group", verdict="kept")
    kobani = Term("عين العرب", "Kobani", 0, 9, entry="عين العرب", type="place", verdict="missed")
    raqqa = Term("الرقة", "Raqqa", 0, 5, entry="الرقة", type="place")
    doc = _doc(
        ("قسد قالت", "The SDF said", [sdf]),
        ("عين العرب هادئة", "Ain al-Arab is calm", [kobani]),
        ("الرقة هادئة", "Raqqa is calm", [raqqa]),
        ("قسد ردت", None, [sdf]),
    )
    refs = References()
    refs.add("قسد قالت", "The SDF said")
    refs.add("عين العرب هادئة", "Kobani is calm")
    refs.add("الرقة هادئة", "The city is calm")
    report = evaluate([doc], refs)
    terms = report["terms"]
    assert (terms["total"], terms["present"]) == (4, 2)
    assert terms["accuracy"] == 50.0
    assert terms["agreement"] == {"both": 1, "output_only": 1, "reference_only": 1, "neither": 0}
    assert terms["reference_confirmed_accuracy"] == 50.0
    assert terms["verdicts"] == {"kept": 2, "missed": 1}
    assert terms["by_term"]["قسد"]["missing"] == ["d:1:3"]  # untranslated counts as missing
    assert terms["by_term"]["عين العرب"] | {"missing": None} == {
        "en": "Kobani",
        "type": "place",
        "total": 1,
        "present": 0,
        "accuracy": 0.0,
        "with_reference": 1,
        "reference_has": 1,
        "missing": None,
        "verdicts": {"missed": 1},
    }
    assert report["documents"]["d"]["terms"]["accuracy"] == 50.0
    gate = check_thresholds(report, {"terms": 100})
    assert gate["failures"][0] == "term accuracy 50.00 < 100"


# --- thresholds ------------------------------------------------------------------------------


def test_parse_thresholds() -> None:
    assert parse_thresholds(["chrf=50,terms=100", "ter=70", "chrF++=51"]) == {
        "chrf": 51.0,
        "terms": 100.0,
        "ter": 70.0,
    }
    for bad in ("meteor=3", "chrf", "chrf=high", "bleu=nan"):
        with pytest.raises(UsageError, match="--fail-under"):
            parse_thresholds([bad])


def test_check_thresholds_ter_is_a_ceiling() -> None:
    report = {
        "corpus": {"bleu": {"score": 30.0}, "chrf": {"score": 55.0}, "ter": {"score": 60.0}},
        "terms": {"accuracy": 100.0},
        "partial": False,
    }
    assert check_thresholds(report, {"chrf": 50, "ter": 65, "terms": 100, "bleu": 30})["passed"]
    gate = check_thresholds(report, {"ter": 50, "bleu": 31})
    assert gate["failures"] == ["TER 60.00 > 50", "BLEU 30.00 < 31"]
    gate = check_thresholds({"terms": {"accuracy": None}, "partial": False}, {"chrf": 1})
    assert gate["failures"] == ["chrF++: cannot check (no segment has a reference)"]


# --- HTML ------------------------------------------------------------------------------------


def test_histogram() -> None:
    bins = histogram([0, 9.9, 10, 55, 100])
    assert [b["count"] for b in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    assert (bins[0]["low"], bins[-1]["high"]) == (0, 100)


def _html_report() -> tuple[dict[str, Any], str]:
    refs = load_references([REFERENCES])
    docs = _translated(refs)
    seg = next(docs[0].segments())
    seg.target = '<script>alert("x")</script> & قسد'
    report = evaluate(docs, refs, glossary=load_glossary(GLOSSARY))
    report["gate"] = check_thresholds(report, {"chrf": 99})
    return report, render_html(report)


def test_html_report_is_self_contained_and_escaped() -> None:
    report, html = _html_report()
    tree = lxml.html.fromstring(html)
    assert not tree.xpath("//script") and "&lt;script&gt;" in html
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html)
    assert len(tree.xpath("//svg//rect[@class='bar']")) == 10
    assert tree.xpath("//h2/text()")[:3] == [
        "Headline",
        "Sentence-level chrF++ distribution",
        "Documents",
    ]
    worst = tree.xpath("//section[@aria-labelledby='h-worst']//tbody/tr")
    assert len(worst) == 10
    first = worst[0]
    assert first.xpath("./td[@lang='ar']/@dir") == ["rtl"]
    assert "arabic-text" in first.text_content()  # its flags are shown beside it
    assert report["corpus"]["bleu"]["signature"] in html
    assert "Quality gate failed" in html


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


CHROMIUM_ARGS = CHROMIUM_FLAGS


def _console_errors(path: Path, tmp_path: Path) -> tuple[list[str], str]:
    """Console errors and page errors of ``path`` opened in headless Chromium, and its title."""
    chromium = _chromium()
    assert chromium
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # the bare browser: console messages go to its log
        proc = subprocess.run(
            [
                *(chromium, "--headless", *CHROMIUM_ARGS),
                *(f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"),
                *("--dump-dom", path.as_uri()),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        title = re.search(r"<title>(.*?)</title>", proc.stdout)
        errors = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
        return errors, title.group(1) if title else ""
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        title = page.title()
        browser.close()
    return errors, title


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed")
def test_html_report_renders_in_headless_chromium_without_errors(tmp_path: Path) -> None:
    _, html = _html_report()
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    errors, title = _console_errors(page, tmp_path)
    assert errors == [] and title == "tarjama quality report"
    # The harness does see errors: a page that reaches for the network breaks the CSP.
    broken = tmp_path / "broken.html"
    broken.write_text(html.replace("</main>", '<img src="http://example.invalid/x.png"></main>'))
    errors, _ = _console_errors(broken, tmp_path)
    assert errors


# --- command line ----------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A translated workspace of the bundled corpus (degraded references, no model)."""
    ws = Workspace(tmp_path / "ws")
    for doc in _translated():
        ws.save(doc)
    return ws.root


def test_evaluate_command_writes_both_reports_and_flags(workspace: Path) -> None:
    result = runner.invoke(
        app, ["evaluate", str(workspace), "--references", str(REFERENCES), "-g", str(GLOSSARY)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["coverage"]["with_reference"] == 21 and summary["partial"] is False
    assert "by_term" not in summary["terms"] and "flags" in summary["qa"]
    report = json.loads((workspace / "report.json").read_text(encoding="utf-8"))
    assert report["corpus"]["chrf"]["score"] == summary["corpus"]["chrf"]["score"]
    assert (workspace / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    stored = Workspace(workspace).load_all()
    flags = [f.code for d in stored for s in d.segments() for f in s.flags]
    assert flags and report["qa"]["segments_flagged"] > 0


def test_evaluate_command_defaults_to_the_bundled_references(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    for doc in _translated():
        ws.save(doc)  # ingested from corpus/raw: the bundled references apply
    result = runner.invoke(app, ["evaluate", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["coverage"]["with_reference"] == 21
    for doc in ws.load_all():
        doc.meta.source_path = str(tmp_path / "elsewhere.txt")
        ws.save(doc)
    result = runner.invoke(app, ["evaluate", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "corpus" not in json.loads(result.stdout)
    assert "no references, so no scores" in result.stderr


def test_evaluate_command_with_en_and_ar_references(workspace: Path, tmp_path: Path) -> None:
    pairs = _bundled_pairs()
    en = _write_pair(tmp_path, "refs", [a for a, _ in pairs], [e for _, e in pairs])
    result = runner.invoke(app, ["evaluate", str(workspace), "-r", str(en)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["coverage"]["with_reference"] == 21
    src = tmp_path / "src.txt"
    shutil.copy(tmp_path / "refs.ar", src)
    (tmp_path / "refs.ar").unlink()
    result = runner.invoke(app, ["evaluate", str(workspace), "-r", str(en), "--sources", str(src)])
    assert result.exit_code == 0, result.output
    (tmp_path / "short.en").write_text("one line\n", encoding="utf-8")
    result = runner.invoke(
        app, ["evaluate", str(workspace), "-r", str(tmp_path / "short.en"), "--sources", str(src)]
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "line-aligned" in result.stderr


def test_fail_under(workspace: Path) -> None:
    base = ["evaluate", str(workspace), "-r", str(REFERENCES), "-g", str(GLOSSARY)]
    result = runner.invoke(app, [*base, "--fail-under", "chrf=10,ter=100"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gate"]["passed"] is True
    result = runner.invoke(app, [*base, "--fail-under", "chrf=99", "--fail-under", "terms=100"])
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        r"tarjama: fail-under: chrF\+\+ \d+\.\d\d < 99; term accuracy \d+\.\d\d < 100", last
    )
    report = json.loads((workspace / "report.json").read_text(encoding="utf-8"))
    assert report["gate"]["passed"] is False  # the report still records why
    result = runner.invoke(app, [*base, "--fail-under", "meteor=3"])
    assert result.exit_code == 2
    assert result.stderr.startswith("tarjama: error: --fail-under: 'meteor=3'")


def test_evaluate_command_on_a_partly_translated_workspace(workspace: Path) -> None:
    ws = Workspace(workspace)
    docs = ws.load_all()
    for seg in docs[0].segments():
        seg.target = None
    ws.save(docs[0])
    result = runner.invoke(app, ["evaluate", str(workspace), "-r", str(REFERENCES)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["partial"] is True
    assert f"partial results: 9 segments are not translated (documents: {docs[0].id})" in (
        result.stderr
    )
    html = (workspace / "report.html").read_text(encoding="utf-8")
    assert "Partial results." in html
    result = runner.invoke(
        app, ["evaluate", str(workspace), "-r", str(REFERENCES), "--fail-under", "chrf=1"]
    )
    assert result.exit_code == 1 and "partial results (9 segments" in result.stderr


@pytest.mark.slow
def test_run_writes_report_html_and_flags(tmp_path: Path, tiny_model: Path) -> None:
    from translate.engine import TranslateOptions
    from translate.pipeline import RunOptions, run

    out = tmp_path / "build"
    result = run(
        RunOptions(
            inputs=[CORPUS],
            out=out,
            glossary=[GLOSSARY],
            translate=TranslateOptions(model=str(tiny_model), num_beams=1),
        )
    )
    assert out / "report.html" in result.written and out / "report.json" in result.written
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["model"] == str(tiny_model) and report["glossary"]
    assert report["coverage"]["with_reference"] == 21  # the bundled corpus: bundled references
    docs = Workspace(out).load_all()
    assert any(s.flags for d in docs for s in d.segments())


@pytest.mark.slow
def test_quality_suite(tmp_path: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from .conftest import ROOT

    spec = importlib.util.spec_from_file_location("quality_run", ROOT / "evaluation/quality/run.py")
    assert spec and spec.loader
    suite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(suite)
    gset = tmp_path / "set.tsv"
    gset.write_text("id\tar\nm1\tوصلت تعزيزات إلى عين العرب والرقة\n", encoding="utf-8")
    results = tmp_path / "results.json"
    args = ["--model", str(tiny_model), "--beams", "1", "--out", str(tmp_path / "ws")]
    args += ["--results", str(results), "--glossary-set", str(gset)]
    monkeypatch.setattr(sys, "argv", ["run.py", *args])
    assert suite.main([*args, "--fail-under", "chrf=99"]) == 1  # random weights: far below
    first = json.loads(results.read_text(encoding="utf-8"))
    assert first["gate"]["passed"] is False and first["previous"] is None
    assert first["coverage"]["with_reference"] == 21
    assert set(first["signatures"]) == {"bleu", "chrf", "ter", "sentence_chrf"}
    assert first["glossary_set"]["sentences"] == 1 and first["glossary_set"]["terms"]["total"] == 2
    assert len(first["outputs"]) == 21 and (tmp_path / "ws" / "report.html").is_file()
    # The next run compares itself with the recorded one (here: the same output).
    docs = Workspace(tmp_path / "ws").load_all()
    previous = suite.against_previous(first, docs, load_references([REFERENCES]))
    assert previous["segments"] == 21
    assert not any(m["significant"] or m["delta"] for m in previous["metrics"].values())
    first["outputs"] = {k: "nothing" for k in first["outputs"]}
    previous = suite.against_previous(first, docs, load_references([REFERENCES]))
    assert previous["metrics"]["chrf"]["better"] == "current"


def test_scores_of_slices_equal_sacrebleus_own_corpus_scores() -> None:
    from translate.evaluate import corpus_scores
    from translate.evaluate.scores import CorpusScorer

    hyps = [
        "The army entered the town of Kobani.",
        "Talks resumed in Geneva on Monday .",
        "The SDF said five fighters were killed.",
        "",
    ]
    refs = [
        ["The army entered Kobani."],
        ["Talks resumed in Geneva on Monday.", "Negotiations restarted in Geneva on Monday."],
        ["The SDF said five of its fighters were killed."],
        ["Nothing."],
    ]
    scorer = CorpusScorer(hyps, refs)
    assert scorer.scores() == corpus_scores(hyps, refs)
    for start, end in [(0, 1), (1, 3), (0, 2), (2, 4)]:
        assert scorer.scores(start, end) == corpus_scores(hyps[start:end], refs[start:end])
