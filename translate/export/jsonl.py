"""JSON Lines: one aligned segment per line, for scripts and spreadsheets."""

from __future__ import annotations

import json

from ..document import Document


def render(doc: Document) -> str:
    """One JSON object per segment: ids, both languages, terms, flags and state."""
    lines = []
    for seg in doc.segments():
        lines.append(
            json.dumps(
                {
                    "doc": doc.id,
                    "id": seg.id,
                    "ar": seg.source,
                    "en": seg.target,
                    "terms": [{"ar": t.ar, "en": t.en, "verdict": t.verdict} for t in seg.terms],
                    "flags": [f.code for f in seg.flags],
                    "state": seg.state,
                },
                ensure_ascii=False,
            )
        )
    return "\n".join(lines) + "\n"
