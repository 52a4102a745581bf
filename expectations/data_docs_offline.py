"""Data Docs a ministry network without internet can read: no CDN, the warehouse's own files.

Great Expectations' page templates load Bootstrap, jQuery, Font Awesome and a few table
and chart plugins from public CDNs and the logo from a cloud bucket; offline, the pages
are unstyled link lists. After each render, `make_offline(docs_dir)`:
- copies Bootstrap 4 (with Popper), jQuery and Font Awesome from their maintained XStatic
  packages (locked in requirements.lock) into `<docs>/static/vendor/`;
- points every page's `<link>`/`<script>` at those copies (relative paths, so the folder
  can be moved or served from anywhere), and the logo at GX's own `static/images`;
- removes the remaining CDN tags (bootstrap-table, the date picker, Vega, the dark theme):
  no maintained package ships them. Tables then show as plain styled tables (no column
  filter box); our validation pages draw no Vega charts.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from thads.durable import atomic_write_text

VENDOR = Path("static") / "vendor"
#: GX's logo bucket -> the images GX itself copies into `static/images`.
_LOGO_BUCKET = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
_TAG = re.compile(r"<(?:link|script)\b[^>]*?(?:href|src)=\"(https?://[^\"]+)\"[^>]*>(?:</script>)?")


def _vendor_files() -> dict[str, tuple[Path, str]]:
    """CDN file name pattern -> (source file in a package, path under `static/vendor`)."""
    import xstatic.pkg.bootstrap as bootstrap
    import xstatic.pkg.font_awesome as font_awesome
    import xstatic.pkg.jquery as jquery

    bs, fa, jq = Path(bootstrap.BASE_DIR), Path(font_awesome.BASE_DIR), Path(jquery.BASE_DIR)
    return {
        "bootstrap.min.css": (bs / "css" / "bootstrap.min.css", "bootstrap/bootstrap.min.css"),
        # Bootstrap 4's bundle carries Popper: it serves both popper and bootstrap tags.
        "bootstrap.min.js": (bs / "js" / "bootstrap.bundle.min.js", "bootstrap/bootstrap.js"),
        "popper.min.js": (bs / "js" / "bootstrap.bundle.min.js", "bootstrap/bootstrap.js"),
        "jquery": (jq / "jquery.min.js", "jquery/jquery.min.js"),
        "all.min.css": (fa / "css" / "all.min.css", "font-awesome/css/all.min.css"),
    }


def _install_vendor(docs_dir: Path) -> None:
    """Copy the packaged assets once per version (a re-render does not copy them again)."""
    import xstatic.pkg.font_awesome as font_awesome

    root = docs_dir / VENDOR
    for source, rel in {v for v in _vendor_files().values()}:
        dest = root / rel
        if not dest.exists() or dest.stat().st_size != source.stat().st_size:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
    fonts = root / "font-awesome" / "webfonts"
    if not fonts.is_dir():
        shutil.copytree(Path(font_awesome.BASE_DIR) / "webfonts", fonts)


def _local(url: str) -> str | None:
    """The `static/vendor` file that replaces a CDN URL, or None (tag to drop)."""
    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    if "bootstrap-table" in url or "datepicker" in url or "bootstrap-dark" in url:
        return None
    for pattern, (_, rel) in _vendor_files().items():
        if name.startswith(pattern) if pattern == "jquery" else name == pattern:
            return rel
    return None


def localise_page(html: str, page_dir: Path, docs_dir: Path) -> str:
    """One page with every CDN asset replaced by the local copy (or removed)."""
    vendor = Path(os.path.relpath(docs_dir / VENDOR, page_dir)).as_posix()
    images = Path(os.path.relpath(docs_dir / "static" / "images", page_dir)).as_posix()
    seen: set[str] = set()

    def swap(match: re.Match[str]) -> str:
        rel = _local(match[1])
        if rel is None or rel in seen:  # no local copy, or the bundle already included
            return ""
        seen.add(rel)
        tag = match[0].replace(match[1], f"{vendor}/{rel}")
        return re.sub(r'\s(?:integrity|crossorigin)="[^"]*"', "", tag)

    html = _TAG.sub(swap, html)
    return html.replace(_LOGO_BUCKET, f"{images}/")


def make_offline(docs_dir: Path) -> list[Path]:
    """Localise every page of the site; returns the pages rewritten."""
    docs_dir = Path(docs_dir)
    if not docs_dir.is_dir():
        return []
    _install_vendor(docs_dir)
    changed = []
    for page in sorted(docs_dir.rglob("*.html")):
        if VENDOR.as_posix() in page.relative_to(docs_dir).as_posix():
            continue
        html = page.read_text(encoding="utf-8")
        offline = localise_page(html, page.parent, docs_dir)
        if offline != html:
            atomic_write_text(page, offline)
            changed.append(page)
    return changed
