"""The forum's discussion: boards, threads, posts with their edit history, flags, the chats
that follow a thread, and the text search reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow

POST_STATUSES = ("visible", "pending", "hidden", "deleted")


class Board(Base):
    """A place for one kind of discussion, shown in `position` order."""

    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # When set, a member's first post anywhere waits for a moderator before others see it.
    approve_first_posts: Mapped[bool] = mapped_column(Boolean, default=False)
    # The role needed to start a thread here (replies stay open to members), e.g. coordinator
    # for an announcements board.
    thread_role: Mapped[str] = mapped_column(String(16), default="member")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Thread(Base):
    """A conversation on a board: a title and its posts, the first of which opens it."""

    __tablename__ = "threads"
    __table_args__ = (Index("ix_threads_board_order", "board_id", "pinned", "last_post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Counts the posts everyone can see, kept with each change so board pages need no COUNT.
    post_count: Mapped[int] = mapped_column(default=0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # A thread whose first post is pending or removed is not listed to members.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class Post(Base):
    """One message in a thread: its Markdown source and the sanitised HTML made from it."""

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in POST_STATUSES)})", name="status"),
        Index("ix_posts_thread_created", "thread_id", "created_at"),
        Index("ix_posts_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="visible")
    # The post this one quotes, kept so the quote can link back to it.
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who hid or deleted it and why, shown to moderators.
    moderated_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    moderation_note: Mapped[str | None] = mapped_column(String(500))


class PostRevision(Base):
    """A post's earlier body, kept when it is edited so anyone can see what changed."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # When this body was replaced.
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Flag(Base):
    """A member telling moderators a post needs their look, once per member and post."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("post_id", "flagger_id"),
        Index("ix_flags_open", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    flagger_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(32))


class ThreadFollower(Base):
    """A chat told about new posts in a thread."""

    __tablename__ = "thread_followers"
    __table_args__ = (UniqueConstraint("thread_id", "platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SearchDocument(Base):
    """A visible post as plain text with its thread's title: what full-text search indexes.

    SQLite searches it through an FTS5 table kept in step by triggers, PostgreSQL through a GIN
    index over its `to_tsvector`; both are made by migration 0007, not by these models.
    """

    __tablename__ = "search_documents"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
