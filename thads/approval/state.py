"""The approval state in the registry (`approval_log`, contract section 7).

The log is append-only: every `thads approve` / `thads reopen` adds rows, none is ever
changed. A (province, statistical year, months) is FINAL while its latest decision is an
approval; everything else is preliminary. This module only reads and appends; the
decisions (what may be approved, warnings, errors) are `thads.approval.decisions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ingest.registry import Registry

Period = tuple[str, int, int]  # (province_code, statistical_year, months)

APPROVE, REOPEN = "approve", "reopen"
ACTIONS = (APPROVE, REOPEN)


@dataclass(frozen=True)
class Decision:
    """One row of the log; `by` and `at` (ISO UTC) as `marts.fct_approval_log` names them."""

    statistical_year: int
    months: int
    province_code: str
    action: str
    by: str
    note: str | None
    at: str
    submission_id: str | None = None

    @property
    def period(self) -> Period:
        return (self.province_code, self.statistical_year, self.months)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


_COLUMNS = "statistical_year, months, province_code, action, decided_by, note, at, submission_id"


def log(registry: Registry) -> list[Decision]:
    """Every decision, oldest first."""
    rows = registry.conn.execute(f"SELECT {_COLUMNS} FROM approval_log ORDER BY id")
    return [Decision(*row) for row in rows]


def latest_decisions(
    registry: Registry, statistical_year: int | None = None, months: int | None = None
) -> dict[Period, Decision]:
    """The latest decision of each (province, period), optionally of one period only."""
    where, params = "", ()
    if statistical_year is not None and months is not None:
        where, params = "WHERE statistical_year = ? AND months = ?", (statistical_year, months)
    rows = registry.conn.execute(f"SELECT {_COLUMNS} FROM approval_log {where} ORDER BY id", params)
    latest: dict[Period, Decision] = {}
    for row in rows:
        decision = Decision(*row)
        latest[decision.period] = decision
    return latest


def final_approvals(
    registry: Registry, statistical_year: int | None = None, months: int | None = None
) -> dict[Period, Decision]:
    """The approval that makes each final (province, period) final."""
    return {
        period: d
        for period, d in latest_decisions(registry, statistical_year, months).items()
        if d.action == APPROVE
    }


def append(registry: Registry, decisions: Iterable[Decision]) -> None:
    """Add decisions (call inside `registry.transaction()`)."""
    registry.conn.executemany(
        f"INSERT INTO approval_log ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
        [
            (
                d.statistical_year,
                d.months,
                d.province_code,
                d.action,
                d.by,
                d.note,
                d.at,
                d.submission_id,
            )
            for d in decisions
        ],
    )


def standing_submissions(registry: Registry, statistical_year: int, months: int) -> dict[str, str]:
    """province_code -> the submission that stands (status `loaded`) for the period."""
    rows = registry.conn.execute(
        "SELECT province_code, submission_id FROM submissions "
        "WHERE statistical_year = ? AND months = ? AND status = 'loaded'",
        (statistical_year, months),
    )
    return {code: sid for code, sid in rows}


def statuses_by_province(
    registry: Registry, statistical_year: int, months: int
) -> dict[str, set[str]]:
    """province_code -> the statuses of every file seen for the period."""
    out: dict[str, set[str]] = {}
    rows = registry.conn.execute(
        "SELECT province_code, status FROM submissions "
        "WHERE statistical_year = ? AND months = ? AND province_code IS NOT NULL",
        (statistical_year, months),
    )
    for code, status in rows:
        out.setdefault(code, set()).add(status)
    return out


_FILE_COLUMNS = ("file", "sha256", "size", "archive_path", "arrival_time")


def held_submissions(registry: Registry) -> list[dict[str, object]]:
    """Submissions waiting with status `held`, with their files, in arrival order."""
    subs = registry.conn.execute(
        "SELECT submission_id, province_code, statistical_year, months, arrival_time "
        "FROM submissions WHERE status = 'held' ORDER BY arrival_time, revision, submission_id"
    ).fetchall()
    out = []
    for sid, code, year, months, arrival in subs:
        files = registry.conn.execute(
            f"SELECT {', '.join(_FILE_COLUMNS)} FROM files "
            "WHERE submission_id = ? AND own_status IS NULL ORDER BY file",
            (sid,),
        ).fetchall()
        out.append(
            {
                "submission_id": sid,
                "period": (code, year, months),
                "arrival_time": arrival,
                "files": [dict(zip(_FILE_COLUMNS, f, strict=True)) for f in files],
            }
        )
    return out


def forget_held(registry: Registry, submission_ids: Iterable[str]) -> None:
    """Drop the `held` rows of submissions about to be evaluated again (call inside the
    commit's transaction, right before they are recorded with their new status)."""
    registry.conn.executemany(
        "DELETE FROM submissions WHERE submission_id = ? AND status = 'held'",
        [(sid,) for sid in submission_ids],
    )
