"""The replay contract that evaluation tools and users' backtests depend on."""

import json
import subprocess
import sys

import pytest

WARWATCH = [sys.executable, "-m", "warwatch"]


def articles() -> list[dict]:
    base = {"text": "", "url": ""}
    return [
        {**base, "id": "b", "title": "Evacuation figure rises to 122,000", "source": "Ledger",
         "published": "2024-08-14T09:00:00Z"},
        {**base, "id": "a", "title": "About 121,000 people evacuated from border districts", "source": "Wire",
         "published": "2024-08-12T08:00:00+00:00", "url": "https://wire.example/a?utm_source=x"},
        {**base, "id": "c", "title": "About 121,000 people evacuated from border districts", "source": "Wire",
         "published": "2024-08-12T09:00:00Z", "url": "https://wire.example/c"},
        {**base, "id": 7, "title": "Air defences active over the capital overnight", "source": "Wire",
         "published": "2024-08-11T01:00:00Z", "text": "<p>Debris fell in two districts.</p>"},
    ]


def replay(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*WARWATCH, "replay", *args], input=stdin, capture_output=True, text=True, timeout=300)


def test_one_article_event_per_input_line_in_published_order(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in articles()) + "\n", encoding="utf-8")
    result = replay(str(path), "--json")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["id"] for e in events] == ["7", "a", "c", "b"]
    fields = {"event", "id", "story", "duplicate_of", "language", "relevant", "relevance"}
    assert all(e["event"] == "article" and set(e) == fields for e in events)
    assert {e["language"] for e in events} == {"en"}
    by_id = {e["id"]: e for e in events}
    assert by_id["c"]["duplicate_of"] == "a" and by_id["c"]["story"] == by_id["a"]["story"]
    assert by_id["a"]["duplicate_of"] is None


def test_reads_stdin_and_keeps_a_store_when_asked(tmp_path):
    db = tmp_path / "kept.db"
    result = replay("--json", "--db", str(db), stdin="\n".join(json.dumps(a) for a in articles()))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 4 and db.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"id": "x", "title": "t", "source": "s"}\n', "line 1: published"),
        ('{"id": "x", "title": "t", "source": "s", "published": "2024-08-12T00:00:00Z"}\nnot json\n', "line 2"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    result = replay(str(path), "--json")
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_missing_file_is_one_clear_line(tmp_path):
    result = replay(str(tmp_path / "nope.jsonl"), "--json")
    assert result.returncode == 2 and "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_uci_headlines_give_one_event_per_line(shared_dir, tmp_path):
    evalkit = shared_dir / "tools" / "evalkit.py"
    csv = shared_dir / "eval-data" / "dev" / "news-stories" / "uci_headlines.csv"
    lines = subprocess.run([sys.executable, str(evalkit), "stories-input", str(csv)], capture_output=True,
                           text=True, check=True).stdout
    result = replay("--json", stdin=lines)
    assert result.returncode == 0, result.stderr[-2000:]
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert sorted(ids) == sorted(json.loads(line)["id"] for line in lines.splitlines())
