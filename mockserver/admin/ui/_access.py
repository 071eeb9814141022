"""Who may open the dashboard: the admin API's rules, with a login page for a browser.

A browser cannot send ``Authorization`` when it navigates, so on a server with an admin
token a refused dashboard page answers 401 with a small login page of its own (no script,
no URL). The form posts the token to ``POST /__admin/ui/session``, which sets the cookie
``statuskit_ui``: an HMAC of a fixed message keyed by the token
(:func:`~mockserver.admin._api.ui_credential`), never the token itself, ``HttpOnly`` and
``SameSite=Strict``, for ``/__admin/`` only. The admin API takes that cookie only with the
header ``X-Statuskit-UI: 1``, which the dashboard's script sends and a form on another site
cannot (``AdminApi.refusal``). A server with no token, on loopback, is open; off loopback
with no token the admin API is off, and so is the dashboard.
"""

from __future__ import annotations

from html import escape

from flask import Response, request

from mockserver.admin._api import UI_COOKIE, admin, ui_credential

__all__ = ["HTML", "gate", "session"]

HTML = "text/html; charset=utf-8"
#: The login page's own policy: its inline style, its form, nothing else.
_PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;
color:#1d2330;display:grid;place-items:center;min-height:100vh;margin:0}
main{background:#fff;border:1px solid #d9dde4;border-radius:10px;padding:28px 32px;width:340px;
box-shadow:0 4px 18px rgba(20,30,50,.08)}
h1{font-size:18px;margin:0 0 6px}p{margin:0 0 16px;color:#4a5263}
label{display:block;font-weight:600;margin-bottom:6px}
input{box-sizing:border-box;width:100%;padding:8px 10px;font:inherit;border:1px solid #b9c0cc;
border-radius:6px}
button{margin-top:14px;width:100%;padding:9px;font:inherit;font-weight:600;color:#fff;
background:#2f5bd3;border:0;border-radius:6px;cursor:pointer}
.error{color:#a4161a;background:#fdecec;border:1px solid #f3c1c1;border-radius:6px;
padding:8px 10px}
"""


def page(status: int, title: str, text: str, *, form: bool, error: str | None = None) -> Response:
    """A self-contained page (inline style, no script, no URL): the login form when
    ``form``, with ``error`` above it."""
    warning = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    login = (
        '<form method="post" action="session">'
        '<label for="token">Admin token</label>'
        '<input id="token" name="token" type="password" autocomplete="current-password" '
        "required autofocus>"
        '<button type="submit">Open the dashboard</button></form>'
        if form
        else ""
    )
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><main>"
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p>{warning}{login}"
        "</main></body></html>"
    )
    response = Response(body, status=status, content_type=HTML)
    response.headers["Content-Security-Policy"] = _PAGE_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


def _login(status: int, error: str | None = None) -> Response:
    return page(
        status,
        "statuskit dashboard",
        "This server's admin API needs its token (STATUSKIT_ADMIN_TOKEN).",
        form=True,
        error=error,
    )


def _off() -> Response:
    return page(
        403,
        "statuskit dashboard is off",
        "The admin API is off on this address: set STATUSKIT_ADMIN_TOKEN to use it.",
        form=False,
    )


def gate() -> Response | None:
    """Before every dashboard route but the login: nothing when the request may see the
    dashboard; otherwise the login page (401), or a page saying the admin API is off (403),
    which Flask answers instead of the route."""
    if request.endpoint == "admin_ui.session":
        return None
    refused = admin().refusal(page=True)
    if refused is None:
        return None
    return _off() if refused.status == 403 else _login(401)


def session() -> Response:
    """``POST /__admin/ui/session``: the token from the login form for the cookie, then
    back to the dashboard (303); the login page again, with why, for anything else."""
    config = admin().state.config
    token = config.admin_token
    if token is None:
        if config.admin_requires_token:
            return _off()
        return _back()  # nothing to log in to: the dashboard is open
    given = request.form.get("token", "").strip()
    if not given:
        return _login(400, "Enter the admin token.")
    if not token.matches(given):
        return _login(401, "That is not the admin token.")
    response = _back()
    response.set_cookie(
        UI_COOKIE,
        ui_credential(token),
        path="/__admin/",
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
    )
    return response


def _back() -> Response:
    # Relative, so the dashboard works behind a proxy that mounts it under a prefix.
    return Response(status=303, headers={"Location": "./", "Cache-Control": "no-store"})
