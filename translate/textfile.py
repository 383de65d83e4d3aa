"""Reading a text file someone handed to tarjama (references, a glossary, a shortlist).

UTF-8 with or without a BOM is read, and so is UTF-16 with a BOM (spreadsheets on Windows save
it). Any other encoding is refused in one line that names the encoding charset-normalizer says
it looks like and the ``iconv`` command that converts it.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from .errors import TarjamaError


def read_text(
    path: Path,
    error: type[TarjamaError],
    what: str,
    missing: str = "check the path",
    fix: str = "save it as UTF-8",
) -> str:
    """The text of ``path``.

    Args:
        path: the file.
        error: the error class raised, the caller's (its exit code and kind).
        what: what the file is, for the messages ("reference", "glossary").
        missing: the fix when the file does not exist.
        fix: the fix for a file in an unknown encoding.

    Raises:
        error: missing, unreadable, binary or in another encoding (one line, with the fix).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise error(f"{path}: no such {what} file; {missing}") from exc
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} file ({exc.strerror})") from exc
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            from charset_normalizer import from_bytes

            best = from_bytes(raw).best()
            guess = best.encoding.upper().replace("_", "-") if best else ""
            hint = (
                f" (looks like {guess}); convert it: iconv -f {guess} -t UTF-8 {path}"
                if guess
                else f"; {fix}"
            )
            raise error(f"{path}: not UTF-8, byte {exc.start}{hint}") from exc
    if "\x00" in text:
        raise error(f"{path}: binary data, not a {what} text file")
    return text
