"""A re-run served from memory: `tarjama run corpus/raw` into a workspace that already holds every
translation, against the first run, with a model of opus-mt-ar-en's full shape.

Run from the repository root (about 3 minutes on 2 cores)::

    python evaluation/speed/rerun.py        # writes evaluation/speed/rerun.json

The random-weight model of the speed benchmark (76M parameters, built in a temporary folder,
converted to CTranslate2 int8) translates the bundled corpus through the command line, once into
an empty workspace and then twice more into the same one (best of the two); each run is a fresh
process, timed from start to exit, so the ratio is what a user waits. A memorised re-run reads
no weights (the weights are read only when a sentence is missing from the memory, and the model
directory's content hash is cached), so what it costs is starting Python, ingest, segmentation,
the memory look-up, evaluation and the renderings. Both engines: the local one, and Ray
(``--engine ray``, keys ``*-ray``), whose re-run must not start Ray at all.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evaluation.speed.benchmark import build_models  # noqa: E402


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        cmd, capture_output=True, text=True, env=os.environ | {"HF_HUB_OFFLINE": "1"}
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return time.perf_counter() - started


def main() -> int:
    result: dict[str, object] = {"machine": platform.processor() or platform.machine()}
    runs: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        models = build_models(Path(tmp))
        for (engine, model), where in [
            (item, where) for where in ("local", "ray") for item in models.items()
        ]:
            if where == "ray" and importlib.util.find_spec("ray") is None:
                continue
            out = Path(tmp) / f"build-{engine}-{where}"
            cmd = [sys.executable, "-m", "translate", "run", str(ROOT / "corpus" / "raw")]
            cmd += ["--model", str(model), "--out", str(out), "--engine", where]
            engine = engine if where == "local" else f"{engine}-ray"
            first = timed(cmd)
            again = min(timed(cmd), timed(cmd))
            runs[engine] = {
                "first_run_s": round(first, 2),
                "memorised_rerun_s": round(again, 2),
                "ratio": round(first / again, 1),
            }
            print(
                f"{engine}: first run {first:.1f} s, memorised re-run {again:.2f} s, "
                f"{first / again:.1f}x"
            )
    result["runs"] = runs
    (HERE / "rerun.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
