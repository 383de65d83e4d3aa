"""Glossary enforcement on a model that has its own opinion about names.

Run from the repository root (trains the test-bench model first if it is not cached)::

    python evaluation/trained/enforcement.py              # both backends, writes results.json
    python evaluation/trained/enforcement.py --small      # the test sessions' model, quicker

The 300 test sentences of the synthetic corpus (:mod:`evaluation.trained.corpus`) are translated
by the model trained on it (:mod:`evaluation.trained.train`) with each backend, once without the
glossary and once with it, through the library calls ``tarjama run`` makes (segmentation,
glossary matching, batching, decoding, verdicts). Reported per backend:

* ``model``: chrF++ without the glossary against references in the *learned* renderings: does
  the model work at all?
* ``presence``: glossary terms found in the Arabic whose English is in the output.
* ``duplication``: names whose glossary English appears more often than the Arabic has the name
  (``over_counted``: share of sentences with names where that happens), and disagreeing names
  whose learned rendering is still in the output (``own_rendering_kept``: share of occurrences).
* ``collateral``: chrF++ of the words outside the names (every rendering of every name of the
  sentence masked out) against the masked glossary references, with and without the glossary,
  and the masked enforced output scored against the masked unconstrained output.
* ``scores``: chrF++ and BLEU against references written with the glossary's names.
* ``agreeing``: sentences whose names all agree with the model: share whose output is identical
  to the output without the glossary; verdicts by agreeing / disagreeing name.
* ``seconds``: decoding time with and without the glossary (same process, same batches, best
  of two), and the ratio.

The with/without comparison of each backend is also written as an HTML page
(``comparison-<backend>.html``) with the segments that differ most, side by side.
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evaluation.trained.corpus import Name, Pair, bench  # noqa: E402
from evaluation.trained.train import BENCH, SMALL, Recipe, ensure  # noqa: E402
from translate.document import Document, Segment  # noqa: E402
from translate.engine import TranslateOptions, load_backend, translate  # noqa: E402
from translate.glossary import Glossary, annotate, english_spans, load  # noqa: E402


def write_glossary(rows: list[dict[str, str]], path: Path) -> Path:
    lines = ["ar\ten\ttype"] + [f"{r['ar']}\t{r['en']}\t{r['type']}" for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def documents(pairs: list[Pair], glossary: Glossary) -> list[Document]:
    """One document, a paragraph per test sentence, segmented and matched as a run would."""
    from translate.segment import segment

    doc = Document(
        id="bench",
        paragraphs=[[Segment(id=f"bench:{i}:1", source=p.ar)] for i, p in enumerate(pairs, 1)],
    )
    segment(doc)
    for i, para in enumerate(doc.paragraphs, 1):
        if len(para) != 1:  # each test sentence is one sentence: keep it whole
            doc.paragraphs[i - 1] = [
                Segment(
                    id=f"bench:{i}:1",
                    source=pairs[i - 1].ar,
                    normalized=" ".join(s.normalized for s in para),
                )
            ]
    return [annotate(doc, glossary)]


def run(
    model: Path, backend: str, docs: list[Document], glossary: Glossary, enforce: bool
) -> tuple[list[Segment], list[float]]:
    """Translate ``docs`` twice with one engine; returns the segments and both times (the first
    includes what the engine learns once, e.g. how the model renders each name alone)."""
    options = TranslateOptions(model=str(model), backend=backend, enforce_glossary=enforce)
    engine = load_backend(options)
    times: list[float] = []
    out: list[Document] = []
    for _ in range(2):
        out = copy.deepcopy(docs)
        started = time.perf_counter()
        translate(out, engine, options, glossary=glossary)
        times.append(time.perf_counter() - started)
    return [s for d in out for s in d.segments()], times


def count(text: str, en: str) -> int:
    return len(english_spans(text, en))


def written(text: str, en: str, names: list[Name]) -> int:
    """Occurrences of ``en`` in ``text``, less those inside another name of the sentence
    (Syria in Syria TV)."""
    inside = sum(
        count(text, m.glossary or "")
        for m in names
        if m.glossary and m.glossary != en and count(m.glossary, en)
    )
    return count(text, en) - inside


def mask(text: str, names: list[Name]) -> str:
    """``text`` with every rendering of the sentence's names cut out (longest first)."""
    renderings = sorted({r for n in names for r in (n.en, n.glossary) if r}, key=len, reverse=True)
    for r in renderings:
        text = re.sub(r"(?<![^\W_])" + re.escape(r) + r"(?![^\W_])", " ", text, flags=re.I)
    return " ".join(text.split())


def measure(
    pairs: list[Pair], plain: list[Segment], enforced: list[Segment], seconds: dict[str, float]
) -> dict[str, Any]:
    import sacrebleu

    hyp_plain = [s.target or "" for s in plain]
    hyp_enf = [s.target or "" for s in enforced]
    learned = [p.en for p in pairs]
    refs = [p.en_glossary for p in pairs]

    def chrf(hyps: list[str], references: list[str]) -> float:
        return round(sacrebleu.corpus_chrf(hyps, [references], word_order=2).score, 2)

    def bleu(hyps: list[str], references: list[str]) -> float:
        return round(sacrebleu.corpus_bleu(hyps, [references]).score, 2)

    terms = present = 0
    verdicts: dict[str, Counter[str]] = {"agree": Counter(), "disagree": Counter()}
    by_en = {}
    for p in pairs:
        for n in p.names:
            if n.glossary:
                by_en[n.glossary] = n
    for seg in enforced:
        for t in seg.terms:
            terms += 1
            present += bool(english_spans(seg.target or "", t.en))
            name = by_en.get(t.en)
            if name is not None:
                verdicts["agree" if name.agrees else "disagree"][t.verdict or "none"] += 1
    with_names = over = 0
    own = own_total = 0
    agree_total = agree_same = 0
    examples: dict[str, list[dict[str, str]]] = {
        "own_rendering": [],
        "over_counted": [],
        "agreeing_changed": [],
        "outside_names_changed": [],
    }
    for p, a, b in zip(pairs, plain, enforced, strict=True):
        glossed = [n for n in p.names if n.glossary]
        if not glossed:
            continue
        with_names += 1
        text = b.target or ""
        arabic = Counter(n.glossary for n in glossed)

        if any(written(text, en, p.names) > k for en, k in arabic.items() if en):
            over += 1
            examples["over_counted"].append({"ar": p.ar, "out": text, "ref": p.en_glossary})
        for n in glossed:
            if not n.agrees:
                own_total += 1
                # The learned rendering, unless the glossary's English contains it (Al-Hasakah).
                if count(text, n.en) > count(n.glossary or "", n.en) * count(
                    text, n.glossary or ""
                ):
                    own += 1
                    examples["own_rendering"].append(
                        {"ar": p.ar, "out": text, "ref": p.en_glossary}
                    )
        if all(n.agrees for n in glossed):
            agree_total += 1
            same = (a.target or "") == text
            agree_same += same
            if not same:
                examples["agreeing_changed"].append(
                    {"ar": p.ar, "plain": a.target or "", "out": text}
                )
    masked_refs = [mask(r, p.names) for r, p in zip(refs, pairs, strict=True)]
    masked_plain = [mask(h, p.names) for h, p in zip(hyp_plain, pairs, strict=True)]
    masked_enf = [mask(h, p.names) for h, p in zip(hyp_enf, pairs, strict=True)]
    for p, a, b, ma, mb in zip(pairs, hyp_plain, hyp_enf, masked_plain, masked_enf, strict=True):
        if ma != mb:
            examples["outside_names_changed"].append({"ar": p.ar, "plain": a, "out": b})
    return {
        "model": {"chrf_learned_references": chrf(hyp_plain, learned)},
        "presence": {
            "terms": terms,
            "present": present,
            "share": round(100 * present / max(terms, 1), 2),
        },
        "duplication": {
            "sentences_with_names": with_names,
            "over_counted": over,
            "over_counted_share": round(100 * over / max(with_names, 1), 2),
            "disagreeing_occurrences": own_total,
            "own_rendering_kept": own,
            "own_rendering_share": round(100 * own / max(own_total, 1), 2),
        },
        "collateral": {
            "chrf_outside_names_without": chrf(masked_plain, masked_refs),
            "chrf_outside_names_with": chrf(masked_enf, masked_refs),
            "chrf_with_against_without": chrf(masked_enf, masked_plain),
        },
        "scores": {
            "chrf_without": chrf(hyp_plain, refs),
            "chrf_with": chrf(hyp_enf, refs),
            "bleu_without": bleu(hyp_plain, refs),
            "bleu_with": bleu(hyp_enf, refs),
        },
        "agreeing": {
            "sentences": agree_total,
            "identical": agree_same,
            "identical_share": round(100 * agree_same / max(agree_total, 1), 2),
        },
        "verdicts": {k: dict(v) for k, v in verdicts.items()},
        "seconds": {
            **{k: round(v, 3) for k, v in seconds.items()},
            "ratio": round(seconds["with_glossary"] / seconds["without_glossary"], 3),
        },
        "examples": {k: v[:8] for k, v in examples.items()},
    }


def goals(result: dict[str, Any]) -> dict[str, bool]:
    """The issue's goals, each true or false, for one backend's result."""
    return {
        "presence_100": result["presence"]["share"] == 100.0,
        "own_rendering_le_1pct": result["duplication"]["own_rendering_share"] <= 1.0,
        "no_over_count_ge_99pct": result["duplication"]["over_counted_share"] <= 1.0,
        "agreeing_identical_ge_99pct": result["agreeing"]["identical_share"] >= 99.0,
        "chrf_higher_with_glossary": result["scores"]["chrf_with"]
        > result["scores"]["chrf_without"],
        "outside_names_within_1": abs(
            result["collateral"]["chrf_outside_names_with"]
            - result["collateral"]["chrf_outside_names_without"]
        )
        <= 1.0,
        "time_le_1.3x": result["seconds"]["ratio"] <= 1.3,
    }


def comparison_page(
    pairs: list[Pair], plain: list[Segment], enforced: list[Segment], path: Path, label: str
) -> None:
    try:
        from translate.evaluate import compare_hypotheses, render_comparison_html
    except ImportError:  # an older tarjama without the comparison page
        return
    result = compare_hypotheses(
        [p.ar for p in pairs],
        [s.target for s in plain],
        [s.target for s in enforced],
        [p.en_glossary for p in pairs],
        names=(f"{label} without glossary", f"{label} with glossary"),
        top=50,
    )
    path.write_text(render_comparison_html(result), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="the test sessions' small model")
    parser.add_argument("--backend", action="append", choices=["transformers", "ct2"])
    parser.add_argument("--out", type=Path, default=None, help="default: results.json here")
    args = parser.parse_args()
    recipe: Recipe = SMALL if args.small else BENCH
    folder = ensure(recipe)
    data = bench(recipe.train, recipe.test, seed=recipe.seed, small=recipe.small)
    out = args.out or HERE / ("results-small.json" if args.small else "results.json")
    with tempfile.TemporaryDirectory() as tmp:
        glossary = load(write_glossary(data.glossary, Path(tmp) / "bench-glossary.tsv"))
    docs = documents(data.test, glossary)
    matched = sum(len(s.terms) for d in docs for s in d.segments())
    expected = sum(1 for p in data.test for n in p.names if n.glossary)
    result: dict[str, Any] = {
        "machine": platform.processor() or platform.machine(),
        "model": {"recipe": recipe.name, "folder": folder.name},
        "test_sentences": len(data.test),
        "glossary_entries": len(data.glossary),
        "agreeing_entries": sum(1 for n in data.pool if n.agrees),
        "names_in_test": expected,
        "terms_matched": matched,
        "backends": {},
    }
    for backend in args.backend or ["transformers", "ct2"]:
        model = folder / ("model" if backend == "transformers" else "ct2")
        if not model.is_dir():
            print(f"{backend}: no model at {model}; skipped", file=sys.stderr)
            continue
        plain, t_plain = run(model, backend, docs, glossary, enforce=False)
        enforced, t_enf = run(model, backend, docs, glossary, enforce=True)
        r = measure(
            data.test,
            plain,
            enforced,
            {"without_glossary": min(t_plain), "with_glossary": min(t_enf)},
        )
        # The first run with a fresh engine: the names are asked of the model once.
        r["seconds"]["first_run_ratio"] = round(t_enf[0] / t_plain[0], 3)
        r["goals"] = goals(r)
        result["backends"][backend] = r
        comparison_page(
            data.test,
            plain,
            enforced,
            out.with_name(f"comparison-{backend}{'-small' if args.small else ''}.html"),
            backend,
        )
        print(f"== {backend}")
        print(json.dumps({k: v for k, v in r.items() if k != "examples"}, indent=1))
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
