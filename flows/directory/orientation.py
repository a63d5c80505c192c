"""The end of an orientation conversation: read the profile from the answers, match it against
the directory, show the matches with their reasons, and record what no service met."""

from __future__ import annotations

from flows.clock import Clock
from flows.conversation import MENU_TAG, Flow, Option, Outbound, State
from flows.directory.matching import Profile, Result, match
from flows.directory.model import Directory
from flows.directory.ports import DirectoryWork


def profile_of(directory: Directory, state: State) -> tuple[Profile, str | None]:
    """The profile in an orientation conversation's answers, and the place as typed."""
    values = state.answer_values()

    def many(step: str) -> frozenset[str]:
        value = values.get(step)
        return frozenset(value) if isinstance(value, list) else frozenset()

    def one(step: str) -> str | None:
        value = values.get(step)
        return value if isinstance(value, str) else None

    typed = one("where")
    place = directory.find_place(typed) if typed else None
    sector = one("sector")
    return (
        Profile(
            needs=many("needs"),
            stage=one("stage"),
            place=place.slug if place else None,
            target_groups=many("who"),
            sector=None if sector == "any" else sector,
            language=one("language"),
        ),
        typed,
    )


def describe(
    directory: Directory, profile: Profile, typed: str | None, result: Result
) -> list[Outbound]:
    """The matches as chat messages: one per service, best first."""
    messages: list[Outbound] = []
    if typed and profile.place is None:
        messages.append(
            Outbound(
                f"I do not know {typed[:60]!r} yet, so I looked across the whole network.",
                kind="notice",
            )
        )
    if not result.matches:
        needs = ", ".join(directory.label("needs", n).lower() for n in sorted(profile.needs))
        messages.append(
            Outbound(
                f"I found no service for {needs} in the directory yet. I have noted it, so the "
                "network's coordinators can see what is missing."
            )
        )
        return messages
    if result.nearest:
        messages.append(
            Outbound("Nothing in your area fits yet (I have noted that); these are the nearest:")
        )
    else:
        messages.append(Outbound("Here is what fits best:"))
    for number, found in enumerate(result.matches, start=1):
        lines = [f"{number}. *{found.service.name}*, {found.organisation.name}"]
        if found.service.description:
            lines.append(found.service.description)
        lines.append("Why: " + "; ".join(found.reasons) + ".")
        lines.append(found.next_step)
        # The button asks for a referral: the provider is told and answers through deseo.
        touch = Option(f"refer:{found.service.slug}", "Put me in touch")
        messages.append(
            Outbound(
                "\n".join(lines),
                kind="question",
                options=(touch,),
                input_hint="choice",
                tag=MENU_TAG,
            )
        )
    if result.unmet and not result.nearest:
        missing = ", ".join(directory.label("needs", n).lower() for n in sorted(result.unmet))
        messages.append(Outbound(f"Nothing here covers {missing} yet; I have noted it."))
    return messages


class Orientation:
    """Finisher for flows of kind `orientation` (see `ConversationService`)."""

    def __init__(self, directory: Directory, clock: Clock) -> None:
        self.directory = directory
        self._clock = clock

    async def __call__(
        self, uow: DirectoryWork, person_id: int, flow: Flow, state: State
    ) -> list[Outbound]:
        profile, typed = profile_of(self.directory, state)
        result = match(self.directory, profile)
        if result.unmet:
            await uow.needs.record(
                person_id,
                profile.place,
                typed,
                sorted(result.unmet),
                profile.stage,
                self._clock.now(),
            )
        return describe(self.directory, profile, typed, result)
