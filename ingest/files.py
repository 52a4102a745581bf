"""Files in the landing zone: discovery, hashing, CSV pairing, archiving.

Discovery turns a folder (or a list of paths) into `Candidate`s, one per future
submission: a single .xlsx/.json file, a CSV `_viec`/`_tien` pair, or something that is
already known to be wrong (a bad file name, a lone CSV half) carrying the reason.
`targets_<year>.csv` files are set aside for `ingest.targets`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest.model import SourceFile
from thads.contract import CSV_SUFFIXES, FileName, FileNameError, Finding, parse_filename
from thads.durable import atomic_copy, atomic_write_bytes, atomic_write_text, fsync_dir

TARGETS_RE = re.compile(r"^targets_(?P<year>\d{4})\.csv$", re.IGNORECASE)
#: Files a landing zone may hold that are nobody's submission: editor/OS litter, and the
#: answer key `thads generate` writes beside a generated zone (never sent by a province).
_IGNORED_PREFIXES = (".", "~$")
_IGNORED_NAMES = frozenset({"manifest.json"})
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def pair_sha(viec_sha: str, tien_sha: str) -> str:
    """Content hash of a CSV pair: sha256 of the two hex digests concatenated (_viec first)."""
    return hashlib.sha256((viec_sha + tien_sha).encode("ascii")).hexdigest()


#: sha256 by (path, inode, size, mtime_ns): planning and staging in one process (or in
#: workers forked after planning) hash each file once. A changed file has a new key.
_SHA_CACHE: dict[tuple[str, int, int, int], str] = {}


def source_file(path: Path, data: bytes | None = None) -> SourceFile:
    """Hash and stat one file; the name is parsed but a bad name is not an error here.
    `data`: the file's bytes when the caller has read them (hashed instead of the file)."""
    stat = path.stat()
    try:
        filename: FileName | None = parse_filename(path.name)
    except FileNameError:
        filename = None
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if data is not None:
        sha = hashlib.sha256(data).hexdigest()
    else:
        sha = _SHA_CACHE.get(key) or sha256_file(path)
    _SHA_CACHE[key] = sha
    return SourceFile(
        path=path,
        name=path.name,
        sha256=sha,
        size=stat.st_size if data is None else len(data),
        arrival_time=datetime.fromtimestamp(stat.st_mtime, tz=UTC),
        filename=filename,
    )


def read_once(f: SourceFile) -> tuple[SourceFile, bytes]:
    """The file's bytes, and its record checked against them: a file rewritten since it was
    hashed comes back with its new hash, so what is archived and parsed is what was hashed."""
    data = f.path.read_bytes()
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


def list_landing(landing: Path) -> list[Path]:
    """Regular files directly in `landing` (not recursive), sorted by name for stable order."""
    return sorted(
        p
        for p in Path(landing).iterdir()
        if p.is_file() and not p.name.startswith(_IGNORED_PREFIXES) and p.name not in _IGNORED_NAMES
    )


def discover(source: Path | Iterable[Path | str]) -> Discovery:
    """Candidates and targets files from a landing folder or an explicit list of files."""
    if isinstance(source, str | Path):
        source = Path(source)
        paths: Iterable[Path | str] = list_landing(source) if source.is_dir() else [source]
    else:
        paths = source
    return group_files(source_file(Path(p)) for p in paths)


def group_files(files: Iterable[SourceFile]) -> Discovery:
    """Pair CSV halves, set aside targets files, turn bad names into refused candidates."""
    found = Discovery()
    csv_halves: dict[str, dict[str, SourceFile]] = {}
    for f in files:
        if TARGETS_RE.match(f.name):
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


def _bad_name_finding(name: str) -> Finding:
    try:
        parse_filename(name)
        message = "unexpected file name"
    except FileNameError as exc:
        message = str(exc)
    return Finding(file=name, rule="parse.bad_filename", severity="error", message=message)


def _lone_half(f: SourceFile) -> Candidate:
    assert f.filename is not None
    have = f.filename.csv_measure or "cases"
    missing = "money" if have == "cases" else "cases"
    missing_name = f.name[: -len(f"_{CSV_SUFFIXES[have]}.csv")] + f"_{CSV_SUFFIXES[missing]}.csv"
    finding = Finding(
        file=f.name,
        rule="parse.missing_pair",
        severity="error",
        message=f"CSV submissions come in pairs: missing _{CSV_SUFFIXES[missing]}.csv "
        f"({missing_name})",
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
    if os.path.exists(os.path.join(archive_dir, target.name)):  # cheaper than Path.exists
        return target
    return atomic_copy(f.path, target, sync_dir=False)


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
    target = quarantine_dir / f.name
    if target.exists() and _kept_sha(target) != f.sha256:
        target = quarantine_dir / f"{Path(f.name).stem}__{f.sha256[:12]}{Path(f.name).suffix}"
    archived = archive_dir / archive_name(f)
    atomic_copy(archived if archived.exists() else f.path, target)
    note = {"file": f.name, "sha256": f.sha256, **note}
    atomic_write_text(
        Path(f"{target}.reasons.json"), json.dumps(note, ensure_ascii=False, indent=1, default=str)
    )
    return target


def _kept_sha(path: Path) -> str | None:
    try:
        return json.loads(Path(f"{path}.reasons.json").read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError):
        return None
