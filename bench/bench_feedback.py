"""Province feedback latency (issue 17, scenario 4): a file lands -> the province's alert is
delivered AND its status is visible, with `thads watch` and under Airflow (event-driven).

    .venv/bin/python -m bench.bench_feedback [--quick] [--no-write] [--skip-airflow]
                                             [--skip-watch] [--out DIR]

Setup: the generated 2019-2025 zone (bench.zones) without its last two periods is
backfilled into THADS_HOME with `thads load --trust-mtime`; each variant starts from its own
copy of that home, with an empty landing folder. Then:
- 20 single arrivals: reports of the second-to-last period, one every `spacing` seconds,
  longer than the watcher's settle time, so a build starts after each arrival and the next
  one lands while it runs (the case where feedback could wait for dbt);
- a burst: the last period's reports (34 provinces) within a minute.
A submission's files are copied into the landing folder (mtime now, as an upload); its clock
starts when the last byte is written. "Delivered": the first alert of the batch that took
the file in, POSTed to a local webhook in this process and timestamped on receipt.
"Visible": the first time the registry, read-only (what `thads submissions` and the check
page read), shows the file's status. An arrival's latency is the later of the two.

Each variant replaces its own rows in bench/RESULTS.md ("feedback: <variant>:" and its
"goal feedback:" row), so `--skip-airflow` (`--skip-watch`) keeps the last Airflow (watch)
rows. The first single arrival's round is also replayed under cProfile (`round_profile`):
what bounds the answer. Under Airflow, each answer is split into its stages from Airflow's
own records after the run (`bench.feedback_stages`: trigger, run queued and started, each
task queued, started and ended); the records are saved in the work folder
(airflow-timeline.json) so the split can be recomputed without running Airflow again.
`--quick` (one province, two arrivals, no Airflow) writes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import bench_airflow, feedback_stages, profile_load, zones
from bench.bench_cycle import default_out, trust_mtime_args
from bench.common import GOALS_HEADER, HEADER, RESULTS, replace_rows
from bench.measure import run_measured, thads_command, thads_load
from ingest.registry import Registry
from tests.test_notify import Webhook
from thads.config import Paths

PREFIX = "feedback:"
GOAL_PREFIX = "goal feedback:"
DEFAULT_OUT = Path(__file__).parent / "out" / "feedback"
#: Seconds between two single arrivals: past `thads watch`'s default settle (5 s), so a
#: build runs when the next file lands.
WATCH_SPACING = 8.0
#: Under Airflow a load run takes longer; arrivals this far apart mostly find it idle.
AIRFLOW_SPACING = 20.0
#: The burst: every report of the last period within this many seconds.
BURST_SECONDS = 55.0
#: How often the registry is read for statuses.
POLL_SECONDS = 0.05
#: Give up on an arrival that got no feedback within this long.
ANSWER_TIMEOUT = 600.0

Submission = tuple[str, ...]  # the files of one submission (a CSV pair is two)


@dataclass(frozen=True)
class FeedbackZone:
    """A generated zone cut into a backfill, single arrivals and a burst."""

    source: Path
    backfill: tuple[str, ...]
    singles: tuple[Submission, ...]
    burst: tuple[Submission, ...]
    single_period: tuple[int, int]
    burst_period: tuple[int, int]


def split(zone: Path, years: range, n_singles: int) -> FeedbackZone:
    """Backfill: everything before the last two periods (and the targets). Singles: the
    first `n_singles` first submissions of the second-to-last period. Burst: every first
    submission of the last period. Resubmissions of those two periods are not landed."""
    data = zones.manifest(zone)
    entries = [e for e in data["submissions"] if e["statistical_year"] in years]
    periods = sorted({(e["statistical_year"], e["months"]) for e in entries})
    burst_period, single_period = periods[-1], periods[-2]
    backfill = [t for t in data["targets"] if int(t[8:12]) in years]
    singles, burst = [], []
    for entry in sorted(entries, key=lambda e: (e["province_code"], e["submission_key"])):
        period = (entry["statistical_year"], entry["months"])
        if period not in (single_period, burst_period):
            backfill.extend(entry["files"])
        elif entry["resubmission_of"]:
            continue
        elif period == burst_period:
            burst.append(tuple(entry["files"]))
        elif len(singles) < n_singles:
            singles.append(tuple(entry["files"]))
    return FeedbackZone(
        zone, tuple(backfill), tuple(singles), tuple(burst), single_period, burst_period
    )


def land(source: Path, files: Submission, landing: Path) -> float:
    """Copy a submission's files into `landing` (fresh mtime, as an upload writes them);
    returns the monotonic time its last byte was written."""
    for name in files:
        shutil.copyfile(source / name, landing / name)
    return time.monotonic()


@dataclass
class Observer:
    """What the outside world sees, timestamped on this process's monotonic clock: webhook
    POSTs (on receipt) and registry statuses (polled read-only)."""

    registry: Path
    webhook: Webhook = field(default_factory=Webhook)
    #: file name -> (first time its status was visible, status, batch_id)
    statuses: dict[str, tuple[float, str, str]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._known = self._listing_names()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _listing(self) -> list[dict[str, Any]]:
        with Registry(self.registry, readonly=True) as registry:
            return registry.listing()

    def _listing_names(self) -> set[str]:
        return {row["file"] for row in self._listing()}

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                rows = self._listing()
            except Exception:  # a reader racing a writer's first transaction: read again
                rows = []
            now = time.monotonic()
            for row in rows:
                name = row["file"]
                if name not in self._known and name not in self.statuses:
                    self.statuses[name] = (now, row["status"], row["batch_id"])
            self._stop.wait(POLL_SECONDS)

    def alert_time(self, batch_id: str) -> float | None:
        """When the first alert of `batch_id` reached the webhook."""
        for at, payload in zip(self.webhook.times, self.webhook.received, strict=False):
            if payload.get("batch_id") == batch_id:
                return at
        return None

    def answered(self, files: Submission) -> float | None:
        """When every file of the submission had its status visible and its alert
        delivered, or None while not yet."""
        moments = []
        for name in files:
            seen = self.statuses.get(name)
            if seen is None:
                return None
            alert = self.alert_time(seen[2])
            if alert is None:
                return None
            moments += [seen[0], alert]
        return max(moments)

    def file_answered(self, name: str) -> tuple[str, float]:
        """The batch that took the file in, and when its status and its batch's first
        alert had both been seen."""
        seen, _status, batch_id = self.statuses[name]
        return batch_id, max(seen, self.alert_time(batch_id) or seen)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.webhook.stop()


@dataclass
class Latencies:
    """Seconds from landing to feedback, per submission, in arrival order."""

    singles: list[float]
    burst: list[float]
    statuses: dict[str, int]
    #: When the last submission landed (monotonic).
    last_landed: float
    #: Each submission's files and when it landed (monotonic), in arrival order.
    landed: list[tuple[Submission, float]] = field(default_factory=list)

    @staticmethod
    def summary(values: Sequence[float]) -> str:
        return f"median {statistics.median(values):.2f} s, p95 {p95(values):.2f} s"

    @property
    def all(self) -> list[float]:
        return self.singles + self.burst


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (linear interpolation between the closest ranks)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=20, method="inclusive")[-1]


def play(
    zone: FeedbackZone,
    landing: Path,
    observer: Observer,
    spacing: float,
    alive: Callable[[], None],
) -> Latencies:
    """Land the singles `spacing` apart, then the burst within BURST_SECONDS; wait for
    every feedback. `alive` raises when the system under test died."""
    landed: list[tuple[Submission, float]] = []
    for files in zone.singles:
        landed.append((files, land(zone.source, files, landing)))
        _sleep_until(landed[-1][1] + spacing, alive)
    gap = BURST_SECONDS / max(1, len(zone.burst) - 1)
    started = time.monotonic()
    for i, files in enumerate(zone.burst):
        _sleep_until(started + i * gap, alive)
        landed.append((files, land(zone.source, files, landing)))
    latencies = []
    for files, at in landed:
        deadline = at + ANSWER_TIMEOUT
        while (answered := observer.answered(files)) is None:
            alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"no feedback for {files} within {ANSWER_TIMEOUT:.0f} s")
            time.sleep(POLL_SECONDS)
        latencies.append(answered - at)
    counts: dict[str, int] = {}
    for files, _ in landed:
        for name in files:
            status = observer.statuses[name][1]
            counts[status] = counts.get(status, 0) + 1
    n = len(zone.singles)
    return Latencies(latencies[:n], latencies[n:], counts, landed[-1][1], landed)


def _sleep_until(moment: float, alive: Callable[[], None]) -> None:
    while (left := moment - time.monotonic()) > 0:
        alive()
        time.sleep(min(left, 0.2))


# --- the two systems under test ----------------------------------------------------------


class Watcher:
    """`thads watch` (default settle and stability) as a child process; its JSON step
    lines collected with their arrival time."""

    def __init__(self, home: Path, landing: Path, webhook_url: str) -> None:
        env = {**os.environ, "THADS_HOME": str(home), "THADS_ALERT_WEBHOOK_URL": webhook_url}
        self.proc = subprocess.Popen(
            thads_command("watch", "--landing", str(landing)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.steps: list[tuple[float, dict[str, Any]]] = []
        self.stderr: list[str] = []
        threading.Thread(target=self._read_steps, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def _read_steps(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.steps.append((time.monotonic(), json.loads(line)))

    def alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError("thads watch died:\n" + "".join(self.stderr)[-3000:])

    def wait_for(self, event: str, timeout: float, after: float = 0.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, step in list(self.steps):
                if step["event"] == event and at >= after:
                    return step
            self.alive()
            time.sleep(0.1)
        raise RuntimeError(f"thads watch: no {event!r} within {timeout:.0f} s")

    def wait_for_build_after(self, landed: float, timeout: float) -> None:
        """Until a build + publish that started after `landed` has ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, step in list(self.steps):
                if step["event"] == "published" and at - step["seconds"] >= landed:
                    return
            self.alive()
            time.sleep(0.2)
        raise RuntimeError(f"thads watch: no build after the last arrival in {timeout:.0f} s")

    def events(self, name: str) -> list[dict[str, Any]]:
        return [step for _, step in self.steps if step["event"] == name]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=300)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def with_watch(zone: FeedbackZone, home: Path, landing: Path) -> tuple[Latencies, str]:
    observer = Observer(Paths.from_env(home).registry)
    watcher = Watcher(home, landing, observer.webhook.url)
    try:
        warm = watcher.wait_for("warm", 300)
        watcher.wait_for("watching", 60)
        latencies = play(zone, landing, observer, WATCH_SPACING, watcher.alive)
        builds_before = len(watcher.events("published"))
        # The burst settles, then it is built and published (after the build running).
        watcher.wait_for_build_after(latencies.last_landed, 900)
    finally:
        watcher.stop()
        observer.stop()
    builds = [step["seconds"] for step in watcher.events("published")]
    rounds = watcher.events("arrivals")
    notes = (
        f"warm-up (imports) {warm['seconds']:.1f} s once; {len(rounds)} rounds took the "
        f"{len(latencies.all)} submissions in ({_round_seconds(rounds)}); "
        f"{len(builds)} builds+publishes ({builds_before} during the arrivals), "
        f"median {statistics.median(builds):.1f} s"
    )
    return latencies, notes


def _round_seconds(rounds: list[dict[str, Any]]) -> str:
    """The median of each step of the watcher's rounds (what an answer is made of)."""
    if not rounds:
        return "no rounds"
    names = rounds[0]["seconds"]
    steps = {name: statistics.median(r["seconds"].get(name, 0.0) for r in rounds) for name in names}
    return "median round: " + ", ".join(f"{name} {s:.2f} s" for name, s in steps.items())


def with_airflow(zone: FeedbackZone, home: Path, landing: Path) -> tuple[Latencies, str]:
    from tests.airflow_stack import AirflowStack

    root = Path(tempfile.mkdtemp(prefix="thads-bench-feedback."))
    pg_dir = Path(tempfile.mkdtemp(prefix="thads-pg."))
    observer = Observer(Paths.from_env(home).registry)
    try:
        db_url = bench_airflow.postgres(pg_dir) or f"sqlite:///{root / 'airflow.db'}"
        stack = AirflowStack(
            root,
            db_url,
            THADS_HOME=home,
            THADS_LANDING=landing,
            THADS_ALERT_WEBHOOK_URL=observer.webhook.url,
            # The safety poll out of the way: every run here is started by an arrival.
            THADS_LOAD_SCHEDULE="0 0 1 1 *",
        )
        with stack:
            stack.wait_for_run("thads_load", lambda r: r["state"] in ("success", "failed"), 600)
            before = {r["dag_run_id"] for r in stack.runs("thads_load")}
            latencies = play(zone, landing, observer, AIRFLOW_SPACING, lambda: None)
            runs = [r for r in stack.runs("thads_load") if r["dag_run_id"] not in before]
            builds = stack.runs("thads_build")
            airflow = feedback_stages.timeline(stack, [r["dag_run_id"] for r in runs])
        timeline = {"airflow": airflow, "arrivals": arrivals(latencies, observer)}
        # Kept beside the bench's output: `python -m bench.feedback_stages` recomputes.
        saved = home.parent / "airflow-timeline.json"
        saved.write_text(json.dumps(timeline, indent=1), encoding="utf-8")
        try:
            stages = feedback_stages.summary(timeline)
            tasks = task_medians(feedback_stages.from_airflow(airflow))
        except Exception as exc:  # keep the measured latencies; the records are saved
            stages = f"stage breakdown failed ({exc!r}; records in {saved})"
            tasks = "not read"
        print(stages, flush=True)
        db = "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"
        durations = [
            bench_airflow.seconds_between(r["start_date"], r["end_date"])
            for r in runs
            if r["end_date"]
        ]
        notes = (
            f"real stack (scripts/airflow.sh, WarmLocalExecutor, {db}); {len(runs)} thads_load "
            f"runs started by the landing Asset's watcher (median run "
            f"{statistics.median(durations):.1f} s; median per task: {tasks}), "
            f"{len(builds)} thads_build runs; {stages}"
        )
        return latencies, notes
    finally:
        observer.stop()
        if (pg_dir / "url").exists():
            subprocess.run(
                [str(bench_airflow.START_POSTGRES), "--stop", str(pg_dir)], capture_output=True
            )
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(pg_dir, ignore_errors=True)


def task_medians(records: dict[str, Any]) -> str:
    """The median duration of each thads_load task over the load runs of `records` (what a
    run is made of; the rest of a run is the scheduler starting one task after another)."""
    durations: dict[str, list[float]] = {}
    for run in records["load_runs"]:
        for ti in run["tasks"]:
            if ti.get("duration") is not None:
                durations.setdefault(ti["task_id"], []).append(float(ti["duration"]))
    return ", ".join(f"{task} {statistics.median(v):.1f} s" for task, v in durations.items())


def arrivals(latencies: Latencies, observer: Observer) -> list[dict[str, Any]]:
    """Each submission's landing and each of its files' batch and answer, on the wall clock
    (epoch seconds, as Airflow's records are) for `feedback_stages`."""
    to_epoch = time.time() - time.monotonic()
    out = []
    for files, landed in latencies.landed:
        answers = {name: observer.file_answered(name) for name in files}
        out.append(
            {
                "landed": landed + to_epoch,
                "files": {name: [batch, at + to_epoch] for name, (batch, at) in answers.items()},
            }
        )
    return out


# --- what one answer is made of ---------------------------------------------------------


def profiled_round(source: Path, files: Submission, home: Path, output: Path) -> None:
    """In this process: what `thads watch` does for one arrival, under cProfile (imports
    warmed and the catch-up round done first, as the watcher does before it watches)."""
    import cProfile

    from thads.watch import LandingWatch, warm_up

    warm_up()
    landing = home.parent / "landing-profile"
    shutil.rmtree(landing, ignore_errors=True)
    landing.mkdir()
    watch = LandingWatch(landing, Paths.from_env(home))
    watch.take_in()
    land(source, files, landing)
    time.sleep(watch.stable_seconds + 0.2)  # ready by the readiness rule
    profiler = cProfile.Profile()
    result = profiler.runcall(watch.take_in)
    assert result["n_files"] == len(files), result
    profiler.dump_stats(str(output))


def round_profile(zone: FeedbackZone, backfilled: Path, out: Path) -> str:
    """The first single arrival's round replayed under cProfile on a copy of the
    backfilled home, in a fresh process: where the answer's time goes."""
    home = profile_load.copy_home(backfilled, out / "home-profile")
    output = out / "round.prof"
    files = zone.singles[0]
    command = [sys.executable, "-m", "bench.bench_feedback", "profile-round", str(zone.source)]
    run_measured([*command, str(home), str(output), *files])
    summary = profile_load.summarise(output)
    total = sum(s for label, s in summary if not label.startswith(" ") and label != "build")
    inner = ", ".join(f"{label.strip()} {seconds:.2f} s" for label, seconds in summary)
    return f"cProfile of one round ({files[0]}, {total:.2f} s of steps): {inner}"


# --- the bench ---------------------------------------------------------------------------


def prepare(
    out: Path, years: range, provinces: list[str] | None, n_singles: int, quick: bool
) -> tuple[FeedbackZone, Path]:
    """The zone (the cycle bench's, generated once), cut; the backfilled home (kept in
    `out`, rebuilt when missing)."""
    source = zones.generated(default_out(quick) / "zone", years, provinces=provinces)
    zone = split(source, years, n_singles)
    home = out / "home-backfilled"
    if not (home / "serving" / "thads.duckdb").exists():
        shutil.rmtree(out, ignore_errors=True)
        backfill = out / "landing-backfill"
        backfill.mkdir(parents=True)
        for name in zone.backfill:
            shutil.copy2(source / name, backfill / name)
        print(f"backfilling {len(zone.backfill)} files into {home} ...", flush=True)
        thads_load(backfill, home, *trust_mtime_args())
    return zone, home


def rows_for(name: str, zone: FeedbackZone, latencies: Latencies, notes: str, goal: float):
    load = os.getloadavg()[0]
    stamp = f"load avg {load:.1f} on {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}"
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(latencies.statuses.items()))
    spaced = f"{len(zone.singles)} single arrivals ({zone.single_period})"
    burst = f"a burst of {len(zone.burst)} ({zone.burst_period}) in {BURST_SECONDS:.0f} s"
    every = p95(latencies.all)
    row = (
        f"| {PREFIX} {name}: file landed -> alert delivered and status visible | goal p95 "
        f"< {goal:.0f} s | all {len(latencies.all)}: {Latencies.summary(latencies.all)}; "
        f"{spaced}: {Latencies.summary(latencies.singles)}; {burst}: "
        f"{Latencies.summary(latencies.burst)} | {every / goal:.2f} of goal | {notes}; "
        f"files: {statuses}; {stamp} |"
    )
    goal_row = (
        f"| {GOAL_PREFIX} province feedback with {name}, p95 | < {goal:.0f} s "
        f"| {every:.2f} s | {'yes' if every < goal else 'no'} |"
    )
    return row, goal_row


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run, writes nothing")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    parser.add_argument("--skip-airflow", action="store_true", help="only `thads watch`")
    parser.add_argument("--skip-watch", action="store_true", help="only Airflow")
    parser.add_argument("--out", type=Path, help="work folder (default bench/out/feedback)")
    args = parser.parse_args(argv)
    out = args.out or DEFAULT_OUT.with_name("feedback-quick" if args.quick else "feedback")
    if args.quick:
        years, provinces, n_singles = range(2024, 2025), ["92"], 2
    else:
        years, provinces, n_singles = range(2019, 2026), None, 20
    zone, backfilled = prepare(out, years, provinces, n_singles, args.quick)
    variants: list[tuple[str, Any, float]] = []
    if not args.skip_watch:
        variants.append(("`thads watch`", with_watch, 2.0))
    if not (args.quick or args.skip_airflow):
        variants.append(("Airflow (AssetWatcher)", with_airflow, 20.0))
    profile = "" if args.skip_watch else round_profile(zone, backfilled, out)
    print(profile, flush=True)
    for name, measure, goal in variants:
        home = profile_load.copy_home(backfilled, out / "home")
        landing = out / "landing"
        shutil.rmtree(landing, ignore_errors=True)
        landing.mkdir()
        latencies, notes = measure(zone, home, landing)
        if measure is with_watch:
            notes += f"; {profile}"
        row, goal_row = rows_for(name, zone, latencies, notes, goal)
        print(row, goal_row, sep="\n", flush=True)
        if not (args.no_write or args.quick):
            # Each variant its own rows: a run with --skip-airflow keeps the Airflow ones.
            replace_rows(f"{PREFIX} {name}:", [row], RESULTS, HEADER)
            replace_rows(
                f"{GOAL_PREFIX} province feedback with {name}", [goal_row], RESULTS, GOALS_HEADER
            )
            print(f"updated {RESULTS}", flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["profile-round"]:  # round_profile's child
        source, home, output, *names = sys.argv[2:]
        profiled_round(Path(source), tuple(names), Path(home), Path(output))
        sys.exit(0)
    sys.exit(main())
