"""The transformers backend: MarianMT (or any seq2seq model) through ``generate``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..errors import ModelError
from .model import ModelRef

#: Marian models are trained on sentences up to 512 tokens; longer input is cut by the tokenizer.
MAX_SOURCE_TOKENS = 512


def _max_new_tokens(source_tokens: int) -> int:
    # English needs about 1.3 tokens per Arabic token with OPUS-MT vocabularies; a degenerate
    # hypothesis (a repetition loop) stops here instead of running to 512 tokens.
    return min(MAX_SOURCE_TOKENS, int(source_tokens * 2) + 10)


class TransformersBackend:
    """Translate batches of normalized Arabic sentences with a transformers seq2seq model."""

    name = "transformers"

    def __init__(
        self, ref: ModelRef, num_beams: int = 4, device: str = "auto", threads: int | None = None
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
            torch.set_num_threads(threads or os.cpu_count() or 1)
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

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "model": self.ref.name,
            "revision": self.ref.revision,
            "num_beams": self.num_beams,
        }

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts, with the model's own tokenizer."""
        ids = self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        return [min(len(x), MAX_SOURCE_TOKENS) for x in ids]

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        """Translate sentences that the caller has batched by length."""
        enc = self.tokenizer(
            list(texts),
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=MAX_SOURCE_TOKENS,
        ).to(self.device)
        longest = int(enc["attention_mask"].sum(dim=1).max())
        with self._torch.inference_mode():
            out = self.model.generate(
                **enc, num_beams=self.num_beams, max_new_tokens=_max_new_tokens(longest)
            )
        decoded: list[str] = self.tokenizer.batch_decode(out, skip_special_tokens=True)
        return [t.strip() for t in decoded]
