"""General English word lists shared by the stages that read and compare texts: negations and function words."""

from __future__ import annotations

#: Words that negate the verb they go with: those a dependency parse marks "neg".
VERB_NEGATIONS = frozenset({"not", "n't", "never"})

#: Words that negate the clause they are in.
NEGATIONS = VERB_NEGATIONS | {"no", "nobody", "none", "nothing", "nowhere", "neither", "nor", "noone", "cannot"}

#: Function words left out when the content of two texts is compared.
STOPWORDS = frozenset("""
a an the this that these those some any each its it his her their our my your there here
is are was were be been being am do does did has have had will would shall should can could may might must
of to for by at as with from and or but so than then if while when which who whom whose what where how
i you he she we they me him us them one ones also just very really quite something anything
""".split())
