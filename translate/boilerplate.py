"""Boilerplate rules: the lines scrapers leave around an article, as data.

Ingest reads a scraped page line by line. Every line after the title is checked against
:data:`RULES` in order; the first rule whose pattern matches the *whole* line decides what happens
to it, and the line is recorded in ``Document.removed`` under the rule's ``reason``. Lines no rule
matches then meet the generic signals of :mod:`translate.ingest` (Latin-only lines, short header
lines, link lists, footers, lines repeated across a batch).

A :class:`Rule` has

``reason``
    a short code recorded in ``Document.removed`` (``share``, ``tags``, ``byline``…).
``pattern``
    a regular expression that must match the whole line. It is matched against the line
    *normalized as the model sees it* (:func:`translate.arabic.normalize`): no diacritics or
    tatweel, Arabic-Indic digits as ASCII digits, «» “” as ``"``, ``…`` as ``...``, runs of spaces
    as one space; matching ignores the case of Latin letters. So write ``اقرأ أيضا``, not every
    spelling of ``اقرأ أيضاً``/``أيضًا``, and ``\\d`` for any digits.
``action``
    ``drop`` the line; ``drop-rest``: the line heads a list that runs to the end of the page
    (related articles), so it and every line after it go; ``drop-next``: a label whose link sits
    on the next line ("اقرأ أيضاً" alone on its line), so the next line goes too when it looks
    like a headline (short, no sentence punctuation); ``outlet``, ``byline``, ``date``: the line
    is metadata, moved to that field of ``meta`` (the first one found wins). A pattern may name
    the part to keep with a group ``(?P<value>…)``; without one the whole line is kept.
``scope``
    ``anywhere`` (the default), or ``header``: only between the title and the first line of the
    body, for patterns loose enough to match a sentence of the article (an outlet name on its
    own line looks like any short phrase).

How to add an outlet
--------------------
Run ``tarjama ingest --explain PAGE`` on a few of its pages and look at the lines that reach the
body but should not. For each kind of line add a rule to :data:`OUTLET_RULES` under a comment
naming the outlet (as below for Enab Baladi, SANA, Asharq Al-Awsat and Al-Modon), or pass
``IngestOptions(rules=(*RULES, my_rule))`` without touching this file. Keep patterns anchored to
something only boilerplate says (the outlet's name, a label such as ``المصدر:``) and bounded in
length (``.{2,40}``, not ``.*``), so that they can never match a sentence of an article; add a
page of that outlet with its hand-written expectation to ``tests/data/pages/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import UsageError

ACTIONS = ("drop", "drop-rest", "drop-next", "outlet", "byline", "date")
META_ACTIONS = ("outlet", "byline", "date")
SCOPES = ("anywhere", "header")

_Y = "[اأإآ]"  # alef and its hamza forms, written interchangeably
# Social networks, as they appear in share and follow-us lines.
_NET = (
    r"(فيسبوك|فيس بوك|تويتر|إكس|واتساب|واتس اب|واتس أب|تلغرام|تليغرام|تيليجرام|تلجرام|لينكدإن"
    r"|يوتيوب|انستغرام|إنستغرام|X|Facebook|Twitter|WhatsApp|Telegram|LinkedIn|YouTube"
    r"|Instagram|Email|البريد الإلكتروني|نسخ الرابط)"
)
_NETS = rf"{_NET}([\s|/،,·•-]+{_NET})*"
_FOLLOW = rf"(تابعوا|تابع|{_Y}نضموا|{_Y}نضم|اشترك|اشتركوا)"
_WEEKDAY = rf"(الأحد|ال{_Y}ثنين|الثلاثاء|ال{_Y}ربعاء|الخميس|الجمعة|السبت)"
_MONTH = (
    r"(كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني"
    r"|كانون الأول|يناير|فبراير|مارس|أبريل|إبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر"
    r"|نوفمبر|ديسمبر)"
)
_DATE = (
    r"(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"
    rf"|\d{{1,2}} {_MONTH}(/{_MONTH})? \d{{4}})"
)
_TIME = r"\d{1,2}:\d{2}( ?(ص|م|AM|PM))?"


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of boilerplate line (see the module docstring for the fields)."""

    reason: str
    pattern: str
    action: str = "drop"
    scope: str = "anywhere"
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise UsageError(
                f"boilerplate rule {self.reason!r}: unknown action {self.action!r}; "
                f"use one of {', '.join(ACTIONS)}"
            )
        if self.scope not in SCOPES:
            raise UsageError(
                f"boilerplate rule {self.reason!r}: unknown scope {self.scope!r}; "
                f"use one of {', '.join(SCOPES)}"
            )
        try:
            regex = re.compile(self.pattern, re.IGNORECASE)
        except re.error as exc:
            raise UsageError(
                f"boilerplate rule {self.reason!r}: invalid pattern {self.pattern!r} ({exc}); "
                "fix the regular expression"
            ) from exc
        object.__setattr__(self, "regex", regex)

    def match(self, line: str) -> re.Match[str] | None:
        """The match of this rule on the whole (normalized) line, or ``None``."""
        return self.regex.fullmatch(line)

    def matches(self, line: str) -> bool:
        return self.match(line) is not None


GENERIC_RULES: tuple[Rule, ...] = (
    # Headings of link lists that run to the end of the page.
    Rule(
        "related-articles",
        rf"(مقالات|{_Y}خبار|مواضيع|قصص|تقارير|روابط) (ذات صلة|مشابهة|متعلقة|{_Y}خرى)( بالخبر)?:?",
        "drop-rest",
    ),
    Rule(
        "related-articles",
        rf"(المزيد من ال{_Y}خبار|قد يهمك|قد يعجبك|ننصحك بقراءة|ال{_Y}كثر قراءة|ال{_Y}كثر مشاهدة"
        rf"|{_Y}خبار ذات صلة|{_Y}خترنا لك|شاهد المزيد):?",
        "drop-rest",
    ),
    # "Read also": a label alone (its link is on the next line), or a label and its headline.
    Rule("read-also", rf"({_Y}قر{_Y}|طالع|شاهد) ({_Y}يضا|كذلك|المزيد)\s*[:\-–]?", "drop-next"),
    Rule("read-also", rf"({_Y}قر{_Y}|طالع|شاهد) ({_Y}يضا|كذلك|المزيد)\s*[:\-–]?\s*\S.*"),
    Rule(
        "menu",
        r"(تخطي|تجاوز|انتقل) {_Y}لى (المحتوى|المحتوى الرئيسي)|skip to (main )?content".replace(
            "{_Y}", _Y
        ),
    ),
    Rule("back-to-top", rf"(زر )?الذهاب {_Y}لى ال{_Y}على|العودة {_Y}لى ال{_Y}على|back to top"),
    Rule(
        "share",
        rf"(شارك|مشاركة|انشر)( هذا)?( (الخبر|المقال|المقالة|الموضوع|التقرير))?"
        rf"( (على|عبر)( [^.؟!]{{2,40}})?)?\s*:?( ?{_NETS})?|{_NETS}",
    ),
    Rule(
        "follow-us",
        # Bounded and tied to a network or to "us": "تابع المحتجون طريقهم إلى الساحة" stays.
        rf"تابعونا[^.؟!]{{0,60}}:?"
        rf"|{_FOLLOW}( [^.؟!:]{{1,40}})? (على|عبر|في|{_Y}لى)\s*:"
        rf"|{_FOLLOW}( [^.؟!:]{{1,40}})? (على|عبر|في|{_Y}لى) "
        rf"[^.؟!]{{0,30}}({_NET}|وسائل التواصل|مواقع التواصل|منصات التواصل|تطبيق|قناتنا|صفحتنا"
        rf"|حساباتنا|النشرة البريدية)[^.؟!]{{0,30}}:?"
        rf"|(على|عبر) (تطبيق|منصة|قناة|صفحة|حساب) [^.؟!]{{2,30}}:?",
    ),
    Rule(
        "tags",
        r"(الوسوم|وسوم|كلمات مفتاحية|الكلمات المفتاحية|الكلمات الدلالية|تاغ|تاغات|Tags)\s*:.*",
    ),
    Rule(
        "copyright",
        r"(©|\(c\)|جميع الحقوق محفوظة|حقوق النشر|كل الحقوق محفوظة).*|.*(جميع|كل) الحقوق محفوظة.*",
    ),
    Rule("cookie-notice", r".*(ملفات تعريف الارتباط|ملفات الارتباط|الكوكيز|cookies).*"),
    Rule("url", r"(https?://|www\.)\S+"),
    # An editor's initials under agency copy: "م.ع / ح.ن".
    Rule(
        "initials",
        r"([^\W\d_]{1,2}\.)+[^\W\d_]{1,2}\.?(\s*[/-]\s*([^\W\d_]{1,2}\.)+[^\W\d_]{1,2}\.?)*",
    ),
    Rule("punctuation-only", r"[\W_]+"),
    # Lines that belong in meta, not in the text.
    Rule("source", r"المصدر\s*:\s*(?P<value>[^.؟!:]{2,40})", "outlet"),
    Rule(
        "byline",
        rf"(كتب|كتبت|بقلم|{_Y}عداد|تحرير|ترجمة|تقرير)\s*:\s*(?P<value>[^.،؟!:]{{2,60}})",
        "byline",
    ),
    Rule(
        "relative-date",
        r"(?P<value>منذ (\d+ )?(دقيقة|دقيقتين|دقائق|ساعة|ساعتين|ساعات|يوم|يومين|أيام"
        r"|أسبوع|أسبوعين|أسابيع|شهر|أشهر))",
        "date",
    ),
    Rule(
        "date",
        # A label and a colon, or a label and a date ("نشر 3 آلاف جندي" is a sentence).
        rf"(نشر|تاريخ النشر|تم النشر|{_Y}خر تحديث|تم التحديث|تحديث)( في| بتاريخ)?\s*:\s*"
        r"(?P<value>[^.؟!]{0,60}\d[^.؟!]{0,60})",
        "date",
    ),
    Rule(
        "date",
        rf"(نشر|تاريخ النشر|تم النشر|{_Y}خر تحديث|تم التحديث)( في| بتاريخ)? "
        rf"(?P<value>({_WEEKDAY}[,،]? )?{_DATE}[^.؟!]{{0,40}})",
        "date",
    ),
    Rule(
        "date",
        rf"(?P<value>({_WEEKDAY}[,،]? )?{_DATE}( ?[-–|،,]? ?{_TIME})?( \([^)]{{2,20}}\))?)",
        "date",
    ),
    Rule("outlet", r"(?P<value>.{2,40}) [-–] \((خاص|حصري|متابعات)\)", "outlet", "header"),
    Rule(
        "outlet",
        r"(?P<value>(وكالة|موقع|شبكة|صحيفة|قناة|تلفزيون|راديو|إذاعة) [^.،:؟!]{2,30})",
        "outlet",
        "header",
    ),
    Rule(
        "outlet",
        r"(?P<value>[^.،:؟!]{2,25} (نيوز|نت|برس|بوست|24|الإخباري|الإخبارية))",
        "outlet",
        "header",
    ),
)

OUTLET_RULES: tuple[Rule, ...] = (
    # Enab Baladi (enabbaladi.net): a dateline under the title, "عنب بلدي – درعا".
    Rule("dateline", r"(?P<value>عنب بلدي)\s*[-–]\s*[^\s.،:]{2,20}( [^\s.،:]{2,20})?", "outlet"),
    # SANA (sana.sy): the masthead, and the dateline "حماة-سانا" above the first paragraph.
    Rule("masthead", r"(?P<value>سانا)\s*[-–]\s*الوكالة العربية السورية للأنباء", "outlet"),
    Rule("dateline", r"[^\s\d.،:]{2,15}( [^\s\d.،:]{2,15})?\s*[-–]\s*(?P<value>سانا)", "outlet"),
    # Asharq Al-Awsat (aawsat.com): the dateline "دمشق: «الشرق الأوسط»".
    Rule(
        "dateline",
        r"[^\s\d.،:]{2,15}( [^\s\d.،:]{2,15})?\s*:\s*\"(?P<value>الشرق الأوسط)\"",
        "outlet",
    ),
    # Al-Modon (almodon.com): the section line "المدن - عرب وعالم".
    Rule("section", r"(?P<value>المدن)\s*[-–]\s*[^.،:]{2,25}", "outlet", "header"),
)

#: Every rule, generic ones first; the first rule that matches a line decides.
RULES: tuple[Rule, ...] = GENERIC_RULES + OUTLET_RULES
