"""`atrisk demo`: the bundled sample site served on 127.0.0.1, one full pass, a summary."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from crawler.localsite import LocalSite, fill_placeholders
from pipeline.app import App
from pipeline.delivery.alerts import CANCELLED, FEED_CHANNEL
from pipeline.storage.models import Alert, Document, Entity, Event, Mention, Source

DEMO_SITE = Path(__file__).resolve().parent.parent / "demo_site"
DEMO_CONFIG = """\
# Written by `atrisk demo`: a local site needs no politeness delay.
[crawl]
download_delay = 0.0
autothrottle = false
contact = "atrisk demo on 127.0.0.1"
[alerts]
feed = "{feed}"
"""


def run_demo(app: App, progress_display: Callable[..., Any], workdir: str | Path = "data/demo") -> None:
    from crawler.crawl import run_crawl
    from pipeline.passes import run_pass

    console = Console(stderr=True)
    out = Console()
    work = Path(workdir)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    with LocalSite(DEMO_SITE) as site:
        sources = work / "sources.toml"
        sources.write_text(fill_placeholders((DEMO_SITE / "sources.toml").read_text("utf-8"), site.base))
        config = work / "config.toml"
        config.write_text(DEMO_CONFIG.format(feed=(work / "alerts.xml").as_posix()))
        db_path = (work / "atrisk.db").resolve()
        demo_app = App(db_url=f"sqlite:///{db_path}", sources_path=str(sources),
                       watchlist_path=app.watchlist_path, config_path=str(config))
        console.print(f"[bold]atrisk demo[/]: sample site at {site.base}, database {db_path}")
        with progress_display() as progress:
            result = run_pass(demo_app, run_crawl, progress=progress, command="demo")
        _summary(demo_app, out)
        counts = demo_counts(demo_app)
        demo_app.close()
    out.print(f"\nPass {result.run_id}: {result.status} in {result.seconds:.1f}s; "
              f"fetched {result.counters.get('fetched', 0)} pages, errors {result.errors or 'none'}")
    out.print(summary_line(counts, f"sqlite:///{db_path}", work / "alerts.xml"), soft_wrap=True)


def demo_counts(app: App) -> dict[str, int]:
    """What the demo database holds: documents, people, organizations, events, alerts."""
    with app.db.sessions() as s:
        def people(kind: str) -> int:
            return s.scalar(select(func.count(func.distinct(Mention.entity_id)))
                            .join(Entity, Entity.id == Mention.entity_id).where(Entity.kind == kind)) or 0

        return {
            "documents": s.scalar(select(func.count(Document.id))) or 0,
            "people": people("person"),
            "organizations": people("organization"),
            "events": s.scalar(select(func.count(Event.id)).where(Event.dismissed.is_(False))) or 0,
            "new_events": s.scalar(select(func.count(Event.id))
                                   .where(Event.is_new.is_(True), Event.dismissed.is_(False))) or 0,
            "alerts": s.scalar(select(func.count(Alert.id))
                               .where(Alert.channel == FEED_CHANNEL, Alert.status != CANCELLED)) or 0,
        }


def summary_line(c: dict[str, int], db_url: str, feed: Path) -> str:
    """The one line `atrisk demo` ends with: what was found, and what to try next."""
    return (f"atrisk demo: {c['documents']} documents stored, {c['people']} people, "
            f"{c['organizations']} organizations, {c['events']} events ({c['new_events']} new), "
            f"{c['alerts']} alerts written to {feed}; next: .venv/bin/atrisk --db {db_url} "
            f"export --format jsonl")


def _summary(app: App, out: Console) -> None:
    with app.db.sessions() as s:
        docs = Table(title="Documents", show_lines=False)
        for col in ("published", "source", "title"):
            docs.add_column(col)
        for pub, src, title in s.execute(
            select(Document.published, Source.name, Document.title)
            .join(Source, Source.id == Document.source_id, isouter=True)
            .order_by(Document.published.desc())
        ):
            docs.add_row(str(pub or "?"), src or "?", (title or "")[:70])
        out.print(docs)
        for kind, label in (("person", "People"), ("organization", "Organizations")):
            t = Table(title=label)
            t.add_column("name")
            t.add_column("mentions", justify="right")
            t.add_column("documents", justify="right")
            for name, n, d in s.execute(
                select(Entity.name, func.count(Mention.id), func.count(func.distinct(Mention.document_id)))
                .join(Mention, Mention.entity_id == Entity.id)
                .where(Entity.kind == kind)
                .group_by(Entity.id)
                .order_by(func.count(Mention.id).desc())
                .limit(25)
            ):
                t.add_row(name, str(n), str(d))
            out.print(t)
        ev = Table(title="Events")
        for col in ("type", "person", "term", "date", "new"):
            ev.add_column(col)
        for e, name in s.execute(select(Event, Entity.name).join(Entity, Entity.id == Event.person_id)
                                 .order_by(Event.is_new.desc(), Event.type)):
            ev.add_row(e.type, name, e.term or "", str(e.date or ""), "NEW" if e.is_new else "")
        out.print(ev)
