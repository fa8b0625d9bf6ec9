"""the analysts' workbench: users, API tokens, settings, review decisions, activity, notes

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-01

Numbered 0007 because the hostile-input and incidents branches take 0005 and 0006;
whoever merges last rechains ``down_revision``.

- ``users`` (name, role viewer|analyst|admin, memory-hard password hash, disabled)
  and ``api_tokens`` (only a SHA-256 of each token is stored; revocable).
- ``settings``: small key/value rows, e.g. the session signing key made on first start.
- ``reviews``: an analyst's decision on one detection, keyed like ``dismissals`` by the
  detected (document, person key, type), so it is applied again after ``reprocess``.
- ``decisions``: every action in the workbench or the API (who, when, what, before, after).
- ``notes`` on entities; ``entities.confidential``; ``events.review`` and
  ``events.review_id`` (the decision the stored event carries).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_login_at", sa.DateTime),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_used_at", sa.DateTime),
        sa.Column("revoked_at", sa.DateTime),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("person_key", sa.String(500), nullable=False),
        sa.Column("type", sa.String(30), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("new_type", sa.String(30)),
        sa.Column("new_person_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("new_date", sa.Date),
        sa.Column("background", sa.Boolean),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("document_id", "person_key", "type", name="uq_reviews_detection"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(40), nullable=False),
        sa.Column("target_id", sa.Integer),
        sa.Column("label", sa.Text),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
    )
    op.create_index("ix_decisions_at", "decisions", ["at"])
    op.create_index("ix_decisions_target", "decisions", ["target", "target_id"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_notes_entity", "notes", ["entity_id"])
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("review", sa.String(20), nullable=False, server_default="pending"))
        batch.add_column(sa.Column("review_id", sa.Integer))
    op.create_index("ix_events_review", "events", ["review"])
    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("confidential", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("confidential")
    op.drop_index("ix_events_review", "events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("review_id")
        batch.drop_column("review")
    for table in ("notes", "decisions", "reviews", "settings", "api_tokens", "users"):
        op.drop_table(table)
