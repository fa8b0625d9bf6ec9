"""The case file's timeline as an SVG drawing (no script, no inline style: CSP-safe)."""

from __future__ import annotations

from html import escape
from typing import Any

COLOURS = {"arrest": "#b3261e", "charge": "#c2561a", "summons": "#a07400", "sentence": "#7b1fa2",
           "release": "#2e7d32", "ban": "#455a64", "confiscation": "#6d4c41", "hunger_strike": "#ad1457",
           "killing": "#000000"}


def timeline_svg(entries: list[Any], width: int = 800, row: int = 26) -> str:
    """One dot per happening on a date axis, labelled; empty string without entries."""
    if not entries:
        return ""
    days = [e.date.toordinal() for e in entries]
    lo, hi = min(days), max(days)
    span = max(hi - lo, 1)
    left, right = 90, 20
    height = 40 + row * len(entries)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="timeline of {len(entries)} reported happenings" class="timeline">',
             f'<line x1="{left}" y1="20" x2="{width - right}" y2="20" stroke="#888"/>',
             f'<text x="{left}" y="14" font-size="11" fill="#555">{entries[0].date.isoformat()}</text>',
             f'<text x="{width - right}" y="14" font-size="11" fill="#555" text-anchor="end">'
             f'{max(e.date for e in entries).isoformat()}</text>']
    for i, e in enumerate(entries):
        x = left + (e.date.toordinal() - lo) * (width - left - right) / span
        y = 40 + i * row
        colour = COLOURS.get(e.type, "#333")
        label = escape(f"{e.date.isoformat()} {e.what}" + (f" ({e.term})" if e.term else "")
                       + (" — background" if e.background else "") + f" [{e.review}]")
        parts += [f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{y}" stroke="#ccc"/>',
                  f'<circle cx="{x:.1f}" cy="{y}" r="6" fill="{colour}"><title>{label}</title></circle>',
                  f'<text x="{min(x + 10, width - 300):.1f}" y="{y + 4}" font-size="12" fill="#222">'
                  f'{label}</text>']
    parts.append("</svg>")
    return "".join(parts)
