from __future__ import annotations

from pathlib import Path

import pytest

from translate.document import Document, Segment
from translate.errors import GlossaryError
from translate.glossary import Entry, Glossary, annotate, english_has, load

from .conftest import GLOSSARY

G = Glossary(
    [
        Entry("الرقة", "Raqqa"),
        Entry("حلب", "Aleppo"),
        Entry("عين العرب", "Kobani", aliases=("كوباني",)),
        Entry("قسد", "SDF", type="armed-group"),
        Entry("قوات سوريا الديمقراطية", "Syrian Democratic Forces"),
        Entry("سوريا", "Syria"),
        Entry("الباب", "al-Bab", context=("مدينة", "مدن", "بلدة")),
        Entry("اللاذقية", "Latakia"),
        Entry("منبج", "Manbij"),
        Entry("عين عيسى", "Ain Issa"),
    ]
)

MATCHES = [
    # (text, [(term as written, en)])
    ("إلى حلب والرقة", [("حلب", "Aleppo"), ("الرقة", "Raqqa")]),
    ("وصلت للرقة وبالرقة فالرقة", [("للرقة", "Raqqa"), ("الرقة", "Raqqa"), ("الرقة", "Raqqa")]),
    ("في الرَّقَّة", [("الرَّقَّة", "Raqqa")]),  # diacritics as written
    ("بحلب ولحلب وكحلب فحلب", [("حلب", "Aleppo")] * 4),
    (
        "عين العرب (كوباني) وبكوباني",
        [("عين العرب", "Kobani"), ("كوباني", "Kobani"), ("كوباني", "Kobani")],
    ),
    (
        "قوات سوريا الديمقراطية قسد",
        [("قوات سوريا الديمقراطية", "Syrian Democratic Forces"), ("قسد", "SDF")],
    ),
    ("عين\u00a0 العرب", [("عين\u00a0 العرب", "Kobani")]),  # any whitespace between words
    ("للاذقية واللاذقية", [("للاذقية", "Latakia"), ("اللاذقية", "Latakia")]),
    ("لمدن الباب ومنبج", [("الباب", "al-Bab"), ("منبج", "Manbij")]),
    ("بلدة عين عيسى", [("عين عيسى", "Ain Issa")]),
    ("القسد", [("القسد", "SDF")]),  # ال added to a bare name
    # false positives that must not match
    ("برقة ولطف", []),  # Barqa / with tenderness is not الرقة
    ("الحلبي حلبية", []),  # an Aleppan is not Aleppo
    ("عينه على العرب", []),
    ("سيفتحُ البابُ لحوار", []),  # the door, not al-Bab
    ("السوريون", []),
]


@pytest.mark.parametrize(("text", "expected"), MATCHES)
def test_clitic_aware_matching(text: str, expected: list[tuple[str, str]]) -> None:
    terms = G.match(text)
    assert [(t.ar, t.en) for t in terms] == expected
    assert all(text[t.start : t.end] == t.ar for t in terms)


def test_later_glossary_wins() -> None:
    newsroom = Glossary([Entry("عين العرب", "Kobani")])
    batch = Glossary([Entry("عين العرب", "Ayn al-Arab")])
    assert [t.en for t in newsroom.extend(batch).match("في عين العرب")] == ["Ayn al-Arab"]


def test_annotate_records_terms_on_segments() -> None:
    doc = Document(
        id="d",
        title=Segment(id="d:0:1", source="تعزيزات إلى عين العرب"),
        paragraphs=[[Segment(id="d:1:1", source="لا شيء هنا")]],
    )
    annotate(doc, G)
    assert doc.title is not None and [t.en for t in doc.title.terms] == ["Kobani"]
    assert doc.paragraphs[0][0].terms == []


@pytest.mark.parametrize(
    ("text", "en", "present"),
    [
        ("the SDF said", "SDF", True),
        ("SDF's fighters", "SDF", True),
        ("SDF-led forces", "SDF", True),
        ("the sdf said", "SDF", False),
        ("SDFX", "SDF", False),
        ("Al-Bab fell", "al-Bab", True),
        ("Syrian forces", "Syria", False),
        ("in Kobani.", "Kobani", True),
    ],
)
def test_english_side_check(text: str, en: str, present: bool) -> None:
    assert english_has(text, en) is present


def test_bundled_glossary_loads_and_covers_the_seed_names() -> None:
    glossary = load(GLOSSARY)
    assert len(glossary) >= 40
    found = {
        t.en
        for t in glossary.match(
            "أرسلت قوات نظام الأسد تعزيزات إلى عين العرب (كوباني) ومنبج والرقة والطبقة والقامشلي "
            "وعين عيسى لمساندة قوات سوريا الديمقراطية “قسد”"
        )
    }
    assert {
        "Kobani",
        "Manbij",
        "Raqqa",
        "Tabqa",
        "Qamishli",
        "Ain Issa",
        "SDF",
        "Syrian Democratic Forces",
        "Assad regime",
    } <= found


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", r"empty"),
        ("arabic\tenglish\nحلب\tAleppo\n", r":1: header must name the columns ar and en"),
        ("ar,en\nحلب,Aleppo\n", r":1: header .*comma-separated"),
        ("ar\ten\nحلب\tAleppo\textra\n", r":2: expected 2 columns"),
        ("ar\ten\nحلب\t\n", r":2: empty en cell"),
        ("ar\ten\nAleppo\tAleppo\n", r":2: 'Aleppo' has no Arabic letters"),
        ("ar\ten\tcolour\nحلب\tAleppo\tred\n", r":1: unknown column 'colour'"),
    ],
    ids=[
        "empty",
        "no-header",
        "commas-in-tsv",
        "too-many-cells",
        "empty-cell",
        "no-arabic",
        "unknown-column",
    ],
)
def test_malformed_glossaries_name_file_and_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "g.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError, match=message) as info:
        load(path)
    assert str(info.value).startswith(str(path))


def test_csv_glossary_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_bytes("\ufeffar,en,type\nحلب,Aleppo,place\n".encode())
    assert [t.en for t in load(path).match("في حلب")] == ["Aleppo"]
