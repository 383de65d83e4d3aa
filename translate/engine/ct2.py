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

Glossary enforcement
--------------------
As with the transformers backend (:mod:`translate.engine.constraints`): the batch is decoded
without constraints, with ``return_attention`` when a sentence of the batch has terms (the
attention vectors come with the decode, at no extra pass); each term missing from a sentence
replaces the model's own rendering of the name, found by the model's translation of the name
alone (one ``translate_batch`` of the missing names, rows independent) or by that attention.
Sentences without terms, and sentences whose names the model already writes as the glossary
does, are exactly what ``translate_batch`` gives without a glossary.

Shortlist
---------
With a vocabulary shortlist (:mod:`translate.engine.shortlist`; ``--shortlist FILE``, or the
model directory's own ``vmap.txt``) every ``translate_batch`` runs with ``use_vmap``: CTranslate2
scores only the batch's candidates. It reads the map from ``vmap.txt`` when the translator is
built, so a shortlist other than the directory's own is loaded from a private folder of links to
the model's files beside that ``vmap.txt``, deleted once the translator is built. CTranslate2
takes no per-batch extra candidates, so a batch whose glossary terms have pieces outside the
always-allowed line adds them to it and builds the translator again (its weights are read once
more); a shortlist built with ``--glossary`` holds them already and never needs that.

An earlier design forced terms into the beam search through ``target_prefix`` (a greedy probe to
place them, then a beam pass from the prefix). Measured on the model trained in
``evaluation/trained/`` it kept the model's own rendering beside the glossary's in half the
overridden names and over-counted names in 12% of sentences ("in Kobani al-Arab"); see
``evaluation/trained/results.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ModelError, first_line
from ..glossary import english_has
from .constraints import NAME_TOKENS, Term, enforce, source_span
from .hf import MAX_SOURCE_TOKENS, _max_new_tokens, cpu_cores
from .model import ModelRef
from .shortlist import FILENAME as SHORTLIST_FILE
from .shortlist import FIXED, Shortlist, choose
from .types import TermSpec, Translation

EOS = "</s>"
UNK = "<unk>"
#: What MarianTokenizer skips when it decodes (``skip_special_tokens``).
_SPECIALS = frozenset({EOS, UNK, "<pad>"})


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
        shortlist: Path | None = None,
        default_shortlist: bool = True,
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
        #: The vocabulary shortlist (``shortlist``, else the model directory's vmap.txt unless
        #: ``default_shortlist`` is off), or None; ``_vmap`` is it with the glossary pieces the
        #: translator was last built with (see the module notes).
        self.shortlist: Shortlist | None = choose(ref.path, shortlist, default_shortlist)
        self._vmap = self.shortlist
        self._names: dict[str, tuple[str, ...]] = {}  # Arabic name → its renderings alone
        #: Benchmarks only: every sentence gets exactly this many output tokens.
        self.fixed_output_tokens: int | None = None
        self.workers = (threads or cpu_cores()) if device == "cpu" else 1
        #: Parts each batch is split in. Int8 activations are scaled over a part, so the split
        #: shapes the output: a Ray worker with one thread is given its driver's split, and
        #: decodes the parts one after the other, to write what a local run writes.
        self.parts = self.workers
        self._translator: Any = None
        try:
            self._sp_source: Any = spm.SentencePieceProcessor(
                model_file=str(ref.path / "source.spm")
            )
            self._sp_target: Any = spm.SentencePieceProcessor(
                model_file=str(ref.path / "target.spm")
            )
        except (RuntimeError, ValueError, OSError) as exc:
            first = first_line(exc)
            raise ModelError(
                f"{ref.name}: cannot load the CTranslate2 model ({first}); convert it again "
                "with `tarjama model convert`"
            ) from exc
        self._source_vocab = frozenset(_read_vocabulary(ref.path, "source"))
        self._target_vocab = frozenset(_read_vocabulary(ref.path, "target"))

    @property
    def translator(self) -> Any:
        """The CTranslate2 ``Translator``, built (weights read) on first use: a run whose every
        sentence is in the memory needs the sentencepiece models only."""
        if self._translator is None:
            import ctranslate2

            try:
                with self._model_folder() as folder:
                    self._translator = ctranslate2.Translator(
                        str(folder),
                        device=self.device,
                        compute_type=self.compute_type,
                        inter_threads=self.workers,
                        intra_threads=1 if self.device == "cpu" else 0,
                    )
            except Exception as exc:  # a damaged model.bin raises IndexError, RuntimeError, …
                first = first_line(exc)
                raise ModelError(
                    f"{self.ref.name}: cannot load the CTranslate2 model ({first}); convert it "
                    "again with `tarjama model convert`"
                ) from exc
        return self._translator

    @translator.setter
    def translator(self, value: Any) -> None:
        self._translator = value

    @contextmanager
    def _model_folder(self) -> Iterator[Path]:
        """Where the translator is built from: the model directory, or, when the shortlist is
        not its own vmap.txt, a private folder of links to its files and that shortlist."""
        vmap, own = self._vmap, self.ref.path / SHORTLIST_FILE
        if vmap is None or (
            vmap is self.shortlist
            and vmap.path is not None
            and vmap.path.resolve() == own.resolve()
        ):
            yield self.ref.path
            return
        import shutil
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="tarjama-vmap-"))
        try:
            for file in self.ref.path.iterdir():
                if file.is_file() and file.name != SHORTLIST_FILE:
                    (folder / file.name).symlink_to(file.resolve())
            (folder / SHORTLIST_FILE).write_text(vmap.text(), encoding="utf-8")
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @property
    def loaded(self) -> bool:
        """Whether the weights have been read."""
        return self._translator is not None

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "model": self.ref.name,
            "revision": self.ref.revision,
            "num_beams": self.num_beams,
            "precision": self.compute_type,
            **({"shortlist": self.shortlist.digest} if self.shortlist is not None else {}),
        }

    # -- tokens ----------------------------------------------------------------------------

    def source_tokens(self, texts: Sequence[str]) -> list[list[str]]:
        """What CTranslate2 is given: MarianTokenizer's pieces (unknown ones as ``<unk>``, cut
        at 512 tokens) and ``</s>``."""
        vocab = self._source_vocab
        # One thread: sentencepiece otherwise starts a thread per core on every call, which
        # costs milliseconds per sentence on a busy machine (segmentation counts one at a time).
        rows = self._sp_source.encode(list(texts), out_type=str, num_threads=1)
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
        per_worker = -(-len(source) // self.parts)
        return list(
            self.translator.translate_batch(
                source, max_batch_size=per_worker, use_vmap=self._vmap is not None, **options
            )
        )

    def _allow(self, pieces: set[str]) -> None:
        """Make ``pieces`` candidates of every batch: the translator is built again with them in
        the always-allowed line when some are not there yet (see the module notes)."""
        assert self._vmap is not None
        missing = pieces - set(self._vmap.always) - set(FIXED)
        if missing:
            self._vmap = self._vmap.with_always(sorted(missing))
            self._translator = None

    def _cap(self, source_tokens: int) -> int:
        return self.fixed_output_tokens or _max_new_tokens(source_tokens)

    # -- decoding --------------------------------------------------------------------------

    def _terms(self, source: list[str], specs: Sequence[TermSpec]) -> list[Term]:
        terms = []
        for spec in specs:
            pieces = self._target_pieces(spec.en)
            if not pieces:
                continue
            start, end = source_span(source, spec.position, spec.end, len(spec.en.split()))
            terms.append(Term(spec.en, tuple(pieces), start, end, spec.ar))
        return terms

    def _renderings(self, names: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """How the model translates each Arabic name on its own: its beam's hypotheses, best
        first (cached)."""
        todo = [n for n in names if n not in self._names]
        if todo:
            # One name a batch (max_batch_size=1): the answer never depends on which other names
            # were asked with it, so a resumed run finds what an uninterrupted one found.
            results = self.translator.translate_batch(
                self.source_tokens(todo),
                max_batch_size=1,
                beam_size=self.num_beams,
                num_hypotheses=self.num_beams,
                max_decoding_length=NAME_TOKENS,
                use_vmap=self._vmap is not None,
            )
            for name, result in zip(todo, results, strict=True):
                texts = (self.detokenize(h) for h in result.hypotheses)
                self._names[name] = tuple(dict.fromkeys(t for t in texts if t))
        return {n: self._names[n] for n in names}

    def translate_batch(
        self, texts: Sequence[str], terms: Sequence[Sequence[TermSpec]] | None = None
    ) -> list[Translation]:
        """Translate sentences that the caller has batched by length.

        ``terms`` gives, per sentence, the glossary terms to put into its English (see the
        module notes). The batch is decoded once, exactly as ``Translator.translate_batch``
        decodes its tokens without a glossary; missing terms then replace the model's own
        rendering of each name.
        """
        source = self.source_tokens(texts)
        specs = terms if terms is not None else [[] for _ in texts]
        caps = [self._cap(len(row)) for row in source]
        found = {i: t for i, row in enumerate(specs) if row and (t := self._terms(source[i], row))}
        if self._vmap is not None:
            self._allow({p for row in found.values() for t in row for p in t.pieces})
        options: dict[str, Any] = {"beam_size": self.num_beams, "max_decoding_length": max(caps)}
        if self.fixed_output_tokens:
            options["min_decoding_length"] = self.fixed_output_tokens
        results = self._decode(source, return_attention=bool(found), **options)
        hyps = [r.hypotheses[0][: caps[i]] for i, r in enumerate(results)]
        out = [Translation(self.detokenize(h)) for h in hyps]
        repair = [
            i for i, row in found.items() if any(not english_has(out[i].text, t.en) for t in row)
        ]
        asked = self._renderings(sorted({t.ar for i in repair for t in found[i] if t.ar}))
        for i, row in found.items():
            if i in repair:
                row = [replace(t, renderings=asked.get(t.ar, ())) for t in row]
            attention = results[i].attention[0][: len(hyps[i])] if results[i].attention else None
            outcome = enforce(hyps[i], attention, row, self.detokenize)
            text = self.detokenize(outcome.pieces) if outcome.forced else out[i].text
            done = {t.en for t in row if english_has(text, t.en)}
            out[i] = Translation(text, done, outcome.forced & done)
        return out
