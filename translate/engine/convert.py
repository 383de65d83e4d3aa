"""Converting a transformers MarianMT model into a self-contained CTranslate2 model directory.

The directory holds CTranslate2's ``model.bin``, ``config.json`` and ``shared_vocabulary.json``,
the Marian tokenizer files copied from the source (``source.spm``, ``target.spm``,
``vocab.json``, ``tokenizer_config.json``, …), and ``tarjama-ct2.json``: the source model's name,
revision and shape, and the quantization. ``--model DIR`` then needs nothing else.

It is written to a temporary folder beside the destination and renamed into place, so an
interrupted conversion never leaves a directory that looks like a model.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ModelError, UsageError, first_line
from .model import CT2_MARKER, resolve

#: Weight types offered: int8 (default; the fastest on CPU, about a quarter of the float32 size),
#: int8_float32 (int8 weights, float32 for everything else), float32 (no quantization).
QUANTIZATIONS = ("int8", "int8_float32", "float32")

#: Files copied from the transformers model so that the CTranslate2 directory is self-contained.
TOKENIZER_FILES = (
    "source.spm",
    "target.spm",
    "vocab.json",
    "target_vocab.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "generation_config.json",
)

_SHAPE_KEYS = ("model_type", "d_model", "encoder_layers", "decoder_layers", "vocab_size")


#: The decoder layer whose cross-attention CTranslate2 returns (``return_attention``), averaged
#: over all its heads. Glossary enforcement finds the model's own rendering of a name with it
#: (translate/engine/constraints.py); CTranslate2's default, the first head of the last layer
#: alone, pointed at the wrong words far more often on the model trained in evaluation/trained/.
ALIGNMENT_LAYER = -1


def _aligned(base: Any) -> Any:
    """``TransformersConverter`` whose model returns the attention of all heads of
    :data:`ALIGNMENT_LAYER` instead of one head's."""
    import numpy as np

    class AlignedConverter(base):
        def _load(self) -> Any:
            spec = super()._load()
            decoder = getattr(spec, "decoder", None)
            heads = getattr(decoder, "num_heads", None)
            if decoder is not None and heads is not None:
                decoder.alignment_layer = np.dtype("int16").type(ALIGNMENT_LAYER)
                decoder.alignment_heads = np.dtype("int16").type(int(heads))
            return spec

    return AlignedConverter


def convert(
    source: str,
    out: Path,
    quantization: str = "int8",
    *,
    force: bool = False,
    download: bool = True,
    shortlist: Path | None = None,
) -> Path:
    """Convert the MarianMT model ``source`` (hub id or directory) to CTranslate2 in ``out``.

    With a ``shortlist`` (:mod:`translate.engine.shortlist`), CTranslate2's converter puts it in
    the directory as ``vmap.txt``: the model then translates with it unless told otherwise.

    Returns:
        ``out``.

    Raises:
        UsageError: an unknown quantization.
        ModelError: ``source`` is not a transformers model (or is already CTranslate2), ``out``
            exists (without ``force``), ctranslate2 is not installed, or the conversion failed.
    """
    if quantization not in QUANTIZATIONS:
        raise UsageError(
            f"unknown quantization {quantization!r}; choose one of {', '.join(QUANTIZATIONS)}"
        )
    out = Path(out)
    if out.exists() and not force and (not out.is_dir() or any(out.iterdir())):
        raise ModelError(f"{out}: already exists; choose another --out or pass --force")
    if shortlist is not None:
        from .shortlist import read

        read(Path(shortlist))  # a malformed file fails here, naming its line
    ref = resolve(source, download=download)
    if ref.kind == "ct2":
        raise ModelError(
            f"{source}: already a CTranslate2 model; pass it to --model as it is, or convert "
            "the transformers model it came from"
        )
    try:
        from ctranslate2 import __version__ as ct2_version
        from ctranslate2.converters import TransformersConverter
    except ImportError as exc:
        raise ModelError(
            "CTranslate2 is not installed; pip install 'tarjama[ct2]' (or ctranslate2)"
        ) from exc

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the CLI prints the result; a weights bar would interleave
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        copied = [f for f in TOKENIZER_FILES if (ref.path / f).is_file()]
        try:
            converter = _aligned(TransformersConverter)(str(ref.path), copy_files=copied)
            converter.convert(
                str(tmp),
                vmap=str(shortlist) if shortlist is not None else None,
                quantization=quantization,
                force=True,
            )
        except Exception as exc:  # the converter raises whatever transformers or torch raise
            first = first_line(exc)
            raise ModelError(
                f"{source}: conversion to CTranslate2 failed ({first}); check that it is a "
                "MarianMT model saved with transformers (`tarjama model info` shows its type)"
            ) from exc
        config: dict[str, Any] = json.loads((ref.path / "config.json").read_text("utf-8"))
        marker = {
            "format": 1,
            "source": ref.name,
            "source_path": str(ref.path),
            "source_revision": ref.revision,
            "quantization": quantization,
            "ctranslate2": ct2_version,
            "shape": {k: config.get(k) for k in _SHAPE_KEYS},
            # What return_attention averages (see ALIGNMENT_LAYER): older conversions lack it.
            "alignment": {"layer": ALIGNMENT_LAYER, "heads": "all"},
        }
        (tmp / CT2_MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
        if out.is_dir():
            shutil.rmtree(out)
        elif out.exists():
            out.unlink()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
