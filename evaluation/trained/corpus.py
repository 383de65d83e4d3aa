"""A synthetic Arabic→English news corpus with known names, for a model trained here.

No trained MarianMT can be downloaded on this machine, and a random-weight model never renders a
name by itself, so glossary enforcement was never measured against a model that has its own
opinion about a name. This module writes sentences of Syrian news from templates (deterministic,
seeded): a few hundred proper nouns of every type (places, villages, people, armed groups,
organisations, states, outlets; multi-word names), dozens of sentence patterns (reporting verbs,
movements, attacks, meetings, numbers in both digit systems, dates, quotations), 6-40 words and
1-4 names a sentence, the clitics و ب ل ك ف ال لل attached where the grammar allows.

Every name has one *learned* English rendering: the one training pairs use. A glossary covers
part of the names: about half of its entries **agree** with the learned rendering, half
**disagree** (a house spelling: Kobani for عين العرب, Qamishlo for القامشلي, an abbreviation).
For some disagreeing names the glossary's English never occurs in training; for others it occurs
rarely beside the dominant one (``seen``), as with a real model that has read both. Test
sentences are new combinations, with two reference sets: one in the learned renderings (does the
model work at all?) and one in the glossary's (what enforcement should reach).

The corpus is written by hand because it *is* the test bench: what it measures depends on knowing
exactly which rendering of which name the model learned.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

# -- names ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Name:
    """A proper noun: its Arabic, the English training uses, and the glossary's (if listed)."""

    ar: str
    en: str  # the learned rendering
    kind: str  # place, person, group, org, state, outlet
    article: bool = False  # English writes "the" before it (the Syrian Democratic Forces)
    glossary: str | None = None  # the glossary's English, when the name is in the glossary
    seen: float = 0.0  # share of training occurrences written with the glossary's English

    @property
    def agrees(self) -> bool:
        return self.glossary is not None and self.glossary == self.en


# (Arabic, learned English, glossary English or "" for none / "=" for agreeing, seen share)
_PLACES = [
    ("حلب", "Aleppo", "=", 0),
    ("دمشق", "Damascus", "=", 0),
    ("حمص", "Homs", "=", 0),
    ("حماة", "Hama", "", 0),
    ("إدلب", "Idlib", "=", 0),
    ("الرقة", "Raqqa", "=", 0),
    ("دير الزور", "Deir al-Zour", "Deir ez-Zor", 0.05),
    ("الحسكة", "Hasakah", "Al-Hasakah", 0),
    ("القامشلي", "Qamishli", "Qamishlo", 0),
    ("عين العرب", "Ain al-Arab", "Kobani", 0.05),
    ("رأس العين", "Ras al-Ain", "Serekaniye", 0),
    ("منبج", "Manbij", "=", 0),
    ("عفرين", "Afrin", "=", 0),
    ("تل أبيض", "Tal Abyad", "Tell Abyad", 0),
    ("البوكمال", "Abu Kamal", "Albukamal", 0),
    ("الميادين", "Mayadin", "al-Mayadeen", 0.05),
    ("درعا", "Daraa", "Deraa", 0),
    ("السويداء", "Suwayda", "Sweida", 0.05),
    ("القنيطرة", "Quneitra", "", 0),
    ("اللاذقية", "Latakia", "=", 0),
    ("طرطوس", "Tartus", "Tartous", 0),
    ("جبلة", "Jableh", "", 0),
    ("بانياس", "Baniyas", "", 0),
    ("تدمر", "Palmyra", "Tadmur", 0),
    ("السخنة", "Sukhnah", "", 0),
    ("جرابلس", "Jarablus", "=", 0),
    ("أعزاز", "Azaz", "", 0),
    ("سراقب", "Saraqib", "=", 0),
    ("معرة النعمان", "Maarat al-Numan", "Maarat al-Nouman", 0),
    ("خان شيخون", "Khan Shaykhun", "Khan Sheikhoun", 0.05),
    ("جسر الشغور", "Jisr al-Shughur", "", 0),
    ("الشدادي", "Shaddadi", "", 0),
    ("عامودا", "Amuda", "", 0),
    ("المالكية", "Malikiyah", "Derik", 0),
    ("الطبقة", "Tabqa", "=", 0),
    ("عين عيسى", "Ain Issa", "=", 0),
    ("تل تمر", "Tal Tamr", "", 0),
    ("دوما", "Douma", "=", 0),
    ("حرستا", "Harasta", "", 0),
    ("داريا", "Daraya", "=", 0),
    ("الزبداني", "Zabadani", "", 0),
    ("يبرود", "Yabroud", "", 0),
    ("القصير", "Qusayr", "", 0),
    ("السلمية", "Salamiyah", "", 0),
    ("مصياف", "Masyaf", "", 0),
    ("بيروت", "Beirut", "", 0),
    ("أنقرة", "Ankara", "", 0),
    ("عمان", "Amman", "", 0),
    ("جنيف", "Geneva", "", 0),
    ("موسكو", "Moscow", "", 0),
]
# Villages: a place word and a second element, 96 combinations (a few are glossary entries).
_VILLAGE_HEADS = [
    ("تل", "Tal"),
    ("عين", "Ain"),
    ("كفر", "Kafr"),
    ("دير", "Deir"),
    ("خربة", "Khirbet"),
    ("بئر", "Bir"),
    ("أم", "Umm"),
    ("جب", "Jub"),
]
_VILLAGE_TAILS = [
    ("الزيتون", "al-Zaytoun"),
    ("الحمرا", "al-Hamra"),
    ("السبع", "al-Sabaa"),
    ("النهر", "al-Nahr"),
    ("الجوز", "al-Jawz"),
    ("البيضا", "al-Bayda"),
    ("الغزال", "al-Ghazal"),
    ("شمس", "Shams"),
    ("الحصن", "al-Husn"),
    ("الوادي", "al-Wadi"),
    ("الرمان", "al-Rumman"),
    ("التين", "al-Tin"),
]
_FIRST = [
    ("محمد", "Mohammed"),
    ("أحمد", "Ahmed"),
    ("خالد", "Khaled"),
    ("عمر", "Omar"),
    ("علي", "Ali"),
    ("حسن", "Hassan"),
    ("حسين", "Hussein"),
    ("يوسف", "Youssef"),
    ("إبراهيم", "Ibrahim"),
    ("سامر", "Samer"),
    ("فراس", "Firas"),
    ("مازن", "Mazen"),
    ("رامي", "Rami"),
    ("جميل", "Jamil"),
    ("نبيل", "Nabil"),
    ("وليد", "Walid"),
    ("طارق", "Tareq"),
    ("زياد", "Ziad"),
    ("فادي", "Fadi"),
    ("باسل", "Basel"),
    ("ليلى", "Layla"),
    ("هالة", "Hala"),
    ("رنا", "Rana"),
    ("سعاد", "Souad"),
]
_LAST = [
    ("العلي", "al-Ali"),
    ("المصري", "al-Masri"),
    ("الخطيب", "al-Khatib"),
    ("الحلبي", "al-Halabi"),
    ("الشامي", "al-Shami"),
    ("الجاسم", "al-Jassem"),
    ("النعيمي", "al-Nuaimi"),
    ("الزعبي", "al-Zoubi"),
    ("قدور", "Qaddour"),
    ("حداد", "Haddad"),
    ("شاهين", "Shaheen"),
    ("درويش", "Darwish"),
    ("منصور", "Mansour"),
    ("سليمان", "Suleiman"),
    ("حمدان", "Hamdan"),
    ("داود", "Daoud"),
]
_PEOPLE = [
    ("سيرغي لافروف", "Sergey Lavrov", "=", 0),
    ("مظلوم عبدي", "Mazloum Abdi", "=", 0),
    ("هاكان فيدان", "Hakan Fidan", "=", 0),
    ("خلوصي أكار", "Hulusi Akar", "=", 0),
    ("غير بيدرسن", "Geir Pedersen", "=", 0),
    ("أنطونيو غوتيريش", "Antonio Guterres", "", 0),
    ("فيصل المقداد", "Faisal Mekdad", "Faisal al-Miqdad", 0.05),
    ("أحمد الشرع", "Ahmed al-Sharaa", "=", 0),
    ("أسعد الشيباني", "Asaad al-Shaibani", "Asaad Hassan al-Shibani", 0),
    ("رجب طيب أردوغان", "Recep Tayyip Erdogan", "Recep Tayyip Erdoğan", 0),
    ("إلهام أحمد", "Ilham Ahmed", "=", 0),
    ("فرهاد شامي", "Farhad Shami", "=", 0),
    ("رامي عبد الرحمن", "Rami Abdulrahman", "Rami Abdel Rahman", 0.05),
    ("عباس عراقجي", "Abbas Araqchi", "Abbas Araghchi", 0),
]
_GROUPS = [
    ("قوات سوريا الديمقراطية", "Syrian Democratic Forces", "SDF", 0.05, True),
    ("هيئة تحرير الشام", "Hayat Tahrir al-Sham", "=", 0, False),
    ("الجيش الوطني السوري", "Syrian National Army", "=", 0, True),
    ("وحدات حماية الشعب", "People's Protection Units", "YPG", 0, True),
    ("تنظيم الدولة", "Islamic State", "=", 0, True),
    ("حزب الله", "Hezbollah", "=", 0, False),
    ("مجلس منبج العسكري", "Manbij Military Council", "=", 0, True),
    ("جيش الإسلام", "Jaish al-Islam", "", 0, False),
    ("أحرار الشام", "Ahrar al-Sham", "", 0, False),
    ("الأسايش", "Asayish", "Asayesh", 0, True),
    ("فرقة السلطان مراد", "Sultan Murad Division", "", 0, True),
    ("فرقة الحمزة", "Hamza Division", "al-Hamza Division", 0, True),
]
_ORGS = [
    ("الأمم المتحدة", "United Nations", "=", 0, True),
    ("المرصد السوري لحقوق الإنسان", "Syrian Observatory for Human Rights", "=", 0, True),
    ("الهلال الأحمر العربي السوري", "Syrian Arab Red Crescent", "=", 0, True),
    ("منظمة الصحة العالمية", "World Health Organization", "=", 0, True),
    ("الدفاع المدني السوري", "Syrian Civil Defence", "Syrian Civil Defense", 0, True),
    ("مجلس الأمن", "Security Council", "=", 0, True),
    ("الاتحاد الأوروبي", "European Union", "", 0, True),
    ("برنامج الأغذية العالمي", "World Food Programme", "World Food Program", 0.05, True),
    ("الإدارة الذاتية", "Autonomous Administration", "=", 0, True),
    ("اللجنة الدولية للصليب الأحمر", "International Committee of the Red Cross", "ICRC", 0, True),
    ("وزارة الخارجية التركية", "Turkish Foreign Ministry", "", 0, True),
    ("وزارة الداخلية السورية", "Syrian Interior Ministry", "", 0, True),
]
_STATES = [
    ("سوريا", "Syria", "=", 0),
    ("تركيا", "Turkey", "Türkiye", 0.05),
    ("روسيا", "Russia", "=", 0),
    ("إيران", "Iran", "=", 0),
    ("العراق", "Iraq", "=", 0),
    ("لبنان", "Lebanon", "", 0),
    ("الأردن", "Jordan", "", 0),
    ("الولايات المتحدة", "United States", "", 0),
    ("فرنسا", "France", "", 0),
    ("ألمانيا", "Germany", "", 0),
    ("قطر", "Qatar", "", 0),
    ("السعودية", "Saudi Arabia", "", 0),
]
_OUTLETS = [
    ("وكالة سانا", "SANA", "=", 0),
    ("تلفزيون سوريا", "Syria TV", "=", 0),
    ("قناة الجزيرة", "Al Jazeera", "=", 0),
    ("وكالة الأناضول", "Anadolu Agency", "=", 0),
    ("وكالة رويترز", "Reuters", "", 0),
    ("عنب بلدي", "Enab Baladi", "=", 0),
    ("شبكة شام", "Shaam Network", "Sham Network", 0),
    ("وكالة هاوار", "Hawar News Agency", "ANHA", 0),
]
# States written with "the" in English.
_STATE_ARTICLE = {"United States"}


def _name(ar: str, en: str, kind: str, gloss: str, seen: float, article: bool = False) -> Name:
    glossary = en if gloss == "=" else (gloss or None)
    return Name(ar, en, kind, article, glossary, seen if glossary and glossary != en else 0.0)


def _village_variant(en: str) -> str:
    """A plausible house spelling of a village (Tal → Tell, al-X → Al-X, ou → u)."""
    head, _, tail = en.partition(" ")
    head = {"Tal": "Tell", "Kafr": "Kfar", "Deir": "Dayr", "Khirbet": "Khirbat"}.get(head, head)
    if tail.startswith("al-"):
        tail = "el-" + tail[3:]
    return f"{head} {tail}"


def _person_variant(en: str) -> str:
    first, _, last = en.partition(" ")
    first = {"Mohammed": "Muhammad", "Ahmed": "Ahmad", "Youssef": "Yusuf", "Khaled": "Khalid"}.get(
        first, first
    )
    if first == en.partition(" ")[0]:
        last = last.replace("al-", "Al ") if last.startswith("al-") else last + "i"
    return f"{first} {last}"


def names(seed: int = 7) -> list[Name]:
    """Every name of the corpus (deterministic)."""
    rng = random.Random(seed)
    out = [_name(a, e, "place", g, s) for a, e, g, s in _PLACES]
    villages = [
        (f"{ha} {ta}", f"{he} {te}") for ha, he in _VILLAGE_HEADS for ta, te in _VILLAGE_TAILS
    ]
    for i, (ar, en) in enumerate(villages):
        # One village in six is a glossary entry, alternately agreeing and disagreeing.
        gloss = "" if i % 6 else ("=" if i % 12 == 0 else _village_variant(en))
        out.append(_name(ar, en, "place", gloss, 0))
    pairs = [(f, la) for f in _FIRST for la in _LAST]
    rng.shuffle(pairs)
    for i, ((fa, fe), (la, le)) in enumerate(pairs[:120]):
        gloss = "" if i % 8 else ("=" if i % 16 == 0 else _person_variant(f"{fe} {le}"))
        out.append(_name(f"{fa} {la}", f"{fe} {le}", "person", gloss, 0))
    out += [_name(a, e, "person", g, s) for a, e, g, s in _PEOPLE]
    out += [_name(a, e, "group", g, s, art) for a, e, g, s, art in _GROUPS]
    out += [_name(a, e, "org", g, s, art) for a, e, g, s, art in _ORGS]
    out += [_name(a, e, "state", g, s, e in _STATE_ARTICLE) for a, e, g, s in _STATES]
    out += [_name(a, e, "outlet", g, s) for a, e, g, s in _OUTLETS]
    return out


# -- sentence patterns --------------------------------------------------------------------------
#
# Arabic slots are ``{slot}``, with any clitics written right before the brace (``و{place2}``,
# ``ل{group}``: attached as Arabic writes them, ل + ال = لل); English slots ``{slot}``. Slot
# names say the kind (place, place2, person, person2, group, org, state, outlet) or a value (num, num2, date,
# day, quote). A name with an English article gets "the" wherever its slot is written ``{slot}``;
# ``{slot!}`` leaves the article out (a name used as an adjective or after a possessive).

_TEMPLATES: list[tuple[str, str]] = [
    (
        "قال {person} إن {group} سيطرت على {place}.",
        "{person} said that {group} took control of {place}.",
    ),
    (
        "أعلنت {group} سيطرتها على {place} بعد اشتباكات عنيفة مع {group2}.",
        "{group} announced that it had taken control of {place} after fierce clashes with {group2}.",
    ),
    (
        "وصل {person} إلى {place} يوم {day} في زيارة رسمية.",
        "{person} arrived in {place} on {day} on an official visit.",
    ),
    (
        "التقى {person} ب{person2} في {place} لبحث الأوضاع في {state}.",
        "{person} met {person2} in {place} to discuss the situation in {state}.",
    ),
    (
        "ذكرت {outlet} أن {num} مدنيين قتلوا في قصف على {place}.",
        "{outlet} reported that {num} civilians were killed in shelling on {place}.",
    ),
    (
        "وقال {org} إن {num} عائلة عادت إلى {place} خلال الأسبوع الماضي.",
        "{org} said that {num} families returned to {place} during the past week.",
    ),
    (
        "نزح أكثر من {num} شخص من {place} و{place2} منذ بداية الشهر.",
        "More than {num} people have been displaced from {place} and {place2} since the beginning of the month.",
    ),
    (
        "وأفاد {org} بمقتل {num} عناصر من {group} في هجوم قرب {place}.",
        "{org} reported that {num} members of {group} were killed in an attack near {place}.",
    ),
    (
        "استهدفت طائرة مسيرة تركية موقعا ل{group} في ريف {place}.",
        "A Turkish drone targeted a position of {group} in the countryside of {place}.",
    ),
    (
        "قال {person} ل{outlet} إن الوضع في {place} صعب للغاية.",
        "{person} told {outlet} that the situation in {place} is very difficult.",
    ),
    (
        "دعا {org} إلى وقف إطلاق النار في {place} وحماية المدنيين.",
        "{org} called for a ceasefire in {place} and the protection of civilians.",
    ),
    (
        "وصلت قافلة مساعدات تضم {num} شاحنة إلى {place} في {date}.",
        "An aid convoy of {num} trucks arrived in {place} on {date}.",
    ),
    (
        "بحث وزير الخارجية {person} مع نظيره {person2} العلاقات بين {state} و{state2}.",
        "Foreign Minister {person} discussed relations between {state} and {state2} with his counterpart {person2}.",
    ),
    (
        "قال {person}: «لن نقبل بأي اتفاق لا يشمل {place}».",
        '{person} said: "We will not accept any agreement that does not include {place}."',
    ),
    (
        "أكد {person} أن {state} تدعم وحدة الأراضي السورية.",
        "{person} stressed that {state} supports the unity of Syrian territory.",
    ),
    (
        "انسحبت {group} من {place} باتجاه {place2} في {date}.",
        "{group} withdrew from {place} towards {place2} on {date}.",
    ),
    (
        "وزع {org} مساعدات غذائية على {num} عائلة نازحة في {place}.",
        "{org} distributed food aid to {num} displaced families in {place}.",
    ),
    (
        "نقلت {outlet} عن مصدر محلي أن اشتباكات اندلعت في {place} بين {group} و{group2}.",
        "{outlet} quoted a local source as saying that clashes broke out in {place} between {group} and {group2}.",
    ),
    (
        "أعلن {org} عن افتتاح مستشفى جديد في {place} بتمويل من {state}.",
        "{org} announced the opening of a new hospital in {place} funded by {state}.",
    ),
    (
        "قتل {num} أشخاص وأصيب {num2} آخرون بانفجار سيارة مفخخة في {place}.",
        "{num} people were killed and {num2} others were injured in a car bomb explosion in {place}.",
    ),
    (
        "وقعت {state} و{state2} اتفاقا لإعادة فتح معبر {place}.",
        "{state} and {state2} signed an agreement to reopen the {place!} crossing.",
    ),
    (
        "وصل وفد من {org} إلى {place} لتقييم احتياجات السكان.",
        "A delegation from {org} arrived in {place} to assess the needs of residents.",
    ),
    (
        "قال المتحدث باسم {group} إن قواته صدت هجوما على {place}.",
        "The spokesman for {group} said that its forces repelled an attack on {place}.",
    ),
    (
        "زار {person} مخيما للنازحين قرب {place} يوم {day}.",
        "{person} visited a camp for displaced people near {place} on {day}.",
    ),
    (
        "اجتمع {person} مع ممثلين عن {org} في {place} لبحث ملف المعتقلين.",
        "{person} met representatives of {org} in {place} to discuss the file of detainees.",
    ),
    (
        "أشار {person} إلى أن {num} ألف شخص يحتاجون إلى مساعدات عاجلة في {place}.",
        "{person} pointed out that {num} thousand people need urgent aid in {place}.",
    ),
    (
        "تعرضت {place} لقصف مدفعي من مواقع {group}، بحسب {outlet}.",
        "{place} came under artillery shelling from positions of {group}, according to {outlet}.",
    ),
    (
        "أفادت {outlet} بأن {group} أرسلت تعزيزات عسكرية إلى {place} و{place2}.",
        "{outlet} reported that {group} sent military reinforcements to {place} and {place2}.",
    ),
    (
        "ودعا {person} {state} إلى الضغط على {group} لوقف الهجمات.",
        "{person} called on {state} to put pressure on {group} to stop the attacks.",
    ),
    (
        "أعلن {org} أن {num} طفلا قتلوا في {place} منذ بداية العام.",
        "{org} announced that {num} children have been killed in {place} since the beginning of the year.",
    ),
    (
        "وقال {person} إن المفاوضات مع {group} ستستأنف في {place} الشهر المقبل.",
        "{person} said that negotiations with {group} will resume in {place} next month.",
    ),
    (
        "عادت الكهرباء إلى أحياء في {place} بعد انقطاع دام {num} يوما.",
        "Electricity returned to neighbourhoods in {place} after an outage that lasted {num} days.",
    ),
    (
        "أوقفت {group} {num} أشخاص في {place} بتهمة التعاون مع {group2}.",
        "{group} detained {num} people in {place} on charges of cooperating with {group2}.",
    ),
    (
        "ناقش {org} الوضع الإنساني في {place} خلال جلسة عقدت في {date}.",
        "{org} discussed the humanitarian situation in {place} during a session held on {date}.",
    ),
    (
        "ذكر {person} أن الطريق بين {place} و{place2} أعيد فتحه أمام المدنيين.",
        "{person} said that the road between {place} and {place2} had been reopened to civilians.",
    ),
    (
        "وكان {person} قد زار {state} في {date} والتقى {person2}.",
        "{person} had visited {state} on {date} and met {person2}.",
    ),
    (
        "أكدت {outlet} أن {group} انسحبت من مواقعها في محيط {place}.",
        "{outlet} confirmed that {group} had withdrawn from its positions around {place}.",
    ),
    (
        "وأضاف {person} أن {state} مستعدة للمساعدة في إعادة إعمار {place}.",
        "{person} added that {state} is ready to help rebuild {place}.",
    ),
    (
        "فر مئات المدنيين من {place} هربا من المعارك بين {group} و{group2}.",
        "Hundreds of civilians fled {place} to escape the fighting between {group} and {group2}.",
    ),
    (
        "سجلت {org} {num} إصابة جديدة بالكوليرا في {place}.",
        "{org} recorded {num} new cholera cases in {place}.",
    ),
    (
        "قال {person} إن {num} معتقلا أفرج عنهم من سجون {group}.",
        "{person} said that {num} detainees were released from the prisons of {group}.",
    ),
    (
        "وصل {person} إلى {place} قادما من {place2} في {date}.",
        "{person} arrived in {place} from {place2} on {date}.",
    ),
    (
        "وبحسب {outlet}، فإن {group} تسيطر على {num} قرية في ريف {place}.",
        "According to {outlet}, {group} controls {num} villages in the countryside of {place}.",
    ),
    (
        "أدان {org} الهجوم على {place} وطالب بمحاسبة المسؤولين.",
        "{org} condemned the attack on {place} and demanded that those responsible be held accountable.",
    ),
    (
        "شارك {person} في مؤتمر عقد في {place} بمشاركة {state} و{state2} و{state3}.",
        "{person} took part in a conference held in {place} with the participation of {state}, {state2} and {state3}.",
    ),
    (
        "قالت {outlet} إن {person} سيزور {place} الأسبوع المقبل.",
        "{outlet} said that {person} will visit {place} next week.",
    ),
    (
        "قصفت {group} مواقع ل{group2} في {place}، ما أدى إلى مقتل {num} مقاتلين.",
        "{group} shelled positions of {group2} in {place}, killing {num} fighters.",
    ),
    (
        "انتشرت {group} في {place} بعد انسحاب {group2} منها.",
        "{group} deployed in {place} after the withdrawal of {group2} from it.",
    ),
    ("وصل {person} إلى {place}.", "{person} arrived in {place}."),
    ("التقى {person} ب{person2} في {place}.", "{person} met {person2} in {place}."),
    (
        "يعيش نحو {num} ألف نازح في مخيمات {place}.",
        "About {num} thousand displaced people live in the camps of {place}.",
    ),
    (
        "وقال {person} إن {place} ستبقى تحت سيطرة {group}.",
        "{person} said that {place} will remain under the control of {group}.",
    ),
]
_DAYS = [
    ("الاثنين", "Monday"),
    ("الثلاثاء", "Tuesday"),
    ("الأربعاء", "Wednesday"),
    ("الخميس", "Thursday"),
    ("الجمعة", "Friday"),
    ("السبت", "Saturday"),
    ("الأحد", "Sunday"),
]
_MONTHS = [
    ("كانون الثاني", "January"),
    ("شباط", "February"),
    ("آذار", "March"),
    ("نيسان", "April"),
    ("أيار", "May"),
    ("حزيران", "June"),
    ("تموز", "July"),
    ("آب", "August"),
    ("أيلول", "September"),
    ("تشرين الأول", "October"),
    ("تشرين الثاني", "November"),
    ("كانون الأول", "December"),
]
_KIND_OF_SLOT = {
    "place": "place",
    "person": "person",
    "group": "group",
    "org": "org",
    "state": "state",
    "outlet": "outlet",
}
_SLOT = re.compile(r"([وبلكف]*)\{([a-z]+\d?)(!?)\}")
_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def attach(clitic: str, ar: str) -> str:
    """``ar`` with a proclitic (و ب ل ك ف, or several) attached as Arabic writes it.

    ل before the article ال gives لل (ل + الرقة = للرقة), as does وب + ال (وبالرقة)."""
    if not clitic:
        return ar
    if clitic.endswith("ل") and ar.startswith("ال"):
        return clitic + ar[1:]
    return clitic + ar


def slot_kind(slot: str) -> str | None:
    """The name kind a slot takes (``place2`` → ``place``), or None for a value slot."""
    return _KIND_OF_SLOT.get(slot.rstrip("0123456789"))


@dataclass(slots=True)
class Pair:
    """One generated sentence: the Arabic, its English in learned and in glossary renderings,
    and the names it holds (in order)."""

    ar: str
    en: str  # learned renderings
    en_glossary: str  # the glossary's renderings where the glossary has the name
    names: list[Name] = field(default_factory=list)
    template: int = 0


def _render(
    template: tuple[str, str],
    fills: dict[str, Name],
    values: dict[str, tuple[str, str]],
    spelling: dict[str, str],
    index: int,
) -> Pair:
    ar_t, en_t = template
    order: list[Name] = []

    def ar_sub(m: re.Match[str]) -> str:
        clitic, slot = m.group(1) or "", m.group(2)
        if slot in fills:
            order.append(fills[slot])
            return attach(clitic, fills[slot].ar)
        return clitic + values[slot][0]

    def en_sub(glossary: bool) -> Callable[[re.Match[str]], str]:
        def sub(m: re.Match[str]) -> str:
            slot, bare = m.group(2), m.group(3)
            if slot not in fills:
                return values[slot][1]
            name = fills[slot]
            text = (name.glossary or name.en) if glossary else spelling.get(slot, name.en)
            return ("the " if name.article and not bare else "") + text

        return sub

    ar = _SLOT.sub(ar_sub, ar_t)
    en = _cap(_SLOT.sub(en_sub(False), en_t))
    en_g = _cap(_SLOT.sub(en_sub(True), en_t))
    return Pair(ar, en, en_g, order, index)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _values(rng: random.Random) -> dict[str, tuple[str, str]]:
    def number() -> tuple[str, str]:
        n = str(rng.choice([rng.randint(2, 20), rng.randint(21, 300)]))
        # Both digit systems occur in scraped Arabic news; normalization makes them one.
        return (n.translate(_INDIC) if rng.random() < 0.4 else n), n

    day, month = rng.randint(1, 28), rng.choice(_MONTHS)
    digits = str(day).translate(_INDIC) if rng.random() < 0.4 else str(day)
    return {
        "num": number(),
        "num2": number(),
        "date": (f"{digits} {month[0]}", f"{day} {month[1]}"),
        "day": rng.choice(_DAYS),
    }


def generate(
    count: int,
    seed: int,
    pool: Sequence[Name] | None = None,
    templates: Sequence[int] | None = None,
    compound: float = 0.15,
) -> Iterator[Pair]:
    """``count`` sentences drawn from the templates with names from ``pool``.

    Training sentences write a disagreeing name with the glossary's English in ``seen`` of its
    occurrences (the rare spelling a real model has also read); otherwise always the learned one.
    """
    rng = random.Random(seed)
    pool = list(pool if pool is not None else names())
    by_kind: dict[str, list[Name]] = {}
    for n in pool:
        by_kind.setdefault(n.kind, []).append(n)
    chosen = list(templates) if templates is not None else list(range(len(_TEMPLATES)))
    for _ in range(count):
        index = rng.choice(chosen)
        template = _TEMPLATES[index]
        slots = [m.group(2) for m in _SLOT.finditer(template[0])]
        fills: dict[str, Name] = {}
        spelling: dict[str, str] = {}
        for slot in slots:
            kind = slot_kind(slot)
            if kind is None or slot in fills:
                continue
            taken = {f.ar for f in fills.values()}
            options = [n for n in by_kind[kind] if n.ar not in taken]
            name = rng.choice(options)
            fills[slot] = name
            if name.seen and name.glossary and rng.random() < name.seen:
                spelling[slot] = name.glossary
        pair = _render(template, fills, _values(rng), spelling, index)
        if rng.random() < compound:
            # Two clauses in one sentence, as news writes them: long sentences, up to 4+ names.
            other = next(generate(1, rng.randrange(1 << 30), pool, chosen, compound=0.0))
            pair = _join(pair, other)
        yield pair


_LOWER_START = ("The ", "A ", "An ", "More ", "Hundreds ", "Electricity ", "About ", "According ")


def _join(first: Pair, second: Pair) -> Pair:
    """``first, while second`` (في حين), the second clause's opening word in lower case."""

    def clause(en: str) -> str:
        return en[:1].lower() + en[1:] if en.startswith(_LOWER_START) else en

    return Pair(
        first.ar.rstrip(".") + "، في حين " + second.ar,
        first.en.rstrip(".") + ", while " + clause(second.en),
        first.en_glossary.rstrip(".") + ", while " + clause(second.en_glossary),
        first.names + second.names,
        first.template,
    )


def glossary_rows(pool: Sequence[Name]) -> list[dict[str, str]]:
    """The test bench's glossary: every name that has a glossary English."""
    types = {
        "place": "place",
        "person": "person",
        "group": "armed-group",
        "org": "organisation",
        "state": "state",
        "outlet": "outlet",
    }
    return [
        {"ar": n.ar, "en": n.glossary, "type": types[n.kind]}
        for n in pool
        if n.glossary is not None
    ]


@dataclass(slots=True)
class Bench:
    """Training pairs, test pairs and the glossary of one test bench."""

    train: list[Pair]
    test: list[Pair]
    glossary: list[dict[str, str]]
    pool: list[Name]


def bench(
    train: int = 40_000,
    test: int = 300,
    seed: int = 1,
    small: bool = False,
    lexicon: int = 0,
) -> Bench:
    """The whole test bench, deterministic for a seed.

    ``small`` is the version a test session trains in well under a minute: a few dozen names and
    a third of the templates, still with agreeing and disagreeing glossary entries of every kind.
    """
    pool = names()
    templates: list[int] | None = None
    if small:
        keep: list[Name] = []
        for kind, quota in (("place", 8), ("person", 4), ("group", 2), ("org", 2), ("state", 2)):
            of_kind = [n for n in pool if n.kind == kind]
            # Of each kind, names that agree, names that disagree and names the glossary lacks.
            for group in (
                [n for n in of_kind if n.agrees],
                [n for n in of_kind if n.glossary is not None and not n.agrees],
                [n for n in of_kind if n.glossary is None],
            ):
                keep += group[:quota]
        pool = [replace(n, seen=0.0) for n in keep]
        templates = [0, 2, 4, 5, 6, 10, 11, 15, 16, 22, 23, 26, 28, 30, 33, 39]
        templates = [t for t in templates if "outlet" not in _TEMPLATES[t][0]]
    train_pairs = list(generate(train, seed, pool, templates))
    # Name lists, as parallel corpora have them (dictionaries, headlines): each name alone, in the
    # learned rendering, a few times. They teach the names' mapping sooner than sentences do.
    for _ in range(lexicon):
        train_pairs += [Pair(n.ar, ("the " if n.article else "") + n.en, n.en, [n]) for n in pool]
    seen_ar = {pair.ar for pair in train_pairs}
    # Test sentences are new combinations, their learned references always in the learned
    # renderings (the rare glossary spelling is a training-data effect only).
    learned = [replace(n, seen=0.0) for n in pool]
    test_pairs: list[Pair] = []
    for pair in generate(test * 3, seed + 1_000, learned, templates):
        if pair.ar not in seen_ar and len(test_pairs) < test:
            seen_ar.add(pair.ar)
            test_pairs.append(pair)
    return Bench(train_pairs, test_pairs, glossary_rows(pool), pool)
