"""outbox: partial index of open rows per contact (the claim's "is an earlier row still open?" check)

Without it, PostgreSQL plans the claim for a table it believes is empty until autovacuum analyses it: after
a large enqueue (an announcement to every subscriber) each claim scanned every open row once per candidate
(2,000 rows: ~350 ms a claim; with this index ~14 ms before ANALYZE, 0.1 ms after).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('pending', 'sending')")


def upgrade() -> None:
    op.create_index("ix_outbox_open_contact", "outbox", ["contact_id", "id"], postgresql_where=OPEN,
                    sqlite_where=OPEN)


def downgrade() -> None:
    op.drop_index("ix_outbox_open_contact", table_name="outbox")
