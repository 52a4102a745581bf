"""What every format reader returns: the measures it read, findings, labels, header facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ingest.grid import Expect, GridResult
from ingest.schema import MeasureRows
from thads.contract import Finding

#: What a reader reads: a path, or the file's bytes when the caller has them already
#: (staging reads each file once, to hash, archive and parse it).
Source = Path | bytes


def content(source: Source) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


@dataclass
class ReadResult:
    """One submission's content as read, before it becomes a ParsedSubmission.

    `parts` is None when nothing at all could be read (not an xlsx, invalid JSON, ...).
    """

    parts: dict[str, MeasureRows] | None
    findings: list[Finding] = field(default_factory=list)
    labels: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    header: dict[str, str] = field(default_factory=dict)
    submitted_at: datetime | None = None

    def add_grid(self, measure: str, sheet: str, grid: GridResult) -> None:
        """Fold one measure's grid result in."""
        self.findings += grid.findings
        for key, label in grid.labels.items():
            self.labels[(measure, key)] = (sheet, label)
        for key, value in grid.header.items():
            self.header.setdefault(key, value)
        if grid.rows is not None:
            if self.parts is None:
                self.parts = {}
            self.parts[measure] = grid.rows


__all__ = ["Expect", "ReadResult", "Source", "content"]
