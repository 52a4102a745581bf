"""Mistakes real offices make, planted in a rendered submission before it is written.

Each defect edits the rendered grid (xlsx/CSV `Sheet`s) or the JSON payload and returns a
description for the manifest: kind, sheet, row (1-based, as a reader sees it: Excel row,
CSV line, JSON array index), column (label as written, or the JSON key) and a sentence.
Every defect here makes the submission fail the contract, so the expected outcome is
"quarantined".
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from thads import reference
from thads.contract import MEASURES, NUMERIC_KEYS, SHEET_NAMES
from thads.generate.model import identity_errors
from thads.generate.styles import CsvStyle, Sheet, vn_number

#: kind -> formats it applies to, and how often it is picked (weight).
KINDS: dict[str, tuple[tuple[str, ...], int]] = {
    "total_mismatch": (("xlsx", "csv", "json"), 4),
    "swapped_columns": (("xlsx", "csv", "json"), 3),
    "missing_sheet": (("xlsx", "json"), 2),
    "bad_number": (("xlsx", "csv", "json"), 4),
    "wrong_province_code": (("xlsx", "json"), 2),
    "unknown_province_code": (("xlsx", "csv", "json"), 1),
    "row_identity": (("xlsx", "csv", "json"), 3),
    "negative_value": (("xlsx", "csv", "json"), 2),
}
SWAP_PAIRS = (
    ("with_conditions", "without_conditions"),
    ("total_received", "must_enforce"),
    ("completed", "without_conditions"),
    ("new_received", "total_received"),
)


@dataclass
class Rendered:
    """A submission ready to write: sheets (xlsx, CSV pair) or a JSON payload."""

    fmt: str
    province_code: str
    boundary: int
    sheets: list[Sheet] = field(default_factory=list)  # in MEASURES order
    payload: dict[str, Any] | None = None
    csv_style: CsvStyle | None = None


# --- Cell helpers --------------------------------------------------------------------------


def cell_value(cell: object) -> int:
    if cell is None:
        return 0
    if isinstance(cell, str):
        return int(cell.replace(".", ""))
    return int(cell)  # type: ignore[call-overload]


def like(cell: object, value: int) -> object:
    """`value` written the way `cell` was (text stays text; a blank becomes a number)."""
    return vn_number(value) if isinstance(cell, str) else value


def _sheet_rows(sheet: Sheet) -> list[dict[str, int]]:
    out = []
    for r in range(sheet.data_start, sheet.total_row + 1):
        cells = sheet.cells[r]
        out.append({k: cell_value(cells[sheet.columns[k]]) for k in NUMERIC_KEYS})
    return out


def _json_rows(payload: dict[str, Any], measure: str) -> list[dict[str, int]]:
    return [{k: int(row[k]) for k in NUMERIC_KEYS} for row in payload[measure]]


class Target:
    """One table (sheet or JSON array) seen uniformly: rows of numbers, edit in place."""

    def __init__(self, r: Rendered, measure: str) -> None:
        self.r, self.measure = r, measure
        self.sheet = r.sheets[MEASURES.index(measure)] if r.sheets else None

    @property
    def name(self) -> str:
        return self.sheet.name if self.sheet else self.measure

    @property
    def n_rows(self) -> int:  # offices + total
        if self.sheet:
            return self.sheet.n_offices + 1
        return len(self.r.payload[self.measure])  # type: ignore[index]

    def get(self, i: int, key: str) -> int:
        if self.sheet:
            return cell_value(self.sheet.cells[self.sheet.data_start + i][self.sheet.columns[key]])
        return int(self.r.payload[self.measure][i][key])  # type: ignore[index]

    def set(self, i: int, key: str, value: object, raw: bool = False) -> None:
        if self.sheet:
            row = self.sheet.cells[self.sheet.data_start + i]
            col = self.sheet.columns[key]
            row[col] = value if raw else like(row[col], int(value))  # type: ignore[call-overload]
        else:
            self.r.payload[self.measure][i][key] = value  # type: ignore[index]

    def row_number(self, i: int) -> int:
        """1-based row as a reader of this format counts it."""
        return self.sheet.data_start + i + 1 if self.sheet else i + 1

    def column(self, key: str) -> str:
        return self.sheet.labels[key] if self.sheet else key

    def rows(self) -> list[dict[str, int]]:
        return _sheet_rows(self.sheet) if self.sheet else _json_rows(self.r.payload, self.measure)  # type: ignore[arg-type]


def _where(t: Target, i: int | None, key: str | None) -> dict[str, Any]:
    return {
        "sheet": t.name,
        "row": t.row_number(i) if i is not None else None,
        "column": t.column(key) if key else None,
    }


# --- The defects ---------------------------------------------------------------------------


def total_mismatch(r: Rendered, rng: random.Random) -> dict[str, Any]:
    t = Target(r, rng.choice(MEASURES))
    key = rng.choice(("must_enforce", "with_conditions", "completed", "total_received"))
    last = t.n_rows - 1
    old = t.get(last, key)
    digits = list(str(old))
    new = old
    if len(digits) >= 2:  # a typist swaps two neighbouring digits
        j = rng.randrange(len(digits) - 1)
        digits[j], digits[j + 1] = digits[j + 1], digits[j]
        new = int("".join(digits))
    if new == old:
        new = old + rng.randint(1, 9) * 10 ** max(len(digits) - 2, 0)
    t.set(last, key, new)
    return {
        **_where(t, last, key),
        "detail": f"total row {key} is {new}, the offices add up to {old}",
    }


def swapped_columns(r: Rendered, rng: random.Random) -> dict[str, Any]:
    t = Target(r, rng.choice(MEASURES))
    pairs = list(SWAP_PAIRS)
    rng.shuffle(pairs)
    for a, b in pairs:
        before = [(t.get(i, a), t.get(i, b)) for i in range(t.n_rows)]
        for i, (va, vb) in enumerate(before):
            t.set(i, a, vb)
            t.set(i, b, va)
        if any(identity_errors(row) for row in t.rows()):
            where = _where(t, None, a)
            where["column"] = f"{t.column(a)} <-> {t.column(b)}"
            return {**where, "detail": f"values of {a} and {b} swapped in every row"}
        for i, (va, vb) in enumerate(before):  # undetectable here: put back, try another
            t.set(i, a, va)
            t.set(i, b, vb)
    raise RuntimeError("no swap breaks an identity")  # never for real figures


def missing_sheet(r: Rendered, rng: random.Random) -> dict[str, Any]:
    measure = rng.choice(MEASURES)
    if r.fmt == "json":
        del r.payload[measure]  # type: ignore[union-attr]
        return {"sheet": measure, "row": None, "column": None, "detail": f"no {measure!r} array"}
    r.sheets = [s for s in r.sheets if s.name != SHEET_NAMES[measure]]
    sheet = SHEET_NAMES[measure]
    return {"sheet": sheet, "row": None, "column": None, "detail": f"sheet {sheet!r} missing"}


def bad_number(r: Rendered, rng: random.Random) -> dict[str, Any]:
    t = Target(r, rng.choice(MEASURES))
    i = rng.randrange(t.n_rows - 1)
    key = rng.choice(("new_received", "must_enforce", "with_conditions", "completed"))
    old = t.get(i, key)
    text = vn_number(max(old, 10))
    pos = [j for j, ch in enumerate(text) if ch in "01"]
    if pos and rng.random() < 0.7:  # the letters O and l typed for the digits 0 and 1
        j = rng.choice(pos)
        text = text[:j] + ("O" if text[j] == "0" else "l") + text[j + 1 :]
    else:
        text = rng.choice((text + "x", "#REF!", text[:-1] + "," + "5a"))
    t.set(i, key, text, raw=True)
    return {**_where(t, i, key), "detail": f"{text!r} is not a number"}


def _other_code(r: Rendered, rng: random.Random, valid: bool) -> str:
    if valid:
        codes = sorted(reference.valid_codes(r.boundary) - {r.province_code})
        return rng.choice(codes)
    if r.boundary == reference.CURRENT:  # an old code, gone after the merger
        return rng.choice(
            sorted(reference.valid_codes(reference.LEGACY) - reference.valid_codes(r.boundary))
        )
    return rng.choice(("00", "03", "99", "65"))


def set_header_code(r: Rendered, code: str) -> None:
    if r.payload is not None:
        r.payload["province_code"] = code
        return
    for sheet in r.sheets:
        for row in sheet.cells[: sheet.data_start]:
            if isinstance(row[0], str) and row[0].startswith("Mã tỉnh:"):
                row[0] = f"Mã tỉnh: {code}"


def wrong_province_code(r: Rendered, rng: random.Random) -> dict[str, Any]:
    code = _other_code(r, rng, valid=rng.random() < 0.7)
    set_header_code(r, code)
    where = "province_code" if r.fmt == "json" else "Mã tỉnh"
    sheet = None if r.fmt == "json" else r.sheets[0].name
    return {
        "sheet": sheet,
        "row": None,
        "column": where,
        "detail": f"content says province {code}, the file name {r.province_code}",
        "code": code,
    }


def unknown_province_code(r: Rendered, rng: random.Random) -> dict[str, Any]:
    """The whole submission under a code outside the boundary set (name and content)."""
    code = _other_code(r, rng, valid=False)
    if r.fmt != "csv":
        set_header_code(r, code)
    return {
        "sheet": None,
        "row": None,
        "column": None,
        "detail": f"code {code} is not a province of the {r.boundary}-province set",
        "code": code,
    }


def row_identity(r: Rendered, rng: random.Random) -> dict[str, Any]:
    t = Target(r, rng.choice(MEASURES))
    i = rng.randrange(t.n_rows - 1)
    key = rng.choice(("must_enforce", "with_conditions", "total_received"))
    delta = max(1, t.get(i, key) // 50) * rng.choice((1, -1))
    if t.get(i, key) + delta < 0:
        delta = -delta
    last = t.n_rows - 1
    t.set(i, key, t.get(i, key) + delta)
    t.set(last, key, t.get(last, key) + delta)  # the total still adds up the column
    return {**_where(t, i, key), "detail": f"{key} off by {delta}: the row does not add up"}


def negative_value(r: Rendered, rng: random.Random) -> dict[str, Any]:
    t = Target(r, rng.choice(MEASURES))
    i = rng.randrange(t.n_rows - 1)
    last = t.n_rows - 1
    old = t.get(i, "postponed")
    k = max(1, old, 3)
    # Keep with_conditions = sum of its parts: what postponed loses, in_progress gains.
    t.set(i, "postponed", -k)
    t.set(i, "in_progress", t.get(i, "in_progress") + old + k)
    t.set(last, "postponed", t.get(last, "postponed") - old - k)
    t.set(last, "in_progress", t.get(last, "in_progress") + old + k)
    return {**_where(t, i, "postponed"), "detail": f"postponed is negative ({-k})"}


APPLY = {
    "total_mismatch": total_mismatch,
    "swapped_columns": swapped_columns,
    "missing_sheet": missing_sheet,
    "bad_number": bad_number,
    "wrong_province_code": wrong_province_code,
    "unknown_province_code": unknown_province_code,
    "row_identity": row_identity,
    "negative_value": negative_value,
}


def pick_kind(fmt: str, rng: random.Random) -> str:
    kinds = [k for k, (fmts, _) in KINDS.items() if fmt in fmts]
    return rng.choices(kinds, weights=[KINDS[k][1] for k in kinds])[0]


def plant(r: Rendered, kind: str, rng: random.Random) -> dict[str, Any]:
    """Apply one defect of `kind` to `r` in place; returns its manifest description."""
    return {"kind": kind, **APPLY[kind](r, rng), "expected_outcome": "quarantined"}
