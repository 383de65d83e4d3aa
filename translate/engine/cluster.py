"""Decode the translate stage's batches on a Ray cluster (``tarjama run --engine ray``).

Plan on the driver, decode on workers. Everything that decides *what* is translated stays in
the driver as with the local engine: ingest, segmentation, glossary matching, the memory look-up
and the batch plan (:func:`translate.engine.translate`). Only the decoding of the planned batches
moves: they go, as data (the sentences and their glossary terms, never file paths of the
inputs), to a Ray Data actor pool, one model per actor. Each answer comes back to the driver,
which commits it to the SQLite memory as it arrives, the same per-batch commit as a local run;
so the memory has a single writer, a run killed at any moment resumes with what was committed,
and the batches, hence the output, are those of a local run.

Workers
-------
Each actor builds its own backend in its constructor, from the model's *directory* (weights are
never pickled; a CTranslate2 ``Translator`` cannot be: OpenNMT/CTranslate2#932), with its
threads set explicitly (``--worker-threads``, default 1, and the actor reserves as many CPUs), so
actors never oversubscribe a machine whatever ``OMP_NUM_THREADS`` Ray leaves. The model
directory must exist at the same path on every node (a shared disk, or the same
``tarjama model convert`` output copied to each); so must tarjama itself (the same virtual
environment on every node). Ray Data restarts an actor that dies and retries its batch
elsewhere (``max_restarts``/``max_task_retries`` default to unlimited for actor pools in Ray 2.x):
a retried batch can answer twice, and the translate stage keeps the first.

Addresses
---------
Without an address, Ray starts on this machine for the run and stops after it (the embedded
default). With one (``HOST:PORT`` of a head started by ``ray start --head``, or ``auto``) the
run joins that cluster; the address is probed first, so a wrong one fails in seconds with a
:class:`~translate.errors.ClusterError` instead of Ray's own minute-long retries. A program
that already called ``ray.init`` keeps its connection.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import ClusterError
from .types import TermSpec, Translation

if TYPE_CHECKING:
    from . import Backend, Batch, TranslateOptions

#: Object store of an embedded Ray: batches are a few kilobytes; Ray's default (30% of memory)
#: would reserve gigabytes of shared memory for nothing.
EMBEDDED_OBJECT_STORE = 256 * 1024**2
_PROBE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class RayOptions:
    """Where and how wide the Ray engine decodes."""

    address: str | None = None  # None: start Ray on this machine for the run
    workers: int | None = None  # actors; None: as many as the cluster's CPUs allow
    # CPU threads (and reserved CPUs) per actor; None: 1, or more when there are fewer batches
    # than CPUs (a run of one batch decodes it on every core of one machine, not on one core)
    worker_threads: int | None = None


def dump_batch(texts: Sequence[str], terms: Sequence[Sequence[TermSpec]]) -> str:
    """A batch as the JSON the workers are given."""
    return json.dumps(
        {"texts": list(texts), "terms": [[asdict(t) for t in row] for row in terms]},
        ensure_ascii=False,
    )


def load_batch(payload: str) -> tuple[list[str], list[list[TermSpec]]]:
    data = json.loads(payload)
    terms = [
        [TermSpec(t["en"], t["position"], tuple(t["avoid"]), t["end"], t["ar"]) for t in row]
        for row in data["terms"]
    ]
    return list(data["texts"]), terms


def dump_results(results: Sequence[Translation]) -> str:
    return json.dumps(
        [[r.text, sorted(r.terms), sorted(r.forced)] for r in results], ensure_ascii=False
    )


def load_results(payload: str) -> list[Translation]:
    return [
        Translation(text, set(terms), set(forced)) for text, terms, forced in json.loads(payload)
    ]


class BatchWorker:
    """A Ray Data actor: one backend, built once from the model directory, decoding batches.

    ``options`` is a class attribute set by :func:`worker_class`, not a constructor argument:
    Ray keeps constructor arguments in the object store, where a restart after a node loss may
    no longer find them (ray-project/ray#53727); a class travels with its definition.
    """

    options: TranslateOptions
    parts: int | None = None  # the driver backend's batch split, where it has one

    def __init__(self) -> None:
        from . import load_backend

        self.backend = load_backend(self.options)
        if self.parts is not None and hasattr(self.backend, "parts"):
            self.backend.parts = self.parts

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        answers = []
        for payload in batch["payload"]:
            texts, terms = load_batch(str(payload))
            answers.append(dump_results(self.backend.translate_batch(texts, terms)))
        return {"batch": batch["batch"], "result": np.array(answers, dtype=object)}


def worker_class(options: TranslateOptions, parts: int | None = None) -> type[BatchWorker]:
    """A :class:`BatchWorker` that builds its backend with ``options`` (and splits batches in
    ``parts``, as the driver's backend would)."""
    return type("BatchWorker", (BatchWorker,), {"options": options, "parts": parts})


def probe(address: str) -> None:
    """Fail fast, with the fix, when nothing listens at a Ray head's ``HOST:PORT``.

    Raises:
        ClusterError: the address is malformed or nothing answers there within 5 s.
    """
    if address == "auto" or "://" in address:
        return  # Ray resolves these itself, and fails fast when there is nothing
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ClusterError(
            f"--ray-address {address}: not HOST:PORT; give the address `ray start --head` "
            "printed (e.g. 10.0.0.5:6379), or leave it out to run Ray on this machine"
        )
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=_PROBE_SECONDS):
            pass
    except OSError as exc:
        raise ClusterError(
            f"--ray-address {address}: no Ray cluster answers there ({exc.strerror or exc}); "
            "start one with `ray start --head` on that machine, or leave --ray-address out to "
            "run Ray on this machine"
        ) from None


@contextmanager
def _stderr_silenced() -> Iterator[None]:
    """File descriptor 2 pointed at /dev/null while Ray starts: its C++ core prints log lines
    there (which log level it read, warnings about its own internals) that are not the user's
    business; errors still arrive as Python exceptions, and Ray's logs are in its session
    folder. The processes Ray starts inherit the silence."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _quiet_ray_data() -> None:
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    context.verbose_stats_logs = False
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)


class RayDecoder:
    """Decode planned batches on a Ray Data actor pool (see the module docstring).

    Ray is imported and started only when there is something to decode: a run served entirely
    from the memory never starts it. Use as a context manager, or call :meth:`close`.
    """

    name = "ray"

    def __init__(self, options: RayOptions | None = None) -> None:
        self.options = options or RayOptions()
        self.workers = 0
        self._started = False  # we called ray.init: we shut it down

    def connect(self) -> Any:
        """Join the cluster asked for (or start one here) and return the ``ray`` module.

        Raises:
            ClusterError: Ray is not installed, or the cluster cannot be reached.
        """
        try:
            import ray
        except ImportError:
            raise ClusterError("the Ray engine needs Ray: pip install 'tarjama[ray]'") from None
        if ray.is_initialized():
            return ray
        address = self.options.address
        if address:
            probe(address)
        os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
        # Ray's C++ core logs a warning about Ray Data's own actor arguments at error level on
        # every run, when the pool starts (after ray.init); RAY_BACKEND_LOG_LEVEL=info shows its
        # logs again.
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
        kwargs: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "logging_level": logging.ERROR,
            "configure_logging": True,
        }
        try:
            with _stderr_silenced():
                self._init(ray, address, kwargs)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = address or "this machine"
            raise ClusterError(
                f"cannot start or join Ray on {where}: {str(exc).splitlines()[0]}; check "
                "`ray status` there, or leave --ray-address out"
            ) from None
        self._started = True
        return ray

    @staticmethod
    def _init(ray: Any, address: str | None, kwargs: dict[str, Any]) -> None:
        if address:
            ray.init(address=address, **kwargs)
            return
        from .hf import cpu_cores

        ray.init(
            address="local",  # a new Ray for this run, never a stale one's address
            num_cpus=cpu_cores(),
            object_store_memory=EMBEDDED_OBJECT_STORE,
            **kwargs,
        )

    def _shape(self, ray: Any, batches: int) -> tuple[int, int]:
        """How many actors, and how many threads each, for ``batches`` batches."""
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        widest = max(
            [int(n.get("Resources", {}).get("CPU", 0)) for n in ray.nodes() if n.get("Alive")]
            or [1]
        )
        threads = self.options.worker_threads
        if threads is None:
            wanted = min(self.options.workers or cpus, cpus, batches)
            threads = max(1, min(widest, cpus // max(1, wanted)))
        fit = max(1, cpus // threads)
        size = min(self.options.workers, fit) if self.options.workers else fit
        return min(size, batches), threads

    def decode(
        self, backend: Backend, options: TranslateOptions, batches: Sequence[Batch]
    ) -> Iterator[tuple[int, list[Translation]]]:
        ray = self.connect()
        _quiet_ray_data()
        from ray.data import ActorPoolStrategy

        ref = getattr(backend, "ref", None)
        if ref is None:
            raise ClusterError("the Ray engine needs a model loaded from a directory")
        size, threads = self._shape(ray, len(batches))
        self.workers = max(self.workers, size)  # the widest pool of this decoder's runs
        worker_options = replace(options, model=str(ref.path), download=False, threads=threads)
        rows = [
            {"batch": index, "payload": dump_batch(texts, terms)}
            for index, (texts, terms) in enumerate(batches)
        ]
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
            worker_class(worker_options, getattr(backend, "parts", None)),
            batch_size=1,
            batch_format="numpy",
            compute=ActorPoolStrategy(size=size),
            num_cpus=threads,
        )
        for row in dataset.iter_rows():
            yield int(row["batch"]), load_results(str(row["result"]))

    def close(self) -> None:
        if self._started:
            import ray

            ray.shutdown()
            self._started = False

    def __enter__(self) -> RayDecoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
