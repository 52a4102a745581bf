"""docker-compose.yml and docker/: validated by the Compose Specification's JSON schema
(tests/fixtures/compose-spec.json, see tests/fixtures/README.md), by structure, against the
files they reference and against Airflow's own CLI and configuration options; production-safe
defaults (required secrets, 127.0.0.1 ports, every THADS_* setting passed through).
`docker compose config` runs too where the compose plugin exists (no Docker engine here)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from tests.airflow_harness import REPO
from thads.config import Paths

COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "docker" / "Dockerfile"
AIRFLOW_SERVICES = {
    "airflow-init": None,
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment as a mapping"
    return {k: str(v) for k, v in env.items()}


def test_the_stack_has_every_component(compose: dict[str, Any], services: dict) -> None:
    assert "x-airflow-common: &airflow-common" in COMPOSE.read_text()
    assert set(AIRFLOW_SERVICES) | {"postgres", "superset"} == set(services)
    for name, command in AIRFLOW_SERVICES.items():
        assert services[name]["image"] == "thads-airflow:latest", name
        assert services[name]["build"]["dockerfile"] == "docker/Dockerfile", name
        if command:
            assert services[name]["command"] == command, name
    # Only the BI service is optional.
    assert services["superset"]["profiles"] == ["bi"]
    assert all("profiles" not in s for n, s in services.items() if n != "superset")


def test_airflow_services_share_executor_db_secrets_and_pipeline_env(services: dict) -> None:
    envs = {name: _env(services[name]) for name in AIRFLOW_SERVICES}
    for name, env in envs.items():
        assert env["AIRFLOW__CORE__EXECUTOR"] == "thads.airflow_executor.WarmLocalExecutor", name
        assert re.fullmatch(
            r"postgresql\+psycopg2://airflow:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432/airflow",
            env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
        ), name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
            "http://airflow-apiserver:8080/execution/"
        )
        assert env["THADS_HOME"] == "/opt/thads/home"
        assert env["THADS_LANDING"] == "/opt/thads/landing"
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/thads/app/dags"
    # Tokens signed by the scheduler are checked by the api-server: one secret for all.
    assert len({env["AIRFLOW__API_AUTH__JWT_SECRET"] for env in envs.values()}) == 1
    postgres = _env(services["postgres"])
    assert postgres["POSTGRES_USER"] == "airflow" and postgres["POSTGRES_DB"] == "airflow"


def test_shared_volumes_for_landing_zone_and_thads_home(compose: dict, services: dict) -> None:
    declared = set(compose["volumes"])
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith(("/", ".", "$")):
                assert source in declared, f"{name}: volume {source} is not declared"
    for name in AIRFLOW_SERVICES:
        volumes = services[name]["volumes"]
        assert "thads-home:/opt/thads/home" in volumes, name
        assert "${THADS_LANDING_DIR:-./landing}:/opt/thads/landing" in volumes, name
        assert "airflow-logs:/opt/airflow/logs" in volumes, name  # api-server shows task logs
    # BI reads the published snapshot read-only.
    assert "thads-home:/thads:ro" in services["superset"]["volumes"]
    bootstrap = (REPO / "docker" / "superset" / "bootstrap.sh").read_text()
    snapshot = Paths(Path("/thads")).snapshot  # the same layout as THADS_HOME
    assert f"duckdb:///{snapshot}?access_mode=read_only" in bootstrap


def test_start_order_and_healthchecks(services: dict) -> None:
    for name, service in services.items():
        if name != "airflow-init":
            test = service["healthcheck"]["test"]
            assert test[0] in ("CMD", "CMD-SHELL") and len(test) >= 2, name
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            condition = rule["condition"]
            assert condition in {"service_healthy", "service_completed_successfully"}, name
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"
    assert services["airflow-init"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in set(AIRFLOW_SERVICES) - {"airflow-init"}:
        depends = services[name]["depends_on"]
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["airflow-init"] == {"condition": "service_completed_successfully"}, name
    # Tasks talk to the execution API: the scheduler starts once the api-server is healthy.
    assert services["airflow-scheduler"]["depends_on"]["airflow-apiserver"] == {
        "condition": "service_healthy"
    }
    assert "8080/api/v2/monitor/health" in " ".join(
        services["airflow-apiserver"]["healthcheck"]["test"]
    )
    assert "8974/health" in " ".join(services["airflow-scheduler"]["healthcheck"]["test"])
    assert _env(services["airflow-scheduler"])["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "True"
    for name, job in (
        ("airflow-dag-processor", "DagProcessorJob"),
        ("airflow-triggerer", "TriggererJob"),
    ):
        assert f"airflow jobs check --job-type {job}" in services[name]["healthcheck"]["test"][1]


def test_variables_are_interpolated_correctly() -> None:
    # Compose reads `$` as interpolation: `$$` escapes it; any other must be
    # ${NAME[:-default]} or ${NAME:?message} (required).
    lines = COMPOSE.read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    text = text.replace("$$", "")
    for match in re.finditer(r"\$", text):
        rest = text[match.start() :]
        assert re.match(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*|:\?[^}]+)?\}", rest), rest[:40]


def test_init_script_and_dockerfile_reference_real_files(services: dict) -> None:
    init = services["airflow-init"]
    assert init["user"] == "0:0"
    script = PurePosixPath(init["command"])
    app = PurePosixPath("/opt/thads/app")
    local = REPO / script.relative_to(app)
    assert local.is_file() and os.access(local, os.X_OK)
    subprocess.run(["bash", "-n", str(local)], check=True)
    dockerfile = DOCKERFILE.read_text()
    assert "uv pip sync --system --no-cache requirements.lock" in dockerfile
    for source, _target in re.findall(r"^COPY (\S+) (\S+)$", dockerfile, re.M):
        assert (REPO / source).exists(), f"Dockerfile copies missing {source}"
    assert f"COPY docker/airflow-init.sh ./{script.relative_to(app)}" in dockerfile
    assert "THADS_HOME=/opt/thads/home" in dockerfile
    superset = REPO / "docker" / "superset"
    assert (superset / "Dockerfile").is_file()
    subprocess.run(["bash", "-n", str(superset / "bootstrap.sh")], check=True)


def test_airflow_accepts_the_commands_and_config_options(services: dict) -> None:
    """The service commands are Airflow CLI subcommands and every AIRFLOW__SECTION__KEY names
    a real option (a typo would be silently ignored by Airflow)."""
    options = sorted(
        {
            key
            for name in AIRFLOW_SERVICES
            for key in _env(services[name])
            if key.startswith("AIRFLOW__")
        }
    )
    commands = sorted(c for c in AIRFLOW_SERVICES.values() if c)
    code = (
        "import json, sys\n"
        "from airflow.configuration import conf\n"
        "from airflow.cli.cli_parser import get_parser\n"
        "opts, cmds = json.loads(sys.argv[1]), json.loads(sys.argv[2])\n"
        "known = conf.configuration_description\n"
        "def ok(opt):\n"
        "    section, key = opt.lower().split('__')[1:3]\n"
        "    return key in known.get(section, {}).get('options', {})\n"
        "sub = get_parser()._subparsers._group_actions[0].choices\n"
        "print(json.dumps({'bad_options': [o for o in opts if not ok(o)],\n"
        "                  'missing_commands': [c for c in cmds if c not in sub]}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(options), json.dumps(commands)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result == {"bad_options": [], "missing_commands": []}


def test_docker_compose_config_when_available() -> None:
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True).returncode:
        pytest.skip("the docker compose plugin is not installed here")
    proc = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE), "--profile", "bi", "config", "--quiet"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


SCHEMA = REPO / "tests" / "fixtures" / "compose-spec.json"
#: Variables that hold secrets: never a default, always required (`${NAME:?message}`).
SECRETS = (
    "POSTGRES_PASSWORD",
    "AIRFLOW_FERNET_KEY",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_ADMIN_PASSWORD",
    "SUPERSET_SECRET_KEY",
    "SUPERSET_ADMIN_PASSWORD",
)


def test_compose_file_matches_the_compose_specification_schema() -> None:
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    assert schema["$id"] == "compose_spec.json" and schema["title"] == "Compose Specification"
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(yaml.safe_load(COMPOSE.read_text())), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    # The schema is not a rubber stamp: a misspelt key and a wrong type are refused.
    broken = yaml.safe_load(COMPOSE.read_text())
    broken["services"]["postgres"]["helthcheck"] = broken["services"]["postgres"]["healthcheck"]
    broken["services"]["airflow-scheduler"]["restart"] = ["always"]
    paths = {tuple(e.absolute_path) for e in validator.iter_errors(broken)}
    assert ("services", "postgres") in paths and ("services", "airflow-scheduler", "restart") in (
        paths
    ), paths


def test_secrets_are_required_never_defaulted() -> None:
    text = COMPOSE.read_text()
    for name in SECRETS:
        uses = re.findall(rf"\$\{{{name}(:[-?][^}}]*)?\}}", text)
        assert uses, f"{name} is not used"
        assert all(u.startswith(":?") for u in uses), (name, uses)
    assert "change-me" not in text and ":-admin}" not in text.replace("_USER:-admin}", "")
    # scripts/compose-env.sh writes every one of them.
    env_script = (REPO / "scripts" / "compose-env.sh").read_text()
    for name in SECRETS:
        assert re.search(rf"^{name}=\$\(", env_script, re.M), name


def test_no_secret_in_the_compose_file_has_a_default() -> None:
    """Beyond the list above: any variable named like a secret is required, never defaulted
    (a new one added later cannot slip in with `:-`)."""
    text = "\n".join(
        line for line in COMPOSE.read_text().splitlines() if not line.lstrip().startswith("#")
    )
    uses = re.findall(r"\$\{([A-Z0-9_]*(?:PASSWORD|SECRET|_KEY|TOKEN)[A-Z0-9_]*)(:[-?])?", text)
    assert {name for name, _ in uses} >= set(SECRETS)
    assert all(op == ":?" for _, op in uses), uses


def test_the_stack_logs_in_with_the_fab_auth_manager(services: dict) -> None:
    """A real auth manager (users, roles, password changes in the metadata DB), not Airflow's
    development-only simple auth manager; the admin from the required .env password."""
    fab = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
    for name in AIRFLOW_SERVICES:
        env = _env(services[name])
        assert env["AIRFLOW__CORE__AUTH_MANAGER"] == fab, name
        assert not [k for k in env if "SIMPLE_AUTH_MANAGER" in k], name
        # Roles are synced once by airflow-init, not by each component as it starts.
        assert env["AIRFLOW__FAB__UPDATE_FAB_PERMS"] == "False", name
    init_env = _env(services["airflow-init"])
    assert init_env["_AIRFLOW_WWW_USER_PASSWORD"].startswith("${AIRFLOW_ADMIN_PASSWORD:?")
    init = (REPO / "docker" / "airflow-init.sh").read_text()
    setup = REPO / "docker" / "airflow-db-setup.sh"
    assert 'bash "$(dirname "${BASH_SOURCE[0]}")/airflow-db-setup.sh"' in init
    assert "COPY docker/airflow-db-setup.sh ./docker/airflow-db-setup.sh" in DOCKERFILE.read_text()
    code = setup.read_text()
    for command in ("airflow db migrate", "airflow sync-perm", "airflow users create --role Admin"):
        assert command in code, command
    subprocess.run(["bash", "-n", str(setup)], check=True)


def test_ports_listen_on_localhost_unless_configured(services: dict) -> None:
    published = [p for s in services.values() for p in s.get("ports", [])]
    assert published
    for port in published:
        assert port.startswith("${THADS_BIND_ADDRESS:-127.0.0.1}:"), port


def test_every_thads_setting_reaches_the_airflow_services(services: dict) -> None:
    """Every THADS_* variable the code reads is passed through: THADS_HOME / THADS_LANDING
    by the compose file, the others by ./thads.env (thads.env.example lists them)."""
    read = set()
    for folder in ("thads", "ingest", "expectations", "dags"):
        for path in (REPO / folder).rglob("*.py"):
            read |= set(re.findall(r"THADS_[A-Z][A-Z0-9_]*[A-Z]", path.read_text()))
    read = {name for name in read if not re.fullmatch(r"THADS_SMTP_TO_\d+", name)}
    example = (REPO / "thads.env.example").read_text()
    listed = set(re.findall(r"^#? ?(THADS_[A-Z0-9_]+?)(?:_<[a-z]+>)?=", example, re.M))
    listed |= {"THADS_SMTP_TO_"} if "THADS_SMTP_TO_<code>" in example else set()
    for name in AIRFLOW_SERVICES:
        env = _env(services[name])
        assert {"THADS_HOME", "THADS_LANDING"} <= set(env), name
        # Set here only what the stack decides; an empty default would hide thads.env.
        assert {k for k in env if k.startswith("THADS_")} == {"THADS_HOME", "THADS_LANDING"}
        assert {"path": "./thads.env", "required": False} in services[name]["env_file"], name
    missing = read - listed - {"THADS_HOME", "THADS_LANDING"}
    assert not missing, f"not in thads.env.example: {sorted(missing)}"


def test_init_script_never_takes_over_the_landing_folder() -> None:
    script = (REPO / "docker" / "airflow-init.sh").read_text()
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))
    for line in code.splitlines():
        if "chown" in line:
            assert "THADS_LANDING" not in line, line
    assert "THADS_LANDING" in code  # it is checked (readable by the task user), not changed
