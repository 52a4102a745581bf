"""Ingest: every submission format to one tidy, traceable form (issue 5).

Modules, one job each:
- `files`: landing-zone discovery, sha256, CSV pairing, archive/quarantine copies.
- `numbers`: Vietnamese numbers ("5.513" = 5513, "93,2" = 93.2; blank and "-" = 0).
- `headers`, `grid`: find the header row(s) by their labels, read the header block, read
  office rows to the total row; shared by `xlsx` (python-calamine) and `csv_reader`.
- `json_reader`: the JSON schema of contract section 1.
- `schema`: the tidy report row columns (`REPORT_ROW_COLUMNS`) and the frame builder.
- `parse`: candidate -> `ParsedSubmission`; `parse_many` on both cores.
- `rowsets`: rows as slices of shared frames; `combined_rows` back to one frame.
- `dedupe`, `registry`: new / duplicate / already seen; the SQLite registry of files,
  submissions and statuses (`state/registry.sqlite`).
- `batch`: `plan_batch`, `stage_group` / `stage_batch`, `load_staged` (the DAG's steps).
- `commit`: `commit_batch` (raw Parquet, quarantine, registry, `submissions.parquet`).
- `raw`, `export`, `history`: the raw layer on disk, the registry export,
  `load_accepted_totals` for validation.
- `targets`: `targets_<year>.csv` -> `raw/targets.parquet`.
"""
