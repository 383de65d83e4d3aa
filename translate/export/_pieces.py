"""Sentences back from their pieces: segmentation may cut an over-long sentence into segments
(every piece but the last has ``continues``); reading formats show the sentence whole."""

from __future__ import annotations

from collections.abc import Sequence

from ..document import Segment


def sentences(paragraph: Sequence[Segment]) -> list[list[Segment]]:
    """The paragraph's segments grouped by sentence: a piece that continues joins the next."""
    groups: list[list[Segment]] = []
    joined = False
    for seg in paragraph:
        if joined:
            groups[-1].append(seg)
        else:
            groups.append([seg])
        # getattr: documents from before the field existed have no such attribute
        joined = bool(getattr(seg, "continues", False))
    return groups
