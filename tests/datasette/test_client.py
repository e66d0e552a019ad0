"""Fast checks through Datasette's own test client: search, pages and assets.

Canned queries are in test_queries.py, metadata in test_schema_described.py, flags and
accounts in test_flags.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
import yaml

from pipeline import search
from pipeline.serve import DATASETTE_DIR

A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)
pytestmark = pytest.mark.anyio
QUERIES = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())["databases"]["convenio"]["queries"]


async def rows(ds: Any, path: str) -> list[dict[str, Any]]:
    sep = "&" if "?" in path else "?"
    response = await ds.client.get(f"{path}{sep}_shape=array")
    assert response.status_code == 200, response.text
    return response.json()


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


async def test_agreement_page(ds: Any) -> None:
    page = await ds.client.get(f"/-/agreement/{A}")
    assert page.status_code == 200
    html = page.text
    for text in ("Acuerdo de hermanamiento Ciudad Juárez – El Paso", "City of El Paso", "Oscar Leeser",
                 "Presidente Municipal", "2019-05-10", "P5Y", "46.7 <small>of 100</small>", "Español", "English",
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


async def test_agreement_facts_link_to_their_evidence(ds: Any) -> None:
    """The dates in the agreement's summary (signed, entry into force, term, expiry) open their evidence."""
    html = (await ds.client.get(f"/-/agreement/{A}")).text
    facts = re.search(r'<table class="agreement-facts">(.*?)</table>', html, re.S).group(1)
    for label, fact in (("Signed on", "d0"), ("Term", "d1"), ("Entry into force", "d2"), ("Expires on", "d3")):
        row = re.search(rf"<th>{label}</th><td>(.*?)</td>", facts, re.S).group(1)
        assert f"/-/evidence/date/{A}:{fact}#evidence" in row, label
    assert "<th>Levels</th><td>municipal</td>" in facts
    d = (await ds.client.get(f"/-/agreement/{D}")).text
    assert re.search(r"<th>Renewal</th><td>automatic <a class=\"evidence-link\" href=\"/-/evidence/date/", d)


async def test_score_parts_show_weights_and_points(ds: Any) -> None:
    from extractors.measurability import WEIGHTS

    html = (await ds.client.get(f"/-/agreement/{B}")).text
    points = [float(p) for p in re.findall(r'<td class="part-points">([\d.]+) <small>', html)]
    weights = [float(w) for w in re.findall(r'<td class="part-points">[\d.]+ <small>of (\d+)</small>', html)]
    # B: every commitment has an indicator, half a deadline, half a responsible party, no money.
    assert points == [55.0, 7.5, 7.5, 0.0]
    assert weights == [round(100 * w) for w in WEIGHTS.values()]
    assert "70.0 <small>of 100</small>" in html
    for doc_id in (A, B, C, D):
        page = (await ds.client.get(f"/-/agreement/{doc_id}")).text
        points = [float(p) for p in re.findall(r'<td class="part-points">([\d.]+) <small>', page)]
        score = float(re.search(r'<tr class="score-total">.*?([\d.]+) <small>of 100', page, re.S).group(1))
        assert abs(sum(points) - score) < 0.2, (doc_id, points, score)


async def test_evidence_page_links_related_facts(ds: Any) -> None:
    commitment = (await ds.client.get(f"/-/evidence/commitment/{A}:c0")).text
    assert f'href="/-/evidence/commitment/{A}:c3#evidence">the same commitment in the other language' in commitment
    indicator = (await ds.client.get(f"/-/evidence/indicator/{A}:i0")).text
    assert f'href="/-/evidence/commitment/{A}:c0#evidence">the commitment it belongs to' in indicator
    signatory = (await ds.client.get(f"/-/evidence/signatory/{A}:s1")).text
    assert f'href="/-/evidence/party/{A}:p1#evidence">the party signed for' in signatory


def highlight(text: str, query: str, width: int = 0) -> list[tuple[str, bool]]:
    """What the search page shows: the excerpt ``convenio_excerpt`` cuts (or the whole text),
    marked with the words ``convenio_found`` lists."""
    shown = search.excerpt(text, query, width) if width else text
    return search.mark(shown, search.found_words(text, query))


def test_highlight_marks_the_words_the_search_finds() -> None:
    text = "Las Partes se comprometen; el Municipio se compromete a aportar. Cooperación internacional."
    marked = [piece for piece, hit in highlight(text, "comprometen cooperacion") if hit]
    assert marked == ["comprometen", "compromete", "Cooperación"]
    assert [p for p, hit in highlight("The parties commit to exchange. Exchanges.", "exchanges") if hit] == [
        "exchange", "Exchanges"]
    assert [p for p, hit in highlight("intercambiarán intercambio otro", "interc*") if hit] == [
        "intercambiarán", "intercambio"]
    long = "x " * 300 + "Las universidades se comprometen " + "y " * 300
    window = highlight(long, "universidad", 100)
    assert window[0][0].startswith("… ") and window[-1][0].endswith(" …")
    assert sum(len(p) for p, _ in window) < 140 and ("universidades", True) in window
    assert highlight("sin nada", "") == [("sin nada", False)]
    assert search.found_words("Exchanges, exchange and EXCHANGE; exchanged", "exchanges") == [
        "Exchanges", "exchange", "EXCHANGE", "exchanged"]


async def test_search_queries_highlight_what_they_found(ds: Any) -> None:
    html = (await ds.client.get("/convenio/search_commitments", params={"q": "comprometen"})).text
    assert "se <mark>compromete</mark> a aportar" in html and "se <mark>comprometen</mark> a intercambiar" in html
    pages = (await ds.client.get("/convenio/search_pages", params={"q": "estudiante"})).text
    assert "20 <mark>estudiantes</mark> de nivel" in pages
    found = (await ds.client.get("/convenio/search_commitments.json",
                                 params={"q": "comprometen", "_shape": "array"})).json()
    assert {r["found"] for r in found} == {'["comprometen"]', '["compromete"]'}
    assert all("<mark>" not in r["text"] for r in found)  # the JSON stays plain text
    # The text around the marks is escaped, whatever it holds.
    sql = ("select t as text, convenio_found(t, 'estudiante') as found"
           " from (select '<script>alert(1)</script> los estudiantes' as t)")
    raw = (await ds.client.get("/convenio", params={"sql": sql})).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; los <mark>estudiantes</mark>" in raw and "<script>alert" not in raw


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


PAGES = [
    "/", "/convenio", "/convenio/documents", "/convenio/commitments?_search=comprometen", "/convenio/paper_only",
    "/convenio/parties?level=state", f"/convenio/documents/{A}", "/convenio/expiring_or_renewal?today=&months=",
    "/convenio/partners_network?country=", f"/-/agreement/{A}", f"/-/agreement/{B}", f"/-/evidence/commitment/{B}:c0",
    f"/-/evidence/indicator/{A}:i1", "/-/dashboards/convenio", "/-/dashboards", "/-/search?q=intercambios",
    "/-/login", "/flags/flags", "/flags",
]
# Where a page could pull something in from elsewhere: scripts, style sheets, images, frames, fonts.
_LOADED = re.compile(r"<(?:script|img|iframe|source|embed)\b[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)"
                     r"|<link\b(?=[^>]*\brel\s*=\s*[\"']?(?:stylesheet|icon|preload|modulepreload))"
                     r"[^>]*\bhref\s*=\s*[\"']?([^\"' >]+)"
                     r"|url\(\s*[\"']?([^\"')]+)|@import\s+[\"']([^\"']+)", re.I)


def loaded_urls(text: str) -> list[str]:
    return [next(g for g in match.groups() if g) for match in _LOADED.finditer(text)]


async def test_pages_load_nothing_from_elsewhere(ds: Any) -> None:
    """No page, and no style sheet it loads, pulls a script, style, font or image from a CDN."""
    assets: set[str] = set()
    for path in PAGES:
        page = await ds.client.get(path)
        assert page.status_code == 200, path
        for url in loaded_urls(page.text):
            assert url.startswith("/") and not url.startswith("//") or url.startswith(("data:", "#")), (path, url)
            if url.startswith("/"):
                assets.add(url.split("#")[0])
    assert any(a.endswith(".js") for a in assets) and any(".css" in a for a in assets)
    for asset in sorted(assets):
        response = await ds.client.get(asset)
        assert response.status_code == 200, asset
        if ".css" in asset:
            for url in loaded_urls(response.text):
                assert not re.match(r"(https?:)?//", url), (asset, url)


async def test_dashboard_charts_have_data(ds: Any) -> None:
    page = await ds.client.get("/-/dashboards/convenio")
    assert page.status_code == 200
    assert "Agreements per year" in page.text
    for chart in yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())["plugins"]["datasette-dashboards"][
            "convenio"]["charts"].values():
        response = await ds.client.get("/convenio.json", params={"sql": chart["query"], "_shape": "array"})
        assert response.status_code == 200 and response.json(), chart["title"]
