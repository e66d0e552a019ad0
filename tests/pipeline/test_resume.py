"""Kill a real ``convenio ingest`` (SIGKILL, whole process group) at several points;
the database must hold whole documents only, and the next run must finish the rest
with no duplicate and no loss."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

PARAGRAPH = ("CLÁUSULA {n}. El Municipio de Tijuana, Baja California, México, y la Ciudad de San Diego, California, "
             "Estados Unidos, se comprometen a realizar {n} reuniones técnicas cada año y a informar de sus avances. ")


def make_corpus(folder: Path, documents: int) -> int:
    """Short agreements plus a long one (its transaction takes longer to write); returns the page count."""
    folder.mkdir(parents=True)
    pages = 0
    for n in range(documents):
        (folder / f"agreement-{n:03d}.txt").write_text(
            f"CONVENIO {n}\n\n" + PARAGRAPH.format(n=n) * 3 + "\f" + PARAGRAPH.format(n=n + 1000), encoding="utf-8")
        pages += 2
    long_pages = [PARAGRAPH.format(n=2000 + p) * 6 for p in range(80)]
    (folder / "long-agreement.txt").write_text("\f".join(long_pages), encoding="utf-8")
    return pages + len(long_pages)


def committed_documents(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # schema not created yet


def ingest(folder: Path, db_path: Path) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("convenio")
    return subprocess.Popen([str(exe), "ingest", str(folder), "--db", str(db_path), "--workers", "2", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def kill_when(proc: subprocess.Popen, db_path: Path, documents: int, timeout: float = 240) -> None:
    """SIGKILL the ingest and its workers once ``documents`` are committed (or at once for 0)."""
    deadline = time.monotonic() + timeout
    while committed_documents(db_path) < documents and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    # Worker processes die with the group; make sure none is left writing anything.
    time.sleep(0.2)


def check_consistent(db_path: Path) -> dict[str, int]:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # Whole documents only: every stored document has exactly the pages it says it has, and a path.
        partial = conn.execute(
            """select d.id from documents d
               where d.pages != (select count(*) from pages p where p.document_id = d.id)
                  or not exists (select 1 from document_paths x where x.document_id = d.id)""").fetchall()
        assert partial == []
        conn.execute("insert into pages_fts(pages_fts) values('integrity-check')")
        conn.execute("insert into commitments_fts(commitments_fts) values('integrity-check')")
        return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
                for t in ("documents", "document_paths", "pages", "commitments", "runs")}
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_at_several_points_then_resume(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    documents = 24
    total_pages = make_corpus(folder, documents)
    db_path = tmp_path / "archive.db"

    # 1. killed during start-up (schema, discovery, worker start), 2. after the first
    # commits, 3. later on, in the middle of the work.
    for target in (0, 1, 9):
        proc = ingest(folder, db_path)
        if target == 0:
            time.sleep(1.0)
        kill_when(proc, db_path, target)
        counts = check_consistent(db_path) if db_path.exists() else {"documents": 0}
        assert counts["documents"] >= target

    before = check_consistent(db_path)
    assert before["documents"] < documents + 1
    proc = ingest(folder, db_path)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr.decode()
    after = check_consistent(db_path)
    assert after["documents"] == documents + 1
    assert after["document_paths"] == documents + 1
    assert after["pages"] == total_pages
    conn = sqlite3.connect(db_path)
    runs = conn.execute("select status, processed, ended_at from runs order by id").fetchall()
    # Killed runs never reach their end; the last one processed exactly what was missing.
    assert [r[0] for r in runs[:-1]] == ["running"] * (len(runs) - 1)
    assert runs[-1][0] == "completed" and runs[-1][1] == documents + 1 - before["documents"]
    assert conn.execute("select count(*) from errors").fetchone()[0] == 0
    conn.close()


@pytest.mark.slow
def test_sigterm_stops_cleanly_with_exit_130(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    make_corpus(folder, 12)
    db_path = tmp_path / "archive.db"
    proc = ingest(folder, db_path)
    deadline = time.monotonic() + 240
    while committed_documents(db_path) < 1 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 130
    check_consistent(db_path)
    conn = sqlite3.connect(db_path)
    status, processed = conn.execute("select status, processed from runs").fetchone()
    assert status == "interrupted"
    assert processed == conn.execute("select count(*) from documents").fetchone()[0]
