"""Reading contracts: a tenant's list, a creator's contracts across tenants, a sealed file's record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from service.audit.models import AuditEvent
from service.contracts.models import Contract, ContractStatus, ContractVersion, Signer
from service.extensions import db
from tenants.access import Principal
from tenants.context import unscoped
from tenants.models import Tenant


def contracts_query(
    principal: Principal,
    *,
    status: str | None = None,
    client_id: uuid.UUID | None = None,
    creator_id: uuid.UUID | None = None,
) -> Select[Any]:
    """The tenant's contracts the principal may see, newest first."""
    query = select(Contract).order_by(Contract.created_at.desc(), Contract.id)
    if principal.client_ids is not None:
        query = query.where(Contract.client_id.in_(principal.client_ids))
    if status:
        query = query.where(Contract.status == status)
    if client_id is not None:
        query = query.where(Contract.client_id == client_id)
    if creator_id is not None:
        signed_by = select(Signer.contract_id).where(Signer.creator_id == creator_id)
        query = query.where(Contract.id.in_(signed_by))
    return query


def versions_query(contract: Contract) -> Select[Any]:
    return (
        select(ContractVersion)
        .where(ContractVersion.contract_id == contract.id)
        .order_by(ContractVersion.number, ContractVersion.id)
    )


def signers_query(version: ContractVersion) -> Select[Any]:
    return select(Signer).where(Signer.version_id == version.id).order_by(Signer.position, Signer.id)


def events_query(contract: Contract) -> Select[Any]:
    return (
        select(AuditEvent)
        .where(AuditEvent.target_type == "contract", AuditEvent.target_id == contract.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )


def contract_events(contract: Contract) -> list[AuditEvent]:
    """The contract's audit trail, oldest first (who did what, when, from where)."""
    return list(
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.target_type == "contract", AuditEvent.target_id == contract.id)
            .order_by(AuditEvent.created_at, AuditEvent.id)
        ).scalars()
    )


def status_counts(principal: Principal) -> dict[str, int]:
    counts = dict.fromkeys((s.value for s in ContractStatus), 0)
    for contract_status in db.session.execute(contracts_query(principal).with_only_columns(Contract.status)).scalars():
        counts[contract_status] = counts.get(contract_status, 0) + 1
    return counts


@dataclass(frozen=True)
class CreatorContract:
    """One of a creator's contracts, as their home page lists it."""

    signer: Signer
    contract: Contract
    version: ContractVersion
    tenant_name: str


def creator_contracts(creator_id: uuid.UUID) -> list[CreatorContract]:
    """Every contract version a creator was asked to sign, across all tenants, newest first."""
    # A creator belongs to no tenant: these are the creator's own signatures wherever they are.
    with unscoped("list the signed-in creator's own contracts across tenants"):
        rows = db.session.execute(
            select(Signer, Tenant.name)
            .join(Tenant, Tenant.id == Signer.tenant_id)
            .where(Signer.creator_id == creator_id)
            .order_by(Signer.created_at.desc(), Signer.id)
        ).all()
        found = []
        for signer, tenant_name in rows:
            version = signer.version
            if version.sent_at is None:
                continue  # a draft is the brand's business until it is sent
            found.append(CreatorContract(signer, version.contract, version, tenant_name))
    return found


def creator_signer(signer_id: uuid.UUID, creator_id: uuid.UUID) -> Signer | None:
    """One of the creator's own signer records (any tenant); None for anyone else's."""
    with unscoped("find the signed-in creator's own signature record"):
        return db.session.execute(
            select(Signer).where(Signer.id == signer_id, Signer.creator_id == creator_id)
        ).scalar_one_or_none()


@dataclass(frozen=True)
class SealedRecord:
    contract_id: uuid.UUID
    title: str
    tenant_name: str
    version: int
    document_id: str
    sealed_at: Any


def sealed_record(sealed_sha256: str, document_id: str | None) -> SealedRecord | None:
    """The contract whose sealed PDF has exactly this SHA-256 (the uploaded file proves which one it is)."""
    with unscoped("verification: find the contract a sealed file belongs to by its exact hash"):
        row = db.session.execute(
            select(ContractVersion, Tenant.name)
            .join(Tenant, Tenant.id == ContractVersion.tenant_id)
            .where(ContractVersion.sealed_sha256 == sealed_sha256)
        ).first()
        if row is None:
            return None
        version, tenant_name = row
        if document_id is not None and version.document_id != document_id:
            return None
        return SealedRecord(
            contract_id=version.contract_id,
            title=version.contract.title,
            tenant_name=tenant_name,
            version=version.number,
            document_id=version.document_id or "",
            sealed_at=version.sealed_at,
        )
