"""An in-memory unit of work, so that each service's rules are tested without a database.

`MemoryStore` holds what the store would: people and their codes, groups and meetings, the
outbox, referrals, and the chats following forum threads. `store.units` is what a service takes
as its `units`: each call makes a `MemoryUnitOfWork`, which works on a copy of the store and
puts it back whole on `commit`; leaving the block without committing leaves the store as it
was. The repositories keep the promises of the protocols in `flows/*/ports.py` as the SQL ones
do (unique outbox keys, claims under a lease, `cancel_keys` by prefix, upserts that answer
whether something was new); `tests/memory/test_contract.py` holds them to it, running the same
assertions on this store, SQLite and PostgreSQL.

Transactions are meant to follow one another, as they do in every service. A commit over a
store that another transaction changed since this one began raises `ConcurrentCommit` rather
than losing that transaction's writes.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self

from flows.conversation import Outbound
from flows.meetings import Group, Meeting, MeetingWork
from flows.outbox import Claimed, OutboxItem, OutboxWork
from flows.people import ChatRef, CodesWork, PersonRef, Platform, Role
from flows.referrals import OPEN, Referral, ReferralEvent, ReferralWork
from flows.threads import ThreadWork, WatchedThread
from flows.times import to_utc

# As the SQL store cuts them (the outbox's key column is 300 characters, names 200).
KEY_LENGTH = 300
NAME_LENGTH = 200


class ConcurrentCommit(RuntimeError):
    """Two transactions overlapped and both wrote: the in-memory store cannot merge them."""


class UniqueViolation(ValueError):
    """A row broke a uniqueness rule the SQL store enforces with a constraint."""


# --- rows -------------------------------------------------------------------------------------


@dataclass
class PersonRow:
    id: int
    display_name: str
    language: str = "en"
    timezone: str = "Europe/Brussels"
    roles: set[Role] = field(default_factory=lambda: {Role.MEMBER})

    def ref(self) -> PersonRef:
        return PersonRef(
            self.id, self.display_name, self.language, self.timezone, frozenset(self.roles)
        )


@dataclass
class CodeRow:
    purpose: str
    person_id: int
    digest: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass
class OutboxRow:
    id: int
    key: str
    kind: str
    chat: ChatRef
    message: Outbound
    due: datetime
    not_after: datetime | None
    meeting_id: int | None
    status: str = "pending"
    attempts: int = 0
    claimed_by: str | None = None
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None


@dataclass
class MemoryState:
    """Everything the store holds; a transaction works on a deep copy of it."""

    next_ids: Counter[str] = field(default_factory=Counter)
    people: dict[int, PersonRow] = field(default_factory=dict)
    # (platform, external id) -> person id, in the order they were made.
    identities: dict[tuple[Platform, str], int] = field(default_factory=dict)
    codes: list[CodeRow] = field(default_factory=list)
    groups: dict[int, Group] = field(default_factory=dict)
    # (group id, chat) -> title, in the order the chats began to follow.
    group_chats: dict[tuple[int, ChatRef], str | None] = field(default_factory=dict)
    group_members: set[tuple[int, int]] = field(default_factory=set)
    meetings: dict[int, Meeting] = field(default_factory=dict)
    meeting_revisions: Counter[int] = field(default_factory=Counter)
    # (meeting id, occurrence, person id) -> answer
    rsvps: dict[tuple[int, str, int], str] = field(default_factory=dict)
    outbox: dict[int, OutboxRow] = field(default_factory=dict)
    referrals: dict[int, Referral] = field(default_factory=dict)
    referral_events: dict[int, list[ReferralEvent]] = field(default_factory=dict)
    # (organisation, person id) -> when they were added
    providers: dict[tuple[str, int], datetime] = field(default_factory=dict)
    threads: dict[int, WatchedThread] = field(default_factory=dict)
    # (thread id, chat) -> since when, in the order the chats began to follow.
    thread_followers: dict[tuple[int, ChatRef], datetime] = field(default_factory=dict)

    def new_id(self, table: str) -> int:
        self.next_ids[table] += 1
        return self.next_ids[table]


class _Work:
    """The working copy one transaction reads and writes, shared by its repositories."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state


# --- repositories -----------------------------------------------------------------------------


class MemoryPeopleRepository:
    """`flows.people.PeopleRepository` in memory."""

    def __init__(self, work: _Work) -> None:
        self._work = work

    async def identify(
        self,
        platform: Platform,
        external_id: str,
        *,
        display_name: str,
        language: str | None = None,
        timezone: str | None = None,
    ) -> PersonRef:
        state = self._work.state
        known = state.identities.get((platform, external_id))
        if known is not None:
            return state.people[known].ref()
        person = PersonRow(state.new_id("people"), display_name[:NAME_LENGTH] or "friend")
        if language:
            person.language = language
        if timezone:
            person.timezone = timezone
        state.people[person.id] = person
        state.identities[(platform, external_id)] = person.id
        return person.ref()

    async def get(self, person_id: int) -> PersonRef | None:
        person = self._work.state.people.get(person_id)
        return None if person is None else person.ref()

    async def grant(self, person_id: int, role: Role) -> None:
        person = self._work.state.people.get(person_id)
        if person is None:
            raise LookupError(f"no person {person_id}")
        person.roles.add(role)

    async def identities(self, person_id: int) -> list[tuple[Platform, str]]:
        return [key for key, owner in self._work.state.identities.items() if owner == person_id]

    async def set_language(self, person_id: int, language: str) -> None:
        person = self._work.state.people.get(person_id)
        if person is not None:
            person.language = language

    async def revoke(self, person_id: int, role: Role) -> None:
        if role is Role.MEMBER:
            raise ValueError("everyone is a member: the member role cannot be revoked")
        person = self._work.state.people.get(person_id)
        if person is not None:
            person.roles.discard(role)


class MemoryCodeRepository:
    """`flows.people.CodeRepository` in memory: digests only, as the store keeps them."""

    def __init__(self, work: _Work) -> None:
        self._work = work

    async def issue_code(
        self, purpose: str, person_id: int, digest: str, *, now: datetime, expires_at: datetime
    ) -> None:
        for code in self._work.state.codes:
            if code.person_id == person_id and code.purpose == purpose and code.used_at is None:
                code.used_at = now
        self._work.state.codes.append(CodeRow(purpose, person_id, digest, now, expires_at))


class MemoryGroupRepository:
    """`flows.meetings.GroupRepository` in memory."""

    def __init__(self, work: _Work) -> None:
        self._work = work

    async def create(self, slug: str, name: str, timezone: str) -> Group:
        state = self._work.state
        if any(g.slug == slug for g in state.groups.values()):
            raise UniqueViolation(f"a group {slug!r} exists")
        group = Group(state.new_id("groups"), slug, name, timezone)
        state.groups[group.id] = group
        return group

    async def find(self, slug_or_id: str) -> Group | None:
        groups = self._work.state.groups.values()
        by_slug = next((g for g in groups if g.slug == slug_or_id), None)
        if by_slug is not None or not (slug_or_id.isdecimal() and len(slug_or_id) < 10):
            return by_slug
        return self._work.state.groups.get(int(slug_or_id))

    async def all(self) -> list[Group]:
        return sorted(self._work.state.groups.values(), key=lambda g: g.slug)

    async def follow(self, group_id: int, chat: ChatRef, title: str | None = None) -> bool:
        chats = self._work.state.group_chats
        if (group_id, chat) in chats:
            return False
        chats[(group_id, chat)] = title
        return True

    async def unfollow(self, group_id: int, chat: ChatRef) -> bool:
        chats = self._work.state.group_chats
        if (group_id, chat) not in chats:
            return False
        del chats[(group_id, chat)]
        return True

    async def chats(self, group_id: int) -> list[ChatRef]:
        return [chat for gid, chat in self._work.state.group_chats if gid == group_id]

    async def followed_by(self, chat: ChatRef) -> list[Group]:
        state = self._work.state
        ids = {gid for gid, followed in state.group_chats if followed == chat}
        return sorted((state.groups[i] for i in ids), key=lambda g: g.slug)

    async def add_member(self, group_id: int, person_id: int) -> None:
        self._work.state.group_members.add((group_id, person_id))

    async def of_person(self, person_id: int) -> list[Group]:
        state = self._work.state
        ids = {gid for gid, pid in state.group_members if pid == person_id}
        return sorted((state.groups[i] for i in ids), key=lambda g: g.slug)


class MemoryMeetingRepository:
    """`flows.meetings.MeetingRepository` in memory."""

    def __init__(self, work: _Work) -> None:
        self._work = work

    async def add(self, meeting: Meeting, at: datetime) -> int:
        state = self._work.state
        meeting = replace(meeting, id=state.new_id("meetings"))
        state.meetings[meeting.id] = meeting
        return meeting.id

    async def get(self, meeting_id: int) -> Meeting | None:
        return self._work.state.meetings.get(meeting_id)

    async def save(self, meeting: Meeting, at: datetime) -> None:
        state = self._work.state
        if meeting.id not in state.meetings:
            raise LookupError(f"no meeting {meeting.id}")
        state.meetings[meeting.id] = meeting
        state.meeting_revisions[meeting.id] += 1

    async def of_group(self, group_id: int, *, include_cancelled: bool = False) -> list[Meeting]:
        found = [
            m
            for m in self._work.state.meetings.values()
            if m.group_id == group_id and (include_cancelled or m.status == "scheduled")
        ]
        return sorted(found, key=lambda m: (to_utc(m.start_local, m.timezone), m.id))

    async def scheduled(self) -> list[Meeting]:
        meetings = self._work.state.meetings.values()
        return sorted((m for m in meetings if m.status == "scheduled"), key=lambda m: m.id)

    async def rsvp(
        self, meeting_id: int, occurrence: str, person_id: int, answer: str, at: datetime
    ) -> None:
        self._work.state.rsvps[(meeting_id, occurrence, person_id)] = answer

    async def rsvp_counts(self, meeting_id: int, occurrence: str) -> dict[str, int]:
        counts = {"going": 0, "maybe": 0, "not-going": 0}
        for (mid, occ, _), answer in self._work.state.rsvps.items():
            if (mid, occ) == (meeting_id, occurrence):
                counts[answer] = counts.get(answer, 0) + 1
        return counts


# A row already sent (or being sent, or given up) is not moved by `replace_pending`.
_REPLACEABLE = frozenset({"pending", "cancelled", "expired"})


class MemoryOutboxRepository:
    """`flows.outbox.OutboxRepository` in memory."""

    def __init__(self, work: _Work) -> None:
        self._work = work

    def _by_key(self, key: str) -> OutboxRow | None:
        return next((r for r in self._work.state.outbox.values() if r.key == key), None)

    def _add(self, item: OutboxItem) -> None:
        state = self._work.state
        row_id = state.new_id("outbox")
        state.outbox[row_id] = OutboxRow(
            row_id,
            item.key[:KEY_LENGTH],
            item.kind,
            item.chat,
            item.message,
            item.due,
            item.not_after,
            item.meeting_id,
        )

    async def enqueue(self, items: Sequence[OutboxItem]) -> int:
        new = 0
        for item in items:
            if self._by_key(item.key[:KEY_LENGTH]) is None:
                self._add(item)
                new += 1
        return new

    async def replace_pending(self, items: Sequence[OutboxItem]) -> None:
        for item in items:
            row = self._by_key(item.key[:KEY_LENGTH])
            if row is None:
                self._add(item)
            elif row.status in _REPLACEABLE:
                row.message, row.due, row.not_after = item.message, item.due, item.not_after
                row.status, row.attempts, row.last_error = "pending", 0, None

    async def claim(
        self,
        now: datetime,
        limit: int,
        lease_until: datetime,
        worker: str,
        platforms: frozenset[Platform] | None = None,
    ) -> list[Claimed]:
        due = [
            row
            for row in self._work.state.outbox.values()
            if (
                (row.status == "pending" and row.due <= now)
                # A worker that died mid-send left its rows leased: take them back once it lapses.
                or (
                    row.status == "sending"
                    and row.claimed_until is not None
                    and row.claimed_until < now
                )
            )
            and (platforms is None or row.chat.platform in platforms)
        ]
        claimed = []
        for row in sorted(due, key=lambda r: (r.due, r.id))[:limit]:
            row.status, row.claimed_by, row.claimed_until = "sending", worker, lease_until
            row.attempts += 1
            claimed.append(
                Claimed(
                    row.id, row.key, row.chat, row.message, row.due, row.not_after, row.attempts
                )
            )
        return claimed

    def _row(self, row_id: int) -> OutboxRow | None:
        return self._work.state.outbox.get(row_id)

    async def renew(self, row_ids: Sequence[int], worker: str, lease_until: datetime) -> set[int]:
        held = set()
        for row_id in row_ids:
            row = self._row(row_id)
            if row is not None and row.status == "sending" and row.claimed_by == worker:
                row.claimed_until = lease_until
                held.add(row_id)
        return held

    async def mark_sent(self, row_id: int, at: datetime) -> None:
        if row := self._row(row_id):
            row.status, row.sent_at, row.claimed_until, row.last_error = "sent", at, None, None

    async def mark_retry(self, row_id: int, due: datetime, error: str) -> None:
        if row := self._row(row_id):
            row.status, row.due, row.claimed_until, row.last_error = "pending", due, None, error

    async def mark_dead(self, row_id: int, error: str) -> None:
        if row := self._row(row_id):
            row.status, row.claimed_until, row.last_error = "dead", None, error

    async def mark_expired(self, row_id: int, reason: str) -> None:
        if row := self._row(row_id):
            row.status, row.claimed_until, row.last_error = "expired", None, reason

    async def cancel_pending(self, meeting_id: int, key_prefix: str | None = None) -> int:
        return self._cancel(
            lambda r: (
                r.meeting_id == meeting_id and (key_prefix is None or r.key.startswith(key_prefix))
            )
        )

    async def cancel_keys(self, key_prefix: str) -> int:
        return self._cancel(lambda r: r.key.startswith(key_prefix))

    def _cancel(self, chosen: Callable[[OutboxRow], bool]) -> int:
        cancelled = 0
        for row in self._work.state.outbox.values():
            if row.status == "pending" and chosen(row):
                row.status = "cancelled"
                cancelled += 1
        return cancelled

    async def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self._work.state.outbox.values()))


class MemoryReferralRepository:
    """`flows.referrals.ReferralRepository` in memory."""

    def __init__(self, work: _Work) -> None:
        self._work = work

    async def create(
        self, person_id: int, service: str, organisation: str, note: str | None, at: datetime
    ) -> Referral:
        state = self._work.state
        referral = Referral(
            state.new_id("referrals"),
            person_id,
            service,
            organisation,
            "requested",
            None,
            note,
            at,
            at,
        )
        state.referrals[referral.id] = referral
        state.referral_events[referral.id] = [ReferralEvent(at, "requested", None, note, person_id)]
        return referral

    async def get(self, referral_id: int) -> Referral | None:
        return self._work.state.referrals.get(referral_id)

    async def move(
        self,
        referral_id: int,
        status: str,
        outcome: str | None,
        note: str | None,
        by_person_id: int | None,
        at: datetime,
    ) -> Referral:
        state = self._work.state
        moved = replace(
            state.referrals[referral_id], status=status, outcome=outcome, note=note, updated_at=at
        )
        state.referrals[referral_id] = moved
        state.referral_events[referral_id].append(
            ReferralEvent(at, status, outcome, note, by_person_id)
        )
        return moved

    async def history(self, referral_id: int) -> list[ReferralEvent]:
        return list(self._work.state.referral_events.get(referral_id, []))

    def _latest_first(self, chosen: Callable[[Referral], bool]) -> list[Referral]:
        found = [r for r in self._work.state.referrals.values() if chosen(r)]
        return sorted(found, key=lambda r: (r.updated_at, r.id), reverse=True)

    async def of_organisations(self, organisations: list[str]) -> list[Referral]:
        return self._latest_first(lambda r: r.organisation in organisations)

    async def of_person(self, person_id: int) -> list[Referral]:
        return self._latest_first(lambda r: r.person_id == person_id)

    async def idle_since(self, before: datetime) -> list[Referral]:
        return [
            r
            for r in self._work.state.referrals.values()
            if r.status in OPEN and r.updated_at <= before
        ]

    async def add_member(self, organisation: str, person_id: int, at: datetime) -> bool:
        providers = self._work.state.providers
        if (organisation, person_id) in providers:
            return False
        providers[(organisation, person_id)] = at
        return True

    async def organisations_of(self, person_id: int) -> list[str]:
        return sorted(org for org, pid in self._work.state.providers if pid == person_id)

    async def members_of(self, organisation: str) -> list[int]:
        return sorted(pid for org, pid in self._work.state.providers if org == organisation)


class MemoryThreadFollowerRepository:
    """`flows.threads.ThreadFollowerRepository` in memory; the threads themselves are the
    forum's, put in with `MemoryStore.add_thread`."""

    def __init__(self, work: _Work) -> None:
        self._work = work

    async def thread(self, thread_id: int) -> WatchedThread | None:
        return self._work.state.threads.get(thread_id)

    async def follow(self, thread_id: int, chat: ChatRef, at: datetime) -> bool:
        followers = self._work.state.thread_followers
        if thread_id not in self._work.state.threads:
            raise LookupError(f"no thread {thread_id}")  # the foreign key would refuse it
        if (thread_id, chat) in followers:
            return False
        followers[(thread_id, chat)] = at
        return True

    async def unfollow(self, thread_id: int, chat: ChatRef) -> bool:
        return self._work.state.thread_followers.pop((thread_id, chat), None) is not None

    async def chats(self, thread_id: int) -> list[ChatRef]:
        return [chat for tid, chat in self._work.state.thread_followers if tid == thread_id]

    async def count(self, thread_id: int) -> int:
        return len(await self.chats(thread_id))

    async def followed_by(self, chat: ChatRef) -> list[WatchedThread]:
        state = self._work.state
        ids = sorted({tid for tid, followed in state.thread_followers if followed == chat})
        return [state.threads[i] for i in ids]


# --- the unit of work and the store -----------------------------------------------------------


class MemoryUnitOfWork:
    """One transaction on a `MemoryStore`: what `commit` saves is all of it; leaving the block
    without committing rolls back."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._work: _Work | None = None
        self._base = -1

    @property
    def _open(self) -> _Work:
        if self._work is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._work

    async def __aenter__(self) -> Self:
        self._base = self._store.version
        self._work = _Work(copy.deepcopy(self._store.state))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._work = None

    async def commit(self) -> None:
        work = self._open
        if self._store.version != self._base:
            raise ConcurrentCommit("another transaction committed since this one began")
        self._store.state = copy.deepcopy(work.state)
        self._store.version += 1
        self._store.commits += 1
        self._base = self._store.version

    async def rollback(self) -> None:
        self._open.state = copy.deepcopy(self._store.state)
        self._base = self._store.version

    @property
    def people(self) -> MemoryPeopleRepository:
        return MemoryPeopleRepository(self._open)

    @property
    def accounts(self) -> MemoryCodeRepository:
        return MemoryCodeRepository(self._open)

    @property
    def groups(self) -> MemoryGroupRepository:
        return MemoryGroupRepository(self._open)

    @property
    def meetings(self) -> MemoryMeetingRepository:
        return MemoryMeetingRepository(self._open)

    @property
    def outbox(self) -> MemoryOutboxRepository:
        return MemoryOutboxRepository(self._open)

    @property
    def referrals(self) -> MemoryReferralRepository:
        return MemoryReferralRepository(self._open)

    @property
    def thread_followers(self) -> MemoryThreadFollowerRepository:
        return MemoryThreadFollowerRepository(self._open)


class MemoryStore:
    """What has been committed, and the units of work that read and change it."""

    def __init__(self) -> None:
        self.state = MemoryState()
        self.version = 0
        self.commits = 0

    def units(self) -> MemoryUnitOfWork:
        """A new unit of work on this store: pass `store.units` to a service as its `units`."""
        return MemoryUnitOfWork(self)

    # What a test sets up or looks at directly, outside any transaction.

    def add_thread(self, title: str, *, public: bool = True) -> int:
        """A forum thread (the forum's to make; thread watching only reads them)."""
        thread_id = self.state.new_id("threads")
        self.state.threads[thread_id] = WatchedThread(thread_id, title, public)
        return thread_id

    def outbox(self, status: str | None = None) -> list[OutboxRow]:
        """The committed outbox rows (of one status), in the order they were added."""
        rows = self.state.outbox.values()
        return [r for r in rows if status is None or r.status == status]

    def statuses(self) -> Counter[str]:
        return Counter(r.status for r in self.state.outbox.values())


def _conforms(
    store: MemoryStore,
) -> list[MeetingWork | ReferralWork | ThreadWork | OutboxWork | CodesWork]:
    # Never called: running mypy on this file checks the repositories keep flows' promises.
    uow = store.units()
    meeting: MeetingWork = uow
    referral: ReferralWork = uow
    thread: ThreadWork = uow
    outbox: OutboxWork = uow
    codes: CodesWork = uow
    return [meeting, referral, thread, outbox, codes]
