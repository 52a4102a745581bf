"""Benchmark of what analysts and BI tools do with the published snapshot.

    .venv/bin/python -m bench.bench_bi [--quick] [--no-write] [--out DIR]

On the read-only snapshot `thads load` published (the cycle bench's warehouse in
bench/out/cycle/run/home; loaded here first when it is missing):
1. the ranking of one period and the 7-year trend of one province (current boundaries),
   each 100 times on one open read-only connection (what a BI tool keeps): median and p95;
   the same with a new connection per query (what a script or `thads rank` pays);
2. 8 reader processes querying in a loop while the pipeline publishes again (3 times):
   every reader error counts; the goal is none.
Rows starting with "bi:" (and goal rows "goal bi:") are replaced in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.bench_cycle import QUICK, default_out, run_cycle
from bench.common import GOALS_HEADER, RESULTS, replace_rows
from bench.zones import generated
from thads.config import Paths

PREFIX = "bi:"
GOAL_PREFIX = "goal bi:"

RANKING_SQL = """
select province_name, rate_pct, rank_label from marts.fct_province_ranking
where statistical_year = $year and months = $months and measure = 'cases'
order by rank nulls last, province_code
"""
TREND_SQL = """
select statistical_year, months, rate_pct, rank_label
from marts.{table}
where province_code = $code and measure = 'cases'
    and statistical_year between $last - 6 and $last
order by statistical_year, months
"""
#: Trends read the history re-ranked among the current provinces; a zone too small for any
#: complete current province (the quick run) falls back to the ranking as reported.
TREND_TABLES = ("fct_province_ranking_current_boundaries", "fct_province_ranking")


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    params: dict[str, object]


def queries(snapshot: Path) -> list[Query]:
    """The latest period's ranking and the trend of the province with the most rates."""
    with duckdb.connect(str(snapshot), read_only=True) as con:
        year, months = con.execute(
            "select statistical_year, months from marts.fct_province_ranking "
            "order by statistical_year desc, months desc limit 1"
        ).fetchone()
        for table in TREND_TABLES:
            found = con.execute(
                f"select province_code from marts.{table} where rate_pct is not null "
                "group by province_code order by count(*) desc, province_code limit 1"
            ).fetchone()
            if found:
                break
    if not found:
        raise RuntimeError(f"no province has a rate in {snapshot}")
    trend = Query(
        f"7-year trend of province {found[0]} ({table})",
        TREND_SQL.format(table=table),
        {"code": found[0], "last": year},
    )
    ranking = Query(
        f"ranking of {year}/{months:02d}", RANKING_SQL, {"year": year, "months": months}
    )
    return [ranking, trend]


def timings(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def ms(values: Sequence[float]) -> str:
    return f"median {1000 * statistics.median(values):.2f} ms, p95 {1000 * p95(values):.2f} ms"


def bench_queries(snapshot: Path, n: int) -> list[tuple[Query, list[float], list[float]]]:
    """(query, times on one open connection, times with a connection per query)."""
    out = []
    for query in queries(snapshot):
        with duckdb.connect(str(snapshot), read_only=True) as con:
            rows = con.execute(query.sql, query.params).fetchall()
            if not rows:
                raise RuntimeError(f"{query.name}: no rows in {snapshot}")
            warm = timings(lambda q=query, c=con: c.execute(q.sql, q.params).fetchall(), n)

        def fresh(q: Query = query) -> None:
            with duckdb.connect(str(snapshot), read_only=True) as con:
                con.execute(q.sql, q.params).fetchall()

        out.append((query, warm, timings(fresh, n)))
    return out


def reader(snapshot: str, query: Query, ready: object, stop: object, results: object) -> None:
    """One BI reader: open, query, close, again, until told to stop. Says `ready` after its
    first query; returns the end time and duration of each query and every error."""
    done: list[tuple[float, float]] = []
    errors: list[str] = []
    while not stop.is_set():  # type: ignore[attr-defined]
        started = time.perf_counter()
        try:
            with duckdb.connect(snapshot, read_only=True) as con:
                if not con.execute(query.sql, query.params).fetchall():
                    raise RuntimeError("empty ranking")
            done.append((time.time(), time.perf_counter() - started))
        except Exception as exc:  # every failure a reader would see is the measurement
            errors.append(repr(exc))
        if len(done) + len(errors) == 1:
            ready.put(os.getpid())  # type: ignore[attr-defined]
    results.put((done, errors))  # type: ignore[attr-defined]


@dataclass
class Concurrent:
    readers: int
    publishes: int
    publish_seconds: list[float]
    queries: int
    #: Queries that ended while a publish was running (the ones that could have broken).
    during_publish: int
    errors: list[str]
    seconds: list[float]


def readers_during_publish(paths: Paths, n_readers: int, n_publishes: int) -> Concurrent:
    """`n_readers` processes query the snapshot while the pipeline publishes it again."""
    from thads import pipeline

    query = queries(paths.snapshot)[0]
    ctx = multiprocessing.get_context("spawn")  # like separate BI tools: nothing shared
    ready, stop, results = ctx.Queue(), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=reader, args=(str(paths.snapshot), query, ready, stop, results))
        for _ in range(n_readers)
    ]
    for proc in procs:
        proc.start()
    for _ in procs:  # every reader has started and queried once
        ready.get(timeout=600)
    windows, publish_seconds = [], []
    for _ in range(n_publishes):
        started, wall = time.perf_counter(), time.time()
        pipeline.publish(paths)
        publish_seconds.append(time.perf_counter() - started)
        windows.append((wall, time.time()))
    stop.set()
    got = [results.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
    done = [query for queries_done, _ in got for query in queries_done]
    return Concurrent(
        readers=n_readers,
        publishes=n_publishes,
        publish_seconds=publish_seconds,
        queries=len(done),
        during_publish=sum(any(a <= end <= b for a, b in windows) for end, _ in done),
        errors=[e for _, errors in got for e in errors],
        seconds=[seconds for _, seconds in done],
    )


def ensure_snapshot(out: Path, quick: bool) -> Paths:
    """The cycle bench's published warehouse; a quick one is loaded here when missing."""
    paths = Paths.from_env(out / "run" / "home")
    if not paths.snapshot.exists():
        if not quick:
            raise SystemExit(f"no snapshot in {paths.home}: run `python -m bench.bench_cycle`")
        zone = generated(out / "zone", QUICK.years, provinces=QUICK.provinces)
        run_cycle(zone, out / "run", month=False, years=QUICK.years)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run, writes nothing")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    parser.add_argument("--out", type=Path, help="the cycle bench's work folder")
    args = parser.parse_args(argv)
    paths = ensure_snapshot(args.out or default_out(args.quick), args.quick)
    n = 20 if args.quick else 100
    measured = bench_queries(paths.snapshot, n)
    concurrent = readers_during_publish(paths, 8, 1 if args.quick else 3)
    stamp = f"load avg {os.getloadavg()[0]:.1f}; {time.strftime('%Y-%m-%d %H:%M')}"
    rows = [
        f"| {PREFIX} {query.name}, {n} queries on the snapshot | new connection per query: "
        f"{ms(fresh)} | one open read-only connection: {ms(warm)} "
        f"| {statistics.median(fresh) / statistics.median(warm):.1f}x | {stamp} |"
        for query, warm, fresh in measured
    ]
    errors = concurrent.errors
    rows.append(
        f"| {PREFIX} {concurrent.readers} reader processes during {concurrent.publishes} "
        f"publish(es) | - | {concurrent.queries} queries ({concurrent.during_publish} while a "
        f"publish ran), {len(errors)} errors, "
        f"{ms(concurrent.seconds)} (connect + query) | - | publish "
        f"{', '.join(f'{s:.1f} s' for s in concurrent.publish_seconds)}"
        f"{'; first error: ' + errors[0][:200] if errors else ''} |"
    )
    worst = max(statistics.median(warm) for _, warm, _ in measured)
    goals = [
        f"| {GOAL_PREFIX} BI query median (ranking of a period, 7-year trend) | < 5 ms "
        f"| {1000 * worst:.2f} ms (slowest of the two) | {'yes' if worst < 0.005 else 'no'} |",
        f"| {GOAL_PREFIX} no reader error during publishes | 0 | {len(errors)} errors in "
        f"{concurrent.queries} queries | {'yes' if not errors else 'no'} |",
    ]
    print("\n".join(rows + goals))
    if errors:
        print("\n".join(errors[:5]))
    if not (args.no_write or args.quick):
        replace_rows(PREFIX, rows)
        replace_rows(GOAL_PREFIX, goals, header=GOALS_HEADER)
        print(f"updated {RESULTS}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
