"""Title and kind of agreement."""

from __future__ import annotations

import pytest

from extractors import metadata
from pipeline.context import Context
from pipeline.model import Document, Page


def run_on(text: str) -> Document:
    doc = Document(id="t", path="t.txt", pages=[Page(number=1, text=text, source="plain")])
    metadata.run(doc, Context())
    return doc


def test_multiline_heading_is_joined() -> None:
    doc = run_on("ACUERDO DE HERMANAMIENTO\nENTRE LA CIUDAD DE A\nY LA CIUDAD DE B\n\nLas Partes acuerdan:")
    assert doc.title == "ACUERDO DE HERMANAMIENTO ENTRE LA CIUDAD DE A Y LA CIUDAD DE B"
    assert doc.kind == "sister_city"


def test_record_numbers_are_skipped() -> None:
    doc = run_on("Nr. 12\n\nMemorandum of Understanding on Cultural Cooperation\n\nThe Parties...")
    assert doc.title == "Memorandum of Understanding on Cultural Cooperation"
    assert doc.kind == "mou"


@pytest.mark.parametrize(
    "title, kind",
    [
        ("Convenio de Colaboración Interinstitucional entre la Universidad A y el Instituto B", "interinstitutional"),
        ("Acuerdo de Cooperación Técnica entre el Municipio de X y la Ciudad de Y", "cooperation"),
        ("Friendship City Agreement between X and Y", "friendship_city"),
        ("Tratado de Extradición entre los Estados Unidos Mexicanos y la República X", "treaty"),
        ("Proclamation of Sister Cities Week", "sister_city"),
        ("Carta de Intención entre el Estado de Sonora y el Estado de Arizona", "mou"),
    ],
)
def test_kind_from_title(title: str, kind: str) -> None:
    assert run_on(title + "\n\nTexto.").kind == kind
