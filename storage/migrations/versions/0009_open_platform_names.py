"""open platform names: an identity's platform is any short lower-case name

Adding a chat platform is a module in bot/ and its settings; the store no longer lists the
platforms it accepts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 15:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "platform <> '' AND platform = lower(platform)"
CLOSED = "platform IN ('telegram', 'discord', 'web', 'console')"


def upgrade() -> None:
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_identities_platform"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_identities_platform"), OPEN)


def downgrade() -> None:
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_identities_platform"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_identities_platform"), CLOSED)
