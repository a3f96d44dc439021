"""Sign-in pages: staff by password, creators by magic link; and sign-out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from service.access import SESSION_CLIENT, SESSION_TENANT
from service.accounts import operations as ops
from service.extensions import limiter
from service.web.forms import ConfirmForm, LoginForm, MagicLinkRequestForm
from service.web.i18n import translate_message
from service.web.transaction import transactional
from tenants.memberships import tenants_of_user

bp = Blueprint("web_auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def start_session(identity: object) -> None:
    # A fresh session on every sign-in: nothing from before the login survives (session fixation).
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(identity)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@transactional
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = ops.authenticate_user(form.email.data or "", form.password.data or "")
        except (ops.LoginFailed, ops.AccountLocked) as failure:
            form.password.errors = [translate_message(failure.message)]
            return render_template("auth/login.html", form=form), failure.status_code
        start_session(user)
        tenants = tenants_of_user(user.id)
        if tenants:
            session[SESSION_TENANT] = str(tenants[0][0].id)
        return redirect(_safe_next() or url_for("web_pages.dashboard"))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    # Only same-site paths: never redirect a fresh session to another host.
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.post("/logout")
@transactional
def logout() -> ResponseReturnValue:
    form = ConfirmForm()
    if form.validate_on_submit():
        ops.end_sessions(current_user._get_current_object())
        logout_user()
        session.pop(SESSION_TENANT, None)
        session.pop(SESSION_CLIENT, None)
    return redirect(url_for("web_auth.login"))


@bp.route("/creator/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@transactional
def creator_login() -> ResponseReturnValue:
    form = MagicLinkRequestForm()
    if form.validate_on_submit():
        ops.request_magic_link(form.email.data or "", request.remote_addr, str(get_locale()))
        return render_template("auth/magic_link_sent.html", email=form.email.data)
    return render_template("auth/creator_login.html", form=form), 400 if form.errors else 200


@bp.route("/creator/magic/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@transactional
def magic_link(token: str) -> ResponseReturnValue:
    # GET only shows a button: mail scanners that follow links must not use up the link.
    ops.find_magic_link(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        creator = ops.consume_magic_link(token)
        start_session(creator)
        flash(_("You are signed in."), "success")
        return redirect(url_for("web_pages.creator_home"))
    return render_template("auth/magic_link_confirm.html", form=form)
