"""Fixtures for the Datasette tests: the sample database, a configured Datasette, a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from sample_agreements import ARTIFACTS, AUDITOR_PASSWORD, REPO, build_database, free_port, real_archive


@pytest.fixture(scope="session")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory.mktemp("convenio-db"))


@pytest.fixture(scope="session")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real agreements (and a scanned and a printed copy) as ``convenio ingest`` stores them."""
    directory = tmp_path_factory.mktemp("real")
    db = directory / "convenio.db"
    result = subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import cli; cli()", "ingest",
         *map(str, real_archive(directory)), "--db", str(db), "--executor", "inline", "--quiet"],
        cwd=REPO, capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return db


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    # Datasette's test client runs on asyncio; anyio's pytest plugin drives the async tests.
    return "asyncio"


@pytest.fixture(scope="session")
def auditor_hash() -> str:
    from datasette_auth_passwords.utils import hash_password

    return hash_password(AUDITOR_PASSWORD)


@pytest.fixture()
def flags_db(tmp_path: Path) -> Path:
    return tmp_path / "flags.db"


@pytest.fixture()
def ds(db_path: Path, flags_db: Path, auditor_hash: str) -> Any:
    from pipeline.serve import make_datasette

    return make_datasette(db_path, flags=flags_db, environ={"CONVENIO_AUDITOR_PASSWORD_HASH": auditor_hash},
                          secret="test-secret")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, auditor_hash: str) -> Iterator[str]:
    """``convenio serve`` on a free local port, in a subprocess, for the browser tests."""
    directory = tmp_path_factory.mktemp("served")
    db = build_database(directory)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVENIO_")}
    env.update({"CONVENIO_AUDITOR_PASSWORD_HASH": auditor_hash, "CONVENIO_SECRET": "browser-test"})
    log = (directory / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from pipeline.cli import cli; cli()", "serve", "--db", str(db), "--port", str(port)],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError((directory / "serve.log").read_text())
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
