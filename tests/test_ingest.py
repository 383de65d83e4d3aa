from __future__ import annotations

import csv
from pathlib import Path

import pytest

from translate.errors import InputError
from translate.ingest import ingest
from translate.pipeline import prepare

from .conftest import CORPUS, REFERENCES

BALADI = CORPUS / "baladi-sdf-regime-heavy-weapons.txt"
THIQA = CORPUS / "thiqa-regime-reinforcements-kobani.txt"


def _reference_sentences(doc_id: str) -> list[str]:
    with (REFERENCES / f"{doc_id}.tsv").open(encoding="utf-8") as fh:
        return [row[0] for row in list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]]


@pytest.mark.parametrize("path", [BALADI, THIQA], ids=lambda p: p.stem)
def test_seed_articles_yield_exactly_their_sentences(path: Path) -> None:
    # The reference files list, by hand, the title then every body sentence of each article.
    (doc,) = prepare([path])
    assert doc.title is not None
    assert [s.source for s in doc.segments()] == _reference_sentences(path.stem)


def test_baladi_title_site_outlet_and_removed_lines() -> None:
    (doc,) = prepare([BALADI])
    assert doc.id == "baladi-sdf-regime-heavy-weapons"
    assert doc.title is not None
    assert doc.title.source == 'اتفاق بين "قسد" والنظام على إرسال آليات ثقيلة إلى حلب والرقة'
    assert doc.meta.title.endswith(" - It's Over 9000!")
    assert doc.meta.site == "It's Over 9000!"
    assert doc.meta.outlet == "بلدي نيوز"
    assert doc.meta.encoding == "utf-8"
    removed = [(r.line, r.reason, r.text) for r in doc.removed]
    assert removed == [
        (3, "repeated-title", doc.title.source),
        (6, "outlet", "بلدي نيوز - (خاص)"),
        (20, "related-articles", "مقالات ذات صلة"),
        (22, "related-articles", "مصر تدعو إلى حشد الدعم الإقليمي والدولي لسوريا"),
        (
            24,
            "related-articles",
            "مظلوم عبدي ينفي مطالبة قواته بحكومة فدرالية ويؤكد سعيه للتواصل مع الحكومة الجديدة",
        ),
        (26, "related-articles", "جنبلاط يلتقي الشرع في دمشق"),
        (28, "related-articles", "الشرع وفيدان يناقشان تعزيز العلاقات بين سوريا وتركيا"),
        (30, "related-articles", "توغل جديد للقوات الإسرائيلية في محافظة القنيطرة"),
        (
            32,
            "related-articles",
            "من عائلة واحدة.. وفاة طفل وإصابة ستة آخرين بانفجار مخلفات الحرب في درعا",
        ),
        (34, "related-articles", "//"),
    ]
    assert [len(p) for p in doc.paragraphs] == [1, 1, 1, 2, 1, 2]


def test_thiqa_ticker_title_outlet_and_footer() -> None:
    (doc,) = prepare([THIQA])
    assert doc.title is not None
    assert doc.title.source == "نظام الأسد يُرسل تعزيزات إلى عين العرب لمساندة “قسد”"
    assert doc.meta.outlet == "وكالة ثقة"
    reasons = [(r.line, r.reason) for r in doc.removed]
    assert reasons == [(1, "ticker"), (5, "repeated-title"), (7, "outlet"), (31, "back-to-top")]
    assert doc.removed[0].text.startswith("“قسد” تُعلق عملياتها العسكرية مع التحالف الدولي")
    assert len(doc.paragraphs) == 11


def test_every_input_line_is_kept_or_accounted_for() -> None:
    for path in (BALADI, THIQA):
        (doc,) = prepare([path])
        lines = [
            line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
        kept = {"".join(s.source + s.space_after for s in p) for p in doc.paragraphs}
        removed = {r.text for r in doc.removed}
        title = doc.meta.title
        assert all(line in kept or line in removed or line == title for line in lines)


@pytest.mark.parametrize("encoding", ["cp1256", "utf-16", "utf-8-sig"])
def test_common_arabic_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    text = THIQA.read_text(encoding="utf-8")
    # Windows-1256 has no curly quotes' Arabic neighbours problem, but lacks some characters.
    if encoding == "cp1256":
        text = text.replace("–", "-")
    path = tmp_path / "article.txt"
    path.write_bytes(text.encode(encoding))
    (doc,) = prepare([path])
    (reference,) = prepare([THIQA])
    assert [s.source for s in doc.segments()] == [
        s.source.replace("–", "-") if encoding == "cp1256" else s.source
        for s in reference.segments()
    ]
    assert doc.meta.encoding.replace("_", "-").lower() in {encoding, "windows-1256"}


def test_html_goes_through_main_content_extraction(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    body = "".join(
        f"<p>{line}</p>" for line in THIQA.read_text(encoding="utf-8").splitlines()[8:14] if line
    )
    page.write_text(
        "<!DOCTYPE html><html lang='ar'><head><title>"
        "نظام الأسد يُرسل تعزيزات إلى عين العرب - وكالة ثقة</title></head><body>"
        "<nav><a href='/'>الرئيسية</a> <a href='/news'>أخبار</a></nav>"
        f"<article><h1>نظام الأسد يُرسل تعزيزات إلى عين العرب</h1>{body}</article>"
        "<footer>جميع الحقوق محفوظة © 2022</footer></body></html>",
        encoding="utf-8",
    )
    (doc,) = prepare([page])
    assert doc.title is not None and doc.title.source == "نظام الأسد يُرسل تعزيزات إلى عين العرب"
    text = " ".join(s.source for s in doc.segments())
    assert "التعزيزات العسكرية دخلت مساء أمس الأحد" in text
    assert "الرئيسية" not in text and "الحقوق" not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n  \t ", "empty"),
        (bytes(range(256)) * 40, "not a text file|binary"),
        (b"Just an English article. Nothing Arabic here.\n\nSecond paragraph here.", "no Arabic"),
    ],
    ids=["empty", "whitespace", "binary", "no-arabic"],
)
def test_bad_files_give_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        ingest([path])
    assert str(path) in str(info.value)


def test_missing_input_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        ingest([tmp_path / "nope"])
    with pytest.raises(InputError, match=r"no \.txt or \.html files"):
        ingest([tmp_path])


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_bytes(("قال المتحدث إن النظام وافق. " * 400_000).encode())
    with pytest.raises(InputError, match="too large"):
        ingest([path])


def test_ids_are_unique_across_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "same name!.txt").write_bytes(THIQA.read_bytes())
    docs = ingest([tmp_path])
    assert [d.id for d in docs] == ["same-name", "same-name-2"]
