"""`thads serve`: the report over HTTP on 127.0.0.1 only, nothing outside serving/report."""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from thads.config import Paths
from thads.publish.serve import make_server


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    paths = Paths(tmp_path / "home")
    paths.report.parent.mkdir(parents=True)
    paths.report.write_text("<!DOCTYPE html><title>báo cáo</title><p>Xếp hạng 6/63</p>", "utf-8")
    (paths.serving / "manifest.json").write_text("{}", "utf-8")  # must not be reachable
    return paths.report.parent


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, b"", dict(err.headers)


def test_serves_the_report_on_localhost_only(report_dir: Path):
    server = make_server(report_dir, port=0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        status, body, headers = _get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert "Xếp hạng 6/63" in body.decode("utf-8")
        assert headers["Cache-Control"] == "no-store"
        for escape in ("/../manifest.json", "/%2e%2e/manifest.json", "/..%2fmanifest.json"):
            status, body, _ = _get(f"http://127.0.0.1:{port}{escape}")
            assert status == 404 and b"{}" not in body, escape
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_nothing_published_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="nothing published yet"):
        make_server(tmp_path, port=0)


def test_cli_serve_prints_its_address_and_serves(report_dir: Path):
    home = report_dir.parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "thads.cli", "--home", str(home), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, (line, proc.stderr.read() if proc.poll() else "")
        url = line.split("on ", 1)[1].split()[0]
        status, body, _ = _get(url + "index.html")
        assert status == 200 and "6/63" in body.decode("utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_cli_serve_without_a_report_fails(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "thads.cli", "--home", str(tmp_path), "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "nothing published yet" in proc.stderr
