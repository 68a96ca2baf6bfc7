"""The due feeds are split into poll batches: every feed once, in order, batches as even as can be."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from warwatch.feeds.polling import feed_batches


@given(st.lists(st.integers(), max_size=300), st.integers(min_value=1, max_value=40))
def test_batches_cover_every_feed_once_in_order_and_evenly(feeds, count):
    batches = feed_batches(feeds, count)
    assert [feed for batch in batches for feed in batch] == feeds
    assert len(batches) == min(count, len(feeds))
    assert all(batches) and max(map(len, batches), default=0) - min(map(len, batches), default=0) <= 1


def test_two_hundred_feeds_make_sixteen_batches_of_twelve_or_thirteen():
    batches = feed_batches(list(range(200)), 16)
    assert [len(b) for b in batches] == [13] * 8 + [12] * 8
