"""Move one document through the stages: load → OCR → layout → language → segment → extract.

``process_document`` never raises for bad input: a stage that fails records a
``FileError`` on the document and the remaining stages are skipped, so the
batch (and the store stage, which runs in the writer) can go on.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

from pipeline import extract, language, layout, load, ocr, segment
from pipeline.context import Context
from pipeline.model import Document, FileError

Stage = Callable[[Document, Context], None]

STAGES: list[tuple[str, Stage]] = [
    ("load", load.run),
    ("ocr", ocr.run),
    ("layout", layout.run),
    ("language", language.run),
    ("segment", segment.run),
    ("extract", extract.run),
]


def document_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_document(path: str, data: bytes) -> Document:
    return Document(id=document_id(data), path=path, size=len(data), data=data)


def process_document(doc: Document, ctx: Context, fail_fast: bool = False) -> Document:
    for name, stage in STAGES:
        started = time.perf_counter()
        try:
            stage(doc, ctx)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded, the batch goes on
            if fail_fast:
                raise
            doc.errors.append(FileError(doc.path, name, type(exc).__name__, str(exc) or repr(exc)))
            break
        finally:
            doc.timings[name] = round(time.perf_counter() - started, 4)
    doc.data = None
    for page in doc.pages:
        page.image = None
        page.render = None
    return doc


def process_path(path: Path, ctx: Context, fail_fast: bool = False) -> Document:
    data = path.read_bytes()
    return process_document(new_document(str(path), data), ctx, fail_fast=fail_fast)
