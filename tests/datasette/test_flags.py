"""Auditor flags and accounts: who may write what, and that secrets stay secret."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.serve import auditors_from_env, flags_path, make_datasette

from sample_agreements import AUDITOR_PASSWORD, REAL, REPO, add_flag

C = "c" * 64
pytestmark = pytest.mark.anyio


async def rows(ds: Any, path: str, **params: str) -> list[dict[str, Any]]:
    response = await ds.client.get(path, params={**params, "_shape": "array"})
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
    """The form token of ``path`` and the cookies that go with it."""
    page = await ds.client.get(path, cookies=cookies)
    match = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    return (match.group(1) if match else ""), {**cookies, "ds_csrftoken": page.cookies.get("ds_csrftoken", "")}


def stored_flags(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("select document_id, verdict, user, pipeline_paper_only, note from flags").fetchall()
    finally:
        conn.close()


# --------------------------------------------------------------------------- accounts


def test_auditors_from_env() -> None:
    env = {"CONVENIO_AUDITOR_PASSWORD_HASH": "pbkdf2_sha256$1$a$b", "CONVENIO_ANA_PASSWORD_HASH": "x",
           "CONVENIO_EMPTY_PASSWORD_HASH": " ", "OTHER": "y"}
    assert auditors_from_env(env) == {"auditor": "pbkdf2_sha256$1$a$b", "ana": "x"}


async def test_password_hashes_are_never_published(ds: Any, auditor_hash: str) -> None:
    salt_and_digest = auditor_hash.split("$", 2)[2]
    for path in ("/-/metadata.json", "/-/metadata", "/.json", "/-/plugins.json", "/-/settings.json",
                 "/-/databases.json", "/-/actor.json", "/-/login", "/convenio.json", "/-/versions.json"):
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        assert salt_and_digest not in response.text and "pbkdf2_sha256$" not in response.text, path
    published = (await ds.client.get("/-/metadata.json")).json()["plugins"]["datasette-auth-passwords"]
    assert published["auditor_password_hash"] == {"$env": "CONVENIO_AUDITOR_PASSWORD_HASH"}
    await login(ds)  # and the account still works


def test_no_password_or_hash_in_repository_files() -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    # A real hash: iterations, salt and digest (the tests' made-up "pbkdf2_sha256$1$a$b" is not one).
    secret = re.compile(rb"pbkdf2_sha256\$\d{4,}\$\w{8,}\$[A-Za-z0-9+/=]{20,}")
    leaks = [name for name in tracked.decode().split("\0") if name and (REPO / name).is_file()
             and secret.search((REPO / name).read_bytes())]
    assert not leaks, leaks


async def test_no_accounts_without_environment(db_path: Path, tmp_path: Path) -> None:
    ds = make_datasette(db_path, flags=tmp_path / "f.db", environ={})
    page = await ds.client.get("/-/login")
    assert "does not have any configured accounts" in page.text


async def test_wrong_password_is_refused(ds: Any) -> None:
    token, cookies = await csrf(ds, "/-/login", {})
    response = await ds.client.post("/-/login", data={"username": "auditor", "password": "guess",
                                                      "csrftoken": token}, cookies=cookies)
    assert response.status_code == 200 and "Invalid username or password" in response.text
    assert "ds_actor" not in response.cookies


# --------------------------------------------------------------------------- who may flag


async def test_anonymous_reads_flags_but_sees_no_form(ds: Any, flags_db: Path) -> None:
    add_flag(flags_db, C, "confirm", True, "visible to all")
    page = (await ds.client.get(f"/-/agreement/{C}")).text
    assert "visible to all" in page and "flag-form" not in page and "Log in as an auditor" in page
    assert [r["note"] for r in await rows(ds, "/flags/flags.json")] == ["visible to all"]


async def test_forged_flag_posts_are_refused(ds: Any, flags_db: Path) -> None:
    """Every way of posting a flag other than the form of a logged-in auditor is refused."""
    anonymous_token, anonymous_cookies = await csrf(ds, "/-/login", {})
    auditor = await login(ds)
    auditor_token, auditor_cookies = await csrf(ds, f"/-/agreement/{C}", auditor)
    other_browser_token, _ = await csrf(ds, "/-/login", {})
    plain_actor = {"ds_actor": ds.sign({"a": {"id": "visitor"}}, "actor")}
    visitor_token, visitor_cookies = await csrf(ds, f"/-/agreement/{C}", plain_actor)
    form = {"verdict": "dispute", "note": "forged"}
    attempts = {
        "no login, no cookies": dict(data=form),
        "no login, valid form token": dict(data={**form, "csrftoken": anonymous_token}, cookies=anonymous_cookies),
        "auditor, no token": dict(data=form, cookies=auditor),
        "auditor, token of another browser": dict(data={**form, "csrftoken": other_browser_token},
                                                  cookies=auditor_cookies),
        "auditor, bearer header instead of token": dict(data=form, cookies=auditor,
                                                        headers={"authorization": "Bearer x"}),
        "auditor, JSON body": dict(json=form, cookies=auditor_cookies,
                                   headers={"authorization": "Bearer x"}),
        "unsigned actor cookie": dict(data={**form, "csrftoken": auditor_token},
                                      cookies={**auditor_cookies,
                                               "ds_actor": json.dumps({"a": {"id": "auditor", "role": "auditor"}})}),
        "logged in, not an auditor": dict(data={**form, "csrftoken": visitor_token}, cookies=visitor_cookies),
    }
    for name, request in attempts.items():
        response = await ds.client.post(f"/-/flag/{C}", **request)
        assert response.status_code == 403, (name, response.status_code, response.text[:200])
    assert (await ds.client.get(f"/-/flag/{C}", cookies=auditor)).status_code == 405
    assert stored_flags(flags_db) == []


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
    missing = await ds.client.post(f"/-/flag/{'0' * 64}", data={"verdict": "confirm", "csrftoken": token},
                                   cookies=cookies)
    assert missing.status_code == 404
    assert stored_flags(flags_db) == [(C, "confirm", "auditor", 1, "Sólo declaraciones de intención.")]
    created_at = sqlite3.connect(flags_db).execute("select created_at from flags").fetchone()[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", created_at)
    page = (await ds.client.get(f"/-/agreement/{C}")).text
    assert "Sólo declaraciones de intención." in page and "auditor" in page
    listed = await rows(ds, "/convenio/flags.json", verdict="confirm", user="")
    assert [(r["document_id"], r["user"], r["verdict_flagged"]) for r in listed] == [(C, "auditor", "paper-only")]
    confirmed = {r["document_id"]: r["confirmed"] for r in await rows(ds, "/convenio/paper_only_agreements.json",
                                                                       country="", level="")}
    assert confirmed[C] == 1


async def test_extracted_data_stays_read_only(ds: Any, db_path: Path, flags_db: Path) -> None:
    cookies = await login(ds)
    before = db_path.stat().st_mtime_ns
    assert not ds.databases["convenio"].is_mutable
    for path, sql in (("/convenio.json", "delete from documents"), ("/convenio.json", "delete from flags.flags"),
                      ("/flags.json", "delete from flags"),
                      ("/flags.json", "insert into flags (document_id, verdict, user, created_at) "
                                      "values ('x', 'confirm', 'x', 'x')")):
        response = await ds.client.get(path, params={"sql": sql}, cookies=cookies)
        assert response.status_code == 400, (path, sql)
    # Only the login, logout, password-tool and flag forms accept a POST; nothing else is routed.
    for path in ("/convenio/documents/-/insert", "/flags/flags/-/insert", "/convenio/-/create", "/flags/flags",
                 "/convenio.json?sql=delete+from+documents", "/-/flag", "/-/flag/x/y", "/-/messages"):
        token, with_token = await csrf(ds, f"/-/agreement/{C}", cookies)
        response = await ds.client.post(path, json={"row": {"id": "x"}}, cookies=with_token,
                                        headers={"x-csrftoken": token})
        assert response.status_code == 405, path
        assert (await ds.client.request("DELETE", path, cookies=with_token)).status_code == 405, path
    assert db_path.stat().st_mtime_ns == before
    assert stored_flags(flags_db) == []


# --------------------------------------------------------------------------- re-ingest


async def test_flags_survive_reingest_and_rebuild(tmp_path: Path, auditor_hash: str) -> None:
    """Flag an agreement ingested by ``convenio ingest``; force a re-ingest, then rebuild the
    database from scratch: the flag is still there, on the agreement page and in the flags query."""
    archive = tmp_path / "archive"
    archive.mkdir()
    for text in sorted(REAL.glob("*.txt"))[:2]:
        shutil.copy(text, archive / text.name)
    db = tmp_path / "convenio.db"

    def ingest(*extra: str) -> None:
        result = subprocess.run(
            [sys.executable, "-c", "from pipeline.cli import cli; cli()", "ingest", str(archive), "--db", str(db),
             "--executor", "inline", "--quiet", *extra], cwd=REPO, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr

    ingest()
    env = {"CONVENIO_AUDITOR_PASSWORD_HASH": auditor_hash}
    ds = make_datasette(db, environ=env, secret="s")
    doc_id = (await rows(ds, "/convenio/documents.json", _sort="id"))[0]["id"]
    cookies = await login(ds)
    token, cookies = await csrf(ds, f"/-/agreement/{doc_id}", cookies)
    response = await ds.client.post(f"/-/flag/{doc_id}", data={"verdict": "dispute", "note": "revisar",
                                                               "csrftoken": token}, cookies=cookies)
    assert response.status_code == 302
    ingest("--force")
    for db_file in db.parent.glob(db.name + "*"):
        db_file.unlink()
    ingest()
    assert flags_path(db).exists()
    again = make_datasette(db, environ=env, secret="s")
    assert [(r["document_id"], r["verdict"], r["note"]) for r in await rows(again, "/convenio/flags.json",
                                                                             verdict="", user="")] == [
        (doc_id, "dispute", "revisar")]
    assert "revisar" in (await again.client.get(f"/-/agreement/{doc_id}")).text
