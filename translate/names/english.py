"""The English side: capitalised runs of a translation that no glossary term explains, read as
the model's renderings of the candidates in the sentence."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from ..document import Document
from ..glossary import Glossary
from .candidates import Candidate, Occurrence

_CAPITAL = re.compile(r"(?:(?:al|el|ad|ar|as|ash|at|az)-)?[A-Z][\w'’-]*")

# --- the English ---------------------------------------------------------------------------

#: Capitalised words that start English sentences, or name days and months: never a name.
_COMMON_CAPITALS = frozenset(
    """The A An In On At He She It They We This That These Those According Meanwhile However And
    But Also There His Her Their Its After Before During While When Sources Local For From With
    As By Of To Some Many Most Other More Several Two Three Four Five Six Seven Eight Nine Ten
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December I If Since Under Over About Following
    Speaking Asked Earlier Later Today Yesterday Last Next Mr Mrs Ms Dr""".split()  # noqa: SIM905
)


def english_names(target: str, explained: Iterable[str] = ()) -> list[tuple[int, int, str]]:
    """Runs of capitalised words in ``target`` that look like a name's rendering.

    Words inside a rendering in ``explained`` (the segment's glossary English), days, months and
    capitalised function words at a sentence start are left out.

    Returns:
        ``(start, end, text)`` of each run, in order.
    """
    blocked: list[tuple[int, int]] = []
    from ..glossary import english_spans

    for en in explained:
        blocked += english_spans(target, en)
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[\w'’-]+", target)]
    runs: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    previous_end = -1
    for start, end, word in words:
        ok = bool(_CAPITAL.fullmatch(word)) and word not in _COMMON_CAPITALS
        ok = ok and not any(s < end and start < e for s, e in blocked)
        joined = previous_end >= 0 and not target[previous_end:start].strip()
        if ok and current and joined:
            current.append((start, end, word))
        elif ok:
            if current:
                runs.append(current)
            current = [(start, end, word)]
        else:
            if current:
                runs.append(current)
            current = []
        previous_end = end
    if current:
        runs.append(current)
    return [(r[0][0], r[-1][1], target[r[0][0] : r[-1][1]]) for r in runs]


def _renderings(candidates: list[Candidate], docs: Sequence[Document], glossary: Glossary) -> None:
    """Pair each occurrence with an unexplained capitalised run of its segment's English."""
    by_segment: dict[str, list[tuple[Occurrence, Candidate]]] = {}
    for cand in candidates:
        for occ in cand.occurrences:
            by_segment.setdefault(occ.segment, []).append((occ, cand))
    counts: dict[int, Counter[str]] = {id(c): Counter() for c in candidates}
    for doc in docs:
        for seg in doc.segments():
            here = by_segment.get(seg.id)
            if not here or not seg.target:
                continue
            explained = [t.en for t in seg.terms] or [t.en for t in glossary.match(seg.source)]
            runs = english_names(seg.target, explained)
            if not runs:
                continue
            here.sort(key=lambda item: item[0].start)
            size_ar, size_en = max(len(seg.source), 1), max(len(seg.target), 1)
            free = list(runs)
            for occ, cand in here:
                if not free:
                    break
                if len(free) == len(here) - here.index((occ, cand)):
                    run = free.pop(0)  # as many runs as names left: in order
                else:
                    where = occ.start / size_ar
                    run = min(free, key=lambda r: abs(r[0] / size_en - where))
                    free.remove(run)
                counts[id(cand)][run[2]] += 1
    for cand in candidates:
        found = counts[id(cand)]
        cand.renderings = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
        if found:
            cand.signals["capitalised"] = sum(found.values())
