"""The warehouse gets a deadline for every period it holds, however late: the reporting
calendar dbt reads is generated for the years present (thads.reporting_calendar), not cut
at a fixed year. A real dbt build on a raw layer that reaches 2038 (slow: one dbt build)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests import raw_layer_builder as rl
from thads.build import build
from thads.config import Paths
from thads.reporting_calendar import deadline, deadline_day

CURRENT = ["01", "79", "92"]  # codes of the 34 current provinces


@pytest.mark.slow
def test_a_history_past_2035_gets_its_deadlines(tmp_path: Path) -> None:
    paths = Paths.from_env(tmp_path / "home")
    rng = random.Random(38)
    arrived = datetime(2038, 10, 20, tzinfo=UTC)
    reports = rl.field_of(CURRENT, 2037, 12, rng, arrived) + rl.field_of(
        CURRENT, 2038, 12, rng, arrived
    )
    rl.write_batch(paths, "b1", reports)
    registry = rl.Registry()
    for report in reports:
        registry.add(report, "loaded", "b1")
    registry.write(paths)

    build(paths, docs=False)  # dim_period's tests (deadlines in order, not null) pass

    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        rows = con.execute(
            "select statistical_year, months, report_deadline, report_deadline_at "
            "from marts.dim_period where statistical_year >= 2036 order by 1, 2"
        ).fetchall()
    expected = [(year, months) for year in (2036, 2037, 2038) for months in range(1, 13)]
    assert [(year, months) for year, months, _, _ in rows] == expected
    for year, months, day, moment in rows:
        assert day == deadline_day(year, months)
        assert moment == deadline(year, months)
