"""Uploaded files: refused unless small enough and named as the contract says; written only
into the landing zone (or a private folder for a dry run), never executed.

A name is accepted only when it is a bare file name made of the characters the contract's
pattern uses and `thads.contract.parse_filename` accepts it: no folders, no `..`, no hidden
or control characters, so a name can never point outside the folder it is written to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from thads.contract import FileName, FileNameError, parse_filename

#: Default upload limit. A province's report is tens of kB; 5 MB leaves room for images and
#: styles some offices paste into their workbooks.
DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: A submission is one file, or the two halves of a CSV pair.
MAX_FILES = 2
_SAFE_NAME = re.compile(r"[A-Za-z0-9_.]{1,120}")


class UploadError(ValueError):
    """Why an upload is refused, in Vietnamese (shown to the province as is)."""

    def __init__(self, message_vi: str, status_code: int = 400) -> None:
        super().__init__(message_vi)
        self.status_code = status_code


@dataclass(frozen=True)
class Upload:
    name: str
    filename: FileName
    data: bytes


def checked_name(raw: str | None) -> FileName:
    """The contract facts of an uploaded file's name; UploadError when it is not one."""
    from thads.notify.messages import rule_title_vi

    name = raw or ""
    if not _SAFE_NAME.fullmatch(name) or name.startswith("."):
        raise UploadError(
            f"{rule_title_vi('parse.bad_filename')}: tên tệp “{name}” không hợp lệ "
            "(ví dụ đúng: THADS_80_2024_11.xlsx)."
        )
    try:
        return parse_filename(name)
    except FileNameError as exc:
        raise UploadError(
            f"{rule_title_vi('parse.bad_filename')} (ví dụ đúng: THADS_80_2024_11.xlsx). "
            f"Chi tiết: {exc}"
        ) from exc


def too_large_message(limit: int) -> str:
    return (
        f"Tệp quá lớn: mỗi lần gửi tối đa {limit / 1024 / 1024:g} MB. "
        "Đề nghị kiểm tra lại tệp (chỉ gồm hai sheet Việc và Tiền)."
    )


def check_upload(name: str | None, data: bytes, limit: int) -> Upload:
    if len(data) > limit:
        raise UploadError(too_large_message(limit), status_code=413)
    if not data:
        raise UploadError(f"Tệp “{name}” rỗng.")
    return Upload(name=str(name), filename=checked_name(name), data=data)


def check_set(uploads: list[Upload]) -> None:
    """One submission per upload: one file, or the `_viec`/`_tien` halves of one CSV pair."""
    if not uploads:
        raise UploadError("Chưa chọn tệp báo cáo.")
    if len(uploads) > MAX_FILES:
        raise UploadError("Mỗi lần gửi một báo cáo: một tệp, hoặc hai tệp CSV _viec và _tien.")
    if len(uploads) == 2:
        a, b = (u.filename for u in uploads)
        pair = {a.csv_measure, b.csv_measure} == {"cases", "money"}
        if not (pair and a.submission_key == b.submission_key):
            raise UploadError(
                "Hai tệp chỉ được gửi cùng nhau khi là một cặp CSV của cùng một báo cáo "
                "(..._viec.csv và ..._tien.csv)."
            )


#: Where an upload is written before it is renamed into the landing zone: a hidden folder
#: inside it (same filesystem, so the rename is atomic), which ingest does not list.
INCOMING = ".incoming"


def write_into(folder: Path, uploads: list[Upload]) -> list[Path]:
    """Write each upload into `folder` under its checked name, atomically: written and
    fsynced in `folder/.incoming/`, then renamed into place, so a watcher, a trigger or a load
    never sees half a file (nor a temporary name that looks like a report)."""
    import os

    from thads.durable import atomic_write_bytes, fsync_dir

    folder = folder.resolve()
    incoming = folder / INCOMING
    out = []
    for upload in uploads:
        target = folder / upload.name
        # The name was checked; this is the belt to those braces.
        if target.parent != folder:
            raise UploadError(f"Tên tệp “{upload.name}” không hợp lệ.")
        staged = atomic_write_bytes(incoming / upload.name, upload.data)
        os.replace(staged, target)
        out.append(target)
    fsync_dir(folder)
    return out
