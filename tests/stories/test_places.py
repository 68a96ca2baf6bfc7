"""The gazetteer: the war's places named in English, Ukrainian and Russian, in any inflected form."""

from __future__ import annotations

import pytest

from warwatch.places import Gazetteer, gazetteer


@pytest.mark.parametrize(("text", "places"), [
    ("Russian missiles hit Kharkiv's industrial district", {"kharkiv"}),
    ("Удар по Харкову: пошкоджено друкарню", {"kharkiv"}),
    ("В Харькове объявлена воздушная тревога", {"kharkiv"}),
    ("У Куп’янську тривають бої", {"kupiansk"}),          # a typographic apostrophe
    ("У Куп'янську тривають бої", {"kupiansk"}),
    ("Росіяни обстріляли Кривий Ріг; у Кривому Розі поранено двох", {"kryvyi-rih"}),
    ("Ugledar and Vuhledar are one town", {"vuhledar"}),
    ("Взрыв на Крымском мосту", {"crimea"}),
    ("Обстрел Белгородской области", {"belgorod"}),
    ("Kyiv, Odesa and Dnipro under attack", {"kyiv", "odesa", "dnipro"}),
])
def test_names_in_every_language_and_form(text, places):
    assert gazetteer().places_in(text) == places


def test_common_words_and_unknown_places_name_nothing():
    assert gazetteer().places_in("Біла машина стояла біля лиману") == frozenset()
    assert gazetteer().places_in("A quiet night in Zorivka") == frozenset()


def test_a_gazetteer_of_ones_own():
    own = Gazetteer({"marinsk": {"en": ["Marinsk"], "ru": ["Маринск"]}})
    assert own.places_in("Пожар в порту Маринска") == own.places_in("Fire in Marinsk port") == {"marinsk"}


def test_a_place_is_in_its_own_area_and_in_the_places_that_hold_it():
    assert gazetteer().areas("enerhodar") == {"enerhodar", "zaporizhzhia"}
    assert gazetteer().areas("bakhmut") == {"bakhmut", "donetsk", "donbas"}
    assert gazetteer().areas("kharkiv") == {"kharkiv"} and gazetteer().areas("zorivka") == frozenset()
    own = Gazetteer({"marinsk": {"en": ["Marinsk"], "within": ["tomsk"]}, "tomsk": {"en": ["Tomsk"]}})
    assert own.places_in("Tomsk") == {"tomsk"}  # "within" names no spelling
    assert own.areas("marinsk") == {"marinsk", "tomsk"}


def test_every_place_that_holds_another_is_a_place():
    gazetteer_places = {place for place in gazetteer().latin.values()}
    held_by = {area for place in gazetteer_places for area in gazetteer().areas(place)}
    assert held_by <= gazetteer_places
