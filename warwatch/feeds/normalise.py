"""Turn feed fields into plain text, canonical URLs, UTC datetimes, hashes and languages."""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
from datetime import datetime, timedelta, timezone
from functools import cache
from html.parser import HTMLParser
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from warwatch.feeds.markup import defuse_markup

#: Languages detection chooses among when a feed declares none: those of the war's
#: feeds. Declare any other language in the feed list.
DETECTED_LANGUAGES = ("en", "uk", "ru")

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
    "ysclid", "twclid", "ttclid", "igshid", "li_fat_id", "mc_cid", "mc_eid",
    "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "ref_url", "wt_mc",
    "wt_zmc", "at_medium", "at_campaign", "cmpid", "smid", "guccounter",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_DROPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
_BLOCK_TAGS = frozenset({
    "br", "p", "div", "li", "ul", "ol", "dd", "dt", "tr", "td", "th", "table", "pre",
    "blockquote", "section", "article", "header", "footer", "figure", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "title",
})
_ANY_TAG = re.compile(r"<[^<>]*>")
_MAX_FUTURE = timedelta(days=1)
_EARLIEST = datetime(1995, 1, 1, tzinfo=timezone.utc)  # before web feeds existed
_MIN_LETTERS = 10
_DETECT_CHARS = 2000


def collapse(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return " ".join(text.split())


def html_to_text(html_text: str) -> str:
    """Plain text of HTML: entities unescaped, scripts dropped, blocks separated by a space.

    The markup is defused first (:func:`~warwatch.feeds.markup.defuse_markup`) so the parser stays linear.
    """
    if not html_text:
        return ""
    if "<" not in html_text:
        return collapse(html.unescape(html_text))
    html_text = defuse_markup(html_text)
    extractor = _TextExtractor()
    try:
        extractor.feed(html_text)
        extractor.close()
    except AssertionError:  # the stdlib parser gives up on some bad declarations, e.g. "<![;"
        return collapse(html.unescape(_ANY_TAG.sub(" ", html_text)))
    return collapse("".join(extractor.parts))


class _TextExtractor(HTMLParser):
    """Streams text out of HTML in linear time.

    The stdlib parser that BeautifulSoup's "html.parser" builder wraps, used without
    building a tree: bs4's tree building is quadratic in nesting depth, which a
    hostile feed can exploit.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _DROPPED_TAGS:
            self._dropping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_TAGS:
            self._dropping = max(0, self._dropping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.parts.append(data)

    def unknown_decl(self, data: str) -> None:
        if data.startswith("CDATA["):
            self.handle_data(data[len("CDATA["):])


def canonical_url(url: str | None) -> str:
    """``url`` with lower-case scheme and host, no default port, fragment or tracking parameters."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if parts.hostname is not None:
        host = parts.hostname  # already lower-case
        if ":" in host:
            host = f"[{host}]"
        if port is not None and port != _DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
        userinfo = netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{host}" if userinfo else host
    path = parts.path or ("/" if netloc else "")
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((scheme, netloc, path, query, ""))


def _is_tracking(param: str) -> bool:
    name = unquote_plus(param.partition("=")[0]).strip().lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def to_utc(parsed: time.struct_time | None, fallback: datetime) -> datetime:
    """An aware UTC datetime from a feedparser ``*_parsed`` tuple (UTC), else ``fallback``.

    ``fallback`` (aware; usually the fetch time) is also used for invalid tuples and for
    absurd times: before 1995 or more than a day after ``fallback``.
    """
    fallback = fallback.astimezone(timezone.utc)
    if parsed is None:
        return fallback
    try:
        when = datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return fallback
    return when if _EARLIEST <= when <= fallback + _MAX_FUTURE else fallback


def content_hash(title: str, text: str) -> str:
    """sha256 hex of title and text, insensitive to case and whitespace changes."""
    normalised = f"{collapse(title.casefold())}\n{collapse(text.casefold())}"
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def detect_language(text: str, declared: str | None = None) -> str | None:
    """Primary language subtag: ``declared`` (e.g. "en-GB" -> "en") if usable, else detected.

    Detection (py3langid, about 30 µs a headline) chooses among ``DETECTED_LANGUAGES``;
    text with fewer than ten letters gives None.
    """
    primary = _primary_subtag(declared)
    if primary:
        return primary
    sample = text[:_DETECT_CHARS]
    if sum(map(str.isalpha, sample)) < _MIN_LETTERS:
        return None
    return _identifier().classify(sample)[0]


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(list(DETECTED_LANGUAGES))
    return identifier


def _primary_subtag(tag: str | None) -> str | None:
    primary = (tag or "").strip().replace("_", "-").partition("-")[0].lower()
    return primary if 2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha() else None
