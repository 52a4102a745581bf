"""Where alerts go: a webhook (JSON POST) and/or e-mail (SMTP), both optional, set by
environment variables. A channel's `send` raises on any failure; the outbox decides what
happens next (`thads.notify.outbox`).

Environment:
- THADS_ALERT_WEBHOOK_URL          webhook; every alert is POSTed as JSON (`Alert.payload`)
- THADS_ALERT_WEBHOOK_TOKEN        optional, sent as `Authorization: Bearer <token>`
- THADS_SMTP_HOST, THADS_SMTP_PORT e-mail server (port default 25)
- THADS_SMTP_FROM                  sender (default thads-warehouse@localhost)
- THADS_SMTP_TO                    the data team, comma separated; also receives province
                                   messages of provinces without an address of their own
- THADS_SMTP_TO_<code>             a province office's addresses, e.g. THADS_SMTP_TO_80
- THADS_SMTP_STARTTLS=1, THADS_SMTP_USER, THADS_SMTP_PASSWORD   optional
- THADS_ALERT_TIMEOUT              seconds per delivery attempt (default 10)
- THADS_ALERT_DIR                  a folder; every alert is written there as `<id>.txt`
                                   (a mail-room pickup folder; `make demo` uses it)
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from thads.notify.alert import Alert

DEFAULT_TIMEOUT = 10.0


class Notifier(Protocol):
    #: Stable channel name, kept in the outbox with each undelivered alert.
    name: str

    def send(self, alert: Alert) -> None: ...


class DeliveryError(RuntimeError):
    pass


@dataclass
class WebhookNotifier:
    url: str
    token: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    name: str = "webhook"

    def send(self, alert: Alert) -> None:
        body = json.dumps(alert.payload(), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        # urlopen raises HTTPError for 4xx/5xx; anything but 2xx is a failed delivery.
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            if not 200 <= response.status < 300:
                raise DeliveryError(f"webhook answered HTTP {response.status}")


@dataclass
class SmtpNotifier:
    host: str
    port: int = 25
    sender: str = "thads-warehouse@localhost"
    team: list[str] = field(default_factory=list)
    provinces: dict[str, list[str]] = field(default_factory=dict)
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    name: str = "smtp"

    def recipients(self, alert: Alert) -> list[str]:
        if alert.audience == "province" and alert.province_code in self.provinces:
            return self.provinces[alert.province_code]
        return self.team

    def message(self, alert: Alert) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients(alert))
        msg["Subject"] = alert.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(idstring=alert.id, domain="thads.local")
        msg["X-THADS-Alert-Id"] = alert.id
        if alert.province_code:
            msg["X-THADS-Province"] = alert.province_code
        msg.set_content(alert.body, charset="utf-8")
        return msg

    def send(self, alert: Alert) -> None:
        to = self.recipients(alert)
        if not to:
            raise DeliveryError("no recipient: set THADS_SMTP_TO (or THADS_SMTP_TO_<code>)")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(self.message(alert), to_addrs=to)


@dataclass
class FolderNotifier:
    """Writes each alert as a text file (subject, blank line, body) named by its id: the
    same alert delivered twice is one file. For a pickup folder, or to read alerts locally."""

    folder: Path
    name: str = "folder"

    def send(self, alert: Alert) -> None:
        from thads.durable import atomic_write_text

        who = alert.province_code or "team"
        dest = self.folder / f"{who}_{alert.id}.txt"
        atomic_write_text(dest, f"{alert.subject}\n\n{alert.body}\n")


def _addresses(text: str | None) -> list[str]:
    return [a.strip() for a in (text or "").split(",") if a.strip()]


def notifiers_from_env(env: Mapping[str, str] | None = None) -> list[Notifier]:
    """The channels configured in the environment (none is fine: alerts are then logged)."""
    env = os.environ if env is None else env
    timeout = float(env.get("THADS_ALERT_TIMEOUT") or DEFAULT_TIMEOUT)
    out: list[Notifier] = []
    if env.get("THADS_ALERT_DIR"):
        out.append(FolderNotifier(Path(env["THADS_ALERT_DIR"])))
    if env.get("THADS_ALERT_WEBHOOK_URL"):
        out.append(
            WebhookNotifier(
                env["THADS_ALERT_WEBHOOK_URL"], env.get("THADS_ALERT_WEBHOOK_TOKEN"), timeout
            )
        )
    if env.get("THADS_SMTP_HOST"):
        prefix = "THADS_SMTP_TO_"
        provinces = {
            key.removeprefix(prefix): _addresses(value)
            for key, value in env.items()
            if key.startswith(prefix) and _addresses(value)
        }
        out.append(
            SmtpNotifier(
                host=env["THADS_SMTP_HOST"],
                port=int(env.get("THADS_SMTP_PORT") or 25),
                sender=env.get("THADS_SMTP_FROM") or "thads-warehouse@localhost",
                team=_addresses(env.get("THADS_SMTP_TO")),
                provinces=provinces,
                starttls=(env.get("THADS_SMTP_STARTTLS") or "0").lower() in ("1", "true", "yes"),
                user=env.get("THADS_SMTP_USER") or None,
                password=env.get("THADS_SMTP_PASSWORD") or None,
                timeout=timeout,
            )
        )
    return out
