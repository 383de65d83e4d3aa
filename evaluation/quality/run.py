"""The quality suite: translate the bundled corpus, evaluate it, record the results.

Run it after any change (model, glossary, settings, code)::

    .venv/bin/python evaluation/quality/run.py --model Helsinki-NLP/opus-mt-ar-en
    .venv/bin/python evaluation/quality/run.py            # the tiny random model: plumbing only

It does what ``tarjama run corpus/raw`` does with the bundled glossary and references (scores with
signatures, terminology accuracy, QA flags, ``report.json`` and ``report.html`` in ``--out``),
translates the glossary evaluation set (``evaluation/glossary/matching.tsv``, term-dense sentences
without references) for terminology accuracy on more terms, compares the output with the one
recorded last time (sacrebleu's paired bootstrap resampling), and writes
``evaluation/quality/results.json``. See ``evaluation/README.md`` for how to read it.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus" / "raw"
REFERENCES = ROOT / "corpus" / "references"
GLOSSARY_SET = ROOT / "evaluation" / "glossary" / "matching.tsv"
RESULTS = Path(__file__).resolve().parent / "results.json"
TINY = "tiny"


def build_tiny_model(folder: Path) -> Path:
    """The random-weight MarianMT model the tests use, built from the bundled text."""
    from translate.engine.random_model import build, bundled_text

    arabic, english = bundled_text(ROOT)
    return build(folder / "tiny-marian", arabic, english)


def _shown(path: Path) -> str:
    """A path relative to the checkout when it lies inside it (results are committed)."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if ROOT in path.parents else str(path)


def glossary_set(path: Path, glossary: Any, options: Any) -> dict[str, Any] | None:
    """Translate the glossary evaluation set's sentences; terminology accuracy and QA flags."""
    from translate.arabic import normalize
    from translate.document import Document, Segment
    from translate.evaluate import evaluate
    from translate.pipeline import glossary_and_translate

    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    sentences = [(r.get("id") or str(i), (r.get("ar") or "").strip()) for i, r in enumerate(rows)]
    doc = Document(id="glossary-set")
    doc.paragraphs = [
        [Segment(id=f"glossary-set:{sid}:0", source=ar, normalized=normalize(ar).text)]
        for sid, ar in sentences
        if ar
    ]
    glossary_and_translate([doc], glossary, options)
    report = evaluate([doc], None, glossary=glossary)
    terms = report["terms"]
    return {
        "file": _shown(path),
        "sentences": len(doc.paragraphs),
        "terms": {k: v for k, v in terms.items() if k != "by_term"},
        "missed_terms": {k: v["missing"] for k, v in terms["by_term"].items() if v["missing"]},
        "qa_flags": report["qa"]["flags"],
    }


def against_previous(previous: dict[str, Any], docs: list[Any], refs: Any) -> dict[str, Any]:
    """Paired bootstrap resampling of this run's output against the recorded one."""
    from translate.evaluate import Pairing, compare

    before = previous.get("outputs") or {}
    pairing = Pairing(names=("previous", "current"))
    for doc in docs:
        for seg in doc.segments():
            if seg.id in before and seg.target is not None:
                pairing.add(seg.id, seg.source, before[seg.id], seg.target, refs.get(seg.source))
    if not pairing.ids:
        return {"note": "the recorded results share no scored segment with this run"}
    result = compare(pairing, top=3)
    return {
        "model": previous.get("model"),
        "recorded": previous.get("recorded"),
        "segments": result["segments"],
        "metrics": {
            k: {
                **{f: m[f] for f in ("delta", "p_value", "significant")},
                "better": {"a": "previous", "b": "current"}.get(m["better"]),
            }
            for k, m in result["metrics"].items()
        },
        "differences": result["differences"],
    }


def run(
    model: str, out: Path, beams: int, device: str, results: Path, glossary_file: Path
) -> dict[str, Any]:
    from translate import pipeline
    from translate.engine import TranslateOptions
    from translate.evaluate import load_references

    previous = json.loads(results.read_text(encoding="utf-8")) if results.is_file() else {}
    with tempfile.TemporaryDirectory() as tmp:
        model_path = str(build_tiny_model(Path(tmp))) if model == TINY else model
        options = TranslateOptions(model=model_path, num_beams=beams, device=device)
        result = pipeline.run(
            pipeline.RunOptions(
                inputs=[CORPUS],
                out=out,
                glossary=pipeline.default_glossary(),
                references=[REFERENCES],
                translate=options,
            )
        )
        glossary = pipeline.load_glossary(pipeline.default_glossary())
        gset = glossary_set(glossary_file, glossary, options)
    report = result.report or {}
    refs = load_references([REFERENCES])
    return {
        "suite": "quality",
        "recorded": datetime.date.today().isoformat(),
        "command": " ".join(["python evaluation/quality/run.py", *sys.argv[1:]]),
        "model": {
            "name": model,
            "note": "random weights built by translate.engine.random_model.build: the scores "
            "only show that every code path runs"
            if model == TINY
            else "",
            "num_beams": beams,
        },
        "tarjama": report.get("tarjama"),
        "sacrebleu": report.get("sacrebleu"),
        "glossary": report.get("glossary"),
        "references": [_shown(Path(p)) for p in report.get("references", [])],
        "partial": report.get("partial"),
        "signatures": report.get("signatures"),
        "corpus": {
            k: v["score"] for k, v in (report.get("corpus") or {}).items() if k != "segments"
        },
        "documents": {
            doc_id: {
                **{k: d[k]["score"] for k in ("bleu", "chrf", "ter") if k in d},
                "terms": d["terms"]["accuracy"],
                "flags": d["flags"],
            }
            for doc_id, d in report.get("documents", {}).items()
        },
        "coverage": {k: v for k, v in report.get("coverage", {}).items()},
        "terms": {k: v for k, v in report.get("terms", {}).items() if k != "by_term"},
        "terms_by_entry": {
            k: {"en": v["en"], "accuracy": v["accuracy"], "total": v["total"]}
            for k, v in report.get("terms", {}).get("by_term", {}).items()
        },
        "qa": {
            "flags": report.get("qa", {}).get("flags"),
            "segments_flagged": report.get("qa", {}).get("segments_flagged"),
            "calibration": report.get("qa", {}).get("calibration"),
        },
        "glossary_set": gset,
        "previous": against_previous(previous, result.documents, refs) if previous else None,
        "outputs": {s.id: s.target for d in result.documents for s in d.segments()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model",
        default=TINY,
        help="hub id or model folder; 'tiny' (default) builds the random-weight test model",
    )
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "build" / "quality", help="workspace to write"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="results file to write")
    parser.add_argument("--glossary-set", type=Path, default=GLOSSARY_SET)
    parser.add_argument(
        "--fail-under", action="append", default=[], help="as `tarjama evaluate --fail-under`"
    )
    args = parser.parse_args(argv)

    from translate.errors import TarjamaError
    from translate.evaluate import check_thresholds, parse_thresholds

    try:
        thresholds = parse_thresholds(args.fail_under)
        results = run(
            args.model, args.out, args.beams, args.device, args.results, args.glossary_set
        )
    except TarjamaError as exc:
        print(f"quality: error: {exc}", file=sys.stderr)
        return exc.exit_code
    report = json.loads((args.out / "report.json").read_text(encoding="utf-8"))
    if thresholds:
        results["gate"] = check_thresholds(report, thresholds)
    args.results.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(summary(results))
    print(f"results: {args.results}\nreport:  {args.out / 'report.html'}", file=sys.stderr)
    if thresholds and not results["gate"]["passed"]:
        print(f"quality: fail-under: {'; '.join(results['gate']['failures'])}", file=sys.stderr)
        return 1
    return 0


def summary(results: dict[str, Any]) -> str:
    """A few lines for the terminal."""
    c = results["corpus"]
    lines = [
        f"model {results['model']['name']}: BLEU {c.get('bleu', 0):.2f}  chrF++ "
        f"{c.get('chrf', 0):.2f}  TER {c.get('ter', 0):.2f}  "
        f"({results['coverage']['with_reference']}/{results['coverage']['segments']} segments)",
        f"glossary terms in the output: {results['terms']['present']}/{results['terms']['total']}"
        f" ({results['terms']['accuracy'] or 0:.1f}%)",
        f"QA: {results['qa']['segments_flagged']} segments flagged "
        + ", ".join(f"{k} {v}" for k, v in (results["qa"]["flags"] or {}).items() if v),
    ]
    gset = results.get("glossary_set")
    if gset:
        t = gset["terms"]
        lines.append(
            f"glossary set: {t['present']}/{t['total']} terms in the output "
            f"({t['accuracy'] or 0:.1f}%) over {gset['sentences']} sentences"
        )
    prev = results.get("previous")
    if prev and "metrics" in prev and not any(m["delta"] for m in prev["metrics"].values()):
        lines.append("against the recorded run: the same scores")
    elif prev and "metrics" in prev:
        lines.append(
            "against the recorded run: "
            + ", ".join(
                f"{k} {m['delta']:+.2f} (p = {m['p_value']:.3f})"
                for k, m in prev["metrics"].items()
            )
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
