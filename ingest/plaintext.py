"""Decode text files in whatever encoding they come, and split them into pages.

Measured on chardet's test files, which name each file's true encoding (bench/robustness.py):
UTF-8 is taken when the bytes are UTF-8, UTF-16/32 also without a byte order mark, 7-bit
ISO-2022 by its escape sequences; otherwise charset-normalizer's candidates are ranked by
least mess, then most coherent language, then the encodings German offices use, and a
Windows code page whose own bytes (0x80-0x9F) never occur is read as its ISO twin. Latin-script
text is then decoded with every Latin code page and judged by its letters (``latin_score``):
charset-normalizer rates Hungarian and Polish alike in cp1250 and cp1252, where only one of the
two spells a language. Text that decodes is never refused: control characters are removed,
form feeds kept.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter

from charset_normalizer import from_bytes

FORM_FEED = "\f"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ISO2022 = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b$)C", b"\x1b$A", b"\x1b$)A")
# Control characters other than tab, line feed, form feed and carriage return; DEL and C1.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Ties between charset-normalizer's candidates go to what German offices write.
_PREFERRED = ("cp1252", "iso8859_15", "latin_1", "cp850", "mac_roman", "cp1250", "iso8859_2")
_ISO_TWIN = {"cp1250": "iso8859_2", "cp1252": "latin_1", "cp1254": "iso8859_9"}
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
# The Latin code pages a text in a Latin script may come in; on a tie the first wins (after
# the encoding chosen before, so that text decoded right stays so).
_LATIN = (
    "cp1252", "iso8859_15", "latin_1", "cp1250", "iso8859_2", "cp1257", "iso8859_13", "cp1254",
    "iso8859_9", "iso8859_16", "iso8859_4", "iso8859_10", "iso8859_3", "iso8859_14", "mac_roman",
    "mac_latin2", "cp850", "cp852", "cp437",
)  # fmt: skip
# The letters beyond ASCII of the languages written in them (lower case): a decoding whose
# letters one language spells is right; cp1252's "õ û" in Hungarian or "³ ¿ œ" in Polish are not.
ALPHABETS = {
    "de": "äöüß", "fr": "àâæçéèêëîïôœùûüÿ", "es": "áéíñóúü", "pt": "áâãàçéêíóôõú",
    "it": "àèéìíîòóùú", "ca": "àçèéíïòóúü·", "nl": "áéëïóöü", "da/no": "æøåé", "sv": "åäöé",
    "fi": "äöåšž", "is": "áðéíóúýþæö", "et": "äöõüšž", "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž", "pl": "ąćęłńóśźż", "hu": "áéíóöőúüű", "ro": "ăâîșțşţ",
    "hr/sl/bs": "čćđšž", "tr": "çğıi̇öşüâî", "lv": "āčēģīķļņšūž", "lt": "ąčęėįšųūž",
    "sq": "çë", "mt": "ċġħżàèìòù", "ga/cy": "áéíóúâêîôûŵŷ",
}  # fmt: skip
# A character that is no letter between two letters: "sz³o", "mo¿e" (but not an apostrophe).
_IN_WORD_SYMBOL = re.compile(r"(?<=[^\W\d_])[^\w\s'’ʼ·\-](?=[^\W\d_])")
_C1_OR_REPLACED = re.compile("[\x80-\x9f\ufffd]")
_SCORED_BYTES = 1 << 16


def unicode_encoding(data: bytes) -> str | None:
    """UTF-8/16/32 (by mark, or for 16/32 by the pattern of zero bytes) and ISO-2022, else None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if b"\x00" in data:
        for encoding in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
            if _zero_pattern(data, encoding) and _plausible_unicode(data, encoding):
                return encoding
    elif any(mark in data for mark in _ISO2022) and _decodes(data, _iso2022(data)):
        return _iso2022(data)
    return "utf-8" if _decodes(data, "utf-8") else None


def decode_text(data: bytes) -> str:
    """The text of a file's bytes, control characters removed (see module docstring)."""
    encoding = unicode_encoding(data) or _legacy_encoding(data)
    return _CONTROLS.sub("", data.decode(encoding, errors="replace"))


def looks_decodable(head: bytes) -> bool:
    """Whether the first bytes of a file are text: they decode, and few are control characters.

    Unicode text may hold up to 30% control characters (council texts copied out of PDFs do);
    in a legacy encoding, where any bytes decode, binary data is told by more than 5%.
    """
    encoding = unicode_encoding(head)
    limit = 0.3
    if encoding is None:
        encoding, limit = _legacy_encoding(head, strict=True), 0.05
    if encoding is None:
        return False
    # NUL bytes pad records of old systems (and a Mozilla test file); they are not text's
    # evidence either way, but other control characters are.
    text = head.decode(encoding, errors="replace").replace("\x00", "")
    bad = len(_CONTROLS.findall(text)) + text.count("\ufffd")
    return bool(text.strip()) and bad <= len(text) * limit


def split_text_pages(text: str) -> list[str]:
    """Pages of a text file: form feeds separate pages, as in ``pdftotext`` output."""
    pages = text.split(FORM_FEED)
    while len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    return pages


def _legacy_encoding(data: bytes, *, strict: bool = False) -> str | None:
    """The best single- or multi-byte encoding charset-normalizer finds; cp1252 as a last guess."""
    candidates = list(from_bytes(data))
    if not candidates:  # past its mess threshold: accept what is most readable after all
        candidates = list(from_bytes(data, threshold=1.0))
    if not candidates:
        return None if strict else "cp1252"
    chaos = min(round(c.chaos, 3) for c in candidates)
    least_mess = [c for c in candidates if round(c.chaos, 3) == chaos]
    coherence = max(round(c.coherence, 2) for c in least_mess)
    best = [c.encoding for c in least_mess if round(c.coherence, 2) == coherence]
    chosen = min(best, key=lambda e: _PREFERRED.index(e) if e in _PREFERRED else len(_PREFERRED))
    if chosen in _ISO_TWIN and not _C1_BYTES.search(data):
        chosen = _ISO_TWIN[chosen]
    return _best_latin(data, chosen)


def _best_latin(data: bytes, chosen: str) -> str:
    """``chosen``, or the Latin code page whose letters read clearly better (Latin text only)."""
    sample = data[:_SCORED_BYTES]
    text = sample.decode(chosen, errors="replace")
    beyond_ascii = [c for c in text if ord(c) > 127 and c.isalpha()]
    latin = sum(_is_latin(c) for c in beyond_ascii)
    if not beyond_ascii or latin < len(beyond_ascii) / 2:
        return chosen  # Cyrillic, Greek, Hebrew, CJK …: charset-normalizer's choice stands
    best, best_score = chosen, latin_score(text)
    for encoding in _LATIN:
        score = latin_score(sample.decode(encoding, errors="replace"))
        if score > best_score:
            best, best_score = encoding, score
    return best


def _is_latin(letter: str) -> bool:
    """Latin-1 Supplement to Latin Extended-B and Latin Extended Additional."""
    return 0xC0 <= ord(letter) <= 0x24F or 0x1E00 <= ord(letter) <= 0x1EFF


def latin_score(text: str) -> int:
    """How well one language spells the letters beyond ASCII: those it has, less the others.

    Letters no language of ``ALPHABETS`` has, symbols inside words, C1 controls and undecodable
    bytes all count against the reading.
    """
    counts = Counter(c.lower() for c in text if ord(c) > 127 and c.isalpha())
    total = sum(counts.values())
    spelled = max(sum(counts[c] for c in alphabet) for alphabet in ALPHABETS.values())
    junk = len(_IN_WORD_SYMBOL.findall(text)) + len(_C1_OR_REPLACED.findall(text))
    return 2 * spelled - total - 2 * junk


def _iso2022(data: bytes) -> str:
    return "iso2022_kr" if b"\x1b$)C" in data else "iso2022_jp_2"


def _decodes(data: bytes, encoding: str) -> bool:
    """Strictly decodable, allowing a multi-byte character cut off at the end."""
    for cut in range(4):
        try:
            data[: len(data) - cut].decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _zero_pattern(data: bytes, encoding: str) -> bool:
    """Zero bytes where UTF-16/32 of mostly Latin text has them (the high bytes), not elsewhere."""
    width = 4 if "32" in encoding else 2
    high = [width - 1] if encoding.endswith("le") else [0]
    if width == 4:
        high = [2, 3] if encoding.endswith("le") else [0, 1]
    units = len(data) // width
    if not units:
        return False
    zeros = [data[i::width][:units].count(0) / units for i in range(width)]
    low = [i for i in range(width) if i not in high]
    need = 0.9 if width == 4 else 0.3
    return all(zeros[i] >= need for i in high) and min(zeros[i] for i in low) < 0.1


def _plausible_unicode(data: bytes, encoding: str) -> bool:
    """UTF-16/32 without a mark: decodes, and reads as text rather than as binary data."""
    width = 4 if "32" in encoding else 2
    body = data[: len(data) - len(data) % width]
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        return False
    printable = sum(c.isprintable() or c in "\t\n\r\f" for c in text)
    return bool(text) and printable >= 0.95 * len(text)
