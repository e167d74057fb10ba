"""Spellings of Ukrainian and Russian names in the public transliteration systems, for bench.names.

Each system is written out from its published table, independently of ``common.names`` (which
is what the benchmark measures): Ukrainian national romanisation (Cabinet of Ministers 2010,
the one GeoNames and English media use), BGN/PCGN for Russian, the German Duden rules (as the
German Wikipedia applies them), the Polish and the French conventions. Only initial/medial
variants are modelled; that is enough to give each name three or more spellings.
"""

from __future__ import annotations

import re

_UK_VOWELS = "аеєиіїоуюя"
_RU_VOWELS = "аеёиоуыэюя"
Table = dict[str, str | tuple[str, str]]

# Ukrainian: (word-initial, elsewhere) where the systems distinguish them.
UK_ENGLISH: Table = {
    **dict(zip("абвгґдезиіклмнопрстуф", "abvhgdezyiklmnoprstuf", strict=True)),
    "є": ("ye", "ie"), "ж": "zh", "ї": ("yi", "i"), "й": ("y", "i"), "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": ("yu", "iu"), "я": ("ya", "ia"), "'": "",
}  # fmt: skip
UK_GERMAN: Table = {
    **dict(zip("абвгґдезиіклмнопрстуф", "abwhgdesyiklmnoprstuf", strict=True)),
    "є": "je", "ж": "sch", "ї": "ji", "й": "j", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch",
    "щ": "schtsch", "ь": "", "ю": "ju", "я": "ja", "'": "",
}  # fmt: skip
UK_POLISH: Table = {
    **dict(zip("абвгґдезиікмнопрстуф", "abwhgdezyikmnoprstuf", strict=True)),
    "є": ("je", "ie"), "ж": "ż", "ї": "ji", "й": "j", "л": "ł", "х": "ch", "ц": "c",
    "ч": "cz", "ш": "sz", "щ": "szcz", "ь": "", "ю": ("ju", "iu"), "я": ("ja", "ia"), "'": "",
}  # fmt: skip
UK_FRENCH: Table = {
    **dict(zip("абвгґдезиіклмнопрстф", "abvhgdezyiklmnoprstf", strict=True)),
    "є": "ie", "ж": "j", "ї": "ï", "й": "ï", "у": "ou", "х": "kh", "ц": "ts", "ч": "tch",
    "ш": "ch", "щ": "chtch", "ь": "", "ю": "iou", "я": "ia", "'": "",
}  # fmt: skip
RU_ENGLISH: Table = {
    **dict(zip("абвгдзиклмнопрстуф", "abvgdziklmnoprstuf", strict=True)),
    "е": ("ye", "e"), "ё": ("yo", "e"), "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
RU_GERMAN: Table = {
    **dict(zip("абвгдзиклмнопрстуф", "abwgdsiklmnoprstuf", strict=True)),
    "е": ("je", "e"), "ё": "jo", "ж": "sch", "й": "j", "х": "ch", "ц": "z", "ч": "tsch",
    "ш": "sch", "щ": "schtsch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja",
}  # fmt: skip
RU_POLISH: Table = {
    **dict(zip("абвгдзикмнопрстуф", "abwgdzikmnoprstuf", strict=True)),
    "е": ("je", "ie"), "ё": ("jo", "io"), "ж": "ż", "й": "j", "л": "ł", "х": "ch", "ц": "c",
    "ч": "cz", "ш": "sz", "щ": "szcz", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": ("ju", "iu"),
    "я": ("ja", "ia"),
}  # fmt: skip
RU_FRENCH: Table = {
    **dict(zip("абвгдзиклмнопрстф", "abvgdziklmnoprstf", strict=True)),
    "е": "e", "ё": "io", "ж": "j", "й": "ï", "у": "ou", "х": "kh", "ц": "ts", "ч": "tch",
    "ш": "ch", "щ": "chtch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iou", "я": "ia",
}  # fmt: skip
UKRAINIAN_SYSTEMS = {"en": UK_ENGLISH, "de": UK_GERMAN, "pl": UK_POLISH, "fr": UK_FRENCH}
RUSSIAN_SYSTEMS = {"en": RU_ENGLISH, "de": RU_GERMAN, "pl": RU_POLISH, "fr": RU_FRENCH}

# Well-known Ukrainian and Russian persons, as written in Cyrillic (public figures, writers).
UKRAINIAN_PERSONS = (
    "Володимир Зеленський", "Віталій Кличко", "Дмитро Кулеба", "Олена Зеленська",
    "Тарас Шевченко", "Леся Українка", "Іван Франко", "Григорій Сковорода", "Петро Порошенко",
    "Юлія Тимошенко", "Андрій Шевченко", "Сергій Лисак", "Олександр Кубраков", "Денис Шмигаль",
    "Ігор Терехов", "Андрій Садовий", "Геннадій Труханов", "Олександр Сенкевич",
    "Вадим Бойченко", "Олег Синєгубов", "Олександр Симчишин", "Віктор Ющенко",
    "Леонід Кравчук", "Михайло Грушевський", "Богдан Хмельницький", "Іван Мазепа",
    "Ольга Стефанішина", "Руслан Стефанчук", "Валерій Залужний", "Олександр Сирський",
    "Кирило Буданов", "Ірина Верещук", "Олексій Макеєв", "Євген Іванов", "Олександр Копиленко",
)  # fmt: skip
RUSSIAN_PERSONS = (
    "Лев Толстой", "Фёдор Достоевский", "Антон Чехов", "Александр Пушкин", "Михаил Горбачёв",
    "Борис Ельцин", "Алексей Навальный", "Юлия Навальная", "Андрей Сахаров",
    "Пётр Чайковский", "Сергей Рахманинов", "Дмитрий Шостакович", "Анна Ахматова",
    "Борис Пастернак", "Михаил Булгаков", "Иван Тургенев", "Максим Горький",
    "Владимир Набоков", "Юрий Гагарин", "Марина Цветаева",
)  # fmt: skip


def transliterate(text: str, table: Table, vowels: str) -> str:
    """One system's spelling of a Cyrillic text, capitalised like the original.

    A pair in the table is (initial, elsewhere); "initial" is the word's start and, except in
    the Ukrainian national system, the position after a vowel or a soft or hard sign.
    """
    if table is UK_ENGLISH:
        vowels = ""
    words = []
    for word in re.split(r"(\s+|-)", text):
        out, lower = [], word.lower()
        for i, char in enumerate(lower):
            value = table.get(char, char)
            if isinstance(value, tuple):
                initial = i == 0 or (bool(vowels) and lower[i - 1] in vowels + "ьъ'")
                value = value[0] if initial else value[1]
            out.append(value)
        latin = "".join(out)
        words.append(latin[:1].upper() + latin[1:] if word[:1].isupper() else latin)
    return "".join(words)


def spellings(cyrillic: str, *, russian: bool) -> dict[str, str]:
    """The Cyrillic form and its spelling in every system, by system code."""
    systems, vowels = (RUSSIAN_SYSTEMS, _RU_VOWELS) if russian else (UKRAINIAN_SYSTEMS, _UK_VOWELS)
    found = {"cyrillic": cyrillic}
    for code, table in systems.items():
        found[code] = transliterate(cyrillic, table, vowels)
    return found
