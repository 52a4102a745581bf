#!/usr/bin/env bash
# BI profile: Superset reading the published read-only DuckDB snapshot (THADS_HOME/serving,
# mounted at /thads). Idempotent: safe on every container start.
set -euo pipefail
superset db upgrade
superset fab create-admin --username "${SUPERSET_ADMIN_USER:-admin}" \
  --password "${SUPERSET_ADMIN_PASSWORD:-admin}" --firstname THADS --lastname Admin \
  --email admin@thads.local || true  # already there after the first start
superset init
# publish swaps the snapshot in atomically; open it read-only so BI never locks the writer.
superset set-database-uri -d "THADS warehouse" \
  -u "duckdb:////thads/serving/thads.duckdb?access_mode=read_only"
exec gunicorn --bind 0.0.0.0:8088 --workers 2 --timeout 120 "superset.app:create_app()"
