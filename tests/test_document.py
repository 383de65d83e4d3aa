from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from translate.document import Document, read_document, schema
from translate.errors import InputError
from translate.pipeline import prepare

from .conftest import CORPUS


def test_documents_round_trip_and_satisfy_the_schema() -> None:
    for doc in prepare([CORPUS]):
        data = json.loads(doc.to_json())
        jsonschema.validate(data, schema())
        assert Document.from_dict(data) == doc


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"id": "x"}', "not a tarjama document"),
        ('{"id": "x", "paragraphs": [], "schema_version": 99}', "schema_version 99"),
    ],
)
def test_damaged_document_files_are_reported(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_document(path)
