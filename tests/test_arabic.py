from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate.arabic import arabic_ratio, fold, normalize

NORMALIZE = [
    ("قَالَ المتحدثُ", "قال المتحدث"),  # tashkeel removed
    ("الــرقـــة", "الرقة"),  # tatweel removed
    ("«قسد»", '"قسد"'),
    ("“قسد”", '"قسد"'),
    ("وصل ١٣٠ عنصرا", "وصل 130 عنصرا"),  # Arabic-Indic digits
    ("۱۲ کیلومتر", "12 كيلومتر"),  # Persian digits and kaf
    ("فی ایران", "في ايران"),  # Persian yeh; alef-hamza untouched by normalize
    ("نعم\u200f \u200bلا", "نعم لا"),  # RLM to space, ZWSP removed
    ("  كثير   من\t\tالمسافات  ", "كثير من المسافات"),
    ("انتظر…", "انتظر..."),
    ("إلى أين؟", "إلى أين؟"),  # letter variants are NOT folded for the model
    ("مدرسة", "مدرسة"),
    ("صه\ufffdريج", "صهريج"),  # where ingest met undecodable bytes: nothing for the model
    ("قال:\u00a0«نعم»\u202b", 'قال: "نعم"'),  # no-break space, bidi embedding
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZE)
def test_normalize_for_the_model(text: str, expected: str) -> None:
    assert normalize(text).text == expected


FOLD = [
    ("إلى", "الي"),
    ("أحمد", "احمد"),
    ("آرام", "ارام"),
    ("الرقة", "الرقه"),
    ("مصطفى", "مصطفي"),
    ("SDF", "sdf"),
]


@pytest.mark.parametrize(("text", "expected"), FOLD)
def test_fold_for_matching(text: str, expected: str) -> None:
    assert fold(text).text == expected


def test_offsets_map_back_to_the_text_as_written() -> None:
    text = "وصلت إلى الرَّقَّة  أمس"
    folded = fold(text)
    start = folded.text.index("الرقه")
    s, e = folded.span(start, start + len("الرقه"))
    assert text[s:e] == "الرَّقَّة"


@given(
    st.text(
        alphabet=st.sampled_from(list("ابتثجحخدذرسشصضطظعغفقكلمنهويءأإآىة ًٌٍَُِّْـ\u200f\u200b «»،.١٢"))
    )
)
def test_offsets_are_monotonic_and_in_range(text: str) -> None:
    for norm in (normalize(text), fold(text)):
        assert len(norm.offsets) == len(norm.text) + 1
        assert list(norm.offsets) == sorted(norm.offsets)
        assert all(0 <= o <= len(text) for o in norm.offsets)


def test_arabic_ratio() -> None:
    assert arabic_ratio("قسد SDF") == pytest.approx(0.5)
    assert arabic_ratio("1234 !!") == 0.0


ARABIC_TEXT = st.text(
    alphabet=st.sampled_from(
        list("ابتثجحخدذرسشصضطظعغفقكلمنهويءأإآىةکی ًٌٍَُِّْـ\u200f\u200b\u00a0 «»“”،.…١٢۳٤")
    )
)


@given(ARABIC_TEXT)
def test_normalization_is_idempotent_and_keeps_letter_variants(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once
    # Only matching folds letter variants: what the model sees keeps every أ إ آ ى ة.
    for letter in "أإآىة":
        assert once.count(letter) == text.count(letter)
    assert fold(once).text == fold(text).text
