"""A synthetic war-news corpus for speed benchmarks: articles with a headline and a few paragraphs.

Written from templates in the project's own words. Events (strikes, evacuations, advances,
air-defence reports) are each covered by several outlets over a few days. An event's figures are
drawn once and rise in later reports (death tolls, evacuees); advances come with a denial, so the story and claim stages see the mix a monitor sees:
new stories, follow-ups, reprints and claims to compare. Deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

PLACES = ["Kharkiv", "Odesa", "Dnipro", "Zaporizhzhia", "Kherson", "Sumy", "Mykolaiv", "Poltava", "Chernihiv",
          "Kramatorsk", "Sloviansk", "Pokrovsk", "Kupiansk", "Belgorod", "Kursk", "Bryansk", "Donetsk", "Horlivka",
          "Lviv", "Vinnytsia", "Kryvyi Rih", "Izium", "Lyman", "Toretsk", "Chasiv Yar", "Vovchansk", "Nikopol"]
VILLAGES = ["Novoselivka", "Petrivka", "Ivanivka", "Berezivka", "Kamianka", "Zelene", "Vesele", "Myrne",
            "Stepove", "Hrushivka", "Lozova", "Sadove", "Kalynivka", "Dachne", "Orikhove"]
OUTLETS = ["Kyiv Ledger", "Meridian Wire", "Eastern Dispatch", "Frontline Daily", "Steppe Post", "Dnipro Courier",
           "Baltic Monitor", "Northern Herald", "Black Sea Review", "Continental News"]
SPEAKERS = [("Oleh Synehubov", "the regional governor"), ("Ivan Fedorov", "the regional governor"),
            ("Vitaliy Kim", "the head of the regional administration"), ("Vyacheslav Gladkov", "the regional governor"),
            ("Serhiy Lysak", "the head of the regional military administration"),
            ("Yuriy Ignat", "the air force spokesman"), ("Igor Konashenkov", "the defence ministry spokesman")]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
BUILDINGS = ["apartment block", "school", "hospital", "shopping centre", "warehouse", "railway station"]
BACKGROUND = [
    "Russia launched its full-scale invasion of Ukraine in February 2022.",
    "Both sides have stepped up drone attacks on each other's rear areas this year.",
    "Claims from the battlefield are hard to verify independently.",
    "The front line has changed little over the winter despite heavy fighting.",
    "Western partners have promised more air-defence systems for Ukrainian cities.",
]


def _strike(rng: random.Random, facts: random.Random, place: str, day: str, report: int) -> tuple[str, list[str]]:
    killed, wounded = facts.randint(2, 40) + 2 * report, facts.randint(5, 120) + 5 * report
    building = facts.choice(BUILDINGS)
    name, role = facts.choice(SPEAKERS)
    title = rng.choice([f"Missile strike on {place} kills {killed}, officials say",
                        f"{killed} dead after attack on {building} in {place}",
                        f"Russian strike hits {place} {building}, dozens hurt"])
    paragraphs = [
        f"{name}, {role}, said on {day} that {killed} people had been killed and {wounded} wounded when "
        f"missiles hit a {building} in {place}.",
        f"Rescue teams were still searching the rubble late into the evening, and at least "
        f"{facts.randint(2, 15)} people were reported missing.",
        f"Power was cut to about {facts.randint(2, 90) * 1000} homes in the area, the local energy company said.",
    ]
    return title, paragraphs


def _advance(rng: random.Random, facts: random.Random, place: str, day: str, report: int) -> tuple[str, list[str]]:
    village = facts.choice(VILLAGES)
    km = facts.randint(2, 30)
    title = rng.choice([f"Russia says its forces captured {village} near {place}",
                        f"Moscow claims control of {village}, Kyiv says fighting goes on",
                        f"Fighting for {village} near {place} intensifies"])
    paragraphs = [
        f"Russia's defence ministry said on {day} that its troops had taken full control of {village}, "
        f"about {km} km from {place}.",
        f"A Ukrainian military spokesman said the claim was not true and that Ukrainian units were still "
        f"fighting in {village}.",
        f"The ministry also said Ukraine had lost up to {facts.randint(100, 600)} troops and "
        f"{facts.randint(2, 20)} armoured vehicles in the area over the past day.",
    ]
    return title, paragraphs


def _evacuation(rng: random.Random, facts: random.Random, place: str, day: str, report: int) -> tuple[str, list[str]]:
    people = facts.randint(2, 60) * 100 + 150 * report
    title = rng.choice([f"Thousands evacuated from villages around {place}",
                        f"Evacuation of {place} district expanded as shelling continues",
                        f"More than {people} people leave frontline areas near {place}"])
    paragraphs = [
        f"More than {people} people, including {facts.randint(50, 900) + 20 * report} children, have been evacuated from "
        f"settlements near {place} since the start of the week, officials said on {day}.",
        f"Authorities ordered the mandatory evacuation of families with children from {facts.randint(3, 40)} "
        f"villages within {facts.randint(5, 25)} km of the border.",
        "Buses and trains were laid on to take residents to shelters further west.",
    ]
    return title, paragraphs


def _drones(rng: random.Random, facts: random.Random, place: str, day: str, report: int) -> tuple[str, list[str]]:
    launched = facts.randint(40, 200)
    downed = facts.randint(launched // 2, launched)
    title = rng.choice([f"Air defences down {downed} drones in overnight attack",
                        f"Overnight drone attack targets {place} energy sites",
                        f"Ukraine says it shot down {downed} of {launched} drones"])
    paragraphs = [
        f"Ukraine's air force said on {day} that Russia launched {launched} drones and "
        f"{facts.randint(2, 12)} missiles overnight, and that {downed} drones were shot down.",
        f"Debris fell on residential buildings in {place}, injuring {facts.randint(1, 12)} people, "
        f"according to the regional administration.",
        f"Fires broke out at an energy facility, which the operator said was damaged but not destroyed.",
    ]
    return title, paragraphs


KINDS = [_strike, _advance, _evacuation, _drones]


def articles(count: int = 2000, seed: int = 7) -> list[dict]:
    """``count`` replay articles (``{"id", "title", "text", "source", "url", "published"}``), oldest first."""
    rng = random.Random(seed)
    start = datetime(2025, 3, 1, tzinfo=timezone.utc)
    out: list[dict] = []
    while len(out) < count:
        event_time = start + timedelta(minutes=len(out) * 17 + rng.randint(0, 60))
        place = rng.choice(PLACES)
        kind, event_seed = rng.choice(KINDS), rng.random()
        for report in range(rng.randint(2, 8)):
            published = event_time + timedelta(hours=report * rng.uniform(0.5, 14))
            facts = random.Random(event_seed)  # the same draws for every report of the event
            title, paragraphs = kind(rng, facts, place, WEEKDAYS[published.weekday()], report)
            body = [*rng.sample(paragraphs, k=rng.randint(2, len(paragraphs))), rng.choice(BACKGROUND)]
            outlet = rng.choice(OUTLETS)
            n = len(out)
            out.append({"id": f"a{n}", "title": title, "text": "\n\n".join(body), "source": outlet,
                        "url": f"https://{outlet.lower().replace(' ', '-')}.example/{n}",
                        "published": published.isoformat()})
            if len(out) == count:
                break
    return sorted(out, key=lambda a: a["published"])


def write(path: Path, count: int = 2000, seed: int = 7) -> Path:
    """Write the corpus as replay JSON Lines."""
    path.write_text("".join(json.dumps(a) + "\n" for a in articles(count, seed)), encoding="utf-8")
    return path
