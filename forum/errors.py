"""How refusals look: a page for people, JSON for the API, a redirect to log in."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from forum.auth import LoginRequired, login_url

TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    422: "Please check the form",
    429: "Slow down",
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def install_error_pages(app: FastAPI) -> None:
    """Answer refusals as JSON under /api and as a readable page elsewhere."""

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse(login_url(exc.next_url), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        headers = dict(exc.headers) if exc.headers else None
        return _page(request, exc.status_code, str(exc.detail), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": jsonable(exc)}, status_code=422)
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc"))
        return _page(request, 422, f"Some fields are missing or wrong: {fields}.", None)


def jsonable(exc: RequestValidationError) -> list[dict[str, object]]:
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors()
    ]


def _page(request: Request, status: int, detail: str, headers: dict[str, str] | None) -> Response:
    from forum.pages import render

    response = render(
        request,
        "error.html",
        {"status": status, "detail": detail},
        status_code=status,
        title=TITLES.get(status, "Something went wrong"),
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
