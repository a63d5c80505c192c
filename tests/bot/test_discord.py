"""The Discord bot end to end: real discord.py clients on the real store, Discord faked over HTTP.

Slash commands, clicks and typed answers arrive as gateway payloads through the client's own
`ConnectionState`, so the command tree, the registered `DynamicItem`s and `on_interaction` /
`on_message` route them as in production; what the bot sends back is recorded by `FakeDiscord`.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest

from bot import DISCORD
from bot.commands import COMMANDS, ChatCommand
from bot.discord_app import COMMANDS_FILE, SORRY, DeseoDiscord
from bot.discord_commands import slash_command
from bot.discord_platform import (
    DiscordStartError,
    build_discord_client,
    run_discord,
    sync_discord_commands,
)
from storage import Database
from tests.bot.discord_fake import GOOD_TOKEN, Deliveries, FakeDiscord, Sent
from tests.bot.discord_flows import (
    FIRST,
    SECOND,
    SIOBHAN,
    big_flow,
    make_service,
    small_survey,
    who,
)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeDiscord:
    fake = FakeDiscord()
    fake.install(monkeypatch)
    return fake


@pytest.fixture
async def bot(database: Database, fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[DeseoDiscord]:
    client = build_discord_client(make_service(database), state_dir=tmp_path)
    await client.login(GOOD_TOKEN)
    yield client
    await client.close()


@pytest.fixture
def events(bot: DeseoDiscord) -> Deliveries:
    return Deliveries(bot)


def tag_of(prompt: Sent) -> str:
    return prompt.custom_ids[0].split(":")[2]


async def start_check(fake: FakeDiscord, events: Deliveries, *, guild: bool = True) -> Sent:
    """/assess check; the prompt of the first question."""
    interaction = await events.interaction(
        fake.command(SIOBHAN, "assess", guild=guild, name="check")
    )
    return fake.of(interaction, "followup")[-1]


async def answers_of(bot: DeseoDiscord) -> dict[str, Any]:
    current = await bot.service.current(who(SIOBHAN))
    assert current is not None
    return dict(current.state.answers)


# --- slash commands ------------------------------------------------------------------------


async def test_assess_starts_the_flow_and_shows_buttons(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    interaction = await events.interaction(fake.command(SIOBHAN, "assess", name="check"))
    sent = fake.of(interaction)
    # Acknowledged at once ("thinking…", private), then answered with followups.
    assert sent[0].kind == "callback" and sent[0].response_type == 5 and sent[0].ephemeral
    followups = fake.of(interaction, "followup")
    assert followups and all(f.ephemeral for f in followups)
    assert "**Partnership check**" in followups[0].content
    prompt = followups[-1]
    assert "Do all the partners share the same aims?" in prompt.content
    assert "-# Question 1 of 4" in prompt.content
    assert prompt.labels == ["Yes", "Partly", "No", "Don't know"]
    tag = tag_of(prompt)
    assert prompt.custom_ids == [f"deseo:f:{tag}:{n}" for n in range(4)]
    assert all(len(f.content) <= 2000 for f in followups)


async def test_assess_without_a_name_offers_a_menu_that_starts_the_flow(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    interaction = await events.interaction(fake.command(SIOBHAN, "assess"))
    menu = fake.of(interaction, "followup")[-1]
    assert menu.custom_ids == ["deseo:m:start:check", "deseo:m:start:other"]
    assert menu.labels == ["Partnership check", "Another check"]

    click = await events.interaction(
        fake.click(SIOBHAN, menu.message_id or 0, "deseo:m:start:check")
    )
    edit = fake.of(click, "edit")[0]
    assert edit.content.endswith(">>> Partnership check") and edit.custom_ids == []
    assert "Do all the partners" in fake.of(click, "followup")[-1].content


async def test_commands_in_a_dm_are_not_ephemeral(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    interaction = await events.interaction(fake.command(SIOBHAN, "help", guild=False))
    callback, reply = fake.of(interaction)
    assert not callback.ephemeral and not reply.ephemeral
    assert "I am deseo" in reply.content


async def test_autocomplete_offers_the_flows_of_the_command(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    typed = await events.interaction(fake.typing(SIOBHAN, "assess", "name", "partner"))
    (answer,) = fake.of(typed)
    assert answer.response_type == 8
    assert answer.data["choices"] == [{"name": "Partnership check", "value": "check"}]
    everything = await events.interaction(fake.typing(SIOBHAN, "start", "name", ""))
    assert [c["value"] for c in fake.of(everything)[0].data["choices"]] == ["check", "other"]
    surveys = await events.interaction(fake.typing(SIOBHAN, "survey", "name", ""))
    assert fake.of(surveys)[0].data["choices"] == []


# --- buttons -------------------------------------------------------------------------------


async def test_a_button_answers_and_the_prompt_becomes_a_record(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    prompt = await start_check(fake, events)
    tag = tag_of(prompt)
    click = await events.interaction(
        fake.click(SIOBHAN, prompt.message_id or 0, f"deseo:f:{tag}:0")
    )
    callback, edit, *followups = fake.of(click)
    assert callback.response_type == 6  # a deferred update of the clicked message
    assert edit.message_id == prompt.message_id
    assert edit.content.startswith(prompt.content) and edit.content.endswith(">>> Yes")
    assert edit.custom_ids == []
    assert "Which support do you need?" in followups[-1].content
    assert followups[-1].ephemeral
    assert (await answers_of(bot))[FIRST].value == "yes"


async def test_a_stale_button_is_refused_with_a_private_notice(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    prompt = await start_check(fake, events)
    tag = tag_of(prompt)
    on_screen = copy.deepcopy(fake.messages[prompt.message_id or 0])
    await events.interaction(fake.click(SIOBHAN, prompt.message_id or 0, f"deseo:f:{tag}:0"))

    # The same message as another device still shows it, buttons and all.
    late = await events.interaction(
        fake.click(SIOBHAN, prompt.message_id or 0, f"deseo:f:{tag}:2", message=on_screen)
    )
    _, edit, notice = fake.of(late)
    assert edit.custom_ids == [] and "content" not in edit.payload
    assert notice.ephemeral and "earlier question" in notice.content
    answers = await answers_of(bot)
    assert answers[FIRST].value == "yes" and SECOND not in answers


async def test_the_same_interaction_delivered_twice_is_applied_once(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    prompt = await start_check(fake, events)
    payload = fake.click(SIOBHAN, prompt.message_id or 0, f"deseo:f:{tag_of(prompt)}:0")
    first = await events.interaction(payload)
    again = await events.interaction(copy.deepcopy(payload))
    assert first == again
    assert [s.kind for s in fake.of(first)] == ["callback", "edit", "followup", "callback"]
    current = await bot.service.current(who(SIOBHAN))
    assert current is not None and current.state.history == (FIRST,)


async def test_a_typed_answer_goes_through_a_modal(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    prompt = await start_check(fake, events)
    click = await events.interaction(
        fake.click(SIOBHAN, prompt.message_id or 0, f"deseo:f:{tag_of(prompt)}:1")  # Partly
    )
    note = fake.of(click, "followup")[-1]
    note_tag = tag_of(note)
    assert note.labels == ["Skip", "Type my answer"]
    assert note.custom_ids == [f"deseo:f:{note_tag}:0", f"deseo:type:{note_tag}"]

    opener = await events.interaction(
        fake.click(SIOBHAN, note.message_id or 0, f"deseo:type:{note_tag}")
    )
    (shown,) = fake.of(opener)
    assert shown.response_type == 9  # a modal, shown without touching the store
    modal = shown.data
    assert modal["custom_id"] == f"deseo:answer:{note_tag}"
    (field,) = [c for c in shown.components if c["type"] == 4]
    assert field["custom_id"] == "answer" and field["max_length"] == 4000

    submitted = await events.interaction(
        fake.submit(SIOBHAN, modal, {"answer": "only in the city"}, message_id=note.message_id)
    )
    callback, edit, *followups = fake.of(submitted)
    assert callback.response_type == 6
    assert edit.content.endswith(">>> only in the city") and edit.custom_ids == []
    assert "Which support do you need?" in followups[-1].content
    answer = (await answers_of(bot))[FIRST]
    assert (answer.value, answer.note) == ("partly", "only in the city")

    # The same box submitted again later belongs to a question no longer asked.
    late = await events.interaction(
        fake.submit(SIOBHAN, modal, {"answer": "twice"}, message_id=note.message_id)
    )
    assert "earlier question" in fake.of(late, "followup")[-1].content
    assert (await answers_of(bot))[FIRST].note == "only in the city"


async def test_a_multiple_choice_is_ticked_in_place_then_done(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    prompt = await start_check(fake, events)
    click = await clicked(fake, bot, prompt, "0")
    needs = fake.of(click, "followup")[-1]
    tag = tag_of(needs)
    actions = ["t0", "t1", "t2", "done"]
    assert needs.custom_ids == [f"deseo:f:{tag}:{action}" for action in actions]
    assert needs.labels == ["Finance", "Training", "Premises", "Done"]

    for action in ("t0", "t2"):
        toggle = await clicked(fake, bot, needs, action)
        callback, edit = fake.of(toggle)  # the prompt itself changes; nothing new is sent
        assert callback.response_type == 6
        assert edit.message_id == needs.message_id
    ticked = fake.messages[needs.message_id or 0]
    buttons = [c for row in ticked["components"] for c in row["components"]]
    assert [(b["label"], b["style"]) for b in buttons] == [
        ("✓ Finance", discord.ButtonStyle.success.value),
        ("Training", discord.ButtonStyle.secondary.value),
        ("✓ Premises", discord.ButtonStyle.success.value),
        ("Done", discord.ButtonStyle.primary.value),
    ]

    done = await clicked(fake, bot, needs, "done")
    _, edit, city = fake.of(done)
    assert edit.content.endswith(">>> Finance, Premises") and edit.custom_ids == []
    assert "Which city are you in?" in city.content
    assert (await answers_of(bot))[SECOND].value == ["money", "space"]


async def test_a_text_question_is_answered_in_a_box(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    prompt = await start_check(fake, events)
    needs = fake.of(await clicked(fake, bot, prompt, "0"), "followup")[-1]
    await clicked(fake, bot, needs, "t1")
    city = fake.of(await clicked(fake, bot, needs, "done"), "followup")[-1]
    # A typed-answer question carries no prompt tag; its box is named by its step.
    assert city.custom_ids == ["deseo:type:s.city"] and city.labels == ["Type my answer"]

    opener = await events.interaction(
        fake.click(SIOBHAN, city.message_id or 0, "deseo:type:s.city")
    )
    modal = fake.of(opener)[0].data
    submitted = await events.interaction(
        fake.submit(SIOBHAN, modal, {"answer": "Cork"}, message_id=city.message_id)
    )
    edit, size = fake.of(submitted, "edit")[0], fake.of(submitted, "followup")[-1]
    assert edit.content.endswith(">>> Cork")
    assert "How many partners are there?" in size.content
    assert (await answers_of(bot))["city"].value == "Cork"

    late = await events.interaction(
        fake.submit(SIOBHAN, modal, {"answer": "Galway"}, message_id=city.message_id)
    )
    assert "earlier question" in fake.of(late, "followup")[-1].content
    assert (await answers_of(bot))["city"].value == "Cork"


async def test_many_options_are_answered_with_select_menus(
    database: Database, fake: FakeDiscord, tmp_path: Path
) -> None:
    client = build_discord_client(make_service(database, big_flow()), state_dir=tmp_path)
    await client.login(GOOD_TOKEN)
    try:
        events = Deliveries(client)
        started = await events.interaction(fake.command(SIOBHAN, "survey", name="big"))
        pick = fake.of(started, "followup")[-1]
        tag = tag_of(pick)
        assert pick.custom_ids == [f"deseo:fs:{tag}:0", f"deseo:fs:{tag}:1"]
        chosen = await events.interaction(
            fake.click(SIOBHAN, pick.message_id or 0, f"deseo:fs:{tag}:1", values=["29"])
        )
        assert fake.of(chosen, "edit")[0].content.endswith(">>> Choice 29")

        many = fake.of(chosen, "followup")[-1]
        tag = tag_of(many)
        assert many.custom_ids[-1] == f"deseo:f:{tag}:done"
        for select, values in ((0, ["0", "2"]), (1, ["27"]), (0, ["2"])):
            custom_id = f"deseo:fs:{tag}:{select}"
            click = fake.click(SIOBHAN, many.message_id or 0, custom_id, values=values)
            await events.interaction(click)
        current = await client.service.current(who(SIOBHAN))
        assert current is not None and current.state.selection == ("c2", "c27")
        done = await events.interaction(
            fake.click(SIOBHAN, many.message_id or 0, f"deseo:f:{tag}:done")
        )
        assert fake.of(done, "edit")[0].content.endswith(">>> Choice 2, Choice 27")
        current = await client.service.current(who(SIOBHAN))
        assert current is None  # the survey is complete
    finally:
        await client.close()


async def test_a_long_menu_is_a_select_menu(
    database: Database, fake: FakeDiscord, tmp_path: Path
) -> None:
    surveys = [small_survey(n) for n in range(30)]
    client = build_discord_client(make_service(database, *surveys), state_dir=tmp_path)
    await client.login(GOOD_TOKEN)
    try:
        events = Deliveries(client)
        asked = await events.interaction(fake.command(SIOBHAN, "survey"))
        menu = fake.of(asked, "followup")[-1]
        assert menu.custom_ids == ["deseo:ms:0", "deseo:ms:1"]
        click = fake.click(SIOBHAN, menu.message_id or 0, "deseo:ms:1", values=["start:s29"])
        chosen = await events.interaction(click)
        assert fake.of(chosen, "edit")[0].content.endswith(">>> Survey 29")
        assert "Your name?" in fake.of(chosen, "followup")[-1].content
    finally:
        await client.close()


async def test_a_menu_sets_the_language(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    interaction = await events.interaction(fake.command(SIOBHAN, "language"))
    menu = fake.of(interaction, "followup")[-1]
    assert "deseo:m:lang:fr" in menu.custom_ids
    click = await events.interaction(fake.click(SIOBHAN, menu.message_id or 0, "deseo:m:lang:fr"))
    edit, reply = fake.of(click)[1:]
    assert edit.content.endswith(">>> Français")
    assert reply.content == "Language set to Français."
    assert (await bot.service.whois(who(SIOBHAN))).language == "fr"

    direct = await events.interaction(fake.command(SIOBHAN, "language", language="it"))
    assert fake.of(direct, "followup")[-1].content == "Language set to Italiano."
    assert (await bot.service.whois(who(SIOBHAN))).language == "it"


async def test_a_new_person_starts_in_the_language_of_their_client(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    payload = fake.command(SIOBHAN, "start")
    payload["locale"] = "fr"
    await events.interaction(payload)
    assert (await bot.service.whois(who(SIOBHAN))).language == "fr"


# --- direct messages -----------------------------------------------------------------------


async def test_direct_messages_are_answers_and_commands(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    await events.message(fake.direct_message(SIOBHAN, "/assess check"))
    prompt = fake.last("message")
    assert "Do all the partners" in prompt.content and len(prompt.custom_ids) == 4
    assert not prompt.ephemeral

    await events.message(fake.direct_message(SIOBHAN, "yes"))
    assert "Which support do you need?" in fake.last("message").content
    assert (await answers_of(bot))[FIRST].value == "yes"


async def test_the_same_direct_message_delivered_twice_is_applied_once(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    await start_check(fake, events, guild=False)
    message = fake.direct_message(SIOBHAN, "yes")
    await events.message(message)
    count = len(fake.sent)
    await events.message(copy.deepcopy(message))
    assert len(fake.sent) == count
    current = await bot.service.current(who(SIOBHAN))
    assert current is not None and current.state.history == (FIRST,)


async def test_messages_from_bots_and_servers_are_not_answers(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    from_bot = fake.direct_message(SIOBHAN, "yes")
    from_bot["author"] = {**from_bot["author"], "bot": True}
    await events.message(from_bot)
    in_server = fake.direct_message(SIOBHAN, "yes")
    in_server["guild_id"] = "1"
    await events.message(in_server)
    assert [s for s in fake.sent if s.kind != "sync"] == []


# --- restarts ------------------------------------------------------------------------------


async def test_buttons_and_resume_work_after_a_restart(
    database_url: str, fake: FakeDiscord, tmp_path: Path
) -> None:
    first_store = Database.from_url(database_url)
    first = build_discord_client(make_service(first_store), state_dir=tmp_path)
    await first.login(GOOD_TOKEN)
    prompt = await start_check(fake, Deliveries(first))
    click = await clicked(fake, first, prompt, "0")
    needs = fake.of(click, "followup")[-1]
    await first.close()
    await first_store.dispose()

    second_store = Database.from_url(database_url)
    second = build_discord_client(make_service(second_store), state_dir=tmp_path)
    try:
        await second.login(GOOD_TOKEN)
        # A button sent before the restart still works: it ticks Training.
        click = await clicked(fake, second, needs, "t1")
        assert "✓ Training" in fake.of(click, "edit")[0].labels
        resumed = await Deliveries(second).interaction(fake.command(SIOBHAN, "resume"))
        prompt = fake.of(resumed, "followup")[-1]
        assert "Which support do you need?" in prompt.content
        assert prompt.labels == ["Finance", "✓ Training", "Premises", "Done"]
        current = await second.service.current(who(SIOBHAN))
        assert current is not None and current.state.history == (FIRST,)
        assert current.state.selection == ("training",)
    finally:
        await second.close()
        await second_store.dispose()


async def clicked(fake: FakeDiscord, client: DeseoDiscord, prompt: Sent, action: str) -> int:
    custom_id = f"deseo:f:{tag_of(prompt)}:{action}"
    return await Deliveries(client).interaction(
        fake.click(SIOBHAN, prompt.message_id or 0, custom_id)
    )


# --- failures ------------------------------------------------------------------------------


async def test_a_failure_in_the_service_is_told_kindly(
    bot: DeseoDiscord,
    fake: FakeDiscord,
    events: Deliveries,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    prompt = await start_check(fake, events)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the store fell over")

    monkeypatch.setattr(bot.service, "handle", broken)
    with caplog.at_level(logging.ERROR, logger="bot.discord_app"):
        click = await events.interaction(
            fake.click(SIOBHAN, prompt.message_id or 0, f"deseo:f:{tag_of(prompt)}:0")
        )
        await events.message(fake.direct_message(SIOBHAN, "yes"))
    _, sorry = fake.of(click)
    assert sorry.ephemeral and sorry.content == SORRY
    assert "answers so far are saved" in SORRY
    assert fake.last("message").content == SORRY
    assert "the store fell over" in caplog.text

    monkeypatch.setattr(bot.service, "resume", broken)
    resumed = await events.interaction(fake.command(SIOBHAN, "resume"))
    assert fake.of(resumed, "followup")[-1].content == SORRY


async def test_a_failure_to_reach_discord_is_logged(
    bot: DeseoDiscord,
    fake: FakeDiscord,
    events: Deliveries,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.fail_followups = True
    with caplog.at_level(logging.WARNING, logger="bot.discord_app"):
        await events.interaction(fake.command(SIOBHAN, "help"))
    assert "could not tell Discord user" in caplog.text


# --- publishing commands and running -------------------------------------------------------


async def test_commands_are_published_at_start_only_when_they_changed(
    database: Database, fake: FakeDiscord, tmp_path: Path
) -> None:
    async def start(extra: ChatCommand | None = None) -> int:
        client = build_discord_client(make_service(database), state_dir=tmp_path)
        if extra is not None:
            client.tree.add_command(slash_command(extra))
        before = len(fake.sent)
        await client.login(GOOD_TOKEN)
        await client.close()
        return len([s for s in fake.sent[before:] if s.kind == "sync"])

    assert await start() == 1
    assert [c["name"] for c in fake.commands] == [c.name for c in COMMANDS]
    assert (tmp_path / COMMANDS_FILE).exists()
    assert await start() == 0
    assert await start(ChatCommand("report", "Your report")) == 1


async def test_sync_discord_commands_publishes_and_records(
    database: Database, fake: FakeDiscord, tmp_path: Path
) -> None:
    service = make_service(database)
    assert await sync_discord_commands(GOOD_TOKEN, service, state_dir=tmp_path) == len(COMMANDS)
    assert (tmp_path / COMMANDS_FILE).exists()
    client = build_discord_client(service, state_dir=tmp_path)
    await client.login(GOOD_TOKEN)
    await client.close()
    assert [s.kind for s in fake.sent] == ["sync"]


async def test_a_bad_token_is_one_clear_error(
    database: Database, fake: FakeDiscord, tmp_path: Path
) -> None:
    client = build_discord_client(make_service(database), state_dir=tmp_path)
    with pytest.raises(DiscordStartError, match="refused the bot token") as raised:
        await run_discord(client, "bad-token", asyncio.Event())
    assert "\n" not in str(raised.value)
    assert client.is_closed()
    with pytest.raises(DiscordStartError):
        await sync_discord_commands("bad-token", make_service(database))


async def test_run_discord_stops_when_told(
    database: Database, fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = build_discord_client(make_service(database), state_dir=tmp_path)
    connected = asyncio.Event()

    async def connect(*, reconnect: bool = True) -> None:
        connected.set()
        await asyncio.Event().wait()  # the gateway, until closed

    monkeypatch.setattr(client, "connect", connect)
    stop = asyncio.Event()
    running = asyncio.create_task(run_discord(client, GOOD_TOKEN, stop))
    await connected.wait()
    stop.set()
    await asyncio.wait_for(running, 5)
    assert client.is_closed()


async def test_a_missing_intent_is_one_clear_error(
    database: Database, fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = build_discord_client(make_service(database), state_dir=tmp_path)

    async def connect(*, reconnect: bool = True) -> None:
        raise discord.PrivilegedIntentsRequired(None)

    monkeypatch.setattr(client, "connect", connect)
    with pytest.raises(DiscordStartError, match="privileged intent"):
        await run_discord(client, GOOD_TOKEN, asyncio.Event())


async def test_invitations_are_answered_privately_and_counted(
    database: Database, fake: FakeDiscord, tmp_path: Path
) -> None:
    from datetime import datetime

    from flows.clock import SystemClock
    from flows.meetings.service import MeetingService
    from flows.people.chats import ChatRef
    from storage import unit_of_work_factory

    meetings = MeetingService(unit_of_work_factory(database), SystemClock())
    await meetings.create_group("Cork partners", slug="cork", timezone="Europe/Dublin")
    await meetings.follow("cork", ChatRef(DISCORD, "555"))
    meeting = await meetings.create_meeting("cork", "Partners", datetime(2030, 1, 3, 10, 0))
    client = build_discord_client(make_service(database), state_dir=tmp_path, meetings=meetings)
    commands = client.chat
    from flows.conversation.service import Sender

    who = Sender(DISCORD, "42", "Aoife")
    upcoming = await commands.run(who, "meetings", chat=ChatRef(DISCORD, "555"))
    invitation = upcoming.messages[0]
    assert "Partners" in invitation.text and invitation.options
    going = next(o for o in invitation.options if o.id.endswith(":going"))
    answered = await commands.choose(who, going.id)
    assert "Going: 1" in answered.messages[0].text
    counts = await meetings.rsvp_counts(meeting.id, "20300103T1000")
    assert counts["going"] == 1


async def test_commands_with_text_take_it_from_the_slash_command(
    bot: DeseoDiscord, fake: FakeDiscord, events: Deliveries
) -> None:
    # No such thread: the answer shows the text reached the command, not a usage hint.
    interaction = await events.interaction(
        fake.command(SIOBHAN, "watch", guild=False, text=" 4711 ")
    )
    reply = fake.of(interaction)[-1].content
    assert "4711" in reply
    usage = await events.interaction(fake.command(SIOBHAN, "watch", guild=False))
    assert fake.of(usage)[-1].content != reply
