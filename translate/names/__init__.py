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

The package: :mod:`.lexicon` (the words), :mod:`.rules` (the Arabic signals of one sentence),
:mod:`.english` (what the translations say), :mod:`.batch` (candidates of a batch),
:mod:`.candidates` (what is returned).
"""

from .batch import describe, find_candidates, segment_spans
from .candidates import TYPES, Candidate, Occurrence, SuggestOptions
from .english import english_names

__all__ = [
    "TYPES",
    "Candidate",
    "Occurrence",
    "SuggestOptions",
    "describe",
    "english_names",
    "find_candidates",
    "segment_spans",
]
