"""What the chat commands every platform offers do, in one place (`bot.command_list` names
them).

Telegram's /commands and Discord's slash commands both call `ChatCommands.run`; menus (which
flow to start, which language) come back as messages whose options carry ids such as
`start:citess` or `lang:fr`, which the adapters send back to `ChatCommands.choose`.
"""

from __future__ import annotations

import re

from bot.command_list import COMMAND_NAMES, COMMANDS, HELP, LANGUAGES, ChatCommand, menu
from flows.conversation import (
    MENU_TAG,
    Command,
    ConversationService,
    FlowKind,
    MessageStep,
    Option,
    Outbound,
    Outcome,
    Sender,
    UnknownFlow,
    describe,
    engine,
    local,
)
from flows.meetings import MeetingError, MeetingService, NotFound, agenda_message
from flows.people import LINK_LIFETIME, ChatPlatforms, ChatRef, LinkCodes, Role
from flows.referrals import STATUS_WORDS, ReferralError, ReferralService
from flows.surveys import CampaignService, token_of
from flows.threads import ThreadWatchError, ThreadWatchService, may_watch
from flows.times import TimeInputError, parse_local
from flows.unit_of_work import UnitOfWork

# Telegram deep links allow only these characters, up to 64 of them.
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

__all__ = [
    "COMMANDS",
    "COMMAND_NAMES",
    "LANGUAGES",
    "ChatCommand",
    "ChatCommands",
    "menu",
]


class ChatCommands:
    """What each command does, the same on every platform."""

    def __init__(
        self,
        service: ConversationService[UnitOfWork],
        meetings: MeetingService | None = None,
        referrals: ReferralService | None = None,
        campaigns: CampaignService | None = None,
        *,
        links: LinkCodes | None = None,
        threads: ThreadWatchService | None = None,
    ) -> None:
        self.service = service
        self.meetings = meetings
        self.referrals = referrals
        # The composition root passes the process's services (`ChatServices`); those made here
        # serve tests and the Discord command sync, and the campaigns reach nobody privately.
        self.links = links or LinkCodes(service.units, service.clock)
        self.campaigns = campaigns or CampaignService(
            service.units, service.clock, service, platforms=ChatPlatforms()
        )
        self.threads = threads or ThreadWatchService(service.units, service.clock)

    def _flows(self, kind: FlowKind) -> list[Option]:
        return [
            Option(f"start:{flow.id}", engine.local_title(flow))
            for flow in self.service.catalog
            if flow.kind == kind
        ]

    async def run(
        self,
        who: Sender,
        name: str,
        argument: str = "",
        *,
        event_id: str | None = None,
        chat: ChatRef | None = None,
        private: bool = True,
        title: str | None = None,
    ) -> Outcome:
        """Carry out `/name argument` for `who`, said in `chat` (private or shared)."""
        argument = argument.strip()
        if name == "myanswers":
            return Outcome(await self._my_answers(who))
        if name == "link":
            return Outcome((await self._link(who, private),))
        if name == "referrals":
            if self.referrals is None:
                return Outcome((Outbound("Referrals are not available here."),))
            to_answer, own = await self.referrals.visible_to(who)
            return Outcome(tuple(self.referrals.listing(to_answer, own)))
        if name in ("schedule", "cancelmeeting"):
            return await self._coordinate(who, name, argument)
        if name in ("watch", "unwatch"):
            return await self._watch(who, name, argument, chat, private)
        if name in ("meetings", "follow", "unfollow"):
            return await self._meetings(who, name, argument, chat, private, title)
        if name == "start":
            return await self._start(who, argument, event_id)
        if name == "help":
            return Outcome((Outbound(HELP),))
        if name == "assess":
            return await self._kind(who, "assessment", argument, event_id)
        if name == "survey":
            return await self._survey(who, argument, event_id)
        if name == "orient":
            return await self._kind(who, "orientation", argument, event_id)
        if name == "resume":
            return await self.service.resume(who, event_id=event_id)
        if name in ("back", "cancel"):
            return await self.service.handle(who, Command(name), event_id=event_id)  # type: ignore[arg-type]
        if name == "language":
            if argument in LANGUAGES:
                return await self._language(who, argument)
            options = [Option(f"lang:{code}", label) for code, label in LANGUAGES.items()]
            return Outcome((menu("Which language shall I use?", options),))
        return Outcome((Outbound(f"I do not know /{name}. Send /help to see what I can do."),))

    async def choose(self, who: Sender, option_id: str, *, event_id: str | None = None) -> Outcome:
        """Act on an option of a menu (`start:FLOW` or `lang:CODE`)."""
        kind, _, value = option_id.partition(":")
        if kind == "start":
            return await self._begin(who, value, event_id)
        if kind == "campaign":
            return await self.campaigns.start(who, value, event_id=event_id)
        if kind == "lang" and value in LANGUAGES:
            return await self._language(who, value)
        if kind == "rsvp":
            return Outcome((await self.rsvp(who, value),))
        if kind in ("forget", "forget!") and value.isdecimal():
            return Outcome((await self._forget(who, int(value), confirmed=kind == "forget!"),))
        if kind in ("refer", "ref"):
            return Outcome(await self._referral(who, kind, value))
        return Outcome((Outbound("That menu is out of date; send /help.", kind="notice"),))

    async def _meetings(
        self,
        who: Sender,
        name: str,
        argument: str,
        chat: ChatRef | None,
        private: bool,
        title: str | None,
    ) -> Outcome:
        if self.meetings is None or chat is None:
            return Outcome((Outbound("Meetings are not available here."),))
        if name == "meetings":
            upcoming = await self.meetings.meetings_for_chat(chat)
            if not upcoming:
                return Outcome(
                    (Outbound("No meetings are coming up for the groups this chat follows."),)
                )
            return Outcome(tuple(agenda_message(u.meeting, u.occurrence) for u in upcoming[:5]))
        if not argument:
            followed = await self.meetings.followed_by(chat)
            names = ", ".join(g.slug for g in followed) or "none"
            groups = ", ".join(g.slug for g, _ in await self.meetings.groups()) or "none yet"
            return Outcome(
                (Outbound(f"Say /{name} GROUP. This chat follows: {names}. Groups: {groups}."),)
            )
        person = await self.service.whois(who)
        if not private and not person.has_role(Role.COORDINATOR):
            return Outcome(
                (
                    Outbound(
                        "Only a coordinator can make a shared chat follow a group.", kind="error"
                    ),
                )
            )
        try:
            if name == "unfollow":
                gone = await self.meetings.unfollow(argument, chat)
                text = (
                    f"This chat no longer follows {argument}."
                    if gone
                    else f"This chat did not follow {argument}."
                )
                return Outcome((Outbound(text),))
            group, new = await self.meetings.follow(argument, chat, title)
        except (NotFound, TimeInputError) as exc:
            return Outcome((Outbound(str(exc), kind="error"),))
        if private:
            await self.meetings.join(group.slug, person.id)
        text = (
            f"This chat now follows {group.name}: agendas and reminders will arrive here."
            if new
            else f"This chat already follows {group.name}."
        )
        return Outcome((Outbound(text),))

    async def _watch(
        self, who: Sender, name: str, argument: str, chat: ChatRef | None, private: bool
    ) -> Outcome:
        """Make this chat follow a forum thread (`/watch`), or stop (`/unwatch`)."""
        if chat is None:
            return Outcome((Outbound("Following threads is not available here."),))
        if not argument:
            followed = await self.threads.followed_by(chat)
            names = "; ".join(f"{t.id} “{t.title}”" for t in followed) or "none"
            return Outcome(
                (
                    Outbound(
                        f"Say /{name} and a thread's number or its forum address, such as "
                        f"/{name} 12. This chat follows: {names}."
                    ),
                )
            )
        person = await self.service.whois(who)
        if not may_watch(person, private):
            return Outcome(
                (
                    Outbound(
                        "Only a coordinator or a moderator can make a shared chat follow a thread.",
                        kind="error",
                    ),
                )
            )
        try:
            if name == "unwatch":
                thread, gone = await self.threads.unwatch(argument, chat)
                text = (
                    f"This chat no longer follows “{thread.title}”."
                    if gone
                    else f"This chat did not follow “{thread.title}”."
                )
                return Outcome((Outbound(text),))
            thread, new = await self.threads.watch(argument, chat)
        except ThreadWatchError as exc:
            return Outcome((Outbound(str(exc), kind="error"),))
        text = (
            f"This chat now follows “{thread.title}”: new posts in it will be announced here."
            if new
            else f"This chat already follows “{thread.title}”."
        )
        return Outcome((Outbound(text),))

    async def _my_answers(self, who: Sender) -> tuple[Outbound, ...]:
        """Each of the person's conversations with its answers, and a button to delete it."""
        found = await self.service.mine(who)
        if not found:
            return (Outbound("You have not answered anything yet."),)
        messages = []
        for flow, conversation in found[:10]:
            state = conversation.state
            lines = [f"*{engine.local_title(flow, state.language)}* ({state.status})"]
            for _, step in flow.steps():
                answer = state.answers.get(step.id)
                if answer is None or isinstance(step, MessageStep):
                    continue
                question = local(step.text, state.language, flow.default_language)
                shown = describe(step, answer.value, state.language, flow.default_language)
                lines.append(
                    f"- {question[:80]} {shown}" + (f" ({answer.note})" if answer.note else "")
                )
            delete = Option(f"forget:{conversation.id}", "Delete these answers")
            messages.append(
                Outbound("\n".join(lines)[:3500], kind="question", options=(delete,), tag=MENU_TAG)
            )
        return tuple(messages)

    async def _link(self, who: Sender, private: bool) -> Outbound:
        """A one-time code that joins this chat identity to a web account."""
        if not private:
            # Whoever types the code on the web takes this identity: never show it to a group.
            return Outbound("Send /link to me in a private chat.", kind="error")
        code = await self.links.issue(who.platform, who.user_id, who.display_name)
        minutes = int(LINK_LIFETIME.total_seconds() // 60)
        return Outbound(
            f"Your link code is *{code}*\n"
            f"Sign in on the forum, open your account page and enter it there within {minutes} "
            "minutes. Your answers here and your forum account then become one. "
            "Do not share this code."
        )

    async def _forget(self, who: Sender, conversation_id: int, *, confirmed: bool) -> Outbound:
        if not confirmed:
            sure = Option(f"forget!:{conversation_id}", "Yes, delete them for good")
            return Outbound(
                "Delete these answers for good? This cannot be undone.",
                kind="question",
                options=(sure,),
                tag=MENU_TAG,
            )
        if await self.service.forget(who, conversation_id):
            return Outbound("Deleted. Those answers are gone from deseo.")
        return Outbound("I found no such answers of yours.", kind="error")

    async def _referral(self, who: Sender, kind: str, value: str) -> tuple[Outbound, ...]:
        if self.referrals is None:
            return (Outbound("Referrals are not available here.", kind="notice"),)
        try:
            if kind == "refer":
                return (await self.referrals.request(who, value),)
            number, _, move = value.partition(":")
            if not number.isdecimal():
                raise ReferralError("that button is out of date")
            if move == "close":
                return (self.referrals.outcomes_menu(int(number)),)
            status, _, outcome = move.partition(":")
            moved = await self.referrals.move(who, int(number), status, outcome or None)
        except ReferralError as exc:
            return (Outbound(str(exc), kind="error"),)
        return (Outbound(f"Request #{moved.id} is now {STATUS_WORDS[moved.status]}."),)

    async def _coordinate(self, who: Sender, name: str, argument: str) -> Outcome:
        """A coordinator schedules or cancels a meeting from the chat."""
        if self.meetings is None:
            return Outcome((Outbound("Meetings are not available here."),))
        person = await self.service.whois(who)
        if not person.has_role(Role.COORDINATOR):
            return Outcome((Outbound("Only a coordinator can do that.", kind="error"),))
        words = argument.split()
        try:
            if name == "schedule":
                if len(words) < 3:
                    raise MeetingError("say /schedule GROUP 2026-12-03T10:00 Title of the meeting")
                start = parse_local(words[1])
                meeting = await self.meetings.create_meeting(words[0], " ".join(words[2:]), start)
                return Outcome(
                    (
                        Outbound(
                            f"Meeting {meeting.id} scheduled; its agenda goes to the group's chats."
                        ),
                    )
                )
            if not words or not words[0].isdecimal():
                raise MeetingError("say /cancelmeeting ID, or /cancelmeeting ID 2026-12-03T10:00")
            occurrence = parse_local(words[1]) if len(words) > 1 else None
            await self.meetings.cancel_meeting(int(words[0]), occurrence)
        except (TimeInputError, NotFound) as exc:
            return Outcome((Outbound(str(exc), kind="error"),))
        return Outcome((Outbound("Cancelled; the group's chats are told."),))

    async def rsvp(self, who: Sender, data: str) -> Outbound:
        """Record an answer to an invitation (`<meeting>:<occurrence>:<answer>`)."""
        parts = data.split(":")
        if self.meetings is None or len(parts) != 3 or not parts[0].isdecimal():
            return Outbound("That invitation is out of date.", kind="notice")
        person = await self.service.whois(who)
        try:
            counts = await self.meetings.rsvp(person.id, int(parts[0]), parts[1], parts[2])
        except (NotFound, TimeInputError) as exc:
            return Outbound(str(exc), kind="notice")
        return Outbound(
            f"Thanks, noted. Going: {counts['going']}, maybe: {counts['maybe']}, "
            f"not going: {counts['not-going']}.",
            kind="notice",
        )

    async def _survey(self, who: Sender, argument: str, event_id: str | None) -> Outcome:
        """A survey by its flow's name, a campaign by its slug or link token (`c_<token>`), or
        a menu: the campaigns the person is invited to first, then the open surveys."""
        flows = self._flows("survey")
        named = argument and all(o.id != f"start:{argument}" for o in flows)
        if named and (token_of(argument) is not None or await self.campaigns.known(argument)):
            return await self.campaigns.start(who, argument, event_id=event_id)
        if not argument:
            invited = [
                Option(f"campaign:{c.id}", c.title) for c in await self.campaigns.invited(who)
            ]
            if invited:
                return Outcome((menu("Which one?", [*invited, *flows]),))
        return await self._kind(who, "survey", argument, event_id)

    async def _start(self, who: Sender, payload: str, event_id: str | None) -> Outcome:
        if token_of(payload) is not None:
            # A deep link from a campaign's invitation: t.me/<bot>?start=c_<token>.
            return await self.campaigns.start(who, payload, event_id=event_id)
        if payload and PAYLOAD.match(payload) and payload in self.service.catalog:
            return await self._begin(who, payload, event_id)
        person = await self.service.whois(who)
        greeting = f"Hello {person.display_name}!\n{HELP}"
        current = await self.service.current(who)
        messages = [Outbound(greeting)]
        if payload:
            messages.insert(0, Outbound(f"I have nothing called {payload[:64]!r}.", kind="error"))
        if current is not None:
            title = current.state.flow_id
            if title in self.service.catalog:
                title = engine.local_title(self.service.catalog.get(title))
            messages.append(Outbound(f"You have an unfinished {title}: send /resume to go on."))
        return Outcome(tuple(messages))

    async def _kind(
        self, who: Sender, kind: FlowKind, argument: str, event_id: str | None
    ) -> Outcome:
        options = self._flows(kind)
        wanted = f"start:{argument}"
        if argument and any(o.id == wanted for o in options):
            return await self._begin(who, argument, event_id)
        if not options:
            nothing = {
                "assessment": "No self-assessment is available right now.",
                "survey": "No survey is open for you right now.",
                "orientation": "Orientation is not available yet.",
            }[kind]
            return Outcome((Outbound(nothing),))
        if len(options) == 1:
            return await self._begin(who, options[0].id.removeprefix("start:"), event_id)
        return Outcome((menu("Which one?", options),))

    async def _begin(self, who: Sender, flow_id: str, event_id: str | None) -> Outcome:
        try:
            return await self.service.begin(who, flow_id, event_id=event_id)
        except UnknownFlow:
            return Outcome((Outbound(f"I have nothing called {flow_id[:64]!r}.", kind="error"),))

    async def _language(self, who: Sender, code: str) -> Outcome:
        await self.service.set_language(who, code)
        return Outcome((Outbound(f"Language set to {LANGUAGES[code]}."),))
