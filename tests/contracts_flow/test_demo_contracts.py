"""The demo brand's contracts: a draft and one sent to Lena, created once however often the demo is seeded."""

from __future__ import annotations

from sqlalchemy import select

from service.contracts.models import Contract
from service.demo import BRAND, seed_demo
from service.extensions import db
from tenants.context import tenant_scope
from tenants.models import Tenant
from tenants.operations import slugify


def _quiet(_line: str) -> None:
    """The tests look at the data, not the printed lines."""


def test_the_demo_brand_has_a_draft_and_a_sent_contract_once(app_context):
    seed_demo(echo=_quiet)
    seed_demo(echo=_quiet)

    brand = db.session.execute(select(Tenant).where(Tenant.slug == slugify(BRAND))).scalar_one()
    with tenant_scope(brand.id):
        contracts = db.session.execute(select(Contract).order_by(Contract.title)).scalars().all()
        states = {contract.title: contract.status for contract in contracts}
        creators = {signer.email for contract in contracts for signer in contract.version.signers}

    assert states == {"Frühjahrskampagne 2026": "sent", "Herbstkampagne 2026 (Entwurf)": "draft"}
    assert creators == {"owner@nordlicht.example", "lena@creators.example"}
