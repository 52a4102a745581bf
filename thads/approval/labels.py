"""How a figure's approval state is written for people (report, exports, `thads rank`):
"Số liệu chính thức (phê duyệt ngày dd/mm/yyyy)" or "Số liệu sơ bộ". One place for the
wording, so the HTML report, the Excel/CSV exports and the command line say the same."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PRELIMINARY_VI = "Số liệu sơ bộ"
FINAL_VI = "Số liệu chính thức"
_VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def approval_day(approved_at: datetime | date | str | None) -> date | None:
    """The day (Vietnam time) of an approval given as a timestamp, ISO text or date."""
    if approved_at is None or approved_at == "":
        return None
    if isinstance(approved_at, str):
        approved_at = datetime.fromisoformat(approved_at)
    if isinstance(approved_at, datetime):
        if approved_at.tzinfo is None:  # warehouse timestamps are UTC
            approved_at = approved_at.replace(tzinfo=ZoneInfo("UTC"))
        return approved_at.astimezone(_VIETNAM).date()
    return approved_at


def figure_label_vi(figure_status: str | None, approved_at: datetime | date | str | None) -> str:
    """`final` with its approval day -> "Số liệu chính thức (phê duyệt ngày 21/10/2024)";
    anything else -> "Số liệu sơ bộ"."""
    day = approval_day(approved_at)
    if figure_status != "final":
        return PRELIMINARY_VI
    return f"{FINAL_VI} (phê duyệt ngày {day:%d/%m/%Y})" if day else FINAL_VI


def period_label_vi(statuses: list[tuple[str | None, object]]) -> str:
    """One label for a whole period's ranking from its (figure_status, approved_at) pairs:
    final when every figure with a report is final (dated by the latest approval), "Số liệu
    sơ bộ" when none is, and a count when some are."""
    finals = [approval_day(at) for status, at in statuses if status == "final"]  # type: ignore[arg-type]
    if not statuses or not finals:
        return PRELIMINARY_VI
    days = [d for d in finals if d is not None]
    if len(finals) == len(statuses):
        return figure_label_vi("final", max(days) if days else None)
    return f"{PRELIMINARY_VI} ({len(finals)}/{len(statuses)} tỉnh đã có số liệu chính thức)"
