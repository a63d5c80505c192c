"""Meetings: groups, meetings and their occurrences, agendas, RSVPs and reminders."""

from flows.meetings.model import RSVP_TAG, Group, Meeting, MeetingError, agenda_message, when_text
from flows.meetings.ports import MeetingWork
from flows.meetings.service import MeetingService, NotFound, Upcoming

__all__ = [
    "RSVP_TAG",
    "Group",
    "Meeting",
    "MeetingError",
    "MeetingService",
    "MeetingWork",
    "NotFound",
    "Upcoming",
    "agenda_message",
    "when_text",
]
