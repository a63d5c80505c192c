"""Forum threads followed from chats, and the notices of their new posts."""

from flows.threads.model import ThreadWatchError, WatchedThread, may_watch, notice_prefix, notices
from flows.threads.ports import ThreadWork
from flows.threads.service import ThreadWatchService

__all__ = [
    "ThreadWatchError",
    "ThreadWatchService",
    "ThreadWork",
    "WatchedThread",
    "may_watch",
    "notice_prefix",
    "notices",
]
