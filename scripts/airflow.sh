#!/usr/bin/env bash
# Set up and run Airflow for THADS without Docker (`make airflow` runs `start`).
#
#   scripts/airflow.sh start    first time: write $AIRFLOW_HOME/airflow.env (settings and one
#                               set of secrets, kept), create the landing folder; every time:
#                               `airflow db migrate`, then start api-server, scheduler,
#                               dag-processor and triggerer in the background, wait until the
#                               API answers, print the admin login (the first time only)
#   scripts/airflow.sh stop     stop the four components started by `start`
#   scripts/airflow.sh status   which components run, and the API's health
#   scripts/airflow.sh token    print a REST API token (JWT) for the admin user
#   scripts/airflow.sh env      print the `source` line that gives a shell the same settings
#
# Settings read the first time (then kept in airflow.env; edit that file to change them):
#   AIRFLOW_HOME (default ./.airflow), THADS_HOME (./.thads), THADS_LANDING (./landing),
#   THADS_AIRFLOW_PORT (8080), THADS_AIRFLOW_HOST (127.0.0.1: the UI and API listen there
#   only), THADS_AIRFLOW_URL (http://localhost:PORT: the base_url alert links point to),
#   AIRFLOW__DATABASE__SQL_ALCHEMY_CONN (default SQLite in AIRFLOW_HOME; PostgreSQL for real
#   use, e.g. from scripts/start_postgres.sh), THADS_ALERT_WEBHOOK_URL and THADS_SMTP_* (kept
#   as given).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$REPO/.airflow}"
BIN="${THADS_VENV_BIN:-$REPO/.venv/bin}"
ENV_FILE="$AIRFLOW_HOME/airflow.env"
RUN_DIR="$AIRFLOW_HOME/run"
LOG_DIR="$AIRFLOW_HOME/logs"
COMPONENTS=(api-server scheduler dag-processor triggerer)

die() { echo "airflow.sh: $*" >&2; exit 1; }
say() { echo "airflow.sh: $*" >&2; }

python_() { "$BIN/python" "$@"; }

# One line `export NAME='value'` (single quotes escaped) for airflow.env.
env_line() { printf "export %s=%s\n" "$1" "$(python_ -c 'import shlex, sys; print(shlex.quote(sys.argv[1]))' "$2")"; }

write_env() {
  [ -x "$BIN/airflow" ] || die "no $BIN/airflow: run \`make venv\` first"
  mkdir -p "$AIRFLOW_HOME"
  local port="${THADS_AIRFLOW_PORT:-8080}"
  local host="${THADS_AIRFLOW_HOST:-127.0.0.1}"
  local url="${THADS_AIRFLOW_URL:-http://localhost:$port}"
  local db="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-sqlite:///$AIRFLOW_HOME/airflow.db}"
  local tmp="$ENV_FILE.tmp"
  (
    umask 077
    {
      echo "# THADS Airflow settings and secrets, written once by scripts/airflow.sh; keep private."
      echo "# \`source $ENV_FILE\` gives a shell the same settings (for the airflow CLI)."
      env_line AIRFLOW_HOME "$AIRFLOW_HOME"
      env_line AIRFLOW__CORE__DAGS_FOLDER "$REPO/dags"
      env_line AIRFLOW__CORE__LOAD_EXAMPLES False
      # The LocalExecutor, with Great Expectations and the thads modules imported in the
      # scheduler before it forks its workers: task processes start warm (thads/airflow_executor.py).
      env_line AIRFLOW__CORE__EXECUTOR thads.airflow_executor.WarmLocalExecutor
      env_line AIRFLOW__CORE__DEFAULT_TIMEZONE Asia/Ho_Chi_Minh
      env_line AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION False
      env_line AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS admin:admin
      env_line AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE "$AIRFLOW_HOME/passwords.json"
      env_line AIRFLOW__DATABASE__SQL_ALCHEMY_CONN "$db"
      env_line AIRFLOW__API__HOST "$host"
      env_line AIRFLOW__API__PORT "$port"
      env_line AIRFLOW__API__BASE_URL "$url"
      env_line AIRFLOW__CORE__EXECUTION_API_SERVER_URL "http://127.0.0.1:$port/execution/"
      # One set of secrets, made here once: 64 random bytes for the JWT signing key (Airflow
      # warns below 32), the API server's session key, and the Fernet key that encrypts
      # connections and variables in the metadata DB.
      env_line AIRFLOW__API_AUTH__JWT_SECRET "$(python_ -c 'import secrets; print(secrets.token_urlsafe(64))')"
      env_line AIRFLOW__API__SECRET_KEY "$(python_ -c 'import secrets; print(secrets.token_urlsafe(32))')"
      env_line AIRFLOW__CORE__FERNET_KEY "$(python_ -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
      env_line THADS_HOME "${THADS_HOME:-$REPO/.thads}"
      env_line THADS_LANDING "${THADS_LANDING:-$REPO/landing}"
      # Alert channels and every other THADS_* setting given on the first start.
      while IFS='=' read -r name _; do
        case "$name" in
          THADS_HOME|THADS_LANDING|THADS_AIRFLOW_*|THADS_VENV_BIN) ;;
          THADS_*) env_line "$name" "${!name}" ;;
        esac
      done < <(env | grep -E '^THADS_[A-Za-z0-9_]+=' | sort)
    } >"$tmp"
  )
  mv "$tmp" "$ENV_FILE"
  say "wrote $ENV_FILE (settings and secrets, mode 600)"
}

load_env() {
  [ -f "$ENV_FILE" ] || write_env
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$THADS_LANDING" "$THADS_HOME"
}

pid_of() {
  local file="$RUN_DIR/$1.pid"
  [ -f "$file" ] || return 1
  local pid
  pid="$(cat "$file")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

api_url() { echo "http://127.0.0.1:$AIRFLOW__API__PORT"; }

# Wait until the API reports a healthy metadata DB; fail early if one of the components
# given (started ones) has exited.
wait_healthy() {
  local deadline=$((SECONDS + ${THADS_AIRFLOW_START_TIMEOUT:-240}))
  while true; do
    for name in "$@"; do
      pid_of "$name" >/dev/null || die "$name exited; see $LOG_DIR/$name.log"
    done
    python_ - "$(api_url)/api/v2/monitor/health" <<'EOF' 2>/dev/null && return 0
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    health = json.load(r)
sys.exit(0 if health["metadatabase"]["status"] == "healthy" else 1)
EOF
    [ $SECONDS -lt $deadline ] || die "the API did not answer on $(api_url) in time; see $LOG_DIR/api-server.log"
    sleep 2
  done
}

admin_password() {
  python_ -c 'import json, sys; print(json.load(open(sys.argv[1]))["admin"])' \
    "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
}

start_component() {
  local name="$1" pid
  if pid="$(pid_of "$name")"; then
    say "$name already runs (pid $pid)"
    return
  fi
  # Its own session (process group), so `stop` ends it with its workers and nothing else.
  setsid "$BIN/airflow" "$name" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
  say "started $name (pid $!, log $LOG_DIR/$name.log)"
}

start() {
  load_env
  say "migrating the metadata DB ($LOG_DIR/migrate.log)"
  "$BIN/airflow" db migrate >"$LOG_DIR/migrate.log" 2>&1 \
    || { tail -n 30 "$LOG_DIR/migrate.log" >&2; die "airflow db migrate failed"; }
  # The api-server first: tasks report to its execution API, so the scheduler starts once
  # it answers (a task started earlier fails to connect).
  start_component api-server
  wait_healthy api-server
  for name in scheduler dag-processor triggerer; do start_component "$name"; done
  wait_healthy "${COMPONENTS[@]}"
  say "Airflow is up: $AIRFLOW__API__BASE_URL (DAGs in $AIRFLOW__CORE__DAGS_FOLDER, unpaused)"
  say "landing zone: $THADS_LANDING   THADS_HOME: $THADS_HOME"
  local shown="$AIRFLOW_HOME/.login_shown"
  if [ ! -f "$shown" ]; then
    echo "admin login: admin / $(admin_password)   (kept in $AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE)"
    touch "$shown"
  fi
}

stop() {
  load_env
  # The scheduler, dag-processor and triggerer first and together (each may take seconds to
  # finish what it runs), then the api-server they report to while they shut down.
  stop_components scheduler dag-processor triggerer
  stop_components api-server
}

# TERM each component's process group, wait up to 30 s for all of them, then KILL the rest.
stop_components() {
  local name pid names=() pids=()
  for name in "$@"; do
    if pid="$(pid_of "$name")"; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      names+=("$name")
      pids+=("$pid")
    fi
    rm -f "$RUN_DIR/$name.pid"
  done
  for _ in $(seq 1 30); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 1
  done
  for i in "${!pids[@]}"; do
    kill -KILL -- "-${pids[$i]}" 2>/dev/null || true
    say "stopped ${names[$i]} (pid ${pids[$i]})"
  done
}

status() {
  load_env
  local rc=0
  for name in "${COMPONENTS[@]}"; do
    if pid="$(pid_of "$name")"; then echo "$name: running (pid $pid)"; else echo "$name: stopped"; rc=1; fi
  done
  python_ -c 'import sys, urllib.request; print("health:", urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
    "$(api_url)/api/v2/monitor/health" 2>/dev/null || { echo "health: no answer on $(api_url)"; rc=1; }
  return $rc
}

token() {
  load_env
  python_ - "$(api_url)/auth/token" "$(admin_password)" <<'EOF'
import json, sys, urllib.request
body = json.dumps({"username": "admin", "password": sys.argv[2]}).encode()
request = urllib.request.Request(sys.argv[1], body, {"Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=30) as r:
    print(json.load(r)["access_token"])
EOF
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  token) token ;;
  env) load_env; echo "source $ENV_FILE" ;;
  *) die "usage: $0 start|stop|status|token|env" ;;
esac
