"""`thads watch --landing DIR`: answer every arrival in seconds, build once a burst settles.

A long-lived process for deployments without Airflow (and for tests). It imports Great
Expectations, the parsers and the rules once, then waits on the landing zone with
`watchfiles` (inotify, not a sleep loop):

- files arrive -> `pipeline.load(..., build_now=False, data_docs=False, readiness=...)`:
  plan, archive, parse, validate, commit, alert. Files still being written, and a CSV half
  whose partner has not arrived (for up to `pair_wait` seconds), are left for a later round
  by the same rule as the load DAG's (`ingest.readiness`). The province's alert and its
  `thads submissions` status are out within seconds: the round waits neither for Data Docs
  (the results are stored, their pages rendered once the burst settles: rendering costs
  ~1 s a round) nor for dbt.
- the landing zone is quiet for `settle` seconds -> the Data Docs of the rounds since the
  last render; then, if something new was accepted, `pipeline.build` + `pipeline.publish`
  once for the whole burst, in a child process at low priority (`thads.build.BUILD_NICENESS`) that a
  background thread waits on, so arrivals during a build are still answered at once, and
  first. The child (`thads.warm_builder`) starts with the watcher and lives as long: it
  imports dbt once and builds in itself with a fresh dbtRunner per build (3-4 s of start-up
  and imports saved per build; a child that died is replaced at the next build). One
  build at a time (dbt has one writer; the build lock in `thads.build` also keeps a
  concurrent `thads load` out); data accepted while a build runs is built by the
  next one. During a build, files are parsed in this process rather than in forked workers
  (no fork beside a running thread).

SIGINT/SIGTERM set a flag that is read between steps: the step running finishes (a commit is
never cut in half) and the process exits 0. A crash loses nothing: the registry knows which
files were seen, so the next start takes in whatever is unseen, and the publish-pending
marker (`thads.pipeline.publish_pending`) makes it build what was accepted but not published.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thads import pipeline
from thads.arrivals import visible
from thads.build import at_build_priority
from thads.config import Paths
from thads.log import event, get_logger

if TYPE_CHECKING:
    from ingest.readiness import Readiness

log = get_logger("watch")

#: Seconds of quiet in the landing zone before the warehouse is built and published.
DEFAULT_SETTLE_SECONDS = 5.0
#: A file is taken in once it has not been modified for this long (ingest.readiness).
DEFAULT_STABLE_SECONDS = 0.5
#: How long a lone CSV half waits for its partner before it is judged alone (contract 1).
DEFAULT_PAIR_WAIT_SECONDS = 30.0
#: How often the loop wakes without events (to retry waiting files, to notice the quiet).
_WAKE_UP_MS = 250
#: After a round failed (a full disk, a lock held too long), try again this much later.
RETRY_AFTER_ERROR_SECONDS = 30.0


def warm_up() -> float:
    """Import what every arrival needs (Great Expectations alone takes seconds), once."""
    started = time.perf_counter()
    import expectations.validate  # noqa: F401  the rules and suites
    import ingest.batch  # noqa: F401  parsers, registry
    import thads.notify  # noqa: F401
    from expectations.gx_run import import_gx

    import_gx()
    return time.perf_counter() - started


@dataclass
class LandingWatch:
    """One watched landing zone. `run()` blocks until `stop` is set (or a signal)."""

    landing: Path
    paths: Paths
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    stable_seconds: float = DEFAULT_STABLE_SECONDS
    pair_wait_seconds: float = DEFAULT_PAIR_WAIT_SECONDS
    #: Called with (event name, details) after each step; the CLI prints them.
    on_step: Callable[[str, dict[str, Any]], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    _builder: threading.Thread | None = field(default=None, init=False, repr=False)
    #: The long-lived build-and-publish child (started with the watcher, dbt imported once).
    _warm_builder: WarmBuilderChild = field(init=False, repr=False)
    #: Batches validated since the Data Docs were last rendered.
    _docs_due: list[str] = field(default_factory=list, init=False, repr=False)
    #: Steps are reported from the loop and from the build thread: one line at a time.
    _report_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._warm_builder = WarmBuilderChild(self.paths)

    @property
    def readiness(self) -> Readiness:
        """The load DAG's rule (ingest.readiness): a file is read once it has not been
        modified for `stable_seconds`; a lone CSV half waits `pair_wait_seconds`."""
        from ingest.readiness import Readiness

        return Readiness(self.paths.landing_waits, self.stable_seconds, self.pair_wait_seconds)

    @property
    def building(self) -> bool:
        """A build + publish is running (its child process, waited on by a thread)."""
        return self._builder is not None and self._builder.is_alive()

    # --- steps ---------------------------------------------------------------------------

    def take_in(self) -> dict[str, Any]:
        """Everything unseen in the landing zone: validated, committed, alerted. No build."""
        result = pipeline.load(
            self.landing,
            self.paths,
            quiet=True,
            build_now=False,
            readiness=self.readiness,
            workers=1 if self.building else None,
            data_docs=False,
        )
        if result["n_files"]:
            self._docs_due.append(result["batch_id"])
            commit = result["commit"]
            self._report(
                "arrivals",
                {
                    "batch_id": result["batch_id"],
                    "files": result["n_files"],
                    "loaded": commit["n_loaded"],
                    "quarantined": commit["n_quarantined"],
                    "duplicates": commit["n_duplicates"],
                    "alerts": result["alerts"],
                    "seconds": result["seconds"],
                },
            )
        return result

    def build_and_publish(self) -> bool:
        """dbt build + publish, once per settled burst, in the warm builder child
        (`thads.warm_builder`, at BUILD_NICENESS): its CPU time and its Python (the publish
        renders the report) never hold up the answer to an arrival, and it imported dbt
        once, not per build. A failure keeps the last snapshot and the publish-pending
        marker; the data team is told, and the next arrival (or the next start) builds
        again (in a new builder child if this one died)."""
        from thads.notify import notify_data_team

        started = time.perf_counter()
        try:
            answer = self._warm_builder.build()
        except BuilderDied as exc:
            answer = {"ok": False, "error": str(exc)}
        if not answer["ok"]:
            error = answer["error"]
            event(log, "build_failed", level=40, error=error)
            notify_data_team(
                "[THADS] thads watch: build failed",
                f"The warehouse build or publish failed: {error}\n"
                f"The accepted data is kept in {self.paths.raw}; the published snapshot is "
                "unchanged. The next arrival or the next start of thads watch builds again.",
                self.paths,
            )
            self._report("build_failed", {"error": error})
            return False
        self._report("published", {"seconds": round(time.perf_counter() - started, 2)})
        return True

    # --- the loop ------------------------------------------------------------------------

    def render_docs(self) -> None:
        """The Data Docs of the rounds since the last render (a failure only costs pages:
        the results stay stored and the next render lists them)."""
        started = time.perf_counter()
        batches, self._docs_due = self._docs_due, []
        try:
            rendered = pipeline.render_data_docs(batches, self.paths)
        except Exception as exc:
            log.exception("Data Docs failed for %s", batches)
            self._report("docs_failed", {"error": repr(exc)})
            return
        seconds = round(time.perf_counter() - started, 2)
        self._report("data_docs", {"results": rendered, "seconds": seconds})

    def start_build(self) -> None:
        """`build_and_publish` in a background thread (the caller checks `building`)."""
        self._report("building", {})
        self._builder = threading.Thread(
            target=self.build_and_publish, name="thads-watch-build", daemon=False
        )
        self._builder.start()

    def _report(self, name: str, details: dict[str, Any]) -> None:
        with self._report_lock:
            event(log, name, landing=str(self.landing), **details)
            if self.on_step:
                self.on_step(name, details)

    def install_signal_handlers(self) -> None:
        """SIGINT and SIGTERM ask for a stop between steps (main thread only)."""

        def handler(signum: int, _frame: Any) -> None:
            self.stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, handler)

    def run(self) -> int:
        """Catch up with what arrived while nobody watched, then answer arrivals until
        stopped. Returns the number of rounds that took files in."""
        import watchfiles

        self.landing.mkdir(parents=True, exist_ok=True)
        self.paths.ensure()
        # The builder child imports dbt while this process imports Great Expectations.
        self._warm_builder.start()
        self._report("warm", {"seconds": round(warm_up(), 2)})
        rounds = 0
        # Accepted before a crash but never published: build at the first quiet moment.
        build_due = _build_pending(self.paths)
        # The first round catches up with whatever arrived while nobody watched; it runs at
        # the first wake-up, once the watcher is armed, so nothing slips between the two.
        pending, retry_at, quiet_since = True, 0.0, time.monotonic()
        self._report("watching", {"settle_seconds": self.settle_seconds})
        for changes in watchfiles.watch(
            self.landing,
            watch_filter=lambda _change, path: visible(path),
            stop_event=self.stop,
            rust_timeout=_WAKE_UP_MS,
            yield_on_timeout=True,
            recursive=False,
            raise_interrupt=False,
        ):
            if self.stop.is_set():
                break
            now = time.monotonic()
            if changes:
                pending, retry_at, quiet_since = True, now, now
            if pending and now >= retry_at:
                try:
                    result = self.take_in()
                except Exception as exc:  # the watcher outlives one bad round; nothing is lost
                    log.exception("round failed in %s", self.landing)
                    self._report("round_failed", {"error": repr(exc)})
                    retry_at = time.monotonic() + RETRY_AFTER_ERROR_SECONDS
                    continue
                rounds += bool(result["n_files"])
                if result["commit"].get("new_data"):
                    # A build running now may have read the raw layer before this commit,
                    # and its publish clears the marker: mark again, build again.
                    pipeline.mark_publish_pending(self.paths)
                    build_due = True
                build_due = build_due or _build_pending(self.paths)
                # Files still being written, or a CSV half waiting for its pair: look again
                # soon (the rule in ingest.readiness decides when they are ready).
                pending = bool(result["waiting"])
                retry_at = time.monotonic() + max(0.1, self.stable_seconds / 2)
                continue
            if now - quiet_since < self.settle_seconds:
                continue
            if self._docs_due:
                self.render_docs()
            if build_due and not self.building:
                self.start_build()
                build_due = False  # a failed build waits for the next arrival or start
        if self._docs_due:
            self.render_docs()
        if self._builder is not None:
            self._builder.join()  # the build running finishes; a stop never cuts it
        self._warm_builder.close()
        self._report("stopped", {"rounds": rounds})
        return rounds


def _build_pending(paths: Paths) -> bool:
    """Accepted data not yet built and published (a fresh THADS_HOME has nothing to build)."""
    has_rows = paths.report_rows.exists() and any(paths.report_rows.rglob("*.parquet"))
    return has_rows and pipeline.publish_pending(paths)


class BuilderDied(RuntimeError):
    """The builder child ended (or never became ready) instead of answering."""


class WarmBuilderChild:
    """`python -m thads.warm_builder` for one THADS_HOME, at BUILD_NICENESS, in its own
    session (a Ctrl-C meant for the watcher never cuts a build short). `build()` sends one
    request and waits for its answer; a child that died is replaced at the next build."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self._proc: subprocess.Popen[str] | None = None
        self._stderr: collections.deque[str] = collections.deque(maxlen=25)

    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._stderr.clear()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "thads.warm_builder"],
            env={**os.environ, "THADS_HOME": str(self.paths.home)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            start_new_session=True,
        )
        at_build_priority(self._proc.pid)  # dbt runs inside it: the whole build is niced
        # Drained all the time: a full stderr pipe would stop the child mid-build.
        threading.Thread(
            target=lambda stream: self._stderr.extend(stream),
            args=(self._proc.stderr,),
            name="thads-watch-builder-stderr",
            daemon=True,
        ).start()

    def build(self) -> dict[str, Any]:
        """One build + publish: the child's answer, {"ok": bool, "seconds", "error"?}."""
        self.start()
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write("build\n")
            proc.stdin.flush()
            while True:
                line = proc.stdout.readline()
                if not line:
                    break
                answer = json.loads(line)
                if "ok" in answer:  # skip the start-up line ({"ready": ...})
                    return answer
        except (OSError, ValueError):
            pass
        proc.wait()
        # The lines read from the pipe keep their own newlines.
        reason = "".join(self._stderr).strip() or f"exit {proc.returncode}"
        raise BuilderDied(f"the builder child ended before answering: {reason}")

    def close(self) -> None:
        """End of input ends the child once its build (if any) is done."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
