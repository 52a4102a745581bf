"""New, duplicate or already seen: what to do with each candidate of a landing zone.

- already seen: the same submission id (same name, same content) is in the registry:
  nothing to do, not even a new row (loading a landing zone twice changes nothing).
- duplicate: the content (sha256; for a CSV pair the pair's hash) belongs to a submission
  of the same period (province, year, months) seen before, or earlier in the same batch,
  under another name (e.g. the same bytes re-sent as `_r2`): recorded as `duplicate`,
  not parsed again. The same bytes under another province or period are not a resend
  (a CSV names neither inside): parsed and judged on their own.
- new: everything else, to parse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.files import Candidate
from ingest.registry import Registry


@dataclass
class Duplicate:
    """A candidate whose content was seen before, and whose submission it repeats."""

    candidate: Candidate
    duplicate_of: str  # submission id of the first submission with this content
    original_file: str

    @property
    def reason(self) -> str:
        files = ", ".join(f.name for f in self.candidate.files)
        return (
            f"{files}: [warning] ingest.duplicate: same content (sha256 "
            f"{self.candidate.content_sha[:12]}…) as {self.original_file} "
            f"({self.duplicate_of}); not loaded again"
        )


@dataclass
class Classified:
    new: list[Candidate] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    already_seen: list[Candidate] = field(default_factory=list)


def classify(candidates: Sequence[Candidate], registry: Registry) -> Classified:
    out = Classified()
    known = registry.known_submission_ids(c.submission_id for c in candidates)
    owners = registry.content_owners(c.content_sha for c in candidates if c.problem is None)
    in_batch: dict[tuple, Candidate] = {}
    for c in candidates:
        if c.submission_id in known:
            out.already_seen.append(c)
            continue
        if c.problem is not None:
            # A refused candidate (bad name, lone half) has no content to deduplicate by:
            # it is quarantined with its reason, once.
            out.new.append(c)
            continue
        key = c.dedupe_key
        if key in owners:
            file, sid = owners[key]
            out.duplicates.append(Duplicate(c, sid, file))
        elif key in in_batch:
            first = in_batch[key]
            out.duplicates.append(Duplicate(c, first.submission_id, first.files[0].name))
        else:
            in_batch[key] = c
            out.new.append(c)
    return out
