"""Batch ingest: incremental, idempotent, deduplicated, parallel, sharded; the CLI's exit codes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from pipeline.batch import parse_shard, run_batch
from pipeline.cli import cli
from pipeline.context import REPO_ROOT, Context, Options

TEXT = """CONVENIO DE COOPERACIÓN {n}

El Municipio de San Pedro, Nuevo León, Estados Unidos Mexicanos, y la Ciudad de Laredo, Texas,
Estados Unidos de América, acuerdan lo siguiente.

PRIMERA. Las partes se comprometen a intercambiar {n} estudiantes cada año.

SEGUNDA. El presente convenio tendrá una vigencia de {n} años a partir de su firma.
"""


def write_agreements(folder: Path, count: int, start: int = 1) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = folder / f"agreement-{n:03d}.txt"
        path.write_text(TEXT.format(n=n), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def ctx() -> Context:
    """One context (models loaded once) for the in-process runs of this module."""
    return Context()


def table_counts(db_path: Path) -> dict[str, int]:
    db = sqlite_utils.Database(db_path)
    try:
        return {t: db.table(t).count for t in ("documents", "document_paths", "pages", "errors", "runs")}
    finally:
        db.close()


def test_ingest_then_rerun_skips_everything(tmp_path: Path) -> None:
    write_agreements(tmp_path / "in", 4)
    db_path = tmp_path / "out.db"
    first = run_batch([tmp_path / "in"], db_path, workers=2, quiet=True)
    assert (first.counts.files, first.counts.processed, first.counts.skipped, first.counts.failed) == (4, 4, 0, 0)
    assert first.exit_code == 0 and first.counts.pages == 4
    assert first.counts.work_cpu_seconds > 0  # what the workers spent, reported for benchmarks
    before = table_counts(db_path)
    db = sqlite_utils.Database(db_path)
    stamps = {r["id"]: r["processed_at"] for r in db.table("documents").rows}
    db.close()

    second = run_batch([tmp_path / "in"], db_path, workers=2, quiet=True)
    assert (second.counts.processed, second.counts.skipped, second.counts.duplicates) == (0, 4, 0)
    after = table_counts(db_path)
    assert after == {**before, "runs": 2}
    db = sqlite_utils.Database(db_path)
    assert {r["id"]: r["processed_at"] for r in db.table("documents").rows} == stamps
    runs = list(db.query("select * from runs order by id"))
    assert [(r["files"], r["processed"], r["skipped"], r["status"]) for r in runs] == [
        (4, 4, 0, "completed"), (4, 0, 4, "completed")]
    assert all(r["ended_at"] and r["version"] == first.version for r in runs)
    assert sqlite3.connect(db_path).execute("PRAGMA foreign_key_check").fetchall() == []


def test_copies_and_renames_are_paths_of_one_document(tmp_path: Path, ctx: Context) -> None:
    paths = write_agreements(tmp_path / "in", 2)
    shutil.copy(paths[0], tmp_path / "in" / "copy-of-1.txt")
    db_path = tmp_path / "out.db"
    summary = run_batch([tmp_path / "in"], db_path, executor="inline", quiet=True, context=ctx)
    assert summary.counts.processed == 2 and summary.counts.duplicates == 1
    counts = table_counts(db_path)
    assert counts["documents"] == 2 and counts["document_paths"] == 3

    paths[1].rename(tmp_path / "in" / "renamed.txt")
    summary = run_batch([tmp_path / "in"], db_path, executor="inline", quiet=True, context=ctx)
    assert summary.counts.processed == 0 and summary.counts.duplicates == 1
    db = sqlite_utils.Database(db_path)
    assert db.table("documents").count == 2
    renamed = db.table("document_paths").get(str(tmp_path / "in" / "renamed.txt"))
    assert renamed["document_id"] == db.table("document_paths").get(str(paths[1]))["document_id"]


def test_touched_file_is_rehashed_not_reprocessed_and_changed_file_is_new(tmp_path: Path, ctx: Context) -> None:
    paths = write_agreements(tmp_path / "in", 2)
    db_path = tmp_path / "out.db"
    run_batch([tmp_path / "in"], db_path, executor="inline", quiet=True, context=ctx)
    os.utime(paths[0], (1_600_000_000, 1_600_000_000))
    summary = run_batch([tmp_path / "in"], db_path, executor="inline", quiet=True, context=ctx)
    assert summary.counts.processed == 0 and summary.counts.skipped == 2
    db = sqlite_utils.Database(db_path)
    assert db.table("document_paths").get(str(paths[0]))["mtime"] == 1_600_000_000
    db.close()

    paths[0].write_text(TEXT.format(n=99), encoding="utf-8")
    summary = run_batch([tmp_path / "in"], db_path, executor="inline", quiet=True, context=ctx)
    assert summary.counts.processed == 1 and summary.counts.skipped == 1
    db = sqlite_utils.Database(db_path)
    row = db.table("document_paths").get(str(paths[0]))
    assert "99 estudiantes" in db.execute("select text from pages where document_id = ?", [row["document_id"]]).fetchone()[0]


def test_force_and_changed_pipeline_version_reprocess(tmp_path: Path, ctx: Context) -> None:
    write_agreements(tmp_path / "in", 2)
    shutil.copy(tmp_path / "in" / "agreement-001.txt", tmp_path / "in" / "dup.txt")
    db_path = tmp_path / "out.db"
    first = run_batch([tmp_path / "in"], db_path, executor="inline", quiet=True, context=ctx)
    forced = run_batch([tmp_path / "in"], db_path, executor="inline", quiet=True, force=True, context=ctx)
    # Every document once, its copy recorded without a second processing.
    assert forced.counts.processed == 2 and forced.counts.duplicates == 1
    changed = run_batch([tmp_path / "in"], db_path, Options(dpi=200), executor="inline", quiet=True)
    assert changed.version != first.version
    assert changed.counts.processed == 2
    db = sqlite_utils.Database(db_path)
    assert {r["pipeline_version"] for r in db.table("documents").rows} == {changed.version}
    assert db.table("documents").count == 2 and db.table("pages").count == 2


def test_zip_archives_are_processed_in_place(tmp_path: Path, ctx: Context) -> None:
    write_agreements(tmp_path / "src", 3)
    archive = tmp_path / "in" / "bundle.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((tmp_path / "src").iterdir()):
            zf.write(path, f"2021/{path.name}")
        zf.writestr("../escape.txt", TEXT.format(n=7))
    db_path = tmp_path / "out.db"
    summary = run_batch([tmp_path / "in"], db_path, executor="inline", quiet=True, context=ctx)
    assert summary.counts.processed == 3 and summary.counts.failed == 1 and summary.exit_code == 1
    db = sqlite_utils.Database(db_path)
    paths = {r["path"] for r in db.table("document_paths").rows}
    assert paths == {f"{archive}/2021/agreement-00{n}.txt" for n in (1, 2, 3)}
    error = db.execute("select path, stage, error_class from errors").fetchall()
    assert error == [(f"{archive}/../escape.txt", "discover", "UnsafeArchive")]
    db.close()
    again = run_batch([tmp_path / "in"], db_path, executor="inline", quiet=True, context=ctx)
    assert again.counts.processed == 0 and again.counts.skipped == 3
    assert table_counts(db_path)["errors"] == 1


def test_fail_fast_stops_at_the_first_failure(tmp_path: Path, ctx: Context) -> None:
    folder = tmp_path / "in"
    (folder).mkdir()
    (folder / "a-empty.txt").write_bytes(b"")
    write_agreements(folder, 3)
    summary = run_batch([folder], tmp_path / "out.db", executor="inline", quiet=True, fail_fast=True, context=ctx)
    assert summary.aborted and "EmptyFile" in summary.aborted
    assert summary.exit_code == 1
    assert summary.counts.processed <= 1 and summary.counts.done < 4


def test_shards_partition_the_files_and_merge_into_one_database(tmp_path: Path, ctx: Context) -> None:
    write_agreements(tmp_path / "in", 6)
    (tmp_path / "in" / "notes.docx").write_bytes(b"PK\x03\x04")
    shards = []
    for k in (1, 2):
        shard = tmp_path / f"shard-{k}.db"
        run_batch([tmp_path / "in"], shard, executor="inline", quiet=True, shard=parse_shard(f"{k}/2"),
                  context=ctx)
        shards.append(shard)
    sizes = [table_counts(s)["document_paths"] for s in shards]
    assert sum(sizes) == 6 and all(sizes)
    runner = CliRunner()
    result = runner.invoke(cli, ["merge", str(tmp_path / "all.db"), *map(str, shards)])
    assert result.exit_code == 0, result.output
    whole = tmp_path / "whole.db"
    run_batch([tmp_path / "in"], whole, executor="inline", quiet=True, context=ctx)
    merged = sqlite_utils.Database(tmp_path / "all.db")
    single = sqlite_utils.Database(whole)
    assert {r["id"] for r in merged.table("documents").rows} == {r["id"] for r in single.table("documents").rows}
    assert merged.table("pages").count == single.table("pages").count
    assert merged.table("errors").count == 1
    hits = merged.execute("select count(*) from pages_fts where pages_fts match 'cooperacion'").fetchone()[0]
    assert hits == 6
    with pytest.raises(ValueError):
        parse_shard("3/2")


def test_worker_timeout_stops_the_worker_and_the_batch_goes_on(tmp_path: Path) -> None:
    from corpus.render import page_images

    folder = tmp_path / "in"
    write_agreements(folder, 2)
    page_images(["CONVENIO DE COOPERACIÓN\n\n" + "Las partes acuerdan cooperar en educación. " * 40], dpi=300)[0].save(
        folder / "scan.png")
    summary = run_batch([folder], tmp_path / "out.db", workers=1, quiet=True, doc_timeout=0.3)
    db = sqlite_utils.Database(tmp_path / "out.db")
    errors = db.execute("select path, stage, error_class from errors").fetchall()
    assert errors == [(str(folder / "scan.png"), "process", "DocumentTimeout")]
    assert summary.counts.processed == 2 and summary.exit_code == 1


def test_documents_queued_behind_a_stopped_worker_go_to_its_replacement(tmp_path: Path) -> None:
    """A worker holds the document it reads and the next one; when it is stopped on the
    first, the second is read by the worker that replaces it, not failed with it."""
    from corpus.render import page_images

    folder = tmp_path / "in"
    write_agreements(folder, 3)
    page_images(["CONVENIO DE COOPERACIÓN\n\n" + "Las partes acuerdan cooperar en educación. " * 40], dpi=300)[0].save(
        folder / "a-scan.png")  # first in discovery order, so the texts wait behind it
    summary = run_batch([folder], tmp_path / "out.db", workers=1, quiet=True, doc_timeout=0.3)
    db = sqlite_utils.Database(tmp_path / "out.db")
    assert db.execute("select path, error_class from errors").fetchall() == [(str(folder / "a-scan.png"), "DocumentTimeout")]
    assert summary.counts.processed == 3 and summary.counts.failed == 1
    assert table_counts(tmp_path / "out.db")["documents"] == 3


def test_cli_exit_codes_and_help(tmp_path: Path) -> None:
    runner = CliRunner()
    help_text = runner.invoke(cli, ["ingest", "--help"]).output
    assert "Exit codes" in help_text and "Examples" in help_text and "--workers" in help_text
    write_agreements(tmp_path / "good", 2)
    ok = runner.invoke(cli, ["ingest", str(tmp_path / "good"), "--db", str(tmp_path / "a.db"), "--executor", "inline"])
    assert ok.exit_code == 0, ok.output
    assert "processed 2" in ok.output
    (tmp_path / "good" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    bad = runner.invoke(cli, ["ingest", str(tmp_path / "good"), "--db", str(tmp_path / "a.db"), "-q",
                              "--executor", "inline"])
    assert bad.exit_code == 1 and bad.output == ""
    assert runner.invoke(cli, ["ingest", str(tmp_path / "good")]).exit_code == 2  # no --db
    assert runner.invoke(cli, ["ingest", str(tmp_path / "good"), "--db", "x.db", "--executor", "dask"]).exit_code == 2
    assert runner.invoke(cli, ["ingest", str(tmp_path / "good"), "--db", "x.db", "--shard", "5/2"]).exit_code == 2
    (tmp_path / "notes.db").write_text("not a database", encoding="utf-8")
    wrong = runner.invoke(cli, ["ingest", str(tmp_path / "good"), "--db", str(tmp_path / "notes.db")])
    assert wrong.exit_code == 2 and "not a database" in wrong.output


def test_console_script_runs_with_worker_processes(tmp_path: Path) -> None:
    write_agreements(tmp_path / "in", 3)
    exe = Path(sys.executable).with_name("convenio")
    proc = subprocess.run([str(exe), "ingest", str(tmp_path / "in"), "--db", str(tmp_path / "out.db"), "--workers", "2"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "processed 3" in proc.stderr and proc.stdout == ""  # not a terminal: no progress bar
    assert table_counts(tmp_path / "out.db")["documents"] == 3


def test_progress_bar_on_request_and_silence_otherwise(tmp_path: Path, ctx: Context, capsys) -> None:
    write_agreements(tmp_path / "in", 2)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    run_batch([tmp_path / "in"], tmp_path / "a.db", executor="inline", progress=True, context=ctx)
    shown = capsys.readouterr()
    assert shown.out == ""
    assert "3/3" in shown.err and "pages" in shown.err and "OCR" in shown.err and "1 errors" in shown.err
    run_batch([tmp_path / "in"], tmp_path / "b.db", executor="inline", context=ctx)  # not a terminal
    shown = capsys.readouterr()
    assert shown.out == "" and shown.err == ""


@pytest.mark.slow
def test_a_crashed_worker_costs_one_document(tmp_path: Path) -> None:
    import threading

    import psutil

    from corpus.render import page_images

    folder = tmp_path / "in"
    write_agreements(folder, 2)
    page_images(["CONVENIO DE COOPERACIÓN\n\n" + "Las partes acuerdan cooperar en educación. " * 60], dpi=300)[0].save(
        folder / "scan.png")
    scan_started = threading.Event()

    def on_update(counts) -> None:
        if counts.processed == 2:
            scan_started.set()  # the two texts are written: the worker now reads the scan

    def kill_worker() -> None:
        scan_started.wait(300)
        time.sleep(0.5)
        for child in psutil.Process().children():
            if "spawn_main" in " ".join(child.cmdline()):
                child.kill()

    killer = threading.Thread(target=kill_worker, daemon=True)
    killer.start()
    summary = run_batch([folder], tmp_path / "out.db", workers=1, quiet=True, on_update=on_update)
    killer.join(5)
    db = sqlite_utils.Database(tmp_path / "out.db")
    errors = db.execute("select path, stage, error_class, message from errors").fetchall()
    assert [e[:3] for e in errors] == [(str(folder / "scan.png"), "process", "WorkerCrashed")]
    assert "signal 9" in errors[0][3]
    assert summary.counts.processed == 2 and summary.exit_code == 1


def test_shard_membership_does_not_depend_on_where_the_archive_is_mounted() -> None:
    from pipeline.batch import _in_shard

    names = [f"sub/agreement-{i}.pdf" for i in range(40)]
    for k in (1, 2, 3):
        here = [n for n in names if _in_shard(f"/mnt/a/{n}", (k, 3), ["/mnt/a"])]
        there = [n for n in names if _in_shard(f"/srv/archive/x/{n}", (k, 3), ["/srv/archive/x"])]
        assert here == there and here
    every = [sum(_in_shard(f"/mnt/a/{n}", (k, 3), ["/mnt/a"]) for k in (1, 2, 3)) for n in names]
    assert every == [1] * len(names)


def test_tesseract_models_that_cannot_load_do_not_stop_the_workers(tmp_path: Path) -> None:
    # Workers load tesseract's models during warm-up; models that are not there must cost
    # the scanned pages (each reports it), not every document the worker would handle.
    write_agreements(tmp_path / "in", 2)
    summary = run_batch([tmp_path / "in"], tmp_path / "out.db", Options(ocr_engine="api", ocr_langs="xyz"),
                        workers=1, quiet=True)
    assert (summary.counts.processed, summary.counts.failed) == (2, 0)


def test_worker_warm_up_builds_every_rule_before_the_first_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker's start builds what documents would otherwise build at first use (rule
    patterns, the gazetteer's alternations, langdetect's profiles), so the first documents
    are not slower than the rest and a document's time limit measures the document."""
    from extractors import commitments, fastre, parties
    from pipeline import batch
    from pipeline.process import process_path

    parties._place_regex.cache_clear()
    ctx = Context()
    batch.warm_up(ctx)
    rules = {lang: commitments.get_rules(ctx, lang) for lang in commitments.LANGS}
    built = {lang: (set(vars(r)), len(r._joined)) for lang, r in rules.items()}
    places = parties._place_regex.cache_info().currsize
    assert "langdetect.factory" in ctx._resources

    compiled: list[str] = []
    for name in ("compile", "either"):
        real = getattr(fastre, name)
        monkeypatch.setattr(fastre, name, lambda *a, _real=real, _name=name, **k: compiled.append(_name) or _real(*a, **k))
    real_texts = sorted((REPO_ROOT.parent / "shared" / "corpus" / "real").glob("*.txt"))
    assert real_texts
    for path in real_texts:
        process_path(path, ctx)
    assert compiled == []
    assert parties._place_regex.cache_info().currsize == places
    assert {lang: (set(vars(r)), len(r._joined)) for lang, r in rules.items()} == built
