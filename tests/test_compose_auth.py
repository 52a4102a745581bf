"""The compose stack's login, for real: the FAB auth manager with the environment that
docker-compose.yml gives each Airflow service (read from the file and its `.env` as
`scripts/compose-env.sh` writes it, not copied here), on SQLite in a temporary AIRFLOW_HOME.
The init container's own script (docker/airflow-db-setup.sh) migrates the DB and creates the
admin, `airflow dags reserialize` stands in for the dag-processor, and a real
`airflow api-server` answers over HTTP: the admin gets a REST token with the `.env` password
and lists the DAGs, and logs in through the UI's form; a wrong password is refused; a Viewer
added through FAB's user API can read but not trigger, and the admin changes her password."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.airflow_harness import REPO
from tests.airflow_stack import free_port

COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "docker" / "Dockerfile"
SETUP = REPO / "docker" / "airflow-db-setup.sh"
FAB = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
VENV_BIN = Path(sys.executable).parent

#: ${NAME}, ${NAME:-default}, ${NAME:?message} (what docker-compose.yml uses).
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}")


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=value lines of a compose `.env` (comments and blank lines skipped)."""
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value
    return pairs


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Compose's variable interpolation: a required variable that is unset or empty is an
    error, as `docker compose` refuses to start then."""

    def one(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        found = variables.get(name, "")
        if operator == ":?" and not found:
            raise LookupError(f"{name}: {argument}")
        if operator == ":-" and not found:
            return argument
        return found

    return _VARIABLE.sub(one, value.replace("$$", "\0")).replace("\0", "$")


def service_env(service: dict[str, Any], variables: Mapping[str, str]) -> dict[str, str]:
    return {k: interpolate(str(v), variables) for k, v in service["environment"].items()}


def on_this_machine(
    service: dict[str, Any], env: dict[str, str], root: Path, port: int
) -> dict[str, str]:
    """A service's environment moved from its container to this machine: the image's
    folders (docker/Dockerfile) and the service's volumes to folders under `root`, PostgreSQL
    to SQLite, container host names to 127.0.0.1:port. Every other setting (auth manager,
    secrets, FAB options) stays as compose gives it."""
    dockerfile = DOCKERFILE.read_text()
    app = re.search(r"^WORKDIR (\S+)", dockerfile, re.M)
    image_home = re.search(r"AIRFLOW_HOME=(\S+)", dockerfile)
    assert app and image_home, "docker/Dockerfile sets WORKDIR and AIRFLOW_HOME"
    home = root / "airflow"
    folders = {app.group(1): REPO, image_home.group(1): home}  # the app is this repository
    for volume in service["volumes"]:
        target = volume.split(":")[1]
        folders[target] = root / target.strip("/").replace("/", "-")
    # The deepest folder first: /opt/airflow/logs is a volume of its own inside AIRFLOW_HOME.
    folders = dict(sorted(folders.items(), key=lambda item: -len(item[0])))
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    moved = {}
    for key, value in env.items():
        for container, host in folders.items():
            if value == container or value.startswith(container + "/"):
                value = str(host) + value[len(container) :]
                break
        for address in ("airflow-apiserver:8080", "localhost:8080"):
            value = value.replace(address, f"127.0.0.1:{port}")
        moved[key] = value
    moved["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{home / 'airflow.db'}"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "THADS_"))}
    return {
        **base,
        **moved,
        "AIRFLOW_HOME": str(home),
        "PATH": f"{VENV_BIN}{os.pathsep}{base.get('PATH', '')}",
        # The container listens on 8080 on all its interfaces; here one port on loopback, and
        # one API worker on this 2-core machine (not a login setting).
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": "1",
    }


def run(cmd: list[str], env: dict[str, str], log: Path, timeout: float = 180) -> str:
    proc = subprocess.run(
        cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )
    log.write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed; log {log}:\n{log.read_text()[-3000:]}"
    return proc.stdout


class ApiServer:
    """`airflow api-server` as the compose service runs it, stopped (its own process group
    only) on exit."""

    def __init__(self, command: str, env: dict[str, str], log: Path) -> None:
        self.url = f"http://127.0.0.1:{env['AIRFLOW__API__PORT']}"
        self.log = log
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                [str(VENV_BIN / "airflow"), *command.split()],
                env=env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"api-server exited:\n{self.log.read_text()[-3000:]}"
            try:
                if httpx.get(f"{self.url}/api/v2/monitor/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"api-server did not answer:\n{self.log.read_text()[-3000:]}")

    def token(self, username: str, password: str) -> httpx.Response:
        return httpx.post(
            f"{self.url}/auth/token", json={"username": username, "password": password}, timeout=30
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


@pytest.fixture(scope="module")
def dotenv(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The `.env` that scripts/compose-env.sh writes for a new deployment."""
    path = tmp_path_factory.mktemp("compose") / ".env"
    subprocess.run(["bash", str(REPO / "scripts" / "compose-env.sh"), str(path)], check=True)
    variables = read_dotenv(path)
    # One generated password in 64 starts with "-" (token_urlsafe), which an option parser
    # can take for an option: always test that case.
    variables["AIRFLOW_ADMIN_PASSWORD"] = "-" + variables["AIRFLOW_ADMIN_PASSWORD"]
    return variables


def test_compose_refuses_to_start_without_the_admin_password(
    services: dict[str, Any], dotenv: dict[str, str]
) -> None:
    init = services["airflow-init"]
    assert (
        service_env(init, dotenv)["_AIRFLOW_WWW_USER_PASSWORD"]
        == (dotenv["AIRFLOW_ADMIN_PASSWORD"])
    )
    for missing in ({}, {"AIRFLOW_ADMIN_PASSWORD": ""}):
        variables = {k: v for k, v in dotenv.items() if k != "AIRFLOW_ADMIN_PASSWORD"}
        with pytest.raises(LookupError, match="AIRFLOW_ADMIN_PASSWORD"):
            service_env(init, {**variables, **missing})
    # The setup script refuses too, before touching the DB.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW"))}
    proc = subprocess.run(["bash", str(SETUP)], env=env, capture_output=True, text=True)
    assert proc.returncode != 0 and "AIRFLOW_ADMIN_PASSWORD" in proc.stderr


@pytest.fixture(scope="module")
def server(
    services: dict[str, Any], dotenv: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    root = tmp_path_factory.mktemp("fab")
    port = free_port()
    envs = {
        name: on_this_machine(services[name], service_env(services[name], dotenv), root, port)
        for name in ("airflow-init", "airflow-dag-processor", "airflow-apiserver")
    }
    for env in envs.values():
        assert env["AIRFLOW__CORE__AUTH_MANAGER"] == FAB
    logs = root / "logs"
    logs.mkdir()
    # What airflow-init runs (docker/airflow-init.sh calls this script); then, while the
    # api-server starts, the DAGs written to the metadata DB as the dag-processor would.
    run(["bash", str(SETUP)], envs["airflow-init"], logs / "init.log")
    api = ApiServer(
        services["airflow-apiserver"]["command"], envs["airflow-apiserver"], logs / "api.log"
    )
    try:
        airflow = str(VENV_BIN / "airflow")
        run([airflow, "dags", "reserialize"], envs["airflow-dag-processor"], logs / "dags.log")
        api.wait_healthy()
        yield api
    finally:
        api.stop()


@pytest.mark.slow
def test_admin_gets_a_token_with_the_env_password_and_lists_dags(
    server: ApiServer, dotenv: dict[str, str]
) -> None:
    login = server.token(dotenv["AIRFLOW_ADMIN_USER"], dotenv["AIRFLOW_ADMIN_PASSWORD"])
    assert login.status_code == 201, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    dags = httpx.get(f"{server.url}/api/v2/dags", headers=headers, timeout=30)
    assert dags.status_code == 200, dags.text
    dag_ids = {dag["dag_id"] for dag in dags.json()["dags"]}
    assert {"thads_load", "thads_build", "thads_deadlines", "thads_year_end_close"} <= dag_ids
    # FAB's own user API answers the admin: it is FAB, not the simple auth manager.
    users = httpx.get(f"{server.url}/auth/fab/v1/users", headers=headers, timeout=30)
    assert users.status_code == 200, users.text
    admin = next(u for u in users.json()["users"] if u["username"] == "admin")
    assert [role["name"] for role in admin["roles"]] == ["Admin"]


@pytest.mark.slow
def test_wrong_password_unknown_user_and_no_token_are_refused(
    server: ApiServer, dotenv: dict[str, str]
) -> None:
    assert server.token("admin", dotenv["AIRFLOW_ADMIN_PASSWORD"] + "x").status_code == 401
    assert server.token("admin", "admin").status_code == 401  # no development default
    assert server.token("nobody", dotenv["AIRFLOW_ADMIN_PASSWORD"]).status_code == 401
    assert httpx.get(f"{server.url}/api/v2/dags", timeout=30).status_code == 401
    forged = {"Authorization": "Bearer not-a-token"}  # Airflow answers 403 "invalid JWT"
    refused = httpx.get(f"{server.url}/api/v2/dags", headers=forged, timeout=30)
    assert refused.status_code in (401, 403), refused.text


@pytest.mark.slow
def test_the_admin_adds_a_viewer_who_reads_but_cannot_trigger_and_resets_her_password(
    server: ApiServer, dotenv: dict[str, str]
) -> None:
    admin = server.token("admin", dotenv["AIRFLOW_ADMIN_PASSWORD"]).json()["access_token"]
    created = httpx.post(
        f"{server.url}/auth/fab/v1/users",
        headers={"Authorization": f"Bearer {admin}"},
        json={
            "username": "analyst",
            "email": "analyst@example.gov.vn",
            "first_name": "Phân",
            "last_name": "Tích",
            "roles": [{"name": "Viewer"}],
            "password": "viewer-pass-123",
        },
        timeout=30,
    )
    assert created.status_code == 200, created.text
    login = server.token("analyst", "viewer-pass-123")
    assert login.status_code == 201, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    dags = httpx.get(f"{server.url}/api/v2/dags", headers=headers, timeout=30)
    assert dags.status_code == 200, dags.text
    assert "thads_load" in {dag["dag_id"] for dag in dags.json()["dags"]}
    trigger = httpx.post(
        f"{server.url}/api/v2/dags/thads_load/dagRuns",
        headers=headers,
        json={"logical_date": None},
        timeout=30,
    )
    assert trigger.status_code == 403, trigger.text
    # The admin sets a new password (docs/airflow.md): the old one stops working at once.
    changed = httpx.patch(
        f"{server.url}/auth/fab/v1/users/analyst",
        params={"update_mask": "password"},
        headers={"Authorization": f"Bearer {admin}"},
        json={"password": "viewer-pass-456"},
        timeout=30,
    )
    assert changed.status_code == 200, changed.text
    assert server.token("analyst", "viewer-pass-123").status_code == 401
    assert server.token("analyst", "viewer-pass-456").status_code == 201


def browser_login(browser: httpx.Client, username: str, password: str) -> None:
    """The UI's login form, as a browser sends it (FAB's Flask view, with its CSRF token)."""
    form = browser.get("/auth/login/")
    assert form.status_code == 200, form.text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text)
    assert csrf, "no CSRF token in the login form"
    browser.post(
        "/auth/login/",
        data={"username": username, "password": password, "csrf_token": csrf.group(1)},
    )


@pytest.mark.slow
def test_the_admin_logs_in_to_the_ui_and_reaches_the_password_change_page(
    server: ApiServer, dotenv: dict[str, str]
) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        browser_login(browser, "admin", dotenv["AIRFLOW_ADMIN_PASSWORD"])
        # The UI calls the API with the JWT cookie the login set.
        assert "_token" in browser.cookies
        assert browser.get("/api/v2/dags").status_code == 200
        page = browser.get("/auth/resetmypassword/form")  # docs/airflow.md sends people here
        assert page.status_code == 200 and 'name="password"' in page.text, page.text[:500]
    with httpx.Client(base_url=server.url, timeout=30) as stranger:
        browser_login(stranger, "admin", "admin")
        assert "_token" not in stranger.cookies
        page = stranger.get("/auth/resetmypassword/form")
        assert page.status_code == 302 and "/auth/login/" in page.headers["location"]
