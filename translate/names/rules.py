"""The Arabic signals of one sentence: its tokens, and every span that behaves like a name
(titles, place words, head words, quotations, lists, toponyms), each with the signal that found
it. Hand-written because it is specific to Arabic news copy (see :mod:`translate.names`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..arabic import fold, is_arabic_letter, normalize
from ..glossary import Glossary
from .lexicon import (
    _ABD,
    _AFFILIATION,
    _AFFILIATION_LINKS,
    _ALIAS_VERBS,
    _ALSO,
    _BEFORE_QUOTE,
    _BODY_HEADS,
    _CONJ,
    _HEADS,
    _INTRO,
    _KUNYA,
    _MAX_QUOTED,
    _MAX_WORDS,
    _PERSONAL,
    _PREPS,
    _TITLE_REACH,
    _WORD,
    ADJECTIVES,
    DIRECTIONS,
    FACILITY_HEADS,
    FUNCTION,
    GIVEN_NAMES,
    ORG_HEADS,
    OUTLET_HEADS,
    PERSON_TITLES,
    PLACE_HEADS,
    REPORTING,
    ROADS,
    STOP,
    TIME,
    TRIBES,
    VERBS,
    _words,
)

# --- tokens --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tok:
    fs: int  # start in the folded text
    fe: int  # end in the folded text
    f: str  # the folded word
    n: str  # the word as the model sees it (normalized)
    gap: str  # folded text between the previous word and this one
    term: int  # index of the glossary term covering the word, -1 if none
    term_type: str = ""
    tanween: bool = False  # written with a tanween (هربًا، أهالٍ): indefinite, no name
    after: str = ""  # folded text after the word up to the next word (the end for the last)


@dataclass(slots=True)
class _Found:
    i: int  # first token
    j: int  # last token (inclusive)
    skip: int  # letters of token i before the name (clitics)
    type: str
    signal: str


def _tokens(text: str, glossary: Glossary) -> tuple[list[_Tok], Any]:
    folded = fold(text)
    plain = normalize(text).text
    terms = glossary.match(text) if len(glossary) else []
    spans = [(t.start, t.end, t.type) for t in terms]
    toks: list[_Tok] = []
    last = 0
    for m in _WORD.finditer(folded.text):
        start, end = folded.span(m.start(), m.end())
        cover = next(
            (k for k, (s, e, _) in enumerate(spans) if s < end and start < e),
            -1,
        )
        while end < len(text) and _is_mark(text[end]):
            end += 1
        if toks:
            toks[-1].after = folded.text[last : m.start()]
        toks.append(
            _Tok(
                m.start(),
                m.end(),
                m.group(),
                plain[m.start() : m.end()],
                folded.text[last : m.start()],
                cover,
                spans[cover][2] if cover >= 0 else "",
                any(ch in _TANWEEN for ch in text[start:end]),
            )
        )
        last = m.end()
    if toks:
        toks[-1].after = folded.text[last:]
    return toks, folded


_TANWEEN = "\u064b\u064c\u064d"


def _arabic(word: str) -> bool:
    return len(word) >= 2 and all(is_arabic_letter(ch) for ch in word)


def _is_stop(f: str) -> bool:
    if f in STOP:
        return True
    if f in GIVEN_NAMES:
        return False
    accusative = len(f) >= 4 and f.endswith("ا") and not _definite(f) and not f.endswith("يا")
    if accusative and f[:-1] in STOP | PERSON_TITLES:
        return True  # the indefinite accusative of a common word or a title (معرضا، قائدا);
        # not سوريا، تركيا: a nisba and ا is a country
    if (f.endswith("ت") and f[:-1] in VERBS) or (f.endswith("وا") and f[:-2] in VERBS):
        return True  # the feminine or the plural of a verb (خرجت، دخلوا)
    if _masdar(f[2:], definite=True) if _definite(f) else _masdar(f):
        return True  # a verbal noun by its pattern (تحليق، استقدام، انقطاع، اقتحام)
    for conj in ("", *_CONJ):
        if not f.startswith(conj):
            continue
        rest = f[len(conj) :]
        for prep in ("", *_PREPS):
            if conj == prep == "":
                continue
            bare = rest[len(prep) :]
            # باب is no ب + آب; but بأن is ب + أن, فإن is ف + إن
            short = prep and len(bare) < 3 and bare not in FUNCTION
            if rest.startswith(prep) and not short and rest[len(prep) :] in STOP:
                return True
        if rest.startswith("لل") and ("ال" + rest[2:]) in STOP:
            return True
    return False


def _masdar(f: str, *, definite: bool = False) -> bool:
    """A verbal noun of the derived patterns, by its letters: تفعيل (تحرير، تحويل), استفعال
    (استقدام), انفعال (انقطاع), افتعال (اقتحام، انتشار). Place and person names of these
    exact shapes are rare; a name is never read into a verbal noun after it (محطة تحويل)."""
    n = len(f)
    if n == 5 and f[0] == "ت" and f[3] == "ي" and f[4] not in "اهي":  # not تركيا
        return True
    if n == 7 and f.startswith("است") and f[5] == "ا":
        return True
    if n == 6 and f.startswith("ان") and f[4] == "ا":
        return True
    if n == 5 and f[0] == "ت" and f[2] == "ا" and f[4] not in "اهي":
        return True  # تفاعل: تناول، تصاعد، تواصل
    if n == 6 and f[0] == "م" and f[2] == "ا" and f[5] == "ه" and not definite:
        return True  # مفاعلة: مراقبة، مواجهة (with the article it names: المسالمة، المواساة)
    return n == 6 and f[0] == "ا" and f[2] == "ت" and f[4] == "ا"


#: The future prefix on a present-tense verb (ستشهد، سيعود، سنواصل).
_FUTURE = ("ست", "سي")


_ALI = fold("علي").text


def _given(tok: _Tok) -> bool:
    """A given name (على "on" folds like علي, and is none)."""
    return tok.f in GIVEN_NAMES and not (tok.f == _ALI and tok.n.endswith("ى"))


def _starts_name(tok: _Tok) -> bool:
    """A word a person's name can start with: no article, no adjective, no pronoun suffix."""
    if _given(tok):
        return True
    return (
        _namey(tok)
        and not _definite(tok.f)
        and not _adjective(tok.f)
        and not (len(tok.n) > 2 and tok.n.endswith(("ه", "ها", "هم", "هما")))
    )


def _namey(tok: _Tok) -> bool:
    """A word that may be part of a name: Arabic, not a glossary term, not a common word."""
    return (
        tok.term < 0
        and not tok.tanween
        and _arabic(tok.f)
        and not _is_stop(tok.f)
        and not _heady(tok.f)
    )


def _heady(f: str) -> bool:
    if f in PERSON_TITLES or f in PLACE_HEADS or f in OUTLET_HEADS or f in REPORTING:
        return True
    heads = _HEADS | OUTLET_HEADS
    return f[_strip(f, ("و", "ل", "ب", "ف"), heads) :] in heads  # لإذاعة


def _definite(f: str) -> bool:
    return f.startswith("ال") and len(f) > 3


def _adjective(f: str) -> bool:
    """An indefinite nisba adjective (سكني، زراعية): after a place word it is no name.
    (والحسينية has the article behind its و: a definite name in a list, no adjective.)"""
    if _definite(f) or f.startswith(_PREPOSED):
        return False
    return f.endswith("يه") or (f.endswith("يا") and len(f) > 5)


def _indefinite_adj(tok: _Tok) -> bool:
    """An adjective without the article (جديدة، احتجاجية): it follows common nouns, and a
    name, definite by itself, takes the article on its adjectives."""
    if tok.f.startswith("و") and tok.f not in ADJECTIVES:
        return False  # وناحية: the next item of a list, no adjective of the word before
    f = tok.f[:-1] if tok.f.endswith("ا") and len(tok.f) > 4 else tok.f  # جديدا
    return (f in ADJECTIVES and not _definite(f)) or _adjective(tok.f)


def _joined(toks: list[_Tok], k: int) -> bool:
    """Token ``k`` follows token ``k - 1`` with only spaces between (no comma, no quote)."""
    return not toks[k].gap.strip()


def _strip(f: str, clitics: Sequence[str], lexicon: Iterable[str] | None = None) -> int:
    """Letters to read off ``f`` as one of ``clitics``: 0 when none, when ``f`` is a given name
    (وليد، بدر), or, given a ``lexicon``, when ``f`` is in it or no stripped form is
    (بلدة is بلدة, not ب + لدة)."""
    if f in GIVEN_NAMES or (lexicon is not None and f in lexicon):
        return 0
    for c in clitics:
        fits = lexicon is None or f[len(c) :] in lexicon
        if f.startswith(c) and len(f) - len(c) >= 2 and fits:
            return len(c)
    return 0


def _run(
    toks: list[_Tok],
    i: int,
    kind: str,
    *,
    terms: bool | frozenset[str] = False,
    person: bool = False,
) -> int:
    """The last token of a name starting at token ``i`` (``i - 1`` when none starts there).

    ``terms``: glossary terms may stand inside the name (``True``: those of
    :data:`_INNER_TYPES`; a set: those of these types). ``person``: a person's name is due
    after this one (a title stood before its head word: رئيس بلدية الهرمل صبحي صقر), so a
    given name, a kunya or عبد ends it."""
    inner = _INNER_TYPES if terms is True else (terms or frozenset())
    limit = _MAX_WORDS[kind]
    j = i - 1
    while j + 1 < len(toks) and j + 1 - i < limit:
        k = j + 1
        tok = toks[k]
        after_prefix = k > i and toks[k - 1].f in _TOPONYM_PREFIXES
        if person and k > i and _personal(tok) and not after_prefix:
            break  # مخيم الكرامة | يوسف الحسن
        inside = kind in ("place", "person", "facility") and k > i and _joined(toks, k)
        honoured = kind == "facility" and tok.f in _HONOURS and k + 1 < len(toks)
        if honoured and _joined(toks, k + 1) and _personal(toks[k + 1]):
            j = k  # مدرسة الشهيد باسل حمدان: a facility named after a person
            continue
        inside = inside and kind != "facility"
        if inside and _toponym_prefix(toks, k) and (kind == "place" or _definite(tok.f)):
            j = k  # حوش السيد علي: a title inside a place's name, its name-word follows
            continue
        if kind == "place" and after_prefix and _given(tok) and _joined(toks, k):
            j = k
            continue
        if kind == "person" and k > i and _family_title(toks, k):
            j = k  # حارس حطين، عبد الإله الشيخ، …: الشيخ is the family's name here
            break
        family = _given(toks[k - 1])  # محطة سليمان الحلبي: a person's nisba, part of it
        if kind == "facility" and k > i and _nisba(tok.f) and len(tok.f) >= 6 and not family:
            break  # حقل كورمور الغازي: the gas field, not its name
        if kind == "place" and k > i and _nisba_adjective(tok.f):
            break  # بلدة عكاشات الصحراوية: the desert town, not its name
        if k > i and (not _joined(toks, k) or (tok.f.startswith("و") and tok.f not in GIVEN_NAMES)):
            break  # a comma or a list: the name ended
        if tok.f.startswith(_PREPOSED):
            break  # للتصدي، بالقرب: a preposition starts the next phrase
        if k > i and tok.f[:1] in ("ب", "ل") and len(tok.f) >= 5 and not _given(tok):
            break  # بمحاسبة: a preposition on a verbal noun, after the name
        if len(tok.f) >= 5 and tok.f.startswith(_FUTURE) and not _given(tok):
            break  # ستشهد، سيعود: a verb in the future after the name
        pronoun = tok.n.endswith(_SUFFIXES) or (tok.n.endswith("ه") and not _definite(tok.f))
        if k > i and len(tok.n) >= 5 and pronoun and not _given(tok):
            break  # عصائب أهل الحق إجراءاتهم: a noun with a pronoun, after the name
        if k > i and kind == "organisation" and _participle(tok.f):
            break  # فرقة الحمزة العاملة في …: the brigade operating in, not its name
        if k > i + 1 and kind == "organisation" and _nisba(toks[k - 1].f):
            break  # قوات سوريا الديمقراطية قسد: the adjective ended the name
        if k > i and k + 1 < len(toks) and _joined(toks, k + 1) and _indefinite_adj(toks[k + 1]):
            break  # مطار القامشلي رحلة جديدة: a word an indefinite adjective follows is a noun
        given = k > i and _given(tok) and kind in ("person", "place", "facility")
        heading = kind in ("outlet", "organisation") and k > i and _definite(tok.f)
        heading = heading and tok.f in PLACE_HEADS  # صوت العاصمة
        if not (_namey(tok) or given or heading or (tok.term >= 0 and tok.term_type in inner)):
            break
        j = k
    return j


_PREPOSED = ("لل", "بال", "كال", "وال", "فال")


#: Pronoun suffixes: a word with one is a noun of the sentence, no part of a name.
_SUFFIXES = ("هم", "هما", "كم", "ها")
#: Titles a facility is named with before a person's name (مدرسة الشهيد باسل حمدان).
_HONOURS = _words("الشهيد الشهيدة الشيخ الإمام الدكتور القائد")


def _person_inside(toks: list[_Tok], start: int, j: int) -> int | None:
    """Where a given name or kunya starts a person inside the run ``start..j`` after a title
    whose first words are none (محافظ بعلبك الهرمل بشير خضر), when at least two words come
    before it: those words are the office's place."""
    if _personal(toks[start]):
        return None
    for m in range(start + 2, j + 1):
        if _personal(toks[m]) and m < j:
            return m
    return None


def _participle(f: str) -> bool:
    """A definite active participle (العاملة، الناشطة، المنتشر is not one of this shape):
    فاعل or فاعلة with the article."""
    if not _definite(f):
        return False
    bare = f[2:]
    return bare[1:2] == "ا" and (len(bare) == 4 or (len(bare) == 5 and bare.endswith("ه")))


def _family_title(toks: list[_Tok], k: int) -> bool:
    """Token ``k`` is a definite title (الشيخ، الحاج، الأمير) that ends a person's name: a
    comma or the sentence's end follows, so no name of its own comes after it."""
    tok = toks[k]
    if tok.f not in _TOPONYM_PREFIXES or not _definite(tok.f) or not _joined(toks, k):
        return False
    return k + 1 == len(toks) or toks[k + 1].gap.strip() in (*_COMMAS, ".")


def _personal(tok: _Tok) -> bool:
    """A word a person's name starts with for certain: a given name, a kunya, عبد."""
    return _given(tok) or tok.f in _KUNYA or tok.f == _ABD


#: Outlet words after which one definite word, common or not, is the outlet's name (موقع and
#: شبكة are left out: موقع الحادث is the site, شبكة المياه the network).
_BROADCASTERS = _words("قناة صحيفة وكالة إذاعة تلفزيون مجلة راديو")


def _outlet_word(tok: _Tok) -> bool:
    f = tok.f
    return (
        tok.term < 0
        and _definite(f)
        and _arabic(f)
        and f not in FUNCTION | TIME | _REFERENCE
        and not f.startswith(_PREPOSED)
        and not (f in STOP and f not in ADJECTIVES and f not in _OUTLET_NOUNS)
    )


#: Common nouns that name outlets (صحيفة الثورة، تلفزيون الخبر); other nouns after قناة are a
#: canal's (قناة الري).
_OUTLET_NOUNS = _words("الثورة الخبر الأخبار الشعب الوطن الحدث الحياة الدولة")


#: Bodies whose names state their purpose in لل (منظمة … للتنمية، جمعية … للإغاثة).
_CHARITIES = _words("جمعية منظمة هيئة اتحاد رابطة مؤسسة شركة مرصد")


def _title_before(toks: list[_Tok], i: int, *, quote: bool = False) -> bool:
    """A person's title stands before the head word at token ``i``, with office words between
    and no punctuation (رئيس المجلس المحلي في مدينة مارع …): the title's person follows the
    place. ``quote``: token ``i`` opens a quotation (its mark is no punctuation here)."""
    for back in range(1, _TITLE_REACH + 1):
        k = i - back
        if k < 0:
            return False
        if not _joined(toks, k + 1) and not (quote and k + 1 == i and toks[i].gap.strip() == '"'):
            return False
        f = toks[k].f
        if f[_strip(f, ("و", "ف", "ل", "ب"), PERSON_TITLES) :] in PERSON_TITLES:
            return True
        office = toks[k].term >= 0 or f in _AFFILIATION_LINKS or f in _OFFICE or _definite(f)
        if not (office or _heady(f) or _namey(toks[k])) or f in VERBS:
            return False  # وأشار الفريق إلى أن …: a clause, not an office, between
    return False


#: Settlement and facility words after which a common word, definite, is a name (بلدة
#: الزيارة، مشفى الشعب، دوار الزراعة).
_SETTLEMENTS = _words("مدينة بلدة قرية حي مخيم مدينتي بلدتي قريتي حيي مخيمي مدن بلدات قرى أحياء")
_NAMED_FACILITIES = _words("مشفى مستشفى دوار ساحة سجن جسر معبر مطار مدرسة جامع مسجد ملعب")
#: Definite words that refer back, count or qualify: never a name after a head word (مشفى
#: المدينة is the city's hospital).
_REFERENCE = _words(
    """المدينة البلدة القرية المنطقة المحافظة الحي الريف البلاد الدولة المخيم المعبر المطار
    المكان الناحية الحدود المركز الموقع المقر السجن المحطة الساحة المشفى المستشفى المدرسة
    الجامعة المسجد الأول الأولى الثاني الثانية الثالث الأخير الأخيرة الآخر الأخرى الذين
    الحكومة النظام الجيش القوات المعارضة الفصائل الجبهة الجبهات الطريق الشارع السوق المبنى"""
)
#: After a settlement word facilities name neighbourhoods (حي المحطة، حي الجامعة): only
#: places, ordinals and institutions refer back.
_PLACE_REFERENCE = _words(
    """المدينة البلدة القرية المنطقة المحافظة الحي الريف البلاد الدولة المخيم المكان الناحية
    الحدود الأول الأولى الثاني الثانية الثالث الأخير الأخيرة الآخر الأخرى الذين الحكومة النظام
    الجيش القوات المعارضة الفصائل"""
)


def _common_name(toks: list[_Tok], k: int, reference: frozenset[str]) -> bool:
    """Token ``k``, after a settlement or facility word, is a common noun with the article that
    names the place (بلدة الزيارة): a lexicon noun, no adjective, time word or ``reference``
    (a word that refers back: مشفى المدينة is the city's hospital)."""
    if k >= len(toks) or not _joined(toks, k):
        return False
    tok = toks[k]
    f = tok.f
    return (
        tok.term < 0
        and _definite(f)
        and f in STOP
        and f not in ADJECTIVES | TIME | reference | FUNCTION | DIRECTIONS
        and not f.startswith(("الشمال", "الجنوب", "الشرق", "الغرب"))
    )


def _nisba(f: str) -> bool:
    return _definite(f) and f.endswith(("ي", "يه"))


def _indefinite_nisba(tok: _Tok) -> bool:
    """An indefinite masculine nisba (تطوعي، تدريبي): after a body or facility word, an
    adjective."""
    f = tok.f
    return not _definite(f) and tok.n.endswith("ي") and len(f) >= 5 and not _given(tok)


def _nisba_adjective(f: str) -> bool:
    """A definite nisba adjective of some length, singular or dual (الصحراوية،
    الحدوديتين): it describes a place before it and is not part of its name."""
    return _definite(f) and len(f) >= 7 and f.endswith(("يه", "يتين", "يين", "يان"))


#: Glossary terms that may stand inside an organisation's name (مجلس منبج العسكري).
_INNER_TYPES = frozenset({"place", "state", "person", ""})
#: Glossary terms a facility may be named after (مطار القامشلي، جامعة دمشق).
_PLACE_TYPES = frozenset({"place", "state"})


# --- the signals ---------------------------------------------------------------------------


def _find(toks: list[_Tok]) -> list[_Found]:
    """Every name-like span of one segment, with its signal."""
    found: list[_Found] = []
    taken: set[int] = set()

    def add(i: int, j: int, kind: str, signal: str, skip: int = 0) -> bool:
        if j < i or any(k in taken for k in range(i, j + 1)):
            return False
        if all(toks[k].term >= 0 for k in range(i, j + 1)):
            return False  # the glossary knows it
        found.append(_Found(i, j, skip, kind, signal))
        taken.update(range(i, j + 1))
        return True

    quoted = _quotations(toks)
    # Quotations first: the marks delimit the name exactly.
    for i, j in quoted:
        kind = _quoted_kind(toks, i, quoted)
        if kind == "quoted" and _body_pattern(toks[i : j + 1]):
            kind = "organisation"  # "الأمانة السورية للتنمية"
        known = any(toks[k].term >= 0 for k in range(i, j + 1))
        headed = i > 0 and _strip_head(toks[i - 1].f) in _QUOTE_HEADS
        name = _quoted_name(toks[i : j + 1], headed=headed)
        if kind and name and (not known or kind != "person"):
            add(i, j, kind, "quoted")
    for i, tok in enumerate(toks):
        if i in taken:
            continue
        f = tok.f
        if tok.n.endswith("ه"):
            continue  # فرقه "his teams", not فرقة: a pronoun, folded like a ta marbuta
        skip = _strip(f, ("و", "ب", "ل", "ف", "وب", "ول"), _BODY_HEADS)  # لجامعة، وسجن
        f = f[skip:]
        if f in FACILITY_HEADS and i + 1 < len(toks) and _joined(toks, i + 1):
            # a facility may be named after a place the glossary knows (مطار القامشلي)
            j = _run(toks, i + 1, "facility", terms=_PLACE_TYPES, person=_title_before(toks, i))
            if _indefinite_nisba(toks[i + 1]):
                j = i  # معسكر تدريبي
            if j <= i and f in _NAMED_FACILITIES and _common_name(toks, i + 1, _REFERENCE):
                j = i + 1  # مشفى الشعب، دوار الزراعة
            if j > i:
                add(i, j, "facility", "facility-word", skip)
        elif f in ORG_HEADS and i + 1 < len(toks) and _joined(toks, i + 1):
            j = _org_run(toks, i + 1, person=_title_before(toks, i))
            if j > i:
                add(i, j, _org_type(toks, i, f), "organisation-word", skip)
        elif f == _BRIGADE_TITLE and i + 1 < len(toks) and toks[i + 1].f in _ORDINALS:
            add(i, i + 1, "armed-group", "organisation-word", skip)  # اللواء الثامن
    for i, tok in enumerate(toks):
        if i in taken:
            continue
        f = tok.f
        stripped = f[_strip(f, ("و", "ب", "ل", "وب", "ول"), _INTRO) :]
        if stripped in PLACE_HEADS or stripped in DIRECTIONS:
            k = i + 1
            while (
                k < len(toks)
                and _joined(toks, k)
                and (toks[k].f in PLACE_HEADS or toks[k].f in DIRECTIONS)
            ):
                k += 1  # ريف مدينة …، جنوب شرق …
            head = stripped if k == i + 1 else toks[k - 1].f
            # after a settlement word only the lexicon's adjectives are taken for adjectives:
            # بلدة جوسية is a name, قرية نائية is not (a region's word: منطقة صحراوية)
            settled = head in _SETTLEMENTS
            if k >= len(toks):
                continue  # the place word ends the sentence
            adjective = toks[k].f in ADJECTIVES if settled else _adjective(toks[k].f)
            if k < len(toks) and _joined(toks, k) and adjective:
                _examples(toks, k + 1, add)  # بلدات حدودية كسلقين وحارم
            if k < len(toks) and _joined(toks, k) and not adjective:
                person = _title_before(toks, i)
                j = _run(toks, k, "place", person=person)
                if j < k and _toponym_prefix(toks, k):
                    j = max(_run(toks, k + 1, "place", person=person), k + 1)  # منطقة الشيخ نجار
                if j < k and settled and _common_name(toks, k, _PLACE_REFERENCE):
                    j = k  # بلدة الزيارة، حي المحطة: a common word, named after
                if j >= k and stripped not in _REGIONS:
                    j = _place_adjective(toks, k, j)
                if j >= k and add(k, j, "place", "place-word"):
                    _lists(toks, j, add)
                elif k < len(toks) and toks[k].term >= 0:
                    _lists(toks, _term_end(toks, k), add)
        elif stripped in OUTLET_HEADS and i + 1 < len(toks) and _joined(toks, i + 1):
            j = _run(toks, i + 1, "outlet") if not _adjective(toks[i + 1].f) else i
            if j <= i and stripped in _BROADCASTERS and _outlet_word(toks[i + 1]):
                j = i + 1  # قناة الجديد، صحيفة الثورة: a common word names the outlet
            if j > i:
                add(i + 1, j, "outlet", "outlet-word")
    for i, tok in enumerate(toks):
        if i in taken:
            continue
        f = tok.f[_strip(tok.f, ("و", "ف", "ل", "ب"), PERSON_TITLES) :]
        inside = f == tok.f and f in _TOPONYM_PREFIXES and i > 0 and _joined(toks, i)
        if inside and _given(toks[i - 1]):
            continue  # عمر الحاج يوسف: الحاج is inside the name, not the title of يوسف
        if f in PERSON_TITLES:
            start = _after_title(toks, i, taken)
            if start is not None:
                j = _run(toks, start, "person")
                m = _person_inside(toks, start, j)
                if m is not None:  # محافظ بعلبك الهرمل بشير خضر: the office's place, then him
                    add(start, m - 1, "place", "title")
                    start = m
                if j >= start:
                    add(start, j, "person", "title")
    for i, tok in enumerate(toks):
        if i in taken or i + 1 >= len(toks) or not _joined(toks, i + 1):
            continue
        skip = _strip(tok.f, ("و", "ف", "ل", "ب"), _PERSONAL)
        f = tok.f[skip:]
        given = skip > 0 and f in GIVEN_NAMES and not (f == _ALI and tok.n.endswith("ى"))
        if _given(tok) or given or f in _KUNYA or f == _ABD:  # (وعلي أحمد المسالمة)
            nxt = toks[i + 1]
            if nxt.f[:1] in ("ب", "ل") and len(nxt.f) >= 5 and not _given(nxt):
                continue  # عائلة بكر بفدية: a preposition starts the next phrase
            if _definite(nxt.f) and _toponym_prefix(toks, i + 1) and nxt.term < 0:
                j = _run(toks, i + 2, "person")  # عمر الحاج يوسف: a title inside the name
                add(i, max(j, i + 2), "person", "given-name", skip)
                continue
            if tok.term >= 0 or nxt.term >= 0 or not (_namey(nxt) or _given(nxt)):
                continue  # (أم علي: a kunya on a given name that folds like على)
            j = _run(toks, i + 1, "person")
            add(i, max(j, i + 1), "person", "given-name", skip)
    for i, tok in enumerate(toks[:-2]):
        if tok.f in _AREAS and _joined(toks, i + 1) and toks[i + 1].f in ADJECTIVES | _AREA_ADJ:
            _examples(toks, i + 2, add)  # مناطق ريفية كالقصير وتلبيسة
    _toponyms(toks, add)
    _roads(toks, add)
    _tribes(toks, add)
    _aliases(toks, found, add)
    return found


def _toponym_prefix(toks: list[_Tok], k: int) -> bool:
    """Token ``k`` is a title or kunya a place is named with (منطقة الشيخ نجار، قرية أم
    الكيف), and a name-like word follows it."""
    return (
        toks[k].f in _TOPONYM_PREFIXES
        and toks[k].term < 0
        and k + 1 < len(toks)
        and _joined(toks, k + 1)
        and (_namey(toks[k + 1]) or _given(toks[k + 1]))
    )


def _place_adjective(toks: list[_Tok], k: int, j: int) -> int:
    """The end of a place name ``k..j`` with the definite direction or size adjective that is
    part of it (بلدة الصورة الكبرى، حي الرمل الجنوبي; the glossary writes الغوطة الشرقية): the
    name is one definite word and the adjective agrees with it in gender."""
    if j != k or j + 1 >= len(toks) or not _joined(toks, j + 1) or not _definite(toks[k].f):
        return j
    adj = toks[j + 1]
    if adj.term >= 0 or adj.f not in _PLACE_ADJECTIVES:
        return j
    feminine_name = toks[k].n.endswith("ة")
    feminine_adj = adj.n.endswith(("ة", "ى"))  # الكبرى، الغربية، الكبيرة
    return j + 1 if feminine_name == feminine_adj else j


#: Titles and kunyas that places are named with (الشيخ مقصود، أم باطنة، أبو الظهور).
_TOPONYM_PREFIXES = _words("الشيخ السيد الشيخة السيدة الحاج الأمير الإمام أبو أم")
#: Adjectives that are part of a settlement's name after it (الصورة الكبرى، المليحة الغربية).
_PLACE_ADJECTIVES = _words(
    """الكبرى الصغرى الوسطى العليا السفلى الشرقي الشرقية الغربي الغربية الشمالي الشمالية
    الجنوبي الجنوبية الفوقاني الفوقانية التحتاني التحتانية الكبيرة الصغيرة الكبير الصغير"""
)
#: Place words of a region around a place: an adjective after the place is the region's part
#: (ريف دير الزور الشرقي is the eastern countryside, not a name).
_REGIONS = _words("ريف ريفي أرياف محافظة محافظتي محافظات بادية")


#: First words of Levantine place names (كفر يحمول، معرة مصرين، تل رفعت، دير حسان، خربة
#: غزالة): with a name-like word after them they are a place, no place word needed.
_TOPONYM_STARTS = _words("كفر معرة معره تل دير خربة جبل عين وادي")
#: كفر fused with the rest of a village's name (كفرنبل، كفرتخاريم).
_KAFR = fold("كفر").text


def _toponyms(toks: list[_Tok], add: Any) -> None:
    """Places named by their first word (بين معرة مصرين وكفر يحمول), and the list after."""
    for i, tok in enumerate(toks):
        skip = _strip(tok.f, ("و", "ب", "ل", "ف", "وب", "من"), _TOPONYM_STARTS)
        if not skip and tok.f[:1] in "وبلف" and tok.f[1:].startswith(_KAFR):
            skip = 1  # وكفرتخاريم
        bare = tok.f[skip:]
        if tok.term < 0 and bare.startswith(_KAFR) and len(bare) >= 6 and not _is_stop(bare):
            if add(i, i, "place", "toponym", skip):
                _lists(toks, i, add)
            continue
        if i + 1 >= len(toks) or tok.term >= 0 or bare not in _TOPONYM_STARTS:
            continue
        if not _joined(toks, i + 1):
            continue
        nxt = toks[i + 1]
        if not _namey(nxt) or _adjective(nxt.f) or nxt.f.startswith(_PREPOSED):
            continue  # تل استراتيجي
        j = min(_run(toks, i + 1, "place"), i + 2)
        if add(i, j, "place", "toponym", skip):
            _lists(toks, j, add)


def _roads(toks: list[_Tok], add: Any) -> None:
    """طريق سرمدا - الدانا: the two ends of a road are places."""
    for i, tok in enumerate(toks):
        if tok.f[_strip(tok.f, ("و", "ب", "ل"), ROADS) :] not in ROADS:
            continue
        k = i + 1
        if k < len(toks) and _joined(toks, k):
            j = _run(toks, k, "place")
            if j >= k and j + 1 < len(toks) and toks[j + 1].gap.strip() == "-":
                m = _run(toks, j + 1, "place")
                if m > j and add(k, j, "place", "road"):
                    add(j + 1, m, "place", "road")


def _tribes(toks: list[_Tok], add: Any) -> None:
    """عشيرة البكير is a tribe; عشائر حوران the tribes of a region."""
    for i, tok in enumerate(toks[:-1]):
        stem = tok.f[_strip(tok.f, ("و", "ب", "ل", "من"), TRIBES) :]
        if stem in TRIBES and _joined(toks, i + 1):
            j = _run(toks, i + 1, "place")
            if j > i:
                add(i + 1, j, TRIBES[stem], "tribe")


def _term_end(toks: list[_Tok], k: int) -> int:
    term = toks[k].term
    while k + 1 < len(toks) and toks[k + 1].term == term:
        k += 1
    return k


#: Plural area words that introduce examples with ك (مناطق ريفية كالقصير).
_AREAS = _words("مناطق المناطق مدن بلدات قرى أحياء مخيمات")
_AREA_ADJ = _words("ريفية حدودية نائية محاذية مجاورة")


def _examples(toks: list[_Tok], k: int, add: Any) -> None:
    """Places given as examples with ك after a place word and its adjective (بلدات حدودية
    كسلقين وحارم), and the list that follows."""
    if k >= len(toks) or not _joined(toks, k) or toks[k].term >= 0:
        return
    f = toks[k].f
    if not f.startswith("ك") or f.startswith(_KAFR) or f in STOP or len(f) < 4:
        return
    rest = _Tok(toks[k].fs + 1, toks[k].fe, f[1:], toks[k].n[1:], "", -1)
    if not _namey(rest) or rest.f.startswith(_PREPOSED):
        return
    if add(k, k, "place", "list", 1):
        _lists(toks, k, add)


def _lists(toks: list[_Tok], j: int, add: Any) -> None:
    """Places listed after a place: مدن الباب ومنبج وعين العرب."""
    while j + 1 < len(toks) and _joined(toks, j + 1) and toks[j + 1].f.startswith("و"):
        k = j + 1
        if toks[k].term >= 0:
            j = _term_end(toks, k)
            continue
        if _is_stop(toks[k].f):
            return  # وقفة is a word as written: no و to read off it
        if k + 1 < len(toks) and _joined(toks, k + 1) and _indefinite_adj(toks[k + 1]):
            return  # وقفة احتجاجية: a noun and its adjective, not a place
        skip = _strip(toks[k].f, ("و",))
        f = toks[k].f[skip:]
        if skip and f in _TOPONYM_PREFIXES and _definite(f) and _toponym_prefix(toks, k):
            if not add(k, k + 1, "place", "list", skip):  # القدموس والشيخ بدر
                return
            j = k + 1
            continue
        if not skip or _is_stop(f) or _heady(f) or not _arabic(f) or f in _KUNYA:
            return
        if f.startswith(_PREPOSED) or toks[k].term >= 0:
            return
        if toks[k].n.endswith(("ها", "هم", "هما")):
            return  # وريفها: a pronoun, not a name
        end = k
        while end + 1 < len(toks) and _joined(toks, end + 1) and end - k < 2:
            nxt = toks[end + 1]
            future = len(nxt.f) >= 5 and nxt.f.startswith(_FUTURE)  # وكرم الشامي ستخضع
            if nxt.f in _TOPONYM_PREFIXES and _definite(nxt.f):
                if end + 2 >= len(toks) or not _joined(toks, end + 2):
                    end += 1  # وطيبة الإمام.: a title that ends a place's name
                break
            if not _namey(nxt) or nxt.f.startswith(("و", *_PREPOSED)) or _nisba_adjective(nxt.f):
                break  # والقصر الحدوديتين: the list's adjective, not its name
            if future:
                break
            end += 1
        if not add(k, end, "place", "list", skip):
            return
        j = end


def _org_type(toks: list[_Tok], i: int, head: str) -> str:
    """The type the organisation word ``head`` at token ``i`` gives: غرفة is an operations room
    (غرفة عمليات …) or a chamber (غرفة تجارة حلب)."""
    kind = ORG_HEADS[head]
    if head == _ROOM and not (i + 1 < len(toks) and toks[i + 1].f in _OPERATIONS):
        return "organisation"
    return kind


#: اللواء is a rank (اللواء فلان) and, before an ordinal, a brigade (اللواء الثامن).
_BRIGADE_TITLE = fold("اللواء").text
_ORDINALS = _words(
    """الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر الحادي الثاني عشر
    الأولى الثانية الثالثة الرابعة الخامسة السادسة السابعة الثامنة التاسعة العاشرة"""
)


_ROOM = fold("غرفة").text
_OPERATIONS = _words("عمليات العمليات")


def _org_run(toks: list[_Tok], i: int, *, person: bool = False) -> int:
    """The name after an organisation word: words and place names, then its adjectives, and
    a purpose in لل with its adjective (جمعية عطاء للإغاثة الإنسانية)."""
    if _indefinite_nisba(toks[i]):
        return i - 1  # فريق تطوعي: an indefinite nisba adjective, no name
    j = _run(toks, i, "organisation", terms=True, person=person)
    if j < i:
        return j
    if (
        toks[i - 1].f in _CHARITIES
        and j + 1 < len(toks)
        and _joined(toks, j + 1)
        and toks[j + 1].f.startswith("لل")
        and len(toks[j + 1].f) >= 5
    ):
        j += 1
        if j + 1 < len(toks) and _joined(toks, j + 1) and _nisba(toks[j + 1].f):
            j += 1
        return j
    inner = toks[i : j + 1]
    if not any(_namey(t) and not _adjective(t.f) for t in inner) and not any(
        t.term >= 0 for t in inner
    ):
        return i - 1
    # adjectives that complete the name: مجلس منبج العسكري، قوات سوريا الديمقراطية
    while j + 1 < len(toks) and _joined(toks, j + 1) and j + 1 - i < _MAX_WORDS["organisation"]:
        nxt = toks[j + 1]
        if nxt.term >= 0 or not _definite(nxt.f) or not nxt.f.endswith(("ي", "يه")):
            break
        j += 1
    if all(t.term >= 0 for t in toks[i : j + 1]) and j + 1 - i == 1:
        return i - 1  # قوات دمشق, جيش تركيا: a place's forces, not a name
    return j


def _after_title(toks: list[_Tok], i: int, taken: set[int]) -> int | None:
    """Where the person's name starts after the title at token ``i``, if anywhere."""
    affiliation = toks[i].f in _AFFILIATION
    k = i + 1
    while k < len(toks) and k - i <= _TITLE_REACH:
        if not _joined(toks, k) and toks[k].gap.strip() != '"':
            if k > i + 1 and toks[k].gap.strip() in _COMMAS and _apposition(toks, k):
                return k  # مختار بلدة القصر، حسين جعفر، …: the name set off by commas
            return None  # a comma or a full stop: no name followed
        tok = toks[k]
        if k in taken or tok.term >= 0:
            k += 1
            continue
        f = tok.f
        if f.startswith("و") and not _given(tok) and f not in STOP and not _heady(f):
            return None  # وينحدر: the next clause (وزارة is a word, no و on it)
        if affiliation and f in _AFFILIATION_LINKS:
            k += 1
            continue
        if f == _FI and k + 1 < len(toks) and toks[k + 1].term >= 0:
            k += 1  # مدير فرع المحروقات في حلب، …: the office's seat
            continue
        if _starts_name(tok):
            return k
        head = f[_strip(f, ("و", "ل", "ب"), _HEADS) :]
        if head in ORG_HEADS or head in FACILITY_HEADS or head in PLACE_HEADS:
            k += 1  # لقوات …: the body's name follows, then the person's
            continue
        if (
            (_is_stop(f) and (_definite(f) or f in _OFFICE))
            or f in PERSON_TITLES
            or f in ORG_HEADS
            or f in FACILITY_HEADS
        ):
            k += 1  # office words: وزير الدفاع التركي، رئيس هيئة التفاوض
            continue
        if affiliation and _namey(tok):
            k += 1  # the body he speaks for (المتحدث باسم الفرقة الفلانية)
            continue
        return None
    return None


_COMMAS = (",", "،")
_FI = fold("في").text


def _apposition(toks: list[_Tok], k: int) -> bool:
    """A person's name starts at token ``k`` and a comma closes it (… القائم، تركي المحلاوي،)."""
    if not _starts_name(toks[k]):
        return False
    j = _run(toks, k, "person")
    return k < j + 1 < len(toks) and toks[j + 1].gap.strip() in _COMMAS


#: Indefinite office words between a title and a name (رئيس بلدية …، مدير عام …).
_OFFICE = _words("بلدية عام مكتب فرع دائرة قسم مديرية لجنة مجلس هيئة وزارة خارجية دفاع داخلية شؤون")


def _quotations(toks: list[_Tok]) -> list[tuple[int, int]]:
    """Short quotations: (first, last) tokens between a pair of quotation marks."""
    out = []
    opened: int | None = None
    for k, tok in enumerate(toks):
        marks = tok.gap.count('"')
        if opened is not None and marks:
            if k - opened <= _MAX_QUOTED:
                out.append((opened, k - 1))
            opened = None
            marks -= 1
        if marks % 2 == 1:
            opened = k
    if opened is not None and '"' in toks[-1].after and len(toks) - opened <= _MAX_QUOTED:
        out.append((opened, len(toks) - 1))  # closed after the last word: … منظمة "إحسان".
    return out  # an unclosed quotation is speech running on


#: Words after which a short quotation is a name, whatever its words (مؤسسة "عطاء").
_QUOTE_HEADS = (
    OUTLET_HEADS | frozenset(ORG_HEADS) | FACILITY_HEADS | _words("إدارة مديرية نقابة دائرة مؤسسة")
)


def _strip_head(f: str) -> str:
    return f[_strip(f, ("و", "ف", "ل", "ب"), OUTLET_HEADS | frozenset(ORG_HEADS)) :]


def _quoted_name(words: list[_Tok], *, headed: bool = False) -> bool:
    """Whether a quotation can be a name: it starts with a name-like word (or a known name),
    holds no function word, and at least half its words are name-like, known or numbers
    ("سرايا أنصار السنة", "درعا 24"): the marks, not the lexicon, delimit it.

    ``headed``: the quotation follows an outlet or body word (تلفزيون "الخبر"), which says it is
    a name; one or two words without a function word are then enough, common words or not."""
    first = words[0]
    if headed and len(words) <= 2 and all(_arabic(t.f) or t.f.isdigit() for t in words):
        return not any(t.f in FUNCTION for t in words)
    if _body_pattern(words):
        return True  # "الشبكة السورية لحقوق الإنسان"
    if first.f in ORG_HEADS or first.f in FACILITY_HEADS:
        return not any(t.f in FUNCTION for t in words)  # "منظمة الإغاثة الإسلامية"
    body = _body_word(first.f)
    if not (_namey(first) or first.term >= 0 or first.f in _HEADS or body):
        return False
    if body and _seat(words):
        words = words[:-2]  # "الإدارة المدنية في الرقة": a body and the place it sits in
    if any(t.f in FUNCTION for t in words):
        return False
    fitting = sum(
        _namey(t) or t.term >= 0 or t.f.isdigit() or t.f in _HEADS or _body_word(t.f) for t in words
    )
    if words[-1].f.startswith(_PREPOSED) and not _body_pattern(words):
        return False  # "… للتصدي": a phrase running on
    return fitting * 2 >= len(words)


def _body_pattern(words: list[_Tok]) -> bool:
    """A body's name in the pattern noun, nisba adjective, لل + noun (الأمانة السورية للتنمية،
    الهيئة العامة للإغاثة, المرصد السوري لحقوق الإنسان)."""
    if len(words) < 3 or len(words) > _MAX_QUOTED:
        return False
    first, second, third = words[0], words[1], words[2]
    return (
        _definite(first.f)
        and first.f not in FUNCTION
        and (_nisba(second.f) or second.f in ADJECTIVES)
        and _definite(second.f)
        and third.f.startswith(("لل", "ل"))
        and len(third.f) >= 4
    )


def _body_word(f: str) -> bool:
    """A word that names a body (مجلس، الهيئة، الإدارة): an organisation's name starts with it."""
    bare = f[2:] if _definite(f) else f
    return bare in ORG_HEADS or bare in _BODIES


def _seat(words: list[_Tok]) -> bool:
    """The quotation ends in في and one place (… في الرقة): where the body sits, part of its
    name."""
    if len(words) < 3 or words[-2].f != "في":
        return False
    last = words[-1]
    return (last.term >= 0 and last.term_type in _PLACE_TYPES) or _namey(last)


#: Body words that are too common to start an organisation's name outside quotation marks.
_BODIES = _words("إدارة مديرية نقابة دائرة مؤسسة")


def _quoted_kind(toks: list[_Tok], i: int, quoted: list[tuple[int, int]]) -> str | None:
    """The type a quotation starting at token ``i`` suggests, from the words before it."""
    j = next(b for a, b in quoted if a == i)
    if _given(toks[i]) and (j > i or _title_before(toks, i, quote=True)):
        return "person"  # not: بتمثيل "عادل" (fair), one given name alone in quotes
    after_outlet = i > 0 and _strip_head(toks[i - 1].f) in OUTLET_HEADS  # موقع "تجمع …"
    if toks[i].f in ORG_HEADS and not after_outlet:
        return "organisation"  # "حركة رجال الكرامة" after a sheikh's name: a body, no person
    bare = toks[i].f[2:] if _definite(toks[i].f) else ""
    if bare in ORG_HEADS and not after_outlet and i + 1 < len(toks) and _nisba(toks[i + 1].f):
        return ORG_HEADS[bare]  # "الجبهة الشامية": a body with the article and its adjective
    if toks[i].f in FACILITY_HEADS:
        return "facility"  # "فرن الشهيد بلال"
    before = _strip_head(toks[i - 1].f) if i > 0 else ""
    if before in FACILITY_HEADS:
        return "facility"  # مشفى "الرحمة"
    if before in ORG_HEADS:
        return ORG_HEADS[before]  # منظمة "إحسان": a body, not a person
    if before in _QUOTE_HEADS and before not in OUTLET_HEADS:
        return "organisation"  # مؤسسة "عطاء"
    if _title_before(toks, i, quote=True):
        return "person"  # المتحدث باسم قسد "آرام حنا" (not: الدكتور فلان، بأن الزيادة "مؤقتة")
    for back in range(1, 4):
        if i - back < 0:
            break
        f = toks[i - back].f
        stem = f[_strip(f, ("و", "ف", "ل", "ب"), _BEFORE_QUOTE) :]
        if stem in OUTLET_HEADS:
            return "outlet"
        if stem in ORG_HEADS:
            return ORG_HEADS[stem]
        if stem in PERSON_TITLES:
            return "person"
        if stem in REPORTING:
            return "person" if toks[i].f in GIVEN_NAMES else "organisation"
        if toks[i - back].term < 0 and not _is_stop(f) and back == 1 and f not in ("بين",):
            break
    # the same short quotation twice in the segment's batch is decided later (repetition)
    return "quoted"


def _aliases(toks: list[_Tok], found: list[_Found], add: Any) -> None:
    """Another name in parentheses after a name, or after تعرف (أيضا) بـ: the same type."""
    kinds: dict[int, str] = {}
    for item in found:
        kinds[item.j] = item.type
    for k, tok in enumerate(toks):
        if tok.term >= 0:
            kinds[_term_end(toks, k)] = _TERM_KIND.get(tok.term_type, tok.term_type or "place")
    for k in range(1, len(toks)):
        gap = toks[k].gap.strip()
        if gap == "(" and k - 1 in kinds:
            j = _run(toks, k, "place")
            if j >= k and j + 1 <= len(toks) and (j + 1 == len(toks) or ")" in toks[j + 1].gap):
                add(k, j, kinds[k - 1], "alias")
    for k, tok in enumerate(toks):
        if tok.f not in _ALIAS_VERBS:
            continue
        m = k + 1
        if m < len(toks) and toks[m].f in _ALSO:
            m += 1
        before = max((j0 for j0 in kinds if k - 4 <= j0 < k), default=None)
        if before is None or m >= len(toks):
            continue  # an alias of no name near
        word = toks[m].f
        if word.startswith("ب") and not _definite(word[1:]) and not _is_stop(word[1:]):
            j = _run(toks, m, "place")
            if j >= m:
                add(m, j, kinds[before], "alias", 1)


_TERM_KIND = {"state": "place", "political-body": "organisation"}


def _is_mark(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) == "Mn" or ch == "\u0640"
