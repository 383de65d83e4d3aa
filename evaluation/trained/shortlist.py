"""A vocabulary shortlist on a model that has learned something: what it costs in quality.

Run from the repository root (the test-bench model is trained first if it is not cached)::

    python evaluation/trained/shortlist.py            # both backends, writes shortlist.json

A shortlist (:mod:`translate.engine.shortlist`) is built from the bench model's own training
pairs, with the default options and with a tight one (fewer frequent pieces, fewer candidates per
source piece), and the 300 test sentences are translated with the glossary, as ``tarjama run``
does, without and with each shortlist, by both backends. Reported per backend and shortlist:

* ``chrf``: chrF++ against the references written with the glossary's names, and its change
  against the run without a shortlist (goal: at most 0.5 points lost);
* ``presence``: glossary terms found in the Arabic whose English is in the output (goal: 100%);
* ``identical``: share of sentences whose output is the same as without the shortlist;
* ``candidates``: mean target pieces per batch of 32 length-sorted test sentences, of the
  model's vocabulary (the bench model's vocabulary is small, 1,152 entries: the speed of a
  shortlist is measured on opus-mt's shape in ``evaluation/speed/benchmark.py``).
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import sys
import tempfile
import time
from dataclasses import fields
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evaluation.trained.corpus import bench  # noqa: E402
from evaluation.trained.enforcement import documents, write_glossary  # noqa: E402
from evaluation.trained.train import BENCH, ensure  # noqa: E402
from translate.engine import TranslateOptions, load_backend, translate  # noqa: E402
from translate.engine.shortlist import BuildOptions, Shortlist, build, write  # noqa: E402
from translate.glossary import english_spans, load  # noqa: E402

#: The shortlists measured: the defaults, and a tight one.
VARIANTS = {
    "default": BuildOptions(),
    "tight": BuildOptions(frequent=100, top=20, threshold=0.9),
}


def mean_candidates(shortlist: Shortlist, model: Path, texts: list[str]) -> float:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model / "source.spm"))
    rows = sorted(sp.encode(texts, out_type=str), key=len)
    sizes = [len(shortlist.candidates(rows[i : i + 32])) for i in range(0, len(rows), 32)]
    return round(sum(sizes) / len(sizes), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=["transformers", "ct2"])
    parser.add_argument("--out", type=Path, default=HERE / "shortlist.json")
    args = parser.parse_args()
    from sacrebleu.metrics import CHRF

    metric = CHRF(word_order=2)
    folder = ensure(BENCH)
    data = bench(BENCH.train, BENCH.test, seed=BENCH.seed, small=BENCH.small, lexicon=BENCH.lexicon)
    refs = [p.en_glossary for p in data.test]
    result: dict[str, Any] = {
        "machine": platform.processor() or platform.machine(),
        "model": {"recipe": BENCH.name, "folder": folder.name},
        "test_sentences": len(data.test),
        "training_pairs": len(data.train),
        "shortlists": {},
        "backends": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        glossary = load(write_glossary(data.glossary, Path(tmp) / "bench-glossary.tsv"))
        docs = documents(data.test, glossary)
        texts = [s.normalized for d in docs for s in d.segments()]
        paths: dict[str, Path | None] = {"none": None}
        for name, options in VARIANTS.items():
            options.glossary = [row["en"] for row in data.glossary]
            started = time.perf_counter()
            shortlist, stats = build([(p.ar, p.en) for p in data.train], folder / "model", options)
            seconds = time.perf_counter() - started
            written = write(shortlist, Path(tmp) / f"{name}.vmap")
            paths[name] = written.path
            vocab = len(json.loads((folder / "model" / "vocab.json").read_text("utf-8")))
            result["shortlists"][name] = {
                **{
                    f.name: getattr(options, f.name)
                    for f in fields(options)
                    if f.name != "glossary"
                },
                **written.info(),
                "path": None,
                "build_seconds": round(seconds, 1),
                "vocabulary": vocab,
                "candidates_per_batch": mean_candidates(shortlist, folder / "model", texts),
                "summary": stats.summary(),
            }
        for backend in args.backend or ["transformers", "ct2"]:
            model = folder / ("model" if backend == "transformers" else "ct2")
            if not model.is_dir():
                print(f"{backend}: no model at {model}; skipped", file=sys.stderr)
                continue
            outputs: dict[str, list[Any]] = {}
            rows: dict[str, Any] = {}
            for name, path in paths.items():
                options = TranslateOptions(
                    model=str(model), backend=backend, shortlist=path, default_shortlist=False
                )
                engine = load_backend(options)
                run = copy.deepcopy(docs)
                started = time.perf_counter()
                translate(run, engine, options, glossary=glossary)
                seconds = time.perf_counter() - started
                segs = [s for d in run for s in d.segments()]
                outputs[name] = segs
                hyps = [s.target or "" for s in segs]
                terms = [(s, t) for s in segs for t in s.terms]
                present = sum(bool(english_spans(s.target or "", t.en)) for s, t in terms)
                chrf = metric.corpus_score(hyps, [refs])
                rows[name] = {
                    "chrf": round(chrf.score, 2),
                    "terms": len(terms),
                    "present": present,
                    "presence": round(100 * present / max(len(terms), 1), 2),
                    "kept": sum(t.verdict == "kept" for _, t in terms),
                    "forced": sum(t.verdict == "forced" for _, t in terms),
                    "seconds": round(seconds, 2),
                }
            for name in VARIANTS:
                same = sum(
                    a.target == b.target
                    for a, b in zip(outputs["none"], outputs[name], strict=True)
                )
                rows[name]["chrf_change"] = round(rows[name]["chrf"] - rows["none"]["chrf"], 2)
                rows[name]["identical"] = round(100 * same / len(outputs["none"]), 2)
                rows[name]["goals"] = {
                    "chrf_loss_le_0.5": rows[name]["chrf_change"] >= -0.5,
                    "presence_100": rows[name]["presence"] == 100.0,
                }
            result["backends"][backend] = rows
            print(f"== {backend}")
            print(json.dumps(rows, indent=1))
    result["signature"] = str(metric.get_signature())
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
