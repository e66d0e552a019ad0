"""`convenio serve` set-up: flags file, immutable serving, accounts from the environment."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.serve import ensure_flags, flags_path, make_datasette

pytestmark = pytest.mark.anyio


def test_flags_path_sits_beside_the_database(tmp_path: Path) -> None:
    assert flags_path(tmp_path / "convenio.db") == tmp_path / "convenio-flags.db"
    ensure_flags(tmp_path / "f.db")
    ensure_flags(tmp_path / "f.db")  # idempotent
    columns = [r[1] for r in sqlite3.connect(tmp_path / "f.db").execute("pragma table_info(flags)")]
    assert columns == ["id", "document_id", "verdict", "pipeline_paper_only", "note", "user", "created_at"]


async def test_immutable_serving_sees_rows_left_in_the_wal(tmp_path: Path, db_path: Path) -> None:
    db = tmp_path / "live.db"
    sqlite3.connect(db_path).execute(f"vacuum into '{db}'")
    writer = sqlite3.connect(db)
    writer.execute("pragma journal_mode=wal")
    writer.execute("pragma wal_autocheckpoint=0")
    writer.execute("update documents set title = 'Retitled while the writer is open' where id = ?", ["c" * 64])
    writer.commit()
    assert (tmp_path / "live.db-wal").stat().st_size > 0
    ds = make_datasette(db, environ={})
    assert not ds.databases["convenio"].is_mutable
    rows = (await ds.client.get("/convenio/documents.json?_shape=array&_col=title&id=" + "c" * 64)).json()
    assert rows[0]["title"] == "Retitled while the writer is open"
    writer.close()


async def test_served_database_is_never_written(ds: Any, db_path: Path) -> None:
    before = db_path.stat().st_mtime_ns
    assert "_memory" not in ds.databases
    assert not ds.databases["convenio"].is_mutable
    assert ds.databases["flags"].is_mutable
    response = await ds.client.get("/convenio.json", params={"sql": "delete from flags.flags"})
    assert response.status_code == 400
    assert db_path.stat().st_mtime_ns == before


def test_serve_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "convenio serve --db convenio.db" in result.output and "--mutable" in result.output


async def test_database_from_an_older_convenio_is_served(tmp_path: Path, db_path: Path) -> None:
    """A database built before the levels column still opens (its facet is left out), and the
    next convenio ingest adds the column, filled from the parties already stored."""
    from pipeline import store

    old = tmp_path / "old.db"
    conn = sqlite3.connect(db_path)
    conn.execute(f"vacuum into '{old}'")
    conn.close()
    conn = sqlite3.connect(old)
    conn.executescript("drop view paper_only; alter table documents drop column levels;"
                       " create view paper_only as select id, title, countries, languages, themes from documents"
                       " where paper_only = 1;")
    conn.close()
    ds = make_datasette(old, flags=tmp_path / "f.db", environ={})
    for path in ("/convenio/documents", "/convenio/paper_only", f"/-/agreement/{'a' * 64}"):
        assert (await ds.client.get(path)).status_code == 200, path
    facets = (await ds.client.get("/convenio/documents.json?_extra=facet_results")).json()["facet_results"]
    assert "levels" not in facets.get("results", facets) and "countries" in facets.get("results", facets)
    store.connect(old).close()  # what convenio ingest does first, even when every file is unchanged
    levels = dict(sqlite3.connect(old).execute("select id, levels from documents").fetchall())
    assert levels["a" * 64] == '["municipal"]' and levels["d" * 64] == '["state"]'
    again = make_datasette(old, flags=tmp_path / "f.db", environ={})
    facets = (await again.client.get("/convenio/documents.json?_extra=facet_results")).json()["facet_results"]
    assert "levels" in facets.get("results", facets)
