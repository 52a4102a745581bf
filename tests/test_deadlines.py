"""The deadline check (thads.deadlines, what the thads_deadlines DAG runs) on a warehouse
built for real by dbt: a period judged at different moments gives what had arrived by then,
each province without an accepted report gets a Vietnamese letter, and the letters go out
once per period."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from tests import raw_layer_builder as rl
from thads import reference
from thads.build import build
from thads.config import Paths
from thads.deadlines import DeadlineError, check_deadline, send_deadline_alerts
from thads.reporting_calendar import VIETNAM

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

DONE = ((80.0, 0.0, 100.0), (500.0, 0.0, 1000.0))


def at(day: int, hour: int = 9, month: int = 6) -> datetime:
    return datetime(2024, month, day, hour, 0, tzinfo=VIETNAM)


#: 8 months of 2024 close on Friday 31/5/2024; the deadline is the end of Thursday 6/6.
ACCEPTED = {"01": at(3), "02": at(10), "04": at(12)}  # on time, late (2 days), late (4 days)
REFUSED = {"04": at(5), "06": at(4)}  # 04 resubmitted after the deadline, 06 never did


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    paths = Paths.from_env(tmp_path_factory.mktemp("deadlines") / "home")
    registry = rl.Registry()
    accepted = []
    for code, when in ACCEPTED.items():
        report = rl.Report(code, 2024, 8, *DONE, revision=2 if code == "04" else 1,
                           arrival_time=when)  # fmt: skip
        accepted.append(report)
        registry.add(report, "loaded", "b1")
    for code, when in REFUSED.items():
        registry.add(rl.Report(code, 2024, 8, *DONE, arrival_time=when), "quarantined", "b1",
                     ["Việc, dòng 9: tổng không khớp"])  # fmt: skip
    rl.write_batch(paths, "b1", accepted)
    registry.write(paths)
    build(paths, docs=False)
    return paths


def _by_code(rows: list[dict]) -> dict[str, dict]:
    return {r["province_code"]: r for r in rows}


def test_the_morning_after_the_deadline_judges_by_what_had_arrived(paths: Paths) -> None:
    report = check_deadline(at(7, 8), paths)
    assert (report["statistical_year"], report["months"]) == (2024, 8)
    assert report["deadline"] == "2024-06-06" and report["alert"]
    missing = _by_code(report["missing"])
    # 02 and 04 had nothing accepted yet on 7/6: they count as without a report, not late.
    assert set(missing) == {p.code for p in reference.provinces(63)} - {"01"}
    assert missing["02"]["status"] == "missing"
    assert missing["04"]["status"] == missing["06"]["status"] == "rejected"
    assert report["late"] == []


def test_a_later_judgement_sees_the_late_reports(paths: Paths) -> None:
    report = check_deadline(at(20), paths)
    late = _by_code(report["late"])
    assert {code: row["working_days_late"] for code, row in late.items()} == {"02": 2, "04": 4}
    assert _by_code(report["missing"])["06"]["status"] == "rejected"
    assert "01" not in _by_code(report["missing"]) and "01" not in late
    # The mart, judged at the build (long after), says the same.
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        mart = dict(
            con.execute(
                "select province_code, status from marts.fct_reporting_compliance "
                "where statistical_year = 2024 and months = 8"
            ).fetchall()
        )
    assert {c: mart[c] for c in ("01", "02", "04", "06", "93")} == {
        "01": "on_time", "02": "late", "04": "late", "06": "rejected", "93": "missing"
    }  # fmt: skip


def test_letters_in_vietnamese_once_per_period(
    paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = tmp_path / "letters"
    monkeypatch.setenv("THADS_ALERT_DIR", str(outbox))
    report = check_deadline(at(7, 8), paths)
    sent = send_deadline_alerts(report, paths)
    assert sent["alerted"] and sent["provinces"] == 62 and sent["sent"] == 63
    letters = [p.read_text("utf-8") for p in outbox.glob("*.txt")]
    assert len(letters) == 63
    (letter_06,) = [t for t in letters if "(mã 06)" in t.splitlines()[0]]
    assert "chưa được tiếp nhận, đã quá hạn" in letter_06
    assert "chậm nhất trong ngày 06/06/2024" in letter_06
    assert "chưa có tệp nào đạt yêu cầu kiểm tra" in letter_06
    (team,) = [t for t in letters if "without an accepted report" in t.splitlines()[0]]
    assert "62/63" in team and team.count("\n- ") == 62

    # The next mornings: the same period, nothing new is sent.
    again = check_deadline(at(8, 8), paths)
    assert not again["alert"]
    assert send_deadline_alerts(again, paths) == {
        "alerted": False, "reason": "alerted before for this period"
    }  # fmt: skip
    assert len(list(outbox.glob("*.txt"))) == 63
    # A period asked for by hand always sends, judged at that moment: two late letters.
    by_hand = check_deadline(at(20), paths, statistical_year=2024, months=8)
    assert by_hand["alert"]
    late_letter = [a for a in by_hand["late"] if a["province_code"] == "02"]
    assert late_letter and late_letter[0]["working_days_late"] == 2
    send_deadline_alerts(by_hand, paths)
    texts = [p.read_text("utf-8") for p in outbox.glob("*.txt")]
    assert any("gửi chậm 2 ngày làm việc" in t and "(mã 02)" in t for t in texts)


def test_a_period_the_warehouse_does_not_cover_is_a_clear_error(paths: Paths) -> None:
    with pytest.raises(DeadlineError, match="no compliance rows for 12 months of 2021"):
        check_deadline(at(20), paths, statistical_year=2021, months=12)
