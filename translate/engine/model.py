"""Finding, downloading and describing translation models.

``--model`` is a Hugging Face hub id (``Helsinki-NLP/opus-mt-ar-en``), a local directory saved
with ``save_pretrained``, or a CTranslate2 model directory (made by ``tarjama model convert``).
A hub id is looked up in the local cache first; when it is not cached it is downloaded, unless
``HF_HUB_OFFLINE`` is set or the hub cannot be reached, in which case the error says how to get
the model onto this machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import ModelError

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-ar-en"
_WEIGHTS = ("model.safetensors", "pytorch_model.bin")
#: Written by ``tarjama model convert`` beside a CTranslate2 model: where it came from, how it
#: was quantized, and the source model's shape (a CTranslate2 config.json does not record it).
CT2_MARKER = "tarjama-ct2.json"
#: What the CTranslate2 backend reads besides model.bin: the Marian sentencepiece models.
CT2_TOKENIZER = ("source.spm", "target.spm")
_HUB_PROBE_SECONDS = 5.0
#: A vocabulary shortlist carried by a model directory (translate/engine/shortlist.py).
SHORTLIST_FILE = "vmap.txt"


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A model resolved to a directory on this machine."""

    name: str  # what the user asked for
    path: Path
    revision: str  # hub commit, or a content hash of a local directory
    kind: str = "transformers"  # or "ct2": a CTranslate2 model directory

    def describe(self) -> dict[str, Any]:
        """Size and shape of the model, from its files (no weights are loaded), and the
        shortlist it carries (``vmap.txt``), if any.

        Raises:
            ModelError: the directory's shortlist is malformed.
        """
        size = sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())
        info = self._describe_ct2(size) if self.kind == "ct2" else self._describe_hf(size)
        from .shortlist import choose

        found = choose(self.path, None)
        info["shortlist"] = found.info() if found is not None else None
        return info

    def _describe_hf(self, size: int) -> dict[str, Any]:
        config = json.loads((self.path / "config.json").read_text(encoding="utf-8"))
        return {
            "name": self.name,
            "path": str(self.path),
            "revision": self.revision,
            "kind": self.kind,
            "model_type": config.get("model_type"),
            "d_model": config.get("d_model"),
            "encoder_layers": config.get("encoder_layers"),
            "decoder_layers": config.get("decoder_layers"),
            "vocab_size": config.get("vocab_size"),
            "size_bytes": size,
        }

    def _describe_ct2(self, size: int) -> dict[str, Any]:
        marker = _read_marker(self.path)
        shape = marker.get("shape", {}) if isinstance(marker.get("shape"), dict) else {}
        vocab_size = shape.get("vocab_size")
        vocab = self.path / "shared_vocabulary.json"
        if vocab_size is None and vocab.is_file():
            vocab_size = len(json.loads(vocab.read_text(encoding="utf-8")))
        return {
            "name": self.name,
            "path": str(self.path),
            "revision": self.revision,
            "kind": self.kind,
            "model_type": shape.get("model_type"),
            "d_model": shape.get("d_model"),
            "encoder_layers": shape.get("encoder_layers"),
            "decoder_layers": shape.get("decoder_layers"),
            "vocab_size": vocab_size,
            "quantization": marker.get("quantization"),
            "converted_from": marker.get("source"),
            "source_revision": marker.get("source_revision"),
            "size_bytes": size,
        }


def _read_marker(path: Path) -> dict[str, Any]:
    try:
        data = json.loads((path / CT2_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a directory converted by other tools: describe what its files tell
    return data if isinstance(data, dict) else {}


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _fix_hint(name: str) -> str:
    return (
        f"run `tarjama model download {name}` on a machine that reaches huggingface.co "
        "(then copy ~/.cache/huggingface), or pass --model PATH to a local model directory"
    )


def _hub_reachable() -> bool:
    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=_HUB_PROBE_SECONDS):
            return True
    except OSError:
        return False


def _hash_cache() -> Path:
    root = os.environ.get("TARJAMA_CACHE") or str(Path.home() / ".cache" / "tarjama")
    return Path(root) / "model-hashes.json"


def _hash_dir(path: Path) -> str:
    """A content hash of a model directory (its revision in the memory key).

    Hashing reads every weights file (300 MB for opus-mt), which would cost a memorised re-run
    more than everything else it does; the hash is therefore kept in ``$TARJAMA_CACHE``
    (default ``~/.cache/tarjama``) with each file's name, size and modification time, and read
    again only when one of them changes. A cache that cannot be read or written is ignored.
    """
    # The shortlist (vmap.txt) is left out: it has its own digest in the settings, and
    # --no-shortlist translates with the model exactly as before it was attached.
    files = sorted(p for p in path.iterdir() if p.is_file() and p.name != SHORTLIST_FILE)
    stamp = [[f.name, f.stat().st_size, f.stat().st_mtime_ns] for f in files]
    cache, key = _hash_cache(), str(path.resolve())
    try:
        known: dict[str, Any] = json.loads(cache.read_text(encoding="utf-8"))
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    entry = known.get(key)
    if isinstance(entry, dict) and entry.get("stamp") == stamp:
        return str(entry["hash"])
    h = hashlib.sha256()
    for file in files:
        h.update(file.name.encode())
        with file.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    digest = h.hexdigest()[:16]
    known[key] = {"stamp": stamp, "hash": digest}
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(known), encoding="utf-8")
        tmp.replace(cache)
    except OSError:
        pass
    return digest


def check_model_dir(path: Path, name: str | None = None) -> str:
    """Raise :class:`ModelError` unless ``path`` holds a MarianMT (or CTranslate2) model.

    Returns:
        The kind of model: ``"transformers"`` or ``"ct2"``.
    """
    label = name or str(path)
    if not (path / "config.json").is_file():
        raise ModelError(
            f"{label}: not a model directory (no config.json); pass --model a hub id "
            "such as Helsinki-NLP/opus-mt-ar-en or a folder saved with "
            "save_pretrained"
        )
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"{path / 'config.json'}: unreadable model config ({exc}); re-download "
            "or re-save the model"
        ) from exc
    if (path / "model.bin").is_file() and (
        (path / CT2_MARKER).is_file() or not isinstance(config, dict) or "model_type" not in config
    ):
        missing = [f for f in CT2_TOKENIZER if not (path / f).is_file()]
        if missing:
            raise ModelError(
                f"{label}: CTranslate2 model without its tokenizer files ({', '.join(missing)}); "
                "convert it with `tarjama model convert`, which copies them"
            )
        return "ct2"
    if not isinstance(config, dict) or "model_type" not in config:
        raise ModelError(
            f"{path / 'config.json'}: not a transformers model config (no "
            "model_type) nor a CTranslate2 model (no model.bin); re-download or re-save the model"
        )
    if not any((path / w).is_file() for w in _WEIGHTS):
        raise ModelError(
            f"{label}: no weights ({' or '.join(_WEIGHTS)}) in the model directory; "
            "re-download or re-save the model"
        )
    if not (path / "source.spm").is_file() and not (path / "tokenizer.json").is_file():
        raise ModelError(
            f"{label}: no tokenizer files (source.spm) in the model directory; "
            "re-download or re-save the model with its tokenizer"
        )
    return "transformers"


def resolve(name: str, download: bool = True) -> ModelRef:
    """Find the model ``name`` on this machine, downloading it when allowed and possible.

    Raises:
        ModelError: the directory is not a model, or the hub id is not cached and cannot be
            fetched; the message names the fix.
    """
    path = Path(name).expanduser()
    if path.exists() or name.startswith((".", "/", "~")) or name.count("/") > 1:
        if not path.is_dir():
            raise ModelError(f"{name}: no such model directory; check the --model path")
        kind = check_model_dir(path)
        return ModelRef(name, path.resolve(), _hash_dir(path), kind)
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        local = Path(snapshot_download(name, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError, HfHubHTTPError):
        local = None
    if local is None:
        if not download or _offline():
            why = "HF_HUB_OFFLINE is set" if _offline() else "downloads are off"
            raise ModelError(f"model {name} is not in the local cache and {why}; {_fix_hint(name)}")
        local = download_model(name)
    kind = check_model_dir(local, name)
    return ModelRef(name, local, local.name, kind)


def download_model(name: str, progress: bool = True) -> Path:
    """Download ``name`` from the hub into the local cache; returns its directory.

    Raises:
        ModelError: offline, the hub is unreachable, or the id does not exist.
    """
    if _offline():
        raise ModelError(
            f"cannot download {name}: HF_HUB_OFFLINE is set; unset it, or {_fix_hint(name)}"
        )
    if not _hub_reachable():
        raise ModelError(
            f"model {name} is not cached here and the Hugging Face hub cannot be "
            f"reached; {_fix_hint(name)}"
        )
    from huggingface_hub import list_repo_files, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

    try:
        files = set(list_repo_files(name))
        # Older OPUS-MT repositories carry PyTorch, TF and Rust weights: fetch one set only.
        weights = next((w for w in _WEIGHTS if w in files), "model.safetensors")
        patterns = ["*.json", "*.spm", "*.txt", "*.model", weights]
        return Path(snapshot_download(name, allow_patterns=patterns))
    except RepositoryNotFoundError as exc:
        raise ModelError(f"{name}: no such model on the Hugging Face hub; check the id") from exc
    except (HfHubHTTPError, OSError) as exc:
        raise ModelError(
            f"downloading {name} failed ({exc}); try again, or {_fix_hint(name)}"
        ) from exc
