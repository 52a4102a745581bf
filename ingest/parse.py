"""Candidates to ParsedSubmissions: format dispatch, one or many, on both cores.

`parse_candidate` is a pure function of the files' bytes (plus their names and hashes):
it never raises on bad input, every problem is a `Finding`. `parse_many` spreads the work
over a process pool in chunks (one chunk = many candidates) so that process start-up and
pickling do not dominate, and builds the tidy rows of a whole chunk as ONE DataFrame that
each submission gets a slice of.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext

import pandas as pd

from ingest.csv_reader import read_csv_pair
from ingest.files import Candidate, discover, read_regular
from ingest.grid import Expect
from ingest.json_reader import read_json
from ingest.limits import LimitExceeded, Limits, cap_findings
from ingest.model import ParsedSubmission
from ingest.readers import ReadResult
from ingest.rowsets import attach_rows
from ingest.schema import MeasureRows, RowsBuilder, SubmissionMeta
from ingest.value_rules import period_not_closed, value_findings
from ingest.xlsx import read_xlsx
from thads.contract import MEASURES, Finding, boundary_for
from thads.safe_text import safe_text

#: Candidates per process-pool task: large enough that a task's overhead (pickling,
#: scheduling) is small next to its parsing, small enough to balance two cores.
CHUNK_SIZE = 64


def read_candidate(
    candidate: Candidate, data: Mapping[str, bytes] | None = None, limits: Limits | None = None
) -> ReadResult:
    """Read a candidate's files in its format; never raises, whatever the content (any
    exception becomes a finding). `data[name]`, when given, holds a file's bytes already
    read; otherwise the file is read here, the same way (one code path for `thads load`
    and `thads check`)."""
    if candidate.problem is not None:
        return ReadResult(parts=None, findings=[candidate.problem])
    limits = limits or Limits.from_env()
    first = candidate.files[0].name
    try:
        read = _read(candidate, data or {}, limits)
    except LimitExceeded as exc:
        read = ReadResult(parts=None, findings=[exc.finding(first)])
    except MemoryError:
        exc = LimitExceeded("the memory needed to read the file", "more", limits.memory_bytes)
        read = ReadResult(parts=None, findings=[exc.finding(first)])
    except OSError as exc:  # the file vanished or cannot be read: a finding, the batch goes on
        read = ReadResult(
            parts=None,
            findings=[Finding.of("parse.unreadable", first, f"cannot read the file ({exc})")],
        )
    except Exception as exc:
        read = ReadResult(
            parts=None,
            findings=[
                Finding.of(
                    "parse.reader_failed",
                    first,
                    f"the reader failed on this file ({type(exc).__name__}: "
                    f"{safe_text(str(exc))[:300]})",
                )
            ],
        )
    name = candidate.filename
    if name is not None:
        late = period_not_closed(first, name.statistical_year, name.months, candidate.arrival_time)
        if late is not None:
            read.findings.append(late)
    read.findings = cap_findings(read.findings, limits.findings_per_rule)
    return read


def _read(candidate: Candidate, data: Mapping[str, bytes], limits: Limits) -> ReadResult:
    name = candidate.filename
    assert name is not None
    expect = Expect(name.province_code, name.statistical_year, name.months)
    content: dict[str, bytes] = {}
    for f in candidate.files:
        if f.size > limits.file_bytes:
            raise LimitExceeded("the file size (bytes)", f.size, limits.file_bytes)
        content[f.name] = (
            data[f.name] if f.name in data else read_regular(f.path, limits.file_bytes)
        )
        if len(content[f.name]) > limits.file_bytes:  # grew since it was listed
            raise LimitExceeded("the file size (bytes)", "more", limits.file_bytes)
    if name.fmt == "xlsx":
        f = candidate.files[0]
        read = read_xlsx(content[f.name], f.name, f.sha256, expect, limits)
    elif name.fmt == "json":
        f = candidate.files[0]
        read = read_json(content[f.name], f.name, f.sha256, expect, limits)
    else:
        halves = {
            (f.filename.csv_measure if f.filename else "cases") or "cases": (
                content[f.name],
                f.name,
                f.sha256,
            )
            for f in candidate.files
        }
        read = read_csv_pair(halves, expect, limits)
    if read.parts:
        file_of = {m: p.source_file for m, p in read.parts.items()}
        read.findings += value_findings(file_of, read, limits)
    return read


def _submission(candidate: Candidate, read: ReadResult) -> ParsedSubmission:
    name = candidate.filename
    return ParsedSubmission(
        submission_id=candidate.submission_id,
        submission_key=candidate.submission_key,
        files=list(candidate.files),
        province_code=name.province_code if name else None,
        statistical_year=name.statistical_year if name else None,
        months=name.months if name else None,
        revision=name.revision if name else 1,
        fmt=candidate.fmt,
        boundary=boundary_for(name.statistical_year, name.months) if name else None,
        arrival_time=candidate.arrival_time,
        rows=None,
        findings=list(read.findings),
        labels=dict(read.labels),
        header=dict(read.header),
        submitted_at=read.submitted_at,
    )


def submission_with_findings(candidate: Candidate, findings: list[Finding]) -> ParsedSubmission:
    """A candidate that could not be read at all, refused with these findings."""
    return _submission(candidate, ReadResult(parts=None, findings=findings))


def _meta(sub: ParsedSubmission, batch_id: str) -> SubmissionMeta:
    assert sub.province_code and sub.statistical_year and sub.months and sub.boundary
    return SubmissionMeta(
        submission_id=sub.submission_id,
        province_code=sub.province_code,
        statistical_year=sub.statistical_year,
        months=sub.months,
        boundary=sub.boundary,
        revision=sub.revision,
        arrival_time=sub.arrival_time,
        batch_id=batch_id,
    )


def _ordered(parts: dict[str, MeasureRows]) -> list[MeasureRows]:
    return [parts[m] for m in MEASURES if m in parts]


def parse_chunk_frame(
    candidates: Sequence[Candidate],
    batch_id: str = "",
    data: Sequence[Mapping[str, bytes] | None] | None = None,
    limits: Limits | None = None,
    on_start: Callable[[int], None] | None = None,
) -> tuple[list[ParsedSubmission], list[tuple[int, int] | None], pd.DataFrame]:
    """Parse candidates in this process. The submissions come back WITHOUT rows; all their
    rows are in one frame, `spans[i]` = (start, stop) of submission i (None: unreadable).
    `data[i]`, when given, holds candidate i's file bytes already read. `on_start(i)` is
    called before candidate i is read (`ingest.isolation` watches the progress)."""
    limits = limits or Limits.from_env()
    builder = RowsBuilder()
    subs: list[ParsedSubmission] = []
    spans: list[tuple[int, int] | None] = []
    for i, candidate in enumerate(candidates):
        if on_start is not None:
            on_start(i)
        read = read_candidate(candidate, data[i] if data is not None else None, limits)
        sub = _submission(candidate, read)
        span = None
        if read.parts is not None:
            span = builder.add(_meta(sub, batch_id), _ordered(read.parts))
        subs.append(sub)
        spans.append(span)
    return subs, spans, builder.frame()


def parse_chunk(candidates: Sequence[Candidate], batch_id: str = "") -> list[ParsedSubmission]:
    """Parse candidates in this process, each with its own rows."""
    return attach_rows(*parse_chunk_frame(candidates, batch_id))


def parse_candidate(candidate: Candidate, batch_id: str = "") -> ParsedSubmission:
    return parse_chunk([candidate], batch_id)[0]


def parse_paths(
    paths: Sequence[os.PathLike[str] | str], batch_id: str = ""
) -> list[ParsedSubmission]:
    """Discover and parse explicit files (e.g. `thads check`): one process, no state."""
    return parse_chunk(discover(list(paths)).candidates, batch_id)


def _chunks(items: Sequence[Candidate], size: int) -> list[Sequence[Candidate]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def parse_many(
    candidates: Sequence[Candidate],
    workers: int | None = None,
    batch_id: str = "",
    chunk_size: int = CHUNK_SIZE,
) -> list[ParsedSubmission]:
    """Parse on `workers` processes (default: both cores), results in candidate order."""
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(candidates) <= chunk_size:
        return parse_chunk(candidates, batch_id)
    # Balance: at least a few chunks per worker, so one slow chunk does not idle a core.
    size = max(8, min(chunk_size, -(-len(candidates) // (workers * 4))))
    chunks = _chunks(candidates, size)
    out: list[ParsedSubmission] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context()) as pool:
        # Workers send back one frame per chunk (cheap to pickle), not one per submission.
        for subs, spans, frame in pool.map(parse_chunk_frame, chunks, [batch_id] * len(chunks)):
            out += attach_rows(subs, spans, frame)
    return out


def pool_context() -> BaseContext:
    """fork where there is one: a worker starts in milliseconds with pandas already
    imported, where spawn would re-import pandas and pyarrow in each worker (~1 s)."""
    return get_context("fork") if "fork" in get_all_start_methods() else get_context()
