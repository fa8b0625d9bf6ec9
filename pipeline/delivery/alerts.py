"""Alerts: the outbox filled by the analysis stage and its delivery through apprise.

Delivery is once per channel through the outbox, and at least once when a process dies
mid-delivery: a row is claimed with a conditional UPDATE (pending -> sending) committed
before anything is sent, so two deliveries running at once never send the same row. A
process that dies after a send but before recording it leaves the row in 'sending'; once
its lease has expired a later pass sends it again, with the same stable alert id, so
receivers can drop the repeat. (Exactly once would need the receiver's help: the alert id
is what it deduplicates on.) A receiver gets ``[alerts] timeout`` seconds to answer, so a
slow one is not taken for a failed one and sent the same alert again.
Each delivery pass ends by rewriting the Atom feed (``pipeline.delivery.alert_feed``).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from extract import event_types
from pipeline.config import Config
from pipeline.delivery import outbox
from pipeline.delivery.outbox import (  # noqa: F401 - the outbox's names, as alerts use them
    CANCELLED,
    DEFAULT_LEASE,
    FAILED,
    FEED_CHANNEL,
    HELD,
    MAX_BACKOFF,
    PENDING,
    SENDING,
    SENT,
    DeliveryResult,
    Message,
    Retry,
    alert_rows,
    backoff,
    default_worker_id,
    insert_ignoring_duplicates,
    naive_utc,
    outbox_counts,
    utcnow,
)
from pipeline.delivery.sender import channel_of
from pipeline.storage.db import Database
from pipeline.storage.models import Alert, Dismissal, Document, Entity, Event

log = logging.getLogger(__name__)

# Schemes whose messages can carry the alert id outside the body as well
_JSON_SCHEMES = ("json", "jsons")
_MAIL_SCHEMES = ("mailto", "mailtos")
ALERT_ID_HEADER = "X-Atrisk-Alert-Id"


def make_alert_id(document_url: str, person_key: str, event_type: str) -> str:
    """Stable id of one alert: the same document, person and type always give the same id."""
    raw = f"{document_url}\n{person_key}\n{event_type}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def configured_channels(config: Config) -> dict[str, tuple[str, str]]:
    """channel -> (URL, route name) for every configured alert URL ([alerts] first, then routes)."""
    out: dict[str, tuple[str, str]] = {}
    for url in config.alerts.urls:
        out.setdefault(channel_of(url), (url, "alerts"))
    for route in config.alerts.routes:
        for url in route.urls:
            out.setdefault(channel_of(url), (url, route.name))
    return out


# --- enqueue (called by the analysis stage, inside its transaction) ---------------------


def _rule_matches(event: Event, person: Entity, events: tuple[str, ...], scope: str,
                  new_only: bool) -> bool:
    if event.type not in events:
        return False
    if scope == "watchlist" and not person.watchlisted:
        return False
    return not (new_only and not event.is_new)


def _too_old(document: Document, max_age_days: int, now: datetime) -> bool:
    published: date | None = document.published
    if published is None and document.first_seen_at is not None:
        published = document.first_seen_at.date()
    if published is None:
        return False
    return (now.date() - published).days > max_age_days


def build_payload(alert_id: str, event: Event, document: Document, person: Entity) -> dict[str, Any]:
    """What an alert says: who, what, term, when, the sentence, source, title and link."""
    source = document.source.name if document.source is not None else None
    return {
        "alert_id": alert_id,
        "who": event.person_name or person.name,
        "person_key": person.key,
        "what": event.type,
        "term": event.term,
        "date": event.date.isoformat() if event.date else None,
        "sentence": event.sentence,
        "source": source,
        "title": document.title,
        "link": document.url,
        "published": document.published.isoformat() if document.published else None,
        "new": bool(event.is_new),
        "language": event.language or document.language,
        "method": event.method or "parse",
    }


def enqueue_alerts(
    session: Session,
    event: Event,
    document: Document,
    person: Entity,
    config: Config,
    *,
    now: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Put the alerts an event calls for into the outbox; return the delivery rows created.

    ``details`` (from ``pipeline.analysis.incidents``) add where, by whom and how many sources; with
    a ``followup`` key they make a second alert about the same event, with its own id.

    Call it in the transaction that stores the event. An event matches [alerts] (or a
    route) when its type is listed, the scope admits the person, it is new (with
    ``new_only``), not dismissed, not background, and its document is at most
    ``max_age_days`` old. Re-analysis of the same document creates nothing twice: the
    alert id depends only on document URL, person key and event type.
    """
    cfg = config.alerts
    now = naive_utc(now)
    if event.dismissed or event.background:
        return 0
    if document.id is not None and is_dismissed(session, document.id, person.key, event.type):
        return 0
    if _too_old(document, cfg.max_age_days, now):
        return 0
    if cfg.languages and not _language_listed(event.language or document.language, cfg.languages):
        return 0

    targets: dict[str, str] = {}  # channel -> route name
    # a confidential person reaches only routes marked for it, never the public feed
    secret = bool(getattr(person, "confidential", False))
    if _rule_matches(event, person, cfg.events, cfg.scope, cfg.new_only) and not secret:
        for url in cfg.urls:
            targets.setdefault(channel_of(url), "alerts")
        targets.setdefault(FEED_CHANNEL, "alerts")
    person_tags = {t.lower() for t in (person.tags or [])}
    for route in cfg.routes:
        if route.tags and not person_tags & {t.lower() for t in route.tags}:
            continue
        if secret and not route.confidential:
            continue
        if not _rule_matches(event, person, route.events or cfg.events, route.scope or cfg.scope,
                             cfg.new_only):
            continue
        for url in route.urls:
            targets.setdefault(channel_of(url), route.name)
        if not secret:
            targets.setdefault(FEED_CHANNEL, route.name)
    if not targets:
        return 0

    if event.id is None:
        session.flush()
    followup = (details or {}).get("followup")
    alert_id = make_alert_id(document.url, person.key, event.type + (f":{followup}" if followup else ""))
    payload = build_payload(alert_id, event, document, person)
    payload.update({k: v for k, v in (details or {}).items() if v is not None})
    if config.web.base_url:  # the workbench's case file of the person
        from urllib.parse import quote

        payload["case_url"] = f"{config.web.base_url.rstrip('/')}/people/{quote(person.name, safe='')}"
    created = 0
    held = cfg.review == "first" and getattr(event, "review", "pending") == "pending"
    for channel, route_name in targets.items():
        feed = channel == FEED_CHANNEL
        row = {
            "alert_id": alert_id,
            "event_id": event.id,
            "channel": channel,
            "route": route_name,
            "payload": payload,
            # the feed is written on every pass, so its entry counts as delivered
            "status": HELD if held else SENT if feed else PENDING,
            "attempts": 0,
            "created_at": now,
            "sent_at": now if feed and not held else None,
        }
        if insert_ignoring_duplicates(session, row) and not feed:
            created += 1
    # a re-analysis may have replaced the event row the alerts pointed at
    session.execute(
        update(Alert)
        .where(Alert.alert_id == alert_id, Alert.event_id.is_(None))
        .values(event_id=event.id)
        .execution_options(synchronize_session=False)
    )
    if created:
        log.info("queued %d alert(s) %s: %s %s", created, alert_id, event.type, payload["who"])
    return created


# --- delivery ------------------------------------------------------------------------


def _language_listed(language: str | None, listed: tuple[str, ...]) -> bool:
    base = (language or "").split("-")[0].lower()
    return base in {code.lower() for code in listed}


def render_message(payload: dict[str, Any]) -> tuple[str, str]:
    """(title, body) of the message for one alert."""
    what = str(payload.get("what") or "event")
    who = payload.get("who") or "unknown person"
    known = event_types.by_name().get(what)
    title = f"atrisk: {known.title if known else what.replace('_', ' ').upper()} — {who}"
    lines = [f"Who: {who}", f"What: {what.replace('_', ' ')}"]
    if payload.get("term"):
        lines.append(f"Term: {payload['term']}")
    when = payload.get("date") or "date not stated"
    if payload.get("date") and payload.get("date_precision") in ("month", "year"):
        shown = when[:7] if payload["date_precision"] == "month" else when[:4]
        when = f"{shown} ({payload['date_precision']})"
    lines.append(f"When: {when}")
    where = ", ".join(str(p) for p in (payload.get("place"), payload.get("country")) if p)
    if where:
        lines.append(f"Where: {where}")
    if payload.get("authority"):
        lines.append(f"By whom: {payload['authority']}")
    if payload.get("sources"):
        n = int(payload["sources"])
        lines.append(f"Sources: {n} independent source{'s' if n != 1 else ''}")
    if payload.get("followup") == "corroborated":
        lines.append("Corroborated: a second independent source now reports it")
    if payload.get("language"):
        how = " (watchlist and trigger words; not parsed)" if payload.get("method") == "lexicon" else ""
        lines.append(f"Language: {payload['language']}{how}")
    if payload.get("sentence"):
        lines += ["", f"“{payload['sentence']}”", ""]
    source = payload.get("source") or "unknown source"
    doc_title = payload.get("title")
    lines.append(f"Source: {source}" + (f" — {doc_title}" if doc_title else ""))
    if payload.get("published"):
        lines.append(f"Published: {payload['published']}")
    if payload.get("case_url"):
        lines.append(f"Case file: {payload['case_url']}")
    lines.append(f"Link: {payload.get('link')}")
    lines += ["", f"Alert id: {payload.get('alert_id')}"]
    return title, "\n".join(lines)


def _scheme(url: str) -> str:
    return url.split("://", 1)[0].lower() if "://" in url else ""


def _with_alert_id(url: str, alert_id: str, timeout: int | None = None) -> str:
    """The URL with the alert id added as a JSON field and/or header where the scheme allows,
    and apprise's connect and read timeouts (``cto``, ``rto``) unless the URL sets them."""
    scheme = _scheme(url)
    extras: list[str] = []
    if timeout:
        given = {k.lower() for k, _ in parse_qsl(urlsplit(url).query)}
        extras += [f"{k}={timeout}" for k in ("cto", "rto") if k not in given]
    if scheme in _JSON_SCHEMES:
        extras.append(f":alert_id={alert_id}")
    if scheme in _JSON_SCHEMES or scheme in _MAIL_SCHEMES:
        extras.append(f"+{ALERT_ID_HEADER}={alert_id}")
    if not extras:
        return url
    base, hash_, fragment = url.partition("#")
    sep = "&" if "?" in base else "?"
    return base + sep + "&".join(extras) + hash_ + fragment


def deliver_pending(
    db: Database,
    config: Config,
    *,
    now: datetime | None = None,
    worker_id: str | None = None,
    lease: timedelta = DEFAULT_LEASE,
    feed_path: str | Path | None = None,
) -> DeliveryResult:
    """Deliver every due alert once per channel (through the outbox), then write the Atom feed.

    The feed goes to ``feed_path``, by default ``[alerts] feed`` of the config.

    Safe to run in several processes at once. Rows whose channel URL is no longer
    configured stay pending (with a warning) until it is configured again. A channel
    that fails is not tried again in the same pass, and its other alerts wait as long
    as the one that failed.
    """
    channels = configured_channels(config)
    routes = {channel: route for channel, (_url, route) in channels.items()}

    timeout = config.alerts.timeout

    def compose(payload: dict[str, Any], url: str) -> Message:
        title, body = render_message(payload)
        per_alert = _with_alert_id(url, str(payload.get("alert_id")), timeout)
        shared = per_alert == _with_alert_id(url, "", timeout)  # no id in this scheme's URL
        return Message(per_alert, title, body, cache=shared)

    def describe(payload: dict[str, Any]) -> str:
        return f"alert {payload.get('alert_id')}"

    res = outbox.deliver(db, alert_rows(), {c: url for c, (url, _r) in channels.items()}, compose,
                         Retry(config.alerts.max_attempts, config.alerts.retry_base_seconds), now=now,
                         worker_id=worker_id, lease=lease, describe=describe)
    if res.sent:
        log.info("%d alert(s) sent (routes: %s)", res.sent, ", ".join(sorted(set(routes.values()))))
    for channel, n in res.unknown.items():
        log.warning("%d alert(s) wait for channel %s, whose URL is no longer in [alerts] urls, "
                    "ATRISK_ALERT_URLS or [[alerts.routes]]; they stay pending until it is "
                    "configured again", n, channel)
    from pipeline.delivery.alert_feed import write_feed  # it builds on this module

    write_feed(db, feed_path if feed_path is not None else config.alerts.feed)
    return res


# --- dismissal ---------------------------------------------------------------------------


def is_dismissed(session: Session, document_id: int, person_key: str, type: str) -> bool:
    """Has an analyst dismissed this (document, person, event type)?"""
    return bool(session.scalar(select(exists().where(
        Dismissal.document_id == document_id,
        Dismissal.person_key == person_key,
        Dismissal.type == type,
    ))))


def dismiss(s: Session, event: Event) -> int:
    """Mark an event wrong: it leaves alerts and the feed, and stays dismissed after reprocess.

    Every event of the same document, person and type is dismissed with it. Returns the
    number of undelivered alerts cancelled. Regrouping the event's incident is the
    caller's part (``pipeline.analysis.decisions.dismiss_event``).
    """
    document = s.get(Document, event.document_id)
    person = s.get(Entity, event.person_id)
    assert document is not None and person is not None  # foreign keys
    s.execute(
        update(Event)
        .where(Event.document_id == event.document_id, Event.person_id == event.person_id,
               Event.type == event.type)
        .values(dismissed=True)
        .execution_options(synchronize_session=False)
    )
    if not is_dismissed(s, document.id, person.key, event.type):
        s.add(Dismissal(document_id=document.id, person_key=person.key, type=event.type,
                        created_at=utcnow()))
    alert_id = make_alert_id(document.url, person.key, event.type)
    cancelled = s.scalar(
        select(func.count()).select_from(Alert)
        .where(Alert.alert_id == alert_id, Alert.status.in_((PENDING, FAILED, HELD)),
               Alert.channel != FEED_CHANNEL)
    ) or 0
    s.execute(
        update(Alert)
        .where(Alert.alert_id == alert_id,
               or_(Alert.status.in_((PENDING, FAILED, HELD)), Alert.channel == FEED_CHANNEL))
        .values(status=CANCELLED, claimed_by=None, claimed_at=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    log.info("dismissed event %d (%s, %s); %d undelivered alert(s) cancelled",
             event.id, event.type, person.name, cancelled)
    return int(cancelled)
