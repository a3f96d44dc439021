"""Reading the creators a tenant works with, within what the principal may see."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select

from service.accounts.models import Creator
from service.creators.models import CreatorRelation
from service.errors import NotFound
from service.extensions import db
from tenants.access import Principal
from tenants.context import unscoped
from tenants.models import Tenant


def creator_relations_query(principal: Principal, client_id: uuid.UUID | None = None):
    query = select(CreatorRelation).join(CreatorRelation.creator).order_by(Creator.name, CreatorRelation.id)
    if principal.client_ids is not None:
        query = query.where(CreatorRelation.client_id.in_(principal.client_ids))
    if client_id is not None:
        query = query.where(or_(CreatorRelation.client_id == client_id, CreatorRelation.client_id.is_(None)))
    return query


def get_creator_relation(relation_id: uuid.UUID, principal: Principal) -> CreatorRelation:
    relation = db.session.execute(select(CreatorRelation).where(CreatorRelation.id == relation_id)).scalar_one_or_none()
    if relation is None or (principal.client_ids is not None and not principal.can_access_client(relation.client_id)):
        raise NotFound("No creator with this id in your account.")
    return relation


def tenants_of_creator(creator_id: uuid.UUID) -> list[tuple[Tenant, CreatorRelation]]:
    """The brands and agencies a creator works with: the creator's own home page."""
    # A creator belongs to no tenant; these are the creator's own relations across tenants.
    with unscoped("list the signed-in creator's own relations across tenants"):
        rows = db.session.execute(
            select(Tenant, CreatorRelation)
            .join(CreatorRelation, CreatorRelation.tenant_id == Tenant.id)
            .where(CreatorRelation.creator_id == creator_id)
            .order_by(Tenant.name)
        ).all()
    return [(tenant, relation) for tenant, relation in rows]
