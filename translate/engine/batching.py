"""Grouping sentences into batches by a token budget.

Sentences are sorted by length so that a batch holds sentences of similar length and little
compute is spent on padding; each batch holds at most ``max_tokens`` source tokens counted with
padding (``len(batch) * longest``), and at most ``max_sentences`` sentences. Results are put back
in the caller's order by index.
"""

from __future__ import annotations

from collections.abc import Sequence


def plan_batches(lengths: Sequence[int], max_tokens: int, max_sentences: int) -> list[list[int]]:
    """Indices of ``lengths`` grouped into batches, longest sentences first.

    Longest first, so that a batch that does not fit in memory fails at once, not at the end.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        width = max(longest, lengths[i], 1)
        if current and ((len(current) + 1) * width > max_tokens or len(current) >= max_sentences):
            batches.append(current)
            current, longest = [], 0
            width = max(lengths[i], 1)
        current.append(i)
        longest = width
    if current:
        batches.append(current)
    return batches
