"""Publishing for BI tools and people: a read-only DuckDB snapshot, Parquet exports of the
marts and a static HTML report under `THADS_HOME/serving/`, swapped in atomically after
each successful build; CSV/Excel exports on request (`thads export`)."""

from __future__ import annotations

from thads.publish.publisher import PublishError, publish, read_manifest

__all__ = ["PublishError", "publish", "read_manifest"]
