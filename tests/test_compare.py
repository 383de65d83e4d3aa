"""Comparing two outputs of the same sources: sacrebleu's paired bootstrap resampling."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translate.cli import app
from translate.errors import InputError, ReferencesError
from translate.evaluate import compare, load_references, pair_outputs
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
