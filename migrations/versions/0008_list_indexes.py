"""List indexes: a tenant's deliverable posts in list order, its finished checks by completion time.

``GET /api/v1/disclosure/posts`` pages through a tenant's posts ordered by (due_on, id): with the first
index PostgreSQL reads the page from it instead of sorting all of the tenant's posts for every page. The
compliance dashboard counts a tenant's finished checks of the last weeks: the second index serves that
range. tenant_id first, like every index of a tenant-owned table (bench/growth.py measures both).

Revision ID: 0008_list_indexes
Revises: 0007_security
Create Date: 2026-12-01 20:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_list_indexes'
down_revision = "0007_security"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('disclosure_posts', schema=None) as batch_op:
        batch_op.create_index('ix_disclosure_posts_tenant_due', ['tenant_id', 'due_on', 'id'], unique=False)
    with op.batch_alter_table('disclosure_checks', schema=None) as batch_op:
        batch_op.create_index(
            'ix_disclosure_checks_tenant_done', ['tenant_id', 'status', 'completed_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('disclosure_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_checks_tenant_done')
    with op.batch_alter_table('disclosure_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_posts_tenant_due')
