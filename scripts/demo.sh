#!/usr/bin/env bash
# `make demo`: the main job end to end on the embedded DuckDB default.
# Runs every step that exists; a step that does not exist yet says so and the demo fails.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export THADS_HOME="${THADS_HOME:-$PWD/.thads}"
LANDING="${LANDING:-$PWD/landing}"
# Alerts go to a folder in the demo (set THADS_ALERT_WEBHOOK_URL / THADS_SMTP_HOST for real).
export THADS_ALERT_DIR="${THADS_ALERT_DIR:-$THADS_HOME/alerts/messages}"

echo "== generate a landing zone in $LANDING"
$BIN/thads generate --out "$LANDING" --years 2023-2025 --seed 7 --defects 0.02
echo "== load it into the warehouse in $THADS_HOME"
$BIN/thads load --landing "$LANDING"
echo "== top of the ranking: cases, 12 months of 2024"
$BIN/thads rank --year 2024 --months 12 --measure cases | head -15
echo
# Show a province alert that points at a cell (sheet, row, column), as most do.
first_alert=$(grep -l 'Sheet "' "$THADS_ALERT_DIR"/[0-9]*.txt 2>/dev/null | head -1 || true)
if [ -n "$first_alert" ]; then
  echo "== one of the alerts sent to a province office ($(ls "$THADS_ALERT_DIR" | wc -l) in $THADS_ALERT_DIR)"
  head -12 "$first_alert"
  echo
fi
echo "Warehouse (read-only snapshot): $THADS_HOME/serving/thads.duckdb"
echo "HTML report:                    $THADS_HOME/serving/report/index.html"
echo "Submissions and reasons:        $BIN/thads submissions"
echo "Alerts (province + data team):  $THADS_ALERT_DIR"
echo "Data Docs (Great Expectations): $THADS_HOME/data_docs/index.html"
