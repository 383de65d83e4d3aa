"""What a model's target vocabulary can write: characters its sentencepiece model lacks.

A Marian model writes English through its target sentencepiece model (``target.spm``, in a
transformers directory and, copied there by ``tarjama model convert``, in a CTranslate2 one). A
character that model never saw in training has no piece: it becomes ``<unk>``, so a glossary
English with such a character (``Syria TV`` for a model without ``V``) can be neither forced into
a translation nor found in one, and every occurrence of the term is reported ``missed``.

Only ``sentencepiece`` is imported (no torch, no transformers), so checking a glossary against a
model is quick.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ModelError

#: The target sentencepiece model of a Marian model directory (transformers or CTranslate2).
TARGET_SPM = "target.spm"


def target_spm(model_dir: Path) -> Path | None:
    """The target sentencepiece model of ``model_dir``, or ``None`` when it has none."""
    path = Path(model_dir) / TARGET_SPM
    return path if path.is_file() else None


def unspellable(model_dir: Path, texts: Iterable[str]) -> dict[str, str]:
    """The characters of each text that the model's target vocabulary cannot encode.

    A character counts when sentencepiece encodes it, on its own, to the unknown piece (after the
    model's own normalization, so ``ﬁ`` is fine wherever ``f`` and ``i`` are). Whitespace never
    counts.

    Args:
        model_dir: a Marian model directory, transformers or CTranslate2 (see
            :func:`translate.engine.model.resolve` to get one from a hub id).
        texts: English texts, e.g. the ``en`` of glossary entries.

    Returns:
        For each text with at least one such character, those characters in the order they
        first occur, without repeats; texts the model can write are left out.

    Raises:
        ModelError: the directory has no ``target.spm``, or it cannot be read.
    """
    processor = _load(model_dir)
    unk = processor.unk_id()
    known: dict[str, bool] = {}
    out: dict[str, str] = {}
    for text in texts:
        missing = ""
        for ch in text:
            if ch.isspace() or ch in missing:
                continue
            if ch not in known:
                known[ch] = unk not in processor.encode(ch)
            if not known[ch]:
                missing += ch
        if missing:
            out[text] = missing
    return out


def quote_characters(chars: str) -> str:
    """``"V", "Q"``: characters for a message, invisible ones as code points (``U+200F``)."""
    return ", ".join(
        f'"{ch}"'
        if ch.isprintable() and unicodedata.category(ch)[0] not in "MC"
        else f"U+{ord(ch):04X}"
        for ch in chars
    )


def _load(model_dir: Path) -> Any:
    path = target_spm(model_dir)
    if path is None:
        raise ModelError(
            f"{model_dir}: no {TARGET_SPM} in the model directory, so its target vocabulary "
            "cannot be checked; pass a Marian model (transformers, or CTranslate2 converted by "
            "`tarjama model convert`, which copies it)"
        )
    import sentencepiece as spm

    try:
        return spm.SentencePieceProcessor(model_file=str(path))
    except (OSError, RuntimeError) as exc:
        raise ModelError(
            f"{path}: not a sentencepiece model ({exc}); re-download or re-save the model"
        ) from exc
