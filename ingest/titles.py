"""A document's title: read from where documents print it, never from an arbitrary sentence.

In order: the PDF's own title (when it is a title, not a file name), a Markdown heading, the
subject under a form-table header (council papers: ``Vorlage Nr.``, ``Gremium``, ``Termin`` …),
the agenda item of a minutes extract, a ``Betreff:`` line, the subject line of a letter above
its salutation, and only then a line that stands alone at the top in the form of a headline.
A document without any of these has no title; a sentence from its body is never one.
"""

from __future__ import annotations

import re

from ingest.found import Found

_SEARCH_LINES = 45
_MAX_LINES = 3
_MAX_CHARS = 320
# Symbol-font glyphs (check boxes, bullets) that PDF text layers put before form labels.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_HEADLINE_WORDS = 4
_HEADLINE_CHARS = 160
_MIN_CHARS = 12
_MIN_LETTERS = 0.7
# A line of running text: long and not ending where a sentence or heading ends.
_RUNNING_WORDS = 6

HEADLINE_METHOD = "erste Zeile in Überschriftform"
_LEAD_WORDS = 3
_BODY_WORDS = 8
_ENDINGS = (".", "!", "?", ":", '"', "“", ")")
# A headline does not end in an article, preposition or conjunction; running text does.
_FUNCTION_WORDS = frozenset(
    (
        *("der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "eines", "einem"),
        *("einen", "und", "oder", "zu", "mit", "von", "für", "auf", "in", "im", "an", "am"),
        *("bei", "nach", "aus", "über", "unter", "vor", "zur", "zum", "sowie", "als", "wie"),
        *("dass", "sich", "ist", "sind", "wird", "werden", "hat", "haben"),
    )
)
_SENTENCE_END = re.compile(r"[a-zäöüß]{2}[.!?]\s+[A-ZÄÖÜ]")
_MARKDOWN_HEADING = re.compile(r"^#{1,3}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# PDF producers put placeholders, file and layout-job names into the Title field.
_PLACEHOLDER_TITLE = re.compile(
    r"^(untitled|unbenannt|document|dokument\d*|tmp\W?\d*)$|"
    r"\.(docx?|odt|pdf|qxp|indd|rtf|xlsx?)\b|\(Page \d+\)|_|^\W*\d[\d\W]*\w?$",
    re.IGNORECASE,
)

# Form-table labels of council papers; the value stands after the colon or on a later line.
_FORM_LABEL = re.compile(
    r"^(?P<label>Vorlage\s*Nr\.?|Zu\s+TOP|TOP|Verantwortlich|Dienststelle|Eingang|"
    r"eingegangen(?:\s+am)?|vom|Gremium|Termin)\b\s*:?\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_TEXT_VALUED = frozenset({"gremium", "verantwortlich", "dienststelle"})
# An office's name runs over several one-word lines ("Städtisches / Klinikum / Karlsruhe").
_CONTINUED = "fortsetzung"
_MAX_VALUE_WORDS = 3
_MAX_FORM_LINES = 4
# The authors of an old form's motion, in lower case after the labels, end with their date.
_AUTHOR_START = re.compile(r"^(?:der|des|von)\s")
_AUTHOR_END = re.compile(r"(?:\bvom\s*$|\d{4}\s*$)")
_MAX_AUTHOR_LINES = 4
_BUDGET_MARK = re.compile(r"^(?:DOPPEL)?HAUSHALT\s+\d{4}")
_BUDGET_HEAD = 8
# Rows of a budget form's table: numbers, placeholders, the kind of expense and its label.
_BUDGET_ROW = re.compile(
    r"^([\d\s./|x-]+|Bitte (?:aus Liste )?auswählen.*|Erlös-/Aufwandsart.*|ANTRAG|"
    r"Antrag zum Them\w*|[A-Z]+/\d{4}/\d+|.*---.*|\d+[\d\s-]*)$"
)
_DATE = re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}\b")
_PUBLIC = re.compile(r"(?:nicht\s?)?öffentlich|Öffentlich.*|Gedruckt.*")
_FORM_MARK = re.compile(r"^(Vorlage\s*Nr|Gremium\b|Termin\b)", re.IGNORECASE | re.MULTILINE)
# Values of the form's value column: dates, numbers, sessions, departments, public/private.
_FORM_VALUE = re.compile(
    r"^(\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{1,2}\.\s+\w+\s+\d{4}|[\d./ ]*\d[\d./ ]*\s?[a-z]?|"
    r"/\d{4}|\d+/\w+|Dez(?:ernat|\.)\s*\d+\b.*|\d+\.\s.*(?:[Ss]itzung|Gemeinderat\w*).*|"
    r".*\b(?:Plenarsitzung|Sitzung)\b.*|(?:nicht\s?)?öffentlich|Öffentlich\s+Nichtöffentlich|"
    r"[xX]|Gedruckt auf .*|"
    r"(?:des\s+)?(?:Gemeinderat\w*|Ortschaftsrat\w*(?:\s+\w+)?|\w*ausschuss\w*))$"
)
# Where the subject ends: the table below it, a section, a list, a salutation.
_AFTER_SUBJECT = re.compile(
    r"^(Gremi(?:um|en)\b|Beratungsfolge|-?\s*Kurzfassung|Antrag an\b|Beschlussantrag|"
    r"Finanzielle|Sachverhalt|Begründung|Stellungnahme\s+(?:des|der)\b|s\.\s*Rückseite|"
    r"Sehr geehrte|Herrn?\b|Frau\b|Der (?:Gemeinderat|Ortschaftsrat)|Die Verwaltung|"
    r"Unterzeichnet|Vorlage:|Beschluss:|dazu:|\d+\.\)?\s|\d+\.\)|[A-Za-z][.)]\s|"
    r"Gesamt(?:kosten|aufwand)|[–-]\s|"
    r"(?:Interfraktionelle[rs]?\s+|Gemeinsame[rs]?\s+)?(?:Antrag|Anfrage?|Anfrag|"
    r"Ergänzungsantrag|Änderungsantrag|Sachstandsanfrage)\b(?:\s+(?:des|der)\b|:?\s*$|"
    r":?\s*[A-ZÄÖÜ][\w|/.-]*(?:(?:,\s*|\s+)[A-ZÄÖÜ][\w|/.-]*)*\s*$))"
)
_AGENDA_ITEM = re.compile(r"^Punkt\s+[\d.]+\s+der\s+Tagesordnung:\s*(.+)$", re.MULTILINE)
_SUBJECT_LABEL = re.compile(r"^\s*(?:Betreff|Thema)\s*:\s*(.+)$", re.MULTILINE)
_SALUTATION = re.compile(r"^\s*Sehr geehrte", re.MULTILINE)
# Lines of a letterhead and address block that stand above the subject, never in it.
_LETTER_FIELD = re.compile(
    r"^(\(Bitte .*\)|Anlagen?\b.*|.*\b\d{5}\s+[A-ZÄÖÜ]\w+.*|.*\d{1,2}\.\s?(?:\d{1,2}\.|\w+)\s?"
    r"\d{4}\s*|Datum\b.*|Name\b.*|Durchwahl\b.*|Aktenzeichen\b.*|E-Mail\b.*|Telefon\b.*|"
    r"Herrn?\b.*|Frau\b.*|.*[Ss]traße\s+\d.*|Rathaus\b.*|Ihr Zeichen.*|Unser Zeichen.*|"
    r".*(?:[Bb]ürgermeister\w*|Vorsitzende\w*|gez\.).*)$"
)
# Form and letterhead lines that read like headlines but are not titles.
_NOT_TITLE = re.compile(
    r"^(Gedruckt auf|Stadtr(?:at|ätin|äte)\b|Gremi(?:um|en)|Termin|Niederschrift|Seite\b|"
    r"Aufgrund\b|Sehr geehrte|An alle|Der Oberbürgermeister|Die Oberbürgermeisterin|"
    r"Verantwortlich|Dienststelle|Beratungsfolge|Flagge|Vorsitzende|Bitte aus Liste|"
    r"Ergänzende Erläuterungen|Die Verwaltung|Der Gemeinderat|Der Ortschaftsrat|Vorlage Nr|"
    r"Finanzielle Auswirkungen|Jährliche|Haushaltsmittel|Erhöhung/Reduzierung|Konzeption, Ziele|"
    r"Amtliche Fassung|Anhang\b|Anlage\b|Feld für|Bürgersaal|Punkt\s+[\d.]+\s+der|[\w/]+:\s|"
    r"(?:Stadt|Landeshauptstadt|Gemeinde|Landkreis)\s+\S+$|[^(]*\))|"
    r"\b\d{5}\s+[A-ZÄÖÜ]\w+|[A-Za-zäöüß]+straße\s+\d|^(?:\w\s){4,}|\|\s*\d+\s*$|"
    r"\bSeite:?\s*\d|§|\bGBl\b|\S\s{5,}\S|^Zuordnung im",
    re.IGNORECASE,
)


def find_title(text: str, *, pdf_title: str = "") -> Found | None:
    """The document's title from the first page, or ``None`` when it prints none."""
    if pdf_title and not _PLACEHOLDER_TITLE.search(pdf_title.strip()):
        return Found(pdf_title.strip(), 0, "PDF-Eigenschaft „Titel“")
    for heading in _MARKDOWN_HEADING.findall(text):
        if len(heading.split()) >= 3:
            return Found(heading.strip("*_ "), 1, "Überschrift")
    lines = [_PRIVATE_USE.sub("", line).strip() for line in text.splitlines()[:_SEARCH_LINES]]
    for finder in _FINDERS:
        found = finder(lines)
        if found:
            return found
    return None


def _form_subject(lines: list[str]) -> Found | None:
    """The subject under a form-table header: the first line that is neither label nor value.

    Old forms list all labels, then all values (``Gremium: Termin: Vorlage Nr.: TOP:`` then
    ``54. Plenarsitzung``, ``22.10.2013``, ``2013/0140``, ``9``, ``öffentlich``, ``Dez. 5``);
    newer ones put each value beside or under its label.
    """
    if not _FORM_MARK.search("\n".join(lines)):
        return None
    start = next((i for i, line in enumerate(lines) if _FORM_LABEL.match(line)), None)
    if start is None:
        return None
    pending: list[str] = []
    authors = 0
    for i in range(start, len(lines)):
        line = lines[i]
        if not line or not any(c.isalpha() or c.isdigit() for c in line):
            continue
        label = _FORM_LABEL.match(line)
        if label:
            _expect_value(label, pending)
            continue
        is_author, authors = _author_phrase(line, authors)
        if is_author or _is_form_value(line, pending):
            continue
        if _AFTER_SUBJECT.match(line):
            return None
        return Found(_subject(lines, i, form=True), 1, "Betreff unter dem Formularkopf")
    return None


def _expect_value(label: re.Match[str], pending: list[str]) -> None:
    """Note a label whose value is still to come (or whose office name may run on)."""
    name, value = label.group("label").split()[0].lower(), label.group("value").strip()
    if not value:
        pending.append(name)
    elif name == "dienststelle" or (name == "verantwortlich" and not _FORM_VALUE.match(value)):
        pending.append(_CONTINUED)


def _author_phrase(line: str, open_lines: int) -> tuple[bool, int]:
    """Whether a line belongs to the authors of an old form's motion, and lines still open.

    ``der Stadträtin … sowie des Stadtrats`` / ``Hans`` / ``Pfalzgraf (SPD) vom 18. August 2006``.
    """
    if not open_lines and not _AUTHOR_START.match(line):
        return False, 0
    if _AUTHOR_END.search(line) or open_lines >= _MAX_AUTHOR_LINES:
        return True, 0
    return True, open_lines + 1


def _is_form_value(line: str, pending: list[str]) -> bool:
    """Whether a line is a value of the form table; fills the oldest label waiting for one."""
    if _FORM_VALUE.match(line):
        if pending and not _PUBLIC.fullmatch(line):
            pending.pop(0)
        return True
    if line[0].islower() or line.isupper() or re.fullmatch(r"(?:\w\s){3,}\w", line):
        return True
    words = len(line.split())
    if pending and pending[0] == _CONTINUED:
        if words == 1:
            return True
        pending.pop(0)
    if pending and pending[0] in _TEXT_VALUED and words <= _MAX_VALUE_WORDS:
        if pending.pop(0) == "dienststelle":
            pending.insert(0, _CONTINUED)
        return True
    return False


def _budget_subject(lines: list[str]) -> Found | None:
    """The subject of a budget motion or statement form (``HAUSHALT 2021``).

    A motion names it above ``Zuordnung im Haushaltsplan``; the administration's statement
    below its table (``Seite HH-Plan``, the kind of expense, then the subject).
    """
    if not any(_BUDGET_MARK.match(line) for line in [x for x in lines if x][:_BUDGET_HEAD]):
        return None
    motion = next((i for i, x in enumerate(lines) if x.startswith("Zuordnung im Haushalt")), None)
    table = next((i for i, x in enumerate(lines) if x.startswith("Seite HH-Plan")), None)
    if motion is not None and (table is None or motion < table):
        above = [x for x in lines[:motion] if x]
        if above and not _BUDGET_ROW.match(above[-1]):
            subject = re.sub(r"^(?:Thema|Betreff)\s*:\s*", "", above[-1])
            return Found(subject, 1, "Betreff des Haushaltsantrags")
        return None
    if table is None:
        return None
    after_kind = False
    for i in range(table + 1, len(lines)):
        line = lines[i]
        if not line or _BUDGET_ROW.match(line) or after_kind:
            after_kind = line.startswith("Erlös-/Aufwandsart")
            continue
        parts = [line, lines[i + 1]] if line.endswith(":") and i + 1 < len(lines) else [line]
        return Found(_joined(parts), 1, "Betreff der Stellungnahme zum Haushalt")
    return None


def _subject(lines: list[str], start: int, *, form: bool = False) -> str:
    """A subject line and the lines continuing it, hyphenation undone.

    Under a form header a continuation may read like a label (``hier: Kindertagesbetreuung``)
    and a subject may be a question.
    """
    title = [lines[start]]
    for line in lines[start + 1 : start + (_MAX_FORM_LINES if form else _MAX_LINES)]:
        if not line or _AFTER_SUBJECT.match(line) or len(" ".join([*title, line])) > _MAX_CHARS:
            break
        if not form and (_NOT_TITLE.search(line) or line.endswith("?") or _DATE.search(line)):
            break
        if title[-1].endswith((".", "!", "?")) and not title[-1].endswith(("u.a.", "e.V.")):
            break
        title.append(line)
    return _joined(title)


def _joined(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        if re.search(r"[a-zäöüß]-$", text) and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}"
    return " ".join(text.split())


def _agenda_item(lines: list[str]) -> Found | None:
    """The item of a minutes extract: ``Punkt 8 der Tagesordnung: <title>``."""
    for i, line in enumerate(lines):
        match = _AGENDA_ITEM.match(line)
        if match:
            rest = [match.group(1), *lines[i + 1 : i + _MAX_LINES]]
            title = [rest[0]]
            for more in rest[1:]:
                if not more or _AFTER_SUBJECT.match(more) or _AGENDA_ITEM.match(more):
                    break
                title.append(more)
            return Found(_joined(title), 1, "Tagesordnungspunkt der Niederschrift")
    return None


def _subject_label(lines: list[str]) -> Found | None:
    match = _SUBJECT_LABEL.search("\n".join(lines))
    return Found(" ".join(match.group(1).split()), 1, "Feld „Betreff:“") if match else None


def _letter_subject(lines: list[str]) -> Found | None:
    """The subject of a letter: the lines right above its salutation, below the letterhead."""
    salutation = next((i for i, line in enumerate(lines) if _SALUTATION.match(line)), None)
    if salutation is None:
        return None
    block: list[str] = []
    for line in reversed(lines[:salutation]):
        if not line:
            if block:
                break
            continue
        if _LETTER_FIELD.match(line):
            if block:
                break
            if re.match(r"Anlagen?\b", line):
                continue
            return None
        block.insert(0, line)
        if len(block) > _MAX_LINES:
            return None
    subject = _joined(block) if block else ""
    letters = sum(c.isalpha() or c.isspace() for c in subject)
    if len(subject) < _MIN_CHARS or letters < _MIN_LETTERS * len(subject):
        return None
    return Found(subject, 1, "Betreffzeile über der Anrede")


def _headline(lines: list[str]) -> Found | None:
    """The first line at the top that stands alone in the form of a headline.

    A heading may run on in lower case (``Satzung`` / ``zur Änderung der …``). The search ends
    where running text begins: a headline stands above the body, never inside it.
    """
    for i in range(len(lines)):
        heading, end = _heading_at(lines, i)
        if _is_headline(lines, i, end, heading):
            parts = (
                [heading] if end == i else [heading.rsplit(lines[end], 1)[0], _subject(lines, end)]
            )
            return Found(_joined([p for p in parts if p.strip()]), 1, HEADLINE_METHOD)
        if _starts_body(lines, i):
            return None
    return None


def _is_headline(lines: list[str], i: int, end: int, heading: str) -> bool:
    if not _reads_like_headline(heading) or _NOT_TITLE.search(lines[i]) or _DATE.search(lines[i]):
        return False
    return not _in_running_text(lines, i, end, heading)


def _heading_at(lines: list[str], i: int) -> tuple[str, int]:
    """The line, joined with the lines that continue it in lower case or after its colon.

    One blank line may stand between a heading word and its continuation (``Satzung`` /
    blank / ``zur Änderung der Archivsatzung``).
    """
    parts, end, j = [lines[i]], i, i + 1
    while j < len(lines) and len(parts) <= _MAX_LINES and parts[0]:
        below = lines[j]
        if not below:
            if end != i or j != i + 1:
                break
            j += 1
            continue
        lead = parts[-1].endswith(":") and len(parts[-1].split()) <= _LEAD_WORDS
        if not (below[0].islower() or lead) or _NOT_TITLE.search(below):
            break
        parts.append(below)
        end, j = j, j + 1
    return _joined(parts) if parts[0] else "", end


def _starts_body(lines: list[str], i: int) -> bool:
    """Whether running text begins at this line: a long line that flows into the next."""
    line, below = lines[i], lines[i + 1] if i + 1 < len(lines) else ""
    if len(line.split()) < _BODY_WORDS or not below:
        return False
    last = line.split()[-1].lower()
    return line.endswith((",", ".")) or last in _FUNCTION_WORDS or below[0].islower()


def _in_running_text(lines: list[str], i: int, end: int, heading: str) -> bool:
    above = lines[i - 1] if i else ""
    below = lines[end + 1] if end + 1 < len(lines) else ""
    from_above = (
        len(above.split()) >= _RUNNING_WORDS
        and not above.endswith(_ENDINGS)
        and not _NOT_TITLE.search(above)
    )
    into_below = bool(below) and below[0].islower() and not heading.endswith("-")
    last = heading.split()[-1].lower()
    ends_open = last in _FUNCTION_WORDS or heading.endswith(",")
    return from_above or into_below or ends_open or bool(_SENTENCE_END.search(heading))


def _reads_like_headline(line: str) -> bool:
    letters = sum(c.isalpha() or c.isspace() for c in line)
    return (
        len(line.split()) >= _HEADLINE_WORDS
        and _MIN_CHARS <= len(line) <= _HEADLINE_CHARS
        and letters >= _MIN_LETTERS * len(line)
        and not line.endswith((",", ":", ";", ".", "?"))
        and line[0].isupper()
    )


_FINDERS = (
    _agenda_item,
    _budget_subject,
    _form_subject,
    _subject_label,
    _letter_subject,
    _headline,
)
