"""Targets files (`targets_<year>.csv`, contract section 2) to `raw/targets.parquet`.

Columns `province_code,case_target_pct,money_target_pct[,boundary]`. Percentages may be
written "83,35" (Vietnamese) or "83.35": a percentage is below 1000, so a dot in it can
only be a decimal point. Without a `boundary` column the year decides (63 before 2025,
34 after); for 2025, the year of the merger, the column is required by the contract and a
file without it leaves `boundary` null with a warning.

Each file is recorded in the registry (fmt `targets`): the newest file per year (as for
submissions: `contract.newest_first`, arrival as `ingest.arrival` defines it) is `loaded`,
older ones `superseded`, a broken one `quarantined` (kept in `quarantine/` with its
reasons; the previous targets stand).
`raw/targets.parquet` is rebuilt from the archived standing file of every year, so it
always matches the registry.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from ingest.arrival import stamper
from ingest.csv_reader import decode
from ingest.files import TARGETS_RE, archive_file, discover, quarantine_file, source_file
from ingest.limits import LimitExceeded, Limits
from ingest.lock import commit_lock
from ingest.model import SourceFile
from ingest.numbers import NotANumber, parse_vn_number
from ingest.raw import write_parquet_atomic
from ingest.registry import FileRecord, Registry, from_iso, now_iso
from thads import reference
from thads.config import Paths
from thads.contract import BOUNDARIES, Finding, newest_first, year_boundary
from thads.safe_text import safe_text

REQUIRED = ("province_code", "case_target_pct", "money_target_pct")
TARGETS_SCHEMA = pa.schema(
    [
        ("statistical_year", pa.int64()),
        ("province_code", pa.string()),
        ("boundary", pa.int64()),
        ("case_target_pct", pa.float64()),
        ("money_target_pct", pa.float64()),
        ("source_file", pa.string()),
        ("sha256", pa.string()),
        ("arrival_time", pa.timestamp("us", tz="UTC")),
    ]
)
_DOT_DECIMAL = re.compile(r"^\s*\d{1,3}\.\d+\s*$")


@dataclass
class TargetsFile:
    source: SourceFile
    year: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    @property
    def submission_id(self) -> str:
        return f"targets_{self.year}@{self.source.sha256[:12]}"


def parse_pct(value: str) -> float:
    if _DOT_DECIMAL.match(value):
        return float(value)
    return parse_vn_number(value)


def default_boundary(year: int) -> int | None:
    """The boundary a targets file of `year` means without a `boundary` column; None for
    the merger year, which holds both sets (only the file can tell)."""
    return year_boundary(year)


def parse_targets(path: Path, source: SourceFile | None = None) -> TargetsFile:
    """Read one targets file; problems are findings naming file, line and column. Never
    raises for what the file holds: past a limit, or on any failure, the file is refused."""
    source = source or source_file(path)
    limits = Limits.from_env()
    previous = csv.field_size_limit(limits.cell_chars)
    try:
        if source.unread is not None or source.size > limits.file_bytes:
            raise LimitExceeded("the file size (bytes)", source.size, limits.file_bytes)
        return _parse_targets(path, source)
    except Exception as exc:
        out = TargetsFile(source, 0)
        out.findings.append(
            Finding.of(
                "targets.unreadable",
                source.name,
                f"the file cannot be read ({type(exc).__name__}: {safe_text(str(exc))[:300]})",
            )
        )
        return out
    finally:
        csv.field_size_limit(previous)


def _parse_targets(path: Path, source: SourceFile) -> TargetsFile:
    match = TARGETS_RE.match(source.name)
    year = int(match["year"]) if match else 0
    out = TargetsFile(source, year)
    name = source.name

    def error(rule: str, message: str, **where: Any) -> None:
        out.findings.append(Finding.of(rule, name, message, sheet=name, **where))

    try:
        text = decode(path.read_bytes())
    except UnicodeDecodeError as exc:
        error("targets.bad_encoding", f"not UTF-8 text ({exc.reason})")
        return out
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    for column in missing:
        error("targets.missing_column", f"no column {column!r}", row=1, column=column)
    if missing:
        return out
    at = {c: header.index(c) for c in header}
    has_boundary = "boundary" in at
    if not has_boundary and default_boundary(year) is None:
        out.findings.append(
            Finding.of(
                "targets.missing_boundary",
                name,
                f"{year} spans the merger: without a 'boundary' column (63 or 34) "
                "the codes are ambiguous; boundary left empty",
                sheet=name,
            )
        )
    seen: set[tuple[str, int | None]] = set()
    previous_end = 1
    for record in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        cells = record + [""] * (len(header) - len(record))
        code = cells[at["province_code"]].strip()
        if not code.isdigit() or len(code) > 2:
            error(
                "targets.bad_province_code",
                "province_code must be a two-digit code",
                row=line,
                column="province_code",
                observed=code,
            )
            continue
        code = code.zfill(2)
        boundary = default_boundary(year)
        if has_boundary:
            raw = cells[at["boundary"]].strip()
            if raw not in {str(b) for b in BOUNDARIES}:
                error(
                    "targets.bad_boundary",
                    f"boundary must be {' or '.join(map(str, BOUNDARIES))}",
                    row=line,
                    column="boundary",
                    observed=raw,
                )
                continue
            boundary = int(raw)
        row: dict[str, Any] = {"province_code": code, "boundary": boundary}
        if boundary is not None and code not in codes_of(boundary):
            error(
                "targets.unknown_province",
                f"{code} is not a province code of the {boundary}-province set of {year}",
                row=line,
                column="province_code",
                observed=code,
                expected=f"a code of the {boundary} provinces",
            )
            continue
        for column in ("case_target_pct", "money_target_pct"):
            raw = cells[at[column]]
            if not raw.strip():
                # The contract reads a blank report cell as 0; a blank target is no target.
                error("targets.blank_target", "the target is blank", row=line, column=column,
                      observed="blank", expected="a percentage")  # fmt: skip
                row[column] = None
                continue
            try:
                value = parse_pct(raw)
            except NotANumber as exc:
                error("targets.not_a_number", exc.reason, row=line, column=column, observed=raw)
                value = None
            if value is not None and not 0 <= value <= 100:
                error(
                    "targets.out_of_range",
                    "a target is a percentage between 0 and 100",
                    row=line,
                    column=column,
                    observed=raw,
                )
            row[column] = value
        if (code, boundary) in seen:
            error(
                "targets.duplicate_province",
                f"province {code} appears twice",
                row=line,
                column="province_code",
                observed=code,
            )
        seen.add((code, boundary))
        out.rows.append(row)
    if not out.rows and not out.has_errors:
        error("targets.empty", "no targets in the file")
    elif out.rows:
        _check_complete(out, seen, has_boundary, error)
    return out


def codes_of(boundary: int) -> frozenset[str]:
    return frozenset(p.code for p in reference.provinces(boundary))


def _check_complete(
    out: TargetsFile, seen: set[tuple[str, int | None]], has_boundary: bool, error: Any
) -> None:
    """Every province of the year's boundary set(s) has a target: a file that leaves one
    out would silently take that province's target away. The merger year needs both sets
    (its periods use both) when the file says which is which."""
    single = year_boundary(out.year)
    sets = [single] if single is not None else (list(BOUNDARIES) if has_boundary else [])
    for boundary in sets:
        missing = sorted(codes_of(boundary) - {code for code, b in seen if b == boundary})
        if missing:
            error(
                "targets.missing_province",
                f"{len(missing)} province(s) of the {boundary}-province set have no target",
                column="province_code",
                observed=", ".join(missing[:20]) + (" ..." if len(missing) > 20 else ""),
                expected=f"all {boundary} provinces",
            )


@dataclass
class TargetsSummary:
    loaded: list[str] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    n_rows: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "loaded": self.loaded,
            "quarantined": self.quarantined,
            "duplicates": self.duplicates,
            "years": self.years,
            "n_rows": self.n_rows,
        }


def ingest_targets(
    landing: Path | Iterable[Path | str],
    paths: Paths | None = None,
    batch_id: str = "targets",
    trust_mtime: bool = False,
) -> TargetsSummary:
    """Record new targets files, settle the standing file per year, rebuild targets.parquet."""
    paths = (paths or Paths.from_env()).ensure()
    source = landing if isinstance(landing, Path | str) else [Path(p) for p in landing]
    found = discover(source, stamp=stamper(paths, trust_mtime))
    summary = TargetsSummary()
    with commit_lock(paths), Registry.open(paths) as registry:
        fresh = [f for f in found.targets if _id(f) not in registry.known_submission_ids([_id(f)])]
        owners = _targets_owners(registry, [f.sha256 for f in fresh])
        records: list[FileRecord] = []
        for f in fresh:
            archived = archive_file(f, paths.archive)
            year = int(TARGETS_RE.match(f.name)["year"])  # type: ignore[index]
            record = FileRecord(
                file=f.name,
                sha256=f.sha256,
                size=f.size,
                submission_id=_id(f),
                submission_key=f"targets_{year}",
                province_code=None,
                statistical_year=year,
                months=None,
                revision=1,
                fmt="targets",
                arrival_time=f.arrival_time,
                first_seen=f.first_seen,
                archive_path=str(archived.relative_to(paths.home)),
            )
            if f.sha256 in owners:
                record.own_status = "duplicate"
                record.duplicate_of = owners[f.sha256]
                record.own_reasons = [
                    f"{f.name}: [warning] ingest.duplicate: same content as {owners[f.sha256]}"
                ]
                summary.duplicates.append(f.name)
            else:
                owners[f.sha256] = _id(f)
                parsed = parse_targets(archived, f)
                reasons = [str(x) for x in sorted(parsed.findings, key=lambda x: x.severity)]
                if parsed.has_errors:
                    record.own_status = "quarantined"
                    summary.quarantined.append({"file": f.name, "reasons": reasons})
                    _quarantine(paths, f, reasons)
                else:
                    record.own_status = "superseded"  # settled below
                    summary.years.append(year)
                record.own_reasons = reasons
            records.append(record)
        with registry.transaction():
            registry.add_files(records, batch_id, now_iso())
            standing = _settle_targets(registry, set(summary.years))
        summary.loaded = [name for name, _ in standing.values()]
        table = _targets_table(registry, paths)
    write_parquet_atomic(table, paths.targets)
    summary.n_rows = table.num_rows
    summary.years = sorted(set(summary.years))
    return summary


def _id(f: SourceFile) -> str:
    match = TARGETS_RE.match(f.name)
    return f"targets_{match['year'] if match else 'x'}@{f.sha256[:12]}"


def _targets_owners(registry: Registry, shas: Sequence[str]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for sha in set(shas):
        row = registry.conn.execute(
            "SELECT submission_id FROM files WHERE fmt = 'targets' AND sha256 = ? "
            "AND own_status != 'duplicate' ORDER BY first_seen LIMIT 1",
            (sha,),
        ).fetchone()
        if row:
            owners[sha] = row[0]
    return owners


def _settle_targets(registry: Registry, years: set[int]) -> dict[int, tuple[str, str]]:
    """The newest targets file stands per year (`contract.newest_first`, as for
    submissions); returns year -> (file, id)."""
    standing: dict[int, tuple[str, str]] = {}
    for year in years:
        versions = registry.conn.execute(
            """SELECT file, submission_id, arrival_time, revision, first_seen, id FROM files
               WHERE fmt = 'targets' AND statistical_year = ?
                 AND own_status IN ('loaded', 'superseded')""",
            (year,),
        ).fetchall()
        rows = [(v["file"], v["submission_id"]) for v in newest_first(versions)]
        for i, (file, sid) in enumerate(rows):
            registry.conn.execute(
                "UPDATE files SET own_status = ? WHERE submission_id = ?",
                ("loaded" if i == 0 else "superseded", sid),
            )
            if i == 0:
                standing[year] = (file, sid)
    return standing


def _targets_table(registry: Registry, paths: Paths) -> pa.Table:
    rows = registry.conn.execute(
        """SELECT file, sha256, statistical_year, arrival_time, archive_path FROM files
           WHERE fmt = 'targets' AND own_status = 'loaded' ORDER BY statistical_year"""
    ).fetchall()
    columns: dict[str, list] = {name: [] for name in TARGETS_SCHEMA.names}
    for file, sha, _year, arrival, archive_path in rows:
        archived = paths.home / archive_path
        source = SourceFile(
            path=archived,
            name=file,
            sha256=sha,
            size=archived.stat().st_size,
            arrival_time=from_iso(arrival) or datetime.min,
            filename=None,
        )
        parsed = parse_targets(archived, source)
        for row in parsed.rows:
            columns["statistical_year"].append(parsed.year)
            columns["province_code"].append(row["province_code"])
            columns["boundary"].append(row["boundary"])
            columns["case_target_pct"].append(row["case_target_pct"])
            columns["money_target_pct"].append(row["money_target_pct"])
            columns["source_file"].append(file)
            columns["sha256"].append(sha)
            columns["arrival_time"].append(source.arrival_time)
    return pa.table(columns, schema=TARGETS_SCHEMA)


def _quarantine(paths: Paths, f: SourceFile, reasons: list[str]) -> None:
    quarantine_file(f, paths.quarantine, paths.archive, {"reasons": reasons})
