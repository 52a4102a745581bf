"""Great Expectations Data Docs read offline, in a real browser (Debian's headless Chromium).

Every host name is made unresolvable (`--host-resolver-rules`), as on a ministry network
without internet: the pages must take Bootstrap, jQuery and Font Awesome from the
warehouse's own files (`expectations/data_docs_offline.py`). A small page beside the docs
loads a validation page in a frame and reports what the browser applied.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from expectations import RULES, validate_batch
from expectations.data_docs_offline import VENDOR
from expectations.history import empty_history
from tests.expectations_support import edit, sub

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As tests/test_report_browser.py: CI installs chromium (.ci/run); elsewhere skip without it.
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (apt-get install chromium)",
)

PROBE = """<!doctype html><html><body>
<iframe id="f" src="{page}" width="1200" height="800"></iframe><pre id="out">pending</pre>
<script>
document.getElementById('f').addEventListener('load', function () {{
  var w = this.contentWindow, d = w.document;
  var box = d.querySelector('.container-fluid, .container');
  var icon = d.querySelector('[class*=" fa-"]');
  document.getElementById('out').textContent = JSON.stringify({{
    jquery: typeof w.jQuery,
    bootstrap_js: w.jQuery ? typeof w.jQuery.fn.collapse : 'none',
    padding: box ? w.getComputedStyle(box).paddingLeft : 'no container',
    icon_font: icon ? w.getComputedStyle(icon, '::before').fontFamily : 'no icon',
    text: d.body.innerText
  }});
}});
</script></body></html>"""


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data_docs")
    bad = sub("80", 2024, 11)
    edit(bad, "cases", 1, {"carried_over": 5})
    validate_batch([bad, sub("01", 2024, 11, seed=1)], empty_history(), data_docs_dir=out)
    return out


def _pages(docs: Path) -> list[Path]:
    return [p for p in docs.rglob("*.html") if VENDOR.as_posix() not in p.as_posix()]


def test_no_page_loads_anything_from_the_internet(docs: Path) -> None:
    pages = _pages(docs)
    assert len(pages) >= 3  # index, the suite, one validation run
    for page in pages:
        html = page.read_text(encoding="utf-8")
        loads = re.findall(r"<(?:link|script|img)\b[^>]*(?:href|src)=\"(https?://[^\"]+)", html)
        assert not loads, (page, loads)
        assert "static/vendor/bootstrap/bootstrap.min.css" in html


def probe(docs: Path, page: Path, tmp_path: Path) -> dict:
    harness = docs / "_probe.html"
    harness.write_text(PROBE.format(page=page.relative_to(docs).as_posix()), encoding="utf-8")
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # no internet, as in the ministry
        "--allow-file-access-from-files", "--virtual-time-budget=10000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}", "--dump-dom", harness.as_uri(),
    ]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, text=True, timeout=180, check=True).stdout
    harness.unlink()
    found = re.search(r'<pre id="out">([^<]*)</pre>', dom)
    assert found, dom[-2000:]
    text = found[1].replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")
    return json.loads(text.replace("&gt;", ">"))


def test_a_validation_page_is_styled_and_scripted_offline(docs: Path, tmp_path: Path) -> None:
    assert CHROMIUM and shutil.which(CHROMIUM)
    (page,) = (docs / "validations").rglob("*.html")
    seen = probe(docs, page, tmp_path)
    assert seen["jquery"] == "function" and seen["bootstrap_js"] == "function"
    assert seen["padding"] == "48px"  # Bootstrap's pl-5 on the page container
    assert "Font Awesome" in seen["icon_font"]
    # ... and each expectation reads as the rule it checks.
    rule = RULES["identity.total_received"]
    assert f"{rule.id} ({rule.severity}): {rule.text_en}" in seen["text"]
