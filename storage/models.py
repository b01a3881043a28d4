"""The two tables. No column holds an id of a person, a name or an exact time: only the day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, SmallInteger, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    rating: Mapped[int] = mapped_column(SmallInteger)  # 1 to 5
    comment: Mapped[str | None] = mapped_column(Text)  # scrubbed
    about: Mapped[str | None] = mapped_column(String(40))  # a role or topic key from content, never free text
    bot_version: Mapped[str] = mapped_column(String(40))


class UnansweredQuestion(Base):
    __tablename__ = "unanswered_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(Text)  # scrubbed
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
