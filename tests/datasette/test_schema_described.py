"""metadata.yml against the schema and the data `convenio ingest` really writes.

Every table, view and column of an ingested database must be described (and
no description may outlive its column); every code that appears in the data
must be explained in its column's description; the facets the explorer
promises must exist and answer.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from pipeline.serve import DATASETTE_DIR, ensure_flags

from sample_agreements import REPO

pytestmark = pytest.mark.anyio

METADATA = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text(encoding="utf-8"))
TABLES = METADATA["databases"]["convenio"]["tables"]
FORMAT = REPO.parent / "shared" / "gold" / "FORMAT.md"

# Columns whose values are codes: every value found in the data must be named in the description.
CODE_COLUMNS = [
    ("documents", "kind"), ("documents", "renewal"), ("documents", "status"), ("documents", "media_type"),
    ("documents", "term"), ("parties", "level"), ("parties", "kind"), ("commitments", "strength"),
    ("commitments", "theme"), ("commitments", "lang"), ("indicators", "kind"), ("indicators", "currency"),
    ("dates", "kind"), ("pages", "source"), ("pages", "coord_unit"), ("runs", "status"),
]
# JSON-list columns of codes.
CODE_LISTS = [("documents", "themes"), ("documents", "levels"), ("documents", "languages")]


def schema(db: Path) -> Iterator[tuple[str, str, list[str]]]:
    """(name, type, columns) of every table and view a reader can open in Datasette."""
    conn = sqlite3.connect(db)
    try:
        objects = conn.execute(
            "select name, type from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%'"
        ).fetchall()
        fts = {name for name, _ in objects if name.endswith("_fts")}
        for name, kind in objects:
            if any(name.startswith(f + "_") for f in fts):
                continue  # FTS5 shadow tables: Datasette hides them itself
            yield name, kind, [row[1] for row in conn.execute(f"pragma table_info([{name}])")]
    finally:
        conn.close()


def described(text: Any) -> bool:
    return isinstance(text, str) and len(text.strip()) >= 10


def test_every_table_view_and_column_of_an_ingested_database_is_described(real_db: Path) -> None:
    problems: list[str] = []
    seen = 0
    for name, kind, columns in schema(real_db):
        seen += 1
        meta = TABLES.get(name)
        if meta is None:
            problems.append(f"{kind} {name} is not in metadata.yml")
            continue
        if name.endswith("_fts"):
            if not meta.get("hidden"):
                problems.append(f"search index {name} should be hidden")
            continue
        if not described(meta.get("description")):
            problems.append(f"{kind} {name} has no description")
        documented = meta.get("columns") or {}
        problems += [f"{name}.{c} is not described" for c in columns if not described(documented.get(c))]
        problems += [f"{name}.{c} is described but does not exist" for c in documented if c not in columns]
    assert seen >= 12
    assert not problems, "\n".join(problems)


def test_every_metadata_table_exists(real_db: Path) -> None:
    names = {name for name, _, _ in schema(real_db)}
    assert set(TABLES) <= names, set(TABLES) - names


def test_flags_database_is_described(tmp_path: Path) -> None:
    ensure_flags(tmp_path / "flags.db")
    conn = sqlite3.connect(tmp_path / "flags.db")
    columns = [row[1] for row in conn.execute("pragma table_info(flags)")]
    meta = METADATA["databases"]["flags"]
    assert described(meta["description"]) and described(meta["tables"]["flags"]["description"])
    assert {c for c in columns if described(meta["tables"]["flags"]["columns"].get(c))} == set(columns)
    assert set(meta["tables"]["flags"]["columns"]) == set(columns)


def _codes(db: Path, table: str, column: str, is_list: bool) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        values = [v for (v,) in conn.execute(f"select distinct [{column}] from [{table}] where [{column}] is not null")]
    finally:
        conn.close()
    if is_list:
        return {str(item) for v in values for item in json.loads(v)}
    return {str(v) for v in values}


def _names(description: str, code: str) -> bool:
    return re.search(rf"(?<![\w/]){re.escape(code)}(?![\w/])", description) is not None or (
        "ISO 8601 duration" in description and re.fullmatch(r"P(\d+[YMWD])+|PT\d+[HMS]", code) is not None)


@pytest.mark.parametrize("table, column, is_list", [(*c, False) for c in CODE_COLUMNS] + [(*c, True) for c in CODE_LISTS])
def test_codes_found_in_the_data_are_explained(real_db: Path, db_path: Path, table: str, column: str,
                                               is_list: bool) -> None:
    codes = _codes(real_db, table, column, is_list) | _codes(db_path, table, column, is_list)
    assert codes, f"no {table}.{column} values to check"
    description = TABLES[table]["columns"][column]
    unexplained = sorted(code for code in codes if not _names(description, code))
    assert not unexplained, f"{table}.{column}: {unexplained} missing from {description!r}"


def _format_vocabulary(pattern: str) -> list[str]:
    text = FORMAT.read_text(encoding="utf-8")
    match = re.search(pattern, text)
    assert match, pattern
    return re.findall(r"[a-z_]+", match.group(1))


def test_annotation_format_vocabularies_are_explained() -> None:
    """Kinds and themes the annotation format allows (FORMAT.md) are all explained, not only those seen."""
    kinds = _format_vocabulary(r'"kind": "([a-z_ |]+)"')
    themes = _format_vocabulary(r"`themes`: any of `([a-z_, ]+)`")
    assert len(kinds) >= 6 and len(themes) >= 18
    for code in kinds:
        assert _names(TABLES["documents"]["columns"]["kind"], code), code
    for column in (("documents", "themes"), ("commitments", "theme")):
        for code in themes:
            assert _names(TABLES[column[0]]["columns"][column[1]], code), (column, code)


def test_score_weights_in_metadata_are_the_extractor_weights() -> None:
    from extractors.measurability import WEIGHTS

    description = TABLES["documents"]["columns"]["measurability"]
    stated = {f"with_{part}": float(weight)
              for weight, part in re.findall(r"([\d.]+) × m_with_(\w+)", description)}
    assert stated == WEIGHTS
    for part, weight in WEIGHTS.items():
        assert f"weight {weight:g}" in TABLES["documents"]["columns"][f"m_{part}"]


def test_promised_facets_are_configured() -> None:
    """Facets on country, level, kind, theme, language, year, paper-only and strength."""
    def facets(table: str) -> set[str]:
        out = set()
        for facet in TABLES[table].get("facets", []):
            out.add(facet if isinstance(facet, str) else next(iter(facet.values())))
        return out

    assert {"kind", "paper_only", "signed_year", "countries", "levels", "themes", "languages"} <= facets("documents")
    assert {"country", "level", "kind", "lang"} <= facets("parties")
    assert {"strength", "theme", "lang", "measurable"} <= facets("commitments")
    assert {"countries", "levels", "themes", "languages"} <= facets("paper_only")


async def test_facets_answer_with_values(ds: Any) -> None:
    async def facet_values(path: str) -> dict[str, set[Any]]:
        data = (await ds.client.get(f"{path}?_extra=facet_results")).json()["facet_results"]
        data = data.get("results", data)
        return {name: {v["value"] for v in facet["results"]} for name, facet in data.items()}

    documents = await facet_values("/convenio/documents.json")
    assert documents["levels"] == {"municipal", "state", "other"}
    assert documents["paper_only"] == {0, 1}
    assert documents["signed_year"] == {2019, 2020, 2021, 2022}
    assert documents["countries"] == {"MX", "US"}
    assert documents["languages"] == {"es", "en"}
    assert {"education", "culture", "trade_investment"} <= documents["themes"]
    assert documents["kind"] == {"sister_city", "mou"}
    parties = await facet_values("/convenio/parties.json")
    assert parties["level"] == {"municipal", "state", "other"} and parties["country"] == {"MX", "US"}
    commitments = await facet_values("/convenio/commitments.json")
    assert commitments["strength"] == {"binding", "soft"}
    paper = await facet_values("/convenio/paper_only.json")
    assert paper["levels"] == {"municipal", "state"}

