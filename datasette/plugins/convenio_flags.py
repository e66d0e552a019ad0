"""Auditor flags: a logged-in auditor confirms or disputes a paper-only verdict.

Flags are written to the separate flags database (``<db>-flags.db``) by this
route only; the extracted database stays read-only. Accounts come from
datasette-auth-passwords, configured from ``CONVENIO_<USER>_PASSWORD_HASH``
environment variables (see pipeline/serve.py), and get ``role: auditor``.
The POST is CSRF-protected by Datasette (asgi-csrf): the form carries
``csrftoken``. The route checks the token itself as well, because asgi-csrf
lets some requests through unchecked (an ``Authorization: Bearer`` header, a
request without cookies) and a flag must only ever come from the form.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone
from typing import Any, Optional

from datasette import hookimpl
from datasette.utils.asgi import Forbidden, NotFound, Response

from pipeline.serve import DB_NAME, FLAGS_DB_NAME

FLAG_ACTION = "convenio-flag"
VERDICTS = ("confirm", "dispute")
MAX_NOTE = 4000
# The only paths that accept a POST: logging in and out, the password hashing
# form, and the flag form. Datasette 0.65 has no write API and no writable
# canned query is configured, so anything else posted is refused before routing
# (Datasette would otherwise answer a POST to an unknown path with a 500).
FLAG_ROUTE = r"/-/flag/(?P<id>[^/]+)"
_POST_PATHS = re.compile(rf"^(?:/-/(?:login|logout|password-tool)|{FLAG_ROUTE})$")
_READ_METHODS = ("GET", "HEAD", "OPTIONS")


@hookimpl
def permission_allowed(actor: Optional[dict[str, Any]], action: str) -> Optional[bool]:
    if action == FLAG_ACTION:
        return bool(actor) and actor.get("role") == "auditor"
    # Nobody edits the flags table through Datasette's write API: flags go
    # through the flag form so that who and when are always recorded.
    if action in ("insert-row", "delete-row", "update-row", "create-table", "drop-table", "alter-table"):
        return False
    return None


def _csrf_token_matches(request: Any, sent: str) -> bool:
    """The form's token is the one signed into this browser's ``ds_csrftoken`` cookie."""
    expected = request.scope.get("csrftoken")
    token = expected() if callable(expected) else ""
    return bool(sent and token) and secrets.compare_digest(sent, token)


async def flag_agreement(datasette: Any, request: Any) -> Response:
    if request.method != "POST":
        return Response.text("Use POST", status=405)
    if not await datasette.permission_allowed(request.actor, FLAG_ACTION, default=False):
        raise Forbidden("Only a logged-in auditor can flag an agreement")
    doc_id = request.url_vars["id"]
    db = datasette.get_database(DB_NAME)
    rows = (await db.execute("select paper_only from documents where id = ?", [doc_id])).rows
    if not rows:
        raise NotFound("No agreement with that id")
    post = await request.post_vars()
    if not _csrf_token_matches(request, post.get("csrftoken") or ""):
        raise Forbidden("The flag form has expired: reload the agreement page and try again")
    verdict = (post.get("verdict") or "").strip()
    if verdict not in VERDICTS:
        return Response.text("verdict must be confirm or dispute", status=400)
    note = (post.get("note") or "").strip()[:MAX_NOTE]
    created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    await datasette.get_database(FLAGS_DB_NAME).execute_write(
        "insert into flags (document_id, verdict, pipeline_paper_only, note, user, created_at)"
        " values (?, ?, ?, ?, ?, ?)",
        [doc_id, verdict, rows[0]["paper_only"], note, request.actor["id"], created_at],
    )
    datasette.add_message(request, f"Flag recorded: {verdict}", datasette.INFO)
    return Response.redirect(datasette.urls.path(f"/-/agreement/{doc_id}#flags"))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(rf"^{FLAG_ROUTE}$", flag_agreement)]


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    base = datasette.setting("base_url").rstrip("/")

    def wrap(app: Any) -> Any:
        async def read_only(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] not in _READ_METHODS:
                path = scope["path"][len(base):] if base and scope["path"].startswith(base) else scope["path"]
                if not _POST_PATHS.match(path):
                    response = Response.text("This explorer is read-only; auditors flag agreements from their page.",
                                             status=405, headers={"allow": ", ".join(_READ_METHODS)})
                    await response.asgi_send(send)
                    return
            await app(scope, receive, send)

        return read_only

    return wrap
