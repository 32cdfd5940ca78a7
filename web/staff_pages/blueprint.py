"""The staff pages' blueprint, their dependencies and the helpers every view uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask.wrappers import Request, Response
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from consent.adapters.login_throttle import LoginThrottle
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.ports import Clock, StatusReader
from consent.staff import PAGE_LANGUAGES, Actor, Role, StaffMember
from consent.staff_actions import StaffServices
from web.staff_pages.course_form import finnish_number
from web.staff_pages.texts import current_language, text

bp = Blueprint(
    "pages", __name__, url_prefix="/staff", template_folder="templates", static_folder="static"
)
MAX_UPLOAD: Final = 10 * 1024 * 1024  # as the staff API's results import
SESSION_HOURS: Final = 8  # a working day; then log in again
SESSION_KEY: Final = "sid"  # the cookie's one entry: the session id (staff_sessions)
_OPEN: Final = {"pages.login", "pages.static"}
LANGUAGE_COOKIE: Final = "vst_lang"  # fi or sv: the language last used in this browser


@dataclass(frozen=True)
class StaffPages:
    """What the pages need."""

    accounts: SqlStaffAccounts
    staff: StaffServices  # what every change goes through: the staff actions' ports
    status: StatusReader
    clock: Clock
    dashboard_url: str
    throttle: LoginThrottle
    plain_http_links: bool = False  # local mode: the Visma Sign sandbox's links are http


def deps() -> StaffPages:
    """The pages' dependencies, as ``create_app`` built them."""
    pages: StaffPages = current_app.extensions["vst.staff_pages"]
    return pages


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building a signer for a request that carries
    no session cookie: every webhook delivery and API call (measured: ~3 % of a webhook
    request's CPU)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session without a cookie; otherwise as Flask does it. A request with no
        Cookie header at all (a webhook delivery, an API call) is not even parsed for one."""
        no_cookie = "HTTP_COOKIE" not in request.environ
        if app.secret_key and (no_cookie or self.get_cookie_name(app) not in request.cookies):
            return self.session_class()
        return super().open_session(app, request)


@bp.before_request
def guard() -> ResponseReturnValue | None:
    """Who is logged in; a login page for anyone else; a valid CSRF token on every POST."""
    request.max_content_length = MAX_UPLOAD  # the app-wide limit is the webhook's 64 KiB
    session_id = session.get(SESSION_KEY)
    member = deps().accounts.session_member(session_id) if isinstance(session_id, str) else None
    # Known before the CSRF check, so even an expired form is refused in the member's words.
    g.language = member.language if member is not None else remembered_language()
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError:
            raise CSRFError() from None
    if member is None and request.endpoint not in _OPEN:
        session.pop(SESSION_KEY, None)  # an ended session's cookie is cleared here
        return redirect(login_address(request.path))
    g.staff = member
    return None


def remembered_language() -> str:
    """The language this browser's staff pages were last drawn in, for the pages before login
    (the login page itself): a cookie holding ``fi`` or ``sv`` and nothing else; Finnish
    without it. Once logged in, the account's own language is what counts."""
    language = request.cookies.get(LANGUAGE_COOKIE, "fi")
    return language if language in PAGE_LANGUAGES else "fi"


@bp.after_request
def not_kept(response: Response) -> Response:
    """No staff page is kept by the browser or a proxy: each may show a person's names, hetu
    or results, and a shared staff machine's back button or disk cache must not show them
    to the next user. The style sheets and scripts may be kept."""
    if request.endpoint != "pages.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def _page_helpers() -> dict[str, Any]:
    return {
        "t": text,
        "lang": current_language(),
        "op": finnish_number,
        "csrf_token": generate_csrf,
        "staff": g.get("staff"),
        "dashboard_url": deps().dashboard_url,
    }


def require(role: Role) -> StaffMember:
    """The logged-in member if their role allows ``role``; else a 403 page."""
    member: StaffMember = g.staff
    if not member.role.allows(role):
        raise Forbidden()
    return member


class Forbidden(Exception):
    """The logged-in member's role does not allow this."""


def actor() -> Actor:
    """The logged-in member, as the audit trail names them."""
    member: StaffMember = g.staff
    return Actor.member(member)


def our_page(target: str, prefix: str = "/staff/") -> str:
    """``target`` if it is one of our pages under ``prefix``, else the course list: a link we
    redirect to never leads to another site (``//host``, ``/\\host``), and a control
    character (CR/LF would split the ``Location`` header) never reaches a header."""
    ours = target.startswith(prefix) and "//" not in target and "\\" not in target
    return target if ours and target.isprintable() else "/staff/courses"


def login_address(path: str) -> str:
    """The login page, to come back to ``path`` afterwards: the path URL-quoted, so whatever
    it holds stays inside the ``next`` parameter."""
    return f"/staff/login?next={quote(path, safe='/')}"


def error_page(status: int, key: str) -> ResponseReturnValue:
    """An HTML error page for the staff pages (the API and webhook answer problem JSON)."""
    return render_template("error.html", message=text(key), status=status), status


@bp.app_errorhandler(Forbidden)
def _forbidden(_error: Forbidden) -> ResponseReturnValue:
    return error_page(403, "forbidden")
