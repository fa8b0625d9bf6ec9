"""The database schema (SQLAlchemy 2.0 typed ORM). Changed only through Alembic."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Source(Base):
    """A site that is watched, as configured in sources.toml, with its health."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_new_document_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_crawled_at: Mapped[datetime | None] = mapped_column(DateTime)
    # open operator incident ("failing" | "stale") so each one is notified once
    incident: Mapped[str | None] = mapped_column(String(20))
    incident_since: Mapped[datetime | None] = mapped_column(DateTime)


class FetchState(Base):
    """What was last seen at a URL requested (feed, sitemap, listing page or article)."""

    __tablename__ = "fetch_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    kind: Mapped[str] = mapped_column(String(20), default="article")
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    body_hash: Mapped[str | None] = mapped_column(String(64))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(100))
    last_fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class Document(Base):
    """One article, unique by canonical URL, with the text that was analysed."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # analysis: pending when analysed_hash differs from content_hash
    analysed: Mapped[bool] = mapped_column(Boolean, default=False)
    analysed_hash: Mapped[str | None] = mapped_column(String(64))
    analysed_at: Mapped[datetime | None] = mapped_column(DateTime)
    analysis_error: Mapped[str | None] = mapped_column(Text)
    # which analysis worker holds the document ("host:pid:n"), so workers never overlap
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    text_purged: Mapped[bool] = mapped_column(Boolean, default=False)
    # failed analyses of this text; at [analysis] max_attempts the document is parked
    # (not tried again until its text changes); the last error is in analysis_error
    analysis_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    analysis_parked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # what the analysis did not cover, e.g. a text cut at [analysis] max_text_chars
    analysis_note: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source | None] = relationship()
    __table_args__ = (
        Index("ix_documents_pending", "analysed"),
        Index("ix_documents_first_seen", "first_seen_at"),
        Index("ix_documents_published", "published"),
        Index("ix_documents_content_hash", "content_hash"),
        Index("ix_documents_claimed_by", "claimed_by"),
        Index("ix_documents_parked", "analysis_parked_at"),
    )


class Entity(Base):
    """A person or organization, identified by kind and normalised key."""

    __tablename__ = "entities"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(500))
    key: Mapped[str] = mapped_column(String(500))
    watchlisted: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # set when an analyst merged this entity into another one
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # people: from the watchlist, else as the texts state it (see pipeline.analysis.incidents)
    country: Mapped[str | None] = mapped_column(String(100))
    profession: Mapped[str | None] = mapped_column(String(100))
    # left out of feeds, emailed digests, exports and alerts to routes not marked for it
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_entities_kind_key"),)


class Alias(Base):
    """Another spelling that resolves to an entity (watchlist, or an analyst's merge)."""

    __tablename__ = "aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    alias: Mapped[str] = mapped_column(String(500))
    key: Mapped[str] = mapped_column(String(500))
    origin: Mapped[str] = mapped_column(String(20), default="watchlist")  # watchlist | merge
    created_at: Mapped[datetime] = mapped_column(DateTime)
    entity: Mapped[Entity] = relationship()
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_aliases_kind_key"),)


class Mention(Base):
    """A person or organization named in a document, with where."""

    __tablename__ = "mentions"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    text: Mapped[str] = mapped_column(String(500))
    # the full name this mention resolved to inside its document, before identity rules
    name: Mapped[str] = mapped_column(String(500))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[str] = mapped_column(Text)
    entity: Mapped[Entity] = relationship()
    __table_args__ = (
        UniqueConstraint("document_id", "start", "end", name="uq_mentions_doc_span"),
        Index("ix_mentions_entity_document", "entity_id", "document_id"),
    )


class Event(Base):
    """A repression event reported by a document about a person."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    person_name: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(30))
    date: Mapped[date | None] = mapped_column(Date)
    term: Mapped[str | None] = mapped_column(String(200))
    sentence: Mapped[str] = mapped_column(Text)
    sent_start: Mapped[int] = mapped_column(Integer, default=0)
    background: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(16))  # of the sentence
    method: Mapped[str | None] = mapped_column(String(16))  # "parse" | "lexicon"
    is_new: Mapped[bool] = mapped_column(Boolean, default=False)
    dismissed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # what the sentence states about the incident (pipeline.analysis.incidents groups events)
    date_precision: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str | None] = mapped_column(String(100))
    place: Mapped[str | None] = mapped_column(String(200))
    authority: Mapped[str | None] = mapped_column(String(300))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    # an analyst's decision: pending | confirmed | corrected (dismissed events: ``dismissed``)
    review: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    review_id: Mapped[int | None] = mapped_column(Integer)
    person: Mapped[Entity] = relationship()
    document: Mapped[Document] = relationship()
    __table_args__ = (
        UniqueConstraint("document_id", "person_id", "type", "sent_start", name="uq_events_identity"),
        Index("ix_events_person_type", "person_id", "type"),
        Index("ix_events_created", "created_at"),
        Index("ix_events_incident", "incident_id"),
        Index("ix_events_review", "review"),
    )


class Dismissal(Base):
    """An analyst's decision that an event is wrong; survives re-analysis."""

    __tablename__ = "dismissals"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    person_key: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("document_id", "person_key", "type", name="uq_dismissals"),
    )


# Routes of outbox rows that are not alerts (an alert's route is "alerts" or a route name)
OPERATOR_ROUTE, DIGEST_ROUTE = "@operator", "@digest"


class Alert(Base):
    """Outbox row: one message (an alert, an operator notice, a digest) for one channel (once; at
    least once, with the same stable id, when a process dies between sending and recording)."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(64))  # stable id receivers deduplicate on
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(64))  # hash of the destination URL
    route: Mapped[str] = mapped_column(String(100), default="alerts")
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("alert_id", "channel", name="uq_alerts_once_per_channel"),
        Index("ix_alerts_status", "status"),
    )


class Run(Base):
    """One pass (crawl, analyse, alert, digest) with its counters."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="running")
    command: Mapped[str] = mapped_column(String(30), default="run")
    counters: Mapped[dict] = mapped_column(JSON, default=dict)
    errors: Mapped[dict] = mapped_column(JSON, default=dict)


class SourceRun(Base):
    """Per-source counters of one pass, for source health and the digest."""

    __tablename__ = "source_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    new_documents: Mapped[int] = mapped_column(Integer, default=0)
    changed_documents: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("run_id", "source_id", name="uq_source_runs"),)


class Notice(Base):
    """A delivered digest or operator notice, so each is sent once."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # e.g. digest:2026-11-22
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class Incident(Base):
    """One thing that happened to one person, however many documents report it.

    Its facts (date, place, authority, term, first report, source count) are derived from
    its events by ``pipeline.analysis.incidents.refresh``; ``overrides`` holds what analysts set
    and wins over the derived value.
    """

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    type: Mapped[str] = mapped_column(String(30))
    first_reported: Mapped[date | None] = mapped_column(Date)  # its first report's publication day
    last_reported: Mapped[date | None] = mapped_column(Date)
    date: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str | None] = mapped_column(String(100))
    place: Mapped[str | None] = mapped_column(String(200))
    authority: Mapped[str | None] = mapped_column(String(300))
    term: Mapped[str | None] = mapped_column(String(200))
    first_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    sources: Mapped[int] = mapped_column(Integer, default=0)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    is_new: Mapped[bool] = mapped_column(Boolean, default=False)
    followup_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    background: Mapped[bool] = mapped_column(Boolean, default=False)  # every report recalls it
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    overrides: Mapped[dict] = mapped_column(JSON, default=dict)
    review: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    person: Mapped[Entity] = relationship()
    __table_args__ = (
        Index("ix_incidents_person_type", "person_id", "type"),
        Index("ix_incidents_first_reported", "first_reported"),
    )


class IncidentPin(Base):
    """An analyst's split: the events of (document, person, type) belong to this incident."""

    __tablename__ = "incident_pins"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    person_key: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(30))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    __table_args__ = (UniqueConstraint("document_id", "person_key", "type", name="uq_incident_pins"),)


class IncidentChange(Base):
    """One analyst correction of incidents (merge, split, set), with who and when."""

    __tablename__ = "incident_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # merge | split | set
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class User(Base):
    """Someone who signs in to the workbench or calls the API, with one role."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # viewer | analyst | admin
    password_hash: Mapped[str] = mapped_column(String(300))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # bumped on a password change or disable: older sessions stop working
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class ApiToken(Base):
    """A bearer token of the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class Setting(Base):
    """A small key/value row (the session signing key)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Review(Base):
    """An analyst's decision on one detection (document, detected person key, detected type).

    Kept apart from the event row, which re-analysis replaces, and applied again to it.
    """

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    person_key: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))  # confirmed | corrected | dismissed
    new_type: Mapped[str | None] = mapped_column(String(30))
    new_person_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id", ondelete="SET NULL"))
    new_date: Mapped[date | None] = mapped_column(Date)
    background: Mapped[bool | None] = mapped_column(Boolean)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("document_id", "person_key", "type", name="uq_reviews_detection"),)


class Decision(Base):
    """One action taken in the workbench or the API: who, when, what, before and after."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(40))  # event | person | user | alert ...
    target_id: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    __table_args__ = (
        Index("ix_decisions_at", "at"),
        Index("ix_decisions_target", "target", "target_id"),
    )


class Note(Base):
    """An analyst's note on a person or organization."""

    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    user_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_notes_entity", "entity_id"),)
