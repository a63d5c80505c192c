"""Putting entrepreneurs in touch with services, and following the referral up.

Every change is one transaction: the referral, its history, and the messages it owes (to the
provider's people on a new request or when it lies idle, to the entrepreneur when it moves)
written to the outbox, which the worker sends.
"""

from __future__ import annotations

from flows.clock import Clock
from flows.conversation import MENU_TAG, Option, Outbound, Sender
from flows.directory import Directory, DirectorySource, Organisation, Service
from flows.outbox import OutboxItem
from flows.people import ChatPlatforms, PersonRef, Role
from flows.referrals.model import (
    IDLE_AFTER,
    NEXT,
    OUTCOMES,
    STATUS_WORDS,
    Referral,
    ReferralError,
    ReferralEvent,
    change_message,
    check_move,
)
from flows.referrals.ports import ReferralUnits, ReferralWork

PROVIDER_MOVES = (("accepted", "Accept"), ("declined", "Decline"), ("in-progress", "In progress"))


class ReferralService:
    def __init__(
        self,
        units: ReferralUnits,
        clock: Clock,
        directory: Directory | DirectorySource,
        platforms: ChatPlatforms,
    ) -> None:
        self._units = units
        self._clock = clock
        # A source follows the store's directory as it was last read (see `DirectorySource`).
        self._directory = directory
        self._platforms = platforms

    @property
    def directory(self) -> Directory:
        found = self._directory
        return found.current if isinstance(found, DirectorySource) else found

    def _service(self, slug: str) -> tuple[Organisation, Service]:
        for organisation, service in self.directory.services():
            if service.slug == slug:
                return organisation, service
        raise ReferralError(f"there is no service {slug!r} in the directory")

    def name_of(self, referral: Referral) -> str:
        try:
            organisation, service = self._service(referral.service)
        except ReferralError:
            return referral.service
        return f"{service.name} ({organisation.name})"

    async def _person(self, uow: ReferralWork, who: Sender) -> PersonRef:
        return await uow.people.identify(
            who.platform, who.user_id, display_name=who.display_name, language=who.language
        )

    async def _tell(self, uow: ReferralWork, person_id: int, key: str, message: Outbound) -> None:
        now = self._clock.now()
        chats = self._platforms.private_chats(await uow.people.identities(person_id))
        await uow.outbox.enqueue(
            [OutboxItem(f"{key}:{chat.key}", "referral", chat, message, now) for chat in chats]
        )

    async def request(self, who: Sender, service_slug: str, note: str | None = None) -> Outbound:
        """The entrepreneur asks to be put in touch; the provider's people are told."""
        organisation, service = self._service(service_slug)
        async with self._units() as uow:
            person = await self._person(uow, who)
            for known in await uow.referrals.of_person(person.id):
                if known.service == service_slug and known.open:
                    await uow.commit()
                    return Outbound(
                        f"You asked {organisation.name} already; the request is "
                        f"{STATUS_WORDS[known.status]}. I will tell you when it moves."
                    )
            referral = await uow.referrals.create(
                person.id, service_slug, organisation.slug, note, self._clock.now()
            )
            notice = Outbound(
                f"New request #{referral.id} from {person.display_name} for {service.name}. "
                "Send /referrals to answer it."
            )
            for member in await uow.referrals.members_of(organisation.slug):
                await self._tell(uow, member, f"referral:{referral.id}:new:{member}", notice)
            await uow.commit()
        return Outbound(
            f"I have asked {organisation.name} to get in touch with you about {service.name} "
            f"(request #{referral.id}). I will tell you when they answer; /referrals shows it."
        )

    async def move(
        self,
        actor: Sender,
        referral_id: int,
        status: str,
        outcome: str | None = None,
        note: str | None = None,
    ) -> Referral:
        """Move a referral on; only its provider's people may, or the entrepreneur withdraw.
        Someone else is told it does not exist, so nobody learns of others' referrals."""
        async with self._units() as uow:
            person = await self._person(uow, actor)
            referral = await uow.referrals.get(referral_id)
            providers = await uow.referrals.organisations_of(person.id)
            by_provider = referral is not None and (
                referral.organisation in providers or person.has_role(Role.ADMIN)
            )
            if referral is None or not (by_provider or referral.person_id == person.id):
                raise ReferralError(f"there is no referral #{referral_id} for you")
            check_move(referral, status, outcome, by_provider=by_provider)
            moved = await uow.referrals.move(
                referral_id, status, outcome, note, person.id, self._clock.now()
            )
            if moved.person_id != person.id:
                message = Outbound(change_message(moved, self.name_of(moved)))
                await self._tell(uow, moved.person_id, f"referral:{moved.id}:{status}", message)
            await uow.commit()
            return moved

    async def visible_to(self, who: Sender) -> tuple[list[Referral], list[Referral]]:
        """(referrals to the person's organisations, the person's own referrals)."""
        async with self._units() as uow:
            person = await self._person(uow, who)
            organisations = await uow.referrals.organisations_of(person.id)
            to_answer = await uow.referrals.of_organisations(organisations)
            own = await uow.referrals.of_person(person.id)
            await uow.commit()
            return to_answer, own

    async def history(self, who: Sender, referral_id: int) -> list[ReferralEvent]:
        async with self._units() as uow:
            person = await self._person(uow, who)
            referral = await uow.referrals.get(referral_id)
            organisations = await uow.referrals.organisations_of(person.id)
            allowed = referral is not None and (
                referral.person_id == person.id
                or referral.organisation in organisations
                or person.has_role(Role.ADMIN)
            )
            if not allowed:
                raise ReferralError(f"there is no referral #{referral_id} for you")
            return await uow.referrals.history(referral_id)

    async def add_provider(self, organisation: str, who: Sender) -> bool:
        if all(o.slug != organisation for o in self.directory.organisations):
            raise ReferralError(f"there is no organisation {organisation!r} in the directory")
        async with self._units() as uow:
            person = await self._person(uow, who)
            new = await uow.referrals.add_member(organisation, person.id, self._clock.now())
            await uow.commit()
            return new

    async def remind_idle(self) -> int:
        """Remind providers of referrals left without news for a week; once per idle spell."""
        now = self._clock.now()
        sent = 0
        async with self._units() as uow:
            for referral in await uow.referrals.idle_since(now - IDLE_AFTER):
                message = Outbound(
                    f"Request #{referral.id} for {self.name_of(referral)} has had no news since "
                    f"{referral.updated_at:%d %B}. Send /referrals to answer it."
                )
                stamp = referral.updated_at.strftime("%Y%m%dT%H%M%S")
                for member in await uow.referrals.members_of(referral.organisation):
                    key = f"referral-idle:{referral.id}:{stamp}:{member}"
                    await self._tell(uow, member, key, message)
                    sent += 1
            await uow.commit()
        return sent

    # --- chat ------------------------------------------------------------------------------

    def listing(self, to_answer: list[Referral], own: list[Referral]) -> list[Outbound]:
        """Messages for /referrals: what to answer, with buttons, then one's own requests."""
        messages: list[Outbound] = []
        for referral in [r for r in to_answer if r.open][:10]:
            options = [
                Option(f"ref:{referral.id}:{status}", label)
                for status, label in PROVIDER_MOVES
                if _allowed(referral, status)
            ]
            options.append(Option(f"ref:{referral.id}:close", "Close…"))
            messages.append(
                Outbound(
                    f"#{referral.id} {self.name_of(referral)}: {STATUS_WORDS[referral.status]}, "
                    f"since {referral.updated_at:%d %B}.",
                    kind="question",
                    options=tuple(options),
                    input_hint="choice",
                    tag=MENU_TAG,
                )
            )
        for referral in own[:10]:
            withdraw: tuple[Option, ...] = (
                (Option(f"ref:{referral.id}:closed:no-longer-interested", "Withdraw"),)
                if referral.open
                else ()
            )
            messages.append(
                Outbound(
                    f"Your request #{referral.id} to {self.name_of(referral)}: "
                    f"{STATUS_WORDS[referral.status]}.",
                    kind="question" if withdraw else "info",
                    options=withdraw,
                    input_hint="choice" if withdraw else "none",
                    tag=MENU_TAG if withdraw else None,
                )
            )
        if not messages:
            messages.append(
                Outbound("No referrals. Use /orient to find a service and ask for one.")
            )
        return messages

    def outcomes_menu(self, referral_id: int) -> Outbound:
        labels = {
            "got-help": "Got help",
            "not-eligible": "Not eligible",
            "no-capacity": "No capacity",
            "no-longer-interested": "No longer interested",
            "could-not-contact": "Could not contact",
        }
        return Outbound(
            f"How did request #{referral_id} end?",
            kind="question",
            options=tuple(Option(f"ref:{referral_id}:closed:{o}", labels[o]) for o in OUTCOMES),
            input_hint="choice",
            tag=MENU_TAG,
        )


def _allowed(referral: Referral, status: str) -> bool:
    return status in NEXT[referral.status]
