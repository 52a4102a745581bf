"""The check page in a real browser: Debian's headless Chromium driven over the DevTools
protocol (tests/cdp.py) against a real `thads serve`: choose a file as a person would, type
the token, click, read the page the server answers with.

CI installs chromium (.ci/run); elsewhere these tests skip when it is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cdp import CHROMIUM, Browser
from tests.web_support import Site, report, start_site
from thads import pipeline
from thads.generate import write_json, write_xlsx

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    site = start_site(tmp_path_factory.mktemp("browser-web"), max_upload_mb=1)
    yield site
    site.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    browser = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.close()


def _upload(browser: Browser, site: Site, files: list[Path], button: str, token: str = "") -> None:
    browser.open(site.url + "/check")
    browser.choose_files("#files", files)
    if token:
        browser.type_into("#token", token)
    browser.click_and_wait(button)


def test_check_only_shows_the_vietnamese_finding(site: Site, browser: Browser, tmp_path: Path):
    bad = report("80", broken=True)
    path = write_xlsx(bad, tmp_path / bad.filename("xlsx"))
    _upload(browser, site, [path], "#do-check")
    results = browser.text("#results")
    assert "SẼ BỊ TỪ CHỐI" in results
    cells = browser.evaluate(
        "[...document.querySelector('tr.finding').cells].map(c => c.innerText.trim())"
    )
    assert cells[:2] == ["Lỗi", "Việc"] and int(cells[2]) > 1
    assert cells[3] == "Tổng số phải thi hành"
    assert cells[4].startswith("Tổng số phải thi hành phải bằng")
    assert browser.text("#submitted") == "" and not list(site.landing.glob("*"))


def test_submit_with_a_token_and_see_it_loaded(site: Site, browser: Browser, tmp_path: Path):
    good = report("80")
    path = write_json(good, tmp_path / good.filename("json"))
    _upload(browser, site, [path], "#do-submit", token=site.tokens["80"])
    assert path.name in browser.text("#submitted")
    assert "ĐẠT" in browser.text("#results")
    assert "Đang chờ xử lý" in browser.text("#submissions")
    assert (site.landing / path.name).read_bytes() == path.read_bytes()

    # What `thads watch` or the load DAG does on the arrival (the same pipeline steps).
    pipeline.load(site.landing, site.paths, quiet=True, build_now=False)

    browser.open(site.url + "/check")
    browser.type_into("#token-list", site.tokens["80"])
    browser.click_and_wait("#do-list")
    rows = browser.evaluate(
        "[...document.querySelectorAll('#submissions tr.submission-row')]"
        ".map(r => [r.querySelector('.file').innerText, r.querySelector('.status').innerText])"
    )
    assert rows == [[path.name, "Đã tiếp nhận"]]


def test_a_token_of_another_province_is_refused(site: Site, browser: Browser, tmp_path: Path):
    other = report("80", months=10)
    path = write_json(other, tmp_path / other.filename("json"))
    _upload(browser, site, [path], "#do-submit", token=site.tokens["02"])
    assert "cấp cho tỉnh 02" in browser.text("#error")
    assert not (site.landing / path.name).exists()


def test_an_oversized_upload_is_refused(site: Site, browser: Browser, tmp_path: Path):
    big = tmp_path / "THADS_80_2024_09.json"
    big.write_bytes(b" " * (1024 * 1024 + 10))
    _upload(browser, site, [big], "#do-submit", token=site.tokens["80"])
    assert "Tệp quá lớn" in browser.text("#error")
    assert not (site.landing / big.name).exists()
