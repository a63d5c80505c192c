"""What deseo needs of a chat platform, so that the runtime can start any of them the same way.

A platform is one module in `bot/` with an adapter satisfying `PlatformAdapter`, registered in
`bot.platforms`. The runtime asks each registered adapter whether it is configured, then runs
its bot (`deseo bots`, `deseo up`) or opens its outbox sender (the worker).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from flows.conversation import ConversationService
from flows.meetings import MeetingService
from flows.outbox import MessageSender
from flows.people import ChatPlatform, LinkCodes, Platform
from flows.referrals import ReferralService
from flows.surveys import CampaignService
from flows.threads import ThreadWatchService
from flows.unit_of_work import UnitOfWork

# Runs a bot until the event is set, then closes it.
BotRunner = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


class ChatServices(Protocol):
    """The services every platform's bot drives; the composition root builds one set per
    process and shares it among all platforms."""

    @property
    def conversations(self) -> ConversationService[UnitOfWork]: ...
    @property
    def meetings(self) -> MeetingService: ...
    @property
    def referrals(self) -> ReferralService: ...
    @property
    def campaigns(self) -> CampaignService: ...
    @property
    def links(self) -> LinkCodes: ...
    @property
    def threads(self) -> ThreadWatchService: ...


class PlatformAdapter(Protocol):
    """One chat platform as the runtime sees it."""

    @property
    def name(self) -> Platform:
        """Which platform this is; the people and chats it serves carry this value."""
        ...

    @property
    def chat(self) -> ChatPlatform:
        """How the core reaches people on it: their private chats, the link or command that
        starts the bot with a payload."""
        ...

    @property
    def token_setting(self) -> str:
        """The setting that turns it on (its bot token), as people set it."""
        ...

    @property
    def settings_problem(self) -> str | None:
        """Why its settings cannot be right (a malformed token), or None."""
        ...

    @property
    def configured(self) -> bool:
        """Whether its settings (a token) are given; an unconfigured platform is not started."""
        ...

    @property
    def where(self) -> str:
        """Where its bot is reached (polling, a webhook, a gateway), for the start-up lines."""
        ...

    def bot(self, services: ChatServices) -> BotRunner:
        """Its bot over `services`, built now; awaiting the runner runs it until `stop` is set.

        A bot that cannot start raises the platform's own one-line error from the runner.
        """
        ...

    async def open_sender(self) -> MessageSender:
        """A sender for the outbox worker, ready to use; raises when the platform is unreachable."""
        ...

    async def close_sender(self) -> None:
        """Release what `open_sender` opened; does nothing when it opened nothing."""
        ...
