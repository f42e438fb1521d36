"""Tables (SQLAlchemy 2 typed mappings), one module per area. Alembic owns the schema: change both together."""

from bot.db.models.base import Base, UTCDateTime, length_of, utcnow
from bot.db.models.contacts import Contact, ConversationStateRow, Message
from bot.db.models.messaging import Inbound, Media, Outbox, ProviderStatus

__all__ = ["Base", "Contact", "ConversationStateRow", "Inbound", "Media", "Message", "Outbox", "ProviderStatus",
           "UTCDateTime", "length_of", "utcnow"]
