"""What groups and meetings need from the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from flows.meetings.model import Group, Meeting
from flows.outbox import OutboxWork
from flows.people import ChatRef


class GroupRepository(Protocol):
    """Groups, their members, and the chats that follow them."""

    async def create(self, slug: str, name: str, timezone: str) -> Group: ...

    async def find(self, slug_or_id: str) -> Group | None: ...

    async def all(self) -> list[Group]: ...

    async def follow(self, group_id: int, chat: ChatRef, title: str | None = None) -> bool:
        """Make a chat follow a group; False if it already did."""
        ...

    async def unfollow(self, group_id: int, chat: ChatRef) -> bool: ...

    async def chats(self, group_id: int) -> list[ChatRef]: ...

    async def followed_by(self, chat: ChatRef) -> list[Group]: ...

    async def add_member(self, group_id: int, person_id: int) -> None: ...

    async def of_person(self, person_id: int) -> list[Group]: ...


class MeetingRepository(Protocol):
    """Meetings and the answers to their invitations."""

    async def add(self, meeting: Meeting, at: datetime) -> int:
        """Store a new meeting (its `id` is ignored); returns the new id."""
        ...

    async def get(self, meeting_id: int) -> Meeting | None: ...

    async def save(self, meeting: Meeting, at: datetime) -> None: ...

    async def of_group(
        self, group_id: int, *, include_cancelled: bool = False
    ) -> list[Meeting]: ...

    async def scheduled(self) -> list[Meeting]: ...

    async def rsvp(
        self, meeting_id: int, occurrence: str, person_id: int, answer: str, at: datetime
    ) -> None: ...

    async def rsvp_counts(self, meeting_id: int, occurrence: str) -> dict[str, int]: ...


class MeetingWork(OutboxWork, Protocol):
    """What meetings need: groups, meetings, and the outbox for agendas and reminders."""

    @property
    def groups(self) -> GroupRepository: ...

    @property
    def meetings(self) -> MeetingRepository: ...


MeetingUnits = Callable[[], MeetingWork]
