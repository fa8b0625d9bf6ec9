"""The one duration grammar: a whole number and a unit (``90s``, ``15m``, ``1h``, ``2d``, ``1w``).

Used for source intervals (``every``), scheduler options and ``--since WHEN``, where
``WHEN`` is also a date (``2026-11-01``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> int:
    """``"90s"``, ``"15m"``, ``"1h"``, ``"2d"``, ``"1w"`` to seconds; ValueError otherwise."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"invalid duration {text!r}: use a number and s, m, h, d or w, e.g. '1h'")
    return int(m[1]) * _SECONDS[m[2]]


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """A date (``2026-11-01``, midnight) or a duration back from ``now`` (naive UTC; ``24h``, ``7d``)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if _DURATION.match(text):
        return now - timedelta(seconds=parse_duration(text))
    try:
        return datetime.combine(date.fromisoformat(text.strip()), datetime.min.time())
    except ValueError:
        raise ValueError(f"{text!r}: use a date (2026-11-01) or a duration (24h, 7d)") from None
