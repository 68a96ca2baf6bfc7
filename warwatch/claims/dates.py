"""The day a clause refers to ("on Monday", "12 August", "yesterday"), resolved before publication; the days an
admission is about (that day, or a month it names: "last October", "in October 2022")."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from warwatch.claims import lexicon as lx
from warwatch.claims.claim import Claim

_WEEKDAY = re.compile(r"\b(?:on |last )?(" + "|".join(lx.WEEKDAYS) + r")\b", re.I)
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+(" + "|".join(lx.MONTHS) + r")\b\.?|\b(" + "|".join(lx.MONTHS)
                        + r")\.?\s+(\d{1,2})\b", re.I)
_MONTH = re.compile(r"\b(?:(last|in)\s+(" + "|".join(lx.MONTHS[:12]) + r")\b(?:\s+(?:of\s+)?(\d{4}|last year))?"
                    r"|(" + "|".join(lx.MONTHS[:12]) + r")\s+(?:of\s+)?(\d{4}|last year)\b)", re.I)
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


def days_referred_to(claim: Claim) -> tuple[date, date] | None:
    """The first and last day a claim is about: its day, else the month its sentence names ("last October",
    "in October 2022", "October of last year"), resolved before publication; None when it names neither."""
    if claim.refers_to:
        return claim.refers_to, claim.refers_to
    m = _MONTH.search(claim.text)
    if m is None:
        return None
    name, year = (m[2], m[3]) if m[2] else (m[4], m[5])
    month, published = _MONTH_NUMBER[name.lower()], claim.published.date()
    if year and year.isdigit():
        first = date(int(year), month, 1)
    else:  # "last October" in October is a year before; "in October", this one
        earlier = year is not None or month > published.month or month == published.month and m[1].lower() == "last"
        first = date(published.year - earlier, month, 1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, after - timedelta(days=1)
