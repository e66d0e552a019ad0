"""Bad input never stops the batch: a generated corpus of broken files, each recorded in ``errors``."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
import sqlite_utils
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from corpus.render import page_images, text_pdf_bytes
from pipeline.batch import Counts, run_batch
from pipeline.context import Context, Options

GOOD_TEXT = ("CONVENIO DE COOPERACIÓN entre el Municipio de Saltillo, México, y la Ciudad de Austin, "
             "Estados Unidos. PRIMERA. Las partes se comprometen a intercambiar información. ")


def pdf_without_pages() -> bytes:
    """A well-formed PDF whose page tree is empty."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encrypted_pdf(user_password: str) -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, encrypt=StandardEncryption(user_password, ownerPassword="owner-secret", canModify=0))
    c.setFont("Helvetica", 11)
    for line, y in zip(GOOD_TEXT.split(". "), range(720, 500, -16)):
        c.drawString(72, y, line)
    c.showPage()
    c.save()
    return buffer.getvalue()


def huge_page_pdf() -> bytes:
    """A 200-inch page with no text: rendering it for OCR would take billions of pixels."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(14400, 14400))
    c.rect(100, 100, 300, 300, fill=1)
    c.showPage()
    c.save()
    return buffer.getvalue()


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A few hundred bytes that claim a 3.6-gigapixel image."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
            + chunk(b"IEND", b""))


def make_bad_corpus(folder: Path) -> dict[str, tuple[str, set[str]]]:
    """Write the corpus; return file name → (stage, acceptable error classes)."""
    folder.mkdir(parents=True, exist_ok=True)
    good_pdf = text_pdf_bytes([GOOD_TEXT * 6, GOOD_TEXT * 6])
    rng = random.Random(7)
    files: dict[str, tuple[bytes, str, set[str]]] = {
        "zero-byte.pdf": (b"", "load", {"EmptyFile"}),
        "zero-byte.txt": (b"", "load", {"EmptyFile"}),
        "truncated.pdf": (good_pdf[: len(good_pdf) // 2], "load", {"CorruptFile"}),
        "corrupt.pdf": (b"%PDF-1.5\n" + bytes(rng.randrange(256) for _ in range(4000)), "load", {"CorruptFile"}),
        "locked.pdf": (encrypted_pdf("user-secret"), "load", {"EncryptedFile"}),
        # pdfium cannot open a PDF without pages at all; either class says why.
        "no-pages.pdf": (pdf_without_pages(), "load", {"EmptyFile", "CorruptFile"}),
        "huge-page.pdf": (huge_page_pdf(), "load", {"TooLarge"}),
        "bomb.png": (png_bomb(), "load", {"TooLarge"}),
        "garbage.txt": (bytes(rng.randrange(256) for _ in range(3000)), "load", {"UnsupportedType"}),
        "undecodable.txt": ("Convenio entre las partes ".encode() + b"\x81\x8d\x8f\x90\x9d" * 3, "load",
                            {"UndecodableText"}),
        "archive-is-pdf.zip": (good_pdf, "discover", {"CorruptFile"}),
    }
    for name, (data, _, _) in files.items():
        (folder / name).write_bytes(data)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.txt", b"0" * (20 << 20))
    (folder / "bomb.zip").write_bytes(bomb.getvalue())
    expected = {name: (stage, classes) for name, (_, stage, classes) in files.items()}
    expected["bomb.zip/zeros.txt"] = ("discover", {"UnsafeArchive"})
    # Readable in spite of appearances: must be processed, not failed.
    (folder / "owner-only-password.pdf").write_bytes(encrypted_pdf(""))
    (folder / "pdf-named.txt").write_bytes(good_pdf)
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "windows-1252.txt").write_bytes(GOOD_TEXT.encode("cp1252"))
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04 not an agreement")  # skipped, not failed
    return expected


GOOD = {"owner-only-password.pdf", "pdf-named.txt", "good.txt", "windows-1252.txt"}


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context()


def test_bad_files_are_recorded_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    expected = make_bad_corpus(folder)
    db_path = tmp_path / "out.db"
    summary = run_batch([folder], db_path, workers=2, quiet=True)
    assert summary.exit_code == 1 and not summary.interrupted
    db = sqlite_utils.Database(db_path)
    errors = {row["path"][len(str(folder)) + 1:]: row for row in db.query("select * from errors")}
    assert set(errors) == set(expected) | {"slides.pptx"}
    for name, (stage, classes) in expected.items():
        row = errors[name]
        assert row["stage"] == stage and row["error_class"] in classes, (name, row)
        assert row["message"] and row["run_id"] == summary.run_id
    assert errors["slides.pptx"]["error_class"] == "UnsupportedType"
    ok = {row["path"][len(str(folder)) + 1:]: row for row in db.query(
        "select p.path, d.status, d.pages from document_paths p join documents d on d.id = p.document_id")}
    for name in GOOD:
        assert ok[name]["status"] == "ok" and ok[name]["pages"] >= 1, name
    assert summary.counts.skipped == 1  # the slides
    assert summary.counts.failed == len(expected)
    # Failed documents are stored as such, never half-way: no pages, no facts.
    for table in ("pages", "parties", "commitments"):
        assert db.execute(f"select count(*) from [{table}] where document_id in "
                          "(select id from documents where status = 'failed')").fetchone()[0] == 0
    db.close()

    again = run_batch([folder], db_path, workers=2, quiet=True)
    assert again.counts.processed == 0
    assert sqlite_utils.Database(db_path).table("errors").count == len(errors)  # current problems, not piled up


def test_a_file_that_disappears_mid_run(tmp_path: Path, ctx: Context) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"doc-{n}.txt").write_text(f"{GOOD_TEXT} {n}", encoding="utf-8")
    doomed = folder / "doc-2.txt"

    def remove_after_first(counts: Counts) -> None:
        doomed.unlink(missing_ok=True)  # discovered already, gone before it is read

    summary = run_batch([folder], tmp_path / "out.db", executor="inline", quiet=True, context=ctx,
                        on_update=remove_after_first)
    assert summary.counts.processed == 2 and summary.counts.failed == 1 and summary.exit_code == 1
    db = sqlite_utils.Database(tmp_path / "out.db")
    assert db.execute("select path, stage, error_class, document_id from errors").fetchall() == [
        (str(doomed), "load", "FileNotFoundError", None)]


def test_a_zip_that_disappears_after_discovery(tmp_path: Path, ctx: Context) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    with zipfile.ZipFile(folder / "b.zip", "w") as zf:
        zf.writestr("inner.txt", GOOD_TEXT + " zip")
    summary = run_batch([folder], tmp_path / "out.db", executor="inline", quiet=True, context=ctx,
                        on_update=lambda counts: (folder / "b.zip").unlink(missing_ok=True))
    assert summary.counts.processed == 1 and summary.counts.failed == 1
    db = sqlite_utils.Database(tmp_path / "out.db")
    assert db.execute("select path, error_class from errors").fetchall() == [
        (f"{folder / 'b.zip'}/inner.txt", "FileNotFoundError")]


@pytest.mark.slow
def test_ocr_timeout_is_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    page_images([GOOD_TEXT * 8], dpi=200)[0].save(folder / "scan.png")
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    summary = run_batch([folder], tmp_path / "out.db", Options(ocr_timeout=0.01), executor="inline", quiet=True)
    assert summary.counts.processed == 2 and summary.counts.failed == 1
    db = sqlite_utils.Database(tmp_path / "out.db")
    assert db.execute("select path, stage, error_class from errors").fetchall() == [
        (str(folder / "scan.png"), "ocr", "OcrTimeout")]
    assert db.execute("select status from documents d join document_paths p on p.document_id = d.id "
                      "where p.path = ?", [str(folder / "good.txt")]).fetchone()[0] == "ok"
