"""`thads approve` / `thads reopen` and the Airflow year-end close: one library call each.

approve: the standing figures of a period become final, for every province with an accepted
report or for one. Provinces without one (missing, or every file rejected) are listed as a
warning; approving what is final already changes nothing. reopen: one province's figures
of a final period become preliminary again; the next load evaluates its held files.

Crash safety: the publish-pending mark is set BEFORE the decision is written, in one
transaction with nothing else to do. A crash after the transaction leaves the mark, so the
next `thads load` (even with no new files) exports the log, builds and publishes; a crash
before it leaves no decision at all. A period is never half approved: every province of one
`approve` is written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.lock import commit_lock
from ingest.registry import Registry, now_iso
from thads import contract, reference
from thads.approval import state
from thads.config import Paths


class ApprovalError(ValueError):
    """A decision that cannot be taken; the message says why, for the person deciding."""


@dataclass
class ApprovalResult:
    """What a decision did (small enough for an Airflow XCom: `to_dict()`)."""

    action: str
    statistical_year: int
    months: int
    by: str
    decided: list[str] = field(default_factory=list)  # province codes written to the log
    already: list[str] = field(default_factory=list)  # final already (approve: a no-op)
    missing: list[str] = field(default_factory=list)  # nothing arrived
    rejected: list[str] = field(default_factory=list)  # files arrived, none accepted
    at: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.decided)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "statistical_year": self.statistical_year,
            "months": self.months,
            "by": self.by,
            "decided": self.decided,
            "already": self.already,
            "missing": self.missing,
            "rejected": self.rejected,
            "at": self.at,
        }


def _check_period(statistical_year: int, months: int) -> int:
    if not 1 <= months <= 12:
        raise ApprovalError(f"months must be 1 to 12, not {months}")
    if statistical_year < contract.FIRST_YEAR:
        raise ApprovalError(
            f"statistical year {statistical_year} is before the first year "
            f"{contract.FIRST_YEAR} the warehouse holds"
        )
    return contract.boundary_for(statistical_year, months)


def _check_province(code: str, boundary: int, statistical_year: int, months: int) -> str:
    code = code.zfill(2)
    if code not in reference.valid_codes(boundary):
        raise ApprovalError(
            f"province code {code} is not one of the {boundary} provinces of the "
            f"{months}-month report of {statistical_year}"
        )
    return code


def _check_name(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApprovalError(f"{what} must not be empty")
    return value


def _mark_pending(paths: Paths) -> None:
    from thads.pipeline import mark_publish_pending

    mark_publish_pending(paths)


def approve(
    statistical_year: int,
    months: int,
    by: str,
    province: str | None = None,
    note: str | None = None,
    paths: Paths | None = None,
) -> ApprovalResult:
    """Make the standing figures of (statistical_year, months) final: of every province with
    an accepted report, or of `province` only (which must have one)."""
    paths = (paths or Paths.from_env()).ensure()
    boundary = _check_period(statistical_year, months)
    by = _check_name(by, "--by")
    code = _check_province(province, boundary, statistical_year, months) if province else None
    result = ApprovalResult("approve", statistical_year, months, by)
    with commit_lock(paths), Registry.open(paths) as registry:
        standing = state.standing_submissions(registry, statistical_year, months)
        final = state.final_approvals(registry, statistical_year, months)
        seen = state.statuses_by_province(registry, statistical_year, months)
        expected = [p.code for p in reference.provinces(boundary)]
        for c in expected if code is None else [code]:
            if c in standing:
                continue
            (result.rejected if seen.get(c) else result.missing).append(c)
        if code is not None and code not in standing:
            why = "every file it sent was rejected" if seen.get(code) else "nothing arrived"
            raise ApprovalError(
                f"province {code} has no accepted report for the {months}-month report of "
                f"{statistical_year} ({why}): there is no figure to approve"
            )
        targets = sorted(standing) if code is None else [code]
        result.already = [c for c in targets if (c, statistical_year, months) in final]
        todo = [c for c in targets if (c, statistical_year, months) not in final]
        if not todo:
            return result
        _mark_pending(paths)
        result.at = now_iso()
        decisions = [
            state.Decision(
                statistical_year, months, c, state.APPROVE, by, note, result.at, standing[c]
            )
            for c in todo
        ]
        with registry.transaction():
            state.append(registry, decisions)
        result.decided = todo
    return result


def reopen(
    statistical_year: int,
    months: int,
    province: str,
    by: str,
    reason: str,
    paths: Paths | None = None,
) -> ApprovalResult:
    """Make one province's final figures of (statistical_year, months) preliminary again.
    Its held files are evaluated by the next load, in arrival order."""
    paths = (paths or Paths.from_env()).ensure()
    boundary = _check_period(statistical_year, months)
    by = _check_name(by, "--by")
    reason = _check_name(reason, "--reason")
    code = _check_province(province, boundary, statistical_year, months)
    result = ApprovalResult("reopen", statistical_year, months, by)
    with commit_lock(paths), Registry.open(paths) as registry:
        latest = state.latest_decisions(registry, statistical_year, months).get(
            (code, statistical_year, months)
        )
        if latest is None or latest.action != state.APPROVE:
            since = (
                f"it was reopened by {latest.by} at {latest.at}"
                if latest
                else "it was never approved"
            )
            raise ApprovalError(
                f"the {months}-month report of {statistical_year} of province {code} is not "
                f"final ({since}): there is nothing to reopen"
            )
        _mark_pending(paths)
        result.at = now_iso()
        with registry.transaction():
            state.append(
                registry,
                [
                    state.Decision(
                        statistical_year, months, code, state.REOPEN, by, reason, result.at
                    )
                ],
            )
        result.decided = [code]
    return result
