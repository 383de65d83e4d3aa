"""Exception types. The library raises these; only the CLI turns them into messages and exit codes.

Every message names what is wrong, where (file and line when there is one) and what to do.
"""

from __future__ import annotations


class TarjamaError(Exception):
    """Base class of every error tarjama reports to a user."""

    exit_code = 1


class InputError(TarjamaError):
    """An input file or folder cannot be read as an article."""

    exit_code = 2


class GlossaryError(TarjamaError):
    """A glossary file is malformed."""

    exit_code = 2


class ReferencesError(TarjamaError):
    """A reference translation file is malformed or does not fit the documents."""

    exit_code = 2


class ModelError(TarjamaError):
    """The translation model cannot be found or loaded."""

    exit_code = 3


class WorkspaceError(TarjamaError):
    """The workspace (output folder) is missing, unreadable or cannot be written."""

    exit_code = 4


class ClusterError(TarjamaError):
    """The Ray cluster asked for cannot be reached or started, or Ray is not installed."""

    exit_code = 4


class UsageError(TarjamaError):
    """An option has a value tarjama does not understand."""

    exit_code = 2


class Conflict(TarjamaError):
    """An edit was based on a revision of the segment that is no longer the current one.

    Nothing was saved. ``yours`` is what the edit asked for, ``theirs`` the segment as it is now
    (with the revision and who made it), so that a person can choose; neither is lost.
    """

    exit_code = 5

    def __init__(self, message: str, yours: dict[str, object], theirs: dict[str, object]) -> None:
        super().__init__(message)
        self.yours = yours
        self.theirs = theirs


def first_line(exc: BaseException) -> str:
    """The first line of a library's exception message (its type when it has none): what a
    one-line error quotes of a failure it cannot explain better."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
