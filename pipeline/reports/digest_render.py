"""The digest as Markdown, HTML (an e-mail body and a page) and JSON.

Crawled text is data: every renderer escapes it so a page cannot inject markup.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING

from pipeline.reports import incidents as incidents_report
from pipeline.reports.languages import sentence_label

if TYPE_CHECKING:
    from pipeline.reports.digest import Digest, DocRef, EntityTrend


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601, or None for a missing value."""
    return value.isoformat() if value is not None else None


def _ref_json(r: DocRef) -> dict:
    return {"url": r.url, "title": r.title, "source": r.source, "published": iso(r.published),
            "first_seen_at": iso(r.first_seen_at), "language": r.language}


def render_json(d: Digest) -> dict:
    """A JSON-serialisable dict with stable keys (times in UTC, ISO 8601)."""
    return {
        "digest": {"label": d.label, "day": iso(d.day), "start": iso(d.start), "end": iso(d.end),
                   "timezone": d.timezone, "generated_at": iso(d.generated_at)},
        "summary": {"events": len(d.events), "documents": d.document_count,
                    "statements": d.statement_count, "empty": d.empty,
                    "message": d.no_documents_message if d.document_count == 0 else None},
        "events": [
            {"person": e.person, "written_as": e.written_as, "type": e.type, "what": e.what,
             "date": iso(e.date), "term": e.term, "sentence": e.sentence,
             "language": e.language, "method": e.method,
             "source": e.document.source, "url": e.document.url, "title": e.document.title,
             "also_reported_by": [_ref_json(r) for r in e.also_reported_by], "review": e.review}
            for e in d.events
        ],
        "documents": [
            {"source": src.source, "statements": [
                {"document": _ref_json(st.document), "copies": [_ref_json(c) for c in st.copies],
                 "earlier": _ref_json(st.earlier) if st.earlier else None}
                for st in src.statements]}
            for src in d.sources
        ],
        "people": [_trend_json(t) for t in d.people],
        "organizations": [_trend_json(t) for t in d.organizations],
        "sources": [
            {"source": h.source, "kind": h.kind, "status": h.status, "passes": h.passes,
             "fetched": h.fetched, "new": h.new, "failed": h.failed,
             "last_success_at": iso(h.last_success_at)}
            for h in d.health
        ],
        "not_analysed": [{"document": _ref_json(u.document), "reason": u.reason} for u in d.unanalysed],
        "incidents": d.incidents,
    }


def _trend_json(t: EntityTrend) -> dict:
    return {"name": t.name, "watchlisted": t.watchlisted, "count": t.count,
            "previous_7_days": t.previous, "previous_per_day": t.previous_per_day,
            "expected": t.expected, "delta": t.delta, "trend": t.trend}


def _local(d: Digest, moment: datetime | None) -> str:
    return f"{d.local(moment):%Y-%m-%d %H:%M}" if moment else "never"


def _linkable(url: str) -> bool:
    # crawled URLs are data: only web links become clickable
    return url.startswith(("http://", "https://"))


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def md(text: str | None) -> str:
    """Text on one line with Markdown's special characters escaped."""
    return " ".join((text or "").split()).translate(_MD_SPECIAL)


def md_link(url: str, title: str | None) -> str:
    """A Markdown link to a web URL, or just the escaped title for any other URL."""
    label = md(title) or md(url)
    return f"[{label}](<{url.replace('>', '%3E')}>)" if _linkable(url) else label


def _md_link(r: DocRef) -> str:
    return md_link(r.url, r.title)


def _period(d: Digest) -> str:
    return f"{_local(d, d.start)} to {_local(d, d.end)} ({d.timezone})"


def render_markdown(d: Digest) -> str:
    """The digest as Markdown; crawled text is escaped so it cannot inject markup."""
    out = [f"# atrisk digest: {d.label}", "",
           f"{_period(d)}. {len(d.events)} new event(s), {d.document_count} new document(s) "
           f"({d.statement_count} distinct statement(s)).", ""]
    out += incidents_report.digest_markdown(d.incidents, md) if d.incidents else []
    out += ["## New events", ""]
    if not d.events:
        out += ["No new events.", ""]
    for e in d.events:
        when = f" on {e.date.isoformat()}" if e.date else ""
        term = f", {md(e.term)}" if e.term else ""
        out.append(f"- **{md(e.person)}** {e.what}{when}{term}: "
                   f"{_md_link(e.document)} ({md(e.document.source)})")
        out.append(f"  > {md(sentence_label(e.language, e.method))}{md(e.sentence)}")
        if e.also_reported_by:
            also = "; ".join(f"{md(r.source)} {_md_link(r)}" for r in e.also_reported_by)
            out.append(f"  Also reported by: {also}")
    out += ["", "## New documents", ""]
    if not d.sources:
        out += [f"{d.no_documents_message}.", ""]
    for src in d.sources:
        out += [f"### {md(src.source)} ({len(src.statements)})", ""]
        for st in src.statements:
            day = st.document.published.isoformat() if st.document.published else "undated"
            out.append(f"- {_md_link(st.document)} ({day})")
            for c in st.copies:
                out.append(f"  - copy: {md(c.source)} {_md_link(c)}")
            if st.earlier:
                out.append(f"  - first seen {_local(d, st.earlier.first_seen_at)}: "
                           f"{md(st.earlier.source)} {_md_link(st.earlier)}")
        out.append("")
    for title, trends in (("People mentioned", d.people), ("Organizations mentioned", d.organizations)):
        out += [f"## {title}", ""]
        if not trends:
            out += ["None.", ""]
            continue
        out += ["| Name | Documents | Previous 7 days (per day) | Trend |", "|---|---:|---:|---|"]
        for t in trends:
            star = " ★" if t.watchlisted else ""
            out.append(f"| {md(t.name)}{star} | {t.count} | {t.previous} ({t.previous_per_day:.2f}) "
                       f"| {t.arrow} {t.delta:+.2f} |")
        out.append("")
    out += ["## Sources", "", "| Source | Status | Fetched | New | Failed | Last success |",
            "|---|---|---:|---:|---:|---|"]
    for h in d.health:
        out.append(f"| {md(h.source)} | {h.status} | {h.fetched} | {h.new} | {h.failed} "
                   f"| {_local(d, h.last_success_at)} |")
    if not d.health:
        out.append("| (no sources configured) | | | | | |")
    out += ["", "## Not analysed", ""]
    if not d.unanalysed:
        out.append("Every new document was analysed.")
    for u in d.unanalysed:
        lang = f", language {md(u.document.language)}" if u.document.language else ""
        out.append(f"- {_md_link(u.document)} ({md(u.document.source)}{lang}): {md(u.reason)}")
    return "\n".join(out) + "\n"


# Inline styles only: mail clients drop <style> blocks and scripts.
_S = {
    "body": "margin:0;padding:0;background:#f4f4f1;color:#1d1d1b;font-size:16px;line-height:1.45;"
            "font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif",
    # long unbroken words (bare URLs) must wrap instead of widening the page on a phone
    "wrap": "max-width:640px;margin:0 auto;padding:16px;background:#ffffff;"
            "overflow-wrap:anywhere;word-break:break-word",
    "h1": "font-size:22px;margin:0 0 4px 0",
    "h2": "font-size:18px;margin:24px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #1d1d1b",
    "h3": "font-size:16px;margin:16px 0 6px 0",
    "muted": "color:#5c5c57;font-size:14px;margin:0 0 8px 0",
    "event": "margin:0 0 12px 0;padding:10px 12px;border-left:4px solid #b3261e;background:#fbf1f0",
    "quote": "margin:6px 0 0 0;font-style:italic;color:#333330",
    "item": "margin:0 0 10px 0",
    "copy": "margin:2px 0 0 16px;font-size:14px;color:#5c5c57",
    "table": "border-collapse:collapse;width:100%;font-size:14px",
    "th": "text-align:left;padding:4px 6px;border-bottom:1px solid #c8c8c2",
    "td": "padding:4px 6px;border-bottom:1px solid #e6e6e1;vertical-align:top",
    "num": "padding:4px 6px;border-bottom:1px solid #e6e6e1;text-align:right",
    "a": "color:#0b57d0",
}


def _h(text: object) -> str:
    return escape(" ".join(str(text if text is not None else "").split()), quote=True)


def _person(d: Digest, name: str) -> str:
    """A person's name, linked to the workbench's case file when ``[web] base_url`` is set."""
    if not d.base_url:
        return _h(name)
    from urllib.parse import quote

    return f'<a href="{_h(d.base_url)}/people/{_h(quote(name, safe=""))}" style="{_S["a"]}">{_h(name)}</a>'


def _a(r: DocRef) -> str:
    title = _h(r.title or r.url)
    if not _linkable(r.url):
        return title
    return f'<a href="{_h(r.url)}" style="{_S["a"]}">{title}</a>'


def _table(head: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    th = "".join(f'<th style="{_S["th"]}">{_h(c)}</th>' for c in head)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_S["num"] if i in numeric else _S["td"]}">{c}</td>'
                         for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f'<table role="presentation" style="{_S["table"]}"><tr>{th}</tr>{body}</table>'


def render_html(d: Digest) -> str:
    """A self-contained page that also works as an e-mail body (inline styles, no scripts)."""
    p: list[str] = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>atrisk digest: {_h(d.label)}</title></head>",
        f'<body style="{_S["body"]}"><div style="{_S["wrap"]}">',
        f'<h1 style="{_S["h1"]}">atrisk digest: {_h(d.label)}</h1>',
        f'<p style="{_S["muted"]}">{_h(_period(d))}. {len(d.events)} new event(s), '
        f"{d.document_count} new document(s), {d.statement_count} distinct statement(s).</p>",
        f'<h2 style="{_S["h2"]}">New events</h2>',
    ]
    if not d.events:
        p.append(f'<p style="{_S["muted"]}">No new events.</p>')
    for e in d.events:
        when = f" on {_h(e.date.isoformat())}" if e.date else ""
        term = f", {_h(e.term)}" if e.term else ""
        also = ""
        if e.also_reported_by:
            also = (f'<div style="{_S["copy"]}">Also reported by: '
                    + "; ".join(f"{_h(r.source)} {_a(r)}" for r in e.also_reported_by) + "</div>")
        p.append(
            f'<div class="event" style="{_S["event"]}">'
            f'<strong>{_person(d, e.person)}</strong> {_h(e.what)}{when}{term}'
            f'<div style="{_S["copy"]}">{_h(e.document.source)}: {_a(e.document)}</div>'
            f'<div style="{_S["quote"]}">{_h(sentence_label(e.language, e.method))}“{_h(e.sentence)}”</div>'
            f'{also}</div>'
        )
    p += incidents_report.digest_html(d.incidents, _h, _S) if d.incidents else []
    p.append(f'<h2 style="{_S["h2"]}">New documents</h2>')
    if not d.sources:
        p.append(f'<p style="{_S["muted"]}">{_h(d.no_documents_message)}.</p>')
    for src in d.sources:
        p.append(f'<h3 style="{_S["h3"]}">{_h(src.source)} ({len(src.statements)})</h3>')
        for st in src.statements:
            day = st.document.published.isoformat() if st.document.published else "undated"
            extra = "".join(f'<div style="{_S["copy"]}">copy: {_h(c.source)} {_a(c)}</div>'
                            for c in st.copies)
            if st.earlier:
                extra += (f'<div style="{_S["copy"]}">first seen {_h(_local(d, st.earlier.first_seen_at))}: '
                          f"{_h(st.earlier.source)} {_a(st.earlier)}</div>")
            p.append(f'<div style="{_S["item"]}">{_a(st.document)} '
                     f'<span style="{_S["muted"]}">({_h(day)})</span>{extra}</div>')
    for title, trends in (("People mentioned", d.people), ("Organizations mentioned", d.organizations)):
        p.append(f'<h2 style="{_S["h2"]}">{title}</h2>')
        if not trends:
            p.append(f'<p style="{_S["muted"]}">None.</p>')
            continue
        rows = [[_h(t.name) + (" ★" if t.watchlisted else ""), str(t.count),
                 f"{t.previous} ({t.previous_per_day:.2f}/day)", f"{_h(t.arrow)} {t.delta:+.2f}"]
                for t in trends]
        p.append(_table(["Name", "Docs", "Previous 7 days", "Trend"], rows, {1, 2}))
    p.append(f'<h2 style="{_S["h2"]}">Sources</h2>')
    rows = [[_h(h.source), _h(h.status), str(h.fetched), str(h.new), str(h.failed),
             _h(_local(d, h.last_success_at))] for h in d.health]
    p.append(_table(["Source", "Status", "Fetched", "New", "Failed", "Last success"], rows, {2, 3, 4})
             if rows else f'<p style="{_S["muted"]}">No sources configured.</p>')
    p.append(f'<h2 style="{_S["h2"]}">Not analysed</h2>')
    if not d.unanalysed:
        p.append(f'<p style="{_S["muted"]}">Every new document was analysed.</p>')
    for u in d.unanalysed:
        lang = f", language {_h(u.document.language)}" if u.document.language else ""
        p.append(f'<div style="{_S["item"]}">{_a(u.document)} '
                 f'<span style="{_S["muted"]}">({_h(u.document.source)}{lang}): {_h(u.reason)}</span></div>')
    p.append("</div></body></html>")
    return "\n".join(p) + "\n"
