"""Parse in a child process under limits, so that no single file can stop a batch.

A reader can fail in ways no `except` catches: the process aborts on an allocation, a C
extension loops, the kernel's OOM killer strikes. So candidates are read in a forked child
with an address-space limit (`Limits.memory_bytes` above what it inherits) while the parent
watches: the child announces each candidate before reading it, and the parent allows each
one `Limits.seconds_per_file`. When the child dies or overruns, the candidate it was on is
refused (`parse.limit_exceeded` for time or memory, `parse.reader_failed` for a crash) and a
fresh child goes on with the next one. The result is what `parse_chunk_frame` returns.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import time
from collections.abc import Mapping, Sequence
from multiprocessing import Pipe
from multiprocessing.connection import Connection

import pandas as pd

from ingest.files import Candidate
from ingest.limits import LimitExceeded, Limits
from ingest.model import ParsedSubmission
from ingest.parse import parse_chunk_frame, submission_with_findings
from ingest.schema import empty_rows
from thads.contract import Finding

Frame = tuple[list[ParsedSubmission], list[tuple[int, int] | None], pd.DataFrame]


def parse_isolated(
    candidates: Sequence[Candidate],
    batch_id: str,
    data: Sequence[Mapping[str, bytes] | None],
    limits: Limits,
) -> Frame:
    """`parse_chunk_frame` in guarded children; never raises for what a file contains."""
    pieces: list[Frame] = []
    start = 0
    while start < len(candidates):
        done, failed_at, finding = _run_child(candidates, batch_id, data, limits, start)
        if done is not None:
            pieces.append(done)
        if failed_at is None:
            break
        assert finding is not None
        pieces.append(
            ([submission_with_findings(candidates[failed_at], [finding])], [None], empty_rows())
        )
        start = failed_at + 1
    return merge_frames(pieces)


def _run_child(
    candidates: Sequence[Candidate],
    batch_id: str,
    data: Sequence[Mapping[str, bytes] | None],
    limits: Limits,
    start: int,
) -> tuple[Frame | None, int | None, Finding | None]:
    """Parse candidates[start:] in a child. Returns (what it finished, the index it failed
    on or None, the finding for that one)."""
    receive, send = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the child: never returns
        receive.close()
        _child(send, candidates[start:], batch_id, data[start:], limits)
    send.close()
    current = start
    deadline = time.monotonic() + limits.seconds_per_file
    try:
        while True:
            wait = deadline - time.monotonic()
            if wait <= 0 or not receive.poll(wait):
                if time.monotonic() < deadline:
                    continue
                _kill(pid)
                exc = LimitExceeded("the reading time (seconds)", "more", limits.seconds_per_file)
                return None, current, exc.finding(candidates[current].files[0].name)
            try:
                kind, value = receive.recv()
            except (EOFError, OSError):
                status = _reap(pid)
                return None, current, _died(candidates[current], status, limits)
            if kind == "start":
                current = start + value
                deadline = time.monotonic() + limits.seconds_per_file
            elif kind == "done":
                _reap(pid)
                # Parsed in a child: the rows carry the parent's candidates, not copies.
                subs, spans, frame = value
                return (subs, spans, frame), None, None
            else:  # "error": the child's own code failed outside any one file
                _reap(pid)
                raise RuntimeError(f"the reader process failed: {value}")
    finally:
        receive.close()


def _child(
    send: Connection,
    candidates: Sequence[Candidate],
    batch_id: str,
    data: Sequence[Mapping[str, bytes] | None],
    limits: Limits,
) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _limit_memory(limits.memory_bytes)
        result = parse_chunk_frame(
            candidates, batch_id, data, limits, on_start=lambda i: send.send(("start", i))
        )
        send.send(("done", result))
    except BaseException as exc:  # reported to the parent, then exit
        code = 1
        with contextlib.suppress(BaseException):
            send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _limit_memory(extra: int) -> None:
    """Address space: what the child inherited plus `extra` bytes."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[0])
    limit = pages * os.sysconf("SC_PAGE_SIZE") + extra
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> int:
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 0


def _died(candidate: Candidate, status: int, limits: Limits) -> Finding:
    file = candidate.files[0].name
    if os.WIFSIGNALED(status):
        how = f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    else:
        how = f"exit code {os.WEXITSTATUS(status) if os.WIFEXITED(status) else status}"
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGKILL, signal.SIGABRT,
                                                           signal.SIGSEGV):  # fmt: skip
        # An abort on a failed allocation is how the memory limit shows in C code.
        exc = LimitExceeded(
            f"the memory needed to read the file (the reader process ended: {how})",
            "more",
            limits.memory_bytes,
        )
        return exc.finding(file)
    return Finding.of(
        "parse.reader_failed", file, f"the reader process ended while reading this file ({how})"
    )


def merge_frames(pieces: list[Frame]) -> Frame:
    subs: list[ParsedSubmission] = []
    spans: list[tuple[int, int] | None] = []
    frames: list[pd.DataFrame] = []
    offset = 0
    for piece_subs, piece_spans, frame in pieces:
        subs += piece_subs
        spans += [None if s is None else (s[0] + offset, s[1] + offset) for s in piece_spans]
        if len(frame):
            frames.append(frame)
        offset += len(frame)
    if not frames:
        return subs, spans, empty_rows()
    if len(frames) == 1:
        return subs, spans, frames[0]
    return subs, spans, pd.concat(frames, ignore_index=True)
