"""Which of many earlier claims a new one may contradict, in one numpy pass over columns of their comparison inputs.

A story holds hundreds of claims and every new claim was compared in Python with each earlier one of
a partner kind: a million :func:`~warwatch.claims.compare.compare` calls on the 2,000-article replay,
the claim check's largest cost. :meth:`ClaimColumns.candidates` applies the rules of
:mod:`warwatch.claims.compare` for figures (group, actor, day, running-count update, margins) and for
control of a place (place, days apart, polarity, actor) to all rows at once and keeps the rows
``compare`` may call a contradiction; the caller still runs ``compare`` on those, so no verdict comes
from here. Rows of other kinds (and figures about a datetime rather than a date) are always kept.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone

import numpy as np

from warwatch.claims.compare import CLEAR_MARGIN, STATUS_DAYS, VAGUE_MARGIN, _allow
from warwatch.claims.extract import Claim
from warwatch.claims.lexicon import CUMULATIVE

# a row's columns; JUDGED: 1 for a figure, 2 for a control claim, 0 for a row always kept
KIND, JUDGED, LOW, HIGH, VALUE, SUBJECT, ACTOR, SIDE, REFERS, PUBLISHED, VAGUE, POLARITY = range(12)
WIDTH = 12
FIGURE, CONTROL = 1.0, 2.0
NONE = -1.0  # the code of a missing subject, actor or side
_CODES: dict[str, int] = {}  # strings as numbers, for the life of the process
_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
_DAY = 86400 * 10 ** 6  # microseconds


def _code(text: str | None) -> float:
    return NONE if text is None else float(_CODES.setdefault(text, len(_CODES)))


def _row(claim: Claim) -> list[float]:
    row = [math.nan] * WIDTH
    row[KIND], row[JUDGED] = _code(claim.kind), 0.0
    published = (claim.published - (_EPOCH_UTC if claim.published.tzinfo else _EPOCH)) // _MICROSECOND
    if abs(published) >= 2 ** 52:  # microseconds stay exact as float64 below 2**53 (and so do their differences)
        return row
    row[PUBLISHED], row[ACTOR] = float(published), _code(claim.actor or None)
    if claim.is_quantity:
        low, high = _allow(claim)
        row[LOW:PUBLISHED] = [low, high, claim.value, _code(claim.subject), row[ACTOR], _code(claim.side or None),
                              float(claim.refers_to.toordinal()) if claim.refers_to else math.nan]
        row[VAGUE] = float(claim.bound == "vague")
        # numpy's float64 arithmetic is Python's, infinities and NaN included; days apart are date differences
        # (a datetime's would depend on the time of day)
        row[JUDGED] = FIGURE if type(claim.refers_to) is not datetime else 0.0
    elif claim.kind == "control" and type(claim.polarity) is bool:
        row[SUBJECT] = _code(claim.subject.lower() if claim.subject else None)
        row[POLARITY], row[JUDGED] = float(claim.polarity), CONTROL
    return row


class ClaimColumns:
    """Rows of claims' comparison inputs, in the order of the claims; grows at the end."""

    def __init__(self, claims: Iterable[Claim] = ()) -> None:
        self._data = np.empty((0, WIDTH))
        self.size = 0
        self.extend(claims)

    @classmethod
    def stack(cls, parts: Sequence[np.ndarray]) -> ClaimColumns:
        """Columns holding these rows one after another."""
        columns = cls()
        columns._data = np.concatenate(parts)
        columns.size = len(columns._data)
        return columns

    @property
    def rows(self) -> np.ndarray:
        return self._data[:self.size]

    def extend(self, claims: Iterable[Claim]) -> None:
        rows = [_row(claim) for claim in claims]
        if not rows:
            return
        if self.size + len(rows) > len(self._data):  # room for twice as many: appends stay linear overall
            grown = np.empty((max(2 * (self.size + len(rows)), 16), WIDTH))
            grown[:self.size] = self.rows
            self._data = grown
        self._data[self.size:self.size + len(rows)] = rows
        self.size += len(rows)

    def of_kinds(self, kinds: Iterable[str]) -> np.ndarray:
        """The indices of the rows of these kinds, in order."""
        return np.flatnonzero(np.isin(self.rows[:, KIND], [_code(kind) for kind in kinds]))

    def candidates(self, claim: Claim, indices: np.ndarray) -> np.ndarray:
        """Of the rows at ``indices``, those ``compare(claim, row's claim)`` may find a contradiction, in order."""
        new = np.array(_row(claim))
        if not new[JUDGED] or len(indices) == 0:
            return indices
        old = self.rows[indices]
        judged = (old[:, JUDGED] == new[JUDGED]) & (old[:, KIND] == new[KIND])
        return indices[_rules(claim.kind, new, old)[0] | ~judged]

    def agreeing(self, claim: Claim, indices: np.ndarray, sides: Sequence[Claim]) -> np.ndarray:
        """Whether ``compare(row's claim, side)`` agrees for some side, for the rows at ``indices`` (sides and
        rows of ``claim``'s kind; False where the columns do not judge)."""
        sides = np.array([_row(side) for side in sides if side.kind == claim.kind]).reshape(-1, WIDTH)
        kind, judged = _code(claim.kind), float(_row(claim)[JUDGED])
        sides = sides[(sides[:, JUDGED] == judged) & (sides[:, KIND] == kind)]
        rows = self.rows[indices]
        if not judged or not len(sides) or not len(rows):
            return np.zeros(len(indices), dtype=bool)
        agrees = _rules(claim.kind, rows[:, None, :], sides[None, :, :])[1].any(axis=1)
        return agrees & (rows[:, JUDGED] == judged) & (rows[:, KIND] == kind)

    def agreement(self, claim: Claim, start: int) -> tuple[np.ndarray, np.ndarray]:
        """For the rows from ``start``: whether the columns judge ``compare(claim, row's claim)``, and whether it
        agrees there."""
        new, rows = np.array(_row(claim)), self.rows[start:]
        judged = (rows[:, JUDGED] == new[JUDGED]) & (rows[:, KIND] == new[KIND]) & (new[JUDGED] != 0)
        if not judged.any():
            return judged, judged
        return judged, _rules(claim.kind, new, rows)[1]


def _rules(kind: str, new: np.ndarray, old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """compare(new, old) for rows of claims of ``kind`` (broadcast): whether it is a contradiction, whether it agrees."""
    with np.errstate(all="ignore"):  # rows not judged may hold anything
        return _control(new, old) if kind == "control" else _figures(kind, new, old)


def _figures(kind: str, new: np.ndarray, old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """compare's ``_figures``."""
    subject, children = old[..., SUBJECT], _code("children")
    same_group = ((subject == new[..., SUBJECT]) | ((subject == NONE) & (new[..., SUBJECT] != children))
                  | ((new[..., SUBJECT] == NONE) & (subject != children)))
    actor = old[..., ACTOR]
    related = same_group & ~((new[..., ACTOR] != NONE) & (actor != NONE) & (actor != new[..., ACTOR]))
    if kind not in CUMULATIVE:  # counts for different days; NaN (no day) compares false
        related &= ~(np.abs(old[..., REFERS] - new[..., REFERS]) > 1)
    lo_new, hi_new, lo_old, hi_old = new[..., LOW], new[..., HIGH], old[..., LOW], old[..., HIGH]
    overlap = (lo_new <= hi_old) & (lo_old <= hi_new)
    new_higher = (lo_new > hi_old) | (overlap & (new[..., VALUE] > old[..., VALUE]))
    ratio = np.where(overlap, 1.0, np.where(new_higher, lo_new / np.maximum(hi_old, 1e-9),
                                            lo_old / np.maximum(hi_new, 1e-9)))
    update = np.zeros_like(related)
    if kind in CUMULATIVE:  # _update: a running count that rose plausibly
        days = np.maximum((new[..., PUBLISHED] - old[..., PUBLISHED]) / 1e6 / 86400, 0.0)
        side = old[..., SIDE]
        opposed = (new[..., SIDE] != NONE) & (side != NONE) & (side != new[..., SIDE])
        update = new_higher & (days > 0) & ~opposed & (ratio <= 1.5 + 0.5 * days)
    close = ratio < np.where((old[..., VAGUE] == 1.0) | (new[..., VAGUE] == 1.0), VAGUE_MARGIN, CLEAR_MARGIN)
    return related & ~update & ~close, related & (update | close)


def _control(new: np.ndarray, old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """compare's ``_control``."""
    subject, actor = old[..., SUBJECT], old[..., ACTOR]
    related = ~((new[..., SUBJECT] != NONE) & (subject != NONE) & (subject != new[..., SUBJECT]))
    related &= ~(np.abs(np.floor_divide(new[..., PUBLISHED] - old[..., PUBLISHED], _DAY)) > STATUS_DAYS)
    taken_by_another = ((new[..., POLARITY] == 1.0) & (new[..., ACTOR] != NONE) & (actor != NONE)
                        & (actor != new[..., ACTOR]))
    contradiction = related & ((old[..., POLARITY] != new[..., POLARITY]) | taken_by_another)
    return contradiction, related & ~contradiction
