"""The folder channel (THADS_ALERT_DIR): each alert a text file, written once."""

from __future__ import annotations

from pathlib import Path

from tests.test_notify import dq_rows
from thads import notify
from thads.config import Paths
from thads.notify.channels import FolderNotifier, notifiers_from_env


def test_folder_channel_from_env_writes_each_alert_once(tmp_path: Path) -> None:
    folder = tmp_path / "alerts_out"
    channels = notifiers_from_env({"THADS_ALERT_DIR": str(folder)})
    assert [type(c) for c in channels] == [FolderNotifier]
    paths = Paths(tmp_path / "home").ensure()
    for _ in range(2):  # a retried task composes the same alerts: still one file each
        report = notify.alert_batch(dq_rows(), paths, "b-1", channels).to_dict()
        assert (report["sent"], report["failed"], report["pending"]) == (3, 0, 0)
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 3  # provinces 02 and 80, and the data team
    long_an = next(folder.glob("80_*.txt")).read_text(encoding="utf-8")
    assert long_an.startswith("[THADS]")
    assert 'Sheet "Viec", dòng 12, cột "Tong so thu ly"' in long_an
    assert next(folder.glob("team_*.txt")).read_text(encoding="utf-8").count("quarantined") >= 1
