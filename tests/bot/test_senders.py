"""The Discord sender's nonce: the same for every try of one outbox row's piece, so Discord's
enforced nonce folds a resend after a crash into the message already there."""

from __future__ import annotations

from bot.senders import discord_nonce


def test_a_rows_nonce_is_stable_short_and_its_own() -> None:
    nonce = discord_nonce("reminder:7:2026-11-22T09:00:00+00:00:60:telegram:-100777", 0)
    assert nonce == discord_nonce("reminder:7:2026-11-22T09:00:00+00:00:60:telegram:-100777", 0)
    assert len(nonce) <= 25  # Discord's limit
    others = {discord_nonce("reminder:7:x", 0), discord_nonce("reminder:7:x", 1), nonce}
    assert len(others) == 3
