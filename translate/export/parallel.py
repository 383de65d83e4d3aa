"""Plain parallel text: ``<doc>.ar`` and ``<doc>.en``, line *n* of one translating line *n* of the
other, the form MT tools train and score on (Moses, OPUS, sacrebleu, fairseq).

One line per segment, the title first; an untranslated segment is an empty English line, so the
files stay aligned. Line breaks inside a segment become spaces and characters HTML forbids
(NUL and other controls, noncharacters) become U+FFFD, so every tool counts the same lines.
"""

from __future__ import annotations

from ..document import Document
from ._chars import one_line

SOURCE_SUFFIX = ".ar"
TARGET_SUFFIX = ".en"


def render(doc: Document) -> dict[str, str]:
    """The two files of one document, by file-name suffix."""
    segments = list(doc.segments())
    return {
        SOURCE_SUFFIX: "".join(one_line(s.source) + "\n" for s in segments),
        TARGET_SUFFIX: "".join(one_line(s.target or "") + "\n" for s in segments),
    }
