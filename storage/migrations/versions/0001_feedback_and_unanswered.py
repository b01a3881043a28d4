"""Feedback and unanswered questions

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("about", sa.String(40), nullable=True),
        sa.Column("bot_version", sa.String(40), nullable=False),
    )
    op.create_index("ix_feedback_day", "feedback", ["day"])
    op.create_table(
        "unanswered_question",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_unanswered_question_day", "unanswered_question", ["day"])
    op.create_index("ix_unanswered_question_reviewed", "unanswered_question", ["reviewed"])


def downgrade() -> None:
    op.drop_table("unanswered_question")
    op.drop_table("feedback")
