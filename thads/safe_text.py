"""Names from outside shown safely: control characters escaped, wherever a name is printed.

A province (or anyone who can write to the landing zone) chooses the file names; a name
with a terminal escape sequence, a newline or a right-to-left override must not rewrite
the operator's terminal, forge a log line or disguise itself. `safe_text` escapes them
(`\\x1b`, `\\n`, `\\u202e`) and shows bytes that are not UTF-8 as `\\xNN`.
"""

from __future__ import annotations

import unicodedata

#: Categories escaped: controls (Cc), format characters such as bidi overrides and
#: zero-width joiners (Cf), lone surrogates (Cs: undecodable bytes of a file name), line
#: and paragraph separators (Zl, Zp).
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogateescape of a raw byte
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def safe_text(text: str) -> str:
    """`text` with every control, format and undecodable character escaped."""
    if text.isprintable():  # the common case: nothing to do
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _UNSAFE else c for c in text)
