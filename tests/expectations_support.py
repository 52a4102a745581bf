"""Test inputs for validation: correct parsed submissions built from the real generator and
the real tidy-row builder, and small edits that break exactly one thing."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from expectations.history import HISTORY_COLUMNS
from ingest.model import ParsedSubmission, SourceFile
from ingest.schema import MeasureRows, SubmissionMeta, rows_frame
from thads.contract import LABELS, MEASURES, NUMERIC_KEYS, SHEET_NAMES, parse_filename
from thads.generate import Report, build_report

FIRST_DATA_ROW = 8  # a 5-line header block, a header row and a numbering row above
T0 = datetime(2024, 9, 3, 1, 15, tzinfo=UTC)


def report(
    code: str = "80",
    year: int = 2024,
    months: int = 11,
    cases: dict[str, float] | None = None,
    money: dict[str, float] | None = None,
    n_offices: int = 4,
    seed: int = 0,
) -> Report:
    """A correct report: every identity holds, the total row is the sum of the offices."""
    return build_report(
        code,
        year,
        months,
        cases_totals=cases or {"must_enforce": 3000, "with_conditions": 2000, "done": 1600},
        money_totals=money
        or {"must_enforce": 900_000, "with_conditions": 500_000, "done": 200_000.0},
        n_offices=n_offices,
        rng=random.Random(seed),
    )


def parsed(
    rep: Report,
    *,
    arrival: datetime | None = None,
    batch_id: str = "batch-test",
    labels: dict[tuple[str, str], str] | None = None,
    fmt: str = "xlsx",
) -> ParsedSubmission:
    """The ParsedSubmission ingest would produce for `rep` written as one xlsx file."""
    name = rep.filename(fmt)
    arrival = arrival or T0
    sha = hashlib.sha256(
        repr((name, rep.cases, rep.money, rep.offices, arrival)).encode()
    ).hexdigest()
    fn = parse_filename(name)
    parts = []
    written = {}
    for measure in MEASURES:
        sheet = SHEET_NAMES[measure]
        part = MeasureRows(measure=measure, sheet=sheet, source_file=name, sha256=sha)
        for i, (office, row) in enumerate(rep.labelled_rows(measure)):
            is_total = i == len(rep.offices)
            part.add(office, is_total, FIRST_DATA_ROW + i, [float(row[k]) for k in NUMERIC_KEYS])
        parts.append(part)
        for key in ("office", *NUMERIC_KEYS):
            text = (labels or {}).get((measure, key), LABELS[key])
            written[(measure, key)] = (sheet, text)
    sid = f"{fn.submission_key}@{sha[:12]}"
    meta = SubmissionMeta(
        submission_id=sid,
        province_code=rep.province_code,
        statistical_year=rep.statistical_year,
        months=rep.months,
        boundary=rep.boundary,
        revision=rep.revision,
        arrival_time=arrival,
        batch_id=batch_id,
    )
    src = SourceFile(Path(name), name, sha, 1000, arrival, fn)
    return ParsedSubmission(
        submission_id=sid,
        submission_key=fn.submission_key,
        files=[src],
        province_code=rep.province_code,
        statistical_year=rep.statistical_year,
        months=rep.months,
        revision=rep.revision,
        fmt=fmt,
        boundary=rep.boundary,
        arrival_time=arrival,
        rows=rows_frame(meta, parts),
        labels=written,
    )


def sub(code: str = "80", year: int = 2024, months: int = 11, **kw) -> ParsedSubmission:
    arrival = kw.pop("arrival", None)
    labels = kw.pop("labels", None)
    return parsed(report(code, year, months, **kw), arrival=arrival, labels=labels)


def _row_mask(s: ParsedSubmission, measure: str, row: int | str) -> np.ndarray:
    rows = s.rows
    assert rows is not None
    in_sheet = (rows["measure"] == measure).to_numpy()
    if row == "total":
        return in_sheet & rows["is_total"].to_numpy()
    positions = np.flatnonzero(in_sheet & ~rows["is_total"].to_numpy())
    mask = np.zeros(len(rows), dtype=bool)
    mask[positions[row]] = True
    return mask


def edit(
    s: ParsedSubmission,
    measure: str,
    row: int | str,
    deltas: dict[str, float],
    retotal: bool = True,
) -> int:
    """Add `deltas` to one row (office index or "total"); with `retotal` the total row is
    made the sum of the offices again, so only the edited row's own checks can fail.
    Returns the edited row's source_row."""
    rows = s.rows
    assert rows is not None
    mask = _row_mask(s, measure, row)
    for key, delta in deltas.items():
        rows.loc[mask, key] = rows.loc[mask, key] + delta
    if retotal and row != "total":
        retotal_sheet(s, measure)
    return int(rows.loc[mask, "source_row"].iloc[0])


def retotal_sheet(s: ParsedSubmission, measure: str) -> None:
    rows = s.rows
    assert rows is not None
    in_sheet = (rows["measure"] == measure).to_numpy()
    total = in_sheet & rows["is_total"].to_numpy()
    offices = in_sheet & ~rows["is_total"].to_numpy()
    for key in NUMERIC_KEYS:
        rows.loc[total, key] = rows.loc[offices, key].sum()


def scale(s: ParsedSubmission, factor: int) -> None:
    """Multiply every figure by a whole factor: identities and totals keep holding."""
    rows = s.rows
    assert rows is not None
    for key in NUMERIC_KEYS:
        rows[key] = rows[key] * factor


def copy_figures(source: ParsedSubmission, target: ParsedSubmission, factor: int = 1) -> None:
    """Give `target` the figures of `source` (same offices), times a whole factor (so every
    identity keeps holding)."""
    assert source.rows is not None and target.rows is not None
    assert list(source.rows["office"]) == list(target.rows["office"])
    for key in NUMERIC_KEYS:
        target.rows[key] = source.rows[key].to_numpy() * factor


def history_of(*subs: ParsedSubmission) -> pd.DataFrame:
    """The `history` frame validation reads: total rows of accepted standing versions."""
    frames = [s.rows[s.rows["is_total"]] for s in subs if s.rows is not None]
    return pd.concat(frames, ignore_index=True)[list(HISTORY_COLUMNS)]


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)
