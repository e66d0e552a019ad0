"""Tesseract engines: libtesseract in the worker process (tesserocr), or one CLI process per call.

Both run the same Tesseract with the same settings and give the same TSV, word
for word. The in-process engine loads each language's models once per worker
instead of once per page: starting ``tesseract -l spa+eng`` costs about as
many instructions as reading a tenth of a page, and a fork, an encoded image
and a pipe besides. The CLI engine stays as the fallback where tesserocr is not
installed (it needs ``libtesseract-dev`` to build against the system
Tesseract, see the Makefile).

Tesseract runs single-threaded either way (``OMP_THREAD_LIMIT=1``): the batch's
worker processes are the parallelism, and OpenMP threads would fight them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import os
import re
import subprocess
import time
from collections import OrderedDict
from typing import Any, Optional, Protocol

import pytesseract
from PIL import Image

from pipeline.errors import OcrTimeout

PSM_AUTO = 3  # fully automatic page segmentation, no OSD: what every page is read with
# Settings every page read uses beyond language, dpi and psm. The fixed-pitch test decides
# whether a row is typewriter text, for the legacy engine's word splitting; the LSTM engine
# finds its own spaces. Off, a full page costs ~4.5% fewer instructions for the same words,
# boxes and confidences (typewriter faces included).
READ_VARIABLES = {"textord_disable_pitch_test": "1"}
_OSD_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_OSD_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")
ENGINES = ("auto", "api", "cli")
_L_SEVERITY_NONE = 6  # leptonica's message level that prints nothing


class Engine(Protocol):
    name: str

    def warm_up(self, lang: str) -> None:
        """Load what reading ``lang`` needs, before the first page."""
        ...

    def tsv(self, image: Image.Image, lang: str, dpi: int, timeout: float) -> str:
        """Tesseract's TSV for a greyscale page read with ``lang`` at ``dpi``, page segmentation 3."""
        ...

    def osd(self, image: Image.Image, dpi: int, timeout: float) -> tuple[int, float]:
        """(degrees clockwise the page must be turned, confidence); (0, 0.0) when OSD cannot tell."""
        ...


def _timeout_error(timeout: float) -> OcrTimeout:
    return OcrTimeout(f"tesseract took longer than {timeout:g} s on a page")


# --- command line -------------------------------------------------------------------


class CliEngine:
    """``tesseract stdin stdout`` per call, fed an uncompressed PGM: no PNG encoding, no temporary files."""

    name = "cli"

    def __init__(self, command: Optional[str] = None) -> None:
        self.command = command or pytesseract.pytesseract.tesseract_cmd

    def warm_up(self, lang: str) -> None:
        pass  # every call starts its own process

    def _run(self, image: Image.Image, args: list[str], timeout: float) -> str:
        buf = io.BytesIO()
        image.save(buf, format="PPM")  # PGM for mode L
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        try:
            proc = subprocess.run([self.command, "stdin", "stdout", *args], input=buf.getvalue(),
                                  capture_output=True, env=env, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise _timeout_error(timeout) from exc
        if proc.returncode != 0:
            raise RuntimeError(f"tesseract failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-300:]}")
        return proc.stdout.decode("utf-8", errors="replace")

    def tsv(self, image: Image.Image, lang: str, dpi: int, timeout: float) -> str:
        return self._run(image, cli_args(lang, dpi), timeout)

    def osd(self, image: Image.Image, dpi: int, timeout: float) -> tuple[int, float]:
        try:
            out = self._run(image, ["-l", "osd", "--psm", "0", "--dpi", str(dpi)], timeout)
        except RuntimeError:
            return 0, 0.0  # too little text for OSD
        rotate, conf = _OSD_ROTATE.search(out), _OSD_CONF.search(out)
        if not rotate:
            return 0, 0.0
        return int(rotate.group(1)) % 360, float(conf.group(1)) if conf else 0.0


def cli_args(lang: str, dpi: int) -> list[str]:
    """The CLI arguments equivalent to one page read: what the benchmark's reference runs too."""
    variables = [arg for name, value in READ_VARIABLES.items() for arg in ("-c", f"{name}={value}")]
    return ["-l", lang, "--dpi", str(dpi), "--psm", str(PSM_AUTO), *variables, "tsv"]


# --- in-process ---------------------------------------------------------------------


class ApiEngine:
    """libtesseract through tesserocr, one loaded API per language set, kept for the next page.

    At most ``keep`` language sets stay loaded (a few tens of MB each), least
    recently used dropped first: an archive mixing spa, eng and spa+eng pages
    keeps all three, and OSD's.
    """

    name = "api"

    def __init__(self, tesserocr: Any, datapath: str, keep: int = 4) -> None:
        self._tr = tesserocr
        self._datapath = datapath
        self._keep = keep
        self._apis: OrderedDict[str, Any] = OrderedDict()

    def _api(self, lang: str) -> Any:
        api = self._apis.pop(lang, None)
        if api is None:
            osd = lang == "osd"
            psm = self._tr.PSM.OSD_ONLY if osd else PSM_AUTO
            try:
                api = self._tr.PyTessBaseAPI(path=self._datapath, lang=lang, psm=psm)
            except RuntimeError as exc:
                raise RuntimeError(f"tesseract cannot load {lang!r} from {self._datapath}: {exc}") from exc
            api.SetVariable("debug_file", os.devnull)  # its notes went to the CLI's unread stderr
            if not osd:
                for name, value in READ_VARIABLES.items():
                    api.SetVariable(name, value)
        self._apis[lang] = api
        while len(self._apis) > self._keep:
            _, old = self._apis.popitem(last=False)
            old.End()
        return api

    def warm_up(self, lang: str) -> None:
        self._api(lang)

    def _set_image(self, api: Any, image: Image.Image, dpi: int) -> None:
        if image.mode != "L":
            image = image.convert("L")
        # Raw 8-bit rows: no encoding at all, libtesseract copies them into its own image.
        api.SetImageBytes(image.tobytes(), image.width, image.height, 1, image.width)
        api.SetSourceResolution(dpi)

    def tsv(self, image: Image.Image, lang: str, dpi: int, timeout: float) -> str:
        api = self._api(lang)
        self._set_image(api, image, dpi)
        started = time.monotonic()
        try:
            # The deadline is checked word by word; a stuck layout analysis is left to
            # the batch's per-document time limit.
            if not api.Recognize(timeout=max(1, int(timeout * 1000))):
                if time.monotonic() - started >= timeout:
                    raise _timeout_error(timeout)
                raise RuntimeError("tesseract could not read the page")
            return api.GetTSVText(0)
        finally:
            api.Clear()  # free the page's images and results now, not at the next page

    def osd(self, image: Image.Image, dpi: int, timeout: float) -> tuple[int, float]:
        api = self._api("osd")
        self._set_image(api, image, dpi)
        try:
            found = api.DetectOrientationScript()
        finally:
            api.Clear()
        if not found:
            return 0, 0.0  # too little text for OSD
        # tesserocr reports how the page is turned; the CLI's "Rotate" is the turn that undoes it.
        return (360 - int(found["orient_deg"])) % 360, float(found["orient_conf"])

    def close(self) -> None:
        while self._apis:
            _, api = self._apis.popitem()
            api.End()


def _quiet_leptonica() -> None:
    """Leptonica's complaints about odd pages (a box outside the image...) go to stderr, which
    the CLI engine kept in a pipe; in the worker they would cut through the progress bar."""
    name = ctypes.util.find_library("lept") or ctypes.util.find_library("leptonica")
    if not name:
        return
    try:
        ctypes.CDLL(name).setMsgSeverity(_L_SEVERITY_NONE)
    except (OSError, AttributeError):
        pass


def _tesserocr() -> Optional[Any]:
    # libgomp reads OMP_THREAD_LIMIT once, when libtesseract loads it: set it first.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        import tesserocr
    except ImportError:
        return None
    return tesserocr


def _cli_tessdata(command: str) -> Optional[str]:
    """Where the tesseract command finds its models (a tesserocr wheel may look elsewhere)."""
    try:
        out = subprocess.run([command, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'languages in "([^"]+)"', out)
    return found.group(1) if found else None


def _api_datapath(tesserocr: Any, langs: str) -> tuple[Optional[str], list[str]]:
    """A tessdata folder holding every one of ``langs`` for tesserocr, and what the last one tried holds."""
    wanted = set(langs.split("+"))
    datapath, available = tesserocr.get_languages()
    if wanted <= set(available):
        return datapath, available
    other = _cli_tessdata(pytesseract.pytesseract.tesseract_cmd)
    if other and other != datapath:
        datapath, available = tesserocr.get_languages(other)
        if wanted <= set(available):
            return datapath, available
    return None, available


def make_engine(kind: str = "auto", langs: str = "spa+eng") -> Engine:
    """The engine for ``kind``: ``api`` (tesserocr), ``cli``, or ``auto`` (api when it can load ``langs``)."""
    if kind not in ENGINES:
        raise ValueError(f"unknown OCR engine {kind!r} (choose from {', '.join(ENGINES)})")
    if kind == "cli":
        return CliEngine()
    tesserocr = _tesserocr()
    if tesserocr is None:
        if kind == "api":
            raise RuntimeError("tesserocr is not installed (make setup builds it against the system libtesseract)")
        return CliEngine()
    datapath, available = _api_datapath(tesserocr, langs)
    if datapath is not None:
        _quiet_leptonica()
        return ApiEngine(tesserocr, datapath)
    if kind == "api":
        raise RuntimeError(f"tesserocr finds no {langs} models (it has {available})")
    return CliEngine()
