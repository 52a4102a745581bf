"""Structured logs: one line per event, `event key=value ...`, always naming the file involved."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

_CONFIGURED = False


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, "fields", {})
        parts = [
            self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            record.levelname.lower(),
            record.name,
            record.getMessage(),
        ]
        parts += [
            f"{k}={json.dumps(v, ensure_ascii=False, default=str)}" for k, v in fields.items()
        ]
        return " ".join(parts)


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time of the record (not at configure time),
    so a caller that swaps stderr (tests, Airflow's task log capture) gets the lines."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure(level: int = logging.INFO, stream: Any = None) -> None:
    global _CONFIGURED
    if _CONFIGURED:
        return
    handler = logging.StreamHandler(stream) if stream else _CurrentStderr()
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger("thads")
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    _CONFIGURED = True


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name if name.startswith("thads") else f"thads.{name}")


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log `name` with structured fields, e.g. event(log, "quarantined", file=..., rule=...)."""
    logger.log(level, name, extra={"fields": fields})
