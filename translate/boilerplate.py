"""Boilerplate rules: the lines scrapers leave around an article, as data.

Each :class:`Rule` names a reason (recorded in ``Document.removed``), a regular expression matched
against the whole stripped line, and what to do: ``drop`` the line, ``drop-rest`` (the line is the
heading of a list that runs to the end of the page: related articles, "more news"), or move the
line into ``meta`` (``outlet``, ``byline``, ``date``).

To teach tarjama an outlet's boilerplate, add a rule here (or pass extra rules to
:class:`translate.ingest.IngestOptions`); keep patterns anchored so they match whole lines, not
words inside a sentence of the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_Y = "[اأإآ]"  # alef and its hamza forms, written interchangeably


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of boilerplate line."""

    reason: str
    pattern: str
    action: str = "drop"  # drop | drop-rest | outlet | byline | date
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern))

    def matches(self, line: str) -> bool:
        return self.regex.fullmatch(line) is not None


RULES: tuple[Rule, ...] = (
    # Headings of link lists that run to the end of the page.
    Rule(
        "related-articles",
        rf"(مقالات|{_Y}خبار|مواضيع|قصص|تقارير) (ذات صلة|مشابهة|متعلقة)[:：]?",
        "drop-rest",
    ),
    Rule(
        "related-articles",
        r"(المزيد من ال{_Y}خبار|قد يهمك|ننصحك بقراءة|ال{_Y}كثر قراءة)[:：]?".replace("{_Y}", _Y),
        "drop-rest",
    ),
    # Single lines inside or around the body.
    Rule("read-also", rf"{_Y}قر{_Y} {_Y}يض{_Y}[ًا]?\s*[:：\-–]?.*"),
    Rule("back-to-top", rf"(زر )?الذهاب {_Y}لى ال{_Y}على|العودة {_Y}لى ال{_Y}على|back to top"),
    Rule(
        "share",
        r"(شارك|مشاركة|شارك الخبر|شارك المقال)( (على|عبر).*)?[:：]?"
        r"|(فيسبوك|فيس بوك|تويتر|واتساب|تلغرام|تيليجرام|لينكدإن|X|Facebook|Twitter"
        r"|WhatsApp|Telegram)([\s|/،,·•-]+(فيسبوك|فيس بوك|تويتر|واتساب|تلغرام"
        r"|تيليجرام|لينكدإن|X|Facebook|Twitter|WhatsApp|Telegram))*",
    ),
    Rule("follow-us", r"تابعونا (على|عبر).*|تابعوا .{0,40} (على|عبر) .*"),
    Rule("tags", r"(الوسوم|وسوم|كلمات مفتاحية|الكلمات المفتاحية|تاغ|Tags)\s*[:：].*"),
    Rule(
        "copyright",
        r"(©|جميع الحقوق محفوظة|حقوق النشر|كل الحقوق محفوظة).*|.*(جميع|كل) الحقوق محفوظة.*",
    ),
    Rule("cookie-notice", r".*(ملفات تعريف الارتباط|الكوكيز|cookies).*"),
    Rule("punctuation-only", r"[\W_]+"),
    # Lines that belong in meta, not in the text.
    Rule(
        "byline",
        r"(كتب|كتبت|بقلم|{_Y}عداد|تحرير|ترجمة)\s*[:：]\s*.{2,60}".replace("{_Y}", _Y),
        "byline",
    ),
    Rule("relative-date", r"منذ \d+ (دقيقة|دقائق|ساعة|ساعات|يوم|أيام|أسبوع|أسابيع)", "date"),
    Rule(
        "date",
        r"(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}[/.-]\d{1,2}[/.-]\d{1,2})"
        r"( [-–|] \d{1,2}:\d{2}( ?(ص|م|AM|PM))?)?",
        "date",
    ),
    Rule("outlet", r".{2,40} [-–] \((خاص|حصري|متابعات)\)", "outlet"),
    Rule("outlet", r"(وكالة|موقع|شبكة|صحيفة|قناة|تلفزيون|راديو|إذاعة) [^.،:؟!]{2,30}", "outlet"),
    Rule("outlet", r"[^.،:؟!]{2,25} (نيوز|نت|برس|بوست|24|الإخباري|الإخبارية)", "outlet"),
)
