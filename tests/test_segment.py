from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate.document import Document, Segment
from translate.segment import segment, split_sentences

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
]


@pytest.mark.parametrize(("paragraph", "expected"), CASES)
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert [s for s, _ in split_sentences(paragraph)] == expected


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
