"""The transformers backend: MarianMT (or any seq2seq model) through ``generate``.

With a vocabulary shortlist (:mod:`translate.engine.shortlist`) each batch's output projection
is cut to the batch's candidates: the rows of ``lm_head`` for those pieces are gathered once per
batch (int8 rows as they are, with the full layer's scale, so a candidate scores exactly as
without the shortlist), and ``generate`` runs over a reduced vocabulary of those K pieces: the
decoder's embedding maps reduced ids back to the model's, the special ids are given reduced, and
the output is mapped back. So the projection, the softmax, the beam scores and the top-k all cost
K instead of 62,802 (full-vocabulary logits with ``-inf`` outside the candidates would leave
the last three, and the copies ``generate`` makes of the logits, at full width). The batch's
glossary pieces are candidates too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import ModelError, first_line
from .model import ModelRef
from .shortlist import Shortlist, choose
from .types import TermSpec, Translation

#: Marian models are trained on sentences up to 512 tokens; longer input is cut by the tokenizer.
MAX_SOURCE_TOKENS = 512


def _max_new_tokens(source_tokens: int) -> int:
    # English needs about 1.3 tokens per Arabic token with OPUS-MT vocabularies; a degenerate
    # hypothesis (a repetition loop) stops here instead of running to 512 tokens.
    return min(MAX_SOURCE_TOKENS, int(source_tokens * 2) + 10)


def _gpu_possible() -> bool:
    """Whether this machine has a GPU driver at all (NVIDIA or ROCm). Without one CUDA cannot
    be available, and the answer costs no ``import torch``."""
    return Path("/proc/driver/nvidia").exists() or Path("/dev/kfd").exists()


def _cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def cpu_cores() -> int:
    """The cores this process may use (its CPU affinity), not the host's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Arabic→English OPUS-MT output runs about 1.1 target tokens per source token.
_LENGTH_RATIO = 1.1
#: Decoder layers whose cross-attention, averaged over heads, aligns output words to the source
#: (see evaluation/trained/alignment.py for the measurement that chose them).
ALIGNMENT_LAYERS = (-2, -1)


def _quantize(model: Any) -> Any:
    """Dynamic int8 quantization of the linear layers (weights int8, activations quantized on
    the fly): about twice the speed on CPU for a Marian model, the output projection included.

    torch.ao's eager quantization is deprecated in favour of torchao but is what the CPU build
    ships; its warnings say so on every call, so they are silenced here.
    """
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(
            model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
        )


def _small_head(head: Any, rows: Any) -> Any:
    """``head`` (``lm_head``) cut to the output rows ``rows``: a dynamic int8 layer keeps its int8
    rows and their scale, so that a candidate scores exactly as with the whole layer."""
    import torch

    if callable(head.weight):  # torch.ao dynamic int8 Linear
        small = torch.ao.nn.quantized.dynamic.Linear(
            head.in_features, len(rows), bias_=False, dtype=torch.qint8
        )
        small.set_weight_bias(head.weight()[rows.cpu()], None)
        return small
    linear = torch.nn.Linear(head.in_features, len(rows), bias=False, device=rows.device)
    linear.weight = torch.nn.Parameter(head.weight[rows], requires_grad=False)
    return linear


@dataclass(slots=True)
class _Remap:
    """A batch's candidates as a vocabulary of their own: ``ids[k]`` is reduced id ``k``."""

    ids: Any  # sorted full-vocabulary ids, a LongTensor on the model's device
    position: dict[int, int]  # full id → reduced id

    def reduced(self, token: int) -> int:
        return self.position[int(token)]

    def back(self, sequences: Any) -> Any:
        return self.ids[sequences]


class TransformersBackend:
    """Translate batches of normalized Arabic sentences with a transformers seq2seq model."""

    name = "transformers"
    # Source tokens per batch, padding included, unless the options say. On 2 CPU cores with
    # int8, batches of ~768 tokens ran 15-20% faster than 2048 (cache-sized matrices); a GPU
    # wants large batches.
    batch_tokens = 768

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
        if device == "auto":
            device = "cuda" if _gpu_possible() and _cuda_available() else "cpu"
        self.ref = ref
        #: The vocabulary shortlist (``shortlist``, else the model directory's vmap.txt unless
        #: ``default_shortlist`` is off), or None.
        self.shortlist: Shortlist | None = choose(ref.path, shortlist, default_shortlist)
        self._shortlist_ids: tuple[dict[str, Any], Any] | None = None
        self.device = device
        self.num_beams = num_beams
        self.threads = threads
        self._tokenizer: Any = None
        # Token counts (all a run needs whose sentences are in the memory) come from the Marian
        # source sentencepiece model, as MarianTokenizer counts them, without importing torch
        # or transformers (2-3 s); models without one use the transformers tokenizer.
        self._sp_source: Any = None
        if (ref.path / "source.spm").is_file() and (ref.path / "vocab.json").is_file():
            import sentencepiece as spm

            try:
                self._sp_source = spm.SentencePieceProcessor(
                    model_file=str(ref.path / "source.spm")
                )
            except (OSError, RuntimeError) as exc:
                raise ModelError(
                    f"{ref.name}: cannot load the model (source.spm: {exc}); re-download or "
                    "re-save it"
                ) from exc
        else:
            _ = self.tokenizer  # load it now: a broken tokenizer fails here, not mid-run
        if precision == "auto":
            precision = "int8" if device == "cpu" else "float32"
        if precision not in ("int8", "float32"):
            raise ModelError(f"unknown precision {precision!r}; choose auto, int8 or float32")
        self.precision = precision
        self._model: Any = None
        if device != "cpu":
            self.batch_tokens = 8192
        #: Benchmarks only: every sentence gets exactly this many output tokens.
        self.fixed_output_tokens: int | None = None
        self._names: dict[str, tuple[str, ...]] = {}  # Arabic name → its renderings alone

    @property
    def _torch(self) -> Any:
        import torch

        return torch

    @property
    def tokenizer(self) -> Any:
        """The transformers tokenizer, loaded on first use (with transformers itself)."""
        if self._tokenizer is None:
            from transformers import AutoTokenizer
            from transformers.utils import logging as hf_logging

            # tarjama draws its own progress; the library's bars and advice would interleave.
            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
            try:
                self._tokenizer = AutoTokenizer.from_pretrained(
                    str(self.ref.path), local_files_only=True
                )
            except Exception as exc:  # sentencepiece, vocabulary or config files unreadable
                first = first_line(exc)
                raise ModelError(
                    f"{self.ref.name}: cannot load the model ({first}); re-download or re-save it"
                ) from exc
        return self._tokenizer

    @property
    def model(self) -> Any:
        """The weights, read on first use: a run whose every sentence is in the memory needs
        token counts only, never the weights (nor torch)."""
        if self._model is None:
            _ = self.tokenizer  # transformers' logging is set up before the weights load
            from transformers import AutoModelForSeq2SeqLM

            if self.device == "cpu":
                self._torch.set_num_threads(self.threads or cpu_cores())

            try:
                model: Any = AutoModelForSeq2SeqLM.from_pretrained(
                    str(self.ref.path), local_files_only=True
                )
            except Exception as exc:  # any failure to read the weights (safetensors, …)
                first = first_line(exc)
                raise ModelError(
                    f"{self.ref.name}: cannot load the model ({first}); re-download or re-save it"
                ) from exc
            model = model.to(self.device).eval()
            self._model = _quantize(model) if self.precision == "int8" else model
        return self._model

    @property
    def loaded(self) -> bool:
        """Whether the weights have been read."""
        return self._model is not None

    @property
    def settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = {
            "engine": self.name,
            "model": self.ref.name,
            "revision": self.ref.revision,
            "num_beams": self.num_beams,
            "precision": self.precision,
        }
        if self.shortlist is not None:
            settings["shortlist"] = self.shortlist.digest
        return settings

    # -- shortlist -------------------------------------------------------------------------

    def candidates(self, rows: Sequence[Sequence[str]], extra: Iterable[int] = ()) -> Any:
        """The target ids a batch of source pieces may use under the shortlist (sorted), as
        CTranslate2 computes them, with ``extra`` ids; None without a shortlist."""
        if self.shortlist is None:
            return None
        import numpy as np

        torch = self._torch
        if self._shortlist_ids is None:
            vocab = self.tokenizer.get_vocab()

            def ids(pieces: Iterable[str]) -> Any:
                return np.asarray([vocab[p] for p in pieces if p in vocab], dtype=np.int64)

            fixed = [*self.shortlist.always, "<unk>", "</s>", "<s>"]
            self._shortlist_ids = (
                {key: ids(values) for key, values in self.shortlist.rules.items()},
                ids(fixed),
            )
        rules, fixed = self._shortlist_ids
        order = self.shortlist.order
        parts = [fixed, np.asarray(list(extra), dtype=np.int64)]
        for row in rows:
            for n in range(1, order + 1):
                for i in range(len(row) - n + 1):
                    found = rules.get(" ".join(row[i : i + n]))
                    if found is not None:
                        parts.append(found)
        return torch.from_numpy(np.unique(np.concatenate(parts)))

    @contextmanager
    def _restricted(self, ids: Any) -> Iterator[_Remap | None]:
        """Decode over the pieces ``ids`` only (all of them when None): the decoder reads and
        ``lm_head`` writes a reduced vocabulary of those pieces, so that ``generate``'s
        softmax, beam scores and top-k are K wide too. Map the output back with
        :meth:`_Remap.back`, and give ``generate`` the special ids of :meth:`_special`."""
        if ids is None:
            yield None
            return
        import torch

        model = self.model
        config = model.generation_config
        specials = [config.decoder_start_token_id, config.pad_token_id, config.eos_token_id]
        extra = torch.tensor([int(t) for t in specials if isinstance(t, int)], dtype=torch.long)
        ids = torch.unique(torch.cat([ids.cpu(), extra])).to(self.device)
        remap = _Remap(ids, {int(t): k for k, t in enumerate(ids.tolist())})
        decoder = model.get_decoder()
        embed, head, bias = decoder.embed_tokens, model.lm_head, model.final_logits_bias

        class Embed(torch.nn.Module):
            def forward(self, tokens: Any) -> Any:
                return embed(ids[tokens])

        decoder.embed_tokens = Embed()
        model.lm_head = _small_head(head, ids)
        model.final_logits_bias = bias[:, ids]
        try:
            yield remap
        finally:
            decoder.embed_tokens, model.lm_head, model.final_logits_bias = embed, head, bias

    def _special(self, remap: _Remap | None) -> dict[str, Any]:
        """``generate``'s special token ids in the reduced vocabulary of ``remap``."""
        if remap is None:
            return {}
        config = self.model.generation_config
        out: dict[str, Any] = {}
        for key in (
            "decoder_start_token_id",
            "pad_token_id",
            "eos_token_id",
            "forced_eos_token_id",
        ):
            value = getattr(config, key, None)
            if isinstance(value, int):
                out[key] = remap.reduced(value)
        bad = [
            [remap.reduced(t) for t in word]
            for word in (config.bad_words_ids or [])
            if all(int(t) in remap.position for t in word)
        ]
        out["bad_words_ids"] = bad or None
        return out

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts, as the model's tokenizer counts them (its pieces and
        ``</s>``, at most :data:`MAX_SOURCE_TOKENS`)."""
        if self._sp_source is not None:
            # One thread: see CTranslate2Backend.source_tokens.
            rows = self._sp_source.encode(list(texts), out_type=str, num_threads=1)
            return [min(len(row) + 1, MAX_SOURCE_TOKENS) for row in rows]
        ids = self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        return [min(len(x), MAX_SOURCE_TOKENS) for x in ids]

    def _target_ids(self, text: str) -> tuple[int, ...]:
        ids = self.tokenizer(text_target=text, add_special_tokens=False)["input_ids"]
        return tuple(int(i) for i in ids)

    def _terms(self, source: Sequence[str], specs: Sequence[TermSpec]) -> list[Any]:
        """The sentence's terms as :class:`~translate.engine.constraints.Term` (source pieces,
        target pieces); a term the vocabulary cannot spell is left out (reported missed)."""
        from .constraints import Term, source_span

        unk = self.tokenizer.unk_token_id
        terms = []
        for spec in specs:
            ids = self._target_ids(spec.en)
            if not ids or unk in ids:
                continue
            start, end = source_span(source, spec.position, spec.end, len(spec.en.split()))
            pieces = tuple(self.tokenizer.convert_ids_to_tokens(list(ids)))
            terms.append(Term(spec.en, pieces, start, end, spec.ar))
        return terms

    def _renderings(self, names: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """How the model translates each Arabic name on its own: its beam's hypotheses, best
        first (cached). Each name is decoded alone, so that the answer never depends on
        batch-mates (padding, int8 scales) and a resumed run finds what an uninterrupted one
        found."""
        from .constraints import NAME_TOKENS

        for name in names:
            if name in self._names:
                continue
            enc = self.tokenizer([name], return_tensors="pt").to(self.device)
            ids = self.candidates(
                [self.tokenizer.convert_ids_to_tokens(enc["input_ids"][0].tolist())]
            )
            with self._torch.inference_mode(), self._restricted(ids) as remap:
                out = self.model.generate(
                    **enc,
                    num_beams=self.num_beams,
                    num_return_sequences=self.num_beams,
                    max_new_tokens=NAME_TOKENS,
                    **self._special(remap),
                )
                out = remap.back(out) if remap is not None else out
            texts = self.tokenizer.batch_decode(out, skip_special_tokens=True)
            self._names[name] = tuple(dict.fromkeys(t.strip() for t in texts if t.strip()))
        return {name: self._names[name] for name in names}

    def _detokenize(self, pieces: Sequence[str]) -> str:
        text: str = self.tokenizer.convert_tokens_to_string(list(pieces))
        return text.strip()

    def _attention(
        self, enc: Any, rows: Sequence[int], outputs: Sequence[Sequence[int]]
    ) -> list[Any]:
        """Cross-attention of each row's own output, from one teacher-forced forward pass:
        ``[target piece, source piece]``, averaged over the heads of :data:`ALIGNMENT_LAYERS`."""
        torch = self._torch
        config = self.model.config
        width = max(len(o) for o in outputs) + 1
        decoder = torch.full((len(rows), width), config.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for r, out in enumerate(outputs):
            decoder[r, : len(out) + 1] = torch.tensor([config.decoder_start_token_id, *out])
            mask[r, : len(out) + 1] = 1
        index = torch.tensor(list(rows))
        # SDPA kernels do not return attention weights; the eager ones do, for this pass only
        # (generation keeps the faster kernels).
        kernel = self.model.config._attn_implementation
        self.model.set_attn_implementation("eager")
        try:
            with torch.inference_mode():
                result = self.model(
                    input_ids=enc["input_ids"][index],
                    attention_mask=enc["attention_mask"][index],
                    decoder_input_ids=decoder.to(self.device),
                    decoder_attention_mask=mask.to(self.device),
                    output_attentions=True,
                )
        finally:
            self.model.set_attn_implementation(kernel)
        layers = result.cross_attentions
        chosen = [layers[i] for i in ALIGNMENT_LAYERS if -len(layers) <= i < len(layers)]
        weights = torch.stack(chosen).mean(dim=(0, 2)).float().cpu()  # rows, target, source
        sizes = enc["attention_mask"][index].sum(dim=1).tolist()
        # Position k of the decoder input predicts output piece k.
        return [weights[r, : len(out), : int(sizes[r])].numpy() for r, out in enumerate(outputs)]

    def translate_batch(
        self, texts: Sequence[str], terms: Sequence[Sequence[TermSpec]] | None = None
    ) -> list[Translation]:
        """Translate sentences that the caller has batched by length.

        ``terms`` gives, per sentence, the glossary terms to put into its English: the batch is
        decoded without constraints, then each missing term replaces the model's own rendering
        of it (:mod:`translate.engine.constraints`). Every sentence gets a length cap derived
        from its own source length, with or without terms.
        """
        from ..glossary import english_has
        from .constraints import LengthCap, enforce

        enc = self.tokenizer(
            list(texts),
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=MAX_SOURCE_TOKENS,
        ).to(self.device)
        lengths = [int(n) for n in enc["attention_mask"].sum(dim=1)]
        specs = terms if terms is not None else [[] for _ in texts]
        caps = [_max_new_tokens(n) for n in lengths]
        if self.fixed_output_tokens:
            caps = [self.fixed_output_tokens] * len(caps)
        config = self.model.config
        allowed = None
        if self.shortlist is not None:
            # The batch's source pieces give its candidates, and its terms' pieces are among
            # them, so that the model can still write a glossary name by itself.
            unk = self.tokenizer.unk_token_id
            spelled = {
                i
                for row in specs
                for term in row
                if unk not in (term_ids := self._target_ids(term.en))
                for i in term_ids
            }
            rows = [
                self.tokenizer.convert_ids_to_tokens(enc["input_ids"][b][: lengths[b]].tolist())
                for b in range(len(lengths))
            ]
            allowed = self.candidates(rows, spelled)
        with self._torch.inference_mode(), self._restricted(allowed) as remap:
            eos = remap.reduced(config.eos_token_id) if remap else config.eos_token_id
            limiter = LengthCap(caps, self.num_beams, eos, bool(self.fixed_output_tokens))
            out = self.model.generate(
                **enc,
                num_beams=self.num_beams,
                max_new_tokens=max(caps),
                logits_processor=[limiter],
                **self._special(remap),
            )
            out = remap.back(out) if remap is not None else out
        outputs: list[list[int]] = []
        for sequence in out.tolist():
            generated = sequence[1:]
            if config.eos_token_id in generated:  # the buffer past the end holds stale tokens
                generated = generated[: generated.index(config.eos_token_id)]
            outputs.append([t for t in generated if t != config.pad_token_id])
        texts_out = [
            self.tokenizer.decode(ids, skip_special_tokens=True).strip() for ids in outputs
        ]
        rows_terms: dict[int, list[Any]] = {}
        for b, row in enumerate(specs):
            if row:
                ids = enc["input_ids"][b][: lengths[b]].tolist()
                found = self._terms(self.tokenizer.convert_ids_to_tokens(ids), row)
                if found:
                    rows_terms[b] = found
        repair = [
            b
            for b, found in rows_terms.items()
            if any(not english_has(texts_out[b], t.en) for t in found) and outputs[b]
        ]
        if repair:
            asked = self._renderings(sorted({t.ar for b in repair for t in rows_terms[b] if t.ar}))
            for b in repair:
                rows_terms[b] = [replace(t, renderings=asked.get(t.ar, ())) for t in rows_terms[b]]
        attention = dict(
            zip(
                repair,
                self._attention(enc, repair, [outputs[b] for b in repair]) if repair else [],
                strict=True,
            )
        )
        results = []
        for b, ids in enumerate(outputs):
            if b not in rows_terms:
                results.append(Translation(texts_out[b]))
                continue
            found = rows_terms[b]
            pieces = self.tokenizer.convert_ids_to_tokens(ids)
            outcome = enforce(pieces, attention.get(b), found, self._detokenize)
            text = self._detokenize(outcome.pieces) if outcome.forced else texts_out[b]
            done = {t.en for t in found if english_has(text, t.en)}
            results.append(Translation(text, done, outcome.forced & done))
        return results
