"""The tables warwatch keeps: feeds, stories, articles, claims, contradictions and the delivery outbox."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Feed(Base):
    """A polled feed and its health: validators, failures, back-off."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    language: Mapped[str | None] = mapped_column(String(16))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Story(Base):
    """A group of articles reporting the same event."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_updated: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    relevant: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """Whether one of its articles is on the topic (:mod:`warwatch.stories.topic`); only such stories are posted."""
    pruned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When retention dropped its articles' bodies and vectors (:mod:`warwatch.store.retention`); it takes no new ones."""


class Article(Base):
    """One feed entry, normalised. The same piece re-published under a new guid or URL is not new."""

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid"),
        UniqueConstraint("feed_id", "content_hash"),
        Index(None, "feed_id", "url"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(2000))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    published: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    embedding_key: Mapped[str | None] = mapped_column(String(64), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    """Why it joined: cosine to its story's centroid (duplicate score for a copy)."""
    nearest_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    """The most similar earlier article when it was grouped."""
    claims_checked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)
    """Whether its claims were extracted and compared (once, whatever happens later)."""
    relevant: Mapped[bool | None] = mapped_column(Boolean)
    """Whether it is on the topic; None: judged by no topic (the gate off, or stored before it)."""
    relevance: Mapped[float | None] = mapped_column(Float)
    """Its cosine to the topic's nearest description."""
    relevance_reason: Mapped[str | None] = mapped_column(Text)
    body: Mapped[ArticleBody | None] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                    passive_deletes=True)

    @property
    def text(self) -> str:
        """The article's text; "" once retention dropped it (or when the entry had none)."""
        return self.body.text if self.body else ""

    @text.setter
    def text(self, value: str) -> None:
        if self.body is None:
            self.body = ArticleBody(text=value)
        else:
            self.body.text = value


class ArticleBody(Base):
    """An article's text, in a table of its own: retention (:mod:`warwatch.store.retention`) deletes the rows, whose pages
    SQLite then frees; a text blanked in place would leave each page of ``articles`` as full as before."""

    __tablename__ = "article_bodies"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")


class Claim(Base):
    """A checkable claim from an article; ``facts`` holds the extractor's fields (value, bounds, speaker…)."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    kind: Mapped[str] = mapped_column(String(100), index=True)
    text: Mapped[str] = mapped_column(Text)
    published: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    embedding_key: Mapped[str | None] = mapped_column(String(64), index=True)
    facts: Mapped[dict] = mapped_column(JSON)


class Contradiction(Base):
    """A new claim that cannot hold together with an earlier one (or, within one article, a dispute)."""

    __tablename__ = "contradictions"
    __table_args__ = (UniqueConstraint("claim_id", "other_claim_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    other_claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    evidence: Mapped[str] = mapped_column(Text, default="")  # what the confidence rests on
    alerted: Mapped[bool] = mapped_column(Boolean, default=True)  # False: below claims.alert_confidence, for review
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Embedding(Base):
    """A cached vector, keyed by a hash of the model name and the embedded text."""

    __tablename__ = "embeddings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class Delivery(Base):
    """The outbox: a message is written here, with its idempotency key, before it is sent.

    ``payload`` holds the Slack messages, ``[{"text", "blocks"}, …]``: the first is the
    message itself, the rest continue it in its thread. ``parts_sent`` counts those
    already posted, so a crash resumes where it stopped.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    channel: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    slack_ts: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[list[dict]] = mapped_column(JSON, default=list, server_default="[]")
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    broadcast: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
