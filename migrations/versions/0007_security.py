"""Security: a sign-in generation on users and creators, so signing out ends every copy of the session cookie.

The session cookie is signed, not stored: without something on the server to check it against, a copy taken
while signed in would keep working after sign-out. The cookie carries the generation it was issued under;
signing out moves the generation on, and cookies of an older generation no longer sign anyone in.

Revision ID: 0007_security
Revises: 0006_disclosure_media
Create Date: 2026-12-01 20:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007_security'
down_revision = "0006_disclosure_media"
branch_labels = None
depends_on = None

IDENTITY_TABLES = ('users', 'creators')


def upgrade():
    for table in IDENTITY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    for table in IDENTITY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('session_generation')
