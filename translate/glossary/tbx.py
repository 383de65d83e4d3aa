"""TBX import: the ISO 30042 TermBase eXchange format that CAT tools and term bases export.

Both TBX 2 (``martif``/``termEntry``/``langSet``/``tig``) and TBX 3 (``tbx``/``conceptEntry``/
``langSec``/``termSec``) are read, namespaced or not. Per concept: the first Arabic term is the
entry, other Arabic terms are aliases; the first English term that is not deprecated is the
rendering, deprecated or superseded English terms go to ``avoid``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import GlossaryError

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DEPRECATED = {
    "deprecatedterm-admn-sts",
    "supersededterm-admn-sts",
    "deprecatedterm",
    "supersededterm",
}


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(node: Any, *names: str) -> list[Any]:
    return [c for c in node if _local(c.tag) in names]


def _terms(lang_node: Any) -> list[tuple[str, bool]]:
    """(term, deprecated) pairs of a langSet/langSec."""
    out = []
    for holder in _children(lang_node, "tig", "ntig", "termSec", "termGrp"):
        nodes = [holder, *_children(holder, "termGrp")]
        term = next((t for n in nodes for t in _children(n, "term")), None)
        if term is None:
            continue
        text = "".join(term.itertext()).strip()
        status = {
            "".join(n.itertext()).strip().lower()
            for node in nodes
            for n in node.iter()
            if _local(n.tag) == "termNote"
            and (n.get("type") or "") in ("administrativeStatus", "normativeAuthorization")
        }
        if text:
            out.append((text, bool(status & _DEPRECATED)))
    return out


def read_tbx(path: Path) -> list[Any]:
    """Read glossary entries from a TBX file.

    Raises:
        GlossaryError: the file is not XML, not TBX, or has a concept without Arabic or English.
    """
    from lxml import etree

    from . import Entry

    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except OSError as exc:
        raise GlossaryError(f"{path}: cannot read glossary ({exc})") from exc
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise GlossaryError(
            f"{path}:{line}: not well-formed XML ({exc.msg}); export the TBX "
            "again from the term base"
        ) from exc
    root = tree.getroot()
    if _local(root.tag) not in ("martif", "tbx"):
        raise GlossaryError(
            f"{path}:{root.sourceline}: not a TBX file (root element "
            f"<{_local(root.tag)}>, expected <tbx> or <martif>)"
        )
    entries = []
    for concept in root.iter():
        if _local(concept.tag) not in ("termEntry", "conceptEntry"):
            continue
        by_lang: dict[str, list[tuple[str, bool]]] = {}
        for lang_node in _children(concept, "langSet", "langSec"):
            lang = (lang_node.get(_XML_LANG) or lang_node.get("lang") or "").lower().split("-")[0]
            by_lang.setdefault(lang, []).extend(_terms(lang_node))
        arabic = [t for t, _ in by_lang.get("ar", [])]
        english = [t for t, bad in by_lang.get("en", []) if not bad]
        avoid = tuple(t for t, bad in by_lang.get("en", []) if bad)
        where = f"{path}:{concept.sourceline}"
        if not arabic or not english:
            missing = "Arabic (xml:lang='ar')" if not arabic else "English (xml:lang='en')"
            raise GlossaryError(
                f"{where}: concept {concept.get('id') or ''} has no {missing} "
                "term; every entry needs both"
            )
        kind = next(
            (
                " ".join(d.itertext()).strip()
                for d in concept.iter()
                if _local(d.tag) in ("descrip", "termNote")
                and d.get("type") in ("subjectField", "conceptType", "termType")
            ),
            "",
        )
        note = next(
            (
                " ".join(d.itertext()).strip()
                for d in concept.iter()
                if _local(d.tag) in ("descrip", "note") and d.get("type") in (None, "definition")
            ),
            "",
        )
        entries.append(
            Entry(
                ar=arabic[0],
                en=english[0],
                type=kind,
                aliases=tuple(arabic[1:]),
                avoid=avoid,
                note=note,
                source=where,
            )
        )
    if not entries:
        raise GlossaryError(f"{path}: no term entries (termEntry or conceptEntry) in this TBX")
    return entries
