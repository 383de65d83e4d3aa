"""Quality checks on every segment, with or without references: the ``flags`` an editor acts on.

Each check gives a :class:`~translate.document.Flag` with a short stable code and a sentence for
people. The codes:

=================  ==================================================================
``untranslated``   no English yet, or the Arabic copied through instead of translated
``empty``          the English is empty or only punctuation
``arabic-text``    Arabic letters left in the English
``omission``       the English is much shorter than the Arabic usually translates to
``addition``       the English is much longer than the Arabic usually translates to
``repetition``     a word or phrase repeated in a loop
``numbers``        a number in one language that the other does not have
``term-missing``   a glossary term of the Arabic whose English rendering is not in the output
``avoid``          a rendering the glossary lists as one to avoid
=================  ==================================================================

The length checks compare characters (spaces and Arabic diacritics not counted) against a range
calibrated on reference translations (:func:`calibrate`); without references the range measured
on the bundled references (:data:`DEFAULT_CALIBRATION`) is used.

The stage function is :func:`qa`; it replaces the flags it owns and keeps any other stage's.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .arabic import arabic_ratio, fold, is_arabic_letter, normalize
from .document import Document, Flag, Segment
from .glossary import Entry, Glossary, english_has, english_spans

#: Every code this module sets, in the order flags are listed on a segment.
CODES = (
    "untranslated",
    "empty",
    "arabic-text",
    "omission",
    "addition",
    "repetition",
    "numbers",
    "term-missing",
    "avoid",
)

#: What each code means, for reports.
DESCRIPTIONS = {
    "untranslated": "no English yet, or the Arabic copied through",
    "empty": "the English is empty or only punctuation",
    "arabic-text": "Arabic letters left in the English",
    "omission": "English much shorter than the Arabic usually translates to (likely omission)",
    "addition": "English much longer than the Arabic usually translates to (likely addition)",
    "repetition": "a word or phrase repeated in a loop",
    "numbers": "numbers differ between the Arabic and the English",
    "term-missing": "a glossary term's English rendering is missing",
    "avoid": "a rendering the glossary says to avoid",
}

# Length ratios are meaningless on a few words ("قال.", a dateline): below this many characters
# of Arabic (spaces and diacritics not counted) the length checks are skipped.
MIN_SOURCE_CHARS = 20
# Fewer reference pairs than this give no usable spread: the default range is used instead.
MIN_CALIBRATION_PAIRS = 10
# The range is exp(mean ± K·sd) of log(English chars / Arabic chars), three standard deviations,
# with the sd never taken below SD_FLOOR: small reference sets (ours has 21 sentences, all by the
# same translators) understate how much honest translations vary.
K_SD = 3.0
SD_FLOOR = 0.15


@dataclass(frozen=True, slots=True)
class Calibration:
    """The accepted range of English/Arabic length ratios, and where it came from."""

    low: float
    high: float
    mean: float  # geometric mean of the ratios
    sd: float  # standard deviation of log ratios, before the floor
    pairs: int
    source: str  # "references" or "default"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["unit"] = "non-space characters, Arabic diacritics not counted"
        out["method"] = f"exp(mean ± {K_SD:g}·max(sd, {SD_FLOOR:g})) of log(len en / len ar)"
        out["min_source_chars"] = MIN_SOURCE_CHARS
        return out


def _chars(text: str) -> int:
    return sum(1 for ch in normalize(text).text if not ch.isspace())


def calibrate(pairs: Iterable[tuple[str, str]]) -> Calibration:
    """Measure the English/Arabic length range on (Arabic, English reference) pairs.

    Pairs with a short Arabic side (under :data:`MIN_SOURCE_CHARS`) are left out, as in the
    checks. With fewer than :data:`MIN_CALIBRATION_PAIRS` usable pairs the default range is
    returned, with a note saying why.
    """
    logs = [
        math.log(_chars(en) / n)
        for ar, en in pairs
        if (n := _chars(ar)) >= MIN_SOURCE_CHARS and _chars(en) > 0
    ]
    if len(logs) < MIN_CALIBRATION_PAIRS:
        d = DEFAULT_CALIBRATION
        return Calibration(
            d.low,
            d.high,
            d.mean,
            d.sd,
            d.pairs,
            "default",
            f"only {len(logs)} reference pairs long enough to measure; "
            f"{MIN_CALIBRATION_PAIRS} needed, the bundled references' range is used",
        )
    mean = statistics.fmean(logs)
    sd = statistics.stdev(logs)
    spread = K_SD * max(sd, SD_FLOOR)
    return Calibration(
        low=round(math.exp(mean - spread), 3),
        high=round(math.exp(mean + spread), 3),
        mean=round(math.exp(mean), 3),
        sd=round(sd, 4),
        pairs=len(logs),
        source="references",
    )


#: Measured with :func:`calibrate` on ``corpus/references`` (21 sentence pairs); a test keeps the
#: two in step when references are added.
DEFAULT_CALIBRATION = Calibration(
    low=0.868, high=2.136, mean=1.362, sd=0.1067, pairs=21, source="default"
)


@dataclass(slots=True)
class QAOptions:
    """What the checks need besides the segment.

    Args:
        glossary: the glossary the documents were annotated with; needed for ``avoid`` (the
            renderings to avoid live in its entries). Without it only ``term-missing`` is
            checked for terms.
        calibration: the accepted length-ratio range.
    """

    glossary: Glossary | None = None
    calibration: Calibration = DEFAULT_CALIBRATION
    _entries: dict[str, Entry] | None = field(default=None, repr=False)

    def entry(self, headword: str) -> Entry | None:
        if self.glossary is None:
            return None
        if self._entries is None:
            self._entries = {}
            for e in self.glossary.entries:  # later entries win, as in matching
                for form in e.forms:
                    self._entries[fold(form).text] = e
        return self._entries.get(fold(headword).text)


def qa(doc: Document, options: QAOptions | None = None) -> Document:
    """QA stage: set the flags of every segment of ``doc`` (other stages' flags are kept)."""
    options = options or QAOptions()
    for seg in doc.segments():
        kept = [f for f in seg.flags if f.code not in CODES]
        seg.flags = kept + check(seg, options)
    return doc


def check(seg: Segment, options: QAOptions | None = None) -> list[Flag]:
    """The QA flags of one segment, in :data:`CODES` order."""
    options = options or QAOptions()
    target = seg.target
    if target is None:
        return [Flag("untranslated", "Not translated yet.")]
    source_letters = any(ch.isalpha() for ch in seg.source)
    if not re.search(r"[^\W_]", target):
        if not source_letters:
            return []  # a punctuation-only source may well have a punctuation-only target
        return [Flag("empty", "The English is empty or only punctuation; translate the sentence.")]
    if arabic_ratio(target) > 0.5:
        return [
            Flag(
                "untranslated",
                "The English is the Arabic copied through (mostly Arabic letters); translate it.",
            )
        ]
    flags: list[Flag] = []
    left = _arabic_runs(target)
    if left:
        flags.append(
            Flag(
                "arabic-text",
                f"Arabic text left in the English: {', '.join(left[:3])}; translate or "
                "transliterate it.",
            )
        )
    flags += _length(seg.source, target, options.calibration)
    loop = repetition(target)
    if loop:
        flags.append(Flag("repetition", f"Repeated in a loop: “{loop}”; the model looped here."))
    missing, extra = number_mismatch(seg.source, target)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"{', '.join(missing)} in the Arabic missing from the English")
        if extra:
            parts.append(f"{', '.join(extra)} in the English not in the Arabic")
        flags.append(Flag("numbers", f"Numbers do not match: {'; '.join(parts)}."))
    flags += _terms(seg, target, options)
    return flags


# --- individual checks ------------------------------------------------------------------------


def _arabic_runs(text: str) -> list[str]:
    runs: list[str] = []
    for m in re.finditer(r"\S+", text):
        if any(is_arabic_letter(ch) for ch in m.group()):
            word = m.group().strip(".,;:!?\"'()[]«»“”")
            if word and word not in runs:
                runs.append(word)
    return runs


def length_ratio(source: str, target: str) -> float | None:
    """English/Arabic length ratio as the checks measure it; None for too short a source."""
    n = _chars(source)
    if n < MIN_SOURCE_CHARS:
        return None
    return _chars(target) / n


def _length(source: str, target: str, cal: Calibration) -> list[Flag]:
    ratio = length_ratio(source, target)
    if ratio is None:
        return []
    expected = f"expected {cal.low:.2f}–{cal.high:.2f}× ({cal.source} calibration)"
    if ratio < cal.low:
        return [
            Flag(
                "omission",
                f"The English is {ratio:.2f}× the length of the Arabic, {expected}: "
                "check for a dropped clause.",
            )
        ]
    if ratio > cal.high:
        return [
            Flag(
                "addition",
                f"The English is {ratio:.2f}× the length of the Arabic, {expected}: "
                "check for added or repeated text.",
            )
        ]
    return []


_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def repetition(text: str) -> str | None:
    """The phrase a translation repeats in a loop, or None.

    A loop is the same word three times in a row ("the the the"), a phrase of two or three words
    three times in a row, or a phrase of four words or more twice in a row. Ordinary English
    ("had had", "step by step") never does that.
    """
    words = [w.lower() for w in _TOKEN.findall(text)]
    for n in range(1, 9):
        need = 3 if n <= 3 else 2
        for i in range(len(words) - n * need + 1):
            gram = words[i : i + n]
            k = 1
            while words[i + k * n : i + (k + 1) * n] == gram:
                k += 1
            if k >= need:
                return " ".join(gram)
    return None


# --- numbers ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_DECIMAL = re.compile(r"\d+[.,]\d+")
# Word lists read best as one string each.
_EN_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "  # noqa: SIM905
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_EN_TENS = {
    w: 10 * i
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)  # noqa: SIM905
}
_EN_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_EN_MONTHS = {
    w: i
    for i, w in enumerate(
        "january february march april may june july august september october "  # noqa: SIM905
        "november december".split(),
        1,
    )
}
# Scale words after a figure: "1.5 million", "1,5 مليون"; folded Arabic forms.
_AR_SCALES = {
    "الف": 1_000,
    "الاف": 1_000,
    "مليون": 1_000_000,
    "ملايين": 1_000_000,
    "مليار": 1_000_000_000,
    "مليارات": 1_000_000_000,
}
# Arabic number words and month names, folded (ة→ه, أ→ا, ى→ي). They can account for a figure
# in the English but are never required to appear in it ("تموز" need not become "7").
_AR_WORDS: dict[str, tuple[int, ...]] = {
    **{w: (1,) for w in ("واحد", "واحده")},
    **{w: (2,) for w in ("اثنان", "اثنين", "اثنتان", "اثنتين")},
    **{w: (3,) for w in ("ثلاث", "ثلاثه")},
    **{w: (4,) for w in ("اربع", "اربعه")},
    **{w: (5,) for w in ("خمس", "خمسه")},
    **{w: (6,) for w in ("ست", "سته")},
    **{w: (7,) for w in ("سبع", "سبعه")},
    **{w: (8,) for w in ("ثمان", "ثماني", "ثمانيه")},
    **{w: (9,) for w in ("تسع", "تسعه")},
    **{w: (10,) for w in ("عشر", "عشره")},
    **{w: (20,) for w in ("عشرون", "عشرين")},
    **{w: (30,) for w in ("ثلاثون", "ثلاثين")},
    **{w: (40,) for w in ("اربعون", "اربعين")},
    **{w: (50,) for w in ("خمسون", "خمسين")},
    **{w: (100,) for w in ("مئه", "مائه")},
    "الف": (1000,),
    "مليون": (1_000_000,),
    "يناير": (1,),
    "كانون": (12, 1),  # كانون الأول / كانون الثاني
    "ديسمبر": (12,),
    "فبراير": (2,),
    "شباط": (2,),
    "مارس": (3,),
    "اذار": (3,),
    "ابريل": (4,),
    "نيسان": (4,),
    "مايو": (5,),
    "ايار": (5,),
    "يونيو": (6,),
    "حزيران": (6,),
    "يوليو": (7,),
    "تموز": (7,),
    "اغسطس": (8,),
    "اب": (8,),
    "سبتمبر": (9,),
    "ايلول": (9,),
    "اكتوبر": (10,),
    "تشرين": (10, 11),
    "نوفمبر": (11,),
}


@dataclass(frozen=True, slots=True)
class _Num:
    text: str
    values: frozenset[float]


def _figure_values(token: str) -> set[float]:
    """The values a written figure can stand for: 1.500 is 1500 in Arabic news, 1.5 in English."""
    values: set[float] = set()
    if _THOUSANDS.fullmatch(token):
        values.add(float(re.sub(r"[.,]", "", token)))
        if len(re.findall(r"[.,]", token)) == 1:
            values.add(float(token.replace(",", ".")))
    elif _DECIMAL.fullmatch(token):
        values.add(float(token.replace(",", ".")))
    else:  # 6.7.2022: a date written with dots; each part counts on its own
        values.update(float(p) for p in re.split(r"[.,]", token))
    return values


def _figures(text: str, scales: dict[str, int], fold_words: bool) -> list[_Num]:
    """The figures written with digits, with the value of a following scale word added."""
    out: list[_Num] = []
    normalized = normalize(text)  # Arabic-Indic digits and separators to ASCII
    norm = normalized.text
    for m in _NUMBER.finditer(norm):
        values = _figure_values(m.group())
        after = norm[m.end() : m.end() + 14].split()
        if after:
            word = fold(after[0]).text if fold_words else after[0].lower()
            word = word.strip(".,;:()")
            if word in scales:
                values |= {v * scales[word] for v in values}
        start, end = normalized.span(m.start(), m.end())
        out.append(_Num(text[start:end], frozenset(values)))  # as written, for messages
    return out


def _english_words(text: str) -> list[set[float]]:
    """Values spelled out in English ("five", "twenty-five", "two hundred"), and month names."""
    found: list[set[float]] = []
    total = current = 0
    in_number = False
    for raw in re.findall(r"[a-z]+", text.lower()):
        if raw in _EN_UNITS or raw in _EN_TENS:
            current += _EN_UNITS.get(raw, 0) + _EN_TENS.get(raw, 0)
            in_number = True
        elif raw in _EN_SCALES and in_number:
            scale = _EN_SCALES[raw]
            if scale == 100:
                current *= 100
            else:
                total += current * scale
                current = 0
        elif raw == "and" and in_number:
            continue
        else:
            if in_number:
                found.append({float(total + current)})
            total = current = 0
            in_number = False
            if raw in _EN_MONTHS and raw != "may":  # "may" is far more often the verb
                found.append({float(_EN_MONTHS[raw])})
    if in_number:
        found.append({float(total + current)})
    return found


def _arabic_words(text: str) -> list[set[float]]:
    found: list[set[float]] = []
    for word in re.findall(r"[^\W\d_]+", fold(text).text):
        for stem in (word, word[1:] if word[:1] in ("و", "ف", "ب", "ل") else None):
            if stem and stem in _AR_WORDS:
                found.append({float(v) for v in _AR_WORDS[stem]})
                break
    return found


def number_mismatch(source: str, target: str) -> tuple[list[str], list[str]]:
    """Figures of the Arabic missing from the English, and figures of the English not in the Arabic.

    Arabic-Indic and Western digits are the same figure; 1.500 matches both 1,500 and 1.5 (the
    dot is a thousands separator in much Arabic news); a figure may be spelled out in the English
    (5 → five) and a month may be written as a name (6/7/2022 → July 6, 2022). Numbers are
    compared as sets: saying a number twice is not a mismatch.
    """
    src = _figures(source, _AR_SCALES, fold_words=True)
    tgt = _figures(target, _EN_SCALES, fold_words=False)
    src_words = _arabic_words(source)
    tgt_words = _english_words(target)
    tgt_any = [set(n.values) for n in tgt] + tgt_words
    src_any = [set(n.values) for n in src] + src_words
    missing = _unique(n.text for n in src if not any(n.values & t for t in tgt_any))
    extra = _unique(n.text for n in tgt if not any(n.values & s for s in src_any))
    return missing, extra


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- glossary terms ----------------------------------------------------------------------------


def _terms(seg: Segment, target: str, options: QAOptions) -> list[Flag]:
    flags: list[Flag] = []
    seen_missing: set[str] = set()
    seen_avoid: set[str] = set()
    for term in seg.terms:
        if not english_has(target, term.en) and term.en not in seen_missing:
            seen_missing.add(term.en)
            flags.append(
                Flag(
                    "term-missing",
                    f"Glossary term {term.ar} → {term.en} is not in the English; "
                    f"write “{term.en}”.",
                )
            )
    for term in seg.terms:
        entry = options.entry(term.entry or term.ar)
        if entry is None:
            continue
        good = english_spans(target, entry.en)
        for bad in entry.avoid:
            spans = [
                s
                for s in english_spans(target, bad)
                if not any(g[0] <= s[0] and s[1] <= g[1] for g in good)
            ]
            if spans and bad not in seen_avoid:
                seen_avoid.add(bad)
                found = target[spans[0][0] : spans[0][1]]
                flags.append(
                    Flag(
                        "avoid",
                        f"“{found}” is a rendering of {term.ar} the glossary avoids; "
                        f"write “{entry.en}”.",
                    )
                )
    return flags


def summary(docs: Sequence[Document]) -> dict[str, int]:
    """How many segments carry each QA flag code, in :data:`CODES` order (zeros included)."""
    counts = dict.fromkeys(CODES, 0)
    for doc in docs:
        for seg in doc.segments():
            for code in {f.code for f in seg.flags if f.code in counts}:
                counts[code] += 1
    return counts
