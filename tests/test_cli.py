import subprocess
import sys

from thads.cli import COMMANDS


def test_help_lists_the_contract_subcommands():
    out = subprocess.run(
        [sys.executable, "-m", "thads.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for name in ("generate", "load", "check", "rank", "submissions"):
        assert name in out


def test_every_subcommand_has_help():
    for name in COMMANDS:
        proc = subprocess.run(
            [sys.executable, "-m", "thads.cli", name, "--help"], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        assert "usage: thads" in proc.stdout
