"""The FastAPI application of `thads serve`.

    /                     the published HTML report (serving/report/), as before
    /check                the check page: upload a report, see in Vietnamese what
                          `thads check` says (every finding with sheet, row and column)
    POST /check           check; with a province token and "Gửi báo cáo", also submit the
                          file into the landing zone and list the province's submissions
    POST /check/submissions   the province's own submissions (token required)

Server-side HTML only (Jinja2, autoescaped); no JavaScript. A token belongs to one province:
it submits only files named for that province and lists only that province's files. Checks
run one at a time (Great Expectations is loaded once and not shared between threads).
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from thads.config import Paths
from thads.log import get_logger
from thads.web.uploads import (
    DEFAULT_MAX_UPLOAD_BYTES,
    MAX_FILES,
    Upload,
    UploadError,
    check_set,
    check_upload,
    too_large_message,
    write_into,
)

TEMPLATES = Path(__file__).parent / "templates"
_log = get_logger("web")
#: Multipart framing around the files (boundaries, headers, the token field).
_FORM_OVERHEAD = 64 * 1024
_FORM_MAX_FILES = 8


@dataclass(frozen=True)
class WebSettings:
    paths: Paths
    landing: Path
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES


def _environment() -> Environment:
    from thads.notify.messages import localised_value, report_boundary, rule_title_vi

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["rule_title_vi"] = rule_title_vi
    env.globals["localised_value"] = localised_value
    env.globals["report_boundary"] = report_boundary
    return env


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Great Expectations and the rules take seconds to import: do it while nobody waits,
    # so the first province's check answers as fast as the next.
    from thads.watch import warm_up

    threading.Thread(target=warm_up, name="thads-warm-up", daemon=True).start()
    yield


def create_app(settings: WebSettings) -> FastAPI:
    app = FastAPI(
        title="THADS Warehouse",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan,
    )
    templates = _environment()
    check_lock = threading.Lock()
    report_dir = settings.paths.report.parent

    def page(status_code: int = 200, **context: Any) -> HTMLResponse:
        defaults = {
            "limit_mb": f"{settings.max_upload_bytes / 1024 / 1024:g}",
            "error": None,
            "results": None,
            "submitted": [],
            "province": None,
            "submissions": None,
        }
        html = templates.get_template("check.html.j2").render(**{**defaults, **context})
        return HTMLResponse(html, status_code=status_code)

    @app.middleware("http")
    async def no_cache(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.get("/check", response_class=HTMLResponse)
    def check_form() -> HTMLResponse:
        return page()

    @app.post("/check", response_class=HTMLResponse)
    async def check_upload_page(request: Request) -> HTMLResponse:
        limit = settings.max_upload_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_FILES * limit + _FORM_OVERHEAD:
            return page(413, error=too_large_message(limit))
        try:
            # A few files more than allowed are parsed so that check_set can say why in
            # Vietnamese; the total size is bounded by the Content-Length check above.
            form = await request.form(max_files=_FORM_MAX_FILES, max_fields=8, max_part_size=limit)
        except StarletteHTTPException as exc:
            if "size" in str(exc.detail).lower():
                return page(413, error=too_large_message(limit))
            return page(400, error=f"Không đọc được tệp tải lên ({exc.detail}).")
        action = str(form.get("action") or "check")
        token = str(form.get("token") or "").strip()
        try:
            uploads = []
            for item in form.getlist("files"):
                if not isinstance(item, UploadFile) or not item.filename:
                    continue
                data = await item.read(limit + 1)
                uploads.append(check_upload(item.filename, data, limit))
            check_set(uploads)
        except UploadError as exc:
            return page(exc.status_code, error=str(exc))
        finally:
            await form.close()

        record = None
        if action == "submit":
            record, refusal = _authorise(settings, token, uploads)
            if refusal:
                return page(403, error=refusal)
        try:
            results = await _run_check(settings, uploads, check_lock)
        except Exception:  # a file the checker cannot cope with must not end the server
            _log.exception("check failed for %s", [u.name for u in uploads])
            return page(500, error=_CHECK_FAILED)
        submitted: list[str] = []
        if record is not None:
            write_into(settings.landing, uploads)
            submitted = [u.name for u in uploads]
        return page(
            results=results,
            submitted=submitted,
            province=_province(record),
            submissions=_own(settings, record),
        )

    @app.post("/check/submissions", response_class=HTMLResponse)
    async def submissions_page(request: Request) -> HTMLResponse:
        from thads import tokens

        form = await request.form(max_files=0, max_fields=4, max_part_size=4096)
        record = tokens.verify(settings.paths, str(form.get("token") or ""))
        if record is None:
            return page(403, error=_BAD_TOKEN)
        return page(province=_province(record), submissions=_own(settings, record))

    @app.get("/", response_model=None)
    def report_index() -> Response:
        if settings.paths.report.is_file():
            return FileResponse(settings.paths.report)
        return page(404, error="Chưa có báo cáo tổng hợp nào được công bố.")

    # Everything else of the published report (read-only; StaticFiles refuses `..`).
    app.mount("/", StaticFiles(directory=report_dir, html=True, check_dir=False), name="report")
    return app


_CHECK_FAILED = (
    "Hệ thống chưa kiểm tra được tệp này. Tệp chưa được gửi. Đề nghị thử lại sau ít phút; "
    "nếu vẫn lỗi, liên hệ nhóm dữ liệu THADS."
)
_BAD_TOKEN = (
    "Mã truy cập không đúng hoặc đã bị thu hồi. Đề nghị liên hệ nhóm dữ liệu THADS để được "
    "cấp mã mới. Không có mã truy cập, trang này chỉ kiểm tra tệp, không gửi."
)


def _authorise(settings: WebSettings, token: str, uploads: list[Upload]) -> tuple[Any, str]:
    """The token's record, or a Vietnamese refusal: unknown token, or another province's."""
    from thads import tokens

    record = tokens.verify(settings.paths, token)
    if record is None:
        return None, _BAD_TOKEN
    for upload in uploads:
        if upload.filename.province_code != record.province_code:
            return None, (
                f"Mã truy cập này cấp cho tỉnh {record.province_code} "
                f"({tokens.province_name(record.province_code)}), không gửi được tệp "
                f"“{upload.name}” của mã tỉnh {upload.filename.province_code}."
            )
    return record, ""


async def _run_check(
    settings: WebSettings, uploads: list[Upload], lock: threading.Lock
) -> list[dict[str, Any]]:
    """`thads check` on the uploads, from a private temporary folder removed afterwards."""
    from starlette.concurrency import run_in_threadpool

    def run() -> list[dict[str, Any]]:
        from thads.commands.check import check_files

        with lock, tempfile.TemporaryDirectory(prefix="thads-check-") as tmp:
            files = write_into(Path(tmp), uploads)
            return check_files(files, paths=settings.paths)

    return await run_in_threadpool(run)


def _province(record: Any) -> dict[str, str] | None:
    from thads import tokens

    if record is None:
        return None
    return {"code": record.province_code, "name": tokens.province_name(record.province_code)}


def _own(settings: WebSettings, record: Any) -> list[dict] | None:
    from thads.web.province import own_submissions

    if record is None:
        return None
    return own_submissions(settings.paths, record.province_code, settings.landing)
