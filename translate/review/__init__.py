"""Review: people correct the translations, and every correction flows back.

- :mod:`.edits`: the one function an edit goes through (edit log, memory, document, renderings);
- :mod:`.refresh`: pages and exports brought up to date after edits;
- :mod:`.xliff_import`: XLIFF 2.1 and 1.2 files edited in a CAT tool, checked and applied;
- :mod:`.store`: the workspace's documents as the app reads them (cached, summarized, filtered);
- :mod:`.security`: the app's guard (token, Host, CSRF, origin, body size, headers);
- :mod:`.app`: the web app's routes and templates; :mod:`.server` runs it with uvicorn.

Nothing here imports the web stack at import time: :mod:`.app` and :mod:`.server` do, when the
app is started.
"""

from __future__ import annotations

from .edits import (
    ACTIONS,
    EditOptions,
    EditRequest,
    EditResult,
    apply_edit,
    apply_edits,
    history,
    recover,
)
from .xliff_import import ImportResult, import_files

__all__ = [
    "ACTIONS",
    "EditOptions",
    "EditRequest",
    "EditResult",
    "ImportResult",
    "apply_edit",
    "apply_edits",
    "history",
    "import_files",
    "recover",
]
