"""The registry (`state/registry.sqlite`): every file seen, every submission, its status.

Two tables carry the facts:
- `submissions`: one row per submission (a file, or a CSV pair): its period, arrival,
  status (`loaded` / `superseded` / `quarantined` / `held`) and reasons (JSON list of
  `str(Finding)`, each naming file, sheet, row, column and rule). `held`: the period was
  final (approved) when the file arrived; it waits for a reopen (`thads.approval`).
- `approval_log`: every approve/reopen decision (`thads.approval.state`).
- `files`: one row per (file, sha256, submission) seen. A file whose content was seen
  before is a row of its own with status `duplicate` (and `duplicate_of`); other files
  take their status from their submission.
`batches` records committed batches, so the commit step can tell a crashed batch's
leftovers from real data. Every change of a commit happens in ONE transaction.

`sightings` records when the warehouse first saw each (file name, content): the arrival
time of contract 6.1 (`ingest.arrival`); the sender's mtime counts only with
`thads load --trust-mtime`, and never later than the first sight.

The standing version of a (province, year, months) is the accepted submission that
`contract.newest_first` puts first (later arrival, then higher revision: contract
section 3); the other accepted ones are `superseded`. A quarantined submission is never accepted, so
it can never replace a good one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from thads.config import Paths
from thads.contract import newest_first

STATUSES = ("loaded", "superseded", "duplicate", "quarantined", "held")
ACCEPTED = ("loaded", "superseded")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    submission_id    TEXT PRIMARY KEY,
    submission_key   TEXT NOT NULL,
    content_sha      TEXT NOT NULL,
    province_code    TEXT,
    statistical_year INTEGER,
    months           INTEGER,
    revision         INTEGER NOT NULL,
    fmt              TEXT NOT NULL,
    boundary         INTEGER,
    arrival_time     TEXT NOT NULL,
    submitted_at     TEXT,
    first_seen       TEXT NOT NULL,
    status           TEXT NOT NULL,
    reasons          TEXT NOT NULL DEFAULT '[]',
    superseded_by    TEXT,
    n_rows           INTEGER NOT NULL DEFAULT 0,
    batch_id         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_period
    ON submissions (province_code, statistical_year, months);
CREATE INDEX IF NOT EXISTS submissions_content ON submissions (content_sha);

CREATE TABLE IF NOT EXISTS files (
    id               INTEGER PRIMARY KEY,
    file             TEXT NOT NULL,
    sha256           TEXT NOT NULL,
    size             INTEGER NOT NULL,
    submission_id    TEXT NOT NULL,
    submission_key   TEXT NOT NULL,
    province_code    TEXT,
    statistical_year INTEGER,
    months           INTEGER,
    revision         INTEGER NOT NULL,
    fmt              TEXT NOT NULL,
    arrival_time     TEXT NOT NULL,
    first_seen       TEXT NOT NULL,
    own_status       TEXT,            -- 'duplicate' (or a targets file's status), else NULL
    own_reasons      TEXT,            -- reasons of a duplicate / targets file
    duplicate_of     TEXT,
    archive_path     TEXT NOT NULL,
    batch_id         TEXT NOT NULL,
    UNIQUE (file, sha256, submission_id)
);
CREATE INDEX IF NOT EXISTS files_sha ON files (sha256);
CREATE INDEX IF NOT EXISTS files_submission ON files (submission_id);

-- Approval decisions (contract section 7), append-only: a (province, period) is final while
-- its latest decision is 'approve'. Kept here so a decision and the statuses it affects
-- are written in one transaction (thads.approval).
CREATE TABLE IF NOT EXISTS approval_log (
    id               INTEGER PRIMARY KEY,
    statistical_year INTEGER NOT NULL,
    months           INTEGER NOT NULL,
    province_code    TEXT NOT NULL,
    action           TEXT NOT NULL CHECK (action IN ('approve', 'reopen')),
    decided_by       TEXT NOT NULL,
    note             TEXT,
    at               TEXT NOT NULL,
    submission_id    TEXT            -- the standing version an approval made final
);
CREATE INDEX IF NOT EXISTS approval_log_period
    ON approval_log (province_code, statistical_year, months);
-- When the warehouse first saw each (file name, content): the arrival time of contract 6.1.
-- Written when a load finds the file (before parsing), so a crashed or failed load does not
-- make the file arrive again later. `arrival_time` is `first_seen`, or with
-- `thads load --trust-mtime` the file's mtime when that is earlier.
CREATE TABLE IF NOT EXISTS sightings (
    file             TEXT NOT NULL,
    sha256           TEXT NOT NULL,
    first_seen       TEXT NOT NULL,
    arrival_time     TEXT NOT NULL,
    mtime_trusted    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (file, sha256)
);

-- Close decisions taken in Airflow (thads.approval.close): approved | rejected, with the
-- reason; an approval's effect is in approval_log, a rejection is only here.
CREATE TABLE IF NOT EXISTS close_reviews (
    id               INTEGER PRIMARY KEY,
    statistical_year INTEGER NOT NULL,
    months           INTEGER NOT NULL,
    outcome          TEXT NOT NULL CHECK (outcome IN ('approved', 'rejected')),
    decided_by       TEXT NOT NULL,
    note             TEXT,
    at               TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS batches (
    batch_id        TEXT PRIMARY KEY,
    committed_at    TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '{}'
);
"""

#: One row per file for `thads submissions` and `raw/submissions.parquet`.
_LISTING = """
SELECT f.file, f.sha256, f.submission_id, f.submission_key, f.province_code,
       f.statistical_year, f.months, f.revision, f.fmt, f.arrival_time, f.first_seen,
       COALESCE(f.own_status, s.status) AS status,
       COALESCE(f.own_reasons, s.reasons, '[]') AS reasons,
       f.batch_id, s.boundary, s.submitted_at, s.superseded_by, f.duplicate_of,
       f.archive_path
FROM files f LEFT JOIN submissions s ON s.submission_id = f.submission_id
ORDER BY f.first_seen, f.id
"""
LISTING_COLUMNS = (
    "file",
    "sha256",
    "submission_id",
    "submission_key",
    "province_code",
    "statistical_year",
    "months",
    "revision",
    "fmt",
    "arrival_time",
    "first_seen",
    "status",
    "reasons",
    "batch_id",
    "boundary",
    "submitted_at",
    "superseded_by",
    "duplicate_of",
    "archive_path",
)


def iso(moment: datetime) -> str:
    """UTC, fixed width: ISO strings that sort like the moments they name."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text)  # 3.11 reads the trailing "Z" as UTC


def now_iso() -> str:
    return iso(datetime.now(UTC))


@dataclass
class FileRecord:
    file: str
    sha256: str
    size: int
    submission_id: str
    submission_key: str
    province_code: str | None
    statistical_year: int | None
    months: int | None
    revision: int
    fmt: str
    arrival_time: datetime
    archive_path: str
    first_seen: datetime | None = None  # None: the commit's time
    own_status: str | None = None
    own_reasons: list[str] | None = None
    duplicate_of: str | None = None


@dataclass
class SubmissionRecord:
    submission_id: str
    submission_key: str
    content_sha: str
    province_code: str | None
    statistical_year: int | None
    months: int | None
    revision: int
    fmt: str
    boundary: int | None
    arrival_time: datetime
    submitted_at: datetime | None
    status: str  # 'accepted' (standing decided on insert), 'quarantined' or 'held'
    reasons: list[str]
    n_rows: int


class Registry:
    """A connection to the registry; use as a context manager or call close()."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = Path(path)
        if readonly and not self.path.exists():
            # Nothing seen yet: an empty in-memory registry answers every question.
            self.conn = sqlite3.connect(":memory:")
            self.conn.executescript(_SCHEMA)
        elif readonly:
            # A reader (`thads check`, `thads submissions`, planning) never writes the file.
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self.conn = sqlite3.connect(uri, uri=True, timeout=60, isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            # WAL: staging tasks read while the commit step writes.
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.executescript(_SCHEMA)
        self.conn.row_factory = sqlite3.Row

    @classmethod
    def open(cls, paths: Paths | None = None, readonly: bool = False) -> Registry:
        return cls((paths or Paths.from_env()).registry, readonly=readonly)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: all of a batch or none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- questions ---------------------------------------------------------------------

    def known_submission_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of these submission ids (or duplicate-file ids) were recorded already."""
        wanted = list(set(ids))
        found: set[str] = set()
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            for table in ("submissions", "files"):
                rows = self.conn.execute(
                    f"SELECT submission_id FROM {table} WHERE submission_id IN ({marks})", chunk
                )
                found.update(r[0] for r in rows)
        return found

    def content_owners(
        self, shas: Iterable[str]
    ) -> dict[tuple[str, tuple[str | None, int | None, int | None]], tuple[str, str]]:
        """(content sha, period) -> (first file name, submission id) of the first submission
        with that content for that period (province_code, statistical_year, months)."""
        wanted = list(set(shas))
        owners: dict[tuple[str, tuple[str | None, int | None, int | None]], tuple[str, str]] = {}
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"""SELECT s.content_sha, s.province_code, s.statistical_year, s.months,
                           MIN(f.file), s.submission_id
                    FROM submissions s JOIN files f ON f.submission_id = s.submission_id
                    WHERE s.content_sha IN ({marks})
                    GROUP BY s.submission_id
                    ORDER BY s.first_seen""",
                chunk,
            )
            for sha, code, year, months, file, sid in rows:
                owners.setdefault((sha, (code, year, months)), (file, sid))
        return owners

    def sightings(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[datetime, datetime]]:
        """(file, sha256) -> (first_seen, arrival_time) of the files seen before."""
        out: dict[tuple[str, str], tuple[datetime, datetime]] = {}
        for file, sha in set(keys):
            row = self.conn.execute(
                "SELECT first_seen, arrival_time FROM sightings WHERE file = ? AND sha256 = ?",
                (file, sha),
            ).fetchone()
            if row is None:
                # Recorded before sightings were kept: the commit's time is the first sight.
                row = self.conn.execute(
                    "SELECT MIN(first_seen), MIN(arrival_time) FROM files "
                    "WHERE file = ? AND sha256 = ?",
                    (file, sha),
                ).fetchone()
            if row is not None and row[0] is not None:
                out[(file, sha)] = (from_iso(row[0]), from_iso(row[1]))  # type: ignore[assignment]
        return out

    def record_sightings(
        self, seen: Sequence[tuple[str, str, datetime | None]], now: datetime, trust_mtime: bool
    ) -> dict[tuple[str, str], tuple[datetime, datetime]]:
        """Record (file, sha256, mtime) as seen at `now` unless seen before; returns (file,
        sha256) -> (first_seen, arrival_time). With `trust_mtime` the arrival is the mtime,
        never later than the first sight. Call inside `transaction()`."""
        known = self.sightings((file, sha) for file, sha, _ in seen)
        for file, sha, mtime in seen:
            first, arrival = known.get((file, sha), (now, now))
            trusted = trust_mtime and mtime is not None
            if trusted:
                arrival = min(mtime, first)  # type: ignore[type-var]
            self.conn.execute(
                """INSERT INTO sightings (file, sha256, first_seen, arrival_time, mtime_trusted)
                   VALUES (?,?,?,?,?)
                   ON CONFLICT (file, sha256) DO UPDATE SET
                       arrival_time = excluded.arrival_time,
                       mtime_trusted = excluded.mtime_trusted
                   WHERE excluded.mtime_trusted = 1""",
                (file, sha, iso(first), iso(arrival), int(trusted)),
            )
            known[(file, sha)] = (first, arrival)
        return known

    def committed_batches(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT batch_id FROM batches")}

    def batch_summary(self, batch_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT summary FROM batches WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def loaded_submission_ids(self) -> set[str]:
        rows = self.conn.execute("SELECT submission_id FROM submissions WHERE status = 'loaded'")
        return {r[0] for r in rows}

    def submission_status(self, submission_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT status FROM submissions WHERE submission_id = ?", (submission_id,)
        ).fetchone()
        return row[0] if row else None

    def listing(self) -> list[dict[str, Any]]:
        """Every file seen, one row each, with status and reasons (a list of strings)."""
        out = []
        for row in self.conn.execute(_LISTING):
            item = dict(zip(LISTING_COLUMNS, row, strict=True))
            item["reasons"] = json.loads(item["reasons"])
            out.append(item)
        return out

    # --- changes (call inside `transaction()`) ---------------------------------------

    def add_submission(self, rec: SubmissionRecord, batch_id: str, seen: str) -> None:
        status = rec.status if rec.status in ("quarantined", "held") else "superseded"
        # Accepted ones enter as superseded; `settle_periods` then names the standing one.
        self.conn.execute(
            """INSERT INTO submissions (submission_id, submission_key, content_sha,
                   province_code, statistical_year, months, revision, fmt, boundary,
                   arrival_time, submitted_at, first_seen, status, reasons, n_rows, batch_id)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (
                rec.submission_id,
                rec.submission_key,
                rec.content_sha,
                rec.province_code,
                rec.statistical_year,
                rec.months,
                rec.revision,
                rec.fmt,
                rec.boundary,
                iso(rec.arrival_time),
                iso(rec.submitted_at) if rec.submitted_at else None,
                seen,
                status,
                json.dumps(rec.reasons, ensure_ascii=False),
                rec.n_rows,
                batch_id,
            ),
        )

    def add_files(self, records: Sequence[FileRecord], batch_id: str, seen: str) -> None:
        self.conn.executemany(
            """INSERT OR IGNORE INTO files (file, sha256, size, submission_id, submission_key,
                   province_code, statistical_year, months, revision, fmt, arrival_time,
                   first_seen, own_status, own_reasons, duplicate_of, archive_path, batch_id)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            [
                (
                    r.file,
                    r.sha256,
                    r.size,
                    r.submission_id,
                    r.submission_key,
                    r.province_code,
                    r.statistical_year,
                    r.months,
                    r.revision,
                    r.fmt,
                    iso(r.arrival_time),
                    iso(r.first_seen) if r.first_seen else seen,
                    r.own_status,
                    None
                    if r.own_reasons is None
                    else json.dumps(r.own_reasons, ensure_ascii=False),
                    r.duplicate_of,
                    r.archive_path,
                    batch_id,
                )
                for r in records
            ],
        )

    def settle_periods(self, periods: Iterable[tuple[str, int, int]]) -> dict[str, str]:
        """Name the standing version of each period; returns {submission_id: new status}
        for every accepted submission of those periods."""
        changes: dict[str, str] = {}
        for code, year, months in set(periods):
            versions = self.conn.execute(
                """SELECT arrival_time, revision, first_seen, submission_id AS id
                   FROM submissions
                   WHERE province_code = ? AND statistical_year = ? AND months = ?
                     AND status IN ('loaded', 'superseded')""",
                (code, year, months),
            ).fetchall()
            if not versions:
                continue
            rows = [(v["id"],) for v in newest_first(versions)]
            standing = rows[0][0]
            self.conn.execute(
                "UPDATE submissions SET status = 'loaded', superseded_by = NULL "
                "WHERE submission_id = ?",
                (standing,),
            )
            changes[standing] = "loaded"
            for (sid,) in rows[1:]:
                self.conn.execute(
                    "UPDATE submissions SET status = 'superseded', superseded_by = ? "
                    "WHERE submission_id = ?",
                    (standing, sid),
                )
                changes[sid] = "superseded"
        return changes

    def set_file_status(self, submission_id: str, status: str, reasons: list[str]) -> None:
        """For files whose status is their own (targets files)."""
        self.conn.execute(
            "UPDATE files SET own_status = ?, own_reasons = ? WHERE submission_id = ?",
            (status, json.dumps(reasons, ensure_ascii=False), submission_id),
        )

    def add_batch(self, batch_id: str, summary: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO batches (batch_id, committed_at, summary) VALUES (?,?,?)",
            (batch_id, now_iso(), json.dumps(summary, ensure_ascii=False, default=str)),
        )


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
