"""All models, imported so that Base.metadata knows every table."""

from bot.models.audit import AuditEvent
from bot.models.broadcast import Broadcast, BroadcastVariant
from bot.models.contact import Contact, ContactNumber
from bot.models.conversation import Assignment, Conversation, ConversationRead
from bot.models.freshness import FollowUp, NumberCheck, NumberVerification
from bot.models.household import Household, Student
from bot.models.inbound import InboundEvent
from bot.models.message import Message, MessageEvent
from bot.models.outbox import OutboxItem
from bot.models.scheduler import apscheduler_jobs
from bot.models.school import School
from bot.models.token import ApiToken
from bot.models.translation import TranslationReview
from bot.models.user import User, UserLanguage, user_schools

__all__ = [
    "ApiToken", "Assignment", "AuditEvent", "Broadcast", "BroadcastVariant", "Contact",
    "ContactNumber", "Conversation", "ConversationRead", "FollowUp", "Household", "InboundEvent",
    "Message", "MessageEvent", "NumberCheck", "NumberVerification", "OutboxItem", "School",
    "Student", "TranslationReview", "User", "UserLanguage",
    "apscheduler_jobs", "user_schools",
]
