"""Conversations: flow definitions, the pure engine, answers, reports, and the service
that runs a conversation through a unit of work."""

from flows.conversation import engine
from flows.conversation.answers import describe, local, parse_number
from flows.conversation.catalog import CONTENT, FlowCatalog, UnknownFlow
from flows.conversation.conditions import Condition
from flows.conversation.definitions import (
    RATING_VALUES,
    DateStep,
    Flow,
    FlowKind,
    MessageStep,
    MultipleStep,
    NumberStep,
    Question,
    RatingStep,
    ScaleStep,
    SingleStep,
    TextStep,
)
from flows.conversation.expression_functions import AnswerValue
from flows.conversation.expression_parser import ExpressionError
from flows.conversation.expressions import parse_expression, rename_references
from flows.conversation.file_reading import FileFault, load_json, load_yaml, read_text
from flows.conversation.hooks import BeginLink
from flows.conversation.loading import FlowFileError, flow_from_json, load_flow_file, parse_flow
from flows.conversation.messages import (
    MENU_TAG,
    Command,
    Event,
    Option,
    Outbound,
    Pick,
    Press,
    Reply,
)
from flows.conversation.phrases import say
from flows.conversation.ports import ConversationWork, StoredConversation
from flows.conversation.report import build_report, html_sections, to_html, to_markdown
from flows.conversation.service import ConversationService, Outcome, Sender
from flows.conversation.state import Answer, State, Status
from flows.conversation.text import clean_text, clean_title, escape_controls
from flows.conversation.transcript import transcript

__all__ = [
    "CONTENT",
    "MENU_TAG",
    "RATING_VALUES",
    "Answer",
    "AnswerValue",
    "BeginLink",
    "Command",
    "Condition",
    "ConversationService",
    "ConversationWork",
    "DateStep",
    "Event",
    "ExpressionError",
    "FileFault",
    "Flow",
    "FlowCatalog",
    "FlowFileError",
    "FlowKind",
    "MessageStep",
    "MultipleStep",
    "NumberStep",
    "Option",
    "Outbound",
    "Outcome",
    "Pick",
    "Press",
    "Question",
    "RatingStep",
    "Reply",
    "ScaleStep",
    "Sender",
    "SingleStep",
    "State",
    "Status",
    "StoredConversation",
    "TextStep",
    "UnknownFlow",
    "build_report",
    "clean_text",
    "clean_title",
    "describe",
    "engine",
    "escape_controls",
    "flow_from_json",
    "html_sections",
    "load_flow_file",
    "load_json",
    "load_yaml",
    "local",
    "parse_expression",
    "parse_flow",
    "parse_number",
    "read_text",
    "rename_references",
    "say",
    "to_html",
    "to_markdown",
    "transcript",
]
