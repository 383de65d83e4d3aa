"""Paragraph → sentences, for Arabic news prose; over-long sentences → pieces the model can take.

Sentence boundaries are ``.``, ``!``, ``?``, ``؟``, ``…`` (and ``...``) followed by whitespace or
the end of the paragraph (ingest has already made every line break a paragraph break). There is no
boundary:

* inside quotations (``"…"``, ``“…”``, ``«…»``) or brackets; an unclosed quotation runs to the end
  of the paragraph (scraped articles often lose the closing mark), unless a quotation that ends
  with a terminator closes it (``قال: "انتهى." وأضاف``); a bracket that does so ends an aside,
  not the sentence (``وصفه بأنه تاريخي (!) ثم``);
* after a quotation that ends with ``!``, ``?`` or ``؟`` and is followed by words that carry the
  sentence on (``سأل «لماذا؟» دون أن يرد``, ``صرخ "كفى!" ثم انسحب``): Arabic has no capital
  letters to tell a new sentence, so such a quotation ends the sentence only when a terminator
  follows it (``«انتهى الأمر!». وفي``), at the end of the paragraph, or when the next words open
  a new sentence as news copy does: a connective (وفي، إلى ذلك، من جهته، في المقابل، يذكر أن …)
  or و and a reporting verb (وأضاف، وأكدت، وأشار …; see ``_OPENER``). A quotation ending with
  ``.`` or ``…`` ends the sentence as before;
* inside numbers (``1.500``, ``3.5``, ``10:30``, ``6/7/2022``): the terminator must be followed by
  whitespace, and ``:`` and ``/`` are no terminators;
* after abbreviations and initials: a run of single letters joined by dots (``د.``, ``م.``,
  ``أ.ف.ب.``, ``ص.ب.``).

Segmentation is lossless: ``"".join(s.source + s.space_after for s in paragraph)`` gives the
paragraph back (its leading whitespace aside).

Why not a maintained splitter
-----------------------------
pysbd 0.3.4, the one maintained rule-based splitter with an Arabic mode, was run on the 17 body
paragraphs of the two seed articles (19 sentences, per ``corpus/references``), the 27 of the six
pages in ``tests/data/pages/`` (38 sentences, hand-written expectations) and 13 hand-made cases
(the first rows of ``CASES`` in ``tests/test_segment.py``). Its Arabic rules make the Arabic comma
``،`` and the colon ``:`` sentence terminators, so it cuts ``قال المتحدث …، اليوم الخميس، إن …``
into three and ``حيث قال: "…"`` into two. It got 2 of the 17 seed paragraphs right (46 pieces for
19 sentences, 3 of them exactly a sentence), 3 of the 27 page paragraphs (76 pieces for 38
sentences, 13 exact) and 5 of the 13 cases: it also splits inside ``د.``, ``م.``, ``أ.ف.ب.`` and
``ص.ب.`` and inside quotations (``قال: "وصلنا. سنبقى."``), cuts ``...`` into ``..`` and ``.``, and
does not split after ``…``. It is right about numbers (``1.500``, ``3.5``, ``6/7/2022``,
``10:30``), as are these rules, which get all 17, 27 and 13 right. NLTK's punkt and spaCy's
sentencizer have no model of Arabic abbreviations either. So the rules here are our own; they are
short, and the tests pin them down.

Sentences too long for the model
--------------------------------
MarianMT models take at most 512 tokens and translate long inputs badly well before that. A
sentence over ``SegmentOptions.max_tokens`` (counted on what the model sees, with the model's own
tokenizer when one is given) is cut, in order of preference, after ``؛``; before a clause that
opens with ``، و`` or a connector (وأضاف، وأشار، كما، في حين، بينما، حيث); after ``،``. Of the cut
points of the best kind, the one nearest the middle is taken, and each half is cut again until
it fits. Nothing is cut inside a quotation or bracket, nor inside a protected span (a glossary
term). Every piece but the last has ``continues=True``: an export joins it to the next segment
to give the sentence back. A piece that cannot be cut and is still too long is flagged
``too-long``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .arabic import fold, normalize
from .document import Document, Flag, Segment
from .errors import UsageError

TERMINATORS = frozenset(".!?؟…")
_OPENERS = {"«": "»", "“": "”", "(": ")", "[": "]", "{": "}", "﴿": "﴾"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
_SYMMETRIC = '"'
_TRAILERS = frozenset(".!?؟…\"»”)]}'’")
# A bracket closed right after a terminator ends an aside, not the sentence: "تاريخي (!) ثم".
_BRACKET_CLOSERS = frozenset(")]}﴾")
# A run of single letters separated by dots, just before the candidate boundary: د. م. أ.ف.ب.
_INITIALS = re.compile(r"(?:^|[\s(«“\"])(?:[^\W\d_]\.)*[^\W\d_]$")
# A quotation ending with one of these may end inside the sentence: «لماذا؟» دون أن يرد.
_QUESTION_OR_EXCLAMATION = frozenset("!?؟")
_QUOTE_CLOSERS = "\"»”'’"
# What opens a new sentence of Arabic news copy after such a quotation (matched on folded text:
# أ إ آ → ا, ى → ي, ة → ه, no diacritics). Connectives, with or without و, and و with a
# reporting verb (feminine ت or plural وا ending). Deliberately short: a word missing here
# leaves two sentences joined, which translates better than a sentence cut in two.
_CONNECTIVES = (
    "في المقابل",
    "في سياق",
    "في هذا السياق",
    "في غضون ذلك",
    "في الأثناء",
    "إلى ذلك",
    "من جهة",
    "من جهته",
    "من جهتها",
    "من جهتهم",
    "من جانبه",
    "من جانبها",
    "من جانبهم",
    "بدوره",
    "بدورها",
    "يذكر أن",
    "يشار إلى",
    "الجدير بالذكر",
    "على صعيد",
)
_AFTER_WAW = ("في", "فيما", "من المقرر", "من المتوقع", "كان", "كانت", "جاء", "يأتي", "تأتي")
_REPORTING_VERBS = (
    "أضاف", "أشار", "قال", "أكد", "تابع", "أوضح", "لفت", "شدد", "نقل", "ذكر", "أفاد", "أعلن",
    "اعتبر", "بين", "نفى", "طالب", "كشف", "أردف", "اختتم",
)  # fmt: skip


def _alternatives(words: Sequence[str]) -> str:
    return "|".join(re.escape(fold(w).text) for w in sorted(words, key=len, reverse=True))


_OPENER = re.compile(
    rf"(?:و?(?:{_alternatives(_CONNECTIVES)})|و(?:{_alternatives(_AFTER_WAW)})"
    rf"|و(?:{_alternatives(_REPORTING_VERBS)})(?:ت|وا)?)(?![^\W_])"
)
_OPENER_WINDOW = 40  # characters after a quotation folded to look for an opener

#: Default token budget per segment: well under the 512 that MarianMT models take, because
#: translation quality drops on long inputs well before the hard limit.
MAX_TOKENS = 200

# Where over-long sentences are cut, best first. Each pattern's group "cut" spans the whitespace
# between the two pieces: the left piece ends where it starts, the right one begins where it ends.
_CUTS: tuple[re.Pattern[str], ...] = (
    re.compile(r"[؛;](?P<cut>\s+)(?=\S)"),
    re.compile(
        r"(?<=\S)(?P<cut>\s+)(?=(?:وأضاف|وأشار)(?:ت|وا)?\b|كما\b|في حين\b|بينما\b|حيث\b)"
        r"|[،,](?P<cut2>\s+)(?=و\S)"
    ),
    re.compile(r"[،,](?P<cut>\s+)(?=\S)"),
)


def estimate_tokens(text: str) -> int:
    """A rough token count for when no tokenizer is given: two per word, plus end of sentence.

    Sentencepiece splits an Arabic news word into one to two pieces on average (clitics and
    inflections), so this errs on the long side: without the model at hand, cutting a sentence
    a little early is better than the model cutting it short.
    """
    return 2 * len(text.split()) + 1


@dataclass(slots=True)
class SegmentOptions:
    """Options of the segmentation stage.

    Attributes:
        keep_empty: keep paragraphs that hold no sentence (as empty lists).
        max_tokens: token budget of one segment; longer sentences are cut (see module docs).
        count_tokens: counts the tokens of a text as the model's tokenizer does (the text given
            is the normalized one, what the model sees); ``None``: :func:`estimate_tokens`.
        protected: returns the ``[start, end)`` spans of a sentence that must not be cut, e.g.
            ``lambda s: [(t.start, t.end) for t in glossary.match(s)]``.
    """

    keep_empty: bool = False
    max_tokens: int = MAX_TOKENS
    count_tokens: Callable[[str], int] | None = None
    protected: Callable[[str], Sequence[tuple[int, int]]] | None = None

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise UsageError(
                f"max_tokens must be a positive number of tokens, not {self.max_tokens} "
                f"(default {MAX_TOKENS})"
            )


def split_sentences(paragraph: str) -> list[tuple[str, str]]:
    """Split a paragraph into ``(sentence, whitespace_after)`` pairs.

    Leading whitespace of the paragraph is not part of any sentence and is dropped; everything
    else is kept, so joining the pairs gives ``paragraph.lstrip()`` back.
    """
    text = paragraph.lstrip()
    pieces: list[tuple[str, str]] = []
    stack: list[str] = []  # expected closing characters
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in TERMINATORS:
            j, depth = _scan_trailers(text, i, list(stack))
            at_break = j >= n or (text[j].isspace() and text[j - 1] not in _BRACKET_CLOSERS)
            if at_break and depth == 0 and not (ch == "." and _is_initial(text, start, i)):
                k = j
                while k < n and text[k].isspace():
                    k += 1
                if k < n and _quotation_goes_on(text, i, j, k):
                    i += 1
                    continue
                pieces.append((text[start:j], text[j:k]))
                stack.clear()
                start = k
                i = k
                continue
        else:
            _track(ch, stack)
        i += 1
    if start < n:
        pieces.append((text[start:].rstrip(), text[start:][len(text[start:].rstrip()) :]))
    return pieces


def _track(ch: str, stack: list[str]) -> None:
    """Update the stack of open quotations and brackets with character ``ch``."""
    if ch == _SYMMETRIC:
        if stack and stack[-1] == _SYMMETRIC:
            stack.pop()
        else:
            stack.append(_SYMMETRIC)
    elif ch in _OPENERS:
        stack.append(_OPENERS[ch])
    elif ch in _CLOSERS and ch in stack:
        while stack and stack.pop() != ch:
            pass


def _scan_trailers(text: str, i: int, stack: list[str]) -> tuple[int, int]:
    """Walk over the terminators and closing marks that end a sentence at ``i``.

    Returns the index after them and the quotation/bracket depth left open there.
    """
    j = i
    while j < len(text) and text[j] in _TRAILERS:
        ch = text[j]
        if ch == _SYMMETRIC or ch in _CLOSERS:
            closer = ch
            if stack and stack[-1] == closer:
                stack.pop()
            elif ch == _SYMMETRIC:
                break  # an opening quote glued to the terminator: not a trailer
        j += 1
    return j, len(stack)


def _quotation_goes_on(text: str, i: int, j: int, k: int) -> bool:
    """Whether the sentence goes on after the quotation whose end ``text[i:j]`` is.

    ``text[i:j]`` is a run of terminators and closing marks, ``text[k]`` the first character
    after the whitespace that follows it. True when the run is ``!``, ``?`` or ``؟`` and closing
    quotation marks only (no terminator after the quotation) and ``text[k:]`` opens no new
    sentence (see ``_OPENER``).
    """
    run = text[i:j]
    inside = run.rstrip(_QUOTE_CLOSERS)
    if inside == run or not inside or inside[-1] not in _QUESTION_OR_EXCLAMATION:
        return False
    return not _OPENER.match(fold(text[k : k + _OPENER_WINDOW]).text)


def _is_initial(text: str, start: int, dot: int) -> bool:
    return bool(_INITIALS.search(text[start:dot]))


def split_long(
    sentence: str,
    max_tokens: int = MAX_TOKENS,
    count_tokens: Callable[[str], int] | None = None,
    protected: Sequence[tuple[int, int]] = (),
) -> list[tuple[str, str]]:
    """Cut a sentence over ``max_tokens`` into pieces: ``(piece, whitespace_after)`` pairs.

    The whitespace after the last piece is ``""``; joining the pairs gives ``sentence`` back.
    A sentence that fits, or that has no place where it may be cut, comes back whole.

    Args:
        sentence: one sentence, without leading or trailing whitespace.
        max_tokens: the budget of one piece.
        count_tokens: tokens of a normalized text (default :func:`estimate_tokens`).
        protected: ``[start, end)`` spans of ``sentence`` never to be cut (glossary terms).
    """
    count = count_tokens or estimate_tokens

    def fits(start: int, end: int) -> bool:
        return count(normalize(sentence[start:end]).text) <= max_tokens

    depth = _quote_depths(sentence)

    def allowed(left: int, right: int) -> bool:
        return depth[left] == 0 and not any(a < right and b > left for a, b in protected)

    def cut(start: int, end: int) -> list[tuple[int, int]]:
        if fits(start, end):
            return [(start, end)]
        middle = (start + end) / 2
        for pattern in _CUTS:
            points = [
                (m.start(g), m.end(g))
                for m in pattern.finditer(sentence, start, end)
                for g in ("cut", "cut2")
                if g in pattern.groupindex and m.group(g) is not None
            ]
            points = [(a, b) for a, b in points if start < a and b < end and allowed(a, b)]
            if points:
                left, right = min(points, key=lambda p: abs(p[0] - middle))
                return cut(start, left) + cut(right, end)
        return [(start, end)]

    spans = cut(0, len(sentence))
    return [
        (sentence[a:b], sentence[b : spans[k + 1][0]] if k + 1 < len(spans) else "")
        for k, (a, b) in enumerate(spans)
    ]


def _quote_depths(text: str) -> list[int]:
    """For each index of ``text`` (and its end), how many quotations and brackets are open."""
    stack: list[str] = []
    depths = []
    for ch in text:
        depths.append(len(stack))
        _track(ch, stack)
    depths.append(len(stack))
    return depths


def segment_paragraph(paragraph: str, options: SegmentOptions | None = None) -> list[Segment]:
    """Sentences of one paragraph as segments (ids left empty), over-long ones cut in pieces."""
    options = options or SegmentOptions()
    count = options.count_tokens or estimate_tokens
    segments: list[Segment] = []
    for sentence, space in split_sentences(paragraph):
        whole = _new_segment("", sentence, space)
        if count(whole.normalized) <= options.max_tokens:
            segments.append(whole)
            continue
        spans = options.protected(sentence) if options.protected is not None else ()
        pieces = split_long(sentence, options.max_tokens, count, spans)
        for k, (piece, piece_space) in enumerate(pieces):
            last = k == len(pieces) - 1
            seg = _new_segment("", piece, space if last else piece_space)
            seg.continues = not last
            tokens = count(seg.normalized)
            if tokens > options.max_tokens:
                seg.flags.append(
                    Flag(
                        "too-long",
                        f"{tokens} tokens, over the budget of {options.max_tokens}, with no place "
                        "to cut outside quotations and glossary terms; the model may cut it "
                        "short. Split the sentence by hand.",
                    )
                )
            segments.append(seg)
    return segments


def segment(doc: Document, options: SegmentOptions | None = None) -> Document:
    """Split every paragraph of ``doc`` into sentences and give each a stable id.

    Ingest leaves one segment per paragraph; this stage replaces it with one segment per
    sentence, or per piece of an over-long sentence (``<doc>:<paragraph>:<n>``, the title being
    paragraph 0).
    """
    options = options or SegmentOptions()
    if doc.title is not None:
        doc.title = _new_segment(f"{doc.id}:0:1", doc.title.source.strip(), "")
    paragraphs: list[list[Segment]] = []
    for paragraph in doc.paragraphs:
        text = "".join(s.source + s.space_after for s in paragraph)
        segments = segment_paragraph(text, options)
        if not segments and not options.keep_empty:
            continue
        number = len(paragraphs) + 1
        for k, seg in enumerate(segments, start=1):
            seg.id = f"{doc.id}:{number}:{k}"
        paragraphs.append(segments)
    doc.paragraphs = paragraphs
    return doc


def _new_segment(seg_id: str, source: str, space_after: str) -> Segment:
    return Segment(
        id=seg_id, source=source, normalized=normalize(source).text, space_after=space_after
    )
