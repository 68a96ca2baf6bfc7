"""Routing rules: which channel an article goes to, or whether it is muted."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from warwatch.delivery.routing import ArticleFacts, Rule, check_routes, route


def facts(
    title: str = "",
    text: str = "",
    *,
    feed: str = "Kyiv Wire",
    tags: tuple[str, ...] = (),
    language: str | None = "en",
) -> ArticleFacts:
    return ArticleFacts(feed=feed, tags=list(tags), title=title, text=text, language=language)


# -- keywords ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keywords", "title", "text", "expected"),
    [
        # whole words, not substrings
        (["war"], "War of words in parliament", "", True),
        (["war"], "Storm warning for the coast", "Warships left port.", False),
        (["war"], "", "They call it a 'war'.", True),
        (["drone"], "Drones over the city", "", False),
        (["drone"], "Drone-strike on depot", "", True),
        (["strike"], "Drone-strike on depot", "", True),
        # case-insensitive
        (["KHARKIV"], "", "shelling in kharkiv overnight", True),
        (["kharkiv"], "KHARKIV UNDER FIRE", "", True),
        # phrases: whole, any whitespace between words
        (["power plant"], "Fire at the power\n  plant", "", True),
        (["power plant"], "Power plants idle", "", False),
        (["power plant"], "Power cut near the plant", "", False),
        # OR within the list
        (["ceasefire", "truce"], "Truce holds for a second day", "", True),
        (["ceasefire", "truce"], "Talks stall again", "", False),
        # Ukrainian
        (["Бахмут"], "Бої біля Бахмута", "", False),
        (["Бахмут"], "Бахмут, ранок: вибухи", "", True),
        (["бахмут"], "", "Ситуація навколо БАХМУТ залишається складною.", True),
        (["повітряна тривога"], "Повітряна тривога у Києві", "", True),
        (["Слов'янськ"], "Обстріл Слов’янська", "", False),
        (["Слов'янськ"], "", "Обстріл: Слов’янськ без світла", True),
        (["ППО"], "", "Працювала ППО.", True),
        (["ППО"], "", "Працювала ППОшна група.", False),
        # Russian
        (["обстрел"], "Новый обстрел Херсона", "", True),
        (["обстрел"], "Обстрелы продолжаются", "", False),
        (["перемирие"], "", "Стороны обсуждают ПЕРЕМИРИЕ.", True),
        (["ядерная угроза"], "Ядерная  угроза?", "", True),
        # Latin keyword does not match inside a Cyrillic word and vice versa
        (["Київ"], "", "Kyiv", False),
        (["NATO"], "", "NATOвські навчання", False),
    ],
)
def test_keywords(keywords: list[str], title: str, text: str, expected: bool) -> None:
    assert Rule(keywords=keywords).matches(facts(title, text)) is expected


# -- other criteria ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "article", "expected"),
    [
        (Rule(feeds=["kyiv wire"]), facts(feed="Kyiv Wire"), True),
        (Rule(feeds=["Kyiv"]), facts(feed="Kyiv Wire"), False),  # exact name, not a substring
        (Rule(feeds=["Front Daily", "KYIV WIRE"]), facts(feed="Kyiv Wire"), True),
        (Rule(tags=["ukraine"]), facts(tags=("Ukraine", "Europe")), True),
        (Rule(tags=["russia", "EUROPE"]), facts(tags=("Ukraine", "Europe")), True),
        (Rule(tags=["russia"]), facts(tags=("Ukraine",)), False),
        (Rule(tags=["russia"]), facts(tags=()), False),
        (Rule(languages=["uk"]), facts(language="uk"), True),
        (Rule(languages=["uk"]), facts(language="uk-UA"), True),
        (Rule(languages=["UK-ua"]), facts(language="uk"), True),
        (Rule(languages=["ru", "uk"]), facts(language="en"), False),
        (Rule(languages=["ru"]), facts(language=None), False),
    ],
)
def test_feeds_tags_languages(rule: Rule, article: ArticleFacts, expected: bool) -> None:
    assert rule.matches(article) is expected


def test_every_set_criterion_must_match() -> None:
    rule = Rule(feeds=["Kyiv Wire"], tags=["frontline"], keywords=["обстріл", "shelling"], languages=["uk", "en"])
    article = facts("Нічний обстріл Харкова", feed="kyiv wire", tags=("Frontline",), language="uk")
    assert rule.matches(article)
    assert not rule.matches(facts("Нічний обстріл Харкова", feed="Other", tags=("frontline",), language="uk"))
    assert not rule.matches(facts("Нічний обстріл Харкова", feed="Kyiv Wire", tags=("politics",), language="uk"))
    assert not rule.matches(facts("Нічний обстріл Харкова", feed="Kyiv Wire", tags=("frontline",), language="ru"))
    assert not rule.matches(facts("Нічна тиша в Харкові", feed="Kyiv Wire", tags=("frontline",), language="uk"))


def test_empty_rule_matches_everything() -> None:
    assert Rule().matches(facts())
    assert Rule(channel="C0ALL").matches(facts("Anything", "at all", feed="x", tags=("y",), language=None))


# -- route ---------------------------------------------------------------------------

ROUTES = [
    Rule(channel="C0KHARKIV", keywords=["Kharkiv", "Харків", "Харьков"]),
    Rule(channel="C0UA", languages=["uk"]),
    Rule(channel="C0FRONT", tags=["frontline"]),
]
MUTES = [
    Rule(feeds=["Rumour Mill"]),
    Rule(keywords=["sponsored", "реклама"]),
]


@pytest.mark.parametrize(
    ("article", "default", "expected"),
    [
        (facts("Strikes on Kharkiv", tags=("frontline",)), "C0NEWS", "C0KHARKIV"),  # first match wins
        (facts("Вибухи в Одесі", language="uk", tags=("frontline",)), "C0NEWS", "C0UA"),
        (facts("Харків без світла", language="uk"), "C0NEWS", "C0KHARKIV"),
        (facts("Харьков: ночная атака", language="ru"), "C0NEWS", "C0KHARKIV"),
        (facts("Trench lines shift", tags=("Frontline",)), "C0NEWS", "C0FRONT"),
        (facts("Parliament votes on budget"), "C0NEWS", "C0NEWS"),  # default
        (facts("Parliament votes on budget"), None, None),  # no route, no default
        (facts("Kharkiv: sponsored tour"), "C0NEWS", None),  # mutes beat routes
        (facts("Харків", "Реклама.", language="uk"), "C0NEWS", None),
        (facts("Kharkiv shelled", feed="rumour mill"), "C0NEWS", None),
        (facts("Sponsorship deal signed"), "C0NEWS", "C0NEWS"),  # "sponsored" is a whole word
    ],
)
def test_route(article: ArticleFacts, default: str | None, expected: str | None) -> None:
    assert route(article, ROUTES, MUTES, default) == expected


def test_route_without_rules() -> None:
    assert route(facts("Anything"), [], [], "C0NEWS") == "C0NEWS"
    assert route(facts("Anything"), [], [], None) is None


def test_empty_mute_mutes_everything() -> None:
    assert route(facts("Kharkiv"), ROUTES, [Rule()], "C0NEWS") is None


def test_mute_channel_is_ignored() -> None:
    assert route(facts("Kharkiv"), ROUTES, [Rule(channel="C0ELSEWHERE", keywords=["Kharkiv"])], "C0NEWS") is None


def test_empty_route_catches_everything_after_earlier_routes() -> None:
    routes = [Rule(channel="C0UA", languages=["uk"]), Rule(channel="C0REST")]
    assert route(facts("Новини", language="uk"), routes, [], "C0NEWS") == "C0UA"
    assert route(facts("News"), routes, [], "C0NEWS") == "C0REST"


# -- validation ----------------------------------------------------------------------


def test_check_routes_names_the_rule_without_a_channel() -> None:
    check_routes([Rule(channel="C0A"), Rule(channel="#war-news", tags=["x"])])
    check_routes([])
    for bad in (None, "", "  "):
        with pytest.raises(ValueError, match=r"^routes\[1\] has no channel") as info:
            check_routes([Rule(channel="C0A"), Rule(channel=bad, keywords=["war"]), Rule()])
        assert "\n" not in str(info.value)


def test_rules_from_settings_data() -> None:
    class Config(BaseModel):
        routes: list[Rule] = []
        mutes: list[Rule] = []

    config = Config.model_validate(
        {
            "routes": [{"channel": "C0UA", "languages": ["uk"], "keywords": ["Бахмут"]}],
            "mutes": [{"feeds": ["Rumour Mill"]}],
        }
    )
    check_routes(config.routes)
    assert route(facts("Бахмут", language="uk"), config.routes, config.mutes, None) == "C0UA"
    with pytest.raises(ValidationError):
        Config.model_validate({"routes": [{"channel": "C0UA", "keyword": ["typo"]}]})  # a typo must not match all
    with pytest.raises(ValidationError):
        Rule(keywords=["war", "  "])
