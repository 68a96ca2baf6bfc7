"""Claims in Russian and Ukrainian, in the English frames, and a Russian claim checked against an English report.

Every sentence is written for these tests.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from warwatch.claims.compare import compare
from warwatch.claims.cyrillic import extract_claims
from warwatch.claims.extract import extract_claims as extract_english
from warwatch.delivery.blocks import contradiction_message
from warwatch.delivery.views import ClaimView, ContradictionView

T0 = datetime(2025, 11, 20, 8, 0, tzinfo=timezone.utc)


def claims(sentence: str, language: str):
    return extract_claims(sentence, "", T0, "Outlet", language)


def control(sentence: str, language: str):
    (found,) = [c for c in claims(sentence, language) if c.kind == "control"]
    return found.subject, found.polarity, found.actor, found.side


@pytest.mark.parametrize(("sentence", "language", "reading"), [
    ("Минобороны России сообщило об освобождении Купянска.", "ru", ("Kupiansk", True, "Russia", "Russia")),
    ("Купянск полностью освобожден, заявили в Минобороны РФ.", "ru", ("Kupiansk", True, "Russia", "Russia")),
    ("У Генштабі ЗСУ спростували захоплення Куп'янська.", "uk", ("Kupiansk", False, "Ukraine", "Ukraine")),
    ("Сили оборони контролюють Куп’янськ, заявили в Генштабі.", "uk", ("Kupiansk", False, "Ukraine", "Ukraine")),
    ("Российские войска не взяли Угледар, заявили в ВСУ.", "ru", ("Vuhledar", False, "Ukraine", "Ukraine")),
    ("В Генштабе ВСУ сообщили, что бои за Покровск продолжаются.", "ru", ("Pokrovsk", False, "Ukraine", "Ukraine")),
])
def test_control_of_a_place_in_either_language(sentence, language, reading):
    assert control(sentence, language) == reading


def test_a_capture_word_with_no_place_or_two_places_is_no_claim():
    assert claims("Минобороны сообщило об освобождении ещё одного населённого пункта.", "ru") == []
    assert [c for c in claims("Войска заняли позиции между Купянском и Изюмом.", "ru") if c.kind == "control"] == []


def test_figures_of_the_dead_and_the_wounded():
    killed, wounded = claims("В Харькове погибли семь человек, еще 20 ранены, сообщил губернатор.", "ru")
    assert (killed.kind, killed.value, killed.where) == ("killed", 7, "Kharkiv")
    assert (wounded.kind, wounded.value) == ("wounded", 20)
    assert killed.speaker == "губернатор" and killed.side is None and killed.language == "ru"


def test_what_is_not_a_count_of_people():
    assert claims("10-летний мальчик погиб в Одессе 5 мая 2024 года.", "ru") == []
    (killed,) = claims("Внаслідок двох ракетних ударів загинули 24 людини.", "uk")
    assert killed.value == 24


def test_part_running_total_bound_and_hedge():
    (whole,) = claims("Загинули семеро людей, серед них двоє дітей.", "uk")
    assert whole.value == 7 and not whole.part
    (total,) = claims("Кількість загиблих у Сумах зросла до 34.", "uk")
    assert total.running_total and total.where == "Sumy" and total.bound is None
    (bounded,) = claims("По предварительным данным, погибли более 20 человек.", "ru")
    assert bounded.bound == "more than" and bounded.interval == (20, math.inf) and bounded.hedged


def test_what_else_a_number_counts_by_the_noun_after_it():
    drones, missiles = claims("За сутки сбиты 45 беспилотников и 3 ракеты, сообщило Минобороны.", "ru")
    assert (drones.kind, drones.value, drones.period) == ("equipment:drone:shot down", 45, "day")
    assert (missiles.kind, missiles.value, missiles.side) == ("equipment:missile:shot down", 3, "Russia")
    (villages,) = claims("С начала года освобождены 12 населённых пунктов, заявили в Минобороны России.", "ru")
    assert (villages.kind, villages.value, villages.actor, villages.period) == ("settlements", 12, "Russia", None)
    (area,) = claims("Российские войска взяли под контроль более 400 кв. км территории.", "ru")
    assert (area.kind, area.value, area.unit, area.bound, area.actor) == ("territory", 400, "km²", "more than", "Russia")


@pytest.mark.parametrize(("sentence", "language", "kind", "value", "group"), [
    ("З Куп'янська евакуювали 250 людей.", "uk", "evacuated", 250, None),
    ("У полон потрапили 40 військових.", "uk", "prisoners", 40, "military"),
    ("После обстрела 12 человек пропали без вести.", "ru", "missing", 12, None),
])
def test_other_counts_of_people(sentence, language, kind, value, group):
    (found,) = claims(sentence, language)
    assert (found.kind, found.value, found.subject) == (kind, value, group)


def test_a_count_of_villages_is_not_a_count_of_people_nor_of_ground_taken():
    assert claims("Эвакуированы жители 12 сёл.", "ru") == []


def test_a_clause_whose_numbers_do_not_all_count_someone_gives_no_figure():
    assert claims("У столиці відомо про 5 загиблих, у Кривому Розі – про 10.", "uk") == []


def test_a_russian_claim_contradicts_the_english_and_the_ukrainian_report_of_the_same_place():
    (taken,) = claims("Минобороны России сообщило об освобождении Купянска.", "ru")
    (held,) = [c for c in extract_english(
        "Ukraine's General Staff said fighting continues in Kupyansk and Ukrainian units still hold the city.", "",
        T0, "Wire") if c.kind == "control"]
    verdict = compare(taken, held)
    assert verdict.relation == "contradiction" and "Kupiansk" in verdict.reason
    (denied,) = claims("У Генштабі ЗСУ спростували захоплення Куп'янська: бої в місті тривають.", "uk")
    assert compare(taken, denied).relation == "contradiction"


def test_replay_groups_the_reports_and_alerts_the_dispute(tmp_path):
    lines = [
        {"id": "en", "title": "Fighting goes on in Kupiansk, Ukraine's General Staff says",
         "text": "Ukraine's General Staff said on Thursday that fighting continues in Kupiansk and that Ukrainian "
                 "units still hold the city.", "source": "Wire", "published": "2025-11-20T08:00:00Z"},
        {"id": "ru", "title": "Минобороны России сообщило об освобождении Купянска",
         "text": "Министерство обороны России заявило, что город Купянск полностью освобожден.",
         "source": "Vesti", "published": "2025-11-20T12:00:00Z"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "warwatch", "replay", str(path), "--json"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    articles = {e["id"]: e for e in events if e["event"] == "article"}
    assert articles["ru"]["language"] == "ru" and articles["ru"]["story"] == articles["en"]["story"]
    (found,) = [e for e in events if e["event"] == "contradiction"]
    assert (found["id"], found["other"], found["kind"], found["alerted"]) == ("ru", "en", "status", True)


def test_the_alert_quotes_the_original_and_reads_it_in_english():
    claim = ClaimView(text="Минобороны России сообщило об освобождении Купянска.", outlet="Vesti", published=T0,
                      url="https://vesti.example/1", speaker="Минобороны России (Russia)",
                      value="Kupiansk: taken by Russia", language="ru")
    earlier = ClaimView(text="Fighting continues in Kupiansk.", outlet="Wire", published=T0, url="https://wire.example/1",
                        speaker="Ukraine's General Staff", value="Kupiansk: contested")
    view = ContradictionView(story_headline="Kupiansk", kind="status", reason="taken against contested",
                             new=claim, earlier=earlier, confidence=0.8, evidence="opposite sides", alerted=True)
    text = json.dumps([m.blocks for m in contradiction_message(view)], ensure_ascii=False, default=str)
    assert "Quoted in Russian" in text and "освобождении Купянска" in text and "Kupiansk: taken by Russia" in text
    assert text.count("Quoted in") == 1  # the English claim is not marked
