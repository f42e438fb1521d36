"""Tables (SQLAlchemy 2 typed mappings), one module per area. Alembic owns the schema: change both together."""

from bot.db.models.base import Base, UTCDateTime, length_of, utcnow
from bot.db.models.broadcasts import Broadcast, BroadcastRecipient
from bot.db.models.cases import Case, CaseEvent, CasePhoto, LocalHoliday, StatusLabel, SurveyResponse
from bot.db.models.contacts import Contact, ConversationStateRow, Message
from bot.db.models.inbox import CannedReply, Conversation, Label, Note
from bot.db.models.messaging import Inbound, Media, Outbox, ProviderStatus, SendLimit, WorkerHeartbeat
from bot.db.models.people import ApiToken, AuditEntry, User
from bot.db.models.standards import KnowledgeVersion

__all__ = ["ApiToken", "AuditEntry", "Base", "Broadcast", "BroadcastRecipient", "CannedReply",
           "Case", "CaseEvent", "CasePhoto", "Contact", "Conversation", "ConversationStateRow", "Inbound",
           "KnowledgeVersion", "Label", "LocalHoliday", "Media", "Message", "Note", "Outbox",
           "ProviderStatus", "SendLimit", "StatusLabel", "SurveyResponse", "UTCDateTime", "User", "WorkerHeartbeat",
           "length_of", "utcnow"]
