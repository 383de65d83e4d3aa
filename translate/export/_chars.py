"""Characters that a format cannot carry, and what each renderer writes instead.

Articles arrive as scraped, so a document may hold anything Python strings can: NUL bytes from
a broken CMS, U+FFFE from a byte-swapped file, lone surrogates. Each format gets the same rule:
a character the format forbids becomes U+FFFD REPLACEMENT CHARACTER (XLIFF 2 alone can carry
it losslessly, as ``<cp hex="…"/>``, see :mod:`.xliff2`); everything else, bidi marks and emoji
included, is written as it is.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

#: Not allowed anywhere in an XML 1.0 document, not even as a character reference
#: (https://www.w3.org/TR/xml/#charsets): C0 controls but tab, LF and CR; surrogates; U+FFFE/F.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

#: Parse errors in HTML text (https://html.spec.whatwg.org/#input-stream): controls other than
#: ASCII whitespace (C0, DEL and C1), surrogates, and the 66 noncharacters.
_NONCHARACTERS = "".join(chr(p + 0xFFFE) + chr(p + 0xFFFF) for p in range(0, 0x110000, 0x10000))
HTML_FORBIDDEN = re.compile(
    f"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}]"
)

#: Everything that ends a line somewhere (Python's ``str.splitlines`` set): a line-aligned
#: text file must have none inside a segment.
LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids replaced by U+FFFD."""
    return XML_FORBIDDEN.sub(REPLACEMENT, text)


def html_text(text: str) -> str:
    """``text`` with the characters HTML forbids replaced by U+FFFD."""
    return HTML_FORBIDDEN.sub(REPLACEMENT, text)


def one_line(text: str) -> str:
    """``text`` as one line of a plain-text file: line breaks become spaces, tabs too, and the
    characters HTML forbids (a superset of XML's) become U+FFFD."""
    return html_text(LINE_BREAKS.sub(" ", text.replace("\t", " ")))
