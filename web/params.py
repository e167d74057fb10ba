"""Numbers in request parameters: plain ASCII digits of bounded length, or the default.

``str.isdigit`` accepts ``²`` and 5,000-digit strings, which ``int`` then refuses with an
error page; every number a route reads from its parameters goes through ``number``.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"[0-9]{1,9}")


def number(raw: str | None, default: int | None) -> int | None:
    """``raw`` as a number when it is one (up to nine ASCII digits), else ``default``."""
    return int(raw) if raw is not None and _NUMBER.fullmatch(raw) else default
