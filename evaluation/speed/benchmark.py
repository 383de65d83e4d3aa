"""Translation speed: tarjama's engines against a naive baseline measured in the same run.

Run from the repository root (about 10 minutes on 2 cores)::

    python evaluation/speed/benchmark.py                 # writes evaluation/speed/results.json
    python evaluation/speed/benchmark.py --quick         # fewer sentences, for a smoke test

A random-weight MarianMT model of Helsinki-NLP/opus-mt-ar-en's exact shape (d_model 512, 6+6
layers, 8 heads, FFN 2048, 62,802-entry vocabulary, 76M parameters) is built in a temporary
folder, and converted to CTranslate2 int8 when ctranslate2 is installed. Every engine translates
the same sentences with beam 4 and exactly ``--tokens`` output tokens per sentence (end of
sentence is forbidden before, forced at), so each does the same work. Each engine runs in its own
process, so that its peak memory (max RSS) is its own and no engine warms another's caches, and
reports the best of ``--repeat`` runs (3; the slow naive baseline runs once): on a shared
2-core machine single runs move by ±10%.

Engines:

* ``naive``: one ``generate`` call per sentence, transformers defaults (the baseline);
* ``transformers``: tarjama's transformers backend (length-sorted token-budget batches, dynamic
  int8 quantization on CPU), with and without glossary enforcement;
* ``ct2-raw``: CTranslate2 ``translate_batch`` on pre-tokenized input, int8, same beam, one
  batch at a time on all cores (``intra_threads`` = cores, as CTranslate2's documentation sets it);
* ``ct2-raw-split``: the same, threaded as tarjama threads it: each batch split in one part per
  core, decoded side by side (``inter_threads`` = cores, ``intra_threads`` = 1);
* ``ct2``: tarjama's CTranslate2 backend, with and without glossary enforcement.

Results are sentences per second and the ratio to ``naive``; also how throughput changes with the
number of segments (10 → 1,000) for tarjama's default backend.

Shortlist (``shortlist`` key; ``--shortlist-only`` runs just this part and adds it to the
existing results): tarjama's two backends without a vocabulary shortlist and with one, in the same
run, for batches of about 1k, 2k, 4k and 8k candidate pieces (``--candidates``). Random weights
have no parallel text to build a shortlist from, so a synthetic one
(:func:`translate.engine.shortlist.synthetic`) gives half the candidates to the always-allowed
line and the rest, at random, to the source pieces of the batch; the candidates each batch
really gets are counted and reported. Every sentence still decodes exactly ``--tokens`` tokens,
so the difference is the output projection's cost alone.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))


def sentences() -> list[str]:
    """Arabic sentences to translate: the references' sources, then the glossary matching set."""
    out = []
    for path in sorted((ROOT / "corpus" / "references").glob("*.tsv")):
        with path.open(encoding="utf-8") as fh:
            out += [r[0] for r in list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]]
    with (ROOT / "evaluation" / "glossary" / "matching.tsv").open(encoding="utf-8") as fh:
        out += [r["ar"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    return out


def build_models(folder: Path) -> dict[str, Path]:
    from translate.engine.random_model import OPUS_MT, build
    from translate.glossary import load

    glossary = load(ROOT / "glossary" / "proper-nouns.tsv")
    arabic = sentences() + [e.ar for e in glossary.entries]
    english = [e.en for e in glossary.entries]
    for path in sorted((ROOT / "corpus" / "references").glob("*.tsv")):
        english += [line.split("\t")[1] for line in path.read_text("utf-8").splitlines()[1:]]
    models = {"hf": build(folder / "opus-shape", arabic, english, OPUS_MT)}
    try:
        from translate.engine.convert import convert

        models["ct2"] = convert(str(models["hf"]), folder / "opus-shape-ct2", "int8")
    except ImportError:
        pass
    return models


# -- one engine, in a child process ----------------------------------------------------------


def _segments(texts: list[str], glossary: bool) -> list[Any]:
    from translate.document import Document, Segment
    from translate.glossary import annotate, load
    from translate.segment import segment

    doc = Document(id="bench", paragraphs=[[Segment(id="", source=t)] for t in texts])
    segment(doc)
    if glossary:
        annotate(doc, load(ROOT / "glossary" / "proper-nouns.tsv"))
    return [doc]


def child(
    engine: str,
    model: str,
    n: int,
    tokens: int,
    beams: int,
    glossary: bool,
    repeat: int = 1,
    shortlist: str = "",
) -> dict:
    """Time one engine: the best of ``repeat`` runs (the slow baseline runs once)."""
    # Distinct sentences, so that de-duplication does not make larger runs look faster.
    texts = texts_for(n)
    if engine == "naive":
        import torch
        from transformers import MarianMTModel, MarianTokenizer

        torch.set_num_threads(os.cpu_count() or 1)

        tok = MarianTokenizer.from_pretrained(model)
        mdl = MarianMTModel.from_pretrained(model).eval()
        start = time.perf_counter()
        with torch.inference_mode():
            for text in texts:
                enc = tok([text], return_tensors="pt")
                mdl.generate(**enc, num_beams=beams, min_new_tokens=tokens, max_new_tokens=tokens)
        seconds = time.perf_counter() - start
    elif engine in ("ct2-raw", "ct2-raw-split"):
        import ctranslate2
        from transformers import MarianTokenizer

        tok = MarianTokenizer.from_pretrained(model)
        cores = os.cpu_count() or 1
        split = engine == "ct2-raw-split"
        translator = ctranslate2.Translator(
            model,
            device="cpu",
            compute_type="int8",
            intra_threads=1 if split else cores,
            inter_threads=cores if split else 1,
        )
        batch = [tok.convert_ids_to_tokens(tok(t)["input_ids"]) for t in texts]
        order = sorted(range(len(batch)), key=lambda i: -len(batch[i]))
        seconds = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            for k in range(0, len(order), 32):
                translator.translate_batch(
                    [batch[i] for i in order[k : k + 32]],
                    max_batch_size=-(-32 // cores) if split else 0,
                    beam_size=beams,
                    min_decoding_length=tokens,
                    max_decoding_length=tokens,
                )
            seconds = min(seconds, time.perf_counter() - start)
    else:
        from translate.engine import TranslateOptions, load_backend, translate
        from translate.glossary import load

        options = TranslateOptions(
            model=model,
            num_beams=beams,
            enforce_glossary=glossary,
            backend="ct2" if engine == "ct2" else "transformers",
            shortlist=Path(shortlist) if shortlist else None,
            default_shortlist=False,
        )
        backend = load_backend(options)
        backend.fixed_output_tokens = tokens  # type: ignore[attr-defined]
        docs = _segments(texts, glossary)
        gloss = load(ROOT / "glossary" / "proper-nouns.tsv") if glossary else None
        seconds = float("inf")
        for _ in range(repeat):
            run = copy.deepcopy(docs)
            start = time.perf_counter()
            translate(run, backend, options, glossary=gloss)
            seconds = min(seconds, time.perf_counter() - start)
    peak_mb = _peak_rss_mb()
    return {
        "engine": engine,
        "glossary": glossary,
        "sentences": n,
        "seconds": seconds,
        "per_second": n / seconds,
        "peak_rss_mb": round(peak_mb),
        **({"shortlist": True} if shortlist else {}),
    }


def texts_for(n: int) -> list[str]:
    """The ``n`` distinct sentences :func:`child` translates."""
    texts = (sentences() * (n // len(sentences()) + 1))[:n]
    return [f"{t} ({i})" if i >= len(sentences()) else t for i, t in enumerate(texts)]


def synthetic_shortlists(
    model: Path, folder: Path, sizes: list[int], n: int
) -> dict[int, tuple[Path, float]]:
    """A synthetic shortlist per target size, and the mean candidates per batch of 32 that each
    gives the benchmark's sentences."""
    import sentencepiece as spm

    from translate.arabic import normalize
    from translate.engine.shortlist import synthetic, write

    vocab = list(json.loads((model / "vocab.json").read_text(encoding="utf-8")))
    sp = spm.SentencePieceProcessor(model_file=str(model / "source.spm"))
    rows = sorted(
        sp.encode([normalize(t).text for t in texts_for(n)], out_type=str), key=lambda r: -len(r)
    )
    batches = [rows[i : i + 32] for i in range(0, len(rows), 32)]
    distinct = sum(len({p for r in b for p in r}) for b in batches) / len(batches)
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    out = {}
    for size in sizes:
        per_piece = max(1, round(size / 2 / distinct))
        shortlist = synthetic(vocab, pieces, size // 2, per_piece)
        path = write(shortlist, folder / f"synthetic-{size}.vmap").path
        assert path is not None
        mean = sum(len(shortlist.candidates(b)) for b in batches) / len(batches)
        out[size] = (path, round(mean, 1))
    return out


def shortlist_runs(
    models: dict[str, Path], folder: Path, sizes: list[int], n: int, t: int, b: int, r: int
) -> dict[str, Any]:
    """Each backend without a shortlist and with each synthetic one, in this run."""
    lists = synthetic_shortlists(models["hf"], folder, sizes, n)
    out: dict[str, Any] = {
        "vocabulary": len(json.loads((models["hf"] / "vocab.json").read_text("utf-8"))),
        "backends": {},
    }
    for engine, key in (("transformers", "hf"), ("ct2", "ct2")):
        if key not in models:
            continue
        # The baseline runs before and after the shortlist runs and its best counts: load from
        # other processes on a shared machine comes and goes over minutes.
        base = run_child(engine, str(models[key]), n, t, b, False, r)
        rows = []
        for size in sizes:
            path, mean = lists[size]
            got = run_child(engine, str(models[key]), n, t, b, False, r, str(path))
            rows.append(
                {
                    "target_candidates": size,
                    "candidates_per_batch": mean,
                    "per_second": round(got["per_second"], 2),
                    "speedup": round(got["per_second"] / base["per_second"], 2),
                    "peak_rss_mb": got["peak_rss_mb"],
                }
            )
        again = run_child(engine, str(models[key]), n, t, b, False, r)
        best = max(base["per_second"], again["per_second"])
        for row in rows:
            row["speedup"] = round(row["per_second"] / best, 2)
        out["backends"][engine] = {
            "without": round(best, 2),
            "without_runs": [round(base["per_second"], 2), round(again["per_second"], 2)],
            "with": rows,
        }
    return out


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's ``VmHWM`` belongs to the process's own
    address space; ``ru_maxrss`` is carried over from the parent through fork and exec, so
    every child would report at least the parent's size (the parent built the models)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(*args: Any) -> dict:
    cmd = [sys.executable, __file__, "--child", json.dumps(args)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=32)
    parser.add_argument("--tokens", type=int, default=48)
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--scaling", default="10,100,1000", help="segment counts, or empty")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per engine")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--candidates", default="1000,2000,4000,8000", help="shortlist sizes, or empty"
    )
    parser.add_argument(
        "--shortlist-only",
        action="store_true",
        help="only the shortlist runs, added to the existing results file",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*json.loads(args.child))))
        return 0
    if args.quick:
        args.sentences, args.tokens, args.scaling, args.repeat = 8, 16, "", 1
    n, t, b = args.sentences, args.tokens, args.beams
    sizes = [int(x) for x in args.candidates.split(",") if x]
    if args.shortlist_only:
        with tempfile.TemporaryDirectory() as tmp:
            models = build_models(Path(tmp))
            short = shortlist_runs(models, Path(tmp), sizes, n, t, b, args.repeat)
        short["settings"] = {"sentences": n, "output_tokens": t, "beams": b}
        print("shortlist:", json.dumps(short, indent=1))
        if not args.quick:
            recorded = json.loads(args.out.read_text(encoding="utf-8"))
            recorded["shortlist"] = short
            args.out.write_text(json.dumps(recorded, indent=1) + "\n", encoding="utf-8")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        models = build_models(Path(tmp))
        hf, ct2 = str(models["hf"]), str(models.get("ct2", ""))
        r = args.repeat
        runs = [
            run_child("naive", hf, n, t, b, False),
            run_child("transformers", hf, n, t, b, False, r),
            run_child("transformers", hf, n, t, b, True, r),
        ]
        if ct2:
            runs += [
                run_child("ct2-raw", ct2, n, t, b, False, r),
                run_child("ct2-raw-split", ct2, n, t, b, False, r),
                run_child("ct2", ct2, n, t, b, False, r),
                run_child("ct2", ct2, n, t, b, True, r),
            ]
        base = runs[0]["per_second"]
        for r in runs:
            r["vs_naive"] = round(r["per_second"] / base, 2)
        scaling = []
        default = ct2 or hf
        for count in [int(x) for x in args.scaling.split(",") if x]:
            r = run_child("ct2" if ct2 else "transformers", default, count, t, b, False)
            scaling.append({"segments": count, "per_second": round(r["per_second"], 2)})
        short = shortlist_runs(models, Path(tmp), sizes, n, t, b, args.repeat) if sizes else {}
    by = {(r["engine"], r["glossary"]): r for r in runs}
    ratios = {
        "transformers_vs_naive": by[("transformers", False)]["vs_naive"],
        "glossary_cost_transformers": round(
            by[("transformers", False)]["per_second"] / by[("transformers", True)]["per_second"], 2
        ),
    }
    if ("ct2", False) in by:
        for raw in ("ct2-raw", "ct2-raw-split"):
            ratios[f"ct2_vs_{raw.replace('-', '_')}"] = round(
                by[("ct2", False)]["per_second"] / by[(raw, False)]["per_second"], 2
            )
        ratios["glossary_cost_ct2"] = round(
            by[("ct2", False)]["per_second"] / by[("ct2", True)]["per_second"], 2
        )
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
        },
        "settings": {"sentences": n, "output_tokens": t, "beams": b, "best_of": args.repeat},
        "runs": runs,
        "ratios": ratios,
        "scaling": scaling,
        "shortlist": short,
    }
    for r in runs:
        print(
            f"{r['engine']:<13} glossary={r['glossary']!s:<5} {r['per_second']:7.2f} sent/s  "
            f"{r['vs_naive']:5.2f}x naive  peak {r['peak_rss_mb']} MB"
        )
    print("ratios:", json.dumps(ratios))
    if scaling:
        print("scaling:", json.dumps(scaling))
    if not args.quick:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
