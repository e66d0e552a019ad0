"""Spanish+English stemmed full-text search, date functions, and the auditor flags attached read-only.

Datasette builds every ``?_search=`` filter as ``... match escape_fts(:search)``.
Replacing ``escape_fts`` on the convenio database's connections with
``pipeline.search.stemmed_query`` makes the table search box, the JSON API and
datasette-search-all all match inflections in both languages ("comprometen"
finds "compromete"), with the query still fully quoted (no FTS5 injection).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from datasette import hookimpl

from pipeline.periods import add_duration, iso_date
from pipeline.search import excerpt, fold, found_words, stem_text, stemmed_query
from pipeline.serve import DB_NAME, FLAGS_DB_NAME

FLAGS_TABLE_SQL = """
create table if not exists flags.flags (
    id integer primary key, document_id text not null, verdict text not null,
    pipeline_paper_only integer, note text not null default '', user text not null, created_at text not null
)
"""


def _attach_flags(conn: sqlite3.Connection, datasette: Any) -> None:
    """Attach the flags database read-only as schema ``flags`` so canned queries
    and pages can join flags with agreements; an empty in-memory stand-in when
    Datasette runs without one keeps those queries working."""
    if any(row[1] == "flags" for row in conn.execute("pragma database_list")):
        return
    flags_db = datasette.databases.get(FLAGS_DB_NAME)
    if flags_db is not None and flags_db.path and Path(flags_db.path).exists():
        conn.execute("attach database ? as flags", [Path(flags_db.path).resolve().as_uri() + "?mode=ro"])
    else:
        conn.execute("attach database ':memory:' as flags")
        conn.execute(FLAGS_TABLE_SQL)


def _found_json(text: Any, query: Any) -> str:
    return json.dumps(found_words(str(text or ""), str(query or "")), ensure_ascii=False)


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    # trylast: Datasette's own escape_fts is registered by an earlier hook call,
    # and the last create_function wins.
    if database != DB_NAME:
        return
    conn.create_function("escape_fts", 1, lambda q: stemmed_query(q or ""), deterministic=True)
    conn.create_function("convenio_fts", 1, lambda q: stemmed_query(q or ""), deterministic=True)
    conn.create_function("convenio_stem", 2, lambda t, lang: stem_text(t or "", lang), deterministic=True)
    conn.create_function("convenio_fold", 1, lambda t: fold(t or ""), deterministic=True)
    # What a search found, with the search's own stemming: the words (a JSON list, which the
    # pages mark in the text) and an excerpt around the first of them.
    conn.create_function("convenio_found", 2, _found_json, deterministic=True)
    conn.create_function("convenio_excerpt", 3, lambda t, q, w: excerpt(t or "", q or "", int(w or 0)),
                         deterministic=True)
    # Date arithmetic with ISO 8601 durations and partial dates, for the date queries.
    conn.create_function("convenio_date", 1, iso_date, deterministic=True)
    conn.create_function("convenio_add", 2, add_duration, deterministic=True)
    _attach_flags(conn, datasette)
