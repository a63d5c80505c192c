"""A conversation read back from its state: what was asked and what the person answered.

The store keeps a conversation's state, not the messages sent, so a page that shows the
conversation so far (the web chat) rebuilds it here: the welcome, each phase's title, the
messages passed on the way and every question met with its answer, in the order they came.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flows.conversation.answers import describe, local
from flows.conversation.definitions import Flow, MessageStep
from flows.conversation.state import State

Speaker = Literal["bot", "person"]


@dataclass(frozen=True, slots=True)
class Line:
    """One thing said: by deseo (`bot`, in the Markdown subset of `Outbound.text`) or by the
    person (`person`, plain text as they gave it, with the note they added)."""

    by: Speaker
    text: str
    step_id: str | None = None
    note: str | None = None


def transcript(flow: Flow, state: State) -> list[Line]:
    """The conversation so far, up to (not including) the prompt it waits on now."""
    lang = state.language
    default = flow.default_language
    values = state.answer_values()
    met = set(state.history)
    title = local(flow.title, lang, default)
    description = local(flow.description, lang, default)
    lines = [Line("bot", f"*{title}*" + (f"\n{description}" if description else ""))]
    current_phase: int | None = None
    for phase_index, step in flow.steps():
        if state.status != "completed" and step.id == state.step_id:
            break
        if step.when is not None and not step.when.holds(values):
            continue
        if not isinstance(step, MessageStep) and step.id not in met:
            continue
        if phase_index != current_phase:
            current_phase = phase_index
            phase = flow.phases[phase_index]
            # A phase named after the flow, without an intro, would repeat the welcome.
            if phase.intro is not None or phase.title != flow.title:
                heading = f"*{local(phase.title, lang, default)}*"
                intro = local(phase.intro, lang, default)
                lines.append(Line("bot", heading + (f"\n{intro}" if intro else "")))
        lines.append(Line("bot", local(step.text, lang, default), step.id))
        if isinstance(step, MessageStep):
            continue
        answer = state.answers.get(step.id)
        if answer is not None:
            shown = describe(step, answer.value, lang, default)
            lines.append(Line("person", shown, step.id, answer.note))
    return lines
