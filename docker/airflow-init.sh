#!/usr/bin/env bash
# One-off setup the Airflow services wait for (docker compose service `airflow-init`, run as
# root): volumes owned by the airflow user, metadata DB migrated, the admin login in place.
set -euo pipefail

uid="${AIRFLOW_UID:-50000}"
user="${_AIRFLOW_WWW_USER_USERNAME:-admin}"
password="${_AIRFLOW_WWW_USER_PASSWORD:?the admin password is required (AIRFLOW_ADMIN_PASSWORD in .env)}"
passwords_file="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-${AIRFLOW_HOME}/config/passwords.json}"

echo "airflow-init: migrating the metadata database"
airflow db migrate

# SimpleAuthManager (Airflow 3's built-in login) reads user passwords from this JSON file;
# the users and roles come from AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS.
mkdir -p "$(dirname "$passwords_file")"
python - "$passwords_file" "$user" "$password" <<'PY'
import json, sys
path, user, password = sys.argv[1:]
with open(path, "w") as f:
    json.dump({user: password}, f)
PY
echo "airflow-init: login ${user} configured in ${passwords_file}"

# The named volumes: task processes (uid ${uid}) write THADS_HOME and the task logs.
mkdir -p "${AIRFLOW_HOME}/logs" "${THADS_HOME}"
chown -R "${uid}:0" "${AIRFLOW_HOME}/logs" "$(dirname "$passwords_file")" "${THADS_HOME}"
# The landing zone is a host folder: never taken over, only checked. The tasks read it as
# uid ${uid}; say so now rather than fail at the first load.
if ! setpriv --reuid "${uid}" --regid 0 --clear-groups \
  test -r "${THADS_LANDING}" -a -x "${THADS_LANDING}"; then
  echo "airflow-init: WARNING: ${THADS_LANDING} (THADS_LANDING_DIR on the host) is not readable by uid ${uid};" \
       "set AIRFLOW_UID in .env to the owner's uid or make the folder readable" >&2
fi
echo "airflow-init: done"
