"""Disclosure screenshots in the document store: width, height and storage key instead of the bytes in the
database; each submission keeps its screenshots' hashes for the evidence snapshot.

Screenshots stored before this revision (bytes in the row, never shown nor part of any evidence) are removed:
they cannot be moved into the document store from a migration.

Revision ID: 0006_disclosure_media
Revises: 0005_tenant_templates
Create Date: 2026-12-01 20:20:00

"""
from alembic import op
import sqlalchemy as sa

from tenants.scoping import RLS_UNSCOPED_SETTING

# revision identifiers, used by Alembic.
revision = '0006_disclosure_media'
down_revision = "0005_tenant_templates"
branch_labels = None
depends_on = None


def _delete_all_screenshots():
    # The table's row-level security binds its owner too (FORCE): declare this transaction unscoped first,
    # or the DELETE would see no rows and the NOT NULL columns below could not be added.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"SELECT set_config('{RLS_UNSCOPED_SETTING}', 'on', true)")
    op.execute("DELETE FROM disclosure_screenshots")


def upgrade():
    _delete_all_screenshots()
    with op.batch_alter_table('disclosure_screenshots', schema=None) as batch_op:
        batch_op.drop_column('data')
        batch_op.add_column(sa.Column('width', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('height', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('storage_key', sa.String(length=512), nullable=False))
        batch_op.create_index(
            'ix_disclosure_screenshots_tenant_submission', ['tenant_id', 'submission_id'], unique=False
        )
    with op.batch_alter_table('disclosure_submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screenshot_evidence', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('disclosure_submissions', schema=None) as batch_op:
        batch_op.drop_column('screenshot_evidence')
    _delete_all_screenshots()
    with op.batch_alter_table('disclosure_screenshots', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_screenshots_tenant_submission')
        batch_op.drop_column('storage_key')
        batch_op.drop_column('height')
        batch_op.drop_column('width')
        batch_op.add_column(sa.Column('data', sa.LargeBinary(), nullable=False))
