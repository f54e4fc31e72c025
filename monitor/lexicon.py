"""Language resources (French, English, Polish): action triggers, cues, stop-words.

Nothing here is about any particular saga: these are the words news use for leadership,
corporate and political developments. Patterns are matched on *folded* text
(lower-case, accents removed; see :func:`fold`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The combining marks of the Basic Multilingual Plane (accents, cedillas, ogoneks...),
# as one character class: removed by a regex at C speed, not character by character.
_COMBINING = re.compile(
    "[" + "".join(re.escape(chr(i)) for i in range(0x300, 0x10000)
                  if unicodedata.combining(chr(i))) + "]"
)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case and strip accents; keeps length stable for ASCII-ish text. Cached:
    names and words come again and again (a long text read once: :func:`fold_text`)."""
    return fold_text(text)


def fold_text(text: str) -> str:
    """:func:`fold`, uncached: a feed item's text would fill the cache for nothing."""
    text = text.replace("’", "'").replace("ł", "l").replace("Ł", "L")
    if text.isascii():  # nothing to strip: most of the stream
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).lower()


# action -> regex over folded text. Order matters only for display.
ACTIONS: dict[str, str] = {
    "fired": (
        r"\b(licenci\w*|limog\w*|vire[es]?|renvoy\w*|evinc\w*|evince\w*|destitu\w*|"
        r"demis de ses fonctions|congedi\w*|fire[sd]?|firing|ouste[rd]?|oust(s|ing)?|"
        r"sack(ed|s|ing)?|dismiss(ed|al|es)?|remov(ed|al)\s+(as|from)|push(ed)? out|"
        r"forced out|zwolni\w*|odwola\w*|wyrzuc\w*|usuni\w*)\b"
    ),
    "resigned": (
        r"\b(demission\w*|demissionn\w*|quitt\w*|resign\w*|quit(s|ting)?|"
        r"step(s|ped)? down|stepping down|leaves|leaving the (board|company)|departs|"
        r"departed|departure|exit(s|ed)|no longer (serve|be on)|"
        r"rezygn\w*|odszed\w*|odchodz\w*|odeszl\w*|odejs\w*)\b"
    ),
    "appointed": (
        r"\b(nomme[es]?|nomination|designe[es]?|names|named|naming|appoint\w*|installed as|"
        r"interim ceo|ceo par interim|pdg par interim|par interim|to chair|will chair|"
        r"chairs|chaired|as chair\w*|observer|board seat|seat on the board|join(s|ed)? the board|"
        r"mianowa\w*|powola\w*|tymczasow\w*)\b"
    ),
    "hired": (
        r"\b(embauch\w*|rejoin\w*|recrut\w*|join(s|ed|ing)?|hire[sd]?|hiring|poach\w*|"
        r"dolacz\w*|zatrudni\w*)\b"
    ),
    "returned": (
        r"\b(retour\w*|revien\w*|revenir|reintegr\w*|reconduit\w*|return(s|ed|ing)?|"
        r"reinstat\w*|rehir\w*|comeback|come back|back as ceo|back at|"
        r"wraca\w*|powrot\w*|powroci\w*)\b"
    ),
    "invested": (
        r"\b(invest(i|ir|it|is|issement|issements|ed|s|ing|ment)|financement|"
        r"funding|fundrais(ing|ed|es?)|lever \d|raise[sd]? \$|"
        r"(seek|seeking|sought|raising|raise) (billions|millions|funds|money|capital|\$)|"
        r"zainwestow\w*|inwestycj\w*)\b"
    ),
    "threatened": (
        r"\b(menac\w*|threat\w*|ultimatum|letter|lettre|en masse|mass resignation|"
        r"grozi\w*|list otwarty)\b"
    ),
    "negotiated": (
        r"\b(pourparlers|negoci\w*|negotiat\w*|talks|discussions?|in talks|"
        r"agreement in principle|reached an agreement|deal to|"
        r"rozmow\w*|negocjac\w*)\b"
    ),
    "investigated": r"\b(enquete\w*|investigat\w*|inquiry|probe|dochodzen\w*|sledztw\w*)\b",
    "regretted": r"\b(regrett?\w*|apologi\w*|excuses|sorry|zaluj\w*|przeprasz\w*)\b",
}

# Actions that are close enough that two reports may be the same development.
RELATED_ACTIONS: dict[frozenset[str], float] = {
    frozenset({"hired", "appointed"}): 0.7,
    frozenset({"returned", "negotiated"}): 0.4,
    frozenset({"resigned", "threatened"}): 0.4,
    frozenset({"fired", "resigned"}): 0.3,
    frozenset({"returned", "appointed"}): 0.3,
}

# Speculation: a sentence with these and no firm verb is not a development (or is "talks").
SPECULATIVE = re.compile(
    r"\b(pourrai\w*|serai\w*|eventuel\w*|potentiel\w*|envisag\w*|hypothes\w*|"
    r"could|might|would|may|possible|possibly|possibilit\w*|considering|rumou?r\w*|sugg\w*|"
    r"options?|si|if|unless|a moins que|"
    r"want(s|ed)?|veu[tx]|voudrai\w*|souhait\w*|hop(e|es|ing)|espere\w*|whether|"
    r"moze|mogl\w*|ewentualn\w*)\b"
)

ROLE_WORDS = (
    r"pdg|ceo|cto|coo|cfo|president|presidente|chair\w*|directeur|directrice|"
    r"co-?fondat\w*|co-?found\w*|founder|fondateur|membre du conseil|board member|"
    r"administrat\w*|representant au conseil|siege au conseil|scientifique en chef|"
    r"chief \w+ officer|chief scientist|"
    r"investisseur\w*|investor\w*|prezes\w*|dyrektor\w*|wspolzalozyciel\w*|head of|"
    r"responsable|executive|dirigeant\w*|researcher|chercheur\w*|"
    r"secretary|minister|ministre|economist|board members?|prezydent\w*|senator|governor|"
    r"sekretarz\w*|ministr\w*"
)
ROLE_RE = re.compile(rf"\b({ROLE_WORDS})\b")

# Capitalised words of a job title that precede a name (folded).
TITLE_WORDS = frozenset(
    [
        "chief",
        "operating",
        "officer",
        "executive",
        "technology",
        "financial",
        "product",
        "president",
        "vice",
        "board",
        "directors",
        "director",
        "head",
        "bureau",
        "interim",
        "former",
        "incoming",
        "acting",
        "senior",
        "ceo",
        "cto",
        "coo",
        "cfo",
        "cpo",
        "co-founder",
        "cofounder",
        "founder",
        "chairman",
        "chairwoman",
        "chair",
        "researcher",
        "scientist",
        "deputy",
        "general",
        "managing",
        "partner",
        "prezes",
        "dyrektor",
        # offices of state before a name ("Prime Minister Jane Roe", "Speaker John Doe",
        # "Premier Nowak", "Marszałek Adam Wiśniewski"), en, fr, pl with the Polish cases a
        # headline gives them: the office is a role, the name is the person ("Premier
        # Nowak" made a second person beside "Jan Nowak"). Not "szef" (a boss): on the
        # labelled sagas it cut one false alarm and, with it, the three newcomers that
        # alarm's story brought (docs/notes/novelty-12.md, 2026-12-07)
        "prime",
        "minister",
        "ministre",
        "premier",
        "speaker",
        "senator",
        "governor",
        "mayor",
        "chancellor",
        "judge",
        "premiera",
        "premierem",
        "prezydent",
        "prezydenta",
        "prezydentem",
        "marszalek",
        "marszalka",
        "marszalkiem",
        "marszalkini",
        "wicemarszalek",
        "wicepremier",
        "ministra",
        "ministrem",
        "posel",
        "posla",
        "poslanka",
        "rzecznik",
    ]
)

# Name followed by a source-reporting verb, or preceded by "according to": an outlet.
SOURCE_BEFORE = re.compile(
    r"(selon|d'apres|rapport de|rapporte|comme le rapporte|cite par|citee? par|according to|"
    r"reported by|told|per|via|wedlug|podaje|za)\s*$"
)
SOURCE_AFTER = re.compile(
    r"^\s*(reported|reports|a rapporte|rapporte|a revele|revele|said in a report|"
    r"vient de citer|cite|citant|podal\w*|donosi)\b"
)
# Journalist cues: "X de The Verge a écrit", "X of Bloomberg", "The Verge's X", "By X".
JOURNALIST_BEFORE = re.compile(
    r"^\s*(by|par|autor)\s*:?\s*$"  # a byline: "By X" alone before the name
    r"|\b(written|reported|reporting|photo|photograph|image|illustration|edited) by"
    r"( (photographer|reporter|correspondent))?\s*:?\s*$"
    r"|\b(editor|reporter|correspondent|columnist|bureau chief|photographer|anchor)"
    r"( at [\w .]+)?,?\s*$"
)
TWEET_SIGNATURE = re.compile(r"^\s*\(@\w+\)\s*(\d{1,2}\s+\w+\s+\d{4}|\w+\s+\d{1,2},\s+\d{4})")
HISTORICAL_AFTER = re.compile(r"^\s*,?\s*(en|in|w)\s+(1\d{3}|20[01]\d)\b|^\s*en son temps")

# English words that open a sentence or a headline and are never a name.
_EN_OPENERS = [
    "Despite",
    "Behind",
    "Amid",
    "Following",
    "Per",
    "Until",
    "Among",
    "Under",
    "Over",
    "Into",
    "Which",
    "Whose",
    "Also",
    "Just",
    "Only",
    "Even",
    "Still",
    "Yet",
    "Then",
    "Now",
    "Today",
    "Tonight",
    "Yesterday",
    "Tomorrow",
    "Here",
    "There",
    "Some",
    "Many",
    "Most",
    "More",
    "Several",
    "Every",
    "Each",
    "Both",
    "Either",
    "Neither",
    "Former",
    "Incoming",
    "Outgoing",
    "Ousted",
    "Interim",
    "Exclusive",
    "Breaking",
    "Update",
    "Updated",
    "Report",
    "Reports",
    "Opinion",
    "Analysis",
    "Watch",
    "Listen",
    "Read",
    "Photo",
    "Video",
    "Live",
    "Comments",
    "Points",
    "Article",
    "URL",
    "Images",
    "Photos",
    "Pictures",
]

# Capitalised words that are never (part of) a person's or organisation's name.
STOP_CAPS = frozenset(
    fold(w)
    for w in [
        "Le",
        "La",
        "Les",
        "L",
        "Un",
        "Une",
        "Des",
        "De",
        "Du",
        "D",
        "Et",
        "Ou",
        "Mais",
        "Donc",
        "Car",
        "Ce",
        "Cet",
        "Cette",
        "Ces",
        "Il",
        "Elle",
        "Ils",
        "Elles",
        "On",
        "Nous",
        "Vous",
        "Je",
        "Tu",
        "Si",
        "Selon",
        "Dans",
        "Pour",
        "Par",
        "Sur",
        "Sous",
        "Avec",
        "Sans",
        "Chez",
        "Plus",
        "Moins",
        "Tout",
        "Tous",
        "Toute",
        "Toutes",
        "Comme",
        "Quand",
        "Alors",
        "Après",
        "Avant",
        "Depuis",
        "Pendant",
        "Lors",
        "Enfin",
        "Encore",
        "Déjà",
        "Aussi",
        "Ainsi",
        "Cependant",
        "Pourtant",
        "Toutefois",
        "Néanmoins",
        "Mardi",
        "Lundi",
        "Mercredi",
        "Jeudi",
        "Vendredi",
        "Samedi",
        "Dimanche",
        "Janvier",
        "Février",
        "Mars",
        "Avril",
        "Mai",
        "Juin",
        "Juillet",
        "Août",
        "Septembre",
        "Octobre",
        "Novembre",
        "Décembre",
        "The",
        "A",
        "An",
        "And",
        "Or",
        "But",
        "If",
        "In",
        "On",
        "At",
        "Of",
        "To",
        "For",
        "From",
        "By",
        "With",
        "Without",
        "As",
        "Is",
        "Are",
        "Was",
        "Were",
        "Be",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "Its",
        "He",
        "She",
        "They",
        "We",
        "You",
        "I",
        "His",
        "Her",
        "Their",
        "Our",
        "My",
        "Your",
        "Who",
        "What",
        "When",
        "Where",
        "Why",
        "How",
        "So",
        "Yet",
        "Thus",
        "Hence",
        "Although",
        "Though",
        "Because",
        "Unlike",
        "Amid",
        "Despite",
        "Against",
        "Among",
        "Instead",
        "Indeed",
        "Moreover",
        "Furthermore",
        "Nevertheless",
        "Perhaps",
        "Whether",
        "Which",
        "Both",
        "Each",
        "Every",
        "Such",
        "Several",
        "After",
        "Before",
        "Since",
        "During",
        "While",
        "Also",
        "Still",
        "Even",
        "Just",
        "Now",
        "Then",
        "Here",
        "There",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Breaking",
        "Update",
        "Updated",
        "Exclusive",
        "Opinion",
        "Analysis",
        "Live",
        "News",
        "Report",
        "Reports",
        "Sources",
        "Source",
        "Read",
        "More",
        "Photo",
        "Video",
        "Image",
        "PDG",
        "CEO",
        "CTO",
        "COO",
        "CFO",
        "IA",
        "AI",
        "X",
        "Twitter",
        "Acte",
        "Act",
        "Fin",
        "Titre",
        "Résumé",
        "Climax",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Sir",
        "Lord",
        "President",
        "Président",
        "Chairman",
        "Chief",
        "Board",
        "Conseil",
        "Directeur",
        "Former",
        "Ancien",
        "Ancienne",
        "Interim",
        "New",
        "Nouveau",
        "Nouvelle",
        "Co",
        "Inc",
        "According",
        "Meanwhile",
        "However",
        "Yesterday",
        "Today",
        "Tomorrow",
        "Hier",
        "Aujourd",
        "Demain",
        "W",
        "Na",
        "Z",
        "Do",
        "Od",
        "Po",
        "Za",
        "I",
        "Oraz",
        "Jak",
        "Czy",
        "Ten",
        "Ta",
        "To",
        "Nie",
        "Tak",
        "Ale",
        "Poniedziałek",
        "Wtorek",
        "Środa",
        "Czwartek",
        "Piątek",
        "Sobota",
        "Niedziela",
        "Listopada",
        "Listopad",
        # Polish words opening a sentence or a headline ("Według Nowaka...", "Dla
        # Globexu..."), the labels Polish outlets put in brackets ("[WYWIAD]",
        # "[SONDAŻ]"), and the months as dates write them ("13 listopada")
        "Według",
        "Dla",
        "Przez",
        "Przed",
        "Podczas",
        "Wśród",
        "Mimo",
        "Bez",
        "Pod",
        "Przy",
        "Kto",
        "Co",
        "Gdzie",
        "Kiedy",
        "Dlaczego",
        "Jednak",
        "Także",
        "Wywiad",
        "Sondaż",
        "Relacja",
        "Komentarz",
        "Transmisja",
        "Wideo",
        "Stycznia",
        "Lutego",
        "Marca",
        "Kwietnia",
        "Maja",
        "Czerwca",
        "Lipca",
        "Sierpnia",
        "Września",
        "Października",
        "Grudnia",
        *_EN_OPENERS,
    ]
)

ORG_SUFFIXES = frozenset(
    fold(w)
    for w in [
        "Inc",
        "Inc.",
        "Corp",
        "Corp.",
        "Corporation",
        "Company",
        "Co.",
        "Ltd",
        "LLC",
        "SA",
        "SAS",
        "GmbH",
        "Capital",
        "Ventures",
        "Partners",
        "Group",
        "Groupe",
        "Holdings",
        "Labs",
        "Lab",
        "Technologies",
        "Systems",
        "Global",
        "Bank",
        "Fund",
        "Foundation",
        "Institute",
        "University",
        "Université",
        "Media",
        "Software",
        "Networks",
        "Studios",
    ]
)

# Days of the week by language, Monday = 0.
WEEKDAYS: dict[str, int] = {
    **{
        d: i
        for i, d in enumerate(
            ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        )
    },
    **{
        d: i
        for i, d in enumerate(
            ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        )
    },
    **{
        d: i
        for i, d in enumerate(
            ["poniedzialek", "wtorek", "sroda", "czwartek", "piatek", "sobota", "niedziela"]
        )
    },
    **{
        d: i
        for i, d in enumerate(
            ["poniedzialek", "wtorek", "srode", "czwartek", "piatek", "sobote", "niedziele"]
        )
    },
}

MONTHS: dict[str, int] = {
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "janvier",
                "fevrier",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "aout",
                "septembre",
                "octobre",
                "novembre",
                "decembre",
            ]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "stycznia",
                "lutego",
                "marca",
                "kwietnia",
                "maja",
                "czerwca",
                "lipca",
                "sierpnia",
                "wrzesnia",
                "pazdziernika",
                "listopada",
                "grudnia",
            ]
        )
    },
}

YESTERDAY = re.compile(r"\b(hier|yesterday|wczoraj)\b")
TODAY = re.compile(r"\b(aujourd'hui|today|dzis|dzisiaj|tout a l'heure|earlier today)\b")

COMPILED_ACTIONS: dict[str, re.Pattern[str]] = {a: re.compile(p) for a, p in ACTIONS.items()}


def actions_in(folded_sentence: str) -> list[str]:
    return [a for a, rx in COMPILED_ACTIONS.items() if rx.search(folded_sentence)]


def action_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return RELATED_ACTIONS.get(frozenset({a, b}), 0.0)
