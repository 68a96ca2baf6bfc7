"""The day a clause refers to ("on Monday", "12 August", "yesterday"), resolved before publication."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from warwatch.claims import lexicon as lx

_WEEKDAY = re.compile(r"\b(?:on |last )?(" + "|".join(lx.WEEKDAYS) + r")\b", re.I)
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+(" + "|".join(lx.MONTHS) + r")\b\.?|\b(" + "|".join(lx.MONTHS)
                        + r")\.?\s+(\d{1,2})\b", re.I)
_MONTH_NUMBER = ({m: i for i, m in enumerate(lx.MONTHS[:12], 1)} | {m[:3]: i for i, m in enumerate(lx.MONTHS[:12], 1)}
                 | {"sept": 9})


def refers_to(clause: str, published: datetime) -> date | None:
    """The day a clause says it is about ("on Monday", "12 August", "yesterday"), resolved before publication."""
    return _day_referred_to(clause, published.date())


@lru_cache(maxsize=8192)  # as extract._reading
def _day_referred_to(clause: str, day: date) -> date | None:
    if re.search(r"\byesterday\b", clause, re.I):
        return day - timedelta(days=1)
    if m := _DAY_MONTH.search(clause):
        number, month = (m[1], m[2]) if m[1] else (m[4], m[3])
        month_number = _MONTH_NUMBER.get(month.lower().rstrip("."))
        try:
            resolved = date(day.year, month_number, int(number))
        except (TypeError, ValueError):
            return None
        return resolved if resolved <= day else resolved.replace(year=day.year - 1)
    if m := _WEEKDAY.search(clause):
        back = (day.weekday() - lx.WEEKDAYS.index(m[1].lower())) % 7
        return day - timedelta(days=back)
    return None
