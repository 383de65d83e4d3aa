"""Helpers for tests that run ``tarjama run`` as a user does, in a child process (so that it
can be killed), over the seed articles and the outlet pages."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from .conftest import CORPUS, DATA, GLOSSARY

ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def copy_articles(folder: Path) -> Path:
    """The seed articles and the outlet pages in ``folder``: enough sentences for many small
    batches."""
    for path in [*CORPUS.glob("*.txt"), *(DATA / "pages").glob("*.txt")]:
        shutil.copy(path, folder / path.name)
    return folder


def run_command(articles: Path, model: Path, out: Path, *extra: str) -> list[str]:
    """``tarjama run`` of ``articles`` with the bundled glossary, beam 2, and ``extra``."""
    return [
        sys.executable,
        "-m",
        "translate",
        "run",
        str(articles),
        "--model",
        str(model),
        "--out",
        str(out),
        "--glossary",
        str(GLOSSARY),
        "--beams",
        "2",
        *extra,
    ]


def run_cli(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=900)


def rows(memory: Path) -> int:
    """Translations committed to a memory so far (0 before it exists)."""
    try:
        with sqlite3.connect(memory, timeout=1) as db:
            return int(db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])
    except sqlite3.Error:
        return 0


def documents(out: Path) -> dict[str, str]:
    """A workspace's documents, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((out / "documents").glob("*"))}
