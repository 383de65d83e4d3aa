"""Glossary enforcement inside beam search: every term's English is decoded into the hypothesis.

transformers 5 removed constrained beam search (``force_words_ids``), and neither CTranslate2 nor
any other open MarianMT runtime has lexically constrained decoding, so this is ours. It is a
logits processor, so it runs inside transformers' own batched beam search at the cost of a few
dictionary look-ups per hypothesis per step.

How a term gets into a hypothesis
=================================
Each segment carries constraints: the target-side token ids of each term's English, and an
*expected position* in the output, estimated from where the term sits in the source (news
translation from Arabic is close to monotonic). For every hypothesis, at every step:

1. If the hypothesis is inside a term (it has produced the first ``k`` tokens of it), the next
   token of the term is forced: once started, a term is always completed exactly.
2. Otherwise, for each pending term: inside a window around its expected position the first
   token gets a bonus (the model may take it, or produce the term by itself — ``kept``); at the
   deadline (expected position + slack) the first token is forced (``forced``); and when the
   remaining length budget only just fits the pending terms, they are forced one after the
   other. While any term is pending, end-of-sentence is not allowed.
3. Right after a term is complete, tokens that would glue letters onto it (``Kobani`` +
   ``s``) are masked, so the term stays a word of its own.
4. English renderings the glossary lists under ``avoid`` cannot be completed.

Because every hypothesis — not only the best — is held to the same rules, whichever hypothesis
beam search returns contains every term; the words after a term are decoded conditioned on it.
Rows of segments without terms are never touched, apart from the per-sentence length cap that
applies to every row with or without a glossary, so their output is the same either way.

Designs considered (see evaluation/glossary/README.md for measurements)
-----------------------------------------------------------------------
* *n-best rerank* (decode, keep the best hypothesis that has all terms): cheap, no guarantee; with
  an unfamiliar name no hypothesis has it.
* *forced-prefix repair* (decode, cut the hypothesis where the cross-attention points at the
  term, force prefix + term, decode the rest again): guaranteed, but one extra decode per missing
  term per segment — 2–4x the time on news sentences with several names.
* *dynamic beam allocation* (Post & Vilar 2018): the principled constrained search, but it
  replaces beam search with a bank-per-progress-level search that transformers no longer ships;
  a faithful re-implementation is a decoding loop of our own.
* *this design* (constraint-state machine + position-guided forcing in a logits processor):
  guaranteed, one decode, within transformers' beam search, cost proportional to the number of
  hypotheses with pending terms. It places a term by the source position rather than by search
  over all placements; the bonus window lets a trained model choose the exact spot itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

#: Bonus (in log-probability) for a pending term's first token near its expected position.
BONUS = 2.0
#: How many tokens before the expected position the bonus starts, and after it the force comes.
WINDOW = 3
SLACK = 4


@dataclass(frozen=True, slots=True)
class Constraint:
    """One term to decode: its English, token ids, expected position, and renderings to avoid."""

    en: str
    tokens: tuple[int, ...]
    expected: int  # expected index of the first token among the generated tokens
    avoid: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class _State:
    done: frozenset[int] = frozenset()
    active: tuple[int, int] | None = None  # (constraint, tokens produced so far)
    assisted: frozenset[int] = frozenset()  # constraints whose first token we forced or boosted
    just_done: bool = False


@dataclass(slots=True)
class _Row:
    constraints: Sequence[Constraint]
    max_new: int
    states: dict[tuple[int, ...], _State] = field(default_factory=dict)
    moves: set[tuple[tuple[int, ...], int]] = field(
        default_factory=set
    )  # (prefix, token) we pushed


class TermForcer:
    """A transformers logits processor enforcing per-sentence constraints and length caps.

    Args:
        constraints: one list per sentence of the batch.
        max_new: the length cap of each sentence (terms' tokens included).
        num_beams: hypotheses per sentence (rows ``b * num_beams … + num_beams - 1``).
        eos: the end-of-sentence token id.
        glue: boolean tensor over the vocabulary, True for tokens that continue a word.
        start: number of tokens the decoder starts with (1: the decoder start token).
    """

    def __init__(
        self,
        constraints: Sequence[Sequence[Constraint]],
        max_new: Sequence[int],
        num_beams: int,
        eos: int,
        glue: torch.Tensor,
        start: int = 1,
        exact_length: bool = False,
    ) -> None:
        self.rows = [_Row(c, m) for c, m in zip(constraints, max_new, strict=True)]
        self.num_beams = num_beams
        self.eos = eos
        self.glue = glue
        self.start = start
        # Benchmarks: every sentence runs to its cap (end of sentence banned before), so that
        # engines compared do the same amount of work.
        self.exact_length = exact_length
        self._caps: torch.Tensor | None = None

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        generated = input_ids.shape[1] - self.start
        if self._caps is None:
            caps = [r.max_new for r in self.rows for _ in range(self.num_beams)]
            self._caps = torch.tensor(caps, device=scores.device)
        # ``max_new`` counts the end-of-sentence token, as ``max_new_tokens`` does.
        over = self._caps - 1 <= generated
        if self.exact_length:
            scores[~over, self.eos] = float("-inf")
        if bool(over.any()):
            # This sentence has used its length budget: end it, scoring the forced end 0 as
            # transformers' own ForcedEOSTokenLogitsProcessor does at max_length, so that a row
            # capped here ranks its hypotheses exactly as one capped by max_new_tokens.
            scores[over] = float("-inf")
            scores[over, self.eos] = 0.0
        ids = None
        for b, row in enumerate(self.rows):
            if not row.constraints:
                continue
            if ids is None:
                ids = input_ids[:, self.start :].tolist()
            for k in range(self.num_beams):
                r = b * self.num_beams + k
                if not bool(over[r]):
                    self._constrain(row, tuple(ids[r]), scores[r])
        return scores

    # -- the per-hypothesis state machine --------------------------------------------------

    def state(self, row: _Row, prefix: tuple[int, ...]) -> _State:
        """The constraint state after ``prefix`` (memoized; beams share their prefixes)."""
        known = row.states.get(prefix)
        if known is not None:
            return known
        state = _State() if not prefix else self._step(row, prefix, self.state(row, prefix[:-1]))
        row.states[prefix] = state
        return state

    def _step(self, row: _Row, prefix: tuple[int, ...], parent: _State) -> _State:
        token = prefix[-1]
        done, active, assisted = set(parent.done), parent.active, set(parent.assisted)
        pushed = (prefix[:-1], token) in row.moves
        just_done = False
        if active is not None:
            c, k = active
            tokens = row.constraints[c].tokens
            if tokens[k] == token:
                active = (c, k + 1)
                if k + 1 == len(tokens):
                    done.add(c)
                    active, just_done = None, True
            else:
                active = None
        if active is None and not just_done:
            starts = [
                c
                for c, con in enumerate(row.constraints)
                if c not in done and con.tokens[0] == token
            ]
            if starts:
                # Several terms may share a first token (Syria / Syrian Democratic Forces):
                # follow the longest; the others stay pending.
                c = max(starts, key=lambda i: len(row.constraints[i].tokens))
                if pushed:
                    assisted.add(c)
                if len(row.constraints[c].tokens) == 1:
                    done.add(c)
                    just_done = True
                else:
                    active = (c, 1)
        for c, con in enumerate(row.constraints):
            # A term the model spelled out by a path we did not follow counts as well.
            n = len(con.tokens)
            if c not in done and len(prefix) >= n and prefix[-n:] == con.tokens:
                done.add(c)
                just_done = True
        return _State(frozenset(done), active, frozenset(assisted), just_done)

    def _constrain(self, row: _Row, prefix: tuple[int, ...], scores: torch.Tensor) -> None:
        state = self.state(row, prefix)
        generated = len(prefix)
        for con in row.constraints:
            for seq in con.avoid:
                if len(seq) == 1 or prefix[-(len(seq) - 1) :] == seq[:-1]:
                    scores[seq[-1]] = float("-inf")
        if state.just_done:
            scores[self.glue] = float("-inf")
        if state.active is not None:
            c, k = state.active
            self._force(scores, row.constraints[c].tokens[k])
            return
        pending = [c for c in range(len(row.constraints)) if c not in state.done]
        if not pending:
            return
        scores[self.eos] = float("-inf")
        need = sum(len(row.constraints[c].tokens) for c in pending)
        first = min(pending, key=lambda c: row.constraints[c].expected)
        due = [c for c in pending if row.constraints[c].expected + SLACK <= generated]
        if row.max_new - 1 - generated <= need or due:
            chosen = min(due, key=lambda c: row.constraints[c].expected) if due else first
            token = row.constraints[chosen].tokens[0]
            self._force(scores, token)
            row.moves.add((prefix, token))
            return
        for c in pending:
            con = row.constraints[c]
            if con.expected - WINDOW <= generated:
                scores[con.tokens[0]] += BONUS
                row.moves.add((prefix, con.tokens[0]))

    @staticmethod
    def _force(scores: torch.Tensor, token: int) -> None:
        keep = scores[token].clamp(min=-1e4)  # stay finite even if another rule banned it
        scores.fill_(float("-inf"))
        scores[token] = keep

    # -- after decoding ------------------------------------------------------------------

    def outcome(self, b: int, generated: Sequence[int]) -> tuple[set[str], set[str]]:
        """For sentence ``b``'s final tokens: (terms decoded, terms whose start we forced)."""
        row = self.rows[b]
        tokens = [t for t in generated]
        while tokens and tokens[-1] in (self.eos,):
            tokens.pop()
        state = self.state(row, tuple(tokens))
        done = {row.constraints[c].en for c in state.done}
        assisted = {row.constraints[c].en for c in state.assisted}
        return done, assisted


def glue_mask(tokenizer: Any, vocab_size: int) -> torch.Tensor:
    """True for target tokens that continue the previous word (no ``▁``, start with a letter)."""
    mask = torch.zeros(vocab_size, dtype=torch.bool)
    vocab = tokenizer.get_vocab() if hasattr(tokenizer, "get_vocab") else {}
    for piece, i in vocab.items():
        if i < vocab_size and piece and piece[0].isalnum():
            mask[i] = True
    return mask
