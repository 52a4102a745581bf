"""`thads serve`: the published report on http://127.0.0.1:<port>/ (localhost only).

The report also opens straight from disk; serving it helps when a browser or policy blocks
file:// pages. Only `serving/report/` is served, read-only, never the snapshot or state.
"""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from thads import log

_log = log.get_logger("thads.serve")
HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class ReportHandler(SimpleHTTPRequestHandler):
    """Static files of one directory; no caching, so a reload shows the latest publish."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        log.event(_log, "http", client=self.client_address[0], request=format % args)


def make_server(directory: Path, port: int = DEFAULT_PORT, host: str = HOST) -> ThreadingHTTPServer:
    """A server for `directory` on host:port (port 0 picks a free one: see server_address)."""
    if not (directory / "index.html").is_file():
        raise FileNotFoundError(
            f"no report at {directory / 'index.html'}: nothing published yet (run `thads load`)"
        )
    handler = functools.partial(ReportHandler, directory=str(directory))
    return ThreadingHTTPServer((host, port), handler)
