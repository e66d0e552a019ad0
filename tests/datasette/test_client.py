"""Fast checks through Datasette's own test client: every canned query and page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
import yaml

from pipeline import search
from pipeline.serve import DATASETTE_DIR, auditors_from_env, flags_path, make_datasette

from sample_agreements import AUDITOR_PASSWORD

A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)
pytestmark = pytest.mark.anyio
QUERIES = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())["databases"]["convenio"]["queries"]


async def rows(ds: Any, path: str) -> list[dict[str, Any]]:
    sep = "&" if "?" in path else "?"
    response = await ds.client.get(f"{path}{sep}_shape=array")
    assert response.status_code == 200, response.text
    return response.json()


async def login(ds: Any) -> dict[str, str]:
    """Log in through datasette-auth-passwords; returns the signed actor cookie."""
    page = await ds.client.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    response = await ds.client.post(
        "/-/login",
        data={"username": "auditor", "password": AUDITOR_PASSWORD, "csrftoken": token},
        cookies={"ds_csrftoken": page.cookies["ds_csrftoken"]},
    )
    assert response.status_code == 302, response.text
    return {"ds_actor": response.cookies["ds_actor"]}


async def csrf(ds: Any, path: str, cookies: dict[str, str]) -> tuple[str, dict[str, str]]:
    page = await ds.client.get(path, cookies=cookies)
    match = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    return (match.group(1) if match else ""), {**cookies, "ds_csrftoken": page.cookies.get("ds_csrftoken", "")}


# --------------------------------------------------------------------------- search


def test_stemmed_query_quotes_everything() -> None:
    expression = search.stemmed_query('comprometen "medio ambiente" x") OR NEAR(')
    assert expression.count('"') % 2 == 0
    assert 'text_stem : "compromet"' in expression
    assert '"medio ambiente"' in expression


def test_ensure_search_is_idempotent_and_repairs(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "s.db")
    db["pages"].insert({"id": "x:1", "text": "Las partes se comprometen", "text_stem": ""}, pk="id")
    db["commitments"].insert({"id": "x:c0", "text": "exchanges", "text_stem": ""}, pk="id")
    assert search.ensure_search(db) == ["pages", "commitments"]
    assert search.ensure_search(db) == []
    db.execute("drop trigger pages_au")
    assert search.ensure_search(db) == ["pages"]
    db["pages"].update("x:1", {"text_stem": search.stem_text("Las partes se comprometen", "es")})
    hits = db.execute("select rowid from pages_fts where pages_fts match ?",
                      [search.stemmed_query("compromete")]).fetchall()
    assert hits == [(1,)]
    sql = db.execute("select sql from sqlite_master where name = 'pages_fts'").fetchone()[0]
    assert "remove_diacritics 2" in sql
    search.rebuild(db)


@pytest.mark.parametrize(
    "table, query, expected",
    [
        ("commitments", "comprometen", {f"{A}:c0", f"{A}:c1"}),  # "se compromete a aportar" too
        ("commitments", "exchanges", {f"{A}:c3", f"{B}:c0", f"{D}:c1"}),
        ("commitments", "cooperacion", {f"{A}:c2", f"{A}:c5"}),  # accent-insensitive, both languages' stems
        ("commitments", '"medio ambiente"', {f"{C}:c1"}),
        ("pages", "estudiante", {f"{A}:1"}),
        ("pages", "universidades", {f"{B}:1"}),
    ],
)
async def test_table_search_finds_inflections(ds: Any, table: str, query: str, expected: set[str]) -> None:
    found = await rows(ds, f"/convenio/{table}.json?_search={query}&_col=id")
    assert {r["id"] for r in found} == expected


def test_bilingual_page_is_stemmed_block_by_block(tmp_path: Path) -> None:
    """A page whose main language is Spanish but carries the English version too (two columns,
    alternating paragraphs): English inflections must find the English half."""
    from pipeline import store
    from pipeline.model import Block, Document, Page

    es = "Las universidades intercambiarán estudiantes cada año."
    en = "The universities shall exchange students every year."
    text = f"{es}\n\n{en}"
    page = Page(number=1, text=text, source="layer", lang="es", columns=2,
                blocks=[Block(0, len(es), "es", 0), Block(len(es) + 2, len(text), "en", 1)])
    db = store.connect(tmp_path / "b.db")
    store.write_document(db, Document(id="e" * 64, path="b.pdf", pages=[page], paper_only=True), version="t")
    for query in ("university", "universidad", "exchanging", "intercambio"):
        hits = db.execute("select count(*) from pages_fts where pages_fts match ?",
                          [search.stemmed_query(query)]).fetchone()[0]
        assert hits == 1, query
    assert search.stem_runs(text, [], None) == search.stem_text(text, None)
    # Unknown language: both stemmings, each in reading order, so stemmed phrases still match.
    assert search.stem_text("medio ambiente", None) == "medi ambient medio ambient"


async def test_search_never_errors_on_fts_syntax(ds: Any) -> None:
    for query in ['"unbalanced', "NEAR(a b", "a AND OR", "*", "text_stem:x", "'; drop table flags; --"]:
        response = await ds.client.get("/convenio/commitments.json", params={"_search": query})
        assert response.status_code == 200, (query, response.text)


# --------------------------------------------------------------------------- pages


async def test_home_page_links_paper_only_view(ds: Any) -> None:
    home = await ds.client.get("/")
    assert 'href="/convenio/paper_only"' in home.text
    view = await rows(ds, "/convenio/paper_only.json")
    assert {r["id"] for r in view} == {C, D}
    assert all(r["reason"] for r in view)


async def test_metadata_describes_every_table_and_column(ds: Any, db_path: Path) -> None:
    meta = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())["databases"]["convenio"]["tables"]
    db = sqlite_utils.Database(db_path)
    for name in db.table_names() + db.view_names():
        if name.endswith("_fts") or "_fts_" in name:
            continue
        assert name in meta, name
        columns = (db[name].columns_dict if name in db.table_names() else db[name].columns_dict)
        missing = set(columns) - set(meta[name].get("columns", {}))
        assert not missing, (name, missing)
    flags_meta = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())["databases"]["flags"]["tables"]
    flags_columns = (await rows(ds, "/flags.json?sql=select+name+from+pragma_table_info('flags')"))
    assert {r["name"] for r in flags_columns} == set(flags_meta["flags"]["columns"])


async def test_facets(ds: Any) -> None:
    data = (await ds.client.get("/convenio/documents.json?_extra=facet_results")).json()
    facets = data["facet_results"]
    facets = facets.get("results", facets)
    assert {"kind", "paper_only", "signed_year", "countries", "themes", "languages"} <= set(facets)
    parties = (await ds.client.get("/convenio/parties.json?_extra=facet_results")).json()["facet_results"]
    parties = parties.get("results", parties)
    assert {"country", "level", "kind"} <= set(parties)
    commitments = (await ds.client.get("/convenio/commitments.json?_extra=facet_results")).json()["facet_results"]
    commitments = commitments.get("results", commitments)
    assert {"strength", "theme", "lang"} <= set(commitments)


async def test_agreement_page(ds: Any) -> None:
    page = await ds.client.get(f"/-/agreement/{A}")
    assert page.status_code == 200
    html = page.text
    for text in ("Acuerdo de hermanamiento Ciudad Juárez – El Paso", "City of El Paso", "Oscar Leeser",
                 "Presidente Municipal", "2019-05-10", "P5Y", "72", "Español", "English",
                 "20 estudiantes", "500,000 pesos per year", "(20 students per year)", "(500,000 MXN per year)",
                 "5 years <small>(P5Y)</small>"):
        assert text in html, text
    # Spanish and English versions share a table row.
    row = re.search(r"<tr>\s*<td class=\"commitment-cell\" lang=\"es\">(.*?)</tr>", html, re.S).group(1)
    assert "se comprometen a intercambiar" in row and "commit to exchange 20 university students" in row
    for kind, fact in (("commitment", f"{A}:c0"), ("indicator", f"{A}:i0"), ("party", f"{A}:p0"),
                       ("signatory", f"{A}:s0"), ("date", f"{A}:d0")):
        assert f"/-/evidence/{kind}/{fact}#evidence" in html
    assert "Log in as an auditor" in html and "flag-form" not in html
    assert (await ds.client.get("/-/agreement/nope")).status_code == 404


async def test_evidence_page_highlights_span(ds: Any) -> None:
    page = await ds.client.get(f"/-/evidence/indicator/{A}:i1")
    assert page.status_code == 200
    assert '<mark id="evidence">500,000 pesos anuales</mark>' in page.text
    assert "exactly the extracted text" in page.text
    assert "evidence-image" not in page.text  # a text file has no page image


async def test_scanned_page_image_with_box(ds: Any) -> None:
    from PIL import Image
    import io

    page = await ds.client.get(f"/-/evidence/commitment/{B}:c0")
    assert f"/-/evidence/commitment/{B}:c0.png" in page.text
    response = await ds.client.get(f"/-/evidence/commitment/{B}:c0.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    # The commitment is the third line, drawn around y=280 on a 700 px page (scaled to the output width).
    scale = image.width / 1700
    red = [(x, y) for x in range(0, image.width, 2) for y in range(0, image.height, 2)
           if image.getpixel((x, y))[0] > 200 and image.getpixel((x, y))[1] < 60]
    assert red, "no box drawn"
    ys = [y / scale for _, y in red]
    assert 250 < min(ys) and max(ys) < 340


async def test_render_cell_links(ds: Any) -> None:
    html = (await ds.client.get("/convenio/commitments_without_indicator?lang=es&theme=&strength=")).text
    assert f'href="/-/evidence/commitment/{A}:c2#evidence"' in html
    assert f'href="/-/agreement/{A}"' in html
    table = (await ds.client.get("/convenio/indicators")).text
    assert f'href="/-/evidence/indicator/{A}:i0#evidence"' in table


async def test_row_pages_link_to_agreement_and_evidence(ds: Any) -> None:
    doc = (await ds.client.get(f"/convenio/documents/{A}")).text
    assert f'href="/-/agreement/{A}"' in doc
    commitment = (await ds.client.get(f"/convenio/commitments/{A}:c0")).text
    assert f'href="/-/evidence/commitment/{A}:c0#evidence"' in commitment
    indicator = (await ds.client.get(f"/convenio/indicators/{A}:i0")).text
    assert f'href="/-/evidence/indicator/{A}:i0#evidence"' in indicator


async def test_dashboard_uses_only_local_assets(ds: Any) -> None:
    page = await ds.client.get("/-/dashboards/convenio")
    assert page.status_code == 200
    assert "Agreements per year" in page.text
    for src in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))', page.text):
        assert src.startswith("/"), src
    for chart in yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())["plugins"]["datasette-dashboards"][
            "convenio"]["charts"].values():
        response = await ds.client.get("/convenio.json", params={"sql": chart["query"], "_shape": "array"})
        assert response.status_code == 200 and response.json(), chart["title"]


# --------------------------------------------------------------------------- flags


def test_auditors_from_env() -> None:
    env = {"CONVENIO_AUDITOR_PASSWORD_HASH": "pbkdf2_sha256$1$a$b", "CONVENIO_ANA_PASSWORD_HASH": "x",
           "CONVENIO_EMPTY_PASSWORD_HASH": " ", "OTHER": "y"}
    assert auditors_from_env(env) == {"auditor": "pbkdf2_sha256$1$a$b", "ana": "x"}


async def test_anonymous_cannot_flag(ds: Any, flags_db: Path) -> None:
    token, cookies = await csrf(ds, "/-/login", {})
    response = await ds.client.post(f"/-/flag/{C}", data={"verdict": "dispute", "csrftoken": token},
                                    cookies=cookies)
    assert response.status_code == 403
    assert sqlite_utils.Database(flags_db)["flags"].count == 0


async def test_flag_requires_csrf_token(ds: Any, flags_db: Path) -> None:
    cookies = await login(ds)
    response = await ds.client.post(f"/-/flag/{C}", data={"verdict": "confirm"}, cookies=cookies)
    assert response.status_code == 403
    assert sqlite_utils.Database(flags_db)["flags"].count == 0


async def test_auditor_flags_agreement(ds: Any, flags_db: Path, db_path: Path) -> None:
    cookies = await login(ds)
    token, cookies = await csrf(ds, f"/-/agreement/{C}", cookies)
    assert token, "the agreement page shows the flag form to an auditor"
    response = await ds.client.post(
        f"/-/flag/{C}", data={"verdict": "confirm", "note": "Sólo declaraciones de intención.", "csrftoken": token},
        cookies=cookies)
    assert response.status_code == 302
    bad = await ds.client.post(f"/-/flag/{C}", data={"verdict": "maybe", "csrftoken": token}, cookies=cookies)
    assert bad.status_code == 400
    stored = list(sqlite_utils.Database(flags_db)["flags"].rows)
    assert [(f["document_id"], f["verdict"], f["user"], f["pipeline_paper_only"]) for f in stored] == [
        (C, "confirm", "auditor", 1)]
    assert re.match(r"\d{4}-\d\d-\d\dT", stored[0]["created_at"])
    page = (await ds.client.get(f"/-/agreement/{C}")).text
    assert "Sólo declaraciones de intención." in page
    listed = await rows(ds, "/convenio/flags.json?verdict=confirm&user=")
    assert [(r["document_id"], r["user"], r["verdict_flagged"]) for r in listed] == [(C, "auditor", "paper-only")]
    assert (await rows(ds, "/convenio/paper_only_agreements.json?country=&level="))[-1]["confirmed"] == 1
    # The extracted data stays read-only, even for an auditor.
    write = await ds.client.post("/convenio/documents/-/insert", json={"row": {"id": "x"}}, cookies=cookies)
    assert write.status_code in (403, 405)
    flags_write = await ds.client.post("/flags/flags/-/insert", json={"row": {"document_id": "x"}},
                                       cookies=cookies)
    assert flags_write.status_code == 403


async def test_flags_survive_reingest(tmp_path: Path, auditor_hash: str) -> None:
    from pipeline import store

    from sample_agreements import build_database, paper_only_es

    db = build_database(tmp_path)
    env = {"CONVENIO_AUDITOR_PASSWORD_HASH": auditor_hash}
    ds = make_datasette(db, environ=env, secret="s")
    cookies = await login(ds)
    token, cookies = await csrf(ds, f"/-/agreement/{C}", cookies)
    await ds.client.post(f"/-/flag/{C}", data={"verdict": "dispute", "csrftoken": token}, cookies=cookies)
    writer = store.connect(db)
    store.write_document(writer, paper_only_es(tmp_path / "tijuana-san-diego.txt"), version="test-2")
    writer.close()
    assert flags_path(db).exists()
    again = make_datasette(db, environ=env, secret="s")
    assert [r["verdict"] for r in await rows(again, "/convenio/flags.json?verdict=&user=")] == ["dispute"]
