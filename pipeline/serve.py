"""`convenio serve`: Datasette with the project's configuration directory.

The extracted database is opened read-only (immutable by default: only
``convenio ingest`` writes it, and immutable files need no locking and let
Datasette cache counts). Auditor flags are the one thing readers write, so they
live in a small writable database beside it, ``<db>-flags.db``, which
re-ingesting never touches; the convenio plugin attaches it to the main
database's connections so canned queries can join flags with agreements.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any, Mapping, Optional

import sqlite_utils
import yaml

from pipeline.context import REPO_ROOT

DATASETTE_DIR = REPO_ROOT / "datasette"
DB_NAME = "convenio"  # URL name of the extracted database, whatever its file is called
FLAGS_DB_NAME = "flags"
STATIC_MOUNT = "convenio-static"
_PASSWORD_ENV = re.compile(r"^CONVENIO_([A-Z0-9_]+)_PASSWORD_HASH$")


def flags_path(db: Path) -> Path:
    """Where the auditor flags of ``db`` are kept: ``convenio.db`` -> ``convenio-flags.db``."""
    return db.with_name(f"{db.stem}-flags.db")


def ensure_flags(path: Path) -> None:
    """Create the flags database and table if missing (idempotent)."""
    db = sqlite_utils.Database(path)
    try:
        db.execute(
            """
            create table if not exists flags (
                id integer primary key,
                document_id text not null,
                verdict text not null check (verdict in ('confirm', 'dispute')),
                pipeline_paper_only integer,
                note text not null default '',
                user text not null,
                created_at text not null
            )
            """
        )
        db.execute("create index if not exists flags_document_id on flags(document_id)")
    finally:
        db.close()


def checkpoint(db: Path) -> bool:
    """Fold a leftover write-ahead log into the database file.

    An immutable database is read without its ``-wal`` file, so rows that
    ingest left there would be invisible. Returns False when the log cannot be
    folded in (a writer is still busy), in which case serve it mutable.
    """
    wal = db.with_name(db.name + "-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        return True
    conn = sqlite3.connect(db, timeout=2.0)
    try:
        busy, _, _ = conn.execute("pragma wal_checkpoint(truncate)").fetchone()
        return busy == 0
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def auditor_variables(environ: Mapping[str, str]) -> dict[str, str]:
    """Auditor accounts: user name -> the ``CONVENIO_<USER>_PASSWORD_HASH`` variable holding its hash.

    ``CONVENIO_AUDITOR_PASSWORD_HASH`` defines user ``auditor``; hashes come
    from ``datasette hash-password`` (PBKDF2-SHA256). Passwords never live in a
    file of the repository. Empty variables define no account.
    """
    users: dict[str, str] = {}
    for key, value in environ.items():
        match = _PASSWORD_ENV.match(key)
        if match and value.strip():
            users[match.group(1).lower()] = key
    return users


def auditors_from_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Auditor accounts: user name -> password hash."""
    return {user: environ[key].strip() for user, key in auditor_variables(environ).items()}


def load_metadata(environ: Mapping[str, str]) -> dict[str, Any]:
    """The metadata file plus the auditor accounts taken from the environment.

    The accounts refer to their variables (``{"$env": NAME}``) rather than
    holding the hashes: Datasette publishes its metadata at ``/-/metadata``,
    and a password hash must never be readable there.
    """
    metadata = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text(encoding="utf-8"))
    auditors = auditor_variables(environ)
    auth: dict[str, Any] = {f"{user}_password_hash": {"$env": key} for user, key in auditors.items()}
    auth["actors"] = {user: {"id": user, "role": "auditor"} for user in auditors}
    metadata.setdefault("plugins", {})["datasette-auth-passwords"] = auth
    return metadata


def _table_columns(db: Path) -> dict[str, set[str]]:
    """Columns of every table and view of ``db``, read without writing anything."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view')")]
        return {name: {r[1] for r in conn.execute(f"pragma table_info([{name}])")} for name in names}
    finally:
        conn.close()


def drop_missing_facets(metadata: dict[str, Any], columns: Mapping[str, set[str]]) -> list[str]:
    """Remove configured facets whose column the served database lacks; returns them as "table.column".

    A database built by an older convenio lacks the newest columns until the
    next ``convenio ingest`` adds them, and Datasette fails a whole table page
    over one facet on a missing column.
    """
    dropped: list[str] = []
    tables = metadata.get("databases", {}).get(DB_NAME, {}).get("tables", {})
    for table, config in tables.items():
        kept = []
        for facet in config.get("facets", []):
            column = facet if isinstance(facet, str) else next(iter(facet.values()))
            if table in columns and column not in columns[table]:
                dropped.append(f"{table}.{column}")
            else:
                kept.append(facet)
        if "facets" in config:
            config["facets"] = kept
    return dropped


def _datasette_class() -> type:
    """Datasette resolving ``{"$env": NAME}`` in plugin settings from the environment
    ``make_datasette`` was given (tests pass their own) instead of ``os.environ``."""
    from datasette.app import Datasette
    from datasette.utils import resolve_env_secrets

    class ConvenioDatasette(Datasette):  # type: ignore[misc]
        def __init__(self, *args: Any, secrets_env: Mapping[str, str], **kwargs: Any) -> None:
            self.secrets_env = dict(secrets_env)
            super().__init__(*args, **kwargs)

        def plugin_config(self, plugin_name: str, database: Optional[str] = None, table: Optional[str] = None,
                          fallback: bool = True) -> Any:
            plugins = self.metadata("plugins", database=database, table=table, fallback=fallback)
            if plugins is None:
                return None
            return resolve_env_secrets(plugins.get(plugin_name), self.secrets_env)

    return ConvenioDatasette


def make_datasette(
    db: Path,
    *,
    flags: Optional[Path] = None,
    immutable: bool = True,
    environ: Optional[Mapping[str, str]] = None,
    secret: Optional[str] = None,
    settings: Optional[dict[str, Any]] = None,
) -> Any:
    """A configured ``Datasette`` serving ``db`` as ``/convenio`` and its flags as ``/flags``.

    Used by ``convenio serve`` and by tests (``make_datasette(db).client``).
    """
    from datasette.database import Database

    env = os.environ if environ is None else environ
    db = Path(db).resolve()
    if not db.exists():
        raise FileNotFoundError(f"database not found: {db}")
    flags = Path(flags).resolve() if flags else flags_path(db)
    ensure_flags(flags)
    base_settings = {
        "sql_time_limit_ms": 5000,
        "facet_time_limit_ms": 1000,
        "default_page_size": 50,
    }
    if immutable and not checkpoint(db):
        print(f"{db} is being written; serving it read-only but not immutable", file=sys.stderr)
        immutable = False
    metadata = load_metadata(env)
    missing = drop_missing_facets(metadata, _table_columns(db))
    if missing:
        print(f"{db} predates columns {', '.join(missing)}: run convenio ingest on it once to add them "
              "(nothing is reprocessed)", file=sys.stderr)
    ds = _datasette_class()(
        [],
        secrets_env={key: env[key] for key in auditor_variables(env).values()},
        metadata=metadata,
        template_dir=str(DATASETTE_DIR / "templates"),
        plugins_dir=str(DATASETTE_DIR / "plugins"),
        static_mounts=[(STATIC_MOUNT, str(DATASETTE_DIR / "static"))],
        settings={**base_settings, **(settings or {})},
        secret=secret or env.get("CONVENIO_SECRET") or None,
    )
    # Datasette adds an in-memory database when started without files; it is
    # noise on the home page of an archive explorer.
    if "_memory" in ds.databases:
        ds.remove_database("_memory")
    ds.add_database(Database(ds, path=str(db), is_mutable=not immutable), name=DB_NAME)
    ds.add_database(Database(ds, path=str(flags), is_mutable=True), name=FLAGS_DB_NAME)
    return ds


def serve(
    db: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    flags: Optional[Path] = None,
    immutable: bool = True,
) -> None:
    """Run Datasette on ``host:port`` until interrupted."""
    import asyncio

    import uvicorn

    ds = make_datasette(db, flags=flags, immutable=immutable)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)
