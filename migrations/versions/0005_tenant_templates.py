"""Tenants' own contract template versions, and which one a contract was made from.

Tenant-owned tables have the primary key (tenant_id, id) and row-level security (tenants/rls.py).

Revision ID: 0005_tenant_templates
Revises: 0004_disclosure
Create Date: 2026-12-01 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from tenants.rls import disable_tenant_rls, enable_tenant_rls

TENANT_TABLES = ('contract_tenant_templates',)

# revision identifiers, used by Alembic.
revision = '0005_tenant_templates'
down_revision = '0004_disclosure'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contract_tenant_templates',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('contract_type', sa.String(length=32), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=True),
    sa.Column('uploaded_by_label', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_by_label', sa.String(length=254), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_contract_tenant_templates_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_contract_tenant_templates')),
    sa.UniqueConstraint('tenant_id', 'key', 'version', name=op.f('uq_contract_tenant_templates_tenant_id_key_version'))
    )
    with op.batch_alter_table('contract_tenant_templates', schema=None) as batch_op:
        batch_op.create_index('ix_contract_tenant_templates_tenant_created', ['tenant_id', 'created_at'], unique=False)

    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenant_template_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            'fk_contracts_tenant_template',
            'contract_tenant_templates',
            ['tenant_id', 'tenant_template_id'],
            ['tenant_id', 'id'],
        )

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade():
    for table in TENANT_TABLES:
        disable_tenant_rls(table)
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint(
            'fk_contracts_tenant_template', type_='foreignkey'
        )
        batch_op.drop_column('tenant_template_id')
    with op.batch_alter_table('contract_tenant_templates', schema=None) as batch_op:
        batch_op.drop_index('ix_contract_tenant_templates_tenant_created')
    op.drop_table('contract_tenant_templates')
