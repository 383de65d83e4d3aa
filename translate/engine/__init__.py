"""Translation stage: model loading, batching and decoding behind one small interface.

``torch`` and ``transformers`` are imported only when an engine is built, so commands that do
not translate start fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..document import Document, Segment
from .batching import plan_batches
from .model import DEFAULT_MODEL, ModelRef, resolve

__all__ = ["DEFAULT_MODEL", "Backend", "TranslateOptions", "load_backend", "translate"]

Progress = Callable[[int, int], None]


class Backend(Protocol):
    """What the translate stage needs from an engine."""

    name: str

    @property
    def settings(self) -> dict[str, object]: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def translate_batch(self, texts: Sequence[str]) -> list[str]: ...


@dataclass(slots=True)
class TranslateOptions:
    """Options of the translation stage."""

    model: str = DEFAULT_MODEL
    num_beams: int = 4
    device: str = "auto"  # auto | cpu | cuda
    threads: int | None = None  # CPU threads; default: all cores
    max_batch_tokens: int = 2048  # source tokens per batch, padding included
    max_batch_sentences: int = 32
    retranslate: bool = False  # translate again segments that already have machine output
    download: bool = True  # fetch a hub model that is not cached


def load_backend(options: TranslateOptions) -> Backend:
    """Resolve and load the model named in ``options``.

    Raises:
        ModelError: the model cannot be found or loaded (the message names the fix).
    """
    from .hf import TransformersBackend

    ref: ModelRef = resolve(options.model, download=options.download)
    return TransformersBackend(
        ref, num_beams=options.num_beams, device=options.device, threads=options.threads
    )


def _needs_translation(seg: Segment, retranslate: bool) -> bool:
    if seg.state in ("reviewed", "final"):
        return False  # a person's edit is never overwritten by the machine
    return seg.target is None or retranslate


def translate(
    docs: Sequence[Document],
    backend: Backend,
    options: TranslateOptions,
    progress: Progress | None = None,
) -> list[Document]:
    """Translate every untranslated segment of ``docs`` in length-sorted, token-budget batches.

    Identical sentences (after normalization) are translated once. Each segment gets its
    ``target``, ``state="translated"`` and an ``origin`` naming the engine and its settings.
    """
    todo = [
        seg
        for doc in docs
        for seg in doc.segments()
        if _needs_translation(seg, options.retranslate)
    ]
    unique = sorted({seg.normalized for seg in todo if seg.normalized})
    results: dict[str, str] = {"": ""}
    total = len(unique)
    if unique:
        lengths = backend.count_tokens(unique)
        done = 0
        for batch in plan_batches(lengths, options.max_batch_tokens, options.max_batch_sentences):
            texts = [unique[i] for i in batch]
            for text, target in zip(texts, backend.translate_batch(texts), strict=True):
                results[text] = target
            done += len(batch)
            if progress is not None:
                progress(done, total)
    settings = dict(backend.settings)
    for seg in todo:
        seg.target = results[seg.normalized]
        seg.state = "translated"
        seg.origin = dict(settings)
    return list(docs)
