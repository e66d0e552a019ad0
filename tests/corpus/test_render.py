"""The renderers the sample archive, the benchmark and the OCR tests are built with."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from corpus import render

SPANISH = "Las Partes se comprometen a intercambiar información técnica sobre gestión del agua y energía."
ENGLISH = "The Parties shall exchange technical information on water management and energy every year."


def layer_text(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def test_font_is_found() -> None:
    font = render.find_font()
    assert font.is_file() and font.name == "DejaVuSans.ttf"


def test_text_pdf_keeps_accents_in_its_text_layer(tmp_path: Path) -> None:
    path = render.text_pdf([SPANISH, ENGLISH], tmp_path / "a.pdf")
    pages = layer_text(path.read_bytes())
    assert len(pages) == 2
    assert " ".join(pages[0].split()) == SPANISH
    assert " ".join(pages[1].split()) == ENGLISH


def test_long_text_flows_onto_more_pages() -> None:
    text = "\n\n".join(f"{n}. {SPANISH}" for n in range(120))
    pages = render.page_texts([text])
    assert len(pages) > 2
    assert " ".join(" ".join(pages).split()) == " ".join(text.split())


def test_two_column_page_puts_each_text_in_its_column() -> None:
    data = render.text_pdf_bytes([], two_columns=[(ENGLISH * 3, SPANISH * 3)])
    pdf = pdfium.PdfDocument(data)
    page = pdf[0]
    width = page.get_width()
    textpage = page.get_textpage()
    left = textpage.get_text_bounded(right=width / 2)
    right = textpage.get_text_bounded(left=width / 2)
    assert "Parties" in left and "Partes" not in left
    assert "Partes" in right and "Parties" not in right
    pdf.close()
    assert render.page_texts([], [(ENGLISH, SPANISH)])[0].split("\n")[0].startswith("The Parties")


def test_page_images_have_the_requested_resolution() -> None:
    (image,) = render.page_images([SPANISH], dpi=100)
    assert image.mode == "L"
    assert image.size == (850, 1100)
    assert image.info["dpi"] == (100, 100)
    assert np.asarray(image).min() < 50  # there is ink


def test_degrade_is_deterministic_and_does_what_it_says() -> None:
    (image,) = render.page_images([SPANISH * 5], dpi=100)
    a = render.degrade(image, rotate=2.0, noise=0.05, jpeg_quality=50, seed=3)
    b = render.degrade(image, rotate=2.0, noise=0.05, jpeg_quality=50, seed=3)
    c = render.degrade(image, rotate=2.0, noise=0.05, jpeg_quality=50, seed=4)
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))
    flipped = render.degrade(image, upside_down=True)
    assert np.array_equal(np.asarray(flipped), np.asarray(image.rotate(180)))
    low = render.degrade(image, dpi=50)
    assert low.size == (425, 550) and low.info["dpi"] == (50.0, 50.0)


def test_scanned_pdf_has_pages_but_no_text_layer(tmp_path: Path) -> None:
    images = render.page_images([SPANISH, ENGLISH], dpi=100)
    path = render.scanned_pdf(images, tmp_path / "scan.pdf", 100)
    pdf = pdfium.PdfDocument(path.read_bytes())
    assert len(pdf) == 2
    assert round(pdf[0].get_width()) == 612 and round(pdf[0].get_height()) == 792
    assert pdf[0].get_textpage().get_text_range().strip() == ""
    pdf.close()


def test_multipage_tiff(tmp_path: Path) -> None:
    images = render.page_images([SPANISH, ENGLISH, SPANISH], dpi=100)
    images[0].save(io.BytesIO(), format="PNG")  # an earlier save must not leak into the TIFF
    path = render.tiff(images, tmp_path / "scan.tif", 100)
    with Image.open(path) as tif:
        assert tif.n_frames == 3
        assert tuple(round(v) for v in tif.info["dpi"]) == (100, 100)


def test_wrap_splits_words_longer_than_a_line() -> None:
    lines = render.wrap("x" * 400, 100.0, 11.0)
    assert len(lines) > 3 and "".join(lines) == "x" * 400
