"""OCR stage: clean up each page image that load routed to OCR, then read it with tesseract.

Steps per page, in the order a scan needs them (the OCRmyPDF order):
contrast → deskew → orientation → resolution for the print size → OCR →
orientation check → OCR language check. Each step only changes the image when
it has a reason to: a clean, straight page only loses its blank margins and,
when its print is large, is read shrunk (see LINE_PX).

Tesseract runs single-threaded in the worker process through tesserocr, each
language's models loaded once per worker (``pipeline/tesseract.py``; a CLI
process per call where tesserocr is missing). Results are cached by the hash of
the page image, so a re-run never OCRs a page twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Optional

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from pipeline import language, load, tesseract
from pipeline.context import Context
from pipeline.model import Document, Page, Word

# Bump when anything that changes OCR output changes, so cached results are not reused.
OCR_VERSION = "8"
TESS_LANG = {"es": "spa", "en": "eng"}
DEFAULT_DPI = 300.0
MIN_DPI = 250.0  # below this, upsample before OCR
DESKEW_MIN = 0.3  # degrees; smaller skews are left alone (tesseract copes, resampling blurs)
POOR_CONF = 60.0
INK_MAX = 192  # grey levels below this are ink when finding a page's text area (light grey stamps included)
TEXT_BORDER = 1 / 6  # inches of paper kept around the text area: tesseract misreads glyphs touching the edge
WHOLE_PAGE = 0.9  # a text area covering more of the page than this is read as the whole page
# Tesseract's LSTM reads every text line scaled to a fixed height (36 px for the shipped
# models): at 300 dpi a body-text line is taller than that already, so its extra pixels
# only feed the layout analysis, which costs per pixel. Pages whose smaller lines stand
# taller than LINE_PX are read scaled down to bring them to it, never below MIN_SCALE,
# and not at all when that would shrink them by less than 15% (KEEP_SCALE).
LINE_PX = 18.0
MIN_LINE_PT = 3.0  # an inked row run thinner than this (in points) is a rule or a dot, not a line of text
MIN_SCALE = 0.5
KEEP_SCALE = 0.85


@dataclass
class OcrResult:
    """What one page's OCR produced, in the coordinates of the corrected page image."""

    words: list[tuple[str, float, float, float, float, float, int]] = field(default_factory=list)
    width: int = 0
    height: int = 0
    dpi: Optional[float] = None  # the scan's resolution when known (tag or render)
    ocr_dpi: Optional[float] = None  # the resolution tesseract read the page at (scaled up or down)
    rotation: int = 0
    skew: float = 0.0
    lang: str = ""  # tesseract languages the words were read with
    found: list[str] = field(default_factory=list)  # languages detected in the text
    image_hash: str = ""  # sha256 of the page image as load handed it over

    @property
    def conf(self) -> Optional[float]:
        confs = [w[5] for w in self.words if w[5] >= 0]
        return round(sum(confs) / len(confs), 2) if confs else None


def run(doc: Document, ctx: Context) -> None:
    hint: Optional[str] = None  # tesseract languages found on the previous OCR page
    try:
        for page in doc.pages:
            if page.source != "ocr":
                continue
            # Rendered here, one page at a time, and dropped before the next: a long
            # scan never holds every page image at once.
            image = load.page_image(page)
            if image is None:
                continue
            result = ocr_page(image, ctx, page_dpi=page.dpi, hint=hint)
            del image
            apply(page, result)
            page.image = None
            # The next page starts from the languages this one turned out to hold.
            hint = _lang_for(set(result.found), result.lang or ctx.options.ocr_langs)
    finally:
        for page in doc.pages:
            load.release(page)  # closes the PDF the renderers kept open


def image_hash(image: Image.Image) -> str:
    h = hashlib.sha256()
    h.update(f"{image.mode}:{image.width}x{image.height}:".encode())
    h.update(image.tobytes())
    return h.hexdigest()


def apply(page: Page, result: OcrResult) -> None:
    words: list[Word] = []
    parts: list[str] = []
    pos = 0
    last_line = None
    for text, x0, y0, x1, y1, conf, line in result.words:
        if parts:
            sep = "\n" if line != last_line else " "
            parts.append(sep)
            pos += 1
        words.append(Word(text=text, start=pos, end=pos + len(text), bbox=(x0, y0, x1, y1), conf=conf, line=line))
        parts.append(text)
        pos += len(text)
        last_line = line
    page.text = "".join(parts)
    page.words = words
    page.width, page.height = float(result.width), float(result.height)
    page.coord_unit = "px"
    page.dpi = result.dpi
    page.ocr_dpi = result.ocr_dpi
    page.rotation = result.rotation
    page.skew = result.skew
    page.ocr_conf = result.conf
    page.ocr_lang = result.lang
    page.image_hash = result.image_hash or None


# --- cache --------------------------------------------------------------------


def _cache_path(ctx: Context, key: str) -> Optional[Path]:
    if ctx.options.cache_dir is None:
        return None
    return Path(ctx.options.cache_dir) / "ocr" / key[:2] / f"{key}.json"


def cache_key(digest: str, ctx: Context) -> str:
    return hashlib.sha256(f"{OCR_VERSION}|{ctx.options.ocr_langs}|{digest}".encode()).hexdigest()


def _cache_get(ctx: Context, key: str) -> Optional[OcrResult]:
    path = _cache_path(ctx, key)
    if path is None or not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["words"] = [tuple(w) for w in raw["words"]]
        return OcrResult(**raw)
    except (OSError, ValueError, TypeError):
        return None  # a damaged cache entry is simply redone


def _cache_put(ctx: Context, key: str, result: OcrResult) -> None:
    path = _cache_path(ctx, key)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(result.__dict__, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)  # atomic: parallel workers never read half a file


# --- tesseract ----------------------------------------------------------------


def engine(ctx: Context) -> tesseract.Engine:
    """This worker's tesseract engine, built once (in-process models stay loaded between pages)."""
    return ctx.resource("tesseract", lambda: tesseract.make_engine(ctx.options.ocr_engine, ctx.options.ocr_langs))


def parse_tsv(tsv: str) -> list[tuple]:
    """Words as (text, x0, y0, x1, y1, conf, line) from tesseract's TSV (with or without its header)."""
    words = []
    lines: dict[tuple[str, str, str], int] = {}
    for row in csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(row) < 12 or row[0] != "5":
            continue
        text = row[11].strip()
        if not text:
            continue
        if text == "|":
            # In sans-serif faces a lone capital I (ARTICLE I, Artículo I) reads as a bar;
            # agreements have no tables drawn with bars in running text.
            text = "I"
        key = (row[2], row[3], row[4])
        line = lines.setdefault(key, len(lines))
        left, top, width, height = (int(v) for v in row[6:10])
        words.append((text, left, top, left + width, top + height, round(float(row[10]), 2), line))
    return words


def tesseract_words(image: Image.Image, lang: str, dpi: float, ctx: Context) -> list[tuple]:
    """Words as (text, x0, y0, x1, y1, conf, line) of one read of ``image``."""
    return parse_tsv(engine(ctx).tsv(image, lang, int(round(dpi)), ctx.options.ocr_timeout))


def detect_orientation(image: Image.Image, ctx: Context) -> tuple[int, float]:
    """(degrees clockwise the page must be turned, OSD confidence); (0, 0) when OSD cannot tell."""
    small = image
    if image.width > 1700:  # OSD needs far less than 300 dpi and runs faster on less
        scale = 1700 / image.width
        small = image.resize((1700, max(1, round(image.height * scale))), Image.LANCZOS)
    try:
        return engine(ctx).osd(small, 150, ctx.options.ocr_timeout)
    except RuntimeError:
        return 0, 0.0  # no OSD models: the ink check and the confidence retry still apply


# --- image clean-up -----------------------------------------------------------


def _percentiles(image: Image.Image, shares: tuple[float, ...]) -> list[int]:
    # From the 256-bin histogram: a full sort of a 300-dpi page costs more than OCR set-up.
    cumulative = np.cumsum(image.histogram()[:256])
    total = cumulative[-1]
    return [int(np.searchsorted(cumulative, share * total)) for share in shares]


def normalise_contrast(image: Image.Image) -> Image.Image:
    """Stretch faded or grey-background pages; leaves a page that already spans black-white alone.

    The dark end is read at the darkest 0.1%: on a nearly empty page (a last page with
    three lines) the darkest 0.5% is grainy paper, and stretching it to black buries the
    text in hundreds of thousands of dark specks.
    """
    lo, hi = _percentiles(image, (0.001, 0.995))
    if lo <= 40 and hi >= 215:
        return image
    return ImageOps.autocontrast(image, cutoff=0.5)


def noise_level(image: Image.Image) -> float:
    """Share of isolated specks: pixels a 3x3 median filter flips between ink and paper.

    Measured on a full-resolution window in the middle of the page: scaling the
    page down would smooth the specks away.
    """
    w, h = image.size
    side = 800
    box = (max(0, w // 2 - side // 2), max(0, h // 2 - side // 2), min(w, w // 2 + side // 2), min(h, h // 2 + side // 2))
    ink = np.asarray(image.crop(box)) < 128
    # The median of nine pixels is dark when five of them are: counted directly, edges
    # repeated as PIL's filter repeats them, instead of sorting every neighbourhood.
    return float(np.mean(ink != (_dark_around(ink, edge="edge") >= 5)))


def _dark_around(ink: np.ndarray, edge: str) -> np.ndarray:
    """How many of the 3x3 pixels centred on each pixel are dark, the pixel itself included;
    beyond the image edge ``edge`` is numpy's pad mode ("constant": paper, "edge": repeated)."""
    padded = np.pad(ink, 1, mode=edge).view(np.uint8)
    # Row triples, then triples of those: four additions a pixel instead of eight.
    rows = padded[:, :-2] + padded[:, 1:-1]
    rows += padded[:, 2:]
    dark = rows[:-2] + rows[1:-1]
    dark += rows[2:]
    return dark


def denoise(image: Image.Image) -> Image.Image:
    if noise_level(image) < 0.01:
        return drop_specks(image)
    return image.filter(ImageFilter.MedianFilter(3))


def isolated_ink(arr: np.ndarray, ink: Optional[np.ndarray] = None) -> np.ndarray:
    """Dark pixels with no dark neighbour: scanner dust, never part of a glyph at 150 dpi or more
    (``ink``: the page's dark pixels, when the caller has them already)."""
    ink = arr < 128 if ink is None else ink
    return ink & (_dark_around(ink, edge="constant") == 1)


def drop_specks(image: Image.Image) -> Image.Image:
    """Erase isolated dark pixels when they are a noticeable share of the ink.

    Sparse dust on a nearly empty page is below the median filter's threshold but
    makes tesseract's layout analysis read thousands of one-pixel "glyphs" (minutes
    per page, and garbage words); a page with real text is left untouched.
    """
    arr = np.asarray(image)
    ink = arr < 128
    specks = isolated_ink(arr, ink)
    count = np.count_nonzero(specks)
    if count < 200 or count < 0.01 * np.count_nonzero(ink):
        return image
    out = arr.copy()
    out[specks] = 255
    return Image.fromarray(out, "L")


def _shrink(image: Image.Image, width: int) -> Image.Image:
    """``image`` scaled to ``width`` pixels wide for the ink checks.

    Box-reduced by a whole factor first, then resampled: a tenth of the cost of
    a direct bilinear resize from 300 dpi, and the same ink profiles.
    """
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.BILINEAR, reducing_gap=1.0)


def estimate_skew(image: Image.Image) -> float:
    """Skew angle in degrees (counter-clockwise positive) by projection profiles."""
    small = np.asarray(_shrink(image, 700))
    ys, xs = np.nonzero(small < 140)
    height = small.shape[0]
    if len(ys) < 0.2 / 255 * small.size:  # almost no ink: nothing to straighten
        return 0.0
    # Ink pixels projected onto the rows of the page turned by each candidate angle:
    # the rows a rotated copy would have, without drawing ~30 rotated copies.
    dx = xs.astype(np.float32) - small.shape[1] / 2
    dy = ys.astype(np.float32) - height / 2

    def score(angle: float) -> float:
        t = np.radians(angle)
        # Turning the page counter-clockwise by ``angle`` moves a pixel to this row.
        row = np.rint(height / 2 - dx * np.sin(t) + dy * np.cos(t)).astype(np.int64)
        rows = np.bincount(row[(row >= 0) & (row < height)], minlength=height).astype(np.float32)
        return float(np.var(np.diff(rows)))

    coarse = max(np.arange(-5.0, 5.01, 0.5), key=score)
    fine = max(np.arange(coarse - 0.4, coarse + 0.41, 0.1), key=score)
    # ``fine`` is the turn that straightens the lines; the page's skew is its opposite.
    return round(-float(fine), 2)


def orientation_hint(image: Image.Image) -> Optional[str]:
    """'sideways', 'upside_down' or None from ink profiles (cheap; OSD has the last word)."""
    width = 1000
    ink = (np.asarray(_shrink(image, width)) < 140).astype(np.float32)
    if ink.mean() < 0.002:
        return None
    rows, cols = ink.sum(axis=1), ink.sum(axis=0)
    if np.var(np.diff(cols)) > 1.5 * np.var(np.diff(rows)):
        return "sideways"
    # Latin script has more ascenders (b d f h k l t, capitals) than descenders (g j p q y):
    # within each text line more ink sits above the x-height band than below it.
    above = below = 0.0
    inked = rows > 0.02 * width
    i = 0
    n = len(rows)
    while i < n:
        if not inked[i]:
            i += 1
            continue
        j = i
        while j < n and inked[j]:
            j += 1
        line = rows[i:j]
        if len(line) >= 4:
            core = np.nonzero(line >= 0.5 * line.max())[0]
            above += line[: core[0]].sum()
            below += line[core[-1] + 1 :].sum()
        i = j
    if below > 1.3 * above and below > 0:
        return "upside_down"
    return None


def _rotate(image: Image.Image, degrees: float) -> Image.Image:
    return image.rotate(degrees, resample=Image.BICUBIC, expand=False, fillcolor=255)


# --- one page -----------------------------------------------------------------


def _lang_for(langs: set[str], fallback: str) -> str:
    codes = [TESS_LANG[l] for l in ("es", "en") if l in langs]
    return "+".join(codes) if codes else fallback


def detected_langs(words: list[tuple], ctx: Context) -> set[str]:
    """Languages of the OCR text, judged on tesseract blocks (columns) long enough to tell."""
    lines: dict[int, list[str]] = {}
    for w in words:
        lines.setdefault(w[6], []).append(w[0])
    text_by_line = [" ".join(ws) for _, ws in sorted(lines.items())]
    found = set()
    # Lines are grouped in runs of ~10 so that a two-column page shows both languages.
    for i in range(0, len(text_by_line), 10):
        lang = language.detect("\n".join(text_by_line[i : i + 10]), ctx)
        if lang:
            found.add(lang)
    return found


def ocr_page(image: Image.Image, ctx: Context, *, page_dpi: Optional[float] = None, hint: Optional[str] = None) -> OcrResult:
    if image.mode != "L":
        image = image.convert("L")  # (convert would copy a greyscale page for nothing)
    digest = image_hash(image)
    key = cache_key(digest, ctx)
    cached = _cache_get(ctx, key)
    if cached is not None:
        return cached
    result = _ocr_uncached(image, ctx, page_dpi, hint)
    result.image_hash = digest
    _cache_put(ctx, key, result)
    return result


_INK_LUT = [255 if v < INK_MAX else 0 for v in range(256)]


def ink_box(image: Image.Image) -> Optional[tuple[int, int, int, int]]:
    """(left, top, right, bottom) of every pixel darker than ``INK_MAX``; None on a blank page."""
    return image.point(_INK_LUT).getbbox()


def text_area(image: Image.Image, dpi: float) -> Optional[tuple[int, int, int, int]]:
    """(left, top, right, bottom) of the page's ink with a white border; None when that is
    (nearly) the whole page or there is no ink at all."""
    ink = ink_box(image)
    if ink is None:
        return None
    border = round(TEXT_BORDER * dpi)
    left, top = max(0, ink[0] - border), max(0, ink[1] - border)
    right, bottom = min(image.width, ink[2] + border), min(image.height, ink[3] + border)
    if (right - left) * (bottom - top) > WHOLE_PAGE * image.width * image.height:
        return None
    return left, top, right, bottom


@dataclass(frozen=True)
class TextCrop:
    """The part of a page image tesseract reads and where it sits on the page: cut once per
    page image, then measured for its print size and read (once or more) from the same pixels."""

    image: Image.Image
    left: int = 0
    top: int = 0


def text_crop(page: Image.Image, dpi: float) -> TextCrop:
    # Tesseract's layout analysis (about a quarter of a full page's reading time, a third of a
    # short page's) costs as much per pixel of blank margin as per pixel of text: only the
    # inked area goes to it, and the words come back in page coordinates.
    area = text_area(page, dpi)
    return TextCrop(page.crop(area), area[0], area[1]) if area else TextCrop(page)


def text_line_height(image: Image.Image, dpi: float) -> Optional[float]:
    """Height in pixels of the smaller text lines of ``image`` (a page's text area, see
    ``text_crop``), None when it shows fewer than three.

    The inked row runs of four vertical strips (strips, so that a line's residual skew does
    not stretch its run), at half resolution; the 10th percentile of those at least
    MIN_LINE_PT tall (rules, dotted leaders and stray dots are thinner), so that small print
    on a page, when there is any amount of it, sets the figure.
    """
    ink = np.asarray(image.reduce(2)) < 128
    runs: list[np.ndarray] = []
    width = ink.shape[1]
    for k in range(4):
        rows = ink[:, k * width // 4:(k + 1) * width // 4].any(axis=1).view(np.int8)
        edges = np.diff(np.concatenate(([0], rows, [0])))
        runs.append(np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1))
    heights = np.concatenate(runs) * 2.0
    heights = heights[heights >= MIN_LINE_PT / 72.0 * dpi]
    if len(heights) < 3:
        return None
    return float(np.percentile(heights, 10))


def reading_scale(image: Image.Image, dpi: float) -> float:
    """How much to shrink a page's text area before tesseract reads it (1.0: not at all); see LINE_PX."""
    height = text_line_height(image, dpi)
    if height is None:
        return 1.0
    scale = max(MIN_SCALE, LINE_PX / height)
    return 1.0 if scale > KEEP_SCALE else round(scale, 3)


def scaled(image: Image.Image, scale: float) -> Image.Image:
    """``image`` resized by ``scale`` as OCR reads it: Lanczos to enlarge small text, bilinear
    (area-averaging when shrinking, in Pillow) to reduce: as accurate and faster."""
    size = (round(image.width * scale), round(image.height * scale))
    return image.resize(size, Image.LANCZOS if scale > 1.0 else Image.BILINEAR)


def _read(crop: TextCrop, dpi: float, scale: float, lang: str, ctx: Context) -> list[tuple]:
    """The words of ``crop`` read at ``scale``, boxes in page pixels."""
    work = crop.image if scale == 1.0 else scaled(crop.image, scale)
    words = tesseract_words(work, lang, dpi * scale, ctx)
    left, top = crop.left, crop.top
    if scale == 1.0:
        if not (left or top):
            return words
        return [(t, x0 + left, y0 + top, x1 + left, y1 + top, c, ln) for t, x0, y0, x1, y1, c, ln in words]
    return [(t, round(x0 / scale + left, 1), round(y0 / scale + top, 1), round(x1 / scale + left, 1),
             round(y1 / scale + top, 1), c, ln) for t, x0, y0, x1, y1, c, ln in words]


def _quality(words: list[tuple]) -> float:
    """Confident characters: compares two readings of the same page."""
    return sum(len(w[0]) * max(0.0, w[5]) for w in words)


def _mean_conf(words: list[tuple]) -> float:
    confs = [w[5] for w in words if w[5] >= 0]
    return sum(confs) / len(confs) if confs else 0.0


def _ocr_uncached(image: Image.Image, ctx: Context, page_dpi: Optional[float], hint: Optional[str]) -> OcrResult:
    dpi = float(page_dpi or DEFAULT_DPI)
    image = denoise(normalise_contrast(image))
    skew = estimate_skew(image)
    if abs(skew) >= DESKEW_MIN:
        image = _rotate(image, -skew)
    else:
        skew = 0.0
    lang = hint or ctx.options.ocr_langs
    rotation = 0
    osd_done = False

    def scale_for(img: Image.Image, crop: TextCrop) -> float:
        scale = min(2.0, DEFAULT_DPI / dpi) if dpi < MIN_DPI else reading_scale(crop.image, dpi)
        return 1.0 if img.width * img.height * scale * scale > ctx.options.max_image_pixels else scale

    def turn_upright(img: Image.Image, turn: int) -> tuple[Image.Image, float]:
        turned = img.rotate(-turn, expand=True)  # OSD's "Rotate" is clockwise; PIL turns counter-clockwise
        s2 = estimate_skew(turned)
        if abs(s2) < DESKEW_MIN:
            return turned, 0.0
        return _rotate(turned, -s2), s2

    # Ink profiles flag a page on its side or upside down before any OCR: OSD then
    # confirms, and the page is read once, upright.
    if orientation_hint(image):
        osd_done = True
        turn, osd_conf = detect_orientation(image, ctx)
        if turn and osd_conf >= 1.0:
            image, s2 = turn_upright(image, turn)
            rotation, skew = turn, round(skew + s2, 2)
    # Measured on the upright page: text lines on their side would look like one tall line.
    crop = text_crop(image, dpi)
    scale = scale_for(image, crop)
    words = _read(crop, dpi, scale, lang, ctx)

    # Otherwise a turned page shows as low-confidence noise: ask OSD, turn, read again.
    if not osd_done and (len(words) < 5 or _mean_conf(words) < POOR_CONF):
        turn, osd_conf = detect_orientation(image, ctx)
        if turn and osd_conf >= 1.0:
            turned, s2 = turn_upright(image, turn)
            turned_crop = text_crop(turned, dpi)
            turned_scale = scale_for(turned, turned_crop)
            again = _read(turned_crop, dpi, turned_scale, lang, ctx)
            if _quality(again) > _quality(words):
                image, crop, words, scale = turned, turned_crop, again, turned_scale
                rotation, skew = turn, round(skew + s2, 2)

    # A page read shrunk with no words or poor confidence (whatever the reason): its full size is
    # worth one more read. A few confident words (a signature page) are not a poor read.
    if scale < 1.0 and (not words or _mean_conf(words) < POOR_CONF):
        full = _read(crop, dpi, 1.0, lang, ctx)
        if _quality(full) > _quality(words):
            words, scale = full, 1.0

    # Text too small for tesseract (a phone picture or a fax with no resolution tag): read it larger.
    if scale == 1.0 and words:
        # Only confident words count: specks of noise read as tiny "words" would fake small print.
        heights = [w[4] - w[2] for w in words if len(w[0]) > 2 and w[5] >= POOR_CONF and any(c.isalnum() for c in w[0])]
        if len(heights) >= 10 and median(heights) < 20 and image.width * image.height * 4 <= ctx.options.max_image_pixels:
            bigger = _read(crop, dpi, 2.0, lang, ctx)
            if _quality(bigger) > _quality(words):
                words, scale = bigger, 2.0

    # OCR language from what the page turned out to say.
    found = detected_langs(words, ctx)
    wanted = _lang_for(found, lang)
    if found and not set(wanted.split("+")) <= set(lang.split("+")):
        again = _read(crop, dpi, scale, wanted, ctx)
        if _quality(again) >= _quality(words) * 0.98:
            words, lang = again, wanted

    return OcrResult(
        words=[tuple(w) for w in words],
        width=image.width,
        height=image.height,
        dpi=page_dpi,
        ocr_dpi=round(dpi * scale, 1),
        rotation=rotation,
        skew=skew,
        lang=lang,
        found=sorted(found),
    )

