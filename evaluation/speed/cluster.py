"""The Ray engine against the local engine, on this machine, in one run.

Run from the repository root (about 10 minutes on 2 cores; needs ``pip install 'tarjama[ray]'``)::

    python evaluation/speed/cluster.py        # writes evaluation/speed/cluster.json
    python evaluation/speed/cluster.py --driver-only   # just the driver's own rates

The random-weight model of opus-mt-ar-en's full shape (the speed benchmark's, 76M parameters,
and its CTranslate2 int8 conversion) translates the same 200+ sentences (the references' sources
and the glossary matching set, written as articles of ten sentences) through ``tarjama run``,
greedy (``--beams 1``: random weights write to each sentence's length cap, and beam 4 would take
the transformers backend ten minutes a run), no glossary:

* ``local``: the local engine (every core, as by default);
* ``ray-1``: ``--engine ray --workers 1 --worker-threads 2`` (one actor with both cores);
* ``ray-2``: ``--engine ray --workers 2`` (two actors, one core each);

each into an empty workspace, then again into the full one (a memorised re-run). Each is a
fresh process timed from start to exit, so the numbers are what a user waits; the decode time
the run itself reports (``translated in … s``, from the first batch planned to the last batch
committed, Ray start and model loading on the actors included) is given beside it. Ray's own
start-up (``ray.init`` of a one-machine Ray and its shutdown) is timed alone in a child process.
``driver`` is what the driver can do alone per second (see :func:`driver_rates`): the ceiling of
any cluster's throughput.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evaluation.speed.benchmark import build_models, sentences  # noqa: E402

ENGINES = {
    "local": [],
    "ray-1": ["--engine", "ray", "--workers", "1", "--worker-threads", "2"],
    "ray-2": ["--engine", "ray", "--workers", "2"],
}
#: CTranslate2 only by default: the transformers backend decodes the random model's capped
#: outputs at well under 1 sentence/s on 2 cores (10 minutes a run); ``--with-transformers``.
BACKENDS = ("ct2", "hf") if "--with-transformers" in sys.argv else ("ct2",)
_DECODE = re.compile(r"translated in ([0-9.]+) s")


def write_articles(folder: Path, per_article: int = 10) -> int:
    texts = sentences()
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(texts), per_article):
        body = "\n\n".join(texts[start : start + per_article])
        (folder / f"article-{start // per_article:03d}.txt").write_text(body + "\n", "utf-8")
    return len(texts)


def timed(cmd: list[str]) -> tuple[float, float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        cmd, capture_output=True, text=True, env=os.environ | {"HF_HUB_OFFLINE": "1"}
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    found = _DECODE.search(done.stderr)
    return wall, float(found.group(1)) if found else 0.0, done.stderr


def ray_startup() -> float:
    code = (
        "import time, ray\n"
        "t = time.perf_counter()\n"
        "ray.init(address='local', num_cpus=2, object_store_memory=256 * 1024**2,\n"
        "         include_dashboard=False, log_to_driver=False)\n"
        "ray.shutdown()\n"
        "print(time.perf_counter() - t)\n"
    )
    env = os.environ | {"RAY_BACKEND_LOG_LEVEL": "fatal"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    return float(out.stdout.strip().splitlines()[-1])


def driver_rates(articles: Path, model: Path) -> dict[str, float]:
    """What the driver alone can do per second: plan sentences (ingest, segmentation, glossary
    matching, token counts, memory keys) and commit translations to the memory. A cluster's
    throughput cannot pass the smaller of the two, however many workers decode."""
    from translate.engine import TranslateOptions, load_backend
    from translate.engine import _term_specs as term_specs
    from translate.glossary import annotate, load
    from translate.memory import TranslationMemory, translation_key
    from translate.pipeline import prepare

    glossary = load(ROOT / "glossary" / "proper-nouns.tsv")
    backend = load_backend(TranslateOptions(model=str(model)))
    started = time.perf_counter()
    rounds = 5
    planned = 0
    for _ in range(rounds):
        docs = prepare([articles])
        for doc in docs:
            annotate(doc, glossary)
        segs = [s for d in docs for s in d.segments()]
        backend.count_tokens([s.normalized for s in segs])
        for seg in segs:
            translation_key(seg.normalized, backend.settings, term_specs(seg, glossary))
        planned += len(segs)
    plan_rate = planned / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as tmp:
        memory = TranslationMemory(Path(tmp) / "memory.sqlite")
        settings = dict(backend.settings)
        batches, per_batch = 200, 32
        started = time.perf_counter()
        for b in range(batches):
            memory.put_many(
                (f"{b}-{i}", "نص عربي " * 10, "English text " * 10, [], [], "m", settings)
                for i in range(per_batch)
            )
        commit_rate = batches * per_batch / (time.perf_counter() - started)
        memory.close()
    return {
        "plan_sentences_per_s": round(plan_rate, 1),
        "commit_sentences_per_s": round(commit_rate, 1),
        "commit_batches_per_s": round(commit_rate / per_batch, 1),
    }


def main() -> int:
    result: dict[str, object] = {
        "machine": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        articles = Path(tmp) / "articles"
        result["sentences"] = write_articles(articles)
        models = build_models(Path(tmp))
        result["driver"] = driver_rates(articles, models.get("ct2", models["hf"]))
        print(f"driver: {result['driver']}")
        if "--driver-only" in sys.argv:
            old = json.loads((HERE / "cluster.json").read_text(encoding="utf-8"))
            old["driver"] = result["driver"]
            (HERE / "cluster.json").write_text(json.dumps(old, indent=2) + "\n", "utf-8")
            return 0
        startups = [ray_startup() for _ in range(3)]
        result["ray_startup_s"] = round(min(startups), 2)
        print(f"Ray start and stop: {min(startups):.2f} s (best of 3)")
        runs: dict[str, dict[str, dict[str, float]]] = {}
        chosen = [b for b in models if b in BACKENDS]
        for backend in chosen:
            model = models[backend]
            runs[backend] = {}
            for engine, extra in ENGINES.items():
                out = Path(tmp) / f"build-{backend}-{engine}"
                cmd = [sys.executable, "-m", "translate", "run", str(articles)]
                cmd += ["--model", str(model), "--out", str(out), "--no-glossary", "--beams", "1"]
                cmd += extra
                wall, decode, _ = timed(cmd)
                again, _, stderr = timed(cmd)
                if " 0 translated" not in stderr:
                    raise SystemExit(f"{engine}: the re-run translated something:\n{stderr}")
                runs[backend][engine] = {
                    "first_run_s": round(wall, 2),
                    "decode_s": round(decode, 2),
                    "memorised_rerun_s": round(again, 2),
                    "rerun_ratio": round(wall / again, 1),
                }
                print(
                    f"{backend} {engine}: {wall:.1f} s (decode {decode:.1f} s), memorised "
                    f"re-run {again:.2f} s ({wall / again:.1f}x)"
                )
            base = runs[backend]["local"]["first_run_s"]
            for engine in ENGINES:
                runs[backend][engine]["vs_local"] = round(
                    base / runs[backend][engine]["first_run_s"], 2
                )
    result["runs"] = runs
    (HERE / "cluster.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
