"""The transformers backend: MarianMT (or any seq2seq model) through ``generate``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..errors import ModelError
from .model import ModelRef
from .types import TermSpec, Translation

#: Marian models are trained on sentences up to 512 tokens; longer input is cut by the tokenizer.
MAX_SOURCE_TOKENS = 512


def _max_new_tokens(source_tokens: int) -> int:
    # English needs about 1.3 tokens per Arabic token with OPUS-MT vocabularies; a degenerate
    # hypothesis (a repetition loop) stops here instead of running to 512 tokens.
    return min(MAX_SOURCE_TOKENS, int(source_tokens * 2) + 10)


def cpu_cores() -> int:
    """The cores this process may use (its CPU affinity), not the host's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Arabic→English OPUS-MT output runs about 1.1 target tokens per source token.
_LENGTH_RATIO = 1.1


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
    ) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        # tarjama draws its own progress; the library's bars and advice would interleave with it.
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cpu":
            torch.set_num_threads(threads or cpu_cores())
        self.ref = ref
        self.device = device
        self.num_beams = num_beams
        self._torch = torch
        try:
            self.tokenizer: Any = AutoTokenizer.from_pretrained(
                str(ref.path), local_files_only=True
            )
            model: Any = AutoModelForSeq2SeqLM.from_pretrained(str(ref.path), local_files_only=True)
        except Exception as exc:  # any failure to read the files (safetensors, sentencepiece, …)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(
                f"{ref.name}: cannot load the model ({first}); re-download or re-save it"
            ) from exc
        self.model = model.to(device).eval()
        if precision == "auto":
            precision = "int8" if device == "cpu" else "float32"
        if precision == "int8":
            self.model = _quantize(self.model)
        elif precision != "float32":
            raise ModelError(f"unknown precision {precision!r}; choose auto, int8 or float32")
        self.precision = precision
        if device != "cpu":
            self.batch_tokens = 8192
        self._glue: Any = None
        #: Benchmarks only: every sentence gets exactly this many output tokens.
        self.fixed_output_tokens: int | None = None

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "model": self.ref.name,
            "revision": self.ref.revision,
            "num_beams": self.num_beams,
            "precision": self.precision,
        }

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts, with the model's own tokenizer."""
        ids = self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        return [min(len(x), MAX_SOURCE_TOKENS) for x in ids]

    def _target_ids(self, text: str) -> tuple[int, ...]:
        ids = self.tokenizer(text_target=text, add_special_tokens=False)["input_ids"]
        return tuple(int(i) for i in ids)

    def _constraints(self, length: int, terms: Sequence[TermSpec]) -> list[Any]:
        from .constraints import Constraint

        unk = self.tokenizer.unk_token_id
        row: list[Constraint] = []
        seen: set[str] = set()
        for spec in sorted(terms, key=lambda t: t.position):
            tokens = self._target_ids(spec.en)
            if spec.en in seen or not tokens or unk in tokens:
                continue  # a term the vocabulary cannot spell is reported missed, not forced
            seen.add(spec.en)
            avoid = tuple(ids for ids in map(self._target_ids, spec.avoid) if ids)
            expected = int(spec.position * length * _LENGTH_RATIO)
            row.append(Constraint(spec.en, tokens, expected, avoid))
        return row

    def translate_batch(
        self, texts: Sequence[str], terms: Sequence[Sequence[TermSpec]] | None = None
    ) -> list[Translation]:
        """Translate sentences that the caller has batched by length.

        ``terms`` gives, per sentence, the glossary terms to decode into its English (see
        :mod:`translate.engine.constraints`). Every sentence, with terms or without, gets a
        length cap derived from its own source length.
        """
        from .constraints import TermForcer, glue_mask

        enc = self.tokenizer(
            list(texts),
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=MAX_SOURCE_TOKENS,
        ).to(self.device)
        lengths = [int(n) for n in enc["attention_mask"].sum(dim=1)]
        specs = terms if terms is not None else [[] for _ in texts]
        constraints = [self._constraints(n, t) for n, t in zip(lengths, specs, strict=True)]
        caps = [
            _max_new_tokens(n) + sum(len(c.tokens) for c in row)
            for n, row in zip(lengths, constraints, strict=True)
        ]
        if self.fixed_output_tokens:
            caps = [self.fixed_output_tokens] * len(caps)
        config = self.model.config
        if self._glue is None:
            self._glue = glue_mask(self.tokenizer, config.vocab_size).to(self.device)
        forcer = TermForcer(
            constraints,
            caps,
            self.num_beams,
            config.eos_token_id,
            self._glue,
            exact_length=bool(self.fixed_output_tokens),
        )
        with self._torch.inference_mode():
            out = self.model.generate(
                **enc,
                num_beams=self.num_beams,
                max_new_tokens=max(caps),
                logits_processor=[forcer],
            )
        results = []
        for b, sequence in enumerate(out.tolist()):
            generated = sequence[1:]
            if config.eos_token_id in generated:  # the buffer past the end holds stale tokens
                generated = generated[: generated.index(config.eos_token_id)]
            generated = [t for t in generated if t != config.pad_token_id]
            text = self.tokenizer.decode(generated, skip_special_tokens=True).strip()
            done, forced = forcer.outcome(b, generated)
            results.append(Translation(text, done, forced))
        return results
