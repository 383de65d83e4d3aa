"""Shared fixtures: paths to the bundled data, and a tiny MarianMT model built locally.

The model is real Marian (real sentencepiece tokenizers trained on the bundled corpus, real
``generate``) with random weights and tiny dimensions, built once per test session in a
temporary folder: the hub is not reachable here, and nothing built is committed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "raw"
REFERENCES = ROOT / "corpus" / "references"
GLOSSARY = ROOT / "glossary" / "proper-nouns.tsv"
DATA = Path(__file__).resolve().parent / "data"
# Chromium as a root CI job runs it: no sandbox, no GPU, and none of the background services
# that would reach for Google's hosts on a machine without a network.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def playwright_and_chromium() -> tuple[Any, str]:
    """Playwright's sync API and Debian's Chromium (``TARJAMA_CHROMIUM`` may name another
    binary); the test is skipped, naming the install, where either is missing."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install playwright"
    )
    executable = os.environ.get("TARJAMA_CHROMIUM") or shutil.which("chromium")
    if not executable or not Path(executable).exists():
        pytest.skip(
            "Chromium is not installed: apt-get install chromium (Debian's package; "
            "or set TARJAMA_CHROMIUM to a Chromium binary)"
        )
    return sync_api, executable


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory of a tiny random-weight MarianMT model with real tokenizers."""
    from translate.engine.random_model import build, bundled_text

    arabic, english = bundled_text(ROOT)
    return build(tmp_path_factory.mktemp("models") / "tiny-marian", arabic, english)


#: Letters the English of :func:`model_without_v_and_q` never has, in either case.
UNSEEN_LETTERS = "VvQq"


@pytest.fixture(scope="session")
def model_without_v_and_q(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny model like ``tiny_model`` whose target vocabulary cannot write V, v, Q or q.

    Its English is the bundled English less every line with one of those letters, so a glossary
    English such as "Syria TV" or "Qamishli" has a character that becomes ``<unk>``.
    """
    from translate.engine.random_model import build, bundled_text

    arabic, english = bundled_text(ROOT)
    english = [line for line in english if not set(line) & set(UNSEEN_LETTERS)]
    return build(tmp_path_factory.mktemp("models") / "no-v-no-q", arabic, english)


@pytest.fixture(scope="session")
def ct2_model(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Path:
    """The tiny MarianMT model converted to CTranslate2 int8 (skipped without ctranslate2)."""
    pytest.importorskip("ctranslate2")
    from translate.engine.convert import convert

    return convert(str(tiny_model), tmp_path_factory.mktemp("ct2") / "tiny-ct2")


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach for the network: hub ids fail fast as on an offline machine."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def corpus_docs() -> tuple[list[Any], Any]:
    """The bundled articles, segmented, with the bundled glossary's terms matched."""
    from translate.glossary import annotate, load
    from translate.pipeline import prepare

    glossary = load(GLOSSARY)
    docs = prepare([CORPUS])
    for doc in docs:
        annotate(doc, glossary)
    return docs, glossary


def translated_segments(docs: list[Any], glossary: Any, model: Path, **options: Any) -> list[Any]:
    """Translate a copy of ``docs`` with the real engine; returns its segments in order."""
    import copy

    from translate.engine import TranslateOptions, load_backend, translate

    docs = copy.deepcopy(docs)
    settings = TranslateOptions(model=str(model), **options)
    translate(docs, load_backend(settings), settings, glossary=glossary)
    return [s for d in docs for s in d.segments()]
