"""The explorer on what the pipeline really produces.

The real agreement texts (and one of them printed, scanned upside down and
slightly skewed, then read back by OCR) go through ``convenio ingest`` (the
``real_db`` fixture); every canned query, agreement page, evidence page and
scanned-page image must then work on that database.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.serve import DATASETTE_DIR, make_datasette

from sample_agreements import REAL

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

QUERIES = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())["databases"]["convenio"]["queries"]
FACTS = {"commitment": "commitments", "indicator": "indicators", "party": "parties", "signatory": "signatories",
         "date": "dates"}


@pytest.fixture()
def real(real_db: Path, tmp_path: Path) -> Any:
    return make_datasette(real_db, flags=tmp_path / "flags.db", environ={})


async def get(ds: Any, path: str, **params: str) -> Any:
    response = await ds.client.get(path, params=params or None)
    assert response.status_code == 200, (path, response.text[:2000])
    return response


async def test_every_canned_query_runs_on_real_data(real: Any) -> None:
    for name, query in QUERIES.items():
        names = sorted(set(re.findall(r"(?<!:):([a-z_]+)", query["sql"])))
        params = {n: "" for n in names}
        if "q" in params:
            params["q"] = "cooperación"
        data = (await get(real, f"/convenio/{name}.json", _shape="array", **params)).json()
        assert isinstance(data, list), name
        await get(real, f"/convenio/{name}", **params)


async def test_paper_only_view_lists_reasons(real: Any) -> None:
    rows = (await get(real, "/convenio/paper_only.json", _shape="array")).json()
    documents = (await get(real, "/convenio/documents.json", _shape="array", paper_only="1", _size="max")).json()
    assert {r["id"] for r in rows} == {d["id"] for d in documents if d["status"] == "ok"}
    assert rows, "the real corpus has paper-only agreements"


async def test_search_finds_inflections_in_real_text(real: Any, real_db: Path) -> None:
    """For words the real commitments use in several forms, searching one form finds the others."""
    import sqlite_utils

    from pipeline.search import fold, word_stems

    db = sqlite_utils.Database(real_db)
    forms: dict[tuple[str, str], set[str]] = {}
    for text, lang in db.execute("select text, lang from commitments where lang in ('es', 'en')"):
        for word in re.findall(r"\w{6,}", text.lower()):
            forms.setdefault((lang, word_stems(word)[0 if lang == "es" else -1]), set()).add(word)
    inflected = {key: sorted(words) for key, words in forms.items()
                 if len({fold(w) for w in words}) > 1}
    assert any(lang == "es" for lang, _ in inflected), "no Spanish word appears in two forms"
    for (lang, _), words in sorted(inflected.items())[:25]:
        typed, others = words[0], set(words[1:])
        rows = (await get(real, "/convenio/commitments.json", _search=typed, _shape="array", _size="max")).json()
        found = {w for r in rows for w in re.findall(r"\w+", r["text"].lower())}
        assert others & found, (lang, typed, others)


async def test_every_agreement_and_evidence_page(real: Any) -> None:
    documents = (await get(real, "/convenio/documents.json", _shape="array", _size="max")).json()
    assert len(documents) == len(list(REAL.glob("*.txt"))) + 2
    mismatches = []
    for doc in documents:
        page = await get(real, f"/-/agreement/{doc['id']}")
        assert (doc["title"] or "(untitled agreement)") in page.text.replace("&#39;", "'").replace("&amp;", "&")
        # The points shown for each part of the score add up to the stored score.
        points = [float(p) for p in re.findall(r'<td class="part-points">([\d.]+) <small>', page.text)]
        assert len(points) == 4 and abs(sum(points) - (doc["measurability"] or 0)) < 0.3, (doc["id"], points)
    for kind, table in FACTS.items():
        facts = (await get(real, f"/convenio/{table}.json", _shape="array", _size="max", _col="page")).json()
        for fact in facts:
            if fact["page"] is None:
                continue
            html = (await get(real, f"/-/evidence/{kind}/{fact['id']}")).text
            assert '<mark id="evidence">' in html
            if "exactly the extracted text" not in html and not (
                    kind in ("party", "signatory") and "where this name is written" in html):
                mismatches.append(fact["id"])
    assert not mismatches, f"evidence spans that differ from the fact's text: {mismatches}"


@pytest.mark.parametrize("source, rotation", [("ocr", 180), ("layer", 0)])
async def test_page_image_boxes_the_commitment(
    real: Any, real_db: Path, artifacts: Path, source: str, rotation: int
) -> None:
    """Scanned (upside down, skewed) and text-layer pages: the box lands on the printed commitment."""
    from PIL import Image

    import sqlite_utils

    db = sqlite_utils.Database(real_db)
    row = db.execute(
        "select c.id, p.width, p.height, p.rotation from commitments c join documents d on d.id = c.document_id"
        " join pages p on p.document_id = d.id and p.number = c.page"
        " where p.source = ? order by length(c.text) desc limit 1", [source]).fetchone()
    assert row, f"no commitment found on a {source} page"
    fact_id, width, height, page_rotation = row
    assert page_rotation == rotation
    html = (await get(real, f"/-/evidence/commitment/{fact_id}")).text
    assert f"/-/evidence/commitment/{fact_id}.png" in html
    png = (await get(real, f"/-/evidence/commitment/{fact_id}.png")).content
    (artifacts / f"real-{source}-evidence.png").write_bytes(png)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    # Upright: the image has the proportions of the page the boxes refer to.
    assert abs(image.width / image.height - width / height) < 0.02
    yellow = [(x, y) for y in range(0, image.height, 2) for x in range(0, image.width, 2)
              if (lambda p: p[0] > 200 and p[1] > 170 and p[2] < 140)(image.getpixel((x, y)))]
    assert yellow, "no highlight drawn"
    # The highlight covers printed text, not an empty margin: ink shows through it.
    ink = [(x, y) for y in range(min(p[1] for p in yellow), max(p[1] for p in yellow) + 1)
           for x in range(min(p[0] for p in yellow), max(p[0] for p in yellow) + 1, 2)
           if sum(image.getpixel((x, y))) < 250]
    assert len(ink) > 50, len(ink)
