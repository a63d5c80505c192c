"""The conversation service: load a conversation, run the engine, save it, in one transaction.

It is the one way in for every chat adapter, and it promises:
- an inbound event with an id seen before is not applied again;
- the events of one conversation are applied one after the other: within a process by a lock
  per person, across processes by optimistic revisions (a save names the revision it started
  from; if another process saved first, the event is applied again to the fresh state);
- answers are kept under the flow version they were given in.

The last state of each active person is kept in memory, so that the usual event costs one
write and no read; the revision check makes that cache safe with several processes.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from flows.clock import Clock
from flows.conversation import engine
from flows.conversation.catalog import FlowCatalog, UnknownFlow
from flows.conversation.definitions import Flow
from flows.conversation.hooks import BeginLink, ConversationHook, Finisher
from flows.conversation.messages import Command, Event, Outbound, Reply
from flows.conversation.phrases import say
from flows.conversation.ports import ConversationWork, StoredConversation
from flows.conversation.report import build_report
from flows.conversation.state import Answer, State, Status
from flows.conversation.text import clean_answer, clean_title
from flows.people import PersonRef, Platform

# The unit of work a service is given: at least what a conversation needs; the hooks of the
# features beside it (campaigns, orientation) may ask for more of the same unit of work.
W = TypeVar("W", bound=ConversationWork)

CACHE_SIZE = 10_000
ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Sender:
    """Who an inbound event comes from, as the platform names them."""

    platform: Platform
    user_id: str
    display_name: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What handling an event produced: the messages to send and where the conversation stands."""

    messages: tuple[Outbound, ...]
    conversation_id: int | None = None
    flow_id: str | None = None
    status: Status | None = None
    duplicate: bool = False
    # The event named a prompt (`expect_tag`) that the conversation no longer waits for, so it
    # was not applied.
    stale: bool = False


class ConcurrentUpdate(RuntimeError):
    """The conversation kept changing under us; the event was not applied."""


IDLE = "Nothing is in progress. Start one of these: {flows}."
NOT_YOURS = "I found no such conversation of yours."

Key = tuple[Platform, str]


def _awaits(state: State, tag: str) -> bool:
    """Whether the conversation is open and waits for the prompt `tag` names."""
    return state.status == "open" and engine.prompt_tag(state) == tag


def changed_answers(before: State | None, after: State) -> dict[str, Answer | None]:
    """The answers that differ between two states; None marks an answer that was removed."""
    old: Mapping[str, Answer] = before.answers if before is not None else {}
    changed: dict[str, Answer | None] = {
        step: answer for step, answer in after.answers.items() if old.get(step) != answer
    }
    changed.update({step: None for step in old if step not in after.answers})
    return changed


class ConversationService(Generic[W]):
    """Runs flows for people on any platform, keeping every step in the store."""

    def __init__(
        self,
        units: Callable[[], W],
        catalog: FlowCatalog,
        clock: Clock,
        finishers: Mapping[str, Finisher[W]] | None = None,
        hooks: Sequence[ConversationHook[W]] = (),
    ) -> None:
        self._units = units
        self._finishers = dict(finishers or {})
        self._hooks = tuple(hooks)
        self.catalog = catalog
        self._clock = clock
        self._locks: dict[Key, asyncio.Lock] = {}
        self._waiting: dict[Key, int] = {}
        self._recent: OrderedDict[Key, StoredConversation] = OrderedDict()

    @property
    def units(self) -> Callable[[], W]:
        """The unit-of-work factory this service works through, for services beside it."""
        return self._units

    @property
    def clock(self) -> Clock:
        return self._clock

    # --- bookkeeping ---------------------------------------------------------------------------

    @asynccontextmanager
    async def _serial(self, key: Key) -> AsyncIterator[None]:
        # One lock per person, dropped when nobody waits on it, so the table stays small.
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    def _remember(self, key: Key, conversation: StoredConversation | None) -> None:
        if conversation is None or conversation.state.status == "completed":
            self._recent.pop(key, None)
            return
        self._recent[key] = conversation
        self._recent.move_to_end(key)
        if len(self._recent) > CACHE_SIZE:
            self._recent.popitem(last=False)

    async def _saved(
        self,
        uow: W,
        current: StoredConversation,
        state: State,
        report: dict[str, object] | None = None,
    ) -> StoredConversation | None:
        now = self._clock.now()
        ok = await uow.conversations.save(
            current.id,
            state,
            changed_answers(current.state, state),
            now,
            expected_revision=current.revision,
            report=report,
        )
        if not ok:
            return None
        return replace(current, state=state, updated_at=now, revision=current.revision + 1)

    # --- the ways in ------------------------------------------------------------------------

    async def begin(
        self,
        who: Sender,
        flow_id: str,
        *,
        new: bool = False,
        event_id: str | None = None,
        link: BeginLink[W] | None = None,
    ) -> Outcome:
        """Start a flow, or pick up the person's unfinished conversation of it unless `new`;
        with `link`, pick up only the conversation the link names.

        Raises `UnknownFlow` when there is no such flow.
        """
        flow = self.catalog.get(flow_id)
        key = (who.platform, who.user_id)
        async with self._serial(key):
            for _ in range(ATTEMPTS):
                async with self._units() as uow:
                    if event_id is not None and not await self._claim(uow, who, event_id):
                        return Outcome((), duplicate=True)
                    person = await self._person(uow, who)
                    existing = await self._existing(uow, person, flow_id, new=new, link=link)
                    if existing is not None:
                        stored_flow = await self._flow_of(uow, existing.state)
                        state = existing.state.model_copy(update={"status": "open"})
                        saved = await self._saved(uow, existing, state)
                        if saved is None:
                            continue
                        messages = engine.prompt(stored_flow, state)
                    else:
                        now = self._clock.now()
                        await uow.flows.remember(flow, now)
                        state, messages = engine.start(flow, person.language)
                        created = await uow.conversations.create(person.id, state, now)
                        fresh = StoredConversation(created, person.id, state, now, now, 0)
                        blank = replace(fresh, state=state.model_copy(update={"answers": {}}))
                        saved = await self._saved(uow, blank, state)
                        if saved is None:
                            continue
                    if link is not None:
                        await link.attach(uow, person, saved.id)
                    await uow.conversations.unfocus_others(person.id, saved.id)
                    await uow.commit()
                self._remember(key, saved)
                return Outcome(tuple(messages), saved.id, flow.id, state.status)
        raise ConcurrentUpdate(f"could not start {flow_id} for {who.platform}:{who.user_id}")

    async def handle(
        self,
        who: Sender,
        event: Event,
        *,
        event_id: str | None = None,
        conversation_id: int | None = None,
        expect_tag: str | None = None,
    ) -> Outcome:
        """Apply an event to the person's current conversation and store the result.

        With `conversation_id`, the event goes to that conversation of the person's (which
        becomes their current one), and to nothing when it is not theirs. With `expect_tag`
        (a form showing one prompt, see `engine.prompt_tag`), the event is applied only while
        the conversation is open and waits for that very prompt; otherwise nothing changes and
        the outcome says `stale`.
        """
        key = (who.platform, who.user_id)
        if isinstance(event, Reply):
            # Here, so that every platform's text is cleaned the same way before it is stored.
            event = Reply(clean_answer(event.text))
        async with self._serial(key):
            for attempt in range(ATTEMPTS):
                async with self._units() as uow:
                    if event_id is not None and not await self._claim(uow, who, event_id):
                        return Outcome((), duplicate=True)
                    current = cached = self._recent.get(key)
                    focus = conversation_id is not None and (
                        current is None or current.id != conversation_id
                    )
                    if focus:
                        assert conversation_id is not None
                        current = await self._own(uow, who, conversation_id, lock=attempt > 0)
                        if current is None:
                            await uow.commit()
                            return Outcome((Outbound(NOT_YOURS, kind="error"),))
                    elif current is None:
                        # After a lost race, read under a row lock, so the retry cannot lose again.
                        current = await uow.conversations.latest_open_for(*key, lock=attempt > 0)
                    if current is None:
                        await uow.commit()
                        return Outcome((self.idle_message(),))
                    if current is not cached and (refusal := await self._refused(uow, current)):
                        # Read from the store: the hooks may say it goes no further.
                        await uow.commit()
                        state = current.state
                        return Outcome(tuple(refusal), current.id, state.flow_id, state.status)
                    flow = await self._flow_of(uow, current.state)
                    if expect_tag is not None and not _awaits(current.state, expect_tag):
                        # Recorded, so that the same stale form sent twice says so once.
                        await uow.commit()
                        notice = Outbound(say(current.state.language, "stale"), kind="notice")
                        status = current.state.status
                        return Outcome((notice,), current.id, flow.id, status, stale=True)
                    # In a worker thread: reading an answer runs its checks (constraints,
                    # patterns), and no answer should hold every chat and the web meanwhile.
                    state, messages = await asyncio.to_thread(
                        engine.step, flow, current.state, event
                    )
                    report = None
                    if state.status == "completed" or state.awaiting == "continue":
                        complete = state.status == "completed"
                        built = build_report(flow, state.answers, state.language, complete=complete)
                        report = built.to_json()
                    finisher = self._finishers.get(flow.kind)
                    just_completed = (
                        state.status == "completed" and current.state.status != "completed"
                    )
                    saved = await self._saved(uow, current, state, report)
                    if saved is None:
                        # Another process moved this conversation on (or gave it to another
                        # person, when identities were linked): forget what we knew and apply
                        # the event to the conversation as it is now.
                        self._recent.pop(key, None)
                        continue
                    if finisher is not None and just_completed:
                        # After the revision check, so the owner is the stored one, not a
                        # cached owner a merge of two people has since removed.
                        extra = await finisher(uow, saved.person_id, flow, state)
                        messages = [*messages, *extra]
                    if just_completed:
                        for hook in self._hooks:
                            messages = [*messages, *await hook.completed(uow, saved, flow)]
                    if focus:
                        await uow.conversations.unfocus_others(saved.person_id, saved.id)
                    await uow.commit()
                self._remember(key, saved)
                return Outcome(tuple(messages), saved.id, flow.id, state.status)
        raise ConcurrentUpdate(f"could not apply an event for {who.platform}:{who.user_id}")

    async def resume(self, who: Sender, *, event_id: str | None = None) -> Outcome:
        """Show the person where their most recent unfinished conversation stands (going on
        to the next phase if they had stopped at a break)."""
        return await self.handle(who, Command("resume"), event_id=event_id)

    async def current(self, who: Sender) -> StoredConversation | None:
        """The person's unfinished conversation, if any, as the store has it now."""
        async with self._units() as uow:
            return await uow.conversations.latest_open_for(who.platform, who.user_id)

    async def conversation(
        self, who: Sender, conversation_id: int
    ) -> tuple[Flow, StoredConversation] | None:
        """One of the person's own conversations with the flow version it runs under; None
        when it is not theirs (or not there)."""
        async with self._units() as uow:
            found = await uow.conversations.get(conversation_id)
            if found is None or not await self._owns(uow, who, found):
                return None
            return await self._flow_of(uow, found.state), found

    async def report(self, conversation_id: int) -> tuple[Flow, State] | None:
        """The flow version and state of a conversation, for building its report."""
        async with self._units() as uow:
            found = await uow.conversations.get(conversation_id)
            if found is None:
                return None
            return await self._flow_of(uow, found.state), found.state

    async def set_language(self, who: Sender, language: str) -> PersonRef:
        """Speak to the person in `language` from now on (flows that have it use it)."""
        async with self._units() as uow:
            person = await self._person(uow, who)
            await uow.people.set_language(person.id, language)
            await uow.commit()
        return replace(person, language=language)

    async def whois(self, who: Sender) -> PersonRef:
        """The person behind a platform identity, created on first contact."""
        async with self._units() as uow:
            person = await self._person(uow, who)
            await uow.commit()
            return person

    async def mine(self, who: Sender) -> list[tuple[Flow, StoredConversation]]:
        """The person's own conversations (every flow, finished or not), newest first."""
        async with self._units() as uow:
            found = await uow.conversations.of_identity(who.platform, who.user_id)
            return [(await self._flow_of(uow, c.state), c) for c in found]

    async def forget(self, who: Sender, conversation_id: int) -> bool:
        """Delete one of the person's own conversations and its answers for good; False when
        it is not theirs (or not there)."""
        key = (who.platform, who.user_id)
        async with self._serial(key), self._units() as uow:
            own = await uow.conversations.of_identity(who.platform, who.user_id)
            if all(c.id != conversation_id for c in own):
                return False
            await uow.conversations.delete(conversation_id)
            await uow.commit()
        self._recent.pop(key, None)
        return True

    def idle_message(self) -> Outbound:
        names = ", ".join(f"{f.id} ({engine.local_title(f)})" for f in self.catalog)
        return Outbound(IDLE.format(flows=names))

    # --- helpers ----------------------------------------------------------------------------

    async def _claim(self, uow: W, who: Sender, event_id: str) -> bool:
        return await uow.conversations.claim_event(who.platform, event_id, self._clock.now())

    async def _owns(self, uow: W, who: Sender, conversation: StoredConversation) -> bool:
        # Compared through the identities, so that a look creates no person.
        mine = await uow.conversations.of_identity(who.platform, who.user_id)
        return any(c.id == conversation.id for c in mine)

    async def _own(
        self, uow: W, who: Sender, conversation_id: int, *, lock: bool
    ) -> StoredConversation | None:
        found = await uow.conversations.get(conversation_id, lock=lock)
        if found is None or not await self._owns(uow, who, found):
            return None
        return found

    async def _refused(self, uow: W, conversation: StoredConversation) -> list[Outbound]:
        refusal: list[Outbound] = []
        for hook in self._hooks:
            refusal += await hook.admit(uow, conversation)
        return refusal

    async def _existing(
        self,
        uow: W,
        person: PersonRef,
        flow_id: str,
        *,
        new: bool,
        link: BeginLink[W] | None,
    ) -> StoredConversation | None:
        """The conversation `begin` picks up: the link's, or else (unless `new`) the person's
        latest unfinished one of the flow; none that the hooks refuse."""
        if link is not None:
            found = await link.find(uow, person)
            existing = None if found is None else await uow.conversations.get(found, lock=True)
            if existing is None or existing.person_id != person.id:
                return None
            if existing.state.flow_id != flow_id or existing.state.status == "completed":
                return None
        elif new:
            return None
        else:
            existing = await uow.conversations.latest_open(person.id, flow_id, lock=True)
        if existing is not None and await self._refused(uow, existing):
            return None
        return existing

    async def _person(self, uow: W, who: Sender) -> PersonRef:
        return await uow.people.identify(
            who.platform,
            who.user_id,
            display_name=clean_title(who.display_name),
            language=who.language,
        )

    async def _flow_of(self, uow: W, state: State) -> Flow:
        if state.flow_id in self.catalog:
            flow = self.catalog.get(state.flow_id)
            if flow.version == state.flow_version:
                return flow
        stored = await uow.flows.definition(state.flow_id, state.flow_version)
        if stored is None:
            raise UnknownFlow(f"flow {state.flow_id!r} version {state.flow_version} is not known")
        return stored
