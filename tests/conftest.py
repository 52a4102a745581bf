"""Shared fixtures. Every test gets its own THADS_HOME so state never leaks between tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "samples"


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture
def thads_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "thads_home"
    monkeypatch.setenv("THADS_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def real_warehouse(tmp_path_factory: pytest.TempPathFactory):
    """A warehouse built by the real dbt project from a small raw layer, and published
    (tests/real_warehouse.py). Shared by the whole session: read it, never change it; a test
    that changes state works on `real_warehouse.copy_home(...)`."""
    from tests.real_warehouse import build_real_warehouse

    return build_real_warehouse(tmp_path_factory.mktemp("real_warehouse") / "home")


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory):
    """A second, smaller real build (three periods), not published: for tests that need two
    different builds (republish, readers during a publish)."""
    from tests.real_warehouse import SMALL_PERIODS, build_real_warehouse

    home = tmp_path_factory.mktemp("small_warehouse") / "home"
    return build_real_warehouse(home, periods=SMALL_PERIODS, publish_it=False)
