"""The close of a period (the year-end close DAG, `dags/thads_year_end_close.py`): what the
data team reads before deciding, and what each answer does.

`close_summary` reads `marts.fct_period_close` from the published snapshot (how many
provinces reported, which are late, rejected or missing, the national rates). An approval
runs `thads.approval.approve`, the very call behind `thads approve`; a rejection is kept in
the registry's `close_reviews` with its reason (an approval is kept there too, beside its
rows in the approval log) and the data team is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ingest.registry import Registry, now_iso
from thads.approval.decisions import approve
from thads.config import Paths
from thads.contract import period_end

SUMMARY_COLUMNS = (
    "statistical_year", "months", "boundary", "n_expected", "n_reported", "n_on_time",
    "n_late", "n_rejected", "n_missing", "n_not_due", "n_final", "late_provinces",
    "rejected_provinces", "missing_provinces", "cases_rate_pct", "money_rate_pct",
)  # fmt: skip


def year_to_close(day: date) -> int:
    """The latest statistical year whose 12-month period has closed by `day` (year Y closes
    on 30 September of Y: contract 6.1)."""
    closes = period_end(day.year, 12)
    return day.year if day > closes else day.year - 1


class NothingToClose(LookupError):
    """The published warehouse has no report for the period yet."""


def close_summary(statistical_year: int, months: int, paths: Paths | None = None) -> dict[str, Any]:
    """The period's row of `marts.fct_period_close` (published snapshot), plus `subject` and
    `body` (Markdown) for the approval screen."""
    import duckdb

    paths = paths or Paths.from_env()
    if not paths.snapshot.exists():
        raise NothingToClose(f"nothing is published yet ({paths.snapshot})")
    with duckdb.connect(str(paths.snapshot), read_only=True) as con:
        row = con.execute(
            f"select {', '.join(SUMMARY_COLUMNS)} from marts.fct_period_close "
            "where statistical_year = ? and months = ?",
            [statistical_year, months],
        ).fetchone()
    if row is None:
        raise NothingToClose(
            f"no report of the {months}-month period of {statistical_year} is published"
        )
    summary = dict(zip(SUMMARY_COLUMNS, row, strict=True))
    summary["subject"] = (
        f"Close {statistical_year}: approve the {months}-month figures of "
        f"{summary['n_reported']}/{summary['n_expected']} provinces as final?"
    )
    summary["body"] = summary_markdown(summary)
    return summary


def _codes(value: str | None) -> str:
    return f" ({value})" if value else ""


def _rate(value: float | None) -> str:
    return "no rate" if value is None else f"{value:.2f} %"


def summary_markdown(s: Mapping[str, Any]) -> str:
    return "\n".join(
        [
            f"**Statistical year {s['statistical_year']}, {s['months']}-month report** "
            f"({s['boundary']} provinces)",
            "",
            f"- Reported: {s['n_reported']} of {s['n_expected']}: on time {s['n_on_time']}, "
            f"late {s['n_late']}{_codes(s['late_provinces'])}",
            f"- Rejected: {s['n_rejected']}{_codes(s['rejected_provinces'])}; missing: "
            f"{s['n_missing']}{_codes(s['missing_provinces'])}; not yet due: {s['n_not_due']}",
            f"- National rate: cases {_rate(s['cases_rate_pct'])}, money "
            f"{_rate(s['money_rate_pct'])}",
            f"- Final already: {s['n_final']} province(s)",
            "",
            "**Approve** makes the figures of every province with an accepted report final "
            f"(as `thads approve --year {s['statistical_year']} --months {s['months']}`); a "
            "later file for them is held until `thads reopen`. **Reject** keeps them "
            "preliminary; write the reason in the note.",
        ]
    )


def _responder(response: Mapping[str, Any]) -> str:
    user = response.get("responded_by_user") or {}
    return str(user.get("name") or user.get("id") or "airflow")


def _note(response: Mapping[str, Any]) -> str | None:
    note = (response.get("params_input") or {}).get("note")
    return str(note).strip() or None if note is not None else None


def record_review(
    paths: Paths, statistical_year: int, months: int, outcome: str, by: str, note: str | None
) -> str:
    """Keep a close decision (approved | rejected) in the registry; returns its time."""
    at = now_iso()
    with Registry.open(paths) as registry, registry.transaction():
        registry.conn.execute(
            "INSERT INTO close_reviews (statistical_year, months, outcome, decided_by, note, at) "
            "VALUES (?,?,?,?,?,?)",
            (statistical_year, months, outcome, by, note, at),
        )
    return at


def close_approved(
    summary: Mapping[str, Any], response: Mapping[str, Any], paths: Paths | None = None
) -> dict[str, Any]:
    """The data team approved in Airflow: the same call as `thads approve`."""
    paths = paths or Paths.from_env()
    year, months = int(summary["statistical_year"]), int(summary["months"])
    by, note = _responder(response), _note(response)
    result = approve(year, months, by=by, note=note, paths=paths)
    record_review(paths, year, months, "approved", by, note)
    return result.to_dict()


def close_rejected(
    summary: Mapping[str, Any], response: Mapping[str, Any], paths: Paths | None = None
) -> dict[str, Any]:
    """The data team rejected: the figures stay preliminary; the reason is kept."""
    from thads.notify import notify_data_team

    paths = paths or Paths.from_env()
    year, months = int(summary["statistical_year"]), int(summary["months"])
    by, reason = _responder(response), _note(response) or "no reason given"
    at = record_review(paths, year, months, "rejected", by, reason)
    notify_data_team(
        f"[THADS] close of {year} ({months} months) rejected by {by}",
        f"The {months}-month figures of {year} stay preliminary.\nReason: {reason}\nAt: {at}",
        paths,
    )
    return {"statistical_year": year, "months": months, "by": by, "reason": reason, "at": at}


def reviews(paths: Paths | None = None) -> list[dict[str, Any]]:
    """Every close decision taken in Airflow, oldest first."""
    with Registry.open(paths or Paths.from_env(), readonly=True) as registry:
        rows = registry.conn.execute(
            "SELECT statistical_year, months, outcome, decided_by, note, at "
            "FROM close_reviews ORDER BY id"
        ).fetchall()
    keys = ("statistical_year", "months", "outcome", "by", "note", "at")
    return [dict(zip(keys, r, strict=True)) for r in rows]
