"""The batch benchmark's inputs and its same-settings reference (its figures are measured by
``make bench`` and printed, never asserted)."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from bench import batch
from corpus.render import page_texts
from pipeline import store
from pipeline.tesseract import cli_args


def test_real_scans_are_whole_agreements_spread_over_the_annotated_ones() -> None:
    documents, about = batch.real_scan_documents(24)
    stored = [p for folder in batch.REAL_TEXT_DIRS for p in sorted(folder.glob("*.txt"))]
    whole = {tuple(p.read_text(encoding="utf-8").split("\f")) for p in stored}
    assert len(stored) >= 16 and len(documents) >= 5
    assert all(tuple(d) in whole for d in documents)  # each one as stored, every page of it
    pages = sum(len(page_texts(d)) for d in documents)
    assert 20 <= pages <= 40
    assert f"all {len(stored)} real agreements" in about
    assert len(batch.real_scan_documents(1000)[0]) == len(stored)  # asked for more than there is: all


def test_the_reference_reads_each_page_as_convenio_read_it(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "bench.db")
    store.ensure_schema(db)
    db["document_paths"].insert_all([{"path": "/in/scan-000.pdf", "document_id": "a"},
                                     {"path": "/in/scan-001.pdf", "document_id": "b"}])
    db["pages"].insert_all([
        {"id": "a:1", "document_id": "a", "number": 1, "ocr_lang": "spa+eng", "dpi": 300.0, "ocr_dpi": 150.0},
        {"id": "a:2", "document_id": "a", "number": 2, "ocr_lang": "spa", "dpi": 300.0, "ocr_dpi": 300.0},
        {"id": "b:1", "document_id": "b", "number": 1, "ocr_lang": "eng", "dpi": 150.0, "ocr_dpi": 300.0},
    ])
    db.close()
    settings = batch._page_settings(tmp_path / "bench.db", 4, {"scan-000": 0, "scan-001": 2})
    assert settings == [
        (cli_args("spa+eng", 150), 0.5),  # read shrunk: the reference gets the same smaller image
        (cli_args("spa", 300), 1.0),
        (cli_args("eng", 300), 2.0),  # a 150 dpi scan read enlarged
        (cli_args(batch.DEFAULT_LANGS, 300), 1.0),  # not in the database: the defaults
    ]
