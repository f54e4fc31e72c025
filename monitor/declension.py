"""A Polish person's name in the nominative, the form it goes by.

A Polish report declines a name like any noun: "Jana Nowaka" (genitive), "Janem Nowakiem"
(instrumental), "Elżbiety Kowalskiej" (a woman's genitive) are Jan Nowak and Elżbieta
Kowalska. The nominative comes from the Grammatical Dictionary of Polish (SGJP: its
nouns, first names and surnames among them) as ``polish-inflection`` indexes it: a
read-only marisa-trie mapped from the installed ``polish-inflection-data`` package, no
network code, some 25 µs a name. A name goes back to the nominative only when every word
of it is in the dictionary as a proper noun and the words agree on one oblique case and
one gender; a name the dictionary does not hold ("Jane Roe'a") is left as written, for
``novelty.names.declined_twin`` to match by its stem.
"""

from __future__ import annotations

from polish_inflection import podaj

# case, gender -> the word's lemma: one reading of a word (SGJP's genders m1-m3 are "m")
Readings = dict[tuple[str, str], str]


def _readings(word: str) -> Readings:
    """The singular readings of a capitalised word as a proper noun (a lemma written in
    capitals: "Witek" is a surname, not the common noun "witka"). Hyphenated surnames are
    read part by part ("Kidawy-Błońskiej")."""
    parts = word.split("-")
    if len(parts) > 1:
        each = [_readings(p) for p in parts]
        common = set.intersection(*(set(r) for r in each))
        return {cg: "-".join(r[cg] for r in each) for cg in common}
    if not word[:1].isupper():
        return {}
    out: Readings = {}
    for a in podaj(word, "sg"):
        if a.lemat[:1].isupper():
            # two lemmas for one reading ("Szymona" nominative feminine, or "Szymon"
            # genitive): the form itself wins, then the shorter (the masculine stem)
            cg = (a.przypadek, a.rodzaj)
            prev = out.get(cg)
            if prev is None or (prev != word and (a.lemat == word or len(a.lemat) < len(prev))):
                out[cg] = a.lemat
    return out


def nominative(name: str) -> str | None:
    """The nominative of a Polish person's name in another case ("Szymona Nowaka" ->
    "Szymon Nowak", "Elżbiety Kowalskiej" -> "Elżbieta Kowalska"), or None: already nominative (some
    reading of every word agrees in the nominative), a word the dictionary does not hold
    as a proper noun, or words agreeing on no case and gender, or on two that give two
    different names."""
    words = name.split()
    if not 2 <= len(words) <= 4:
        return None
    readings = [_readings(w) for w in words]
    if not all(readings):
        return None
    common = set.intersection(*(set(r) for r in readings))
    if not common or any(case == "nom" for case, _ in common):
        return None
    names = {" ".join(r[cg] for r in readings) for cg in common}
    if len(names) != 1:
        return None
    nom = names.pop()
    return nom if nom != name else None
