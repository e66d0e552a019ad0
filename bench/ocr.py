"""OCR and layout benchmark: how much text survives scanning, and what that costs the extractors.

Renders the real agreements in ``../shared/corpus/real`` as text PDFs and as
degraded scans, runs load → OCR → layout → language on them and prints, per
condition: character error rate against the source text (whitespace
normalised), pages per second, lines where two columns got interleaved, and
commitment F1 against the gold next to the F1 on the original text.

    python -m bench.ocr                 # every real text, 2 worker processes
    python -m bench.ocr --subset 4      # the first 4 Spanish and 4 English texts
    python -m bench.ocr --json out.json # also write the figures as JSON

Targets (issue "scanned, mixed and side-by-side bilingual documents"):
CER <= 2% at 300 dpi, <= 5% at 150 dpi, commitment F1 on scans within 0.03 of
the text F1, zero interleaved column lines.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import os
import random
import re
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

from corpus import render
from pipeline import language, layout, load, ocr
from pipeline.context import REPO_ROOT, Context, Options
from pipeline.model import Document

REAL = REPO_ROOT.parent / "shared" / "corpus" / "real"
SCORER = REPO_ROOT.parent / "shared" / "gold" / "score.py"
READ_STAGES = (load.run, ocr.run, layout.run, language.run)

SINGLE = ["text-pdf", "scan-300", "scan-300-degraded", "scan-150", "upside-down"]
TWO_COLUMN = ["two-col-pdf", "two-col-scan"]
TARGET = {
    "text-pdf": 0.02,
    "scan-300": 0.02,
    "scan-300-degraded": 0.02,
    "scan-150": 0.05,
    "upside-down": 0.02,
    "two-col-pdf": 0.02,
    "two-col-scan": 0.02,
}
DESCRIPTION = {
    "text-pdf": "PDF with text layer",
    "scan-300": "scanned PDF, 300 dpi, clean",
    "scan-300-degraded": "scanned PDF, 300 dpi, rotated <=3 deg + noise + JPEG q60",
    "scan-150": "multi-page TIFF, 150 dpi + JPEG q80",
    "upside-down": "scanned PDF, 300 dpi, first page upside down",
    "two-col-pdf": "two-column es|en text PDF",
    "two-col-scan": "two-column es|en scan, 300 dpi, rotated 1 deg + noise",
}


def new_document(path: str, data: bytes) -> Document:
    # Same as pipeline.process.new_document, without importing the extractors (the
    # read stages are measured on their own; extraction is loaded only for F1).
    return Document(id=hashlib.sha256(data).hexdigest(), path=path, size=len(data), data=data)


# --- metrics --------------------------------------------------------------------


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy pass per character of ``a``."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1, dtype=np.int64)
    prev = idx.copy()
    for i, ch in enumerate(a.encode("utf-32-le").decode("utf-32-le"), start=1):
        cost = (bb != ord(ch)).astype(np.int64)
        row = np.empty_like(prev)
        row[0] = i
        row[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        # Insertions run along the row: D[j] = min_k (row[k] + j - k).
        row = np.minimum.accumulate(row - idx) + idx
        prev = row
    return int(prev[-1])


def cer(hyp: str, ref: str) -> tuple[int, int]:
    h, r = normalise(hyp), normalise(ref)
    return edit_distance(h, r), len(r)


_TOKEN = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def interleaved_lines(page_text: str, left: str, right: str) -> int:
    """Lines read out of column order: lines mixing both columns, plus left-column lines after right ones."""
    lw = {t.lower() for t in _TOKEN.findall(left)}
    rw = {t.lower() for t in _TOKEN.findall(right)}
    only_l, only_r = lw - rw, rw - lw
    bad = 0
    seen_right = False
    for line in page_text.splitlines():
        toks = [t.lower() for t in _TOKEN.findall(line)]
        nl = sum(t in only_l for t in toks)
        nr = sum(t in only_r for t in toks)
        if nl and nr and min(nl, nr) >= 2:
            bad += 1
        elif nl > nr:
            if seen_right:
                bad += 1
        elif nr > nl:
            seen_right = True
    return bad


# --- commitment F1 --------------------------------------------------------------


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("gold_score", SCORER)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@dataclass
class Counts:
    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.pred += other.pred
        self.gold += other.gold

    def f1(self) -> Optional[float]:
        if not self.pred and not self.gold:
            return None
        p = self.tp / self.pred if self.pred else 0.0
        r = self.tp / self.gold if self.gold else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0


def extract_commitments(doc: Document, ctx: Context) -> list[dict]:
    """Run segment + extract on a read document and return its commitments in gold format."""
    from pipeline import extract, segment
    from pipeline.serialize import to_format

    segment.run(doc, ctx)
    extract.run(doc, ctx)
    return to_format(doc).get("commitments", []) or []


def commitment_counts(pred: list[dict], gold: list[dict], scorer: Any) -> Counts:
    pairs = scorer.match(gold, pred, key=lambda c: c.get("text", "") if isinstance(c, dict) else str(c))
    return Counts(len(pairs), len(pred), len(gold))


# --- building the inputs ----------------------------------------------------------


@dataclass
class Job:
    condition: str
    name: str
    texts: list[str]  # one text, or (left, right) for two-column jobs
    gold: Optional[str] = None  # gold JSON path for commitment F1


@dataclass
class Result:
    condition: str
    name: str
    errors: int = 0
    chars: int = 0
    pages: int = 0
    seconds: float = 0.0
    interleaved: int = 0
    counts: Optional[Counts] = None
    note: str = ""
    ocr_conf: list[float] = field(default_factory=list)


def build_input(job: Job) -> tuple[bytes, list[str]]:
    """(file bytes, expected text per page in reading order)."""
    rng = random.Random(f"{job.condition}:{job.name}")
    if job.condition in TWO_COLUMN:
        pairs = [(job.texts[0], job.texts[1])]
        expected = render.page_texts([], pairs)
        if job.condition == "two-col-pdf":
            return render.text_pdf_bytes([], two_columns=pairs), expected
        images = [render.degrade(im, rotate=1.0, noise=0.03, seed=i) for i, im in enumerate(render.page_images([], 300, two_columns=pairs))]
        return render.scanned_pdf_bytes(images, 300), expected
    pages = [job.texts[0]]
    expected = render.page_texts(pages)
    if job.condition == "text-pdf":
        return render.text_pdf_bytes(pages), expected
    images = render.page_images(pages, 300)
    if job.condition == "scan-300":
        return render.scanned_pdf_bytes(images, 300), expected
    if job.condition == "scan-300-degraded":
        images = [
            render.degrade(im, rotate=rng.uniform(-3.0, 3.0), noise=0.05, jpeg_quality=60, seed=i)
            for i, im in enumerate(images)
        ]
        return render.scanned_pdf_bytes(images, 300), expected
    if job.condition == "scan-150":
        images = [render.degrade(im, dpi=150, jpeg_quality=80, seed=i) for i, im in enumerate(images)]
        buf = io.BytesIO()
        first, *rest = images
        first.save(buf, format="TIFF", save_all=True, append_images=rest, compression="tiff_deflate", dpi=(150, 150))
        return buf.getvalue(), expected
    if job.condition == "upside-down":
        images = [render.degrade(im, upside_down=(i == 0), rotate=rng.uniform(-1.0, 1.0), seed=i) for i, im in enumerate(images)]
        return render.scanned_pdf_bytes(images, 300), expected
    raise ValueError(job.condition)


# --- running ----------------------------------------------------------------------

_WORKER_CTX: dict[str, Context] = {}


def _context(cache_dir: Optional[str], ocr_timeout: float = Options.ocr_timeout) -> Context:
    # One Context per worker process, as the batch does.
    key = f"{cache_dir or ''}|{ocr_timeout}"
    if key not in _WORKER_CTX:
        _WORKER_CTX[key] = Context(Options(cache_dir=Path(cache_dir) if cache_dir else None, ocr_timeout=ocr_timeout))
    return _WORKER_CTX[key]


def run_job(job: Job, cache_dir: Optional[str], with_f1: bool, ocr_timeout: float = Options.ocr_timeout) -> Result:
    ctx = _context(cache_dir, ocr_timeout)
    data, expected = build_input(job)
    doc = new_document(f"{job.name}.{job.condition}", data)
    started = time.perf_counter()
    for stage in READ_STAGES:
        stage(doc, ctx)
    seconds = time.perf_counter() - started
    result = Result(job.condition, job.name, pages=len(doc.pages), seconds=seconds)
    hyp = "\n".join(p.text for p in doc.pages)
    result.errors, result.chars = cer(hyp, "\n".join(expected))
    result.ocr_conf = [p.ocr_conf for p in doc.pages if p.ocr_conf is not None]
    if job.condition in TWO_COLUMN:
        result.interleaved = sum(
            interleaved_lines(p.text, job.texts[0], job.texts[1]) for p in doc.pages if p.columns == 2
        )
        result.note = f"columns={[p.columns for p in doc.pages]}"
    if with_f1 and job.gold:
        try:
            gold = json.loads(Path(job.gold).read_text(encoding="utf-8")).get("commitments", [])
            result.counts = commitment_counts(extract_commitments(doc, ctx), gold, _scorer())
        except Exception as exc:  # noqa: BLE001 - extractors may be missing while they are being built
            result.note = f"F1 unavailable: {type(exc).__name__}: {exc}"[:200]
    return result


def text_f1_job(name: str, text: str, gold: str, cache_dir: Optional[str]) -> Result:
    """Commitment counts on the original plain text: the reference the scans are held to."""
    ctx = _context(cache_dir)
    doc = new_document(f"{name}.txt", text.encode("utf-8"))
    for stage in READ_STAGES:
        stage(doc, ctx)
    result = Result("text", name, pages=len(doc.pages))
    try:
        g = json.loads(Path(gold).read_text(encoding="utf-8")).get("commitments", [])
        result.counts = commitment_counts(extract_commitments(doc, ctx), g, _scorer())
    except Exception as exc:  # noqa: BLE001
        result.note = f"F1 unavailable: {type(exc).__name__}: {exc}"[:200]
    return result


def _select(subset: Optional[int]) -> tuple[list[Path], list[Path]]:
    es = sorted(REAL.glob("es-*.txt"))
    en = sorted(REAL.glob("en-*.txt"))
    if subset:
        es, en = es[:subset], en[:subset]
    return es, en


def plan(subset: Optional[int], conditions: list[str]) -> list[Job]:
    es, en = _select(subset)
    jobs = []
    for path in es + en:
        gold = path.with_suffix(".json")
        text = path.read_text(encoding="utf-8")
        for condition in conditions:
            if condition in SINGLE:
                jobs.append(Job(condition, path.stem, [text], str(gold) if gold.exists() else None))
    # Side-by-side bilingual pages: an English and a Spanish agreement, about a page each,
    # in both orders (English left, then Spanish left).
    for i, (s, e) in enumerate(zip(es, en)):
        left, right = (e, s) if i % 2 == 0 else (s, e)
        lt = _cut(left.read_text(encoding="utf-8"), 2600)
        rt = _cut(right.read_text(encoding="utf-8"), 2600)
        for condition in conditions:
            if condition in TWO_COLUMN:
                jobs.append(Job(condition, f"{left.stem}|{right.stem}", [lt, rt]))
    return jobs


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit]


def summarise(results: list[Result], text_results: list[Result]) -> list[dict]:
    rows = []
    text_counts = Counts()
    text_ok = bool(text_results) and all(r.counts is not None for r in text_results)
    for r in text_results:
        if r.counts:
            text_counts.add(r.counts)
    text_f1 = text_counts.f1() if text_ok else None
    by_condition: dict[str, list[Result]] = {}
    for r in results:
        by_condition.setdefault(r.condition, []).append(r)
    for condition in SINGLE + TWO_COLUMN:
        rs = by_condition.get(condition)
        if not rs:
            continue
        errors = sum(r.errors for r in rs)
        chars = sum(r.chars for r in rs)
        pages = sum(r.pages for r in rs)
        seconds = sum(r.seconds for r in rs)
        counts = Counts()
        f1_ok = all(r.counts is not None for r in rs if condition in SINGLE)
        for r in rs:
            if r.counts:
                counts.add(r.counts)
        f1 = counts.f1() if (condition in SINGLE and f1_ok) else None
        worst = max(rs, key=lambda r: r.errors / max(1, r.chars))
        confs = [c for r in rs for c in r.ocr_conf]
        rows.append(
            {
                "condition": condition,
                "description": DESCRIPTION[condition],
                "docs": len(rs),
                "pages": pages,
                "cer": errors / max(1, chars),
                "cer_target": TARGET[condition],
                "worst": f"{worst.name} {worst.errors / max(1, worst.chars):.2%}",
                "pages_per_s": pages / seconds if seconds else None,
                "ocr_conf": sum(confs) / len(confs) if confs else None,
                "interleaved": sum(r.interleaved for r in rs) if condition in TWO_COLUMN else None,
                "commit_f1": f1,
                "text_f1": text_f1 if condition in SINGLE else None,
                "notes": sorted({r.note for r in rs if r.note and "F1 unavailable" in r.note})[:1],
            }
        )
    return rows


def print_table(rows: list[dict], subset: Optional[int], elapsed: float, workers: int) -> None:
    def fmt(v: Any, spec: str) -> str:
        return "n/a" if v is None else format(v, spec)

    print()
    print(f"OCR/layout benchmark — {'subset: first ' + str(subset) + ' es + ' + str(subset) + ' en texts' if subset else 'all real texts'}"
          f", {workers} workers, {elapsed:.0f} s, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    header = f"{'condition':<18} {'docs':>4} {'pages':>5} {'CER':>7} {'target':>6} {'ok':>3} {'pages/s':>7} {'conf':>5} {'interl.':>7} {'F1 scan':>7} {'F1 text':>7} {'dF1':>6}  worst doc"
    print(header)
    print("-" * len(header))
    for r in rows:
        ok = "yes" if r["cer"] <= r["cer_target"] and not r["interleaved"] else "NO"
        d = None if r["commit_f1"] is None or r["text_f1"] is None else r["commit_f1"] - r["text_f1"]
        print(
            f"{r['condition']:<18} {r['docs']:>4} {r['pages']:>5} {r['cer']:>7.2%} {r['cer_target']:>6.0%} {ok:>3} "
            f"{fmt(r['pages_per_s'], '.2f'):>7} {fmt(r['ocr_conf'], '.1f'):>5} {fmt(r['interleaved'], 'd'):>7} "
            f"{fmt(r['commit_f1'], '.3f'):>7} {fmt(r['text_f1'], '.3f'):>7} {fmt(d, '+.3f'):>6}  {r['worst']}"
        )
    for r in rows:
        for note in r["notes"]:
            print(f"note ({r['condition']}): {note}")
    print()
    for r in rows:
        print(f"  {r['condition']:<18} {r['description']}")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__.split("\n\n")[0])
    parser.add_argument("--subset", type=int, default=None, help="only the first N Spanish and N English texts")
    parser.add_argument("--conditions", default=",".join(SINGLE + TWO_COLUMN), help="comma-separated conditions")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-f1", action="store_true", help="skip commitment extraction")
    parser.add_argument("--cache-dir", default=None, help="OCR cache (off by default so timings are real)")
    parser.add_argument("--ocr-timeout", type=float, default=600.0,
                        help="seconds per OCR read (default 600: this measures text quality, and a loaded shared "
                             "machine stretches the slowest page, a speckled near-blank one, past the batch's 180)")
    parser.add_argument("--json", dest="json_out", default=None, help="write the table as JSON here")
    args = parser.parse_args(argv)
    if not REAL.is_dir():
        print(f"no real corpus at {REAL}", file=sys.stderr)
        return 2
    conditions = [c for c in args.conditions.split(",") if c]
    unknown = set(conditions) - set(SINGLE + TWO_COLUMN)
    if unknown:
        parser.error(f"unknown conditions: {', '.join(sorted(unknown))}")
    jobs = plan(args.subset, conditions)
    es, en = _select(args.subset)
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(run_job, job, args.cache_dir, not args.no_f1, args.ocr_timeout) for job in jobs]
        text_futures = []
        if not args.no_f1:
            for path in es + en:
                gold = path.with_suffix(".json")
                if gold.exists():
                    text_futures.append(
                        pool.submit(text_f1_job, path.stem, path.read_text(encoding="utf-8"), str(gold), args.cache_dir)
                    )
        results = []
        for future in futures:
            r = future.result()
            results.append(r)
            print(f"  {r.condition:<18} {r.name:<16} pages={r.pages} CER={r.errors / max(1, r.chars):.2%} "
                  f"{r.seconds:.1f}s {r.note}", file=sys.stderr, flush=True)
        text_results = [f.result() for f in text_futures]
    elapsed = time.perf_counter() - started
    rows = summarise(results, text_results)
    print_table(rows, args.subset, elapsed, args.workers)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rows, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
