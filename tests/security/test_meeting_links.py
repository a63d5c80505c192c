"""A meeting's link is shown in chats and on the coordinators' pages: one that is not a web
address is refused when the meeting is scheduled or changed, whatever the way in."""

from __future__ import annotations

from datetime import datetime

import pytest

from flows.meetings import Meeting, MeetingError

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " \tjava\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]


def _meeting(link: str | None) -> Meeting:
    return Meeting(
        id=0,
        group_id=1,
        title="Partners",
        start_local=datetime(2026, 12, 3, 10, 0),
        timezone="Europe/Rome",
        link=link,
    )


@pytest.mark.parametrize("link", HOSTILE)
def test_a_link_that_is_not_a_web_address_is_refused(link: str) -> None:
    with pytest.raises(MeetingError, match="link"):
        _meeting(link).check()


@pytest.mark.parametrize("link", ["https://meet.example.org/reves", "meet.example.org/x", None])
def test_web_addresses_are_taken(link: str | None) -> None:
    _meeting(link).check()
