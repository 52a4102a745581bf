#!/usr/bin/env bash
# One-off setup the Airflow services wait for (docker compose service `airflow-init`, run as
# root): metadata DB migrated, the admin login in place (docker/airflow-db-setup.sh), volumes
# owned by the airflow user.
set -euo pipefail

uid="${AIRFLOW_UID:-50000}"

# The metadata DB (Airflow's and the FAB auth manager's tables) and the admin user.
bash "$(dirname "${BASH_SOURCE[0]}")/airflow-db-setup.sh"

# The named volumes: task processes (uid ${uid}) write THADS_HOME and the task logs.
mkdir -p "${AIRFLOW_HOME}/logs" "${AIRFLOW_HOME}/config" "${THADS_HOME}"
chown -R "${uid}:0" "${AIRFLOW_HOME}/logs" "${AIRFLOW_HOME}/config" "${THADS_HOME}"
# The landing zone is a host folder: never taken over, only checked. The tasks read it as
# uid ${uid}; say so now rather than fail at the first load.
if ! setpriv --reuid "${uid}" --regid 0 --clear-groups \
  test -r "${THADS_LANDING}" -a -x "${THADS_LANDING}"; then
  echo "airflow-init: WARNING: ${THADS_LANDING} (THADS_LANDING_DIR on the host) is not readable by uid ${uid};" \
       "set AIRFLOW_UID in .env to the owner's uid or make the folder readable" >&2
fi
echo "airflow-init: done"
