"""End to end: generate the sample archive, ingest it with the real CLI, read it back through Datasette.

The archive is the project's own generated sample (corpus/generate.py), so the
expected answers (which agreements are paper-only, which phrases a scan holds)
come from its gold, never from this file.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from corpus import generate as G
from pipeline.context import REPO_ROOT
from pipeline.serve import make_datasette

pytestmark = pytest.mark.slow


def _convenio(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, check=False, timeout=1500)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("e2e")
    archive, gold_dir = root / "archive", root / "gold"
    files = G.generate(archive, seed=0, gold_dir=gold_dir)
    db = root / "convenio.db"
    first = _convenio("ingest", str(archive), "--db", str(db))
    assert first.returncode == 0, first.stdout + first.stderr
    # Ingest again at once: the second run must find every file stored and change nothing. (Done
    # here, right after the first, so that both runs see the same rules and models.)
    before = sql(make_datasette(db, flags=root / "flags.db"), "select id, processed_at from documents order by id")
    second = _convenio("ingest", str(archive), "--db", str(db))
    gold = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in gold_dir.glob("*.json")}
    return {"root": root, "archive": archive, "gold_dir": gold_dir, "files": files, "db": db, "first": first,
            "second": second, "before_second": before, "gold": gold}


@pytest.fixture(scope="module")
def ds(world: dict[str, Any]) -> Any:
    assert world["first"].returncode == 0, world["first"].stdout + world["first"].stderr
    return make_datasette(world["db"], flags=world["root"] / "flags.db")


def get(ds: Any, path: str, **params: Any) -> Any:
    """GET through Datasette's own ASGI client; JSON rows as a list of dicts."""
    query = urlencode({**params, "_shape": "array"})
    path = path if path.endswith(".json") else f"{path}.json"

    async def fetch() -> Any:
        response = await ds.client.get(f"{path}?{query}")
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.json()

    return asyncio.run(fetch())


def sql(ds: Any, statement: str, **params: Any) -> list[dict[str, Any]]:
    return get(ds, "/convenio.json", sql=statement, **params)


def _by_stem(ds: Any) -> dict[str, dict[str, Any]]:
    rows = sql(ds, "select * from documents")
    return {Path(r["path"]).stem: r for r in rows}


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", _fold(text))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"\s+", " ", "".join(c for c in text if not unicodedata.combining(c))).casefold().strip()


# --- the run ---------------------------------------------------------------------------------


def test_ingest_processes_every_file_without_errors(ds: Any, world: dict[str, Any]) -> None:
    docs = _by_stem(ds)
    assert set(docs) == {p.stem for p in world["files"]}
    assert all(d["status"] == "ok" for d in docs.values()), {k: d["status"] for k, d in docs.items()}
    assert sql(ds, "select * from errors") == []
    run = sql(ds, "select * from runs order by id limit 1")[0]
    assert (run["files"], run["processed"], run["failed"], run["errors"]) == (len(world["files"]), len(world["files"]), 0, 0)


def test_documents_record_their_languages_and_pages(ds: Any, world: dict[str, Any]) -> None:
    docs = _by_stem(ds)
    for doc_id, g in world["gold"].items():
        row = docs[doc_id]
        assert set(json.loads(row["languages"])) == set(g["languages"]), doc_id
        pages = sql(ds, "select number, source, lang from pages where document_id = :d order by number", d=row["id"])
        assert [p["number"] for p in pages] == list(range(1, row["pages"] + 1))
        spec = next(s for s in G.SAMPLE if s.id == doc_id)
        sources = {p["source"] for p in pages}
        expected = {"txt": {"plain"}, "txt1252": {"plain"}, "pdf": {"layer"}, "scan": {"ocr"}, "tiff": {"ocr"},
                    "png": {"ocr"}, "jpeg": {"ocr"}, "mixed": {"layer", "ocr"}}[spec.fmt]
        assert sources == expected, (doc_id, sources)


def test_paper_only_view_lists_exactly_the_paper_only_agreements(ds: Any, world: dict[str, Any]) -> None:
    rows = get(ds, "/convenio/paper_only")
    listed = {Path(r["path"]).stem for r in rows}
    expected = {doc_id for doc_id, g in world["gold"].items() if g["paper_only"]}
    assert len(expected) >= 2
    assert listed == expected
    assert all(r["reason"] for r in rows)
    canned = get(ds, "/convenio/paper_only_agreements", country="", level="")
    assert {r["document_id"] for r in canned} == {r["id"] for r in rows}


def test_every_fact_points_at_its_text(ds: Any) -> None:
    pages = {(p["document_id"], p["number"]): p["text"] for p in sql(ds, "select document_id, number, text from pages")}
    checked = 0
    for table, column in (("commitments", "text"), ("indicators", "text"), ("dates", "text")):
        rows = sql(ds, f"select id, document_id, page, start, [end], {column} as fact from {table}")
        for r in rows:
            assert r["page"] is not None, (table, r["id"])
            assert pages[(r["document_id"], r["page"])][r["start"]:r["end"]] == r["fact"], (table, r["id"])
            checked += 1
    for r in sql(ds, "select id, document_id, page, start, [end], name from parties"):
        # A party's name may be canonical ("City of X" for a mention "X"): the span must be a mention of it.
        span = pages[(r["document_id"], r["page"])][r["start"]:r["end"]]
        assert span.strip() and set(_tokens(span)) <= set(_tokens(r["name"])), (r["id"], span, r["name"])
        checked += 1
    assert checked > 100


def test_two_column_pages_keep_each_language_in_its_column(ds: Any, world: dict[str, Any]) -> None:
    docs = _by_stem(ds)
    for spec in G.SAMPLE:
        if spec.layout != "columns":
            continue
        doc_id = docs[spec.id]["id"]
        pages = sql(ds, "select number, text, columns, blocks from pages where document_id = :d order by number", d=doc_id)
        for page in pages:
            # A page holds both columns, or (when one language runs longer) only the rest of one.
            blocks = json.loads(page["blocks"])
            if page["columns"] == 2:
                assert [b["column"] for b in blocks] == [0, 1] and [b["lang"] for b in blocks] == list(spec.langs)
            else:
                assert len(blocks) == 1 and blocks[0]["lang"] in spec.langs, (spec.id, page["number"])
        assert sum(p["columns"] == 2 for p in pages) >= len(pages) - 1
        if spec.fmt == "pdf":
            # Never interleaved: each commitment of the gold sits whole inside its language's column.
            text_by_lang = {lang: " ".join(_fold(p["text"][b["start"]:b["end"]]) for p in pages
                                           for b in json.loads(p["blocks"]) if b["lang"] == lang) for lang in spec.langs}
            for c in world["gold"][spec.id]["commitments"]:
                head = _fold(c["text"])[:50]
                other = next(lang for lang in spec.langs if lang != c["lang"])
                assert head in text_by_lang[c["lang"]] and head not in text_by_lang[other], c["text"]
        for c in sql(ds, "select page, start, lang from commitments where document_id = :d", d=doc_id):
            blocks = json.loads(pages[c["page"] - 1]["blocks"])
            block = next(b for b in blocks if b["start"] <= c["start"] < b["end"] + 1)
            assert c["lang"] == block["lang"], (spec.id, c)


def test_bilingual_commitments_are_linked_to_their_other_language(ds: Any, world: dict[str, Any]) -> None:
    docs = _by_stem(ds)
    for doc_id, g in world["gold"].items():
        rows = sql(ds, """select c.lang, o.lang as other_lang, o.document_id as other_doc, o.counterpart_id as back
                          from commitments c join commitments o on o.id = c.counterpart_id
                          where c.document_id = :d""", d=docs[doc_id]["id"])
        if len(g["languages"]) == 1:
            assert rows == [], doc_id
            continue
        assert rows, doc_id
        assert all(r["lang"] != r["other_lang"] and r["other_doc"] == docs[doc_id]["id"] for r in rows)


def test_indicators_belong_to_commitments_of_their_document(ds: Any) -> None:
    rows = sql(ds, """select i.id from indicators i left join commitments c on c.id = i.commitment_id
                      where i.commitment_id is not null and (c.id is null or c.document_id != i.document_id)""")
    assert rows == []


def test_scanned_pages_are_read_by_ocr(ds: Any, world: dict[str, Any]) -> None:
    docs = _by_stem(ds)
    for spec in G.SAMPLE:
        if spec.fmt not in ("scan", "tiff", "png", "jpeg"):
            continue
        g = world["gold"][spec.id]
        pages = sql(ds, "select source, text, ocr_conf, words from pages where document_id = :d order by number", d=docs[spec.id]["id"])
        assert pages and all(p["source"] == "ocr" for p in pages)
        assert all(p["ocr_conf"] is not None and p["ocr_conf"] > 60 for p in pages), spec.id
        words = json.loads(pages[0]["words"])
        assert words and all(len(w) == 8 for w in words[:20])  # text, start, end, bbox, confidence
        text = _fold(" ".join(p["text"] for p in pages))
        # Phrases the generator wrote: the title's opening, every party's name, a commitment.
        assert _fold(g["title"])[:40] in text, spec.id
        for party in g["parties"]:
            assert _fold(party["name"]) in text, (spec.id, party["name"])
        if g["commitments"]:
            assert _fold(g["commitments"][-1]["text"])[:60] in text, spec.id


def test_evidence_on_scanned_pages_has_boxes(ds: Any) -> None:
    rows = sql(ds, """select c.bbox, c.confidence from commitments c join pages p
                      on p.document_id = c.document_id and p.number = c.page where p.source = 'ocr'""")
    assert rows
    for r in rows:
        x0, y0, x1, y1 = json.loads(r["bbox"])
        assert x1 > x0 and y1 > y0 and r["confidence"] is not None


def test_search_is_accent_insensitive(ds: Any) -> None:
    hits = get(ds, "/convenio/search_pages", q="cooperacion")
    assert hits and all(h["snippet"] for h in hits)
    commitments = get(ds, "/convenio/search_commitments", q="comprometen")
    assert commitments


def test_eval_runs_on_the_sample_gold(world: dict[str, Any]) -> None:
    result = _convenio("eval", str(world["gold_dir"]), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    gold = world["gold"]
    assert report["documents"] == len(gold) and not report["missing_documents"]
    assert report["commitments"]["gold"] == sum(len(g["commitments"]) for g in gold.values())
    assert report["indicators"]["gold"] == sum(len(g["indicators"]) for g in gold.values())
    assert report["accuracy"]["paper_only"] == [1.0, len(gold)]


def test_reingest_is_a_no_op(ds: Any, world: dict[str, Any]) -> None:
    assert world["second"].returncode == 0, world["second"].stderr
    runs = sql(ds, "select * from runs order by id")
    # Rules or models edited between the two runs give a new version, which rightly reprocesses.
    assert len(runs) == 2 and runs[0]["version"] == runs[1]["version"], "rules/models changed during the test"
    assert (runs[1]["processed"], runs[1]["skipped"], runs[1]["failed"]) == (0, len(world["files"]), 0)
    assert sql(ds, "select id, processed_at from documents order by id") == world["before_second"]
    assert sql(ds, "select * from errors") == []
