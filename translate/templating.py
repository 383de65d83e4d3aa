"""The Jinja2 environment every HTML rendering uses: autoescaping on (article text and machine
output are untrusted), the package's templates, and the ``clean`` filter that turns characters
HTML cannot carry into U+FFFD."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def _bytecode_cache() -> Any:
    """Compiled templates kept in ``$TARJAMA_CACHE/jinja`` (Jinja2's own file cache, keyed by
    template source): compiling them is a tenth of a second of every run; none when the folder
    cannot be made."""
    from jinja2 import FileSystemBytecodeCache

    root = Path(os.environ.get("TARJAMA_CACHE") or Path.home() / ".cache" / "tarjama") / "jinja"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(root))


def environment(package: str = "translate") -> Any:
    """A Jinja2 environment over ``package``'s ``templates`` folder (jinja2 imported here, so
    that commands that render nothing start fast)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from .export._chars import html_text

    env = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["clean"] = html_text
    return env
