"""Runs Airflow for the DAG tests in subprocesses (Airflow reads its config at import time, so
each test environment is a process environment, never pytest's own).

`airflow_env` builds the environment, `migrate` creates the metadata DB, `inspect_dags` and
`run_dags` call tests/airflow_dag_runner.py and return its JSON.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from thads.airflow_support import DEFAULT_SMALL_BATCH_FILES

REPO = Path(__file__).resolve().parents[1]
DAGS = REPO / "dags"
RUNNER = Path(__file__).with_name("airflow_dag_runner.py")
AIRFLOW = Path(sys.executable).with_name("airflow")


class WebhookSink:
    """A real local HTTP server that records the JSON alerts the notifier POSTs to it
    (THADS_ALERT_WEBHOOK_URL), for as long as the `with` block lasts."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                sink.payloads.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:  # keep pytest's output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookSink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def subjects(self) -> list[str]:
        return [p.get("subject", "") for p in self.payloads]


def airflow_env(
    airflow_home: Path, db_url: str | None = None, **extra: str | os.PathLike[str]
) -> dict[str, str]:
    """A clean Airflow environment: own AIRFLOW_HOME, our dags/, no examples, the given
    metadata DB (default: SQLite in AIRFLOW_HOME), plus `extra` (THADS_HOME, ...)."""
    airflow_home.mkdir(parents=True, exist_ok=True)
    # Nothing inherited from the caller's Airflow or THADS settings (`make test` exports
    # THADS_HOME; a developer may have alert channels configured).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "THADS_"))}
    env.update(
        {
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db_url
            or f"sqlite:///{airflow_home / 'airflow.db'}",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(
                os.pathsep
            ),
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _run(cmd: list[str], env: dict[str, str], log: Path, timeout: float) -> None:
    with log.open("w") as out:
        proc = subprocess.run(
            cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
        )
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-60:])
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}); log {log}:\n{tail}")


def migrate(env: dict[str, str], timeout: float = 300) -> None:
    """`airflow db migrate` on the environment's metadata DB."""
    log = Path(env["AIRFLOW_HOME"]) / "migrate.log"
    _run([str(AIRFLOW), "db", "migrate"], env, log, timeout)


def inspect_dags(env: dict[str, str], timeout: float = 180) -> dict[str, Any]:
    home = Path(env["AIRFLOW_HOME"])
    out = home / "inspect.json"
    _run([sys.executable, str(RUNNER), "inspect", str(out)], env, home / "inspect.log", timeout)
    return json.loads(out.read_text())


def run_dags(
    env: dict[str, str], runs: list[dict[str, Any]], name: str, timeout: float = 900
) -> list[dict[str, Any]]:
    """dag.test() each of `runs` ({"dag_id", "logical_date"?, "conf"?}) in one process, in
    order; returns one summary per run (state, tasks, XComs, Asset events)."""
    home = Path(env["AIRFLOW_HOME"])
    spec, out, log = home / f"{name}.spec.json", home / f"{name}.out.json", home / f"{name}.log"
    spec.write_text(json.dumps(runs))
    out.unlink(missing_ok=True)
    _run([sys.executable, str(RUNNER), "run", str(spec), str(out)], env, log, timeout)
    results = json.loads(out.read_text())
    assert len(results) == len(runs), f"only {len(results)} of {len(runs)} runs finished; {log}"
    return results


# --- Small landing zones -----------------------------------------------------------------

#: `thads generate --years 2024 --provinces ...`: 12 cumulative reports each, targets file.
LANDING_PROVINCES = ("01", "80", "92", "93")
#: A past period (2023, 12 months) in another folder, written with the generator's API in
#: the formats `thads generate` rarely picks (JSON, CSV pair).
PAST_FORMATS = {"01": "json", "80": "csv"}

#: {province_code: {measure: {numeric key: value}}} of the total rows of one period.
Totals = dict[str, dict[str, dict[str, float]]]


@dataclass
class Landing:
    folder: Path
    codes: list[str]
    n_files: int
    totals: dict[tuple[int, int], Totals]  # by (statistical_year, months)
    targets: dict[str, dict[str, float]] = field(default_factory=dict)  # code -> measure -> %


def generate_landing(folder: Path, year: int, codes: tuple[str, ...], seed: int) -> Landing:
    """`thads generate` for a few provinces; what to expect comes from its manifest."""
    cmd = [str(Path(sys.executable).with_name("thads")), "generate", "--out", str(folder)]
    cmd += ["--years", str(year), "--provinces", ",".join(codes), "--seed", str(seed)]
    subprocess.run([*cmd, "--quiet", "--processes", "1"], check=True, cwd=REPO, timeout=300)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["defective"] == 0, manifest["counts"]
    totals: dict[tuple[int, int], Totals] = {}
    for sub in manifest["submissions"]:
        period = (sub["statistical_year"], sub["months"])
        totals.setdefault(period, {})[sub["province_code"]] = sub["totals"]
    targets: dict[str, dict[str, float]] = {}
    with (folder / f"targets_{year}.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            targets[row["province_code"]] = {
                "cases": float(row["case_target_pct"]),
                "money": float(row["money_target_pct"]),
            }
    return Landing(folder, sorted(codes), manifest["counts"]["files"], totals, targets)


def write_landing(
    folder: Path, year: int, formats: dict[str, str], seed: int, months: int = 12
) -> Landing:
    """One cumulative report per province for (year, months) in the given formats, with
    random but valid figures, written with the generator's API."""
    import random

    from thads.generate import build_report, write_csv_pair, write_json, write_xlsx

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    totals: Totals = {}
    n_files = 0
    for code, fmt in sorted(formats.items()):
        cases_with = rng.randint(3000, 9000)
        money_with = rng.randint(100_000_000, 900_000_000)  # thousands of đồng
        report = build_report(
            code,
            year,
            months,
            cases_totals={
                "with_conditions": cases_with,
                "done": int(cases_with * rng.uniform(0.6, 0.95)),
            },
            money_totals={
                "with_conditions": money_with,
                "done": int(money_with * rng.uniform(0.3, 0.8)),
            },
            n_offices=rng.randint(3, 6),
            rng=rng,
        )
        assert report.errors() == [], report.errors()
        if fmt == "csv":
            n_files += len(write_csv_pair(report, folder))
        else:
            writer = write_json if fmt == "json" else write_xlsx
            writer(report, folder / report.filename(fmt))
            n_files += 1
        totals[code] = {measure: report.total(measure) for measure in ("cases", "money")}
    return Landing(folder, sorted(formats), n_files, {(year, months): totals})


def expected_ranking(totals: Totals, measure: str) -> dict[str, tuple[float, int]]:
    """province_code -> (rate_pct, competition rank) computed straight from the reports."""
    rates = {}
    for code, by_measure in totals.items():
        total = by_measure[measure]
        rates[code] = round(
            (total["completed"] + total["terminated"]) * 100.0 / total["with_conditions"], 2
        )
    return {code: (rate, 1 + sum(r > rate for r in rates.values())) for code, rate in rates.items()}


# --- The end-to-end scenario both DAG test modules run ------------------------------------


@dataclass
class Scenario:
    """A landing zone, the DAG runs over it and what they produced."""

    root: Path
    env: dict[str, str]
    thads_home: Path
    landing: Path
    past_landing: Path
    current: Landing | None = None
    past: Landing | None = None
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: Path | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)


#: The runs, in order: a scheduled load (landing zone from the Airflow Variable), a past
#: period from another folder (backfill), the build the Asset triggers failing (the warehouse
#: file blocked by a directory), the next scheduled load with no new files healing it (the
#: Asset is updated because a publish is pending) and the build that follows, the same load
#: again (nothing new, nothing pending: no Asset event), the deadline check of the 12-month
#: report of 2024, and a load whose landing zone is missing (a failing task).
def scenario_runs(past_landing: Path, warehouse: Path) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("load", {"dag_id": "thads_load", "logical_date": "2024-10-10T03:00:00+00:00"}),
        (
            "backfill",
            {
                "dag_id": "thads_load",
                "logical_date": "2023-10-10T03:00:00+00:00",
                "conf": {"landing": str(past_landing)},
            },
        ),
        (
            "broken_build",
            {
                "dag_id": "thads_build",
                "logical_date": "2024-10-10T03:10:00+00:00",
                "block": str(warehouse),
                "retries": 0,
            },
        ),
        (
            "heal",
            {
                "dag_id": "thads_load",
                "logical_date": "2024-10-10T03:30:00+00:00",
                "unblock": str(warehouse),
            },
        ),
        ("build", {"dag_id": "thads_build", "logical_date": "2024-10-10T03:40:00+00:00"}),
        ("reload", {"dag_id": "thads_load", "logical_date": "2024-10-10T04:00:00+00:00"}),
        # The 12-month report of 2024, checked by hand and judged now: the warehouse first saw
        # the files during this test (contract 6.1), so the provinces that sent one are late
        # and every other one is missing.
        (
            "deadlines",
            {"dag_id": "thads_deadlines", "conf": {"statistical_year": 2024, "months": 12}},
        ),
        # The landing zone is gone (an unmounted share): `plan` fails and the data team is
        # told. No retries here, or dag.test() would wait out the backoff.
        (
            "broken",
            {
                "dag_id": "thads_load",
                "logical_date": "2024-10-10T05:00:00+00:00",
                "conf": {"landing": str(past_landing.parent / "unmounted_share")},
                "retries": 0,
            },
        ),
    ]


def prepare_scenario(root: Path, db_url: str | None = None) -> Scenario:
    thads_home, landing, past = root / "thads_home", root / "landing", root / "past_landing"
    env = airflow_env(
        root / "airflow",
        db_url,
        THADS_HOME=thads_home,
        # The landing zone comes from the Airflow Variable (env-var backend), not THADS_LANDING.
        AIRFLOW_VAR_THADS_LANDING=landing,
    )
    env.pop("THADS_LANDING", None)
    scenario = Scenario(root, env, thads_home, landing, past)
    scenario.current = generate_landing(landing, 2024, LANDING_PROVINCES, seed=11)
    scenario.past = write_landing(past, 2023, PAST_FORMATS, seed=12)
    return scenario


def run_scenario(scenario: Scenario) -> Scenario:
    """All runs in one Airflow process, with alerts going to a local webhook."""
    from thads.config import Paths

    named = scenario_runs(scenario.past_landing, Paths(scenario.thads_home).warehouse)
    with WebhookSink() as webhook:
        env = {**scenario.env, "THADS_ALERT_WEBHOOK_URL": webhook.url}
        results = run_dags(env, [spec for _, spec in named], "scenario")
    scenario.alerts = webhook.payloads
    scenario.runs = {name: result for (name, _), result in zip(named, results, strict=True)}
    scenario.log = Path(scenario.env["AIRFLOW_HOME"]) / "scenario.log"
    return scenario


# --- What every scenario must show -----------------------------------------------------------


def _states(run: dict[str, Any]) -> dict[str, str]:
    return {task: info["state"] for task, info in run["tasks"].items()}


def _map_labels(run: dict[str, Any], task_id: str) -> list[str]:
    return sorted(
        info["map_label"] for name, info in run["tasks"].items() if name.startswith(f"{task_id}[")
    )


RAW_EVENT = {"uri": "thads://raw/", "task_id": "raw_updated"}


def assert_new_files_loaded(run: dict[str, Any], landing: Landing) -> None:
    """A load that found new files: a few mapped ingest chunks, labelled with their
    provinces, covering each province once, or for a small batch (at most
    DEFAULT_SMALL_BATCH_FILES files) no mapped task and every province ingested by plan;
    all green, Asset updated."""
    states = _states(run)
    assert run["state"] == "success", states
    labels = _map_labels(run, "ingest")
    in_plan = run["xcoms"]["plan"]["ingested_in_plan"]
    if landing.n_files <= DEFAULT_SMALL_BATCH_FILES:
        assert labels == [] and states["ingest"] == "skipped", states
        assert in_plan == landing.codes, run["xcoms"]["plan"]
        states.pop("ingest")
    else:
        assert in_plan == [], run["xcoms"]["plan"]
        assert 1 <= len(labels) <= 4, labels
        codes = sorted(code for label in labels for code in label.split(","))
        assert codes == landing.codes, labels
    assert all(s == "success" for s in states.values()), states
    assert run["xcoms"]["plan"]["n_files"] == landing.n_files, run["xcoms"]["plan"]
    committed = run["xcoms"]["validate_and_commit"]
    assert committed["new_data"] is True, committed
    assert committed["n_quarantined"] == 0, committed
    assert committed["n_loaded"] == sum(len(t) for t in landing.totals.values()), committed
    assert run["asset_events"] == [RAW_EVENT]


def assert_nothing_new(run: dict[str, Any]) -> None:
    """Re-running a load finds nothing: no ingest, no Asset event, so no rebuild."""
    states = _states(run)
    assert run["state"] == "success", states
    assert run["xcoms"]["plan"]["n_files"] == 0, run["xcoms"]["plan"]
    assert states["ingest"] == "skipped", states  # mapped over an empty list
    assert states["validate_and_commit"] == "success", states
    assert not run["xcoms"]["validate_and_commit"].get("new_data"), run["xcoms"]
    assert states["raw_updated"] == "skipped", states
    assert run["asset_events"] == []


def assert_build_failed_then_healed(scenario: Scenario) -> None:
    """The build failed (and said so to the data team); the next load found no new file but
    a pending publish, updated the Asset, and the build after it published."""
    broken, heal, build = (scenario.runs[k] for k in ("broken_build", "heal", "build"))
    assert broken["state"] == "failed", _states(broken)
    assert _states(broken)["dbt_build"] == "failed", _states(broken)
    assert heal["state"] == "success", _states(heal)
    assert heal["xcoms"]["plan"]["n_files"] == 0, heal["xcoms"]["plan"]
    assert not heal["xcoms"]["validate_and_commit"]["new_data"], heal["xcoms"]
    assert heal["xcoms"]["raw_updated"]["publish_pending"] is True, heal["xcoms"]
    assert heal["asset_events"] == [RAW_EVENT]
    assert build["state"] == "success", _states(build)
    subjects = [a["subject"] for a in scenario.alerts if a.get("audience") == "data_team"]
    assert subjects.count("[THADS] Airflow task failed: thads_build.dbt_build") == 1, subjects


def assert_ranking_in_warehouse(thads_home: Path, landing: Landing) -> None:
    """For every period of the landing zone, the ranking mart holds exactly the reporting
    provinces with the rates and competition ranks computed straight from the submitted
    totals ("2/4": ranked among those that reported, of 63 expected), and the targets of the
    targets file."""
    import duckdb

    from thads.config import Paths

    paths = Paths(thads_home)
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        for (year, months), totals in sorted(landing.totals.items()):
            for measure in ("cases", "money"):
                rows = con.execute(
                    "select province_code, rate_pct, rank, rank_label, n_ranked, n_expected, "
                    "target_pct from marts.fct_province_ranking where statistical_year = ? "
                    "and months = ? and measure = ? and rank is not null",
                    [year, months, measure],
                ).fetchall()
                where = (year, months, measure)
                found = {row[0]: row for row in rows}
                expected = expected_ranking(totals, measure)
                assert set(found) == set(expected), (where, sorted(found), sorted(expected))
                n = len(expected)
                for code, (rate, rank) in expected.items():
                    _, got_rate, got_rank, label, n_ranked, n_expected, target = found[code]
                    assert abs(float(got_rate) - rate) < 0.006, (where, code, got_rate, rate)
                    assert got_rank == rank, (where, code, got_rank, rank)
                    assert (label, n_ranked, n_expected) == (f"{rank}/{n}", n, 63), found[code]
                    if landing.targets:
                        assert target is not None, (where, code)
                        want = landing.targets[code][measure]
                        assert abs(float(target) - want) < 0.006, (where, code, target, want)
    assert paths.snapshot.is_file(), "publish wrote no snapshot"
    assert paths.report.is_file(), "publish wrote no HTML report"


def assert_missing_flagged(run: dict[str, Any], reported: list[str]) -> None:
    """The deadline check of the 12-month report of 2024, judged at the run: every legacy
    province but those that reported is missing; those that reported did so late (the
    warehouse first saw their files long after 4/10/2024)."""
    from thads.reference import provinces

    assert run["state"] == "success", _states(run)
    report = run["xcoms"]["missing_reports"]
    assert (report["statistical_year"], report["months"]) == (2024, 12), report
    assert report["deadline"] == "2024-10-04"
    missing = {row["province_code"] for row in report["missing"]}
    assert missing == {p.code for p in provinces(63)} - set(reported), missing
    assert {row["status"] for row in report["missing"]} == {"missing"}
    assert {row["province_code"] for row in report["late"]} == set(reported), report["late"]


def assert_alerts_reached_the_data_team(scenario: Scenario) -> None:
    """Through the notifier's webhook: the deadline alert (late provinces of 12/2024) and the
    failure alert of the task that could not read the landing zone."""
    from thads.reference import provinces

    assert scenario.current is not None
    reported = scenario.current.codes
    team = [a for a in scenario.alerts if a.get("audience") == "data_team"]
    subjects = [a["subject"] for a in team]
    n_late = len(provinces(63)) - len(reported)
    deadline = [a for a in team if "without an accepted report" in a["subject"]]
    assert len(deadline) == 1, subjects
    assert f"{n_late}/63" in deadline[0]["subject"], deadline[0]["subject"]
    assert "12 tháng năm 2024" in deadline[0]["subject"]
    text = deadline[0]["text"]
    assert all(f"- {code} " not in text for code in reported), text
    assert text.count("\n- ") == n_late, text
    failed = [a for a in team if a["subject"] == "[THADS] Airflow task failed: thads_load.plan"]
    assert len(failed) == 1, subjects
    assert "unmounted_share" in failed[0]["text"] and "FileNotFoundError" in failed[0]["text"]
    broken = scenario.runs["broken"]
    assert broken["state"] == "failed"
    assert broken["tasks"]["plan"]["state"] == "failed", broken["tasks"]


def assert_deadlines_match_dim_period(thads_home: Path) -> None:
    """The deadline DAG's calendar (thads.airflow_support) and the warehouse's
    dim_period.report_deadline are two implementations of one rule: they must agree."""
    import duckdb

    from thads.airflow_support import report_deadline
    from thads.config import Paths

    with duckdb.connect(str(Paths(thads_home).warehouse), read_only=True) as con:
        rows = con.execute(
            "select statistical_year, months, report_deadline from marts.dim_period"
        ).fetchall()
    assert len(rows) >= 12
    for year, months, deadline in rows:
        assert report_deadline(year, months) == deadline, (year, months, deadline)
