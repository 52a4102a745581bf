"""Per-province access tokens for the check page (`thads serve`): who may submit a file into
the landing zone and see which submissions.

The data team issues a token for one province (`thads tokens issue --province 80`) and
hands it to that office; the token is shown once and only its SHA-256 is kept, in
`THADS_HOME/state/tokens.json` (`Paths.tokens`). A token is 32 random bytes, so a plain
hash is enough: there is nothing to guess, and a stolen tokens file gives away no token.
Revoking keeps the record (who had access, until when) and stops it working at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from thads import reference
from thads.config import Paths

#: Token text: a prefix a person (or a secret scanner) recognises, then 43 url-safe chars.
TOKEN_PREFIX = "thads_"


class TokenError(ValueError):
    """An unknown province code, or an unknown token id."""


@dataclass(frozen=True)
class TokenRecord:
    id: str
    province_code: str
    sha256: str
    note: str
    issued_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def public(self) -> dict[str, str | None]:
        """What `thads tokens list` shows: everything but the hash."""
        out = asdict(self)
        out.pop("sha256")
        out["province_name"] = province_name(self.province_code)
        return out


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def province_name(code: str) -> str | None:
    """The province's name in the current (34) set, else in the legacy (63) set."""
    for boundary in (reference.CURRENT, reference.LEGACY):
        province = reference.province_by_code(boundary).get(code)
        if province:
            return province.name
    return None


def read_tokens(paths: Paths) -> list[TokenRecord]:
    if not paths.tokens.exists():
        return []
    return [TokenRecord(**row) for row in json.loads(paths.tokens.read_text("utf-8"))]


def _write(paths: Paths, records: list[TokenRecord]) -> None:
    from thads.durable import atomic_write_text

    text = json.dumps([asdict(r) for r in records], ensure_ascii=False, indent=1)
    atomic_write_text(paths.tokens, text + "\n")


def _locked(paths: Paths):
    from thads.durable import exclusive_lock

    return exclusive_lock(paths.tokens_lock)


def issue(paths: Paths, province_code: str, note: str = "") -> tuple[TokenRecord, str]:
    """A new token for one province: (its record, the token text to hand over once)."""
    code = province_code.strip().zfill(2)
    if province_name(code) is None:
        raise TokenError(f"no province with code {province_code!r} (see thads/reference.py)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with _locked(paths):
        records = read_tokens(paths)
        taken = {r.id for r in records}
        token_id = secrets.token_hex(4)
        while token_id in taken:
            token_id = secrets.token_hex(4)
        record = TokenRecord(token_id, code, _hash(token), note, _now())
        _write(paths, [*records, record])
    return record, token


def revoke(paths: Paths, token_id: str) -> TokenRecord:
    with _locked(paths):
        records = read_tokens(paths)
        for i, record in enumerate(records):
            if record.id == token_id:
                if record.active:
                    records[i] = TokenRecord(**{**asdict(record), "revoked_at": _now()})
                    _write(paths, records)
                return records[i]
    raise TokenError(f"no token with id {token_id!r} (thads tokens list)")


def verify(paths: Paths, token: str | None) -> TokenRecord | None:
    """The active record of `token`, or None (unknown, revoked, empty)."""
    if not token or not token.strip():
        return None
    digest = _hash(token.strip())
    found = None
    for record in read_tokens(paths):
        # Compare every record in constant time: no timing hint of how close a guess was.
        if hmac.compare_digest(record.sha256, digest) and record.active:
            found = record
    return found
