"""The admins' page of people: every account with its roles, found by name; roles granted and
taken away there."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from flows.people import Role
from forum.auth import CsrfChecked, SignedIn, Viewer, uow
from forum.pages import notify, render, take_notice
from forum.params import RowId
from forum.permissions import can_change_role, can_manage_roles

router = APIRouter(include_in_schema=False)

# Everyone is a member; the page offers the others.
GRANTABLE = tuple(role for role in Role if role is not Role.MEMBER)


def _admins_only(who: Viewer) -> None:
    if not can_manage_roles(who):
        raise HTTPException(status_code=403, detail="This page is for the forum's admins.")


@router.get("/admin/people", response_class=HTMLResponse)
async def people(request: Request, who: SignedIn, q: str = "") -> Response:
    _admins_only(who)
    async with uow(request) as work:
        accounts = await work.accounts.search(q[:100])
    return render(
        request,
        "admin/people.html",
        {
            "accounts": accounts,
            "query": q[:100],
            "grantable": GRANTABLE,
            "can_change": lambda person_id, role: can_change_role(who, person_id, role),
            "notice": take_notice(request),
        },
        title="People and roles",
    )


@router.post("/admin/people/{person_id}/roles", dependencies=[CsrfChecked])
async def set_roles(request: Request, person_id: RowId, who: SignedIn) -> Response:
    """Make the person's roles exactly the ticked ones (among those this admin may change)."""
    _admins_only(who)
    form = await request.form()
    known = {role.value for role in Role}
    wanted = {Role(value) for value in form.getlist("role") if value in known}
    async with uow(request) as work:
        person = await work.people.get(person_id)
        if person is None:
            raise HTTPException(status_code=404, detail="There is no such person.")
        for role in GRANTABLE:
            if not can_change_role(who, person_id, role):
                continue
            if role in wanted and role not in person.roles:
                await work.people.grant(person_id, role)
            elif role not in wanted and role in person.roles:
                await work.people.revoke(person_id, role)
        account = await work.accounts.by_person(person_id)
        await work.commit()
    name = account.username if account is not None else person.display_name
    notify(request, f"Roles of {name} saved.")
    back = str(form.get("q", ""))
    return RedirectResponse(
        "/admin/people" + (f"?{urlencode({'q': back})}" if back else ""), status_code=303
    )
