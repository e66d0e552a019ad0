"""Load: type sniffing, text decoding, per-page routing and every kind of bad input."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from corpus import render
from pipeline import errors, load
from pipeline.context import Context, Options
from pipeline.model import Document

SPANISH = (
    "PRIMERA. Las Partes se comprometen a intercambiar información técnica sobre la gestión del agua, "
    "a organizar un seminario anual y a presentar un informe conjunto de los resultados alcanzados. "
)
ENGLISH = (
    "ARTICLE 1. The Parties shall exchange technical information on water management, hold an annual "
    "seminar and submit a joint report on the results achieved to the Sister Cities Committee. "
)


def loaded(data: bytes, ctx: Context | None = None) -> Document:
    doc = Document(id="test", path="test", data=data)
    load.run(doc, ctx or Context())
    return doc


def caesar(text: str) -> str:
    """What a text layer looks like when a font's character map is wrong."""
    return "".join(chr((ord(c) - 97 + 7) % 26 + 97) if "a" <= c <= "z" else c for c in text.lower())


def mixed_pdf() -> bytes:
    """Page 1: real text layer. Page 2: a scanned image only. Page 3: a glyph-soup layer.
    Page 4: a scanned page whose layer holds only a stamp-like header."""
    scan = render.page_images([SPANISH * 4], dpi=100)[0]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.setFont("Helvetica", 11)
    y = 720
    for chunk in (SPANISH * 3).split(". "):
        c.drawString(72, y, chunk[:90])
        y -= 14
    c.showPage()
    c.drawImage(ImageReader(scan), 0, 0, 612, 792)
    c.showPage()
    c.setFont("Helvetica", 11)
    y = 720
    for chunk in caesar(SPANISH * 3).split(". "):
        c.drawString(72, y, chunk[:90])
        y -= 14
    c.showPage()
    c.drawImage(ImageReader(scan), 0, 0, 612, 792)
    c.setFont("Helvetica", 8)
    c.drawString(72, 770, "Archivo municipal - copia 12")
    c.showPage()
    c.save()
    return buf.getvalue()


# --- sniffing and text ----------------------------------------------------------


def test_type_comes_from_the_bytes_not_the_name() -> None:
    pdf = render.text_pdf_bytes([SPANISH])
    png, jpeg = io.BytesIO(), io.BytesIO()
    Image.new("L", (10, 10), 255).save(png, format="PNG")
    Image.new("L", (10, 10), 255).save(jpeg, format="JPEG")
    assert load.sniff(pdf) == load.PDF
    assert load.sniff(b"garbage before the header\n" + pdf) == load.PDF
    assert load.sniff(png.getvalue()) == load.PNG
    assert load.sniff(jpeg.getvalue()) == load.JPEG
    assert load.sniff(b"II*\x00rest") == load.TIFF
    assert load.sniff(SPANISH.encode()) == load.TEXT
    with pytest.raises(errors.UnsupportedType):
        load.sniff(b"PK\x03\x04 a docx")


def test_windows_1252_text_is_decoded() -> None:
    doc = loaded(SPANISH.encode("cp1252"))
    assert doc.media_type == "text/plain"
    assert doc.pages[0].text == SPANISH
    assert doc.pages[0].source == "plain" and "windows-1252" in doc.pages[0].route_reason


def test_utf8_with_bom_crlf_and_form_feeds() -> None:
    data = ("\ufeff" + SPANISH + "\r\n\f" + ENGLISH).encode("utf-8")
    doc = loaded(data)
    assert [p.number for p in doc.pages] == [1, 2]
    assert doc.pages[0].text == SPANISH + "\n"
    assert doc.pages[1].text == ENGLISH
    assert all(p.source == "plain" and "utf-8" in p.route_reason for p in doc.pages)


# --- routing --------------------------------------------------------------------


def test_each_pdf_page_is_routed_on_its_own() -> None:
    doc = loaded(mixed_pdf(), Context(Options(dpi=100)))
    assert doc.media_type == "application/pdf"
    layer, scan, soup, header = doc.pages
    assert layer.source == "layer" and layer.route_reason == "text layer"
    assert "intercambiar información" in layer.text and layer.image is None
    assert scan.source == "ocr" and scan.route_reason == "no text layer"
    assert soup.source == "ocr" and "glyph soup" in soup.route_reason
    assert header.source == "ocr" and "only" in header.route_reason
    for page in (scan, soup, header):
        # Rendered on demand (in OCR), not held from load on.
        assert page.image is None and page.render is not None
        assert (page.width, page.height) == (850, 1100)
        assert load.page_image(page).size == (850, 1100) and page.dpi == 100
        assert page.coord_unit == "px"
    load.release(scan)
    assert scan.render is None
    # Renderers share the PDF: after one closed it, another page still renders (reopened).
    assert load.page_image(soup).size == (850, 1100)


def test_broken_encoding_is_garbage() -> None:
    assert "broken text encoding" in load.layer_problem("Acuerdo \ue001\ue002\ue003\ue004 \ufffd\ufffd")
    assert load.layer_problem(SPANISH) is None
    assert load.layer_problem(ENGLISH) is None
    assert load.layer_problem("   ") == "no text layer"
    assert "glyph soup" in load.layer_problem("#$%& ()*+ ,-./ 0123 :;<= >?@[ ]^_` {|}~ " * 3)


@pytest.mark.parametrize("common", [0, 1, 2, 3, 4, 10])
def test_no_common_words_is_glyph_soup_at_two_percent(common: int) -> None:
    """Letters in words that are no words: glyph soup when under 2% of the word-like tokens
    are common words, whatever order the tokens come in (the count may stop early)."""
    rng = random.Random(common)
    soup = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(3, 8))) for _ in range(150)]
    tokens = soup + ["de", "the", "la"][: min(common, 3)] * (common // 3 + 1)
    tokens = tokens[: 150 + common] + ["123", "4.5", "--"] * 10  # tokens that are not word-like still count as tokens
    rng.shuffle(tokens)
    wordish = sum(1 for t in tokens if t.isalpha())
    commons = sum(1 for t in tokens if t in ("de", "the", "la"))
    expected = "glyph soup (no common words in the text layer)" if commons / wordish < 0.02 else None
    assert load.layer_problem(" ".join(tokens)) == expected


def test_text_layer_words_sit_where_they_were_drawn() -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.setFont("Helvetica", 12)
    c.drawString(100, 700, "Convenio de hermanamiento")
    c.drawString(300, 400, "Saltillo")
    c.showPage()
    c.save()
    page = loaded(buf.getvalue()).pages[0]
    word = next(w for w in page.words if w.text == "Saltillo")
    x0, y0, x1, y1 = word.bbox
    width = stringWidth("Saltillo", "Helvetica", 12)
    assert abs(x0 - 300) < 2 and abs(x1 - (300 + width)) < 2
    assert 792 - 400 - 12 < y0 < y1 < 792 - 400 + 4  # top-left origin: baseline at 392 pt from the top
    assert page.text[word.start : word.end] == "Saltillo"
    assert page.coord_unit == "pt" and page.width == 612 and page.height == 792


def test_rotated_pdf_page_boxes_are_in_display_orientation() -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.setFont("Helvetica", 12)
    c.drawString(100, 700, "Convenio")
    c.showPage()
    c.save()
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(buf.getvalue())
    pdf[0].set_rotation(90)
    out = io.BytesIO()
    pdf.save(out)
    page = loaded(out.getvalue()).pages[0]
    x0, y0, x1, y1 = page.words[0].bbox
    assert (page.width, page.height) == (792, 612)
    # Turned 90 degrees clockwise, text near the top-left corner lands near the top-right.
    assert x0 > 600 and y0 >= 95 and y1 < 160


def per_character_layer(page) -> tuple[str, list[tuple]]:
    """The text layer read the plain way, one PDFium call per character for its code
    and another for its box: what ``load.read_layer`` must reproduce."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    rotation = page.get_rotation() % 360
    width, height = page.get_size()
    uw, uh = (height, width) if rotation in (90, 270) else (width, height)
    words: list[tuple] = []
    parts: list[str] = []
    current: list[str] = []
    box: list[float] | None = None
    line = pos = 0

    def flush() -> None:
        nonlocal current, box, pos
        if current:
            text = "".join(current).translate(load._LIGATURES)
            if parts and not parts[-1].endswith("\n"):
                parts.append(" ")
                pos += 1
            bbox = load._to_top_left(tuple(box) if box else (0.0, 0.0, 0.0, 0.0), uw, uh, rotation)
            words.append((text, pos, pos + len(text), tuple(round(v, 2) for v in bbox), line))
            parts.append(text)
            pos += len(text)
        current, box = [], None

    values = [ctypes.c_double() for _ in range(4)]
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
        ch = chr(code) if 0 < code < 0x110000 else "\ufffd"
        if ch.isspace() or code == 0:
            flush()
            if ch == "\n" and words and words[-1][4] == line:
                line += 1
                parts.append("\n")
                pos += 1
            continue
        current.append(ch)
        pdfium_c.FPDFText_GetCharBox(textpage.raw, i, *values)
        left, right, bottom, top = (v.value for v in values)
        # PDFium's selection: boxes under a hundredth of a point either way take no part.
        if right - left >= 0.01 and top - bottom >= 0.01:
            if box is None:
                box = [left, bottom, right, top]
            else:
                box = [min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top)]
    flush()
    textpage.close()
    return "".join(parts), words


def drawn_pdf(lines: list[str], font: str | None = None) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.setFont(font or render._register_font(), 11)
    for i, line in enumerate(lines):
        c.drawString(72, 720 - 14 * i, line)
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize(
    "lines",
    [
        ["Las Partes se comprometen a organizar semi-", "narios de coopera-", "ción técnica anual."],
        ["\ufb01rmar el \ufb02ujo y la e\ufb00ectividad", "co\u00adope\u00adra\u00adción \u200b \ufeff \u00a0fin"],
        ["Acuerdo \x02 \x03 \x93 \x94 de control", "segunda línea"],
        ["Acuerdo \U0001d43a y \U0001f600 fuera del plano básico", "x \ufffe y \uffff z \ufffd"],
        ["Acuerdo \x00 con un carácter nulo"],
    ],
    ids=["line-end-hyphens", "ligatures-and-invisible", "control-characters", "beyond-bmp", "nul"],
)
def test_text_layer_matches_the_per_character_reading(lines: list[str]) -> None:
    import pypdfium2 as pdfium

    for data in (drawn_pdf(lines), drawn_pdf(lines, "Helvetica")):
        page = pdfium.PdfDocument(data)[0]
        text, words = per_character_layer(page)
        layer = load.read_layer(page)
        assert layer.text == text
        assert [(w.text, w.start, w.end, w.bbox, w.line) for w in layer.words] == words


def test_rotated_and_two_column_layers_match_the_per_character_reading() -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(render.text_pdf_bytes([SPANISH * 3], two_columns=[(SPANISH * 6, ENGLISH * 6)]))
    for rotation in (0, 90, 180, 270):
        for page in pdf:
            page.set_rotation(rotation)
            text, words = per_character_layer(page)
            layer = load.read_layer(page)
            assert layer.text == text
            assert [(w.text, w.start, w.end, w.bbox, w.line) for w in layer.words] == words


def test_a_word_across_text_objects_gets_the_union_of_their_boxes() -> None:
    """PDFium splits a word's selection where its text objects change: the word's box
    unites the pieces (here a small and a large font, so the second piece is taller)."""
    import pypdfium2 as pdfium

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    font = render._register_font()
    c.setFont(font, 11)
    c.drawString(72, 700, "Coopera")
    c.setFont(font, 24)
    c.drawString(72 + c.stringWidth("Coopera", font, 11), 700, "ción técnica")
    c.showPage()
    c.save()
    page = pdfium.PdfDocument(buf.getvalue())[0]
    text, words = per_character_layer(page)
    layer = load.read_layer(page)
    assert layer.text == text and layer.words[0].text == "Cooperación"
    assert [(w.text, w.start, w.end, w.bbox, w.line) for w in layer.words] == words
    x0, y0, x1, y1 = layer.words[0].bbox
    assert x0 < 80 and y1 - y0 > 15  # starts with the small letters, as tall as the large ones


def test_images_inside_form_xobjects_count_as_cover() -> None:
    scan = render.page_images([SPANISH], dpi=50)[0]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.beginForm("scan")
    c.drawImage(ImageReader(scan), 0, 0, 612, 792)
    c.endForm()
    c.doForm("scan")
    c.showPage()
    c.save()
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(buf.getvalue())[0]
    expected = [obj.get_bounds() for obj in page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,))]
    assert len(expected) == 1
    cover, largest = load._image_cover(page)
    assert cover == pytest.approx(1.0) and largest == scan.width * scan.height


def test_multipage_tiff_and_png_pages_go_to_ocr(tmp_path) -> None:
    images = render.page_images([SPANISH, ENGLISH], dpi=100)
    doc = loaded(render.tiff(images, tmp_path / "a.tif", 100).read_bytes())
    assert doc.media_type == "image/tiff"
    assert [p.source for p in doc.pages] == ["ocr", "ocr"]
    assert all(p.image is None and (p.width, p.height) == (850, 1100) for p in doc.pages)
    assert all(load.page_image(p).size == (850, 1100) and p.dpi == 100 for p in doc.pages)
    png = io.BytesIO()
    images[0].save(png, format="PNG")
    doc = loaded(png.getvalue())
    assert doc.media_type == "image/png" and doc.pages[0].route_reason == "image file"
    assert doc.pages[0].dpi is None  # no resolution tag: OCR judges the text size itself


def test_blank_pdf_page_is_not_sent_to_ocr() -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.showPage()
    c.save()
    page = loaded(buf.getvalue()).pages[0]
    assert page.source == "layer" and page.route_reason == "blank page" and page.image is None


# --- bad input --------------------------------------------------------------------


def encrypted(user_password: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=StandardEncryption(user_password, ownerPassword="owner"))
    c.drawString(72, 720, SPANISH[:80])
    c.showPage()
    c.save()
    return buf.getvalue()


def png_header(width: int, height: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b""))


def no_pages_pdf() -> bytes:
    body = b"%PDF-1.4\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[]/Count 0>>\nendobj\n"
    xref = len(body)
    return body + (b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
                   b"trailer\n<</Size 3/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref)


@pytest.mark.parametrize(
    ("data", "options", "error"),
    [
        (b"", {}, errors.EmptyFile),
        (b"  \n\t \n", {}, errors.EmptyFile),
        (b"%PDF-1.5\n" + bytes(range(256)) * 8 + b"\n%%EOF\n", {}, errors.CorruptFile),
        (render.text_pdf_bytes([SPANISH])[:900], {}, errors.CorruptFile),
        (encrypted("secret"), {}, errors.EncryptedFile),
        (no_pages_pdf(), {}, (errors.EmptyFile, errors.CorruptFile)),
        (render.text_pdf_bytes([SPANISH, ENGLISH]), {"max_pages": 1}, errors.TooLarge),
        (png_header(50_000, 50_000), {}, errors.TooLarge),
        (png_header(4000, 4000), {"max_image_pixels": 1_000_000}, errors.TooLarge),
        (png_header(20, 20)[:40], {}, errors.CorruptFile),
        (bytes([0, 1, 2, 3, 200, 17, 0, 5]) * 100, {}, errors.UnsupportedType),
        ("Convenio ".encode() + b"\x81\x8d\x8f\x90\x9d", {}, errors.UndecodableText),
        (b"PK\x03\x04 slides", {}, errors.UnsupportedType),
    ],
    ids=["empty", "whitespace", "corrupt-pdf", "truncated-pdf", "user-password", "zero-pages", "too-many-pages",
         "png-bomb", "over-pixel-limit", "truncated-png", "binary", "undecodable", "zip"],
)
def test_bad_input_raises_its_class(data: bytes, options: dict, error) -> None:
    with pytest.raises(error):
        loaded(data, Context(Options(**options)))


def test_huge_scanned_page_is_refused_before_rendering() -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(14400, 14400))
    c.rect(100, 100, 300, 300, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(errors.TooLarge):
        loaded(buf.getvalue())


def test_owner_password_only_pdf_is_read() -> None:
    doc = loaded(encrypted(""))
    assert doc.pages[0].source == "layer" and "Partes" in doc.pages[0].text


# --- scanned pages: the stored image instead of a render ------------------------------


def _image_pdf(image_dict: str, stream: bytes, width: int, height: int, dpi: int = 300, *,
               page_extra: str = "", content_extra: str = "", extra_objects: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF drawing one image XObject over the whole page (written by hand, so that
    each case controls exactly the image dictionary it tests)."""
    w, h = width * 72 / dpi, height * 72 / dpi
    content = f"q {w:.4f} 0 0 {h:.4f} 0 0 cm /Im0 Do Q {content_extra}".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:.4f} {h:.4f}] {page_extra} "
        f"/Resources << /XObject << /Im0 5 0 R >> /Font << /F1 << /Type /Font /Subtype /Type1 "
        f"/BaseFont /Helvetica >> >> >> /Contents 4 0 R >>".encode(),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} {image_dict} "
        f"/Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream",
        *extra_objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _grey(width: int = 200, height: int = 300) -> bytes:
    return bytes((x * 7 + y * 13) % 256 for y in range(height) for x in range(width))


def _scan_cases() -> dict[str, bytes]:
    grey = _grey()
    jpeg = io.BytesIO()
    Image.frombytes("L", (200, 300), grey).save(jpeg, format="JPEG", quality=70)
    bits = bytes((0b10110010 + y) % 256 for y in range(300) for _ in range(25))
    return {
        "flate": _image_pdf("/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", zlib.compress(grey),
                            200, 300),
        "inverted by /Decode": _image_pdf("/ColorSpace /DeviceGray /BitsPerComponent 8 /Decode [1 0] "
                                          "/Filter /FlateDecode", zlib.compress(grey), 200, 300),
        "jpeg": _image_pdf("/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", jpeg.getvalue(), 200, 300),
        "1-bit": _image_pdf("/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode", zlib.compress(bits),
                            200, 300),
    }


def _first_page(data: bytes):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    return pdf, pdf[0]


def _rendered(page) -> bytes:
    return page.render(scale=300 / 72, grayscale=True).to_pil().convert("L").tobytes()


@pytest.mark.parametrize("case", sorted(_scan_cases()))
def test_a_stored_greyscale_scan_is_taken_as_it_would_render(case: str) -> None:
    data = _scan_cases()[case]
    assert not load.may_hold_masks(data)
    pdf, page = _first_page(data)
    image = load.scan_image(page, 300)
    assert image is not None and image.mode == "L" and image.size == (200, 300)
    assert image.tobytes() == _rendered(page)  # pixel for pixel: OCR reads the same page
    rendered = load.render_page(page, 300, Context(), masks=False)
    assert rendered.tobytes() == image.tobytes() and rendered.info["dpi"] == (300, 300)
    pdf.close()


def test_pages_that_need_rendering_are_rendered() -> None:
    grey = zlib.compress(_grey())
    gray_dict = "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode"
    rgb = zlib.compress(bytes(range(256)) * (200 * 300 * 3 // 256) + bytes(200 * 300 * 3 % 256))
    smask = b"<< /Type /XObject /Subtype /Image /Width 200 /Height 300 /ColorSpace /DeviceGray " \
            b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(grey) + grey + b"\nendstream"
    cases = {
        "colour": _image_pdf("/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode", rgb, 200, 300),
        "another resolution": _image_pdf(gray_dict, grey, 200, 300, dpi=150),
        "page turned": _image_pdf(gray_dict, grey, 200, 300, page_extra="/Rotate 90"),
        "text over the scan": _image_pdf(gray_dict, grey, 200, 300, content_extra="BT /F1 12 Tf 10 10 Td (x) Tj ET"),
    }
    for name, data in cases.items():
        pdf, page = _first_page(data)
        assert load.scan_image(page, 300) is None, name
        pdf.close()
    masked = _image_pdf(gray_dict + " /SMask 6 0 R", grey, 200, 300, extra_objects=(smask,))
    assert load.may_hold_masks(masked)  # PDFium's image decoder ignores masks: render those PDFs
    pdf, page = _first_page(masked)
    assert load.render_page(page, 300, Context(), masks=True).tobytes() == _rendered(page)
    pdf.close()


def test_scanned_pdf_pages_reach_ocr_as_scanned() -> None:
    # At 150 dpi the page height in points (float) is a hair short of 1651 pixels: a render
    # would resample the scan and shift some rows by one; OCR gets the scan itself.
    scans = render.page_images([SPANISH * 3, ENGLISH * 3], dpi=150)
    doc = loaded(render.scanned_pdf_bytes(scans, 150), Context(Options(dpi=150)))
    for page, scan in zip(doc.pages, scans):
        image = load.page_image(page)
        assert image.size == scan.size and image.tobytes() == scan.convert("L").tobytes()
        assert image.info["dpi"] == (150, 150)
        load.release(page)
