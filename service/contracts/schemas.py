"""Input and output schemas of the contracts API (split by direction)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload

from service.api import InputSchema, OutputSchema, PageArgs, StrictBoolean
from service.contracts.models import MAX_TEMPLATE_VERSION, ContractStatus

TERMS_DESCRIPTION = (
    "A terms document in the format of contract-terms.md: fields left out take their fair defaults; "
    "unknown fields and values of the wrong type are refused with their dotted paths (422)."
)


class PartyIn(InputSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))


class ContractCreateIn(InputSchema):
    template = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=64),
        metadata={"description": "Template key: a built-in one or one of your own (GET /contract-templates)"},
    )
    template_version = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=MAX_TEMPLATE_VERSION),
        metadata={"description": "Default: the newest (of your own: the newest active); retired ones are refused"},
    )
    creator_id = ma.fields.UUID(required=True, metadata={"description": "The creator (their creator_id) who signs"})
    client_id = ma.fields.UUID(allow_none=True, metadata={"description": "Agencies: the client brand"})
    title = ma.fields.String(validate=ma.validate.Length(max=200), metadata={"description": "Default: the template's"})
    terms = ma.fields.Dict(load_default=dict, metadata={"description": TERMS_DESCRIPTION})
    brand_signatory = ma.fields.Nested(
        PartyIn, metadata={"description": "Who signs for the brand; default the signed-in user (required for API keys)"}
    )
    signing_order = StrictBoolean(load_default=False, metadata={"description": "Brand first, then the creator"})
    expires_in_days = ma.fields.Integer(
        load_default=30, validate=ma.validate.Range(min=1, max=365), metadata={"description": "Days to sign"}
    )


class ContractPatchIn(InputSchema):
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    terms = ma.fields.Dict(
        metadata={"description": "Merged into the stated terms: objects merge, anything else (null too) replaces."}
    )
    brand_signatory = ma.fields.Nested(PartyIn)
    signing_order = StrictBoolean()
    expires_in_days = ma.fields.Integer(validate=ma.validate.Range(min=1, max=365))


class LintIn(InputSchema):
    template = ma.fields.String(validate=ma.validate.Length(min=1, max=64), metadata={"description": "Template key"})
    terms = ma.fields.Dict(required=True, metadata={"description": TERMS_DESCRIPTION})


class SendIn(InputSchema):
    override_justification = ma.fields.String(
        validate=ma.validate.Length(max=2000),
        metadata={
            "description": "Owners and admins: why it goes out despite block-level findings (printed in the PDF)"
        },
    )
    acknowledge_warnings = StrictBoolean(
        load_default=False, metadata={"description": "Required true when there are warn-level findings"}
    )


class ReasonIn(InputSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1000))


class AmendIn(InputSchema):
    terms = ma.fields.Dict(load_default=dict, metadata={"description": "Changes merged into the current terms"})
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    reason = ma.fields.String(validate=ma.validate.Length(max=1000))


class ContractListArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in ContractStatus]))
    client_id = ma.fields.UUID()
    creator_id = ma.fields.UUID()


class VersionArgs(InputSchema):
    class Meta:
        unknown = ma.EXCLUDE

    version = ma.fields.Integer(validate=ma.validate.Range(min=1), metadata={"description": "Default: current"})


class VerifyFileIn(ma.Schema):
    file = Upload(required=True, metadata={"description": "The PDF to check"})


# --- output --------------------------------------------------------------------------------------


class TemplateUploadIn(ma.Schema):
    archive = Upload(metadata={"description": "A .zip of the template's folder (files at its top or in one folder)"})
    files = ma.fields.List(
        Upload(), metadata={"description": "Or the files themselves: repeat the field once per file"}
    )


class TemplateListArgs(PageArgs):
    origin = ma.fields.String(validate=ma.validate.OneOf(["builtin", "tenant"]))
    status = ma.fields.String(validate=ma.validate.OneOf(["active", "retired"]))


class TemplateOut(OutputSchema):
    key = ma.fields.String(metadata={"description": "What a contract names as its template"})
    version = ma.fields.Integer()
    origin = ma.fields.String(metadata={"description": "builtin (Fairpact's) or tenant (your own)"})
    id = ma.fields.UUID(allow_none=True, metadata={"description": "Your own versions only"})
    status = ma.fields.String(metadata={"description": "active (offered for new contracts) or retired"})
    contract_type = ma.fields.String()
    title = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    description = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), allow_none=True)
    languages = ma.fields.List(ma.fields.String())
    sha256 = ma.fields.String(allow_none=True, metadata={"description": "Your own versions: SHA-256 of the files"})
    uploaded_by = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(allow_none=True)
    retired_at = ma.fields.DateTime(allow_none=True)


class TenantTemplateOut(TemplateOut):
    files = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), metadata={"description": "File name -> text, as stored"}
    )


class FindingOut(OutputSchema):
    rule_id = ma.fields.String()
    severity = ma.fields.String(metadata={"description": "block, warn or info"})
    message = ma.fields.String()
    fix = ma.fields.String()
    citation = ma.fields.String()


class LintOut(OutputSchema):
    fair = StrictBoolean(metadata={"description": "No block-level finding"})
    findings = ma.fields.List(ma.fields.Nested(FindingOut))
    terms = ma.fields.Dict(metadata={"description": "The complete terms, every fair default filled in"})


class SignerOut(OutputSchema):
    id = ma.fields.UUID()
    role = ma.fields.String(metadata={"description": "brand_signatory, creator, employer or employee"})
    name = ma.fields.String()
    email = ma.fields.String()
    creator_id = ma.fields.UUID(allow_none=True)
    position = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "pending, signed or declined"})
    notified_at = ma.fields.DateTime(allow_none=True)
    viewed_at = ma.fields.DateTime(allow_none=True)
    signed_at = ma.fields.DateTime(allow_none=True)
    signature_kind = ma.fields.String(allow_none=True)
    labelling = ma.fields.Dict(allow_none=True, metadata={"description": "label, placement, posts"})
    declined_at = ma.fields.DateTime(allow_none=True)
    decline_reason = ma.fields.String(allow_none=True)
    reminder_count = ma.fields.Integer()


class DocumentOut(OutputSchema):
    ready = StrictBoolean()
    sha256 = ma.fields.String(allow_none=True)
    pages = ma.fields.Integer(allow_none=True)
    at = ma.fields.DateTime(allow_none=True)
    error = ma.fields.String(allow_none=True)


class VersionOut(OutputSchema):
    number = ma.fields.Integer()
    fair = StrictBoolean()
    findings = ma.fields.List(ma.fields.Nested(FindingOut))
    override_justification = ma.fields.String(allow_none=True)
    override_by = ma.fields.String(attribute="override_by_label", allow_none=True)
    override_at = ma.fields.DateTime(allow_none=True)
    document_id = ma.fields.String(allow_none=True)
    document = ma.fields.Method("_document")
    sealed = ma.fields.Method("_sealed")
    terms = ma.fields.Dict()
    signers = ma.fields.List(ma.fields.Nested(SignerOut))
    created_at = ma.fields.DateTime()
    sent_at = ma.fields.DateTime(allow_none=True)
    completed_at = ma.fields.DateTime(allow_none=True)
    superseded_at = ma.fields.DateTime(allow_none=True)

    def _document(self, version: Any) -> dict[str, Any]:
        return DocumentOut().dump(
            {
                "ready": version.document_ready,
                "sha256": version.pdf_sha256,
                "pages": version.pdf_pages,
                "at": version.rendered_at,
                "error": version.render_error,
            }
        )

    def _sealed(self, version: Any) -> dict[str, Any]:
        return DocumentOut().dump(
            {"ready": version.sealed_sha256 is not None, "sha256": version.sealed_sha256, "at": version.sealed_at}
        )


class ContractOut(OutputSchema):
    id = ma.fields.UUID()
    title = ma.fields.String()
    status = ma.fields.String(
        metadata={"description": "draft, sent, partially_signed, signed, declined, expired or voided"}
    )
    seal_status = ma.fields.String(metadata={"description": "not_applicable, pending, sealed or failed"})
    seal_error = ma.fields.String(allow_none=True)
    template = ma.fields.Method("_template")
    contract_type = ma.fields.String()
    client_id = ma.fields.UUID(allow_none=True)
    languages = ma.fields.List(ma.fields.String())
    prevailing_language = ma.fields.String(allow_none=True)
    signing_order = StrictBoolean()
    expires_in_days = ma.fields.Integer()
    expires_at = ma.fields.DateTime(allow_none=True)
    created_by = ma.fields.String(attribute="created_by_label")
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    sent_at = ma.fields.DateTime(allow_none=True)
    completed_at = ma.fields.DateTime(allow_none=True)
    voided_at = ma.fields.DateTime(allow_none=True)
    void_reason = ma.fields.String(allow_none=True)
    current_version = ma.fields.Nested(VersionOut, attribute="version")

    def _template(self, contract: Any) -> dict[str, Any]:
        return {
            "key": contract.template_key,
            "version": contract.template_version,
            "origin": "builtin" if contract.tenant_template_id is None else "tenant",
            "id": str(contract.tenant_template_id) if contract.tenant_template_id else None,
        }


class ContractSummaryOut(OutputSchema):
    id = ma.fields.UUID()
    title = ma.fields.String()
    status = ma.fields.String()
    seal_status = ma.fields.String()
    contract_type = ma.fields.String()
    client_id = ma.fields.UUID(allow_none=True)
    version = ma.fields.Integer(attribute="current_version")
    fair = StrictBoolean(attribute="version.fair")
    signers = ma.fields.List(ma.fields.Nested(SignerOut), attribute="version.signers")
    created_at = ma.fields.DateTime()
    sent_at = ma.fields.DateTime(allow_none=True)
    expires_at = ma.fields.DateTime(allow_none=True)


class EventOut(OutputSchema):
    action = ma.fields.String()
    actor = ma.fields.String(attribute="actor_label")
    ip_address = ma.fields.String(allow_none=True)
    user_agent = ma.fields.String(allow_none=True)
    details = ma.fields.Dict()
    created_at = ma.fields.DateTime()


class VerifiedContractOut(OutputSchema):
    id = ma.fields.UUID(attribute="contract_id")
    title = ma.fields.String()
    account = ma.fields.String(attribute="tenant_name")
    version = ma.fields.Integer()
    document_id = ma.fields.String()


class VerificationOut(OutputSchema):
    result = ma.fields.String(
        attribute="outcome", metadata={"description": "unaltered, unknown_record, altered or not_fairpact"}
    )
    message = ma.fields.String()
    sealed = StrictBoolean(metadata={"description": "Carries a Fairpact seal (intact or not)"})
    unaltered = StrictBoolean(metadata={"description": "An unaltered Fairpact contract of this service"})
    sha256 = ma.fields.String(metadata={"description": "SHA-256 of the uploaded file"})
    document_id = ma.fields.String(attribute="claimed_document_id", allow_none=True)
    sealed_at = ma.fields.DateTime(allow_none=True)
    contract = ma.fields.Nested(
        VerifiedContractOut,
        attribute="record",
        allow_none=True,
        metadata={"description": "Only when the file is exactly the sealed PDF on record"},
    )
