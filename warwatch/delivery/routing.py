"""Routing rules: which Slack channel an article goes to, or whether it is muted.

A :class:`Rule` matches an article when every criterion it sets matches (AND
across ``feeds``, ``tags``, ``keywords`` and ``languages``; OR within each
list). A rule that sets no criterion matches every article.

:func:`route` checks the mutes first (any match mutes the article), then the
routes in order (the first match wins), then falls back to the default channel.

Keywords are words or phrases matched whole in the title or the text, case- and
Unicode-insensitively: "Бахмут" matches "Бахмут," and "бахмут" but "war" does
not match "warning", and the words of a phrase may be separated by any
whitespace. Apostrophe variants (' ’ ʼ) count as the same character, so
"Слов'янськ" matches "Слов’янськ".

Pure: no Slack, no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from pydantic import BaseModel, ConfigDict, PrivateAttr, field_validator

__all__ = ["ArticleFacts", "Rule", "check_routes", "route"]

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'", "\u0060": "'", "\u00b4": "'"})


def _fold(text: str) -> str:
    """Text made comparable: NFC-normalised, case-folded, apostrophes unified."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold()).translate(_APOSTROPHES)


def _primary_subtag(tag: str) -> str:
    """``"uk-UA"`` / ``"uk_UA"`` / ``"UK"`` -> ``"uk"``."""
    return tag.strip().replace("_", "-").split("-")[0].casefold()


def _keyword_pattern(keywords: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any keyword as a whole word or phrase in folded text; None if there are none."""
    alternatives = sorted(
        {r"\s+".join(re.escape(word) for word in _fold(keyword).split()) for keyword in keywords},
        key=len,
        reverse=True,
    )
    if not alternatives:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")


@dataclass(frozen=True)
class ArticleFacts:
    """What routing looks at: the feed's name and tags, and the article's title, text and language."""

    feed: str
    tags: list[str]
    title: str
    text: str
    language: str | None

    @cached_property
    def _folded(self) -> tuple[str, frozenset[str], tuple[str, str], str | None]:
        """Folded feed, tags, (title, text) and primary language subtag, computed once per article."""
        return (
            _fold(self.feed.strip()),
            frozenset(_fold(tag.strip()) for tag in self.tags),
            (_fold(self.title), _fold(self.text)),
            _primary_subtag(self.language) if self.language else None,
        )


class Rule(BaseModel):
    """Send matching articles to ``channel`` (a route), or drop them (a mute; ``channel`` is ignored).

    Every criterion that is set must match; within one list any entry may match.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: str | None = None
    feeds: list[str] = []
    tags: list[str] = []
    keywords: list[str] = []
    languages: list[str] = []

    _feeds: frozenset[str] = PrivateAttr(default=frozenset())
    _tags: frozenset[str] = PrivateAttr(default=frozenset())
    _languages: frozenset[str] = PrivateAttr(default=frozenset())
    _pattern: re.Pattern[str] | None = PrivateAttr(default=None)

    @field_validator("feeds", "tags", "keywords", "languages")
    @classmethod
    def _no_blank_entries(cls, values: list[str]) -> list[str]:
        if any(not value.strip() for value in values):
            raise ValueError("entries must not be blank")
        return values

    def model_post_init(self, context: object, /) -> None:
        """Fold the criteria and compile the keyword pattern once, since every article is routed."""
        self._feeds = frozenset(_fold(feed.strip()) for feed in self.feeds)
        self._tags = frozenset(_fold(tag.strip()) for tag in self.tags)
        self._languages = frozenset(_primary_subtag(language) for language in self.languages)
        self._pattern = _keyword_pattern(self.keywords)

    def matches(self, facts: ArticleFacts) -> bool:
        """Whether every criterion this rule sets matches the article."""
        feed, tags, texts, language = facts._folded
        if self._feeds and feed not in self._feeds:
            return False
        if self._tags and self._tags.isdisjoint(tags):
            return False
        if self._languages and language not in self._languages:
            return False
        return self._pattern is None or any(self._pattern.search(text) for text in texts)


def check_routes(routes: list[Rule]) -> None:
    """Raise ValueError naming the first route (by index) that has no channel."""
    for index, rule in enumerate(routes):
        if not (rule.channel and rule.channel.strip()):
            raise ValueError(f"routes[{index}] has no channel: a route must say where matching articles go")


def route(facts: ArticleFacts, routes: list[Rule], mutes: list[Rule], default: str | None) -> str | None:
    """The channel for an article: None if any mute matches, else the first matching route's, else ``default``."""
    if any(mute.matches(facts) for mute in mutes):
        return None
    return next((rule.channel for rule in routes if rule.matches(facts)), default)
