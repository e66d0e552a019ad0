"""OCR: clean-up steps, orientation, word boxes, language per page, cache and timeout."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from corpus import render
from pipeline import errors, layout, load, ocr, tesseract
from pipeline.context import Context, Options
from pipeline.model import Document

ES = ("PRIMERA. Las Partes se comprometen a intercambiar información técnica sobre la gestión del agua "
      "y a organizar un seminario anual con los municipios fronterizos de ambos países.")
EN = ("ARTICLE 1. The Parties shall exchange technical information on water management and hold "
      "an annual seminar with the border municipalities of both countries.")
CTX = Context()


def read(data: bytes, ctx: Context = CTX) -> Document:
    doc = Document(id="t", path="t", data=data)
    for stage in (load.run, ocr.run, layout.run):
        stage(doc, ctx)
    return doc


def squash(text: str) -> str:
    return " ".join(text.split())


def tiff_bytes(images: list[Image.Image], dpi: int) -> bytes:
    buf = io.BytesIO()
    images[0].save(buf, format="TIFF", save_all=True, append_images=images[1:], dpi=(dpi, dpi))
    return buf.getvalue()


# --- clean-up, no tesseract -------------------------------------------------------


def test_skew_is_measured_and_clean_pages_are_left_straight() -> None:
    (page,) = render.page_images([ES * 6], dpi=150)
    assert abs(ocr.estimate_skew(page)) < ocr.DESKEW_MIN  # below the threshold: not resampled
    tilted = render.degrade(page, rotate=2.5)
    assert abs(ocr.estimate_skew(tilted) - 2.5) <= 0.3
    assert abs(ocr.estimate_skew(render.degrade(page, rotate=-1.5)) + 1.5) <= 0.3


def test_contrast_and_denoise_leave_clean_pages_untouched() -> None:
    (page,) = render.page_images([ES * 3], dpi=100)
    assert ocr.normalise_contrast(page) is page
    assert ocr.denoise(page) is page
    faded = Image.fromarray((np.asarray(page) * 0.4 + 120).astype(np.uint8), "L")  # grey ink on grey paper
    lo, hi = np.percentile(np.asarray(ocr.normalise_contrast(faded)), [0.5, 99.5])
    assert lo < 40 and hi > 215
    noisy = render.degrade(page, noise=0.3, seed=1)  # a bad fax: heavy speckle
    assert ocr.noise_level(noisy) > ocr.noise_level(page)
    assert ocr.denoise(noisy) is not noisy


def test_noise_level_counts_what_a_median_filter_would_flip() -> None:
    from PIL import ImageFilter

    def flipped(window: Image.Image) -> float:
        med = window.filter(ImageFilter.MedianFilter(3))
        return float(np.mean((np.asarray(window) < 128) != (np.asarray(med) < 128)))

    rng = np.random.default_rng(3)
    for _ in range(100):
        h, w = (int(v) for v in rng.integers(1, 30, 2))
        grey = rng.choice([0, 127, 128, 255], size=(h, w)).astype(np.uint8)
        window = Image.fromarray(grey, "L")
        assert ocr.noise_level(window) == flipped(window)  # edges included: the whole image is the window
    (page,) = render.page_images([ES * 3], dpi=300)
    noisy = render.degrade(page, noise=0.05, jpeg_quality=60, seed=4)
    w, h = noisy.size
    assert ocr.noise_level(noisy) == flipped(noisy.crop((w // 2 - 400, h // 2 - 400, w // 2 + 400, h // 2 + 400)))


def test_a_nearly_empty_dusty_page_is_not_turned_into_noise() -> None:
    # The last page of a scan: three lines, grainy paper and dust. Stretching its contrast
    # from the paper's grain made hundreds of thousands of dark specks, and tesseract spent
    # minutes reading them as glyphs.
    (page,) = render.page_images([ES[:120]], dpi=300)
    dusty = render.degrade(page, rotate=1.0, noise=0.03, seed=2)
    cleaned = ocr.denoise(ocr.normalise_contrast(dusty))
    ink = lambda im: int((np.asarray(im) < 128).sum())  # noqa: E731
    assert ink(cleaned) <= ink(dusty)
    assert int(ocr.isolated_ink(np.asarray(cleaned)).sum()) < 200
    assert int(ocr.isolated_ink(np.asarray(page)).sum()) == 0  # glyphs have no lone pixels
    assert ocr.drop_specks(page) is page


def test_text_area_is_the_ink_with_a_border_and_none_for_a_full_page() -> None:
    page = Image.new("L", (1200, 1500), 255)
    page.paste(0, (300, 400, 700, 420))  # a line of "text"
    page.paste(150, (500, 1000, 510, 1010))  # a mid-grey stamp dot counts as ink
    page.paste(200, (1100, 1400, 1110, 1410))  # paper grain lighter than INK_MAX does not
    border = round(ocr.TEXT_BORDER * 150)
    assert ocr.text_area(page, 150) == (300 - border, 400 - border, 700 + border, 1010 + border)
    assert ocr.text_area(page, 300)[0] == 300 - round(ocr.TEXT_BORDER * 300)  # the border is in inches
    edge = page.copy()
    edge.paste(0, (0, 0, 1200, 10))  # a scanner's dark edge: the "text area" is the whole page
    edge.paste(0, (0, 1490, 1200, 1500))
    assert ocr.text_area(edge, 150) is None
    assert ocr.text_area(Image.new("L", (100, 100), 255), 150) is None
    corner = Image.new("L", (1000, 1000), 255)
    corner.paste(0, (0, 0, 10, 10))  # ink at the very corner: the border stops at the page
    assert ocr.text_area(corner, 150) == (0, 0, 10 + border, 10 + border)


@pytest.mark.slow
def test_only_the_text_area_is_read_and_words_keep_page_coordinates(monkeypatch: pytest.MonkeyPatch) -> None:
    (page,) = render.page_images([ES + " " + ES], dpi=300)  # a short page: most of it is margin
    monkeypatch.setattr(ocr, "reading_scale", lambda image, dpi: 1.0)  # the crop alone
    engine = ocr.engine(CTX)
    whole = ocr.parse_tsv(engine.tsv(page, "spa", 300, 60))
    sizes = []
    read = engine.tsv

    def recorded(image: Image.Image, *args, **kwargs) -> str:
        sizes.append(image.size)
        return read(image, *args, **kwargs)

    monkeypatch.setattr(engine, "tsv", recorded)
    result = ocr.ocr_page(page, CTX, page_dpi=300, hint="spa")
    (size,) = sizes
    assert size[0] * size[1] < 0.5 * page.width * page.height
    assert (result.width, result.height) == page.size
    assert [w[0] for w in result.words] == [w[0] for w in whole]
    for got, full in zip(result.words, whole):
        assert all(abs(a - b) <= 1 for a, b in zip(got[1:5], full[1:5])), (got, full)


def pages_in_print(monkeypatch: pytest.MonkeyPatch, size: float, text: str, dpi: int = 300) -> list[Image.Image]:
    """``text`` rendered in ``size``-point print (leading in the renderer's proportion)."""
    with monkeypatch.context() as m:
        m.setattr(render, "FONT_SIZE", size)
        m.setattr(render, "LEADING", size * render.LEADING / render.FONT_SIZE)
        return render.page_images([text], dpi=dpi)


def text_of(page: Image.Image) -> Image.Image:
    """The part of ``page`` the OCR stage measures and reads."""
    return ocr.text_crop(page, 300).image


def test_text_line_height_follows_the_print_size(monkeypatch: pytest.MonkeyPatch) -> None:
    heights = {size: ocr.text_line_height(text_of(pages_in_print(monkeypatch, size, " ".join([ES, EN] * 4))[0]), 300)
               for size in (6, 8, 11, 16)}
    assert 17 <= heights[6] < heights[8] < heights[11] < heights[16]
    assert 30 <= heights[11] <= 45  # at 300 dpi 11-point lines stand 30-45 px from cap to descender
    assert 1.6 <= heights[16] / heights[8] <= 2.4
    (page,) = pages_in_print(monkeypatch, 11, " ".join([ES, EN] * 4))
    ruled = page.copy()
    for y in range(2000, 3000, 40):  # a form's rules under the text: too thin to count as lines
        ruled.paste(0, (300, y, 2200, y + 3))
    assert ocr.text_line_height(text_of(ruled), 300) == pytest.approx(heights[11], abs=4)
    assert ocr.text_line_height(Image.new("L", (1000, 1000), 255), 300) is None


def test_large_print_is_read_shrunk_and_small_print_at_full_size(monkeypatch: pytest.MonkeyPatch) -> None:
    text = " ".join([ES, EN] * 4)
    assert ocr.reading_scale(text_of(pages_in_print(monkeypatch, 11, text)[0]), 300) == ocr.MIN_SCALE
    assert ocr.reading_scale(text_of(pages_in_print(monkeypatch, 24, text)[0]), 300) == ocr.MIN_SCALE  # never below
    eight = ocr.reading_scale(text_of(pages_in_print(monkeypatch, 8, text)[0]), 300)
    assert ocr.MIN_SCALE < eight < ocr.KEEP_SCALE
    assert ocr.reading_scale(text_of(pages_in_print(monkeypatch, 6, text)[0]), 300) == 1.0
    assert ocr.reading_scale(Image.new("L", (1000, 1000), 255), 300) == 1.0


@pytest.mark.slow
def test_a_page_read_shrunk_gives_the_words_and_boxes_of_a_full_size_read(monkeypatch: pytest.MonkeyPatch) -> None:
    (page,) = render.page_images([" ".join([ES] * 6)], dpi=300)
    with monkeypatch.context() as m:
        m.setattr(ocr, "reading_scale", lambda image, dpi: 1.0)
        full_size = ocr._ocr_uncached(page, CTX, 300, "spa")
    shrunk = ocr._ocr_uncached(page, CTX, 300, "spa")
    assert full_size.ocr_dpi == 300 and shrunk.ocr_dpi <= 300 * ocr.KEEP_SCALE
    assert (shrunk.width, shrunk.height) == (full_size.width, full_size.height) == page.size
    assert [w[0] for w in shrunk.words] == [w[0] for w in full_size.words]
    # Page pixels (a shrunk pixel is about two of them). One-letter words are left out: tesseract's
    # box for a lone "a" or "y" can take in a neighbour's strokes at one size and not the other.
    for got, full in zip(shrunk.words, full_size.words):
        if len(got[0]) > 1:
            assert all(abs(a - b) <= 3 for a, b in zip(got[1:5], full[1:5])), (got, full)


def test_a_page_read_shrunk_and_poorly_is_read_again_at_full_size(monkeypatch: pytest.MonkeyPatch) -> None:
    (page,) = render.page_images([" ".join([ES] * 6)], dpi=300)
    scales = []

    def fake_read(crop: ocr.TextCrop, dpi: float, scale: float, lang: str, ctx: Context) -> list[tuple]:
        scales.append(scale)
        conf = 30.0 if scale < 1.0 else 90.0  # as a read spoiled by shrinking would come back
        return [(f"w{i}", 50.0 * i, 10.0, 50.0 * i + 40, 50.0, conf, 1) for i in range(20)]

    monkeypatch.setattr(ocr, "_read", fake_read)
    monkeypatch.setattr(ocr, "detect_orientation", lambda image, ctx: (0, 0.0))
    result = ocr._ocr_uncached(page, CTX, 300, "spa")
    assert len(scales) == 2 and scales[0] < 1.0 and scales[1] == 1.0
    assert result.ocr_dpi == 300 and result.words[0][5] == 90.0

    def few_confident_words(crop: ocr.TextCrop, dpi: float, scale: float, lang: str, ctx: Context) -> list[tuple]:
        scales.append(scale)
        return [(f"w{i}", 50.0 * i, 10.0, 50.0 * i + 40, 50.0, 92.0, 1) for i in range(3)]

    scales.clear()  # a signature page's three confident words are not a poor read
    monkeypatch.setattr(ocr, "_read", few_confident_words)
    result = ocr._ocr_uncached(page, CTX, 300, "spa")
    assert len(scales) == 1 and scales[0] < 1.0 and result.ocr_dpi < 300


@pytest.mark.slow
def test_a_nearly_empty_dusty_page_reads_cleanly() -> None:
    (page,) = render.page_images([ES[:120]], dpi=300)
    dusty = render.degrade(page, rotate=1.0, noise=0.03, seed=2)
    result = ocr.ocr_page(dusty, CTX, page_dpi=300)
    words = " ".join(w[0] for w in result.words)
    # before: garbage words ("SoS E SINE, RE") at confidence 31, after minutes of layout analysis
    assert "comprometen" in words and "intercambiar" in words
    assert result.conf is not None and result.conf > 80


# --- tesseract ---------------------------------------------------------------------


@pytest.mark.slow
def test_words_language_and_boxes_on_a_two_page_scan() -> None:
    """An English page then a Spanish one: text, per-page OCR language, and word boxes where
    the text layer of the same PDF puts them."""
    pdf = render.text_pdf_bytes([EN, ES])
    layer = read(pdf)
    scans = render.page_images([EN, ES], dpi=200)
    doc = read(tiff_bytes(scans, 200))
    en, es = doc.pages
    assert squash(en.text) == squash(EN) and squash(es.text) == squash(ES)
    assert en.source == es.source == "ocr" and en.coord_unit == "px" and en.dpi == 200
    assert en.ocr_lang == "spa+eng"  # first page: both, until the text says otherwise
    assert es.ocr_lang == "spa"  # read as English from the hint, then re-read as Spanish
    assert 80 < en.ocr_conf <= 100
    assert en.image_hash and es.image_hash and en.image_hash != es.image_hash
    scale = 200 / 72
    for page, reference in zip(doc.pages, layer.pages):
        by_text = {w.text: w for w in reference.words}
        checked = 0
        for w in page.words:
            ref = by_text.get(w.text)
            if ref is None or len(w.text) < 5:
                continue
            expected = [v * scale for v in ref.bbox]
            assert all(abs(a - b) < 12 for a, b in zip(w.bbox, expected)), (w, ref)
            assert 0 <= w.conf <= 100
            checked += 1
        assert checked >= 8


@pytest.mark.slow
def test_pages_on_their_side_and_upside_down_come_back_upright() -> None:
    (page,) = render.page_images([ES * 4], dpi=150)
    sideways = page.rotate(90, expand=True)  # turned counter-clockwise
    upside_down = page.rotate(180)
    doc = read(tiff_bytes([sideways, upside_down], 150))
    first, second = doc.pages
    assert first.rotation == 90 and second.rotation == 180
    for p in doc.pages:
        assert "intercambiar información técnica" in squash(p.text)
        assert p.width < p.height  # portrait again


def test_ocr_output_is_cached_by_image_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = Context(Options(cache_dir=tmp_path))
    image = render.page_images([EN], dpi=150)[0].crop((0, 0, 1275, 400))
    first = ocr.ocr_page(image, ctx, page_dpi=150)
    assert "exchange technical information" in " ".join(w[0] for w in first.words)
    assert len(list(tmp_path.rglob("*.json"))) == 1

    def no_tesseract(*args, **kwargs):
        raise AssertionError("tesseract must not run again for a cached page")

    monkeypatch.setattr(ocr, "tesseract_words", no_tesseract)
    again = ocr.ocr_page(image.copy(), ctx, page_dpi=150)
    assert again == first and first.image_hash == ocr.image_hash(image)
    with pytest.raises(AssertionError):  # a different image is not a cache hit
        ocr.ocr_page(ImageOps.invert(image), ctx, page_dpi=150)


@pytest.mark.parametrize("engine", ["auto", "cli"])
def test_ocr_timeout_raises_its_class(engine: str) -> None:
    (image,) = render.page_images([ES * 3], dpi=150)
    with pytest.raises(errors.OcrTimeout):
        ocr.ocr_page(image, Context(Options(ocr_timeout=0.01, ocr_engine=engine)), page_dpi=150)


def test_image_without_resolution_and_small_print_is_read_larger() -> None:
    # A 100-dpi page saved without a resolution tag: text only ~12 px high.
    (image,) = render.page_images([EN], dpi=100)
    png = io.BytesIO()
    image.crop((0, 0, 850, 250)).save(png, format="PNG")
    doc = read(png.getvalue())
    page = doc.pages[0]
    assert page.dpi is None  # unknown, and not invented
    assert "exchange technical information" in squash(page.text)
    assert (page.width, page.height) == (850, 250)  # boxes stay in the image's own pixels
    assert all(0 <= w.bbox[0] < w.bbox[2] <= 850 for w in page.words)


# --- engines ---------------------------------------------------------------------------


def test_in_process_and_cli_engines_read_alike() -> None:
    pytest.importorskip("tesserocr")
    api, cli = tesseract.make_engine("api"), tesseract.make_engine("cli")
    assert (api.name, cli.name) == ("api", "cli")
    image = render.page_images([ES + " " + EN], dpi=200)[0].crop((0, 0, 1700, 600)).convert("L")
    for lang in ("spa", "spa+eng"):
        words = ocr.parse_tsv(api.tsv(image, lang, 200, 60.0))
        assert words == ocr.parse_tsv(cli.tsv(image, lang, 200, 60.0))  # same engine, same settings
        assert "intercambiar" in [w[0] for w in words]


def test_every_read_skips_the_fixed_pitch_test_and_typewriter_text_reads_the_same() -> None:
    tesserocr = pytest.importorskip("tesserocr")
    from PIL import ImageDraw, ImageFont

    api = tesseract.make_engine("api")
    assert all(api._api("spa").GetVariableAsString(k) == v for k, v in tesseract.READ_VARIABLES.items())
    args = tesseract.cli_args("spa", 300)
    assert all(f"{k}={v}" in args for k, v in tesseract.READ_VARIABLES.items())
    # Typewriter text, what the test is for: the LSTM engine finds the same words without it.
    page = Image.new("L", (2550, 900), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(render.find_font("DejaVuSansMono.ttf")), 40)
    for i, line in enumerate([ES[k : k + 70] for k in range(0, len(ES), 70)]):
        draw.text((250, 150 + 60 * i), line, font=font, fill=0)
    stock = tesserocr.PyTessBaseAPI(path=api._datapath, lang="spa", psm=tesseract.PSM_AUTO)
    try:
        stock.SetImage(page)
        stock.SetSourceResolution(300)
        expected = ocr.parse_tsv(stock.GetTSVText(0))
    finally:
        stock.End()
    words = ocr.parse_tsv(api.tsv(page, "spa", 300, 60.0))
    assert words == expected and "intercambiar" in [w[0] for w in words]


def test_engines_agree_on_orientation() -> None:
    pytest.importorskip("tesserocr")
    (page,) = render.page_images([ES * 4], dpi=150)
    sideways = page.rotate(90, expand=True).convert("L")  # turned counter-clockwise
    api, cli = tesseract.make_engine("api"), tesseract.make_engine("cli")
    turn, conf = api.osd(sideways, 150, 60.0)
    assert turn == 90 and conf > 1.0
    assert cli.osd(sideways, 150, 60.0) == (turn, pytest.approx(conf, abs=0.01))


def test_engine_choice() -> None:
    assert isinstance(tesseract.make_engine("cli"), tesseract.CliEngine)
    with pytest.raises(ValueError):
        tesseract.make_engine("gpu")
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        assert isinstance(tesseract.make_engine("auto"), tesseract.CliEngine)  # falls back, still reads
        return
    assert isinstance(tesseract.make_engine("auto"), tesseract.ApiEngine)
    assert isinstance(tesseract.make_engine("auto", "spa+xyz"), tesseract.CliEngine)  # models it cannot load
    with pytest.raises(RuntimeError):
        tesseract.make_engine("api", "spa+xyz")


class _FakeApi:
    """Stands in for tesserocr.PyTessBaseAPI: records what the engine asks of it."""

    log: list[str] = []

    def __init__(self, path: str, lang: str, psm: int) -> None:
        self.lang = lang
        self.log.append(f"load {lang}")

    def SetVariable(self, name: str, value: str) -> bool:  # noqa: N802 - tesserocr's names
        return True

    def End(self) -> None:  # noqa: N802
        self.log.append(f"end {self.lang}")

    def SetImageBytes(self, data: bytes, width: int, height: int, bpp: int, stride: int) -> None:  # noqa: N802
        assert len(data) == width * height == stride * height and bpp == 1

    def SetSourceResolution(self, dpi: int) -> None:  # noqa: N802
        self.log.append(f"dpi {dpi}")

    def Recognize(self, timeout: int) -> bool:  # noqa: N802
        self.log.append(f"recognize {timeout}")
        if timeout > 50:
            return True
        time.sleep(timeout / 1000)  # tesseract's monitor gives up once the deadline has passed
        return False

    def GetTSVText(self, page: int) -> str:  # noqa: N802
        return "5\t1\t1\t1\t1\t1\t10\t20\t30\t12\t91.5\tPRIMERA\n"

    def Clear(self) -> None:  # noqa: N802
        self.log.append("clear")


class _FakeTesserocr:
    PyTessBaseAPI = _FakeApi

    class PSM:
        OSD_ONLY = 0


def test_api_engine_keeps_a_few_language_sets_loaded() -> None:
    _FakeApi.log = []
    engine = tesseract.ApiEngine(_FakeTesserocr, "/tessdata", keep=2)
    for lang in ("spa+eng", "spa", "spa+eng", "eng"):
        engine.warm_up(lang)
    # Reused while loaded; the least recently used set goes when a third one comes.
    assert _FakeApi.log == ["load spa+eng", "load spa", "load eng", "end spa"]
    engine.close()
    assert sorted(_FakeApi.log[-2:]) == ["end eng", "end spa+eng"]


def test_api_engine_timeout_is_an_ocr_timeout_and_frees_the_page() -> None:
    _FakeApi.log = []
    engine = tesseract.ApiEngine(_FakeTesserocr, "/tessdata")
    image = Image.new("L", (40, 30), 255)
    assert ocr.parse_tsv(engine.tsv(image, "spa", 300, 10.0)) == [("PRIMERA", 10, 20, 40, 32, 91.5, 0)]
    with pytest.raises(errors.OcrTimeout):
        engine.tsv(image, "spa", 300, 0.01)
    assert _FakeApi.log == ["load spa", "dpi 300", "recognize 10000", "clear", "dpi 300", "recognize 10", "clear"]
