"""Contract 6.1 end to end: a generated zone whose file times put some reports past their
deadline (and some never sent) is loaded for real (generator, ingest, Great Expectations,
dbt, publish); the compliance mart and the reporting rates equal a plain-Python recount from
the landing files, their times and the generator's answer key."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from thads import contract, reference, reporting_calendar
from thads.cli import main
from thads.config import Paths
from thads.generate.landing import generate_landing_zone

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

CODES = ["80", "93"]


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def recount(landing: Path, judged_at: datetime) -> dict[tuple[int, int, str], dict]:
    """The compliance rows from the files alone: names, times, and which versions the
    generator made to pass (its manifest)."""
    manifest = json.loads((landing / "manifest.json").read_text("utf-8"))
    first: dict[tuple[int, int, str], datetime] = {}
    accepted: dict[tuple[int, int, str], datetime] = {}
    for entry in manifest["submissions"]:
        times = [_mtime(landing / name) for name in entry["files"]]
        name = contract.parse_filename(entry["files"][0])
        key = (name.statistical_year, name.months, name.province_code)
        first[key] = min([first.get(key, min(times)), *times])
        if entry["expected_outcome"] == "loaded":  # a CSV pair arrives with its second half
            accepted[key] = min(accepted.get(key, max(times)), max(times))
    periods = {(year, months) for year, months, _ in first}
    rows = {}
    for year, months in periods:
        deadline = reporting_calendar.deadline(year, months)
        for province in reference.provinces(contract.boundary_for(year, months)):
            key = (year, months, province.code)
            arrived, good = first.get(key), accepted.get(key)
            if good is not None:
                status = "on_time" if good <= deadline else "late"
            elif judged_at <= deadline:
                status = "not_due"
            else:
                status = "rejected" if arrived is not None else "missing"
            rows[key] = {
                "status": status,
                "first_arrival_at": arrived,
                "accepted_arrival_at": good,
                "working_days_late": reporting_calendar.working_days_late(year, months, good)
                if status == "late"
                else None,
            }
    return rows


def test_compliance_and_rates_equal_a_recount_from_the_files(
    tmp_path: Path, thads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = tmp_path / "landing"
    generate_landing_zone(
        landing, years=[2024], seed=6, provinces=CODES, defects=0.25, lateness=0.4, processes=1
    )
    manifest = json.loads((landing / "manifest.json").read_text("utf-8"))
    assert manifest["withheld"], "some reports must never arrive for this test to mean anything"
    # The generator's file times are the arrivals: a history the data team vouches for.
    assert main(["load", "--landing", str(landing), "--quiet", "--trust-mtime"]) == 0
    capsys.readouterr()

    with duckdb.connect(str(Paths.from_env().warehouse), read_only=True) as con:
        cursor = con.execute(
            "select statistical_year, months, province_code, status, first_arrival_at, "
            "accepted_arrival_at, working_days_late, judged_at "
            "from marts.fct_reporting_compliance"
        )
        names = [d[0] for d in cursor.description]
        mart = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        cursor = con.execute(
            "select statistical_year, boundary, province_code, n_expected, n_reported, "
            "n_on_time, reporting_rate_pct, on_time_rate_pct from marts.fct_reporting_rates"
        )
        names = [d[0] for d in cursor.description]
        rates = {row[2]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}

    judged_at = mart[0]["judged_at"]
    expected = recount(landing, judged_at)
    got = {
        (r["statistical_year"], r["months"], r["province_code"]): {
            k: r[k]
            for k in ("status", "first_arrival_at", "accepted_arrival_at", "working_days_late")
        }
        for r in mart
    }
    assert got == expected
    statuses = {row["status"] for row in expected.values()}
    assert {"on_time", "late", "missing", "rejected"} <= statuses, statuses

    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (_, _, code), row in expected.items():
        for who in (code, "VN"):
            counts[who]["n_expected"] += row["status"] != "not_due"
            counts[who]["n_reported"] += row["status"] in ("on_time", "late")
            counts[who]["n_on_time"] += row["status"] == "on_time"
    assert set(rates) == set(counts)
    for who, count in counts.items():
        row = rates[who]
        assert (row["statistical_year"], row["boundary"]) == (2024, 63)
        assert {k: row[k] for k in count} == count, who
        assert row["reporting_rate_pct"] == pytest.approx(
            100 * count["n_reported"] / count["n_expected"]
        )
        assert row["on_time_rate_pct"] == pytest.approx(
            100 * count["n_on_time"] / count["n_expected"]
        )
    # the two provinces that sent files: not everything they sent was on time
    assert 0 < rates["VN"]["n_reported"] < rates["VN"]["n_expected"]
