"""The pages a signer opens from their email, a creator's own contracts, and sealed-PDF downloads.

The signing link is the signer's credential: no account is needed. Each page finds the link by its hash,
then works inside the link's tenant; a link that no longer works gets a page that says why (410) and, for
a link that merely expired, a button that emails a fresh one to the signer's own address.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from service.accounts.models import Creator
from service.billing.read_only import allowed_when_read_only
from service.contracts import signing
from service.contracts.downloads import html_response, pdf_response
from service.contracts.links import LinkGone, check_download_link, check_sign_link, link_scope
from service.contracts.models import Contract, LinkPurpose, SealStatus, Signer, SigningLink
from service.contracts.production import storage
from service.contracts.queries import creator_contracts, creator_signer
from service.contracts.web.common import TEMPLATE_GLOBALS, findings_shown, locale, message
from service.errors import AppError
from service.extensions import db, limiter
from service.web.i18n import translate_errors
from tenants.context import tenant_scope
from tenants.models import Tenant

bp = Blueprint("web_signing", __name__)

F = TypeVar("F", bound=Callable[..., Any])


@bp.record_once
def register_labels(state: Any) -> None:
    state.app.jinja_env.globals.update(TEMPLATE_GLOBALS)


@bp.after_request
def never_cached(response: Response) -> Response:
    # These pages answer to a personal link (or a creator's session): no shared cache may keep them.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.errorhandler(AppError)
def refused(error: AppError) -> ResponseReturnValue:
    """A refusal on these pages (an unknown link, say), in the reader's language."""
    body = {"status": error.status_code, "message": message(error.message), "errors": {}}
    return render_template("errors/error.html", error=body), error.status_code


def _renew_limit() -> str:
    return "5 per minute"


def _tenant_name(contract: Contract) -> str:
    tenant = db.session.get(Tenant, contract.tenant_id)
    return tenant.name if tenant else ""


def _gone(gone: LinkGone, token: str, signer: Signer, contract: Contract) -> tuple[str, int]:
    page = render_template(
        "signing/gone.html",
        reason=gone.reason,
        token=token,
        signer=signer,
        contract=contract,
        tenant_name=_tenant_name(contract),
        renewable=gone.reason == "expired" and contract.is_open and signer.status == "pending",
    )
    return page, 410


def signing_link_view(view: Callable[..., ResponseReturnValue]) -> Callable[[str], ResponseReturnValue]:
    """A page behind a signing link: open the link in its tenant, check it still works, else answer 410.

    The view is called as ``view(token, link, signer, contract)`` inside the link's tenant (committed after).
    """

    @functools.wraps(view)
    def wrapper(token: str) -> ResponseReturnValue:
        with link_scope(token, LinkPurpose.SIGN) as link:
            signer, contract = link.signer, link.signer.version.contract
            try:
                check_sign_link(link, contract)
            except LinkGone as gone:
                return _gone(gone, token, signer, contract)
            return view(token, link, signer, contract)

    return wrapper


def _conflict_page(failure: AppError) -> tuple[str, int]:
    return render_template("errors/error.html", error={"status": 409, "message": message(failure.message)}), 409


def _sign_page(token: str, signer: Signer, contract: Contract, **extra: Any) -> str:
    version = signer.version
    lang = locale()
    choice = signing.labelling_choice(contract, version, lang) if signer.confirms_labelling else None
    waiting_for = [
        other
        for other in version.signers
        if contract.signing_order and other.position < signer.position and not other.has_signed
    ]
    return render_template(
        "signing/sign.html",
        token=token,
        signer=signer,
        contract=contract,
        version=version,
        tenant_name=_tenant_name(contract),
        findings=findings_shown(version.findings),
        warnings=bool(version.warnings),
        choice=choice,
        placements=[(value, signing.placement_label(value, lang)) for value in signing.PLACEMENTS],
        may_sign=signing.may_sign_now(signer, contract),
        waiting_for=waiting_for,
        form=extra.pop("form", {}),
        errors=extra.pop("errors", {}),
        error=extra.pop("error", None),
        **extra,
    )


@bp.get("/sign/<token>")
@signing_link_view
def sign_page(token: str, link: SigningLink, signer: Signer, contract: Contract) -> ResponseReturnValue:
    if signer.version.document_ready:
        signing.record_view(signer, contract)
    return _sign_page(token, signer, contract)


def _signature_from_form() -> signing.Signature:
    form = request.form
    return signing.Signature(
        consent=form.get("consent") == "yes",
        acknowledge=form.get("acknowledge") == "yes",
        typed=form.get("typed_signature") or None,
        drawn=form.get("drawn_signature") or None,
        label=form.get("label") or None,
        placement=form.get("placement") or None,
        posts=tuple(form.getlist("posts")),
    )


@bp.post("/sign/<token>")
@allowed_when_read_only
@signing_link_view
def sign(token: str, link: SigningLink, signer: Signer, contract: Contract) -> ResponseReturnValue:
    try:
        signing.sign(signer, _signature_from_form(), locale())
    except AppError as failure:
        db.session.rollback()
        form: dict[str, Any] = request.form.to_dict()
        form["posts"] = request.form.getlist("posts")
        form.pop("drawn_signature", None)  # a large image: the signer draws again
        page = _sign_page(
            token,
            link.signer,
            link.signer.version.contract,
            form=form,
            errors=translate_errors(failure.errors),
            error=message(failure.message),
        )
        return page, failure.status_code
    page = render_template("signing/done.html", signer=signer, contract=contract, tenant_name=_tenant_name(contract))
    return page


@bp.post("/sign/<token>/decline")
@allowed_when_read_only
@signing_link_view
def decline(token: str, link: SigningLink, signer: Signer, contract: Contract) -> ResponseReturnValue:
    try:
        signing.decline(signer, request.form.get("reason"))
    except AppError as failure:
        db.session.rollback()
        page = _sign_page(
            token,
            link.signer,
            link.signer.version.contract,
            decline_errors=translate_errors(failure.errors),
            error=message(failure.message),
        )
        return page, failure.status_code
    return render_template(
        "signing/declined.html", signer=signer, contract=contract, tenant_name=_tenant_name(contract)
    )


@bp.post("/sign/<token>/renew")
@allowed_when_read_only
@limiter.limit(_renew_limit)
def renew(token: str) -> ResponseReturnValue:
    """A fresh link for an expired one, sent to the signer's own email address (never shown here)."""
    with link_scope(token, LinkPurpose.SIGN) as link:
        signer, contract = link.signer, link.signer.version.contract
        try:
            check_sign_link(link, contract)
        except LinkGone as gone:
            if gone.reason != "expired" or not contract.is_open:
                return _gone(gone, token, signer, contract)
        else:
            return redirect(url_for("web_signing.sign_page", token=token)), 303
        try:
            signing.renew_link(signer)
        except AppError as failure:
            db.session.rollback()
            return _conflict_page(failure)
        return render_template("signing/renewed.html", signer=signer, contract=contract)


@bp.get("/sign/<token>/document.pdf")
@signing_link_view
def sign_document(token: str, link: SigningLink, signer: Signer, contract: Contract) -> ResponseReturnValue:
    try:
        return pdf_response(signer.version, sealed=False, inline=True)
    except AppError as failure:
        return _conflict_page(failure)


@bp.get("/sign/<token>/document.html")
@signing_link_view
def sign_document_html(token: str, link: SigningLink, signer: Signer, contract: Contract) -> ResponseReturnValue:
    """The stored HTML the PDF was made from, for reading on a phone (framed by the signing page)."""
    version = signer.version
    if version.html_key is None:
        abort(404)
    return html_response(storage().get(version.html_key).decode("utf-8"))


@bp.get("/download/<token>")
def download(token: str) -> ResponseReturnValue:
    """The sealed PDF, from the link in the email that said everyone had signed."""
    with link_scope(token, LinkPurpose.DOWNLOAD) as link:
        signer, contract = link.signer, link.signer.version.contract
        try:
            check_download_link(link)
        except LinkGone as gone:
            return _gone(gone, token, signer, contract)
        try:
            return pdf_response(signer.version, sealed=True)
        except AppError as failure:
            return _conflict_page(failure)


# --- a creator's own contracts -------------------------------------------------------------------


def _creator() -> Creator | None:
    identity = current_user._get_current_object()
    return identity if isinstance(identity, Creator) else None


def creator_only(view: F) -> F:
    """A creator's page about one of their contracts: anyone else (signed in or not) finds nothing here."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _creator() is None:
            abort(404)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@bp.get("/creator/contracts")
def creator_home() -> ResponseReturnValue:
    creator = _creator()
    if creator is None:
        return redirect(url_for("web_auth.creator_login"))
    rows = creator_contracts(creator.id)
    return render_template(
        "signing/creator_contracts.html",
        rows=rows,
        may_sign={row.signer.id: signing.may_sign_now(row.signer, row.contract) for row in rows},
        sealed=SealStatus.SEALED.value,
    )


def _own_signer(signer_id: uuid.UUID) -> Signer:
    creator = _creator()
    assert creator is not None
    signer = creator_signer(signer_id, creator.id)
    if signer is None:
        abort(404)
    return signer


@bp.post("/creator/contracts/<uuid:signer_id>/sign")
@creator_only
@allowed_when_read_only
def creator_sign(signer_id: uuid.UUID) -> ResponseReturnValue:
    """Open one's own contract for signing from the home page: a fresh signing link, straight to its page."""
    tenant_id = _own_signer(signer_id).tenant_id
    creator = _creator()
    assert creator is not None
    with tenant_scope(tenant_id):
        try:
            _signer, token = signing.link_for_creator(signer_id, creator.id)
            db.session.commit()
        except AppError as failure:
            db.session.rollback()
            return render_template(
                "errors/error.html", error={"status": failure.status_code, "message": message(failure.message)}
            ), failure.status_code
    return redirect(url_for("web_signing.sign_page", token=token)), 303


@bp.get("/creator/contracts/<uuid:signer_id>/sealed.pdf")
@creator_only
def creator_sealed(signer_id: uuid.UUID) -> ResponseReturnValue:
    signer = _own_signer(signer_id)
    with tenant_scope(signer.tenant_id):
        try:
            return pdf_response(signer.version, sealed=True)
        except AppError as failure:
            return render_template(
                "errors/error.html", error={"status": failure.status_code, "message": message(failure.message)}
            ), failure.status_code
