"""Render agreement texts as the kinds of files archives hold.

Text PDFs (reportlab, DejaVuSans so that accents and ñ survive), page images,
scanned PDFs without a text layer, multi-page TIFFs, and ``degrade`` to make a
clean page look like a photocopy, a fax or a phone picture.

Page images are rasterised from the very PDF ``text_pdf`` writes (pypdfium2),
so a scan and its text PDF always share one layout: the benchmark and the
tests can compare OCR output against the text layer word for word.

Layout rules: a string in ``pages`` is one page of flowing text; paragraphs
are separated by blank lines, single newlines are kept as line breaks (titles,
signature blocks). Text that does not fit continues on the next page. A pair
in ``two_columns`` is a side-by-side page (left column, right column), as
bilingual agreements are printed; both columns flow onto further pages if
needed. Single-column pages come first, then the two-column pages.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_NAME = "DejaVuSans"
FONT_FILE = "DejaVuSans.ttf"
# Debian/Ubuntu (fonts-dejavu-core) first, then other common layouts.
_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",
)

PAGE_SIZE = LETTER
MARGIN = 72.0
GUTTER = 30.0
FONT_SIZE = 11.0
LEADING = 15.0
COLUMN_FONT_SIZE = 10.0
COLUMN_LEADING = 13.5

Pair = tuple[str, str]


def find_font(name: str = FONT_FILE) -> Path:
    """Locate a TrueType file: $CONVENIO_FONT, common font folders, then fontconfig."""
    env = os.environ.get("CONVENIO_FONT")
    if env and Path(env).is_file():
        return Path(env)
    home = Path.home()
    for folder in (*_FONT_DIRS, str(home / ".fonts"), str(home / ".local/share/fonts")):
        candidate = Path(folder) / name
        if candidate.is_file():
            return candidate
    if shutil.which("fc-match"):
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", Path(name).stem], capture_output=True, text=True, check=False
        ).stdout.strip()
        if out and Path(out).name == name and Path(out).is_file():
            return Path(out)
    raise FileNotFoundError(f"font {name} not found; install fonts-dejavu-core or set CONVENIO_FONT")


@lru_cache(maxsize=1)
def _register_font() -> str:
    # Registration is process-wide in reportlab; doing it once is idempotent, not state we own.
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(find_font())))
    return FONT_NAME


def _width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, _register_font(), size)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy word wrap; a blank string stands for a paragraph gap."""
    lines: list[str] = []
    paragraphs = text.replace("\r\n", "\n").split("\n\n")
    for p_index, paragraph in enumerate(paragraphs):
        if p_index and lines and lines[-1] != "":
            lines.append("")
        for raw_line in paragraph.split("\n"):
            words = raw_line.split()
            if not words:
                continue
            current = ""
            for word in words:
                while _width(word, size) > width:  # a token longer than the line: hard split
                    cut = len(word)
                    while cut > 1 and _width(word[:cut], size) > width:
                        cut -= 1
                    if current:
                        lines.append(current)
                        current = ""
                    lines.append(word[:cut])
                    word = word[cut:]
                candidate = f"{current} {word}" if current else word
                if _width(candidate, size) <= width:
                    current = candidate
                else:
                    lines.append(current)
                    current = word
            if current:
                lines.append(current)
    while lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass
class _Frame:
    x: float
    width: float


def _lines_per_page(leading: float) -> int:
    return int((PAGE_SIZE[1] - 2 * MARGIN) // leading)


def _chunks(lines: list[str], per_page: int) -> list[list[str]]:
    chunks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if not current and line == "":
            continue  # never start a page with a paragraph gap
        current.append(line)
        if len(current) == per_page:
            chunks.append(current)
            current = []
    if current or not chunks:
        chunks.append(current)
    return chunks


def layout(pages: Sequence[str], two_columns: Sequence[Pair] | None = None) -> list[list[list[str]]]:
    """Physical pages as lists of columns, each a list of lines (what ``text_pdf`` draws)."""
    width = PAGE_SIZE[0] - 2 * MARGIN
    out: list[list[list[str]]] = []
    for text in pages:
        for chunk in _chunks(wrap(text, width, FONT_SIZE), _lines_per_page(LEADING)):
            out.append([chunk])
    col_width = (width - GUTTER) / 2
    per_page = _lines_per_page(COLUMN_LEADING)
    for left, right in two_columns or ():
        lc = _chunks(wrap(left, col_width, COLUMN_FONT_SIZE), per_page)
        rc = _chunks(wrap(right, col_width, COLUMN_FONT_SIZE), per_page)
        for i in range(max(len(lc), len(rc))):
            out.append([lc[i] if i < len(lc) else [], rc[i] if i < len(rc) else []])
    return out


def page_texts(pages: Sequence[str], two_columns: Sequence[Pair] | None = None) -> list[str]:
    """The text of every physical page in reading order (left column, then right)."""
    result = []
    for columns in layout(pages, two_columns):
        result.append("\n".join("\n".join(line for line in col) for col in columns if col).strip())
    return result


def _draw(c: canvas.Canvas, columns: list[list[str]]) -> None:
    width = PAGE_SIZE[0] - 2 * MARGIN
    if len(columns) == 1:
        frames = [_Frame(MARGIN, width)]
        size, leading = FONT_SIZE, LEADING
    else:
        col_width = (width - GUTTER) / 2
        frames = [_Frame(MARGIN, col_width), _Frame(MARGIN + col_width + GUTTER, col_width)]
        size, leading = COLUMN_FONT_SIZE, COLUMN_LEADING
    c.setFont(_register_font(), size)
    top = PAGE_SIZE[1] - MARGIN - size
    for frame, lines in zip(frames, columns):
        for i, line in enumerate(lines):
            if line:
                c.drawString(frame.x, top - i * leading, line)


def text_pdf_bytes(pages: Sequence[str], *, two_columns: Sequence[Pair] | None = None) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=PAGE_SIZE, pageCompression=1, invariant=1)
    c.setTitle("")
    for columns in layout(pages, two_columns):
        _draw(c, columns)
        c.showPage()
    c.save()
    return buf.getvalue()


def text_pdf(pages: Sequence[str], path: str | Path, *, two_columns: Sequence[Pair] | None = None) -> Path:
    """Write a PDF with a real text layer; returns the path."""
    path = Path(path)
    path.write_bytes(text_pdf_bytes(pages, two_columns=two_columns))
    return path


def rasterize_pdf(data: bytes, dpi: int = 300) -> list[Image.Image]:
    """Render every page of a PDF to a greyscale image at ``dpi``."""
    pdf = pdfium.PdfDocument(data)
    try:
        images = []
        for i in range(len(pdf)):
            page = pdf[i]
            bitmap = page.render(scale=dpi / 72.0, grayscale=True)
            image = bitmap.to_pil().convert("L")
            image.info["dpi"] = (dpi, dpi)
            images.append(image)
            page.close()
        return images
    finally:
        pdf.close()


def page_images(
    pages: Sequence[str], dpi: int = 300, *, two_columns: Sequence[Pair] | None = None
) -> list[Image.Image]:
    """Greyscale page images (clean, as a flatbed scanner would give at ``dpi``)."""
    return rasterize_pdf(text_pdf_bytes(pages, two_columns=two_columns), dpi=dpi)


def _dpi_of(image: Image.Image, default: float = 300.0) -> float:
    dpi = image.info.get("dpi")
    if dpi:
        try:
            return float(dpi[0]) or default
        except (TypeError, ValueError, IndexError):
            return default
    return default


def scanned_pdf_bytes(images: Sequence[Image.Image], dpi: int | None = None) -> bytes:
    """A PDF of page images only (no text layer), stored losslessly so any artefacts are the caller's."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    for image in images:
        d = float(dpi or _dpi_of(image))
        w, h = image.size[0] * 72.0 / d, image.size[1] * 72.0 / d
        c.setPageSize((w, h))
        c.drawImage(ImageReader(image.convert("L") if image.mode not in ("L", "RGB") else image), 0, 0, w, h)
        c.showPage()
    c.save()
    return buf.getvalue()


def scanned_pdf(images: Sequence[Image.Image], path: str | Path, dpi: int | None = None) -> Path:
    """Write ``scanned_pdf_bytes`` to ``path``; returns the path."""
    path = Path(path)
    path.write_bytes(scanned_pdf_bytes(images, dpi))
    return path


def tiff(images: Sequence[Image.Image], path: str | Path, dpi: int | None = None) -> Path:
    """A (multi-page) TIFF, deflate-compressed, with the resolution tag set."""
    path = Path(path)
    # Copies: an image saved before (e.g. as PNG) keeps that save's encoder
    # settings, which Pillow would reuse for the appended TIFF frames.
    first, *rest = [im.copy() for im in images]
    d = int(dpi or _dpi_of(first))
    first.save(path, format="TIFF", save_all=True, append_images=rest, compression="tiff_deflate", dpi=(d, d))
    return path


def degrade(
    image: Image.Image,
    *,
    rotate: float = 0.0,
    upside_down: bool = False,
    noise: float = 0.0,
    jpeg_quality: int | None = None,
    seed: int = 0,
    dpi: int | None = None,
    blur: float = 0.0,
) -> Image.Image:
    """Make a clean page look scanned.

    ``rotate``: skew in degrees (counter-clockwise); ``upside_down``: page fed
    the wrong way; ``noise``: 0-1, gaussian grain (sigma = noise*255) plus
    salt-and-pepper specks (noise/20 of the pixels); ``jpeg_quality``: re-encode
    as JPEG; ``dpi``: resample to this resolution (e.g. 150, a fax-grade scan);
    ``blur``: gaussian blur radius in pixels. Deterministic for a given seed.
    """
    src_dpi = _dpi_of(image)
    out = image.convert("L")
    if dpi and abs(dpi - src_dpi) > 0.5:
        scale = dpi / src_dpi
        out = out.resize((max(1, round(out.width * scale)), max(1, round(out.height * scale))), Image.LANCZOS)
        src_dpi = float(dpi)
    if upside_down:
        out = out.rotate(180)
    if rotate:
        out = out.rotate(rotate, resample=Image.BICUBIC, expand=False, fillcolor=255)
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if noise > 0:
        rng = np.random.default_rng(seed)
        arr = np.asarray(out, dtype=np.float32)
        arr = arr + rng.normal(0.0, noise * 255.0, arr.shape)
        specks = rng.random(arr.shape)
        share = noise / 20.0
        arr[specks < share / 2] = 0.0
        arr[specks > 1.0 - share / 2] = 255.0
        out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    if jpeg_quality:
        buf = io.BytesIO()
        out.save(buf, format="JPEG", quality=int(jpeg_quality))
        buf.seek(0)
        out = Image.open(buf)
        out.load()
        out = out.convert("L")
    out.info["dpi"] = (src_dpi, src_dpi)
    return out
