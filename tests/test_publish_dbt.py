"""publish() on a warehouse built by the real dbt project (not the test stand-in).

A raw layer with a legacy (63) and a merged (34) period goes through `thads.build`; the
snapshot, Parquet and report must then hold exactly what dbt built.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests import raw_layer_builder as rl
from tests.publish_html import body_rows, parse_report
from thads import reference
from thads.build import build
from thads.config import Paths
from thads.publish import publish
from thads.publish.report import fmt

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

HOSTILE = "=cmd|' /C calc'!A0 <img src=x onerror=alert(1)>"


def _raw_layer(paths: Paths) -> None:
    rng = random.Random(11)
    legacy = [p.code for p in reference.provinces(63)]
    current = [p.code for p in reference.provinces(34)]
    before = rl.field_of(legacy, 2025, 8, rng, datetime(2025, 6, 5, tzinfo=UTC))
    after = rl.field_of(current[1:], 2025, 9, rng, datetime(2025, 7, 20, tzinfo=UTC))
    rl.write_batch(paths, "b1", before)
    rl.write_batch(paths, "b2", after)
    registry = rl.Registry()
    for report in before:
        registry.add(report, "loaded", "b1")
    for report in after:
        registry.add(report, "loaded", "b2")
    bad = rl.Report("80", 2025, 9, (1.0, 0.0, 1.0), (1.0, 0.0, 1.0), revision=2)
    registry.add(bad, "quarantined", "b2", [HOSTILE])
    registry.write(paths)
    rl.write_targets(
        paths,
        [
            {
                "statistical_year": 2025,
                "province_code": code,
                "boundary": boundary,
                "case_target_pct": 83.9,
                "money_target_pct": 51.9,
                "source_file": "targets_2025.csv",
                "arrival_time": datetime(2024, 11, 1, tzinfo=UTC),
            }
            for boundary, codes in ((63, legacy), (34, current))
            for code in codes
        ],
    )


def test_publish_what_dbt_built(tmp_path: Path):
    paths = Paths(tmp_path / "home")
    _raw_layer(paths)
    build(paths, docs=False)
    manifest = publish(paths)

    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        ]
        counts = {t: con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0] for t in tables}
        latest = con.execute(
            """
            SELECT rank_label, province_name, rate_pct FROM marts.fct_province_ranking
            WHERE statistical_year = 2025 AND months = 9 AND measure = 'cases'
            ORDER BY rank NULLS LAST, rate_pct DESC NULLS LAST, province_name
            """
        ).fetchall()
    assert manifest["row_counts"] == counts
    assert counts["fct_province_ranking"] == 2 * (63 + 34)

    parquet = paths.serving / "parquet" / "current"
    for table, n in counts.items():
        (found,) = duckdb.sql(
            f"SELECT count(*) FROM read_parquet('{parquet / (table + '.parquet')}')"
        ).fetchall()[0]
        assert found == n, table

    html = paths.report.read_text(encoding="utf-8")
    report = parse_report(html)
    assert list(report.sections)[:2] == ["2025-09", "2025-08"]
    rows = body_rows(report.sections["2025-09"].tables["cases"])
    assert [r[0] for r in rows] == [label or "—" for label, _, _ in latest]
    assert rows[0][0] == "1/33"
    assert [r[4] for r in rows if r[0] != "—"] == [fmt.pct(rate) for _, _, rate in latest[:33]]
    assert body_rows(report.sections["2025-08"].tables["money"])[0][0] == "1/63"
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
