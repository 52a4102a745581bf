"""Who reports: office names before and after the 2025 merger, and how offices map across it.

Before 1/7/2025 a province has its provincial office ("Văn phòng Cục THADS") and one
"Chi cục THADS <district>" per district (real districts from `vietnamadminunits`). After the
merger a province has "Thi hành án dân sự tỉnh|thành phố" plus "Phòng THADS khu vực 1..N",
355 regional offices nationwide (domain.md), N shared out by the size of the territory.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from thads import reference
from thads.generate.model import allocate

LEGACY_PROVINCIAL_OFFICE = "Văn phòng Cục THADS"
REGIONAL_OFFICES_NATIONWIDE = 355
MIN_REGIONAL, MAX_REGIONAL = 6, 15


def province_title(code: str, boundary: int) -> str:
    """Full name, "Tỉnh Long An" / "Thành phố Hà Nội"."""
    return reference.province_by_code(boundary)[code].name


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def issuer(code: str, boundary: int) -> str:
    """The reporting body named in the header block."""
    name = _lower_first(province_title(code, boundary))
    if boundary == reference.LEGACY:
        return f"Cục THADS {name}"
    return f"Thi hành án dân sự {name}"


def current_provincial_office(code: str) -> str:
    kind = (
        "thành phố" if province_title(code, reference.CURRENT).startswith("Thành phố") else "tỉnh"
    )
    return f"Thi hành án dân sự {kind}"


@cache
def members() -> dict[str, tuple[str, ...]]:
    """Current province code -> the legacy province codes merged into it."""
    out: dict[str, list[str]] = defaultdict(list)
    for old, new in reference.legacy_to_current().items():
        out[new].append(old)
    return {k: tuple(v) for k, v in sorted(out.items())}


@cache
def regional_counts() -> dict[str, int]:
    """Regional offices per current province: 6..15 each, 355 in all, by number of districts."""
    districts = {
        new: sum(len(reference.legacy_districts(old)) for old in olds)
        for new, olds in members().items()
    }
    codes = list(districts)
    extra = REGIONAL_OFFICES_NATIONWIDE - MIN_REGIONAL * len(codes)
    caps = [min(MAX_REGIONAL, districts[c]) - MIN_REGIONAL for c in codes]
    weights = [max(districts[c] - MIN_REGIONAL, 0) for c in codes]
    parts = allocate(extra, weights, caps)
    return {c: MIN_REGIONAL + p for c, p in zip(codes, parts, strict=True)}


def _scaled(base: list[str], scale: int) -> list[str]:
    """`scale` offices for each sub-office (benchmarks): "X", "X (2)", ... "X (K)"."""
    if scale <= 1:
        return base
    out = [base[0]]
    for name in base[1:]:
        out += [name] + [f"{name} ({k})" for k in range(2, scale + 1)]
    return out


def office_names(code: str, boundary: int, n: int | None = None, scale: int = 1) -> list[str]:
    """Office rows of a province in a boundary set, provincial office first.

    `n` cuts or extends the list (extra offices are numbered); `scale` repeats sub-offices.
    """
    if boundary == reference.LEGACY:
        base = [LEGACY_PROVINCIAL_OFFICE] + [
            f"Chi cục THADS {d}" for d in reference.legacy_districts(code)
        ]
    else:
        base = [current_provincial_office(code)] + [
            f"Phòng THADS khu vực {i}" for i in range(1, regional_counts()[code] + 1)
        ]
    names = _scaled(base, scale)
    if n is None:
        return names
    if n < 1:
        raise ValueError(f"a report needs at least one office, got n={n}")
    if n <= len(names):
        return names[:n]
    return names + [f"{base[-1]} ({k})" for k in range(2, n - len(names) + 2)]


def merger_map(current_code: str, scale: int = 1) -> dict[tuple[str, int], int]:
    """(legacy code, legacy office index) -> index of the current office that took it over.

    The legacy provincial offices go to the new provincial office; the districts of all
    former provinces, in order, are shared out over the regional offices in contiguous runs.
    """
    mapping: dict[tuple[str, int], int] = {}
    districts: list[tuple[str, int]] = []
    for old in members()[current_code]:
        mapping[(old, 0)] = 0
        n_old = len(office_names(old, reference.LEGACY, scale=scale))
        districts += [(old, i) for i in range(1, n_old)]
    n_regional = len(office_names(current_code, reference.CURRENT, scale=scale)) - 1
    for pos, key in enumerate(districts):
        mapping[key] = 1 + pos * n_regional // len(districts)
    return mapping
