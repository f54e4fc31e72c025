"""Step 1b: is the item a report of news, or talk about the news?

Op-eds, columns, explainers, newsletters and briefings, podcasts and question headlines
retell or weigh what happened; they rarely are the first word of a new
development, and two of them on the same subject look, to every measure of meaning, like
two sources confirming one. They still tell the saga's words and names, but they never
confirm a story (``engine``): its sources are the outlets that report it.
Live blogs, videos and blogs are left out: a live page or a company's own blog is often
the first to tell a development.

The signs are those of the trade, the same in every saga: the section a page lives in
(``/opinion/``, ``/commentisfree/``, ``/podcasts/``), a genre label heading
the title ("Analysis:", "The Papers:", "... | Podcast"), and a headline that asks instead
of telling. A word list, kept here on purpose: these are the conventions of news sites,
not of any one story, and no library we know of classifies a page's genre from its URL
and headline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.lexicon import fold

# URL path segments (folded) of the sections where news sites keep talk about the news.
SECTIONS = frozenset({
    # en
    "opinion", "opinions", "comment", "commentisfree", "commentary", "column", "columns",
    "columnists", "editorial", "editorials", "podcast", "podcasts", "audio", "analysis",
    "explainer", "explainers", "briefing", "perspectives", "letters",
    # fr
    "tribune", "tribunes", "chronique", "chroniques", "edito", "editos", "debats",
    "decryptage",
    # pl
    "opinie", "felieton", "felietony", "komentarz", "komentarze", "podcasty", "publicystyka",
})

# Genre labels that head a title ("Analysis: ...", "Opinion | ...") or close it
# ("... | Podcast", "... - live updates"). Folded, matched as whole words.
LABELS = (
    "opinion", "analysis", "comment", "commentary", "column", "editorial", "explainer",
    "explained", "podcast", "listen", "newsletter", "briefing", "the papers", "daily open",
    "week in review", "recap", "roundup", "round-up", "what we know", "what to know",
    "letters", "tribune", "chronique", "edito", "decryptage", "analyse",
    "opinia", "komentarz", "felieton", "analiza",
)
_LABEL = "|".join(re.escape(x) for x in sorted(LABELS, key=len, reverse=True))
_SEP = r"(?::|\||\s[\-–—])"  # a hyphen separates only between spaces ("day-long live")
_HEAD = re.compile(rf"^\W*(?:[\w'.]+\s+){{0,2}}(?:{_LABEL})\s*{_SEP}", re.I)
_TAIL = re.compile(rf"(?:\||\s[\-–—])\s*(?:[\w'.]+\s+){{0,2}}(?:{_LABEL})\W*$", re.I)
_QUESTION = re.compile(r"\?\W*$")


@dataclass(frozen=True, slots=True)
class Genre:
    commentary: bool
    why: str = ""


NEWS = Genre(False)


def _section(url: str | None) -> str | None:
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for seg in fold(path).split("/")[:-1]:  # the last segment is the page's own slug
        if seg in SECTIONS:
            return seg
    return None


def genre(title: str, url: str | None) -> Genre:
    """Whether a feed item is talk about the news rather than news, and why."""
    section = _section(url)
    if section:
        return Genre(True, f"in the {section!r} section")
    head = fold(title).strip()
    if _HEAD.search(head) or _TAIL.search(head):
        return Genre(True, "a genre label in its title")
    if _QUESTION.search(head):
        return Genre(True, "its headline asks a question")
    return NEWS
