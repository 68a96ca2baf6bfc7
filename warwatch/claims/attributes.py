"""The pipeline's attribute ruler (parts of speech, morphology and lemma exceptions by tag and word), matched by
lookup instead of by its Matcher.

Why not the ruler as it is: its Matcher tries each of its rules (179 in en_core_web_sm 3.8.0) at every token, which
costs as much as the dependency parser itself. Nearly all of them are one token long and test the token's tag, its
lowercase form, its dependency or whether it is a space, for equality, membership or a pattern; a table by tag
finds the same matches in a fraction of the time. Any other rule (longer, or with another test) keeps a Matcher of
its own. The matches are handed to the ruler, which sets the attributes as it always does: later rules win.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TESTED = {"LOWER": "lower_", "DEP": "dep_"}  # the token attribute each tested key reads
_ANY_TAG = None


def install(nlp) -> None:
    """Match the ``attribute_ruler`` component's rules by lookup (the component still sets the attributes)."""
    ruler = nlp.get_pipe("attribute_ruler")
    ruler.match = Lookup(ruler).match


class Lookup:
    """The ruler's rules, one-token ones in tables by tag and by tag and word, others in a Matcher; :meth:`match`
    returns what the ruler's own ``match`` returns."""

    def __init__(self, ruler) -> None:
        from spacy.matcher import Matcher

        self._by_word: dict[tuple[str | None, str], list[tuple[int, int, Callable | None]]] = {}
        self._by_tag: dict[str | None, list[tuple[int, int, Callable | None]]] = {}
        self._other = Matcher(ruler.vocab)
        for number, rule in enumerate(ruler.patterns):  # in the order added: the rule's number is its key
            key = ruler.vocab.strings.add(str(number))
            for pattern in rule["patterns"]:
                read = _read(pattern[0]) if len(pattern) == 1 else None
                if read is None:
                    self._other.add(str(number), [pattern])
                    continue
                tags, words, test = read
                for tag in tags:
                    if words is None:
                        self._by_tag.setdefault(tag, []).append((number, key, test))
                    for word in words or ():
                        self._by_word.setdefault((tag, word), []).append((number, key, test))
        self._strings = ruler.vocab.strings

    def match(self, doc) -> list[tuple[int, int, int, int]]:
        """(rule number, match key, start, end) of every match, sorted: the ruler applies them in that order."""
        found = [(int(self._strings[key]), key, start, end)
                 for key, start, end in self._other(doc, allow_missing=True, as_spans=False)]
        by_word, by_tag, none = self._by_word, self._by_tag, ()
        for token in doc:
            tag, word = token.tag_, token.lower_
            for rules in (by_tag.get(tag, none), by_tag.get(_ANY_TAG, none), by_word.get((tag, word), none),
                          by_word.get((_ANY_TAG, word), none)):
                found += [(number, key, token.i, token.i + 1) for number, key, test in rules
                          if test is None or test(token)]
        found.sort()
        return found


def _read(spec: dict) -> tuple[list, frozenset | None, Callable | None] | None:
    """A one-token pattern as (the tags it accepts, the lowercase words it accepts or None for any, a test of its
    other keys or None); None when it tests something else (it stays with the Matcher)."""
    tags, words, tests = [_ANY_TAG], None, []
    for name, wanted in spec.items():
        if name == "TAG" and (isinstance(wanted, str) or isinstance(wanted, dict) and set(wanted) == {"IN"}):
            tags = [wanted] if isinstance(wanted, str) else list(wanted["IN"])
        elif name == "LOWER" and (isinstance(wanted, str) or isinstance(wanted, dict) and set(wanted) == {"IN"}):
            words = frozenset([wanted] if isinstance(wanted, str) else wanted["IN"])
        elif name == "IS_SPACE" and isinstance(wanted, bool):
            tests.append(lambda token, wanted=wanted: token.is_space == wanted)
        elif name in _TESTED and (check := _check(wanted)) is not None:
            tests.append(lambda token, attr=_TESTED[name], check=check: check(getattr(token, attr)))
        else:
            return None
    test = tests[0] if len(tests) == 1 else (lambda token: all(t(token) for t in tests)) if tests else None
    return tags, words, test


def _check(wanted) -> Callable[[str], bool] | None:
    if isinstance(wanted, str):
        return wanted.__eq__
    if isinstance(wanted, dict) and len(wanted) == 1:
        (operator, value), = wanted.items()
        if operator == "IN":
            return frozenset(value).__contains__
        if operator == "REGEX":
            return lambda text, pattern=re.compile(value): pattern.search(text) is not None
    return None
