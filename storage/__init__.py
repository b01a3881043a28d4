"""Anonymous feedback and the unanswered-question log (SQLAlchemy 2, Alembic migrations).

Shared by the action server (which writes) and the coordinator tools (which read).
Nothing stored here carries an id of any kind, and free text is scrubbed first.
"""
