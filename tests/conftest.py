"""Shared fixtures: paths to the bundled data, and a tiny MarianMT model built locally.

The model is real Marian (real sentencepiece tokenizers trained on the bundled corpus, real
``generate``) with random weights and tiny dimensions, built once per test session in a
temporary folder: the hub is not reachable here, and nothing built is committed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "raw"
REFERENCES = ROOT / "corpus" / "references"
GLOSSARY = ROOT / "glossary" / "proper-nouns.tsv"
DATA = Path(__file__).resolve().parent / "data"


def _training_text() -> tuple[list[str], list[str]]:
    arabic: list[str] = []
    english: list[str] = []
    for path in sorted(REFERENCES.glob("*.tsv")):
        with path.open(encoding="utf-8") as fh:
            for row in list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]:
                arabic.append(row[0])
                english.append(row[1])
    for path in sorted(CORPUS.glob("*.txt")):
        arabic += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with GLOSSARY.open(encoding="utf-8") as fh:
        for row in list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]:
            arabic.append(row[0])
            english.append(row[1])
    return arabic, english


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory of a tiny random-weight MarianMT model with real tokenizers."""
    from translate.engine.random_model import build

    arabic, english = _training_text()
    return build(tmp_path_factory.mktemp("models") / "tiny-marian", arabic, english)


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach for the network: hub ids fail fast as on an offline machine."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
