"""Alerts delivered to REAL local servers: an HTTP server (webhook) and an SMTP server
(aiosmtpd), both on 127.0.0.1, started by the tests; including the outbox retry after a
server was down."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from aiosmtpd.controller import Controller

from expectations import DQ_COLUMNS
from thads import notify
from thads.config import Paths
from thads.i18n import vn_number_text
from thads.notify.channels import SmtpNotifier, WebhookNotifier, notifiers_from_env
from thads.notify.messages import compose_alerts, vn_value

# --- real servers ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Webhook:
    """A JSON-collecting HTTP server in a thread; `status` is what it answers."""

    def __init__(self, port: int = 0, status: int = 200) -> None:
        self.received: list[dict] = []
        #: time.monotonic() of each POST's receipt (benchmarks time deliveries with it)
        self.times: list[float] = []
        self.headers: list[dict] = []
        self.status = status
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = self.rfile.read(length)
                hook.times.append(time.monotonic())
                hook.headers.append(dict(self.headers))
                hook.received.append(json.loads(body.decode("utf-8")))
                self.send_response(hook.status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.stop()


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, Mailbox]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, box
    controller.stop()


@pytest.fixture
def paths(thads_home: Path) -> Paths:
    return Paths.from_env(thads_home).ensure()


# --- a batch's data-quality rows (docs/interfaces.md "Validation results") -----------------


def dq_rows() -> pd.DataFrame:
    base = {
        "statistical_year": 2024, "months": 11, "measure": "cases", "outcome": "fail",
        "batch_id": "b-1", "checked_at": pd.Timestamp("2024-09-03T02:00:00Z"),
    }  # fmt: skip
    rows = [
        {
            **base, "submission_id": "THADS_80_2024_11@aaa", "source_file": "THADS_80_2024_11.xlsx",
            "province_code": "80", "rule": "identity.total_received", "severity": "error",
            "message": "Tong so thu ly must equal ...", "observed": "3062", "expected": "3067",
            "sheet": "Viec", "source_row": 12, "column_label": "Tong so thu ly",
        },
        {
            **base, "submission_id": "THADS_80_2024_11@aaa", "source_file": "THADS_80_2024_11.xlsx",
            "province_code": "80", "rule": "history.carried_over", "severity": "warning",
            "message": "carried over", "observed": "1234.5", "expected": "1200",
            "sheet": "Viec", "source_row": 12, "column_label": "Năm trước chuyển sang",
        },
        {
            **base, "submission_id": "THADS_02_2024_11@bbb", "source_file": "THADS_02_2024_11.json",
            "province_code": "02", "rule": "history.outlier_rate", "severity": "warning",
            "message": "unusual", "observed": "30.00%", "expected": "near 80.00% (|z| <= 3.5)",
            "sheet": "cases", "source_row": 5, "column_label": None,
        },
        {
            **base, "submission_id": "THADS_01_2024_11@ccc", "source_file": "THADS_01_2024_11.xlsx",
            "province_code": "01", "rule": "value.no_negative", "severity": "error",
            "outcome": "pass", "message": "no figure is negative", "observed": None,
            "expected": None, "sheet": None, "source_row": None, "column_label": None,
            "measure": None,
        },
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(DQ_COLUMNS))


# --- messages ------------------------------------------------------------------------------


def test_vietnamese_numbers() -> None:
    assert vn_number_text("1234567") == "1.234.567"
    assert vn_number_text("-5513.25") == "-5.513,25"
    assert vn_value(">= 1529") == "≥ 1.529"
    assert vn_value("33.89%") == "33,89%"
    assert vn_value("2035", "period.year") == "2035"


def test_one_message_per_affected_province_and_a_summary() -> None:
    alerts = compose_alerts(dq_rows())
    assert [(a.audience, a.province_code) for a in alerts] == [
        ("province", "02"),
        ("province", "80"),
        ("data_team", None),
    ]
    long_an = alerts[1]
    assert long_an.province_name == "Tỉnh Long An"
    assert "1 báo cáo bị từ chối" in long_an.subject
    body = long_an.body
    assert "THADS_80_2024_11.xlsx" in body and "KHÔNG ĐƯỢC TIẾP NHẬN" in body
    assert 'Sheet "Viec", dòng 12, cột "Tong so thu ly"' in body
    assert body.startswith("Kính gửi: Cơ quan thi hành án dân sự tỉnh Long An (mã 80).")
    assert "Tổng số thụ lý phải bằng Năm trước chuyển sang cộng Thụ lý mới" in body
    assert "Số liệu trong báo cáo: 3.062. Giá trị đúng: 3.067." in body
    assert "(Cảnh báo)" in body and "1.234,5" in body
    assert alerts[0].subject.endswith("1 báo cáo có cảnh báo") and "ĐÃ TIẾP NHẬN" in alerts[0].body
    summary = alerts[2]
    assert "3 submissions checked, 1 quarantined, 1 loaded with warnings" in summary.subject
    assert "THADS_80_2024_11.xlsx [80]: identity.total_received at Viec, row 12" in summary.body
    assert summary.data["n_quarantined"] == 1


# --- delivery to real servers ---------------------------------------------------------------


def test_alerts_reach_the_webhook_and_the_mail_server(paths, webhook, smtp_server) -> None:
    controller, box = smtp_server
    env = {
        "THADS_ALERT_WEBHOOK_URL": webhook.url,
        "THADS_ALERT_WEBHOOK_TOKEN": "s3cret",
        "THADS_SMTP_HOST": "127.0.0.1",
        "THADS_SMTP_PORT": str(controller.port),
        "THADS_SMTP_FROM": "thads@example.vn",
        "THADS_SMTP_TO": "data-team@example.vn, lead@example.vn",
        "THADS_SMTP_TO_80": "thads.longan@example.vn",
    }
    notifiers = notifiers_from_env(env)
    assert [n.name for n in notifiers] == ["webhook", "smtp"]
    report = notify.alert_batch(dq_rows(), paths, notifiers=notifiers, counts={"loaded": 2})
    assert (report.sent, report.failed, report.pending) == (6, 0, 0)

    assert [p["audience"] for p in webhook.received] == ["province", "province", "data_team"]
    assert webhook.headers[0]["Authorization"] == "Bearer s3cret"
    long_an = webhook.received[1]
    assert long_an["province_code"] == "80" and long_an["language"] == "vi"
    assert 'dòng 12, cột "Tong so thu ly"' in long_an["text"]
    assert long_an["data"]["findings"][0]["source_row"] == 12

    by_subject = {msg["Subject"]: (to, msg) for to, msg in box.messages}
    assert len(by_subject) == 3
    to, msg = next(v for k, v in by_subject.items() if "Long An" in k)
    assert to == ["thads.longan@example.vn"]  # the province's own address
    assert msg["From"] == "thads@example.vn"
    text = msg.get_content()
    assert "Giá trị đúng: 3.067" in text and "Kính gửi" in text
    to, msg = next(v for k, v in by_subject.items() if "mã 02" in k)
    assert to == ["data-team@example.vn", "lead@example.vn"]  # no address of its own
    to, msg = next(v for k, v in by_subject.items() if k.startswith("[THADS] batch b-1"))
    assert "Load: loaded=2" in msg.get_content()
    assert not (paths.alerts / "outbox.jsonl").read_text().strip()


def test_a_dead_webhook_does_not_fail_and_is_retried(paths) -> None:
    port = free_port()  # nothing listens here yet
    hook = WebhookNotifier(f"http://127.0.0.1:{port}/hook", timeout=2)
    report = notify.alert_batch(dq_rows(), paths, notifiers=[hook])
    assert (report.sent, report.failed, report.pending) == (0, 1, 3)
    assert "ConnectionRefusedError" in report.errors[0] or "URLError" in report.errors[0]
    kept = [json.loads(x) for x in (paths.alerts / "outbox.jsonl").read_text().splitlines()]
    assert [e["attempts"] for e in kept] == [1, 0, 0]  # tried once, then the channel was down

    server = Webhook(port)
    try:
        report = notify.notify_data_team("[THADS] test", "hello", paths, notifiers=[hook])
        assert (report.sent, report.retried, report.pending) == (4, 3, 0)
        assert [p["audience"] for p in server.received] == [
            "province",
            "province",
            "data_team",
            "data_team",
        ]
        assert server.received[-1]["subject"] == "[THADS] test"
    finally:
        server.stop()
    # Delivered means gone: nothing is sent twice.
    report = notify.deliver([], paths, notifiers=[hook])
    assert report.sent == 0 and report.pending == 0


def test_an_http_error_is_kept_but_other_alerts_still_go(paths) -> None:
    server = Webhook(status=500)
    try:
        hook = WebhookNotifier(server.url)
        report = notify.alert_batch(dq_rows(), paths, notifiers=[hook])
        assert (report.sent, report.failed, report.pending) == (0, 3, 3)
        assert len(server.received) == 3  # each alert was tried: the server is up
        server.status = 204
        report = notify.deliver([], paths, notifiers=[hook])
        assert (report.sent, report.retried, report.pending) == (3, 3, 0)
    finally:
        server.stop()


def test_smtp_down_then_up(paths) -> None:
    port = free_port()
    mail = SmtpNotifier("127.0.0.1", port, team=["team@example.vn"], timeout=2)
    report = notify.alert_batch(dq_rows(), paths, notifiers=[mail])
    assert report.failed == 1 and report.pending == 3
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        report = notify.deliver([], paths, notifiers=[mail])
        assert report.sent == 3 and report.pending == 0
        subjects = [m["Subject"] for _, m in box.messages]
        assert any("Long An" in s for s in subjects)
        assert all(to == ["team@example.vn"] for to, _ in box.messages)
    finally:
        controller.stop()


def test_entries_of_an_unconfigured_channel_wait(paths, webhook) -> None:
    dead = WebhookNotifier(f"http://127.0.0.1:{free_port()}/x", timeout=2, name="other")
    notify.notify_data_team("[THADS] one", "x", paths, notifiers=[dead])
    report = notify.deliver([], paths, notifiers=[WebhookNotifier(webhook.url)])
    assert report.pending == 1 and webhook.received == []


def test_no_channel_configured_is_not_an_error(paths) -> None:
    assert notifiers_from_env({}) == []
    report = notify.alert_batch(dq_rows(), paths, notifiers=[])
    assert (report.sent, report.failed, report.pending) == (0, 0, 0)


def test_send_batch_alerts_reads_the_committed_results(paths, webhook) -> None:
    paths.data_quality.mkdir(parents=True, exist_ok=True)
    dq_rows().to_parquet(paths.data_quality / "b-1.parquet")
    out = notify.send_batch_alerts("b-1", paths, notifiers=[WebhookNotifier(webhook.url)])
    assert out["sent"] == 3 and out["batch_id"] == "b-1"
    assert webhook.received[-1]["data"]["n_submissions"] == 3
    # A batch without results (nothing validated) only retries the outbox.
    assert notify.send_batch_alerts("nothing", paths, notifiers=[])["alerts"] == 0
