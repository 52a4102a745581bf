"""A real `thads serve` for tests: the CLI in a child process on 127.0.0.1 (port 0), its own
THADS_HOME and landing zone, tokens issued for two provinces; and test reports."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from thads import tokens
from thads.config import Paths
from thads.generate import Report, build_report


def report(code: str, year: int = 2024, months: int = 11, broken: bool = False) -> Report:
    """A correct report of a province (or one whose cases sheet breaks an identity)."""
    base = build_report(
        code, year, 10,
        cases_totals={"must_enforce": 3000, "with_conditions": 2000, "done": 1600},
        money_totals={"must_enforce": 900_000, "with_conditions": 500_000, "done": 200_000},
        n_offices=3, rng=random.Random(code),
    )  # fmt: skip
    out = Report(code, year, months, list(base.offices), base.cases, base.money)
    if broken:
        out.cases[0]["without_conditions"] += 2
    return out


@dataclass
class Site:
    url: str
    paths: Paths
    landing: Path
    proc: subprocess.Popen[str]
    tokens: dict[str, str] = field(default_factory=dict)  # province code -> token text
    token_ids: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def start_site(
    root: Path, max_upload_mb: float = 1.0, codes: tuple[str, ...] = ("80", "02")
) -> Site:
    paths = Paths(root / "home").ensure()
    landing = root / "landing"
    landing.mkdir(parents=True, exist_ok=True)
    issued = {code: tokens.issue(paths, code, note=f"test {code}") for code in codes}
    command = [
        sys.executable, "-m", "thads.cli", "--home", str(paths.home), "serve", "--port", "0",
        "--landing", str(landing), "--max-upload-mb", str(max_upload_mb),
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    line = proc.stdout.readline() if proc.stdout else ""
    if "http://127.0.0.1:" not in line:
        proc.kill()
        raise AssertionError(f"thads serve did not start: {line!r} {proc.stderr.read()}")
    url = line.split(" on ", 1)[1].split()[0].rstrip("/")
    site = Site(url, paths, landing, proc)
    site.tokens = {code: token for code, (_, token) in issued.items()}
    site.token_ids = {code: record.id for code, (record, _) in issued.items()}
    _wait_until_up(site)
    return site


def _wait_until_up(site: Site, bound: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        try:
            httpx.get(site.url + "/check", timeout=2)
            return
        except httpx.TransportError:
            assert site.proc.poll() is None, site.proc.stderr.read() if site.proc.stderr else ""
            time.sleep(0.1)
    raise AssertionError("thads serve did not answer")
