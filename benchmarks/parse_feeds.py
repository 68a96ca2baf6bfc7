"""Every feed of ../shared/eval-data/feeds through the parser: entries, outcome, parse time.

Writes benchmarks/results/parse_feeds.json (per-file rows under "files", summary rows in
"table") and prints the per-file table in Markdown. Times are medians of three passes
over all files, interleaved. The hostile-markup row compares, in this run, feedparser
with its HTML sanitiser (the parser before issue 8) with parse_feed on 700 KB of
escaped "<!--"; the ratio, not the seconds, is the figure.
"""

from __future__ import annotations

import csv
import io
import statistics
import time
from datetime import datetime, timezone

import feedparser
from common import SHARED, row, save

from warwatch.feeds.parse import FeedParseError, parse_feed

FEEDS = SHARED / "eval-data" / "feeds"
FETCHED = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
PASSES = 3
SLOW_MARKUP = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x</title>'
               b"<description>" + b"&lt;!--" * 100_000 + b"</description></item></channel></rss>")


def _parse(body: bytes, name: str) -> tuple[str, int, str]:
    """(outcome, entries, the error or warning line) of one parse."""
    try:
        parsed = parse_feed(body, headers={}, url=f"https://feeds.example/{name}", fetched_at=FETCHED)
    except FeedParseError as exc:
        return "error", 0, str(exc)
    return ("recovered" if parsed.warning else "ok"), len(parsed.entries), parsed.warning or ""


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    with (FEEDS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        manifest = list(csv.DictReader(handle, delimiter="\t"))
    bodies = {m["file"]: (FEEDS / m["file"]).read_bytes() for m in manifest}
    outcomes, times, crashes = {}, {name: [] for name in bodies}, []
    for _ in range(PASSES):
        for name, body in bodies.items():
            started = time.perf_counter()
            try:
                outcomes[name] = _parse(body, name)
            except Exception as exc:  # anything but FeedParseError is a crash, counted, never hidden
                crashes.append(f"{name}: {type(exc).__name__}: {exc}")
                outcomes[name] = ("crash", 0, f"{type(exc).__name__}: {exc}")
            times[name].append((time.perf_counter() - started) * 1000)
    files = []
    for m in manifest:
        outcome, entries, line = outcomes[m["file"]]
        files.append({"file": m["file"], "bytes": len(bodies[m["file"]]), "manifest_items": int(m["item_or_entry_count"]),
                      "entries": entries, "outcome": outcome, "line": line,
                      "parse_ms": round(statistics.median(times[m["file"]]), 1)})

    # the slow case, before and after, in this run: feedparser with its sanitiser vs parse_feed
    sanitiser_ms = _timed(lambda: feedparser.parse(io.BytesIO(SLOW_MARKUP)))
    parse_feed_ms = statistics.median(_timed(lambda: _parse(SLOW_MARKUP, "slow")) for _ in range(PASSES))

    counts = {k: sum(f["outcome"] == k for f in files) for k in ("ok", "recovered", "error", "crash")}
    slowest = max(files, key=lambda f: f["parse_ms"])
    per_mb = max(f["parse_ms"] / (f["bytes"] / 1e6) for f in files if f["bytes"] >= 100_000)
    table = [
        row("feed files parsed with no crash", f"{len(files) - counts['crash']}/{len(files)}", "all", not crashes),
        row("ok / recovered / error", f"{counts['ok']} / {counts['recovered']} / {counts['error']}"),
        row("entries, all files", sum(f["entries"] for f in files)),
        row(f"slowest parse ({slowest['file'].rsplit('/', 1)[-1]}, {slowest['bytes'] // 1000} KB), ms",
            slowest["parse_ms"]),
        row("worst parse time per MB (files >= 100 KB), ms", round(per_mb)),
        row("700 KB of &lt;!--: feedparser with sanitiser / parse_feed, time ratio",
            round(sanitiser_ms / parse_feed_ms, 1), "parse_feed bounded (linear)", parse_feed_ms < sanitiser_ms),
    ]
    result = {"files": files, "crashes": crashes, "counts": counts,
              "slow_markup_ms": {"feedparser_sanitiser": round(sanitiser_ms), "parse_feed": round(parse_feed_ms)}}
    save("parse_feeds", result, table=table)
    print("\n| file | bytes | entries (manifest items) | outcome | error or warning | parse ms |")
    print("|---|---:|---:|---|---|---:|")
    for f in files:
        line = f["line"].replace("|", "\\|")
        print(f"| {f['file']} | {f['bytes']} | {f['entries']} ({f['manifest_items']}) | {f['outcome']} | "
              f"{line} | {f['parse_ms']} |")
    print(f"\n{counts['ok']} ok, {counts['recovered']} recovered, {counts['error']} error, "
          f"{counts['crash']} crashed; 700 KB of &lt;!--: {sanitiser_ms:.0f} ms with feedparser's sanitiser, "
          f"{parse_feed_ms:.0f} ms with parse_feed")


if __name__ == "__main__":
    main()
