"""Every real and edge-case feed of ../shared/eval-data/feeds goes through the parser.

Each file listed in MANIFEST.tsv parses or fails with FeedParseError (nothing else may
escape), within a hard time limit, and gives as many entries as the manifest counts
items, except where the items carry neither a title nor any text (kept by no poll).
Skipped when ../shared is absent, except under CI, where that is a failure.
"""

from __future__ import annotations

import csv
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from warwatch.feeds.parse import FeedParseError, parse_feed

FEEDS = Path(__file__).resolve().parents[3] / "shared" / "eval-data" / "feeds"
MANIFEST = FEEDS / "MANIFEST.tsv"
FETCHED = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
# files whose only items have neither title nor text, or (the last) whose one such item ends the cut-off file
NO_TITLE_OR_TEXT = {
    "edge_cases/feedparser_encoding_encoding_attribute_crash.xml",  # an image alone
    "edge_cases/feedparser_illformed_geo_georss_point_no_coords.xml",
    "edge_cases/feedparser_illformed_geo_georss_polygon_insufficient_coords.xml",
    "edge_cases/feedparser_illformed_geo_gml_point.xml",
    "edge_cases/feedparser_illformed_rss_incomplete_cdata.xml",  # the title's CDATA never ends
    "edge_cases/rssparser_incomplete_fields.atom",
    "edge_cases/rssparser_missing_fields.atom",
    "edge_cases/feedparser_illformed_rss_item_link_corrupted_ampersands.xml",  # a link alone; file cut short
}


def _manifest() -> list[dict[str, str]]:
    if not MANIFEST.is_file():
        if os.environ.get("CI"):
            raise FileNotFoundError(f"{MANIFEST} is missing under CI")
        return []
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _manifest()


@pytest.mark.skipif(not ROWS, reason=f"{MANIFEST} not found")
def test_manifest_lists_every_feed_file() -> None:
    on_disk = {p.relative_to(FEEDS).as_posix() for p in FEEDS.rglob("*") if p.is_file()}
    assert on_disk - {"MANIFEST.tsv", "SOURCE.txt"} == {row["file"] for row in ROWS}
    assert NO_TITLE_OR_TEXT <= {row["file"] for row in ROWS}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("row", ROWS, ids=[row["file"] for row in ROWS])
def test_feed_file_parses_or_fails_cleanly(row: dict[str, str]) -> None:
    body = (FEEDS / row["file"]).read_bytes()
    assert len(body) == int(row["bytes"])
    try:
        parsed = parse_feed(body, headers={}, url="https://feeds.example/" + row["file"], fetched_at=FETCHED)
    except FeedParseError as exc:
        message = str(exc)
        assert message and "\n" not in message
        expected = 0 if row["file"] in NO_TITLE_OR_TEXT else int(row["item_or_entry_count"])
        assert expected == 0, f"{row['file']}: {message}"
        return
    expected = 0 if row["file"] in NO_TITLE_OR_TEXT else int(row["item_or_entry_count"])
    assert len(parsed.entries) == expected
    for entry in parsed.entries:
        assert entry.guid and (entry.title or entry.text)
        assert entry.published.tzinfo is not None
