"""Output snapshots: prove that a speed-up changes nothing convenio produces.

    python -m bench.snapshot inputs DIR                 # render the PDFs the snapshot reads
    python -m bench.snapshot save OUT.json PATH...      # files and folders, processed in-process
    python -m bench.snapshot compare BEFORE.json AFTER.json

``save`` records, for every file, the whole document model after the last stage
(page texts, words and their boxes, blocks, languages, segments, every fact with
its evidence) and the database rows ``store.document_rows`` builds from it
(stemmed search text, word JSON). Only wall-clock timings and the processing
timestamp are left out. ``compare`` lists every file and field that differs;
a pure optimisation leaves none.

``inputs`` writes text PDFs that exercise the text-layer path beyond the sample
archive: the benchmark's pages, every given agreement text rendered as a text
PDF, bilingual two-column pages, rotated pages, ligatures, and a page drawn
with a standard font at scattered positions.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional

from pipeline.evaluate import DOC_SUFFIXES


def _files(paths: list[Path]) -> list[tuple[str, Path]]:
    """(key, path) of every input: a file in a given folder is keyed ``folder/name``, so
    that snapshots made from two checkouts compare file by file."""
    out: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            out.extend((f"{path.name}/{p.name}", p) for p in sorted(path.iterdir()) if p.suffix.lower() in DOC_SUFFIXES)
        else:
            out.append((path.name, path))
    return out


def snapshot_document(key: str, path: Path, ctx: Any) -> dict[str, Any]:
    from pipeline import store
    from pipeline.model import to_dict
    from pipeline.process import new_document, process_document

    doc = process_document(new_document(key, path.read_bytes()), ctx)
    model = to_dict(doc)
    model.pop("timings", None)
    rows = asdict(store.document_rows(doc, "snapshot", processed_at="snapshot"))
    return {"model": model, "rows": rows}


def save(out: Path, paths: list[Path], ocr_cache: Optional[Path]) -> int:
    from pipeline.context import Context, Options

    ctx = Context(Options(cache_dir=ocr_cache))
    result: dict[str, Any] = {}
    for key, path in _files(paths):
        print(f"  {key}", file=sys.stderr, flush=True)
        result[key] = snapshot_document(key, path, ctx)
    out.write_text(json.dumps(result, ensure_ascii=False, sort_keys=True, indent=0), encoding="utf-8")
    print(f"{len(result)} documents -> {out}", file=sys.stderr)
    return 0


def _diff(a: Any, b: Any, where: str, out: list[str], limit: int = 20) -> None:
    if len(out) >= limit:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                out.append(f"{where}.{key}: only in {'after' if key not in a else 'before'}")
            else:
                _diff(a[key], b[key], f"{where}.{key}", out, limit)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{where}: {len(a)} items before, {len(b)} after")
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, f"{where}[{i}]", out, limit)
    elif a != b or type(a) is not type(b):
        out.append(f"{where}: {a!r:.120} -> {b!r:.120}")


def compare(before: Path, after: Path) -> int:
    a = json.loads(before.read_text(encoding="utf-8"))
    b = json.loads(after.read_text(encoding="utf-8"))
    problems = 0
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            print(f"{name}: only in {'after' if name not in a else 'before'}")
            problems += 1
            continue
        diffs: list[str] = []
        _diff(a[name], b[name], "", diffs)
        if diffs:
            problems += 1
            print(f"{name}:")
            for line in diffs:
                print(f"  {line}")
    print(f"{len(set(a) & set(b))} documents compared, {problems} differ")
    return 1 if problems else 0


# ---------------------------------------------------------------- inputs


def _standard_font_page() -> bytes:
    """Helvetica (no embedded font) at scattered positions, sizes and on top of each other."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792), invariant=1)
    y = 740
    for size, x, line in [
        (16, 150, "CONVENIO DE HERMANAMIENTO"),
        (11, 72, "PRIMERA.- Las Partes se comprometen a intercambiar información técnica;"),
        (11, 72, "a) organizar dos seminarios al año, y   b) presentar un informe anual."),
        (9, 300, "Firmado en Saltillo, el 3 de marzo de 2021."),
        (11, 72, "The  Parties  shall   hold  4  meetings  per  year  (USD 25,000)."),
        (7, 500, "p. 1"),
    ]:
        c.setFont("Helvetica", size)
        c.drawString(x, y, line)
        y -= size * 2.2
    c.setFont("Helvetica", 11)
    c.drawString(72, 500, "Overlapping text")
    c.drawString(80, 503, "drawn twice")
    c.showPage()
    c.save()
    return buf.getvalue()


def _rotated(data: bytes, rotation: int) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    for page in pdf:
        page.set_rotation(rotation)
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()


def inputs(out: Path, texts: list[Path]) -> int:
    from bench.batch import page_text
    from corpus.render import text_pdf_bytes

    out.mkdir(parents=True, exist_ok=True)
    for d in range(3):
        (out / f"bench-{d}.pdf").write_bytes(text_pdf_bytes([page_text(d, p) for p in range(5)]))
    sources = [p for _, p in _files(texts) if p.suffix == ".txt"]
    bodies = {p.stem: p.read_text(encoding="utf-8") for p in sources}
    for stem, body in bodies.items():
        (out / f"text-{stem}.pdf").write_bytes(text_pdf_bytes(body.split("\f")))
    spanish = [b for s, b in bodies.items() if "es" in s.split("-")]
    english = [b for s, b in bodies.items() if "en" in s.split("-")]
    for i, (es, en) in enumerate(zip(spanish[:4], english[:4])):
        (out / f"columns-{i}.pdf").write_bytes(text_pdf_bytes([], two_columns=[(es, en)]))
    if spanish:
        sample = text_pdf_bytes([spanish[0][:3000]])
        for rotation in (90, 180, 270):
            (out / f"rotated-{rotation}.pdf").write_bytes(_rotated(sample, rotation))
        ligatures = spanish[0][:2500].replace("fi", "\ufb01").replace("ff", "\ufb00").replace("fl", "\ufb02")
        (out / "ligatures.pdf").write_bytes(text_pdf_bytes([ligatures]))
    (out / "standard-font.pdf").write_bytes(_standard_font_page())
    print(f"inputs written to {out}", file=sys.stderr)
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.snapshot", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_in = sub.add_parser("inputs", help="render the PDF inputs")
    p_in.add_argument("out", type=Path)
    p_in.add_argument("texts", type=Path, nargs="*", help="agreement texts (files or folders) to render")
    p_save = sub.add_parser("save", help="process files and save the snapshot")
    p_save.add_argument("out", type=Path)
    p_save.add_argument("paths", type=Path, nargs="+")
    p_save.add_argument("--ocr-cache", type=Path, help="OCR cache folder (makes repeated snapshots of scans fast)")
    p_cmp = sub.add_parser("compare", help="list the differences between two snapshots")
    p_cmp.add_argument("before", type=Path)
    p_cmp.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "inputs":
        return inputs(args.out, args.texts)
    if args.command == "save":
        return save(args.out, args.paths, args.ocr_cache)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
