"""The outbox: messages owed to chats, and the dispatcher that sends them."""

from flows.outbox.dispatcher import BATCH, LEASE, Dispatcher
from flows.outbox.model import Claimed, OutboxItem, SendError, message_from_json, message_to_json
from flows.outbox.ports import MessageSender, OutboxWork

__all__ = [
    "BATCH",
    "LEASE",
    "Claimed",
    "Dispatcher",
    "MessageSender",
    "OutboxItem",
    "OutboxWork",
    "SendError",
    "message_from_json",
    "message_to_json",
]
