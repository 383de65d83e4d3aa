"""Candidates of a batch: the sentence signals gathered per name, family names, every
occurrence found with the glossary's clitic-aware matcher, ranking, and text for people."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from ..arabic import fold, normalize
from ..document import Document, Segment
from ..glossary import Entry, Glossary
from .candidates import TYPES, Candidate, Occurrence, SuggestOptions
from .english import _renderings, english_names
from .lexicon import _ABD, _KUNYA, _WORD, GIVEN_NAMES, _words
from .rules import _arabic, _find, _Found, _given, _heady, _is_mark, _is_stop, _namey, _Tok, _tokens
from .transliteration import best_span, english_skeleton, kind, readings, transliteration

# --- the batch -----------------------------------------------------------------------------


def _english(seg: Segment, options: SuggestOptions) -> list[str]:
    """The English of a segment: its translation (the model's or an editor's) and references."""
    out = [seg.target] if seg.target else []
    if options.references is not None:
        out += [en for en in options.references.get(seg.source) if en not in out]
    return out


def _transliterated(
    toks: list[_Tok],
    found_in_arabic: Sequence[_Found],
    english: Sequence[str],
    glossary: Glossary,
    source: str,
) -> list[_Found]:
    """Words of a sentence its English writes capitalised and as they sound (القامشلي ~
    Qamishli), where no Arabic signal (``found_in_arabic``) found a name: see
    :mod:`.transliteration`."""
    if not english:
        return []
    taken = {k for item in found_in_arabic for k in range(item.i, item.j + 1)}
    skeletons = [
        readings(tok.f)[::-1] if k not in taken and tok.term < 0 and _namey(tok) else []
        for k, tok in enumerate(toks)
    ]
    explained = [t.en for t in glossary.match(source)] if len(glossary) else []
    found: list[_Found] = []
    for text in english:
        for start, _end, run in english_names(text, explained):
            if not transliteration(run):
                continue
            best = best_span(skeletons, english_skeleton(run))
            if best is None:
                continue
            i, j, skip, _ratio = best
            kind_ = kind(text, start, len(run.split()), _given(toks[i]))
            found.append(_Found(i, j, skip, kind_, "transliterated"))
            for k in range(i, j + 1):
                skeletons[k] = []
    return found


def find_candidates(
    docs: Sequence[Document], glossary: Glossary, options: SuggestOptions | None = None
) -> list[Candidate]:
    """Names in ``docs`` that ``glossary`` lacks, ranked (most occurrences first).

    Args:
        docs: documents of one batch (segmented; translated or not: the Arabic decides, the
            English adds renderings).
        glossary: the glossary whose names are known (their occurrences are never candidates).
        options: see :class:`SuggestOptions`.

    Returns:
        Candidates with every occurrence in the batch (found by the glossary's clitic-aware
        matcher), ranked by occurrences, documents, then the number of distinct signals.
    """
    options = options or SuggestOptions()
    by_key: dict[tuple[str, ...], Candidate] = {}
    quoted_forms: Counter[tuple[str, ...]] = Counter()
    pending: list[tuple[tuple[str, ...], str, _Found, Document, Segment]] = []
    for doc in docs:
        for seg in doc.segments():
            toks, folded = _tokens(seg.source, glossary)
            items = _find(toks)
            if options.english:
                english = _english(seg, options)
                items += _transliterated(toks, items, english, glossary, seg.source)
            for item in items:
                start, end = _source_span(seg.source, folded, toks, item)
                surface = seg.source[start:end]
                key = tuple(_WORD.findall(fold(surface).text))
                if not key or not any(_arabic(w) for w in key):
                    continue
                if item.type == "quoted":
                    quoted_forms[key] += 1
                pending.append((key, surface, item, doc, seg))
    for key, surface, item, _doc, _seg in pending:
        kind = item.type
        if kind == "quoted":
            if quoted_forms[key] < 2:
                continue  # one short quotation is a phrase, twice it is a name
            kind = "organisation"
        cand = by_key.get(key)
        if cand is None:
            cand = by_key[key] = Candidate(normalize(surface).text, surface, kind, key=key)
        cand.signals[item.signal] = cand.signals.get(item.signal, 0) + 1
        votes = cand.signals.setdefault(f"type:{kind}", 0)
        cand.signals[f"type:{kind}"] = votes + 1
    _family_names(by_key, pending)
    candidates = [c for c in by_key.values()]
    _occurrences(candidates, docs, glossary, pending)
    if options.renderings:
        _renderings(candidates, docs, glossary)
    out = []
    for cand in candidates:
        types = {k[5:]: v for k, v in cand.signals.items() if k.startswith("type:")}
        for k in list(cand.signals):
            if k.startswith("type:"):
                del cand.signals[k]
        cand.type = max(types, key=lambda t: (types[t], -TYPES.index(t)))
        if cand.documents > 1:
            cand.signals["repeated"] = cand.documents
        if cand.count >= options.min_count:
            out.append(cand)
    out.sort(key=Candidate.rank)
    return out


def _family_names(
    by_key: dict[tuple[str, ...], Candidate],
    pending: Sequence[tuple[tuple[str, ...], str, _Found, Document, Segment]],
) -> None:
    """A person named in full is named later by the family name alone (وأضاف الحسين): in the
    documents that name them in full, the last word is a candidate too."""
    for key, surface, item, doc, _seg in pending:
        if item.type != "person" or len(key) < 2:
            continue
        words = surface.split()
        if len(words) != len(key):
            continue
        # فرحان العبد الله is named later as العبد الله: a compound's two words
        # (عمر الحاج يوسف is named later as الحاج يوسف)
        compound = key[-2] in _ABDS or key[-2] in _FAMILY_TITLES or key[-1] in _NEVER_ALONE
        size = 2 if len(key) >= 3 and compound else 1
        family = key[-size:]
        last = family[0]
        if _is_stop(last) or len(last) < 3 or (size == 1 and compound):
            continue
        if last in GIVEN_NAMES and (key[-2] in _KUNYA or key[-2] == _ABD):
            continue  # أبو محمد, عبد الله: a kunya's or a compound's second half
        cand = by_key.get(family)
        if cand is None:
            text = " ".join(words[-size:])
            cand = by_key[family] = Candidate(normalize(text).text, text, "person")
            cand.key = family
            cand.only = set()
        if cand.only is not None:
            cand.only.add(doc.id)
        cand.signals["type:person"] = cand.signals.get("type:person", 0) + 1
        cand.signals["family-name"] = cand.signals.get("family-name", 0) + 1


#: Second halves of compound names (عبد الله، نور الدين، العبد الله): after عبد, or these,
#: never a name alone (محمد علي العزيز is named later as العزيز).
_NEVER_ALONE = _words("الله الدين الرحمن الرحيم الإله")
_ABDS = _words("عبد العبد")
_FAMILY_TITLES = _words("الحاج الشيخ السيد")


def _source_span(text: str, folded: Any, toks: list[_Tok], item: _Found) -> tuple[int, int]:
    start, end = folded.span(toks[item.i].fs + item.skip, toks[item.j].fe)
    while end < len(text) and (_is_mark(text[end])):
        end += 1  # vowel marks and tatweel on the last letter belong to the name
    return start, end


def _occurrences(
    candidates: list[Candidate],
    docs: Sequence[Document],
    glossary: Glossary,
    pending: Iterable[tuple[tuple[str, ...], str, _Found, Document, Segment]],
) -> None:
    """Every occurrence of every candidate, found with the glossary matcher (clitics and all)."""
    if not candidates:
        return
    by_entry: dict[str, Candidate] = {}
    entries = []
    for cand in candidates:
        entry = Entry(ar=cand.surface, en=cand.ar, type=_matcher_type(cand))
        entries.append(entry)
        by_entry[cand.surface] = cand
    finder = Glossary(entries)
    signals: dict[tuple[str, int], set[str]] = {}
    for key, _surface, item, _doc, seg in pending:
        signals.setdefault((seg.id, hash(key)), set()).add(item.signal)
    for doc in docs:
        for seg in doc.segments():
            known = glossary.match(seg.source) if len(glossary) else []
            for term in finder.match(seg.source):
                if any(k.start <= term.start and term.end <= k.end for k in known):
                    continue  # inside a name the glossary knows
                if any(
                    k.start < term.end
                    and term.start < k.end
                    and not (term.start <= k.start and k.end <= term.end)
                    for k in known
                ):
                    continue  # crosses one
                hit = by_entry.get(term.entry)
                if hit is None or (hit.only is not None and doc.id not in hit.only):
                    continue
                given = hit.only is not None and hit.key[0] in GIVEN_NAMES
                if given and _name_follows(seg.source, term.end):
                    continue  # ماهر مروان, then مروان العلي: another person
                found = signals.get((seg.id, hash(hit.key)), set())
                if not found and all(_is_stop(w) for w in hit.key):
                    continue  # تلفزيون "الخبر" is a name; هذا الخبر is the word
                hit.occurrences.append(
                    Occurrence(
                        doc.id,
                        seg.id,
                        term.start,
                        term.end,
                        seg.source,
                        tuple(sorted(found)) or ("repeated",),
                    )
                )


def _name_follows(text: str, end: int) -> bool:
    """A name-like word follows position ``end`` (a given name used as a family name is then
    the start of another person's name)."""
    m = _WORD.match(text, end + len(text[end:]) - len(text[end:].lstrip(" ")))
    if m is None or m.start() == end:
        return False
    f = fold(m.group()).text
    return _arabic(f) and not _is_stop(f) and not _heady(f)


def _matcher_type(cand: Candidate) -> str:
    types = {k[5:]: v for k, v in cand.signals.items() if k.startswith("type:")}
    best = max(types, key=lambda t: types[t]) if types else cand.type
    return "organisation" if best in ("armed-group", "organisation") else best


def segment_spans(
    docs: Sequence[Document], glossary: Glossary, options: SuggestOptions | None = None
) -> dict[str, list[tuple[int, int, str]]]:
    """Segment id → the candidate spans in its source (start, end, type): for evaluation."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    for cand in find_candidates(docs, glossary, options):
        for occ in cand.occurrences:
            out.setdefault(occ.segment, []).append((occ.start, occ.end, cand.type))
    for spans in out.values():
        spans.sort()
    return out


def describe(candidates: Sequence[Candidate], contexts: int = 3) -> str:
    """Candidates as text for people: one line each, then its first contexts, indented."""
    lines = []
    for cand in candidates:
        renderings = ", ".join(f"{en} ×{n}" for en, n in cand.renderings[:4]) or "-"
        signals = ", ".join(f"{k} {v}" for k, v in sorted(cand.signals.items()))
        lines.append(
            f"{cand.count}\t{cand.documents}\t{cand.type}\t{cand.surface}\t{renderings}\t{signals}"
        )
        for occ in cand.occurrences[:contexts]:
            lines.append(f"\t{occ.segment}\t{occ.sentence}")
    return "\n".join(lines)
