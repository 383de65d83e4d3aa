"""Vocabulary shortlists: the target pieces a batch may use, from the source pieces it holds.

Per output token opus-mt-ar-en's decoder spends ~22M multiply-adds in its layers and ~32M in the
output projection over its 62,802-entry vocabulary. A lexical shortlist (Marian's and Bergamot's
``lex.s2t``, CTranslate2's ``vocab_mapping``) maps each source n-gram to the target pieces that
translate it; a batch then scores only the union of its n-grams' candidates and an always-allowed
set of frequent pieces, a few thousand rows of the projection instead of 62,802. Both backends
read the same file: CTranslate2 restricts its output layer itself (``use_vmap``), the
transformers backend gathers those rows of ``lm_head`` once per batch
(:mod:`translate.engine.hf`).

File format
-----------
CTranslate2's vmap text format, so one file serves both backends (``vmap.txt`` in a model
directory is used by default; ``tarjama model convert --shortlist`` puts it there)::

    <TAB>▁the ▁of , . </s> …          the always-allowed pieces (empty source)
    ▁دمشق<TAB>▁Damascus ▁Dam ascus    a source piece and its candidates
    ▁عين ▁العرب<TAB>▁Kobani ▁Ain      a source bigram (pieces joined by one space)

CTranslate2 parses every line this way (``src/vocabulary_map.cc``): the text before the tab is
the key, the pieces after it its candidates, and a line without a tab (a blank line, a comment)
becomes the empty key, silently replacing the always-allowed line. So this module refuses such
lines, and duplicate keys (CTranslate2 would keep the last), naming the file and line. It adds
``<unk>``, ``<s>`` and ``</s>`` to every batch's candidates; :class:`Shortlist` does the same.

How candidates are chosen
-------------------------
By IBM Model 1 translation probabilities ``t(target piece | source piece)``, estimated by EM
over the parallel text's sentencepiece pieces, a NULL source piece in every sentence (so that
function words and punctuation, which no source piece translates, go to NULL and not to every
source piece they co-occur with). IBM-1 rather than co-occurrence or Dice: co-occurrence ranks
``▁the`` first for every Arabic piece, and Dice, which corrects for frequency, still scores the
words that happen to share sentences with a rare name as high as its translation; EM explains
each target piece by the source pieces of its own sentence and so separates ``▁Damascus`` from
the words it keeps company with. It is what Bergamot's shortlists are made of (lexical
probabilities from an aligner, fast_align being a reparametrized IBM-1). Per source piece the
candidates are taken best first until their probabilities add up to ``threshold`` (0.97), at most
``top`` (50) of them and none below ``min_prob`` (0.005): a piece with one translation keeps few
candidates, an ambiguous one more. Source bigrams get a second IBM-1 (bigrams as source tokens),
and an entry only when it adds candidates its two pieces do not give (names split in pieces:
``▁كو باني`` → ``▁Kobani``). The always-allowed set: the ``frequent`` (500) most frequent target
pieces of the text, every target piece made of digits and punctuation only, ``</s>`` and
``<unk>``, and the target pieces of every glossary English given. Source pieces that the target
vocabulary also has and that hold no Arabic letter (numbers, Latin-script words) map to
themselves, so that a copied name is always possible.

Glossary enforcement with a shortlist: the transformers backend adds the pieces of a batch's
terms to that batch's candidates; CTranslate2 reads candidates from the file when it loads, so
the CTranslate2 backend adds a term's pieces missing from the always-allowed line to it and loads
the translator again (once per new set of pieces; ``--glossary`` when building bakes a glossary
in, so that no reload is needed). Either way a term the model writes by itself is still possible,
and enforcement, which puts the glossary's pieces into the output after decoding, is unaffected.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, ModelError, ReferencesError, UsageError
from .model import SHORTLIST_FILE

#: The shortlist's name in a model directory: CTranslate2 loads ``vmap.txt`` from there.
FILENAME = SHORTLIST_FILE
#: What CTranslate2 makes a candidate of every batch whatever the file says.
FIXED = ("<unk>", "<s>", "</s>")
SPACE = "▁"
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True, slots=True)
class Shortlist:
    """A vocabulary map: source n-grams (pieces joined by a space) → target pieces.

    Attributes:
        always: pieces allowed in every batch (the file's empty-source line).
        rules: source n-gram → its candidate target pieces.
        digest: a content hash of the file (part of the backends' settings: another shortlist
            is another translation).
        path: the file it was read from, if any.
    """

    always: tuple[str, ...]
    rules: dict[str, tuple[str, ...]]
    digest: str = ""
    path: Path | None = None
    order: int = field(default=1)  # longest n-gram

    def candidates(self, rows: Iterable[Sequence[str]]) -> set[str]:
        """The target pieces a batch of tokenized source sentences may use, as CTranslate2
        computes them: the always-allowed pieces, :data:`FIXED`, and the candidates of every
        n-gram of every sentence."""
        out = set(self.always) | set(FIXED)
        for row in rows:
            for n in range(1, self.order + 1):
                for i in range(len(row) - n + 1):
                    found = self.rules.get(" ".join(row[i : i + n]))
                    if found:
                        out.update(found)
        return out

    def with_always(self, pieces: Iterable[str]) -> Shortlist:
        """This shortlist with ``pieces`` added to the always-allowed line."""
        extra = [p for p in dict.fromkeys(pieces) if p not in set(self.always)]
        if not extra:
            return self
        return Shortlist((*self.always, *extra), self.rules, "", None, self.order)

    def text(self) -> str:
        """The CTranslate2 vmap text of this shortlist."""
        lines = ["\t" + " ".join(self.always)]
        lines += [f"{key}\t{' '.join(values)}" for key, values in self.rules.items()]
        return "\n".join(lines) + "\n"

    def info(self) -> dict[str, Any]:
        """What ``tarjama model info`` shows."""
        sizes = [len(v) for v in self.rules.values()]
        return {
            "path": str(self.path) if self.path else None,
            "digest": self.digest,
            "entries": len(self.rules),
            "bigrams": sum(1 for k in self.rules if " " in k),
            "always": len(self.always),
            "mean_candidates": round(sum(sizes) / len(sizes), 1) if sizes else 0.0,
        }


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def parse(text: str, label: str = "<shortlist>") -> Shortlist:
    """Read CTranslate2 vmap text (see the module notes).

    Raises:
        ModelError: a line CTranslate2 would misread (no tab, blank, empty pieces), a source
            n-gram given twice, or a second always-allowed line; ``label:line`` named.
    """
    always: tuple[str, ...] | None = None
    always_line = 0
    rules: dict[str, tuple[str, ...]] = {}
    first: dict[str, int] = {}
    order = 1
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for lineno, line in enumerate(lines, start=1):
        line = line.removesuffix("\r")
        if line.count("\t") != 1:
            what = "a blank line" if not line.strip() else f"{line.count(chr(9))} tabs"
            raise ModelError(
                f"{label}:{lineno}: expected `source n-gram<TAB>target pieces`, got {what} "
                "(CTranslate2 would read it as the always-allowed line); remove the line or "
                "rebuild the file with `tarjama model shortlist`"
            )
        key, _, values = line.partition("\t")
        pieces = values.split(" ")
        if not values or "" in pieces:
            raise ModelError(
                f"{label}:{lineno}: empty target piece (pieces are separated by exactly one "
                "space); rebuild the file with `tarjama model shortlist`"
            )
        if key == "":
            if always is not None:
                raise ModelError(
                    f"{label}:{lineno}: a second always-allowed line (empty source; the first "
                    f"is line {always_line}); merge them"
                )
            always, always_line = tuple(pieces), lineno
            continue
        grams = key.split(" ")
        if "" in grams:
            raise ModelError(
                f"{label}:{lineno}: empty source piece in {key!r} (an n-gram's pieces are "
                "separated by exactly one space)"
            )
        if key in rules:
            raise ModelError(
                f"{label}:{lineno}: source n-gram {key!r} again (first on line {first[key]}); "
                "CTranslate2 would keep only the last: merge the lines"
            )
        rules[key], first[key] = tuple(pieces), lineno
        order = max(order, len(grams))
    if always is None and not rules:
        raise ModelError(f"{label}: an empty shortlist; build one with `tarjama model shortlist`")
    return Shortlist(always or (), rules, digest_of(text), None, order)


def read(path: Path) -> Shortlist:
    """Read a shortlist file.

    Raises:
        ModelError: missing, unreadable, not UTF-8, or malformed (file and line named).
    """
    from ..textfile import read_text

    text = read_text(
        path,
        ModelError,
        "shortlist",
        missing="check --shortlist",
        fix="a shortlist is CTranslate2 vmap text, build one with `tarjama model shortlist`",
    )
    found = parse(text, str(path))
    return Shortlist(found.always, found.rules, found.digest, path, found.order)


def choose(model_dir: Path, shortlist: Path | None, use_default: bool = True) -> Shortlist | None:
    """The shortlist a backend uses: ``shortlist`` if given, else the model directory's own
    ``vmap.txt`` unless ``use_default`` is off, else none.

    Raises:
        ModelError: the file cannot be read (see :func:`read`).
    """
    if shortlist is not None:
        return read(Path(shortlist))
    own = Path(model_dir) / FILENAME
    return read(own) if use_default and own.is_file() else None


# -- parallel text ---------------------------------------------------------------------------


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """Arabic/English pairs from a workspace (its translation memory), a memory file
    (``.sqlite``), a TSV of pairs (``ar<TAB>en``, header optional), a TMX file, or references
    (a folder or ``.en`` file, as :func:`translate.evaluate.load_references` reads them).

    Raises:
        InputError: the path is missing, of an unknown kind, or malformed (file and line named).
        ReferencesError: a reference folder or file is malformed.
    """
    path = Path(path)
    if path.is_dir():
        memory = path / "memory.sqlite"
        if memory.is_file():
            return _memory_pairs(memory)
        return _reference_pairs(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; check --from")
    suffix = path.suffix.lower()
    if suffix in (".sqlite", ".db"):
        return _memory_pairs(path)
    if suffix == ".tsv":
        return _tsv_pairs(path)
    if suffix == ".tmx":
        return _tmx_pairs(path)
    if suffix == ".en":
        return _reference_pairs(path)
    raise InputError(
        f"{path}: unknown parallel text {suffix or '(no suffix)'!r}; give a workspace, a memory "
        ".sqlite, a .tsv (ar<TAB>en), a .tmx, or references (a folder or a .en file)"
    )


def _memory_pairs(path: Path) -> list[tuple[str, str]]:
    """Every (source, target) of the memory: machine translations and people's edits."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT source, target FROM translations").fetchall()
            rows += db.execute("SELECT source, target FROM edits").fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise InputError(
            f"{path}: cannot read it as a tarjama translation memory ({exc}); give a workspace "
            "made by `tarjama run`, or its memory.sqlite"
        ) from exc
    return list(dict.fromkeys((str(s), str(t)) for s, t in rows if s and t))


def _reference_pairs(path: Path) -> list[tuple[str, str]]:
    from ..evaluate.references import load_references

    return list(load_references([path]).pairs)


def _tsv_pairs(path: Path) -> list[tuple[str, str]]:
    from ..evaluate.references import read_text

    try:
        text = read_text(path, "parallel text")
    except ReferencesError as exc:
        raise InputError(str(exc)) from exc
    pairs = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if lineno == 1 and [c.strip().lower() for c in cells[:2]] == ["ar", "en"]:
            continue  # a header
        if len(cells) < 2:
            raise InputError(
                f"{path}:{lineno}: expected columns ar, en (tab-separated); got 1 column"
            )
        ar, en = cells[0].strip(), cells[1].strip()
        if not ar or not en:
            raise InputError(f"{path}:{lineno}: empty {'ar' if not ar else 'en'} cell")
        if _ARABIC.search(en) and not _ARABIC.search(ar):
            raise InputError(f"{path}:{lineno}: the Arabic is in the second column; swap them")
        pairs.append((ar, en))
    if not pairs:
        raise InputError(f"{path}: no ar<TAB>en rows")
    return pairs


#: TMX inline elements whose text is native markup, not the sentence.
_TMX_CODES = frozenset({"bpt", "ept", "ph", "it", "ut"})


def _tmx_text(seg: Any) -> str:
    parts = [seg.text or ""]
    for child in seg:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")  # a comment or processing instruction
            continue
        if child.tag not in _TMX_CODES:
            parts.append(_tmx_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _tmx_pairs(path: Path) -> list[tuple[str, str]]:
    """The Arabic/English ``<tuv>`` pairs of a TMX 1.4 (or 1.1: ``lang``) file."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise InputError(
            f"{path}:{line}: not well-formed XML ({exc.msg}); fix or re-export it"
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the TMX file ({exc})") from exc
    if root.tag != "tmx":
        raise InputError(f"{path}:{root.sourceline}: root element <{root.tag}>, not <tmx>")
    lang_attr = "{http://www.w3.org/XML/1998/namespace}lang"
    pairs = []
    for tu in root.iter("tu"):
        sides: dict[str, str] = {}
        for tuv in tu.findall("tuv"):
            lang = (tuv.get(lang_attr) or tuv.get("lang") or "").lower().split("-")[0]
            seg = tuv.find("seg")
            if seg is None:
                raise InputError(f"{path}:{tuv.sourceline}: <tuv> without <seg>")
            if lang in ("ar", "en") and lang not in sides:
                sides[lang] = _tmx_text(seg)
        if sides.get("ar") and sides.get("en"):
            pairs.append((sides["ar"], sides["en"]))
    if not pairs:
        raise InputError(f"{path}: no <tu> with both an Arabic (ar) and an English (en) <tuv>")
    return pairs


# -- building --------------------------------------------------------------------------------


@dataclass(slots=True)
class BuildOptions:
    """How candidates are chosen (see the module notes)."""

    top: int = 50  # candidates per source n-gram at most
    frequent: int = 500  # most frequent target pieces, always allowed
    threshold: float = 0.97  # cumulative probability of a source n-gram's candidates
    min_prob: float = 0.005  # no candidate less likely than this
    min_count: int = 2  # source n-grams seen fewer times get no entry
    iterations: int = 5  # EM iterations of IBM Model 1
    bigrams: bool = True
    glossary: Sequence[str] = ()  # English whose pieces are always allowed

    def check(self) -> None:
        if self.top < 1 or self.frequent < 0 or self.iterations < 1 or self.min_count < 1:
            raise UsageError("--top and --iterations must be at least 1, --frequent at least 0")
        if not 0 < self.threshold <= 1:
            raise UsageError(f"threshold {self.threshold}: must lie in (0, 1]")


@dataclass(slots=True)
class BuildStats:
    """What :func:`build` read and made."""

    pairs: int = 0
    entries: int = 0
    bigrams: int = 0
    always: int = 0
    mean_candidates: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.pairs} pairs read, {self.entries} source entries ({self.bigrams} bigrams), "
            f"{self.always} pieces always allowed, {self.mean_candidates:.1f} candidates per "
            "entry on average"
        )


class _Tokenizers:
    """The model's sentencepiece models and target vocabulary."""

    def __init__(self, model_dir: Path) -> None:
        import json

        import sentencepiece as spm

        try:
            self.source = spm.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
            self.target = spm.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))
        except (OSError, RuntimeError) as exc:
            raise ModelError(
                f"{model_dir}: no Marian sentencepiece models (source.spm, target.spm) to build "
                f"a shortlist with ({exc}); pass a Marian model"
            ) from exc
        vocab: set[str] = set()
        if (model_dir / "vocab.json").is_file():
            vocab = set(json.loads((model_dir / "vocab.json").read_text(encoding="utf-8")))
        elif (model_dir / "shared_vocabulary.json").is_file():
            vocab = set(json.loads((model_dir / "shared_vocabulary.json").read_text("utf-8")))
        self.vocab = vocab or {
            self.target.id_to_piece(i) for i in range(self.target.get_piece_size())
        }


def _ibm1(
    sources: list[list[int]], targets: list[list[int]], n_targets: int, iterations: int
) -> tuple[Any, Any]:
    """IBM Model 1 by EM: the co-occurring (source, target) ids as ``source * n_targets +
    target`` keys (sorted, so each source's entries are contiguous) and ``t(target | source)``.

    Each sentence's source ids must include the NULL id. Sentences are taken as bags of
    distinct ids with their counts; the E-step is one vectorized pass over all (sentence, source,
    target) triples, in chunks.
    """
    import numpy as np

    chunks: list[tuple[Any, Any, Any, Any]] = []  # keys, source counts, target group, counts
    keys_all = []
    step = 2000
    for start in range(0, len(sources), step):
        keys_c, ns_c, group_c, mt_c = [], [], [], []
        offset = 0
        for src, tgt in zip(
            sources[start : start + step], targets[start : start + step], strict=True
        ):
            s, ns = np.unique(np.asarray(src, dtype=np.int64), return_counts=True)
            t, mt = np.unique(np.asarray(tgt, dtype=np.int64), return_counts=True)
            keys_c.append((s[:, None] * n_targets + t[None, :]).ravel())
            ns_c.append(np.repeat(ns, len(t)))
            group_c.append(np.tile(np.arange(offset, offset + len(t)), len(s)))
            mt_c.append(mt)
            offset += len(t)
        if not keys_c:
            continue
        keys = np.concatenate(keys_c)
        chunks.append(
            (
                keys,
                np.concatenate(ns_c).astype(np.float64),
                np.concatenate(group_c),
                np.concatenate(mt_c).astype(np.float64),
            )
        )
        keys_all.append(np.unique(keys))
    support = np.unique(np.concatenate(keys_all)) if keys_all else np.zeros(0, dtype=np.int64)
    indexed = [(np.searchsorted(support, k).astype(np.int64), ns, g, mt) for k, ns, g, mt in chunks]
    owner = support // n_targets
    prob = np.ones(len(support))
    for _ in range(iterations):
        counts = np.zeros(len(support))
        for idx, ns, group, mt in indexed:
            tv = prob[idx] * ns
            denom = np.bincount(group, weights=tv, minlength=len(mt))
            counts += np.bincount(idx, weights=mt[group] * tv / denom[group], minlength=len(prob))
        totals = np.bincount(owner, weights=counts)
        prob = counts / np.maximum(totals[owner], 1e-300)
    return support, prob


def _select(
    support: Any, prob: Any, n_targets: int, options: BuildOptions
) -> dict[int, list[tuple[int, float]]]:
    """Per source id: its candidates (target id, probability), best first, by the cumulative
    threshold, ``top`` and ``min_prob``."""
    import numpy as np

    owner = support // n_targets
    bounds = np.flatnonzero(np.diff(owner)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(owner)]])
    out: dict[int, list[tuple[int, float]]] = {}
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        p = prob[a:b]
        order = np.argsort(-p, kind="stable")[: options.top]
        kept: list[tuple[int, float]] = []
        total = 0.0
        for k in order.tolist():
            if total >= options.threshold or p[k] < options.min_prob:
                break
            kept.append((int(support[a + k] % n_targets), float(p[k])))
            total += float(p[k])
        if kept:
            out[int(owner[a])] = kept
    return out


def _is_symbolic(piece: str) -> bool:
    """Digits and punctuation only (``▁2019``, ``,``, ``▁"``): always allowed."""
    body = piece.replace(SPACE, "")
    return bool(body) and not any(ch.isalpha() for ch in body)


def build(
    pairs: Sequence[tuple[str, str]], model_dir: Path, options: BuildOptions | None = None
) -> tuple[Shortlist, BuildStats]:
    """Build a shortlist for the Marian model in ``model_dir`` from Arabic/English pairs.

    The Arabic is normalized as the pipeline gives it to the model; pieces are the model's own
    (``source.spm``, ``target.spm``), target pieces outside its vocabulary left out.

    Raises:
        UsageError: options out of range, or no pairs.
        ModelError: the model has no sentencepiece models.
    """
    from ..arabic import normalize

    options = options or BuildOptions()
    options.check()
    if not pairs:
        raise UsageError("no parallel text to build a shortlist from; check --from")
    tok = _Tokenizers(Path(model_dir))
    src_rows = tok.source.encode([normalize(ar).text for ar, _ in pairs], out_type=str)
    tgt_rows = [
        [p for p in row if p in tok.vocab]
        for row in tok.target.encode([en for _, en in pairs], out_type=str)
    ]
    target_ids: dict[str, int] = {}
    tgt_id_rows = [[target_ids.setdefault(p, len(target_ids)) for p in row] for row in tgt_rows]
    target_names = list(target_ids)
    frequency = Counter(p for row in tgt_rows for p in row)
    always: dict[str, None] = dict.fromkeys(["</s>", "<unk>"])
    always.update(dict.fromkeys(p for p, _ in frequency.most_common(options.frequent)))
    spellable = {tok.target.id_to_piece(i) for i in range(tok.target.get_piece_size())}
    always.update(dict.fromkeys(sorted(p for p in spellable & tok.vocab if _is_symbolic(p))))
    for en in options.glossary:
        always.update(
            dict.fromkeys(p for p in tok.target.encode(en, out_type=str) if p in tok.vocab)
        )

    def model(grams: list[list[str]]) -> tuple[dict[str, list[tuple[str, float]]], Counter[str]]:
        ids: dict[str, int] = {}
        rows = [[ids.setdefault(g, len(ids)) for g in row] for row in grams]
        null = len(ids)
        seen = Counter(g for row in grams for g in set(row))
        support, prob = _ibm1(
            [[*row, null] for row in rows],
            tgt_id_rows,
            max(len(target_names), 1),
            options.iterations,
        )
        names = list(ids)
        chosen = _select(support, prob, max(len(target_names), 1), options)
        return {
            names[s]: [(target_names[t], p) for t, p in cands]
            for s, cands in chosen.items()
            if s != null and seen[names[s]] >= options.min_count
        }, seen

    unigrams, _ = model([list(row) for row in src_rows])
    rules: dict[str, tuple[str, ...]] = {}
    fixed = set(always)
    for key in sorted(unigrams):
        values = tuple(p for p, _ in unigrams[key] if p not in fixed)
        if values:
            rules[key] = values
    # Numbers and Latin-script words of the source can be copied.
    for i in range(tok.source.get_piece_size()):
        piece = tok.source.id_to_piece(i)
        copyable = piece in spellable and piece in tok.vocab and not _ARABIC.search(piece)
        if copyable and piece not in fixed and piece.replace(SPACE, ""):
            rules[piece] = tuple(dict.fromkeys((*rules.get(piece, ()), piece)))
    bigram_count = 0
    if options.bigrams:
        grams = [[f"{a} {b}" for a, b in itertools.pairwise(row)] for row in src_rows]
        bigrams, _ = model(grams)
        for key in sorted(bigrams):
            a, b = key.split(" ")
            known = fixed | set(rules.get(a, ())) | set(rules.get(b, ()))
            extra = tuple(p for p, _ in bigrams[key] if p not in known)
            if extra:
                rules[key] = extra
                bigram_count += 1
    shortlist = parse(Shortlist(tuple(always), rules, order=2 if bigram_count else 1).text())
    sizes = [len(v) for v in rules.values()]
    stats = BuildStats(
        pairs=len(pairs),
        entries=len(rules),
        bigrams=bigram_count,
        always=len(always),
        mean_candidates=sum(sizes) / len(sizes) if sizes else 0.0,
    )
    return shortlist, stats


def write(shortlist: Shortlist, path: Path) -> Shortlist:
    """Write ``shortlist`` to ``path`` atomically; returns it as read back from there."""
    from ..workspace import write_atomic

    text = shortlist.text()
    write_atomic(Path(path), text)
    return Shortlist(
        shortlist.always, shortlist.rules, digest_of(text), Path(path), shortlist.order
    )


def synthetic(
    vocabulary: Sequence[str],
    source_pieces: Iterable[str],
    always: int,
    per_piece: int,
    seed: int = 0,
) -> Shortlist:
    """A shortlist of random candidates, for speed measurements on random weights (which no
    parallel text describes): ``always`` pieces allowed in every batch and ``per_piece`` random
    ones for each of ``source_pieces``."""
    import random

    rng = random.Random(seed)
    pool = [p for p in vocabulary if p not in ("<pad>", "<s>", "</s>", "<unk>")]
    fixed = tuple(rng.sample(pool, min(always, len(pool))))
    rules = {
        piece: tuple(rng.sample(pool, min(max(per_piece, 1), len(pool))))
        for piece in dict.fromkeys(source_pieces)
    }
    return parse(Shortlist(fixed, rules).text())


def make(
    model_dir: Path, sources: Sequence[Path], out: Path, options: BuildOptions | None = None
) -> tuple[Shortlist, BuildStats]:
    """Read every parallel text of ``sources`` (see :func:`read_pairs`), build the shortlist of
    the model in ``model_dir`` and write it to ``out``.

    Raises:
        UsageError: no sources, or options out of range.
        InputError, ReferencesError: a source cannot be read.
        ModelError: the model has no sentencepiece models.
        WorkspaceError: ``out`` cannot be written.
    """
    if not sources:
        raise UsageError(
            "no parallel text; give --from a workspace, a .tsv (ar<TAB>en), a .tmx or references"
        )
    pairs = list(dict.fromkeys(pair for source in sources for pair in read_pairs(source)))
    shortlist, stats = build(pairs, model_dir, options)
    return write(shortlist, out), stats
