"""over-quota approvals carry the organizer's reason

Revision ID: 0004_over_quota_reason
Revises: 0003_compliance_snapshot
Create Date: 2026-12-03 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_over_quota_reason'
down_revision = '0003_compliance_snapshot'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('over_quota_reason', sa.Text(), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_column('over_quota_reason')
