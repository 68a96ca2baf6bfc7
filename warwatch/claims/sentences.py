"""An article's sentences (pysbd) and a sentence's clauses: split at contrasts (", but", "; ", ", while") and
where a part names its own speaker."""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from warwatch.claims.speakers import find_speaker

_SEGMENTER = pysbd.Segmenter(language="en", clean=False)  # only processor() is used: a new object per text,
                                                           # so threads (a Dask worker's tasks) may share it


_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")  # pysbd always ends a sentence there
_ONE_SENTENCE = re.compile(r"[^\W_][\w ,;:'’\"“”%&/+$€£–—-]*[.!?][ \t\n]*")
"""A paragraph pysbd would return whole: words and plain punctuation, one final stop. No parentheses (pysbd
reads "a)" and "(1)" as list items), no inner stops or line breaks."""


def split_sentences(text: str) -> list[str]:
    """pysbd's sentences of ``text`` as its non-destructive mode returns them (each with the whitespace after it,
    found in order in the text; one not found is left out), paragraph by paragraph (pysbd ends a sentence at a
    blank line anyway). A one-sentence paragraph (:data:`_ONE_SENTENCE`, most paragraphs of news copy) skips
    pysbd, whose splitting was most of extraction's time."""
    found, start = [], 0
    for stop in [m.end() for m in _BLANK_LINE.finditer(text)] + [len(text)]:
        paragraph = text[start:stop]
        found += [paragraph] if _ONE_SENTENCE.fullmatch(paragraph) else _segmented(paragraph)
        start = stop
    return found


def _segmented(text: str) -> list[str]:
    """pysbd's sentences of ``text``, located with ``str.find``: pysbd compiles a regular expression per sentence
    for this, a large part of the time of splitting."""
    if not text:
        return []
    found, end = [], 0
    for sentence in _SEGMENTER.processor(text).process():
        start = text.find(sentence)
        while start >= 0:  # the first occurrence ending after the previous sentence, as pysbd's finditer
            stop = start + len(sentence)
            while stop < len(text) and text[stop].isspace():
                stop += 1
            if stop > end:
                found.append(text[start:stop])
                end = stop
                break
            start = text.find(sentence, max(stop, start + 1))
    return found


_CLAUSE_BREAK = re.compile(r",\s+(?:but|while|whereas|however|including)\b|;\s+|\s+but\s+|\.\s*However,\s*", re.I)
QUOTES_OPEN = "“\"«"


@lru_cache(maxsize=8192)  # as extract._reading
def split_clauses(sentence: str) -> tuple[str, ...]:
    """Contrasting parts of a sentence; a comma also separates a part that names its own speaker."""
    clauses = []
    for part in _CLAUSE_BREAK.split(sentence):
        pieces = part.split(", ")
        current = pieces[0]
        for piece in pieces[1:]:
            if find_speaker(piece) and find_speaker(current) and not _quoted(current):
                clauses.append(current)
                current = piece
            else:
                current = f"{current}, {piece}"
        clauses.append(current)
    return tuple(clauses)


def _quoted(text: str) -> bool:
    return any(q in text for q in (*QUOTES_OPEN, "”"))
