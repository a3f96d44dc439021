"""Which template a contract is made from: a built-in one, or a version of the tenant's own.

A tenant's version is stored as the files it was uploaded with, after ``validate_tenant_template`` accepted
them; it is immutable, numbered per key (1, 2, 3 …) by Fairpact, and either active (offered for new
contracts) or retired (no longer offered; contracts made from it keep rendering from it). Tenant keys never
reuse a built-in key, so ``contract.template_key`` alone says which kind a contract was made from.

Every function works in the current tenant: another tenant's version is simply not found.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from service.audit.operations import record_event
from service.contracts.models import MAX_TEMPLATE_VERSION, Contract, TemplateStatus, TenantTemplate
from service.documents.catalogue import ContractTemplate, builtin_keys, load_template
from service.documents.errors import TemplateNotFound
from service.documents.tenant_templates import stored_tenant_template, validate_tenant_template
from service.errors import Conflict, Forbidden, NotFound, Unprocessable
from service.extensions import db
from service.models import utcnow
from tenants.access import Principal, PrincipalKind
from tenants.roles import Role

_CACHE_SIZE = 32
_loaded: OrderedDict[tuple[uuid.UUID, str], ContractTemplate] = OrderedDict()
_loaded_lock = threading.Lock()


def files_sha256(files: Mapping[str, str]) -> str:
    """The SHA-256 of a template's files, names and texts, independent of the order they came in."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{files[name]}\0".encode())
    return digest.hexdigest()


# --- reading -------------------------------------------------------------------------------------


def tenant_templates_query(status: str | None = None) -> Select[Any]:
    """The tenant's own versions, by key, newest version first."""
    query = select(TenantTemplate).order_by(TenantTemplate.key, TenantTemplate.version.desc(), TenantTemplate.id)
    if status:
        query = query.where(TenantTemplate.status == status)
    return query


def tenant_templates_list(status: str | None = None) -> list[TenantTemplate]:
    return list(db.session.execute(tenant_templates_query(status)).scalars())


def get_tenant_template(template_id: uuid.UUID) -> TenantTemplate:
    row = db.session.execute(select(TenantTemplate).where(TenantTemplate.id == template_id)).scalar_one_or_none()
    if row is None:
        raise NotFound("No template version with this id in your account.")
    return row


def loaded(row: TenantTemplate) -> ContractTemplate:
    """The stored version as a renderable template (rebuilt once per process and kept while in use)."""
    cache_key = (row.id, row.sha256)
    with _loaded_lock:
        found = _loaded.get(cache_key)
        if found is not None:
            _loaded.move_to_end(cache_key)
            return found
    template = stored_tenant_template(row.files, row.version)
    with _loaded_lock:
        _loaded[cache_key] = template
        while len(_loaded) > _CACHE_SIZE:
            _loaded.popitem(last=False)
    return template


def template_of(contract: Contract) -> ContractTemplate:
    """The exact template version the contract was made from, retired or not."""
    if contract.tenant_template_id is None:
        return load_template(contract.template_key, contract.template_version)
    return loaded(get_tenant_template(contract.tenant_template_id))


def template_for_new_contract(key: str, version: int | None = None) -> tuple[ContractTemplate, uuid.UUID | None]:
    """The template a new contract (or a lint) uses: a built-in key, or one of the tenant's active versions.

    Returns the template and, for a tenant's version, its id. The newest active version when ``version`` is None.

    :raises Unprocessable: unknown key or version, or a retired version (422, naming the ``template`` field).
    """
    if version is not None and not 1 <= version <= MAX_TEMPLATE_VERSION:
        message = f"Template versions are numbered 1 to {MAX_TEMPLATE_VERSION}."
        raise Unprocessable(message, {"template_version": [message]})
    if key in builtin_keys():
        try:
            return load_template(key, version), None
        except TemplateNotFound as exc:
            raise Unprocessable(exc.message, {"template": [exc.message]}) from exc
    query = select(TenantTemplate).where(TenantTemplate.key == key)
    if version is not None:
        query = query.where(TenantTemplate.version == version)
    rows = list(db.session.execute(query.order_by(TenantTemplate.version.desc())).scalars())
    active = [row for row in rows if row.is_active]
    if not active:
        if rows:
            message = f"Template {rows[0].ref} is retired and no longer offered for new contracts."
        else:
            wanted = f"{key!r}" + (f" version {version}" if version is not None else "")
            message = f"There is no contract template {wanted} in your account."
        raise Unprocessable(message, {"template": [message]})
    return loaded(active[0]), active[0].id


# --- changing ------------------------------------------------------------------------------------


def _require_admin(principal: Principal) -> None:
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only an owner or admin can add or retire contract templates.")


def _next_version(key: str) -> int:
    newest = db.session.execute(select(func.max(TenantTemplate.version)).where(TenantTemplate.key == key)).scalar()
    return (newest or 0) + 1


def _refuse_repeat(key: str, sha256: str) -> None:
    newest = db.session.execute(
        select(TenantTemplate).where(TenantTemplate.key == key).order_by(TenantTemplate.version.desc()).limit(1)
    ).scalar_one_or_none()
    if newest is not None and newest.sha256 == sha256:
        raise Conflict(
            f"These files are exactly version {newest.version} of {key!r}; nothing new was stored.",
            {"files": [f"Identical to {newest.ref}."]},
        )


def upload_template(files: Mapping[str, str], principal: Principal) -> TenantTemplate:
    """Validate the files and store them as the next version of their key.

    :raises TemplateValidationError: every problem with its file and line (422); nothing is stored.
    :raises Unprocessable: the key is a built-in template's. :raises Conflict: identical to the newest version.
    """
    _require_admin(principal)
    template = validate_tenant_template(files)
    meta = template.meta
    if meta.key in builtin_keys():
        message = f"{meta.key!r} is the key of a built-in template; choose another key in metadata.yaml."
        raise Unprocessable(message, {"metadata.yaml": [message]})
    sha256 = files_sha256(files)
    _refuse_repeat(meta.key, sha256)
    number = _next_version(meta.key)
    row = TenantTemplate(
        key=meta.key,
        version=number,
        contract_type=meta.contract_type,
        title={"de": meta.title.de, "en": meta.title.en},
        languages=list(meta.languages),
        files=dict(files),
        sha256=sha256,
        size_bytes=sum(len(text.encode("utf-8")) for text in files.values()),
        status=TemplateStatus.ACTIVE,
        uploaded_by_id=principal.id if principal.kind == PrincipalKind.USER else None,
        uploaded_by_label=principal.label[:254],
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as exc:
        raise Conflict(
            f"Another version of {meta.key!r} was uploaded at the same moment; upload again to store the next one.",
            {"files": ["Concurrent upload."]},
        ) from exc
    record_event(
        "contract_template.uploaded",
        target_type="contract_template",
        target_id=row.id,
        details={"key": row.key, "version": row.version, "sha256": sha256},
    )
    return row


def retire_template(template_id: uuid.UUID, principal: Principal) -> TenantTemplate:
    """Stop offering a version for new contracts (retiring it again changes nothing)."""
    _require_admin(principal)
    row = get_tenant_template(template_id)
    if row.is_active:
        row.status = TemplateStatus.RETIRED
        row.retired_at = utcnow()
        row.retired_by_label = principal.label[:254]
        db.session.flush()
        record_event(
            "contract_template.retired",
            target_type="contract_template",
            target_id=row.id,
            details={"key": row.key, "version": row.version},
        )
    return row


def preview_html(row: TenantTemplate) -> str:
    """The version rendered from its own sample terms in the sandbox, marked as a draft."""
    from service.documents.rendering import render_preview_html

    return render_preview_html(loaded(row), document_id=f"PREVIEW-{row.key}-{row.version}")
