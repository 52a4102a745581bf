"""Alerts after a load: one Vietnamese message per affected province, one summary for the
data team, through pluggable channels (webhook, SMTP) configured by environment.

    from thads import notify
    notify.send_batch_alerts(batch_id, paths)        # after validate_and_commit
    notify.notify_data_team(subject, body, paths)    # anything else (e.g. a failed task)

A failed delivery never raises: it is logged and kept in `THADS_HOME/alerts/outbox.jsonl`,
and every later delivery retries it first (`thads.notify.outbox`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from thads.config import Paths
from thads.log import event
from thads.notify.alert import Alert
from thads.notify.channels import (
    Notifier,
    SmtpNotifier,
    WebhookNotifier,
    notifiers_from_env,
)
from thads.notify.outbox import DeliveryReport, Outbox, deliver, log

if TYPE_CHECKING:
    import pandas as pd


def __getattr__(name: str) -> Any:
    # The messages need pandas and the rule catalogue (seconds to import): loaded only when
    # an alert is composed, so a load with no channel configured never pays for them.
    if name == "compose_alerts":
        from thads.notify.messages import compose_alerts

        return compose_alerts
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Alert",
    "DeliveryReport",
    "Notifier",
    "Outbox",
    "SmtpNotifier",
    "WebhookNotifier",
    "alert_batch",
    "compose_alerts",
    "deliver",
    "notifiers_from_env",
    "notify_data_team",
    "send_batch_alerts",
]


def alert_batch(
    dq_rows: pd.DataFrame,
    paths: Paths | None = None,
    batch_id: str | None = None,
    notifiers: Sequence[Notifier] | None = None,
    counts: Mapping[str, Any] | None = None,
) -> DeliveryReport:
    """Compose the batch's alerts from its data-quality rows and deliver them."""
    from thads.notify.messages import compose_alerts

    return deliver(compose_alerts(dq_rows, batch_id, counts), paths, notifiers)


def send_batch_alerts(
    batch_id: str,
    paths: Paths | None = None,
    notifiers: Sequence[Notifier] | None = None,
    counts: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The pipeline step: alerts of a committed batch, read from
    `raw/data_quality/<batch_id>.parquet` (a batch without one only retries the outbox).
    Returns a small dict (Airflow XCom). With no channel configured nothing could be sent
    and nothing would be kept (the outbox keeps alerts only for a configured channel), so
    no alert is composed: that costs nothing instead of seconds of imports per load."""
    paths = paths or Paths.from_env()
    channels = notifiers_from_env() if notifiers is None else list(notifiers)
    if not channels:
        pending = len(Outbox(paths).load())
        event(
            log,
            "alerts_not_sent",
            logging.WARNING,
            reason="no channel configured (THADS_ALERT_WEBHOOK_URL / THADS_SMTP_HOST)",
            batch_id=batch_id,
            **dict(counts or {}),
        )
        return {"batch_id": batch_id, **DeliveryReport(pending=pending).to_dict()}
    import pandas as pd

    path = paths.data_quality / f"{batch_id}.parquet"
    dq = pd.read_parquet(path) if path.exists() else pd.DataFrame()
    report = alert_batch(dq, paths, batch_id, channels, counts)
    return {"batch_id": batch_id, **report.to_dict()}


def notify_data_team(
    subject: str,
    body: str,
    paths: Paths | None = None,
    notifiers: Sequence[Notifier] | None = None,
) -> DeliveryReport:
    """A free-form message to the data team through the same channels and outbox."""
    alert = Alert(audience="data_team", subject=subject, body=body, language="en")
    return deliver([alert], paths, notifiers)
