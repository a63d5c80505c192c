"""The Telegram bot: python-telegram-bot's Application wired to the conversation service.

Commands, inline keyboards and free text all become events for `ConversationService`; the
update id is the event id, so an update delivered twice is applied once. Handlers run one
update at a time (python-telegram-bot's default), and the service serialises each person's
events anyway.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from telegram import BotCommand, CallbackQuery, Chat, Message, Update, User
from telegram.constants import ChatType, ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.commands import COMMANDS, LANGUAGES, ChatCommands
from bot.telegram_render import answered, keyboard, render
from flows.conversation import ConversationService, Outbound, Outcome, Press, Reply, Sender
from flows.meetings import MeetingService
from flows.people import ChatRef, LinkCodes, Platform
from flows.referrals import ReferralService
from flows.surveys import CampaignService
from flows.threads import ThreadWatchService
from flows.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

NOT_YOURS = (
    "This question is someone else's. Start your own with /assess in a private chat with me."
)
EDITED = "I keep the answer you first sent. Say back to change it."
NOT_TEXT = "I can only read text: please type your answer, or use the buttons."
SORRY = "Sorry, something went wrong on my side. Your answers are saved: send /resume to carry on."

TELEGRAM = Platform("telegram")
"""Telegram's name: its people, chats and outbox rows carry it."""


@dataclass(frozen=True)
class TelegramConfig:
    """How to reach Telegram, and whether to poll or receive a webhook."""

    token: str
    api_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = None


class TelegramStartError(RuntimeError):
    """The bot could not start; the message says why in one line."""


def _sender(user: User) -> Sender:
    code = (user.language_code or "")[:2]
    return Sender(
        TELEGRAM,
        str(user.id),
        user.full_name or user.username or "friend",
        code if code in LANGUAGES else None,
    )


def _event_id(update: Update) -> str:
    return f"telegram:{update.update_id}"


def _in_group(chat: Chat) -> bool:
    return chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def _chat_data(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    """The chat's data; updates without a chat get a dict of their own to forget."""
    return context.chat_data if context.chat_data is not None else {}


class TelegramAdapter:
    """Turns updates into service calls and outcomes into Telegram messages."""

    def __init__(
        self,
        service: ConversationService[UnitOfWork],
        meetings: MeetingService | None = None,
        referrals: ReferralService | None = None,
        campaigns: CampaignService | None = None,
        links: LinkCodes | None = None,
        threads: ThreadWatchService | None = None,
    ) -> None:
        self.service = service
        self.commands = ChatCommands(
            service, meetings, referrals, campaigns, links=links, threads=threads
        )

    # --- sending ---------------------------------------------------------------------------

    async def send(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat: Chat,
        user: User,
        messages: tuple[Outbound, ...],
    ) -> None:
        owner = str(user.id) if _in_group(chat) else None
        for message in messages:
            rendered = render(message, owner)
            sent: Message | None = None
            for number, text in enumerate(rendered.texts, start=1):
                last = number == len(rendered.texts)
                sent = await context.bot.send_message(
                    chat.id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=rendered.keyboard if last else None,
                    disable_web_page_preview=True,
                )
            if sent is not None and message.kind == "question" and message.tag:
                # Remembered so that a typed answer can close this prompt's keyboard.
                prompts: dict[int, tuple[int, str]] = _chat_data(context).setdefault("prompts", {})
                prompts[user.id] = (sent.message_id, rendered.texts[-1])

    async def close_prompt(
        self, context: ContextTypes.DEFAULT_TYPE, chat: Chat, user: User, answer: str
    ) -> None:
        """Turn the last question into a record of its answer and drop its keyboard."""
        prompts: dict[int, tuple[int, str]] = _chat_data(context).get("prompts", {})
        found = prompts.pop(user.id, None)
        if found is None:
            return
        message_id, text = found
        try:
            await context.bot.edit_message_text(
                answered(text, answer), chat.id, message_id, parse_mode=ParseMode.HTML
            )
        except TelegramError as exc:  # too old to edit, deleted: the answer is saved anyway
            log.debug("could not edit prompt %s: %s", message_id, exc)

    # --- handlers ---------------------------------------------------------------------------

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None or not message.text:
            return
        name = message.text.split()[0].lstrip("/").split("@")[0].lower()
        argument = " ".join(context.args or [])
        outcome = await self.commands.run(
            _sender(user),
            name,
            argument,
            event_id=_event_id(update),
            chat=ChatRef(TELEGRAM, str(chat.id)),
            private=chat.type == ChatType.PRIVATE,
            title=chat.title or chat.full_name,
        )
        if not outcome.duplicate:
            await self.close_prompt(context, chat, user, f"/{name}")
            await self.send(context, chat, user, outcome.messages)

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None or not message.text:
            return
        name = message.text.split()[0].lstrip("/").split("@")[0]
        reply = Outbound(f"I do not know /{name[:40]}. Send /help to see what I can do.")
        await self.send(context, chat, user, (reply,))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None or message.text is None:
            return
        outcome = await self.service.handle(
            _sender(user), Reply(message.text), event_id=_event_id(update)
        )
        if outcome.duplicate:
            return
        if outcome.conversation_id is None and _in_group(chat):
            # In a group, chatter that is not an answer is none of the bot's business,
            # unless it was addressed to the bot.
            replied = message.reply_to_message
            if (
                replied is None
                or replied.from_user is None
                or replied.from_user.id != context.bot.id
            ):
                return
            outcome = Outcome((Outbound(NOT_YOURS),))
        else:
            accepted = not any(m.kind == "error" for m in outcome.messages)
            if accepted:
                await self.close_prompt(context, chat, user, message.text)
        await self.send(context, chat, user, outcome.messages)

    async def on_edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or _in_group(chat):
            return
        await self.send(context, chat, user, (Outbound(EDITED, kind="notice"),))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or _in_group(chat):
            return
        await self.send(context, chat, user, (Outbound(NOT_TEXT, kind="notice"),))

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user, chat = update.callback_query, update.effective_user, update.effective_chat
        if query is None or user is None or chat is None or not query.data:
            return
        kind, _, rest = query.data.partition(":")
        who = _sender(user)
        if kind == "r":
            reply = await self.commands.rsvp(who, rest)
            await query.answer(reply.text[:200])
            return
        if kind == "m":
            outcome = await self.commands.choose(who, rest, event_id=_event_id(update))
            await self._after_press(query, context, chat, user, outcome, toggle=False)
            return
        parts = rest.split(":")
        if kind != "f" or len(parts) not in (2, 3):
            await query.answer("That button is out of date.")
            return
        if len(parts) == 3 and parts[2] != str(user.id):
            await query.answer(NOT_YOURS, show_alert=True)
            return
        tag, action = parts[0], parts[1]
        outcome = await self.service.handle(who, Press(tag, action), event_id=_event_id(update))
        await self._after_press(query, context, chat, user, outcome, toggle=action.startswith("t"))

    async def _after_press(
        self,
        query: CallbackQuery,
        context: ContextTypes.DEFAULT_TYPE,
        chat: Chat,
        user: User,
        outcome: Outcome,
        *,
        toggle: bool,
    ) -> None:
        messages = outcome.messages
        if outcome.duplicate:
            await query.answer()
            return
        if messages and messages[0].kind == "notice":
            await query.answer(messages[0].text[:200])
            return
        await query.answer()
        owner = str(user.id) if _in_group(chat) else None
        if toggle and messages:
            # A toggle only changes the ticks: update the keyboard in place.
            await query.edit_message_reply_markup(keyboard(messages[-1], owner))
            return
        pressed = _pressed_label(query)
        if query.message is not None and isinstance(query.message, Message):
            original = query.message.text_html or ""
            try:
                await query.edit_message_text(
                    answered(original, pressed), parse_mode=ParseMode.HTML
                )
            except TelegramError as exc:
                log.debug("could not record the answer in the question: %s", exc)
        prompts: dict[int, tuple[int, str]] = _chat_data(context).get("prompts", {})
        prompts.pop(user.id, None)
        await self.send(context, chat, user, messages)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling an update", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await context.bot.send_message(update.effective_chat.id, SORRY)
                if update.callback_query is not None:
                    await update.callback_query.answer()
            except TelegramError:
                log.warning("could not tell the person about the error")


def _pressed_label(query: CallbackQuery) -> str:
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    if markup is not None:
        for row in markup.inline_keyboard:
            for button in row:
                if button.callback_data == query.data:
                    return button.text
    return "✓"


def build_telegram(
    service: ConversationService[UnitOfWork],
    config: TelegramConfig,
    *,
    meetings: MeetingService | None = None,
    referrals: ReferralService | None = None,
    campaigns: CampaignService | None = None,
    links: LinkCodes | None = None,
    threads: ThreadWatchService | None = None,
    request: BaseRequest | None = None,
    rate_limit: bool = True,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application for deseo's bot; `request` replaces the HTTP layer (tests record it)."""
    builder = ApplicationBuilder().token(config.token).base_url(config.api_url)
    builder = builder.base_file_url(config.api_url.removesuffix("/bot") + "/file/bot")
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limit:
        # Telegram's limits: about 30 messages a second, 20 a minute in a group.
        # PTB types the limiter by the builder's generic parameters, which the chain loses.
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    app = builder.build()
    adapter = TelegramAdapter(service, meetings, referrals, campaigns, links, threads)
    app.bot_data["adapter"] = adapter
    names = [command.name for command in COMMANDS]
    app.add_handler(CommandHandler(names, adapter.on_command))
    app.add_handler(CallbackQueryHandler(adapter.on_press))
    app.add_handler(MessageHandler(filters.COMMAND, adapter.on_unknown_command))
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, adapter.on_text
        )
    )
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, adapter.on_edit))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT, adapter.on_other))
    app.add_error_handler(adapter.on_error)
    return app


async def register_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Tell Telegram the command list, so clients offer it as a menu."""
    await app.bot.set_my_commands([BotCommand(c.name, c.description) for c in COMMANDS])


async def run_telegram(
    app: Application[Any, Any, Any, Any, Any, Any], config: TelegramConfig, stop: asyncio.Event
) -> None:
    """Run the bot by polling, or by webhook when `config.webhook_url` is set, until `stop`."""
    try:
        await app.initialize()
    except InvalidToken as exc:
        raise TelegramStartError("Telegram refused the token in DESEO_TELEGRAM_TOKEN") from exc
    except TelegramError as exc:
        raise TelegramStartError(f"cannot reach the Telegram Bot API: {exc}") from exc
    updater = app.updater
    if updater is None:
        raise TelegramStartError("the Telegram application has no updater")
    try:
        await register_commands(app)
        await app.start()
        if config.webhook_url:
            await updater.start_webhook(
                listen=config.webhook_listen,
                port=config.webhook_port,
                url_path=urlparse(config.webhook_url).path.lstrip("/"),
                webhook_url=config.webhook_url,
                secret_token=config.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("telegram bot @%s is running", app.bot.username)
        await stop.wait()
    finally:
        if updater.running:
            await updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
