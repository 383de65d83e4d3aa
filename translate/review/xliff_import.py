"""XLIFF files edited in a CAT tool, brought back: checked strictly, then applied as edits.

``tarjama import DIR FILE.xlf...`` reads XLIFF 2.x (as :mod:`translate.export.xliff2` writes it)
and XLIFF 1.2 (as :mod:`translate.export.xliff12` writes it). Every file is parsed and checked
against the workspace's documents before anything changes; one problem anywhere refuses the
whole import with an :class:`~translate.errors.InputError` naming the file, the line, the
unit/segment and the fix, and the workspace is left byte for byte as it was.

What a translator may do (accepted):

- change targets and states (XLIFF 2 ``state``; XLIFF 1.2 ``state`` and ``approved``);
- add notes (XLIFF 2 unit notes, XLIFF 1.2 ``<note>``) and comment markers (XLIFF 2
  ``<mrk type="comment">``, XLIFF 1.2 ``<mrk mtype="x-comment">``): kept as reviewer comments;
- drop our term markers, add extensions and foreign attributes (ignored), set ``subState``
  (kept, and written out again by the next export);
- lower a state (``reviewed`` → ``translated``): taken as "needs work", state ``initial`` with a
  note saying so, as when a reviewer sends a segment back in the app.

What is refused: a file that is not XML or not XLIFF, another version or namespace, a DOCTYPE
(entity declarations are never read: the parser resolves no entities and reaches no network, so
an XXE file cannot read local files), a document the workspace lacks, unknown, missing or
duplicate unit/segment ids, a source that changed, a unit re-segmented, an invalid state, a
state past ``initial`` without a target.

Accepted changes go through :func:`translate.review.edits.apply_edits`, exactly as the app's
saves do (edit log, memory, documents, pages and exports).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..document import STATES, Document, Segment, read_document
from ..errors import InputError
from ..export._chars import REPLACEMENT, xml_text
from ..workspace import Workspace
from .edits import (
    DOCUMENT_ID,
    EditOptions,
    EditRequest,
    EditResult,
    apply_edits,
    recover,
    split_segment_id,
)

NS2 = "urn:oasis:names:tc:xliff:document:2.0"
NS12 = "urn:oasis:names:tc:xliff:document:1.2"
MDA = "urn:oasis:names:tc:xliff:metadata:2.0"
VERSIONS2 = ("2.0", "2.1", "2.2")

#: XLIFF 1.2 target states → ours. ``x-`` states (tool-defined) leave the state as it is.
STATE12 = {
    "new": "initial",
    "needs-translation": "initial",
    "needs-adaptation": "initial",
    "needs-l10n": "initial",
    "needs-review-translation": "translated",
    "needs-review-adaptation": "translated",
    "needs-review-l10n": "translated",
    "translated": "translated",
    "signed-off": "reviewed",
    "final": "final",
}
#: Notes our exports write; anything else in a file is a person's.
OWN_CATEGORIES = frozenset({"glossary", "qa"})
OWN_FROM = frozenset({"tarjama", "tarjama glossary", "tarjama qa"})

_SURROGATE = re.compile("[\ud800-\udfff]")
_HEX = re.compile(r"[0-9A-Fa-f]{1,6}")


@dataclass(slots=True)
class _Found:
    """One segment as the file has it."""

    seg: Segment
    line: int
    where: str  # "unit p3, segment <id>" for messages
    target: str | None
    state: str  # ours, before the downgrade rule
    said: str  # the state as the file wrote it, for notes
    comments: list[str] = field(default_factory=list)
    sub_state: str | None = None


@dataclass(slots=True)
class FilePlan:
    """What one file would change."""

    path: Path
    version: str
    documents: list[str]
    requests: list[EditRequest]
    segments: int  # segments in the file


@dataclass(slots=True)
class ImportResult:
    """What an import did."""

    files: list[FilePlan]
    results: list[EditResult]

    @property
    def edits(self) -> int:
        return len(self.results)


def _ws(text: str) -> str:
    """Text compared whitespace-insensitively: tools re-indent and re-wrap."""
    return " ".join(text.split())


def _rank(state: str) -> int:
    return STATES.index(state) if state in STATES else 0


def _fail(path: Path, line: int | None, message: str) -> InputError:
    where = f"{path}:{line}" if line else str(path)
    return InputError(f"{where}: {message}")


def parse(path: Path) -> Any:
    """Parse an XLIFF file safely: no entities resolved, no network, no DTD.

    Raises:
        InputError: unreadable, not XML, or with a DOCTYPE.
    """
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(path, None, f"cannot read the file ({exc.strerror}); check the path") from exc
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as exc:
        raise _fail(
            path,
            exc.lineno,
            f"not XML ({exc.msg}); give the XLIFF file the CAT tool wrote, unchanged",
        ) from exc
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise _fail(
            path,
            1,
            "has a DOCTYPE; XLIFF needs none and tarjama reads no DTD or entity declarations "
            "(they can pull in local files); remove the <!DOCTYPE …> and import again",
        )
    return tree


def _local(element: Any) -> tuple[str, str]:
    """(namespace, local name) of an element; ("", "") for comments and processing instructions."""
    tag = element.tag
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


# --- inline content ------------------------------------------------------------------------


def _inline2(element: Any, path: Path, comments: list[str], notes: dict[str, str]) -> str:
    """The text of XLIFF 2 inline content; comment markers' text goes to ``comments``."""
    parts = [element.text or ""]
    for child in element:
        ns, local = _local(child)
        if ns == NS2:
            if local in ("mrk", "sm") and child.get("type") == "comment":
                value = child.get("value")
                ref = (child.get("ref") or "").rpartition("n=")[2]
                if value:
                    comments.append(value)
                elif ref and ref in notes:
                    comments.append(notes.pop(ref))
            if local == "cp":
                code = child.get("hex", "")
                if not _HEX.fullmatch(code) or int(code, 16) > 0x10FFFF:
                    raise _fail(path, child.sourceline, f'<cp hex="{code}"/> is not a character')
                parts.append(chr(int(code, 16)))
            elif local == "ph":
                parts.append(child.get("disp") or child.get("equiv") or "")
            elif local in ("mrk", "pc"):
                parts.append(_inline2(child, path, comments, notes))
            # sm, em, sc, ec: markers without text of their own
        parts.append(child.tail or "")
    return "".join(parts)


def _inline12(element: Any, comments: list[str]) -> str:
    """The text of XLIFF 1.2 inline content; ``<mrk comment="…">`` goes to ``comments``."""
    parts = [element.text or ""]
    for child in element:
        ns, local = _local(child)
        if ns == NS12:
            if local == "mrk":
                if child.get("comment"):
                    comments.append(child.get("comment"))
                parts.append(_inline12(child, comments))
            elif local in ("g", "sub"):
                parts.append(_inline12(child, comments))
            # x, bx, ex, ph, bpt, ept, it: native codes, no text of the sentence
        parts.append(child.tail or "")
    return "".join(parts)


# --- the workspace side ------------------------------------------------------------------


def _units(doc: Document) -> dict[str, list[Segment]]:
    """Unit (XLIFF 2) / group (XLIFF 1.2) id → its segments, as the exports number them."""
    units = {"p0": [doc.title]} if doc.title is not None else {}
    for number, paragraph in enumerate(doc.paragraphs, start=1):
        if paragraph:
            units[f"p{number}"] = list(paragraph)
    return units


def _document(workspace: Workspace, path: Path, line: int | None, doc_id: str) -> Document:
    if not DOCUMENT_ID.fullmatch(doc_id) or len(doc_id) > 400:
        raise _fail(path, line, f"document id {doc_id!r:.80} is not one tarjama writes")
    file = workspace.document_path(doc_id)
    if not file.is_file():
        raise _fail(
            path,
            line,
            f"document {doc_id} is not in the workspace {workspace.root}; import into the "
            "workspace the file was exported from",
        )
    return read_document(file)


# --- XLIFF 2 ----------------------------------------------------------------------------------


def _read2(workspace: Workspace, path: Path, root: Any) -> tuple[list[Document], list[_Found]]:
    from ..export.xliff2 import nmtoken

    version = root.get("version", "")
    if version not in VERSIONS2:
        raise _fail(
            path,
            root.sourceline,
            f"XLIFF namespace 2.0 with version {version!r}; tarjama reads XLIFF "
            f"{', '.join(VERSIONS2)} and 1.2: export again with `tarjama export DIR -f xliff`",
        )
    src, trg = root.get("srcLang", ""), root.get("trgLang", "")
    if not src.lower().startswith("ar") or (trg and not trg.lower().startswith("en")):
        raise _fail(
            path,
            root.sourceline,
            f"languages {src or '?'} → {trg or '?'}; this workspace translates ar → en",
        )
    docs: list[Document] = []
    found: list[_Found] = []
    files = [f for f in root if _local(f) == (NS2, "file")]
    if not files:
        raise _fail(path, root.sourceline, "no <file> element; the file holds no document")
    for file in files:
        doc_id = next(
            (
                (m.text or "").strip()
                for m in file.iter(f"{{{MDA}}}meta")
                if m.get("type") == "document"
            ),
            file.get("id", ""),
        )
        doc = _document(workspace, path, file.sourceline, doc_id)
        if any(d.id == doc.id for d in docs):
            raise _fail(path, file.sourceline, f"document {doc.id} appears twice; keep one")
        docs.append(doc)
        expected = _units(doc)
        seen_units: set[str] = set()
        for unit in file.iter(f"{{{NS2}}}unit"):
            unit_id = unit.get("id", "")
            line = unit.sourceline
            if unit_id not in expected:
                raise _fail(
                    path,
                    line,
                    f"unit {unit_id!r:.60} is not a paragraph of {doc.id}; units must keep "
                    "the ids the export gave them",
                )
            if unit_id in seen_units:
                raise _fail(path, line, f"unit {unit_id} appears twice; keep one")
            seen_units.add(unit_id)
            found += _unit2(path, unit, unit_id, expected[unit_id], nmtoken)
        missing = [u for u in expected if u not in seen_units]
        if missing:
            raise _fail(
                path,
                file.sourceline,
                f"units {', '.join(missing[:5])} of {doc.id} are missing; import the whole "
                "exported file",
            )
    return docs, found


def _unit2(
    path: Path, unit: Any, unit_id: str, segments: list[Segment], nmtoken: Any
) -> list[_Found]:
    by_id = {nmtoken(s.id): s for s in segments}
    elements = [c for c in unit if _local(c) == (NS2, "segment")]
    if len(elements) != len(segments):
        raise _fail(
            path,
            unit.sourceline,
            f"unit {unit_id} was re-segmented ({len(elements)} segments, the document has "
            f"{len(segments)}); keep the exported segmentation (the file says "
            'canResegment="no") and export again',
        )
    notes: dict[str, str] = {}
    loose: list[tuple[str, int]] = []  # unit notes without a segment id prefix
    for container in unit:
        if _local(container) != (NS2, "notes"):
            continue
        for note in container:
            if _local(note) != (NS2, "note") or note.get("category") in OWN_CATEGORIES:
                continue
            text = (note.text or "").strip()
            if note.get("id"):
                notes[note.get("id")] = text
            else:
                loose.append((text, note.sourceline))
    out: list[_Found] = []
    seen: set[str] = set()
    for element in elements:
        line = element.sourceline
        seg_id = element.get("id")
        if not seg_id:
            raise _fail(path, line, f"a segment of unit {unit_id} has no id; keep the exported ids")
        if seg_id not in by_id:
            raise _fail(
                path, line, f"unit {unit_id}: unknown segment id {seg_id!r:.80}; keep the ids"
            )
        if seg_id in seen:
            raise _fail(path, line, f"unit {unit_id}: segment {seg_id} appears twice; keep one")
        seen.add(seg_id)
        seg = by_id[seg_id]
        where = f"unit {unit_id}, segment {seg.id}"
        comments: list[str] = []
        source_el = element.find(f"{{{NS2}}}source")
        if source_el is None:
            raise _fail(path, line, f"{where}: no <source>; the Arabic must come back unchanged")
        source = _inline2(source_el, path, comments, notes)
        if _ws(source) != _ws(_SURROGATE.sub(REPLACEMENT, seg.source)):
            raise _fail(
                path,
                source_el.sourceline,
                f"{where}: the source text changed; the Arabic must stay as exported (fix it "
                "in the article and run tarjama again, then export)",
            )
        target_el = element.find(f"{{{NS2}}}target")
        target = None if target_el is None else _inline2(target_el, path, comments, notes)
        state = element.get("state", "initial")
        if state not in STATES:
            raise _fail(
                path, line, f"{where}: invalid state {state!r:.40}; use one of {', '.join(STATES)}"
            )
        if state != "initial" and (target is None or not target.strip()):
            raise _fail(
                path,
                line,
                f"{where}: state {state} without a target; write the English or set the "
                'state to "initial"',
            )
        out.append(
            _Found(seg, line, where, target, state, state, comments, element.get("subState"))
        )
    prefixes = {f"{f.seg.id}: ": f for f in out}
    for text, _line in loose + [(t, 0) for t in notes.values()]:
        owner = next((f for p, f in prefixes.items() if text.startswith(p)), None)
        if owner is not None:
            owner.comments.append(text[len(f"{owner.seg.id}: ") :])
        else:
            changed = [f for f in out if f.target is not None and f.target != f.seg.target]
            (changed or out)[0].comments.append(text)
    return out


# --- XLIFF 1.2 --------------------------------------------------------------------------------


def _read12(workspace: Workspace, path: Path, root: Any) -> tuple[list[Document], list[_Found]]:
    if root.get("version") != "1.2":
        raise _fail(
            path,
            root.sourceline,
            f"XLIFF 1.2 namespace with version {root.get('version')!r}; give the file as "
            "exported (`tarjama export DIR -f xliff12`)",
        )
    docs: list[Document] = []
    found: list[_Found] = []
    files = [f for f in root if _local(f) == (NS12, "file")]
    if not files:
        raise _fail(path, root.sourceline, "no <file> element; the file holds no document")
    for file in files:
        src = file.get("source-language", "")
        trg = file.get("target-language", "")
        if not src.lower().startswith("ar") or (trg and not trg.lower().startswith("en")):
            raise _fail(
                path,
                file.sourceline,
                f"languages {src or '?'} → {trg or '?'}; this workspace translates ar → en",
            )
        units = list(file.iter(f"{{{NS12}}}trans-unit"))
        if not units:
            raise _fail(path, file.sourceline, "a <file> without trans-units; nothing to import")
        doc_ids = set()
        for unit in units:
            unit_id = unit.get("id", "")
            try:
                doc_ids.add(split_segment_id(unit_id)[0])
            except InputError:
                raise _fail(
                    path,
                    unit.sourceline,
                    f"unknown trans-unit id {unit_id!r:.80}; keep the ids the export gave "
                    "(<document>:<paragraph>:<sentence>)",
                ) from None
        if len(doc_ids) > 1:
            raise _fail(
                path,
                file.sourceline,
                f"one <file> holds trans-units of {len(doc_ids)} documents; keep one file per "
                "document, as exported",
            )
        doc = _document(workspace, path, file.sourceline, doc_ids.pop())
        if any(d.id == doc.id for d in docs):
            raise _fail(path, file.sourceline, f"document {doc.id} appears twice; keep one")
        docs.append(doc)
        expected = _units(doc)
        segments = {s.id: s for s in doc.segments()}
        for group in file.iter(f"{{{NS12}}}group"):
            group_id = group.get("id", "")
            inside = [u for u in group if _local(u) == (NS12, "trans-unit")]
            if group_id in expected and inside and len(inside) != len(expected[group_id]):
                raise _fail(
                    path,
                    group.sourceline,
                    f"group {group_id} was re-segmented ({len(inside)} trans-units, the "
                    f"document has {len(expected[group_id])}); keep the exported segmentation",
                )
        seen: set[str] = set()
        for unit in units:
            found.append(_unit12(path, unit, segments, seen))
        missing = [s for s in segments if s not in seen]
        if missing:
            raise _fail(
                path,
                file.sourceline,
                f"segments {', '.join(missing[:3])} of {doc.id} are missing; import the whole "
                "exported file",
            )
    return docs, found


def _unit12(path: Path, unit: Any, segments: dict[str, Segment], seen: set[str]) -> _Found:
    line = unit.sourceline
    unit_id = unit.get("id", "")
    if unit_id not in segments:
        raise _fail(path, line, f"unknown trans-unit id {unit_id!r:.80}; keep the exported ids")
    if unit_id in seen:
        raise _fail(path, line, f"trans-unit {unit_id} appears twice; keep one")
    seen.add(unit_id)
    seg = segments[unit_id]
    where = f"trans-unit {seg.id}"
    comments: list[str] = []
    seg_source = unit.find(f"{{{NS12}}}seg-source")
    if seg_source is not None:
        marks = [m for m in seg_source.iter(f"{{{NS12}}}mrk") if m.get("mtype") == "seg"]
        if len(marks) > 1:
            raise _fail(
                path,
                seg_source.sourceline,
                f"{where} was re-segmented ({len(marks)} segments in <seg-source>); keep one "
                "sentence per trans-unit, as exported",
            )
    source_el = unit.find(f"{{{NS12}}}source")
    if source_el is None:
        raise _fail(path, line, f"{where}: no <source>; the Arabic must come back unchanged")
    if _ws(_inline12(source_el, comments)) != _ws(xml_text(seg.source)):
        raise _fail(
            path,
            source_el.sourceline,
            f"{where}: the source text changed; the Arabic must stay as exported (fix it in "
            "the article and run tarjama again, then export)",
        )
    target_el = unit.find(f"{{{NS12}}}target")
    approved = unit.get("approved")
    if approved not in (None, "yes", "no"):
        raise _fail(path, line, f'{where}: approved="{approved:.20}"; use "yes" or "no"')
    if target_el is None:
        if approved == "yes":
            raise _fail(path, line, f"{where}: approved without a target; write the English")
        said, target = None, None
        state = seg.state if seg.target is not None else "initial"  # nothing said about it
    else:
        target = _inline12(target_el, comments)
        said = target_el.get("state")
        if said is None or said.startswith("x-"):  # none, or a tool's own: no news about ours
            state = seg.state if seg.state != "initial" or not target.strip() else "translated"
        elif said in STATE12:
            state = STATE12[said]
        else:
            raise _fail(
                path,
                target_el.sourceline,
                f"{where}: invalid state {said!r:.40}; use one of {', '.join(STATE12)} (or x-…)",
            )
        if approved == "yes" and state in ("initial", "translated"):
            state = "reviewed"
        elif approved == "no" and state in ("reviewed", "final"):
            state = "translated"
        if state != "initial" and not target.strip():
            raise _fail(
                path,
                line,
                f"{where}: state {said or state} without a target; write the English or mark "
                "it as needing translation",
            )
    for note in unit:
        if _local(note) == (NS12, "note") and note.get("from") not in OWN_FROM:
            text = (note.text or "").strip()
            if text:
                comments.append(text)
    told = f"{said or state}{' approved=' + repr(approved) if approved else ''}"
    return _Found(seg, line, where, target, state, told, comments)


# --- from what the files say to edits -------------------------------------------------------


def _request(found: _Found, path: Path, reviewer: str, export_text: Any) -> EditRequest | None:
    seg = found.seg
    known = {n.text for n in seg.notes}
    comments = [c for c in dict.fromkeys(found.comments) if c and c not in known]
    target = found.target
    changed = target is not None and (
        seg.target is None or _ws(target) != _ws(export_text(seg.target))
    )
    state = found.state
    if _rank(state) < _rank(seg.state):
        comments.append(
            f"state lowered from {seg.state} to {found.said} in {path.name}: needs work"
        )
        state = "initial"
    sub_state = found.sub_state
    current_sub = (seg.origin or {}).get("sub_state")
    sub_changed = sub_state is not None and sub_state != current_sub
    if not (changed or state != seg.state or comments or sub_changed):
        return None
    return EditRequest(
        segment_id=seg.id,
        target=target if changed else None,
        state=state,
        base_revision=seg.revision,
        reviewer=reviewer,
        seconds=0.0,
        note="\n".join(comments) or None,
        action="import",
        via=path.name,
        sub_state=sub_state,
    )


def plan_file(workspace: Workspace, path: Path, reviewer: str) -> FilePlan:
    """Read and check one XLIFF file against the workspace; nothing is written.

    Raises:
        InputError: anything the module docstring lists as refused.
    """
    from ..export.xliff2 import _SURROGATE as SURROGATE2

    tree = parse(path)
    root = tree.getroot()
    ns, local = _local(root)
    if local != "xliff" or ns not in (NS2, NS12):
        what = f"<{local}>" + (f" in namespace {ns}" if ns else " without a namespace")
        raise _fail(
            path,
            root.sourceline,
            f"not XLIFF (root element {what}); tarjama imports XLIFF 2.x ({NS2}) and 1.2 ({NS12})",
        )
    if ns == NS2:
        docs, found = _read2(workspace, path, root)
        version = root.get("version", "2")

        def export_text(text: str) -> str:
            return SURROGATE2.sub(REPLACEMENT, text)

    else:
        docs, found = _read12(workspace, path, root)
        version = "1.2"
        export_text = xml_text
    requests = [r for f in found if (r := _request(f, path, reviewer, export_text)) is not None]
    return FilePlan(path, version, [d.id for d in docs], requests, len(found))


def import_files(
    workspace: Workspace,
    paths: Sequence[Path],
    reviewer: str,
    options: EditOptions | None = None,
) -> ImportResult:
    """Import XLIFF files into a workspace: all of them, or (on any problem) nothing.

    Raises:
        InputError: a file is refused (see the module docstring); nothing was changed.
        Conflict: a segment changed in the workspace while the import was checked.
    """
    if not workspace.documents_dir.is_dir():
        raise InputError(
            f"{workspace.root}: no documents here; give the workspace the files were exported from"
        )
    plans = [plan_file(workspace, Path(p), reviewer) for p in paths]
    owners: dict[str, Path] = {}
    for plan in plans:
        for doc_id in plan.documents:
            if doc_id in owners:
                raise _fail(
                    plan.path,
                    None,
                    f"document {doc_id} is also in {owners[doc_id]}; import one file per document",
                )
            owners[doc_id] = plan.path
    requests = [r for plan in plans for r in plan.requests]
    if not requests:
        return ImportResult(plans, [])
    options = options or EditOptions()
    if recover(workspace, options.qa):  # an earlier crash: check again against the documents
        plans = [plan_file(workspace, plan.path, reviewer) for plan in plans]
        requests = [r for plan in plans for r in plan.requests]
    results = apply_edits(workspace, requests, options)
    from .refresh import refresh_index

    refresh_index(workspace)
    return ImportResult(plans, results)
