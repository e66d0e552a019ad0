"""Batch benchmark: convenio end to end against the tools' own ceilings on this machine.

    python -m bench.batch                 # default run, about a quarter of an hour on 2 cores (mostly scans)
    python -m bench.batch --scan-pages 40 --rerun-docs 5000 --memory-pages 300 --memory-full-pages

Prints figures and ratios side by side (never asserts):
  * text-layer PDFs, end to end, pages/s per core vs pypdfium2 raw extraction and
    pdfplumber ``extract_text``; the same for the real annotated agreements rendered
    as text PDFs;
  * scanned pages/s (by default whole real agreements rendered as 300 dpi scans) vs the
    raw ``tesseract`` CLI with the same settings (each page read with the language, page
    segmentation and resolution convenio read it with, the page image scaled as convenio
    scaled it; the old reference, ``-l spa+eng`` on every page as scanned, is printed
    beside it) on 1 and 2 workers, and vs ``ocrmypdf -l spa+eng --jobs 2`` on the same
    scans (its defaults, and the ``--output-type pdf`` run earlier reports used),
    interleaved and repeated, medians;
  * a re-run over an unchanged archive of 1,000 documents (folder and zip);
  * peak memory of a worker on a 300-page scanned PDF.

"steady" figures count pages from the first document's start to the last one's write
(worker start-up, model loading and the run's close left out; writing, hashing and the
hand-off between writer and workers in); "per core" divides them by the cores the
run kept busy: the workers, when every core has one, and the writer shares them.
"per worker-second" divides pages by the time workers spent on documents, "per worker
CPU-second" by the CPU time they spent on them (the same on an idle machine; on a shared
one the former also counts waiting for a core); "wall" figures include everything.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import pypdfium2 as pdfium

from corpus.render import page_images, page_texts, scanned_pdf, text_pdf
from pipeline.batch import Counts, run_batch
from pipeline.context import REPO_ROOT
from pipeline.ocr import ink_box, scaled
from pipeline.tesseract import cli_args
from pipeline.train import GOLD_DIRS

DEFAULT_LANGS = "spa+eng"  # convenio's default OCR languages, and what the old reference read every page with
REAL_TEXT_DIRS = (*GOLD_DIRS, REPO_ROOT / "corpus" / "heldout")  # every annotated real agreement

CLAUSE = ("CLÁUSULA {n}. El Municipio de {city}, México, y la Ciudad de {other}, Estados Unidos de América, "
          "se comprometen a organizar {n} intercambios de estudiantes y {m} reuniones técnicas cada año, "
          "a informar por escrito de sus avances y a evaluar los resultados del programa de cooperación. ")
CITIES = ["Monterrey", "Guadalajara", "Puebla", "Mérida", "Oaxaca", "Saltillo", "Morelia", "Querétaro"]
OTHERS = ["Austin", "Denver", "Tucson", "Fresno", "Omaha", "Boise", "Reno", "Dallas"]


def page_text(doc: int, page: int, clauses: int = 6) -> str:
    head = f"CONVENIO DE COOPERACIÓN {doc}-{page}\n\n"
    return head + "\n\n".join(
        CLAUSE.format(n=doc * 10 + page + k, m=k + 2, city=CITIES[(doc + k) % 8], other=OTHERS[(page + k) % 8])
        for k in range(clauses))


@dataclass
class Row:
    name: str
    value: str
    reference: str = ""
    ratio: str = ""
    target: str = ""


def fmt_ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def print_table(rows: list[Row]) -> None:
    headers = ("measure", "convenio", "reference", "ratio", "target")
    cells = [headers] + [(r.name, r.value, r.reference, r.ratio, r.target) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    for i, line in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


class Steady:
    """Timestamps from ``run_batch`` updates: when the workers started producing documents,
    and when the last one was written."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.ready: Optional[float] = None
        self.last: Optional[float] = None
        self._written = 0

    def __call__(self, counts: Counts) -> None:
        if self.ready is None and counts.work_seconds > 0:
            self.ready = time.monotonic() - counts.work_seconds
        if counts.processed != self._written:
            self._written = counts.processed
            self.last = time.monotonic()

    def rate(self, pages: int) -> float:
        """Pages per second from the first document's start to the last one's write: worker
        start-up (models loading) and the run's close are left out, writing is not."""
        begin = self.ready if self.ready is not None else self.start
        end = self.last if self.last is not None else time.monotonic()
        return pages / max(1e-9, end - begin)


def ingest(folder: Path, db: Path, workers: int) -> tuple[float, float, float, Counts]:
    """(pages/s per worker-second, steady pages/s, wall pages/s, counts) for a fresh ingest.

    Per worker-second divides pages by the time workers spent on documents; on a machine
    shared with other work that time includes waiting for a core, so the text rows also
    give pages per CPU-second of the workers (``Counts.work_cpu_seconds``).
    """
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    steady = Steady()
    summary = run_batch([folder], db, workers=workers, quiet=True, on_update=steady)
    steady_rate = steady.rate(summary.counts.pages)
    c = summary.counts
    if c.failed:
        print(f"  warning: {c.failed} documents failed in {folder.name}: "
              f"{[f.error_class for f in summary.failures[:5]]}", file=sys.stderr)
    per_worker = c.pages / c.work_seconds if c.work_seconds else 0.0
    return per_worker, steady_rate, c.pages / summary.seconds, c


# ---------------------------------------------------------------- text-layer PDFs


def bench_text(tmp: Path, docs: int, pages: int, plumber_pages: int) -> list[Row]:
    folder = tmp / "text"
    folder.mkdir()
    for d in range(docs):
        text_pdf([page_text(d, p) for p in range(pages)], folder / f"agreement-{d:03d}.pdf")
    files = sorted(folder.glob("*.pdf"))
    total = 0
    started = time.perf_counter()
    for path in files:
        pdf = pdfium.PdfDocument(path)
        for page in pdf:
            page.get_textpage().get_text_range()
            total += 1
        pdf.close()
    raw = total / (time.perf_counter() - started)

    import pdfplumber

    done = 0
    started = time.perf_counter()
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                done += 1
                if done >= plumber_pages:
                    break
        if done >= plumber_pages:
            break
    plumber = done / (time.perf_counter() - started)

    rows = [Row(f"text PDF raw extraction ({total} pages)", "", f"pypdfium2 {raw:.0f} p/s", "", ""),
            Row("text PDF raw extraction", "", f"pdfplumber {plumber:.1f} p/s", "", ""),
            Row("text PDF CPU ms per page by stage (in-process)", stage_breakdown(files[:10]), "", "", "")]
    cores = os.cpu_count() or 1
    for workers in (1, cores):
        per_worker, steady, wall, counts = ingest(folder, tmp / f"text-{workers}.db", workers)
        # With every core working, writer included, the whole throughput over the cores is
        # the figure a user sees; with one worker the writer has the other core to itself.
        if workers == cores:
            rows.append(Row(f"text PDF end to end, {workers} workers + writer on {cores} cores, steady, per core",
                            f"{steady / cores:.1f} p/s", f"pypdfium2 {raw:.0f} p/s", fmt_ratio(steady / cores, raw),
                            ">= 60 p/s per core"))
        else:
            rows.append(Row(f"text PDF end to end, {workers} worker + writer (a second core), steady",
                            f"{steady:.1f} p/s", f"pypdfium2 {raw:.0f} p/s", fmt_ratio(steady, raw), ""))
        rows.append(_worker_rates(per_worker, counts))
        rows.append(Row(f"  steady / wall (start-up included), all {workers} worker(s)",
                        f"{steady:.1f} / {wall:.1f} p/s", f"pdfplumber {plumber:.1f} p/s", fmt_ratio(steady, plumber), ""))
    return rows + bench_real_text(tmp)


def real_agreements() -> list[tuple[Path, list[str]]]:
    """Every annotated real agreement: its path and the texts of its pages."""
    return [(p, p.read_text(encoding="utf-8").split("\f"))
            for folder in REAL_TEXT_DIRS for p in sorted(folder.glob("*.txt"))]


def bench_real_text(tmp: Path) -> list[Row]:
    """The real annotated agreements (development and held-out sets) as text PDFs, one
    worker: prose, bilingual documents and signature pages rather than the repeated clause."""
    texts = real_agreements()
    if not texts:
        return [Row("text PDF end to end, real agreements", "not run", "no real agreement texts found")]
    folder = tmp / "text-real"
    folder.mkdir()
    for path, pages in texts:
        text_pdf(pages, folder / f"{path.parent.name}-{path.stem}.pdf")
    per_worker, steady, _wall, counts = ingest(folder, tmp / "text-real.db", 1)
    name = f"text PDF end to end, real agreements ({len(texts)} documents, {counts.pages} pages), 1 worker"
    return [Row(f"{name}, steady", f"{steady:.1f} p/s", "", "", ">= 60 p/s per core"), _worker_rates(per_worker, counts)]


def _worker_rates(per_worker: float, counts: Counts) -> Row:
    per_cpu = counts.pages / counts.work_cpu_seconds if counts.work_cpu_seconds else 0.0
    return Row("  per worker-second / per worker CPU-second", f"{per_worker:.1f} / {per_cpu:.1f} p/s", "", "", "")


def stage_breakdown(files: list[Path]) -> str:
    """Where a text-layer page's time goes, stage by stage (models warmed up first), in
    CPU time of this process: on a busy machine wall time also counts waiting for a core."""
    from pipeline import store
    from pipeline.batch import warm_up
    from pipeline.context import Context
    from pipeline.process import STAGES, new_document

    ctx = Context()
    warm_up(ctx)  # what a worker does before its first document
    totals: dict[str, float] = {}
    pages = 0
    for path in files:
        doc = new_document(str(path), path.read_bytes())
        steps = [*STAGES, ("rows", lambda d, _ctx: store.document_rows(d, "bench"))]
        for stage, step in steps:
            started = time.process_time()
            step(doc, ctx)
            totals[stage] = totals.get(stage, 0.0) + time.process_time() - started
        pages += len(doc.pages)
    return " ".join(f"{k} {1000 * v / max(1, pages):.1f}" for k, v in totals.items() if v)


# ---------------------------------------------------------------- scanned pages


def _pgm(image) -> bytes:
    buf = io.BytesIO()
    image.convert("L").save(buf, format="PPM")
    return buf.getvalue()


def _tesseract(job: tuple[bytes, list[str]]) -> None:
    data, args = job
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    subprocess.run(["tesseract", "stdin", "stdout", *args], input=data, capture_output=True, env=env, check=True)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tesseract_rate(jobs: list[tuple[bytes, list[str]]], workers: int) -> tuple[float, float]:
    """(pages/s, CPU s per page) of one ``tesseract`` CLI process per page, ``workers`` at a time."""
    started, cpu = time.perf_counter(), _children_cpu()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(_tesseract, jobs))
    return len(jobs) / (time.perf_counter() - started), (_children_cpu() - cpu) / len(jobs)


def _ocrmypdf(install: bool) -> tuple[Optional[str], str]:
    """The ocrmypdf command, or None and why it cannot run."""
    exe = shutil.which("ocrmypdf") or str(Path(sys.executable).with_name("ocrmypdf"))
    if not Path(exe).exists() and install:
        print("  installing ocrmypdf into this environment for the comparison (pip install ocrmypdf)...",
              file=sys.stderr)
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "ocrmypdf"], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            return None, f"pip install ocrmypdf failed: {proc.stderr.strip().splitlines()[-1:]}"
    if not Path(exe).exists():
        return None, "ocrmypdf is not installed (run without --no-install to install it)"
    return exe, ""


def _ocrmypdf_rate(cmd: list[str], pages: int) -> tuple[Optional[float], str]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        return None, (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1][:80]
    return pages / seconds, ""


def _page_settings(db: Path, pages: int, first_page: dict[str, int]) -> list[tuple[list[str], float]]:
    """How convenio ended up reading each bench page (its final read): the tesseract arguments
    and the scale of the page image (the resolution it read at over the scan's)."""
    import sqlite3

    con = sqlite3.connect(db)
    rows = con.execute("select p.path, g.number, g.ocr_lang, g.dpi, g.ocr_dpi from pages g "
                       "join document_paths p on p.document_id = g.document_id").fetchall()
    con.close()
    settings: dict[int, tuple[list[str], float]] = {}
    for path, number, lang, dpi, ocr_dpi in rows:
        index = first_page[Path(path).stem] + int(number) - 1
        read_dpi = ocr_dpi or dpi or 300
        settings[index] = (cli_args(lang or DEFAULT_LANGS, int(round(read_dpi))), read_dpi / (dpi or 300))
    return [settings.get(i, (cli_args(DEFAULT_LANGS, 300), 1.0)) for i in range(pages)]


def _describe(settings: list[tuple[list[str], float]]) -> str:
    counts: dict[str, int] = {}
    for args, _scale in settings:
        key = " ".join(args[:-1])
        counts[key] = counts.get(key, 0) + 1
    return "; ".join(f"{k} x{n}" for k, n in sorted(counts.items()))


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _text_share(images: list) -> float:
    """Mean share of a page inside the box holding its ink (what convenio's OCR reads)."""
    shares = []
    for image in images:
        box = ink_box(image) or (0, 0, 0, 0)
        shares.append((box[2] - box[0]) * (box[3] - box[1]) / (image.width * image.height))
    return statistics.mean(shares) if shares else 0.0


def real_scan_documents(pages: int) -> tuple[list[list[str]], str]:
    """Whole real agreements (their own pages), spread evenly over the sorted list, about
    ``pages`` pages in all, and a line comparing the sample's fullness with every real page."""
    texts = [doc for _path, doc in real_agreements()]
    laid_out = [page_texts(t) for t in texts]
    total = sum(len(d) for d in laid_out)
    step = max(1, total // max(1, pages))
    every = [len(page) for d in laid_out for page in d]
    sample = [len(page) for d in laid_out[::step] for page in d]
    about = (f"{len(laid_out[::step])} real agreements, {statistics.median(sample):.0f} characters a page (median; "
             f"all {len(texts)} real agreements, {len(every)} pages: {statistics.median(every):.0f})")
    return texts[::step], about


def scan_documents(source: str, pages: int, clauses: int) -> tuple[list[list[str]], str]:
    return real_scan_documents(pages) if source == "real" else synthetic_scan_documents(pages, clauses)


def synthetic_scan_documents(pages: int, clauses: int) -> tuple[list[list[str]], str]:
    """The repeated clause, ``clauses`` to a page, two pages to a document."""
    texts = [page_text(100 + i, 0, clauses=clauses) for i in range(pages)]
    return [texts[i:i + 2] for i in range(0, pages, 2)], f"generated, {clauses} clauses a page"


def bench_scans(tmp: Path, documents: list[list[str]], about: str, install: bool, repeat: int) -> list[Row]:
    """convenio against tesseract and ocrmypdf on the same scans, interleaved run by run,
    ``repeat`` times, medians reported (a shared machine's load moves every figure).
    ``documents``: each document's text, a page break between items (longer text runs on
    to further pages)."""
    folder = tmp / "scans"
    folder.mkdir()
    images: list = []
    first_page: dict[str, int] = {}
    for d, texts in enumerate(documents):
        doc_images = page_images(texts, dpi=300)
        first_page[f"scan-{d:03d}"] = len(images)
        scanned_pdf(doc_images, folder / f"scan-{d:03d}.pdf", 300)
        images.extend(doc_images)
    pages = len(images)
    share = _text_share(images)
    pgms: dict[tuple[int, float], bytes] = {}

    def pgm(index: int, scale: float) -> bytes:
        """Page ``index`` as the reference reads it: at the resolution convenio read it at."""
        if (index, scale) not in pgms:
            pgms[(index, scale)] = _pgm(images[index] if scale == 1.0 else scaled(images[index], scale))
        return pgms[(index, scale)]

    all_in_one = tmp / "all-scans.pdf"
    scanned_pdf(images, all_in_one, 300)

    exe, why = _ocrmypdf(install)
    # A user's typical invocation on a bilingual archive: languages and jobs, defaults otherwise
    # (PDF/A output, as far as it can without Ghostscript). Earlier reports used the second one.
    ocrmypdf_cmds = {
        "ocrmypdf": [exe or "ocrmypdf", "-l", "spa+eng", "--jobs", "2", str(all_in_one), str(tmp / "ocrmypdf.pdf")],
        "ocrmypdf --output-type pdf": [exe or "ocrmypdf", "--jobs", "2", "--output-type", "pdf", "-l", "spa+eng",
                                       "--quiet", str(all_in_one), str(tmp / "ocrmypdf-pdf.pdf")],
    }
    ours: dict[int, list[float]] = {1: [], 2: []}
    # CPU seconds per page: what a loaded machine inflates least (no waiting for a core counted).
    ours_cpu: dict[int, list[float]] = {1: [], 2: []}
    same_cpu: dict[int, list[float]] = {1: [], 2: []}
    walls: dict[int, list[float]] = {1: [], 2: []}
    same: dict[int, list[float]] = {1: [], 2: []}
    fixed: dict[int, list[float]] = {1: [], 2: []}
    theirs: dict[str, list[float]] = {name: [] for name in ocrmypdf_cmds}
    failures: dict[str, str] = {}
    settings: list[tuple[list[str], float]] = []
    ocr_pages: set[int] = set()
    for run in range(repeat):
        for workers in (1, 2):
            _, steady, wall, counts = ingest(folder, tmp / f"scan-{workers}.db", workers)
            ours[workers].append(steady)
            ours_cpu[workers].append(counts.work_cpu_seconds / max(1, counts.pages))
            walls[workers].append(wall)
            ocr_pages.add(counts.ocr_pages)
            settings = _page_settings(tmp / f"scan-{workers}.db", pages, first_page)
            rate, cpu = _tesseract_rate([(pgm(i, scale), args) for i, (args, scale) in enumerate(settings)], workers)
            same[workers].append(rate)
            same_cpu[workers].append(cpu)
            fixed[workers].append(_tesseract_rate([(pgm(i, 1.0), cli_args(DEFAULT_LANGS, 300)) for i in range(pages)],
                                                  workers)[0])
        if exe is not None:
            for name, cmd in ocrmypdf_cmds.items():
                rate, failure = _ocrmypdf_rate(cmd, pages)
                if rate is None:
                    failures[name] = failure
                else:
                    theirs[name].append(rate)
        print(f"  scans run {run + 1}/{repeat}: convenio x1 {ours[1][-1]:.2f}, x2 {ours[2][-1]:.2f} p/s; "
              f"tesseract same settings x1 {same[1][-1]:.2f}, x2 {same[2][-1]:.2f} p/s", file=sys.stderr, flush=True)

    rows: list[Row] = [Row(f"scans: {pages} pages in {len(documents)} PDFs, 300 dpi, {about}, text on {share:.0%} "
                           f"of a page; medians of {repeat} interleaved runs", "", "", "", "")]
    for workers in (1, 2):
        steady = _median(ours[workers])
        rows.append(Row(f"scanned pages, {workers} worker(s), steady (wall {_median(walls[workers]):.2f})",
                        f"{steady:.2f} p/s", f"tesseract CLI x{workers} same settings {_median(same[workers]):.2f} p/s",
                        fmt_ratio(steady, _median(same[workers])), ">= 0.90x tesseract"))
        rows.append(Row(f"scanned pages, {workers} worker(s), vs -l {DEFAULT_LANGS} on every page as scanned (old reference)",
                        f"{steady:.2f} p/s", f"tesseract CLI x{workers} {_median(fixed[workers]):.2f} p/s",
                        fmt_ratio(steady, _median(fixed[workers])), ""))
        mine, theirs_cpu = _median(ours_cpu[workers]), _median(same_cpu[workers])
        rows.append(Row(f"  CPU per page, {workers} worker(s) (whole document: load, OCR, extraction)",
                        f"{mine:.2f} s", f"tesseract CLI same settings {theirs_cpu:.2f} s",
                        fmt_ratio(theirs_cpu, mine), "(ratio as pages per CPU second)"))
    rows.append(Row("  settings convenio read the pages with (run by the same-settings reference)", "", "", "",
                    _describe(settings)))
    if ocr_pages != {pages}:
        rows.append(Row("  (warning) pages read by OCR", str(sorted(ocr_pages)), str(pages)))
    if exe is None:
        rows.append(Row("ocrmypdf --jobs 2", "not run", why))
        return rows
    steady2 = _median(ours[2])
    for name, cmd in ocrmypdf_cmds.items():
        if name in failures and not theirs[name]:
            rows.append(Row(name, "failed", failures[name]))
            continue
        rate = _median(theirs[name])
        label = "scanned pages, 2 workers vs " + name + (" (old reference)" if "output-type" in name else "")
        rows.append(Row(label, f"{steady2:.2f} p/s", f"ocrmypdf {rate:.2f} p/s", fmt_ratio(steady2, rate),
                        ">= 2x ocrmypdf" if "output-type" not in name else ""))
        rows.append(Row("  command", "", "", "", " ".join(["ocrmypdf", *cmd[1:-2], "IN.pdf", "OUT.pdf"])))
    return rows


# ---------------------------------------------------------------- re-run of an unchanged archive


def bench_rerun(tmp: Path, docs: int) -> list[Row]:
    folder = tmp / "archive"
    folder.mkdir()
    for d in range(docs):
        (folder / f"agreement-{d:05d}.txt").write_text(page_text(d, 0, clauses=2), encoding="utf-8")
    archive = tmp / "archive-zip" / "archive.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, f"agreements/{path.name}")
    db = tmp / "rerun.db"
    started = time.perf_counter()
    first = run_batch([folder], db, quiet=True)
    initial = time.perf_counter() - started
    started = time.perf_counter()
    zipped = run_batch([archive], db, quiet=True)  # same bytes: recorded as copies, never processed
    zip_first = time.perf_counter() - started
    rows = [Row(f"first ingest of {docs} text documents (all cores)", f"{initial:.1f} s",
                f"{first.counts.processed} processed", "", ""),
            Row(f"same {docs} documents in a zip (copies)", f"{zip_first:.1f} s",
                f"{zipped.counts.duplicates} copies", "", "")]
    for label, paths in (("folder", [folder]), ("zip", [archive])):
        started = time.perf_counter()
        again = run_batch(paths, db, quiet=True)
        seconds = time.perf_counter() - started
        rows.append(Row(f"re-run over unchanged {docs}-document archive ({label})", f"{seconds:.2f} s",
                        f"{again.counts.skipped} skipped, {again.counts.processed} processed", "", "< 5 s"))
    return rows


# ---------------------------------------------------------------- memory


def _descendants_rss(root: "object") -> tuple[int, int]:
    """(largest worker RSS, largest worker + its tesseract children) among the children of ``root``."""
    best_worker = best_total = 0
    for child in root.children():  # type: ignore[attr-defined]
        try:
            own = child.memory_info().rss
            total = own + sum(g.memory_info().rss for g in child.children(recursive=True))
        except Exception:  # noqa: BLE001 - a process that just ended
            continue
        best_worker = max(best_worker, own)
        best_total = max(best_total, total)
    return best_worker, best_total


def bench_memory(tmp: Path, pages: int, full_pages: bool) -> list[Row]:
    import psutil

    chunk = 25
    parts = []
    for start in range(0, pages, chunk):
        texts = [page_text(500 + i, 0, clauses=6 if full_pages else 1) for i in range(start, min(pages, start + chunk))]
        part = tmp / f"memory-part-{start:04d}.pdf"
        scanned_pdf(page_images(texts, dpi=300), part, 300)
        parts.append(part)
    folder = tmp / "memory"
    folder.mkdir()
    merged = pdfium.PdfDocument.new()
    for part in parts:
        src = pdfium.PdfDocument(part)
        merged.import_pages(src)
        src.close()
        part.unlink()
    merged.save(folder / f"scan-{pages}-pages.pdf")
    merged.close()
    size_mb = (folder / f"scan-{pages}-pages.pdf").stat().st_size / 1e6

    me = psutil.Process()
    peak = {"worker": 0, "total": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            worker, total = _descendants_rss(me)
            peak["worker"] = max(peak["worker"], worker)
            peak["total"] = max(peak["total"], total)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    summary = run_batch([folder], tmp / "memory.db", workers=1, quiet=True)
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    status = "ok" if not summary.counts.failed else f"failed: {[f.error_class for f in summary.failures]}"
    # The run's time goes in the measure's text: the ratio column holds ratios only.
    return [Row(f"peak RSS of the worker, {pages}-page scanned PDF ({size_mb:.0f} MB, {status}, "
                f"{seconds:.0f} s)",
                f"{peak['worker'] / 2**20:.0f} MiB", _engine_note(), "", "< 1 GB")]


def _engine_note() -> str:
    from pipeline.tesseract import make_engine

    if make_engine().name == "api":
        return "tesseract inside the worker (tesserocr)"
    return "tesseract CLI children not counted"


# ---------------------------------------------------------------- main


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.batch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text-docs", type=int, default=120, help="text-layer PDFs to generate (default 120)")
    parser.add_argument("--text-pages", type=int, default=5, help="pages per text-layer PDF (default 5)")
    parser.add_argument("--plumber-pages", type=int, default=30, help="pages timed with pdfplumber (default 30)")
    parser.add_argument("--scan-pages", type=int, default=24,
                        help="about this many scanned pages (default 24)")
    parser.add_argument("--scan-source", choices=["real", "generated"], default="real",
                        help="what the scans show: whole real agreements, spread over the annotated ones "
                             "(default), or the generated clause page")
    parser.add_argument("--scan-clauses", type=int, default=4,
                        help="with --scan-source generated: clauses on each page (default 4, text on about "
                             "a third of the page; 8 fill it)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="interleaved runs of each scans measurement; medians are printed (default 3)")
    parser.add_argument("--rerun-docs", type=int, default=1000, help="documents in the re-run archive (default 1000)")
    parser.add_argument("--memory-pages", type=int, default=300, help="pages of the memory test scan (default 300)")
    parser.add_argument("--memory-full-pages", action="store_true",
                        help="full text on every memory-test page (slower; default: a short clause per page)")
    parser.add_argument("--only", choices=["text", "scans", "rerun", "memory"], action="append",
                        help="run only these parts (repeatable)")
    parser.add_argument("--no-install", action="store_true", help="do not pip install ocrmypdf when it is missing")
    parser.add_argument("--keep", type=Path, help="generate inputs here and keep them (default: a temp dir)")
    args = parser.parse_args(argv)
    parts = args.only or ["text", "scans", "rerun", "memory"]

    benches: dict[str, Callable[[Path], list[Row]]] = {
        "text": lambda t: bench_text(t, args.text_docs, args.text_pages, args.plumber_pages),
        "scans": lambda t: bench_scans(t, *scan_documents(args.scan_source, args.scan_pages, args.scan_clauses),
                                       not args.no_install, args.repeat),
        "rerun": lambda t: bench_rerun(t, args.rerun_docs),
        "memory": lambda t: bench_memory(t, args.memory_pages, args.memory_full_pages),
    }
    print(f"convenio batch benchmark: {os.cpu_count()} cores, python {sys.version.split()[0]}", flush=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="convenio-bench-") as scratch:
        base = args.keep or Path(scratch)
        base.mkdir(parents=True, exist_ok=True)
        for name in parts:
            work = base / name
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            started = time.perf_counter()
            print(f"- {name} ...", file=sys.stderr, flush=True)
            part_rows = benches[name](work)
            rows.extend(part_rows)
            print(f"  {name} done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            print_table(part_rows)
            print(flush=True)
    print("summary")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
