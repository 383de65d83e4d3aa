"""Precision and recall of name-candidate finding (:mod:`translate.names`) on hand-marked news.

Sets of Arabic news sentences (Syrian and regional news, short articles), each sentence with
the names a reader would mark that the bundled glossary does not hold (``name:type``,
separated by ``|``), and traps with none (a place word before an adjective, a title before a
common noun). The rules were written on the ``dev*`` sets; ``test`` was held out and scored
once (see README.md: each round's held-out set became the next round's dev data).

Matching is on **exact spans**: a predicted candidate occurrence counts only when its start and
end in the sentence are those of a gold name (clitics outside, the article and the head word of
a facility or organisation inside, as the glossary writes names). Types are scored separately,
over the spans that match. Each score is stored with the digests of its file and the glossary.

    python evaluation/names/run.py            # prints the table, writes results.json
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from translate.arabic import normalize  # noqa: E402
from translate.document import Document, Segment  # noqa: E402
from translate.glossary import Glossary  # noqa: E402
from translate.names import segment_spans  # noqa: E402
from translate.pipeline import default_glossary, load_glossary  # noqa: E402

Span = tuple[int, int]


def read(path: Path = HERE / "sentences.tsv") -> list[dict[str, Any]]:
    """The sentences with their gold spans: ``{doc, sentence, gold: {(start, end): type}}``."""
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            gold: dict[Span, str] = {}
            for item in filter(None, (row["gold"] or "").split("|")):
                name, _, kind = item.rpartition(":")
                start = row["sentence"].find(name)
                while start >= 0 and (start, start + len(name)) in gold:
                    start = row["sentence"].find(name, start + 1)
                if start < 0:
                    raise ValueError(f"{path}: {name!r} is not in {row['sentence']!r}")
                gold[(start, start + len(name))] = kind
            rows.append({"doc": row["doc"], "sentence": row["sentence"], "gold": gold})
    return rows


def documents(rows: list[dict[str, Any]]) -> tuple[list[Document], list[str]]:
    """One document per article, one segment per sentence; the segment ids in row order."""
    docs: dict[str, Document] = {}
    ids = []
    for row in rows:
        doc = docs.setdefault(row["doc"], Document(id=row["doc"], paragraphs=[[]]))
        seg_id = f"{doc.id}:1:{len(doc.paragraphs[0]) + 1}"
        doc.paragraphs[0].append(
            Segment(id=seg_id, source=row["sentence"], normalized=normalize(row["sentence"]).text)
        )
        ids.append(seg_id)
    return list(docs.values()), ids


def score(rows: list[dict[str, Any]], glossary: Glossary) -> dict[str, Any]:
    """Exact-span precision, recall and F1 of one batch, and type accuracy on matched spans."""
    docs, ids = documents(rows)
    predicted = segment_spans(docs, glossary)
    tp = fp = fn = typed = 0
    errors: list[dict[str, Any]] = []
    for row, seg_id in zip(rows, ids, strict=True):
        pred = {(s, e): t for s, e, t in predicted.get(seg_id, [])}
        gold = row["gold"]
        for span, kind in pred.items():
            if span in gold:
                tp += 1
                typed += gold[span] == kind
            else:
                fp += 1
                errors.append(
                    {
                        "kind": "false",
                        "text": row["sentence"][span[0] : span[1]],
                        "type": kind,
                        "sentence": row["sentence"],
                    }
                )
        for span in gold:
            if span not in pred:
                fn += 1
                errors.append(
                    {
                        "kind": "missed",
                        "text": row["sentence"][span[0] : span[1]],
                        "type": gold[span],
                        "sentence": row["sentence"],
                    }
                )
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "sentences": len(rows),
        "gold": tp + fn,
        "predicted": tp + fp,
        "true_positives": tp,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "type_accuracy": round(typed / tp, 3) if tp else None,
        "errors": errors,
    }


#: The sets scored, in the order printed: dev (the rules were written on it), test (scored once).
SPLITS = {
    "dev": HERE / "sentences.tsv",
    "dev2": HERE / "test.tsv",
    "dev3": HERE / "test-r3.tsv",
    "dev4": HERE / "test-r4.tsv",
    "dev5": HERE / "test-r5.tsv",
    "dev6": HERE / "test-r6.tsv",
    "dev7": HERE / "test-r7.tsv",
    "dev8": HERE / "test-r8.tsv",
    "test": HERE / "test-r9.tsv",
}


def main() -> int:
    glossary = load_glossary(default_glossary())
    result: dict[str, Any] = {
        "matching": "exact span (start and end in the sentence as written)",
        "glossary": {"files": [p.name for p in default_glossary()], "digest": glossary.digest},
        "goal": {"precision": 0.9, "recall": 0.8},
    }
    for split, path in SPLITS.items():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        result[split] = {"file": path.name, "digest": digest, **score(read(path), glossary)}
    (HERE / "results.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(
        f"{'split':6} {'sent':>5} {'gold':>5} {'pred':>5} {'P':>6} {'R':>6} {'F1':>6} {'type':>6}"
    )
    for split in SPLITS:
        r = result[split]
        print(
            f"{split:6} {r['sentences']:5} {r['gold']:5} {r['predicted']:5} {r['precision']:6.3f}"
            f" {r['recall']:6.3f} {r['f1']:6.3f} {r['type_accuracy'] or 0:6.3f}"
        )
    for split in SPLITS:
        for e in result[split]["errors"]:
            print(f"{split} {e['kind']:6} {e['text']} ({e['type']})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
