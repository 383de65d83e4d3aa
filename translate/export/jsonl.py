"""JSON Lines: one aligned segment per line, for scripts and spreadsheets.

The text is kept exactly as written: JSON escapes control characters itself, and the line
separators it leaves alone (U+0085, U+2028, U+2029) are escaped here too, so that readers which
split lines the Unicode way (Python's ``str.splitlines``) still see one record per line. Only
lone surrogates, which no UTF-8 file can hold, become U+FFFD.
"""

from __future__ import annotations

import json
import re

from ..document import Document
from ._chars import REPLACEMENT

_SURROGATE = re.compile("[\ud800-\udfff]")
_SEPARATORS = re.compile("[\x85\u2028\u2029]")


def render(doc: Document) -> str:
    """One JSON object per segment: ids, both languages, terms, flags and state."""
    lines = []
    numbered = [(0, doc.title)] if doc.title is not None else []
    numbered += [(n, seg) for n, p in enumerate(doc.paragraphs, start=1) for seg in p]
    for paragraph, seg in numbered:
        record = {
            "doc": doc.id,
            "id": seg.id,
            "paragraph": paragraph,
            "ar": seg.source,
            "en": seg.target,
            "terms": [
                {"ar": t.ar, "en": t.en, "start": t.start, "end": t.end, "verdict": t.verdict}
                for t in seg.terms
            ],
            "flags": [f.code for f in seg.flags],
            "notes": [f"{f.code}: {f.message}" for f in seg.flags],
            "state": seg.state,
            "continues": bool(getattr(seg, "continues", False)),
        }
        line = json.dumps(record, ensure_ascii=False)
        line = _SEPARATORS.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
        lines.append(_SURROGATE.sub(REPLACEMENT, line))
    return "\n".join(lines) + "\n"
