"""The published report in a real browser: Debian's headless Chromium, from file://.

Writes the screenshot to test-output/report.png (repo-relative, gitignored) for people to
look at. CI installs chromium (.ci/run); elsewhere these tests skip when it is missing.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.publish_html import body_rows, parse_report
from tests.real_warehouse import SKIPPED_PROVINCE
from thads import contract
from thads.config import REPO_ROOT, Paths

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOT = REPO_ROOT / "test-output" / "report.png"
WINDOW = (1400, 2400)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def published(real_warehouse: Paths) -> Paths:
    """The report of the session's warehouse built by the real dbt project."""
    return real_warehouse


def chromium(tmp_path: Path, *args: str, url: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM, "chromium is required in CI"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        *args,
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)


def test_rendered_dom_has_rankings_and_charts(published: Paths, tmp_path: Path):
    url = published.report.as_uri()
    dom = parse_report(chromium(tmp_path, "--dump-dom", url=url).stdout)
    latest = dom.sections["2025-12"]
    assert not latest.hidden
    for measure in contract.MEASURES:
        rows = body_rows(latest.tables[measure])
        assert len(rows) == 34
        assert rows[0][0] == "1/33"
    assert latest.svgs == 2  # the two tile maps of the period
    assert len(dom.trend_svgs) == 2 and all(len(t) > 7 for t in dom.trend_svgs)


def test_rendered_dom_has_the_reporting_cycle(published: Paths, tmp_path: Path):
    """Contract 6 in the browser: the latest period's compliance block (who was late or
    missing, the year's rates) and the scorecard lights of its ranking tables."""
    dom = chromium(tmp_path, "--dump-dom", url=published.report.as_uri()).stdout
    latest = dom[dom.index('id="p2025-12"') :]
    latest = latest[: latest.index("</section>")]
    block = latest[latest.index('id="compliance-2025-12"') :]
    assert "Tình hình gửi báo cáo" in block and "tỷ lệ báo cáo" in block
    assert f'data-province="{SKIPPED_PROVINCE}" data-status="missing"' in block
    assert "Chưa gửi" in block
    assert latest.count('class="light ') >= 2 * 10  # lights in both ranking tables


def test_rendered_dom_has_the_comparison_and_province_trends(published: Paths, tmp_path: Path):
    """Issue 15 item 6 in the browser: the latest period's comparison with the same period
    last year, in Vietnamese words, and the per-province trends in both views of the merger
    (34 current provinces, 63 old ones)."""
    dom = chromium(tmp_path, "--dump-dom", url=published.report.as_uri()).stdout
    latest = dom[dom.index('id="p2025-12"') :]
    latest = latest[: latest.index("</section>")]
    block = latest[latest.index('id="comparison-2025-12"') :]
    assert "So sánh với cùng kỳ năm trước (12 tháng năm 2024)" in block
    assert "tăng " in block or "giảm " in block
    assert "tương ứng " in block
    for measure in contract.MEASURES:
        assert f'data-comparison="{measure}"' in block
    trends = dom[dom.index('<section id="province-trends"') :]
    trends = trends[: trends.index("</section>")]
    for boundary in (34, 63):
        view = trends[trends.index(f'id="trend-{boundary}"') :]
        table = view[: view.index("</table>")]
        assert table.count("<tr data-province=") == boundary
    assert "2025 (8 th)" in trends[trends.index('id="trend-63"') :]


def test_period_selector_shows_the_period_in_the_address(published: Paths, tmp_path: Path):
    """The inline script runs in the browser: #p2024-12 shows that period, hides the rest."""
    url = published.report.as_uri() + "#p2024-12"
    dom = parse_report(chromium(tmp_path, "--dump-dom", url=url).stdout)
    visible = [key for key, section in dom.sections.items() if not section.hidden]
    assert visible == ["2024-12"]
    assert body_rows(dom.sections["2024-12"].tables["cases"])[0][0] == "1/63"


def _png_size_and_pixels(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, size = 8, b"", (0, 0)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return size[0], size[1], zlib.decompress(idat)


def test_screenshot(published: Paths, tmp_path: Path):
    SCREENSHOT.parent.mkdir(exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    chromium(tmp_path, f"--screenshot={SCREENSHOT}", url=published.report.as_uri())
    data = SCREENSHOT.read_bytes()
    width, height, pixels = _png_size_and_pixels(data)
    assert (width, height) == WINDOW
    # A blank or error page compresses to almost nothing and has a handful of byte values;
    # tables, charts and a coloured map do not.
    assert len(data) > 100_000
    assert len(set(pixels)) > 200
    top, bottom = pixels[: len(pixels) // 2], pixels[len(pixels) // 2 :]
    assert len(set(top)) > 100 and len(set(bottom)) > 100  # content all the way down


@pytest.mark.parametrize(
    ("selector", "name", "min_height"),
    [
        ("#comparison-2025-12", "report-comparison.png", 34 * 15),
        ("#province-trends", "report-province-trends.png", 63 * 15),
    ],
)
def test_screenshot_of_the_new_sections(
    published: Paths, tmp_path: Path, selector: str, name: str, min_height: int
):
    """The comparison with last year and the per-province trends (both views of the
    merger) as the browser draws them, for people to look at: test-output/<name>."""
    from tests.cdp import Browser

    dest = REPO_ROOT / "test-output" / name
    dest.parent.mkdir(exist_ok=True)
    dest.unlink(missing_ok=True)
    browser = Browser(tmp_path / "profile")
    try:
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            width=WINDOW[0],
            height=WINDOW[1],
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.open(published.report.as_uri())
        data = browser.screenshot(selector)
    finally:
        browser.close()
    dest.write_bytes(data)
    width, height, pixels = _png_size_and_pixels(data)
    assert width > WINDOW[0] // 2 and height > min_height  # every province has its row
    assert len(set(pixels)) > 200  # text in several colours, not a blank box
