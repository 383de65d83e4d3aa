"""Glossary enforcement: decode freely, keep what is right, and replace the model's own rendering.

Every glossary term found in the Arabic must appear, as the glossary writes it, in the English;
no open MarianMT runtime offers that (transformers 5 removed constrained beam search, CTranslate2
has no logits hook in Python), so this module is ours. Both backends use it the same way:

1. **Decode without constraints.** Each batch is decoded exactly as without a glossary (same
   batches, same length caps), so a sentence without terms, and a sentence whose names the model
   already writes as the glossary does, come out *identical* to the unconstrained output, and
   their terms are ``kept``.
2. **Find the model's own rendering** of each missing term (:func:`locate`): the words of the
   output that spell the model's translation of the Arabic name on its own (its beam's
   hypotheses, asked once per name), or else the words whose cross-attention peaks on the
   term's Arabic. The attention comes with the decode (CTranslate2's ``return_attention``) or
   from one teacher-forced forward pass over the output (transformers), only for sentences that
   miss a term.
3. **Replace it in place** (:func:`enforce`): those words become the glossary's English, the
   rest of the sentence stays as the model wrote it. A term the model dropped altogether is
   inserted before the first word that translates something after it. The result is ``forced``.

Which measurement decided it (``python evaluation/trained/enforcement.py``: a MarianMT trained
here on synthetic Syrian news, 300 test sentences with 415 names, a glossary whose English
disagrees with the learned rendering for 45 of its 103 entries; ``evaluation/trained/``). The
earlier design steered beam search: a logits processor forcing each term's first token near the
position matching its place in the Arabic (transformers), forced prefixes placed by a greedy
probe (CTranslate2). On the trained model it made sentences worse: chrF++ against references in
the glossary's names fell from 94.9 to 91.4 (transformers); the model's own rendering stayed
beside the glossary's in 37% (CTranslate2 28%) of overridden names ("Ain al-Arab Kobani"); 12%
of sentences repeated a name; only 63% (76%) of sentences whose names all agree with the model
came out as without the glossary, their names ``forced`` though the model writes them unaided;
the words outside the names lost 9 (4) chrF++ points. Steering cannot know where the model
*would* write a name; the unconstrained output shows it. With this design, on the same model and
both backends: every term present, no own rendering left, one sentence in 238 over-counted (the
model's own repetition, also without the glossary), all agreeing sentences identical, chrF++ 94.9
→ 99.8, the words outside the names unchanged, and a cost of a forward pass (transformers) and a
decode of each distinct name once, for the sentences that need a repair.

Designs considered
------------------
* *steering beam search* (the earlier design, above): one decode, but the damage measured.
* *replace and re-decode the rest* (force the output up to the replaced name, forbid the model's
  rendering, decode the words after it again): the words after a name are conditioned on the
  glossary's spelling; it costs a second beam decode for every repaired sentence, and in news a
  different spelling of a name hardly changes the words after it.
* *dynamic beam allocation* (Post & Vilar 2018): a principled constrained search, but a decoding
  loop of our own for both backends, and it too places a term wherever search finds room.
* *n-best reranking*: no guarantee; a name the model never learned is in no hypothesis.

The word alignment is attention-based, which is why this is written here: no maintained aligner
works on a decoder's own output without a second model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from ..glossary import english_has

#: Word-start marker of sentencepiece pieces.
SPACE = "▁"
#: Share of a word's attention that must fall on a term's Arabic for the word to be the model's
#: rendering of it when its peak lies elsewhere.
MIN_SHARE = 0.35
#: Output tokens for the model's translation of a name alone: every name fits, and one fixed
#: limit keeps the answer the same whatever other names share its batch.
NAME_TOKENS = 32
#: How much a lower hypothesis of the model's translation of a name alone counts, per rank.
RANK_WEIGHT = 0.8
#: How closely (0-1) words must spell one of those translations to be taken for the name.
MIN_LIKE = 0.5


@dataclass(frozen=True, slots=True)
class Term:
    """One term to enforce in one sentence.

    Attributes:
        en: the glossary's English.
        pieces: its target pieces (the first starts with ``▁``).
        start, end: the Arabic term's source pieces, ``[start, end)``.
        ar: the Arabic name alone (normalized), to ask the model how it renders it.
        renderings: how the model translates the name on its own ("Ain al-Arab"), its beam's
            hypotheses best first, when the backend asked: the likeliest spellings of the name
            in its output.
    """

    en: str
    pieces: tuple[str, ...]
    start: int
    end: int
    ar: str = ""  # the name's Arabic, as the model sees it
    renderings: tuple[str, ...] = ()  # the model's translations of the name alone, best first


@dataclass(slots=True)
class Outcome:
    """The repaired target pieces, and which terms were kept or forced."""

    pieces: list[str]
    kept: set[str] = field(default_factory=set)
    forced: set[str] = field(default_factory=set)


def _piece_at(body: Sequence[str], char: float) -> int:
    """The piece holding character ``char`` of the text sentencepiece saw (``▁`` + the text,
    every ``▁`` standing for the space before its word)."""
    seen = 0
    for i, piece in enumerate(body):
        if seen + len(piece) > char:
            return i
        seen += len(piece)
    return max(len(body) - 1, 0)


def source_span(
    pieces: Sequence[str], start: float, end: float | None, words: int = 1
) -> tuple[int, int]:
    """The source pieces ``[first, last)`` of a term, from where it starts and ends in the
    sentence as fractions of its characters (see ``TermSpec``).

    Without an end, as many Arabic words as the English has are taken (عين العرب → Kobani would
    otherwise leave a word behind).
    """
    body = [p for p in pieces if p != "</s>"]
    size = max(sum(len(p) for p in body) - 1, 1)  # the text's length: the pieces less one ▁
    first = _piece_at(body, start * size + 1)
    if end is not None:
        # The term's last character is the one before ``end``.
        return first, max(first + 1, _piece_at(body, max(start * size + 1, end * size)) + 1)
    last = first + 1
    while last < len(body) and (words > 1 or not body[last].startswith(SPACE)):
        if body[last].startswith(SPACE):
            words -= 1
        last += 1
    return first, last


def _is_word(piece: str) -> bool:
    return any(ch.isalnum() for ch in piece)


@dataclass(frozen=True, slots=True)
class Word:
    """An output word: its pieces ``[start, end)`` (trailing punctuation left out), where it
    ends without a possessive ``'s`` (``stem``), and its text, plain and without the
    possessive."""

    start: int
    end: int
    stem: int
    text: str
    stem_text: str


def words(pieces: Sequence[str]) -> list[Word]:
    """The output's words (``▁al - Arab 's ,`` is one word, ``al-Arab's``, stem ``al-Arab``)."""
    out: list[Word] = []
    i = 0
    while i < len(pieces):
        j = i + 1
        while j < len(pieces) and not pieces[j].startswith(SPACE):
            j += 1
        end = j
        while end > i + 1 and not _is_word(pieces[end - 1]):
            end -= 1
        stem = end
        for k in range(i + 1, end):
            if pieces[k].startswith(("'", "’")):
                stem = k
                break
        if any(_is_word(p) for p in pieces[i:end]):
            text = "".join(pieces[i:end]).replace(SPACE, " ").strip()
            stem_text = "".join(pieces[i:stem]).replace(SPACE, " ").strip()
            out.append(Word(i, end, stem, text, stem_text))
        i = j
    return out


def _plain(text: str) -> list[str]:
    """Words of a rendering, compared case-insensitively, without edge punctuation."""
    out = []
    for word in text.split():
        word = word.strip('.,;:!?"“”()[]«»').lower()
        if word:
            out.append(word)
    return out


def _runs(spans: Sequence[Word], want: list[str], taken: set[int] | None = None) -> list[list[int]]:
    """Every run of words that spells ``want`` (none of them in ``taken``)."""
    found: list[list[int]] = []
    blocked = set(taken or ())
    while run := _spelled(spans, want, blocked):
        found.append(run)
        blocked.update(run)
    return found


def _similar(spans: Sequence[Word], run: list[int], want: list[str]) -> float:
    """How closely the words ``run`` spell the rendering ``want`` (0-1, by characters)."""
    text = " ".join(spans[k].stem_text.lower() for k in run)
    return SequenceMatcher(None, text, " ".join(want)).ratio()


def _spelled(spans: Sequence[Word], want: list[str], taken: set[int]) -> list[int]:
    n = len(want)
    if not n:
        return []
    head = want[0]
    for k in range(len(spans) - n + 1):
        first = spans[k].stem_text.lower() if n == 1 else spans[k].text.lower()
        if first != head and not (n == 1 and spans[k].text.lower() == head):
            continue
        run = list(range(k, k + n))
        if taken.intersection(run):
            continue
        got = [spans[i].text.lower() for i in run]
        last = spans[run[-1]].stem_text.lower()
        if got[:-1] == want[:-1] and want[-1] in (got[-1], last):
            return run
    return []


def _function_word(text: str) -> bool:
    """A lower-case word ("in", "of"): never the edge of a name the model wrote."""
    return text.isalpha() and text.islower()


def _name_like(text: str) -> bool:
    """Capitalised, or a transliterated article-prefixed part (al-Sham, el-Hamra)."""
    return bool(text) and (text[0].isupper() or text.split("-", 1)[0] in _ARTICLES)


_ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az"})


def locate(
    pieces: Sequence[str],
    attention: Any,
    term: Term,
    taken: set[int],
    others: Sequence[Term] = (),
    missing: Sequence[Term] = (),
    spans: Sequence[Word] | None = None,
) -> tuple[list[int], float]:
    """The output words that render ``term`` (indices into :func:`words`), and their weight.

    Candidates come from the model's own translations of the name (``term.renderings``),
    spelled out in the output in whole or in part, and from the cross-attention: a word
    renders the term when its attention mass (summed
    over its pieces, the final ``</s>`` column left out, as attention parks there) peaks on the
    term's source pieces, or when at least :data:`MIN_SHARE` of it lies there; of several runs
    of such adjacent words, the one that reads most like a rendering wins (at least
    :data:`MIN_LIKE`), else the one with the most attention on the term. The run then loses
    lower-case function words at its edges ("in") and takes in adjacent name-like words that
    attend to no other term ("World [Food Programme]"), as a small model's attention often
    covers only part of a name. Words in ``taken`` belong to another term already.
    """
    import numpy as np

    spans = words(pieces) if spans is None else spans
    if not spans:
        return [], 0.0
    if term.renderings:  # the best rendering spelled out whole: nothing can read more like it
        want = _plain(term.renderings[0])
        if len(want) > 1 and want[0] == "the":
            want = want[1:]
        whole = _spelled(spans, want, taken)
        if whole:
            return whole, 1e6
    weights = None
    if attention is not None:
        weights = np.asarray(attention, dtype=np.float32)[: len(pieces)]
        if weights.ndim != 2 or weights.shape[0] < len(pieces) or weights.shape[1] < 2:
            weights = None
    if weights is not None:
        weights = weights[:, :-1]
        totals = np.stack([weights[w.start : w.end].sum(axis=0) for w in spans])
        peak = totals.argmax(axis=1)
        mass = totals[:, term.start : term.end].sum(axis=1)
        share = mass / np.maximum(totals.sum(axis=1), 1e-9)
    # Candidates from the model's translations of the name alone: runs of the output spelling a
    # rendering, or the part of one that holds a name-like word ("A A Abu Kamal" → "Abu
    # Kamal"), each scored by how much of that rendering it spells, lower beam hypotheses
    # counting less (a beam's tail holds truncated names: "the Syria").
    scored: list[tuple[float, list[int]]] = []
    for rank, rendering in enumerate(term.renderings):
        want = _plain(rendering)
        if len(want) > 1 and want[0] == "the":
            want = want[1:]
        want = [w for i, w in enumerate(want) if i == 0 or w != want[i - 1]]
        for size in range(len(want), 0, -1):
            for first in range(len(want) - size + 1):
                part = want[first : first + size]
                if not any(w[0].isalpha() and len(w) > 2 for w in part):
                    continue
                for run in _runs(spans, part, taken):
                    scored.append((RANK_WEIGHT**rank * _similar(spans, run, want), run))

    def like(run: list[int]) -> float:
        return max(
            (
                RANK_WEIGHT**rank * _similar(spans, run, _plain(r))
                for rank, r in enumerate(term.renderings)
            ),
            default=0.0,
        )

    attended: list[list[int]] = []
    if weights is not None:
        inside = [
            k
            for k in range(len(spans))
            if k not in taken and (term.start <= peak[k] < term.end or share[k] >= MIN_SHARE)
        ]
        for k in inside:
            if attended and attended[-1][-1] == k - 1:
                attended[-1].append(k)
            else:
                attended.append([k])
        scored += [(like(run), run) for run in attended]
    best: list[int] = []
    weight = 0.0
    if scored:
        score, best = max(scored, key=lambda item: item[0])
        if score >= MIN_LIKE:
            weight = 1e6 * score
        else:
            best = []
    if not best and attended:
        # No rendering to go by: the run with the most attention on the name.
        best = max(attended, key=lambda run: float(mass[run].sum()))
        weight = float(mass[best].sum())
    own = set(_plain(term.en))
    while best and _function_word(spans[best[0]].text) and spans[best[0]].text not in own:
        best = best[1:]
    while best and _function_word(spans[best[-1]].text) and spans[best[-1]].text not in own:
        best = best[:-1]
    if not best:
        return [], 0.0
    theirs = {w for o in others if o.en != term.en for w in _plain(o.en)}

    def joins(k: int, towards: int) -> bool:
        # A neighbour spelled like a name, with no punctuation between, that is no other
        # term's word and attends to no other term's Arabic: the rest of a name the
        # evidence found only in part ("Abu [Kamal]").
        left, right = (k, towards) if k < towards else (towards, k)
        if spans[left].end != spans[right].start or k in taken or not _name_like(spans[k].text):
            return False
        if spans[k].text.lower() in theirs:
            return False
        # Only the Arabic of other *missing* terms counts: a kept term's words are protected.
        return weights is None or not any(
            o.start <= peak[k] < o.end for o in missing if o is not term
        )

    while best[0] > 0 and joins(best[0] - 1, best[0]):
        best.insert(0, best[0] - 1)
    while best[-1] + 1 < len(spans) and joins(best[-1] + 1, best[-1]):
        best.append(best[-1] + 1)
    return best, weight


def _insertion(pieces: Sequence[str], attention: Any, term: Term) -> int:
    """Where a term the model dropped goes: before the first word that translates something
    after it, else before the sentence's final punctuation."""
    import numpy as np

    spans = words(pieces)
    if attention is not None and spans:
        weights = np.asarray(attention, dtype=np.float32)[: len(pieces), :-1]
        if weights.ndim == 2 and weights.shape[0] >= len(pieces) and weights.shape[1] > 0:
            for w in spans:
                if int(weights[w.start : w.end].sum(axis=0).argmax()) >= term.end:
                    return w.start
    end = len(pieces)
    while end > 0 and not _is_word(pieces[end - 1]):
        end -= 1
    return end


def enforce(
    pieces: Sequence[str],
    attention: Any,
    terms: Sequence[Term],
    detokenize: Callable[[Sequence[str]], str],
) -> Outcome:
    """Put every term of ``terms`` into the unconstrained output ``pieces``.

    Args:
        pieces: the decoded target pieces (no start or end token).
        attention: cross-attention, one row per piece and one column per source piece (the last
            column the source's ``</s>``); None if the backend has none (then only the model's
            translations of the names alone locate them, and a term not found goes before the
            final punctuation).
        terms: the sentence's terms; the same English may come twice (a name written twice).
        detokenize: the backend's pieces-to-text function.

    Returns:
        The repaired pieces, the terms the model wrote itself (``kept``) and those put in
        (``forced``).
    """
    text = detokenize(pieces)
    outcome = Outcome(list(pieces))
    missing = [t for t in terms if not english_has(text, t.en)]
    outcome.kept = {t.en for t in terms if t not in missing}
    if not missing:
        return outcome
    spans = words(pieces)
    # The words of the terms the model wrote itself are never another term's rendering.
    taken = {
        k for t in terms if t not in missing for run in _runs(spans, _plain(t.en)) for k in run
    }
    edits: list[tuple[int, int, Term]] = []  # replace pieces[a:b] by the term
    placed: list[tuple[Term, list[int], float]] = []
    # The terms with the clearest rendering claim their words first.
    found = [(t, *locate(pieces, attention, t, taken, terms, missing, spans)) for t in missing]
    claimed = set(taken)
    for term, first, _ in sorted(found, key=lambda f: -f[2]):
        run, weight = (
            (first, 0.0)
            if not set(first) & claimed
            else locate(pieces, attention, term, claimed, terms, missing, spans)
        )
        if run and any(e.en == term.en for e, r, _ in placed if set(r) & set(run)):
            run = []
        placed.append((term, run, weight))
        claimed.update(run)
    for term, run, _ in placed:
        if run:
            # "the Syrian Democratic Forces" → "the SDF": an article stays outside the name.
            if (
                spans[run[0]].text.lower() == "the"
                and len(run) > 1
                and not term.en.lower().startswith("the ")
            ):
                run = run[1:]
            last = spans[run[-1]]
            # A possessive stays: "Ain al-Arab's" → "Kobani's".
            edits.append((spans[run[0]].start, last.stem, term))
        else:
            cut = _insertion(pieces, attention, term)
            edits.append((cut, cut, term))
    # An insertion that falls inside another term's words goes after them.
    ranges = [(a, b) for a, b, _ in edits if a < b]
    edits = [
        (next((b2 for a2, b2 in ranges if a2 < a < b2), a),) * 2 + (t,) if a == b else (a, b, t)
        for a, b, t in edits
    ]
    out = list(pieces)
    done: set[str] = set()
    for a, b, term in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        if term.en in done and a == b:
            continue  # a second occurrence with nowhere of its own: the name is in already
        following = out[b : b + 1]
        out[a:b] = list(term.pieces)
        if following and not following[0].startswith(SPACE) and _is_word(following[0]):
            out.insert(a + len(term.pieces), SPACE)  # never glue a word onto the name
        done.add(term.en)
    # The guarantee, whatever the alignment did: a term still missing (its insertion point lost
    # to a neighbour's edit) goes before the final punctuation.
    for term in terms:
        if not english_has(detokenize(out), term.en):
            end = len(out)
            while end > 0 and not _is_word(out[end - 1]):
                end -= 1
            out[end:end] = list(term.pieces)
    outcome.pieces = out
    outcome.forced = {t.en for t in missing}
    return outcome


class LengthCap:
    """A transformers logits processor giving each sentence of a batch its own length cap.

    ``generate`` takes one ``max_new_tokens`` per call; a degenerate hypothesis (a repetition
    loop) of a short sentence would otherwise run to the longest sentence's cap.

    Args:
        caps: the cap of each sentence, end-of-sentence token included.
        num_beams: hypotheses per sentence (rows ``b * num_beams … + num_beams - 1``).
        eos: the end-of-sentence token id.
        exact: benchmarks only: end of sentence is refused before the cap, so that engines
            compared do the same amount of work.
        start: tokens the decoder starts with (1: the decoder start token).
    """

    def __init__(
        self, caps: Sequence[int], num_beams: int, eos: int, exact: bool = False, start: int = 1
    ) -> None:
        self.caps = [c for c in caps for _ in range(num_beams)]
        self.eos = eos
        self.exact = exact
        self.start = start
        self._caps: Any = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        generated = input_ids.shape[1] - self.start
        if self._caps is None:
            self._caps = torch.tensor(self.caps, device=scores.device)
        over = self._caps - 1 <= generated
        if self.exact:
            scores[~over, self.eos] = float("-inf")
        if bool(over.any()):
            # The sentence has used its budget: end it, scoring the forced end 0 as transformers'
            # own ForcedEOSTokenLogitsProcessor does at max_length, so that a row capped here
            # ranks its hypotheses exactly as one capped by max_new_tokens.
            scores[over] = float("-inf")
            scores[over, self.eos] = 0.0
        return scores
