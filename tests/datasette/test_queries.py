"""Every canned query through Datasette's test client: real results, defaults, and injection attempts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
import yaml

from pipeline.model import DateFact, Document, Evidence, Measurability, Page, Party
from pipeline.periods import add_duration, iso_date
from pipeline.serve import DATASETTE_DIR, make_datasette

from sample_agreements import add_flag

A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)
pytestmark = pytest.mark.anyio
QUERIES = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())["databases"]["convenio"]["queries"]
HOSTILE = "zz' or '1'='1' --"


def parameters(name: str) -> list[str]:
    return sorted(set(re.findall(r"(?<!:):([a-z_]+)", QUERIES[name]["sql"])))


async def rows(ds: Any, name: str, **params: str) -> list[dict[str, Any]]:
    response = await ds.client.get(f"/convenio/{name}.json", params={**params, "_shape": "array"})
    assert response.status_code == 200, response.text
    return response.json()


Check = Callable[[list[dict[str, Any]]], bool]

# query -> (parameters, check on the rows of the sample database, written by the real store).
CANNED: dict[str, tuple[dict[str, str], Check]] = {
    "paper_only_agreements": (
        {"country": "mx", "level": "state"},
        lambda r: [(x["document_id"], bool(x["reason"])) for x in r] == [(D, True)],
    ),
    "commitments_without_indicator": (
        {"lang": "es", "theme": "", "strength": ""},
        lambda r: {x["evidence"] for x in r} == {f"commitment:{A}:c2", f"commitment:{C}:c0", f"commitment:{C}:c1"},
    ),
    "measurable_by_theme": (
        {"year": "", "country": ""},
        lambda r: {x["theme"]: (x["commitments"], x["measurable"]) for x in r} == {
            "education": (2, 2), "culture": (2, 1), "technology_innovation": (1, 1), "public_safety": (1, 0),
            "environment": (1, 0), "trade_investment": (2, 0)},
    ),
    "agreements_by_partner": (
        {"country": "us", "level": "municipal", "kind": ""},
        lambda r: {x["partner"] for x in r} == {"City of El Paso", "Ciudad de San Diego"},
    ),
    "agreements_by_country_level": (
        {"country": "MX"},
        lambda r: {(x["level"], x["agreements"], x["paper_only"]) for x in r}
        == {("municipal", 2, 1), ("state", 1, 1), ("other", 1, 0)},
    ),
    "expiring_or_renewal": (
        {"today": "2024-04-01", "months": "2"},
        lambda r: [(x["document_id"], x["action"], x["term_ends_on"]) for x in r] == [
            (A, "expires: a new agreement is needed to continue", "2024-05-10"),
            (D, "renews automatically unless a party gives notice", "2024-06-01")],
    ),
    "followup_due": (
        {"today": "2022-03-10", "days": "14"},
        lambda r: [(x["document_id"], x["months_after_signing"], x["follow_up_on"]) for x in r] == [
            (B, 12, "2022-03-03")],
    ),
    "partners_network": (
        {"country": ""},
        lambda r: len(r) == 4 and all(x["agreements"] == 1 for x in r)
        and {(x["partner_a"], x["partner_b"]) for x in r} >= {("State of Texas", "State of Nuevo Leon")},
    ),
    "flags": ({"verdict": "", "user": ""}, lambda r: r == []),
    "search_commitments": (
        {"q": "comprometen"},
        lambda r: {x["evidence"] for x in r} == {f"commitment:{A}:c0", f"commitment:{A}:c1"},
    ),
    "search_pages": ({"q": "Juarez"}, lambda r: {x["document_id"] for x in r} == {A}),
}


def test_every_canned_query_is_tested_with_all_its_parameters() -> None:
    assert set(QUERIES) == set(CANNED)
    for name, (params, _) in CANNED.items():
        assert set(params) == set(parameters(name)), name


def test_canned_queries_are_titled_and_described() -> None:
    for name, query in QUERIES.items():
        assert len(query.get("title", "")) > 10 and len(query.get("description", "")) > 40, name
        # Datasette shows descriptions as plain text: markdown would show up as backticks.
        assert "`" not in query["description"], name
        # Readers see what a query answers; the SQL is one click away.
        assert query.get("hide_sql") is True, name


@pytest.mark.parametrize("name", sorted(CANNED))
async def test_canned_query_results(ds: Any, name: str) -> None:
    params, check = CANNED[name]
    result = await rows(ds, name, **params)
    assert check(result), result
    html = await ds.client.get(f"/convenio/{name}", params=params)
    assert html.status_code == 200
    assert QUERIES[name]["title"] in html.text
    # The page title names the query, not its SQL.
    title = re.search(r"<title>(.*?)</title>", html.text, re.S).group(1)
    assert "select" not in title.lower() and QUERIES[name]["title"] in title


@pytest.mark.parametrize("name, parameter", [(n, p) for n in sorted(CANNED) for p in parameters(n)])
async def test_canned_query_parameter_is_bound_not_pasted(ds: Any, db_path: Path, name: str,
                                                          parameter: str) -> None:
    """A hostile value is a value: it matches nothing, raises no SQL error and changes nothing."""
    before = db_path.stat().st_mtime_ns
    params = {**CANNED[name][0], parameter: HOSTILE}
    assert await rows(ds, name, **params) == []
    for hostile in ("1); drop table documents; --", "' union select sql, 1, 1 from sqlite_master --"):
        response = await ds.client.get(f"/convenio/{name}.json", params={**params, parameter: hostile})
        assert response.status_code == 200, response.text
        assert "create table" not in response.text.lower()
    assert db_path.stat().st_mtime_ns == before
    assert len(await rows(ds, "paper_only")) == 2


async def test_canned_query_forms_offer_every_parameter(ds: Any) -> None:
    for name in CANNED:
        html = (await ds.client.get(f"/convenio/{name}")).text
        for parameter in parameters(name):
            assert f'name="{parameter}"' in html, (name, parameter)


# --------------------------------------------------------------------------- date queries


async def test_automatic_renewal_comes_up_every_term(ds: Any) -> None:
    # D (term P2Y, automatic renewal) ended 2024-06-01, so it comes up again on 2026-06-01; A has expired.
    found = await rows(ds, "expiring_or_renewal", today="2025-01-01", months="18")
    assert [(x["document_id"], x["term_ends_on"], x["renewals_so_far"]) for x in found] == [(D, "2026-06-01", 1)]


async def test_term_end_computed_from_signing_and_term(ds: Any) -> None:
    # B states no expiry: signed 2021-03-03 with a three-year term (P3Y).
    found = await rows(ds, "expiring_or_renewal", today="2024-03-01", months="1")
    assert [(x["document_id"], x["term_ends_on"]) for x in found] == [(B, "2024-03-03")]


async def test_date_queries_default_to_today(ds: Any) -> None:
    from datetime import date, timedelta

    today = date.today()
    # A follow-up window of D (signed 2022-06-01) is "due now" only if today is near it: compare
    # the empty parameters with today's date given explicitly.
    for name, params in (("expiring_or_renewal", {"months": ""}), ("followup_due", {"days": "4000"})):
        implicit = await rows(ds, name, today="", **params)
        explicit = await rows(ds, name, today=today.isoformat(), **params)
        assert implicit == explicit, name
    assert await rows(ds, "followup_due", today="", days="4000"), "a wide window finds something"
    yesterday = (today - timedelta(days=1)).isoformat()
    assert await rows(ds, "followup_due", today="not a date", days="4000") == []
    assert isinstance(await rows(ds, "followup_due", today=yesterday, days=""), list)


def dated(doc_id: str, signed_on: Optional[str], term: Optional[str], renewal: Optional[str] = None,
          entry: Optional[str] = None) -> Document:
    text = f"Agreement {doc_id[:4]}. The parties shall meet."
    doc = Document(id=doc_id, path=f"{doc_id[:4]}.txt", media_type="text/plain", title=f"Agreement {doc_id[:4]}",
                   kind="mou", languages=["en"], signed_on=signed_on, term=term)
    doc.pages = [Page(number=1, text=text, source="plain", lang="en")]
    doc.parties = [Party("City of Laredo", "US", "municipal", "municipality", "en",
                         evidence=Evidence(page=1, start=0, end=9))]
    doc.dates = [DateFact(kind, value, value, "en") for kind, value in
                 (("signed", signed_on), ("term", term), ("renewal", renewal), ("entry_into_force", entry)) if value]
    doc.paper_only = True
    doc.measurability = Measurability(score=0.0, commitments=0, reasons=["no commitments found"])
    return doc


@pytest.fixture()
def dated_ds(tmp_path: Path) -> Any:
    from pipeline import store

    db = store.connect(tmp_path / "dated.db")
    docs = [
        dated("1" * 64, "2020-01-15", "P2Y", "renewable"),  # decision due 2022-01-15, then unknown
        dated("2" * 64, "2001", "P5Y", "automatic"),  # partial signing date: cannot be placed
        dated("3" * 64, "2020-03-01", "P1Y6M", None, entry="P30D"),  # in force 30 days after signing
        dated("4" * 64, "2020-05-01", "indefinite", None),
        dated("5" * 64, "2021-02-28", "P1Y", "automatic"),
    ]
    for doc in docs:
        store.write_document(db, doc, version="test")
    db.close()
    return make_datasette(tmp_path / "dated.db", flags=tmp_path / "flags.db", environ={})


async def test_renewable_is_a_decision_not_an_automatic_cycle(dated_ds: Any) -> None:
    found = await rows(dated_ds, "expiring_or_renewal", today="2021-12-01", months="2")
    assert [(x["document_id"][:1], x["term_ends_on"], x["action"]) for x in found] == [
        ("1", "2022-01-15", "up for renewal: the parties may renew it")]
    # After its first term a renewable agreement is not assumed to have been renewed.
    assert [x["document_id"][:1] for x in await rows(dated_ds, "expiring_or_renewal", today="2023-12-01",
                                                     months="2")] == []


async def test_entry_into_force_delay_and_compound_terms(dated_ds: Any) -> None:
    # Signed 2020-03-01, in force 30 days later (2020-03-31), for 1 year 6 months: ends 2021-09-30.
    found = await rows(dated_ds, "expiring_or_renewal", today="2021-09-01", months="1")
    assert [(x["document_id"][:1], x["term_ends_on"]) for x in found] == [("3", "2021-09-30")]


async def test_partial_and_indefinite_dates_are_left_out(dated_ds: Any) -> None:
    every_year = await rows(dated_ds, "expiring_or_renewal", today="2000-01-01", months="1200")
    assert {x["document_id"][:1] for x in every_year} == {"1", "3", "5"}
    followups = await rows(dated_ds, "followup_due", today="2021-01-01", days="3650")
    assert {x["document_id"][:1] for x in followups} == {"1", "3", "4", "5"}


async def test_automatic_renewal_cycles_from_month_ends(dated_ds: Any) -> None:
    found = await rows(dated_ds, "expiring_or_renewal", today="2025-01-01", months="3")
    assert [(x["document_id"][:1], x["term_ends_on"], x["renewals_so_far"]) for x in found] == [("5", "2025-02-28", 3)]


def test_period_functions() -> None:
    assert add_duration("2019-05-10", "P5Y") == "2024-05-10"
    assert add_duration("2020-03-01", "P30D") == "2020-03-31"
    assert add_duration("2020-01-31", "P1M") == "2020-02-29"
    assert add_duration("2020-01-01", "P1Y6M") == "2021-07-01"
    assert add_duration("2020-01-01", "PT72H") == "2020-01-04"
    for start, period in (("2001", "P5Y"), ("2001-05", "P1Y"), ("2020-02-30", "P1Y"), ("2020-01-01", "indefinite"),
                          ("2020-01-01", "P0Y"), ("2020-01-01", "PT2H"), (None, "P1Y"), ("2020-01-01", None)):
        assert add_duration(start, period) is None, (start, period)
    assert iso_date("2024-02-29") == "2024-02-29" and iso_date("2023-02-29") is None


async def test_flags_query_shows_verdict_then_and_now(ds: Any, flags_db: Path) -> None:
    add_flag(flags_db, C, "dispute", False, "was measurable")
    found = await rows(ds, "flags", verdict="dispute", user="ana")
    assert [(x["document_id"], x["verdict_flagged"], x["verdict_now"]) for x in found] == [
        (C, "not paper-only", "paper-only")]
    assert await rows(ds, "flags", verdict="confirm", user="") == []
