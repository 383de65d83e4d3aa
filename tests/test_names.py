"""Names the glossary lacks: candidate finding, ``tarjama glossary suggest``, consistency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from translate.arabic import normalize
from translate.cli import app
from translate.document import Document, Segment
from translate.glossary import Glossary, load
from translate.names import english_names, find_candidates

from .conftest import CORPUS, GLOSSARY

runner = CliRunner()


def _docs(*articles: list[str], targets: list[list[str]] | None = None) -> list[Document]:
    docs = []
    for n, sentences in enumerate(articles, 1):
        doc = Document(id=f"d{n}", paragraphs=[[]])
        for k, text in enumerate(sentences, 1):
            seg = Segment(id=f"d{n}:1:{k}", source=text, normalized=normalize(text).text)
            if targets is not None:
                seg.target = targets[n - 1][k - 1]
            doc.paragraphs[0].append(seg)
        docs.append(doc)
    return docs


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load(GLOSSARY)


def _found(text: str, glossary: Glossary) -> dict[str, str]:
    return {c.surface: c.type for c in find_candidates(_docs([text]), glossary)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a title, the office words after it, then the name
        ("وقال وزير الدفاع التركي يشار غولر إن العملية مستمرة.", {"يشار غولر": "person"}),
        ("وقال الناشط الإعلامي عمر أبو ليلى إن القصف عنيف.", {"عمر أبو ليلى": "person"}),
        # the name in quotation marks after the body he speaks for
        (
            'قال المتحدث باسم الفرقة الرابعة "سامر يوسف" إن الهجوم صُدّ.',
            {"سامر يوسف": "person"},
        ),
        # place words, lists, a parenthesised alias
        ("وسقطت قذائف على قرية الطيانة وبلدة ذيبان.", {"الطيانة": "place", "ذيبان": "place"}),
        ("وتمركزت القوات في مدن الشحيل والبصيرة وذيبان.", {"الشحيل": "place", "ذيبان": "place"}),
        ("ووصلت إلى ريف مدينة المركدة (المركادة) أمس.", {"المركدة": "place", "المركادة": "place"}),
        # facilities and organisations keep their head word, as the glossary writes them
        ("وعبرت الشاحنات معبر جوسية الحدودي.", {"معبر جوسية": "facility"}),
        ("وقاتل عناصر مجلس هجين العسكري في البلدة.", {"مجلس هجين العسكري": "organisation"}),
        # outlets, and a body in quotation marks after a reporting verb
        ('ونقلت شبكة "فرات بوست" عن الأهالي أن القصف توقف.', {"فرات بوست": "outlet"}),
        ('وأعلنت "سرايا أنصار السنة" مسؤوليتها عن الهجوم.', {"سرايا أنصار السنة": "organisation"}),
        # clitics: و ب ل in front of the trigger or the name
        ("وبريف بلدة معدان سقطت قذيفة.", {"معدان": "place"}),
    ],
)
def test_candidates_by_signal(text: str, expected: dict[str, str], glossary: Glossary) -> None:
    found = _found(text, glossary)
    for name, kind in expected.items():
        assert found.get(name) == kind, found


@pytest.mark.parametrize(
    "text",
    [
        "وشهدت مدينة كبيرة في المنطقة حالة من التوتر.",  # a place word, then an adjective
        "ويقع حي سكني قرب المكان المستهدف.",
        "وأكد الرئيس الجديد للمجلس المحلي أن الوضع مستقر.",  # a title, then common words
        "وقال مدير المستشفى إن الجرحى في حالة مستقرة.",
        "وقال مدير المستشفى الوطني في درعا إن المستشفى استقبل ثلاث إصابات.",
        "وقال الدفاع المدني السوري إن فرقه انتشلت جثتين.",  # فرقه (his teams) is no فرقة
        'وأوعزت بإعداد ما سمّتها "خطة طوارئ لمواجهة التهديدات والتحديات".',  # speech, not a name
        "وأضاف أن الحملة على حلب والرقة مستمرة.",  # names the glossary knows
    ],
)
def test_traps_give_no_candidate(text: str, glossary: Glossary) -> None:
    assert _found(text, glossary) == {}


def test_on_is_not_ali(glossary: Glossary) -> None:
    # على folds like علي; it is a preposition, not a given name
    assert _found("وافق النظام على إرسال تعزيزات إلى الحدود.", glossary) == {}


def test_occurrences_counts_contexts_and_renderings(glossary: Glossary) -> None:
    docs = _docs(
        [
            "قال المتحدث باسم مجلس هجين العسكري فرهاد الشامي إن الهجوم صُدّ.",
            "وأضاف الشامي أن وفرهاد الشامي لم يصب.",
        ],
        ["وكان فرهاد الشامي في بلدة الطيانة."],
        targets=[
            [
                "The spokesman of the Hajin Military Council, Farhad al-Shami, said it failed.",
                "Al-Shami added that Farhad Shami was not hurt.",
            ],
            ["Farhad al-Shami was in the town of Tayana."],
        ],
    )
    by_name = {c.surface: c for c in find_candidates(docs, glossary)}
    person = by_name["فرهاد الشامي"]
    assert person.type == "person"
    assert person.count == 3 and person.documents == 2  # وفرهاد: the clitic is read off
    assert person.signals["title"] == 1 and person.signals["repeated"] == 2
    assert [o.segment for o in person.occurrences] == ["d1:1:1", "d1:1:2", "d2:1:1"]
    first = person.occurrences[0]
    assert first.sentence[first.start : first.end] == "فرهاد الشامي"
    assert dict(person.renderings) == {"Farhad al-Shami": 2, "Farhad Shami": 1}
    # the family name alone, in the article that names him in full
    assert by_name["الشامي"].count == 1
    assert by_name["مجلس هجين العسكري"].renderings == [("Hajin Military Council", 1)]
    assert by_name["الطيانة"].renderings == [("Tayana", 1)]
    ranked = find_candidates(docs, glossary)
    assert ranked[0].surface == "فرهاد الشامي"
    assert [c.surface for c in find_candidates(docs, glossary, _min(2))] == ["فرهاد الشامي"]


def _min(n: int) -> Any:
    from translate.names import SuggestOptions

    return SuggestOptions(min_count=n)


def test_english_names_leave_out_glossary_terms_and_sentence_starts() -> None:
    text = "The SDF said on Monday that Aram Hanna met Farhad Shami in Raqqa."
    assert [r[2] for r in english_names(text, ["SDF", "Raqqa"])] == [
        "Aram Hanna",
        "Farhad Shami",
    ]


# --- tarjama glossary suggest on the bundled corpus ----------------------------------------

#: The seed articles' people, places and groups, as the bundled glossary writes them: candidate
#: finding must find them all back with the glossary rows removed. القامشلي and دمشق stand after
#: a bare preposition (إلى القامشلي، ودمشق), where nothing in the Arabic marks them as names;
#: the bundled references write them as they sound (Qamishli, Damascus).
FOUND_BACK = {
    "القامشلي": "place",
    "دمشق": "place",
    "آرام حنا": "person",
    "قسد": "organisation",
    "قوات سوريا الديمقراطية": "armed-group",
    "مجلس منبج العسكري": "organisation",
    "حلب": "place",
    "الرقة": "place",
    "عين عيسى": "place",
    "عين العرب": "place",
    "كوباني": "place",
    "الطبقة": "place",
    "منبج": "place",
    "الباب": "place",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Path:
    from .review_support import corpus_workspace

    return corpus_workspace(tmp_path_factory, tiny_model)


def _without_seed_names(tmp: Path) -> tuple[Path, set[str]]:
    """A copy of the bundled glossary less the rows of the seed articles' people, places and
    groups; returns it and the Arabic of the rows removed."""
    from translate.pipeline import prepare

    glossary = load(GLOSSARY)
    removed = {
        t.entry
        for doc in prepare([CORPUS])
        for seg in doc.segments()
        for t in glossary.match(seg.source)
        if t.type in ("person", "place", "armed-group")
    }
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.split("\t")[0] not in removed]
    path = tmp / "glossary-less-seeds.tsv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path, removed


@pytest.mark.slow
def test_suggest_finds_the_seed_names_back(corpus: Path, tmp_path: Path) -> None:
    path, removed = _without_seed_names(tmp_path)
    assert {"آرام حنا", "منبج", "قسد", "عين عيسى"} <= removed
    result = runner.invoke(app, ["glossary", "suggest", str(corpus), "--json", "-g", str(path)])
    assert result.exit_code == 0, result.output
    found = {c["surface"]: c for c in json.loads(result.stdout)}
    for name, kind in FOUND_BACK.items():
        assert name in found, (name, sorted(found))
        assert found[name]["type"] == kind, (name, found[name]["type"])
        context = found[name]["contexts"][0]
        assert normalize(context["sentence"][context["start"] : context["end"]]).text == name
        assert context["doc"] in {p.stem for p in CORPUS.glob("*.txt")}
    # the tiny random model's English is garbage, but capitalised garbage is still recorded
    assert any(found[name]["renderings"] for name in FOUND_BACK)
    assert found["قسد"]["count"] == 11 and found["قسد"]["documents"] == 2
    # nothing else: the removed names are all it finds
    assert set(found) <= set(FOUND_BACK) | {"الشامي"}, sorted(set(found) - set(FOUND_BACK))
    # --min-count and the text output
    text = runner.invoke(
        app, ["glossary", "suggest", str(corpus), "--min-count", "4", "-g", str(path)]
    )
    assert text.exit_code == 0, text.output
    rows = [line.split("\t") for line in text.stdout.splitlines() if not line.startswith("\t")]
    assert [r[3] for r in rows] == ["قسد", "عين العرب", "حلب", "قوات سوريا الديمقراطية"]
    assert "names the glossary lacks" in text.stderr


@pytest.mark.slow
def test_suggest_with_the_whole_glossary_finds_nothing_in_the_seeds(corpus: Path) -> None:
    result = runner.invoke(app, ["glossary", "suggest", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_suggest_without_a_workspace_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["glossary", "suggest", str(tmp_path / "none")])
    assert result.exit_code == 4
    assert "tarjama ingest" in result.stderr


# --- one rendering per name per article ---------------------------------------------------


@pytest.fixture(scope="module")
def backend(tiny_model: Path) -> Any:
    """The tiny random-weight Marian model (real tokenizers, real decoding and repair)."""
    from translate.engine import TranslateOptions, load_backend

    return load_backend(TranslateOptions(model=str(tiny_model), num_beams=1, device="cpu"))


@pytest.mark.slow
def test_consistency_gives_later_sentences_the_first_rendering(
    glossary: Glossary, tmp_path: Path, backend: Any
) -> None:
    from translate.engine.consistency import enforce_consistency
    from translate.memory import TranslationMemory

    def docs() -> list[Document]:
        made = _docs(
            [
                "قال المتحدث باسم مجلس هجين العسكري فرهاد الشامي إن الهجوم صُدّ.",
                "وأضاف فرهاد الشامي أن القصف توقف.",
                "وكان فرهاد الشامي في بلدة الطيانة.",
            ],
            targets=[
                [
                    "The spokesman of the Hajin council, Farhad al-Shami, said it failed.",
                    "Farhad Chami added that the shelling stopped.",
                    "Farhad al-Shami was in the town.",
                ]
            ],
        )
        for seg in made[0].segments():
            seg.state = "translated"
        return made

    first = docs()
    with TranslationMemory(tmp_path / "memory.sqlite") as memory:
        stats = enforce_consistency(first, backend, glossary, memory)
    segs = list(first[0].segments())
    assert stats.renderings["d1|فرهاد الشامي"] == "Farhad al-Shami"
    assert "Farhad al-Shami" in (segs[1].target or "")
    assert [(t.en, t.verdict) for t in segs[1].terms] == [("Farhad al-Shami", "consistent")]
    # the third sentence has it already: recorded, not decoded again
    assert [(t.en, t.verdict) for t in segs[2].terms] == [("Farhad al-Shami", "consistent")]
    assert not [t for t in segs[0].terms if t.verdict == "consistent"]
    # only the second sentence lacked the rendering: decoded again, with it as a term
    assert (stats.segments, stats.decoded, stats.memory_hits) == (2, 1, 0)
    assert segs[1].target != "Farhad Chami added that the shelling stopped."
    # a re-run takes the repaired sentence from the memory
    again = docs()
    with TranslationMemory(tmp_path / "memory.sqlite") as memory:
        stats = enforce_consistency(again, backend, glossary, memory)
    assert stats.decoded == 0 and stats.memory_hits == 1
    assert list(again[0].segments())[1].target == segs[1].target


@pytest.mark.slow
def test_consistency_leaves_human_edits_alone(glossary: Glossary, backend: Any) -> None:
    from translate.engine.consistency import enforce_consistency

    made = _docs(
        ["قال المتحدث باسم الفرقة فرهاد الشامي إن الهجوم صُدّ.", "وأضاف فرهاد الشامي أن القصف توقف."],
        targets=[["Farhad al-Shami said it failed.", "Farhad Chami added that it stopped."]],
    )
    segs = list(made[0].segments())
    segs[0].state = "translated"
    segs[1].state = "reviewed"
    stats = enforce_consistency(made, backend, glossary)
    assert segs[1].target == "Farhad Chami added that it stopped."
    assert (stats.segments, stats.decoded) == (0, 0)


def test_the_document_schema_allows_the_consistent_verdict() -> None:
    from translate.document import schema

    verdict = schema()["$defs"]["segment"]["properties"]["terms"]["items"]["properties"]["verdict"]
    assert "consistent" in verdict["enum"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a name ends before a verbal noun, with or without a preposition, and an adverb
        ("وطالب المحامي رامي شلغين بفتح تحقيق في الحادثة.", {"رامي شلغين": "person"}),
        ("وقال رئيس لجنة الإعمار حسن الخلف إن الجسر يربط الحيين.", {"حسن الخلف": "person"}),
        ("وستصل الكهرباء إلى حي الشعار قريبا.", {"الشعار": "place"}),
        # و is not read off a word of the lexicon, nor off a noun with an indefinite adjective
        ("وشهدت مدينة عامودا وقفة احتجاجية للمعلمين.", {}),
        # a settlement's name with its adjective, a toponym with a title, a facility named
        # after a place the glossary knows, a body and the place it sits in
        ("في بلدة الصورة الكبرى بريف السويداء.", {"الصورة الكبرى": "place"}),
        ("في منطقة الشيخ نجار الصناعية.", {"الشيخ نجار": "place"}),
        ("وفي سياق آخر، افتتح مطار القامشلي رحلة جديدة.", {"مطار القامشلي": "facility"}),
        (
            'أعلنت "الإدارة المدنية في الرقة" افتتاح الجسر.',
            {"الإدارة المدنية في الرقة": "organisation"},
        ),
        # a place after a title's office words ends where the person's given name starts
        (
            "وقال رئيس بلدية كفرومة سعيد الخطيب إن البلدة بحاجة إلى مياه.",
            {"كفرومة": "place", "سعيد الخطيب": "person"},
        ),
        (
            "وقال القيادي في لواء الفاتحين أبو خالد الشامي إن الهجوم فشل.",
            {"لواء الفاتحين": "armed-group", "أبو خالد الشامي": "person"},
        ),
        # a future verb, an accusative title, a tanween end a name
        ("وقالت مصادر إن بلدة كناكر ستشهد حملة تلقيح.", {"كناكر": "place"}),
        ("وعين المجلس العميد نزار الحسن قائدا للشرطة.", {"نزار الحسن": "person"}),
        ("وعادت العائلات إلى قرية تل شهاب أخيرًا بعد أشهر.", {"تل شهاب": "place"}),
        # a common word with the article names a neighbourhood; a body's purpose in لل
        ("وسقطت قذيفة على حي الجامعة في المدينة.", {"الجامعة": "place"}),
        (
            "ووزعت جمعية الأمل للتنمية الريفية سلالا على النازحين.",
            {"جمعية الأمل للتنمية الريفية": "organisation"},
        ),
        (
            'وأعلنت "الهيئة السورية للإغاثة" توزيع سلال غذائية.',
            {"الهيئة السورية للإغاثة": "organisation"},
        ),
        # places named by their first word, fused or not; a name set off by commas
        (
            "وسقطت قذائف بين معرة حرمة وكفرسجنة.",
            {"معرة حرمة": "place", "كفرسجنة": "place"},
        ),
        ("وقال رئيس المجلس المحلي، منهل الرفاعي، إن المدينة آمنة.", {"منهل الرفاعي": "person"}),
        # بأن after a name is ب + أن; a given name that folds like على inside a name
        ("وأفاد الناشط أبو علاء الحمصي بأن الطريق مقطوع.", {"أبو علاء الحمصي": "person"}),
        ("وقال المهندس محمد علي الخالد، إن المشروع انتهى.", {"محمد علي الخالد": "person"}),
        # a bakery in quotes, a gas field without its adjective, examples with ك after an area
        ('واصطف الأهالي أمام "فرن الأمل" منذ الفجر.', {"فرن الأمل": "facility"}),
        ("وتوقف العمل في حقل الشاعر الغازي بعد الهجوم.", {"حقل الشاعر": "facility"}),
        (
            "وتعاني مناطق ريفية كالحولة وتلدو من العطش.",
            {"الحولة": "place", "تلدو": "place"},
        ),
        # a given name behind و; a title's place before the person; a body's participle
        (
            "وأفرج عن الشابين خالد الحسن وعمر محمد الحريري.",
            {"خالد الحسن": "person", "عمر محمد الحريري": "person"},
        ),
        (
            "ودعا محافظ راشيا الوادي نبيل سلامة إلى التهدئة.",
            {"راشيا الوادي": "place", "نبيل سلامة": "person"},
        ),
        ("واتهم الأهالي لواء العاصفة العامل في المنطقة.", {"لواء العاصفة": "armed-group"}),
        ("ونقلت الشاحنات القمح إلى صوامع تل عدس.", {"صوامع تل عدس": "facility"}),
        # a title inside a person's name; the spokeswoman's باسم; a facility before its quote
        ("وقال المدرس خالد الشيخ حسن، إن المدرسة أغلقت.", {"خالد الشيخ حسن": "person"}),
        ("وقالت الناطقة باسم الهيئة إن الوفد وصل.", {}),
        ('ونقل الجرحى إلى مشفى "الأمل" في البلدة.', {"الأمل": "facility"}),
        ("وتعمل عصائب الحق المبين إجراءاتها في المنطقة.", {"عصائب الحق المبين": "armed-group"}),
        # a school named after a martyr; a station named after a person with his nisba
        ("وافتتحت مدرسة الشهيد ماجد العلي بعد ترميمها.", {"مدرسة الشهيد ماجد العلي": "facility"}),
        ("وتوقفت محطة يوسف الحمصي عن الضخ.", {"محطة يوسف الحمصي": "facility"}),
        # traps: "the need" is no title; verbal nouns, an indefinite nisba, a verb, "amid"
        ("وقال إن المساعدات لا تسد الحاجة لسكان المخيم.", {}),
        ("وسط تحليق مكثف للطيران فوق المنطقة.", {}),
        ("وأطلق فريق تطوعي حملة تنظيف في الحي.", {}),
        ("ووصلت شاحنات إلى محطة تحويل الكهرباء.", {}),
        ("وتجمع العشرات أمام مبنى المحافظة.", {}),
    ],
)
def test_name_boundaries(text: str, expected: dict[str, str], glossary: Glossary) -> None:
    assert _found(text, glossary) == expected


def test_a_compound_family_name_is_found_alone_in_the_same_article(glossary: Glossary) -> None:
    docs = _docs(
        ["وقال المحامي فرحان العبد الله إن القضية مستمرة.", "وأضاف العبد الله أن الجلسة أجلت."],
        ["وأضاف العبد الله أن الجلسة أجلت."],
    )
    found = {c.surface: c for c in find_candidates(docs, glossary)}
    assert found["فرحان العبد الله"].type == "person"
    family = found["العبد الله"]
    # found where the full name is (d1), not in another article (d2), and never as الله alone
    assert {(o.doc, o.segment) for o in family.occurrences} == {("d1", "d1:1:2")}
    assert "الله" not in found


def test_a_quoted_common_word_is_a_name_only_where_quoted(glossary: Glossary) -> None:
    docs = _docs(['ونقل تلفزيون "الخبر" عن مصادر أن الوضع هادئ.', "وحتى إعداد هذا الخبر."])
    (cand,) = find_candidates(docs, glossary)
    assert (cand.surface, cand.type, cand.count) == ("الخبر", "outlet", 1)


def test_a_place_word_at_the_end_of_a_sentence(glossary: Glossary) -> None:
    # a head word with nothing after it (a crash found by the fifth held-out set)
    assert _found("وعادت العائلات إلى المنطقة بعد أن دمرت القرية", glossary) == {}
    assert _found("وانتقلت العائلات إلى منطقة", glossary) == {}


# --- names the English writes as they sound ------------------------------------------------


@pytest.mark.parametrize(
    ("arabic", "english"),
    [
        ("القامشلي", "Qamishli"),
        ("دمشق", "Damascus"),
        ("حلب", "Aleppo"),
        ("منبج", "Manbij"),
        ("الطبقة", "Tabqa"),
        ("الشدادي", "al-Shaddadi"),
        ("فيليب", "Philippe"),  # ph is f, as Arabic writes it
    ],
)
def test_skeletons_of_a_name_and_its_transliteration_match(arabic: str, english: str) -> None:
    from translate.names.transliteration import (
        THRESHOLD,
        arabic_skeleton,
        english_skeleton,
        similar,
    )

    assert similar(arabic_skeleton(arabic), english_skeleton(english)) >= THRESHOLD


def test_unrelated_words_and_demonyms_do_not_match() -> None:
    from translate.names.transliteration import (
        THRESHOLD,
        arabic_skeleton,
        english_skeleton,
        similar,
        transliteration,
    )

    assert similar(arabic_skeleton("شاحنات"), english_skeleton("Russian")) < THRESHOLD
    assert similar(arabic_skeleton("الرقة"), english_skeleton("Manbij")) < THRESHOLD
    assert not transliteration("Turks") and not transliteration("Syrian")
    assert not transliteration("SDF") and transliteration("Qamishli")


def test_a_name_only_the_english_marks_is_a_candidate(glossary: Glossary) -> None:
    docs = _docs(
        [
            "ووصلت التعزيزات إلى المركدة صباح اليوم.",
            "وقال الأتراك إن الاتفاق صامد.",
        ],
        targets=[
            ["Reinforcements arrived in Markada this morning.", "The Turks said the deal holds."]
        ],
    )
    found = {c.surface: c for c in find_candidates(docs, glossary)}
    assert set(found) == {"المركدة"}
    cand = found["المركدة"]
    assert (cand.type, cand.signals.get("transliterated")) == ("place", 1)
    assert cand.renderings == [("Markada", 1)]
    # without the English there is nothing to go on
    assert find_candidates(_docs(["ووصلت التعزيزات إلى المركدة صباح اليوم."]), glossary) == []


def test_suggest_with_a_missing_references_file_says_which(corpus: Path, tmp_path: Path) -> None:
    missing = tmp_path / "refs.tsv"
    result = runner.invoke(app, ["glossary", "suggest", str(corpus), "-r", str(missing)])
    from translate.errors import ReferencesError

    assert result.exit_code == ReferencesError.exit_code
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(missing) in lines[0] and "Traceback" not in result.stderr
