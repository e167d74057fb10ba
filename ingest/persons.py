"""Persons a text names, by rules on how German administrations name people; no guessing.

A person is found after a role or title (Oberbürgermeister Dirk Hilbert, Frau Stadträtin Karin
Wiedemann, Herr Prof. Dr. Jan Riel), before a role (Oleksandr Kopylenko, stellvertretender
Leiter …; a name line above its role line), and in signature blocks (the lines after
``unterzeichnet von:``, ``gez.``, ``i. A.`` or ``Mit freundlichen Grüßen``). A person named
only by the last name after a role (Stadtrat Maier, Frau Mergen) counts as that last name,
unless the document gives that person's first name elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from common.names import transliterate
from common.wordlist import german_words
from ingest.found import Found

_LOWER = r"[a-zäöüßà-ÿ]"
_WORD = rf"[A-ZÄÖÜ]{_LOWER}+(?:-[A-ZÄÖÜ]{_LOWER}+)?"
# First name, an optional middle initial (Thomas H. Hock), one or two further names.
_FULL = rf"{_WORD}(?:[ \t]+[A-ZÄÖÜ]\.)?(?:[ \t]+{_WORD}){{1,2}}"
_TITLES = r"(?:(?:Prof|Dr|Dipl\.-[A-Za-z]+)\.[ \t]*)*"
# Running text wraps a name after its first word ("Oberbürgermeister Dirk / Hilbert").
_GAP = r"[ \t]*\n?[ \t]*(?<=\s)"
_INFLECTED = r"(?:in|en|n|s|innen)?"
_ROLES = (
    rf"\w*[Bb]ürgermeister{_INFLECTED}|\w*[Mm]inister{_INFLECTED}|"
    rf"\w*[Pp]räsident{_INFLECTED}|Landr(?:at|ätin|ats)|Gouverneur{_INFLECTED}|"
    rf"Botschafter{_INFLECTED}|Generalkonsul{_INFLECTED}|Staatssekretär{_INFLECTED}|"
    rf"Stadtr(?:at|ätin|ats|äte)|Ortschaftsrätin|Leiter{_INFLECTED}|Referent{_INFLECTED}|"
    rf"Dolmetscher{_INFLECTED}|Direktor{_INFLECTED}|Verbandsdirektor{_INFLECTED}|"
    rf"Vorsitzende[rn]?|Ansprechpartner{_INFLECTED}|Ortsvorsteher{_INFLECTED}|"
    rf"Geschäftsführer{_INFLECTED}|\w*[Aa]bgeordnete[rn]?|Kommissar{_INFLECTED}|"
    rf"Amtsleiter{_INFLECTED}|Professor{_INFLECTED}|\w*[Kk]olleg(?:e|in|en)|Vorstand|"
    r"Dr\.|Prof\.|Herrn?|Frau"
)
# Role, optionally a complement up to a comma ("der regionalen Militärverwaltung Charkiw,"),
# then the name; only the role is consumed, so "Herr Oberbürgermeister Dr. Mentrup" is read
# from both of its cues.
_PERSON = re.compile(
    rf"\b(?:{_ROLES})"
    rf"(?:\s+(?:von|der|des|für)\s+[\w-]+(?:\s+[\w-]+){{0,3}},|[ \t]+von[ \t]+{_WORD})?"
    rf"(?=([*_\s]+)"
    rf"({_TITLES}(?:{_ROLES}[ \t]+)?{_TITLES}{_WORD}"
    rf"(?:{_GAP}(?:[A-ZÄÖÜ]\.[ \t]+)?{_WORD}(?:[ \t]+{_WORD})?)?))"
)
# A name followed by its role: "Oleksandr Kopylenko, stellvertretender Leiter …", or a name
# line above its role line (a signature: "Dr. Albert Käuflein / Bürgermeister").
_PERSON_BEFORE_ROLE = re.compile(
    rf"(?<![\w-])({_FULL})(?:,[ \t]+|[ \t]*\n[ \t]*)(?:der[ \t]+|die[ \t]+)?"
    rf"(?:stellvertretende[rn]?[ \t]+|ehemalige[rn]?[ \t]+|amtierende[rn]?[ \t]+)?(?:{_ROLES})\b"
)
# Where a signature block starts; the names follow on the same line or the next ones.
_SIGNATURE = re.compile(
    r"(?:[Uu]nterzeichnet(?:[ \t]+von)?[ \t]*:|\bgez\.|\bi\.[ \t]?A\.|Mit freundlichen Grüßen)"
)
_SIGNATURE_LINES = 8
_PARTY = re.compile(r"\([^()\n]{1,30}\)")
_NAME_LINE = re.compile(rf"{_TITLES}({_WORD}(?:[ \t]+[A-ZÄÖÜ]\.)?(?:[ \t]+{_WORD}){{1,3}})")
# Form labels and role nouns are never part of a name ("Ralph Schreiber Durchwahl").
_NOT_IN_NAME = re.compile(
    rf"^(?:{_ROLES}|Durchwahl|Telefon|Telefax|Fax|Mail|E-Mail|Zimmer|Name|Datum|Aktenzeichen|"
    rf"Tel|Ansprechpartnerin|Pressesprecher\w*|\w*[Ss]precher\w*|Erste[rn]?|Fraktion)$"
)
# Names of bodies look like names of persons ("Stadt Karlsruhe"): these words end them.
_BODY = re.compile(
    r"(?:stadt|amt|fraktion|verwaltung|ausschuss|rat|behörde|büro|verein|gemeinde|kreis|"
    r"ministerium|partei|haus|straße|str|platz|verband|bund|gesellschaft|werke?)$",
    re.IGNORECASE,
)
# Latin words with Cyrillic letters in them, as OCR or careless typing leaves them: "Dufлот".
_MIXED_WORD = re.compile(r"\b(?=\w*[a-zA-Z])(?=\w*[а-яёіїєґ])\w+")
# OCR runs names together: "OleksandrSymtschyschyn".
_RUN_TOGETHER = re.compile(r"(?<=[a-zäöüß])(?=[A-ZÄÖÜ][a-zäöüß])")
# Articles, pronouns and sentence openers: capitalised at a sentence start, never a name.
_NOT_NAME_WORDS = frozenset(
    {"Der", "Die", "Das", "Den", "Dem", "Des", "Und", "Im", "In", "Am", "Zum", "Zur", "Mit"}
    | {"Wenn", "Sie", "Ich", "Wir", "Er", "Es", "Ihr", "Ihre", "Aber", "Auch", "Dann", "Denn"}
    | {"Doch", "So", "Wie", "Was", "Wer", "Hier", "Da", "Nun", "Sehr", "Liebe", "Lieber"}
)
# A name that stands on the line after its role must end that line (a party may follow).
_LINE_END = re.compile(r"[ \t]*(?:\([^()\n]*\))?[ \t,.:]*(?:\n|$)")


def find_persons(pages: list[str]) -> list[Found]:
    """Persons named in the text, each once, in order; last names alone only when unmatched."""
    full: dict[str, Found] = {}
    last_only: dict[str, Found] = {}
    for number, text in enumerate(pages, start=1):
        text = _RUN_TOGETHER.sub(" ", _MIXED_WORD.sub(_latin, text))
        for name, method in _names(text):
            target = full if " " in name else last_only
            target.setdefault(name, Found(name, number, method))
    # A last name alone is a known person's (or a first name cut off at a line break).
    known = {word for name in full for word in name.split()}
    unmatched = [f for name, f in last_only.items() if name not in known]
    return [*full.values(), *unmatched]


def _latin(match: re.Match[str]) -> str:
    return transliterate(match.group(0))


def _names(text: str) -> Iterator[tuple[str, str]]:
    """(name, method) in the order the text gives them."""
    found: list[tuple[int, str, str]] = []
    for m in _PERSON.finditer(text):
        after = text[m.end(2) :]
        wrapped = "\n" in m.group(1)
        last_only = not wrapped and not after.startswith("-")
        name = _clean(m.group(2).split(), last_only=last_only, party=after.lstrip()[:1] == "(")
        if name and (not wrapped or _LINE_END.match(after) or _wrapped_name(name)):
            found.append((m.start(2), name, "Name nach Amts- oder Titelangabe"))
    for m in _PERSON_BEFORE_ROLE.finditer(text):
        name = _clean(m.group(1).split(), last_only=False)
        if name:
            found.append((m.start(1), name, "Name vor Amtsangabe"))
    for m in _SIGNATURE.finditer(text):
        found += [(m.end(), name, "Unterschrift") for name in _signatories(text[m.end() :])]
    for _, name, method in sorted(found, key=lambda f: f[0]):
        yield name, method


def _wrapped_name(name: str) -> bool:
    """A name on the line after its role, in running text: no German noun after the first name.

    "Entwicklungsministerin / Svenja Schulze zum …" is a name, "Oberbürgermeister / Fenrich
    Stadtviertel für Stadtviertel" is not.
    """
    nouns = german_words().nouns
    return " " in name and not any(word.lower() in nouns for word in name.split()[1:])


def _clean(words: list[str], *, last_only: bool, party: bool = False) -> str:
    """The name without leading roles and titles, cut at the first form label or role.

    A last name alone is kept only where ``last_only`` allows it; one that German also writes
    as a small word (Fromm, Schnell) only before a party in brackets.
    """
    kept: list[str] = []
    for word in words:
        if _NOT_IN_NAME.match(word) or word in ("Dr.", "Prof.") or word.startswith("Dipl."):
            if kept:
                break
            continue
        if word in _NOT_NAME_WORDS:
            if kept:
                break
            continue
        kept.append(word)
    if not kept or any(_BODY.search(word) for word in kept):
        return ""
    if len(kept) == 1:
        word = kept[0]
        small = word.lower() in german_words().lowercase
        if not last_only or len(word) < 3 or "." in word or (small and not party):
            return ""
    return " ".join(kept)


def _signatories(after: str) -> Iterator[str]:
    """The names on the lines after a signature cue, until a line that names nobody."""
    lines = after.split("\n")[:_SIGNATURE_LINES]
    started = False
    for line in lines:
        parts = [p.strip() for p in re.split(r",|\bund\b|\s{2,}", _PARTY.sub("  ", line))]
        parts = [p for p in parts if p]
        if not parts:
            continue
        names = [n for part in parts for n in _line_names(part)]
        if names:
            started = True
            yield from names
        elif started or not re.fullmatch(r"[A-ZÄÖÜ]{1,4}|:", parts[0]):
            return


def _line_names(part: str) -> list[str]:
    """A part of a signature line that is nothing but one or two names."""
    m = _NAME_LINE.fullmatch(part)
    if m is None:
        return []
    words = m.group(1).split()
    if len(words) == 4 and "." not in m.group(1):
        halves = [" ".join(words[:2]), " ".join(words[2:])]
        return [h for h in (_clean(h.split(), last_only=False) for h in halves) if h]
    name = _clean(words, last_only=False)
    return [name] if name == m.group(1) else []
