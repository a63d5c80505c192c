"""Surveys: campaigns (audience, opening, reminders, anonymity), results and exports,
and XLSForm import."""

from flows.surveys.aggregator import ResultsAggregator, SurveyResults
from flows.surveys.exports import Cell, ExportLayout
from flows.surveys.filters import AnswerFilter, FilterError
from flows.surveys.hooks import CampaignResponses
from flows.surveys.model import (
    Campaign,
    CampaignCounts,
    CampaignError,
    CampaignStatus,
    ChatInvitation,
    Invitation,
    Reminders,
    Source,
    link_lines,
    results_readable,
    token_of,
    when,
)
from flows.surveys.ports import CampaignWork
from flows.surveys.responses import Encoded, EncodedResponse
from flows.surveys.service import CampaignService, NotFound
from flows.surveys.tallies import QuestionResult
from flows.surveys.xlsform import flow_yaml, read_xlsform
from flows.surveys.xlsform_rules import XLSFormError

__all__ = [
    "AnswerFilter",
    "Campaign",
    "CampaignCounts",
    "CampaignError",
    "CampaignResponses",
    "CampaignService",
    "CampaignStatus",
    "CampaignWork",
    "Cell",
    "ChatInvitation",
    "Encoded",
    "EncodedResponse",
    "ExportLayout",
    "FilterError",
    "Invitation",
    "NotFound",
    "QuestionResult",
    "Reminders",
    "ResultsAggregator",
    "Source",
    "SurveyResults",
    "XLSFormError",
    "flow_yaml",
    "link_lines",
    "read_xlsform",
    "results_readable",
    "token_of",
    "when",
]
