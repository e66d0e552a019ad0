"""Numbers and dates written out the way agreements write them, in Spanish and English.

Agreements spell numbers ("noventa (90) días", "two (2) years") and dates
("a los quince días del mes de marzo de dos mil diecinueve", "this 15th day of
March, 2019") in many forms; the generator draws from all of them so that the
extractors meet the variety archives hold.
"""

from __future__ import annotations

import datetime as dt
import random

MONTHS_ES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

_ES_0_29 = (
    "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
    "dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés veinticuatro "
    "veinticinco veintiséis veintisiete veintiocho veintinueve"
).split()
_ES_TENS = {3: "treinta", 4: "cuarenta", 5: "cincuenta", 6: "sesenta", 7: "setenta", 8: "ochenta", 9: "noventa"}
_ES_HUNDREDS = {
    1: "ciento", 2: "doscientos", 3: "trescientos", 4: "cuatrocientos", 5: "quinientos",
    6: "seiscientos", 7: "setecientos", 8: "ochocientos", 9: "novecientos",
}
_EN_0_19 = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}
_EN_ORD = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
    "nine": "ninth", "twelve": "twelfth",
}


def es_number(n: int) -> str:
    """Cardinal in Spanish words, 0-999999 (masculine forms: "veintiuno", "ciento uno")."""
    if n < 30:
        return _ES_0_29[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _ES_TENS[tens] + (f" y {_ES_0_29[unit]}" if unit else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        if n == 100:
            return "cien"
        return _ES_HUNDREDS[hundreds] + (f" {es_number(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    head = "mil" if thousands == 1 else f"{es_apocope(es_number(thousands))} mil"
    return head + (f" {es_number(rest)}" if rest else "")


def es_apocope(words: str) -> str:
    """"uno" shortens before a noun: "veintiún días", "treinta y un días"."""
    if words.endswith("veintiuno"):
        return words[: -len("veintiuno")] + "veintiún"
    if words.endswith("uno"):
        return words[:-1]
    return words


def en_number(n: int) -> str:
    """Cardinal in English words, 0-999999."""
    if n < 20:
        return _EN_0_19[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_0_19[unit]}" if unit else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_EN_0_19[hundreds]} hundred" + (f" {en_number(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    return f"{en_number(thousands)} thousand" + (f" {en_number(rest)}" if rest else "")


def en_ordinal_words(n: int) -> str:
    words = en_number(n)
    head, sep, last = words.rpartition("-")
    if last in _EN_ORD:
        last = _EN_ORD[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def en_ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{({1: 'st', 2: 'nd', 3: 'rd'}).get(n % 10, 'th')}"


def en_year_words(year: int) -> str:
    """"two thousand nineteen", "nineteen ninety-five"."""
    if year >= 2000 or year % 100 == 0:
        return en_number(year)
    hi, lo = divmod(year, 100)
    return f"{en_number(hi)} {en_number(lo) if lo >= 10 else 'oh-' + en_number(lo)}"


def number(n: int, lang: str, style: str) -> str:
    """A count as agreements write it: "words", "digits" or "both" ("noventa (90)")."""
    words = es_number(n) if lang == "es" else en_number(n)
    if style == "words":
        return words
    if style == "digits":
        return f"{n:,}" if lang == "en" else _es_thousands(n)
    return f"{words} ({n})"


def _es_thousands(n: int) -> str:
    # Mexican usage groups thousands with commas, as English does.
    return f"{n:,}"


DATE_STYLES_ES = ("long_words", "long_digits", "plain", "numeric", "dia")
DATE_STYLES_EN = ("day_of", "day_of_words", "month_first", "day_first", "numeric_us")


def date_es(d: dt.date, style: str) -> str:
    """A Spanish date phrase; every form names the same ISO date."""
    month = MONTHS_ES[d.month - 1]
    if style == "long_words":
        day = "al primer día" if d.day == 1 else f"a los {es_apocope(es_number(d.day))} días"
        return f"{day} del mes de {month} de {es_number(d.year)}"
    if style == "long_digits":
        day = "al primer día" if d.day == 1 else f"a los {d.day} días"
        return f"{day} del mes de {month} del año {d.year}"
    if style == "plain":
        return f"el {d.day} de {month} de {d.year}"
    if style == "numeric":
        return f"el {d.day:02d}/{d.month:02d}/{d.year}"
    if style == "dia":
        return f"el día {d.day} de {month} de {d.year}"
    raise ValueError(style)


def date_en(d: dt.date, style: str) -> str:
    """An English date phrase; every form names the same ISO date."""
    month = MONTHS_EN[d.month - 1]
    if style == "day_of":
        return f"this {en_ordinal_suffix(d.day)} day of {month}, {d.year}"
    if style == "day_of_words":
        return f"on the {en_ordinal_words(d.day)} day of {month}, {en_year_words(d.year)}"
    if style == "month_first":
        return f"on {month} {d.day}, {d.year}"
    if style == "day_first":
        return f"on {d.day} {month} {d.year}"
    if style == "numeric_us":
        return f"on {d.month}/{d.day}/{d.year}"
    raise ValueError(style)


def date_phrase(d: dt.date, lang: str, style: str) -> str:
    return date_es(d, style) if lang == "es" else date_en(d, style)


def deadline_date(d: dt.date, lang: str) -> str:
    """The date inside a deadline ("31 de diciembre de 2021", "December 31, 2021")."""
    if lang == "es":
        return f"{d.day} de {MONTHS_ES[d.month - 1]} de {d.year}"
    return f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"


def random_date(rng: random.Random, first_year: int = 1996, last_year: int = 2024) -> dt.date:
    year = rng.randint(first_year, last_year)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    return dt.date(year, month, day)
