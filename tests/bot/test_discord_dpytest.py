"""Direct messages through dpytest: its simulated Discord delivers them to the real `on_message`.

dpytest 0.7 works with discord.py 2.7 for messages, but its simulated messages drop components
and its fake gateway cannot be closed; buttons and interactions are tested in test_discord.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend

from bot import DISCORD
from bot.discord_app import DeseoDiscord
from bot.discord_platform import build_discord_client
from flows.conversation.service import Sender
from storage import Database
from tests.bot.discord_flows import FIRST, make_service


@pytest.fixture
async def simulated(database: Database, tmp_path: Path) -> AsyncIterator[DeseoDiscord]:
    client = build_discord_client(make_service(database), state_dir=tmp_path)
    await client._async_setup_hook()  # what login does first; dpytest logs nobody in
    dpytest.configure(client, members=0)
    yield client
    await dpytest.empty_queue()


def sent() -> list[discord.Message]:
    messages = []
    while not dpytest.sent_queue.empty():
        messages.append(dpytest.get_message())
    return messages


async def test_a_direct_message_answers_the_question(simulated: DeseoDiscord) -> None:
    user = backend.make_user("Aoife", 1)
    dm = await user.create_dm()
    await dpytest.message("/assess check", channel=dm, member=user)
    (prompt,) = sent()
    assert "Do all the partners share the same aims?" in prompt.content
    assert prompt.channel == dm

    await dpytest.message("partly: only in the city", channel=dm, member=user)
    (reply,) = sent()
    assert "Which support do you need?" in reply.content
    current = await simulated.service.current(Sender(DISCORD, str(user.id), "Aoife"))
    assert current is not None
    answer = current.state.answers[FIRST]
    assert (answer.value, answer.note) == ("partly", "only in the city")


async def test_messages_in_a_server_channel_are_left_alone(simulated: DeseoDiscord) -> None:
    config = dpytest.get_config()
    user = backend.make_user("Aoife", 1)
    await dpytest.message("yes", channel=config.channels[0], member=user)
    assert sent() == []
