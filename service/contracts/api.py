"""REST operations on contracts: drafts, fairness findings, sending, signing status, documents.

The signing itself happens on the signing page a signer opens from their email; the API follows it
(signers, events, webhooks) and hands out the documents. ``POST /api/v1/verify`` (``verify_api``) is public.
"""

from __future__ import annotations

import uuid
from typing import Any

from service.api import ApiView, PageArgs, api_blueprint, idempotent, page_of, paginate, principal, require_role
from service.contracts import operations as ops
from service.contracts import production
from service.contracts.downloads import contract_pdf_response, preview_response
from service.contracts.queries import contracts_query, events_query, signers_query, versions_query
from service.contracts.schemas import (
    AmendIn,
    ContractCreateIn,
    ContractListArgs,
    ContractOut,
    ContractPatchIn,
    ContractSummaryOut,
    EventOut,
    LintIn,
    LintOut,
    ReasonIn,
    SendIn,
    SignerOut,
    VersionArgs,
    VersionOut,
)
from tenants.roles import Role

blp = api_blueprint(
    "contract_templates", "/contract-templates", "The contract templates a draft starts from, German and English."
)
blp = api_blueprint(
    "contracts",
    "/contracts",
    "Fair contracts from template to sealed PDF: draft, fairness findings, send (the PDF is rendered by a worker, "
    "then each signer is emailed a link), signatures, the sealed final PDF. Events: `contract.*` webhooks.",
)

PDF_DOC = {"responses": {"200": {"description": "The PDF", "content": {"application/pdf": {}}}}}
HTML_DOC = {"responses": {"200": {"description": "The contract as HTML", "content": {"text/html": {}}}}}


@blp.route("")
class Contracts(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(ContractListArgs, location="query")
    @blp.response(200, page_of(ContractSummaryOut))
    def get(self, args: dict) -> Any:
        """List contracts, newest first, optionally by status, client or creator"""
        query = contracts_query(
            principal(), status=args.get("status"), client_id=args.get("client_id"), creator_id=args.get("creator_id")
        )
        return paginate(query, args["page"], args["per_page"])

    @require_role(Role.MANAGER)
    @idempotent
    @blp.arguments(ContractCreateIn)
    @blp.response(201, ContractOut)
    def post(self, data: dict) -> Any:
        """Create a draft from a template: your terms over the fair defaults, with its fairness findings"""
        return ops.create_draft(data, principal())


@blp.route("/lint")
class Lint(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(LintIn)
    @blp.response(200, LintOut)
    def post(self, data: dict) -> Any:
        """Check terms against the fairness rules (nothing is stored); 422 lists invalid fields by path"""
        complete = ops.lint_document(data["terms"], data.get("template"))
        return {"fair": complete.fair, "findings": complete.findings, "terms": complete.terms}


@blp.route("/<uuid:contract_id>")
class ContractById(ApiView):
    @require_role(Role.VIEWER)
    @blp.response(200, ContractOut)
    def get(self, contract_id: uuid.UUID) -> Any:
        """Get a contract with its current version, findings and signers"""
        return ops.get_contract(contract_id, principal())

    @require_role(Role.MANAGER)
    @blp.arguments(ContractPatchIn)
    @blp.response(200, ContractOut)
    def patch(self, data: dict, contract_id: uuid.UUID) -> Any:
        """Change a draft (terms merge into the stated ones); invalid terms change nothing"""
        return ops.update_draft(contract_id, data, principal())


@blp.route("/<uuid:contract_id>/preview")
class Preview(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(VersionArgs, location="query")
    @blp.doc(**HTML_DOC)
    def get(self, args: dict, contract_id: uuid.UUID) -> Any:
        """The contract as HTML (a draft is marked as such)"""
        contract = ops.get_contract(contract_id, principal())
        return preview_response(contract, ops.get_version(contract, args.get("version")))


@blp.route("/<uuid:contract_id>/send")
class Send(ApiView):
    @require_role(Role.MANAGER)
    @idempotent
    @blp.arguments(SendIn)
    @blp.response(202, ContractOut)
    def post(self, data: dict, contract_id: uuid.UUID) -> Any:
        """Send a draft for signature (block-level findings need an owner's or admin's written justification)"""
        return ops.send_contract(
            contract_id,
            principal(),
            override_justification=data.get("override_justification"),
            acknowledge_warnings=data["acknowledge_warnings"],
        )


@blp.route("/<uuid:contract_id>/void")
class Void(ApiView):
    @require_role(Role.MANAGER)
    @blp.arguments(ReasonIn)
    @blp.response(200, ContractOut)
    def post(self, data: dict, contract_id: uuid.UUID) -> Any:
        """Void a contract that is not fully signed; its signing links stop working"""
        return ops.void_contract(contract_id, data["reason"], principal())


@blp.route("/<uuid:contract_id>/amend")
class Amend(ApiView):
    @require_role(Role.MANAGER)
    @idempotent
    @blp.arguments(AmendIn)
    @blp.response(201, ContractOut)
    def post(self, data: dict, contract_id: uuid.UUID) -> Any:
        """Start a new version (a draft, signed again); earlier versions stay readable"""
        return ops.amend_contract(contract_id, data, principal())


@blp.route("/<uuid:contract_id>/retry-seal")
class RetrySeal(ApiView):
    @require_role(Role.ADMIN)
    @blp.response(202, ContractOut)
    def post(self, contract_id: uuid.UUID) -> Any:
        """Seal a signed contract again after sealing failed (once its cause is fixed)"""
        return production.retry_sealing(ops.get_contract(contract_id, principal()))


@blp.route("/<uuid:contract_id>/versions")
class Versions(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(VersionOut))
    def get(self, args: dict, contract_id: uuid.UUID) -> Any:
        """Every version of the contract, oldest first, with its terms, findings, documents and signers"""
        contract = ops.get_contract(contract_id, principal())
        return paginate(versions_query(contract), args["page"], args["per_page"])


@blp.route("/<uuid:contract_id>/signers")
class Signers(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(SignerOut))
    def get(self, args: dict, contract_id: uuid.UUID) -> Any:
        """Who signs the current version, and how far each one is"""
        contract = ops.get_contract(contract_id, principal())
        return paginate(signers_query(contract.version), args["page"], args["per_page"])


@blp.route("/<uuid:contract_id>/events")
class Events(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(EventOut))
    def get(self, args: dict, contract_id: uuid.UUID) -> Any:
        """The contract's audit trail, oldest first"""
        contract = ops.get_contract(contract_id, principal())
        return paginate(events_query(contract), args["page"], args["per_page"])


@blp.route("/<uuid:contract_id>/document.pdf")
class SentDocument(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(VersionArgs, location="query")
    @blp.doc(**PDF_DOC)
    def get(self, args: dict, contract_id: uuid.UUID) -> Any:
        """The PDF that was sent for signature (409 until the worker has rendered it)"""
        contract = ops.get_contract(contract_id, principal())
        return contract_pdf_response(contract, ops.get_version(contract, args.get("version")), sealed=False)


@blp.route("/<uuid:contract_id>/sealed.pdf")
class SealedDocument(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(VersionArgs, location="query")
    @blp.doc(**PDF_DOC)
    def get(self, args: dict, contract_id: uuid.UUID) -> Any:
        """The sealed final PDF: contract, signature page and audit certificate (409 until sealed)"""
        contract = ops.get_contract(contract_id, principal())
        return contract_pdf_response(contract, ops.get_version(contract, args.get("version")), sealed=True)
