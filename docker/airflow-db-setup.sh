#!/usr/bin/env bash
# The metadata DB and the first login, for the FAB auth manager: what `airflow-init` runs
# before any Airflow service starts (docker/airflow-init.sh), and what
# tests/test_compose_auth.py runs on SQLite. Needs no root and no container; safe to re-run.
#
#   _AIRFLOW_WWW_USER_USERNAME   the admin's user name (default admin)
#   _AIRFLOW_WWW_USER_PASSWORD   the admin's FIRST password (required: AIRFLOW_ADMIN_PASSWORD)
set -euo pipefail

user="${_AIRFLOW_WWW_USER_USERNAME:-admin}"
password="${_AIRFLOW_WWW_USER_PASSWORD:?the admin password is required (AIRFLOW_ADMIN_PASSWORD in .env)}"

# Airflow's tables and, through the DB managers of the installed providers, the FAB auth
# manager's own (ab_user, ab_role, ...): one command since Airflow 3.2. `airflow fab-db
# migrate` would migrate only FAB's.
echo "airflow-db-setup: migrating the metadata database (Airflow and FAB tables)"
airflow db migrate

# FAB's roles (Admin, Op, User, Viewer, Public) and their permissions, brought up to date
# here once per start of the stack: the services have [fab] update_fab_perms off.
echo "airflow-db-setup: syncing FAB roles and permissions"
airflow sync-perm

# The admin user, the first time only: an existing user is left as it is, so a password
# changed in the UI or with `airflow users reset-password` survives every later
# `docker compose up`. The password is an argument because `users create` reads it from
# there or a terminal (this one-off process runs alone in its container); `--password=`
# keeps one that starts with "-" (token_urlsafe can) from reading as an option.
airflow users create --role Admin --username "$user" --password="$password" \
  --firstname THADS --lastname Admin --email "${user}@localhost"
echo "airflow-db-setup: FAB login ${user} ready"
