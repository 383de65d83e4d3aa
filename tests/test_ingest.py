from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from translate.boilerplate import RULES, Rule
from translate.cli import app
from translate.document import Meta
from translate.errors import InputError, UsageError
from translate.ingest import (
    MAX_BYTES,
    IngestOptions,
    clean,
    decode,
    html_lines,
    ingest,
    trace,
)
from translate.pipeline import prepare

from .conftest import CORPUS, DATA, REFERENCES

BALADI = CORPUS / "baladi-sdf-regime-heavy-weapons.txt"
THIQA = CORPUS / "thiqa-regime-reinforcements-kobani.txt"
PAGES = DATA / "pages"
# Each page has a hand-written expectation beside it: <page>.json.
EXPECTED = sorted(PAGES.glob("*.json"))
runner = CliRunner()


def _page(expected: Path) -> Path:
    (page,) = [p for p in PAGES.glob(expected.stem + ".*") if p.suffix != ".json"]
    return page


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


def test_there_are_pages_of_five_outlets_in_every_required_form() -> None:
    pages = [_page(e) for e in EXPECTED]
    assert len(pages) >= 5
    encodings = {json.loads(e.read_text(encoding="utf-8"))["encoding"] for e in EXPECTED}
    assert {"utf-8", "windows-1256", "utf-16"} <= encodings
    assert any(p.suffix == ".html" for p in pages)


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.stem)
def test_scraped_pages_yield_exactly_their_hand_written_expectation(expected: Path) -> None:
    want: dict[str, Any] = json.loads(expected.read_text(encoding="utf-8"))
    (doc,) = prepare([_page(expected)])
    assert doc.meta.encoding == want["encoding"]
    assert doc.title is not None and doc.title.source == want["title"]
    assert {key: getattr(doc.meta, key) for key in want["meta"]} == want["meta"]
    assert [[s.source for s in p] for p in doc.paragraphs] == want["paragraphs"]
    assert [[r.line, r.reason, r.text] for r in doc.removed] == want["removed"]


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.stem)
def test_every_line_of_a_page_is_kept_or_accounted_for(expected: Path) -> None:
    page = _page(expected)
    (item,) = trace([page])
    doc = item.doc
    text = decode(page.read_bytes(), str(page)).text
    if page.suffix == ".html":
        lines = html_lines(text)
    else:
        lines = [(n, ln.strip()) for n, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    kept = dict(zip(item.lines, (p[0].source for p in doc.paragraphs), strict=True))
    removed = {(r.line, r.text) for r in doc.removed}
    for n, line in lines:
        assert kept.get(n) == line or (n, line) in removed or n == item.title_line, (n, line)


def test_stdin_through_the_command_line() -> None:
    page = PAGES / "sana-hama-bakeries.txt"
    result = runner.invoke(app, ["ingest", "-", "--json"], input=page.read_bytes())
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["id"] == "stdin"
    assert doc["meta"]["source_path"] == "<stdin>"
    assert doc["title"]["source"] == "افتتاح ثلاثة أفران آلية جديدة في ريف حماة الشمالي"
    assert [len(p) for p in doc["paragraphs"]] == [1, 2, 1, 1]


def test_stdin_with_only_a_title_is_an_error_not_an_empty_document() -> None:
    result = runner.invoke(app, ["ingest", "-", "--json"], input="قال المتحدث إنه وصل".encode())
    assert result.exit_code == 2
    assert result.stderr.startswith("tarjama: error: <stdin>: no article text after the title")
    assert "tarjama ingest --explain -" in result.stderr


PASTED = (
    "قال المتحدث باسم قوات سوريا الديمقراطية إن القوات سيطرت على القرية بعد اشتباكات عنيفة. "
    "وأضاف أن الاشتباكات أسفرت عن مقتل خمسة عناصر."
)


def test_a_paragraph_pasted_on_stdin_is_the_article() -> None:
    # One line of two sentences: not a headline, even though it is the only line.
    result = runner.invoke(app, ["ingest", "-", "--json"], input=PASTED.encode())
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["title"] is None
    assert [s["source"] for p in doc["paragraphs"] for s in p] == [
        PASTED.split(". ")[0] + ".",
        PASTED.split(". ")[1],
    ]


def test_an_article_without_its_title_starts_with_its_first_paragraph(tmp_path: Path) -> None:
    # A first line far longer than any headline is body text: nothing is lost to the title.
    first = " ".join([PASTED] * 4)
    path = tmp_path / "untitled.txt"
    path.write_text(f"{first}\n\n{PASTED}\n", encoding="utf-8")
    (doc,) = prepare([path])
    assert doc.title is None and doc.meta.title == ""
    assert [len(p) for p in doc.paragraphs] == [8, 2]
    assert not doc.removed


def test_explain_shows_the_lines_of_a_file_it_then_refuses(tmp_path: Path) -> None:
    path = tmp_path / "menu.txt"
    path.write_text("الرئيسية\nأخبار\nرياضة\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(path), "--explain"])
    assert result.exit_code == 2
    assert "  line    3  removed (menu): رياضة" in result.stdout.splitlines()
    assert result.stderr.startswith(f"tarjama: error: {path}: no article text left")


def test_explain_shows_every_line_in_order() -> None:
    page = PAGES / "enab-baladi-daraa-water.txt"
    result = runner.invoke(app, ["ingest", str(page), "--explain"])
    assert result.exit_code == 0, result.output
    rows = [ln for ln in result.stdout.splitlines() if ln.startswith("  line")]
    assert [int(r.split()[1]) for r in rows] == sorted(int(r.split()[1]) for r in rows)
    assert rows[0] == "  line    1  removed (menu): الرئيسية"
    assert rows[5].startswith("  line    6  title: انقطاع المياه")
    assert rows[10] == (
        "  line   11  → enab-baladi-daraa-water:2:1  وقال أحد السكان لعنب بلدي، إن العائلات "
        "تشتري صهريج المياه بسعر 75 ألف ليرة سورية، أي نحو 5.5 دولار أمريكي."
    )
    assert "  byline  حليم محمد" in result.stdout.splitlines()


def _article(body: str, title: str = "عنوان الخبر عن حلب والرقة اليوم") -> str:
    return f"{title}\n\n{body}\n"


def test_link_list_and_footer_signals() -> None:
    text = _article(
        "قال مصدر إن الطريق أغلق. وأضاف أنه سيفتح غداً.\n"
        "مواقف دولية\n"  # a subheading on its own: kept
        "ودعت الأمم المتحدة إلى ضبط النفس.\n"
        "الجيش يقصف ريف إدلب\n"
        "ارتفاع أسعار الخبز في دمشق (صور)\n"
        "انقطاع الكهرباء عن «حي الميدان»\n"
        "وقال شاهد إن القصف استمر ساعة.\n"
        "المرصد السوري\n"
        "أخبار سوريا"
    )
    doc = clean(text, "doc", Meta(), IngestOptions())
    assert [p[0].source for p in doc.paragraphs] == [
        "قال مصدر إن الطريق أغلق. وأضاف أنه سيفتح غداً.",
        "مواقف دولية",
        "ودعت الأمم المتحدة إلى ضبط النفس.",
        "وقال شاهد إن القصف استمر ساعة.",
    ]
    assert [(r.line, r.reason) for r in doc.removed] == [
        (6, "link-list"),
        (7, "link-list"),
        (8, "link-list"),
        (10, "footer"),
        (11, "footer"),
    ]


def test_an_article_without_any_punctuation_is_not_taken_for_a_footer() -> None:
    doc = clean(_article("قال مصدر إن الطريق أغلق اليوم"), "doc", Meta(), IngestOptions())
    assert [p[0].source for p in doc.paragraphs] == ["قال مصدر إن الطريق أغلق اليوم"]


def _outlet_batch(folder: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = folder / f"article-{i}.txt"
        path.write_text(
            f"خبر رقم {i} عن مدينة حلب - شبكة الأخبار\n\n"
            f"قال مصدر إن الحادث رقم {i} وقع صباح اليوم.\n\n"
            "للاشتراك في نشرتنا اليومية أرسل كلمة أخبار إلى الرقم المجاني\n\n"
            # Agencies repeat background paragraphs verbatim: long, so they stay.
            "وتسيطر قوات سوريا الديمقراطية على معظم مناطق شمال شرقي سوريا منذ طرد تنظيم الدولة "
            "منها عام 2019، وتدعمها الولايات المتحدة في إطار التحالف الدولي ضد التنظيم، بينما "
            "تعدّها تركيا امتداداً لحزب العمال الكردستاني المصنف على قوائم الإرهاب لديها.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def test_a_short_line_in_three_articles_of_one_outlet_is_boilerplate(tmp_path: Path) -> None:
    _outlet_batch(tmp_path, 3)
    docs = ingest([tmp_path])
    for i, doc in enumerate(docs):
        assert doc.meta.outlet == "شبكة الأخبار"
        assert len(doc.paragraphs) == 2
        assert doc.paragraphs[0][0].source == f"قال مصدر إن الحادث رقم {i} وقع صباح اليوم."
        assert [(r.line, r.reason) for r in doc.removed] == [(5, "repeated-in-batch")]


def test_a_line_in_two_articles_is_not_enough(tmp_path: Path) -> None:
    _outlet_batch(tmp_path, 2)
    assert all(len(doc.paragraphs) == 3 and not doc.removed for doc in ingest([tmp_path]))


def test_undecodable_bytes_are_replaced_and_recorded(tmp_path: Path) -> None:
    data = (PAGES / "enab-baladi-daraa-water.txt").read_bytes()
    damaged = data.replace("صهريج".encode(), b"\xd8" + "هريج".encode())  # a truncated letter
    path = tmp_path / "damaged.txt"
    path.write_bytes(damaged)
    (doc,) = prepare([path])
    assert doc.meta.encoding == "utf-8"
    assert (11, "undecodable-bytes", "bytes d8 (shown as �)") in [
        (r.line, r.reason, r.text) for r in doc.removed
    ]
    seg = doc.paragraphs[1][0]
    assert "\ufffdهريج" in seg.source and "\ufffd" not in seg.normalized


def test_a_file_of_undecodable_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(bytes(range(128, 256)) * 300)
    with pytest.raises(InputError, match=r"not a text file|binary|no Arabic") as info:
        ingest([path])
    assert str(path) in str(info.value)


def test_a_20_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    with path.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024)  # sparse: 20 MB on paper, nothing read
    with pytest.raises(InputError, match=r"21\.0 MB is too large") as info:
        ingest([path])
    assert "split it into articles first" in str(info.value)


def test_a_large_stdin_is_refused() -> None:
    result = runner.invoke(app, ["ingest", "-", "--json"], input=b"x" * (MAX_BYTES + 10))
    assert result.exit_code == 2
    assert "<stdin>" in result.stderr and "too large" in result.stderr


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, encoding: str) -> None:
    text = (PAGES / "asharq-alawsat-aleppo-airport.txt").read_bytes().decode("utf-16")
    path = tmp_path / "asharq.txt"
    path.write_bytes(text.encode(encoding))
    (doc,) = prepare([path])
    assert doc.meta.encoding == encoding.replace("-le", "le").replace("-be", "be")
    assert doc.title is not None and doc.title.source.startswith("استئناف الرحلات")


def test_xhtml_with_an_encoding_declaration(tmp_path: Path) -> None:
    page = (PAGES / "syria-tv-idlib-schools.html").read_text(encoding="utf-8")
    path = tmp_path / "page.html"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>' + page.removeprefix("<!DOCTYPE html>"),
        encoding="utf-8",
    )
    (doc,) = prepare([path])
    assert len(doc.paragraphs) == 4
    assert (doc.removed[0].line, doc.removed[0].reason) == (16, "outside-main-content")


# Lines the rules must recognise, and sentences of articles that they must leave alone.
RULE_CASES = [
    ("اقرأ أيضاً: الأمم المتحدة تحذر من المجاعة", "read-also"),
    ("اقرأ أيضًا", "read-also"),
    ("إقرأ ايضا:", "read-also"),
    ("تابعونا على تلغرام", "follow-us"),
    ("انضم إلى قناتنا على واتساب", "follow-us"),
    ("تابع الجزيرة نت على:", "follow-us"),
    ("شارك الخبر عبر:", "share"),
    ("Facebook Twitter WhatsApp", "share"),
    ("كلمات مفتاحية: درعا، الرقة", "tags"),
    ("© جميع الحقوق محفوظة", "copyright"),
    ("نستخدم الكوكيز لتحسين تجربتك", "cookie-notice"),
    ("نُشر في ١٢ آذار ٢٠٢٤", "date"),
    ("الأربعاء، 6 تموز/يوليو 2022", "date"),
    ("آخر تحديث: 12/3/2024 10:30", "date"),
    ("منذ ساعتين", "relative-date"),
    ("بقلم: سمير العيطة", "byline"),
    ("www.enabbaladi.net", "url"),
    ("ز.ع", "initials"),
    ("...", "punctuation-only"),
    ("شارك آلاف السوريين في المظاهرات.", None),
    ("شارك آلاف السوريين في المظاهرات على الحدود", None),
    ("تابع المحتجون طريقهم إلى الساحة", None),
    ("انضم عشرات المقاتلين إلى صفوف الجيش", None),
    ("نشر الجيش 3 آلاف جندي في المنطقة", None),
    ("كتب المتظاهرون على اللافتات شعارات ضد الحرب", None),
    ("قال: «نعم»", None),
    ("دمشق: «الحكومة تدرس الاقتراح»", None),
]


@pytest.mark.parametrize(("line", "reason"), RULE_CASES)
def test_rules_recognise_boilerplate_and_leave_sentences_alone(
    line: str, reason: str | None
) -> None:
    from translate.arabic import normalize

    rule = next(
        (r for r in RULES if r.scope == "anywhere" and r.matches(normalize(line).text)), None
    )
    assert (rule.reason if rule else None) == reason


def test_bad_options_and_rules_are_reported() -> None:
    with pytest.raises(UsageError, match="unknown action 'delete'"):
        Rule("x", "a", "delete")
    with pytest.raises(UsageError, match="invalid pattern"):
        Rule("x", "(")
    with pytest.raises(UsageError, match="min_arabic_ratio"):
        IngestOptions(min_arabic_ratio=2)


def test_an_outlet_rule_passed_in_options() -> None:
    rule = Rule("dateline", r"(?P<value>نورث برس)\s*[-–]\s*\S+", "outlet")
    text = _article("نورث برس - القامشلي\nقال مصدر إن الطريق أغلق.")
    doc = clean(text, "doc", Meta(), IngestOptions(rules=(rule, *RULES)))
    assert doc.meta.outlet == "نورث برس"
    assert [(r.line, r.reason) for r in doc.removed] == [(3, "dateline")]
