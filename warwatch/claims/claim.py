"""A checkable claim (:class:`Claim`): the figure or status it states, who said it, and when."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import cached_property

ROUNDING = 0.05  # exact figures are read as ±5%: outlets round


@dataclass(frozen=True)
class Claim:
    """One checkable statement. Figures carry value, interval and canonical unit; statuses a polarity."""

    text: str                      # the sentence it was found in
    kind: str                      # a quantity kind ("killed", "territory", "equipment:tank:destroyed", …),
                                   # "control", "evacuation", "cause", "fate", "unharmed" (a group),
                                   # "withdrawal" (polarity: orderly) or "target" (subject: military, civilian)
    published: datetime
    subject: str | None = None     # the place or group it is about
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    shown: str | None = None       # the figure as written
    bound: str | None = None       # "more than", "about", "vague" (dozens, thousands), "short of" (a magnitude
                                   # said not reached), …; None: exact
    polarity: bool = True          # False: denied, contested, not complete
    hedged: bool = False
    speaker: str | None = None
    side: str | None = None        # the speaker's side
    actor: str | None = None       # the side that holds, took, is counted or is blamed
    mechanism: str | None = None   # cause: "attack" or "accident"
    running_total: bool = False
    refers_to: date | None = None
    places: tuple[str, ...] = field(default=())
    source: str | None = None      # the outlet, set by whoever stores the claim
    fate: str | None = None        # a named person's: "killed", "alive", "captured", "missing" (kind "fate")
    where: str | None = None       # the place a figure counts in, when its clause names one ("near Robotyne")
    part: bool = False             # a figure that counts part of a larger one ("of these, 8", "including 2 children")
    planned: bool = False          # a figure planned or possible, not done ("are to be evacuated", "could")
    period: str | None = None      # "day": a figure for one day ("in the past 24 hours"); "war": since it began;
                                   # another span's words ("in june"); None: a total or unsaid
    language: str | None = None    # the sentence's, when not English ("ru", "uk")
    admitted: bool = False         # cause: the speaker's own side blamed, in an admission ("conceded that we …")

    @property
    def is_quantity(self) -> bool:
        return self.value is not None

    @property
    def when(self) -> date:
        return self.refers_to or self.published.date()

    @cached_property  # a figure is compared with hundreds of others: worked out once
    def interval(self) -> tuple[float, float]:
        """The values a figure stands for: an exact one ±``ROUNDING``, a range or bound as given."""
        low, high = self.low or 0.0, self.high if self.high is not None else self.value or 0.0
        if self.low == self.high:
            return low * (1 - ROUNDING), high * (1 + ROUNDING)
        return low, high

    def facts(self) -> dict:
        """JSON-ready fields, for the store."""
        data = {name: getattr(self, name) for name in _CLAIM_FIELDS}  # asdict's deep copies: not needed, slow
        data["published"] = self.published.isoformat()
        data["refers_to"] = self.refers_to.isoformat() if self.refers_to else None
        data["places"] = list(self.places)
        return data

    @classmethod
    def from_facts(cls, data: dict) -> Claim:
        return cls(**{**data, "published": datetime.fromisoformat(data["published"]),
                      "refers_to": date.fromisoformat(data["refers_to"]) if data["refers_to"] else None,
                      "places": tuple(data["places"])})


_CLAIM_FIELDS = tuple(f.name for f in fields(Claim))  # dataclasses.fields() builds its tuple at every call


Fields = dict  # the fields a claim sets beyond what its clause gives every claim (speaker, hedging, day)
