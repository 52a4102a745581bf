"""Atomic link operations of publish: a reader sees the old file or the new one, never half.

Everything is written under a temporary name in the destination's own directory (so the
final `os.replace` is a rename within one filesystem, which POSIX makes atomic) and only
then renamed onto the published name. A process that already opened the old file keeps
its inode and goes on reading it. Writes, fsyncs and locks are `thads.durable`'s.
"""

from __future__ import annotations

import os
from pathlib import Path

from thads.durable import fsync_dir, temp_sibling


def replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically (make a new symlink, rename it over the old)."""
    tmp = temp_sibling(link)
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    finally:
        if tmp.is_symlink():
            tmp.unlink()
    fsync_dir(link.parent)


def replace_with_hardlink(source: Path, dest: Path) -> None:
    """Publish `source` under the name `dest` without copying its bytes."""
    tmp = temp_sibling(dest)
    os.link(source, tmp)
    try:
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
