"""Step 1b: is the item a report of news, or talk about the news?

Op-eds, columns, explainers, newsletters and briefings, podcasts and question headlines
retell or weigh what happened; they rarely are the first word of a new
development, and two of them on the same subject look, to every measure of meaning, like
two sources confirming one. They still tell the saga's words and names, but they never
confirm a story (``engine``): its sources are the outlets that report it.
Live blogs, video sections and blogs are left out: a live page, a video report or a
company's own blog is often the first to tell a development. A *clip* is not: a headline
that bids the reader watch or hear ("Watch: X discusses the collapse", "Hear X respond to
...", "Video: ...", "... – video", a live stream's "Live View Over the Border") shows
someone saying, or a place where, what was told elsewhere. Over the
six labelled sagas no clip was the first report of a development, and the ones confirmed
as developments were all false alarms or retellings (issue 12's notes).

The signs are those of the trade, the same in every saga: the section a page lives in
(``/opinion/``, ``/commentisfree/``, ``/podcasts/``), a genre label heading
the title ("Analysis:", "The Papers:", "... | Podcast"), a headline that asks or
explains instead of telling ("Why...", "Five things to know"), and one that weighs what
may happen ("... could force ..."). A word list, kept here on
purpose: these are the conventions of news sites, not of any one story, and no library
we know of classifies a page's genre from its URL and headline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.lexicon import ROLE_RE, ROLE_WORDS, fold
from monitor.novelty.outlets import on_host
from monitor.novelty.places import country_named, state_named

# URL path segments (folded) of the sections where news sites keep talk about the news.
SECTIONS = frozenset({
    # en
    "opinion", "opinions", "comment", "commentisfree", "commentary", "column", "columns",
    "columnists", "editorial", "editorials", "podcast", "podcasts", "audio", "analysis",
    "explainer", "explainers", "briefing", "perspectives", "letters", "newsletter",
    "newsletters",
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
    "what you need to know", "everything you need to know",
    "weekend reads", "first thing", "the morning after", "morning briefing",
    "evening briefing",
    # a newsletter named after its hour ("The Hill's Morning Report —", "Tuesday Afternoon
    # Update:", "...: Morning Rundown")
    "morning report", "morning update", "afternoon update", "evening update",
    "morning rundown", "evening rundown",
    "letters", "tribune", "chronique", "edito", "decryptage", "analyse",
    "opinia", "komentarz", "felieton", "analiza",
    # clips: "Watch: ...", "Video: ...", "... – video", "Wideo: ..."
    "watch", "watch live", "video", "wideo", "livestream", "live stream",
)
_LABEL = "|".join(re.escape(x) for x in sorted(LABELS, key=len, reverse=True))
_SEP = r"(?::|\||\s[\-–—])"  # a hyphen separates only between spaces ("day-long live")
_HEAD = re.compile(rf"^\W*(?:[\w'.]+\s+){{0,2}}(?:{_LABEL})\s*{_SEP}", re.I)
_TAIL = re.compile(rf"(?:\||:|\s[\-–—])\s*(?:[\w'.]+\s+){{0,2}}(?:{_LABEL})\W*$", re.I)
_QUESTION = re.compile(r"\?\W*$")
# A headline bidding the reader watch or hear ("Watch Jane Doe explain...", "Hear John Roe
# respond to...", "Regardez...", "Zobacz, jak..."; not "Watch out for..."), or a live
# stream's ("LIVE: Live View Over the Border (Nov. 14)"; "...: livestream" is a label): a
# clip. Folded.
_CLIP = re.compile(r"^\W*(?:watch(?!\W+out\b)|hear|listen|regardez|ecoutez|zobacz|posluchaj)\b"
                   r"|(?:^|:)\W*live ?(?:view|stream)\b")
# A headline that explains instead of telling: "Why X fired Y", "How the bank failed",
# "What the failures mean for...", "Here's what...", "Five things to know", "Breaking down
# X's attack on Y", "A look at...", "(Key) takeaways from...", "Timeline: ...", "Fact
# check: ...", "Oto cztery wykresy...", "Pourquoi..."; at the start of the headline or
# after one of its colons (``_after_colons``). Folded.
# "Five things to know", "The three big questions the jury must answer"
_COUNTED = (r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten)\s+(?:[a-z]+\s+)?"
            r"(?:things|charts|ways|lessons|takeaways|questions|reasons|key)")
_EXPLAINS = re.compile(
    r"^\W*(?:why|how|what|here'?s|here is|everything you need|breaking down|"
    r"a (?:closer )?look at|(?:key )?takeaways|timeline|fact[- ]check(?:ing)?|"
    rf"(?:the\s+)?{_COUNTED}|"
    r"dlaczego|jak|oto|co (?:to )?oznacza|pourquoi|comment|ce qu)\b"
    # or ends on a count of them: "Doe meets Roe: 6 takeaways"
    rf"|:\s*{_COUNTED}\b[^:]*$"
)

# A headline that weighs what may happen instead of telling what did ("X could force...",
# "Y might have...", "... pourrait ..."): the conditional of en and fr, and a forecast ("X
# predicts Y will be next", "przewiduje"; a forecast is news only once it comes true),
# folded.
_SPECULATES = re.compile(
    r"\b(?:could|might|would|pourrai(?:t|ent))\b(?!-)"  # not "would-be"
    r"|\b(?:predicts|prognozuje|przewiduje|predit)\b"  # verbs: "forecasts" is a noun too
    # "... will be next", not "Jane Doe to be next chief executive" (an appointment)
    rf"|\b(?:will|to) be (?:the )?next\b(?!\s+(?:{ROLE_WORDS}|chief|head|leader)\b)")


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


# A column headed by its author's name in capitals, then a colon ("JANE DOE: The bailout
# is a scandal", "JOHN ROE: What the minister wrote"): the convention of the tabloids' and
# the cable channels' opinion pages for a host's monologue or a columnist's piece. Two or
# three words of capitals, not the newsroom's own labels ("FIRST ON FOX:", "BREAKING
# NEWS:", "UK LATEST:", which head news).
_BYLINE = re.compile(r"^\W*([A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+){1,2})\s*:\s*\S")
_NEWSROOM = frozenset({"first", "on", "breaking", "news", "exclusive", "latest", "live",
                       "update", "updates", "watch", "video", "report", "alert", "just", "in",
                       "the", "of", "and", "uk", "us", "u.s."})


def _column(title: str) -> bool:
    """Whether ``title`` opens on a columnist's or a host's name in capitals (``_BYLINE``)
    and is not itself all capitals."""
    head = _BYLINE.match(title)
    if head is None or title.isupper():
        return False
    return not any(w.lower() in _NEWSROOM for w in head.group(1).split())


_COLONS = re.compile(r"[:|]")


def _after_colons(head: str) -> list[str]:
    """A headline, and what follows each colon or bar in it: an explainer often comes
    after a topic or a quote ("Jane Doe arrested: what we know so far", "'The app should
    be banned': key takeaways from the hearing")."""
    return [head, *_COLONS.split(head)[1:]]


def genre(title: str, url: str | None) -> Genre:
    """Whether a feed item is talk about the news rather than news, and why."""
    section = _section(url)
    if section:
        return Genre(True, f"in the {section!r} section")
    if _column(title):
        return Genre(True, "its headline opens on its columnist's name")
    head = fold(title).strip()
    if _HEAD.search(head) or _TAIL.search(head):
        return Genre(True, "a genre label in its title")
    if _CLIP.search(head):
        return Genre(True, "its headline is a clip's")
    if _QUESTION.search(head):
        return Genre(True, "its headline asks a question")
    if any(_EXPLAINS.search(part) for part in _after_colons(head)):
        return Genre(True, "its headline explains")
    if _SPECULATES.search(head):
        return Genre(True, "its headline speculates")
    return NEWS


# Verbs that report speech, the closed class every newsroom heads a quote with ("X says",
# "..., warns X", "X hopes a buyer comes through"); en, fr, pl. A statement is someone
# reacting to the news; it makes the speaker a commentator of the saga, not one of its
# actors.
_SPEECH = re.compile(
    r"^(?:says?|said|saying|warns?|warned|urges?|urged|tells?|told|thinks?|believes?|"
    r"predicts?|hopes?|slams?|blasts?|torches?|rips|lambast(?:s|ed)|bash(?:es|ed)|mocks?|mocked|"
    r"scolds?|chides?|rails|criticises?|criticizes?|insists?|argues?|claims?|"
    r"dit|estime|affirme|declare|juge|assure|"
    r"mowi|powiedzial|powiedziala|uwaza|ostrzega|twierdzi|apeluje|przekonuje|zapewnia|"
    r"ocenia|komentuje)\b"
)
_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def speaks(title: str, name: str) -> bool:
    """Whether the headline gives ``name`` as the speaker of a statement: "Doe: It's
    disingenuous...", "Kowalski z PIE: ...", "Jane Doe Says the Bank Must...", "...,
    warns John Doe", and "Doe says..." when the report names Jane Doe in full further
    down. What the speaker did is the statement, nothing else."""
    t, n = fold(title), fold(name)
    at = t.find(n)
    if at < 0 and " " in n:  # "Doe says...": the report gives Jane Doe's full name below
        n = n.rsplit(" ", 1)[1]  # as a word: "Nowak" is not in "Nowakowski"
        word = re.search(rf"(?<!\w){re.escape(n)}(?!\w)", t) if len(n) >= 4 else None
        at = word.start() if word else -1
    if not n or at < 0:
        return False
    before, after = t[:at], t[at + len(n):]
    head = after.split(":", 1)
    if (len(head) == 2 and len(_WORDS.findall(before)) <= 2
            and len(_WORDS.findall(head[0])) <= 3 and len(_WORDS.findall(head[1])) >= 3):
        return True  # "Name: quote", "Name of Outfit: quote" (not "... sold shares: report")
    follows = " ".join(_WORDS.findall(after)[:2])
    if _SPEECH.match(follows) or _SPEECH.match(" ".join(_WORDS.findall(after)[1:2])):
        return True  # "Name says", "Name reportedly says"
    last = _WORDS.findall(before)[-1:]
    # "..., warns Name" ends the headline or a clause of it; "chair says Name will not be
    # minister" tells what the chair said about Name
    ends = len(_WORDS.findall(after)) <= 3 or re.match(r"\s*[,:;(\-–—|]", after) is not None
    return bool(last) and ends and _SPEECH.match(last[0]) is not None


# Words that may come before a name opening a headline ("Former President X", "Ex-CEO X").
_BEFORE_NAME = frozenset({"former", "ex", "us", "then", "new", "outgoing", "acting", "vp", "gov",
                          "sen", "rep", "dr", "mr", "ms", "mrs"})


def _after_quote(head: str) -> str:
    """A headline without the quotation it opens with ("'Quote': Name does..."), a short
    one: what follows says who did it."""
    quote = head.split(": ", 1)
    return quote[1] if len(quote) == 2 and len(_WORDS.findall(quote[0])) <= 8 else head


def headed_by(title: str, forms: Iterable[str]) -> bool:
    """Whether the headline opens on one of ``forms`` (an actor's name and aliases), as
    its subject: "Doe outlines consequences for failed banks' executives", "President
    Doe signs...", "'Banking is safe': Jane Doe reassures markets". A role or an
    adjective before the name is allowed ("President", "Former"), nothing else: "Roe
    slams Doe" is Roe's headline, not Doe's."""
    head = _after_quote(fold(title).strip())
    # a form ending in a title is nobody ("Florida Gov", cut short of its holder)
    names = [" ".join(w) for w in (_WORDS.findall(fold(x)) for x in forms)
             if w and not ROLE_RE.fullmatch(w[-1]) and w[-1] not in _BEFORE_NAME]
    words = _WORDS.findall(head)
    while words:  # the name, or a role before it ("New Harbor Bank" keeps "new")
        text = " ".join(words)
        if any(len(f) >= 4 and (text == f or text.startswith(f + " ")) for f in names):
            return True
        if not (ROLE_RE.fullmatch(words[0]) or words[0] in _BEFORE_NAME):
            return False
        words = words[1:]
    return False


# "Former", "ex-" (folded): what follows it is a past affiliation. English only: French
# and Polish put the role first ("ancien PDG de Globex", "były prezes Globexu")
_FORMER = r"(?:ex-|ex |former )"


def formerly(title: str, forms: Iterable[str]) -> bool:
    """Whether the headline names someone (``forms``: his name, his surname) only as
    another's past affiliation: "former" or "ex-" right before the name and a word after
    it ("Ex-Harbor Lawyer Jane Doe Joins...", "Former Globex publisher testifies"). The
    lawyer, the publisher is the one in the news, not his old client or employer."""
    head = fold(title)
    former = named = 0
    for form in forms:
        key = re.escape(" ".join(_WORDS.findall(fold(form))))
        if len(key) < 4:
            continue
        named += len(re.findall(rf"\b{key}\b", head))
        former += len(re.findall(rf"\b{_FORMER}{key}(?:'s)? \w", head))
    return former > 0 and former == named


# The nouns that describe a speaker by what he does ("market expert", "former CEO",
# "presidential candidates"): job titles and the trades of commentary; en, pl.
_TRADES = (
    rf"{ROLE_WORDS}|experts?|analysts?|economists?|strategists?|commentators?|pundits?|"
    r"stars?|hosts?|billionaires?|candidates?|lawmakers?|ekspert\w*|analityk\w*|"
    r"ekonomist\w*|szef\w*"
)
_DESCRIBED = re.compile(rf"(?:{_TRADES})$")
_TRADE = re.compile(rf"^(?:{_TRADES})$")
# ... and verbs that only head a reaction ("Jordan minister doubts...", "Party
# candidates respond..."); not those that also tell an act ("Judge dismisses...").
_REACTS = re.compile(r"^(?:reacts?|rips|weighs|responds?|doubts?)$")
_SAYS_AT_END = re.compile(r",\s*([^,]{2,40}?)\s+(?:says|said|warns|claims)\W*$")


def described_speaker(title: str) -> str | None:
    """The words heading a statement whose speaker the headline describes instead of
    naming ("Market expert predicts...", "Former Acme CEO blasts...", "Party
    candidates react...", "Acme's chairman: we are safe"), folded; None for any other
    headline. A described speaker is someone reacting to the news unless the words name
    one of the saga's actors (the caller checks: "Bank CEO says..." of the saga's bank
    is news)."""
    tail = _SAYS_AT_END.search(fold(title))  # "..., lawmaker says"
    if tail and _DESCRIBED.search(" ".join(_WORDS.findall(tail.group(1)))):
        return " ".join(_WORDS.findall(tail.group(1)))
    for part in fold(title).split(": ")[:2]:  # "'Quote': Former CEO blasts..."
        words = _WORDS.findall(part)
        for i, w in enumerate(words[:7]):
            if _SPEECH.match(w) or _REACTS.match(w):
                phrase = " ".join(words[:i])
                if i and _DESCRIBED.search(phrase):
                    return phrase
                break
    head = fold(title).split(": ", 1)  # "Regulator's governor: the banks are safe"
    if len(head) == 2 and len(_WORDS.findall(head[1])) >= 3:
        # of the sentence heading the quote ("Bank fails. Expert: ..." is the expert's)
        words = _WORDS.findall(re.split(r"[.!?]\s", head[0])[-1])
        if 1 <= len(words) <= 4 and any(_TRADE.match(w) for w in words):
            return " ".join(words)
    return None


# Verbs by which a headline tells someone reacting to the news rather than acting in it
# ("Former VP Doe reacts to...", "Roe fires back at...", "Senators 'strongly condemn'...",
# "Doe has 'no comment' on...", "Party hopefuls rally behind..."); en, fr, pl, folded.
# Not what may be an act of war ("strikes back", "hits back" alone, "war rages"), nor
# "says" (a statement by one of the saga's parties is often its news: "Bank says
# deposits are safe"), nor "calls for", "accuses" (an official demand, a charge).
_REACTION = re.compile(
    r"\b(?:reacts?|reacted|reacting|responds?|responded|(?:fires?|fired|slaps?) back|"
    r"hits? back at|lash(?:es|ed)? out|vows?|vowed|calls? on|called on|rall(?:y|ies|ied) "
    r"(?:to|behind|around)|rag(?:es?|ed) (?:at|against|over)|roasted|weighs? in|weighed in|"
    r"(?:has|had) ['\"]?no comment|rants?|ranted|defends?|defended|praises?|praised|"
    r"condemns?|condemned|denounces?|denounced|mocks?|mocked|slams?|slammed|blasts?|blasted|"
    r"rips|ripped|torches|trolls?|doubts?|doubted|"
    r"trolled|jabs?|swipes? at|takes? aim|took aim|sounds? off|speaks? out|spoke out|"
    r"congratulates?|congratulated|hails?|hailed|applauds?|applauded|welcomes?|welcomed|"
    r"reagit|repond|denonce|condamne|salue|reaguje|zareagowal\w*|potepi\w*|krytykuje|"
    r"wytyka|ripostuje|zripostowal\w*|grzmi|chwali|kpi|drwi|szydzi|"
    r"gratuluje|pogratulowal\w*)\b")


# Those who stand by or against someone, named after him ("Doe allies", "Roe critics").
_FOLLOWERS = frozenset({"allies", "supporters", "fans", "backers", "loyalists", "critics",
                        "rivals", "opponents", "foes", "detractors", "zwolennicy",
                        "przeciwnicy", "partisans", "soutiens"})
_BE = frozenset({"is", "are", "was", "were", "be", "been", "being", "jest", "est"})


def reaction(title: str, cast: Iterable[str]) -> bool:
    """Whether a headline tells someone outside the saga's ``cast`` (the forms of its
    active protagonists) reacting to the news: its subject, in its first words, reacts,
    fires back, condemns, vows, has no comment ("Former VP Doe reacts to Roe's post",
    "'Quote': Senator Poe slams...", "Furious fans rage at the prosecutor"). A reaction
    by one of the saga's parties ("Roe responds to the subpoena") may be its next step;
    an outsider's is talk about it, however widely told."""
    head = fold(title).strip()
    quote = head.split(": ", 1)
    if len(quote) == 2 and len(_WORDS.findall(quote[0])) <= 8:
        head = quote[1]  # "'Quote': Name reacts..."
    head = re.sub(r"'s\b", "", head)  # "Doe's lawyer responds": Doe's side
    m = _REACTION.search(head)
    if m is None or not 1 <= len(before := _WORDS.findall(head[:m.start()])) <= 7:
        return False
    if before[-1] in _BE:
        return False  # "Doe's return is welcomed by Roe": the one reacted to heads it
    if _FOLLOWERS & set(before):
        return True  # "Doe allies rally to his defence": his camp, not Doe
    return not headed_by(head, cast)


# A headline reporting an opinion poll ("Poll: most voters back...", "New survey finds...",
# "Sondaż: Polacy...", "[SONDAŻ]"); en, fr, pl, folded.
_POLL = re.compile(
    r"(?:^|[:.]\s*)\W*(?:poll|survey|sondaz\w*|sondage)\b|\b(?:new|latest|a) (?:poll|survey)\b"
    r"|\b(?:polls?|surveys?|sondages?)\s+(?:shows?|finds?|says?|suggests?|reveals?)\b"
    r"|\bsondaz\w*")


def polled(title: str) -> bool:
    """Whether a headline reports an opinion poll: what people think of the news, not
    news, however many outlets carry it."""
    return _POLL.search(fold(title)) is not None


# Words by which a headline tells talks, a plan or an offer rather than a thing done ("X in
# talks to buy Y", "X weighs a sale", "X explores bankruptcy", "X rozważa..."); en, fr,
# pl, folded. The same conventions in every saga; the act itself is never named here.
_TENTATIVE = re.compile(
    r"\b(?:in talks|talks (?:to|with|on|over|about)|holds talks|in discussions?|"
    r"negotiat\w*|consider(?:s|ing)|weigh(?:s|ing)|mull(?:s|ing)?|explor(?:es|ing)|"
    r"plans? to|planning|near(?:s|ing)? (?:a )?deal|offers? to|envisag\w*|negoci\w*|pourparlers|"
    r"rozmow\w*|rozmawia\w*|negocj\w*|rozwaz\w*|planuje|zamierza\w*)\b"
)


def tentative(title: str) -> bool:
    """Whether a headline tells talks, a plan or an offer ("Globex in talks to take over
    Acme") rather than a thing done ("Globex agrees to buy Acme"). Done
    after planned is the plan's next stage: a development, however close its words."""
    return _TENTATIVE.search(fold(title)) is not None


# Words by which a headline announces a decision to come ("Court to rule on the plan",
# "Board set to vote", "Sejm ma zdecydować"); en, pl, folded.
_AHEAD = re.compile(r"\b(?:to (?:rule|decide|vote)|set to|expected to|poised to|"
                    r"prepar(?:es|ing) (?:to|for)|gear(?:s|ing) up|read(?:ies|ying)|"
                    r"ma (?:zdecydowac|orzec)|rozstrzygnie)\b")


def pending(title: str) -> bool:
    """Whether a headline tells a plan (``tentative``) or a decision still to come ("Court
    to rule on the plan"): the ruling, the vote is its next stage, however close its
    words to the announcement's (``stories.moved_on``)."""
    return tentative(title) or _AHEAD.search(fold(title)) is not None


def republished(feed: str, aggregators: Iterable[str]) -> bool:
    """Whether the feed is a news aggregator's (``[novelty] aggregators``, a host or one of
    its subdomains): it carries other outlets' reports, often under a headline of its own,
    so its copy of a report is no second source of it."""
    return on_host(feed, aggregators)


# A headline that asks who someone is ("Who is Jane Roe, the bank's new CEO?", "Kim jest
# Jan Nowak?", "Qui est ...?"): the press explains a person who has just come to matter.
_WHO = re.compile(r"^\W*(?:who\s+is|who's|kim\s+jest|qui\s+est)\s+(.+?)\s*(?:[?,:;(]|\s[-–—|]|$)",
                  re.I)


def explained(title: str) -> str | None:
    """The words a "Who is ...?" headline asks about ("Jane Roe" in "Who is Jane Roe, the
    bank's new CEO?", "Globex's lawyer Jane Roe"), or None for any other headline."""
    m = _WHO.match(title)
    return m.group(1) if m else None


# What a country's name heads when the country's institution acts: "Turkey's parliament
# ratifies..." (en; French and Polish put the country after: "le parlement turc")
_INSTITUTIONS = frozenset({"parliament", "government", "cabinet", "legislature", "lawmakers",
                           "legislators", "house", "congress", "senate", "court", "ministry",
                           "regulators"})
_HEAD_WORDS = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*\.?")


def heading_country(title: str) -> str | None:
    """The country, or federation's state, a headline opens on as the party that acts,
    as the headline writes it ("UK bans the app from government phones", "Turkey's
    parliament ratifies...", "Montana lawmakers approve..."): its government,
    legislature or court did it. Not a country whose person or company heads it
    ("Spain's Sanchez wins..."), nor a demonym ("Israeli PM..."). A state's name heads
    other names too ("Washington Post", "Victoria Beckham"): only a verb in lower case
    or an institution may follow it."""
    words = _HEAD_WORDS.findall(_after_quote(title.strip()))
    for size in (3, 2, 1):
        if len(words) <= size or not words[0][:1].isupper():
            continue
        span = words[:size]
        owner = fold(span[-1]).endswith("'s")
        text = " ".join([*span[:-1], span[-1][:-2]] if owner else span)
        after = words[size]
        if state_named(text) and not country_named(text):
            if (after.islower() and not owner) or fold(after) in _INSTITUTIONS:
                return text
            return None
        if not country_named(text):
            continue
        if (owner and fold(after) not in _INSTITUTIONS) or country_named(after):
            return None  # "Spain's Sanchez wins...", "US China talks..."
        return text
    return None
