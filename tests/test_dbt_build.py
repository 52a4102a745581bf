"""thads.build on the edges: a fresh THADS_HOME with no raw data builds an empty warehouse,
and a build whose data breaks a warehouse test fails naming that test."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.schema import REPORT_ROW_SCHEMA
from tests import raw_layer_builder as rl
from thads.build import DbtError, build
from thads.config import Paths

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_fresh_home_builds_then_a_broken_identity_fails_by_name(tmp_path):
    paths = Paths.from_env(tmp_path / "home")
    summary = build(paths, docs=False)  # no raw folder at all
    assert summary["counts"]["model"] == {"success": sum(summary["counts"]["model"].values())}
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_province_ranking").fetchone() == (0,)
        assert con.execute("select count(*) from marts.dim_province").fetchone() == (97,)
        # the empty raw relations are typed: codes stay text, figures numbers
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'fct_enforcement'"
            ).fetchall()
        )
    assert types["province_code"] == "VARCHAR" and types["with_conditions"] == "DOUBLE"

    # A report whose total row breaks with_conditions = completed + terminated + ... (the
    # other identities still hold, so exactly that rule must be named).
    report = rl.Report("80", 2024, 11, (10.0, 0.0, 20.0), (5.0, 0.0, 10.0),
                       arrival_time=datetime(2024, 9, 3, tzinfo=UTC))  # fmt: skip
    rows = rl.report_rows(report, "bad")
    total = rows.is_total & (rows.measure == "cases")
    for key in ("with_conditions", "must_enforce", "total_received", "new_received"):
        rows.loc[total, key] += 5
    folder = paths.report_rows / "statistical_year=2024"
    folder.mkdir(parents=True)
    table = pa.Table.from_pandas(rows, schema=REPORT_ROW_SCHEMA, preserve_index=False)
    pq.write_table(table, folder / "bad.parquet")
    registry = rl.Registry()  # the registry accepted it: the version that stands
    registry.add(report, "loaded", "bad")
    registry.write(paths)

    with pytest.raises(DbtError) as caught:
        build(paths, docs=False)
    names = {f["name"] for f in caught.value.failures}
    assert "fct_enforcement_with_conditions_identity" in names
    assert "fct_enforcement_with_conditions_identity" in str(caught.value)
    assert str(paths.warehouse) in str(caught.value)
