"""Where a broadcast's error count starts (its start or its last resume); indexes the inbox and the dashboard
read every second or so at size: a contact's photos, messages by day, WhatsApp templates sent in the last day

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("counted_from", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_media_contact", "media", ["contact_id", "status"], unique=False)
    op.create_index("ix_messages_direction_created", "messages", ["direction", "created_at"], unique=False)
    op.create_index("ix_outbox_templates", "outbox", ["channel", "template_only", "created_at"], unique=False)
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE conversations SET last_message_at = COALESCE(last_message_at, handed_at, resolved_at)")
    op.execute("UPDATE conversations SET updated_at = last_message_at")
    op.create_index("ix_conversations_latest", "conversations", ["last_message_at", "id"], unique=False)
    op.create_index("ix_conversations_updated", "conversations", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_conversations_updated", table_name="conversations")
    op.drop_index("ix_conversations_latest", table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("updated_at")
    op.drop_index("ix_outbox_templates", table_name="outbox")
    op.drop_index("ix_messages_direction_created", table_name="messages")
    op.drop_index("ix_media_contact", table_name="media")
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("counted_from")
