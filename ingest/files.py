"""Files in the landing zone: discovery, hashing, CSV pairing, archiving.

Discovery turns a folder (or a list of paths) into `Candidate`s, one per future
submission: a single .xlsx/.json file, a CSV `_viec`/`_tien` pair, or something that is
already known to be wrong (a bad file name, a lone CSV half) carrying the reason.
`targets_<year>.csv` files are set aside for `ingest.targets`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest.model import SourceFile
from thads.arrivals import IGNORED_PREFIXES
from thads.contract import CSV_SUFFIXES, FileName, FileNameError, Finding, parse_filename
from thads.durable import atomic_write, atomic_write_bytes, atomic_write_text, fsync_dir
from thads.safe_text import safe_text

TARGETS_RE = re.compile(r"^targets_(?P<year>\d{4})\.csv\Z", re.IGNORECASE | re.ASCII)
#: Files a landing zone may hold that are nobody's submission: editor/OS litter, and the
#: answer key `thads generate` writes beside a generated zone (never sent by a province).
_IGNORED_PREFIXES = IGNORED_PREFIXES
_IGNORED_NAMES = frozenset({"manifest.json"})
_SUBMISSION_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".ods", ".csv", ".json")
_CHUNK = 1 << 20
#: Longest file name most file systems take (bytes), for the names quarantine makes.
_MAX_NAME_BYTES = 255


def open_regular(path: Path) -> int:
    """A read-only descriptor of `path` if it is a regular file, never following a link
    (O_NOFOLLOW) and never blocking on a pipe or device (O_NONBLOCK); raises
    NotRegularFile otherwise. Every read of a landing file goes through here."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegularFile(path, "not a regular file")
    return fd


class NotRegularFile(OSError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


class FileTooLarge(NotRegularFile):
    pass


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with os.fdopen(open_regular(path), "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file (never through a link); at most `limit` + 1 bytes."""
    with os.fdopen(open_regular(path), "rb") as handle:
        return handle.read() if limit is None else handle.read(limit + 1)


def pair_sha(viec_sha: str, tien_sha: str) -> str:
    """Content hash of a CSV pair: sha256 of the two hex digests concatenated (_viec first)."""
    return hashlib.sha256((viec_sha + tien_sha).encode("ascii")).hexdigest()


#: sha256 by (path, inode, size, mtime_ns): planning and staging in one process (or in
#: workers forked after planning) hash each file once. A changed file has a new key.
_SHA_CACHE: dict[tuple[str, int, int, int], str] = {}


def entry_problem(path: Path) -> str | None:
    """Why a landing-zone entry is not read (None: a regular file). Links are never
    followed: a link to a file elsewhere would copy outside content into the warehouse."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return f"cannot be examined ({exc.strerror or exc})"
    if stat.S_ISLNK(mode):
        return "a symbolic link (links are not followed out of the landing zone)"
    if stat.S_ISDIR(mode):
        return "a folder (only files directly in the landing zone are read)"
    if not stat.S_ISREG(mode):
        return "not a regular file (a device, pipe or socket)"
    return None


def unread_sha(name: str, reason: str) -> str:
    """Stands in for the content hash of an entry that was not read (a link, a device, an
    unreadable file): stable, so a rerun does not record it again, and never the hash of
    any content."""
    return hashlib.sha256(f"unread\0{name}\0{reason}".encode("utf-8", "replace")).hexdigest()


def source_file(path: Path, data: bytes | None = None) -> SourceFile:
    """Hash and stat one file; the name is parsed but a bad name is not an error here.
    `data`: the file's bytes when the caller has read them (hashed instead of the file).
    An entry that cannot or must not be read comes back with `unread` set (its reason)."""
    name = safe_text(path.name)  # what the registry, messages and quarantine show
    try:
        filename: FileName | None = parse_filename(name)
    except FileNameError:
        filename = None
    problem = entry_problem(path) if data is None else None
    try:
        info = path.lstat()
        mtime = datetime.fromtimestamp(info.st_mtime, tz=UTC)
    except OSError:
        info, mtime = None, None
    if problem is None and info is not None:
        key = (str(path), info.st_ino, info.st_size, info.st_mtime_ns)
        try:
            if data is not None:
                sha = hashlib.sha256(data).hexdigest()
            else:
                sha = _SHA_CACHE.get(key) or sha256_file(path)
            _SHA_CACHE[key] = sha
        except OSError as exc:  # no permission, vanished, replaced by a link meanwhile
            problem = f"cannot be read ({getattr(exc, 'reason', None) or exc.strerror or exc})"
    if problem is not None or info is None:
        problem = problem or "vanished before it could be read"
        return SourceFile(
            path=path,
            name=name,
            sha256=unread_sha(name, problem),
            size=info.st_size if info is not None else 0,
            arrival_time=datetime.now(UTC),
            filename=filename,
            mtime=mtime,
            unread=problem,
        )
    return SourceFile(
        path=path,
        name=name,
        sha256=sha,
        size=info.st_size if data is None else len(data),
        # Found now; `ingest.arrival.stamp_arrivals` replaces it with the registry's answer.
        arrival_time=datetime.now(UTC),
        filename=filename,
        mtime=mtime,
    )


def read_once(f: SourceFile, limit: int | None = None) -> tuple[SourceFile, bytes]:
    """The file's bytes, and its record checked against them: a file rewritten since it was
    hashed comes back with its new hash, so what is archived and parsed is what was hashed.
    Raises FileTooLarge past `limit` bytes (it grew since it was listed)."""
    data = read_regular(f.path, limit)
    if limit is not None and len(data) > limit:
        raise FileTooLarge(f.path, "larger than the file size limit")
    if len(data) == f.size and hashlib.sha256(data).hexdigest() == f.sha256:
        return f, data
    return source_file(f.path, data), data


@dataclass
class Candidate:
    """What one submission will be made of, before parsing.

    `problem` is set when the files cannot make a submission at all (bad name, lone CSV
    half): such a candidate is not parsed and becomes a quarantined submission.
    """

    files: list[SourceFile]
    filename: FileName | None
    problem: Finding | None = None

    @property
    def content_sha(self) -> str:
        """The file's sha256, or for a complete CSV pair `pair_sha(viec, tien)`."""
        if len(self.files) == 2:
            return pair_sha(self.files[0].sha256, self.files[1].sha256)
        return self.files[0].sha256

    @property
    def period(self) -> tuple[str | None, int | None, int | None]:
        """(province_code, statistical_year, months) the name claims; Nones for a bad name."""
        name = self.filename
        return (name.province_code, name.statistical_year, name.months) if name else (None,) * 3

    @property
    def dedupe_key(self) -> tuple[str, tuple[str | None, int | None, int | None]]:
        """Same content for the same period = the same report sent again. The same bytes
        under another province or period (possible for CSV, which names neither inside) are
        NOT a resend: they are parsed and judged on their own."""
        return (self.content_sha, self.period)

    @property
    def submission_key(self) -> str:
        # A bad name has no contract key: the file name itself names the submission.
        return self.filename.submission_key if self.filename else self.files[0].name

    @property
    def submission_id(self) -> str:
        return f"{self.submission_key}@{self.content_sha[:12]}"

    @property
    def arrival_time(self) -> datetime:
        # A pair has arrived when its last half has.
        return max(f.arrival_time for f in self.files)

    @property
    def fmt(self) -> str:
        if self.filename:
            return self.filename.fmt
        return self.files[0].path.suffix.lstrip(".").lower() or "unknown"

    @property
    def group(self) -> str:
        """Province code for per-province parallel work; "_unnamed" for bad names."""
        return self.filename.province_code if self.filename else "_unnamed"


@dataclass
class Discovery:
    candidates: list[Candidate] = field(default_factory=list)
    targets: list[SourceFile] = field(default_factory=list)


def looks_like_submission(name: str) -> bool:
    """A name a province or the data team may have meant as a submission or targets file:
    such an entry is never skipped without a record, even hidden or as an Excel lock file."""
    folded = name.lower()
    return "thads" in folded or "targets" in folded or folded.endswith(_SUBMISSION_SUFFIXES)


def list_landing(landing: Path) -> list[Path]:
    """The entries directly in `landing` to consider (not recursive), sorted by name: every
    entry but the answer key and hidden or lock files that do not look like a submission.
    Links, folders and devices are listed too: discovery refuses them with a reason."""
    out = []
    for p in Path(landing).iterdir():
        if p.name in _IGNORED_NAMES:
            continue
        if p.name.startswith(_IGNORED_PREFIXES) and not looks_like_submission(p.name):
            continue
        if entry_problem(p) is not None and not looks_like_submission(p.name):
            continue  # a sub-folder of the data team's own, say: not a submission
        out.append(p)
    return sorted(out)


#: Turns freshly found files into files with their arrival time (`ingest.arrival`).
Stamper = Callable[[list[SourceFile]], list[SourceFile]]


def discover(source: Path | Iterable[Path | str], stamp: Stamper | None = None) -> Discovery:
    """Candidates and targets files from a landing folder or an explicit list of files.
    `stamp` gives each file its arrival time (a load); without it the files arrive now."""
    if isinstance(source, str | Path):
        source = Path(source)
        if not os.path.lexists(source):  # an unmounted share: the load fails, loudly
            raise FileNotFoundError(errno.ENOENT, "no such landing zone or file", str(source))
        paths: Iterable[Path | str] = list_landing(source) if source.is_dir() else [source]
    else:
        paths = source
    files = [source_file(Path(p)) for p in paths]
    return group_files(stamp(files) if stamp is not None else files)


def group_files(files: Iterable[SourceFile]) -> Discovery:
    """Pair CSV halves, set aside targets files, turn bad names into refused candidates."""
    found = Discovery()
    csv_halves: dict[str, dict[str, SourceFile]] = {}
    for f in files:
        if f.unread is not None:
            found.candidates.append(Candidate([f], f.filename, _unread_finding(f)))
        elif f.name.startswith(_IGNORED_PREFIXES):  # a hidden copy or lock file of a report
            found.candidates.append(Candidate([f], None, _bad_name_finding(f.name)))
        elif TARGETS_RE.match(f.name):
            found.targets.append(f)
        elif f.filename is None:
            found.candidates.append(Candidate([f], None, _bad_name_finding(f.name)))
        elif f.filename.fmt == "csv":
            measure = f.filename.csv_measure or "cases"
            halves = csv_halves.setdefault(f.filename.submission_key, {})
            if measure in halves:
                # Same key and measure twice (names differing only in case): the second
                # cannot be paired unambiguously, it stands alone.
                found.candidates.append(_lone_half(f))
            else:
                halves[measure] = f
        else:
            found.candidates.append(Candidate([f], f.filename))
    for halves in csv_halves.values():
        if len(halves) == 2:
            viec, tien = halves["cases"], halves["money"]
            found.candidates.append(Candidate([viec, tien], viec.filename))
        else:
            (half,) = halves.values()
            found.candidates.append(_lone_half(half))
    found.candidates.sort(key=lambda c: c.files[0].name)
    return found


def _unread_finding(f: SourceFile) -> Finding:
    rule = "parse.unreadable" if (f.unread or "").startswith("cannot") else "parse.not_regular_file"
    return Finding.of(rule, f.name, f"not read: {f.unread}")


def _bad_name_finding(name: str) -> Finding:
    try:
        parse_filename(name)
        message = "unexpected file name"
    except FileNameError as exc:
        message = str(exc)
    return Finding.of("parse.bad_filename", name, message)


def _lone_half(f: SourceFile) -> Candidate:
    assert f.filename is not None
    have = f.filename.csv_measure or "cases"
    missing = "money" if have == "cases" else "cases"
    missing_name = f.name[: -len(f"_{CSV_SUFFIXES[have]}.csv")] + f"_{CSV_SUFFIXES[missing]}.csv"
    finding = Finding.of(
        "parse.missing_pair",
        f.name,
        f"CSV submissions come in pairs: missing _{CSV_SUFFIXES[missing]}.csv ({missing_name})",
        expected=missing_name,
        observed="no such file in the batch",
    )
    return Candidate([f], f.filename, finding)


# --- Archive -------------------------------------------------------------------------------


def archive_name(f: SourceFile) -> str:
    ext = f.path.suffix.lower() or ".bin"
    return f"{f.sha256}{ext}"


def archive_bytes(f: SourceFile, data: bytes, archive_dir: Path) -> Path:
    """`archive_file` from bytes already read (staging reads each file once)."""
    target = archive_dir / archive_name(f)
    if f.unread is not None:
        return target  # nothing was read, nothing to keep
    if os.path.exists(target):
        return target
    # fsynced file by file; the directory once per staged group (`sync_archive`)
    return atomic_write_bytes(target, data, sync_dir=False)


def archive_file(f: SourceFile, archive_dir: Path) -> Path:
    """Copy a file to `archive/<sha256>.<ext>` unless it is already there (never overwritten).

    The copy goes to a temporary name first so that a crash never leaves a truncated file
    under a final name (a later run would then believe it archived).
    """
    target = archive_dir / archive_name(f)
    if f.unread is not None:
        return target  # a link, device or unreadable file: nothing was read, nothing kept
    if os.path.exists(os.path.join(archive_dir, target.name)):  # cheaper than Path.exists
        return target
    return atomic_write(target, lambda tmp: _copy_regular(f.path, tmp), sync_dir=False)


def _copy_regular(source: Path, dest: Path) -> None:
    """Streamed (any size), never through a link."""
    with os.fdopen(open_regular(source), "rb") as handle, open(dest, "wb") as out:
        shutil.copyfileobj(handle, out, _CHUNK)


def sync_archive(archive_dir: Path) -> None:
    """Make the names of the files just archived durable (one directory fsync)."""
    if archive_dir.is_dir():
        fsync_dir(archive_dir)


def quarantine_file(
    f: SourceFile, quarantine_dir: Path, archive_dir: Path, note: dict[str, object]
) -> Path:
    """Keep a refused file as `quarantine/<file name>` with `<file name>.reasons.json`.

    A different file already kept under that name is never overwritten: the new one gets
    `__<sha12>` before its suffix. The copy comes from the archive when it is there (the
    landing file may have changed since it was hashed).
    """
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    name = f.name
    if len(f"{name}.reasons.json".encode()) > _MAX_NAME_BYTES:
        # A name near the file-system limit: kept under its hash (the note names the file).
        name = f"{f.sha256[:32]}{Path(f.name).suffix[:16]}"
    target = quarantine_dir / name
    if target.exists() and _kept_sha(target) != f.sha256:
        target = quarantine_dir / f"{f.sha256[:12]}__{name}"[: _MAX_NAME_BYTES - 16]
    archived = archive_dir / archive_name(f)
    if f.unread is None:
        source = archived if archived.exists() else f.path
        atomic_write(target, lambda tmp: _copy_regular(source, tmp))
    note = {"file": f.name, "sha256": f.sha256, "not_read": f.unread, **note}
    atomic_write_text(
        Path(f"{target}.reasons.json"), json.dumps(note, ensure_ascii=False, indent=1, default=str)
    )
    return target


def _kept_sha(path: Path) -> str | None:
    try:
        return json.loads(Path(f"{path}.reasons.json").read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError):
        return None
