"""REST operations on contract templates: Fairpact's built-in ones and the tenant's own versions.

An upload is multipart: one ``.zip`` of the template's folder (field ``archive``), which is what a template
made on a computer is, one file to send and to keep; or the files themselves (field ``files``, repeated),
which is what a program that holds them in memory has. Both pass the same limits (``documents.uploads``)
and the same validation; a refusal is one 422 whose ``errors`` list every problem by file, with its line.
"""

from __future__ import annotations

import uuid
from typing import Any

from service.api import ApiView, api_blueprint, idempotent, page_of, principal, require_role
from service.contracts import templates
from service.contracts.downloads import html_response
from service.contracts.models import TemplateStatus, TenantTemplate
from service.contracts.schemas import TemplateListArgs, TemplateOut, TemplateUploadIn, TenantTemplateOut
from service.documents.catalogue import list_templates
from service.documents.metadata import TemplateMeta
from service.documents.uploads import files_from_form
from tenants.roles import Role

templates_blp = api_blueprint(
    "contract_templates",
    "/contract-templates",
    "The contract templates a draft starts from: Fairpact's built-in ones (German and English) and your own "
    "versions, uploaded by an owner or admin, validated for the template sandbox and numbered per key.",
)

HTML_DOC = {
    "responses": {"200": {"description": "The template rendered from its sample terms", "content": {"text/html": {}}}}
}


def builtin_out(meta: TemplateMeta) -> dict[str, Any]:
    description = {"de": meta.description.de, "en": meta.description.en} if meta.description else None
    return {
        "key": meta.key,
        "version": meta.version,
        "origin": "builtin",
        "id": None,
        "status": TemplateStatus.ACTIVE.value,
        "contract_type": meta.contract_type,
        "title": {"de": meta.title.de, "en": meta.title.en},
        "description": description,
        "languages": list(meta.languages),
        "sha256": None,
        "uploaded_by": None,
        "created_at": None,
        "retired_at": None,
    }


def tenant_out(row: TenantTemplate) -> dict[str, Any]:
    return {
        "key": row.key,
        "version": row.version,
        "origin": "tenant",
        "id": row.id,
        "status": row.status,
        "contract_type": row.contract_type,
        "title": row.title,
        "description": None,
        "languages": row.languages,
        "sha256": row.sha256,
        "uploaded_by": row.uploaded_by_label,
        "created_at": row.created_at,
        "retired_at": row.retired_at,
        "files": row.files,
    }


def catalogue(origin: str | None, status: str | None) -> list[dict[str, Any]]:
    """Built-in templates (newest version of each), then the tenant's own versions by key, newest first."""
    found: list[dict[str, Any]] = []
    if origin in (None, "builtin") and status in (None, TemplateStatus.ACTIVE):
        found += [builtin_out(meta) for meta in list_templates()]
    if origin in (None, "tenant"):
        found += [tenant_out(row) for row in templates.tenant_templates_list(status)]
    return found


@templates_blp.route("")
class ContractTemplates(ApiView):
    @require_role(Role.VIEWER)
    @templates_blp.arguments(TemplateListArgs, location="query")
    @templates_blp.response(200, page_of(TemplateOut))
    def get(self, args: dict) -> Any:
        """List the templates: built-in ones (newest version) and every version of your own"""
        items = catalogue(args.get("origin"), args.get("status"))
        start = (args["page"] - 1) * args["per_page"]
        return {
            "page": args["page"],
            "per_page": args["per_page"],
            "items": items[start : start + args["per_page"]],
            "total": len(items),
        }

    @require_role(Role.ADMIN)
    @idempotent
    @templates_blp.arguments(TemplateUploadIn, location="files")
    @templates_blp.response(201, TenantTemplateOut)
    def post(self, data: dict) -> Any:
        """Upload your own template version (a .zip or its files); 422 lists every problem by file and line"""
        files = files_from_form(data.get("archive"), data.get("files") or [])
        return tenant_out(templates.upload_template(files, principal()))


@templates_blp.route("/<uuid:template_id>")
class ContractTemplateById(ApiView):
    @require_role(Role.VIEWER)
    @templates_blp.response(200, TenantTemplateOut)
    def get(self, template_id: uuid.UUID) -> Any:
        """Get one of your own template versions, with its files"""
        return tenant_out(templates.get_tenant_template(template_id))


@templates_blp.route("/<uuid:template_id>/preview")
class ContractTemplatePreview(ApiView):
    @require_role(Role.VIEWER)
    @templates_blp.doc(**HTML_DOC)
    def get(self, template_id: uuid.UUID) -> Any:
        """Your template version as HTML, rendered in the sandbox from its sample terms"""
        return html_response(templates.preview_html(templates.get_tenant_template(template_id)))


@templates_blp.route("/<uuid:template_id>/retire")
class ContractTemplateRetire(ApiView):
    @require_role(Role.ADMIN)
    @templates_blp.response(200, TenantTemplateOut)
    def post(self, template_id: uuid.UUID) -> Any:
        """Stop offering a version for new contracts; contracts made from it still render from it"""
        return tenant_out(templates.retire_template(template_id, principal()))
