"""A real PostgreSQL server for the integration tests (scripts/start_postgres.sh, 127.0.0.1).
In CI (CI=true) missing PostgreSQL binaries fail the tests; elsewhere they skip them."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.airflow_harness import REPO

START = REPO / "scripts" / "start_postgres.sh"


def _have_postgres() -> bool:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"], "initdb").exists()
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or bool(shutil.which("initdb"))


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if not _have_postgres():
        message = (
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install them "
            "(Debian: apt-get install -y postgresql; .ci/run does) or set PG_BIN"
        )
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    # Its own folder under the system temp dir: as root the server runs as `postgres`, which
    # cannot enter pytest's private tmp_path.
    folder = tempfile.mkdtemp(prefix="thads-pg.")
    proc = subprocess.run([str(START), folder], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"start_postgres.sh failed:\n{proc.stderr}"
    url = proc.stdout.strip().splitlines()[-1]
    assert url.startswith("postgresql+psycopg2://") and "@127.0.0.1:" in url, url
    try:
        yield url
    finally:
        subprocess.run([str(START), "--stop", folder], capture_output=True, timeout=120)
