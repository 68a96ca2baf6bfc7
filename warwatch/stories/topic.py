"""The topic gate: whether an article is about the channel's topic, with its score and the reason.

A topic (``config/topics/*.toml``, or a file the user writes) is a list of headline-like
descriptions of what it covers (``about``), a list of what is near it but outside it
(``not_about``: other wars, domestic news of the same countries), the names of its places and
people and the words of its events (any script, ``*`` for any ending) and three bars. The
article's vector and text (headline and lead) are the story stage's own (no second model); the
descriptions are embedded once by the same model and cached in the store like any text.

An article is on topic when its nearest ``about`` description is at least ``match`` close, or
``match_named`` close and it names one of ``names``; it is off topic, whatever else, when a
``not_about`` description is nearer than every ``about`` one by more than ``margin``. An
article in a language the model does not cover has no vector: it is on topic when it names one
of ``names`` and uses one of ``words`` (or names one, when the topic lists no words).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from warwatch.stories.vectors import embedding_key, vectors_for

TOPICS = resources.files("warwatch.config") / "topics"
NO_TOPIC = "none"


class TopicError(Exception):
    """A topic that cannot be read; its message is one clear line."""


class Topic(BaseModel):
    about: list[str]
    not_about: list[str] = []
    names: list[str] = []
    words: list[str] = []
    match: float = 0.5
    match_named: float = 0.3
    margin: float = 0.05


@dataclass(frozen=True)
class Relevance:
    relevant: bool
    score: float   # cosine to the nearest ``about`` description (0 without a vector)
    reason: str    # one line: the description and words that decided


def load_topic(spec: str) -> Topic | None:
    """The topic named ``spec`` (a file in ``config/topics`` without ``.toml``, or a path); None for "none"."""
    if spec.strip().lower() == NO_TOPIC:
        return None
    path = Path(spec).expanduser() if spec.endswith(".toml") else TOPICS / f"{spec}.toml"
    return _read(str(path))


@cache
def _read(path: str) -> Topic:
    try:
        topic = Topic.model_validate(tomllib.loads(Path(path).read_text(encoding="utf-8")))
    except OSError:
        raise TopicError(f"topic file {path} not found (set stories.topic to a topic name, a .toml file "
                         f"or \"none\")") from None
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise TopicError(f"topic file {path} is not a valid topic: {str(exc).splitlines()[0]}") from None
    if not topic.about:
        raise TopicError(f"topic file {path} describes nothing: `about` is empty")
    return topic


def description_texts(topic: Topic, model: str) -> dict[str, str]:
    """The topic's descriptions by their cache key, as the gate embeds them."""
    return {embedding_key(model, text): text for text in (*topic.about, *topic.not_about)}


class Gate:
    """A topic's judge for one embedding model."""

    def __init__(self, topic: Topic, session: Session, model: str) -> None:
        self.topic = topic
        texts = description_texts(topic, model)
        vector_of = {texts[key]: vector for key, vector in vectors_for(session, model, texts).items()}
        self._about = np.stack([vector_of[t] for t in topic.about])
        self._not_about = np.stack([vector_of[t] for t in topic.not_about]) if topic.not_about else None
        self._names, self._words = _pattern(tuple(topic.names)), _pattern(tuple(topic.words))

    def judge(self, vector: np.ndarray | None, text: str) -> Relevance:
        """Whether the article whose vector is ``vector`` (None: the model does not read its language) and whose
        headline and lead are ``text`` is on the topic. Its names are looked for only where they decide."""
        topic = self.topic
        if vector is None:
            return self._by_words(text)
        about = self._about @ vector
        best = int(np.argmax(about))
        score = float(about[best])
        nearest = f"nearest topic “{topic.about[best]}” ({score:.2f})"
        if self._not_about is not None:
            off = self._not_about @ vector
            worst = int(np.argmax(off))
            if off[worst] - score > topic.margin:
                return Relevance(False, score, f"nearer to “{topic.not_about[worst]}” ({off[worst]:.2f}); {nearest}")
        if score >= topic.match:
            return Relevance(True, score, nearest)
        if score < topic.match_named:
            return Relevance(False, score, f"{nearest}, under {topic.match_named:.2f}")
        named = self._named(text)
        if named:
            return Relevance(True, score, f"{nearest}; names {', '.join(named[:3])}")
        return Relevance(False, score, f"{nearest}, under {topic.match:.2f}; names none of the topic's places or people")

    def _named(self, text: str) -> list[str]:
        return sorted({m[0] for m in self._names.finditer(text)}, key=str.lower) if self._names else []

    def _by_words(self, text: str) -> Relevance:
        """For an article with no vector: the topic's names, and words, it uses."""
        named = self._named(text)
        names = f"names {', '.join(named[:3])}" if named else "names none of the topic's places or people"
        if self._words is None:
            return Relevance(bool(named), 0.0, f"{names} (no model for its language)")
        used = sorted({m[0].lower() for m in self._words.finditer(text)})
        said = f"uses {', '.join(used[:3])}" if used else "uses none of the topic's words"
        return Relevance(bool(named and used), 0.0, f"{names}; {said} (no model for its language)")


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole words, case-insensitive; a trailing ``*`` stands for any ending."""
    if not words:
        return None
    alternatives = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in words]
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.I)
