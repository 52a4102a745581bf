"""Finding the column header of a sheet by its labels, and reading the header block above it.

A province's sheet is a grid of cells: a free-text header block of any length, one header
row of column labels (or two, when "Trong đó" is merged over the detail columns and the
detail labels sit one row lower), then the office rows. Nothing here relies on fixed
positions: the header row is the row whose cells fold (`contract.fold_label`) to the most
known labels, and a neighbouring row with more labels and no numbers joins it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from thads.contract import (
    COLUMN_KEYS,
    FOLDED_LABELS,
    FOLDED_TOTAL_LABELS,
    fold_label,
    is_total_label,
)

#: A header row must name at least this many known columns (a data row names none or one:
#: an office may be called "Khác").
MIN_LABELS = 3
#: Longer cells are never labels (the longest contract label has 23 characters).
MAX_LABEL_LENGTH = 80
#: How far down the header row may be: header blocks are "a few lines".
MAX_HEADER_SCAN = 60

# Noise around a label that still means the label: "(1)", "1=2+3", "Trong đó:", "1. ".
_EDGE_NOISE = re.compile(r"^(?:trong do\s+|\d+\s+)+|(?:\s+\d+)+$")


_TOTAL_FIRST_LETTERS = frozenset(label[:1] for label in FOLDED_TOTAL_LABELS)
_HAS_LETTER = re.compile(r"[^\W\d_]")


def match_label(cell: object) -> str | None:
    """The column key a header cell names, or None."""
    # Most cells of a sheet are numbers or numbers as text: reject them before folding;
    # a label is short (a long text is a title or a whole CSV line read with the wrong
    # delimiter), and folding long unique texts is what costs.
    if not isinstance(cell, str) or len(cell) > MAX_LABEL_LENGTH or not _HAS_LETTER.search(cell):
        return None
    return _match_text(cell)


@lru_cache(maxsize=16384)
def _match_text(cell: str) -> str | None:
    # Cached: the same few hundred labels and office names recur in every file.
    folded = fold_label(cell)
    key = FOLDED_LABELS.get(folded)
    if key is None:
        key = FOLDED_LABELS.get(_EDGE_NOISE.sub("", folded).strip())
    return key


@lru_cache(maxsize=16384)
def _fold_cached(text: str) -> str:
    # Header-block lines repeat across a province's files (office, period, unit lines).
    return fold_label(text)


@lru_cache(maxsize=16384)
def is_total(office: str) -> bool:
    """`contract.is_total_label`, cached (called once per data row)."""
    # Cheap reject first: most office names do not start like any total label does.
    first = office[:1]
    if first.isascii() and first.lower() not in _TOTAL_FIRST_LETTERS:
        return False
    return is_total_label(office)


def cell_text(cell: object) -> str:
    """A cell as text the way a reader sees it (integral floats without ".0")."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _is_number_cell(cell: object) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


@dataclass
class HeaderLayout:
    """Where the header is and which column holds which key (0-based indexes)."""

    first_row: int
    last_row: int
    columns: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # key -> label as written
    #: (key, column index, label) of columns naming a key already taken.
    duplicates: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [k for k in COLUMN_KEYS if k not in self.columns]


def _row_matches(row: list[object]) -> dict[int, str]:
    found: dict[int, str] = {}
    for i, cell in enumerate(row):
        if not cell:  # most cells of a header block are empty
            continue
        key = match_label(cell)
        if key is not None:
            found[i] = key
    return found


def find_header(grid: list[list[object]]) -> HeaderLayout | None:
    """Locate the header row(s) of a grid; None when no row names enough known columns.

    The header is the first row naming at least MIN_LABELS columns, or the row below it
    when that one names more (a group row such as "Trong đó" above the detail labels).
    Scanning stops there: the office rows below are never folded.
    """
    scan = grid[:MAX_HEADER_SCAN]
    first = None
    matches: dict[int, dict[int, str]] = {}
    for i, row in enumerate(scan):
        matches[i] = _row_matches(row)
        if len(matches[i]) >= MIN_LABELS:
            first = i
            break
    if first is None:
        return None
    below = first + 1
    if below < len(scan):
        matches[below] = _row_matches(scan[below])
    best = first
    if below in matches and len(matches[below]) > len(matches[first]):
        best = below
    rows = [best]
    # A two-row header: the neighbour holds the labels the best row lacks (merged cells
    # leave the other row's cell empty). Data rows hold numbers, a header row does not.
    for other in (best - 1, best + 1):
        if not (matches.get(other)):
            continue
        if any(_is_number_cell(c) for c in scan[other]):
            continue
        if set(matches[other].values()) - set(matches[best].values()):
            rows.append(other)
            break
    rows.sort()
    layout = HeaderLayout(first_row=rows[0], last_row=rows[-1])
    width = max(len(grid[r]) for r in rows)
    for col in range(width):
        # The lower row wins in a column labelled twice: it is the more specific label
        # (the detail under a group heading).
        for r in reversed(rows):
            key = matches[r].get(col)
            if key is None:
                continue
            label = str(grid[r][col]).strip()
            if key in layout.columns:
                layout.duplicates.append((key, col, label))
            else:
                layout.columns[key] = col
                layout.labels[key] = label
            break
    return layout


# --- Header block --------------------------------------------------------------------------

_CODE_RE = re.compile(r"\bma tinh\s+(\d{1,3})\b")
_PERIOD_RE = re.compile(r"\b(\d{1,2})\s+thang(?:\s+dau)?\s+nam\s+(\d{4})\b")
_UNIT_RE = re.compile(r"\bdon vi tinh\s+(.+)$")
#: Folded units accepted per measure ("ngàn" is the southern "nghìn").
UNITS_OK: dict[str, frozenset[str]] = {
    "cases": frozenset({"viec", "vu viec"}),
    "money": frozenset({"nghin dong", "ngan dong", "1000 dong", "1 000 dong", "1 000d", "1000d"}),
}


@dataclass
class HeaderBlock:
    """What the lines above the header row say; each fact with its 1-based row number."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    province_code: tuple[int, str] | None = None
    period: tuple[int, int, int, str] | None = None  # row, months, year, text
    unit: tuple[int, str, str] | None = None  # row, folded unit, text

    @property
    def office(self) -> str | None:
        return self.lines[0][1] if self.lines else None


def read_header_block(grid: list[list[object]], stop: int) -> HeaderBlock:
    """Read the free-text lines of rows [0, stop)."""
    block = HeaderBlock()
    for r in range(min(stop, len(grid))):
        text = " ".join(t for t in (cell_text(c) for c in grid[r] if c != "") if t)
        if not text:
            continue
        row_no = r + 1
        block.lines.append((row_no, text))
        folded = _fold_cached(text)
        if block.province_code is None and (m := _CODE_RE.search(folded)):
            block.province_code = (row_no, m.group(1).zfill(2))
        if block.period is None and (m := _PERIOD_RE.search(folded)):
            block.period = (row_no, int(m.group(1)), int(m.group(2)), text)
        if block.unit is None and (m := _UNIT_RE.search(folded)):
            block.unit = (row_no, m.group(1).strip(), text)
    return block
