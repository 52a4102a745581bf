"""Build the warehouse: run dbt (`dbt_project/`) against THADS_HOME.

dbt runs in its own process so that its logging, global state and DuckDB connection never leak
into the caller (the CLI, an Airflow task). One dbt at a time: DuckDB has a single writer, so a
lock (per process and per THADS_HOME, across processes) serialises runs.

The exception is a process whose only job is building (`thads.warm_builder`, the builder
child of `thads watch`): it imports dbt once (3-4 s per fresh process) and runs each build
in itself (`in_process=True`) with a fresh `dbtRunner`, under the same lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from thads import contract, log
from thads.config import DBT_PROJECT_DIR, Paths
from thads.durable import exclusive_lock

_log = log.get_logger("build")

#: run_results statuses that mean a node did not do its job.
_FAILED = {"error", "fail", "runtime error"}
#: Colour codes dbt (and the unit-test diff) put in messages: noise in logs and exceptions.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

#: Niceness of a warehouse build (dbt, and `thads watch`'s build + publish child): when the
#: CPU is contended, a province's answer (parse, validate, alert) goes first.
BUILD_NICENESS = 10


def at_build_priority(pid: int) -> None:
    """Lower process `pid` to BUILD_NICENESS (never raise it: an already nicer process
    stays as it is). Threads and processes it starts afterwards inherit it. Best effort: a
    process that already ended, or a platform without priorities, is left alone."""
    with suppress(OSError, AttributeError):
        current = os.getpriority(os.PRIO_PROCESS, pid)
        os.setpriority(os.PRIO_PROCESS, pid, max(current, BUILD_NICENESS))


class DbtError(RuntimeError):
    """A dbt command failed. `failures` lists each failing node: name, status, message."""

    def __init__(self, message: str, failures: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.failures = failures or []


def dbt_target_dir(paths: Paths) -> Path:
    """dbt's target folder (`Paths.dbt_target`)."""
    return paths.dbt_target


def dbt_log_dir(paths: Paths) -> Path:
    return paths.dbt_logs


def dbt_docs_dir(paths: Paths) -> Path:
    """Where `dbt docs generate` writes index.html, manifest.json and catalog.json."""
    return dbt_target_dir(paths)


def docs_stamp(paths: Paths) -> Path:
    """The project fingerprint the docs in dbt_docs_dir were generated from."""
    return dbt_target_dir(paths).parent / "docs_project.sha256"


def docs_current(paths: Paths, fingerprint: str) -> bool:
    """The docs describe this project already: models, columns and descriptions come from
    the project, so a load that only brings raw data leaves them as they are."""
    stamp = docs_stamp(paths)
    return (dbt_docs_dir(paths) / "static_index.html").exists() and (
        stamp.exists() and stamp.read_text(encoding="utf-8").strip() == fingerprint
    )


def dbt_executable() -> list[str]:
    """The dbt next to this interpreter (`.venv/bin/dbt`), else `python -m dbt.cli.main`."""
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return [str(candidate)]
    return [sys.executable, "-m", "dbt.cli.main"]


def dbt_env(paths: Paths) -> dict[str, str]:
    env = dict(os.environ)
    env["THADS_HOME"] = str(paths.home)
    # No network here: never phone home or check for a newer dbt.
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["DBT_VERSION_CHECK"] = "false"
    env["DBT_USE_COLORS"] = "false"
    env["DBT_USE_COLORS_FILE"] = "false"
    env.pop("DBT_PROFILES_DIR", None)
    # dbt imports ~1.300 modules: without cached bytecode every run recompiles them (~4 s of
    # CPU per dbt call). Where the environment forbids writing bytecode beside the sources,
    # the dbt subprocess keeps its own cache in dbt_project/target/ (gitignored) instead.
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        env.setdefault("PYTHONPYCACHEPREFIX", str(DBT_PROJECT_DIR / "target" / "pycache"))
    env.pop("DBT_PROJECT_DIR", None)
    return env


@contextmanager
def _exclusive(paths: Paths) -> Iterator[None]:
    """One dbt run at a time: in this process (threads) and on this THADS_HOME (processes)."""
    with exclusive_lock(paths.dbt_lock):
        yield


def _read_run_results(paths: Paths) -> list[dict[str, Any]]:
    path = dbt_target_dir(paths) / "run_results.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8")).get("results", [])


def _failures(results: list[dict[str, Any]]) -> list[dict[str, str]]:
    failed = []
    for result in results:
        if result.get("status") in _FAILED:
            unique_id = result.get("unique_id", "")
            failed.append(
                {
                    "node": unique_id,
                    "name": _node_name(unique_id),
                    "status": str(result.get("status")),
                    "message": _ANSI.sub("", str(result.get("message") or "")).strip(),
                }
            )
    return failed


def _node_name(unique_id: str) -> str:
    """`test.thads.unique_x.4b8fab4242` -> `unique_x`; `model.thads.fct_x` -> `fct_x`;
    `unit_test.thads.fct_x.test_y` -> `fct_x.test_y`."""
    parts = unique_id.split(".")
    if len(parts) < 3:
        return unique_id
    return ".".join(parts[2:]) if parts[0] == "unit_test" else parts[2]


def run_dbt(args: list[str], paths: Paths, in_process: bool = False) -> None:
    """Run `dbt <args>` on dbt_project/ with THADS_HOME = paths.home: a subprocess, or with
    `in_process` a fresh dbtRunner in this process (only in a process dedicated to building:
    dbt sets its environment, working directory and logging).

    Raises DbtError naming the failing models and tests (from run_results.json) or, when dbt
    failed before running anything (a compile error), the end of dbt's own output.
    """
    paths.ensure()
    target = dbt_target_dir(paths)
    logs = dbt_log_dir(paths)
    dbt_args = [
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(logs),
    ]
    with _exclusive(paths):
        run_results = target / "run_results.json"
        run_results.unlink(missing_ok=True)  # never report a previous run's results
        started = time.monotonic()
        if in_process:
            returncode, output = _invoke_in_process(dbt_args, paths)
        else:
            # Started, then lowered to BUILD_NICENESS before dbt has imported itself (a
            # second of Python start-up): its threads and the work it does inherit it.
            with subprocess.Popen(
                [*dbt_executable(), *dbt_args],
                cwd=DBT_PROJECT_DIR,
                env=dbt_env(paths),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ) as proc:
                at_build_priority(proc.pid)
                stdout, stderr = proc.communicate()
            returncode, output = proc.returncode, stdout + stderr
        seconds = round(time.monotonic() - started, 2)
    log.event(_log, "dbt", command=args[0], returncode=returncode, seconds=seconds, warm=in_process)
    if returncode == 0:
        return
    failures = _failures(_read_run_results(paths))
    if failures:
        lines = [f"  {f['name']} ({f['status']}): {f['message']}" for f in failures]
        raise DbtError(
            f"dbt {args[0]} failed on {len(failures)} node(s) "
            f"(warehouse {paths.warehouse}, logs {logs}):\n" + "\n".join(lines),
            failures,
        )
    output = _ANSI.sub("", output).strip()
    tail = "\n".join(output.splitlines()[-25:])
    raise DbtError(f"dbt {args[0]} failed (exit {returncode}) before running:\n{tail}")


def _invoke_in_process(args: list[str], paths: Paths) -> tuple[int, str]:
    """`dbt <args>` with a fresh dbtRunner in this process, in the environment and folder the
    subprocess would have; returns (exit code as dbt's CLI gives it, error text).

    Afterwards the warehouse file is closed: dbt-duckdb keeps its database open in a class
    attribute until the process exits, which would lock out every other writer and reader
    process (`thads load`, the publish's read-only attach, Airflow) between builds."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    env = dbt_env(paths)
    for name in set(os.environ) - set(env):
        del os.environ[name]
    os.environ.update(env)
    os.chdir(DBT_PROJECT_DIR)
    try:
        result = dbtRunner().invoke(args)
    finally:
        with DuckDBConnectionManager._LOCK:
            if DuckDBConnectionManager._ENV is not None:
                DuckDBConnectionManager._ENV.close()
                DuckDBConnectionManager._ENV = None
    if result.success:
        return 0, ""
    # dbt's CLI: 1 when nodes failed (run_results names them), 2 when dbt itself failed.
    return (1, "") if result.exception is None else (2, str(result.exception))


def build(
    paths: Paths | None = None,
    full_refresh: bool = False,
    docs: bool = True,
    unit_tests: bool = False,
    in_process: bool = False,
) -> dict:
    """Build the warehouse: `dbt build` (seeds, models, data tests), then the docs when the
    project changed since they were last generated (`docs_current`).

    `dbt build` loads the seeds itself, in dependency order, so one dbt process does what
    `dbt seed` + `dbt build` would. `full_refresh` rebuilds the incremental models from the
    whole raw layer. Unit tests check the SQL logic, not the data, so loads leave them out as
    dbt recommends for production builds; the test suite runs them (`unit_tests=True`).
    `in_process`: dbt runs in this process (`run_dbt`; thads.warm_builder only).
    Returns counts by resource type and status, timings and where things are.
    """
    from thads.reporting_calendar import write_calendar

    paths = (paths or Paths.from_env()).ensure()
    started = time.monotonic()
    fingerprint = project_fingerprint()
    stamp = paths.dbt / "built_project.sha256"
    # The reporting calendar covers the years present and today's: it changes when a new
    # year arrives (or on a new `holidays` release), and then everything reading it rebuilds.
    if write_calendar(paths):
        stamp.unlink(missing_ok=True)
    # A load only brings raw data. When the project (models, tests, seeds) is the one the
    # warehouse was last completely built with, rebuild and retest only what raw data feeds:
    # seeds, reference staging and dim_province cannot have changed.
    complete = (
        full_refresh
        or unit_tests
        or not paths.warehouse.exists()
        or not stamp.exists()
        or stamp.read_text(encoding="utf-8").strip() != fingerprint
    )
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if not complete:
        args += ["--select", "source:raw+"]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    # Every dbt command gets the same --vars: dbt keeps its partial parse only while vars,
    # profile and target are unchanged, so a `docs generate` without them made the next
    # load's build parse the whole project again (~5 s).
    dbt_vars = ["--vars", json.dumps(runtime_vars())]
    args += dbt_vars
    if complete:
        stamp.unlink(missing_ok=True)  # a failed complete build must not look complete
    run_dbt(args, paths, in_process)
    if complete:
        stamp.write_text(fingerprint + "\n", encoding="utf-8")
    results = _read_run_results(paths)
    build_seconds = round(time.monotonic() - started, 2)
    summary: dict[str, Any] = {
        "warehouse": str(paths.warehouse),
        "full_refresh": full_refresh,
        "selection": "all" if complete else "source:raw+",
        "build_seconds": build_seconds,
        "counts": _counts(results),
        "warnings": [
            _node_name(r.get("unique_id", "")) for r in results if r.get("status") == "warn"
        ],
        "docs": None,
    }
    if docs:
        docs_started = time.monotonic()
        summary["docs_generated"] = not docs_current(paths, fingerprint)
        if summary["docs_generated"]:
            docs_stamp(paths).unlink(missing_ok=True)
            # --no-compile: the build just compiled everything; the docs need the catalog.
            run_dbt(["docs", "generate", "--static", "--no-compile", *dbt_vars], paths, in_process)
            docs_stamp(paths).write_text(fingerprint + "\n", encoding="utf-8")
        summary["docs"] = str(dbt_docs_dir(paths) / "static_index.html")
        summary["docs_seconds"] = round(time.monotonic() - docs_started, 2)
    return summary


def runtime_vars(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """dbt vars set by configuration: THADS_SCORECARD_AMBER_PP (contract 6.2, default
    contract.SCORECARD_AMBER_PP), the points below target a scorecard stays amber."""
    env = os.environ if env is None else env
    text = env.get("THADS_SCORECARD_AMBER_PP", "").strip()
    if not text:
        return {"scorecard_amber_pp": contract.SCORECARD_AMBER_PP}
    try:
        amber = float(text.replace(",", "."))
    except ValueError:
        amber = -1.0
    if not amber >= 0:
        raise ValueError(
            f"THADS_SCORECARD_AMBER_PP={text!r}: expected a number of percentage points >= 0"
        )
    return {"scorecard_amber_pp": amber}


def project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """sha256 over every file of dbt_project/ that shapes the warehouse (not target/, logs/,
    nor dbt's own dotfiles)."""
    digest = hashlib.sha256()
    for path in sorted(project_dir.rglob("*")):
        relative = path.relative_to(project_dir)
        if not path.is_file() or relative.parts[0] in {"target", "logs"}:
            continue
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix not in {".sql", ".yml", ".yaml", ".csv", ".md"}:
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _counts(results: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """{resource type: {status: n}} from run_results, e.g. {"model": {"success": 14}}."""
    counts: dict[str, dict[str, int]] = {}
    for result in results:
        kind = result.get("unique_id", "unknown").split(".")[0]
        status = str(result.get("status"))
        counts.setdefault(kind, {}).setdefault(status, 0)
        counts[kind][status] += 1
    return counts
