"""incidents: one record per thing that happened to a person, with corrections

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01

Events gain what their sentence states (date precision, country, place, authority) and
the incident they belong to; people gain a country and a profession. The incidents of a
database analysed before this revision are built by ``pipeline.analysis.incidents.backfill`` on
the next pass (or the next ``atrisk incidents``), from the stored events and without
queueing any alert: grouping needs the application's rules, which a migration must not
import (they change with later revisions).

On SQLite the new ``events.incident_id`` column has no foreign-key constraint: SQLite
cannot add one without rebuilding ``events``, and a rebuild with foreign keys on would
set every alert's ``event_id`` to NULL. Incidents are never deleted, so nothing relies
on the constraint.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=10), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("authority", sa.String(length=300), nullable=True),
        sa.Column("term", sa.String(length=200), nullable=True),
        sa.Column("first_document_id", sa.Integer(), nullable=True),
        sa.Column("first_reported", sa.Date(), nullable=True),
        sa.Column("last_reported", sa.Date(), nullable=True),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("is_new", sa.Boolean(), nullable=False),
        sa.Column("followup_sent", sa.Boolean(), nullable=False),
        sa.Column("background", sa.Boolean(), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("review", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["entities.id"]),
        sa.ForeignKeyConstraint(["first_document_id"], ["documents.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["merged_into_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_incidents_person_type", "incidents", ["person_id", "type"])
    op.create_index("ix_incidents_first_reported", "incidents", ["first_reported"])
    op.create_table(
        "incident_pins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=500), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "person_key", "type", name="uq_incident_pins"),
    )
    op.create_table(
        "incident_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in (sa.Column("date_precision", sa.String(length=10), nullable=True),
                   sa.Column("country", sa.String(length=100), nullable=True),
                   sa.Column("place", sa.String(length=200), nullable=True),
                   sa.Column("authority", sa.String(length=300), nullable=True)):
        op.add_column("events", column)
    op.add_column("events", sa.Column("incident_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key("fk_events_incident_id", "events", "incidents", ["incident_id"], ["id"],
                              ondelete="SET NULL")
    op.create_index("ix_events_incident", "events", ["incident_id"])
    op.add_column("entities", sa.Column("country", sa.String(length=100), nullable=True))
    op.add_column("entities", sa.Column("profession", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("profession")
        batch.drop_column("country")
    op.drop_index("ix_events_incident", table_name="events")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_events_incident_id", "events", type_="foreignkey")
    for name in ("incident_id", "authority", "place", "country", "date_precision"):
        op.drop_column("events", name)
    op.drop_table("incident_changes")
    op.drop_table("incident_pins")
    op.drop_index("ix_incidents_first_reported", table_name="incidents")
    op.drop_index("ix_incidents_person_type", table_name="incidents")
    op.drop_table("incidents")
