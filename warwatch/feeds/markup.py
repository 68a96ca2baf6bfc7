"""Make feed HTML safe to hand to Python's ``html.parser`` in linear time.

On this project's Python (3.11.7) ``html.parser`` is quadratic on constructs left
unclosed (CVE-2025-6069, fixed only in 3.11.13 and later): at the end of input it
rescans the rest of the text once for every ``<`` that opens a comment, tag or
declaration it cannot close, so 80 KB of ``<a `` takes about a minute. No library
in the project extracts text in linear time without that parser, so this module
removes what would set it off, with the same closing rules the parser uses:

- a comment (``<!--``) with no ``--\\s*>`` after it runs to the end of the text, as
  HTML5 has it, so the rest is dropped;
- a ``<![CDATA[`` section is kept only when ``]]>`` closes it;
- any other ``<`` that does not start a whole tag, end tag, processing instruction or
  declaration before the next ``<`` (and with balanced quotes) becomes ``&lt;``: text.

Well-formed markup passes unchanged, so normal feeds give the same text as before.
"""

from __future__ import annotations

import re

_COMMENT_END = re.compile(r"--\s*>")  # html.parser's comment close
_CDATA_END = re.compile(r"]\s*]\s*>")  # html.parser's marked-section close
_WHOLE_MARKUP = re.compile(
    r"""<(?:[A-Za-z][^<>"']*(?:(?:"[^"<>]*"|'[^'<>]*')[^<>"']*)*>  # start tag, quotes balanced
         |/[A-Za-z][^<>]*>                                         # end tag
         |\?[^<>]*>                                                # processing instruction
         |!(?!--|\[)[^<>]*>                                        # declaration or bogus comment
       )""",
    re.VERBOSE,
)


def defuse_markup(html: str) -> str:
    """``html`` with every construct that ``html.parser`` could not close removed or escaped.

    Runs in linear time: each scan either jumps past what it matched or, when a
    closer is missing, stops looking for that closer.
    """
    parts: list[str] = []
    pos = 0
    cdata_can_close = True
    while (start := html.find("<", pos)) >= 0:
        parts.append(html[pos:start])
        if html.startswith("<!--", start):
            match = _COMMENT_END.search(html, start + 4)
            if match is None:
                return "".join(parts)
        elif html[start:start + 9].upper() == "<![CDATA[" and cdata_can_close:
            match = _CDATA_END.search(html, start + 3)
            cdata_can_close = match is not None  # none closes later either: stop searching
        else:
            match = _WHOLE_MARKUP.match(html, start)
        if match is None:
            parts.append("&lt;")
            pos = start + 1
        else:
            parts.append(html[start:match.end()])
            pos = match.end()
    parts.append(html[pos:])
    return "".join(parts)
