"""The Jinja2 environment every HTML rendering uses: autoescaping on (article text and machine
output are untrusted), the package's templates, and the ``clean`` filter that turns characters
HTML cannot carry into U+FFFD."""

from __future__ import annotations

from typing import Any


def environment(package: str = "translate") -> Any:
    """A Jinja2 environment over ``package``'s ``templates`` folder (jinja2 imported here, so
    that commands that render nothing start fast)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from .export._chars import html_text

    env = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clean"] = html_text
    return env
