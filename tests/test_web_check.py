"""The check page of `thads serve` over real HTTP (the CLI in a child process, uvicorn):
findings in Vietnamese with sheet, row and column; names, sizes and tokens checked; files
written only into the landing zone; a province sees only its own submissions. The same
page in a real browser: tests/test_web_browser.py."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest

from tests.web_support import Site, report, start_site
from thads import pipeline, tokens
from thads.config import Paths
from thads.generate import write_json, write_xlsx
from thads.web.uploads import INCOMING


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    site = start_site(tmp_path_factory.mktemp("web"), max_upload_mb=1)
    yield site
    site.stop()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    return tmp_path


def _post(site: Site, uploads: list[tuple[str, bytes]], **data: str) -> httpx.Response:
    return httpx.post(
        site.url + "/check",
        files=[("files", (name, content)) for name, content in uploads],
        data=data,
        timeout=120,
    )


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:div|section)>', html, re.S)
    assert match, f"no #{element_id} in the page"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match[1])).split())


def _landing_names(site: Site) -> list[str]:
    """Everything in the landing zone, and in the hidden folder uploads are staged in."""
    incoming = site.landing / INCOMING
    staged = [f"{INCOMING}/{p.name}" for p in incoming.iterdir()] if incoming.is_dir() else []
    return sorted([p.name for p in site.landing.iterdir() if p.name != INCOMING] + staged)


def test_the_report_is_served_and_nothing_outside_it(site: Site):
    response = httpx.get(site.url + "/")
    assert response.status_code == 404 and "Chưa có báo cáo" in response.text
    site.paths.report.parent.mkdir(parents=True, exist_ok=True)
    site.paths.report.write_text("<!DOCTYPE html><title>báo cáo</title><p>Xếp hạng 6/63</p>")
    (site.paths.serving / "manifest.json").write_text("{}")  # must not be reachable
    for path in ("/", "/index.html"):
        response = httpx.get(site.url + path)
        assert response.status_code == 200 and "Xếp hạng 6/63" in response.text
        assert response.headers["cache-control"] == "no-store"
    for escape in ("/../manifest.json", "/%2e%2e/manifest.json", "/..%2fmanifest.json"):
        raw = httpx.get(site.url + escape)  # httpx normalises `..`: also send it raw
        assert raw.status_code == 404 and raw.text != "{}", escape
    with httpx.Client() as client:
        request = client.build_request("GET", site.url + "/")
        request.url = request.url.copy_with(raw_path=b"/../manifest.json")
        assert client.send(request).status_code == 404
    assert site.url.startswith("http://127.0.0.1:")


def test_check_only_names_sheet_row_and_column_in_vietnamese(site: Site, files: Path):
    bad = report("80", broken=True)
    path = write_xlsx(bad, files / bad.filename("xlsx"))
    response = _post(site, [(path.name, path.read_bytes())], action="check")
    assert response.status_code == 200
    results = _text(response.text, "results")
    assert "SẼ BỊ TỪ CHỐI" in results
    row = re.search(r'<tr class="finding">(.*?)</tr>', response.text, re.S)
    assert row
    cells = [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in
             re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)]  # fmt: skip
    severity, sheet, line, column, message, observed, expected = cells
    assert (severity, sheet, column) == ("Lỗi", "Việc", "Tổng số phải thi hành")
    assert int(line) > 1
    assert message.startswith("Tổng số phải thi hành phải bằng")
    assert "identity.must_enforce_conditions" in message
    # Vietnamese number format ("1.234"); the broken row's sum is 2 more than it says.
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})*", v) for v in (observed, expected))
    assert int(expected.replace(".", "")) - int(observed.replace(".", "")) == 2
    assert _landing_names(site) == []  # check-only writes nothing into the landing zone

    good = report("80")
    path = write_json(good, files / good.filename("json"))
    response = _post(site, [(path.name, path.read_bytes())], action="check")
    assert "ĐẠT, sẽ được tiếp nhận" in _text(response.text, "results")


def test_names_sizes_and_sets_are_checked_before_anything_is_written(site: Site, files: Path):
    good = report("80")
    data = write_json(good, files / good.filename("json")).read_bytes()
    for name in ("../THADS_80_2024_11.json", "THADS_80_2024_11.json/x", ".THADS_80_2024_11.json",
                 "THADS_80_2024_11.exe", "targets_2024.csv", "THADS_80_2024_13.json"):  # fmt: skip
        response = _post(site, [(name, data)], action="submit", token=site.tokens["80"])
        assert response.status_code == 400, name
        assert "Tên tệp không theo quy định" in _text(response.text, "error"), name
    response = _post(site, [("THADS_80_2024_11.json", b"x" * (1024 * 1024 + 1))], action="check")
    assert response.status_code == 413
    assert "Tệp quá lớn" in _text(response.text, "error")
    many = [(f"THADS_80_2024_1{i}.json", data) for i in range(3)]
    assert _post(site, many, action="check").status_code == 400
    pair = [("THADS_80_2024_11.json", data), ("THADS_02_2024_11.json", data)]
    assert "cặp CSV" in _text(_post(site, pair, action="check").text, "error")
    assert _landing_names(site) == []


def test_submit_needs_the_province_own_token(site: Site, files: Path):
    good = report("80")
    path = write_json(good, files / good.filename("json"))
    upload = [(path.name, path.read_bytes())]

    for token in ("", "thads_not-a-token"):
        response = _post(site, upload, action="submit", token=token)
        assert response.status_code == 403 and "Mã truy cập không đúng" in response.text
    response = _post(site, upload, action="submit", token=site.tokens["02"])
    assert response.status_code == 403
    assert "cấp cho tỉnh 02" in _text(response.text, "error")
    assert _landing_names(site) == []

    response = _post(site, upload, action="submit", token=site.tokens["80"])
    assert response.status_code == 200
    assert path.name in _text(response.text, "submitted")
    assert _landing_names(site) == [path.name]  # no temporary file left beside it
    assert (site.landing / path.name).read_bytes() == path.read_bytes()
    assert "Đang chờ xử lý" in _text(response.text, "submissions")

    # Another province's file, loaded too: 80 must not see it.
    other = report("02")
    write_json(other, site.landing / other.filename("json"))
    result = pipeline.load(site.landing, site.paths, quiet=True, build_now=False)
    assert result["commit"]["n_loaded"] == 2

    listing = httpx.post(site.url + "/check/submissions", data={"token": site.tokens["80"]})
    own = _text(listing.text, "submissions")
    assert path.name in own and "Đã tiếp nhận" in own
    assert other.filename("json") not in listing.text

    tokens.revoke(site.paths, site.token_ids["80"])
    listing = httpx.post(site.url + "/check/submissions", data={"token": site.tokens["80"]})
    assert listing.status_code == 403 and path.name not in listing.text


def test_tokens_are_stored_hashed_and_listed_without_secrets(tmp_path: Path, capsys, monkeypatch):
    from thads.cli import main

    monkeypatch.setenv("THADS_HOME", str(tmp_path / "home"))
    assert main(["tokens", "issue", "--province", "80", "--note", "chị Lan"]) == 0
    out = capsys.readouterr().out
    token = next(line for line in out.splitlines() if line.startswith(tokens.TOKEN_PREFIX))
    stored = (tmp_path / "home" / "state" / "tokens.json").read_text("utf-8")
    assert token not in stored
    assert main(["tokens", "list", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["province_code"] == "80" and row["note"] == "chị Lan" and "sha256" not in row
    assert token not in json.dumps(row)
    assert tokens.verify(Paths.from_env(), token).province_code == "80"
    assert main(["tokens", "issue", "--province", "99"]) == 2
    assert main(["tokens", "revoke", row["id"]]) == 0
    assert main(["tokens", "revoke", "nope"]) == 2
    capsys.readouterr()
    assert main(["tokens", "list", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["revoked_at"]
    assert tokens.verify(Paths.from_env(), token) is None
