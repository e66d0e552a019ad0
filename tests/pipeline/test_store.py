"""The store: schema, one-transaction writes, re-ingest, search, the paper-only view, merge."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from pipeline import search, store
from pipeline.context import Options
from pipeline.model import (Block, Commitment, DateFact, Document, Evidence, FileError, Indicator, Page, Party,
                            Signatory, Word)

PAGE1 = ("CONVENIO DE COOPERACIÓN entre el Municipio de León y la Ciudad de Austin. "
         "PRIMERA. Las partes se comprometen a intercambiar 10 estudiantes cada año.")
PAGE2 = "Firmado el 3 de marzo de 2021. Alcalde Juan Pérez."


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def make_document(doc_id: str = "a" * 64, *, paper_only: bool = True, commitments: int = 2) -> Document:
    pages = [Page(1, PAGE1, source="ocr", lang="es", ocr_conf=91.5, coord_unit="px", dpi=300.0),
             Page(2, PAGE2, source="layer", lang="es")]
    s, e = _span(PAGE1, "CONVENIO")
    pages[0].words = [Word("CONVENIO", s, e, (10.0, 20.0, 90.0, 40.0), 96.0)]
    pages[0].blocks = [Block(0, len(PAGE1), lang="es", column=0)]
    doc = Document(id=doc_id, path=f"/archive/{doc_id[:4]}.pdf", media_type="application/pdf", size=1234,
                   title="Convenio León–Austin", kind="sister-city", languages=["es"], pages=pages)
    doc.parties = [Party("Municipio de León", "MX", "municipal", "municipality", "es",
                         evidence=Evidence(1, *_span(PAGE1, "Municipio de León"), bbox=(1, 2, 3, 4), confidence=88.0)),
                   Party("Ciudad de Austin", "US", "municipal", "municipality", "es",
                         evidence=Evidence(1, *_span(PAGE1, "Ciudad de Austin")))]
    doc.signatories = [Signatory("Juan Pérez", "Alcalde", "Municipio de León", "es",
                                 evidence=Evidence(2, *_span(PAGE2, "Juan Pérez")))]
    sentence = "Las partes se comprometen a intercambiar 10 estudiantes cada año."
    for i in range(commitments):
        doc.commitments.append(Commitment(sentence, "es", party="all" if i else "Municipio de León",
                                          theme="education", clause="PRIMERA", measurable=True,
                                          counterpart=(1 - i) if commitments == 2 else None, actions=["intercambio"],
                                          evidence=Evidence(1, *_span(PAGE1, sentence), low_confidence=True,
                                                            confidence=40.0)))
    doc.indicators = [Indicator("10 estudiantes cada año", 10.0, "students", "P1Y", commitment=0, lang="es",
                                evidence=Evidence(1, *_span(PAGE1, "10 estudiantes cada año")))]
    doc.dates = [DateFact("signed", "2021-03-03", "3 de marzo de 2021", "es",
                          evidence=Evidence(2, *_span(PAGE2, "3 de marzo de 2021")))]
    doc.signed_on = "2021-03-03"
    doc.term = "P5Y"
    doc.themes = ["education"]
    doc.paper_only = paper_only
    doc.measurability.score = 35.0
    doc.measurability.reasons = ["no deadlines", "no budget"]
    return doc


@pytest.fixture()
def db(tmp_path: Path) -> sqlite_utils.Database:
    database = store.connect(tmp_path / "test.db")
    yield database
    database.close()


def test_schema_tables_keys_indexes_view_and_search(db: sqlite_utils.Database) -> None:
    names = set(db.table_names())
    assert {"documents", "document_paths", "pages", "parties", "signatories", "commitments", "indicators", "dates",
            "errors", "runs", "pages_fts", "commitments_fts"} <= names
    assert "paper_only" in db.view_names()
    fks = {(fk.column, fk.other_table) for fk in db.table("commitments").foreign_keys}
    assert {("document_id", "documents"), ("party_id", "parties"), ("counterpart_id", "commitments")} <= fks
    for table in ("pages", "parties", "signatories", "commitments", "indicators", "dates", "document_paths", "errors"):
        indexed = {tuple(ix.columns) for ix in db.table(table).indexes}
        assert ("document_id",) in indexed, table
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.ensure_schema(db)  # idempotent
    assert "paper_only" in db.view_names()


def test_write_document_rows_ids_and_evidence(db: sqlite_utils.Database) -> None:
    doc = make_document()
    store.write_document(db, doc, run_id=None, version="test-1")
    did = doc.id
    row = db.table("documents").get(did)
    assert row["status"] == "ok" and row["pipeline_version"] == "test-1"
    assert row["signed_year"] == 2021 and row["pages"] == 2 and row["ocr_pages"] == 1
    assert json.loads(row["countries"]) == ["MX", "US"] and json.loads(row["languages"]) == ["es"]
    assert row["commitments_count"] == 1  # a bilingual pair counts once
    assert row["low_confidence_facts"] == 2 and row["paper_only"] == 1
    assert row["paper_only_reason"] == "no deadlines; no budget"
    assert [r["id"] for r in db.table("pages").rows] == [f"{did}:1", f"{did}:2"]
    assert db.table("commitments").get(f"{did}:c0")["counterpart_id"] == f"{did}:c1"
    assert db.table("commitments").get(f"{did}:c0")["party_id"] == f"{did}:p0"
    assert db.table("commitments").get(f"{did}:c1")["party_id"] is None
    assert db.table("signatories").get(f"{did}:s0")["party_id"] == f"{did}:p0"
    assert db.table("indicators").get(f"{did}:i0")["commitment_id"] == f"{did}:c0"
    words = json.loads(db.table("pages").get(f"{did}:1")["words"])
    assert words == [["CONVENIO", 0, 8, 10.0, 20.0, 90.0, 40.0, 96.0]]
    # Every fact's span, read back from the stored page text, is the fact's text.
    for table in ("parties", "signatories", "commitments", "indicators", "dates"):
        for fact in db.query(f"select f.*, p.text as page_text from [{table}] f join pages p "
                             f"on p.document_id = f.document_id and p.number = f.page"):
            expected = fact.get("name") if table in ("parties", "signatories") else fact["text"]
            assert fact["page_text"][fact["start"]:fact["end"]] == expected
    assert json.loads(db.table("parties").get(f"{did}:p0")["bbox"]) == [1, 2, 3, 4]
    assert store.integrity_problems(db) == []


def test_search_is_accent_insensitive_and_stemmed(db: sqlite_utils.Database) -> None:
    store.write_document(db, make_document(), version="v")
    def hits(table: str, query: str) -> int:
        return db.execute(f"select count(*) from [{table}_fts] where [{table}_fts] match ?", [query]).fetchone()[0]
    assert hits("pages", "cooperacion") == 1
    assert hits("pages", "LEON") == 1
    assert hits("commitments", "estudiantes") == 2
    # Another form of the verb finds the commitments through the stemmed column.
    assert hits("commitments", "text_stem:" + search.stem_text("intercambiarán", "es")) == 2
    assert hits("commitments", "text_stem:" + search.stem_text("exportarán", "es")) == 0


def test_fold_is_decomposition_without_combining_marks() -> None:
    import unicodedata

    def plain(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text)
        return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()

    bmp = "".join(chr(i) for i in range(0x10000) if not 0xD800 <= i <= 0xDFFF)
    for i in range(0, len(bmp), 500):
        assert search.fold(bmp[i : i + 500]) == plain(bmp[i : i + 500])
    for text in ("Cooperación Técnica", "İSTANBUL ﬁrma", "Ａｇｕａ ½ Ⅻ", "a\u0301\u20dd\U0001d400b", "plain ascii"):
        assert search.fold(text) == plain(text)


def test_stemmers_reused_across_a_document_stem_alike() -> None:
    stemmers = search.Stemmers()
    texts = [(PAGE1, "es"), (PAGE2, "es"), ("The parties shall exchange students", "en"), (PAGE1, None)]
    for text, lang in texts * 2:
        assert search.stem_text(text, lang, stemmers) == search.stem_text(text, lang)


def test_paper_only_view(db: sqlite_utils.Database) -> None:
    store.write_document(db, make_document("a" * 64, paper_only=True), version="v")
    store.write_document(db, make_document("b" * 64, paper_only=False), version="v")
    failed = make_document("c" * 64, paper_only=True)
    failed.errors.append(FileError(failed.path, "extract", "ValueError", "boom"))
    store.write_document(db, failed, version="v")
    rows = list(db.query("select * from paper_only"))
    assert [r["id"] for r in rows] == ["a" * 64]
    assert rows[0]["reason"] == "no deadlines; no budget" and rows[0]["path"] == "/archive/aaaa.pdf"


def test_rewrite_replaces_children_and_keeps_flags(db: sqlite_utils.Database) -> None:
    doc = make_document()
    store.write_document(db, doc, version="v1")
    db.execute("create table flags (id integer primary key, document_id text references documents(id), "
               "verdict text, note text, user text, created_at text)")
    db.execute("insert into flags (document_id, verdict, note) values (?, 'dispute', 'wrong party')", [doc.id])
    db.conn.commit()
    smaller = make_document(commitments=1)
    smaller.indicators = []
    store.write_document(db, smaller, version="v2")
    assert db.table("documents").count == 1
    assert db.table("commitments").count == 1 and db.table("indicators").count == 0
    assert db.table("pages").count == 2
    assert db.table("documents").get(doc.id)["pipeline_version"] == "v2"
    assert db.table("flags").count == 1
    assert db.execute("select count(*) from commitments_fts where commitments_fts match 'estudiantes'").fetchone()[0] == 1
    assert store.integrity_problems(db) == []


def test_a_failing_write_leaves_the_previous_version_whole(db: sqlite_utils.Database) -> None:
    doc = make_document()
    store.write_document(db, doc, version="v1")
    before = {t: db.table(t).count for t in ("pages", "commitments", "parties", "indicators", "dates")}
    rows = store.document_rows(make_document(commitments=1), "v2")
    rows.dates.append(dict(rows.dates[0]))  # duplicate primary key: fails after the deletes ran
    with pytest.raises(sqlite3.IntegrityError):
        store.write_rows(db, rows)
    after = {t: db.table(t).count for t in before}
    assert after == before
    assert db.table("documents").get(doc.id)["pipeline_version"] == "v1"
    assert db.execute("select count(*) from pages_fts where pages_fts match 'cooperacion'").fetchone()[0] == 1


def test_errors_are_the_documents_current_problems(db: sqlite_utils.Database) -> None:
    doc = make_document()
    doc.errors.append(FileError(doc.path, "ocr", "OcrTimeout", "slow page"))
    store.write_document(db, doc, version="v1")
    assert db.table("documents").get(doc.id)["status"] == "failed"
    assert db.table("documents").get(doc.id)["paper_only"] is None
    assert db.table("errors").count == 1 and db.table("pages").count == 0 and db.table("commitments").count == 0
    store.write_document(db, make_document(), version="v2")
    assert db.table("errors").count == 0
    assert db.table("documents").get(doc.id)["status"] == "ok"
    for _ in range(2):
        store.write_path_error(db, FileError("/archive/x.docx", "discover", "UnsupportedType", "no"), None)
    assert db.table("errors").count == 1


def test_paths_of_a_document(db: sqlite_utils.Database) -> None:
    doc = make_document()
    store.write_document(db, doc, [store.PathSeen("/a/one.pdf", 10, 1.5)], version="v")
    with db.atomic():
        store.record_paths(db, doc.id, [store.PathSeen("/b/copy.pdf", 10, 2.5)], store.now_iso())
    store.write_document(db, doc, [store.PathSeen("/a/one.pdf", 10, 1.5)], version="v")
    known = store.known_paths(db)
    assert set(known) == {"/a/one.pdf", "/b/copy.pdf"}
    assert known["/b/copy.pdf"].document_id == doc.id and known["/b/copy.pdf"].mtime == 2.5
    assert known["/a/one.pdf"].version == "v"


def test_pipeline_version_follows_models_and_options(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "commitments.json").write_text('{"w": 1}', encoding="utf-8")
    base = store.pipeline_version(Options(models_dir=models))
    assert base == store.pipeline_version(Options(models_dir=models))
    assert base.startswith("0.") and "+" in base
    assert store.pipeline_version(Options(models_dir=models, dpi=200)) != base
    assert store.pipeline_version(Options(models_dir=models, cache_dir=tmp_path)) == base
    (models / "commitments.json").write_text('{"w": 2}', encoding="utf-8")
    assert store.pipeline_version(Options(models_dir=models)) != base


def test_runs_are_recorded(db: sqlite_utils.Database) -> None:
    run_id = store.start_run(db, "v", {"workers": 2})
    row = db.table("runs").get(run_id)
    assert row["status"] == "running" and row["ended_at"] is None
    counts = {"files": 3, "processed": 2, "skipped": 1, "failed": 0, "pages": 7, "ocr_pages": 1, "errors": 0}
    store.update_run(db, run_id, counts, "completed")
    row = db.table("runs").get(run_id)
    assert row["status"] == "completed" and row["ended_at"] and row["pages"] == 7
    assert json.loads(row["options"]) == {"workers": 2}


def test_merge_shards(tmp_path: Path) -> None:
    shard1 = store.connect(tmp_path / "s1.db")
    shard2 = store.connect(tmp_path / "s2.db")
    run1 = store.start_run(shard1, "v", {})
    store.write_document(shard1, make_document("a" * 64), [store.PathSeen("/s1/a.pdf", 1, 1.0)], run1, "v")
    store.write_path_error(shard1, FileError("/s1/x.docx", "discover", "UnsupportedType", "no"), run1)
    old = make_document("b" * 64, commitments=1)
    store.write_rows(shard1, store.document_rows(old, "v", processed_at="2020-01-01T00:00:00+00:00"),
                     [store.PathSeen("/s1/b.pdf", 1, 1.0)], run1)
    run2 = store.start_run(shard2, "v", {})
    store.write_document(shard2, make_document("b" * 64, commitments=2), [store.PathSeen("/s2/b.pdf", 1, 1.0)], run2, "v")
    failed = make_document("c" * 64)
    failed.path = "/s2/c.pdf"
    failed.errors.append(FileError("/s2/c.pdf", "ocr", "OcrTimeout", "slow"))
    store.write_document(shard2, failed, [store.PathSeen("/s2/c.pdf", 1, 1.0)], run2, "v")
    shard1.close()
    shard2.close()

    out = tmp_path / "merged.db"
    summary = store.merge_databases(out, [tmp_path / "s1.db", tmp_path / "s2.db"])
    assert summary.shards == 2 and summary.documents == 4 and summary.kept == 0
    db = sqlite_utils.Database(out)
    assert db.table("documents").count == 3
    # b: the newer copy (shard 2, two commitments) wins; its paths from both shards are kept.
    assert db.execute("select count(*) from commitments where document_id = ?", ["b" * 64]).fetchone()[0] == 2
    assert {r["path"] for r in db.query("select path from document_paths where document_id = ?", ["b" * 64])} == {
        "/s1/b.pdf", "/s2/b.pdf"}
    assert db.table("errors").count == 2 and db.table("runs").count == 2
    assert {r["run_id"] for r in db.table("errors").rows} <= {r["id"] for r in db.table("runs").rows}
    # c failed in its shard: stored as failed, without pages.
    assert db.execute("select count(*) from pages_fts where pages_fts match 'cooperacion'").fetchone()[0] == 2
    db.execute("INSERT INTO pages_fts(pages_fts) VALUES('integrity-check')")
    assert store.integrity_problems(db) == []
    db.close()
    # Merging again changes nothing: every document is already there, as recent.
    again = store.merge_databases(out, [tmp_path / "s1.db", tmp_path / "s2.db"])
    assert again.documents == 0 and again.kept == 4
    db = sqlite_utils.Database(out)
    assert db.table("documents").count == 3 and db.table("pages").count == 4 and db.table("errors").count == 2
    assert db.table("runs").count == 2
