"""Broadcasts (announcements to subscribers) with a row per recipient; announcements become opt-in: a contact
receives them only after typing LANGGANAN, and where the opt-in (or opt-out) came from is recorded

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("subscription_source", sa.String(length=40), nullable=True))
        batch.alter_column("subscribed", server_default=sa.false(), existing_type=sa.Boolean(),
                           existing_nullable=False)
    # Subscribed by default until now: only who typed LANGGANAN (a recorded change) stays subscribed
    op.execute("UPDATE contacts SET subscribed = false WHERE subscription_changed_at IS NULL")
    op.execute("UPDATE contacts SET subscription_source = 'langganan' "
               "WHERE subscribed AND subscription_changed_at IS NOT NULL")
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("paced_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paced_count", sa.JSON(), nullable=False),
        sa.Column("released", sa.JSON(), nullable=False),
        sa.Column("schedule_what", sa.String(length=120), nullable=True),
        sa.Column("schedule_where", sa.String(length=120), nullable=True),
        sa.Column("schedule_until", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_broadcasts_status", "broadcasts", ["status", "send_at"], unique=False)
    op.create_table(
        "broadcast_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["broadcast_id"], ["broadcasts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("broadcast_id", "contact_id", name="uq_broadcast_recipients_contact"),
    )
    op.create_index("ix_broadcast_recipients_status", "broadcast_recipients", ["broadcast_id", "status", "id"],
                    unique=False)
    op.create_index("ix_broadcast_recipients_outbox", "broadcast_recipients", ["outbox_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_broadcast_recipients_outbox", table_name="broadcast_recipients")
    op.drop_index("ix_broadcast_recipients_status", table_name="broadcast_recipients")
    op.drop_table("broadcast_recipients")
    op.drop_index("ix_broadcasts_status", table_name="broadcasts")
    op.drop_table("broadcasts")
    with op.batch_alter_table("contacts") as batch:
        batch.alter_column("subscribed", server_default=sa.true(), existing_type=sa.Boolean(),
                           existing_nullable=False)
        batch.drop_column("subscription_source")
