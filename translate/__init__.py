"""tarjama: Arabic→English news translation with an enforced proper-noun glossary.

The package is a library first; ``translate.cli`` is a thin command line over it::

    from translate import pipeline
    docs = pipeline.prepare(["corpus/raw"], glossary_paths=[...])
"""

from __future__ import annotations

__version__ = "0.1.0"
