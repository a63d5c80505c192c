"""Chats: where a message to a person or a group goes, named the same way everywhere, and
the one rule for reaching a person privately."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from flows.people.model import Platform


@dataclass(frozen=True, slots=True)
class ChatRef:
    """A chat on a platform: a private chat, a group or a channel, by the platform's own id."""

    platform: Platform
    chat_id: str

    @property
    def key(self) -> str:
        """The chat as written everywhere, in outbox keys and on the command line:
        `platform:id`."""
        return f"{self.platform.value}:{self.chat_id}"

    @classmethod
    def parse(cls, text: str) -> ChatRef:
        """A chat written as `platform:id` (what `key` gives); ValueError saying why not."""
        name, sep, chat_id = text.strip().partition(":")
        if not sep or not chat_id.strip():
            raise ValueError(f"{text!r} is not a chat: write platform:id")
        return cls(Platform(name.lower()), chat_id.strip())


@dataclass(frozen=True, slots=True)
class ChatPlatform:
    """What the core knows of one chat platform; its adapter in `bot/` describes it.

    A person's private chat with the bot is their user id with `private_prefix` before it
    (None: the bot cannot write to people privately there). `start_link`, with `{payload}` in
    it, opens the bot with a payload where the platform has such links; `start_command` is what
    a person types to the bot instead.
    """

    name: Platform
    label: str
    private_prefix: str | None = ""
    start_link: str | None = None
    start_command: str = "/start {payload}"

    def private_chat(self, user_id: str) -> ChatRef | None:
        """The person's private chat with the bot, or None when there is no such thing."""
        if self.private_prefix is None:
            return None
        return ChatRef(self.name, self.private_prefix + user_id)

    def how_to_start(self, payload: str) -> str:
        """The link to open, or failing one the command to send, to start with `payload`."""
        if self.start_link is not None:
            return self.start_link.format(payload=payload)
        return self.start_command.format(payload=payload)


@dataclass(frozen=True, slots=True)
class ChatPlatforms:
    """The chat platforms deseo runs on, in the order a person is tried on: the one place that
    says how a person is reached privately."""

    platforms: tuple[ChatPlatform, ...] = ()

    def get(self, platform: Platform) -> ChatPlatform | None:
        return next((p for p in self.platforms if p.name == platform), None)

    def private_chats(self, identities: Iterable[tuple[Platform, str]]) -> list[ChatRef]:
        """Every private chat a person with these identities can be written to."""
        chats = []
        for platform, user_id in identities:
            known = self.get(platform)
            chat = known.private_chat(user_id) if known else None
            if chat is not None:
                chats.append(chat)
        return chats

    def private_chat(self, identities: Collection[tuple[Platform, str]]) -> ChatRef | None:
        """The one private chat to write to: on the first platform, in this order, where the
        person has an identity; None when they have none."""
        for known in self.platforms:
            for platform, user_id in identities:
                if platform == known.name:
                    chat = known.private_chat(user_id)
                    if chat is not None:
                        return chat
        return None

    def recognised(self, identities: Iterable[tuple[Platform, str]]) -> frozenset[ChatRef]:
        """The chats a person is recognised by: their identities themselves and their
        private chats with the bot."""
        chats: set[ChatRef] = set()
        for platform, user_id in identities:
            chats.add(ChatRef(platform, user_id))
            chats.update(self.private_chats([(platform, user_id)]))
        return frozenset(chats)
