"""Reading limits: what one file may cost to read, checked before or while reading.

A province file is a few dozen rows; anything far bigger is a mistake or an attack, and
one such file must never stop the rest of a batch (issue 12). Each limit is configurable
with the environment variable `ENV[name]` (e.g. THADS_LIMIT_FILE_BYTES, listed in
thads.env.example); the defaults leave a real report a margin of hundreds.

Where each is enforced:
- `file_bytes`: before a file is read (staging reads nothing bigger; it is archived by a
  streamed copy and refused);
- `unzipped_bytes`, `rows`, `columns`: an xlsx's zip members and its sheets' declared AND
  actual cell references, before the workbook is opened (`ingest.xlsx_guard`); CSV and JSON
  row counts while reading;
- `cell_chars`: CSV fields (the csv module's field limit) and every grid cell;
- `json_depth`, `digits`: JSON nesting before decoding, and number literals while decoding;
- `seconds_per_file`, `memory_bytes`: the reader runs in a child process with an address
  space limit and a watchdog (`ingest.isolation`);
- `findings_per_rule`: a file with thousands of faults keeps the first of each rule and a
  count of the rest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from thads.contract import Finding

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 20 * MiB
    unzipped_bytes: int = 200 * MiB
    rows: int = 5_000
    columns: int = 200
    cell_chars: int = 10_000
    json_depth: int = 20
    digits: int = 18
    seconds_per_file: float = 60.0
    memory_bytes: int = 768 * MiB
    findings_per_rule: int = 50

    @classmethod
    def from_env(cls) -> Limits:
        values: dict[str, int | float] = {}
        for f in fields(cls):
            raw = os.environ.get(ENV[f.name])
            if raw:
                values[f.name] = float(raw) if f.type == "float" else int(raw)
        return cls(**values)  # type: ignore[arg-type]


#: The environment variable of each limit (spelled out: thads.env.example lists them).
ENV = {
    "file_bytes": "THADS_LIMIT_FILE_BYTES",
    "unzipped_bytes": "THADS_LIMIT_UNZIPPED_BYTES",
    "rows": "THADS_LIMIT_ROWS",
    "columns": "THADS_LIMIT_COLUMNS",
    "cell_chars": "THADS_LIMIT_CELL_CHARS",
    "json_depth": "THADS_LIMIT_JSON_DEPTH",
    "digits": "THADS_LIMIT_DIGITS",
    "seconds_per_file": "THADS_LIMIT_SECONDS_PER_FILE",
    "memory_bytes": "THADS_LIMIT_MEMORY_BYTES",
    "findings_per_rule": "THADS_LIMIT_FINDINGS_PER_RULE",
}


class LimitExceeded(Exception):
    """Raised by a reader that stops at a limit; becomes a `parse.limit_exceeded` finding."""

    def __init__(self, what: str, observed: object, limit: object, **where: object) -> None:
        super().__init__(f"{what}: {observed} (the limit is {limit})")
        self.what = what
        self.observed = observed
        self.limit = limit
        self.where = where

    def finding(self, file: str) -> Finding:
        return Finding.of(
            "parse.limit_exceeded",
            file,
            f"{self.what} exceeds the reading limit; the file was not read further",
            observed=str(self.observed),
            expected=f"at most {self.limit}",
            **self.where,  # type: ignore[arg-type]
        )


def cap_findings(findings: list[Finding], per_rule: int) -> list[Finding]:
    """The first `per_rule` findings of each rule, then one finding per rule counting the
    rest: a file with a million bad cells reports, and stores, a few dozen lines."""
    kept: list[Finding] = []
    dropped: dict[str, list[Finding]] = {}
    seen: dict[str, int] = {}
    for f in findings:
        seen[f.rule] = seen.get(f.rule, 0) + 1
        if seen[f.rule] <= per_rule:
            kept.append(f)
        else:
            dropped.setdefault(f.rule, []).append(f)
    for rule_id, rest in dropped.items():
        first = rest[0]
        kept.append(
            Finding(
                file=first.file,
                rule=rule_id,
                severity=first.severity,
                message=f"... and {len(rest)} more finding(s) of this rule, not listed",
                sheet=first.sheet,
                extra={"more": len(rest)},
            )
        )
    return kept


def check_grid(grid: list[list[object]], limits: Limits, sheet: str) -> None:
    """Rows, columns and cell length of a sheet as read (raises LimitExceeded)."""
    if len(grid) > limits.rows:
        raise LimitExceeded("the number of rows", len(grid), limits.rows, sheet=sheet)
    for i, row in enumerate(grid, start=1):
        if len(row) > limits.columns:
            raise LimitExceeded("the number of columns", len(row), limits.columns,
                                sheet=sheet, row=i)  # fmt: skip
        for cell in row:
            if cell.__class__ is str and len(cell) > limits.cell_chars:  # type: ignore[arg-type]
                raise LimitExceeded("the length of a cell (characters)", len(cell),  # type: ignore[arg-type]
                                    limits.cell_chars, sheet=sheet, row=i)  # fmt: skip
