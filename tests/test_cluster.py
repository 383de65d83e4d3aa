"""The Ray engine on a real Ray: the same documents as the local engine, whatever happens.

Two real Rays, as Ray's own tests do it: the CLI's embedded default (``tarjama run --engine
ray`` starts Ray on this machine, 2 CPUs, a small object store, and stops it), run as a
subprocess so it can be killed; and a two-node ``ray.cluster_utils.Cluster`` on this machine
(a head without CPUs, where the driver runs, and two one-CPU worker nodes), joined in-process,
from which a node is removed in the middle of a run.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import CORPUS, GLOSSARY
from .run_support import ENV, copy_articles, documents, rows, run_cli, run_command

ray = pytest.importorskip("ray", reason="the Ray engine needs Ray: pip install 'tarjama[ray]'")
cluster_utils = pytest.importorskip("ray.cluster_utils")

pytestmark = pytest.mark.slow
STORE = 80 * 1024**2  # object store per node: batches are kilobytes


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_articles(tmp_path_factory.mktemp("articles"))


def _command(articles: Path, model: Path, out: Path, *extra: str) -> list[str]:
    return run_command(articles, model, out, "--batch-sentences", "2", *extra)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def local_run(articles: Path, tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The local engine's workspace: what every Ray run must equal."""
    out = tmp_path_factory.mktemp("local") / "build"
    proc = run_cli(_command(articles, tiny_model, out))
    assert proc.returncode == 0, proc.stderr
    return out


# -- the CLI's embedded Ray ---------------------------------------------------------------------


def test_driver_sigkill_then_same_command_gives_identical_output(
    articles: Path, tiny_model: Path, local_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    memory = out / "memory.sqlite"
    cmd = _command(articles, tiny_model, out, "--engine", "ray")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    deadline = time.monotonic() + 300
    while rows(memory) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = rows(memory)
    total = rows(local_run / "memory.sqlite")
    assert 3 <= done < total
    assert not (out / "documents").exists()
    resumed = run_cli(cmd)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done} from memory, " in resumed.stderr  # the rest translated, nothing twice
    assert re.search(r" on \d+ workers? \(ray\)", resumed.stderr)  # one actor per core
    assert documents(out) == documents(local_run)
    assert rows(memory) == total  # nothing committed twice


def test_memorised_rerun_never_reaches_ray(
    articles: Path, tiny_model: Path, local_run: Path, tmp_path: Path
) -> None:
    # Nothing listens at this address: a run that had to decode would fail (exit 4).
    out = tmp_path / "build"
    shutil.copytree(local_run, out)
    cmd = _command(
        articles, tiny_model, out, "--engine", "ray", "--ray-address", f"127.0.0.1:{_free_port()}"
    )
    proc = run_cli(cmd)
    assert proc.returncode == 0, proc.stderr
    assert " 0 translated" in proc.stderr
    assert documents(out) == documents(local_run)


def test_unreachable_address_is_one_line_and_exit_4(
    articles: Path, tiny_model: Path, tmp_path: Path
) -> None:
    address = f"127.0.0.1:{_free_port()}"
    started = time.monotonic()
    proc = run_cli(
        _command(articles, tiny_model, tmp_path / "b", "--engine", "ray", "--ray-address", address)
    )
    assert proc.returncode == 4, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith(f"tarjama: error: --ray-address {address}: "), proc.stderr
    assert "ray start --head" in lines[-1]
    assert "Traceback" not in proc.stderr
    assert time.monotonic() - started < 60  # not Ray's own minute-long retries
    malformed = run_cli(
        _command(articles, tiny_model, tmp_path / "c", "--engine", "ray", "--ray-address", "head")
    )
    assert malformed.returncode == 4
    assert "not HOST:PORT" in malformed.stderr.strip().splitlines()[-1]


def test_bad_input_fails_before_ray_with_the_local_message(
    tiny_model: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.txt"
    local = run_cli(_command(missing, tiny_model, tmp_path / "a"))
    on_ray = run_cli(_command(missing, tiny_model, tmp_path / "b", "--engine", "ray"))
    assert local.returncode == on_ray.returncode == 2
    assert on_ray.stderr == local.stderr
    assert not (tmp_path / "b").exists()


def test_ray_options_need_the_ray_engine(tiny_model: Path, tmp_path: Path) -> None:
    proc = run_cli(_command(CORPUS, tiny_model, tmp_path / "b", "--workers", "2"))
    assert proc.returncode == 2
    assert "need --engine ray" in proc.stderr
    unknown = run_cli(_command(CORPUS, tiny_model, tmp_path / "b", "--engine", "spark"))
    assert unknown.returncode == 2 and "choose local or ray" in unknown.stderr


# -- a two-node cluster ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A head without CPUs (the driver's machine) and two worker nodes of one CPU each."""
    made = cluster_utils.Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 0, "object_store_memory": STORE, "include_dashboard": False},
    )
    try:
        for _ in range(2):
            made.add_node(num_cpus=1, object_store_memory=STORE)
        made.wait_for_nodes()
        ray.init(address=made.address, include_dashboard=False, log_to_driver=False)
        yield made
    finally:
        ray.shutdown()
        made.shutdown()


def _run_library(
    articles: Path,
    model: Path,
    out: Path,
    *,
    glossary: bool,
    decoder: Any = None,
    progress: Any = None,
) -> Any:
    from translate import pipeline
    from translate.engine import TranslateOptions

    options = pipeline.RunOptions(
        inputs=[articles],
        out=out,
        glossary=[GLOSSARY] if glossary else [],
        translate=TranslateOptions(
            model=str(model), num_beams=2, max_batch_sentences=2, enforce_glossary=glossary
        ),
        decoder=decoder,
    )
    return pipeline.run(options, progress)


@pytest.mark.parametrize("glossary", [True, False], ids=["glossary", "no-glossary"])
@pytest.mark.parametrize("engine", ["transformers", "ct2"])
def test_cluster_output_equals_local_and_second_run_decodes_nothing(
    cluster: Any,
    articles: Path,
    tiny_model: Path,
    ct2_model: Path,
    tmp_path: Path,
    engine: str,
    glossary: bool,
) -> None:
    from translate.engine.cluster import RayDecoder

    model = tiny_model if engine == "transformers" else ct2_model
    local = _run_library(articles, model, tmp_path / "local", glossary=glossary)
    decoder = RayDecoder()
    on_ray = _run_library(articles, model, tmp_path / "ray", glossary=glossary, decoder=decoder)
    assert on_ray.stats.decoded == local.stats.decoded > 10
    assert on_ray.stats.workers == 2  # one actor per worker node
    assert documents(tmp_path / "ray") == documents(tmp_path / "local")
    if glossary:  # enforcement ran on the workers
        verdicts = {t.verdict for d in on_ray.documents for s in d.segments() for t in s.terms}
        assert "forced" in verdicts
    again_decoder = RayDecoder()
    again = _run_library(
        articles, model, tmp_path / "ray", glossary=glossary, decoder=again_decoder
    )
    assert again.stats.decoded == 0 and again.stats.memory_hits == local.stats.sentences
    assert again_decoder.workers == 0


def test_a_node_removed_mid_run_and_the_run_completes_identically(
    cluster: Any, articles: Path, tiny_model: Path, local_run: Path, tmp_path: Path
) -> None:
    from translate.engine.cluster import RayDecoder, RayOptions

    doomed = cluster.add_node(num_cpus=1, object_store_memory=STORE)
    cluster.wait_for_nodes()
    removed: list[int] = []

    def progress(done: int, total: int, documents: int) -> None:
        if done >= 4 and not removed:
            cluster.remove_node(doomed, allow_graceful=False)  # its actor dies with it
            removed.append(done)

    decoder = RayDecoder(RayOptions(workers=3))
    result = _run_library(
        articles, tiny_model, tmp_path / "build", glossary=True, decoder=decoder, progress=progress
    )
    assert removed and removed[0] < result.stats.sentences
    assert decoder.workers == 3
    assert result.stats.decoded == result.stats.sentences
    # The local workspace was written by the CLI with html only, as this run: same documents.
    assert documents(tmp_path / "build") == documents(local_run)
