from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from translate.errors import ReferencesError, WorkspaceError
from translate.evaluate import evaluate, load_references, reference_key
from translate.pipeline import prepare

from .conftest import CORPUS, REFERENCES


def sacrebleu_cli(hyps: list[str], refs: list[str], tmp_path: Path) -> dict[str, dict[str, object]]:
    """Scores from sacrebleu's own command line on the same lines."""
    (tmp_path / "hyp.txt").write_text("\n".join(hyps) + "\n", encoding="utf-8")
    (tmp_path / "ref.txt").write_text("\n".join(refs) + "\n", encoding="utf-8")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sacrebleu",
            str(tmp_path / "ref.txt"),
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
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return {m["name"]: m for m in json.loads(out.stdout)}


def _degrade(text: str, k: int) -> str:
    words = text.split()
    return " ".join(w for i, w in enumerate(words) if i % k)  # drop every k-th word


def test_scores_equal_sacrebleus_command_line(tmp_path: Path) -> None:
    docs = prepare([CORPUS])
    refs = load_references([REFERENCES])
    hyps, ref_lines = [], []
    for n, seg in enumerate(s for d in docs for s in d.segments()):
        (ref,) = refs.get(seg.source)
        seg.target = _degrade(ref, 3 + n % 4)
        hyps.append(seg.target)
        ref_lines.append(ref)
    report = evaluate(docs, refs)
    cli = sacrebleu_cli(hyps, ref_lines, tmp_path)
    corpus = report["corpus"]
    assert round(corpus["bleu"]["score"], 6) == pytest.approx(cli["BLEU"]["score"], abs=1e-6)
    assert round(corpus["chrf"]["score"], 6) == pytest.approx(cli["chrF2++"]["score"], abs=1e-6)
    assert round(corpus["ter"]["score"], 6) == pytest.approx(cli["TER"]["score"], abs=1e-6)
    assert corpus["bleu"]["signature"] == cli["BLEU"]["signature"]
    assert corpus["chrf"]["signature"] == cli["chrF2++"]["signature"]
    assert 20 < corpus["bleu"]["score"] < 95
    assert report["coverage"] == {"segments": 21, "with_reference": 21, "without_reference": []}
    assert set(report["documents"]) == {d.id for d in docs}


def test_references_survive_spelling_and_spacing_changes() -> None:
    assert reference_key("إلى الرَّقَّة،  اليوم.") == reference_key("الى الرقه اليوم")


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


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("en\tar\nx\ty\n", ":1: expected a header"),
        ("ar\ten\nقال\n", ":2: expected 2"),
        ("ar\ten\nقال\t\n", ":2: empty en"),
    ],
)
def test_malformed_references(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReferencesError, match=message):
        load_references([path])


def test_reference_in_another_encoding(tmp_path: Path) -> None:
    path = tmp_path / "r.tsv"
    path.write_bytes("ar\ten\nقال\tsaid\n".encode("cp1256"))
    with pytest.raises(ReferencesError, match="not UTF-8"):
        load_references([path])
