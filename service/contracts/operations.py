"""The business rules of a contract's life: draft, change, lint, send, void, amend.

Every function works in the current tenant, flushes and never commits (the request or job commits once),
writes its audit events (they feed the audit certificate of the sealed PDF) and queues its jobs and
webhook events to go out after the commit. Signing itself is in ``signing``; producing and sealing the
PDFs in ``production``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from service.accounts.models import Creator, User
from service.audit.operations import record_event
from service.billing.limits import require_within_plan
from service.contracts import drafting
from service.contracts.drafting import CompleteTerms
from service.contracts.links import close_links
from service.contracts.models import (
    AMENDABLE_STATUSES,
    OPEN_STATUSES,
    Contract,
    ContractStatus,
    ContractVersion,
    SealStatus,
    Signer,
    SignerRole,
    SignerStatus,
)
from service.contracts.notifications import email_voided
from service.contracts.production import render_job
from service.contracts.templates import template_for_new_contract, template_of
from service.creators.models import CreatorKind, CreatorRelation
from service.documents.catalogue import ContractTemplate
from service.documents.context import DocumentInfo
from service.documents.errors import RenderError
from service.errors import AppError, Conflict, Forbidden, NotFound, Unprocessable
from service.extensions import db
from service.jobs import defer_job
from service.models import utcnow
from service.webhooks.events import emit_event
from tenants.access import Principal, PrincipalKind
from tenants.context import require_tenant_id
from tenants.models import Tenant
from tenants.operations import get_client
from tenants.roles import Role

MIN_JUSTIFICATION = 20
MAX_JUSTIFICATION = 300
MAX_REASON = 1000


class FairnessBlocked(AppError):
    """Block-level findings and no (acceptable) written override: the contract stays a draft."""

    status_code = 422
    code = "fairness_blocked"


@dataclass(frozen=True)
class Party:
    """The brand's signatory as given by the caller."""

    name: str
    email: str


# --- reading -------------------------------------------------------------------------------------


def get_contract(contract_id: uuid.UUID, principal: Principal | None = None) -> Contract:
    """A contract of the current tenant that ``principal`` may see (a limited member only their clients')."""
    contract = db.session.execute(select(Contract).where(Contract.id == contract_id)).scalar_one_or_none()
    if contract is None or (principal is not None and not principal.can_access_client(contract.client_id)):
        raise NotFound("No contract with this id in your account.")
    return contract


def get_version(contract: Contract, number: int | None = None) -> ContractVersion:
    wanted = contract.current_version if number is None else number
    for version in contract.versions:
        if version.number == wanted:
            return version
    raise NotFound(f"This contract has no version {wanted}.", {"version": ["No such version."]})


def _template(key: str, version: int | None) -> ContractTemplate:
    return template_for_new_contract(key, version)[0]


def lint_document(document: Any, template_key: str | None = None, contract_type: str | None = None) -> CompleteTerms:
    """Findings for a terms document, for the live fairness panel and the lint endpoints (nothing stored)."""
    if template_key is not None:
        return drafting.complete_terms(document, _template(template_key, None))
    return drafting.complete_terms(document, _template(_any_template_of(document, contract_type), None))


def _any_template_of(document: Any, contract_type: str | None) -> str:
    meta = document.get("meta") if isinstance(document, Mapping) else None
    wanted = contract_type or (meta.get("contract_type") if isinstance(meta, Mapping) else None)
    return "corporate_influencer_programme" if wanted == "corporate_influencer" else "influencer_collaboration"


# --- drafting ------------------------------------------------------------------------------------


def _tenant() -> Tenant:
    tenant = db.session.get(Tenant, require_tenant_id())
    assert tenant is not None
    return tenant


def _client_for(tenant: Tenant, client_id: uuid.UUID | None, principal: Principal) -> uuid.UUID | None:
    if not tenant.is_agency:
        if client_id is not None:
            raise Unprocessable("Only agencies have client brands.", {"client_id": ["This account is a brand."]})
        return None
    if client_id is None:
        raise Unprocessable("Choose the client brand this contract is for.", {"client_id": ["Required for an agency."]})
    try:
        return get_client(client_id, principal).id
    except NotFound as exc:
        raise Unprocessable(exc.message, {"client_id": ["No client with this id in your account."]}) from exc


def _creator_relation(
    creator_id: uuid.UUID, client_id: uuid.UUID | None, principal: Principal
) -> tuple[Creator, CreatorRelation]:
    relation = db.session.execute(
        select(CreatorRelation).where(CreatorRelation.creator_id == creator_id)
    ).scalar_one_or_none()
    visible = relation is not None and (principal.client_ids is None or principal.can_access_client(relation.client_id))
    if relation is None or not visible:
        raise Unprocessable("No creator with this id works with your account.", {"creator_id": ["Unknown creator."]})
    if client_id is not None and relation.client_id not in (None, client_id):
        raise Unprocessable(
            "This creator works with your account for another client.", {"creator_id": ["Works for another client."]}
        )
    return relation.creator, relation


def _brand_party(given: Mapping[str, Any] | None, principal: Principal) -> Party:
    if given:
        return Party(name=str(given["name"]).strip(), email=str(given["email"]).strip().lower())
    if principal.kind == PrincipalKind.USER and principal.id is not None:
        user = db.session.get(User, principal.id)
        if user is not None:
            return Party(name=user.name, email=user.email)
    raise Unprocessable(
        "Say who signs for the brand.", {"brand_signatory": ["Required: the name and email of the brand's signatory."]}
    )


def _initial_document(
    terms: Mapping[str, Any] | None, template: ContractTemplate, brand_name: str, creator: Creator
) -> dict[str, Any]:
    """The brand's terms with the parties' names filled in where the brand left them out."""
    parties = {"parties": {"brand": {"legal_name": brand_name}, "creator": {"legal_name": creator.name}}}
    document = drafting.merge_terms(parties, dict(terms or {}))
    document.setdefault("meta", {})
    if isinstance(document["meta"], dict):
        document["meta"].setdefault("contract_type", template.meta.contract_type)
    return document


def _apply_terms(contract: Contract, version: ContractVersion, complete: CompleteTerms) -> None:
    version.terms_input = complete.document
    version.terms = complete.terms
    version.fair = complete.fair
    version.findings = complete.findings
    version.rule_packs = list(complete.lint.rule_packs)
    contract.languages, contract.prevailing_language = drafting.contract_languages(complete.terms)


def _signer_roles(contract_type: str) -> tuple[SignerRole, SignerRole]:
    if contract_type == "corporate_influencer":
        return SignerRole.EMPLOYER, SignerRole.EMPLOYEE
    return SignerRole.BRAND_SIGNATORY, SignerRole.CREATOR


def create_draft(data: Mapping[str, Any], principal: Principal) -> Contract:
    """A draft from a template: the brand's terms over the fair defaults, its two signers, its findings.

    ``data``: template, template_version, creator_id, client_id, title, terms, brand_signatory {name, email},
    signing_order, expires_in_days.
    """
    template, tenant_template_id = template_for_new_contract(data["template"], data.get("template_version"))
    tenant = _tenant()
    client_id = _client_for(tenant, data.get("client_id"), principal)
    creator, relation = _creator_relation(data["creator_id"], client_id, principal)
    if template.meta.contract_type == "corporate_influencer" and relation.kind != CreatorKind.EMPLOYEE:
        raise Unprocessable(
            "A corporate-influencer programme is signed with an employee creator.",
            {"creator_id": ["This creator works with you as an influencer, not as an employee."]},
        )
    brand = _brand_party(data.get("brand_signatory"), principal)
    brand_name = tenant.name
    if client_id is not None:
        brand_name = get_client(client_id, principal).name
    complete = drafting.complete_terms(_initial_document(data.get("terms"), template, brand_name, creator), template)
    contract = Contract(
        client_id=client_id,
        template_key=template.meta.key,
        template_version=template.meta.version,
        tenant_template_id=tenant_template_id,
        contract_type=template.meta.contract_type,
        title="",
        status=ContractStatus.DRAFT,
        current_version=1,
        signing_order=bool(data.get("signing_order", False)),
        expires_in_days=int(data.get("expires_in_days") or 30),
        created_by_id=principal.id if principal.kind == PrincipalKind.USER else None,
        created_by_label=principal.label[:254],
    )
    version = ContractVersion(number=1)
    contract.versions.append(version)
    _apply_terms(contract, version, complete)
    contract.title = (data.get("title") or "").strip() or _default_title(template, contract)
    db.session.add(contract)
    db.session.flush()
    _add_signers(contract, version, brand, creator, relation, tenant)
    record_event("contract.created", target_type="contract", target_id=contract.id, details=_event_details(version))
    emit_event("contract.created", _event_data(contract))
    return contract


def _default_title(template: ContractTemplate, contract: Contract) -> str:
    lang = contract.prevailing_language or contract.languages[0]
    return template.meta.title.in_language(lang)[:200]


def _add_signers(
    contract: Contract,
    version: ContractVersion,
    brand: Party,
    creator: Creator,
    relation: CreatorRelation,
    tenant: Tenant,
) -> None:
    brand_role, creator_role = _signer_roles(contract.contract_type)
    creator_locale = creator.locale or tenant.default_locale
    people = (
        Signer(role=brand_role.value, name=brand.name, email=brand.email, locale=tenant.default_locale, position=1),
        Signer(
            role=creator_role.value,
            name=creator.name,
            email=creator.email,
            locale=creator_locale if creator_locale in ("de", "en") else "de",
            creator_id=creator.id,
            position=2,
        ),
    )
    for signer in people:
        signer.contract_id = contract.id
        signer.version_id = version.id
        version.signers.append(signer)
    db.session.flush()


def brand_signer(version: ContractVersion) -> Signer:
    """The signer for the brand (or the employer): the party that is not the one who posts."""
    return next(signer for signer in version.signers if not signer.confirms_labelling)


def _event_details(version: ContractVersion, **extra: Any) -> dict[str, Any]:
    return {"version": version.number, **extra}


def _event_data(contract: Contract, **extra: Any) -> dict[str, Any]:
    return {
        "contract_id": str(contract.id),
        "title": contract.title,
        "status": contract.status,
        "version": contract.current_version,
        "client_id": str(contract.client_id) if contract.client_id else None,
        **extra,
    }


def _require_draft(contract: Contract) -> ContractVersion:
    if contract.status != ContractStatus.DRAFT:
        raise Conflict(
            "Only a draft can be changed; amend the contract to change terms that were sent.",
            {"status": [contract.status]},
        )
    return contract.version


def update_draft(contract_id: uuid.UUID, data: Mapping[str, Any], principal: Principal) -> Contract:
    """Change a draft: title, terms (``terms`` merges into what was stated, ``terms_document`` replaces it),
    the brand's signatory, signing order and the days to sign. Invalid terms change nothing (422)."""
    contract = get_contract(contract_id, principal)
    version = _require_draft(contract)
    template = template_of(contract)
    changed: list[str] = []
    if "terms" in data or "terms_document" in data:
        document = data.get("terms_document")
        if document is None:
            document = drafting.merge_terms(version.terms_input, data.get("terms") or {})
        _apply_terms(contract, version, drafting.complete_terms(document, template))
        changed.append("terms")
    if data.get("title"):
        contract.title = str(data["title"]).strip()[:200]
        changed.append("title")
    if "signing_order" in data:
        contract.signing_order = bool(data["signing_order"])
        changed.append("signing_order")
    if data.get("expires_in_days"):
        contract.expires_in_days = int(data["expires_in_days"])
        changed.append("expires_in_days")
    if data.get("brand_signatory"):
        brand = _brand_party(data["brand_signatory"], principal)
        signer = brand_signer(version)
        signer.name, signer.email = brand.name, brand.email
        changed.append("brand_signatory")
    if changed:
        contract.updated_at = utcnow()
        record_event(
            "contract.updated",
            target_type="contract",
            target_id=contract.id,
            details=_event_details(version, changed=changed),
        )
    db.session.flush()
    return contract


# --- sending -------------------------------------------------------------------------------------


def _document_id(contract: Contract, version: ContractVersion) -> str:
    return f"FP-{contract.id.hex[:10].upper()}-{version.number}"


def _footer_note(justification: str, principal: Principal) -> str:
    note = (
        f"Fairness override / Abweichung von Fairness-Regeln ({principal.label}, {utcnow():%Y-%m-%d}): {justification}"
    )
    return note if len(note) <= 400 else note[:399] + "…"


def _check_override(version: ContractVersion, justification: str | None, principal: Principal) -> str | None:
    """The written justification that lets block-level findings go out, or None when there are none."""
    blocks = version.blocks
    if not blocks:
        return None
    rules = ", ".join(finding["rule_id"] for finding in blocks)
    justification = (justification or "").strip()
    if not justification:
        raise FairnessBlocked(
            f"This contract has block-level fairness findings ({rules}). Change the terms, or an owner or admin "
            "sends it with a written justification, which is printed in the PDF footer.",
            {"override_justification": [f"Required to send despite {rules}."]},
        )
    if not principal.has_role(Role.ADMIN):
        raise Forbidden(
            "Only an owner or admin can send a contract despite block-level fairness findings.",
            {"override_justification": ["Needs the admin role or higher."]},
        )
    if not MIN_JUSTIFICATION <= len(justification) <= MAX_JUSTIFICATION:
        raise Unprocessable(
            f"Write the justification in {MIN_JUSTIFICATION} to {MAX_JUSTIFICATION} characters.",
            {"override_justification": [f"Between {MIN_JUSTIFICATION} and {MAX_JUSTIFICATION} characters."]},
        )
    return justification


def _check_renders(contract: Contract, version: ContractVersion) -> None:
    """Render the HTML now (a tenth of a second) so a template or terms problem is a 422, not a failed job."""
    from service.documents.rendering import render_contract_html

    template = template_of(contract)
    try:
        render_contract_html(
            template,
            version.terms,
            legal=drafting.legal_constants_for(template, version.terms),
            document=DocumentInfo(version.document_id or "FP-CHECK", footer_note=version.footer_note),
        )
    except RenderError as exc:
        raise Unprocessable(f"The contract cannot be produced from these terms: {exc.message}", exc.errors) from exc


def send_contract(
    contract_id: uuid.UUID,
    principal: Principal,
    *,
    override_justification: str | None = None,
    acknowledge_warnings: bool = False,
) -> Contract:
    """Send a draft: findings checked again, override recorded, PDF rendered by a job, then the signers emailed.

    :raises FairnessBlocked: block-level findings without an owner's or admin's written justification (422).
    :raises Unprocessable: warn-level findings not acknowledged, or terms the template cannot print.
    """
    contract = get_contract(contract_id, principal)
    version = _require_draft(contract)
    # The rules or the date may have changed since the draft was saved: judge the terms as sent.
    _apply_terms(contract, version, drafting.complete_terms(version.terms_input, template_of(contract)))
    justification = _check_override(version, override_justification, principal)
    if version.warnings and not acknowledge_warnings:
        rules = ", ".join(finding["rule_id"] for finding in version.warnings)
        raise Unprocessable(
            f"Acknowledge the warn-level fairness findings ({rules}) to send; the signers acknowledge them too.",
            {"acknowledge_warnings": ["Must be true: these findings are shown to both parties."]},
        )
    require_within_plan("sealed_contract")
    now = utcnow()
    version.document_id = _document_id(contract, version)
    if justification is not None:
        version.override_justification = justification
        version.override_by_id = principal.id
        version.override_by_label = principal.label[:254]
        version.override_at = now
        version.footer_note = _footer_note(justification, principal)
    _check_renders(contract, version)
    version.sent_at = now
    contract.status = ContractStatus.SENT
    contract.sent_at = now
    contract.expires_at = now + timedelta(days=contract.expires_in_days)
    contract.seal_status = SealStatus.NOT_APPLICABLE
    db.session.flush()
    details = _event_details(
        version,
        fair=version.fair,
        blocks=[f["rule_id"] for f in version.blocks],
        warnings=[f["rule_id"] for f in version.warnings],
        warnings_acknowledged=bool(version.warnings),
        override_justification=justification,
    )
    record_event("contract.sent", target_type="contract", target_id=contract.id, details=details)
    emit_event("contract.sent", _event_data(contract, fair=version.fair, override=justification is not None))
    defer_job(render_job(version))  # the same job id the reconciler uses, so a lost render is queued once
    return contract


# --- void and amend ------------------------------------------------------------------------------


def _reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON:
        raise Unprocessable(f"Give a reason for {what} (up to {MAX_REASON} characters).", {"reason": ["Required."]})
    return text


def void_contract(contract_id: uuid.UUID, reason: str | None, principal: Principal) -> Contract:
    """Withdraw a contract that is not fully signed: its links stop working and notified signers are told."""
    contract = get_contract(contract_id, principal)
    if contract.status in (ContractStatus.SIGNED, ContractStatus.VOIDED):
        raise Conflict(
            "A signed or voided contract cannot be voided; end a signed one under its own terms or amend it.",
            {"status": [contract.status]},
        )
    text = _reason(reason, "voiding")
    version = contract.version
    close_links([signer.id for signer in version.signers], used=False)
    contract.status = ContractStatus.VOIDED
    contract.voided_at = utcnow()
    contract.void_reason = text
    for signer in version.signers:
        if signer.notified_at is not None and signer.status == SignerStatus.PENDING:
            email_voided(signer, contract)
    record_event(
        "contract.voided", target_type="contract", target_id=contract.id, details=_event_details(version, reason=text)
    )
    emit_event("contract.voided", _event_data(contract, reason=text))
    db.session.flush()
    return contract


def amend_contract(contract_id: uuid.UUID, data: Mapping[str, Any], principal: Principal) -> Contract:
    """Start the next version from the current one (optionally with changed terms): a draft, signed again.

    The earlier versions, their PDFs and signatures stay as they are and readable in the history.
    """
    contract = get_contract(contract_id, principal)
    if contract.status not in AMENDABLE_STATUSES:
        message = "Edit the draft instead." if contract.status == ContractStatus.DRAFT else "A voided contract is over."
        raise Conflict(f"This contract cannot be amended now. {message}", {"status": [contract.status]})
    previous = contract.version
    template = template_of(contract)
    document = drafting.merge_terms(previous.terms_input, data.get("terms") or {})
    complete = drafting.complete_terms(document, template)
    if contract.status in OPEN_STATUSES:
        close_links([signer.id for signer in previous.signers], used=False)
    now = utcnow()
    previous.superseded_at = now
    version = ContractVersion(number=previous.number + 1, contract_id=contract.id)
    contract.versions.append(version)
    _apply_terms(contract, version, complete)
    db.session.flush()
    for old in previous.signers:
        version.signers.append(
            Signer(
                contract_id=contract.id,
                version_id=version.id,
                role=old.role,
                name=old.name,
                email=old.email,
                locale=old.locale,
                creator_id=old.creator_id,
                position=old.position,
            )
        )
    contract.current_version = version.number
    contract.status = ContractStatus.DRAFT
    contract.seal_status = SealStatus.NOT_APPLICABLE
    contract.seal_error = None
    contract.seal_attempts = 0
    contract.expires_at = None
    contract.completed_at = None
    if data.get("title"):
        contract.title = str(data["title"]).strip()[:200]
    db.session.flush()
    details = _event_details(version, previous_version=previous.number, reason=(data.get("reason") or None))
    record_event("contract.amended", target_type="contract", target_id=contract.id, details=details)
    emit_event("contract.amended", _event_data(contract, previous_version=previous.number))
    return contract


# --- preview -------------------------------------------------------------------------------------


def preview_html(contract: Contract, version: ContractVersion | None = None) -> str:
    """The contract as HTML: a marked draft while it is one, else the version as it was sent."""
    from service.documents.rendering import render_contract_html

    version = version or contract.version
    template = template_of(contract)
    document = DocumentInfo(
        version.document_id or _document_id(contract, version),
        footer_note=version.footer_note,
        draft=version.sent_at is None,
    )
    legal = drafting.legal_constants_for(template, version.terms)
    return render_contract_html(template, version.terms, legal=legal, document=document)
