"""A full load through Airflow next to the same load by the CLI, on the same landing zone.

    python -m bench.bench_airflow [--years 2024] [--no-write]

CLI: `thads load` (pipeline.load: plan, ingest on both cores, validate, commit, build,
publish) into a fresh THADS_HOME. Airflow: the real stack as `make airflow` starts it
(scripts/airflow.sh; metadata on PostgreSQL from scripts/start_postgres.sh when its binaries
are here, else SQLite), a fresh THADS_HOME, one `thads_load` run triggered through the REST
API; the time runs from the trigger to the end of the `thads_build` run its Asset event
started (the ranking published). Writes the "airflow:" row of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bench.common import replace_rows
from tests.airflow_stack import AirflowStack

REPO = Path(__file__).resolve().parents[1]
START_POSTGRES = REPO / "scripts" / "start_postgres.sh"


def generate(folder: Path, years: str) -> int:
    from thads.generate.landing import generate_landing_zone

    first, _, last = years.partition("-")
    span = range(int(first), int(last or first) + 1)
    return generate_landing_zone(folder, years=span, seed=0, defects=0.0).submissions


def cli_load(landing: Path, home: Path) -> float:
    started = time.perf_counter()
    thads = str(REPO / ".venv" / "bin" / "thads")
    subprocess.run(
        [thads, "--home", str(home), "load", "--landing", str(landing)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def airflow_load(landing: Path, root: Path, db_url: str) -> tuple[float, dict[str, float]]:
    """Seconds from triggering thads_load to the end of the build it started, and the parts."""
    empty = root / "empty_landing"
    empty.mkdir(parents=True)
    stack = AirflowStack(
        root,
        db_url,
        THADS_HOME=root / "home",
        THADS_LANDING=empty,
        # Once a year: the stack's own first run finds the empty folder; ours is triggered.
        THADS_LOAD_SCHEDULE="0 0 1 1 *",
    )
    with stack:
        stack.wait_for_run("thads_load", lambda r: r["state"] in ("success", "failed"), 300)
        seen = {r["dag_run_id"] for r in stack.runs("thads_build")}
        started = time.perf_counter()
        run = stack.api(
            "POST",
            "/dags/thads_load/dagRuns",
            json={"logical_date": None, "conf": {"landing": str(landing)}},
        )
        load = stack.wait_for_run(
            "thads_load",
            lambda r: r["dag_run_id"] == run["dag_run_id"] and r["state"] in ("success", "failed"),
            1800,
        )
        assert load["state"] == "success", stack.task_states("thads_load", load["dag_run_id"])
        build = stack.wait_for_run(
            "thads_build", lambda r: r["state"] in ("success", "failed"), 1800, after=seen
        )
        total = time.perf_counter() - started
        assert build["state"] == "success", stack.task_states("thads_build", build["dag_run_id"])
        parts = {
            "load": seconds_between(load["start_date"], load["end_date"]),
            "build": seconds_between(build["start_date"], build["end_date"]),
        }
        return total, parts


def postgres(folder: Path) -> str | None:
    if not (shutil.which("initdb") or list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))):
        return None
    proc = subprocess.run(
        [str(START_POSTGRES), str(folder)], capture_output=True, text=True, check=True
    )
    return proc.stdout.strip().splitlines()[-1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", default="2024", help="statistical years to generate")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="thads-bench-airflow."))
    pg_dir = Path(tempfile.mkdtemp(prefix="thads-pg."))
    try:
        landing = root / "landing"
        n = generate(landing, args.years)
        cli = cli_load(landing, root / "cli_home")
        print(f"CLI: {cli:.1f} s for {n} submissions")
        db_url = postgres(pg_dir) or f"sqlite:///{root / 'airflow.db'}"
        airflow, parts = airflow_load(landing, root / "airflow_stack", db_url)
        print(f"Airflow: {airflow:.1f} s ({parts})")
    finally:
        if (pg_dir / "url").exists():
            subprocess.run([str(START_POSTGRES), "--stop", str(pg_dir)], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
    load_avg = os.getloadavg()[0]
    db = "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"
    row = (
        f"| airflow: full load of one landing zone ({n} submissions, {args.years}), trigger to "
        f"published | {cli:.1f} s: `thads load` (CLI) | {airflow:.1f} s: thads_load "
        f"({parts['load']:.1f} s) + Asset + thads_build ({parts['build']:.1f} s) | "
        f"{airflow / cli:.2f}x of CLI | goal ≤ 2x; real stack (scripts/airflow.sh, "
        f"WarmLocalExecutor, {db}); ingest in 4 mapped chunks (the build starts when "
        f"raw_updated ends, beside send_alerts); load avg {load_avg:.1f} on 2 cores shared "
        f"with other sessions; {datetime.now():%Y-%m-%d} |"
    )
    print(row)
    if not args.no_write:
        replace_rows("airflow:", [row])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
