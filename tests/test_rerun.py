"""A re-run whose every sentence is in the memory reads no weights: it needs the tokenizer for
token counts, and the weights only for what the memory lacks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS, GLOSSARY

pytestmark = pytest.mark.slow
ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def _spoil_weights(model: Path) -> None:
    """Overwrite the weights file with bytes of the same size and put back its modification
    time: the directory looks unchanged (its cached content hash stands), but any read of the
    weights fails."""
    weights = model / ("model.bin" if (model / "model.bin").is_file() else "model.safetensors")
    stat = weights.stat()
    weights.write_bytes(b"\x00" * stat.st_size)
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _run(model: Path, out: Path, backend: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "translate", "run", str(CORPUS), "--model", str(model)]
    cmd += ["--out", str(out), "--glossary", str(GLOSSARY), "--backend", backend]
    return subprocess.run([*cmd, "--beams", "2"], capture_output=True, text=True, env=ENV)


def _documents(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "documents").glob("*.json"))}


@pytest.mark.parametrize("backend", ["transformers", "ct2"])
def test_memorised_rerun_reads_no_weights(
    tmp_path: Path, tiny_model: Path, ct2_model: Path, backend: str
) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_model if backend == "transformers" else ct2_model, model)
    out = tmp_path / "build"
    first = _run(model, out, backend)
    assert first.returncode == 0, first.stderr
    before = _documents(out)
    _spoil_weights(model)
    again = _run(model, out, backend)
    assert again.returncode == 0, again.stderr
    assert "0 translated" in again.stderr, again.stderr
    assert _documents(out) == before
    # A sentence the memory lacks needs the weights, which now say they are damaged.
    (out / "memory.sqlite").unlink()
    shutil.rmtree(out / "documents")
    broken = _run(model, out, backend)
    assert broken.returncode == 3 and "cannot load" in broken.stderr, broken.stderr
    assert "Traceback" not in broken.stderr
