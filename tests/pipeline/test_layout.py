"""Layout: reading order, two-column pages (text layer and scan), paragraph blocks, offsets."""

from __future__ import annotations

import re

import pytest

from corpus import render
from pipeline import language, layout, load, ocr
from pipeline.context import Context
from pipeline.model import Document, Word

ES = ("Las Partes se comprometen a intercambiar información técnica sobre la gestión del agua, "
      "a organizar un seminario anual con los municipios fronterizos y a presentar un informe "
      "conjunto de resultados antes del treinta y uno de diciembre de cada año.")
EN = ("The Parties shall exchange technical information on water management, hold an annual "
      "seminar with the border municipalities and submit a joint report on the results before "
      "the thirty-first of December of each year.")
ES_TEXT = "\n\n".join(f"ARTÍCULO {n}. {ES}" for n in range(1, 5))
EN_TEXT = "\n\n".join(f"ARTICLE {n}. {EN}" for n in range(1, 5))
CTX = Context()


def read(data: bytes, stages=(load.run, ocr.run, layout.run, language.run)) -> Document:
    doc = Document(id="t", path="t", data=data)
    for stage in stages:
        stage(doc, CTX)
    return doc


def squash(text: str) -> str:
    return " ".join(text.split())


def assert_offsets(doc: Document) -> None:
    for page in doc.pages:
        for w in page.words:
            assert page.text[w.start : w.end] == w.text
        for b in page.blocks:
            assert page.text[b.start : b.end].strip() == page.text[b.start : b.end] != ""


def column_order_ok(text: str, left_words: set[str], right_words: set[str]) -> bool:
    """True when every line belongs to one column and no left line follows a right one."""
    seen_right = False
    for line in text.splitlines():
        tokens = set(re.findall(r"\w{4,}", line.lower()))
        in_left, in_right = bool(tokens & left_words), bool(tokens & right_words)
        if in_left and in_right:
            return False
        if in_right:
            seen_right = True
        elif in_left and seen_right:
            return False
    return True


def only_in(a: str, b: str) -> set[str]:
    wa, wb = set(re.findall(r"\w{4,}", a.lower())), set(re.findall(r"\w{4,}", b.lower()))
    return wa - wb


def test_two_column_text_pdf_reads_left_column_then_right() -> None:
    data = render.text_pdf_bytes([], two_columns=[(EN_TEXT, ES_TEXT)])
    doc = read(data)
    page = doc.pages[0]
    assert page.source == "layer" and page.columns == 2
    assert squash(page.text) == squash(render.page_texts([], [(EN_TEXT, ES_TEXT)])[0])
    assert column_order_ok(page.text, only_in(EN_TEXT, ES_TEXT), only_in(ES_TEXT, EN_TEXT))
    assert [(b.column, b.lang) for b in page.blocks] == [(0, "en"), (1, "es")]
    assert doc.languages[:2] in (["es", "en"], ["en", "es"])
    assert_offsets(doc)


def test_single_column_pdf_gets_paragraph_blocks() -> None:
    doc = read(render.text_pdf_bytes([ES_TEXT]))
    page = doc.pages[0]
    assert page.columns == 1
    paragraphs = [page.text[b.start : b.end] for b in page.blocks]
    assert [squash(p) for p in paragraphs] == [squash(p) for p in ES_TEXT.split("\n\n")]
    assert {b.column for b in page.blocks} == {0} and {b.lang for b in page.blocks} == {"es"}
    assert_offsets(doc)


def test_plain_text_blocks_are_paragraphs() -> None:
    doc = read(f"  Título\n\n\n{ES}\n \n{EN}\n".encode(), stages=(load.run, layout.run))
    page = doc.pages[0]
    assert [page.text[b.start : b.end] for b in page.blocks] == ["Título", ES, EN]
    assert page.words == []


def grid_words(title: bool = True) -> list[Word]:
    """Synthetic OCR output: a title across the gutter, then two columns of 12 lines each.
    Tesseract numbers lines per block; here each visual row of both columns shares one
    line id, as a PDF drawn row by row would."""
    words = []
    line = 0
    if title:
        for i, t in enumerate(["CONVENIO", "DE", "HERMANAMIENTO", "SISTER", "CITY", "AGREEMENT"]):
            words.append(Word(t, 0, 0, (500 + i * 260, 100, 740 + i * 260, 140), 95.0, line))
        line += 1
    for row in range(12):
        y = 300 + row * 60
        for i in range(4):
            words.append(Word(f"izq{row}x{i}", 0, 0, (300 + i * 230, y, 500 + i * 230, y + 40), 90.0, line))
        for i in range(4):
            words.append(Word(f"der{row}x{i}", 0, 0, (1350 + i * 230, y, 1550 + i * 230, y + 40), 90.0, line))
        line += 1
    return words


def test_rows_shared_by_both_columns_are_split_and_never_interleaved() -> None:
    from pipeline.model import Page

    page = Page(number=1, words=grid_words(), source="ocr")
    layout.arrange(page)
    lines = page.text.split("\n")
    assert page.columns == 2
    assert lines[0] == "CONVENIO DE HERMANAMIENTO SISTER CITY AGREEMENT"
    body = [line for line in lines[1:] if line]
    assert all(line.startswith("izq") for line in body[:12]) and all(line.startswith("der") for line in body[12:])
    assert body[0] == "izq0x0 izq0x1 izq0x2 izq0x3"
    assert [b.column for b in page.blocks] == [None, 0, 1]
    for w in page.words:
        assert page.text[w.start : w.end] == w.text


def test_no_gutter_in_prose() -> None:
    words = []
    for row in range(30):
        x = 300 + (row * 37) % 90  # ragged word positions, as in real prose
        for i in range(9):
            words.append(Word("palabra", 0, 0, (x + i * 210, 300 + row * 60, x + i * 210 + 190, 340 + row * 60), None, row))
    assert layout.find_gutter(words) is None


def test_skewed_lines_are_not_merged() -> None:
    # Two lines whose boxes overlap vertically (a 2-degree skew) but share x: distinct lines.
    a = [Word("uno", 0, 0, (100, 100, 300, 160), 90.0, 0), Word("dos", 0, 0, (320, 110, 500, 170), 90.0, 0)]
    b = [Word("tres", 0, 0, (100, 140, 300, 200), 90.0, 1), Word("cuatro", 0, 0, (320, 150, 500, 210), 90.0, 1)]
    rows = layout._rows(a + b)
    assert [[w.text for w in r.words] for r in rows] == [["uno", "dos"], ["tres", "cuatro"]]
    # A line the source cut in two at the same baseline is one line.
    c = [Word("Por", 0, 0, (100, 100, 200, 140), None, 0), Word("Colombia", 0, 0, (900, 102, 1100, 140), None, 1)]
    assert [[w.text for w in r.words] for r in layout._rows(c)] == [["Por", "Colombia"]]


@pytest.mark.slow
def test_two_column_scan_keeps_columns_apart_and_each_its_language() -> None:
    (image,) = render.page_images([], 200, two_columns=[(ES_TEXT, EN_TEXT)])
    scan = render.degrade(image, rotate=1.0, noise=0.02, seed=2)
    doc = read(render.scanned_pdf_bytes([scan], 200))
    page = doc.pages[0]
    assert page.source == "ocr" and page.columns == 2
    assert column_order_ok(page.text, only_in(ES_TEXT, EN_TEXT), only_in(EN_TEXT, ES_TEXT))
    columns = [(b.column, b.lang) for b in page.blocks if b.column is not None]
    assert columns == [(0, "es"), (1, "en")]
    assert page.ocr_lang and set(page.ocr_lang.split("+")) == {"spa", "eng"}
    assert_offsets(doc)
    assert all(w.conf is not None for w in page.words)


def test_a_short_narrow_column_is_not_split_at_aligned_word_spaces() -> None:
    # Three lines of a lone right-hand column that overflowed onto a new page: the spaces after
    # "para la" line up, but a word space is no gutter.
    text = "competente para la expedición del\nDocumento Especial fronterizo y lo\ncomunicará a la otra Parte por Nota\nDiplomática.\n\n2. En el"
    data = render.text_pdf_bytes([], two_columns=[("", text)])
    page = read(data, stages=(load.run, layout.run)).pages[0]
    assert page.columns == 1
    assert page.text.startswith("competente para la expedición del\nDocumento")


def test_gutter_cover_counts_every_bin_a_word_box_spans() -> None:
    import math

    import numpy as np

    boxes = [(0.0, 0.0, 7.5), (3.2, 0.0, 3.2), (10.0, 0.0, 99.0), (4.0, 0.0, -30.0), (60.0, 0.0, 1e6), (2.0, 0.0, 2.01)]
    words = [Word(str(i), 0, 1, (x0, y, x1, 10.0)) for i, (x0, y, x1) in enumerate(boxes)]
    expected = np.zeros(50, dtype=np.int32)
    for w in words:  # what the cover means: a slice update per word
        expected[max(0, int(w.bbox[0] / 2.0)) : min(50, math.ceil(w.bbox[2] / 2.0))] += 1
    assert layout._cover(words, 0.0, 2.0, 50) == expected.tolist()
