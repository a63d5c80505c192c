"""The coordinators' pages: survey results, survey campaigns, meetings, the directory, unmet
needs, referrals.

Every page here is for coordinators (`require_role(Role.COORDINATOR)`), except the campaigns',
which are also for the people a campaign names as its coordinators; finer rules, such as whose
survey results one may read, are asked of `forum.permissions`.
"""

from fastapi import APIRouter

from forum.routes.coordinate import campaigns, directory, home, meetings, referrals, surveys

router = APIRouter()
for part in (home, surveys, campaigns, meetings, directory, referrals):
    router.include_router(part.router)

__all__ = ["router"]
