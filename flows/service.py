"""The conversation service: load a conversation, run the engine, save it, in one transaction.

It is the one way in for every chat adapter. It promises that an inbound event with an id seen
before is not applied again, that the events of one person are applied one after the other
(an in-process lock, and a row lock in the store across processes), and that answers are kept
under the flow version they were given in.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from flows import engine
from flows.catalog import FlowCatalog, UnknownFlow
from flows.definitions import Flow
from flows.messages import Event, Outbound
from flows.people import PersonRef, Platform
from flows.ports import Clock, StoredConversation, UnitOfWork, UnitOfWorkFactory
from flows.report import build_report
from flows.state import Answer, State, Status


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


IDLE = "Nothing is in progress. Start one of these: {flows}."  # shown with the list of flows


def changed_answers(before: State | None, after: State) -> dict[str, Answer | None]:
    """The answers that differ between two states; None marks an answer that was removed."""
    old: Mapping[str, Answer] = before.answers if before is not None else {}
    changed: dict[str, Answer | None] = {
        step: answer for step, answer in after.answers.items() if old.get(step) != answer
    }
    changed.update({step: None for step in old if step not in after.answers})
    return changed


class ConversationService:
    """Runs flows for people on any platform, keeping every step in the store."""

    def __init__(self, units: UnitOfWorkFactory, catalog: FlowCatalog, clock: Clock) -> None:
        self._units = units
        self.catalog = catalog
        self._clock = clock
        self._locks: dict[tuple[Platform, str], asyncio.Lock] = {}
        self._waiting: dict[tuple[Platform, str], int] = {}

    @asynccontextmanager
    async def _serial(self, who: Sender) -> AsyncIterator[None]:
        # One lock per person, dropped when nobody waits on it, so the table stays small.
        key = (who.platform, who.user_id)
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

    async def begin(
        self, who: Sender, flow_id: str, *, new: bool = False, event_id: str | None = None
    ) -> Outcome:
        """Start a flow, or pick up the person's unfinished conversation of it unless `new`.

        Raises `UnknownFlow` when there is no such flow.
        """
        flow = self.catalog.get(flow_id)
        async with self._serial(who), self._units() as uow:
            if event_id is not None and not await self._claim(uow, who, event_id):
                return Outcome((), duplicate=True)
            person = await self._person(uow, who)
            existing = None if new else await uow.conversations.latest_open(person.id, flow_id)
            now = self._clock.now()
            if existing is not None:
                stored_flow = await self._flow_of(uow, existing.state)
                state = existing.state.model_copy(update={"status": "open"})
                messages = engine.prompt(stored_flow, state)
                await uow.conversations.save(existing.id, state, {}, now)
                await uow.commit()
                return Outcome(tuple(messages), existing.id, flow.id, state.status)
            await uow.flows.remember(flow, now)
            state, messages = engine.start(flow, person.language)
            conversation_id = await uow.conversations.create(person.id, state, now)
            await uow.conversations.save(conversation_id, state, changed_answers(None, state), now)
            await uow.commit()
            return Outcome(tuple(messages), conversation_id, flow.id, state.status)

    async def handle(self, who: Sender, event: Event, *, event_id: str | None = None) -> Outcome:
        """Apply an event to the person's current conversation and store the result."""
        async with self._serial(who), self._units() as uow:
            if event_id is not None and not await self._claim(uow, who, event_id):
                return Outcome((), duplicate=True)
            person = await self._person(uow, who)
            current = await uow.conversations.latest_open(person.id, lock=True)
            if current is None:
                await uow.commit()
                return Outcome((self.idle_message(),))
            flow = await self._flow_of(uow, current.state)
            state, messages = engine.step(flow, current.state, event)
            report = None
            if state.status == "completed" or state.awaiting == "continue":
                complete = state.status == "completed"
                report = build_report(flow, state.answers, state.language, complete=complete)
            await uow.conversations.save(
                current.id,
                state,
                changed_answers(current.state, state),
                self._clock.now(),
                report.to_json() if report is not None else None,
            )
            await uow.commit()
            return Outcome(tuple(messages), current.id, flow.id, state.status)

    async def resume(self, who: Sender, *, event_id: str | None = None) -> Outcome:
        """Show the person where their most recent unfinished conversation stands."""
        async with self._serial(who), self._units() as uow:
            if event_id is not None and not await self._claim(uow, who, event_id):
                return Outcome((), duplicate=True)
            person = await self._person(uow, who)
            current = await uow.conversations.latest_open(person.id, lock=True)
            if current is None:
                await uow.commit()
                return Outcome((self.idle_message(),))
            flow = await self._flow_of(uow, current.state)
            state = current.state.model_copy(update={"status": "open"})
            await uow.conversations.save(current.id, state, {}, self._clock.now())
            await uow.commit()
            return Outcome(tuple(engine.prompt(flow, state)), current.id, flow.id, state.status)

    async def current(self, who: Sender) -> StoredConversation | None:
        """The person's unfinished conversation, if any, without changing it."""
        async with self._units() as uow:
            person = await self._person(uow, who)
            found = await uow.conversations.latest_open(person.id)
            await uow.commit()
            return found

    async def report(self, conversation_id: int) -> tuple[Flow, State] | None:
        """The flow version and state of a conversation, for building its report."""
        async with self._units() as uow:
            found = await uow.conversations.get(conversation_id)
            if found is None:
                return None
            return await self._flow_of(uow, found.state), found.state

    def idle_message(self) -> Outbound:
        names = ", ".join(f"{f.id} ({engine.local_title(f)})" for f in self.catalog)
        return Outbound(IDLE.format(flows=names))

    async def _claim(self, uow: UnitOfWork, who: Sender, event_id: str) -> bool:
        return await uow.conversations.claim_event(who.platform, event_id, self._clock.now())

    async def _person(self, uow: UnitOfWork, who: Sender) -> PersonRef:
        return await uow.people.identify(
            who.platform, who.user_id, display_name=who.display_name, language=who.language
        )

    async def _flow_of(self, uow: UnitOfWork, state: State) -> Flow:
        if state.flow_id in self.catalog:
            flow = self.catalog.get(state.flow_id)
            if flow.version == state.flow_version:
                return flow
        stored = await uow.flows.definition(state.flow_id, state.flow_version)
        if stored is None:
            raise UnknownFlow(f"flow {state.flow_id!r} version {state.flow_version} is not known")
        return stored
