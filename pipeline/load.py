"""Load stage: sniff the file type, read text where it exists, route pages to OCR.

The type comes from the bytes (magic numbers), never from the extension:
archives are full of ``.pdf`` files that are JPEGs and ``.txt`` files in
Windows-1252. For PDFs every page is judged on its own: a page keeps its text
layer when the layer is real text, and goes to OCR when it has none or when
the layer is garbage (broken encoding, glyph soup, or a scanned page whose
layer holds only a header or a stamp). ``Page.route_reason`` says which and why.

Words carry boxes in a top-left origin (y grows downwards), in points for
text-layer pages and in image pixels for OCR pages, so that layout can treat
both alike. The page text set here is provisional; layout rebuilds it in
reading order.
"""

from __future__ import annotations

import ctypes
import io
import math
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageOps, ImageSequence

from pipeline.context import Context
from pipeline.errors import CorruptFile, EmptyFile, EncryptedFile, TooLarge, UndecodableText, UnsupportedType
from pipeline.model import Document, Page, Word

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
GIF = "image/gif"
BMP = "image/bmp"
WEBP = "image/webp"
TEXT = "text/plain"
IMAGE_TYPES = {PNG, JPEG, TIFF, GIF, BMP, WEBP}

# Formats we recognise but cannot read as agreements: named in the error so
# the batch report says what the file actually is.
_KNOWN_BINARY = (
    (b"PK\x03\x04", "zip archive or office document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy office document"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x7fELF", "executable"),
    (b"MZ", "executable"),
    (b"Rar!", "rar archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"{\\rtf", "rich text document"),
)

# Common function words of the languages the archive holds (plus close
# neighbours, so a genuine Portuguese or French layer is not taken for glyph
# soup). A real text layer of any length is full of them; a layer decoded
# with the wrong font map has none.
_FUNCTION_WORDS = frozenset(
    """de la el los las y en que del por con para al se su sus un una o a e es lo como
    the of and to in for by with on as be is are or that this shall will at from an its their
    do da das dos em um uma os no na le les des et du pour par dans une il sont
    het een van en der die und zu den""".split()
)
_TOKEN = re.compile(r"\S+")
_WORDISH = re.compile(r"[^\W\d_]+", re.UNICODE)

# Typographic ligatures come out of text layers as single code points; extractors
# look for "firmar" and "official", not "ﬁrmar" and "oﬃcial".
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})
_LIGATURE_CHARS = re.compile("[\ufb00-\ufb06]")

MIN_LAYER_CHARS = 200  # below this, a page covered by a scanned image is read by OCR
IMAGE_COVER_SHARE = 0.5


def sniff(data: bytes) -> str:
    """Media type from the leading bytes."""
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return TIFF
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data.startswith(b"BM") and len(data) > 26 and data[14] in (12, 40, 52, 56, 64, 108, 124):
        return BMP
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return WEBP
    for magic, what in _KNOWN_BINARY:
        if data.startswith(magic):
            raise UnsupportedType(f"not an agreement file: {what}")
    return TEXT


def run(doc: Document, ctx: Context) -> None:
    data = doc.data
    if not data or not data.strip():
        raise EmptyFile("file is empty")
    doc.media_type = sniff(data)
    if doc.media_type == PDF:
        doc.pages = load_pdf(data, ctx)
    elif doc.media_type in IMAGE_TYPES:
        doc.pages = load_image(data, ctx)
    else:
        doc.pages = load_text(data, ctx)


# --- plain text -------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise UndecodableText(f"bad UTF-16 text: {exc}") from exc
    if b"\x00" in data:
        raise UnsupportedType("binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise UndecodableText(f"neither UTF-8 nor Windows-1252: {exc}") from exc
    return text, "windows-1252"


def _control_share(text: str) -> float:
    bad = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    return bad / max(1, len(text))


def load_text(data: bytes, ctx: Context) -> list[Page]:
    text, encoding = decode_text(data)
    if _control_share(text) > 0.02:
        raise UnsupportedType("binary data, not text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyFile("text file holds only whitespace")
    chunks = text.split("\f")
    if len(chunks) > ctx.options.max_pages:
        raise TooLarge(f"{len(chunks)} pages (limit {ctx.options.max_pages})")
    return [
        Page(number=i + 1, text=chunk, source="plain", route_reason=f"plain text ({encoding})")
        for i, chunk in enumerate(chunks)
    ]


# --- images -------------------------------------------------------------------


def _check_pixels(width: int, height: int, ctx: Context, what: str) -> None:
    if width * height > ctx.options.max_image_pixels:
        raise TooLarge(f"{what} is {width}x{height} pixels (limit {ctx.options.max_image_pixels})")


def _image_dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else None
    except (TypeError, ValueError, IndexError):
        value = None
    # Cameras write 72 dpi whatever the page size: that is no scan resolution.
    if value is None or value < 100 or value > 1200:
        return None
    return value


def _frame_image(frame: Image.Image, index: int, dpi: float | None) -> Image.Image:
    frame.load()
    upright = ImageOps.exif_transpose(frame) if index == 0 else frame
    grey = upright.convert("L")
    grey.info["dpi"] = (dpi or 0, dpi or 0)
    return grey


class _FrameRender:
    """Decodes one frame of a multi-page image file when OCR asks for it."""

    def __init__(self, data: bytes, index: int, dpi: float | None) -> None:
        self.data, self.index, self.dpi = data, index, dpi

    def __call__(self) -> Image.Image:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            try:
                with Image.open(io.BytesIO(self.data)) as image:
                    image.seek(self.index)
                    return _frame_image(image, self.index, self.dpi)
            except Exception as exc:  # noqa: BLE001 - Pillow raises many types for bad files
                raise CorruptFile(f"page {self.index + 1} of the image is unreadable: {exc}") from exc

    def close(self) -> None:
        pass


def load_image(data: bytes, ctx: Context) -> list[Page]:
    with warnings.catch_warnings():
        # Our own pixel limit (ctx.options.max_image_pixels) decides; Pillow's is process-wide.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise TooLarge(str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - Pillow raises many types for bad files
            raise CorruptFile(f"unreadable image: {exc}") from exc
        n_frames = getattr(image, "n_frames", 1)
        if n_frames > ctx.options.max_pages:
            raise TooLarge(f"{n_frames} pages (limit {ctx.options.max_pages})")
        pages: list[Page] = []
        try:
            for i, frame in enumerate(ImageSequence.Iterator(image)):
                _check_pixels(frame.width, frame.height, ctx, f"page {i + 1}")
                dpi = _image_dpi(frame)
                if n_frames == 1:
                    grey = _frame_image(frame, 0, dpi)
                    size, render = grey.size, None
                else:
                    # A multi-page scan is decoded frame by frame in OCR, never all at once.
                    size, render = (frame.width, frame.height), _FrameRender(data, i, dpi)
                    if i == 0:
                        # EXIF orientation can swap the first frame's sides: take its real size.
                        size = render().size
                pages.append(
                    Page(
                        number=i + 1,
                        source="ocr",
                        route_reason="image file",
                        width=float(size[0]),
                        height=float(size[1]),
                        coord_unit="px",
                        dpi=dpi,
                        image=grey if render is None else None,
                        render=render,
                    )
                )
        except (TooLarge, Image.DecompressionBombError) as exc:
            raise TooLarge(str(exc)) from exc
        except Exception as exc:  # noqa: BLE001
            raise CorruptFile(f"unreadable image: {exc}") from exc
    if not pages:
        raise EmptyFile("image holds no frames")
    return pages


# --- PDF ----------------------------------------------------------------------


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        # PDFium's last-error code is per process and can be stale (a PDF without pages
        # fails with no error of its own), so a password error needs an /Encrypt entry too.
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD and b"/Encrypt" in data:
            raise EncryptedFile("PDF needs a password to open") from exc
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_SECURITY:
            raise EncryptedFile("PDF uses an unsupported security handler") from exc
        raise CorruptFile(f"unreadable PDF: {exc}") from exc


@dataclass
class _Layer:
    words: list[Word]
    text: str
    chars: int  # non-space characters


def _to_top_left(box: tuple[Any, Any, Any, Any], width: float, height: float, rotation: int) -> tuple[Any, Any, Any, Any]:
    """PDF user space (origin bottom-left, unrotated) to displayed page, origin top-left:
    of one box's floats, or of every box at once as numpy columns (the same arithmetic)."""
    left, bottom, right, top = box
    if rotation == 90:
        return (bottom, left, top, right)
    if rotation == 180:
        return (width - right, bottom, width - left, top)
    if rotation == 270:
        return (height - top, width - right, height - bottom, width - left)
    return (left, height - top, right, height - bottom)


# A word (a run of non-space characters) or a line break PDFium inserted.
_WORD_OR_BREAK = re.compile(r"\S+|\n")
# GetText output that does not map one to one onto character indices: surrogates
# (characters beyond the BMP are dropped) and NUL.
_UNALIGNED = re.compile("[\x00\ud800-\udfff]")
# PDFium writes U+FFFE in GetText where a character's own code is 0 or a line-end
# hyphen marker (2); those few are read one by one.
_PLACEHOLDER = "\ufffe"


def _char(code: int) -> str:
    """A character as the layer reader sees it: NUL separates words like a space."""
    if code == 0:
        return " "
    return chr(code) if code < 0x110000 else "\ufffd"


def _page_chars(raw: pdfium_c.FPDF_TEXTPAGE, n: int) -> str:
    """One character per PDFium character index, from a single GetText call.

    GetText skips control characters and drops characters beyond the BMP, so its
    text lines up with the character indices only when it is exactly ``n`` long;
    otherwise every character is asked for on its own (about as slow as the rest
    of the page put together). A code beyond U+10FFFF, which is no character at
    all, is the one case the two readings differ: GetText keeps its low 16 bits
    where the per-character reading gives U+FFFD.
    """
    get_unicode = pdfium_c.FPDFText_GetUnicode
    buffer = (ctypes.c_ushort * (2 * n + 2))()  # room for surrogate pairs from older PDFium builds
    written = pdfium_c.FPDFText_GetText(raw, 0, n, buffer)
    if written == n + 1:
        text = ctypes.string_at(buffer, 2 * n).decode("utf-16-le", "surrogatepass")
        if len(text) == n and not _UNALIGNED.search(text):
            if _PLACEHOLDER not in text:
                return text
            chars = list(text)
            for i, ch in enumerate(chars):
                if ch == _PLACEHOLDER:
                    chars[i] = _char(get_unicode(raw, i))
            return "".join(chars)
    return "".join([_char(get_unicode(raw, i)) for i in range(n)])


def _unchecked(function: Any) -> Any:
    """A PDFium function called through a bare pointer: no argument conversion checks,
    which cost more than the call itself when it is made for every word of a page."""
    bare = type(function)(ctypes.cast(function, ctypes.c_void_p).value)
    bare.restype = ctypes.c_int
    return bare


def _word_boxes(raw: pdfium_c.FPDF_TEXTPAGE, words: list[tuple[int, int]]) -> np.ndarray:
    """Columns left, bottom, right, top: one per word, given as (first character index, length).

    A word's box is what PDFium selects for its characters, the union of their boxes
    leaving out characters it generated and boxes narrower or flatter than a hundredth
    of a point (a viewer's highlight of the word): two calls a word instead of one a
    character. The rectangles split where a word crosses text objects; they are
    united here. A word with no box left gets (0, 0, 0, 0).
    """
    if not words:
        return np.zeros((4, 0))
    count_rects = _unchecked(pdfium_c.FPDFText_CountRects)
    get_rect = _unchecked(pdfium_c.FPDFText_GetRect)
    page = ctypes.c_void_p(ctypes.cast(raw, ctypes.c_void_p).value)
    # The four doubles side by side, so that a rectangle is kept with one copy of their bytes.
    rect = (ctypes.c_double * 4)()
    size = ctypes.sizeof(ctypes.c_double)
    p_left, p_top, p_right, p_bottom = (ctypes.byref(rect, k * size) for k in range(4))
    empty = bytes(rect)
    found: list[bytes] = []
    keep = found.append
    for start, length in words:
        n = count_rects(page, start, length)
        if n < 1 or not get_rect(page, 0, p_left, p_top, p_right, p_bottom):
            keep(empty)
            continue
        if n > 1:
            left, top, right, bottom = rect
            for i in range(1, n):
                get_rect(page, i, p_left, p_top, p_right, p_bottom)
                left, top, right, bottom = min(left, rect[0]), max(top, rect[1]), max(right, rect[2]), min(bottom, rect[3])
            rect[:] = (left, top, right, bottom)
        keep(bytes(rect))
    left, top, right, bottom = np.frombuffer(b"".join(found), dtype=np.float64).reshape(len(words), 4).T
    return np.array([left, bottom, right, top])


class _Rounded(dict[float, float]):
    """``round(value, 2)`` by subscription, remembered: a page's coordinates repeat along
    its lines and margins, and rounding to decimal places is slow, while a value seen
    before is a plain dictionary lookup. Zero is not remembered, as 0.0 and -0.0 are
    one key but round to themselves. Kept for a whole document (its pages share margins
    and line positions), up to ``LIMIT`` values: a few megabytes."""

    LIMIT = 50_000

    def __missing__(self, value: float) -> float:
        found = round(value, 2)
        if value and len(self) < self.LIMIT:
            self[value] = found
        return found


def read_layer(page: pdfium.PdfPage, rounded: _Rounded | None = None) -> _Layer:
    """Words of a page's text layer with boxes; lines follow PDFium's line breaks.

    Words are runs of non-space characters; a line break ends a line once the line
    holds a word. Each word's box is what PDFium selects for its characters
    (``_word_boxes``). ``rounded``: the document's coordinate memo, when it has one.
    """
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        raw = textpage.raw
        rotation = page.get_rotation() % 360
        width, height = page.get_size()
        # Text-page coordinates are in the unrotated page space.
        uw, uh = (height, width) if rotation in (90, 270) else (width, height)
        chars = _page_chars(raw, n) if n > 0 else ""
        tokens = [(m.start(), m.end()) for m in _WORD_OR_BREAK.finditer(chars)]
        left, bottom, right, top = _word_boxes(raw, [(a, b - a) for a, b in tokens if chars[a] != "\n"])
        boxes = zip(*(column.tolist() for column in _to_top_left((left, bottom, right, top), uw, uh, rotation)))
        ligatures = _LIGATURE_CHARS.search(chars) is not None
        words: list[Word] = []
        parts: list[str] = []
        rounded = _Rounded() if rounded is None else rounded
        pos = line = 0
        line_has_word = False
        for a, b in tokens:
            if chars[a] == "\n":
                if line_has_word:
                    line += 1
                    parts.append("\n")
                    pos += 1
                    line_has_word = False
                continue
            text = chars[a:b].translate(_LIGATURES) if ligatures else chars[a:b]
            if line_has_word:
                parts.append(" ")
                pos += 1
            x0, y0, x1, y1 = next(boxes)
            end = pos + len(text)
            bbox = (rounded[x0], rounded[y0], rounded[x1], rounded[y1])
            words.append(Word(text, pos, end, bbox, line=line))
            parts.append(text)
            pos = end
            line_has_word = True
        return _Layer(words=words, text="".join(parts), chars=sum(len(w.text) for w in words))
    finally:
        textpage.close()


def layer_problem(text: str) -> str | None:
    """Why a text layer is not worth keeping, or None when it reads as text."""
    # Judged per distinct character: a page holds thousands of characters but few distinct ones.
    total = broken = letters = 0
    for ch, count in Counter(text).items():
        if ch.isspace():
            continue
        total += count
        if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cc", "Cs", "Cn"):
            broken += count
        if ch.isalpha():
            letters += count
    if not total:
        return "no text layer"
    if broken / total > 0.05:
        return f"broken text encoding ({broken} of {total} characters unmapped)"
    if total >= 40 and letters / total < 0.45:
        return "glyph soup (too few letters in the text layer)"
    tokens = Counter(_TOKEN.findall(text))
    # Per distinct token as with characters, most frequent first: function words lead,
    # and once they make 2% of all tokens (wordish or not) no count of the rest can
    # bring the share of common words under 2%.
    enough = 0.02 * tokens.total()
    wordish = common = 0
    for token, n in tokens.most_common():
        t = token.lower().strip(".,;:()[]«»\"'")
        if _WORDISH.fullmatch(t):
            wordish += n
            if t in _FUNCTION_WORDS:
                common += n
                if common >= enough:
                    return None
    if wordish >= 25 and common / wordish < 0.02:
        return "glyph soup (no common words in the text layer)"
    return None


def _image_cover(page: pdfium.PdfPage) -> tuple[float, int]:
    """Share of the page area covered by images, and the largest image's pixel count."""
    width, height = page.get_size()
    area = max(1.0, width * height)
    covered = 0.0
    largest = 0
    for obj in _image_objects(page, page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject):
        left, bottom, right, top = obj.get_bounds()
        covered += max(0.0, min(right, width) - max(left, 0.0)) * max(0.0, min(top, height) - max(bottom, 0.0))
        try:
            w, h = obj.get_px_size()
            largest = max(largest, int(w) * int(h))
        except Exception:  # noqa: BLE001 - a broken image object is judged by OCR later
            pass
    return min(1.0, covered / area), largest


_MAX_FORM_DEPTH = 15  # as PdfPage.get_objects descends into Form XObjects


def _image_objects(
    page: pdfium.PdfPage, parent: Any, count_objects: Any, get_object: Any, level: int = 0
) -> Iterator[pdfium.PdfObject]:
    """The image objects ``page.get_objects`` yields, in the same order, without wrapping
    every text object of the page in a Python helper first."""
    n = count_objects(parent)
    if n < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    for i in range(n):
        raw = get_object(parent, i)
        if not raw:
            raise pdfium.PdfiumError("Failed to get pageobject.")
        kind = pdfium_c.FPDFPageObj_GetType(raw)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            yield pdfium.PdfObject(raw, page=page, pdf=page.pdf, level=level)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < _MAX_FORM_DEPTH - 1:
            yield from _image_objects(page, raw, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, level + 1)
        elif kind == pdfium_c.FPDF_PAGEOBJ_UNKNOWN:
            raise pdfium.PdfiumError(
                "Failed to determine pageobject type, did you pass in a valid FPDF_PAGEOBJECT handle?"
            )


def _has_content(page: pdfium.PdfPage) -> bool:
    for _ in page.get_objects(max_depth=2):
        return True
    return False


def _check_render_size(page: pdfium.PdfPage, dpi: int, ctx: Context) -> None:
    width, height = page.get_size()
    px = (width * dpi / 72.0) * (height * dpi / 72.0)
    if px > ctx.options.max_image_pixels:
        raise TooLarge(f"page renders to {int(px)} pixels at {dpi} dpi (limit {ctx.options.max_image_pixels})")


def render_page(page: pdfium.PdfPage, dpi: int, ctx: Context, masks: bool = True) -> Image.Image:
    """The page as a greyscale image at ``dpi``. ``masks``: the PDF may hold masked images."""
    _check_render_size(page, dpi, ctx)
    image = None if masks else scan_image(page, dpi)
    if image is None:
        image = page.render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L")
    image.info["dpi"] = (dpi, dpi)
    return image


def may_hold_masks(data: bytes) -> bool:
    """Whether any image of this PDF can have a mask. Image dictionaries head stream objects,
    which never sit in compressed object streams, so their keys are in the bytes as written."""
    return b"/SMask" in data or b"/Mask" in data


def scan_image(page: pdfium.PdfPage, dpi: int) -> Image.Image | None:
    """The page's one greyscale scan, decoded as stored, when it already is the page at
    ``dpi``; None otherwise.

    A scanned page is one image filling the page. When its resolution is already
    ``dpi`` (to within a pixel over the page), rendering only copies its pixels
    through PDFium's image stretcher, about ten times the cost of decoding them (a
    sixth of a second per 300-dpi page), and at best gives them back unchanged: at
    worst a page size in points a hair off a whole number of pixels shifts some
    rows by one. Any doubt (other content, annotations, rotation, colour,
    transparency, another resolution) renders the page.
    """
    if page.get_rotation() or pdfium_c.FPDFPage_CountObjects(page) != 1 or pdfium_c.FPDFPage_GetAnnotCount(page):
        return None
    obj = next(page.get_objects(max_depth=0), None)
    if obj is None or obj.type != pdfium_c.FPDF_PAGEOBJ_IMAGE or pdfium_c.FPDFPageObj_HasTransparency(obj):
        return None
    meta = obj.get_metadata()
    if meta.colorspace != pdfium_c.FPDF_COLORSPACE_DEVICEGRAY or meta.bits_per_pixel not in (1, 8):
        return None  # colour: PDFium's grey conversion is not Pillow's
    matrix = obj.get_matrix()
    if matrix.b or matrix.c or matrix.a <= 0 or matrix.d <= 0:
        return None  # turned or mirrored
    left, bottom, right, top = page.get_bbox()
    x0, y0, x1, y1 = obj.get_bounds()
    if max(abs(x0 - left), abs(y0 - bottom), abs(x1 - right), abs(y1 - top)) > 0.5:
        return None  # not exactly the page
    scale = dpi / 72.0
    width, height = obj.get_px_size()
    if abs(width - page.get_width() * scale) > 1 or abs(height - page.get_height() * scale) > 1:
        return None  # another resolution: PDFium resamples it
    try:
        bitmap = obj.get_bitmap(render=False)
    except pdfium.PdfiumError:
        return None
    if (bitmap.width, bitmap.height) != (width, height):
        return None
    try:
        # A copy: to_pil() maps PDFium's buffer, which goes with the bitmap.
        return bitmap.to_pil().convert("L")
    except (KeyError, ValueError):
        return None  # a pixel format Pillow has no mode for: let PDFium draw it


class _PdfPages:
    """An open PDF shared by the page renderers of one document; closed after OCR.

    Reopened from the bytes if a page is rendered after ``close``.
    """

    def __init__(self, pdf: pdfium.PdfDocument, data: bytes, ctx: Context) -> None:
        self.pdf: pdfium.PdfDocument | None = pdf
        self.data, self.ctx = data, ctx
        self.masks = may_hold_masks(data)

    def render(self, index: int, dpi: int) -> Image.Image:
        if self.pdf is None:
            self.pdf = open_pdf(self.data)
        page = self.pdf[index]
        try:
            return render_page(page, dpi, self.ctx, self.masks)
        finally:
            page.close()

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()
            self.pdf = None


class _PdfPageRender:
    def __init__(self, source: _PdfPages, index: int, dpi: int) -> None:
        self.source, self.index, self.dpi = source, index, dpi

    def __call__(self) -> Image.Image:
        return self.source.render(self.index, self.dpi)

    def close(self) -> None:
        self.source.close()


def page_image(page: Page) -> Image.Image | None:
    """The page image OCR reads: the one load kept, or rendered now."""
    if page.image is not None:
        return page.image
    return page.render() if page.render is not None else None


def release(page: Page) -> None:
    """Drop a page's image and close what its renderer holds open (the PDF)."""
    if page.render is not None and hasattr(page.render, "close"):
        page.render.close()
    page.image = None
    page.render = None


def load_pdf(data: bytes, ctx: Context) -> list[Page]:
    # PDFium silently rebuilds a cut-off file and shows whatever pages survived; an archive
    # copy that lost its end is reported instead of half-read.
    if b"%%EOF" not in data[-4096:]:
        raise CorruptFile("PDF is truncated (no end-of-file marker)")
    pdf = open_pdf(data)
    source = _PdfPages(pdf, data, ctx)
    handed_over = False
    try:
        n = len(pdf)
        if n == 0:
            raise EmptyFile("PDF has no pages")
        if n > ctx.options.max_pages:
            raise TooLarge(f"{n} pages (limit {ctx.options.max_pages})")
        pages = []
        rounded = _Rounded()
        for index in range(n):
            try:
                page = pdf[index]
            except pdfium.PdfiumError as exc:
                raise CorruptFile(f"page {index + 1} cannot be read: {exc}") from exc
            try:
                pages.append(_load_pdf_page(page, index, source, ctx, rounded))
            finally:
                page.close()
        # OCR pages render from the open PDF later; OCR closes it when done.
        handed_over = any(p.render is not None for p in pages)
        return pages
    finally:
        if not handed_over:
            source.close()


def _load_pdf_page(page: pdfium.PdfPage, index: int, source: _PdfPages, ctx: Context, rounded: _Rounded) -> Page:
    number = index + 1
    width, height = page.get_size()
    cover, largest = _image_cover(page)
    if largest > ctx.options.max_image_pixels:
        raise TooLarge(f"page {number} holds a {largest}-pixel image (limit {ctx.options.max_image_pixels})")
    layer = read_layer(page, rounded)
    reason = layer_problem(layer.text)
    if reason is None and cover >= IMAGE_COVER_SHARE and layer.chars < MIN_LAYER_CHARS:
        reason = f"scanned page whose text layer holds only {layer.chars} characters"
    if reason is None:
        return Page(
            number=number,
            text=layer.text,
            source="layer",
            route_reason="text layer" + (" over a scanned image" if cover >= IMAGE_COVER_SHARE else ""),
            width=round(width, 2),
            height=round(height, 2),
            coord_unit="pt",
            words=layer.words,
        )
    if reason == "no text layer" and not _has_content(page):
        return Page(
            number=number, text="", source="layer", route_reason="blank page",
            width=round(width, 2), height=round(height, 2), coord_unit="pt",
        )
    dpi = ctx.options.dpi
    _check_render_size(page, dpi, ctx)
    # Rendered in OCR, one page at a time: a 300-page scan at 300 dpi is ~3 GB of pixels.
    scale = dpi / 72.0
    px_w, px_h = math.ceil(width * scale), math.ceil(height * scale)
    return Page(
        number=number,
        source="ocr",
        route_reason=reason,
        width=float(px_w),
        height=float(px_h),
        coord_unit="px",
        dpi=float(dpi),
        render=_PdfPageRender(source, index, dpi),
    )
