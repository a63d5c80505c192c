"""How a conversation looks on a web page: the chat's Markdown subset as safe HTML, and the
prompt a conversation waits on as a server-rendered form.

Everything a person typed, and every text of a flow, is escaped before the few tags of the
subset (*bold*, _italic_, lists) are added, so no answer can put markup on a page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup

from flows.conversation import Flow, MessageStep, Outbound, Question, State, engine

BOLD = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*")
ITALIC = re.compile(r"(?<![\w])_(?=\S)(.+?)(?<=\S)_(?![\w])")
BULLET = re.compile(r"^\s*(?:[-•]|\d+\.)\s+")
TYPED = ("text", "number", "date")

FormKind = Literal["choice", "choices", "text", "buttons"]


def _inline(line: str) -> str:
    escaped = html.escape(line, quote=True)
    escaped = BOLD.sub(r"<strong>\1</strong>", escaped)
    return ITALIC.sub(r"<em>\1</em>", escaped)


def message_html(text: str) -> Markup:
    """A message text (the Markdown subset of `Outbound.text`) as HTML: lines starting with
    `- ` or `• ` become a list, other lines paragraphs with line breaks; all else escaped."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        if not line.strip():
            flush()
        elif line.lstrip().startswith(("- ", "• ")):
            if paragraph:
                flush()
            items.append(_inline(BULLET.sub("", line, count=1)))
        else:
            if items:
                flush()
            paragraph.append(_inline(line))
    flush()
    return Markup("".join(blocks))


def inline_html(text: str) -> Markup:
    """A message text as phrasing HTML (for a legend or a label): its lines joined by breaks."""
    return Markup("<br>".join(_inline(line) for line in text.splitlines() if line.strip()))


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of the form: the id sent back, its label, and whether it is ticked."""

    id: str
    label: str
    checked: bool = False


@dataclass(frozen=True, slots=True)
class PromptForm:
    """The prompt a conversation waits on, as a form.

    `kind` says how it is answered: `choice` (radio buttons), `choices` (checkboxes), `text`
    (one input, with `input_type` and `hint`), or `buttons` (each option its own submit button,
    as at a phase break). `tag` names the prompt, so a form left open while the conversation
    moved on is refused rather than answering a newer question.
    """

    kind: FormKind
    text: str
    tag: str
    choices: tuple[Choice, ...] = ()
    input_type: str = "text"
    hint: str | None = None
    progress: str | None = None
    can_back: bool = False
    can_skip: bool = False
    step_id: str | None = None


def prompt_form(flow: Flow, state: State) -> tuple[list[Outbound], PromptForm | None]:
    """The messages that lead up to the prompt (say, a resumed phase's title) and the prompt
    as a form; no form for a conversation that is finished or paused."""
    if state.status != "open":
        return [], None
    messages = engine.prompt(flow, state)
    if not messages or messages[-1].kind != "question":
        return messages, None
    prompt = messages[-1]
    step = _step(flow, prompt.step_id)
    kind: FormKind
    if state.awaiting == "note":
        kind = "text"
    elif prompt.multiple:
        kind = "choices"
    elif prompt.options and prompt.step_id is not None:
        kind = "choice"
    elif prompt.options:
        kind = "buttons"
    else:
        kind = "text"
    input_type = "date" if prompt.input_hint == "date" else "text"
    return messages[:-1], PromptForm(
        kind=kind,
        text=prompt.text,
        tag=engine.prompt_tag(state),
        choices=tuple(
            Choice(o.id, o.label, o.id in prompt.selected)
            for o in prompt.options
            # The note prompt's one option is Skip, which the form offers as a button.
            if state.awaiting != "note"
        ),
        input_type=input_type,
        hint=prompt.hint if kind == "text" and prompt.input_hint in TYPED else None,
        progress=prompt.progress,
        can_back=bool(state.history) and state.awaiting in ("answer", "note", "continue"),
        can_skip=state.awaiting == "note"
        or (state.awaiting == "answer" and step is not None and not step.required),
        step_id=prompt.step_id,
    )


def _step(flow: Flow, step_id: str | None) -> Question | None:
    if step_id is None:
        return None
    for _, step in flow.steps():
        if step.id == step_id and not isinstance(step, MessageStep):
            return step
    return None
