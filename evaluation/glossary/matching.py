"""Glossary matching precision and recall on the hand-written set ``matching.tsv``.

Run from the repository root::

    python evaluation/glossary/matching.py            # prints the scores, writes matching.json
    python evaluation/glossary/matching.py --check    # also exits 1 below 100% (used by tests)

A predicted match counts as correct when its span (``ar`` as written) and its English both equal
an expected one of the same sentence; precision = correct / predicted, recall = correct /
expected, over the whole set.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from translate.glossary import load  # noqa: E402


def read_set(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def expected_terms(cell: str) -> list[tuple[str, str]]:
    pairs = []
    for item in (cell or "").split(" | "):
        if item.strip():
            surface, _, english = item.partition("=")
            pairs.append((surface, english))
    return pairs


def score(glossary_path: Path, set_path: Path) -> dict[str, object]:
    glossary = load(glossary_path)
    rows = read_set(set_path)
    predicted_total = expected_total = correct = 0
    errors = []
    by_tag: Counter[str] = Counter()
    for row in rows:
        expected = expected_terms(row["terms"])
        got = [(t.ar, t.en) for t in glossary.match(row["ar"])]
        hits = sum((Counter(expected) & Counter(got)).values())
        predicted_total += len(got)
        expected_total += len(expected)
        correct += hits
        if hits != len(expected) or hits != len(got):
            errors.append({"id": row["id"], "expected": expected, "got": got})
            by_tag.update(row["covers"].split())
    return {
        "sentences": len(rows),
        "expected_terms": expected_total,
        "predicted_terms": predicted_total,
        "precision": 100.0 * correct / predicted_total if predicted_total else 100.0,
        "recall": 100.0 * correct / expected_total if expected_total else 100.0,
        "glossary_entries": len(glossary),
        "errors": errors,
        "error_tags": dict(by_tag),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glossary", type=Path, default=ROOT / "glossary" / "proper-nouns.tsv")
    parser.add_argument("--set", type=Path, default=HERE / "matching.tsv")
    parser.add_argument("--out", type=Path, default=HERE / "matching.json")
    parser.add_argument("--check", action="store_true", help="exit 1 below 100%% P/R")
    args = parser.parse_args()
    result = score(args.glossary, args.set)
    print(
        f"{result['sentences']} sentences, {result['expected_terms']} expected terms: "
        f"precision {result['precision']:.2f}%, recall {result['recall']:.2f}%"
    )
    for error in result["errors"]:  # type: ignore[attr-defined]
        print(f"  {error['id']}: expected {error['expected']} got {error['got']}")
    if not args.check:
        args.out.write_text(
            json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    ok = result["precision"] == 100.0 and result["recall"] == 100.0
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
