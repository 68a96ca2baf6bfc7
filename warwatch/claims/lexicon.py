"""Words the claim extractor recognises: kinds of figures, sides, statuses, causes, hedges, attribution.

Hand-written domain vocabulary for war reporting in English. Each table maps the words an
outlet uses to the canonical name a comparison works on.
"""

from __future__ import annotations

import re

from warwatch.lexicon import NEGATIONS

# Quantity kinds: a figure's kind comes from the first of these words near it. Words are matched
# at the start of a lower-cased token, so "evacuat" covers evacuated/evacuation/evacuating.
QUANTITY_KINDS: dict[str, tuple[str, ...]] = {
    "killed": ("killed", "dead", "died", "death", "deaths", "fatalities", "fatality", "toll", "perished",
               "lost their lives", "killing", "kills"),
    "wounded": ("wounded", "injured", "injuring", "injuries", "hurt"),
    "missing": ("missing",),
    "evacuated": ("evacuat", "rescued", "rescue", "saved", "moved out", "moved away", "relocated",
                  "brought to safety"),
    "prisoners": ("prisoner", "pows", "captives", "taken captive", "surrendered", "captured"),
    "displaced": ("displaced", "refugees", "fled"),
}

# Figures of these kinds add up over time: a later, moderately higher figure is an update.
CUMULATIVE = {"killed", "wounded", "evacuated", "prisoners", "displaced", "territory", "settlements"}

# Words that make a figure a running total ("so far", "a total of").
RUNNING_TOTAL = ("so far", "a total of", "already", "as of", "to date", "in total", "now", "has risen",
                 "rose to", "risen to", "climbed")

# Control of ground: verbs and phrases that say someone holds or took territory or a place.
CONTROL = ("control", "hold", "holds", "held", "holding", "taken", "took", "take", "captur", "seiz",
           "occup", "liberat", "sitting on", "fell", "fallen", "gained", "advanced")
LAND = ("land", "territory", "ground", "region", "area")

# Military hardware that is counted: kind "equipment:<noun>" together with its verb.
EQUIPMENT = ("tank", "aircraft", "helicopter", "plane", "jet", "drone", "missile", "rocket",
             "armoured vehicle", "armored vehicle", "artillery", "ship", "vessel", "boat")
EQUIPMENT_VERBS = {"destroyed": ("destroy",), "shot down": ("shot down", "downed", "intercept"),
                   "launched": ("launch", "fired")}

SETTLEMENT_NOUNS = ("settlement", "village", "town", "localit")

# Nouns (lemmas) a people count never counts: "residents of 12 villages were evacuated" counts villages.
NOT_PEOPLE = {"settlement", "village", "town", "locality", "city", "building", "house", "home", "apartment", "school",
              "hospital", "region", "district", "oblast", "area", "community", "day", "hour", "week", "month", "year",
              "time", "km", "kilometre", "kilometer", "mile", "percent", "%", "tank", "aircraft", "helicopter", "drone",
              "missile", "rocket", "vehicle", "ship", "vessel", "boat", "shell", "round", "bomb", "object", "facility"}

PEOPLE_GROUPS: dict[str, tuple[str, ...]] = {
    "military": ("soldier", "servicem", "troop", "sailor", "crew", "fighter", "marine", "personnel",
                 "officer", "conscript", "mercenar", "member"),
    "children": ("child", "children", "kid", "minor"),
    "civilian": ("civilian", "resident", "local", "inhabitant", "villager"),
}

TIME_UNITS = ("second", "minute", "hour", "day", "week", "month", "year", "night", "noon", "a.m", "p.m",
              "am", "pm", "percent", "per cent", "%", "st", "nd", "rd", "th", "time", "km/h", "mph")

# Sides of the war, by the words that name them (lower case; matched as whole words, a possessive "'s" dropped):
# the states, their capitals and forces, their agencies, and the officials, commanders and spokespeople who speak
# for them. A phrase's side is that of its first such word.
SIDES: dict[str, tuple[str, ...]] = {
    "Russia": ("russia", "russian", "russians", "moscow", "kremlin", "wagner", "prigozhin", "putin", "peskov",
               "shoigu", "lavrov", "zakharova", "gerasimov", "belousov", "konashenkov", "medvedev", "nebenzia",
               "nebenzya", "polyanskiy", "ushakov", "ryabkov", "bortnikov", "patrushev", "naryshkin", "surovikin",
               "kadyrov", "pushilin", "pasechnik", "saldo", "balitsky", "aksyonov", "razvozhayev", "gladkov",
               "fsb", "rosgvardia", "rosatom", "roscosmos", "duma", "tass", "ria", "interfax", "russian-backed",
               "russian-installed", "occupation"),
    "Ukraine": ("ukraine", "ukrainian", "ukrainians", "kyiv", "kiev", "zelensky", "zelenskyy", "zelenskiy",
                "yermak", "podolyak", "podoliak", "arestovych", "arestovich", "kuleba", "sybiha", "shmyhal",
                "reznikov", "umerov", "syrskyi", "zaluzhnyi", "budanov", "maliuk", "malyuk", "danilov", "klymenko",
                "klitschko", "lubinets", "ihnat", "yusov", "cherevatyi", "tarnavsky", "lykhovyi", "prokudin",
                "sbu", "gur", "energoatom", "ukrenergo", "naftogaz", "neptune"),
}

# Outlets that speak for a side: state media, and national outlets under martial law. A claim whose speaker names
# no side is weighed as its outlet's (lower case, matched at the start of the outlet's name).
OUTLET_SIDES: dict[str, tuple[str, ...]] = {
    "Russia": ("tass", "ria novosti", "sputnik", "rt", "izvestia", "rossiyskaya gazeta", "pravda.ru", "zvezda",
               "komsomolskaya pravda", "channel one russia"),
    "Ukraine": ("ukrinform", "ukrainska pravda", "suspilne", "unn", "censor.net", "babel", "liga.net", "rbc-ukraine",
                "interfax-ukraine", "kyiv post", "the kyiv independent", "kyiv independent", "euromaidan press",
                "empr", "hromadske", "espreso", "nv.ua", "ukrainian pravda"),
}

# Statements that a place is still contested: a denial of its capture.
CONTESTED = re.compile(
    r"\b(fighting (?:\w+ )?(?:continues|continued|goes on|is going on|was (?:still )?going on|still going on"
    r"|is ongoing)"
    r"|(?:are|is|were) (?:still )?fighting (?:in|for)|still controls?|still holds?|recaptured|retook|has not fallen"
    r"|continues? to (?:hold|control)"
    r"|not been (?:captured|taken))\b", re.I)

# A bare denial of what was just reported ("This is not true", "rejected the claim").
DENIAL = re.compile(
    r"\b(?:(?:is|was|it's) not (?:true|so|the case)"
    r"|(?:rejected|rejects|denied|denies|disputed|disputes|refuted|dismissed)"
    r"(?: (?:the|this|that|these|such|\w+'s))? (?:claims?|reports?|allegations?|statements?)|untrue|false claims?)\b",
    re.I)

# Completeness of an evacuation or rescue ("the crew was completely evacuated").
COMPLETE_EVACUATION = re.compile(
    r"\b(?:(?:completely|fully|safely|all|entire|whole|everyone|everybody)\b[^.;]{0,60}?\b(?:evacuated|rescued)"
    r"|(?:evacuated|rescued) (?:in full|completely|entirely))\b", re.I)
FAILED_EVACUATION = re.compile(r"\b(?:failed|unable|could not|couldn't) to (?:evacuate|rescue)\b", re.I)

# Cause and responsibility. A cause claim needs a causal phrase; its mechanism is what the
# phrase names (an attack or an accident), its actor the side it blames.
CAUSAL = re.compile(
    r"\b(?:as a result of|caused by|due to|because of|hit by|struck by|blown up|blew up|blowing up|blow up"
    r"|destroyed by|sabotage|accus\w*|blam\w*|responsib\w*|carried out|attack(?:ed)? by|hit the|struck the"
    r"|(?:killed|murdered|shot|executed|tortured) by"
    r"|involvement|destroying)\b", re.I)
MECHANISMS: dict[str, tuple[str, ...]] = {
    "attack": ("missile", "neptune", "drone", "strike", "shelling", "shell", "torpedo", "rocket", "bomb",
               "blown up", "blew up", "blowing up", "blow up", "sabotage", "terrorist", "attack", "explosion",
               "explosive", "mine", "destroying", "destroyed by"),
    "accident": ("fire", "detonation", "detonated", "storm", "accident", "malfunction", "technical",
                 "negligence", "wear", "ammunition"),
    # the defender's own interceptor falling, not the attacker's weapon ("caused by a falling air-defence missile")
    "air defence": ("air defense", "air defence", "air-defense", "air-defence", "anti-aircraft", "interceptor",
                    "counter-missile", "anti-missile", "nasams"),
}
# An ammunition fire or detonation on board is an accident even though it explodes.
ACCIDENT_PHRASES = re.compile(r"\b(?:explosion|detonation) of (?:the )?ammunition|ammunition (?:detonat|explo)\w*",
                              re.I)
DENIED_INVOLVEMENT = re.compile(r"\b(?:denied|denies|deny|rejects?|rejected)\b[^.;]{0,60}"
                                r"\b(?:involvement|responsib\w*|accusations?)\b", re.I)

HEDGES = re.compile(
    r"\b(?:(?-i:may)|might|could|reportedly|allegedly|possibly|apparently|unconfirmed|unverified|rumou?red|believed"
    r"|appears?|doing the rounds|claim(?:s|ed)?|purportedly|as much as|as many as|up to"
    r"|not (?:be )?(?:independently )?(?:verif\w*|confirm\w*))\b", re.I)
NOT_CONFIRMED = re.compile(r"\b(?:not|never|yet to|declined to) (?:(?:independently|officially) )?(?:confirm|verif)\w*",
                           re.I)
# A status said not to hold: the common negations and a denial verb (the rarer negations were never read here).
NEGATION = re.compile(r"\b(?:" + "|".join(sorted(
    (NEGATIONS - {"nothing", "nowhere", "neither", "nor", "noone", "cannot"}) | {"denied", "denies"})) + r")\b", re.I)

COMPARED_WITH = {"than", "what"}
"""Words that set what another says against the report ("far less than Moscow claims", "a fraction of what Moscow
claims"): the reporting verb they govern attributes nothing of the sentence."""
SAY_VERBS = ("said", "says", "told", "announced", "stated", "claimed", "claims", "reported", "reports",
             "added", "insists", "insisted", "maintains", "maintained", "confirmed", "declared", "wrote",
             "posted", "believes", "alleged", "noted", "informed", "accused", "accuses", "blamed", "blames",
             "rejected", "rejects", "denied", "denies", "disputed", "warned", "estimated", "admitted", "admits",
             "acknowledged", "acknowledges", "conceded", "concedes", "stressed", "emphasised", "emphasized",
             "explained", "asserted", "asserts", "assured", "argued", "argues")
PRONOUNS = {"he", "she", "they", "it", "we", "i", "the ministry", "the statement", "the agency", "the official",
            "officials", "the spokesman", "the spokesperson"}

# Bare nouns that stand for a speaker named earlier ("the ministry said").
GENERIC_SPEAKERS = {"ministry", "statement", "agency", "official", "officials", "spokesman", "spokesperson",
                    "spokeswoman", "military", "government", "authorities", "army", "command", "source", "sources",
                    "report", "claim"}

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
          "dec")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# How many: capitalised at the head of a sentence ("Three civilians were injured"), never a place.
COUNT_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
               "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
               "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "hundreds", "thousand",
               "thousands", "million", "millions", "dozen", "dozens", "several", "some", "many", "most", "more",
               "all", "both", "none", "nobody", "no", "few", "every", "each")

# Capitalised words that are never the place a status claim is about.
NOT_PLACES = {
    "the", "a", "an", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we", "our", "his",
    "her", "their", "in", "on", "at", "but", "and", "as", "after", "today", "tomorrow", "yesterday", "until",
    "however", "meanwhile", "earlier", "later", "initially", "ministry", "defense", "defence", "group",
    "army", "forces", "units", "troops", "president", "general", "commander", "chief", "military", "spokesperson",
    "spokesman", "reuters", "telegram", "video", "city", "town", "region", "oblast", "black", "sea", "fleet",
    "national", "security", "council", "wagner", "armed", "eastern", "southern", "northern", "western",
    "operational", "command", "head", "state", "news", "agency", "yevgeny", "serhiy", "oleksandr", "volodymyr",
    "dmitry", "sergei", "vladimir", "oleksiy", *MONTHS, *WEEKDAYS, *COUNT_WORDS,
}


def kind_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.I)
