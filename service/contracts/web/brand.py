"""The brand's contract pages: the list, a new draft with the live fairness panel, the contract's page (findings,
send with an override for owners and admins, who signed, versions, trail), preview and downloads."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.accounts.models import User
from service.contracts import drafting, production
from service.contracts import operations as ops
from service.contracts.downloads import pdf_response, preview_response
from service.contracts.models import AMENDABLE_STATUSES, Contract, ContractStatus, TemplateStatus
from service.contracts.queries import contract_events, contracts_query, status_counts
from service.contracts.templates import loaded, template_for_new_contract, template_of, tenant_templates_list
from service.contracts.terms import TermsError
from service.contracts.web import terms_form
from service.contracts.web.common import TEMPLATE_GLOBALS, findings_shown, locale, message, template_title
from service.creators.operations import creator_relations_query
from service.documents.catalogue import ContractTemplate, list_templates
from service.documents.errors import TemplateNotFound
from service.errors import AppError, NotFound
from service.extensions import db
from service.web.i18n import translate_errors
from service.web.pages import selected_client_id, staff_required, web_principal
from service.web.transaction import transactional
from tenants.models import Tenant
from tenants.operations import visible_clients_query
from tenants.roles import Role

bp = Blueprint("web_contracts", __name__)

PER_PAGE = 25


@bp.record_once
def register_labels(state: Any) -> None:
    # Globals, not a context processor: the findings macros are imported without the page's context.
    state.app.jinja_env.globals.update(TEMPLATE_GLOBALS)


def _tenant() -> Tenant:
    tenant = db.session.get(Tenant, web_principal().tenant_id)
    assert tenant is not None
    return tenant


def _contract(contract_id: uuid.UUID) -> Contract:
    try:
        return ops.get_contract(contract_id, web_principal())
    except NotFound:
        abort(404)


def _version_arg() -> int | None:
    raw = request.args.get("version", "")
    return int(raw) if raw.isdigit() else None


# --- the list ------------------------------------------------------------------------------------


@bp.get("/contracts")
@staff_required(Role.VIEWER)
def index() -> ResponseReturnValue:
    principal = web_principal()
    wanted = request.args.get("status") or None
    wanted = wanted if wanted in {s.value for s in ContractStatus} else None
    page = max(int(request.args.get("page", "1")) if request.args.get("page", "1").isdigit() else 1, 1)
    client_id = selected_client_id() if _tenant().is_agency else None
    query = contracts_query(principal, status=wanted, client_id=client_id)
    contracts = db.session.execute(query.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).unique().scalars().all()
    return render_template(
        "contracts/index.html",
        contracts=contracts[:PER_PAGE],
        more=len(contracts) > PER_PAGE,
        page=page,
        wanted=wanted,
        counts=status_counts(principal),
        statuses=[s.value for s in ContractStatus],
        client_names={c.id: c.name for c in db.session.execute(visible_clients_query(principal)).scalars()},
        can_create=principal.has_role(Role.MANAGER),
        can_manage_templates=principal.has_role(Role.ADMIN),
    )


# --- creating and editing ------------------------------------------------------------------------


def _template_or_none(key: str | None, version: str | None = None) -> ContractTemplate | None:
    """A template offered for new contracts (built-in, or the tenant's active version), else None."""
    if not key:
        return None
    try:
        return template_for_new_contract(key, int(version) if version and version.isdigit() else None)[0]
    except AppError:
        return None


def _offered_templates() -> list[Any]:
    """What a new contract can start from: the built-in templates, then the newest active version of each own key."""
    newest: dict[str, Any] = {}
    for row in tenant_templates_list(TemplateStatus.ACTIVE):
        newest.setdefault(row.key, row)
    return [*list_templates(), *(loaded(row).meta for row in newest.values())]


def _creator_options(client_id: uuid.UUID | None) -> list[dict[str, Any]]:
    relations = db.session.execute(creator_relations_query(web_principal(), client_id)).unique().scalars().all()
    return [
        {"id": str(r.creator_id), "name": r.creator.name, "email": r.creator.email, "kind": r.kind} for r in relations
    ]


def _client_options() -> list[dict[str, str]]:
    if not _tenant().is_agency:
        return []
    clients = db.session.execute(visible_clients_query(web_principal())).scalars()
    return [{"id": str(c.id), "name": c.name} for c in clients]


def _uuid(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def _initial_document(template: ContractTemplate, creator_name: str, brand_name: str) -> dict[str, Any]:
    """A new draft starts from the template's sample terms (a fair example) without the sample's parties and
    dates, with the real parties' names, and stating only what differs from the fair defaults."""
    sample = {key: value for key, value in template.sample_terms.items() if key != "parties"}
    dated = ("effective_date", "end_date", "legal_constants_version")  # the sample's dates, not this contract's
    meta = {k: v for k, v in (sample.get("meta") or {}).items() if k not in dated}
    parties = {"brand": {"legal_name": brand_name}, "creator": {"legal_name": creator_name}}
    undated = ("platform", "format", "quantity", "min_live_days")
    items = [{k: v for k, v in item.items() if k in undated} for item in sample.get("deliverables") or []]
    document = {**sample, "meta": meta, "parties": parties, "deliverables": items}
    return {**drafting.stated_only(document, template), "parties": parties}


def _complete_or_empty(document: Mapping[str, Any], template: ContractTemplate) -> dict[str, Any]:
    try:
        return drafting.complete_terms(document, template).terms
    except TermsError:
        return {}


def _form_context(
    template: ContractTemplate,
    document: Mapping[str, Any],
    *,
    contract: Contract | None = None,
    posted: Any = None,
    errors: Mapping[str, list[str]] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """What the create and edit pages show: the fields (fair defaults pre-filled), the rest as JSON, the panel.

    After a refused submission (``posted``) the fields show what was typed, not what was stored.
    """
    complete = _complete_or_empty(document, template)
    contract_type = template.meta.contract_type
    fields = terms_form.fields_for(contract_type)
    if posted is not None:
        shown = {field.path: terms_form.posted_value(field, posted) for field in fields}
        rows = terms_form.posted_rows(posted)
        base, other = posted.get(terms_form.BASE_FIELD, "{}"), posted.get(terms_form.OTHER_FIELD, "{}")
    else:
        shown = {field.path: terms_form.shown_value(field, complete) for field in fields}
        rows = terms_form.deliverable_rows(complete)
        base, other = terms_form.base_json(document), terms_form.other_terms(document, contract_type)
    return {
        "template": template,
        "template_title": template_title(template.meta),
        "contract": contract,
        "fields": fields,
        "shown": shown,
        "deliverables": rows if terms_form.has_deliverables(contract_type) else None,
        "platforms": terms_form.PLATFORMS,
        "formats": terms_form.FORMATS,
        "base_terms": base,
        "other_terms": other,
        "values": posted.to_dict() if posted is not None else {},
        "errors": errors or {},
        "error": error,
        "panel": _panel(document, template),
        "is_agency": _tenant().is_agency,
    }


def _panel(document: Mapping[str, Any], template: ContractTemplate) -> str:
    try:
        complete = drafting.complete_terms(document, template)
    except TermsError as failure:
        return render_template("contracts/_panel.html", result=None, errors=failure.errors)
    return render_template(
        "contracts/_panel.html", result={"fair": complete.fair, "findings": findings_shown(complete.findings)}
    )


@bp.get("/contracts/new")
@staff_required(Role.MANAGER)
def new() -> ResponseReturnValue:
    """Step 1 chooses the template, the creator and (agencies) the client; step 2 is the terms form."""
    template = _template_or_none(request.args.get("template"), request.args.get("template_version"))
    client_id = _uuid(request.args.get("client_id")) or (selected_client_id() if _tenant().is_agency else None)
    creators = {option["id"]: option for option in _creator_options(client_id)}
    creator = creators.get(request.args.get("creator_id") or "")
    if template is None or creator is None:
        return render_template(
            "contracts/choose.html",
            templates=_offered_templates(),
            creators=list(creators.values()),
            clients=_client_options(),
            client_id=str(client_id) if client_id else "",
            template_title=template_title,
        )
    brand_name = _tenant().name
    clients = {option["id"]: option["name"] for option in _client_options()}
    if client_id is not None and str(client_id) in clients:
        brand_name = clients[str(client_id)]
    document = _initial_document(template, creator["name"], brand_name)
    user = db.session.get(User, web_principal().id)
    context = _form_context(template, document)
    context["values"] = {
        "title": template_title(template.meta),
        "brand_name": user.name if user else "",
        "brand_email": user.email if user else "",
        "expires_in_days": 30,
    }
    return render_template(
        "contracts/form.html", creator=creator, client_id=str(client_id) if client_id else "", **context
    )


def _submitted_document(template: ContractTemplate) -> dict[str, Any]:
    base = terms_form._json_object(request.form.get(terms_form.BASE_FIELD), terms_form.BASE_FIELD)
    complete_base = _complete_or_empty(base, template)
    return terms_form.document_from_form(request.form, template.meta.contract_type, complete_base)


def _settings_from_form() -> dict[str, Any]:
    days = request.form.get("expires_in_days", "30").strip()
    data: dict[str, Any] = {
        "title": request.form.get("title", "").strip()[:200],
        "signing_order": request.form.get("signing_order") == "on",
        "expires_in_days": min(max(int(days), 1), 365) if days.isdigit() else 30,
    }
    name, email = request.form.get("brand_name", "").strip(), request.form.get("brand_email", "").strip()
    if name and email:
        data["brand_signatory"] = {"name": name[:200], "email": email[:254]}
    return data


def _failed_form(template: ContractTemplate, failure: AppError, **extra: Any) -> ResponseReturnValue:
    db.session.rollback()
    try:
        document = _submitted_document(template)
    except TermsError:
        document = {}
    context = _form_context(
        template,
        document,
        contract=extra.pop("contract", None),
        posted=request.form,
        errors=translate_errors(failure.errors),
        error=message(failure.message),
    )
    return render_template("contracts/form.html", **context, **extra), failure.status_code


@bp.post("/contracts/new")
@staff_required(Role.MANAGER)
@transactional
def create() -> ResponseReturnValue:
    template = _template_or_none(request.form.get("template"), request.form.get("template_version"))
    creator_id = _uuid(request.form.get("creator_id"))
    if template is None or creator_id is None:
        flash(_("Choose a template and a creator first."), "error")
        return redirect(url_for("web_contracts.new")), 303
    creator = {o["id"]: o for o in _creator_options(None)}.get(str(creator_id))
    client_id = _uuid(request.form.get("client_id"))
    extra = {"creator": creator or {"id": "", "name": "", "email": ""}, "client_id": str(client_id or "")}
    extra = _only_known(extra)
    try:
        data = {
            **_settings_from_form(),
            "template": template.meta.key,
            "template_version": template.meta.version,
            "creator_id": creator_id,
            "client_id": client_id,
            "terms": _submitted_document(template),
        }
        contract = ops.create_draft(data, web_principal())
    except AppError as failure:
        return _failed_form(template, failure, **extra)
    flash(_("Draft saved. Check the fairness findings, preview it, then send it."), "success")
    return redirect(url_for("web_contracts.detail", contract_id=contract.id)), 303


def _only_known(extra: dict[str, Any]) -> dict[str, Any]:
    # Render only values the page itself offered: a foreign id sent in a form is never echoed back.
    known_clients = {option["id"] for option in _client_options()}
    return {**extra, "client_id": extra["client_id"] if extra["client_id"] in known_clients else ""}


@bp.route("/contracts/<uuid:contract_id>/edit", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
@transactional
def edit(contract_id: uuid.UUID) -> ResponseReturnValue:
    contract = _contract(contract_id)
    if contract.status != ContractStatus.DRAFT:
        flash(_("Only a draft can be changed; amend the contract to change terms that were sent."), "error")
        return redirect(url_for("web_contracts.detail", contract_id=contract.id)), 303
    template = template_of(contract)
    if request.method == "POST":
        try:
            data = {**_settings_from_form(), "terms_document": _submitted_document(template)}
            ops.update_draft(contract.id, data, web_principal())
        except AppError as failure:
            return _failed_form(template, failure, contract=contract)
        flash(_("Draft saved."), "success")
        return redirect(url_for("web_contracts.detail", contract_id=contract.id)), 303
    version = contract.version
    brand = ops.brand_signer(version)
    context = _form_context(template, version.terms_input, contract=contract)
    context["values"] = {
        "title": contract.title,
        "brand_name": brand.name,
        "brand_email": brand.email,
        "signing_order": "on" if contract.signing_order else "",
        "expires_in_days": contract.expires_in_days,
    }
    return render_template("contracts/form.html", **context)


def _lint_template() -> ContractTemplate | None:
    """The template the form is for: while editing a draft its own template, even if since retired."""
    contract_id = _uuid(request.form.get("contract_id"))
    if contract_id is not None:
        try:
            return template_of(ops.get_contract(contract_id, web_principal()))
        except NotFound:
            return None
    return _template_or_none(request.form.get("template"), request.form.get("template_version"))


@bp.post("/contracts/lint")
@staff_required(Role.VIEWER)
def lint() -> ResponseReturnValue:
    """The live fairness panel: the form as it is now, judged as it would be saved (nothing is stored)."""
    template = _lint_template()
    if template is None:
        return jsonify({"error": _("Choose a template first.")}), 400
    try:
        complete = drafting.complete_terms(_submitted_document(template), template)
    except TermsError as failure:
        errors = translate_errors(failure.errors)
        html = render_template("contracts/_panel.html", result=None, errors=errors)
        return jsonify({"fair": None, "errors": errors, "html": html}), 422
    findings = findings_shown(complete.findings)
    html = render_template("contracts/_panel.html", result={"fair": complete.fair, "findings": findings})
    return jsonify({"fair": complete.fair, "findings": findings, "html": html})


# --- the contract's page -------------------------------------------------------------------------


@bp.get("/contracts/<uuid:contract_id>")
@staff_required(Role.VIEWER)
def detail(contract_id: uuid.UUID) -> ResponseReturnValue:
    return _render_detail(_contract(contract_id))


def _render_detail(contract: Contract, error: str | None = None, status: int = 200, **values: Any) -> Any:
    principal = web_principal()
    version = contract.version
    client = next((c for c in _client_options() if c["id"] == str(contract.client_id)), None)
    page = render_template(
        "contracts/detail.html",
        contract=contract,
        version=version,
        findings=findings_shown(version.findings),
        template_meta=_meta_or_none(contract),
        client_name=client["name"] if client else None,
        events=contract_events(contract),
        can_manage=principal.has_role(Role.MANAGER),
        can_override=principal.has_role(Role.ADMIN),
        amendable=contract.status in AMENDABLE_STATUSES,
        voidable=contract.status not in (ContractStatus.SIGNED, ContractStatus.VOIDED),
        error=error,
        values=values,
    )
    return page, status


def _meta_or_none(contract: Contract) -> Any:
    try:
        return template_of(contract).meta
    except TemplateNotFound:
        return None


def _action(contract_id: uuid.UUID, run: Any, done: str) -> ResponseReturnValue:
    """Run one action on the contract; on refusal show the contract's page with the reason (nothing changed)."""
    contract = _contract(contract_id)
    try:
        run(contract)
    except AppError as failure:
        db.session.rollback()
        fresh = _contract(contract_id)
        return _render_detail(fresh, message(failure.message), failure.status_code, **request.form.to_dict())
    flash(done, "success")
    return redirect(url_for("web_contracts.detail", contract_id=contract_id)), 303


@bp.post("/contracts/<uuid:contract_id>/send")
@staff_required(Role.MANAGER)
@transactional
def send(contract_id: uuid.UUID) -> ResponseReturnValue:
    def run(contract: Contract) -> None:
        ops.send_contract(
            contract.id,
            web_principal(),
            override_justification=request.form.get("override_justification"),
            acknowledge_warnings=request.form.get("acknowledge_warnings") == "on",
        )

    return _action(contract_id, run, _("Sent. The PDF is being prepared; then each signer gets an email."))


@bp.post("/contracts/<uuid:contract_id>/void")
@staff_required(Role.MANAGER)
@transactional
def void(contract_id: uuid.UUID) -> ResponseReturnValue:
    def run(contract: Contract) -> None:
        ops.void_contract(contract.id, request.form.get("reason"), web_principal())

    return _action(contract_id, run, _("The contract was voided; its signing links no longer work."))


@bp.post("/contracts/<uuid:contract_id>/amend")
@staff_required(Role.MANAGER)
@transactional
def amend(contract_id: uuid.UUID) -> ResponseReturnValue:
    def run(contract: Contract) -> None:
        ops.amend_contract(contract.id, {"reason": request.form.get("reason") or None}, web_principal())

    return _action(contract_id, run, _("A new version was started as a draft. Change it, then send it to sign again."))


@bp.post("/contracts/<uuid:contract_id>/retry-seal")
@staff_required(Role.ADMIN)
@transactional
def retry_seal(contract_id: uuid.UUID) -> ResponseReturnValue:
    return _action(contract_id, production.retry_sealing, _("Sealing was started again."))


@bp.get("/contracts/<uuid:contract_id>/preview")
@staff_required(Role.VIEWER)
def preview(contract_id: uuid.UUID) -> ResponseReturnValue:
    contract = _contract(contract_id)
    try:
        version = ops.get_version(contract, _version_arg())
    except NotFound:
        abort(404)
    try:
        return preview_response(contract, version)
    except AppError as failure:
        return _render_detail(contract, message(failure.message), failure.status_code)


def _document(contract_id: uuid.UUID, *, sealed: bool) -> ResponseReturnValue:
    contract = _contract(contract_id)
    try:
        version = ops.get_version(contract, _version_arg())
        return pdf_response(version, sealed=sealed)
    except NotFound:
        abort(404)
    except AppError as failure:
        return _render_detail(contract, message(failure.message), failure.status_code)


@bp.get("/contracts/<uuid:contract_id>/document.pdf")
@staff_required(Role.VIEWER)
def document(contract_id: uuid.UUID) -> ResponseReturnValue:
    return _document(contract_id, sealed=False)


@bp.get("/contracts/<uuid:contract_id>/sealed.pdf")
@staff_required(Role.VIEWER)
def sealed_document(contract_id: uuid.UUID) -> ResponseReturnValue:
    return _document(contract_id, sealed=True)


__all__ = ["bp", "locale"]
