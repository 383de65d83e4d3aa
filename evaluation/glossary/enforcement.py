"""Glossary enforcement: are the terms in the English, and what does it cost?

Run from the repository root::

    python evaluation/glossary/enforcement.py                  # both parts, writes enforcement.json
    python evaluation/glossary/enforcement.py --sentences 32   # a quicker timing

1. *Presence*: every sentence of ``matching.tsv`` is translated by a tiny random-weight MarianMT
   model with enforcement on; for each expected term, is its English in the output? Random weights
   never produce a name by chance, so this measures the decoder's guarantee, not the model. With
   ``ctranslate2`` installed, the same for the CTranslate2 backend (the model converted to int8).
2. *Cost*: the same sentences (the first ``--sentences``) translated by a random-weight model of
   opus-mt-ar-en's full shape (76M parameters), beam 4, with and without enforcement, in one
   process; the ratio of the two wall-clock times is the cost of enforcement. Twice: at natural
   lengths (a random model runs every sentence to its length cap, and a sentence's cap grows by
   its terms' tokens, so part of that ratio is longer output, not enforcement), and with every
   output exactly ``--tokens`` long, as the speed benchmark measures it.
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from evaluation.glossary.matching import read_set  # noqa: E402
from translate.document import Document, Segment  # noqa: E402
from translate.engine import TranslateOptions, load_backend, translate  # noqa: E402
from translate.engine.random_model import OPUS_MT, TINY, build, bundled_text  # noqa: E402
from translate.glossary import Glossary, annotate, english_has, load  # noqa: E402
from translate.pipeline import prepare  # noqa: E402


def training_text(rows: list[dict[str, str]]) -> tuple[list[str], list[str]]:
    arabic, english = bundled_text(ROOT)
    return arabic + [row["ar"] for row in rows], english


def documents(rows: list[dict[str, str]], glossary: Glossary) -> list[Document]:
    """One document holding each evaluation sentence as a segment, with its terms matched."""
    doc = Document(id="matching", paragraphs=[[Segment(id="", source=r["ar"])] for r in rows])
    from translate.segment import segment

    # Each row is one sentence; keep it whole even if it holds an abbreviation's full stop.
    segment(doc)
    doc.paragraphs = [
        [
            Segment(
                id=f"matching:{i}:1",
                source=r["ar"],
                normalized=p[0].normalized if len(p) == 1 else " ".join(s.normalized for s in p),
            )
        ]
        for i, (r, p) in enumerate(zip(rows, doc.paragraphs, strict=True), 1)
    ]
    return [annotate(doc, glossary)]


def presence(model: Path, docs: list[Document], glossary: Glossary) -> dict[str, object]:
    docs = copy.deepcopy(docs)
    options = TranslateOptions(model=str(model), num_beams=4)
    translate(docs, load_backend(options), options, glossary=glossary)
    terms = [(s, t) for d in docs for s in d.segments() for t in s.terms]
    present = sum(english_has(s.target or "", t.en) for s, t in terms)
    verdicts: dict[str, int] = {}
    for _, t in terms:
        verdicts[t.verdict or "none"] = verdicts.get(t.verdict or "none", 0) + 1
    return {
        "terms": len(terms),
        "present": present,
        "presence": 100.0 * present / len(terms) if terms else 100.0,
        "verdicts": verdicts,
    }


def timing(
    model: Path, docs: list[Document], glossary: Glossary, n: int, tokens: int | None = None
) -> dict[str, object]:
    docs = copy.deepcopy(docs)
    docs[0].paragraphs = docs[0].paragraphs[:n]
    seconds = {}
    backend = None
    for enforce in (False, True, False, True):  # interleaved, best of two each
        options = TranslateOptions(model=str(model), num_beams=4, enforce_glossary=enforce)
        if backend is None:
            backend = load_backend(options)
            backend.fixed_output_tokens = tokens  # type: ignore[attr-defined]
        run = copy.deepcopy(docs)
        start = time.perf_counter()
        translate(run, backend, options, glossary=glossary)
        took = time.perf_counter() - start
        key = "with_glossary" if enforce else "without_glossary"
        seconds[key] = min(seconds.get(key, float("inf")), took)
    terms = sum(len(s.terms) for s in docs[0].segments())
    return {
        "sentences": n,
        "terms": terms,
        "beam": 4,
        "output_tokens": tokens or "natural",
        "seconds": seconds,
        "ratio": seconds["with_glossary"] / seconds["without_glossary"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=48, help="sentences in the timing run")
    parser.add_argument("--tokens", type=int, default=48, help="output tokens, fixed-length timing")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "enforcement.json")
    args = parser.parse_args()
    glossary = load(ROOT / "glossary" / "proper-nouns.tsv")
    rows = read_set(HERE / "matching.tsv")
    docs = documents(rows, glossary)
    corpus = prepare([ROOT / "corpus" / "raw"])
    for doc in corpus:
        annotate(doc, glossary)
    result: dict[str, object] = {"machine": platform.processor() or platform.machine()}
    with tempfile.TemporaryDirectory() as tmp:
        arabic, english = training_text(rows)
        tiny = build(Path(tmp) / "tiny", arabic, english, TINY)
        models = {"": tiny}  # result-key suffix → model
        try:
            import ctranslate2  # noqa: F401
        except ImportError:
            print("presence, CTranslate2: skipped (pip install 'tarjama[ct2]')")
        else:
            from translate.engine.convert import convert

            models["_ct2"] = convert(str(tiny), Path(tmp) / "tiny-ct2")
        for suffix, model in models.items():
            found = [presence(model, docs, glossary), presence(model, corpus, glossary)]
            result[f"presence_matching_set{suffix}"], result[f"presence_corpus{suffix}"] = found
            print(f"presence{suffix}:", *map(json.dumps, found))
        if not args.skip_timing:
            full = build(Path(tmp) / "full", arabic, english, OPUS_MT)
            result["timing_full_size"] = timing(full, docs, glossary, args.sentences)
            print("timing:", json.dumps(result["timing_full_size"]))
            fixed = timing(full, docs, glossary, args.sentences, args.tokens)
            result["timing_full_size_fixed_length"] = fixed
            print("timing, fixed length:", json.dumps(fixed))
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
