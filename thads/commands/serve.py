"""`thads serve [--port N] [--host H] [--landing DIR]`: the published HTML report at `/` and
the provinces' check page at `/check` (thads/web), until Ctrl-C or SIGTERM.

Binds 127.0.0.1 by default. To let province offices reach the page, put it behind the
ministry's HTTPS reverse proxy (docs/airflow.md, "The check page").
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from thads.config import Paths
from thads.web.uploads import DEFAULT_MAX_UPLOAD_BYTES

HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any)"
    )
    parser.add_argument("--host", default=HOST, help=f"address to bind (default {HOST})")
    parser.add_argument(
        "--landing",
        type=Path,
        help="landing zone submitted files go to (default THADS_LANDING, else ./landing)",
    )
    parser.add_argument(
        "--max-upload-mb",
        type=float,
        default=DEFAULT_MAX_UPLOAD_BYTES / 1024 / 1024,
        help=f"largest upload accepted (default {DEFAULT_MAX_UPLOAD_BYTES // 1024 // 1024})",
    )


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from thads.airflow_support import DEFAULT_LANDING, VAR_LANDING, setting
    from thads.web.app import WebSettings, create_app

    paths = Paths.from_env()
    landing = args.landing or Path(setting(VAR_LANDING, "THADS_LANDING", DEFAULT_LANDING))
    settings = WebSettings(
        paths=paths,
        landing=landing.expanduser().resolve(),
        max_upload_bytes=int(args.max_upload_mb * 1024 * 1024),
    )
    try:
        sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"thads serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    host, port = sock.getsockname()[:2]
    report_dir = paths.report.parent
    if not paths.report.is_file():
        print(f"thads serve: no report at {paths.report} yet: nothing published yet (run "
              "`thads load`); the check page works without it", file=sys.stderr)  # fmt: skip
    print(f"serving {report_dir} on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    print(f"check page for provinces: http://{host}:{port}/check", flush=True)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), log_level="warning", access_log=False)
    )
    server.run(sockets=[sock])
    return 0
