#!/usr/bin/env bash
# Write .env for `docker compose` once, with fresh secrets (the compose file has no default
# for any of them and refuses to start without). Never overwrites an existing .env.
#
#   scripts/compose-env.sh [FILE]     default: .env beside docker-compose.yml
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$REPO/.env}"
[ -e "$OUT" ] && { echo "compose-env: $OUT exists; not touching it" >&2; exit 0; }
PY="${PYTHON:-$([ -x "$REPO/.venv/bin/python" ] && echo "$REPO/.venv/bin/python" || echo python3)}"
secret() { "$PY" -c "import secrets; print(secrets.token_urlsafe($1))"; }
fernet() { "$PY" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'; }
umask 077
cat >"$OUT" <<ENV
# docker compose settings and secrets (scripts/compose-env.sh); keep private.
AIRFLOW_UID=$(id -u)
POSTGRES_PASSWORD=$(secret 24)
AIRFLOW_FERNET_KEY=$(fernet)
AIRFLOW_JWT_SECRET=$(secret 64)
AIRFLOW_API_SECRET_KEY=$(secret 32)
AIRFLOW_ADMIN_USER=admin
AIRFLOW_ADMIN_PASSWORD=$(secret 12)
SUPERSET_SECRET_KEY=$(secret 42)
SUPERSET_ADMIN_PASSWORD=$(secret 12)
# Where people open the UI (alert links point here) and which address the ports listen on.
AIRFLOW_BASE_URL=http://localhost:8080
THADS_BIND_ADDRESS=127.0.0.1
# Once the UI is served over HTTPS: session cookies only over TLS.
# AIRFLOW_COOKIE_SECURE=True
ENV
echo "compose-env: wrote $OUT (mode 600); the admin login is admin / $(grep '^AIRFLOW_ADMIN_PASSWORD=' "$OUT" | cut -d= -f2)" \
  "(its first password: change it once logged in, docs/airflow.md)"
