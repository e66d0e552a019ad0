"""The store stage: the SQLite schema and the one-transaction write of a document.

Rows are built from a ``Document`` by ``document_rows`` (pure, run in the
workers so that stemming and JSON encoding scale with them) and written by
``write_rows`` in the single writer process, in ONE transaction per document:
the document row is upserted (never deleted, so the Datasette ``flags`` that
point at it survive re-ingest), its previous child rows are deleted and the
new ones inserted. A run killed mid-write leaves the previous state intact.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import sqlite_utils

from pipeline import __version__, search
from pipeline.context import Options
from pipeline.model import Document, Evidence, FileError

# Tables written per document, children first so that deletes respect the foreign keys.
CHILD_TABLES = ("indicators", "dates", "signatories", "commitments", "parties", "pages")

SCHEMA: dict[str, dict[str, Any]] = {
    "documents": {
        "columns": {
            "id": str, "path": str, "title": str, "kind": str, "media_type": str, "size": int, "pages": int,
            "languages": str, "signed_on": str, "signed_year": int, "entry_into_force": str, "term": str,
            "expires_on": str, "renewal": str, "paper_only": int, "paper_only_reason": str,
            "measurability": float, "m_with_indicator": float, "m_with_deadline": float, "m_with_party": float,
            "m_with_money": float, "commitments_count": int, "indicators_count": int, "themes": str,
            "countries": str, "levels": str, "ocr_pages": int, "low_confidence_facts": int, "pipeline_version": str,
            "processed_at": str, "status": str,
        },
        "pk": "id",
        "foreign_keys": [],
        "indexes": [["status"], ["paper_only"], ["signed_year"], ["pipeline_version"]],
    },
    "document_paths": {
        "columns": {"path": str, "document_id": str, "size": int, "mtime": float, "first_seen": str, "last_seen": str},
        "pk": "path",
        "foreign_keys": [("document_id", "documents", "id")],
        "indexes": [["document_id"]],
    },
    "pages": {
        "columns": {
            "id": str, "document_id": str, "number": int, "text": str, "text_stem": str, "source": str,
            "route_reason": str, "lang": str, "columns": int, "width": float, "height": float, "coord_unit": str,
            "dpi": float, "ocr_dpi": float, "rotation": int, "skew": float, "ocr_conf": float, "ocr_lang": str,
            "image_hash": str,
            "words": str, "blocks": str,
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id")],
        "indexes": [["document_id"], ["source"]],
    },
    "parties": {
        "columns": {
            "id": str, "document_id": str, "idx": int, "name": str, "country": str, "level": str, "kind": str,
            "lang": str, "page": int, "start": int, "end": int, "bbox": str, "confidence": float,
            "low_confidence": int,
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id")],
        "indexes": [["document_id"], ["country"]],
    },
    "signatories": {
        "columns": {
            "id": str, "document_id": str, "name": str, "title": str, "party_id": str, "lang": str, "page": int,
            "start": int, "end": int, "bbox": str, "confidence": float, "low_confidence": int,
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id"), ("party_id", "parties", "id")],
        "indexes": [["document_id"], ["party_id"]],
    },
    "commitments": {
        "columns": {
            "id": str, "document_id": str, "idx": int, "text": str, "text_stem": str, "lang": str, "party": str,
            "party_id": str, "strength": str, "theme": str, "clause": str, "measurable": int,
            "counterpart_id": str, "actions": str, "score": float, "page": int, "start": int, "end": int,
            "bbox": str, "confidence": float, "low_confidence": int,
        },
        "pk": "id",
        "foreign_keys": [
            ("document_id", "documents", "id"),
            ("party_id", "parties", "id"),
            ("counterpart_id", "commitments", "id"),
        ],
        "indexes": [["document_id"], ["party_id"], ["theme"], ["strength"], ["counterpart_id"]],
    },
    "indicators": {
        "columns": {
            "id": str, "document_id": str, "commitment_id": str, "text": str, "value": float, "unit": str,
            "period": str, "kind": str, "currency": str, "deadline": str, "lang": str, "page": int, "start": int,
            "end": int, "bbox": str, "confidence": float, "low_confidence": int,
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id"), ("commitment_id", "commitments", "id")],
        "indexes": [["document_id"], ["commitment_id"], ["kind"]],
    },
    "dates": {
        "columns": {
            "id": str, "document_id": str, "kind": str, "value": str, "text": str, "lang": str,
            "commitment_id": str, "page": int, "start": int, "end": int, "bbox": str, "confidence": float,
            "low_confidence": int,
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id"), ("commitment_id", "commitments", "id")],
        "indexes": [["document_id"], ["kind"], ["commitment_id"]],
    },
    "errors": {
        "columns": {
            "id": int, "run_id": int, "path": str, "document_id": str, "stage": str, "error_class": str,
            "message": str, "at": str,
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id"), ("run_id", "runs", "id")],
        "indexes": [["document_id"], ["path"], ["run_id"], ["error_class"]],
    },
    "runs": {
        "columns": {
            "id": int, "started_at": str, "ended_at": str, "version": str, "options": str, "files": int,
            "processed": int, "skipped": int, "failed": int, "pages": int, "ocr_pages": int, "errors": int,
            "status": str,  # running | completed | interrupted (a run killed outright stays "running")
            "uid": str,  # random, unique across machines: a shard's run merged twice stays one run
        },
        "pk": "id",
        "foreign_keys": [],
        "indexes": [],
    },
}

# Table creation order: referenced tables before the tables that reference them.
TABLE_ORDER = ("runs", "documents", "document_paths", "pages", "parties", "signatories", "commitments",
               "indicators", "dates", "errors")

PAPER_ONLY_VIEW = """
select
  d.id, d.title, d.path, d.signed_on, d.paper_only_reason as reason, d.measurability,
  d.commitments_count, d.indicators_count, d.countries, d.levels, d.languages, d.themes
from documents d
where d.paper_only = 1 and d.status = 'ok'
order by d.measurability, d.signed_on
"""


# Columns added after databases were already built: filled from the stored rows
# when added, so an old database does not wait for a forced re-ingest.
_BACKFILL = {
    ("documents", "levels"): """
        update documents set levels = (
          select json_group_array(level) from (
            select distinct level from parties
            where parties.document_id = documents.id and level is not null order by level))
        where status = 'ok'
    """,
}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- schema


def connect(db_path: Path | str) -> sqlite_utils.Database:
    """Open (creating if needed) a convenio database with the writer's pragmas.

    WAL lets readers (Datasette, workers, the next run) see the last committed
    document while the writer goes on, and recovers cleanly after SIGKILL.
    synchronous=NORMAL in WAL mode is durable against process death; only a
    power cut can lose the last transactions, never corrupt the file.
    """
    db = sqlite_utils.Database(db_path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, columns, indexes, the view and full-text search, idempotently."""
    for name in TABLE_ORDER:
        spec = SCHEMA[name]
        table = db.table(name)
        if not table.exists():
            table.create(
                spec["columns"],
                pk=spec["pk"],
                foreign_keys=spec["foreign_keys"],
                not_null={"document_id"} if name in ("document_paths", *CHILD_TABLES) else None,
            )
        else:
            existing = set(table.columns_dict)
            for column, ctype in spec["columns"].items():
                if column not in existing:
                    table.add_column(column, ctype)
                    if (name, column) in _BACKFILL:
                        db.execute(_BACKFILL[(name, column)])
        for columns in spec["indexes"]:
            table.create_index(columns, if_not_exists=True)
    db.create_view("paper_only", PAPER_ONLY_VIEW.strip(), replace=True)
    ensure_fts(db)


def ensure_fts(db: sqlite_utils.Database) -> None:
    """Accent-insensitive FTS5 over page and commitment text, kept in sync by triggers so
    that a document's index entries change in the same transaction as its rows."""
    search.ensure_search(db)


def rebuild_fts(db: sqlite_utils.Database) -> None:
    """Rebuild the FTS indexes from their content tables (after bulk copies such as a merge)."""
    search.rebuild(db)


# --------------------------------------------------------------------------- pipeline version


# The stage modules whose code decides what a document's rows say (the store and the CLI do not).
_OUTPUT_STAGES = ("load.py", "ocr.py", "layout.py", "language.py", "segment.py", "extract.py", "process.py", "search.py")


def _hash_tree(h: "hashlib._Hash", root: Path, patterns: Sequence[str]) -> None:
    if not root.exists():
        return
    files = sorted({p for pattern in patterns for p in root.rglob(pattern) if p.is_file()})
    for path in files:
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in rel or any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        h.update(rel.encode() + b"\0")
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)


# Options that change what ends up in the database; paths and limits that
# only decide whether a file can be read at all are left out.
_VERSIONED_OPTIONS = ("ocr_langs", "dpi", "low_conf")


def pipeline_version(options: Optional[Options] = None) -> str:
    """``<convenio version>+<hash>`` of the extraction code and rules, the models and the
    output-affecting options.

    A document stored under another version is reprocessed, so a retrained
    model, an edited rules file or a changed extractor or stage takes effect on
    the next ingest without anyone remembering to bump a version number.
    """
    options = options or Options()
    h = hashlib.sha256()
    import extractors

    _hash_tree(h, Path(extractors.__file__).resolve().parent, ["*.py", "rules/*"])
    stages = Path(__file__).resolve().parent
    for name in _OUTPUT_STAGES:
        _hash_tree(h, stages, [name])
    _hash_tree(h, Path(options.models_dir), ["*"])
    if options.transformer_dir:
        _hash_tree(h, Path(options.transformer_dir), ["*"])
    h.update(json.dumps({k: getattr(options, k) for k in _VERSIONED_OPTIONS}, sort_keys=True).encode())
    return f"{__version__}+{h.hexdigest()[:12]}"


# --------------------------------------------------------------------------- rows


@dataclass
class DocumentRows:
    """Every row of one document, ready to insert."""

    document: dict[str, Any]
    pages: list[dict[str, Any]] = field(default_factory=list)
    parties: list[dict[str, Any]] = field(default_factory=list)
    signatories: list[dict[str, Any]] = field(default_factory=list)
    commitments: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    dates: list[dict[str, Any]] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.document["id"]

    def children(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        # Insert order: referenced rows before the rows that reference them.
        for name in ("pages", "parties", "signatories", "commitments", "indicators", "dates"):
            yield name, getattr(self, name)


# Rows hold plain lists and dicts built here, never a cycle: the encoder need not look
# for one (a page's words are hundreds of little lists).
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _json(value: Any) -> Optional[str]:
    if value is None:
        return None
    return _JSON.encode(value)


def _evidence_columns(ev: Optional[Evidence]) -> dict[str, Any]:
    if ev is None:
        return {"page": None, "start": None, "end": None, "bbox": None, "confidence": None, "low_confidence": 0}
    return {
        "page": ev.page,
        "start": ev.start,
        "end": ev.end,
        "bbox": _json(list(ev.bbox)) if ev.bbox is not None else None,
        "confidence": ev.confidence,
        "low_confidence": int(bool(ev.low_confidence)),
    }


def _year(value: Optional[str]) -> Optional[int]:
    match = re.match(r"^(\d{4})", value or "")
    return int(match.group(1)) if match else None


def _first_date(doc: Document, kind: str) -> Optional[str]:
    return next((d.value for d in doc.dates if d.kind == kind and d.value), None)


def _pair_count(doc: Document) -> int:
    """Commitments counted once per bilingual pair."""
    return sum(1 for i, c in enumerate(doc.commitments) if c.counterpart is None or c.counterpart > i
               or not 0 <= c.counterpart < len(doc.commitments))


# Document columns that come from extraction (left empty on a failed document).
_FACT_COLUMNS = (
    "title", "kind", "signed_on", "signed_year", "entry_into_force", "term", "expires_on", "renewal", "paper_only",
    "paper_only_reason", "measurability", "m_with_indicator", "m_with_deadline", "m_with_party", "m_with_money",
    "commitments_count", "indicators_count", "themes", "countries", "levels", "low_confidence_facts",
)


def document_rows(doc: Document, version: str, processed_at: Optional[str] = None) -> DocumentRows:
    """Build every row of ``doc``: pure, so the workers can do it in parallel."""
    did = doc.id
    m = doc.measurability
    party_ids: dict[str, str] = {}
    for i, p in enumerate(doc.parties):
        for name in (p.name, *p.aliases):
            party_ids.setdefault(name, f"{did}:p{i}")
    evidences = [x.evidence for x in (*doc.parties, *doc.signatories, *doc.commitments, *doc.indicators, *doc.dates)]
    ncommit = len(doc.commitments)

    def commitment_id(index: Optional[int]) -> Optional[str]:
        return f"{did}:c{index}" if index is not None and 0 <= index < ncommit else None

    rows = DocumentRows(
        document={
            "id": did,
            "path": doc.path,
            "title": doc.title,
            "kind": doc.kind,
            "media_type": doc.media_type,
            "size": doc.size,
            "pages": len(doc.pages),
            "languages": _json(doc.languages),
            "signed_on": doc.signed_on,
            "signed_year": _year(doc.signed_on),
            "entry_into_force": _first_date(doc, "entry_into_force"),
            "term": doc.term,
            "expires_on": _first_date(doc, "expiry"),
            "renewal": _first_date(doc, "renewal"),
            "paper_only": None if doc.paper_only is None else int(doc.paper_only),
            "paper_only_reason": "; ".join(m.reasons) if doc.paper_only and m.reasons else None,
            "measurability": m.score,
            "m_with_indicator": m.with_indicator,
            "m_with_deadline": m.with_deadline,
            "m_with_party": m.with_party,
            "m_with_money": m.with_money,
            "commitments_count": _pair_count(doc),
            "indicators_count": len(doc.indicators),
            "themes": _json(doc.themes),
            "countries": _json(sorted({p.country for p in doc.parties if p.country})),
            # The parties' levels of government, so agreements can be faceted by level.
            "levels": _json(sorted({p.level for p in doc.parties if p.level})),
            "ocr_pages": sum(1 for p in doc.pages if p.source == "ocr"),
            "low_confidence_facts": sum(1 for ev in evidences if ev is not None and ev.low_confidence),
            "pipeline_version": version,
            "processed_at": processed_at or now_iso(),
            "status": "failed" if doc.errors else "ok",
        },
        errors=list(doc.errors),
    )
    if doc.errors:
        # A document whose stages did not all run is stored as failed, without
        # pages or facts: half-extracted facts would mislead every count and
        # verdict, and the next run with --retry-failed (or a new version) redoes it.
        for column in _FACT_COLUMNS:
            rows.document[column] = None
        return rows
    stemmers = search.Stemmers()
    for page in doc.pages:
        rows.pages.append({
            "id": f"{did}:{page.number}",
            "document_id": did,
            "number": page.number,
            "text": page.text,
            "text_stem": search.stem_runs(page.text, [(b.start, b.end, b.lang) for b in page.blocks], page.lang, stemmers),
            "source": page.source,
            "route_reason": page.route_reason,
            "lang": page.lang,
            "columns": page.columns,
            "width": page.width,
            "height": page.height,
            "coord_unit": page.coord_unit,
            "dpi": page.dpi,
            "ocr_dpi": page.ocr_dpi,
            "rotation": page.rotation,
            "skew": page.skew,
            "ocr_conf": page.ocr_conf,
            "ocr_lang": page.ocr_lang,
            "image_hash": page.image_hash,
            "words": _json([[w.text, w.start, w.end, *w.bbox, w.conf] for w in page.words]),
            "blocks": _json([
                {"start": b.start, "end": b.end, "lang": b.lang, "column": b.column,
                 "bbox": list(b.bbox) if b.bbox is not None else None}
                for b in page.blocks
            ]),
        })
    for i, p in enumerate(doc.parties):
        rows.parties.append({
            "id": f"{did}:p{i}", "document_id": did, "idx": i, "name": p.name, "country": p.country,
            "level": p.level, "kind": p.kind, "lang": p.lang, **_evidence_columns(p.evidence),
        })
    for i, s in enumerate(doc.signatories):
        rows.signatories.append({
            "id": f"{did}:s{i}", "document_id": did, "name": s.name, "title": s.title,
            "party_id": party_ids.get(s.party) if s.party else None, "lang": s.lang,
            **_evidence_columns(s.evidence),
        })
    for i, c in enumerate(doc.commitments):
        rows.commitments.append({
            "id": f"{did}:c{i}", "document_id": did, "idx": i, "text": c.text,
            "text_stem": search.stem_text(c.text, c.lang, stemmers), "lang": c.lang, "party": c.party,
            "party_id": party_ids.get(c.party) if c.party and c.party != "all" else None,
            "strength": c.strength, "theme": c.theme, "clause": c.clause, "measurable": int(bool(c.measurable)),
            "counterpart_id": commitment_id(c.counterpart), "actions": _json(c.actions), "score": c.score,
            **_evidence_columns(c.evidence),
        })
    for i, ind in enumerate(doc.indicators):
        rows.indicators.append({
            "id": f"{did}:i{i}", "document_id": did, "commitment_id": commitment_id(ind.commitment),
            "text": ind.text, "value": ind.value, "unit": ind.unit, "period": ind.period, "kind": ind.kind,
            "currency": ind.currency, "deadline": ind.deadline, "lang": ind.lang, **_evidence_columns(ind.evidence),
        })
    for i, d in enumerate(doc.dates):
        rows.dates.append({
            "id": f"{did}:d{i}", "document_id": did, "kind": d.kind, "value": d.value, "text": d.text,
            "lang": d.lang, "commitment_id": commitment_id(d.commitment), **_evidence_columns(d.evidence),
        })
    return rows


# --------------------------------------------------------------------------- writes


@dataclass
class PathSeen:
    """One file path at which a document was found."""

    path: str
    size: int
    mtime: float


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(SCHEMA[table]["columns"])
    sql = "INSERT INTO [{}] ({}) VALUES ({})".format(
        table, ", ".join(f"[{c}]" for c in columns), ", ".join("?" for _ in columns)
    )
    db.conn.executemany(sql, ([row.get(c) for c in columns] for row in rows))


def _upsert_document(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    # Upsert rather than delete+insert: rows in other tables (flags) point at the document.
    columns = list(SCHEMA["documents"]["columns"])
    sql = "INSERT INTO documents ({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {}".format(
        ", ".join(f"[{c}]" for c in columns),
        ", ".join("?" for _ in columns),
        ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c != "id"),
    )
    db.conn.execute(sql, [row.get(c) for c in columns])


def record_paths(db: sqlite_utils.Database, document_id: str, paths: Iterable[PathSeen], seen_at: str) -> None:
    db.conn.executemany(
        """INSERT INTO document_paths (path, document_id, size, mtime, first_seen, last_seen)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(path) DO UPDATE SET document_id = excluded.document_id, size = excluded.size,
             mtime = excluded.mtime, last_seen = excluded.last_seen""",
        [(p.path, document_id, p.size, p.mtime, seen_at, seen_at) for p in paths],
    )


def record_errors(
    db: sqlite_utils.Database, errors: Iterable[FileError], run_id: Optional[int], document_id: Optional[str], at: str
) -> int:
    rows = [(run_id, e.path, document_id, e.stage, e.error_class, e.message[:4000], at) for e in errors]
    db.conn.executemany(
        "INSERT INTO errors (run_id, path, document_id, stage, error_class, message, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def write_rows(
    db: sqlite_utils.Database,
    rows: DocumentRows,
    paths: Iterable[PathSeen] = (),
    run_id: Optional[int] = None,
) -> None:
    """Write one document, its paths and its errors in ONE transaction.

    The ``errors`` table keeps a document's current problems: the errors of an
    earlier processing of the same document are replaced, not accumulated.
    """
    did = rows.id
    at = now_iso()
    with db.atomic():
        # The commitments' self-reference (counterparts) is only whole once every row is in.
        db.execute("PRAGMA defer_foreign_keys = ON")
        db.execute("DELETE FROM errors WHERE document_id = ?", [did])
        for table in CHILD_TABLES:
            db.execute(f"DELETE FROM [{table}] WHERE document_id = ?", [did])
        _upsert_document(db, rows.document)
        for table, table_rows in rows.children():
            _insert(db, table, table_rows)
        paths = list(paths)
        record_paths(db, did, paths, at)
        record_errors(db, rows.errors, run_id, did, at)
        # Every copy of a failed document is listed in errors under its own path.
        copies = [p.path for p in paths if p.path != rows.document["path"]]
        record_errors(db, [replace(e, path=c) for c in copies for e in rows.errors], run_id, did, at)


def write_document(
    db: sqlite_utils.Database,
    doc: Document,
    paths: Iterable[PathSeen] = (),
    run_id: Optional[int] = None,
    version: Optional[str] = None,
) -> DocumentRows:
    """Build and write every row of ``doc`` in one transaction."""
    rows = document_rows(doc, version or pipeline_version())
    write_rows(db, rows, paths or [PathSeen(doc.path, doc.size, 0.0)], run_id)
    return rows


def add_copy(db: sqlite_utils.Database, document_id: str, path: PathSeen, run_id: Optional[int]) -> None:
    """Record another path of a stored document; a failed document's errors are listed under it too."""
    at = now_iso()
    with db.atomic():
        record_paths(db, document_id, [path], at)
        first = db.execute("SELECT path FROM documents WHERE id = ?", [document_id]).fetchone()
        if first is None or first[0] == path.path:
            return
        db.execute("DELETE FROM errors WHERE path = ? AND (document_id IS NULL OR document_id = ?)",
                   [path.path, document_id])
        db.execute(
            """INSERT INTO errors (run_id, path, document_id, stage, error_class, message, at)
               SELECT ?, ?, document_id, stage, error_class, message, ? FROM errors
               WHERE document_id = ? AND path = (SELECT path FROM documents WHERE id = ?)""",
            [run_id, path.path, at, document_id, document_id],
        )


def write_path_error(db: sqlite_utils.Database, error: FileError, run_id: Optional[int]) -> None:
    """Record a problem with a path that has no document (unreadable, unsupported, refused).

    The path's earlier document-less rows are replaced, so re-running over the
    same archive does not pile up copies of the same problem.
    """
    at = now_iso()
    with db.atomic():
        db.execute("DELETE FROM errors WHERE path = ? AND document_id IS NULL", [error.path])
        record_errors(db, [error], run_id, None, at)


def touch_paths(db: sqlite_utils.Database, paths: Sequence[str], seen_at: Optional[str] = None) -> None:
    """Mark unchanged paths as seen by this run."""
    if not paths:
        return
    at = seen_at or now_iso()
    with db.atomic():
        db.conn.executemany("UPDATE document_paths SET last_seen = ? WHERE path = ?", [(at, p) for p in paths])


# --------------------------------------------------------------------------- runs


def start_run(db: sqlite_utils.Database, version: str, options: dict[str, Any]) -> int:
    with db.atomic():
        cursor = db.conn.execute(
            "INSERT INTO runs (started_at, version, options, files, processed, skipped, failed, pages, ocr_pages,"
            " errors, status, uid) VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 'running', ?)",
            [now_iso(), version, json.dumps(options, default=str, sort_keys=True), secrets.token_hex(8)],
        )
    return int(cursor.lastrowid)


def update_run(db: sqlite_utils.Database, run_id: int, counts: dict[str, int], status: Optional[str] = None) -> None:
    """Store the run's counts so far (a killed run still shows how far it got)."""
    fields: dict[str, Any] = {
        k: counts[k] for k in ("files", "processed", "skipped", "failed", "pages", "ocr_pages", "errors")}
    if status is not None:
        fields["status"] = status
        fields["ended_at"] = now_iso()
    with db.atomic():
        db.execute(
            "UPDATE runs SET {} WHERE id = ?".format(", ".join(f"[{k}] = ?" for k in fields)),
            [*fields.values(), run_id],
        )


# --------------------------------------------------------------------------- state for skipping


@dataclass
class KnownPath:
    document_id: str
    size: int
    mtime: float
    version: str
    status: str


def known_paths(db: sqlite_utils.Database) -> dict[str, KnownPath]:
    return {
        path: KnownPath(doc_id, size, mtime, version, status)
        for path, doc_id, size, mtime, version, status in db.execute(
            "SELECT p.path, p.document_id, p.size, p.mtime, d.pipeline_version, d.status"
            " FROM document_paths p JOIN documents d ON d.id = p.document_id"
        )
    }


def known_documents(db: sqlite_utils.Database) -> dict[str, tuple[str, str]]:
    """document id → (pipeline_version, status)."""
    return {doc_id: (version, status) for doc_id, version, status in db.execute(
        "SELECT id, pipeline_version, status FROM documents")}


def integrity_problems(db: sqlite_utils.Database) -> list[tuple[Any, ...]]:
    """Foreign-key violations (empty on a healthy database)."""
    return list(db.execute("PRAGMA foreign_key_check"))


# --------------------------------------------------------------------------- merge


@dataclass
class MergeSummary:
    shards: int = 0
    documents: int = 0  # documents taken from the shards
    kept: int = 0  # shard documents not taken: the output already had a copy at least as recent
    paths: int = 0
    errors: int = 0
    runs: int = 0


def _columns(db: sqlite_utils.Database, schema: str, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA [{schema}].table_info([{table}])")]


def merge_databases(out: Path | str, shards: Sequence[Path]) -> MergeSummary:
    """Merge shard databases (each made by ``convenio ingest``) into ``out``.

    A document present in several places keeps its most recently processed
    copy; paths, errors and runs are carried over (run ids renumbered); the
    full-text indexes are rebuilt at the end. Each shard is merged in one
    transaction, so an interrupted merge can simply be run again.
    """
    db = connect(out)
    summary = MergeSummary()
    for shard in shards:
        if Path(shard).resolve() == Path(out).resolve():
            raise ValueError(f"{shard} is the output database")
        db.execute("ATTACH DATABASE ? AS shard", [str(shard)])
        try:
            if "documents" not in {r[0] for r in db.execute("SELECT name FROM shard.sqlite_master WHERE type='table'")}:
                raise ValueError(f"{shard} is not a convenio database (no documents table)")
            _merge_one(db, summary)
        finally:
            db.execute("DETACH DATABASE shard")
        summary.shards += 1
    rebuild_fts(db)
    db.close()
    return summary


def _merge_one(db: sqlite_utils.Database, summary: MergeSummary) -> None:
    shard_tables = {r[0] for r in db.execute("SELECT name FROM shard.sqlite_master WHERE type='table'")}
    with db.atomic():
        db.execute("PRAGMA defer_foreign_keys = ON")
        run_ids: dict[int, int] = {}
        run_cols = [c for c in _columns(db, "shard", "runs") if c != "id" and c in SCHEMA["runs"]["columns"]]
        for row in db.execute(f"SELECT id, {', '.join(f'[{c}]' for c in run_cols)} FROM shard.runs").fetchall():
            uid = dict(zip(run_cols, row[1:])).get("uid")
            same = db.execute("SELECT id FROM runs WHERE uid = ?", [uid]).fetchone() if uid else None
            if same is not None:  # merged before: the same run, not another one
                run_ids[row[0]] = same[0]
                continue
            cursor = db.conn.execute(
                f"INSERT INTO runs ({', '.join(f'[{c}]' for c in run_cols)}) VALUES ({', '.join('?' for _ in run_cols)})",
                row[1:],
            )
            run_ids[row[0]] = int(cursor.lastrowid)
            summary.runs += 1
        db.execute("DROP TABLE IF EXISTS temp.merge_take")
        db.execute("CREATE TEMP TABLE merge_take (id TEXT PRIMARY KEY)")
        db.execute(
            """INSERT INTO temp.merge_take SELECT s.id FROM shard.documents s
               LEFT JOIN main.documents m ON m.id = s.id
               WHERE m.id IS NULL OR coalesce(s.processed_at, '') > coalesce(m.processed_at, '')"""
        )
        taken = db.execute("SELECT count(*) FROM temp.merge_take").fetchone()[0]
        summary.documents += taken
        summary.kept += db.execute("SELECT count(*) FROM shard.documents").fetchone()[0] - taken
        db.execute("DELETE FROM main.errors WHERE document_id IN (SELECT id FROM temp.merge_take)")
        for table in CHILD_TABLES:
            db.execute(f"DELETE FROM main.[{table}] WHERE document_id IN (SELECT id FROM temp.merge_take)")
        doc_cols = [c for c in _columns(db, "shard", "documents") if c in SCHEMA["documents"]["columns"]]
        cols = ", ".join(f"[{c}]" for c in doc_cols)
        db.execute(
            f"""INSERT INTO main.documents ({cols}) SELECT {cols} FROM shard.documents
                WHERE id IN (SELECT id FROM temp.merge_take) AND true
                ON CONFLICT(id) DO UPDATE SET {', '.join(f'[{c}] = excluded.[{c}]' for c in doc_cols if c != 'id')}"""
        )
        for table in reversed(CHILD_TABLES):  # parents first
            if table not in shard_tables:
                continue
            cols = ", ".join(f"[{c}]" for c in _columns(db, "shard", table) if c in SCHEMA[table]["columns"])
            db.execute(
                f"INSERT INTO main.[{table}] ({cols}) SELECT {cols} FROM shard.[{table}]"
                " WHERE document_id IN (SELECT id FROM temp.merge_take)"
            )
        summary.paths += db.execute(
            """INSERT INTO main.document_paths (path, document_id, size, mtime, first_seen, last_seen)
               SELECT path, document_id, size, mtime, first_seen, last_seen FROM shard.document_paths WHERE true
               ON CONFLICT(path) DO UPDATE SET document_id = excluded.document_id, size = excluded.size,
                 mtime = excluded.mtime, last_seen = excluded.last_seen,
                 first_seen = min(first_seen, excluded.first_seen)
               WHERE excluded.last_seen >= document_paths.last_seen"""
        ).rowcount
        err_cols = ["path", "document_id", "stage", "error_class", "message", "at"]
        db.execute("DELETE FROM main.errors WHERE document_id IS NULL AND path IN "
                   "(SELECT path FROM shard.errors WHERE document_id IS NULL)")
        for row in db.execute(
            f"SELECT run_id, {', '.join(err_cols)} FROM shard.errors"
            " WHERE document_id IS NULL OR document_id IN (SELECT id FROM temp.merge_take)"
        ).fetchall():
            db.conn.execute(
                f"INSERT INTO errors (run_id, {', '.join(err_cols)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [run_ids.get(row[0]), *row[1:]],
            )
            summary.errors += 1
        if "flags" in shard_tables and db.table("flags").exists():
            flag_cols = [c for c in _columns(db, "shard", "flags") if c != "id" and c in set(_columns(db, "main", "flags"))]
            cols = ", ".join(f"[{c}]" for c in flag_cols)
            match = " AND ".join(f"m.[{c}] IS s.[{c}]" for c in flag_cols)
            db.execute(f"INSERT INTO main.flags ({cols}) SELECT {cols} FROM shard.flags s"
                       f" WHERE NOT EXISTS (SELECT 1 FROM main.flags m WHERE {match})")
        db.execute("DROP TABLE temp.merge_take")
