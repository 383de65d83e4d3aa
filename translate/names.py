"""Names the glossary does not know yet: candidates found in the Arabic of a batch.

The glossary guarantees the names it holds; news is full of names it does not hold yet (a new
spokesman, a village, a militia), and there the model fails worst (مظلوم عبدي → "oppressed
Abdi"; one name spelled three ways in one article). :func:`find_candidates` reads the Arabic of
a batch of documents and lists the sequences that behave like names the glossary lacks, each with
a suggested type, its occurrences (with contexts) and the English renderings the model produced
for it, so that an editor can add the good ones to the glossary (``tarjama glossary suggest``,
the review app) and the engine can keep one rendering per article
(:mod:`translate.engine.consistency`).

Signals, all of them properties of Arabic news copy:

* **titles and roles** before a person: المتحدث باسم …، الرئيس، القيادي في …، وزير الدفاع
  التركي …; the office words between the title and the name are skipped (a name starts with a
  word that has no article: الرئيس الجديد is no name);
* **given names** and kunyas (محمد، أبو …) followed by a family name;
* **place words** before a place: مدينة، بلدة، قرية، حي، ريف، محافظة، مخيم، and directions
  (جنوب الطبقة); lists continue the place (مدن الباب ومنبج، ريفي حلب والرقة);
* **facility and organisation heads**, kept in the name as the glossary writes them (معبر
  صفيان، مطار صرين، مجلس منبج العسكري);
* **outlet words** (وكالة، صحيفة، موقع، قناة) and **quotation marks** after a reporting verb
  (أعلنت "الإدارة الذاتية"), or the same short quotation twice;
* **aliases** in parentheses or after تعرف بـ, of the same type as the name before them;
* **repetition**: every occurrence of a candidate in the batch is found with the glossary's own
  clitic-aware matcher (وبمنبج, للقسد), and counts;
* **the English**: the capitalised words of a segment's translation that no glossary term and no
  sentence start explains are taken as the model's rendering of the candidates in it (in order),
  recorded per candidate, and count as a signal.

Traps are refused by a hand-written lexicon of common news words and by Arabic morphology: a
place word followed by an adjective (مدينة كبيرة، حي سكني), a title followed by a common noun or
adjective (الرئيس الجديد، مدير المستشفى), a long quotation of speech. A name ends before a
verbal noun or an adverb (رامي شلغين بفتح تحقيق، حي الشعار قريبا), before the indefinite
accusative of a common word (معرضا), and before a noun that an indefinite adjective follows
(مطار القامشلي رحلة جديدة); و is never read off a word the lexicon holds (وقفة). A place keeps
an agreeing direction or size adjective after a settlement word (بلدة الصورة الكبرى) and may
start with a title or kunya (منطقة الشيخ نجار); a quoted body may end in في and its seat
("الإدارة المدنية في الرقة").

Written by hand because it is domain-specific: no maintained Arabic NER runs without a model
download here, none knows which names this newsroom's glossary already holds, and none returns
offsets into the text as written with the clitics our glossary matcher accepts. The measured
precision and recall are in ``evaluation/names/`` (exact spans, hand-marked news sentences).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .arabic import fold, is_arabic_letter, normalize
from .document import Document, Segment
from .glossary import Entry, Glossary

#: The types a candidate can be given (the glossary's ``type`` column uses the same words).
TYPES = ("person", "place", "facility", "armed-group", "organisation", "outlet")

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CAPITAL = re.compile(r"(?:(?:al|el|ad|ar|as|ash|at|az)-)?[A-Z][\w'’-]*")


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(w).text for w in text.split())


# --- the lexicon ---------------------------------------------------------------------------
# Written for Syrian and regional news copy; folded on load (أ → ا, ة → ه, ى → ي).

#: Adjectives of news copy: never part of a name found by the lexicon (those that complete an
#: organisation's or a place's name are let in by their own rules).
ADJECTIVES = _words(
    """ كبير كبيرة الكبير الكبيرة صغير صغيرة الصغير الصغيرة جديد جديدة الجديد الجديدة قديم قديمة
    القديم القديمة سكني سكنية السكني السكنية شعبي شعبية الشعبي الشعبية حدودي حدودية زراعي زراعية
    الزراعية الزراعي صناعية صناعي الصناعية الصناعي تجارية تجاري التجاري التجارية رئيسي رئيسية
    الرئيسي الرئيسية مجاورة المجاورة مجاور المجاور قريبة القريبة قريب بعيدة واسعة الواسعة ضخمة
    عديدة مختلفة مختلف المختلفة كاملة كامل الكامل عامة عام العامة العام خاصة خاص الخاصة الخاص
    رسمي رسمية الرسمي الرسمية محلي محلية المحلي المحلية دولي دولية الدولي الدولية إقليمي الإقليمي
    الإقليمية عربي عربية العربي العربية السوري السورية سوري سورية التركي التركية تركي تركية الروسي
    الروسية روسي روسية الأمريكي الأمريكية الأميركي الأميركية أمريكي أمريكية أميركية الإيراني
    الإيرانية إيراني إيرانية الإسرائيلي الإسرائيلية إسرائيلي إسرائيلية اللبناني اللبنانية لبناني
    العراقي العراقية عراقي الأردني الأردنية الكردي الكردية كردي كردية الفرنسي الفرنسية البريطاني
    البريطانية الألماني الألمانية الأوروبي الأوروبية الأممي الأممية الشرقي الشرقية الغربي الغربية
    الشمالي الشمالية الجنوبي الجنوبية الوطني الوطنية وطني وطنية الحر الحرة المسلحة مسلحة مسلح
    المسلح مسلحين المسلحين المعارض معارض الموالي الموالية موالية موالي المنشق المنشقة السابق
    السابقة سابق سابقة المؤقت المؤقتة الانتقالية الانتقالي المشترك المشتركة المتحدة الميداني
    الميدانية ميداني ميدانية الجوي الجوية جوي جوية البري البرية المركزي المركزية العسكري
    العسكرية عسكري عسكرية المدني المدنية مدني مدنية السياسي السياسية سياسي سياسية الأمني الأمنية
    أمني أمنية الإعلامي الإعلامية إعلامي إعلامية الاقتصادي الاقتصادية الإنساني الإنسانية إنسانية
    الطبي الطبية طبي طبية الصحي الصحية صحية ميدانيا التنفيذي التنفيذية الأعلى العليا العامة
    المحتمل المحتملة الأخيرين البارز البارزة بارز بارزة المعروف المعروفة الشهير الشهيرة المعتدل
    المتطرف المتطرفة الإسلامي الإسلامية إسلامية الإرهابي المحاصر المحاصرة المدمر المدمرة
    الواقع الواقعة الواقعتين الممتد الممتدة التابع التابعة تابع تابعة الخاضع الخاضعة المتاخم
    المتاخمة الجديدين نائية النائية مهجورة المهجورة فقيرة الفقيرة الفقير مكتظة المكتظة آمنة
    الآمنة ساحلية الساحلية جبلية الجبلية حدودي وسطى الوسطى الكبرى العظمى الأوسط الأدنى القريب
    البعيد البعيدة مائية مائي"""
)

#: Time words: dates, days, months.
TIME = _words(
    """اليوم أمس غدا صباح مساء ليلة ليل ظهر فجر الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس
    الجمعة السبت يوم أيام أسبوع الأسبوع شهر الشهر عام العام سنة السنة الماضي الماضية الحالي
    الحالية المقبل المقبلة الجاري كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين يناير
    فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر ساعة ساعات منتصف"""
)

#: Verbs of news copy: past and present, the present as a place or a person does it after its
#: name (حي الوعر يشهد …). The feminine past in -ت and the plural in -وا are read off too.
VERBS = _words(
    """ قال قالت يقول تقول أعلن أعلنت يعلن تعلن أكد أكدت يؤكد تؤكد أضاف أضافت أشار أشارت يشير
    أفاد أفادت يفيد ذكر ذكرت نقل نقلت نشر نشرت أوضح أوضحت كشف كشفت بين بينت شدد شددت نفى نفت
    اتهم اتهمت طالب طالبت دعا دعت وصل وصلت وصلوا دخل دخلت دخلوا خرج سيطر سيطرت تسيطر يسيطر
    استهدف استهدفت قصف قصفت قتل قتلت قتلوا أصيب أصيبت أصيبوا أسفر أسفرت اندلعت شن شنت هاجم
    هاجمت التقى التقت يلتقي بحث بحثت ناقش ناقشت يناقش وافق وافقت رفض رفضت أرسل أرسلت يرسل ترسل
    تمركز تمركزت تمركزوا انسحب انسحبت عاد عادت يعود جاء جاءت تم يتم تمت أصدر أصدرت اعتقل اعتقلت
    أطلق أطلقت افتتح افتتحت يعيش يقيم ينتمي تعرف يعرف تضم يضم تحوي شهدت شهد وقع وقعت جرى جرت
    لقي لقيت سقط سقطت توفي نزح نزحت تعرض تعرضت تسلم تسلمت أعيد أدلى صرح صرحت حذر حذرت أدان
    أدانت رحب رحبت تابع تابعت أوعز أوعزت حصل حصلت زار زارت يزور استقبل استقبلت وصف وصفت
    عينت تولى تسلم أجرى أجرت عقد عقدت اجتمع اجتمعت يرأس ترأس ترأست قاد يقود تقود أمر أمرت"""
    """ يشهد تشهد يعاني تعاني يستقبل تستقبل يخدم تخدم يشمل تشمل يتعرض تتعرض يواصل تواصل
    يحتاج تحتاج يطالب تطالب يشارك تشارك ينحدر تنحدر ينحدرون يعيشون يتواجد تتواجد يسكن تسكن"""
    """ توقف تضرر احترق غرق انهار تحول بدأ انطلق استأنف عاش ظل بقي أصبح صار استمر تجاوز شارك
    فاز خسر حقق أكمل نفذ تسبب بلغ تراجع ارتفع انخفض تضاعف تناول شيع شيعت احتج احتجت تظاهر
    وزع وزعت وثق وثقت داهم داهمت اشتكى يشتكي تقع يقع تبعد يبعد تتبع يتبع"""
)

#: Words that are never part of a name, though they stand where names stand.
STOP = (
    ADJECTIVES
    | TIME
    | VERBS
    | _words(
        # function words
        """ في من الى إلى على عن مع بين حتى منذ عند لدى خلال بعد قبل حول ضد نحو عبر دون غير سوى او
    أو أم ثم لكن لكنه بل إن أن إنه أنه إنها أنها لأن كان كانت يكون تكون كانوا ليس لم لن لا ما
    ماذا هل قد لقد سوف هذا هذه ذلك تلك هؤلاء الذي التي الذين هو هي هم هن نحن كل بعض جميع كافة
    عدة عدد أي أيضا كما مثل حيث إذ إذا عندما بينما فيما بما مما لما كذلك هناك هنا وفق وفقا بحسب
    حسب إثر جراء رغم بسبب أمام خلف تحت فوق داخل خارج قرب بالقرب قرابة حوالي يقرب أكثر أقل أول
    أولى آخر أخرى الآخر الأخرى الأول الأولى الثاني الثانية الثالث الأخير الأخيرة ذات نفسه نفسها
    عليه عليها منه منها فيه فيها له لها لهم بها به إليه إليها عنه عنها ضمن لصالح إضافة بالإضافة
    حين تجاه مقابل لدى ومن وفي والى وعلى أحد إحدى عقب"""
        # nouns of news copy
        """ النظام نظام الحكومة حكومة الجيش القوات عناصر عنصر مقاتلين مقاتلي المقاتلين جنود الجنود
    جندي مدنيين المدنيين المدنيون سكان السكان الأهالي أهالي الأطفال أطفال النساء نساء طفل امرأة
    رجل شاب شخص أشخاص المعارضة معارضة الفصائل فصائل المدينة البلدة القرية المنطقة مناطق المناطق
    الحي الريف المحافظة البلاد الحدود حدود الحدودي الحدودية المعبر المطار الطريق طريق الشارع
    شارع السوق سوق مبنى المبنى منزل منازل المنازل بيت البيوت مدرسة المدرسة المستشفى المشفى
    الجامعة المسجد الهجوم هجوم هجمات الهجمات القصف غارة غارات الغارات اشتباكات الاشتباكات معارك
    المعارك المعركة انفجار الانفجار عبوة سيارة مفخخة طائرة طائرات مسيرة مسيرات صاروخ صواريخ
    قذائف قذيفة دبابات مدرعات آليات أسلحة سلاح تعزيزات التعزيزات نقاط نقطة مواقع حاجز الحاجز
    اتفاق الاتفاق تفاهم تفاهمات اتفاقية مفاوضات المفاوضات محادثات حوار الحوار اجتماع الاجتماع
    لقاء اللقاء مؤتمر المؤتمر بيان البيان تصريح تصريحات التصريحات مصادر مصدر المصادر ناشطون
    ناشطين الناشطين مسؤولون مسؤولين السلطات سلطات الأمن الشرطة شرطة الدفاع الداخلية الخارجية
    الإعلام المكتب مكتب الرئاسة الوزارة وزارة البرلمان اللجنة لجنة الإدارة إدارة المساعدات
    مساعدات الإغاثة اللاجئين لاجئين يدعى تدعى المدعو النازحين نازحين العائلات عائلة عائلات
    الحرب حرب الثورة الأزمة الخبر خبر الأخبار أخبار
    الوضع الأوضاع الحالة حالة الطوارئ ضحايا قتلى جرحى القتلى الجرحى حصيلة ملايين مليون ألف آلاف
    مئات عشرات دولار ليرة المئة نسبة الصحة التعليم التربية الكهرباء المياه مياه الخبز الوقود
    النفط الغاز القمح الأسعار أسعار العمل الاقتصاد التجارة الزراعة النقل الطاقة المالية العدل
    الأوقاف السياحة الثقافة الإسكان البيئة الاتصالات الصناعة الخارجيه خارجية داخلية دفاع بلدية
    البلدية مجلس المجلس فرع الفرع دائرة قسم مديرية المديرية الهيئة اللجنة ملف الملف قضية القضية
    عملية العملية عمليات العمليات تنظيم قرار القرار مشروع المشروع خطة الخطة برنامج البرنامج
    جلسة الجلسة زيارة الزيارة وفد الوفد رسالة الرسالة صورة صور فيديو تقرير التقرير دراسة شبكة
    الشبكة منظمة المنظمة الحزب حزب الأمين أمين مصالحة المصالحة تسوية التسوية عودة العودة انتخابات
    الانتخابات مرسوم المرسوم عفو العفو احتجاجات مظاهرة مظاهرات الاحتجاجات وقفة اعتصام حملة الحملة
    ثورة الشعب شعب المجتمع الدولة دولة الدول العالم المجتمع الجانب الطرفين الطرف الجانبين الأطراف
    الناحية المكان موقع الموقع مقر المقر مركز المركز نقطة بوابة البوابة السجن سجن المخيم المحطة
    محطة المدخل مدخل الساحة ساحة الجبهة الجبهات جبهات المحور محور محاور المحاور خط الخط الضفة
    الأراضي أراضي الأرض أرض الجهة جهة الجهات جهات اتجاه الاتجاه جانب الريفين المدن البلدات القرى
    الأحياء النهر الجبل السهل البادية الصحراء الساحل الداخل الخارج المقاتلات المدفعية الطيران
    سلاح الجو الإرهاب الإرهابيين الإرهابية مسلحو مسلحي العشائر العشيرة عشيرة عشائر القبيلة قبيلة"""
        # events of news copy, and the goods and services it reports on, without the article too
        # (حركة نزوح، محطة كهرباء: a head word before them makes no name)
        """ نزوح النزوح تهجير التهجير لجوء اللجوء هجرة الهجرة احتجاج الاحتجاج إضراب الإضراب
    انسحاب الانسحاب تقدم التقدم تراجع التراجع انتشار الانتشار اعتقال الاعتقال اعتقالات
    اغتيال الاغتيال خطف الخطف تفجير التفجير اقتحام الاقتحام توغل التوغل حصار الحصار تصعيد
    التصعيد توتر التوتر هدوء الهدوء استقرار الاستقرار تنسيق التنسيق تعاون التعاون حراك
    الحراك تلقيح التلقيح صيانة الصيانة أعمال الأعمال خدمات الخدمات كهرباء وقود غاز نفط قمح
    خبز ماء محروقات المحروقات إسعاف الإسعاف إنقاذ الإنقاذ طوارئ نقل عبور العبور مرور المرور
    دخول الدخول خروج الخروج وصول الوصول خفض تخفيض شؤون الشؤون العشرات المئات الآلاف الهندسة
    الطب الحقوق الآداب العلوم الصيدلة التمريض كرة حارس هدف مباراة المباراة الدوري فوز ري الري
    البيع الشراء البضائع السلع الخضار الصرف الذهب السوداء النواب الوزراء الخيام خيام محيط
    أطراف ضواحي تخوم أنحاء إيقاف
    الإيقاف"""
        # verbal nouns that follow a name as the object of the sentence (طالب فلان بفتح تحقيق،
        # رئيس لجنة الإعمار فلان); with a preposition on them they are caught as well (بفتح)
        """ فتح تحقيق التحقيق إطلاق الإطلاق الإفراج إفراج محاسبة المحاسبة تقديم إعادة الإعادة وقف
    رفع توفير تأمين حماية دعم الدعم إعمار الإعمار ترميم الترميم تعليق إغلاق الإغلاق افتتاح
    الافتتاح إنشاء بناء البناء تشكيل تسليم التسليم معرض المعرض تنفيذ التنفيذ"""
        # adverbs in -an (قريبا، مؤخرا): they end the phrase a name stands in
        """ قريبا مؤخرا حاليا سابقا لاحقا مجددا فورا يوميا أسبوعيا شهريا تقريبا جزئيا كليا رسميا
    علنا نظرا تماما دائما أبدا غالبا فعلا حقا جدا معا سويا خصوصا عموما تحديدا أساسا مباشرة
    عسكريا سياسيا أمنيا ميدانيا"""
        " رئيس"
        # directions (they introduce places, they are not part of them)
        """ شمال جنوب شرق غرب شمالي جنوبي شرقي غربي الشمال الجنوب الشرق الغرب وسط شمالا جنوبا شرقا
    غربا"""
    )
)

#: Titles and roles before a person's name. The office words after them are skipped.
PERSON_TITLES = _words(
    """ الرئيس رئيس رئيسة الرئيسة الوزير وزير وزيرة الوزيرة نائب النائب المتحدث المتحدثة متحدث
    الناطق الناطقة ناطق القيادي القيادية قيادي القائد قائد قائدة زعيم الزعيم مدير مديرة المدير
    المديرة العميد اللواء العقيد المقدم الرائد النقيب الملازم العماد الفريق الجنرال الشيخ الشيخة
    الدكتور الدكتورة المهندس المهندسة المحامي المحامية الناشط الناشطة ناشط ناشطة الصحفي
    الصحفية صحفي الإعلامي الإعلامية المراسل مراسل مراسلة الكاتب الكاتبة الباحث الباحثة المحلل
    الخبير الخبيرة المبعوث مبعوث المبعوثة السفير سفير السفيرة المحافظ محافظ عضو العضو المسؤول
    مسؤول المسؤولة مستشار المستشار المستشارة المطران البطريرك الإمام القاضي قاضي الملك الأمير
    المرشد الطفل الطفلة الشاب الشابة المواطن المواطنة المعتقل المعتقلة الشهيد الشهيدة الفنان
    الفنانة اللاعب المدرب السيد السيدة الحاج الحاجة المختار الأمين أمين المنسق منسق القاضي
    المعاون معاون شقيق شقيقه شقيقة نجل ابن ابنة زوجة والد والدة رئيسا يدعى تدعى المدعو
    المدعوة الطبيب الطبيبة والي الوالي قائمقام القائمقام"""
)
#: Of the titles, those after which the affiliation (في …، باسم …) comes before the name.
_AFFILIATION = _words("القيادي القيادية قيادي عضو العضو المسؤول مسؤول المتحدث المتحدثة متحدث")
_AFFILIATION_LINKS = _words("في باسم لدى ب")

#: Given names: a given name and a following name-like word are a person.
GIVEN_NAMES = _words(
    """ محمد أحمد محمود علي حسن حسين خالد عمر عثمان إبراهيم يوسف مصطفى سعيد سامي سمير صالح فادي
    فراس باسل بشار ماهر مازن وائل وليد رامي رامز رياض زياد زكريا طارق عادل عامر عمار غسان فؤاد
    كمال كريم ماجد مالك منذر نبيل نضال هشام هيثم ياسر ياسين يحيى أنس أيمن أسامة إياد بسام جمال
    جميل حازم حسام حمزة خليل رضوان سليمان سلمان شادي صلاح ضياء عدنان عصام علاء عماد عيسى فايز
    فيصل قاسم لؤي مجد مراد معاذ مهند موسى ناصر نزار نور هادي هاني همام وسام منير جهاد بدر زهير
    نادر عبدو حيدر جعفر مهدي رائد سهيل مروان نواف فهد سعد سعود بندر ماجد شريف توفيق مأمون
    ياسمين فاطمة مريم زينب عائشة خديجة سارة رنا رهف هبة هدى سلمى ليلى نادية سعاد منى إلهام أمل
    آمنة رزان لينا دعاء جيهان سوسن غادة هالة ريم وفاء آرام فرهاد شيار ريزان آزاد جوان دلشاد
    شيرين روجدا نوروز بروسك كاوا هفال سيبان آلدار بدران ريدور سيامند جيا نوري صبري حكمت"""
    # more of the region's given names, men's and women's (Arabic, Kurdish, Syriac and Armenian
    # Christians); names that are everyday words in news (أمل، سلام، نصر) stay out
    """ صبحي فتحي رمزي لطفي حمدي مجدي شوقي عوني رشدي زكي ناجي راجي فوزي حسني رفعت عزت نجيب
    منيف منيب وسيم وجيه وديع وحيد وضاح وفيق واصف وهيب ياسين يامن يزن يعرب معن معتز معتصم
    مؤيد مصعب مهيب ميسر ميشيل ميخائيل جورج جوزيف إلياس الياس حنا يوحنا بطرس بولس سركيس كارلوس
    طوني إدوارد نقولا نيقولا أنطون أنطوان شربل جبران سمعان فريد فارس فايز فواز فيصل قصي قتيبة
    كنان لؤي ليث مأمون مالك محسن مرهف مضر مطيع منصور مهند نبيه نديم نزيه نعمان نعيم
    هلال هيثم وعد أكرم أنور أيهم إحسان إسماعيل إدريس أدهم أسعد أصف آصف أمجد أيوب بكري بكر
    بلال بهاء تامر تيسير جابر جلال حاتم حامد حبيب حسان حمود حميد خضر خلدون
    دريد راشد رافع رشيد رعد رفيق ركان زاهر زيد سالم سامر سعدون سفيان سلطان سليم
    شاكر صادق صفوان صهيب ضرار طلال طه ظافر عارف عاصم عبود عرفات عزام عزيز عقيل
    علوان غياث غيث فادي فرحان فهمي فيصل قاسم قيس لبيب ماجد محي مرعي مشعل مصطفى
    معاوية مقداد منذر مهدي موفق ناظم نايف نبيل نذير نصري نوفل هاشم هزاع هلال يونس
    عمران حمادي بشير دحام سطام عكاب فرج مرشد نمر هويدي رويدا روجين روجين جيان نسرين
    زينة رغد سمر سمية سناء سهى شذى صفاء عبير علا غدير فرح لمى لبنى مها ميساء ميسون نجلاء نسرين
    نهى نوال هيام وداد يسرى أسماء آلاء إيمان بشرى تغريد جمانة حنان خلود دانة ديما رشا روان
    رولا ريما ريهام زهراء سحر سلوى صبا عفاف غالية فدوى لميس ماريا مارية مايا ناديا نسيم
    هناء هيفاء ولاء يارا آفين آفا بيريفان جيهان هيفي زوزان نارين روناهي دلال شيلان ليلاف
    ريبوار سردار شفان كاميران نجيرفان هوشيار كاظم جواد عباس مرتضى مقتدى باقر كرار حسنين سجاد"""
)
#: Kunya and name-prefix words (أبو محمد، عبد الرحمن): part of the name.
_KUNYA = _words("أبو أبي أبا أم")
_ABD = fold("عبد").text

#: Place words: the name follows (not kept in it, as the glossary writes places).
PLACE_HEADS = _words(
    """ مدينة مدينتي مدن بلدة بلدتي بلدات قرية قريتي قرى حي حيي أحياء ريف ريفي أرياف محافظة
    محافظتي محافظات بلدية منطقة منطقتي ناحية ناحيتي نواحي مخيم مخيمي سهل بادية قضاء إقليم ولاية
    مزرعة مزارع العاصمة عاصمة بلدتا قريتا مدينتا مخيمات تجمعات"""
)
#: Directions: a place follows (جنوب الطبقة), never a person.
DIRECTIONS = _words("شمال جنوب شرق غرب شمالي جنوبي شرقي غربي")
#: Facility words: kept in the name (معبر صفيان، مطار صرين), as the glossary writes them.
FACILITY_HEADS = _words(
    """ معبر مطار سد جسر سجن مستشفى مشفى ميناء حقل قاعدة محطة فندق ملعب جامع مسجد كنيسة مدرسة
    جامعة فرع دوار ساحة مخفر كلية معمل مصفاة مرفأ قلعة منفذ معسكر مستوصف ثكنة مستودع فرن
    سوق"""
)
#: Organisation and armed-group words: kept in the name (مجلس منبج العسكري).
ORG_HEADS = {
    **dict.fromkeys(
        _words("""مجلس حركة هيئة جبهة تجمع منظمة حزب اتحاد جمعية رابطة مرصد لجنة تيار فريق شركة
            نادي كتلة"""),
        "organisation",
    ),
    **dict.fromkeys(
        _words("""لواء ألوية كتائب كتيبة فرقة فيلق قوات جيش ميليشيا مليشيا فصيل سرايا غرفة
            عصائب"""),
        "armed-group",
    ),
}
#: Outlet words: the name follows (not kept: وكالة "سبوتنيك" is Sputnik).
OUTLET_HEADS = _words("وكالة صحيفة موقع قناة شبكة إذاعة مجلة تلفزيون راديو صفحة حساب")
#: Roads: طريق X - Y joins two places.
ROADS = _words("طريق أوتوستراد اوتستراد")
#: A tribe (its name follows), or the tribes of a region (a place follows).
TRIBES = {
    **dict.fromkeys(_words("عشيرة قبيلة"), "organisation"),
    **dict.fromkeys(_words("عشائر قبائل"), "place"),
}
#: Words that are never inside a name, even between quotation marks.
FUNCTION = _words(
    """في من إلى الى على عن مع إن أن ان لا لم لن ما هذا هذه ذلك الذي التي قد كان كانت هو هي
    هم نحن أنه أنها إنه عند حتى"""
)
#: Verbs after which a short quotation names who speaks (أعلنت "الإدارة الذاتية").
REPORTING = _words(
    """قال قالت أعلن أعلنت ذكر ذكرت أفاد أفادت نقل نقلت أكد أكدت بحسب حسب وفق وفقا أوضح أوضحت
    كشف كشفت نشر نشرت أصدر أصدرت اتهم اتهمت نفى نفت طالب طالبت دعا دعت بين"""
)
_INTRO = PLACE_HEADS | DIRECTIONS | OUTLET_HEADS
_HEADS = frozenset(ORG_HEADS) | FACILITY_HEADS | PLACE_HEADS
_BODY_HEADS = frozenset(ORG_HEADS) | FACILITY_HEADS | {fold("اللواء").text}
_PERSONAL = GIVEN_NAMES | _KUNYA | {_ABD}
_BEFORE_QUOTE = OUTLET_HEADS | frozenset(ORG_HEADS) | PERSON_TITLES | REPORTING
#: Words that introduce an alias: التي تعرف أيضا بكوباني.
_ALIAS_VERBS = _words("تعرف يعرف المعروفة المعروف")
_ALSO = _words("أيضا ايضا كذلك")

# How long a name may be, in words (the head word of a facility or organisation not counted).
_MAX_WORDS = {"person": 4, "place": 3, "facility": 2, "organisation": 4, "outlet": 3}
#: A quotation longer than this is speech, not a name.
_MAX_QUOTED = 4
#: Words scanned after a title for the name (office words in between: وزير الدفاع التركي …).
_TITLE_REACH = 6
#: Clitics read off a word in a list (والرقة) or after بـ of an alias (بكوباني).
_CONJ = ("و", "ف")
_PREPS = ("ب", "ل", "ك")


@dataclass(slots=True)
class Occurrence:
    """Where a candidate occurs: a segment, and the span of the name in its source."""

    doc: str
    segment: str
    start: int
    end: int
    sentence: str
    signals: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "segment": self.segment,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
            "signals": list(self.signals),
        }


@dataclass(slots=True)
class Candidate:
    """A name the glossary lacks: its Arabic, a suggested type, where it occurs, how it was
    rendered.

    Attributes:
        ar: the name normalized as the model sees it (:func:`translate.arabic.normalize`).
        surface: its most frequent form as written (diacritics kept).
        type: the suggested glossary type (one of :data:`TYPES`).
        signals: how often each signal pointed at it.
        occurrences: every occurrence in the batch.
        renderings: the English the model wrote for it, with counts, most frequent first.
    """

    ar: str
    surface: str
    type: str
    signals: dict[str, int] = field(default_factory=dict)
    occurrences: list[Occurrence] = field(default_factory=list)
    renderings: list[tuple[str, int]] = field(default_factory=list)
    key: tuple[str, ...] = ()
    # Documents the candidate is looked for in (a family name alone: where the full name is).
    only: set[str] | None = None

    @property
    def count(self) -> int:
        return len(self.occurrences)

    @property
    def documents(self) -> int:
        return len({o.doc for o in self.occurrences})

    def rank(self) -> tuple[int, int, int, str]:
        return (-self.count, -self.documents, -len(self.signals), self.ar)

    def to_dict(self, contexts: int | None = None) -> dict[str, Any]:
        shown = self.occurrences if contexts is None else self.occurrences[:contexts]
        return {
            "ar": self.ar,
            "surface": self.surface,
            "type": self.type,
            "count": self.count,
            "documents": self.documents,
            "signals": dict(sorted(self.signals.items())),
            "renderings": [{"en": en, "count": n} for en, n in self.renderings],
            "contexts": [o.to_dict() for o in shown],
        }


@dataclass(slots=True)
class SuggestOptions:
    """Options of candidate finding.

    Attributes:
        min_count: candidates occurring fewer times in the batch are left out.
        renderings: read the model's English renderings from the segments' targets.
    """

    min_count: int = 1
    renderings: bool = True


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
        if kind == "place" and k > i and _toponym_prefix(toks, k) and _joined(toks, k):
            j = k  # حوش السيد علي: a title inside a place's name, its name-word follows
            continue
        if kind == "place" and after_prefix and _given(tok) and _joined(toks, k):
            j = k
            continue
        if kind == "person" and k > i and _family_title(toks, k):
            j = k  # حارس حطين، عبد الإله الشيخ، …: الشيخ is the family's name here
            break
        if kind == "facility" and k > i and _nisba(tok.f) and len(tok.f) >= 6:
            break  # حقل كورمور الغازي: the gas field, not its name
        if kind == "place" and k > i and _nisba_adjective(tok.f):
            break  # بلدة عكاشات الصحراوية: the desert town, not its name
        if k > i and (not _joined(toks, k) or (tok.f.startswith("و") and tok.f not in GIVEN_NAMES)):
            break  # a comma or a list: the name ended
        if k > i and tok.f.startswith(_PREPOSED):
            break  # للتصدي، بالقرب: a preposition starts the next phrase
        if k > i and tok.f[:1] in ("ب", "ل") and len(tok.f) >= 5 and not _given(tok):
            break  # بمحاسبة: a preposition on a verbal noun, after the name
        if len(tok.f) >= 5 and tok.f.startswith(_FUTURE) and not _given(tok):
            break  # ستشهد، سيعود: a verb in the future after the name
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
        if f in PERSON_TITLES:
            start = _after_title(toks, i, taken)
            if start is not None:
                j = _run(toks, start, "person")
                if j >= start:
                    add(start, j, "person", "title")
    for i, tok in enumerate(toks):
        if i in taken or i + 1 >= len(toks) or not _joined(toks, i + 1):
            continue
        skip = _strip(tok.f, ("و", "ف", "ل", "ب"), _PERSONAL)
        f = tok.f[skip:]
        if _given(tok) or f in _KUNYA or f == _ABD:
            nxt = toks[i + 1]
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
    feminine_adj = adj.n.endswith(("ية", "ى"))
    return j + 1 if feminine_name == feminine_adj else j


#: Titles and kunyas that places are named with (الشيخ مقصود، أم باطنة، أبو الظهور).
_TOPONYM_PREFIXES = _words("الشيخ السيد الشيخة السيدة الحاج الأمير الإمام أبو أم")
#: Adjectives that are part of a settlement's name after it (الصورة الكبرى، المليحة الغربية).
_PLACE_ADJECTIVES = _words(
    """الكبرى الصغرى الوسطى العليا السفلى الشرقي الشرقية الغربي الغربية الشمالي الشمالية
    الجنوبي الجنوبية الفوقاني الفوقانية التحتاني التحتانية"""
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
    if not f.startswith("ك") or f in STOP or len(f) < 4:
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
_QUOTE_HEADS = OUTLET_HEADS | frozenset(ORG_HEADS) | _words("إدارة مديرية نقابة دائرة مؤسسة")


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


# --- the batch -----------------------------------------------------------------------------


def find_candidates(
    docs: Sequence[Document], glossary: Glossary, options: SuggestOptions | None = None
) -> list[Candidate]:
    """Names in ``docs`` that ``glossary`` lacks, ranked (most occurrences first).

    Args:
        docs: documents of one batch (segmented; translated or not: the Arabic decides, the
            English adds renderings).
        glossary: the glossary whose names are known (their occurrences are never candidates).
        options: see :class:`SuggestOptions`.

    Returns:
        Candidates with every occurrence in the batch (found by the glossary's clitic-aware
        matcher), ranked by occurrences, documents, then the number of distinct signals.
    """
    options = options or SuggestOptions()
    by_key: dict[tuple[str, ...], Candidate] = {}
    quoted_forms: Counter[tuple[str, ...]] = Counter()
    pending: list[tuple[tuple[str, ...], str, _Found, Document, Segment]] = []
    for doc in docs:
        for seg in doc.segments():
            toks, folded = _tokens(seg.source, glossary)
            for item in _find(toks):
                start, end = _source_span(seg.source, folded, toks, item)
                surface = seg.source[start:end]
                key = tuple(_WORD.findall(fold(surface).text))
                if not key or not any(_arabic(w) for w in key):
                    continue
                if item.type == "quoted":
                    quoted_forms[key] += 1
                pending.append((key, surface, item, doc, seg))
    for key, surface, item, _doc, _seg in pending:
        kind = item.type
        if kind == "quoted":
            if quoted_forms[key] < 2:
                continue  # one short quotation is a phrase, twice it is a name
            kind = "organisation"
        cand = by_key.get(key)
        if cand is None:
            cand = by_key[key] = Candidate(normalize(surface).text, surface, kind, key=key)
        cand.signals[item.signal] = cand.signals.get(item.signal, 0) + 1
        votes = cand.signals.setdefault(f"type:{kind}", 0)
        cand.signals[f"type:{kind}"] = votes + 1
    _family_names(by_key, pending)
    candidates = [c for c in by_key.values()]
    _occurrences(candidates, docs, glossary, pending)
    if options.renderings:
        _renderings(candidates, docs, glossary)
    out = []
    for cand in candidates:
        types = {k[5:]: v for k, v in cand.signals.items() if k.startswith("type:")}
        for k in list(cand.signals):
            if k.startswith("type:"):
                del cand.signals[k]
        cand.type = max(types, key=lambda t: (types[t], -TYPES.index(t)))
        if cand.documents > 1:
            cand.signals["repeated"] = cand.documents
        if cand.count >= options.min_count:
            out.append(cand)
    out.sort(key=Candidate.rank)
    return out


def _family_names(
    by_key: dict[tuple[str, ...], Candidate],
    pending: Sequence[tuple[tuple[str, ...], str, _Found, Document, Segment]],
) -> None:
    """A person named in full is named later by the family name alone (وأضاف الحسين): in the
    documents that name them in full, the last word is a candidate too."""
    for key, surface, item, doc, _seg in pending:
        if item.type != "person" or len(key) < 2:
            continue
        words = surface.split()
        if len(words) != len(key):
            continue
        # فرحان العبد الله is named later as العبد الله: a compound's two words
        compound = key[-2] in _ABDS or key[-1] in _NEVER_ALONE
        size = 2 if len(key) >= 3 and compound else 1
        family = key[-size:]
        last = family[0]
        if _is_stop(last) or len(last) < 3 or (size == 1 and compound):
            continue
        if last in GIVEN_NAMES and (key[-2] in _KUNYA or key[-2] == _ABD):
            continue  # أبو محمد, عبد الله: a kunya's or a compound's second half
        cand = by_key.get(family)
        if cand is None:
            text = " ".join(words[-size:])
            cand = by_key[family] = Candidate(normalize(text).text, text, "person")
            cand.key = family
            cand.only = set()
        if cand.only is not None:
            cand.only.add(doc.id)
        cand.signals["type:person"] = cand.signals.get("type:person", 0) + 1
        cand.signals["family-name"] = cand.signals.get("family-name", 0) + 1


#: Second halves of compound names (عبد الله، نور الدين، العبد الله): after عبد, or these,
#: never a name alone (محمد علي العزيز is named later as العزيز).
_NEVER_ALONE = _words("الله الدين الرحمن الرحيم الإله")
_ABDS = _words("عبد العبد")


def _source_span(text: str, folded: Any, toks: list[_Tok], item: _Found) -> tuple[int, int]:
    start, end = folded.span(toks[item.i].fs + item.skip, toks[item.j].fe)
    while end < len(text) and (_is_mark(text[end])):
        end += 1  # vowel marks and tatweel on the last letter belong to the name
    return start, end


def _is_mark(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) == "Mn" or ch == "\u0640"


def _occurrences(
    candidates: list[Candidate],
    docs: Sequence[Document],
    glossary: Glossary,
    pending: Iterable[tuple[tuple[str, ...], str, _Found, Document, Segment]],
) -> None:
    """Every occurrence of every candidate, found with the glossary matcher (clitics and all)."""
    if not candidates:
        return
    by_entry: dict[str, Candidate] = {}
    entries = []
    for cand in candidates:
        entry = Entry(ar=cand.surface, en=cand.ar, type=_matcher_type(cand))
        entries.append(entry)
        by_entry[cand.surface] = cand
    finder = Glossary(entries)
    signals: dict[tuple[str, int], set[str]] = {}
    for key, _surface, item, _doc, seg in pending:
        signals.setdefault((seg.id, hash(key)), set()).add(item.signal)
    for doc in docs:
        for seg in doc.segments():
            known = glossary.match(seg.source) if len(glossary) else []
            for term in finder.match(seg.source):
                if any(k.start <= term.start and term.end <= k.end for k in known):
                    continue  # inside a name the glossary knows
                if any(
                    k.start < term.end
                    and term.start < k.end
                    and not (term.start <= k.start and k.end <= term.end)
                    for k in known
                ):
                    continue  # crosses one
                hit = by_entry.get(term.entry)
                if hit is None or (hit.only is not None and doc.id not in hit.only):
                    continue
                given = hit.only is not None and hit.key[0] in GIVEN_NAMES
                if given and _name_follows(seg.source, term.end):
                    continue  # ماهر مروان, then مروان العلي: another person
                found = signals.get((seg.id, hash(hit.key)), set())
                if not found and all(_is_stop(w) for w in hit.key):
                    continue  # تلفزيون "الخبر" is a name; هذا الخبر is the word
                hit.occurrences.append(
                    Occurrence(
                        doc.id,
                        seg.id,
                        term.start,
                        term.end,
                        seg.source,
                        tuple(sorted(found)) or ("repeated",),
                    )
                )


def _name_follows(text: str, end: int) -> bool:
    """A name-like word follows position ``end`` (a given name used as a family name is then
    the start of another person's name)."""
    m = _WORD.match(text, end + len(text[end:]) - len(text[end:].lstrip(" ")))
    if m is None or m.start() == end:
        return False
    f = fold(m.group()).text
    return _arabic(f) and not _is_stop(f) and not _heady(f)


def _matcher_type(cand: Candidate) -> str:
    types = {k[5:]: v for k, v in cand.signals.items() if k.startswith("type:")}
    best = max(types, key=lambda t: types[t]) if types else cand.type
    return "organisation" if best in ("armed-group", "organisation") else best


# --- the English ---------------------------------------------------------------------------

#: Capitalised words that start English sentences, or name days and months: never a name.
_COMMON_CAPITALS = frozenset(
    """The A An In On At He She It They We This That These Those According Meanwhile However And
    But Also There His Her Their Its After Before During While When Sources Local For From With
    As By Of To Some Many Most Other More Several Two Three Four Five Six Seven Eight Nine Ten
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December I If Since Under Over About Following
    Speaking Asked Earlier Later Today Yesterday Last Next Mr Mrs Ms Dr""".split()  # noqa: SIM905
)


def english_names(target: str, explained: Iterable[str] = ()) -> list[tuple[int, int, str]]:
    """Runs of capitalised words in ``target`` that look like a name's rendering.

    Words inside a rendering in ``explained`` (the segment's glossary English), days, months and
    capitalised function words at a sentence start are left out.

    Returns:
        ``(start, end, text)`` of each run, in order.
    """
    blocked: list[tuple[int, int]] = []
    from .glossary import english_spans

    for en in explained:
        blocked += english_spans(target, en)
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[\w'’-]+", target)]
    runs: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    previous_end = -1
    for start, end, word in words:
        ok = bool(_CAPITAL.fullmatch(word)) and word not in _COMMON_CAPITALS
        ok = ok and not any(s < end and start < e for s, e in blocked)
        joined = previous_end >= 0 and not target[previous_end:start].strip()
        if ok and current and joined:
            current.append((start, end, word))
        elif ok:
            if current:
                runs.append(current)
            current = [(start, end, word)]
        else:
            if current:
                runs.append(current)
            current = []
        previous_end = end
    if current:
        runs.append(current)
    return [(r[0][0], r[-1][1], target[r[0][0] : r[-1][1]]) for r in runs]


def _renderings(candidates: list[Candidate], docs: Sequence[Document], glossary: Glossary) -> None:
    """Pair each occurrence with an unexplained capitalised run of its segment's English."""
    by_segment: dict[str, list[tuple[Occurrence, Candidate]]] = {}
    for cand in candidates:
        for occ in cand.occurrences:
            by_segment.setdefault(occ.segment, []).append((occ, cand))
    counts: dict[int, Counter[str]] = {id(c): Counter() for c in candidates}
    for doc in docs:
        for seg in doc.segments():
            here = by_segment.get(seg.id)
            if not here or not seg.target:
                continue
            explained = [t.en for t in seg.terms] or [t.en for t in glossary.match(seg.source)]
            runs = english_names(seg.target, explained)
            if not runs:
                continue
            here.sort(key=lambda item: item[0].start)
            size_ar, size_en = max(len(seg.source), 1), max(len(seg.target), 1)
            free = list(runs)
            for occ, cand in here:
                if not free:
                    break
                if len(free) == len(here) - here.index((occ, cand)):
                    run = free.pop(0)  # as many runs as names left: in order
                else:
                    where = occ.start / size_ar
                    run = min(free, key=lambda r: abs(r[0] / size_en - where))
                    free.remove(run)
                counts[id(cand)][run[2]] += 1
    for cand in candidates:
        found = counts[id(cand)]
        cand.renderings = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
        if found:
            cand.signals["capitalised"] = sum(found.values())


def segment_spans(
    docs: Sequence[Document], glossary: Glossary, options: SuggestOptions | None = None
) -> dict[str, list[tuple[int, int, str]]]:
    """Segment id → the candidate spans in its source (start, end, type): for evaluation."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    for cand in find_candidates(docs, glossary, options):
        for occ in cand.occurrences:
            out.setdefault(occ.segment, []).append((occ.start, occ.end, cand.type))
    for spans in out.values():
        spans.sort()
    return out


def describe(candidates: Sequence[Candidate], contexts: int = 3) -> str:
    """Candidates as text for people: one line each, then its first contexts, indented."""
    lines = []
    for cand in candidates:
        renderings = ", ".join(f"{en} ×{n}" for en, n in cand.renderings[:4]) or "-"
        signals = ", ".join(f"{k} {v}" for k, v in sorted(cand.signals.items()))
        lines.append(
            f"{cand.count}\t{cand.documents}\t{cand.type}\t{cand.surface}\t{renderings}\t{signals}"
        )
        for occ in cand.occurrences[:contexts]:
            lines.append(f"\t{occ.segment}\t{occ.sentence}")
    return "\n".join(lines)
