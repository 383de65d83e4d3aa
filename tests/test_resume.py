"""Crash safety: a run killed with SIGKILL, or stopped with Ctrl-C, resumes to the same output."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .run_support import ENV, copy_articles, documents, rows, run_cli, run_command

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_articles(tmp_path_factory.mktemp("articles"))


def _command(articles: Path, model: Path, out: Path) -> list[str]:
    return run_command(articles, model, out, "--batch-sentences", "1", "--format", "jsonl")


def _start_and_wait(cmd: list[str], memory: Path, at_least: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    deadline = time.monotonic() + 600
    while rows(memory) < at_least and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    return proc


@pytest.fixture(scope="module")
def uninterrupted(
    articles: Path, tiny_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("clean") / "build"
    proc = run_cli(_command(articles, tiny_model, out))
    assert proc.returncode == 0, proc.stderr
    return out


def test_sigkill_mid_run_then_resume_gives_identical_output(
    articles: Path, tiny_model: Path, uninterrupted: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    memory = out / "memory.sqlite"
    proc = _start_and_wait(_command(articles, tiny_model, out), memory, at_least=3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done = rows(memory)
    assert 3 <= done < rows(uninterrupted / "memory.sqlite")
    assert not (out / "documents").exists()  # documents are written only when complete
    resumed = run_cli(_command(articles, tiny_model, out))
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done} from memory" in resumed.stderr
    assert documents(out) == documents(uninterrupted)
    assert rows(memory) == rows(uninterrupted / "memory.sqlite")  # nothing duplicated


def test_ctrl_c_stops_after_the_batch_and_says_how_to_resume(
    articles: Path, tiny_model: Path, uninterrupted: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    proc = _start_and_wait(_command(articles, tiny_model, out), out / "memory.sqlite", at_least=3)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    last = stderr.strip().splitlines()[-1]
    assert (
        last.startswith("tarjama: error: interrupted after ")
        and "run the same command again" in last
    )
    assert "Traceback" not in stderr
    again = run_cli(_command(articles, tiny_model, out))
    assert again.returncode == 0, again.stderr
    assert documents(out) == documents(uninterrupted)


def test_second_run_translates_zero_segments(
    uninterrupted: Path, articles: Path, tiny_model: Path
) -> None:
    proc = run_cli(_command(articles, tiny_model, uninterrupted))
    assert proc.returncode == 0, proc.stderr
    assert " 0 translated" in proc.stderr
    report = json.loads((uninterrupted / "report.json").read_text(encoding="utf-8"))
    assert report["tarjama"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MB file system (tmpfs) to fill up; needs the right to mount (root in CI)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small file system to fill ({made.stderr.strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Take all the free space of ``disk`` but ``leave`` bytes."""
    ballast = disk / "ballast"
    stat = os.statvfs(disk)
    ballast.write_bytes(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))
    return ballast


def _fails_cleanly_on_full_disk(proc: subprocess.CompletedProcess[str], out: Path) -> None:
    assert proc.returncode == 4, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tarjama: error: "), proc.stderr
    assert "free disk space" in lines[0] and "run the same command again" in lines[0]
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_full_disk_while_translating_then_resume(
    articles: Path, tiny_model: Path, uninterrupted: Path, small_disk: Path
) -> None:
    out = small_disk / "build"
    ballast = _fill(small_disk, leave=64 * 1024)  # the memory's journal cannot grow for long
    failed = run_cli(_command(articles, tiny_model, out))
    _fails_cleanly_on_full_disk(failed, out)
    assert not (out / "documents").exists()
    ballast.unlink()
    resumed = run_cli(_command(articles, tiny_model, out))
    assert resumed.returncode == 0, resumed.stderr
    assert documents(out) == documents(uninterrupted)


def test_full_disk_while_writing_documents_then_resume(
    articles: Path, tiny_model: Path, uninterrupted: Path, small_disk: Path
) -> None:
    out = small_disk / "build"
    out.mkdir()
    shutil.copy(uninterrupted / "memory.sqlite", out)  # every sentence is translated already
    ballast = _fill(small_disk, leave=64 * 1024)  # not room for the documents
    failed = run_cli(_command(articles, tiny_model, out))
    _fails_cleanly_on_full_disk(failed, out)
    written = documents(out)
    assert len(written) < len(documents(uninterrupted))
    assert all(
        written[name] == text for name, text in documents(uninterrupted).items() if name in written
    )
    ballast.unlink()
    resumed = run_cli(_command(articles, tiny_model, out))
    assert resumed.returncode == 0, resumed.stderr
    assert " 0 translated" in resumed.stderr
    assert documents(out) == documents(uninterrupted)
