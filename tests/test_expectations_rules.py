"""Every validation rule, on one batch run through real Great Expectations.

One batch holds good submissions and, per rule, a submission that breaks exactly that rule
(built from the real generator and tidy-row builder, then one cell edited). The batch is
validated ONCE (as the load does), so the tests also show that a bad submission does not
take the good ones of its batch down with it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from expectations import DQ_COLUMNS, ValidationConfig, validate_batch
from ingest.model import ParsedSubmission
from tests.expectations_support import copy_figures, edit, history_of, retotal_sheet, scale, sub
from thads.contract import LABELS, Finding
from thads.notify.messages import compose_alerts
from thads.rules import rules_of

CASES, MONEY = "Việc", "Tiền"


class Batch:
    """The scenario submissions by name, where each edit landed, and the result."""

    def __init__(self) -> None:
        self.subs: dict[str, ParsedSubmission] = {}
        self.rows: dict[str, int] = {}
        self.history: list[ParsedSubmission] = []
        self.result = None

    def add(self, name: str, s: ParsedSubmission) -> ParsedSubmission:
        self.subs[name] = s
        return s

    def findings(self, name: str, rule: str | None = None):
        found = self.result.findings[self.subs[name].submission_id]
        return [f for f in found if rule is None or f.rule == rule]

    def rules(self, name: str) -> set[str]:
        return {f.rule for f in self.findings(name)}

    def quarantined(self, name: str) -> bool:
        return self.subs[name].submission_id in self.result.quarantined


def _set(s: ParsedSubmission, column: str, value) -> None:
    s.rows[column] = value
    setattr(s, column, value)


def scenario() -> Batch:
    """Submissions that break every validation rule once (and good ones beside them), with
    the accepted history they are judged against; not yet validated."""
    b = Batch()
    b.add("good_80", sub("80", 2024, 11))
    b.add("good_01", sub("01", 2024, 11, seed=1))

    # Row identities: one office cell edited, total row re-added (so only the identity fails).
    s = b.add(
        "total_received",
        sub("02", 2024, 11, labels={("cases", "total_received"): "TONG SO THU LY"}),
    )
    b.rows["total_received"] = edit(s, "cases", 1, {"carried_over": 5})
    s = b.add("must_enforce_received", sub("04", 2024, 11))
    b.rows["must_enforce_received"] = edit(s, "money", 0, {"entrusted": 7})
    s = b.add("must_enforce_conditions", sub("06", 2024, 11))
    b.rows["must_enforce_conditions"] = edit(s, "cases", 2, {"without_conditions": 3})
    s = b.add("with_conditions", sub("08", 2024, 11))
    b.rows["with_conditions"] = edit(s, "money", 1, {"postponed": 11.5})

    # Money with decimals: float rounding is not a difference...
    s = b.add("money_decimals", sub("34", 2024, 11))
    edit(s, "money", 0, {"completed": 0.1, "terminated": 0.2, "in_progress": -0.3})
    # ... but 450 thousand đồng on a 1.46 billion (thousand đồng) total is, however small
    # relative to the total (a generator defect the first tolerance let through).
    big = {"must_enforce": 2_900_000_000, "with_conditions": 1_461_986_383, "done": 5 * 10**8}
    s = b.add("big_total_gap", sub("35", 2024, 11, money=big))
    keep_identities = dict.fromkeys(
        ("carried_over", "total_received", "must_enforce", "without_conditions"), 450
    )
    b.rows["big_total_gap"] = edit(s, "money", "total", keep_identities)

    # Negative figure, identities kept.
    s = b.add("negative", sub("10", 2024, 11))
    other = float(s.rows.loc[(s.rows["measure"] == "cases") & ~s.rows["is_total"], "other"].iat[0])
    b.rows["negative"] = edit(s, "cases", 0, {"other": -(other + 4), "in_progress": other + 4})

    # completed + terminated > with_conditions (the rest of the row must then go negative).
    s = b.add("done_within", sub("11", 2024, 11))
    row = s.rows[(s.rows["measure"] == "cases") & ~s.rows["is_total"]].iloc[1]
    excess = row["with_conditions"] - row["completed"] - row["terminated"] + 10
    b.rows["done_within"] = edit(s, "cases", 1, {"completed": excess, "in_progress": -excess})

    # Total row is not the sum of the offices (its own identities still hold).
    s = b.add("total_sum", sub("12", 2024, 11))
    b.rows["total_sum"] = edit(s, "money", "total", {"completed": 9, "in_progress": -9})

    # No total row in one sheet; two total rows in another submission.
    s = b.add("no_total", sub("14", 2024, 11))
    s.rows = s.rows[~((s.rows["measure"] == "cases") & s.rows["is_total"])].reset_index(drop=True)
    s = b.add("two_totals", sub("15", 2024, 11))
    total = s.rows[(s.rows["measure"] == "money") & s.rows["is_total"]]
    extra = total.assign(source_row=total["source_row"] + 1)
    s.rows = pd.concat([s.rows, extra], ignore_index=True)
    b.rows["two_totals"] = int(extra["source_row"].iat[0])

    # The same office twice in a sheet (written once with, once without diacritics).
    s = b.add("duplicate_office", sub("17", 2024, 11))
    money = s.rows[s.rows["measure"] == "money"]
    dup = money.iloc[[1]].assign(
        office="CHI CUC THADS " + money["office"].iat[1].split("THADS ", 1)[1].upper(),
        source_row=int(money["source_row"].max()) + 1,
    )
    s.rows = pd.concat([s.rows, dup], ignore_index=True)
    retotal_sheet(s, "money")
    b.rows["duplicate_office"] = int(dup["source_row"].iat[0])

    # Submission-level facts.
    _set(b.add("unknown_code", sub("19", 2024, 11)), "province_code", "99")
    _set(b.add("legacy_code_after_merger", sub("80", 2025, 10)), "province_code", "72")
    _set(b.add("months_13", sub("20", 2024, 12)), "months", 13)
    _set(b.add("year_2035", sub("22", 2024, 11)), "statistical_year", 2035)

    # Cumulative figures fall from the accepted 10-month report in history.
    s = b.add("cumulative", sub("24", 2024, 11))
    prev = sub("24", 2024, 10)
    copy_figures(s, prev, 2)
    b.history.append(prev)

    # Backfill in one batch: 4 months good, 5 months lower (error), 6 months above the
    # 4-month report: the bad 5-month report must not be its baseline.
    m4 = b.add("backfill_4", sub("25", 2024, 4))
    m5 = b.add("backfill_5", sub("25", 2024, 5))
    m6 = b.add("backfill_6", sub("25", 2024, 6))
    copy_figures(m4, m5)  # 5 months = the base figures
    scale(m4, 2)  # 4 months = twice as much: the 5-month report went down
    copy_figures(m4, m6, 3)  # 6 months = 6 x base: up from the 4-month report

    # carried_over vs last year's 12-month carried-to-next-year (warning).
    last = sub("26", 2023, 12)
    b.history.append(last)
    b.add("carried_mismatch", sub("26", 2024, 3))
    totals = last.rows[last.rows["is_total"]].set_index("measure")
    carry = totals["must_enforce"] - totals["completed"] - totals["terminated"]
    last27 = sub("27", 2023, 12)
    b.history.append(last27)
    totals27 = last27.rows[last27.rows["is_total"]].set_index("measure")
    carry27 = totals27["must_enforce"] - totals27["completed"] - totals27["terminated"]
    b.add(
        "carried_ok",
        sub(
            "27", 2024, 3,
            cases={"carried_over": carry27["cases"], "must_enforce": 3000,
                   "with_conditions": 2000, "done": 1600},
            money={"carried_over": carry27["money"], "must_enforce": 900_000,
                   "with_conditions": 500_000, "done": 200_000},
        ),
    )  # fmt: skip
    assert carry["cases"] >= 0

    # Outliers against the same period of earlier years (warnings).
    for year, done in zip(range(2019, 2024), (1580, 1610, 1595, 1630, 1570), strict=True):
        money = {"must_enforce": 900_000, "with_conditions": 500_000, "done": 200_000 + year}
        b.history.append(
            sub("30", year, 12, cases={"must_enforce": 3000, "with_conditions": 2000,
                                       "done": done}, money=money, seed=year)
        )  # fmt: skip
        b.history.append(sub("31", year, 12, seed=year))
    b.add(
        "outlier_rate",
        sub("30", 2024, 12, cases={"must_enforce": 3000, "with_conditions": 2000, "done": 600},
            money={"must_enforce": 900_000, "with_conditions": 500_000, "done": 202_021}),
    )  # fmt: skip
    s = b.add("outlier_new", sub("31", 2024, 12, seed=7))
    scale(s, 5)
    for year in (2022, 2023):  # two earlier years only: no outlier verdict
        b.history.append(sub("33", year, 12, seed=year))
    s = b.add("few_years", sub("33", 2024, 12))
    scale(s, 5)

    # Across the merger: the 9-month report of current Cần Thơ (92) against the 8-month
    # reports of its three former provinces (92, 93, 94), rolled up.
    for code in ("92", "93", "94"):
        b.history.append(sub(code, 2025, 8))
    merged = b.add("merger", sub("92", 2025, 9))
    assert merged.boundary == 34
    return b


#: The year range of the scenario (2035 is out of it).
SCENARIO_CONFIG = ValidationConfig(min_year=2019, max_year=2027)


@pytest.fixture(scope="module")
def batch() -> Batch:
    b = scenario()
    b.result = validate_batch(list(b.subs.values()), history_of(*b.history), config=SCENARIO_CONFIG)
    return b


def test_good_submissions_pass_in_a_batch_with_bad_ones(batch: Batch) -> None:
    for name in ("good_80", "good_01", "backfill_4", "backfill_6", "carried_ok", "money_decimals"):
        assert batch.findings(name) == [], name
        assert not batch.quarantined(name)
    assert len(batch.result.quarantined) >= 15


IDENTITY_CASES = [
    # scenario, rule, sheet, column key, measure
    ("total_received", "identity.total_received", CASES, "total_received", "cases"),
    ("must_enforce_received", "identity.must_enforce_received", MONEY, "must_enforce", "money"),
    ("must_enforce_conditions", "identity.must_enforce_conditions", CASES, "must_enforce", "cases"),
    ("with_conditions", "identity.with_conditions", MONEY, "with_conditions", "money"),
]


@pytest.mark.parametrize(("name", "rule", "sheet", "key", "measure"), IDENTITY_CASES)
def test_identity_rules(batch: Batch, name, rule, sheet, key, measure) -> None:
    assert batch.quarantined(name)
    found = batch.findings(name, rule)
    at_row = [f for f in found if f.row == batch.rows[name]]
    assert len(at_row) == 1, found
    f = at_row[0]
    assert (f.severity, f.sheet) == ("error", sheet)
    assert f.file == batch.subs[name].file_names[0]
    assert f.extra["measure"] == measure
    # The edited office row and the re-added total row break the identity; nothing else.
    assert batch.rules(name) == {rule}
    assert float(f.observed) != float(f.expected)
    if name == "total_received":
        assert f.column == "TONG SO THU LY"  # the label as the province wrote it
        assert float(f.expected) - float(f.observed) == 5
    else:
        assert f.column == LABELS[key]


def test_money_tolerance_catches_a_fraction_of_a_thousand(batch: Batch) -> None:
    f = batch.findings("with_conditions", "identity.with_conditions")[0]
    assert abs(float(f.observed) - float(f.expected)) == pytest.approx(11.5)


def test_no_negative(batch: Batch) -> None:
    found = batch.findings("negative")
    assert {f.rule for f in found} == {"value.no_negative"}
    assert [(f.sheet, f.row, f.column, f.observed) for f in found] == [
        (CASES, batch.rows["negative"], LABELS["other"], "-4")
    ]
    assert batch.quarantined("negative")


def test_done_within_conditions(batch: Batch) -> None:
    found = batch.findings("done_within", "rate.done_within_conditions")
    assert (found[0].sheet, found[0].row, found[0].column) == (
        CASES,
        batch.rows["done_within"],
        LABELS["with_conditions"],
    )
    assert float(found[0].observed) > float(found[0].expected.removeprefix("<= "))
    assert batch.quarantined("done_within")


def test_total_row_is_sum_of_offices(batch: Batch) -> None:
    found = batch.findings("total_sum")
    assert {f.rule for f in found} == {"total.sum_of_offices"}
    assert sorted(f.column for f in found) == sorted([LABELS["completed"], LABELS["in_progress"]])
    assert {(f.sheet, f.row) for f in found} == {(MONEY, batch.rows["total_sum"])}
    completed = next(f for f in found if f.column == LABELS["completed"])
    assert float(completed.observed) - float(completed.expected) == 9


def test_a_small_relative_gap_on_a_big_total_is_still_an_error(batch: Batch) -> None:
    found = batch.findings("big_total_gap")
    assert {f.rule for f in found} == {"total.sum_of_offices"}
    assert len(found) == 4 and {f.row for f in found} == {batch.rows["big_total_gap"]}
    assert {float(f.observed) - float(f.expected) for f in found} == {450.0}


def test_exactly_one_total_row(batch: Batch) -> None:
    (missing,) = batch.findings("no_total", "total.one_row")
    assert (missing.sheet, missing.row, missing.observed) == (CASES, None, "0")
    assert missing.column == LABELS["office"]
    (twice,) = batch.findings("two_totals", "total.one_row")
    assert (twice.sheet, twice.row, twice.observed) == (MONEY, batch.rows["two_totals"], "2")
    assert batch.quarantined("no_total") and batch.quarantined("two_totals")


def test_one_row_per_office(batch: Batch) -> None:
    found = batch.findings("duplicate_office")
    assert {f.rule for f in found} == {"office.unique"}
    (f,) = found
    assert (f.sheet, f.row, f.column) == (MONEY, batch.rows["duplicate_office"], "Đơn vị")
    assert "first at row" in f.expected
    assert batch.quarantined("duplicate_office")


@pytest.mark.parametrize(
    ("name", "rule", "observed"),
    [
        ("unknown_code", "header.province_code", "99"),
        ("legacy_code_after_merger", "header.province_code", "72"),
        ("months_13", "period.months", "13"),
        ("year_2035", "period.year", "2035"),
    ],
)
def test_submission_level_rules(batch: Batch, name, rule, observed) -> None:
    found = batch.findings(name)
    assert [f.rule for f in found] == [rule]
    f = found[0]
    assert f.observed == observed and f.severity == "error"
    assert f.file == batch.subs[name].file_names[0]
    assert batch.quarantined(name)


def test_legacy_code_is_refused_by_the_boundary_of_its_period(batch: Batch) -> None:
    (f,) = batch.findings("legacy_code_after_merger")
    assert f.expected == "a code of the 34 provinces"


def test_province_code_message_is_vietnamese_throughout(batch: Batch) -> None:
    # The province reads the rule's Vietnamese title and what was expected in Vietnamese,
    # never the English "a code of the 34 provinces" of the data team's table.
    alerts = {a.province_code: a for a in compose_alerts(batch.result.dq_rows, "b1")}
    for code, boundary in (("99", 63), ("72", 34)):
        body = alerts[code].body
        assert "Mã tỉnh phải thuộc danh mục tỉnh của kỳ báo cáo" in body
        assert f"Giá trị đúng: một mã trong danh mục {boundary} tỉnh của kỳ báo cáo." in body
        assert "a code of" not in body


def test_cumulative_against_history(batch: Batch) -> None:
    found = batch.findings("cumulative")
    assert {f.rule for f in found} == {"history.cumulative"}
    total_row = int(
        batch.subs["cumulative"].rows.query("is_total and measure == 'cases'")["source_row"].iat[0]
    )
    cases = {f.column for f in found if f.sheet == CASES and f.row == total_row}
    assert {LABELS["total_received"], LABELS["completed"]} <= cases
    assert all(f.extra["previous_months"] == 10 for f in found)
    assert batch.quarantined("cumulative")


def test_cumulative_within_a_backfill_batch(batch: Batch) -> None:
    assert "history.cumulative" in batch.rules("backfill_5")
    assert batch.quarantined("backfill_5")
    f = batch.findings("backfill_5", "history.cumulative")[0]
    assert f.extra["previous_months"] == 4
    # The 6-month report is compared with the good 4-month one, not the refused 5-month one.
    assert batch.findings("backfill_6") == []


def test_carried_over_is_a_warning(batch: Batch) -> None:
    found = batch.findings("carried_mismatch")
    assert {f.rule for f in found} == {"history.carried_over"}
    assert {f.severity for f in found} == {"warning"}
    assert {f.sheet for f in found} == {CASES, MONEY}
    assert {f.column for f in found} == {LABELS["carried_over"]}
    assert not batch.quarantined("carried_mismatch")
    assert batch.findings("carried_ok") == []


def _outliers(batch: Batch, name: str):
    return [f for f in batch.findings(name) if f.rule.startswith("history.outlier")]


def test_outliers_are_warnings(batch: Batch) -> None:
    rate = _outliers(batch, "outlier_rate")
    assert {(f.rule, f.sheet) for f in rate} == {("history.outlier_rate", CASES)}
    assert rate[0].observed == "30.00%" and rate[0].extra["years"] == 5
    assert abs(rate[0].extra["z"]) > 3.5
    new = _outliers(batch, "outlier_new")
    assert {(f.rule, f.sheet) for f in new} == {
        ("history.outlier_new_received", CASES),
        ("history.outlier_new_received", MONEY),
    }
    assert {f.severity for f in rate + new} == {"warning"}
    assert not batch.quarantined("outlier_rate") and not batch.quarantined("outlier_new")


def test_outliers_need_three_earlier_years(batch: Batch) -> None:
    dq = batch.result.dq_rows
    mine = dq[dq["submission_id"] == batch.subs["few_years"].submission_id]
    assert _outliers(batch, "few_years") == []
    assert "history.outlier_new_received" not in set(mine["rule"])
    assert "history.outlier_new_received" in set(
        dq[dq["submission_id"] == batch.subs["outlier_rate"].submission_id]["rule"]
    )


def test_merged_province_is_compared_with_its_former_provinces(batch: Batch) -> None:
    # Each former province reported about as much as the merged one: the sum of three is
    # far more than the 9-month figures, which must not happen in a cumulative year.
    found = batch.findings("merger", "history.cumulative")
    assert found and {f.extra["previous_months"] for f in found} == {8}
    assert batch.quarantined("merger")


def test_data_quality_rows(batch: Batch) -> None:
    dq = batch.result.dq_rows
    assert list(dq.columns) == list(DQ_COLUMNS)
    assert set(dq["outcome"]) == {"pass", "fail"}
    good = dq[dq["submission_id"] == batch.subs["good_80"].submission_id]
    assert (good["outcome"] == "pass").all()
    # One pass row per rule evaluated (no history rule: nothing to compare with).
    assert sorted(good["rule"]) == sorted(
        r for r in rules_of("validation") if not r.startswith("history.")
    )  # fmt: skip
    assert good["batch_id"].eq("batch-test").all()
    bad = dq[dq["submission_id"] == batch.subs["total_sum"].submission_id]
    failures = bad[bad["outcome"] == "fail"]
    assert set(failures["rule"]) == {"total.sum_of_offices"}
    assert set(failures["sheet"]) == {MONEY}
    assert set(failures["measure"]) == {"money"}
    assert "total.sum_of_offices" not in set(bad.loc[bad["outcome"] == "pass", "rule"])
    assert failures["source_row"].notna().all()
    warn = dq[(dq["rule"] == "history.carried_over") & (dq["outcome"] == "fail")]
    assert set(warn["severity"]) == {"warning"}
    assert dq["checked_at"].dt.tz is not None


def test_unparsed_submissions_are_skipped_but_recorded() -> None:
    s = sub("80", 2024, 11)
    s.rows = None
    s.findings.append(
        Finding(
            file=s.file_names[0],
            rule="parse.missing_sheet",
            severity="error",
            message="no sheet named 'Tiền'",
            sheet="Tiền",
        )
    )
    result = validate_batch([s], None)
    assert result.findings == {s.submission_id: []}
    assert result.quarantined == {s.submission_id}
    assert result.n_validated == 0
    (row,) = result.dq_rows.to_dict("records")
    assert (row["rule"], row["outcome"], row["sheet"]) == ("parse.missing_sheet", "fail", "Tiền")
    assert (row["province_code"], row["months"]) == ("80", 11)
