"""One alert: who it is for, what it says, and the findings behind it as data."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Audience = Literal["province", "data_team"]


@dataclass
class Alert:
    """A message for one province office (Vietnamese) or for the data team.

    `id` is a hash of the content: the same alert composed twice (a retried task) is the
    same alert, so the outbox never holds it twice.
    """

    audience: Audience
    subject: str
    body: str
    province_code: str | None = None
    province_name: str | None = None
    batch_id: str | None = None
    language: str = "vi"
    data: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            content = json.dumps(
                [self.audience, self.province_code, self.batch_id, self.subject, self.body],
                ensure_ascii=False,
            )
            self.id = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        return cls(**data)

    def payload(self) -> dict[str, Any]:
        """The JSON a webhook receives (`text` is what chat tools display)."""
        return {
            "id": self.id,
            "audience": self.audience,
            "province_code": self.province_code,
            "province_name": self.province_name,
            "batch_id": self.batch_id,
            "language": self.language,
            "subject": self.subject,
            "text": f"{self.subject}\n\n{self.body}",
            "data": self.data,
        }
