"""The store: SQLAlchemy models, the engine, repositories, the unit of work and migrations."""

from storage import migrate
from storage.database import (
    Database,
    DatabaseURLError,
    StoreUnavailable,
    display_url,
    explain_failure,
    normalise_url,
)
from storage.exports import CsvSink, ExportFormat, XlsxSink, csv_chunks, export_responses
from storage.models import (
    AnswerRecord,
    Board,
    Conversation,
    OutboxRow,
    Person,
    Post,
    SearchDocument,
    Thread,
)
from storage.repositories.accounts import AccountRecord, UsernameTaken, username_key
from storage.repositories.boards import BoardExists, BoardNotEmpty
from storage.repositories.feeds import FeedThread
from storage.repositories.forum_records import (
    DELETED,
    HIDDEN,
    PENDING,
    VISIBLE,
    BoardRecord,
    BoardSummary,
    ForumCounts,
    Page,
    PostRecord,
    QueuedPost,
    RevisionRecord,
    Scope,
    ThreadRecord,
)
from storage.repositories.results import ResultsReader, SqlResultsRepository, UnknownSurvey
from storage.repositories.search import MARK_END, MARK_START, SearchPage
from storage.unit_of_work import SqlUnitOfWork, unit_of_work_factory

__all__ = [
    "DELETED",
    "HIDDEN",
    "MARK_END",
    "MARK_START",
    "PENDING",
    "VISIBLE",
    "AccountRecord",
    "AnswerRecord",
    "Board",
    "BoardExists",
    "BoardNotEmpty",
    "BoardRecord",
    "BoardSummary",
    "Conversation",
    "CsvSink",
    "Database",
    "DatabaseURLError",
    "ExportFormat",
    "FeedThread",
    "ForumCounts",
    "OutboxRow",
    "Page",
    "Person",
    "Post",
    "PostRecord",
    "QueuedPost",
    "ResultsReader",
    "RevisionRecord",
    "Scope",
    "SearchDocument",
    "SearchPage",
    "SqlResultsRepository",
    "SqlUnitOfWork",
    "StoreUnavailable",
    "Thread",
    "ThreadRecord",
    "UnknownSurvey",
    "UsernameTaken",
    "XlsxSink",
    "csv_chunks",
    "display_url",
    "explain_failure",
    "export_responses",
    "migrate",
    "normalise_url",
    "unit_of_work_factory",
    "username_key",
]
