"""The Dask executor on a local cluster bound to loopback: same documents, same database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import distributed
import pytest

from pipeline.batch import run_batch

TEXT = ("CONVENIO {n} entre la Universidad de Sonora, México, y la Universidad de Arizona, Estados Unidos. "
        "PRIMERA. Las partes se comprometen a intercambiar {n} investigadores cada año.")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, worker_dashboard_address=None,
                                  silence_logs=40) as local:
        yield local


def _corpus(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"c{i}.txt").write_text(TEXT.format(n=i), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")


@pytest.mark.slow
def test_dask_executor_matches_local_processing(tmp_path: Path, cluster) -> None:
    folder = tmp_path / "in"
    _corpus(folder, 6)
    dask_db = tmp_path / "dask.db"
    summary = run_batch([folder], dask_db, executor="dask", scheduler=cluster.scheduler_address, quiet=True)
    assert summary.counts.processed == 7 and summary.counts.failed == 1 and summary.exit_code == 1
    local_db = tmp_path / "local.db"
    run_batch([folder], local_db, executor="inline", quiet=True)

    def snapshot(path: Path) -> tuple:
        with sqlite3.connect(path) as conn:
            docs = conn.execute("select id, status, pages, languages, commitments_count from documents order by id").fetchall()
            pages = conn.execute("select id, text, text_stem from pages order by id").fetchall()
            errors = conn.execute("select path, stage, error_class from errors").fetchall()
        return docs, pages, errors

    assert snapshot(dask_db) == snapshot(local_db)
    # Incremental on the cluster too: nothing is sent to the workers the second time.
    again = run_batch([folder], dask_db, executor="dask", scheduler=cluster.scheduler_address, quiet=True)
    assert again.counts.processed == 0 and again.counts.skipped == 7


@pytest.mark.slow
def test_cli_dask_executor(tmp_path: Path, cluster) -> None:
    folder = tmp_path / "in"
    _corpus(folder, 3)
    (folder / "empty.txt").unlink()
    exe = Path(sys.executable).with_name("convenio")
    # The bytes travel with the tasks: workers on other machines need not see these files.
    proc = subprocess.run([str(exe), "ingest", str(folder), "--db", str(tmp_path / "out.db"), "--executor", "dask",
                           "--scheduler", cluster.scheduler_address, "--ship-bytes"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(tmp_path / "out.db") as conn:
        assert conn.execute("select count(*) from documents where status = 'ok'").fetchone()[0] == 3
        options = conn.execute("select options from runs").fetchone()[0]
    assert cluster.scheduler_address in options and '"ship_bytes": true' in options
