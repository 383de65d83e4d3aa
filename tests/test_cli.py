"""The command line, end to end, with the tiny local model and the bundled corpus."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from typer.testing import CliRunner

from translate.cli import app
from translate.evaluate import load_references

from .conftest import CORPUS, GLOSSARY, REFERENCES
from .test_evaluate import sacrebleu_cli

runner = CliRunner()

PLANTED = """خبر تجريبي عن حلب - موقع الاختبار

خبر تجريبي عن حلب

قال مصدر إن <script>alert("x")</script> وصل إلى حلب & الرقة اليوم.

وأضاف أن "قسد" لم ترد على الأسئلة.
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Path:
    """`tarjama run` on the bundled corpus plus an article with markup in it."""
    base = tmp_path_factory.mktemp("run")
    corpus = base / "raw"
    shutil.copytree(CORPUS, corpus)
    (corpus / "planted.txt").write_text(PLANTED, encoding="utf-8")
    out = base / "build"
    result = runner.invoke(
        app,
        [
            "run",
            str(corpus),
            "--model",
            str(tiny_model),
            "--out",
            str(out),
            "--references",
            str(REFERENCES),
            "--glossary",
            str(GLOSSARY),
            "--format",
            "md,jsonl",
            "--beams",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out / "html" / "index.html")
    return out


def _docs(out: Path) -> dict[str, dict]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((out / "documents").glob("*.json"))
    }


def _segments(doc: dict) -> list[dict]:
    return [doc["title"], *[s for p in doc["paragraphs"] for s in p]]


def test_run_writes_the_whole_workspace(workspace: Path) -> None:
    ids = ["baladi-sdf-regime-heavy-weapons", "planted", "thiqa-regime-reinforcements-kobani"]
    assert sorted(_docs(workspace)) == ids
    for doc_id in ids:
        for path in (
            workspace / "html" / f"{doc_id}.html",
            workspace / "exports" / f"{doc_id}.md",
            workspace / "exports" / f"{doc_id}.jsonl",
        ):
            assert path.is_file() and path.stat().st_size > 0
    assert (workspace / "html" / "index.html").is_file()
    assert not list(workspace.rglob("*.tmp")), "temporary files left behind"


def test_every_segment_has_english_and_origin(workspace: Path) -> None:
    for doc in _docs(workspace).values():
        for seg in _segments(doc):
            assert seg["target"] and seg["state"] == "translated"
            assert seg["origin"]["engine"] == "transformers" and seg["origin"]["num_beams"] == 2


def test_glossary_terms_of_the_seed_sentences_are_recorded(workspace: Path) -> None:
    docs = _docs(workspace)
    thiqa = _segments(docs["thiqa-regime-reinforcements-kobani"])
    assert [(t["ar"], t["en"]) for t in thiqa[0]["terms"]] == [
        ("نظام الأسد", "Assad regime"),
        ("عين العرب", "Kobani"),
        ("قسد", "SDF"),
    ]
    first = [(t["ar"], t["en"]) for t in thiqa[1]["terms"]]
    assert first == [
        ("نظام الأسد", "Assad regime"),
        ("عين العرب", "Kobani"),
        ("كوباني", "Kobani"),
        ("حلب", "Aleppo"),
        ("قوات سوريا الديمقراطية", "Syrian Democratic Forces"),
        ("قسد", "SDF"),
    ]
    baladi = _segments(docs["baladi-sdf-regime-heavy-weapons"])
    assert [t["en"] for t in baladi[0]["terms"]] == ["SDF", "Aleppo", "Raqqa"]
    for seg in thiqa + baladi:
        for term in seg["terms"]:
            assert seg["source"][term["start"] : term["end"]] == term["ar"]


def test_markup_in_an_article_is_escaped_everywhere(workspace: Path) -> None:
    page = (workspace / "html" / "planted.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    tree = lxml.html.fromstring(page)
    assert len(tree.findall(".//script")) == 1  # only the page's own toggle script
    md = (workspace / "exports" / "planted.md").read_text(encoding="utf-8")
    assert "<script>" not in md
    line = next(
        json.loads(x)
        for x in (workspace / "exports" / "planted.jsonl").read_text().splitlines()
        if "<script>" in x
    )
    assert '<script>alert("x")</script>' in line["ar"]  # data formats keep the text as written


def test_side_by_side_pages_pair_every_sentence(workspace: Path) -> None:
    doc = _docs(workspace)["thiqa-regime-reinforcements-kobani"]
    tree = lxml.html.fromstring((workspace / "html" / f"{doc['id']}.html").read_bytes())
    rows = tree.xpath("//main//div[@class='pair']")
    assert len(rows) == len(_segments(doc)) - 1  # the title is in the header
    for row, seg in zip(rows, _segments(doc)[1:], strict=True):
        ar, en = row.xpath("./div[@lang='ar']")[0], row.xpath("./div[@lang='en']")[0]
        assert ar.get("dir") == "rtl" and en.get("dir") == "ltr"
        assert ar.text_content() == seg["source"]
        assert en.text_content().strip().startswith(seg["target"][:20])
    index = lxml.html.fromstring((workspace / "html" / "index.html").read_bytes())
    links = {a.get("href") for a in index.xpath("//a")}
    assert f"{doc['id']}.html" in links


def test_report_equals_sacrebleu_on_the_same_lines(workspace: Path, tmp_path: Path) -> None:
    report = json.loads((workspace / "report.json").read_text(encoding="utf-8"))
    refs = load_references([REFERENCES])
    hyps, ref_lines = [], []
    for doc in _docs(workspace).values():
        for seg in _segments(doc):
            found = refs.get(seg["source"])
            if found:
                hyps.append(seg["target"])
                ref_lines.append(found[0])
    cli = sacrebleu_cli(hyps, ref_lines, tmp_path)
    assert round(report["corpus"]["bleu"]["score"], 6) == pytest.approx(
        cli["BLEU"]["score"], abs=1e-6
    )
    assert round(report["corpus"]["chrf"]["score"], 6) == pytest.approx(
        cli["chrF2++"]["score"], abs=1e-6
    )
    assert round(report["corpus"]["ter"]["score"], 6) == pytest.approx(
        cli["TER"]["score"], abs=1e-6
    )
    assert report["corpus"]["ter"]["signature"] == cli["TER"]["signature"]
    assert report["coverage"]["with_reference"] == 21
    assert all(s.startswith("planted:") for s in report["coverage"]["without_reference"])
    for doc_id in ("baladi-sdf-regime-heavy-weapons", "thiqa-regime-reinforcements-kobani"):
        assert set(report["documents"][doc_id]) >= {"bleu", "chrf", "ter", "segments"}


def test_stage_commands_chain(tmp_path: Path, tiny_model: Path) -> None:
    out = tmp_path / "ws"
    assert runner.invoke(app, ["ingest", str(CORPUS), "--out", str(out)]).exit_code == 0
    result = runner.invoke(app, ["evaluate", str(out), "--references", str(REFERENCES)])
    assert result.exit_code != 0 and "tarjama translate" in result.stderr
    result = runner.invoke(app, ["translate", str(out), "--model", str(tiny_model), "--beams", "1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export", str(out), "--format", "md", "--format", "jsonl,html"])
    assert result.exit_code == 0, result.output
    assert (out / "exports" / "baladi-sdf-regime-heavy-weapons.md").is_file()
    index = (out / "html" / "index.html").read_text(encoding="utf-8")
    assert "chrF++" not in index and "report.html" not in index
    page = out / "html" / "baladi-sdf-regime-heavy-weapons.html"
    assert '<li class="flag">' not in page.read_text(encoding="utf-8")
    lines = out / "exports" / "baladi-sdf-regime-heavy-weapons.jsonl"

    def flagged() -> int:
        rows = [json.loads(line) for line in lines.read_text(encoding="utf-8").splitlines()]
        return sum(bool(row["flags"]) for row in rows)

    assert flagged() == 0
    result = runner.invoke(app, ["evaluate", str(out), "--references", str(REFERENCES)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["coverage"]["with_reference"] == 21
    # The edition shows what the evaluation found, and links the report.
    index = (out / "html" / "index.html").read_text(encoding="utf-8")
    assert "chrF++" in index and 'href="../report.html"' in index
    assert '<li class="flag">' in page.read_text(encoding="utf-8")  # the QA flags, on the page
    assert flagged() > 0  # and in the exports the workspace had
    assert not (out / "exports" / "baladi-sdf-regime-heavy-weapons.tmx").exists()


def test_ingest_json_and_explain() -> None:
    path = CORPUS / "thiqa-regime-reinforcements-kobani.txt"
    result = runner.invoke(app, ["ingest", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == "thiqa-regime-reinforcements-kobani"
    result = runner.invoke(app, ["ingest", str(path), "--explain"])
    assert "line   31  removed (back-to-top): زر الذهاب إلى الأعلى" in result.stdout


def test_glossary_match_json() -> None:
    result = runner.invoke(
        app,
        [
            "glossary",
            "match",
            "--glossary",
            str(GLOSSARY),
            "--json",
            "تعزيزات إلى عين العرب والرقة",
        ],
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {
            "ar": "عين العرب",
            "en": "Kobani",
            "start": 12,
            "end": 21,
            "entry": "عين العرب",
            "type": "place",
        },
        {"ar": "الرقة", "en": "Raqqa", "start": 23, "end": 28, "entry": "الرقة", "type": "place"},
    ]


def test_segment_command() -> None:
    result = runner.invoke(app, ["segment", "قال د. محمد إنه وصل. ثم غادر!"])
    assert result.stdout.splitlines() == ["قال د. محمد إنه وصل.", "ثم غادر!"]


def _bad(tmp_path: Path, tiny_model: Path) -> dict[str, list[str]]:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 50)
    notmodel = tmp_path / "notmodel"
    notmodel.mkdir()
    (notmodel / "readme.txt").write_text("hi")
    good = str(CORPUS)
    return {
        "empty file": ["run", str(empty), "--model", str(tiny_model)],
        "binary file": ["run", str(binary), "--model", str(tiny_model)],
        "missing folder": ["run", str(tmp_path / "nowhere"), "--model", str(tiny_model)],
        "unknown format": ["run", good, "--model", str(tiny_model), "--format", "docx"],
        "not a model": ["run", good, "--model", str(notmodel)],
        "uncached hub model": ["run", good, "--model", "Helsinki-NLP/opus-mt-ar-en"],
        "bad glossary": ["run", good, "--model", str(tiny_model), "--glossary", str(empty)],
    }


@pytest.mark.parametrize(
    "case",
    [
        "empty file",
        "binary file",
        "missing folder",
        "unknown format",
        "not a model",
        "uncached hub model",
        "bad glossary",
    ],
)
def test_bad_input_one_line_nonzero_nothing_written(
    tmp_path: Path, tiny_model: Path, case: str
) -> None:
    out = tmp_path / "out"
    args = [*_bad(tmp_path, tiny_model)[case], "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code not in (0, None), result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tarjama: error: "), result.stderr
    assert "Traceback" not in result.output
    assert not out.exists(), "a failed run must not leave output behind"


def test_console_script_prints_no_traceback(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "translate", "run", str(empty), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == f"tarjama: error: {empty}: the file is empty; nothing to translate"
    )


def test_unwritable_workspace_fails_before_translating(tiny_model: Path) -> None:
    result = runner.invoke(
        app,
        [
            "run",
            str(CORPUS),
            "--model",
            str(tiny_model),
            "--out",
            "/proc/1/tarjama-out",
            "--no-memory",
        ],
    )
    assert result.exit_code == 4
    assert result.stderr.strip().startswith("tarjama: error: /proc/1/tarjama-out: cannot write")
    assert "translated" not in result.stderr  # it stopped before any translation


def _on_a_terminal(args: list[str]) -> str:
    """Run tarjama with its output on a pseudo-terminal, as in a shell; returns what it showed
    (escape sequences removed, one line per screen update)."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "COLUMNS": "160", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "translate", *args],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown.extend(chunk)
    os.close(controller)
    assert proc.wait(timeout=300) == 0, shown.decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_progress_bar_on_a_terminal(tmp_path: Path, tiny_model: Path) -> None:
    args = ["run", str(CORPUS), "--model", str(tiny_model), "--out", str(tmp_path / "b")]
    shown = _on_a_terminal([*args, "--batch-sentences", "4"])
    bar = [line for line in shown.splitlines() if " sentences" in line and " left " in line]
    assert bar, shown
    # Documents, sentences, sentences per second, time spent and left.
    assert re.fullmatch(
        r"translating 2 documents \S+ 21/21 sentences \d+\.\d/s 0:00:\d\d left 0:00:00",
        bar[-1].strip(),
    ), bar[-1]
    assert "21 translated" in shown
    # Everything from the memory: the bar is full from the start, with no speed to show.
    shown = _on_a_terminal(args)
    bar = [line for line in shown.splitlines() if " sentences" in line and " left " in line]
    assert bar and all("21/21 sentences" in line and "/s " not in line for line in bar), bar
    assert "21 from memory, 0 translated" in shown


# -- --no-glossary, and glossary English the model cannot write --------------------------------

ARTICLE = """خبر عن القامشلي

قال تلفزيون سوريا إن القصف طال القامشلي وحلب اليوم.

وأضاف أن قسد لم ترد.
"""


def _article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.mark.slow
def test_run_and_translate_without_a_glossary(tmp_path: Path, tiny_model: Path) -> None:
    article = _article(tmp_path)
    out = tmp_path / "run"
    args = ["run", str(article), "--model", str(tiny_model), "--beams", "1", "--out", str(out)]
    with_glossary = runner.invoke(app, [*args[:-1], str(tmp_path / "with")])
    assert with_glossary.exit_code == 0, with_glossary.output
    assert any(s["terms"] for s in _segments(_docs(tmp_path / "with")["article"]))
    result = runner.invoke(app, [*args, "--no-glossary"])
    assert result.exit_code == 0, result.output
    segments = _segments(_docs(out)["article"])
    assert segments and all(s["target"] for s in segments)
    assert not any(s["terms"] for s in segments)
    assert all(s["origin"]["glossary_enforced"] is False for s in segments)
    # The stage command: a workspace translated with no glossary carries no terms either.
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["ingest", str(article), "--out", str(ws)]).exit_code == 0
    result = runner.invoke(
        app, ["translate", str(ws), "--model", str(tiny_model), "--beams", "1", "--no-glossary"]
    )
    assert result.exit_code == 0, result.output
    assert not any(s["terms"] for s in _segments(_docs(ws)["article"]))


@pytest.mark.parametrize("command", ["run", "translate"])
def test_no_glossary_conflicts_with_a_glossary(
    tmp_path: Path, tiny_model: Path, command: str
) -> None:
    target = str(_article(tmp_path)) if command == "run" else str(tmp_path)
    out = ["--out", str(tmp_path / "out")] if command == "run" else []
    result = runner.invoke(
        app,
        [command, target, "--model", str(tiny_model), "--no-glossary", "-g", str(GLOSSARY), *out],
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "tarjama: error: --no-glossary and --glossary contradict each other; give one or the other"
    )
    assert not (tmp_path / "out").exists()


SPELLING_GLOSSARY = (
    "ar\ten\ttype\n"
    "تلفزيون سوريا\tSyria TV\torganisation\n"  # 2: matched, has a V
    "حلب\tAleppo\tplace\n"  # 3: matched, writable
    "فنزويلا\tVenezuela\tplace\n"  # 4: has a V, in no sentence
    "القامشلي\tQamishli\tplace\n"  # 5: matched, has a Q
)


@pytest.mark.slow
def test_run_warns_about_matched_terms_the_model_cannot_write(
    tmp_path: Path, model_without_v_and_q: Path
) -> None:
    glossary = tmp_path / "g.tsv"
    glossary.write_text(SPELLING_GLOSSARY, encoding="utf-8")
    out = tmp_path / "out"
    args = [str(_article(tmp_path)), "--model", str(model_without_v_and_q), "-g", str(glossary)]
    result = runner.invoke(app, ["run", *args, "--beams", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [
        f'tarjama: warning: {glossary}:2: "Syria TV": the model cannot write "V"; '
        "this term will be reported missed",
        f'tarjama: warning: {glossary}:5: "Qamishli": the model cannot write "Q"; '
        "this term will be reported missed",
    ]
    # Printed before the translation, and what it foretold is what happened.
    assert result.stderr.index("warning") < result.stderr.index("translated")
    verdicts = {t["en"]: t["verdict"] for s in _segments(_docs(out)["article"]) for t in s["terms"]}
    assert verdicts["Syria TV"] == verdicts["Qamishli"] == "missed"
    # The stage command warns in the same way.
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["ingest", str(_article(tmp_path)), "--out", str(ws)]).exit_code == 0
    result = runner.invoke(app, ["translate", str(ws), *args[1:], "--beams", "1"])
    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if "warning" in line] == warnings
