"""Contracts: contracts, their versions, signers and signing links.

Tenant-owned tables have the primary key (tenant_id, id) and row-level security (tenants/rls.py).

Revision ID: 0003_contracts
Revises: 0002_billing
Create Date: 2026-11-27 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from tenants.rls import disable_tenant_rls, enable_tenant_rls

TENANT_TABLES = ('contracts', 'contract_versions', 'contract_signers', 'contract_signing_links')


# revision identifiers, used by Alembic.
revision = '0003_contracts'
down_revision = '0002_billing'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contracts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=True),
    sa.Column('template_key', sa.String(length=64), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('contract_type', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('prevailing_language', sa.String(length=2), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('signing_order', sa.Boolean(), nullable=False),
    sa.Column('expires_in_days', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seal_status', sa.String(length=20), nullable=False),
    sa.Column('seal_error', sa.String(length=500), nullable=True),
    sa.Column('seal_attempts', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_label', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'client_id'], ['clients.tenant_id', 'clients.id'], name=op.f('fk_contracts_tenant_id_client_id_clients')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_contracts_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_contracts'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index('ix_contracts_tenant_created', ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index('ix_contracts_tenant_status', ['tenant_id', 'status'], unique=False)

    op.create_table('contract_versions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('terms_input', sa.JSON(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('fair', sa.Boolean(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('rule_packs', sa.JSON(), nullable=False),
    sa.Column('override_justification', sa.Text(), nullable=True),
    sa.Column('override_by_id', sa.Uuid(), nullable=True),
    sa.Column('override_by_label', sa.String(length=254), nullable=True),
    sa.Column('override_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('document_id', sa.String(length=100), nullable=True),
    sa.Column('footer_note', sa.String(length=400), nullable=True),
    sa.Column('pdf_key', sa.String(length=512), nullable=True),
    sa.Column('html_key', sa.String(length=512), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('pdf_pages', sa.Integer(), nullable=True),
    sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('render_error', sa.String(length=500), nullable=True),
    sa.Column('sealed_key', sa.String(length=512), nullable=True),
    sa.Column('sealed_sha256', sa.String(length=64), nullable=True),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'contract_id'], ['contracts.tenant_id', 'contracts.id'], name=op.f('fk_contract_versions_tenant_id_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_contract_versions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_contract_versions')),
    sa.UniqueConstraint('tenant_id', 'contract_id', 'number', name=op.f('uq_contract_versions_tenant_id_contract_id_number'))
    )
    with op.batch_alter_table('contract_versions', schema=None) as batch_op:
        batch_op.create_index('ix_contract_versions_pdf_sha256', ['pdf_sha256'], unique=False)
        batch_op.create_index('ix_contract_versions_sealed_sha256', ['sealed_sha256'], unique=False)

    op.create_table('contract_signers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('version_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('creator_id', sa.Uuid(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminder_count', sa.Integer(), nullable=False),
    sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signature_kind', sa.String(length=8), nullable=True),
    sa.Column('typed_signature', sa.String(length=200), nullable=True),
    sa.Column('drawn_signature', sa.Text(), nullable=True),
    sa.Column('labelling', sa.JSON(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ip_address', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['creator_id'], ['creators.id'], name=op.f('fk_contract_signers_creator_id_creators'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'contract_id'], ['contracts.tenant_id', 'contracts.id'], name=op.f('fk_contract_signers_tenant_id_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'version_id'], ['contract_versions.tenant_id', 'contract_versions.id'], name=op.f('fk_contract_signers_tenant_id_version_id_contract_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_contract_signers_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_contract_signers'))
    )
    with op.batch_alter_table('contract_signers', schema=None) as batch_op:
        batch_op.create_index('ix_contract_signers_creator', ['creator_id'], unique=False)
        batch_op.create_index('ix_contract_signers_tenant_version', ['tenant_id', 'version_id', 'position'], unique=False)

    op.create_table('contract_signing_links',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('signer_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'signer_id'], ['contract_signers.tenant_id', 'contract_signers.id'], name=op.f('fk_contract_signing_links_tenant_id_signer_id_contract_signers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_contract_signing_links_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_contract_signing_links')),
    sa.UniqueConstraint('tenant_id', 'token_hash', name=op.f('uq_contract_signing_links_tenant_id_token_hash'))
    )
    with op.batch_alter_table('contract_signing_links', schema=None) as batch_op:
        batch_op.create_index('ix_contract_signing_links_signer', ['tenant_id', 'signer_id'], unique=False)
        batch_op.create_index('ix_contract_signing_links_token_hash', ['token_hash'], unique=False)

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade():
    for table in TENANT_TABLES:
        disable_tenant_rls(table)
    with op.batch_alter_table('contract_signing_links', schema=None) as batch_op:
        batch_op.drop_index('ix_contract_signing_links_token_hash')
        batch_op.drop_index('ix_contract_signing_links_signer')

    op.drop_table('contract_signing_links')
    with op.batch_alter_table('contract_signers', schema=None) as batch_op:
        batch_op.drop_index('ix_contract_signers_tenant_version')
        batch_op.drop_index('ix_contract_signers_creator')

    op.drop_table('contract_signers')
    with op.batch_alter_table('contract_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_contract_versions_sealed_sha256')
        batch_op.drop_index('ix_contract_versions_pdf_sha256')

    op.drop_table('contract_versions')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index('ix_contracts_tenant_status')
        batch_op.drop_index('ix_contracts_tenant_created')

    op.drop_table('contracts')
