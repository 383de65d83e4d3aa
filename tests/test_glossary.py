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
        ("ar\ten\nحلب\tAleppo\nحمص,Homs\n", r":3: expected 2 columns \(ar, en\); got 1"),
    ],
    ids=[
        "empty",
        "no-header",
        "commas-in-tsv",
        "too-many-cells",
        "empty-cell",
        "no-arabic",
        "unknown-column",
        "mixed-tabs-and-commas",
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


# -- lint -----------------------------------------------------------------------------------


def _lint(tmp_path: Path, content: str) -> list[str]:
    from translate.glossary.lint import lint

    path = tmp_path / "g.tsv"
    path.write_text(content, encoding="utf-8")
    return [str(p) for p in lint([path])]


def test_lint_reports_conflicts_duplicates_containment_and_dead_entries(tmp_path: Path) -> None:
    problems = _lint(
        tmp_path,
        "ar\ten\taliases\tavoid\n"
        "عين العرب\tKobani\tكوباني\tKobane\n"  # 2
        "كوباني\tKobane\t\t\n"  # 3: conflicts with line 2's alias
        "منبج\tManbij\t\t\n"  # 4
        "مجلس منبج العسكري\tManbij Military Council\t\t\n"  # 5
        "إدلب\tIdlib\t\t\n"  # 6
        "ادلب\tIdlib\t\t\n"  # 7: same after folding
        "و\tand\t\t\n"  # 8: can never match
        "الباب\tal-Bab\t\tBab\n",  # 9: avoid inside the rendering
    )
    g = str(tmp_path / "g.tsv")
    assert any(p.startswith(f"{g}:3: error: 'كوباني' is also at {g}:2") for p in problems)
    assert any(p.startswith(f"{g}:7: warning: 'ادلب' duplicates {g}:6") for p in problems)
    assert any(
        p.startswith(f"{g}:4: note: 'منبج' (Manbij) is inside 'مجلس منبج العسكري'")
        for p in problems
    )
    assert any(p.startswith(f"{g}:8: error: 'و' can never match") for p in problems)
    assert any(p.startswith(f"{g}:9: warning: avoid rendering 'Bab'") for p in problems)


def test_lint_of_the_bundled_glossary_finds_no_errors() -> None:
    from translate.glossary.lint import lint

    assert [str(p) for p in lint([GLOSSARY]) if p.severity == "error"] == []


def test_lint_command_exit_codes(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from translate.cli import app

    bad = tmp_path / "bad.tsv"
    bad.write_text("ar\ten\nحلب\tAleppo\nحلب\tHalab\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["glossary", "lint", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: error:" in result.stdout
    good = CliRunner().invoke(app, ["glossary", "lint", str(GLOSSARY)])
    assert good.exit_code == 0, good.output


def test_lint_with_a_model_reports_english_it_cannot_write(
    tmp_path: Path, model_without_v_and_q: Path, tiny_model: Path
) -> None:
    from typer.testing import CliRunner

    from translate.cli import app
    from translate.glossary.lint import lint

    path = tmp_path / "g.tsv"
    path.write_text(
        "ar\ten\nتلفزيون سوريا\tSyria TV\nحلب\tAleppo\nالقامشلي\tQamishli\n", encoding="utf-8"
    )
    assert lint([path]) == []  # without a model, nothing to say
    problems = [str(p) for p in lint([path], model_dir=model_without_v_and_q)]
    assert problems == [
        f"{path}:2: error: 'Syria TV': the model cannot write \"V\", so this term will be "
        "reported missed wherever it occurs; write the English with characters the model "
        "knows, or use a model whose vocabulary has them",
        f"{path}:4: error: 'Qamishli': the model cannot write \"Q\", so this term will be "
        "reported missed wherever it occurs; write the English with characters the model "
        "knows, or use a model whose vocabulary has them",
    ]
    result = CliRunner().invoke(
        app, ["glossary", "lint", str(path), "--model", str(model_without_v_and_q)]
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines() == problems
    assert result.stderr.strip() == "2 errors, 0 warnings, 0 notes"
    # The bundled glossary and the model trained on it: nothing the model cannot write.
    good = CliRunner().invoke(app, ["glossary", "lint", str(GLOSSARY), "-m", str(tiny_model)])
    assert good.exit_code == 0, good.output
    assert "cannot write" not in good.stdout
    # A folder that is no model: one line, the model error's exit code.
    bad = CliRunner().invoke(app, ["glossary", "lint", str(path), "-m", str(tmp_path)])
    assert bad.exit_code == 3
    assert bad.stderr.startswith(f"tarjama: error: {tmp_path}: not a model directory")


# -- TBX ------------------------------------------------------------------------------------

TBX3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
 <tbxHeader><fileDesc><sourceDesc><p>newsroom</p></sourceDesc></fileDesc></tbxHeader>
 <text><body>
  <conceptEntry id="c1">
   <descrip type="subjectField">place</descrip>
   <langSec xml:lang="ar"><termSec><term>عين العرب</term></termSec>
                          <termSec><term>كوباني</term></termSec></langSec>
   <langSec xml:lang="en"><termSec><term>Kobani</term></termSec>
    <termSec><term>Kobane</term>
     <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec></langSec>
  </conceptEntry>
 </body></text>
</tbx>
"""

TBX2 = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><text><body>
 <termEntry id="t1">
  <langSet xml:lang="ar"><tig><term>قسد</term></tig></langSet>
  <langSet xml:lang="en"><tig><term>SDF</term></tig></langSet>
 </termEntry>
</body></text></martif>
"""


@pytest.mark.parametrize("content", [TBX3, TBX2], ids=["tbx3", "tbx2"])
def test_tbx_glossaries_load(tmp_path: Path, content: str) -> None:
    path = tmp_path / "terms.tbx"
    path.write_text(content, encoding="utf-8")
    glossary = load(path)
    if content is TBX3:
        (entry,) = glossary.entries
        assert (entry.ar, entry.en, entry.aliases, entry.avoid) == (
            "عين العرب",
            "Kobani",
            ("كوباني",),
            ("Kobane",),
        )
        assert [t.en for t in glossary.match("في كوباني وعين العرب")] == ["Kobani", "Kobani"]
    else:
        assert [t.en for t in glossary.match("قالت قسد")] == ["SDF"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ar\ten\n", r":1: not well-formed XML"),
        ("<html><body/></html>", r":1: not a TBX file"),
        (
            TBX2.replace('<langSet xml:lang="en"><tig><term>SDF</term></tig></langSet>', ""),
            r":3: concept t1 has no English",
        ),
    ],
    ids=["not-xml", "not-tbx", "no-english"],
)
def test_bad_tbx_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "terms.tbx"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError, match=message):
        load(path)


def test_matching_set_scores_full_precision_and_recall() -> None:
    from evaluation.glossary.matching import score

    root = GLOSSARY.parent.parent
    result = score(GLOSSARY, root / "evaluation" / "glossary" / "matching.tsv")
    assert result["errors"] == []
    assert result["precision"] == result["recall"] == 100.0
    assert result["sentences"] >= 100


def test_a_glossary_in_another_encoding_is_named_with_the_command_that_converts_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "names.tsv"
    text = "ar\ten\ttype\nمنبج\tManbij\tplace\nالرقة\tRaqqa\tplace\nحلب\tAleppo\tplace\n"
    path.write_bytes(text.encode("cp1256"))  # an Arabic Windows spreadsheet's "text" export
    with pytest.raises(GlossaryError) as err:
        load([path])
    message = str(err.value)
    assert message.startswith(f"{path}: not UTF-8, byte ")
    assert "iconv -f" in message and "-t UTF-8" in message and "\n" not in message
    # UTF-16 with its BOM (the other spreadsheet export) is read as it is
    path.write_bytes(text.encode("utf-16"))
    assert [e.en for e in load([path]).entries] == ["Manbij", "Raqqa", "Aleppo"]
