"""Claims in Russian and Ukrainian reports, in the frames of the English ones (:class:`~warwatch.claims.claim.Claim`).

Words are read by their lemmas (pymorphy3, with the language's dictionary), so "освобожден", "освободили" and
"освобождение" are one verb and "Купянска" is Kupiansk (:mod:`warwatch.places`). What is read, clause by clause:

- **control of a place**: a capture word ("освободить", "взять под контроль", "звільнити", "захопити") with the
  place it governs (the place within a few words after it, or named just before a passive: "Купянск освобожден")
  is a claim that the place was taken, by the forces the clause names or else by the speaker's side; a capture
  word under "не", fighting that goes on there ("бои продолжаются", "тривають бої"), or forces that still hold
  it ("ЗСУ контролюють") is a claim that it is contested; a denial ("опровергли", "спростували", "фейк") of a
  place named, or of the one the article discusses, too;
- **counts of people**: a number (digits, or a numeral such as "семеро") and a word of the dead ("погибли",
  "загиблих"), the wounded, the evacuated, prisoners or the missing that are each other's nearest; the group
  (children, military) when named beside them, "в том числе" / "з них" making it a part, "возросло до" a
  running total;
- **what else a number counts**, by the noun after it: settlements or an area ("кв. км") taken, with a word of
  capture in the clause; drones, missiles, tanks or aircraft shot down, destroyed or launched, with such a verb;
  "за сутки" / "за добу" make any figure one day's;
- **the speaker**: an agency or official of one side (the defence ministry, the General Staff, the Kremlin, the
  President) in a clause with a reporting word ("заявили", "по данным", "повідомили"), and its side;
- **hedging**: "предварительно", "по предварительным данным", "попередньо", "ймовірно".

A clause that reads as something else (two places for one capture, a number with no kind beside it) gives no
claim: the English reading of the same event, by the stage's own rules, is what the analyst gets then.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

import pysbd

from warwatch.claims.claim import Claim
from warwatch.claims.quantities import interval
from warwatch.places import MORPHOLOGY, gazetteer, morphology, normal

LANGUAGES = MORPHOLOGY

_SEGMENTER = pysbd.Segmenter(language="ru", clean=False)  # no Ukrainian rules in pysbd: its punctuation is alike
_TOKEN = re.compile(r"\d+(?:[  ]\d{3})*(?:[.,]\d+)?(?:-[^\W\d_]+)?|[^\W\d_]+(?:['’ʼ-][^\W\d_]+)*|[,;:]")
_CLAUSE_BREAK = re.compile(r";\s+|,\s+(?:но|а|однако|хотя|проте|але|однак|хоча)\s+", re.I)

CAPTURE = {"освободить", "освобождение", "захватить", "захват", "овладеть", "звільнити", "звільнення", "захопити",
           "захоплення", "окупувати", "оккупировать"}
TAKE = {"взять", "взяти", "занять", "зайняти"}  # a capture only with the place right after ("взяли Угледар")
CONTROL_NOUN = {"контроль"}            # "установить контроль", "перейти под контроль", "встановити контроль"
CONTROL_VERB = {"установить", "встановити", "перейти"}
HOLD = {"контролировать", "удерживать", "контролювати", "утримувати", "тримати"}
FIGHT = {"бой", "бій"}
FIGHT_GOES_ON = {"продолжаться", "идти", "вестись", "тривати", "точитися", "йти"}
DENY = {"опровергнуть", "опровергать", "фейк", "ложь", "неправда", "спростувати", "спростовувати", "брехня"}
NEGATION = {"не", "ни", "ні"}

PEOPLE_KINDS = {  # the words of a count of people (lemmas), by the English frame's kind
    "killed": {"погибнуть", "погибший", "убить", "убитый", "гибель", "загинути", "загиблий", "вбити", "убити",
               "загибель"},
    "wounded": {"ранить", "раненый", "ранение", "пострадать", "пострадавший", "поранити", "поранений", "поранення",
                "травмувати", "травмований", "постраждати", "постраждалий"},
    "evacuated": {"эвакуировать", "эвакуированный", "эвакуация", "евакуювати", "евакуйований", "евакуація"},
    "prisoners": {"пленный", "плен", "полонений", "полон"},
    "missing": {"пропасть", "пропавший", "зникнути", "зниклий"},
}
_PEOPLE_KIND = {lemma: kind for kind, lemmas in PEOPLE_KINDS.items() for lemma in lemmas}
# What else a number counts, by the noun after it: settlements and areas taken, weapons shot down or destroyed.
SETTLEMENTS = {"пункт", "населить", "населённый", "населенный", "населений", "село", "деревня", "посёлок", "поселок",
               "селище"}
AREA = {"кв": 1.0, "км²": 1.0, "квадратный": 1.0, "гектар": 0.01, "га": 0.01}  # km² per unit
WEAPONS = {"беспилотник": "drone", "бпла": "drone", "дрон": "drone", "безпілотник": "drone", "шахед": "drone",
           "ракета": "missile", "танк": "tank", "самолёт": "aircraft", "літак": "aircraft", "вертолёт": "helicopter",
           "гелікоптер": "helicopter"}
WEAPON_VERBS = {"сбить": "shot down", "перехватить": "shot down", "збити": "shot down", "перехопити": "shot down",
                "знешкодити": "shot down", "уничтожить": "destroyed", "знищити": "destroyed",
                "запустить": "launched", "выпустить": "launched", "запустити": "launched", "випустити": "launched"}
GROUPS = {"ребёнок": "children", "ребенок": "children", "дитина": "children", "діти": "children",
          "военный": "military", "военнослужащий": "military", "військовий": "military",
          "військовослужбовець": "military"}
PART = ("в том числе", "среди них", "из них", "у тому числі", "в тому числі", "серед них", "з них")
MORE = {"ещё", "еще", "ще"}
DAY = ("за сутки", "за минувшие сутки", "за прошедшие сутки", "минувшей ночью", "за ночь", "за добу", "за минулу добу",
       "минулої доби", "вночі", "протягом доби")  # a figure for one day or night, not a total
RUNNING = {"возрасти", "увеличиться", "вырасти", "зрости", "збільшитися", "уже", "вже", "всего", "загалом"}
HEDGES = ("предварительн", "попередн", "возможно", "вероятно", "ймовірно", "можливо")
NOT_A_COUNT = {"год", "рік", "час", "година", "минута", "хвилина", "сутки", "доба", "день", "число", "процент",
               "відсоток", "км", "километр", "кілометр", "метр", "лет", "річний", "летний",
               "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
               "ноябрь", "декабрь", "січень", "лютий", "березень", "квітень", "травень", "червень", "липень",
               "серпень", "вересень", "жовтень", "листопад", "грудень",
               "удар", "район", "дом", "будинок", "область", "регион", "регіон",
               *SETTLEMENTS, *AREA, *WEAPONS}  # what follows a number that counts no one
MULTIPLIERS = {"тысяча": 1e3, "тисяча": 1e3, "тыс": 1e3, "тис": 1e3, "миллион": 1e6, "мільйон": 1e6, "млн": 1e6}
# Bound words before a number, by the names warwatch.claims.quantities gives the English ones.
BOUNDS = (("more than", r"более|свыше|больше|не менее|по меньшей мере|минимум|понад|більше|щонайменше|не менше"),
          ("less than", r"менее|меньше|менше|не більше|не более"),
          ("about", r"около|примерно|почти|приблизно|близько|майже"))
NUMERALS = {"один": 1, "два": 2, "двое": 2, "двоє": 2, "три": 3, "трое": 3, "троє": 3, "четыре": 4, "четверо": 4,
            "чотири": 4, "пять": 5, "пятеро": 5, "п'ять": 5, "п'ятеро": 5, "шесть": 6, "шестеро": 6, "шість": 6,
            "семь": 7, "семеро": 7, "сім": 7, "восемь": 8, "восьмеро": 8, "вісім": 8, "девять": 9, "девятеро": 9,
            "дев'ять": 9, "дев'ятеро": 9, "десять": 10, "десятеро": 10}

REPORTING = {"сообщить", "заявить", "рассказать", "подтвердить", "отметить", "написать", "уточнить", "сообщать",
             "заявлять", "сообщаться", "говориться", "повідомити", "заявити", "розповісти", "підтвердити",
             "зазначити", "написати", "уточнити", "повідомляти", "заявляти", "повідомлятися", "йтися",
             "опровергнуть", "спростувати", "объявить", "оголосити"}
ACCORDING_TO = ("по данным", "по словам", "по информации", "за даними", "за словами", "за інформацією")

RUSSIA, UKRAINE = "Russia", "Ukraine"
_OTHER = {RUSSIA: UKRAINE, UKRAINE: RUSSIA}
_OF_SIDE = {"россия": RUSSIA, "рф": RUSSIA, "росія": RUSSIA, "украина": UKRAINE, "україна": UKRAINE,
            "всу": UKRAINE, "зсу": UKRAINE}  # the words after an agency that say whose it is
# Who speaks: lemma -> side (None: the country named beside it, else the side whose language reports it).
SPEAKERS: dict[str, str | None] = {
    "минобороны": None, "міноборони": None, "генштаб": None, "кремль": RUSSIA, "песков": RUSSIA,
    "пєсков": RUSSIA, "путин": RUSSIA, "путін": RUSSIA, "белоусов": RUSSIA, "білоусов": RUSSIA, "шойгу": RUSSIA,
    "конашенков": RUSSIA, "захарова": RUSSIA, "лавров": RUSSIA, "герасимов": RUSSIA, "зеленский": UKRAINE,
    "зеленський": UKRAINE, "сырский": UKRAINE, "сирський": UKRAINE, "буданов": UKRAINE, "гур": UKRAINE,
    "сбу": UKRAINE, "всу": UKRAINE, "зсу": UKRAINE, "ермак": UKRAINE, "єрмак": UKRAINE, "подоляк": UKRAINE,
    "губернатор": None, "мэр": None, "мер": None,
}
_HOME = {"ru": RUSSIA, "uk": UKRAINE}  # "Минобороны" in Russian news is Russia's, "Міноборони" in Ukrainian Ukraine's
_LOCAL = {"губернатор", "мэр", "мер"}   # their side is their region's: not read here
# Forces: lemma -> the side they fight for.
FORCE_PAIRS = {("сила", "оборона"): UKRAINE, ("вс", "рф"): RUSSIA}  # "Сили оборони", "ВС РФ"
FORCES = {"российский": RUSSIA, "россиянин": RUSSIA, "оккупант": RUSSIA, "окупант": RUSSIA, "росіянин": RUSSIA,
          "російський": RUSSIA, "ворог": RUSSIA, "рф": RUSSIA, "всу": UKRAINE, "зсу": UKRAINE, "украинский": UKRAINE,
          "український": UKRAINE}


class _Word(NamedTuple):
    text: str
    lemma: str              # of its likeliest reading
    number: float | None    # its value, when it is a figure
    readings: frozenset[str] = frozenset()  # the lemmas of all its readings ("зросла": "зрослий", "зрости")
    noun: bool = False      # its likeliest reading is a noun


def extract_claims(title: str, text: str, published: datetime, source: str | None, language: str) -> list[Claim]:
    """The claims of a Russian or Ukrainian article (``language`` "ru" or "uk"), in reading order."""
    sentences = [title.strip(), *(s.strip() for s in _SEGMENTER.segment(text or ""))]
    claims: list[Claim] = []
    last_place: str | None = None
    for sentence in filter(None, sentences):
        words = _words(sentence, language)
        speaker, side = _speaker(words, sentence, language)
        for clause in filter(None, (c.strip() for c in _CLAUSE_BREAK.split(sentence))):
            found = _clause_claims(_words(clause, language), clause, side, last_place)
            day = "day" if any(marker in sentence.casefold() for marker in DAY) else None
            claims += [Claim(**fields, text=sentence, published=published, speaker=speaker, side=side, source=source,
                             language=language, hedged=_hedged(sentence), period=day if "value" in fields else None)
                       for fields in found]
            last_place = next((f["subject"] for f in reversed(found) if f["kind"] == "control"), last_place)
    return claims


def _clause_claims(words: list[_Word], clause: str, side: str | None, last_place: str | None) -> list[dict]:
    """The fields of the clause's claims beyond those its sentence gives them all (speaker, hedging, language)."""
    places = _places(clause)
    found = _figures(words, clause, places, side)
    if (control := _control([w.lemma for w in words], places, side, last_place)) is not None:
        found.append(control)
    return found


def _control(lemmas: list[str], places: list[tuple[str, int]], side: str | None, last_place: str | None) -> dict | None:
    """The clause's claim about the control of a place (with no place named, the one the article discusses), or
    None."""
    forces = _forces(lemmas)
    denied = any(lemma in DENY for lemma in lemmas)
    for i, lemma in enumerate(lemmas):
        if lemma in TAKE:
            place = _governed(places, i, reach=2, back=0)
        elif lemma in CAPTURE or (lemma in CONTROL_VERB and CONTROL_NOUN & set(lemmas[i + 1:i + 4])):
            place = _governed(places, i, reach=4, back=2)
        else:
            continue
        if place is None:
            continue
        capturer = _forces(lemmas[:i])  # the forces named before the verb
        if denied or NEGATION & set(lemmas[max(i - 2, 0):i]):  # "не взяли", "спростували захоплення": still held
            holder = _OTHER.get(capturer) if capturer and capturer != side else side
            return dict(kind="control", subject=place, polarity=False, actor=holder)
        return dict(kind="control", subject=place, polarity=True, actor=capturer or side)
    contested = any(lemma in FIGHT and FIGHT_GOES_ON & set(lemmas[max(i - 3, 0):i + 5])
                    for i, lemma in enumerate(lemmas))
    held = any(lemma in HOLD for lemma in lemmas) and forces
    if contested or held or denied:
        named = {place for place, _ in places}
        place = named.pop() if len(named) == 1 else None if named else last_place
        if place is not None:
            return dict(kind="control", subject=place, polarity=False, actor=forces or side)
    return None


def _governed(places: list[tuple[str, int]], verb: int, reach: int, back: int) -> str | None:
    """The one place a capture word at ``verb`` governs: named within ``reach`` words after it, else within
    ``back`` words before it (a passive: "Купянск освобожден")."""
    after = {place for place, at in places if verb < at <= verb + reach}
    before = {place for place, at in places if verb - back <= at < verb}
    chosen = after or before
    return chosen.pop() if len(chosen) == 1 else None


def _figures(words: list[_Word], clause: str, places: list[tuple[str, int]], side: str | None) -> list[dict]:
    """Figures of the clause, in the English frames: counts of people (:func:`_people`), and what else a number
    counts by the noun after it: settlements or an area taken (with a word of capture in the clause), weapons
    shot down, destroyed or launched (with such a verb in it)."""
    running = any(RUNNING & w.readings for w in words)
    found = _people(words, clause, places, running)
    if found is None:
        return []
    lemmas = [w.lemma for w in words]
    capture = any(lemma in CAPTURE or lemma in TAKE or lemma in CONTROL_NOUN or lemma in HOLD for lemma in lemmas)
    verb = next((WEAPON_VERBS[lemma] for lemma in lemmas if lemma in WEAPON_VERBS), None)
    for i, word in enumerate(words):
        if word.number is None or _dated(word) or (i and words[i - 1].lemma in MORE):
            continue  # "ещё одного населённого пункта": one more, not a count
        counted = next((w for w in words[i + 1:i + 4] if w.noun or _counted(w) in (*AREA, *SETTLEMENTS)), None)
        noun = _counted(counted) if counted else None
        if noun in AREA and capture:
            found.append(_figure(words, i, running, AREA[noun], kind="territory", unit="km²",
                                 actor=_forces(lemmas[:i]) or side))
        elif noun in SETTLEMENTS and capture:
            found.append(_figure(words, i, running, kind="settlements", actor=_forces(lemmas[:i]) or side))
        elif noun in WEAPONS and verb:
            found.append(_figure(words, i, running, kind=f"equipment:{WEAPONS[noun]}:{verb}"))
    return found


def _figure(words: list[_Word], i: int, running: bool, scale: float = 1.0, **fields: object) -> dict:
    """The fields of the figure the number at ``i`` gives (times ``scale``, a unit's), with ``fields``."""
    value = words[i].number * _multiplier(words, i) * scale
    bound = _bound(words, i)
    low, high = interval(value, value, value, bound)
    return dict(value=value, low=low, high=high, shown=words[i].text, bound=bound, running_total=running, **fields)


def _counted(word: _Word) -> str:
    """The noun a number counts, as the tables above name it (an abbreviation by its letters: "БПЛА")."""
    folded = word.text.casefold()
    return folded if folded in WEAPONS or folded in AREA else word.lemma


def _people(words: list[_Word], clause: str, places: list[tuple[str, int]], running: bool) -> list[dict] | None:
    """Counts of people: a number and a word of the dead, the wounded, the evacuated, prisoners or the missing that
    are each other's nearest (within five words, no other number or such word between: "число погибших возросло
    до 14"). A clause with a number that counts no one named ("... 5 загиблих, у Кривому Розі – про 10") is read
    as a whole or not at all: None."""
    kinds = {i: _PEOPLE_KIND[w.lemma] for i, w in enumerate(words) if w.lemma in _PEOPLE_KIND}
    numbers = [i for i, w in enumerate(words) if w.number is not None and not _not_a_count(words, i)]
    marks = sorted([*kinds, *numbers])

    def nearest(i: int, among: Iterable[int]) -> int | None:
        at = marks.index(i)
        beside = [j for j in (marks[at - 1] if at else None, marks[at + 1] if at + 1 < len(marks) else None)
                  if j is not None and j in among and abs(j - i) <= 5]
        return min(beside, key=lambda j: (abs(j - i), j)) if beside else None

    pairs = {i: k for i in numbers if (k := nearest(i, kinds)) is not None and nearest(k, numbers) == i}
    if any(i not in pairs and not _part(clause, words[i].text) for i in numbers):
        return None  # a part with no word of its own ("серед них двоє дітей") is no figure, but leaves no doubt
    named = {place for place, _ in places}
    where = named.pop() if len(named) == 1 else None
    found = []
    for i, k in pairs.items():
        group = next((GROUPS[w.lemma] for w in words[max(min(i, k) - 2, 0):max(i, k) + 3] if w.lemma in GROUPS), None)
        found.append(_figure(words, i, running, kind=kinds[k], subject=group, part=_part(clause, words[i].text),
                             where=where))
    return found


def _bound(words: list[_Word], i: int) -> str | None:
    """The bound the words before a number give it ("более 100", "щонайменше 20", "около 30")."""
    before = " ".join(w.text.casefold() for w in words[max(i - 3, 0):i])
    return next((name for name, pattern in BOUNDS if re.search(rf"(?:{pattern})$", before)), None)


def _not_a_count(words: list[_Word], i: int) -> bool:
    """A year, a time, an age or a count of things ("2024 года", "10-летний", "в 5 часов", "двох ракетних ударів"),
    by the number itself or the noun it counts (the first within three words), not a count of people."""
    if _dated(words[i]):
        return True
    counted = next((w for w in words[i + 1:i + 4] if w.noun or _counted(w) in NOT_A_COUNT), None)
    return counted is not None and _counted(counted) in NOT_A_COUNT


def _dated(word: _Word) -> bool:
    """An age or a year ("10-летний", "2024")."""
    return "-" in word.text or (1900 <= word.number <= 2100 and float(word.number).is_integer())


def _multiplier(words: list[_Word], i: int) -> float:
    return MULTIPLIERS.get(words[i + 1].lemma, 1.0) if i + 1 < len(words) else 1.0


def _part(clause: str, shown: str) -> bool:
    """Whether the figure ``shown`` counts part of another: a marker ("в том числе", "з них") in the words before."""
    before = clause[:clause.find(shown)].casefold()[-24:]
    return any(marker in before for marker in PART)


def _speaker(words: list[_Word], sentence: str, language: str) -> tuple[str | None, str | None]:
    """Who the sentence says speaks, with their side: the agency or official nearest a reporting word. An agency's
    side is that of the country or forces named in the two words after it ("Минобороны РФ", "Генштаб ВСУ"), else
    of the language reporting it; a governor's or mayor's is not read."""
    folded = sentence.casefold()
    reported = [i for i, w in enumerate(words) if w.lemma in REPORTING]
    if not (reported or any(phrase in folded for phrase in ACCORDING_TO) or re.match(r"^[^:]{2,40}:\s", sentence)):
        return None, None
    candidates = [i for i, w in enumerate(words) if w.lemma in SPEAKERS]
    if not candidates:
        return None, None
    i = min(candidates, key=lambda i: (min((abs(i - r) for r in reported), default=0), i))
    end, country = next(((j, _OF_SIDE[w.lemma]) for j, w in enumerate(words[i + 1:i + 3], i + 1)
                         if w.lemma in _OF_SIDE), (i, None))
    name = " ".join(w.text for w in words[i:end + 1])
    if words[i].lemma in _LOCAL:
        return name, None
    return name, SPEAKERS[words[i].lemma] or country or _HOME.get(language)


def _forces(lemmas: list[str]) -> str | None:
    """The side whose forces the clause names, when it names one side's only."""
    sides = {FORCES[lemma] for lemma in lemmas if lemma in FORCES}
    sides |= {side for pair, side in FORCE_PAIRS.items() if any(pair == tuple(lemmas[i:i + 2])
                                                                  for i in range(len(lemmas) - 1))}
    return sides.pop() if len(sides) == 1 else None


def _hedged(sentence: str) -> bool:
    folded = sentence.casefold()
    return any(hedge in folded for hedge in HEDGES)


def _places(clause: str) -> list[tuple[str, int]]:
    """The gazetteer places the clause names, as their English names, with the index of the word that names them."""
    places = gazetteer()
    return [(places.name_of(key), i) for key, i in places.find([normal(token) for token in _TOKEN.findall(clause)])]


def _words(text: str, language: str) -> list[_Word]:
    return [_word(token, language) for token in _TOKEN.findall(text)]


@lru_cache(maxsize=65536)
def _word(token: str, language: str) -> _Word:
    if token[0].isdigit():
        digits = re.sub(r"[  ]", "", token.split("-")[0]).replace(",", ".")
        return _Word(token, token, float(digits))
    parses = morphology(language).parse(token)
    readings = [p.normal_form.replace("’", "'").replace("ʼ", "'") for p in parses]
    return _Word(token, readings[0], NUMERALS.get(readings[0]), frozenset(readings), parses[0].tag.POS == "NOUN")
