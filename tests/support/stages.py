"""The claim stage run as the monitor runs it, and the Kursk figures the claim and story-view tests share: the
commander's 1,000 km², an inflated 400,000 square miles, and his later 1,150 km²."""

from __future__ import annotations

from warwatch.claims.stage import check_claims
from warwatch.config.settings import ClaimSettings, Settings, StorySettings
from warwatch.delivery.outbox import enqueue_assignments, enqueue_contradictions
from warwatch.feeds.articles import store_entries
from warwatch.feeds.parse import Entry
from warwatch.stories.assign import assign_stories

from support.builders import T0

OFFICIAL = ("Army chief says troops control about 1,000 sq km of the border region",
            "Commander Oleksandr Syrskyi told the president that Ukrainian forces now control about 1,000 square "
            "kilometres of the Kursk border region.")
INFLATED = ("Troops 'hold up to 400,000 square miles' of the Kursk border region",
            "Ukrainian forces may be sitting on as much as 400,000 square miles of the Kursk border region, "
            "some commentators claim.")
UPDATE = ("Army chief: about 1,150 sq km of the Kursk border region now held",
          "Commander Oleksandr Syrskyi said Ukrainian units now hold about 1,150 square kilometres of the Kursk "
          "border region.")


def run_stages(s, feed_id: int, *entries: Entry) -> list[int]:
    """Store the entries from one feed, group them, check their claims and queue the messages, as a monitor run
    does; the ids of the contradictions found."""
    store_entries(s, [(feed_id, e) for e in entries], T0)
    settings = Settings(slack_channel="#war-news")
    enqueue_assignments(s, assign_stories(s, StorySettings()), settings)
    found = check_claims(s, StorySettings(), ClaimSettings())
    enqueue_contradictions(s, found)
    s.commit()
    return found
