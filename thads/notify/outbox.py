"""Delivery with an outbox: a failed alert never fails a load; it is logged, kept in
`THADS_HOME/alerts/outbox.jsonl` and tried again on the next delivery (the next load).

One entry per (channel, alert). Entries of a channel that is not configured any more stay
in the outbox untouched. After a connection-level failure (server down, timeout) the rest
of that channel's alerts are queued without trying, so a dead server costs one timeout per
load, not one per province.
"""

from __future__ import annotations

import contextlib
import json
import logging
import smtplib
import urllib.error
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from thads.config import Paths
from thads.durable import atomic_write_text, exclusive_lock
from thads.log import event, get_logger
from thads.notify.alert import Alert
from thads.notify.channels import Notifier

log = get_logger("thads.notify")
#: An alert that failed this many times is dropped (logged at ERROR with its content).
MAX_ATTEMPTS = 100


@dataclass
class DeliveryReport:
    channels: list[str] = field(default_factory=list)
    alerts: int = 0  # new alerts handed in
    sent: int = 0  # deliveries that succeeded now (new and retried)
    retried: int = 0  # of `sent`, deliveries that were waiting in the outbox
    failed: int = 0  # deliveries that failed now (kept in the outbox)
    pending: int = 0  # entries left in the outbox
    dropped: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _is_connection_failure(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return False  # the server is up and answered: other alerts may still go through
    return isinstance(
        exc,
        ConnectionError
        | TimeoutError
        | urllib.error.URLError
        | smtplib.SMTPConnectError
        | smtplib.SMTPServerDisconnected,
    )


class Outbox:
    def __init__(self, paths: Paths) -> None:
        self.path = paths.outbox
        self.lock = paths.outbox_lock

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One delivery at a time (two loads finishing together must not lose entries)."""
        with exclusive_lock(self.lock):
            yield

    def load(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        entries = []
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                event(
                    log, "outbox_line_unreadable", logging.ERROR, file=str(self.path), line=number
                )
        return entries

    def save(self, entries: Sequence[dict[str, Any]]) -> None:
        text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
        atomic_write_text(self.path, text)


def deliver(
    alerts: Sequence[Alert],
    paths: Paths | None = None,
    notifiers: Sequence[Notifier] | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> DeliveryReport:
    """Send what the outbox holds, then `alerts`, through every channel; keep failures."""
    from thads.notify.channels import notifiers_from_env

    paths = paths or Paths.from_env()
    channels = {n.name: n for n in (notifiers_from_env() if notifiers is None else notifiers)}
    report = DeliveryReport(channels=sorted(channels), alerts=len(alerts))
    outbox = Outbox(paths)
    if not channels and alerts:
        # Not an error (alerts are optional), but say once what was not sent and why.
        event(
            log,
            "alerts_not_sent",
            logging.WARNING,
            reason="no channel configured (THADS_ALERT_WEBHOOK_URL / THADS_SMTP_HOST)",
            alerts=len(alerts),
            provinces=sorted({a.province_code for a in alerts if a.province_code}),
        )
    with outbox.locked():
        queue: dict[str, dict[str, Any]] = {}
        waiting: set[str] = set()
        for entry in outbox.load():  # older first: retries go out before new alerts
            queue[entry["key"]] = entry
            waiting.add(entry["key"])
        for alert in alerts:
            for name in channels:
                key = f"{name}:{alert.id}"
                queue.setdefault(
                    key,
                    {"key": key, "channel": name, "alert": alert.to_dict(), "attempts": 0},
                )
        down: set[str] = set()
        keep: list[dict[str, Any]] = []
        for entry in queue.values():
            notifier = channels.get(entry["channel"])
            if notifier is None or entry["channel"] in down:
                keep.append(entry)
                continue
            alert = Alert.from_dict(entry["alert"])
            try:
                notifier.send(alert)
            except Exception as exc:  # any failure: log and keep, never fail the load
                entry["attempts"] = int(entry.get("attempts", 0)) + 1
                entry["last_error"] = f"{type(exc).__name__}: {exc}"
                entry["last_attempt_at"] = _now()
                entry.setdefault("first_failed_at", entry["last_attempt_at"])
                report.failed += 1
                report.errors.append(f"{entry['channel']}: {entry['last_error']}")
                event(log, "alert_failed", logging.WARNING, channel=entry["channel"],
                      alert=alert.id, province=alert.province_code, attempts=entry["attempts"],
                      error=entry["last_error"])  # fmt: skip
                if _is_connection_failure(exc):
                    down.add(entry["channel"])
                if entry["attempts"] >= max_attempts:
                    report.dropped += 1
                    event(log, "alert_dropped", logging.ERROR, channel=entry["channel"],
                          alert=alert.id, subject=alert.subject, body=alert.body)  # fmt: skip
                else:
                    keep.append(entry)
                continue
            report.sent += 1
            if entry["key"] in waiting:
                report.retried += 1
            event(log, "alert_sent", channel=entry["channel"], alert=alert.id,
                  audience=alert.audience, province=alert.province_code)  # fmt: skip
        outbox.save(keep)
        report.pending = len(keep)
    return report
