"""The quick bench (`python -m bench.run --quick`) runs the whole cycle end to end on a tiny
zone, so the benchmarks cannot rot between full `make bench` runs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from bench import bench_bi, bench_cycle, zones
from bench.common import GOALS_HEADER, HEADER, replace_rows
from bench.measure import run_measured, thads_command


@pytest.mark.slow  # six real `thads load` runs (dbt builds) and eight reader processes
@pytest.mark.timeout(1800)
def test_quick_cycle_and_bi_benches_measure_real_loads(tmp_path: Path, capsys) -> None:
    assert bench_cycle.main(["--quick", "--out", str(tmp_path)]) == 0
    cycle = capsys.readouterr().out
    backfill = next(line for line in cycle.splitlines() if "| cycle: full backfill" in line)
    # The floor's one DuckDB statement ranks exactly as the published warehouse does.
    agreeing, ranked = map(int, re.search(r"same ranks on (\d+)/(\d+) rows", backfill).groups())
    assert ranked > 0 and agreeing == ranked
    assert re.search(r"peak PSS [1-9][\d,]* MiB \(RSS summed [1-9][\d,]* MiB\)", backfill)
    for step in ("plan", "ingest", "validate_and_commit", "build", "publish", "start-up"):
        assert f"{step} " in backfill
    month = next(line for line in cycle.splitlines() if "| cycle: monthly load (2024, 12)" in line)
    # The month replayed under cProfile names where its time went, dbt's process included.
    assert "cProfile of the same load" in month and "waiting for the dbt process" in month
    assert "import great_expectations" in month
    # The warm path users have: the month through `thads watch`, until its ranking is out.
    watched = next(line for line in cycle.splitlines() if "through `thads watch`" in line)
    assert "status visible" in watched and "warm builder child" in watched
    assert "| growth: --scale 2: backfill" in cycle and "| growth: 2-year history" in cycle
    assert "| goal cycle: full backfill end to end | < 15 s |" in cycle
    # The quick run never writes RESULTS.md.
    assert not (Path(bench_cycle.__file__).parent / "RESULTS.md").read_text().count("(2024, 12)")

    assert bench_bi.main(["--quick", "--out", str(tmp_path)]) == 0
    bi = capsys.readouterr().out
    assert "| bi: ranking of 2024/12, 20 queries on the snapshot" in bi
    assert "| bi: 7-year trend of province 92 (fct_province_ranking)" in bi
    assert "| goal bi: no reader error during publishes | 0 | 0 errors in" in bi
    # The readers really overlapped the publish.
    assert int(re.search(r"\((\d+) while a publish ran\)", bi).group(1)) > 0


def test_arrivals_hold_back_the_last_month_and_one_correction(tmp_path: Path) -> None:
    zone = zones.generated(tmp_path / "zone", range(2024, 2025), provinces=["01", "79"])
    arrivals = zones.split(zone)
    assert arrivals.last_period == (2024, 12)
    assert all("_2024_12" in name for name in arrivals.month)
    assert not set(arrivals.backfill) & set(arrivals.month)
    assert "targets_2024.csv" in arrivals.backfill
    landed = sorted(p.name for p in zone.iterdir() if p.name != "manifest.json")
    assert sorted([*arrivals.backfill, *arrivals.month, *arrivals.correction]) == landed


def test_process_tree_peak_counts_the_children(tmp_path: Path) -> None:
    # A parent of ~10 MiB whose child holds 200 MiB: the tree's peak must see the child.
    child = "b = bytearray(200 * 2**20); import time; time.sleep(0.5)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"

    measured = run_measured([sys.executable, "-c", parent])
    assert measured.peak_mib > 200
    assert measured.peak_pss_mib > 200
    # At the peak, the child (not the parent) holds it.
    assert max(measured.peak_parts, key=lambda part: part[1])[0].startswith("child")
    with pytest.raises(RuntimeError, match="exit 2"):
        run_measured(thads_command("load", "--landing", str(tmp_path / "missing")))


def test_goal_rows_go_to_their_own_table(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    replace_rows("cycle:", ["| cycle: a | - | 1 s | - | first |"], results)
    replace_rows("goal cycle:", ["| goal cycle: a | < 2 s | 1 s | yes |"], results, GOALS_HEADER)
    replace_rows("bi:", ["| bi: q | - | 1 ms | - | x |"], results)
    replace_rows("goal cycle:", ["| goal cycle: a | < 2 s | 3 s | no |"], results, GOALS_HEADER)
    text = results.read_text(encoding="utf-8")
    main, goals = text.split(GOALS_HEADER)
    assert HEADER in main and "| cycle: a" in main and "| bi: q" in main
    assert goals.strip() == "| goal cycle: a | < 2 s | 3 s | no |"


def test_a_run_without_growth_keeps_the_last_growth_rows(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    bench_cycle.write_results(
        [
            "| cycle: backfill | - | 30 s | - | first |",
            "| growth: --scale 10: backfill | 30 s | 60 s | 2.00x | first |",
            "| goal cycle: backfill | < 15 s | 30 s | no |",
            "| goal growth: --scale 10 | <= 3x | 2.00x | yes |",
        ],
        results,
    )
    bench_cycle.write_results(
        [
            "| cycle: backfill | - | 20 s | - | second |",
            "| goal cycle: backfill | < 15 s | 20 s | no |",
        ],
        results,
    )
    text = results.read_text(encoding="utf-8")
    assert "30 s | - | first" not in text and "20 s | - | second" in text
    assert "| growth: --scale 10: backfill | 30 s | 60 s | 2.00x | first |" in text
    main, goals = text.split(GOALS_HEADER)
    assert "| growth:" in main and "| goal growth:" in goals and "| goal cycle:" in goals


def test_pss_counts_pages_shared_with_forked_workers_once() -> None:
    # A parent holding 300 MiB forks two workers that only read it: RSS summed counts the
    # 300 MiB three times, PSS (the tree's real memory) once.
    code = (
        "import os, time\n"
        'b = b"\\x01" * (300 * 2**20)\n'
        "for _ in range(2):\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(1.0)\n"
        "        os._exit(0)\n"
        "os.wait(); os.wait()\n"
    )
    measured = run_measured([sys.executable, "-c", code])
    assert measured.peak_mib > 800
    assert 290 < measured.peak_pss_mib < 420
