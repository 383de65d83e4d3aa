from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from translate.cli import app
from translate.document import Document, Segment
from translate.errors import UsageError
from translate.pipeline import prepare
from translate.segment import (
    SegmentOptions,
    estimate_tokens,
    segment,
    segment_paragraph,
    split_long,
    split_sentences,
)

from .conftest import CORPUS, REFERENCES

CASES = [
    # plain terminators, Arabic question mark, exclamation
    ("قال إنه وصل. وأضاف أنه غادر.", ["قال إنه وصل.", "وأضاف أنه غادر."]),
    ("هل وصل؟ نعم وصل!", ["هل وصل؟", "نعم وصل!"]),
    ("انتظرنا طويلا… ثم وصل", ["انتظرنا طويلا…", "ثم وصل"]),
    ("انتظرنا طويلا... ثم وصل", ["انتظرنا طويلا...", "ثم وصل"]),
    # numbers are never split
    (
        "بلغ العدد 1.500 شخص و3.5 طن في 6/7/2022 الساعة 10:30. ثم انتهى.",
        ["بلغ العدد 1.500 شخص و3.5 طن في 6/7/2022 الساعة 10:30.", "ثم انتهى."],
    ),
    # abbreviations and initials
    (
        "قال د. محمد إن الوضع سيء. وأكد م. علي ذلك.",
        ["قال د. محمد إن الوضع سيء.", "وأكد م. علي ذلك."],
    ),
    ("نقلت أ.ف.ب. الخبر. وعنوانها ص.ب. 25.", ["نقلت أ.ف.ب. الخبر.", "وعنوانها ص.ب. 25."]),
    # quotations: no split inside; a quotation ending a sentence closes it
    ('قال: "وصلنا. سنبقى." وأضاف أنه سعيد.', ['قال: "وصلنا. سنبقى."', "وأضاف أنه سعيد."]),
    ("قال: «وصلنا. سنبقى». وأضاف أنه سعيد.", ["قال: «وصلنا. سنبقى».", "وأضاف أنه سعيد."]),
    ("قال: “وصلنا. سنبقى” ثم غادر. انتهى.", ["قال: “وصلنا. سنبقى” ثم غادر.", "انتهى."]),
    # an unclosed quotation runs to the end of the paragraph (seen in the seed articles)
    (
        "وأضاف أن “550 جندياً وصلوا. وتمركزوا في البلدة.",
        ["وأضاف أن “550 جندياً وصلوا. وتمركزوا في البلدة."],
    ),
    # brackets
    ("ذكر (أي الناطق. باسمه) ذلك. وانتهى.", ["ذكر (أي الناطق. باسمه) ذلك.", "وانتهى."]),
    ("جملة واحدة بلا نقطة", ["جملة واحدة بلا نقطة"]),
    # the Arabic comma, semicolon and colon end no sentence
    ("قال، في بيان؛ إن الوضع: سيء. انتهى", ["قال، في بيان؛ إن الوضع: سيء.", "انتهى"]),
    # an ellipsis inside a quotation, a question inside brackets
    ("قال «انتظرنا… طويلا» ثم غادر. وعاد", ["قال «انتظرنا… طويلا» ثم غادر.", "وعاد"]),
    ("سأل (لماذا؟ ومتى؟) ولم يجب. انتهى.", ["سأل (لماذا؟ ومتى؟) ولم يجب.", "انتهى."]),
    (
        "وصف الاتفاق بأنه تاريخي (!) ثم غادر. انتهى",
        ["وصف الاتفاق بأنه تاريخي (!) ثم غادر.", "انتهى"],
    ),
    # a number at the end of a sentence, and one with an Arabic decimal separator
    ("وصل عددهم إلى 25. وغادر 3٫5 ألف.", ["وصل عددهم إلى 25.", "وغادر 3٫5 ألف."]),
]


@pytest.mark.parametrize(("paragraph", "expected"), CASES)
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert [s for s, _ in split_sentences(paragraph)] == expected


QUOTED_QUESTIONS = [
    # a quotation ending with ! ? ؟ inside a sentence: the words after it carry the sentence on
    (
        "سأل الصحفي «لماذا؟» دون أن يرد أحد من المسؤولين.",
        ["سأل الصحفي «لماذا؟» دون أن يرد أحد من المسؤولين."],
    ),
    (
        'صرخ المتظاهرون "كفى!" ثم انسحبوا من الساحة.',
        ['صرخ المتظاهرون "كفى!" ثم انسحبوا من الساحة.'],
    ),
    (
        "تساءل الأهالي «متى؟» بحسب الوكالة. وأضافت أن الطريق مقطوع.",
        ["تساءل الأهالي «متى؟» بحسب الوكالة.", "وأضافت أن الطريق مقطوع."],
    ),
    ('كتب على حسابه "What now?" قبل أن يحذفه.', ['كتب على حسابه "What now?" قبل أن يحذفه.']),
    (
        "«هل انتهت الحرب؟» تساءل الكاتب في مقاله.",
        ["«هل انتهت الحرب؟» تساءل الكاتب في مقاله."],
    ),
    ("هتف الحشد «ارحل!» مرات عدة قبل أن يتفرق", ["هتف الحشد «ارحل!» مرات عدة قبل أن يتفرق"]),
    # a quotation that ends the sentence: a terminator after it, or a new sentence opener
    (
        "قال الوزير: «انتهى الأمر!». وفي سياق آخر، أعلن الجيش انسحابه.",
        ["قال الوزير: «انتهى الأمر!».", "وفي سياق آخر، أعلن الجيش انسحابه."],
    ),
    (
        "سأل الصحفي «لماذا؟» وفي سياق آخر أعلن الوزير استقالته.",
        ["سأل الصحفي «لماذا؟»", "وفي سياق آخر أعلن الوزير استقالته."],
    ),
    (
        'قال: "لن نتراجع!" وأكدت مصادر أن القوات وصلت.',
        ['قال: "لن نتراجع!"', "وأكدت مصادر أن القوات وصلت."],
    ),
    (
        "وتساءل «إلى متى؟» من جهتها، نفت الوزارة ذلك.",
        ["وتساءل «إلى متى؟»", "من جهتها، نفت الوزارة ذلك."],
    ),
    (
        'هتفوا "ارحلوا!" إلى ذلك، قصفت الطائرات البلدة.',
        ['هتفوا "ارحلوا!"', "إلى ذلك، قصفت الطائرات البلدة."],
    ),
    ("سأل «ماذا بعد؟»", ["سأل «ماذا بعد؟»"]),
    # an opener spelled without hamza, or with diacritics, is still an opener
    ("قال «كفى!» واضاف أنه سيغادر.", ["قال «كفى!»", "واضاف أنه سيغادر."]),
    ("قال «كفى!» وأَشارَ إلى الحشد.", ["قال «كفى!»", "وأَشارَ إلى الحشد."]),
    # a connective glued to a longer word is not one: وفيات (deaths) is not وفي
    ("قال «يا للهول!» وفيات كثيرة سجلت.", ["قال «يا للهول!» وفيات كثيرة سجلت."]),
]


@pytest.mark.parametrize(("paragraph", "expected"), QUOTED_QUESTIONS)
def test_quotations_ending_in_questions_and_exclamations(
    paragraph: str, expected: list[str]
) -> None:
    pieces = split_sentences(paragraph)
    assert [s for s, _ in pieces] == expected
    assert "".join(s + space for s, space in pieces) == paragraph


def test_segment_gives_stable_ids_and_normalized_text() -> None:
    doc = Document(
        id="doc",
        title=Segment(id="", source="عنوانُ الخبر"),
        paragraphs=[[Segment(id="", source="أولى. ثانية.")], [Segment(id="", source="ثالثة")]],
    )
    segment(doc)
    assert [s.id for s in doc.segments()] == ["doc:0:1", "doc:1:1", "doc:1:2", "doc:2:1"]
    assert doc.title is not None and doc.title.normalized == "عنوان الخبر"
    assert "".join(s.source + s.space_after for s in doc.paragraphs[0]) == "أولى. ثانية."


WORDS = st.sampled_from(
    ["قال", "الرقة", "قسد", "1.500", "3.5", "10:30", "د.", "أ.ف.ب", "نعم", "و", "2022"]
)
PUNCT = st.sampled_from(
    [" ", " ", " ", ". ", "؟ ", "! ", "… ", "، ", ' "', '" ', " «", "» ", " (", ") ", "  "]
)


@st.composite
def paragraphs(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(WORDS, PUNCT), min_size=1, max_size=30))
    return "".join(w + p for w, p in parts)


@settings(max_examples=300)
@given(paragraphs())
def test_segmentation_is_lossless(paragraph: str) -> None:
    pieces = split_sentences(paragraph)
    assert "".join(s + space for s, space in pieces) == paragraph.lstrip()
    assert all(s.strip() == s and s for s, _ in pieces)


QUOTES = st.sampled_from([('"', '"'), ("«", "»"), ("“", "”"), ("(", ")")])


@st.composite
def quoted_paragraphs(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """A paragraph with well-formed quotations, and the spans those quotations cover."""
    text = ""
    spans = []
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            opener, closer = draw(QUOTES)
            inner = draw(paragraphs()).strip() or "نعم"
            inner = (
                inner.replace('"', "")
                .replace("«", "")
                .replace("»", "")
                .replace("(", "")
                .replace(")", "")
            )
            start = len(text) + 1
            text += " " + opener + inner + closer
            spans.append((start, len(text)))
            text += draw(st.sampled_from([" ", ". ", "؟ "]))
        else:
            text += draw(st.lists(WORDS, min_size=1, max_size=4)).__iter__().__next__()
            text += draw(st.sampled_from([" ", ". ", "! ", "، "]))
    return text, spans


@settings(max_examples=300)
@given(quoted_paragraphs())
def test_never_splits_inside_quotes_or_numbers(case: tuple[str, list[tuple[int, int]]]) -> None:
    paragraph, spans = case
    lead = len(paragraph) - len(paragraph.lstrip())
    pos = lead
    for sentence, space in split_sentences(paragraph)[:-1]:
        pos += len(sentence)
        assert not any(start < pos < end - 1 for start, end in spans), (paragraph, pos)
        assert not (paragraph[pos - 1] == "." and paragraph[pos : pos + 1].isdigit())
        pos += len(space)


def words(text: str) -> int:
    """A token counter for tests: one token per word."""
    return len(text.split())


LONG_CASES = [
    # fits: unchanged
    ("قال إنه وصل، وأضاف أنه غادر.", 10, ["قال إنه وصل، وأضاف أنه غادر."]),
    # the semicolon first, even off the middle
    (
        "أ ب ت ث ج ح؛ خ د، ذ ر، وز س ش ص ض.",
        10,
        ["أ ب ت ث ج ح؛", "خ د، ذ ر، وز س ش ص ض."],
    ),
    # then "، و" rather than a bare comma, the one nearest the middle
    (
        "قال المتحدث إن القوات وصلت، وإنها تمركزت في البلدة، وإن أخرى ستصل، لاحقاً.",
        6,
        ["قال المتحدث إن القوات وصلت،", "وإنها تمركزت في البلدة،", "وإن أخرى ستصل، لاحقاً."],
    ),
    # clause connectors, with or without a comma before them
    (
        "قصفت الطائرات المدينة بينما نفى الجيش ذلك، كما أكد شهود وقوع ضحايا",
        5,
        ["قصفت الطائرات المدينة", "بينما نفى الجيش ذلك،", "كما أكد شهود وقوع ضحايا"],
    ),
    (
        "وصلت القافلة إلى البلدة في حين بقيت أخرى على الحدود حيث تنتظر الإذن",
        6,
        ["وصلت القافلة إلى البلدة", "في حين بقيت أخرى على الحدود", "حيث تنتظر الإذن"],
    ),
    (
        "أعلن الجيش السيطرة على القرية وأشارت مصادر إلى مقتل عشرة",
        5,
        ["أعلن الجيش السيطرة على القرية", "وأشارت مصادر إلى مقتل عشرة"],
    ),
    # the last resort: a bare comma
    (
        "وصل المتحدث، وهو غاضب جداً، إلى المؤتمر، ثم تكلم",
        4,
        ["وصل المتحدث،", "وهو غاضب جداً،", "إلى المؤتمر، ثم تكلم"],
    ),
    # never inside a quotation, nor inside an unclosed one
    (
        'قال المتحدث: "وصلنا، وتمركزنا، وننتظر؛ الأوامر" ثم غادر',
        3,
        ['قال المتحدث: "وصلنا، وتمركزنا، وننتظر؛ الأوامر" ثم غادر'],
    ),
    ("قال «وصلنا، وتمركزنا، وننتظر الأوامر", 3, ["قال «وصلنا، وتمركزنا، وننتظر الأوامر"]),
    # numbers written with a comma are no place to cut
    ("بلغت الكلفة 1,500 دولار و3،5 مليون ليرة", 2, ["بلغت الكلفة 1,500 دولار و3،5 مليون ليرة"]),
]


@pytest.mark.parametrize(("sentence", "budget", "expected"), LONG_CASES)
def test_split_long(sentence: str, budget: int, expected: list[str]) -> None:
    pieces = split_long(sentence, budget, words)
    assert [p for p, _ in pieces] == expected
    assert "".join(p + space for p, space in pieces) == sentence
    assert pieces[-1][1] == ""


def test_split_long_never_cuts_a_protected_span() -> None:
    sentence = "ضرب القصف عين العرب، والرقة، ودير الزور"
    term = sentence.index("دير الزور")
    assert split_long(sentence, 2, words, [(term, term + len("دير الزور"))]) == [
        ("ضرب القصف عين العرب،", " "),
        ("والرقة،", " "),
        ("ودير الزور", ""),
    ]
    # a span across the only cut points leaves the sentence whole
    assert split_long(sentence, 2, words, [(0, len(sentence))]) == [(sentence, "")]


def test_estimate_is_two_tokens_a_word() -> None:
    assert estimate_tokens("قال إنه وصل") == 7
    assert split_long("قال إنه وصل، وأضاف أنه غادر", 8) == [
        ("قال إنه وصل،", " "),
        ("وأضاف أنه غادر", ""),
    ]


def test_pieces_continue_and_join_back_with_ids_in_order() -> None:
    paragraph = "جملة أولى قصيرة. ثم جملة طويلة جداً، وفيها كلام كثير؛ ونهاية بعيدة! وأخيرة."
    doc = Document(id="d", paragraphs=[[Segment(id="", source=paragraph)]])
    segment(doc, SegmentOptions(max_tokens=4, count_tokens=words))
    (segs,) = doc.paragraphs
    assert [(s.id, s.source, s.continues) for s in segs] == [
        ("d:1:1", "جملة أولى قصيرة.", False),
        ("d:1:2", "ثم جملة طويلة جداً،", True),
        ("d:1:3", "وفيها كلام كثير؛", True),
        ("d:1:4", "ونهاية بعيدة!", False),
        ("d:1:5", "وأخيرة.", False),
    ]
    assert "".join(s.source + s.space_after for s in segs) == paragraph
    assert not any(s.flags for s in segs)


def test_a_piece_with_no_place_to_cut_is_flagged() -> None:
    (seg,) = segment_paragraph("كلمة " * 30 + "نهاية.", SegmentOptions(max_tokens=10))
    assert not seg.continues
    assert [f.code for f in seg.flags] == ["too-long"]
    assert "63 tokens, over the budget of 10" in seg.flags[0].message


def test_protected_spans_come_from_a_callable() -> None:
    def protect(sentence: str) -> list[tuple[int, int]]:
        start = sentence.find("قوات سوريا الديمقراطية، قسد")
        return [(start, start + len("قوات سوريا الديمقراطية، قسد"))] if start >= 0 else []

    options = SegmentOptions(max_tokens=3, count_tokens=words, protected=protect)
    segs = segment_paragraph("هاجمت قوات سوريا الديمقراطية، قسد، البلدة", options)
    assert [s.source for s in segs] == ["هاجمت قوات سوريا الديمقراطية، قسد،", "البلدة"]


def test_too_small_a_budget_is_refused() -> None:
    with pytest.raises(UsageError, match="max_tokens must be a positive number"):
        SegmentOptions(max_tokens=0)


def _references(stem: str) -> list[str]:
    with (REFERENCES / f"{stem}.tsv").open(encoding="utf-8") as fh:
        return [row[0] for row in list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]]


def _rejoined(doc: Document) -> list[str]:
    """Sentences of ``doc``, pieces of a cut sentence joined back as an export would."""
    sentences: list[str] = []
    pending = ""
    for seg in doc.segments():
        pending += seg.source + (seg.space_after if seg.continues else "")
        if not seg.continues:
            sentences.append(pending)
            pending = ""
    return sentences


@pytest.fixture(scope="module")
def tiny_tokens(tiny_model: Path) -> Callable[[str], int]:
    """The tiny model's own token count (its sentencepiece model, as the engine counts)."""
    from transformers import MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(str(tiny_model))
    return lambda text: len(tokenizer(text)["input_ids"])


def test_prepare_cuts_long_sentences_with_the_model_tokenizer(
    tiny_tokens: Callable[[str], int],
) -> None:
    path = CORPUS / "baladi-sdf-regime-heavy-weapons.txt"
    budget = 60
    (doc,) = prepare(
        [path], segment_options=SegmentOptions(max_tokens=budget), count_tokens=tiny_tokens
    )
    pieces = [s for p in doc.paragraphs for s in p]
    assert any(s.continues for s in pieces)
    assert all(tiny_tokens(s.normalized) <= budget or s.flags for s in pieces)
    assert _rejoined(doc) == _references(path.stem)
    assert not doc.paragraphs[-1][-1].continues


def test_without_a_tokenizer_the_seed_articles_are_not_cut() -> None:
    for doc in prepare([CORPUS]):
        assert not any(s.continues for s in doc.segments())


# Text with the places where long sentences may be cut: commas, semicolons and connectors.
CLAUSE_WORDS = st.sampled_from(
    ["قال", "الرقة", "عين العرب", "1.500", "3,5", "10:30", "وأضاف", "كما", "بينما", "حيث", "و"]
)
CLAUSE_PUNCT = st.sampled_from([" ", " ", "، ", "؛ ", "، و", "؛", "،"])


@st.composite
def long_sentences(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """A sentence with places to cut, its well-formed quotations, and protected word spans."""
    text, quotes = "", []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.integers(0, 3)) == 0:
            opener, closer = draw(QUOTES)
            inner = "".join(w + p for w, p in draw(st.lists(st.tuples(CLAUSE_WORDS, CLAUSE_PUNCT))))
            inner = re.sub(r'["«»()]', "", inner).strip() or "نعم"
            start = len(text)
            text += opener + inner + closer
            quotes.append((start, len(text)))
        else:
            text += draw(CLAUSE_WORDS)
        text += draw(st.sampled_from([" ", "، ", "؛ ", "، و", " "]))
    sentence = text.strip()
    words_at = [(m.start(), m.end()) for m in re.finditer(r"\S+", sentence)]
    firsts = draw(st.lists(st.sampled_from(words_at), max_size=3))
    spans = [(a, draw(st.sampled_from([e for s, e in words_at if s >= a]))) for a, _ in firsts]
    return sentence, quotes, spans


@settings(max_examples=300)
@given(long_sentences(), st.integers(1, 30))
def test_long_sentence_cuts_are_lossless_and_safe(
    case: tuple[str, list[tuple[int, int]], list[tuple[int, int]]], budget: int
) -> None:
    sentence, quotes, spans = case
    pieces = split_long(sentence, budget, words, spans)
    assert "".join(p + space for p, space in pieces) == sentence
    assert all(p and p.strip() == p for p, _ in pieces)
    pos = 0
    for piece, space in pieces[:-1]:
        pos += len(piece)
        after = pos + len(space)
        assert space and not space.strip()
        assert not any(a < after and b > pos for a, b in spans), (sentence, pos)
        assert not any(a < pos and after < b for a, b in quotes), (sentence, pos)
        assert not (sentence[pos - 1].isdigit() and sentence[after].isdigit()), (sentence, pos)
        pos = after
    # Every piece fits, unless it has no place left to cut.
    offset = 0
    for piece, space in pieces:
        inside = [
            (a - offset, b - offset) for a, b in spans if a < offset + len(piece) and b > offset
        ]
        assert words(piece) <= budget or len(split_long(piece, budget, words, inside)) == 1
        offset += len(piece) + len(space)


def test_segment_command_json_and_stdin() -> None:
    runner = CliRunner()
    text = "قال إنه وصل، وأضاف أنه غادر. انتهى"
    result = runner.invoke(app, ["segment", "--json", "--max-tokens", "8", "-"], input=text)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["source"], r["continues"]) for r in rows] == [
        ("قال إنه وصل،", True),
        ("وأضاف أنه غادر.", False),
        ("انتهى", False),
    ]
    plain = runner.invoke(app, ["segment", text])
    assert plain.stdout.splitlines() == ["قال إنه وصل، وأضاف أنه غادر.", "انتهى"]
