"""Numbers written in words or digits, in Spanish and English.

Legal texts spell numbers out ("a los veintiún días", "dos mil diecinueve",
"Two Thousand and Six", "noventa (90) días"), so dates, terms and indicators
all need the same normaliser. Everything here is pure: text in, number out.
"""

from __future__ import annotations

import re
from typing import Optional

from pipeline.search import fold  # noqa: F401 - one accent-folding rule for cues, names and search


_ES_UNITS = {
    "cero": 0, "un": 1, "uno": 1, "una": 1, "primero": 1, "primer": 1, "dos": 2, "tres": 3, "cuatro": 4,
    "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12,
    "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18,
    "diecinueve": 19, "veinte": 20, "veintiun": 21, "veintiuno": 21, "veintiuna": 21, "veintidos": 22,
    "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27,
    "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60,
    "setenta": 70, "ochenta": 80, "noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200,
    "doscientas": 200, "trescientos": 300, "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400,
    "quinientos": 500, "quinientas": 500, "seiscientos": 600, "seiscientas": 600, "setecientos": 700,
    "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900, "novecientas": 900,
    # "diez y seis" style spellings are handled by the additive rule below.
}
_ES_SCALES = {"mil": 1_000, "millon": 1_000_000, "millones": 1_000_000, "billon": 10**12, "billones": 10**12}

_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    # ordinals, for "the twenty-first day of"
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}
_EN_SCALES = {"thousand": 1_000, "million": 1_000_000, "millions": 1_000_000, "billion": 1_000_000_000}
_EN_HUNDRED = {"hundred"}
_CONNECTORS = {"y", "and", "-"}

# Words that never stand for a number by themselves in running text
# ("un acuerdo", "one of the parties", "second paragraph") are excluded from
# the *search* pattern but still parse inside a longer number phrase.
_ES_AMBIGUOUS = {"un", "una", "uno", "primero", "primer", "cien"}
_EN_AMBIGUOUS = {"one", "first", "second"}


def _alternation(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


def _accent_tolerant(word: str) -> str:
    """Regex for a folded word that also matches its accented spelling."""
    table = {"a": "[aá]", "e": "[eé]", "i": "[ií]", "o": "[oó]", "u": "[uúü]"}
    return "".join(table.get(c, re.escape(c)) for c in word)


_ES_WORDS = list(_ES_UNITS) + list(_ES_SCALES)
_EN_WORDS = list(_EN_UNITS) + list(_EN_SCALES) + list(_EN_HUNDRED)
_ES_TOKEN = "(?:" + "|".join(_accent_tolerant(w) for w in sorted(_ES_WORDS, key=len, reverse=True)) + ")"
_EN_TOKEN = "(?:" + _alternation(_EN_WORDS) + ")"
#: One number word at a word start: where a run of ``NUMBER_WORDS`` can begin. Its
#: words are letters only, so no word start lies inside a match, and the matches of a
#: scan with it start at every position where one can.
NUMBER_WORD_START = rf"\b(?:{_ES_TOKEN}|{_EN_TOKEN})"

#: A run of number words: "mil novecientos noventa y cinco", "Two Thousand and Six", "twenty-one".
NUMBER_WORDS = {
    "es": rf"\b{_ES_TOKEN}(?:(?:\s+y\s+|\s+|-){_ES_TOKEN})*\b",
    "en": rf"\b{_EN_TOKEN}(?:(?:\s+and\s+|\s+|-){_EN_TOKEN})*\b",
}


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,\-]+", fold(text).strip()) if t]


def parse_words(text: str, lang: Optional[str] = None) -> Optional[int]:
    """Value of a number written in words, Spanish or English.

    >>> parse_words("mil novecientos noventa y cinco")
    1995
    >>> parse_words("Two Thousand and Six")
    2006
    """
    toks = [t for t in _tokens(text) if t not in _CONNECTORS]
    if not toks:
        return None
    langs = [lang] if lang in ("es", "en") else ["es", "en"]
    for lg in langs:
        value = _parse_tokens(toks, lg)
        if value is not None:
            return value
    return None


def _parse_tokens(toks: list[str], lang: str) -> Optional[int]:
    units = _ES_UNITS if lang == "es" else _EN_UNITS
    scales = _ES_SCALES if lang == "es" else _EN_SCALES
    total, current, groups = 0, 0, []
    for tok in toks:
        if tok in units:
            value = units[tok]
            # English years are read in pairs: "nineteen ninety-five".
            if lang == "en" and current and current % 100 and value >= 10 and current < 100 and value < 100 and current >= 10:
                groups.append(current)
                current = value
                continue
            current += value
        elif lang == "en" and tok in _EN_HUNDRED:
            current = max(current, 1) * 100
        elif tok in scales:
            scale = scales[tok]
            if scale == 1_000:
                current = max(current, 1) * scale
                total += current
            else:
                total = (total + max(current, 1)) * scale
            current = 0
        else:
            return None
    if groups:
        # "nineteen ninety-five" → 19, 95 → 1995; "twenty twenty" → 2020
        if len(groups) == 1 and not total:
            return groups[0] * 100 + current
        return None
    return total + current


def parse_digits(text: str, lang: Optional[str] = None) -> Optional[float]:
    """Value of a number written with digits and locale separators.

    "50,000" and "2,507.81" (English), "50.000" and "1.234,5" (Spanish),
    "1.5" and "1,5" (decimal in either).
    """
    s = re.sub(r"[\s\u00a0']", "", text)
    if not re.fullmatch(r"\d[\d.,]*", s):
        return None
    s = s.rstrip(".,")
    if "," in s and "." in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if dec == "," else ","
        s = s.replace(thousands, "").replace(dec, ".")
    elif "," in s:
        parts = s.split(",")
        # a comma before exactly three digits groups thousands in both languages ("50,000")
        if len(parts) > 2 or len(parts[-1]) == 3:
            s = s.replace(",", "")
        else:
            s = s.replace(",", ".")
    elif "." in s:
        parts = s.split(".")
        # "50.000" groups thousands in Spanish; in English "1.500" is a decimal
        if len(parts) > 2 or (len(parts[-1]) == 3 and lang == "es"):
            s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return None


def parse_number(text: str, lang: Optional[str] = None) -> Optional[float]:
    """Digits, words, or "noventa (90)"-style doubled forms; the digits win when both are given."""
    text = text.strip()
    m = re.search(r"\((\d[\d.,]*)\)", text)
    if m:
        return parse_digits(m.group(1), lang)
    m = re.fullmatch(r"(\d+)\s*(?:°|º|o|st|nd|rd|th|er|ª)?\.?", text)
    if m:
        return float(m.group(1))
    digits = parse_digits(text, lang)
    if digits is not None:
        return digits
    words = parse_words(text, lang)
    return float(words) if words is not None else None


def number_pattern(lang: Optional[str]) -> str:
    """Regex (no groups) for one number in running text: digits, words, or words followed by "(90)"."""
    word_alts = []
    for lg in ([lang] if lang in ("es", "en") else ["es", "en"]):
        word_alts.append(NUMBER_WORDS[lg])
    words = "(?:" + "|".join(word_alts) + ")"
    digits = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
    return rf"(?:{words}(?:\s*\(\s*\d[\d.,]*\s*\))?|(?:{digits}))"


def is_ambiguous_word(text: str) -> bool:
    """True for words like "un", "one" that are usually articles, not quantities."""
    toks = _tokens(text)
    return len(toks) == 1 and (toks[0] in _ES_AMBIGUOUS or toks[0] in _EN_AMBIGUOUS)
