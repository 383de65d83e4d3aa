"""One rendering per name per article: measured on the trained test-bench model.

Articles are built from the test sentences of the synthetic corpus (:mod:`evaluation.trained
.corpus`): for each name the bench glossary lacks, up to four test sentences that hold it make
one article (names outside the glossary repeat there, as in news). Each article is translated
through :func:`translate.pipeline.glossary_and_translate` with the bench glossary enforced, once
with the consistency pass (the default) and once with ``consistency=False``. Reported:

* ``identical``: of the (article, name) pairs where a name the glossary lacks occurs in two or
  more sentences, the share whose rendering is the same in every sentence. A sentence's rendering
  of a name is the learned English when the output has it, else the capitalised run nearest the
  name's place (:func:`translate.names.english_names`), else nothing (counted as different).
* ``chrf``: chrF++ of all sentences against the references in the glossary's renderings.
* ``finding``: of the articles' names, how many candidate finding proposes from the Arabic
  alone and with the model's English (translations without the pass), and how many other
  candidates it proposes (the synthetic sentences hold no other name the glossary lacks).

    python evaluation/names/consistency.py        # writes consistency.json
"""

from __future__ import annotations

import copy
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evaluation.trained.corpus import Name, Pair, bench  # noqa: E402
from evaluation.trained.train import BENCH, ensure  # noqa: E402
from translate.arabic import normalize  # noqa: E402
from translate.document import Document, Segment  # noqa: E402
from translate.glossary import Entry, Glossary, english_has  # noqa: E402

#: Sentences per article at most.
PER_ARTICLE = 4


def articles(pairs: list[Pair], pool: list[Name]) -> list[tuple[Name, list[Pair]]]:
    """For each name outside the glossary, the test sentences that hold it (two or more)."""
    out = []
    used: set[int] = set()
    for name in pool:
        if name.glossary is not None:
            continue
        chosen = [
            i
            for i, p in enumerate(pairs)
            if i not in used and any(n.ar == name.ar for n in p.names)
        ][:PER_ARTICLE]
        if len(chosen) >= 2:
            used.update(chosen)
            out.append((name, [pairs[i] for i in chosen]))
    return out


def document(n: int, sentences: list[Pair]) -> Document:
    doc = Document(id=f"article-{n}", paragraphs=[])
    for k, pair in enumerate(sentences, 1):
        seg = Segment(id=f"article-{n}:{k}:1", source=pair.ar, normalized=normalize(pair.ar).text)
        doc.paragraphs.append([seg])
    return doc


def rendering(seg: Segment, name: Name) -> str | None:
    from translate.names import english_names

    target = seg.target or ""
    if english_has(target, name.en):
        return name.en
    runs = english_names(target, [t.en for t in seg.terms if t.verdict != "consistent"])
    if not runs:
        return None
    where = seg.source.find(name.ar) / max(len(seg.source), 1)
    return min(runs, key=lambda r: abs(r[0] / max(len(target), 1) - where))[2]


def finding(
    groups: list[tuple[Name, list[Pair]]], docs: list[Document], glossary: Glossary
) -> dict[str, Any]:
    """Whether ``tarjama glossary suggest`` finds each article's name, from the Arabic alone and
    with the model's English (the transliteration signal), and what else it proposes."""
    from translate.names import SuggestOptions, find_candidates

    out: dict[str, Any] = {}
    for label, english in (("arabic_only", False), ("with_english", True)):
        found = names = other = by_english = 0
        for (name, sents), doc in zip(groups, docs, strict=True):
            cands = find_candidates([doc], glossary, SuggestOptions(english=english))
            wanted = normalize(name.ar).text
            # every name of the article's sentences the glossary lacks is a right candidate
            lacking = {normalize(n.ar).text for p in sents for n in p.names if n.glossary is None}
            hit = [c for c in cands if c.ar == wanted]
            found += bool(hit)
            by_english += bool(hit) and "transliterated" in hit[0].signals
            names += sum(c.ar in lacking for c in cands)
            other += sum(c.ar not in lacking for c in cands)
        out[label] = {
            "article_names_found": found,
            "recall": round(found / len(groups), 3) if groups else None,
            "found_by_english": by_english,
            "candidates": names + other,
            "precision": round(names / (names + other), 3) if names + other else None,
        }
    return out


def scores(
    groups: list[tuple[Name, list[Pair]]], docs: list[Document], refs: list[str]
) -> dict[str, Any]:
    """Identical renderings of each article's name, chrF++, and the terms the pass recorded."""
    import sacrebleu

    same = 0
    for (name, _), doc in zip(groups, docs, strict=True):
        got = {rendering(seg, name) for seg in doc.segments()}
        same += len(got) == 1 and None not in got
    hyps = [s.target or "" for d in docs for s in d.segments()]
    consistent = sum(t.verdict == "consistent" for d in docs for s in d.segments() for t in s.terms)
    return {
        "identical": round(same / len(groups), 3) if groups else None,
        "identical_count": same,
        "chrf": round(sacrebleu.corpus_chrf(hyps, [refs], word_order=2).score, 2),
        "consistent_terms": consistent,
    }


def main() -> int:
    from translate.engine import TranslateOptions, load_backend
    from translate.engine.consistency import enforce_consistency
    from translate.pipeline import glossary_and_translate

    folder = ensure(BENCH)
    # CTranslate2 when converted (the quicker engine on CPU), else transformers
    model = folder / "ct2" if (folder / "ct2").is_dir() else folder / "model"
    data = bench()
    glossary = Glossary(
        [Entry(r["ar"], r["en"], r.get("type", "")) for r in data.glossary]  # bench glossary
    )
    groups = articles(data.test, data.pool)
    docs = [document(n, sents) for n, (_, sents) in enumerate(groups, 1)]
    refs = [p.en_glossary for _, sents in groups for p in sents]
    result: dict[str, Any] = {
        "model": f"{folder.name}/{model.name}",
        "articles": len(docs),
        "sentences": len(refs),
        "names": len(groups),
        "rendering": "learned English if present, else the capitalised run nearest the name",
    }
    options = TranslateOptions(model=str(model))
    backend = load_backend(options)
    for label, on in (("without", False), ("with", True)):
        run = copy.deepcopy(docs)
        options.consistency = on
        started = time.perf_counter()
        glossary_and_translate(run, glossary, options, backend=backend)
        seconds = time.perf_counter() - started
        result[label] = {**scores(groups, run, refs), "seconds": round(seconds, 1)}
        print(label, result[label], file=sys.stderr)
        if not on:
            result["finding"] = finding(groups, run, glossary)
            print("finding", result["finding"], file=sys.stderr)
            # the pass with names found by the English too (off in tarjama: why, measured)
            both = copy.deepcopy(run)
            enforce_consistency(both, backend, glossary, english_signal=True)
            result["with_english_signal"] = scores(groups, both, refs)
            print("with_english_signal", result["with_english_signal"], file=sys.stderr)
    result["chrf_delta"] = round(result["with"]["chrf"] - result["without"]["chrf"], 2)
    (HERE / "consistency.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
