"""What the XML exports share: element building with lxml, serialization, creation dates.

Every string goes through :func:`translate.export._chars.xml_text` on its way in, so lxml never
sees a character XML 1.0 forbids (it would refuse it) and no file holds one.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any

from ._chars import xml_text

XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"
XML_SPACE = f"{{{XML_NS}}}space"


def sub(parent: Any, tag: str, text: str | None = None, /, **attrib: str) -> Any:
    """Append a child element with (cleaned) text and attributes; returns it.

    Attribute names may use ``xml_lang``/``xml_space`` for ``xml:lang``/``xml:space``.
    """
    from lxml import etree

    child = etree.SubElement(parent, tag)
    set_attrs(child, **attrib)
    if text is not None:
        child.text = xml_text(text)
    return child


def set_attrs(element: Any, **attrib: str) -> None:
    for name, value in attrib.items():
        key = {"xml_lang": XML_LANG, "xml_space": XML_SPACE}.get(name, name.replace("_", "-"))
        element.set(key, xml_text(value))


def serialize(root: Any, doctype: str | None = None) -> str:
    """The document as UTF-8 XML text with a declaration, indented where that is harmless.

    libxml2 only indents elements whose children are all elements, so text and mixed content
    (a segment with ``<cp/>`` inside) come out exactly as built.
    """
    from lxml import etree

    data: bytes = etree.tostring(
        root.getroottree(),
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
        doctype=doctype,
    )
    return data.decode("utf-8")


def creation_date() -> datetime:
    """Now, in UTC, or ``SOURCE_DATE_EPOCH`` when set, so that builds can be reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(tz=timezone.utc).replace(microsecond=0)
