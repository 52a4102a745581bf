"""One Great Expectations run over the whole batch's validation frame.

An ephemeral context (nothing of GX's own config lands in the repo or THADS_HOME), a pandas
datasource with a dataframe asset and a whole-dataframe batch definition, the suite from
`expectations.suites`, a ValidationDefinition and a Checkpoint. Result format COMPLETE with
`unexpected_index_column_names=["_rid"]` (the frame's named index) and
`exclude_unexpected_values`: GX then returns the failing row ids as one plain list per
expectation, which costs microseconds per failing row instead of a dict per row.

With a Data Docs folder, validation results are kept as JSON under `<docs>/_results` (so the
site's index lists every load, not only the last one) and the Checkpoint's
UpdateDataDocsAction renders the run into `<docs>/index.html`; `data_docs_offline` then
points the pages at CSS/JS copied from maintained packages instead of CDNs. With
`render_docs=False` the results are stored but not rendered (rendering compiles GX's page
templates: ~1 s a run); `render_data_docs` renders such runs later (`thads watch` answers
the province first, then renders once the burst settles).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from expectations.suites import SUITE_NAME, Check, build_suite

INDEX = "_rid"
SITE_NAME = "thads"
RESULTS_DIR = "_results"


class ValidationRunError(RuntimeError):
    """GX could not evaluate an expectation: the batch is not validated, nothing may load."""


@dataclass
class CheckOutcome:
    check: Check
    success: bool
    element_count: int
    unexpected_rids: list[int]


def _quiet_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for name in ("great_expectations", "great_expectations.core", "posthog"):
        logging.getLogger(name).setLevel(logging.ERROR)


def import_gx() -> Any:
    _quiet_gx()
    import great_expectations as gx
    import great_expectations.expectations  # the suite's classes, imported once here

    return gx


def _context(data_docs_dir: Path | None) -> Any:
    gx = import_gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    defaults = InMemoryStoreBackendDefaults()
    stores = dict(defaults.stores)
    sites: dict[str, Any] = {}
    if data_docs_dir is not None:
        docs = Path(data_docs_dir).resolve()
        stores[defaults.validation_results_store_name] = {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs / RESULTS_DIR),
            },
        }
        sites[SITE_NAME] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        stores=stores,
        expectations_store_name=defaults.expectations_store_name,
        validation_results_store_name=defaults.validation_results_store_name,
        checkpoint_store_name=defaults.checkpoint_store_name,
        data_docs_sites=sites,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _rids(result: dict[str, Any]) -> list[int]:
    """Failing row ids from an `unexpected_index_list` in either of GX's shapes."""
    out: list[int] = []
    for item in result.get("unexpected_index_list") or []:
        if isinstance(item, dict):
            value = item.get(INDEX)
            if isinstance(value, list):
                out.extend(int(v) for v in value)
            elif value is not None:
                out.append(int(value))
        else:
            out.append(int(item))
    return out


def _exception(info: Any) -> str | None:
    """The message of an exception GX caught while evaluating an expectation, if any.
    GX reports it flat ({"raised_exception": ...}) or per metric ({metric: {...}})."""
    if not isinstance(info, dict):
        return None
    if "raised_exception" in info:
        return str(info.get("exception_message")) if info.get("raised_exception") else None
    for value in info.values():
        found = _exception(value)
        if found:
            return found
    return None


def run_checks(
    frame: pd.DataFrame,
    checks: Sequence[Check],
    data_docs_dir: Path | None = None,
    run_name: str | None = None,
    render_docs: bool = True,
) -> list[CheckOutcome]:
    """Validate `frame` (index `_rid`) against the checks in one GX run (results kept in
    `data_docs_dir`, and rendered there unless `render_docs` is False)."""
    render = data_docs_dir is not None and render_docs
    import great_expectations as gx

    columns: list[str] = []
    for check in checks:
        columns += [c for c in check.frame_columns if c not in columns]
    if frame.index.name != INDEX:
        raise ValueError(f"the validation frame must be indexed by {INDEX!r}")
    data = frame[columns]

    context = _context(data_docs_dir)
    asset = context.data_sources.add_pandas("thads").add_dataframe_asset("report_rows")
    batch_definition = asset.add_batch_definition_whole_dataframe("batch")
    by_column = {c.column: c for c in checks}
    suite = context.suites.add(build_suite(checks, SUITE_NAME))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="report_rows_batch", data=batch_definition, suite=suite)
    )
    actions = []
    if render:
        actions.append(gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[SITE_NAME]))
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name="thads_batch",
            validation_definitions=[definition],
            actions=actions,
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [INDEX],
                "exclude_unexpected_values": True,
            },
        )
    )
    from great_expectations.core.run_identifier import RunIdentifier

    result = checkpoint.run(
        batch_parameters={"dataframe": data},
        run_id=RunIdentifier(run_name=run_name) if run_name else None,
    )
    if render:
        from expectations.data_docs_offline import make_offline

        make_offline(Path(data_docs_dir))  # no CDN: readable on a network without internet
    outcomes: list[CheckOutcome] = []
    for suite_result in result.run_results.values():
        for r in suite_result.results:
            problem = _exception(r.exception_info)
            if problem:
                raise ValidationRunError(
                    f"Great Expectations failed on {r.expectation_config.meta}: {problem}"
                )
            check = by_column[r.expectation_config.meta["check"]]
            rids = _rids(r.result) if not r.success else []
            count = int(r.result.get("unexpected_count") or 0)
            if not r.success and len(rids) != count:
                raise ValidationRunError(
                    f"{check.column}: GX reported {count} failing rows but listed {len(rids)}"
                )
            outcomes.append(
                CheckOutcome(check, bool(r.success), int(r.result.get("element_count") or 0), rids)
            )
    return outcomes


def render_data_docs(data_docs_dir: Path, run_names: Collection[str]) -> int:
    """Render the Data Docs pages of the runs named `run_names` (validated with
    `render_docs=False`; their results are stored in `<docs>/_results`) and the index.
    Returns how many validation results were rendered."""
    from expectations.data_docs_offline import make_offline

    context = _context(data_docs_dir)
    wanted = set(run_names)
    keys = [
        key for key in context.validation_results_store.list_keys() if key.run_id.run_name in wanted
    ]
    if keys:
        context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=keys)
        make_offline(Path(data_docs_dir))
    return len(keys)
