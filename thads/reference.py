"""Province reference data: the 63 legacy and 34 current provinces, built from `vietnamadminunits`.

Nothing here is typed by hand: codes, names, coordinates, district lists and the 2025
legacy -> current mapping all come from the package's own dataset. The dbt seeds
(`dbt_project/seeds/ref_provinces.csv`, `ref_province_mapping.csv`) are written from this
module (`python -m thads.reference`) and a test checks they have not drifted.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from thads.config import DBT_PROJECT_DIR

LEGACY = 63
CURRENT = 34
#: When each boundary set was in force: the 63 since Hà Tây joined Hà Nội (1/8/2008) until
#: the 2025 merger took effect (1/7/2025); the 34 from then on.
LEGACY_VALID_FROM = date(2008, 8, 1)
CURRENT_VALID_FROM = date(2025, 7, 1)
LEGACY_VALID_TO = CURRENT_VALID_FROM - timedelta(days=1)


@dataclass(frozen=True)
class Province:
    code: str  # two-digit official code
    name: str  # full name, "Tỉnh Long An"
    short_name: str  # "Long An"
    boundary: int  # 63 (legacy, until 30/6/2025) or 34 (current, from 1/7/2025)
    key: str  # the package's key, "tinhlongan"
    lat: float
    lon: float


def _query(sql: str) -> list[dict]:
    from vietnamadminunits.database import query

    return query(sql)


@cache
def provinces(boundary: int) -> tuple[Province, ...]:
    """The provinces of one boundary set, ordered by code."""
    table = {LEGACY: "admin_units_legacy", CURRENT: "admin_units"}[boundary]
    rows = _query(
        f"SELECT DISTINCT provinceCode, province, provinceShort, provinceKey, provinceLat, "
        f"provinceLon FROM [{table}] ORDER BY provinceCode"
    )
    return tuple(
        Province(
            r["provinceCode"],
            r["province"],
            r["provinceShort"],
            boundary,
            r["provinceKey"],
            float(r["provinceLat"]),
            float(r["provinceLon"]),
        )
        for r in rows
    )


@cache
def province_by_code(boundary: int) -> dict[str, Province]:
    return {p.code: p for p in provinces(boundary)}


@cache
def legacy_to_current() -> dict[str, str]:
    """Legacy province code -> the current province code it became part of in 2025."""
    from vietnamadminunits.converter.converter_2025 import DICT_PROVINCE

    current_by_key = {p.key: p.code for p in provinces(CURRENT)}
    legacy_by_key = {p.key: p.code for p in provinces(LEGACY)}
    mapping: dict[str, str] = {}
    for new_key, old_keys in DICT_PROVINCE.items():
        for old_key in old_keys:
            mapping[legacy_by_key[old_key]] = current_by_key[new_key]
    return dict(sorted(mapping.items()))


@cache
def legacy_districts(code: str) -> tuple[str, ...]:
    """District-level units (huyện, quận, thị xã, thành phố) of a legacy province, by name."""
    rows = _query(
        "SELECT DISTINCT district, districtCode FROM [admin_units_legacy] "
        f"WHERE provinceCode = '{code}' AND district IS NOT NULL ORDER BY districtCode"
    )
    return tuple(r["district"] for r in rows)


def valid_codes(boundary: int) -> frozenset[str]:
    return frozenset(province_by_code(boundary))


# --- dbt seeds -----------------------------------------------------------------------------

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
PROVINCES_SEED = "ref_provinces.csv"
MAPPING_SEED = "ref_province_mapping.csv"


def seed_rows() -> dict[str, list[dict]]:
    """The seed tables' rows: provinces of both sets, and the legacy -> current mapping."""
    province_rows = [asdict(p) for b in (LEGACY, CURRENT) for p in provinces(b)]
    current = province_by_code(CURRENT)
    legacy = province_by_code(LEGACY)
    mapping_rows = [
        {
            "legacy_code": old,
            "legacy_name": legacy[old].name,
            "current_code": new,
            "current_name": current[new].name,
        }
        for old, new in legacy_to_current().items()
    ]
    return {PROVINCES_SEED: province_rows, MAPPING_SEED: mapping_rows}


def render_seed(rows: list[dict]) -> str:
    from io import StringIO

    out = StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_seed_files(rows_by_name: dict[str, list[dict]], directory: Path) -> list[Path]:
    """Write generated dbt seeds (one CSV per name); shared by every seed generator."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in rows_by_name.items():
        path = directory / name
        path.write_text(render_seed(rows), encoding="utf-8")
        written.append(path)
    return written


def write_seeds(directory: Path = SEEDS_DIR) -> list[Path]:
    return write_seed_files(seed_rows(), directory)


if __name__ == "__main__":
    for path in write_seeds():
        print(f"wrote {path}", file=sys.stderr)
