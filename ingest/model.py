"""Records that cross the boundary between ingest, validation and the commit step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from thads.contract import FileName, Finding


@dataclass(frozen=True)
class SourceFile:
    """One file as found in the landing zone."""

    path: Path
    name: str  # as received, control characters escaped (`thads.safe_text`)
    sha256: str
    size: int
    #: When the warehouse first saw the file (contract 6.1), UTC: `ingest.arrival` stamps it
    #: from the registry; before that (or in `thads check`) the moment it was found.
    arrival_time: datetime
    filename: FileName | None  # None when the name does not follow the contract
    mtime: datetime | None = None  # the sender's modification time: trusted only on request
    first_seen: datetime | None = None  # when the registry first recorded (name, sha256)
    #: Why the entry was not read (a link, a device, no permission); then `sha256` is
    #: `ingest.files.unread_sha`, not a content hash, and nothing is archived.
    unread: str | None = None


@dataclass
class ParsedSubmission:
    """One submission (one file, or a CSV pair) after parsing.

    `rows` holds the tidy report rows (docs/interfaces.md, `ingest.schema`) or is None when
    the file could not be parsed at all; `findings` holds parse errors (severity error) found
    so far; validation adds its own. `labels[(measure, key)] = (sheet, label as written)`.
    `header` holds what the header block said (e.g. {"province_code": "80", "office": ...}).
    """

    submission_id: str
    submission_key: str
    files: list[SourceFile]
    province_code: str | None
    statistical_year: int | None
    months: int | None
    revision: int
    fmt: str
    boundary: int | None
    arrival_time: datetime
    rows: pd.DataFrame | None = None
    findings: list[Finding] = field(default_factory=list)
    labels: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    header: dict[str, str] = field(default_factory=dict)
    submitted_at: datetime | None = None

    @property
    def file_names(self) -> list[str]:
        return [f.name for f in self.files]

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)
