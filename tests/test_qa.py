"""QA flags: each check on real Arabic news sentences and English renderings, both ways."""

from __future__ import annotations

import pytest

from translate.document import Document, Flag, Segment
from translate.evaluate import load_references
from translate.glossary import Entry, Glossary, annotate
from translate.glossary import load as load_glossary
from translate.qa import (
    CODES,
    DEFAULT_CALIBRATION,
    DESCRIPTIONS,
    MIN_SOURCE_CHARS,
    QAOptions,
    calibrate,
    check,
    number_mismatch,
    qa,
    repetition,
    summary,
)

from .conftest import GLOSSARY, REFERENCES

SPOKESMAN = (
    "قال المتحدث باسم قوات سوريا الديمقراطية، اليوم الخميس، إن النظام وافق على إرسال "
    "تعزيزات عسكرية إلى ريفي حلب والرقة."
)
SPOKESMAN_EN = (
    "The Syrian Democratic Forces spokesman said on Thursday that the regime had agreed to "
    "send military reinforcements to the Aleppo and Raqqa countryside."
)


def codes(source: str, target: str | None, options: QAOptions | None = None) -> list[str]:
    seg = Segment(id="d:1:0", source=source, target=target)
    return [f.code for f in check(seg, options)]


def test_a_good_translation_has_no_flags() -> None:
    assert codes(SPOKESMAN, SPOKESMAN_EN) == []


def test_every_code_is_described() -> None:
    assert set(DESCRIPTIONS) == set(CODES)


# --- untranslated and empty --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, ["untranslated"]),
        (SPOKESMAN, ["untranslated"]),  # the Arabic copied through
        ("قال المتحدث إن النظام وافق on Thursday", ["untranslated"]),  # mostly Arabic
        (SPOKESMAN_EN, []),
    ],
)
def test_untranslated(target: str | None, expected: list[str]) -> None:
    assert codes(SPOKESMAN, target) == expected


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (SPOKESMAN, "", ["empty"]),
        (SPOKESMAN, "   ", ["empty"]),
        (SPOKESMAN, " ... “” -- ،", ["empty"]),
        ("وصل.", "Arrived.", []),
        ("* * *", "* * *", []),  # a section break translates to itself
    ],
)
def test_empty_or_punctuation_only(source: str, target: str, expected: list[str]) -> None:
    assert codes(source, target) == expected


# --- Arabic script -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "left"),
    [
        ("The SDF (قسد) said the regime agreed on Thursday to send reinforcements.", "قسد"),
        (
            "Reinforcements arrived in عين عيسى on Thursday, the Syrian Democratic Forces said.",
            "عين",
        ),
    ],
)
def test_arabic_script_left_in_the_english(target: str, left: str) -> None:
    seg = Segment(id="x", source=SPOKESMAN, target=target)
    flags = [f for f in check(seg) if f.code == "arabic-text"]
    assert len(flags) == 1 and left in flags[0].message


@pytest.mark.parametrize(
    "target",
    [
        SPOKESMAN_EN,
        SPOKESMAN_EN.replace(",", "،"),  # Arabic punctuation is not Arabic script
        SPOKESMAN_EN + " ١٢",  # nor are Arabic-Indic digits
    ],
)
def test_no_arabic_script(target: str) -> None:
    assert "arabic-text" not in codes(SPOKESMAN, target)


# --- length: omission and addition ----------------------------------------------------------


def test_omission_when_the_english_is_far_too_short() -> None:
    seg = Segment(id="x", source=SPOKESMAN, target="The spokesman said on Thursday.")
    (flag,) = [f for f in check(seg) if f.code == "omission"]
    assert "0.28×" in flag.message and "expected 0.87–2.14×" in flag.message


def test_addition_when_the_english_is_far_too_long() -> None:
    long = SPOKESMAN_EN + " " + SPOKESMAN_EN.replace("The", "Moreover, the", 1)
    assert codes(SPOKESMAN, long) == ["addition"]


def test_length_is_not_checked_on_short_sources() -> None:
    assert len("قال.") < MIN_SOURCE_CHARS
    assert codes("قال.", "He said, adding that the regime had agreed to everything asked.") == []


def test_diacritics_do_not_count_in_the_length() -> None:
    voweled = "قَالَ المُتَحَدِّثُ بِاسْمِ قُوَّاتِ سُورِيَا الدِّيمُقْرَاطِيَّةِ إِنَّ النِّظَامَ وَافَقَ."
    english = "The Syrian Democratic Forces spokesman said the regime had agreed."
    assert codes(voweled, english) == []


def test_calibration_follows_the_references() -> None:
    # A newsroom whose references run twice as long as ours (say, with explanatory glosses).
    wordy = calibrate([(SPOKESMAN, SPOKESMAN_EN + " " + SPOKESMAN_EN)] * 12)
    assert wordy.source == "references" and wordy.pairs == 12
    assert wordy.low > DEFAULT_CALIBRATION.high * 0.75
    assert codes(SPOKESMAN, SPOKESMAN_EN) == []  # within the default range
    assert codes(SPOKESMAN, SPOKESMAN_EN, QAOptions(calibration=wordy)) == ["omission"]


def test_default_calibration_is_the_bundled_references() -> None:
    measured = calibrate(load_references([REFERENCES]).pairs)
    assert (measured.low, measured.high, measured.mean, measured.pairs) == (
        DEFAULT_CALIBRATION.low,
        DEFAULT_CALIBRATION.high,
        DEFAULT_CALIBRATION.mean,
        DEFAULT_CALIBRATION.pairs,
    )


def test_too_few_references_fall_back_to_the_default() -> None:
    cal = calibrate([(SPOKESMAN, SPOKESMAN_EN)] * 3)
    assert cal.source == "default" and "only 3 reference pairs" in cal.note
    assert cal.to_dict()["min_source_chars"] == MIN_SOURCE_CHARS


# --- repetition --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "loop"),
    [
        ("The regime regime regime sent reinforcements to Kobani.", "regime"),
        ("Forces of the the the Syrian regime arrived.", "the"),
        ("He said that the regime, the regime, the regime, the regime agreed.", "the regime"),
        (
            "Reinforcements arrived in the city of Manbij in the city of Manbij on Sunday.",
            "in the city of manbij",
        ),
    ],
)
def test_repetition_loops(text: str, loop: str) -> None:
    assert repetition(text) == loop
    assert "repetition" in codes(SPOKESMAN, text + " " + SPOKESMAN_EN)


@pytest.mark.parametrize(
    "text",
    [
        SPOKESMAN_EN,
        "The talks had had no result, step by step, day after day.",
        "Kobani, Kobani's countryside and Ain Issa.",
        "They talked and talked.",
    ],
)
def test_no_repetition(text: str) -> None:
    assert repetition(text) is None


# --- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("وصل 130 عنصرا إلى المطار", "130 personnel arrived at the airport"),
        ("وصل ١٣٠ عنصرا إلى المطار", "130 personnel arrived at the airport"),  # Arabic-Indic
        ("وصل ۱۳۰ عنصرا", "130 personnel arrived"),  # Persian digits
        ("قتل 1.500 شخص", "1,500 people were killed"),  # dot as thousands separator
        ("قتل 1.500 شخص", "1.5 thousand people were killed"),
        ("نما الاقتصاد بنسبة 3.5 في المئة", "the economy grew by 3.5 percent"),
        ("نما الاقتصاد بنسبة ٣٫٥ في المئة", "the economy grew by 3.5 percent"),  # ٫ separator
        ("بلغت الخسائر 1.5 مليون دولار", "losses reached $1.5 million"),
        ("بلغت الخسائر 1.5 مليون دولار", "losses reached $1,500,000"),
        ("في 6/7/2022 وصلت التعزيزات", "on July 6, 2022 the reinforcements arrived"),
        ("أمس الأربعاء 6 تموز/يوليو", "on Wednesday, July 6"),
        ("تضم 5 شاحنات و7 عربات", "five trucks and seven vehicles"),
        ("وصل 550 جنديا", "five hundred and fifty soldiers arrived"),
        ("وصل خمسة جنود", "5 soldiers arrived"),  # spelled out in the Arabic
        ("توسيع تفاهمات عام 2019", "expanding the 2019 understandings"),
        ("تعزيز 10 نقاط عسكرية و10 أخرى", "reinforcing 10 military posts and 10 more"),
        ("وصل الجنود", "The soldiers arrived"),
    ],
)
def test_numbers_that_match(source: str, target: str) -> None:
    assert number_mismatch(source, target) == ([], [])
    assert "numbers" not in codes(source, target)


@pytest.mark.parametrize(
    ("source", "target", "missing", "extra"),
    [
        ("وصل 130 عنصرا إلى المطار", "13 personnel arrived at the airport", ["130"], ["13"]),
        ("وصل ١٣٠ عنصرا", "Personnel arrived", ["١٣٠"], []),
        ("تضم 5 شاحنات", "four trucks", ["5"], []),
        ("توسيع تفاهمات عام 2019", "expanding the 2018 understandings", ["2019"], ["2018"]),
        ("وصل الجنود", "550 soldiers arrived", [], ["550"]),
        ("قتل 1.500 شخص", "15,000 people were killed", ["1.500"], ["15,000"]),
        ("في 6/7/2022", "on July 6, 2021", ["2022"], ["2021"]),
    ],
)
def test_numbers_that_do_not_match(
    source: str, target: str, missing: list[str], extra: list[str]
) -> None:
    assert number_mismatch(source, target) == (missing, extra)
    seg = Segment(id="x", source=source, target=target)
    (flag,) = [f for f in check(seg) if f.code == "numbers"]
    for figure in missing + extra:
        assert figure in flag.message


# --- glossary terms ------------------------------------------------------------------------


def _annotated(source: str, target: str, glossary: Glossary) -> Segment:
    doc = Document(id="d", paragraphs=[[Segment(id="d:1:0", source=source, target=target)]])
    annotate(doc, glossary)
    return doc.paragraphs[0][0]


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary(GLOSSARY)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("وقالت قسد إن حزب الله لم يرد", "The SDF said Hezbollah did not respond", []),
        (
            "وقالت قسد إن حزب الله لم يرد",
            "The SDF said Hizbollah did not respond",
            ["term-missing", "avoid"],
        ),
        (
            "وقالت قسد إن حزب الله لم يرد",
            "The QSD said Hezbollah did not respond",
            ["term-missing", "avoid"],
        ),
        ("وصلت التعزيزات إلى عين العرب", "Reinforcements reached Kobani", []),
        (
            "وصلت التعزيزات إلى عين العرب",
            "Reinforcements reached Kobane",
            ["term-missing", "avoid"],
        ),
        ("وصلت التعزيزات إلى عين العرب", "Reinforcements reached the town", ["term-missing"]),
    ],
)
def test_glossary_terms_and_avoided_renderings(
    glossary: Glossary, source: str, target: str, expected: list[str]
) -> None:
    seg = _annotated(source, target, glossary)
    assert [f.code for f in check(seg, QAOptions(glossary=glossary))] == expected


def test_avoid_needs_the_glossary_and_names_the_fix(glossary: Glossary) -> None:
    seg = _annotated("وقالت قسد", "Hizballah and the QSD said", glossary)
    assert [f.code for f in check(seg)] == ["term-missing"]  # no glossary: no avoid list
    flags = check(seg, QAOptions(glossary=glossary))
    avoid = next(f for f in flags if f.code == "avoid")
    assert "“QSD”" in avoid.message and "write “SDF”" in avoid.message


def test_an_avoided_form_inside_the_right_rendering_is_fine() -> None:
    entry = Entry(
        ar="قوات سوريا الديمقراطية", en="Syrian Democratic Forces", avoid=("Democratic Forces",)
    )
    glossary = Glossary([entry])
    seg = _annotated(SPOKESMAN, SPOKESMAN_EN, glossary)
    assert check(seg, QAOptions(glossary=glossary)) == []
    seg.target = SPOKESMAN_EN.replace("Syrian Democratic Forces", "Democratic Forces")
    assert [f.code for f in check(seg, QAOptions(glossary=glossary))] == [
        "term-missing",
        "avoid",
    ]


# --- the stage ---------------------------------------------------------------------------------


def test_qa_stage_keeps_other_flags_and_is_idempotent() -> None:
    seg = Segment(id="d:1:0", source=SPOKESMAN, target="", flags=[Flag("reviewer", "checked")])
    doc = Document(id="d", paragraphs=[[seg, Segment(id="d:1:1", source=SPOKESMAN)]])
    qa(doc)
    qa(doc)
    assert [f.code for f in seg.flags] == ["reviewer", "empty"]
    assert summary([doc]) == dict.fromkeys(CODES, 0) | {"empty": 1, "untranslated": 1}
