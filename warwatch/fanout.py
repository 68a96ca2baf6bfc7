"""Warming the vector cache for a chunk of new articles, so that the story and claim stages find it filled.

The stages themselves stay in one place: grouping and comparison depend on published order. What can run
in parallel is the encoding (and, for claims, the extraction) of each article on its own, so the monitor
flow maps these functions over chunks of new article ids on Dask workers before each stage. They take
ids, read the articles from the store and write only to the ``embeddings`` cache, under the same keys
the stages compute, so a stage that runs after them encodes nothing more. A chunk that fails to warm
costs nothing but time: its stage encodes what is missing, as it would without the fan-out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from warwatch.claims.extract import extract_many
from warwatch.claims.stage import reads_english
from warwatch.config.settings import StorySettings
from warwatch.embedding import encode, load_model
from warwatch.stories.assign import bridge_keys, embedding_texts
from warwatch.stories.topic import description_texts, load_topic
from warwatch.stories.vectors import cached_vectors, embedding_key
from warwatch.store.db import session
from warwatch.store.models import Article, Embedding

#: Dialects whose INSERT can skip rows already present (another worker may store the same text meanwhile).
_INSERT_IGNORING_DUPLICATES = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def warm_article_vectors(url: str, stories: StorySettings, article_ids: Sequence[int]) -> int:
    """Encode the embedding texts of the given articles that the story stage will need (by the model, and by the
    bridge where the chunk needs it), and the topic's descriptions its gate compares them with; return how many
    were new."""
    with session(url) as s:
        articles = s.scalars(select(Article).where(Article.id.in_(article_ids), Article.story_id.is_(None))).all()
        inputs = embedding_texts(articles, stories)
        texts = {key: text for text, key in inputs.values() if key}
        bridges = {key: inputs[i][0] for i, key in bridge_keys(articles, stories, inputs).items()}
    if topic := load_topic(stories.topic):
        texts |= description_texts(topic, stories.model_name)
    new = warm(url, stories.model_name, texts)
    return new + warm(url, stories.bridge_model, bridges) if bridges else new


def warm_claim_vectors(url: str, stories: StorySettings, article_ids: Sequence[int]) -> int:
    """Encode the claim sentences of the given grouped articles that the claim stage will check; return how many were new."""
    with session(url) as s:
        articles = s.scalars(select(Article).where(
            Article.id.in_(article_ids), Article.story_id.is_not(None), Article.claims_checked.is_(False))).all()
        texts = claim_texts(articles, stories)
    return warm(url, stories.model_name, texts)


def claim_texts(articles: Iterable[Article], stories: StorySettings) -> dict[str, str]:
    """Cache key -> sentence of the claims the claim stage extracts from these articles (not copies, in a language
    the model covers), keyed as the stage keys them."""
    model = stories.model_name
    read = [(a.title, a.text, a.published, None) for a in articles
            if a.duplicate_of_id is None and reads_english(stories, a.language)]
    return {embedding_key(model, claim.text): claim.text for found in extract_many(read) for claim in found}


def warm(url: str, model: str, texts: Mapping[str, str]) -> int:
    """Encode the texts (key -> text) not cached yet and store their vectors; return how many were encoded.

    Unlike :func:`warwatch.stories.vectors.vectors_for`, which runs inside a stage's transaction, no
    transaction is open while the model encodes (on SQLite it would hold the write lock and make the
    workers take turns), and a vector another worker stored in the meantime is kept, not a conflict.
    """
    with session(url) as s:
        cached = cached_vectors(s, set(texts))
    missing = [key for key in texts if key not in cached]
    if not missing:
        return 0
    vectors = encode(load_model(model), [texts[key] for key in missing])
    with session(url) as s:
        _insert_new(s, [{"key": key, "vector": vector.tobytes()} for key, vector in zip(missing, vectors)])
        s.commit()
    return len(missing)


def _insert_new(s: Session, rows: list[dict]) -> None:
    """Insert cache rows, skipping keys already stored (on dialects other than PostgreSQL and SQLite a key
    stored meanwhile fails the chunk, which the stage then makes good)."""
    make = _INSERT_IGNORING_DUPLICATES.get(s.get_bind().dialect.name)
    s.execute(make(Embedding).on_conflict_do_nothing(index_elements=["key"]) if make else insert(Embedding), rows)
