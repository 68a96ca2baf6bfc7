"""A small hand-written lexicon of general English for comparing two sentences.

Words are reduced by :func:`stem` (a light suffix stripper, not a full stemmer); synonyms
share one stem. On stems: :func:`opposite` (empty/full, fold/unfold; :func:`position` for the
weaker sit/stand, up/down), :func:`contrast`
(man/woman, big/small), :func:`includes` (person includes woman) and :func:`number`.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import combinations

_IRREGULAR = {
    "men": "man", "women": "woman", "children": "child", "people": "person", "feet": "foot", "teeth": "tooth",
    "mice": "mouse", "geese": "goose", "lying": "lie", "lay": "lie", "laying": "lie", "lain": "lie",
    "ran": "run", "sat": "sit", "stood": "stand", "went": "go", "gone": "go", "won": "win", "lost": "lose",
    "took": "take", "taken": "take", "gave": "give", "given": "give", "ate": "eat", "eaten": "eat",
    "slept": "sleep", "rode": "ride", "ridden": "ride", "fell": "fall", "fallen": "fall", "rose": "rise",
    "risen": "rise", "sold": "sell", "bought": "buy", "came": "come", "began": "begin",
    "begun": "begin", "died": "die", "dying": "die", "better": "good", "best": "good", "worse": "bad",
    "worst": "bad", "held": "hold", "caught": "catch", "thrown": "throw", "threw": "throw", "shut": "close",
    "hid": "hide", "hidden": "hide", "thought": "think", "agreed": "agree", "freed": "free", "drank": "drink",
    "drunk": "drink", "wo": "will", "ca": "can", "sha": "shall",  # split "won't", "can't", "shan't"
    # "hate" would lose its final "e" and meet "hat": its forms go to the noun instead
    "hate": "hatred", "hates": "hatred", "hated": "hatred", "hating": "hatred",
    # a doubled final consonant that belongs to the word, not to the ending
    "adding": "add", "added": "add", "made": "make", "fed": "feed",
    # going without food, not "fast" as in quick
    "fasting": "starve", "fasted": "starve", "fasts": "starve",
}

_SYNONYMS = [
    "person someone somebody individual human",
    "child kid",
    "man guy gentleman",
    "woman lady",
    "boy lad",
    "big large huge giant enormous",
    "small little tiny",
    "quick fast rapid",
    "begin start",
    "end finish",
    "close shut",
    "cut slice chop",
    "talk speak",
    "shout yell scream",
    "hit strike",
    "jump leap bounce hop",
    "look watch gaze stare",
    "bike bicycle",
    "motorbike motorcycle",
    "car automobile",
    "photo photograph picture",
    "phone telephone",
    "other another",
    "stir mix blend",
    "whisk beat",
    "fix repair mend",
    "chase pursue",
    "road street",
    "stone rock",
    "sea ocean",
    "smile grin",
    "glad happy",
    "sad unhappy",
    "pan skillet",
    "near beside next",
    "stop halt",
    "attack assault",
    "kill slay",
    "destroy demolish",
    "increase rise grow",
    "decrease fall decline shrink",
    "wrong false untrue incorrect",
    "right correct true",
]

#: Opposite postures, motions and directions of a referent (sit/stand, up/down, on/off). They
#: change from moment to moment, and a particle's sense depends on its verb ("jump off a
#: dock into a pond"), so they are weaker evidence than the opposites below.
_POSITIONS = [
    "sit stand lie run walk", "move still", "run stop", "walk stop", "ride walk", "fly sit", "swim sit",
    "play rest", "work rest", "in out", "into out", "on off", "onto off", "up down", "above below",
    "over under", "top bottom", "front behind", "front back", "left right", "toward away",
    "upstairs downstairs", "uphill downhill", "forward backward",
]

#: Opposite states, relations and actions: said of the same thing, they cannot both hold.
_OPPOSITES = [
    "sleep wake", "asleep awake",
    # places and relations
    "inside outside", "inside outdoor", "indoor outdoor", "indoor outside", "near far", "close far",
    "before after", "enter leave exit", "arrive depart", "together alone", "together apart",
    # time and weather
    "day night", "morning evening", "dawn dusk", "summer winter", "sunny rainy cloudy", "hot cold",
    "warm cool", "wet dry", "early late", "today yesterday tomorrow",
    # amount and degree
    "full empty", "crowded empty", "many few", "more less", "more fewer", "most least", "all none",
    "always never", "everyone nobody", "everything nothing", "everywhere nowhere", "first last",
    "increase decrease", "rise fall", "raise lower", "gain loss", "maximum minimum", "same different",
    "entire partial", "complete incomplete", "whole part", "win lose", "victory defeat",
    # qualities
    "good bad", "happy sad", "right wrong", "true false", "easy hard", "easy difficult", "fast slow",
    "quick slow", "rich poor", "strong weak", "clean dirty", "safe dangerous", "loud quiet", "noisy quiet",
    "loud silent", "open closed", "open close", "alive dead", "live die", "present absent", "success failure",
    "succeed fail", "war peace", "friend enemy", "love hate", "like hate", "like dislike", "public private",
    "legal illegal", "possible impossible", "real fake", "guilty innocent", "calm angry",
    "boring interesting", "cheap expensive", "famous unknown", "certain uncertain", "ancient modern",
    "positive negative", "optimistic pessimistic", "simple complex", "natural artificial", "wild tame",
    "smooth rough", "soft hard", "sharp dull", "major minor", "internal external", "domestic foreign",
    "hungry full", "busy idle", "awake unconscious", "healthy sick", "healthy ill", "wealthy poor",
    # actions and their undoing
    "accept refuse", "accept reject", "agree disagree", "allow forbid", "allow ban", "confirm deny",
    "admit deny", "grant deny", "grant refuse", "remember forget", "include exclude", "give take",
    "push pull", "put remove", "add remove", "add subtract", "buy sell", "lend borrow", "send receive",
    "teach learn", "attack defend", "advance retreat", "capture lose", "hit miss", "catch miss",
    "catch drop", "hold drop", "pick drop", "sink float", "laugh cry", "smile frown",
    "dress undress", "tie untie", "fold unfold", "load unload", "pack unpack", "lock unlock", "cover uncover",
    "wrap unwrap", "plug unplug", "appear disappear", "reveal conceal", "show hide", "build destroy",
    "build demolish", "create destroy", "save waste", "spend save", "open shut", "start end", "start finish",
    "start stop", "begin end", "arrive leave", "come go", "come leave", "speak silent", "talk silent",
    "sing silent", "follow lead", "follow shun", "follow ignore", "listen ignore", "notice ignore",
    "wear remove", "mount dismount", "eat starve", "inhale exhale", "import export", "survive die", "pass fail",
    "confirm reject", "find lose", "dirty wash", "dirty clean", "empty fill", "heat cool", "freeze melt",
    "light extinguish", "flourish languish", "flourish decline", "support oppose", "praise criticize",
    "reward punish", "repair break", "fix break", "sell keep", "release arrest", "release detain",
    "with without", "withdraw advance", "withdraw deploy", "liberate occupy", "approve reject", "approve veto",
    "raise cut", "strengthen weaken", "expand shrink", "open block",
]

#: Opposite attributes of who or what is described (sex, age, size, colour): in a scene they
#: usually tell two different referents apart rather than contradict.
_CONTRASTS = [
    "man woman", "man lady", "boy girl", "male female", "husband wife", "father mother", "son daughter",
    "brother sister", "king queen", "adult child", "young old", "new old", "big small",
    "long short", "tall short", "wide narrow", "thick thin", "deep shallow", "high low", "heavy light",
    "fat thin", "light dark", "blond dark", "black white", "black blond",
]

#: General words and some of the more specific words they include.
_KINDS_OF = {
    "child": "boy girl baby kid toddler",
    "dog": "puppy",
    "cat": "kitten",
    "cook": "fry boil bake grill roast",
    "prepare": "cook fry boil bake grill roast",
    "cut": "dice carve mince",
    "put": "place lay sprinkle pour pack load insert",
    "ride": "trot gallop",
    "grass": "lawn",
    "gun": "pistol rifle",
    "person": "man woman boy girl child baby adult guy lady player worker soldier officer driver rider cook chef "
              "musician dancer singer student teacher doctor nurse police policeman firefighter farmer athlete "
              "cyclist biker skier surfer swimmer runner climber skateboarder snowboarder tourist resident civilian",
    "people": "men women boys girls children kids adults crowd group family team couple",
    "animal": "dog puppy cat kitten horse pony cow bird duck chicken sheep goat pig deer monkey bear lion tiger "
              "elephant fish snake rabbit mouse squirrel panda rhino giraffe zebra camel",
    "vehicle": "car truck bus van bike bicycle motorcycle motorbike jeep tractor train tank boat ship plane "
               "helicopter",
    "instrument": "guitar piano keyboard flute violin drum trumpet saxophone harp cello",
    "food": "meal meat bread rice pasta noodle egg cheese pizza fruit vegetable soup cake sandwich",
    "vegetable": "onion potato tomato carrot pepper eggplant cabbage lettuce cucumber garlic",
    "fruit": "apple banana orange lemon grape strawberry mango melon",
    "weapon": "gun rifle pistol shotgun knife sword missile rocket bomb",
    "building": "house school hospital church tower shop store office factory",
    "ball": "football soccer basketball baseball tennis",
    "water": "river lake sea ocean pool stream pond",
}

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "billion": 1_000_000_000, "dozen": 12, "single": 1, "couple": 2, "pair": 2,
    "both": 2, "lone": 1, "alone": 1, "twice": 2, "once": 1,
}

_TOKEN = re.compile(r"n't|[a-z0-9]+(?:[.,][0-9]+)*")


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; contractions split so that ``n't`` stands alone."""
    text = text.lower().replace("’", "'").replace("cannot", "can not")
    text = re.sub(r"(?<=[a-z])n't\b", " n't", text)
    text = re.sub(r"\bno[ -]one\b", "nobody", text)
    return _TOKEN.findall(text)


@cache
def stem(word: str) -> str:
    """A light stem: irregular forms, plural/-ing/-ed endings and a final "e" dropped; synonyms share one."""
    base = _base(word)
    return _SYNONYM_OF.get(base, base)


def _base(word: str) -> str:
    base = _IRREGULAR.get(word) or _strip(word)
    return base[:-1] if len(base) > 3 and base.endswith("e") else base  # closing/close, raising/raise


def _strip(word: str) -> str:
    if len(word) <= 3 or not word.isalpha() or word.endswith("eed"):
        return word  # need, succeed
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            base = word[: len(word) - len(suffix)] + repl
            if suffix in ("ing", "ed") and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # running -> run, stopped -> stop
            return base
    return word


_SYNONYM_OF = {_base(w): _base(group.split()[0]) for group in _SYNONYMS for w in group.split()}


def _pairs(groups: list[str]) -> frozenset[frozenset[str]]:
    pairs = (frozenset((stem(x), stem(y))) for group in groups for x, y in combinations(group.split(), 2))
    return frozenset(pair for pair in pairs if len(pair) == 2)


_POSITION_PAIRS = _pairs(_POSITIONS)
_OPPOSITE_PAIRS = _pairs(_OPPOSITES) | _POSITION_PAIRS
_CONTRAST_PAIRS = _pairs(_CONTRASTS)

_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non")

_HYPONYMS: dict[str, set[str]] = {}
for _general, _specific in _KINDS_OF.items():
    _HYPONYMS.setdefault(stem(_general), set()).update(stem(w) for w in _specific.split())


def includes(general: str, specific: str) -> bool:
    """Whether stem ``general`` is ``specific`` or a more general word for it ("person", "woman")."""
    return general == specific or specific in _HYPONYMS.get(general, ())


def contrast(a: str, b: str) -> bool:
    """Whether stems ``a`` and ``b`` are opposite attributes of a referent (man/woman, big/small)."""
    return frozenset((a, b)) in _CONTRAST_PAIRS


def position(a: str, b: str) -> bool:
    """Whether stems ``a`` and ``b`` are opposite postures or directions (sit/stand, up/down)."""
    return frozenset((a, b)) in _POSITION_PAIRS


def opposite(a: str, b: str) -> bool:
    """Whether stems ``a`` and ``b`` are opposites: listed, or one is the other with a negating prefix."""
    if frozenset((a, b)) in _OPPOSITE_PAIRS:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and any(long_ == p + short for p in _PREFIXES)


def number(word: str) -> float | None:
    """The value of a numeral token ("3", "1,200", "twelve"), else ``None``."""
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    try:
        return float(word.replace(",", ""))
    except ValueError:
        return None
