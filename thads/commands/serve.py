"""`thads serve [--port N]`: the published HTML report on http://127.0.0.1:N/ until Ctrl-C."""

from __future__ import annotations

import argparse
import sys

from thads.config import Paths
from thads.publish.serve import DEFAULT_PORT, make_server


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any)"
    )


def run(args: argparse.Namespace) -> int:
    report_dir = Paths.from_env().report.parent
    try:
        server = make_server(report_dir, args.port)
    except (FileNotFoundError, OSError) as exc:
        print(f"thads serve: {exc}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    print(f"serving {report_dir} on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
