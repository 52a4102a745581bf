"""The landing-zone generator: realistic province submissions, and an API to craft them.

Reusable API (for tests anywhere in the project)::

    import random
    from thads.generate import build_report, write_xlsx, write_csv_pair, write_json
    from thads.generate import XlsxStyle, CsvStyle

    # seed 004: 5.513 of 5.871 cases, 93,2 of 112,1 billion đồng (money in THOUSANDS of đồng)
    report = build_report(
        "02", 2019, 12,
        cases_totals={"done": 5513, "with_conditions": 5871},
        money_totals={"done": 93_200_000, "with_conditions": 112_100_000},
        n_offices=5, rng=random.Random(4),
    )
    write_xlsx(report, tmp / report.filename("xlsx"), XlsxStyle(header="trong_do"))
    write_csv_pair(report, tmp, CsvStyle(delimiter=";", bom=False))  # _viec.csv + _tien.csv
    write_json(report, tmp / report.filename("json"))

- `build_report(province_code, year, months, cases_totals, money_totals, n_offices=None,
  rng=None, *, offices=None, total_label="Tổng cộng", revision=1, submitted_at=None)
  -> Report`: totals take any of `contract.NUMERIC_KEYS` plus "done" (completed +
  terminated) and "rate_pct"; what is not given is filled with typical shares
  (`model.complete_totals`), then split over the offices (`model.split_totals`) so every
  identity holds on every row and the total row is the exact sum. Offices default to the
  real ones of the province in the period's boundary set (63 / 34).
- `Report`: `offices`, `cases[i]` / `money[i]` (dict key -> int per office),
  `total(measure)`, `labelled_rows(measure)` (offices then the total row), `errors()`
  (broken identities, empty when correct), `filename(fmt, measure=None)`; fields are
  plain and mutable, so a test can break one number on purpose.
- `write_xlsx(report, path, style=None, engine="ooxml")`, `write_csv_pair(report,
  directory, style=None) -> [viec, tien]`, `write_json(report, path)`. `engine` "ooxml"
  writes the OOXML parts directly (fast, `ooxml.py`); "xlsxwriter" uses the library.
  Styles (`styles.XlsxStyle`, `CsvStyle`): header block length, one- or two-row headers
  with merged cells, label case and diacritics, numbers as numbers or Vietnamese text,
  blank cells for zero, `,`/`;`, BOM.
  `styles.render_xlsx_sheet` + `xlsx_writer.write_sheets` give the cell grid to edit
  before writing (that is how `defects` plants mistakes).
- `generate_landing_zone(out, years=range(2019, 2026), seed=0, provinces=None, scale=1,
  defects=0.0, processes=None, quiet=True) -> Summary` (module `landing`): the whole
  inbox, what `thads generate` runs; it writes `manifest.json` (every submission with
  its files, true totals, arrival time, defect and expected outcome; see `landing`).
- Seed figures reproduced in the landing zone: `seeds.PINS` (seed 002 Hậu Giang 11 months
  2024, seed 003 Nghệ An 2020, seed 001 the Cần Giuộc office 2022), targets in
  `seeds.SEED_TARGETS`.
"""

from thads.generate.csv_writer import write_csv_pair
from thads.generate.json_writer import write_json
from thads.generate.model import Report, build_report, complete_totals, split_totals
from thads.generate.styles import CsvStyle, XlsxStyle
from thads.generate.xlsx_writer import write_xlsx

__all__ = [
    "CsvStyle",
    "Report",
    "XlsxStyle",
    "build_report",
    "complete_totals",
    "split_totals",
    "write_csv_pair",
    "write_json",
    "write_xlsx",
]
