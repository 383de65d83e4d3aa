"""Names the English writes as they sound: an Arabic word and a capitalised English word with
the same consonants (القامشلي ~ Qamishli, دمشق ~ Damascus, بكوباني ~ Kobani).

Where nothing in the Arabic marks a name (إلى القامشلي، بين قسد ودمشق), the translation often
does: the model, a reference or an editor writes it capitalised and transliterated. A word of the
sentence whose consonant skeleton matches an unexplained capitalised run of its English is a
candidate (signal ``transliterated``).

Written by hand because it is specific to Arabic→Latin transliteration: both sides are reduced
to classes of consonants as romanisations of Levantine names write them (ق q/k/c, ش sh/ch/s,
ج j/g, خ kh, غ gh; ح ه ع and the long vowels dropped, as English drops them in Aleppo for حلب),
the article and one clitic are read off the Arabic, and the two skeletons are compared with
:class:`difflib.SequenceMatcher`. No transliteration library knows these conventions, and none
aligns a word of a sentence to a word of its translation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

from ..arabic import fold

#: Arabic letters (folded) → consonant class. Not listed: ا و ي ى ء ئ ؤ ع ح ه ة (vowels,
#: glides and the laryngeals English romanisations drop).
_AR = dict(
    zip(
        "بتثجخدذرزسشصضطظغفقكلمن",
        "bttgkddrzsssdtzgfkklmn",
        strict=True,
    )
)
#: English digraphs first, then letters → the same classes. Vowels, w, y and h are dropped.
_EN_DIGRAPHS = (
    ("sh", "s"),
    ("kh", "k"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("ch", "s"),
    ("ph", "f"),
)
_EN = {"q": "k", "c": "k", "x": "ks", "j": "g", "v": "f", "p": "b"}
_EN_DROP = set("aeiouywh")
_ARTICLE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|adh|ath)-", re.IGNORECASE)
#: English words that are never a transliteration: demonyms and their plurals.
_DEMONYM = re.compile(r"(?:ish|ian|ians|ese|ans|ites?)$")
_PEOPLES = frozenset(
    """Turks Arabs Kurds Russians Americans Iranians Syrians Israelis Europeans Westerners Druze
    Alawites Sunnis Shiites Christians Muslims Armenians Assyrians""".split()  # noqa: SIM905
)
#: English words before a place (in Qamishli, between the SDF and Damascus).
_PLACE_CUES = frozenset(
    "in to from near of at into between and around outside toward towards across via".split()  # noqa: SIM905
)
_CLITICS = ("و", "ب", "ل", "ف", "ك")
#: The least similarity (SequenceMatcher ratio) of two skeletons taken for one name.
THRESHOLD = 0.8


def arabic_skeleton(word: str) -> str:
    """The consonant classes of an Arabic word (folded), its article read off."""
    w = fold(word).text
    if w.startswith("ال") and len(w) > 3:
        w = w[2:]
    out: list[str] = []
    for ch in w:
        c = _AR.get(ch, "")
        if c and (not out or out[-1] != c):
            out.append(c)
    return "".join(out)


def english_skeleton(text: str) -> str:
    """The consonant classes of an English rendering, its Arabic article read off."""
    out: list[str] = []
    for word in text.split():
        w = _ARTICLE.sub("", word).lower()
        for a, b in _EN_DIGRAPHS:
            w = w.replace(a, b)
        for ch in w:
            if ch in _EN_DROP or not ch.isalpha():
                continue
            for c in _EN.get(ch, ch):
                if not out or out[-1] != c:
                    out.append(c)
    return "".join(out)


def similar(arabic: str, english: str) -> float:
    """How alike two skeletons are (0..1); short ones must be equal."""
    if min(len(arabic), len(english)) < 3:
        return 1.0 if arabic == english and len(arabic) >= 2 else 0.0
    return SequenceMatcher(None, arabic, english, autojunk=False).ratio()


def transliteration(run: str) -> bool:
    """Whether a capitalised English run can be the transliteration of a name (not an acronym,
    a demonym or a people)."""
    words = run.split()
    if any(w.isupper() and len(w) > 1 for w in words):
        return False  # SDF, UN: an acronym spells no Arabic word
    last = words[-1]
    return not (_DEMONYM.search(last.lower()) or last in _PEOPLES)


def kind(english: str, start: int, words: int, person_start: bool) -> str:
    """A type for a transliterated name: a place after in/to/from …, a person when it starts
    with a given name or has several words, else a place."""
    before = english[:start].split()
    if before and before[-1].lower().strip(",") in _PLACE_CUES:
        return "place"
    return "person" if person_start or words > 1 else "place"


def best_span(
    skeletons: Sequence[Sequence[tuple[int, str]]], english: str
) -> tuple[int, int, int, float] | None:
    """The span of words whose joined skeletons best match ``english``'s.

    Args:
        skeletons: per word of the sentence, its readings as ``(letters read off, skeleton)``
            (empty for a word that cannot be in a name).
        english: the English skeleton.

    Returns:
        ``(first, last, skip, ratio)`` of the best span of up to three words at or above
        :data:`THRESHOLD`, or None.
    """
    best: tuple[int, int, int, float] | None = None
    for i, readings in enumerate(skeletons):
        for skip, first in readings:
            joined = first
            for j in range(i, min(i + 3, len(skeletons))):
                if j > i:
                    if not skeletons[j]:
                        break
                    joined += skeletons[j][0][1]
                ratio = similar(joined, english)
                if ratio >= THRESHOLD and (best is None or ratio > best[3]):
                    best = (i, j, skip, ratio)
    return best


def readings(
    word: str, clitics: Iterable[str] = ("و", "ب", "ل", "ف", "ك")
) -> list[tuple[int, str]]:
    """A word's skeleton as written and with one clitic read off (ودمشق, بكوباني)."""
    out = [(0, arabic_skeleton(word))]
    if word[:1] in tuple(clitics) and len(word) > 3:
        out.append((1, arabic_skeleton(word[1:])))
    return out
