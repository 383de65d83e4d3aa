"""The CTranslate2 backend: a converted MarianMT model through ``Translator.translate_batch``.

``tarjama model convert`` writes the model (int8 by default) with its sentencepiece files beside
it. Sentences are tokenized with sentencepiece directly (the same pieces MarianTokenizer gives,
without loading transformers or torch), decoded by CTranslate2 in the batches the translate stage
planned, and detokenized as MarianTokenizer does. Sentences without glossary terms cost exactly
one ``translate_batch`` call: the pipeline adds nothing to CTranslate2's own work.

Threads
-------
On a CPU each batch is split in one part per core and the parts are decoded side by side, one
thread each (``inter_threads`` = cores, ``intra_threads`` = 1), rather than the whole batch on all
cores. A decoding step is a string of small matrix products that two threads share badly: on 2
cores, 32 sentences, beam 4, the split decode takes 1.75 s where the whole batch on both cores
takes 2.35 s (1.4x; evaluation/speed/results.json), and a greedy pass 0.65 s instead of 0.95 s.
Each row decodes independently of its batch-mates, so the output is the same either way. There
is one part per worker, never more: parts queued behind each other pay a decoding step's fixed
cost once each (one thread, 32 sentences in parts of 2, 4, 8 and 16: 3.2, 2.3, 1.9, 1.9 s). On
a GPU the batch is decoded whole. Measured on 2 cores only: a machine with many cores may do
better with a few threads per worker.

Length caps
-----------
Each sentence's cap is ``hf._max_new_tokens`` of its source length (plus its terms' tokens), as
in the transformers backend. CTranslate2 takes one ``max_decoding_length`` per call, so a batch
decodes to its longest cap and each hypothesis is then cut to its own: the output never exceeds
the sentence's cap, and since the translate stage batches sentences of similar length, a
degenerate hypothesis can only run a few tokens past it.

Glossary enforcement: forced prefixes
-------------------------------------
CTranslate2 4.x has no logits-processor hook in its Python API (``translate_batch`` offers
``target_prefix``, ``suppress_sequences``, ``return_attention``, ``return_alternatives`` and, for
greedy search only, a per-token ``callback`` that can stop a sentence; checked on 4.8.5), so
:class:`~translate.engine.constraints.TermForcer` cannot run inside its beam search. Terms are
decoded into the hypothesis through forced prefixes instead:

1. *Probe*: the sentences with terms are decoded greedily (with cross-attention), each stopped
   by the callback a few tokens past where its last term is expected.
2. *Place*: for each term missing from a probe, the target words whose attention peaks on the
   term's source tokens are the model's own rendering of it and are replaced; if there are none,
   the term goes before the first word that translates something after it (without attention:
   at its relative position in the source).
3. *Decode*: one beam-search call for the whole batch. A sentence with missing terms is forced to
   start with ``probe up to the first term + term + probe words between + next term + …`` up to
   its last term, the first piece of the word after it (so nothing can glue onto the term, as
   ``Kobani`` + ``s``), then decoded freely, conditioned on every term. Sentences whose probe has
   every term, and sentences without terms, get no prefix; the call's length limit is the one it
   has without a glossary, so sentences without terms come out exactly the same. A sentence
   whose probe ended (end of sentence, or its length cap) at most ``PROBE_SLACK`` tokens after
   its last term is complete once its terms are in: those few tokens are kept and the sentence
   skips the beam call, which would only have decoded them again. Names often end an Arabic
   news sentence (``... في مدينة عين العرب.``), so this is common.
4. *Repair* (rare): a sentence whose beam output still misses a term (the model wrote it in the
   probe but not in the beam) gets a forced-prefix repair from its beam output, with ``avoid``
   renderings banned by ``suppress_sequences``; a term the model glued letters onto gets the
   best next word-start token from ``return_alternatives``. Repeated until every term is in.

Terms in the output that decoding did not impose are ``kept``; the others are ``forced``.

Why this design, and what it costs
----------------------------------
A forced prefix is decoded step by step with the full beam, so a repair costs a whole decode,
however long the prefix (measured: a prefix of 60% of the hypothesis saves nothing), and on CPU
a decoding step has a large fixed cost (an 8-sentence call takes about as long per step as a
32-sentence one). What enforcement costs is therefore the number of sequential decoding passes.
``return_alternatives`` decodes a prefix in one step, but one sentence at a time: 2-5x slower
than a batched decode. Measured on a random-weight model of opus-mt-ar-en's shape (no name is
ever produced by chance, so every term is forced), 2 cores, beam 4, 48 output tokens, the 21
corpus sentences and 11 of the glossary matching set (88 terms), as batched by the translate
stage; time relative to the same run without a glossary:

* this design (``probe=True``): greedy probe (~0.35 of a beam pass over the whole batch) + one
  beam pass, 1.5-1.6x when sentences with terms were batched apart from the others; since they
  share one batch (rows decode independently here) 1.30-1.35x; since sentences that the probe
  completed skip the beam pass (9 of these 32) and batches are split across cores, 1.11-1.15x
  (evaluation/speed/results.json);
* beam-first repair (``probe=False``): beam pass, then a second beam pass for the sentences that
  miss terms, prefixes cut from the beam output, 1.8-1.9x. Its prefixes come from beam search
  rather than greedy search, and it costs nothing when the model produces every term;
* one term per repair (``terms_per_round=1``): every word after every term is conditioned on it,
  but a sentence with k missing terms is decoded k + 1 times, 3.7-4.4x.

Without a glossary the backend costs what ``translate_batch`` costs on the same batch (measured
0.95-1.02x, within the noise of this shared machine; tokenizing 32 sentences takes 0.5 ms).

With the probe, words before the last forced term come from greedy search, and words between two
forced terms were conditioned on the model's own rendering of the first (the same name). The
transformers backend is cheaper (one pass, 1.1-1.3x) because a logits processor steers every
beam while it decodes; CTranslate2 exposes that hook only in C++
(``DecodingOptions::logits_processors``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ModelError
from ..glossary import english_has
from .hf import _LENGTH_RATIO, MAX_SOURCE_TOKENS, _max_new_tokens, cpu_cores
from .model import ModelRef
from .types import TermSpec, Translation

EOS = "</s>"
UNK = "<unk>"
#: What MarianTokenizer skips when it decodes (``skip_special_tokens``).
_SPECIALS = frozenset({EOS, UNK, "<pad>"})
#: Next-token candidates looked at when the model glued letters onto a forced term.
_ALTERNATIVES = 16
#: The greedy probe runs this many tokens past where the sentence's last term is expected.
PROBE_SLACK = 8


def _continues_word(piece: str) -> bool:
    """True for a target piece that glues onto the previous word (the rule of
    :func:`translate.engine.constraints.glue_mask`: no ``▁``, starts with a letter or digit)."""
    return bool(piece) and piece[0].isalnum()


def _word_start(kept: list[str], parts: list[tuple[bool, list[str]]]) -> list[str]:
    """``kept`` without leading pieces that would glue onto a term just before it."""
    if parts and parts[-1][0]:
        while kept and _continues_word(kept[0]):
            kept = kept[1:]
    return kept


def _compute_type(precision: str, device: str, supported: set[str]) -> str:
    if precision not in ("auto", "int8", "float32"):
        raise ModelError(f"unknown precision {precision!r}; choose auto, int8 or float32")
    if precision == "float32":
        return "float32"
    if device == "cpu":
        return "int8"
    # On a GPU int8 weights with float16 arithmetic is CTranslate2's fastest mode.
    return next(t for t in ("int8_float16", "float16", "float32") if t in supported)


def _read_vocabulary(path: Path, side: str) -> list[str]:
    """CTranslate2's vocabulary file (JSON since 3.x, text before; shared or per side)."""
    for name in (f"{side}_vocabulary", "shared_vocabulary"):
        if (path / f"{name}.json").is_file():
            tokens: list[str] = json.loads((path / f"{name}.json").read_text(encoding="utf-8"))
            return tokens
        if (path / f"{name}.txt").is_file():
            return (path / f"{name}.txt").read_text(encoding="utf-8").split("\n")
    raise ModelError(
        f"{path}: no CTranslate2 vocabulary file; convert the model again with "
        "`tarjama model convert`"
    )


def _source_index(pieces: Sequence[str], fraction: float) -> int:
    """The source piece at ``fraction`` of the sentence's characters (``▁`` counts one)."""
    body = pieces[:-1] if pieces and pieces[-1] == EOS else pieces
    target = fraction * sum(len(p) for p in body)
    seen = 0
    for i, piece in enumerate(body):
        seen += len(piece)
        if seen > target:
            return i
    return max(len(body) - 1, 0)


def _span_end(pieces: Sequence[str], start: int, words: int) -> int:
    """One past the last source piece of the ``words`` words from piece ``start``."""
    body = len(pieces) - 1 if pieces and pieces[-1] == EOS else len(pieces)
    end = start + 1
    while end < body and (words > 1 or not pieces[end].startswith("▁")):
        if pieces[end].startswith("▁"):
            words -= 1
        end += 1
    return end


@dataclass(slots=True)
class _Term:
    en: str
    pieces: list[str]
    start: int  # first source piece of the Arabic term
    end: int  # one past its last source piece (estimated from the English's word count)
    position: float  # where the term sits in the source, 0.0 to 1.0


@dataclass(slots=True)
class _Job:
    """One sentence under enforcement: its current hypothesis and what repairs have locked in."""

    index: int  # in the batch
    source: list[str]
    terms: list[_Term]
    avoid: list[list[str]]
    cap: int
    hyp: list[str]
    attention: list[list[float]] | None
    locked: int = 0  # hyp[:locked] is forced in every later decode; it ends with a forced term
    last_forced: str = ""
    forced: set[str] = field(default_factory=set)
    prefix: list[str] = field(default_factory=list)  # what the next decode starts with
    finished: bool = False  # hyp ends where its decode ended the sentence (end token or cap)
    complete: bool = False  # prefix is the whole sentence: no decode is left to do


class CTranslate2Backend:
    """Translate batches of normalized Arabic sentences with a CTranslate2 model directory.

    CTranslate2 packs and pads batches efficiently, so it prefers larger batches than the
    transformers backend (``batch_tokens``); a raw ``translate_batch`` of 32 sorted sentences is
    what the pipeline must match.

    Args:
        ref: a resolved model whose ``kind`` is ``"ct2"``.
        num_beams: beam size.
        device: ``auto`` (CUDA when CTranslate2 sees a GPU), ``cpu`` or ``cuda``.
        threads: CPU threads (default: the cores this process may use); each decodes its share
            of a batch (see the module notes).
        precision: ``auto`` or ``int8`` (int8 on CPU, int8 weights with float16 on a GPU), or
            ``float32``.
        terms_per_round: missing terms placed per repair decode (0: all; see the module notes).
        probe: place terms from a greedy probe before the beam decode (else from the beam
            output, with a second beam decode).
    """

    name = "ctranslate2"
    batch_tokens = 8192  # source tokens per batch, padding included, unless the options say
    # Each sentence of a batch is decoded independently (int8 scales per row, a forced prefix
    # touches its own sentence only), so sentences with and without terms may share a batch.
    independent_rows = True

    def __init__(
        self,
        ref: ModelRef,
        num_beams: int = 4,
        device: str = "auto",
        threads: int | None = None,
        precision: str = "auto",
        terms_per_round: int = 0,
        probe: bool = True,
    ) -> None:
        try:
            import ctranslate2
            import sentencepiece as spm
        except ImportError as exc:
            raise ModelError(
                "CTranslate2 is not installed; pip install 'tarjama[ct2]' (or ctranslate2), "
                "or use --backend transformers with a transformers model"
            ) from exc
        gpus = ctranslate2.get_cuda_device_count()
        if device == "auto":
            device = "cuda" if gpus else "cpu"
        if device not in ("cpu", "cuda"):
            raise ModelError(f"unknown device {device!r}; choose auto, cpu or cuda")
        if device == "cuda" and not gpus:
            raise ModelError("--device cuda: CTranslate2 finds no CUDA GPU; use --device cpu")
        supported = set(ctranslate2.get_supported_compute_types(device))
        self.compute_type = _compute_type(precision, device, supported)
        self.ref = ref
        self.device = device
        self.num_beams = num_beams
        self.terms_per_round = terms_per_round
        self.probe = probe
        #: Benchmarks only: every sentence gets exactly this many output tokens.
        self.fixed_output_tokens: int | None = None
        self.workers = (threads or cpu_cores()) if device == "cpu" else 1
        try:
            self.translator: Any = ctranslate2.Translator(
                str(ref.path),
                device=device,
                compute_type=self.compute_type,
                inter_threads=self.workers,
                intra_threads=1 if device == "cpu" else 0,
            )
            self._sp_source: Any = spm.SentencePieceProcessor(
                model_file=str(ref.path / "source.spm")
            )
            self._sp_target: Any = spm.SentencePieceProcessor(
                model_file=str(ref.path / "target.spm")
            )
        except (RuntimeError, ValueError, OSError) as exc:
            text = str(exc).strip()
            first = text.splitlines()[0] if text else type(exc).__name__
            raise ModelError(
                f"{ref.name}: cannot load the CTranslate2 model ({first}); convert it again "
                "with `tarjama model convert`"
            ) from exc
        self._source_vocab = frozenset(_read_vocabulary(ref.path, "source"))
        self._target_vocab = frozenset(_read_vocabulary(ref.path, "target"))

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "model": self.ref.name,
            "revision": self.ref.revision,
            "num_beams": self.num_beams,
            "precision": self.compute_type,
        }

    # -- tokens ----------------------------------------------------------------------------

    def source_tokens(self, texts: Sequence[str]) -> list[list[str]]:
        """What CTranslate2 is given: MarianTokenizer's pieces (unknown ones as ``<unk>``, cut
        at 512 tokens) and ``</s>``."""
        vocab = self._source_vocab
        rows = self._sp_source.encode(list(texts), out_type=str)
        return [
            [p if p in vocab else UNK for p in row[: MAX_SOURCE_TOKENS - 1]] + [EOS] for row in rows
        ]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts, as the model sees them."""
        return [len(row) for row in self.source_tokens(texts)]

    def detokenize(self, pieces: Sequence[str]) -> str:
        """English text of target pieces, as MarianTokenizer decodes them."""
        text: str = self._sp_target.decode_pieces([p for p in pieces if p not in _SPECIALS])
        return text.replace("▁", " ").strip()

    def _target_pieces(self, text: str) -> list[str]:
        pieces: list[str] = self._sp_target.encode(text, out_type=str)
        # A term the vocabulary cannot spell is reported missed, not forced.
        return pieces if pieces and all(p in self._target_vocab for p in pieces) else []

    def _decode(self, source: list[list[str]], **options: Any) -> list[Any]:
        """``translate_batch``, the batch split in one part per worker (see the module notes)."""
        per_worker = -(-len(source) // self.workers)
        return list(self.translator.translate_batch(source, max_batch_size=per_worker, **options))

    def _cap(self, source_tokens: int) -> int:
        return self.fixed_output_tokens or _max_new_tokens(source_tokens)

    # -- decoding --------------------------------------------------------------------------

    def translate_batch(
        self, texts: Sequence[str], terms: Sequence[Sequence[TermSpec]] | None = None
    ) -> list[Translation]:
        """Translate sentences that the caller has batched by length.

        ``terms`` gives, per sentence, the glossary terms to decode into its English (see the
        module notes). Sentences without terms are decoded once, exactly as
        ``Translator.translate_batch`` decodes their tokens.
        """
        source = self.source_tokens(texts)
        specs = terms if terms is not None else [[] for _ in texts]
        caps = [self._cap(len(row)) for row in source]
        limit = max(caps)
        jobs: dict[int, _Job] = {}
        for i, row in enumerate(specs):
            found, avoid = self._terms(source[i], row)
            if found:
                # The batch's length limit stays what it is without a glossary, so that the
                # sentences without terms decode exactly the same.
                cap = min(
                    self.fixed_output_tokens or caps[i] + sum(len(t.pieces) for t in found), limit
                )
                jobs[i] = _Job(i, source[i], found, avoid, cap, [], None)
        if jobs and self.probe:
            self._probe(list(jobs.values()))
        # A sentence whose probe, terms in, is the whole sentence has nothing left to decode.
        completed = {i for i, job in jobs.items() if job.prefix and job.complete}
        rows = [i for i in range(len(source)) if i not in completed]
        prefixes = [jobs[i].prefix or None if i in jobs else None for i in rows]
        options: dict[str, Any] = {"beam_size": self.num_beams, "max_decoding_length": limit}
        if self.fixed_output_tokens:
            options["min_decoding_length"] = self.fixed_output_tokens
        decoded = (
            self._decode(
                [source[i] for i in rows],
                target_prefix=prefixes if any(prefixes) else None,
                # Attention only when a sentence had no probe to place its terms from; a repair
                # round (rare) asks for it again.
                return_attention=bool(jobs) and not self.probe,
                **options,
            )
            if rows
            else []
        )
        results: dict[int, Any] = dict(zip(rows, decoded, strict=True))
        out = [
            Translation(self.detokenize(results[i].hypotheses[0][: caps[i]]))
            if i in results
            else Translation("")
            for i in range(len(source))
        ]
        for i, job in jobs.items():
            job.finished = True
            if i in completed:
                job.hyp, job.attention = job.prefix[:limit], None
                continue
            job.hyp = results[i].hypotheses[0][: max(job.cap, job.locked)]
            job.attention = (
                results[i].attention[0][: len(job.hyp)] if results[i].attention else None
            )
        if jobs:
            self._enforce(list(jobs.values()))
            for i, job in jobs.items():
                text = self.detokenize(job.hyp)
                done = {t.en for t in job.terms if english_has(text, t.en)}
                out[i] = Translation(text, done, job.forced & done)
        return out

    def _probe(self, jobs: list[_Job]) -> None:
        """Greedy-decode the sentences with terms, each only a little past where its last term
        is expected, and plan their forced prefixes from that (``job.prefix``; empty when the
        model produced every term by itself)."""
        deadlines = []
        for job in jobs:
            expected = self.fixed_output_tokens or len(job.source) * _LENGTH_RATIO
            last = max(t.position for t in job.terms)
            deadlines.append(max(1, min(job.cap, int(last * expected) + PROBE_SLACK)))

        def stop(step: Any) -> bool:
            return bool(step.step + 1 >= deadlines[step.batch_id])

        banned = sorted({tuple(seq) for job in jobs for seq in job.avoid})
        results = self._decode(
            [job.source for job in jobs],
            beam_size=1,
            max_decoding_length=max(deadlines),
            return_attention=True,
            suppress_sequences=[list(seq) for seq in banned] or None,
            callback=stop,
        )
        for job, result, deadline in zip(jobs, results, deadlines, strict=True):
            job.hyp = result.hypotheses[0]
            job.attention = result.attention[0] if result.attention else None
            job.finished = len(job.hyp) < deadline or len(job.hyp) >= job.cap
            if not self._plan(job):
                job.prefix = []

    def _terms(
        self, source: list[str], specs: Sequence[TermSpec]
    ) -> tuple[list[_Term], list[list[str]]]:
        found: list[_Term] = []
        avoid: list[list[str]] = []
        for spec in sorted(specs, key=lambda t: t.position):
            pieces = self._target_pieces(spec.en)
            if not pieces or any(t.en == spec.en for t in found):
                continue
            start = _source_index(source, spec.position)
            # The translate stage gives where the Arabic term ends; without it, take as many
            # Arabic words as the English has (عين العرب → Kobani would leave a word behind).
            until = getattr(spec, "end", None)
            if until is not None:
                end = max(start + 1, _source_index(source, until))
            else:
                end = _span_end(source, start, max(1, len(spec.en.split())))
            found.append(_Term(spec.en, pieces, start, end, spec.position))
            avoid += [seq for seq in map(self._target_pieces, spec.avoid) if seq]
        # Never ban a sequence a term itself starts with: the term must stay reachable.
        avoid = [a for a in avoid if not any(t.pieces[: len(a)] == a for t in found)]
        return found, avoid

    def _enforce(self, jobs: list[_Job]) -> None:
        """Repair rounds until every term is in every hypothesis (see the module notes)."""
        rounds = 2 + 2 * max(len(job.terms) for job in jobs)
        for _ in range(rounds):
            work = [job for job in jobs if self._plan(job)]
            for job in work:
                if job.complete:  # nothing left to decode: the prefix is the sentence
                    job.hyp, job.attention = job.prefix, None
            work = [job for job in work if not job.complete]
            if not work:
                continue  # the next round finds every term in
            prefixes = [job.prefix for job in work]
            longest = max(len(p) for p in prefixes)
            options: dict[str, Any] = {
                "beam_size": self.num_beams,
                "max_decoding_length": max(max(job.cap for job in work), longest),
            }
            if self.fixed_output_tokens:  # counts the prefix, as max_decoding_length does
                options["min_decoding_length"] = self.fixed_output_tokens
            banned = sorted({tuple(seq) for job in work for seq in job.avoid})
            results = self._decode(
                [job.source for job in work],
                target_prefix=prefixes,
                return_attention=True,
                suppress_sequences=[list(seq) for seq in banned] or None,
                **options,
            )
            for job, result in zip(work, results, strict=True):
                keep = max(job.cap, job.locked)
                job.hyp = result.hypotheses[0][:keep]
                job.attention = result.attention[0][:keep] if result.attention else None

    def _plan(self, job: _Job) -> bool:
        """Set ``job.prefix`` for the next repair decode; False when the job is complete."""
        job.complete = False
        text = self.detokenize(job.hyp)
        if (
            job.last_forced
            and len(job.hyp) > job.locked
            and _continues_word(job.hyp[job.locked])
            and not english_has(text, job.last_forced)
        ):
            following = self._next_word(job)
            if following is None:  # the best way on is to end the sentence after the term
                job.hyp = job.hyp[: job.locked]
                if job.attention is not None:
                    job.attention = job.attention[: job.locked]
                return self._plan(job)
            job.prefix = [*job.hyp[: job.locked], following]
            job.locked += 1
            return True
        missing = [t for t in job.terms if not english_has(text, t.en)]
        if not missing:
            return False
        places = self._places(job, missing)
        if self.terms_per_round:
            places = places[: self.terms_per_round]
        parts: list[tuple[bool, list[str]]] = []  # (is a term, pieces), in target order
        pos = job.locked
        for (cut, end), term in places:
            cut = max(cut, pos)
            parts.append((False, _word_start(job.hyp[pos:cut], parts)))
            parts.append((True, term.pieces))
            job.forced.add(term.en)
            pos = max(end, cut)
        if len(places) == len(missing):
            # Every term is placed: lock in the terms the model wrote after the last forced one
            # and the first piece of the word that follows, so that the decode to come can
            # neither lose a term nor glue letters onto one.
            stop = max([pos, *self._kept_ends(job, pos, missing)])
            after = job.hyp[stop : stop + 1]
            if after and (_continues_word(after[0]) or after[0] in _SPECIALS):
                after = []
            tail = job.hyp[stop:]
            # A decode that ended the sentence a few tokens after its last term leaves nothing
            # for another decode to do but those few tokens: they are kept, and the sentence
            # is complete.
            job.complete = (
                job.finished
                and len(tail) <= PROBE_SLACK
                and not any(p in _SPECIALS for p in tail)
                and (not tail or after == tail[:1])
            )
            if job.complete:
                after = tail
            parts.append((False, _word_start(job.hyp[pos:stop], parts) + after))
        # Keep within the sentence's cap by dropping kept words from the end, never a term.
        overflow = job.locked + sum(len(pieces) for _, pieces in parts) - job.cap
        for k in reversed(range(len(parts))):
            is_term, pieces = parts[k]
            if overflow > 0 and not is_term:
                drop = min(overflow, len(pieces))
                parts[k] = (False, pieces[: len(pieces) - drop])
                overflow -= drop
        job.prefix = job.hyp[: job.locked] + [p for _, pieces in parts for p in pieces]
        job.locked = len(job.prefix)
        if self.fixed_output_tokens:  # benchmarks: every output has exactly that length
            job.complete = job.locked >= self.fixed_output_tokens
        job.complete = job.complete or job.locked >= job.cap
        job.last_forced = places[-1][1].en
        return True

    @staticmethod
    def _kept_ends(job: _Job, start: int, missing: list[_Term]) -> list[int]:
        """Ends of the terms the model itself wrote in ``job.hyp[start:]`` (as whole words)."""
        hyp, ends = job.hyp, []
        for term in job.terms:
            n = len(term.pieces)
            if term in missing:
                continue
            for k in range(start, len(hyp) - n + 1):
                if hyp[k : k + n] == term.pieces and not (
                    k + n < len(hyp) and _continues_word(hyp[k + n])
                ):
                    ends.append(k + n)
        return ends

    def _places(self, job: _Job, missing: list[_Term]) -> list[tuple[tuple[int, int], _Term]]:
        """Where each missing term goes in the hypothesis, in target order: ``(cut, end)``
        replaces ``hyp[cut:end]`` (the model's own rendering, possibly empty)."""
        hyp, lo = job.hyp, job.locked
        if lo >= len(hyp):
            return [((len(hyp), len(hyp)), t) for t in missing]
        starts = [lo] + [i for i in range(lo + 1, len(hyp)) if hyp[i].startswith("▁")]
        ends = [*starts[1:], len(hyp)]
        places = []
        if job.attention is not None and len(job.attention) >= len(hyp) and len(job.source) > 1:
            import numpy as np

            weights = np.asarray(job.attention[lo : len(hyp)], dtype=np.float32)[:, :-1]
            # Each target word's source piece: where its tokens' attention mass peaks (the
            # final </s> column, which attention often parks on, is left out).
            align = np.add.reduceat(weights, [s - lo for s in starts], axis=0).argmax(axis=1)
            for term in missing:
                inside = [k for k, a in enumerate(align) if term.start <= a < term.end]
                if inside:
                    last = inside[0]
                    while last + 1 < len(starts) and term.start <= align[last + 1] < term.end:
                        last += 1
                    places.append(((starts[inside[0]], ends[last]), term))
                    continue
                later = [starts[k] for k, a in enumerate(align) if a >= term.end]
                cut = later[0] if later else len(hyp)
                places.append(((cut, cut), term))
        else:
            for term in missing:
                want = term.position * len(hyp)
                cut = min(starts, key=lambda s: abs(s - want))
                places.append(((cut, cut), term))
        return sorted(places, key=lambda p: (p[0][0], p[1].start))

    def _next_word(self, job: _Job) -> str | None:
        """The likeliest token after the forced term that starts a new word (None: end)."""
        prefix = job.hyp[: job.locked]
        (result,) = self._decode(
            [job.source],
            target_prefix=[prefix],
            beam_size=self.num_beams,
            max_decoding_length=len(prefix) + 1,
            return_alternatives=True,
            num_hypotheses=_ALTERNATIVES,
        )
        for hyp in result.hypotheses:
            following = hyp[len(prefix) :]
            if following and following[0] not in _SPECIALS and not _continues_word(following[0]):
                return str(following[0])
        return None
