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


def period_label_vi(
    n_final: int, n_reported: int, last_approved_at: datetime | date | str | None
) -> str:
    """One label for a whole period: final when every province with a report has final
    figures (dated by the latest approval), "Số liệu sơ bộ" when none has, and how many are
    final when some are."""
    if n_reported == 0 or n_final == 0:
        return PRELIMINARY_VI
    if n_final >= n_reported:
        return figure_label_vi("final", last_approved_at)
    return f"{PRELIMINARY_VI} ({n_final}/{n_reported} tỉnh đã có số liệu chính thức)"
