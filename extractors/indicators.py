"""Indicators: the measurable targets inside commitments.

Only commitments are read (numbers in permissions, eligibility rules and
clauses about the agreement itself are not targets), so this extractor runs
after commitments. Forms, in both languages:

- frequencies: "dos veces al año" (2/P1Y), "at least once a year", "annually",
  "por lo menos anualmente", "reuniones anuales" / "a yearly report" (1/P1Y);
- deadlines: "within 90 days", "dentro de los noventa (90) días siguientes a ...",
  "no después de tres meses a partir de ...", "a más tardar el 31 de diciembre";
- money: "US$1.5 millones", "USD 50,000", "$2,507.81", "50 mil pesos";
- percentages and caps: "20%", "no more than 20% a year", "at most 15 days";
- quantities: "10 becas", "al menos dos misiones comerciales al año".

Vague words ("periódicamente", "as appropriate") never match. A commitment
with at least one indicator is ``measurable``. Deadlines and frequencies are
also recorded as dates tied to their commitment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from extractors import fastre
from extractors.dates import DURATION, MONTHS, duration_iso, find_dates
from extractors.numbers import NUMBER_WORD_START, NUMBER_WORDS, fold, is_ambiguous_word, parse_number
from extractors.spans import evidence, load_rules, locate
from pipeline.context import Context
from pipeline.model import Commitment, DateFact, Document, Evidence, Indicator

_W = r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+"
_WORDS = rf"(?:{NUMBER_WORDS['es']}|{NUMBER_WORDS['en']})"
_NUM = rf"(?:\d{{1,3}}(?:[.,]\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|{_WORDS}(?:\s*\(\s*\d[\d.,]*\s*\))?)"
_AT_LEAST = r"(?:por\s+lo\s+menos|al\s+menos|como\s+m[ií]nimo|un\s+m[ií]nimo\s+de|no\s+menos\s+de|at\s+least|no\s+less\s+than|not\s+less\s+than|a\s+minimum\s+of)"
_AT_MOST = r"(?:(?:shall|will|may|should)\s+not\s+exceed|no\s+(?:podr[aá]n?\s+)?exceder(?:[aá]n?)?(?:\s+del?)?|sin\s+exceder(?:\s+del?)?|como\s+m[aá]ximo|un\s+m[aá]ximo\s+del?|hasta(?:\s+(?:el|un))?|no\s+m[aá]s\s+del?|no\s+mayor(?:es)?\s+(?:al?|del?)|at\s+most|up\s+to|no\s+more\s+than|not\s+more\s+than|a\s+maximum\s+of|not\s+to\s+exceed)"
_PER = r"(?:al|por|a\s+la|cada|per|a|an|each|every|in\s+each|in\s+every)"
_PERIOD_WORD = r"(?:a[ñn]o|mes|semana|semestre|trimestre|bimestre|d[ií]a|year|month|week|quarter|semester|day|fiscal\s+year|ejercicio\s+fiscal)"
_PERIOD = {
    "ano": "P1Y", "year": "P1Y", "fiscal year": "P1Y", "ejercicio fiscal": "P1Y", "mes": "P1M", "month": "P1M",
    "semana": "P1W", "week": "P1W", "semestre": "P6M", "semester": "P6M", "trimestre": "P3M", "quarter": "P3M",
    "bimestre": "P2M", "dia": "P1D", "day": "P1D",
}
_ADVERB = {
    "anualmente": ("P1Y", 1), "annually": ("P1Y", 1), "yearly": ("P1Y", 1), "every year": ("P1Y", 1), "each year": ("P1Y", 1),
    "cada ano": ("P1Y", 1), "una vez al ano": ("P1Y", 1), "semestralmente": ("P6M", 1), "semi-annually": ("P6M", 1),
    "semiannually": ("P6M", 1), "biannually": ("P1Y", 2), "trimestralmente": ("P3M", 1), "quarterly": ("P3M", 1),
    "mensualmente": ("P1M", 1), "monthly": ("P1M", 1), "every month": ("P1M", 1), "cada mes": ("P1M", 1),
    "semanalmente": ("P1W", 1), "weekly": ("P1W", 1), "bimestralmente": ("P2M", 1), "bienalmente": ("P2Y", 1),
    "biennially": ("P2Y", 1), "in alternate years": ("P2Y", 1), "every other year": ("P2Y", 1), "every second year": ("P2Y", 1),
    "en anos alternos": ("P2Y", 1), "ano por medio": ("P2Y", 1), "bimonthly": ("P2M", 1), "bi-monthly": ("P2M", 1), "biweekly": ("P2W", 1), "bi-weekly": ("P2W", 1),
}
_ADJ = {
    "anual": "P1Y", "anuales": "P1Y", "annual": "P1Y", "yearly": "P1Y", "semestral": "P6M", "semestrales": "P6M",
    "semiannual": "P6M", "semi-annual": "P6M", "biannual": "P6M", "trimestral": "P3M", "trimestrales": "P3M",
    "quarterly": "P3M", "mensual": "P1M", "mensuales": "P1M", "monthly": "P1M", "semanal": "P1W", "semanales": "P1W",
    "weekly": "P1W", "bimestral": "P2M", "bimestrales": "P2M", "bienal": "P2Y", "bienales": "P2Y", "biennial": "P2Y",
}

# Every match of FREQ_COUNT holds a match of its count and period without the bound, a
# quicker search (the bound's words are tried wherever a letter is) that rules texts out.
_FREQ_COUNT_CORE = (
    rf"(?P<n>{_NUM}|once|twice|thrice)\s+(?:(?:vez|veces|times?)\s+)?"
    rf"(?:{_PER}\s+(?P<per>{_PERIOD_WORD})\b|(?:cada|every)\s+(?P<k>{_NUM})\s+(?P<kunit>a[ñn]os|meses|semanas|years|months|weeks)\b|"
    r"(?P<adv>annually|yearly|anualmente|monthly|mensualmente|quarterly|trimestralmente|semestralmente)\b)"
)
FREQ_COUNT = fastre.behind(fastre.compile(rf"(?:{_AT_LEAST}\s+|{_AT_MOST}\s+)?" + _FREQ_COUNT_CORE, re.I), _FREQ_COUNT_CORE, re.I)
_ADV_PERIOD = {"annually": "P1Y", "yearly": "P1Y", "anualmente": "P1Y", "monthly": "P1M", "mensualmente": "P1M",
               "quarterly": "P3M", "trimestralmente": "P3M", "semestralmente": "P6M"}
FREQ_EVERY = fastre.compile(rf"(?:{_AT_LEAST}\s+)?(?:cada|every)\s+(?P<n>{_NUM})\s+(?P<unit>a[ñn]os|meses|semanas|years|months|weeks)\b", re.I)
FREQ_ADVERB = fastre.compile(
    rf"(?:{_AT_LEAST}\s+)?(?P<adv>anualmente|annually|yearly|every\s+year|each\s+year|cada\s+a[ñn]o|semestralmente|semi-?annually|"
    r"biannually|trimestralmente|quarterly|mensualmente|monthly|every\s+month|cada\s+mes|semanalmente|weekly|bimestralmente|"
    r"bienalmente|biennially|bi-?monthly|bi-?weekly|in\s+alternate\s+years|every\s+(?:other|second)\s+year|en\s+a[ñn]os\s+alternos|"
    r"a[ñn]o\s+por\s+medio)\b",
    re.I,
)
FREQ_ADJ_ES = fastre.compile(
    rf"\b(?P<noun>{_W})\s+(?P<adj>anual(?:es)?|semestral(?:es)?|trimestral(?:es)?|mensual(?:es)?|bimestral(?:es)?|semanal(?:es)?|bienal(?:es)?)\b"
    rf"(?:\s+de\s+(?P<of>{_W}))?",
    re.I,
)
FREQ_ADJ_EN = fastre.compile(
    rf"\b(?:an?\s+|one\s+)?(?P<adj>annual|yearly|semi-?annual|biannual|quarterly|monthly|weekly|biennial)\s+(?P<noun>{_W})",
    re.I,
)
_REL_LEAD = rf"(?:dentro\s+de(?:\s+(?:los|las))?|en\s+un\s+(?:plazo|t[eé]rmino|per[ií]odo)\s+(?:m[aá]ximo\s+|no\s+mayor\s+)?de|" \
    rf"a\s+m[aá]s\s+tardar\s+(?:en|a\s+los|dentro\s+de)|no\s+despu[eé]s\s+de|no\s+m[aá]s\s+tarde\s+de|antes\s+de|en\s+los|" \
    rf"within(?:\s+the)?|no\s+later\s+than|not\s+later\s+than|in\s+no\s+more\s+than|{_AT_LEAST}|{_AT_MOST}|con)"
# Every match of DEADLINE_REL holds a match of its number and unit alone: searched first, it
# rules out most texts for less than the lead phrases cost.
_DEADLINE_REL_CORE = (
    rf"(?P<n>{_NUM}|one|un|una)\s+(?P<unit>(?:d[ií]as?|semanas?|mes(?:es)?|a[ñn]os?|business\s+days?|calendar\s+days?|"
    r"working\s+days?|days?|weeks?|months?|years?|horas?|hours?)(?:\s+(?:h[aá]biles|naturales|calendario))?)\b"
)
_DEADLINE_REL = fastre.compile(
    rf"(?:(?P<lead>{_REL_LEAD})\s+|(?<![\w,.]))" + _DEADLINE_REL_CORE +
    r"(?P<tail>\s+(?:siguientes|contad[oa]s|a\s+partir|despu[eé]s|following|after|from|of|prior|before|in\s+advance|de\s+anticipaci[oó]n|"
    r"de\s+antelaci[oó]n|antes|posteriores)[^,.;:]*)?",
    re.I,
)
DEADLINE_REL = fastre.behind(_DEADLINE_REL, _DEADLINE_REL_CORE, re.I)
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
DEADLINE_ABS = fastre.compile(
    rf"(?P<lead>a\s+m[aá]s\s+tardar\s+(?:el\s+)?|antes\s+del?\s+|hasta\s+el\s+|no\s+later\s+than\s+|not\s+later\s+than\s+|"
    rf"on\s+or\s+before\s+|by\s+(?:the\s+)?|before\s+)(?P<date>(?:\d{{1,2}}|{_WORDS})\s+(?:de\s+|of\s+)?(?:{_MONTH_RE})\b|(?:{_MONTH_RE})\s+\d{{1,2}}\b|"
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})",
    re.I,
)
DEADLINE_YEAR = fastre.compile(
    r"(?:a\s+m[aá]s\s+tardar\s+(?:en\s+|a\s+finales\s+de\s+|al\s+final\s+de\s+)?|antes\s+de(?:\s+finales\s+de|l\s+final\s+de|l)?\s+|"
    r"(?:by|before|no\s+later\s+than)\s+(?:the\s+end\s+of\s+)?)(?:(?:el\s+)?a[ñn]o\s+|(?:fiscal\s+)?year\s+)?(?P<year>(?:19|20)\d\d)\b",
    re.I,
)
# "f 500,000" and "Dfl. 2,000" are Dutch guilders: the bare "f" only before a grouped amount.
_CURRENCY_SIGN = r"(?:US\s?\$|U\.S\.\s?\$|(?:USD|MXN|EUR|COP|CAD|GBP|NLG|JPY)\s?\$?|M\.N\.|\$|€|£|¥|(?:Dfl|Hfl|Fl)\.?|\bf(?=\s?\d{1,3}(?:[.,]\d{3})+))"
_SCALE = r"(?:mil\s+millones|millones|mill[oó]n|millions?|billions?|thousand|mil|MDP|mdp)"
_CUR_WORD = r"(?:d[oó]lares|dollars|pesos|euros|libras|pounds|guilders|florines|yen|yenes|USD|MXN|EUR)"
_CUR_QUAL = r"(?:\s+(?P<QUAL>estadounidenses|americanos|mexicanos|colombianos|canadienses|de\s+los\s+Estados\s+Unidos(?:\s+de\s+Am[eé]rica)?|" \
    r"de\s+Estados\s+Unidos|US|M\.\s?N\.|moneda\s+nacional))?"
_CUR_QUAL_1, _CUR_QUAL_2 = _CUR_QUAL.replace("QUAL", "qual"), _CUR_QUAL.replace("QUAL", "qual2")
# "pesos mexicanos", "dólares estadounidenses": the qualifier names the currency
_QUAL_CURRENCY = {"mexicanos": "MXN", "m.n.": "MXN", "m. n.": "MXN", "colombianos": "COP", "canadienses": "CAD", "estadounidenses": "USD",
                  "americanos": "USD", "us": "USD", "de los estados unidos": "USD", "de los estados unidos de america": "USD",
                  "de estados unidos": "USD"}
_MONEY = fastre.compile(
    rf"(?P<sign>{_CURRENCY_SIGN})\s?(?P<amount>\d[\d.,]*)(?:,-|\.-)?(?:\s+(?P<scale>{_SCALE}))?(?:\s+(?:de\s+)?(?P<word>{_CUR_WORD}){_CUR_QUAL_1})?(?:\s*(?P<code>USD|MXN|M\.N\.|EUR|dlls\.?))?"
    rf"|(?P<amount2>{_NUM})(?:,-|\.-)?(?:\s+(?P<scale2>{_SCALE}))?\s+(?:de\s+)?(?P<word2>{_CUR_WORD}){_CUR_QUAL_2}",
    re.I,
)
# What every match of MONEY holds: a currency sign before its digits (a bare "f" or "fl"
# reads as one only there), or a currency word after white space. Few texts do, and
# MONEY itself tries its number words wherever a letter is.
_MONEY_NEEDS = (
    r"[$€£¥]|(?:USD|MXN|EUR|COP|CAD|GBP|NLG|JPY)\s?\$?\s?\d|M\.N\.\s?\d|Fl\.?\s?\d|f\s?\d|"
    rf"\s{_CUR_WORD}"
)
MONEY = fastre.behind(_MONEY, _MONEY_NEEDS, re.I)
PERCENT = fastre.compile(
    rf"(?:(?P<cap>{_AT_MOST})\s+|(?P<min>{_AT_LEAST})\s+)?(?P<n>{_NUM})\s*(?:%|por\s+ciento|percent|per\s+cent)"
    rf"(?:\s+(?:{_PER})\s+(?P<per>{_PERIOD_WORD}))?",
    re.I,
)
_PER_ADJ = r"(?:anual(?:es)?|mensual(?:es)?|semestral(?:es)?|trimestral(?:es)?|semanal(?:es)?|annually|yearly|monthly|quarterly|weekly)"
_PER_ADJ_PERIOD = {"anual": "P1Y", "anuales": "P1Y", "annually": "P1Y", "yearly": "P1Y", "mensual": "P1M", "mensuales": "P1M",
                   "monthly": "P1M", "semestral": "P6M", "semestrales": "P6M", "trimestral": "P3M", "trimestrales": "P3M",
                   "quarterly": "P3M", "semanal": "P1W", "semanales": "P1W", "weekly": "P1W", "anualmente": "P1Y",
                   "mensualmente": "P1M"}
_MONEY_PER = fastre.compile(
    rf"\s*(?:(?:{_PER})\s+(?P<per>{_PERIOD_WORD})\b|(?P<adj>anual(?:es)?|anualmente|mensual(?:es)?|mensualmente|annually|yearly|monthly|"
    r"semestral(?:es)?|trimestral(?:es)?|quarterly)\b)",
    re.I,
)
QUANTITY = fastre.compile(
    rf"(?:(?P<cap>{_AT_MOST})\s+|(?P<min>{_AT_LEAST})\s+)?(?P<n>{_NUM})\s+"
    rf"(?P<unit>{_W}(?:\s+(?!(?:per|al|por|a|an|each|every|cada|de|del|of|for|to|in|en|y|and|que|con|with|{_PER_ADJ})\b){_W})?)"
    rf"(?:\s+(?:{_PER})\s+(?P<per>{_PERIOD_WORD})\b|\s+(?P<peradv>{_PER_ADJ})\b)?",
    re.I,
)
_DELIVER = fastre.compile(
    r"\b(?:otorg|entreg|realiz|organiz|capacit|financi|constru|envi|recib|benefici|apoy|aport|destin|ofrec|impart|becar|plant|"
    r"instal|contrat|form|atend|public|edit|celebr|llev|habilit|rehabilit|equip|don|asign|crear|crea|establec|abr|"
    r"provid|provide|grant|award|train|host|send|receiv|hold|organi[sz]|deliver|build|fund|plant|install|hire|publish|"
    r"offer|donat|allocat|assign|creat|establish|open|support|sponsor|conduct|carry|exchang|intercambi|sel|select|"
    r"present|exhib|expon|mont|cofinanc|co-?financ|co-?fund|take\s+part|particip|launch|lanz|implement|desarroll|develop|"
    r"produc|elabor|dise[ñn]|design|prepar|publish|imprim|print|train|hospedar|acoger|recruit|reclut|distribut|distribu)\w*",
    re.I,
)
# Where a match of FREQ_COUNT, PERCENT, DEADLINE_REL or QUANTITY can start: each opens
# with a bound or lead phrase and white space, or with the number itself.
_COUNT_WORDS = r"once|twice|thrice|one|un|una"  # the counts FREQ_COUNT and DEADLINE_REL name beside _NUM
_COUNT_START = fastre.compile(
    rf"(?:{_AT_LEAST}|{_AT_MOST}|{_REL_LEAD})\s+|{_NUM}|{_COUNT_WORDS}",
    re.I,
)
# Where a number can start: every match of the cores of FREQ_COUNT and DEADLINE_REL
# opens with one (digits, a number word, or one of _COUNT_WORDS). Two scans, as "una"
# can start inside a number word ("veintiuna") that a single scan would step over; no
# word of _COUNT_WORDS starts inside another.
_DIGIT_OR_NUMBER_WORD = fastre.compile(rf"\d|{NUMBER_WORD_START}", re.I)
_COUNT_WORD = fastre.compile(_COUNT_WORDS, re.I)
_PURPOSE = fastre.compile(r"\b(?:para|a\s+fin\s+de|con\s+el\s+fin\s+de|in\s+order\s+to|so\s+as\s+to|to\s+(?:prepare|draft|adopt|review))\b", re.I)
_LEGAL_WORD = r"(?:art[ií]culo|article|numeral|ley|law|no\.|n[uú]mero|section|secci[oó]n|inciso|p[aá]rrafo|paragraph|cl[aá]usula|clause|anexo|annex|cap[ií]tulo|chapter|decreto|decree|resoluci[oó]n|resolution|ordinance)"
_LEGAL_REF = fastre.compile(_LEGAL_WORD + r"\s*$", re.I)
# A match of _LEGAL_REF is a word followed by nothing but white space, so it starts at
# most this far before the last other character: the search can begin there.
_LEGAL_WORD_WIDTH = fastre.max_width(_LEGAL_WORD, re.I)
_MONTH_NEXT = re.compile(r"\s*(?:de\s+)?(?:" + _MONTH_RE + r")\b", re.I)
_FUNCTION_WORDS = {"de", "del", "para", "en", "a", "al", "of", "for", "to", "in", "que", "y", "and", "per", "por", "cada", "each", "every",
                   "con", "with", "que", "the", "la", "el", "los", "las", "on", "by", "sobre", "from", "as", "or", "o"}
_ARTICLES = {"el", "la", "los", "las", "un", "una", "the", "a", "an", "este", "esta", "this", "dicho", "dicha", "said"}
_CURRENCY = {"us$": "USD", "u.s.$": "USD", "usd": "USD", "mxn": "MXN", "m.n.": "MXN", "eur": "EUR", "€": "EUR", "£": "GBP",
             "gbp": "GBP", "cop": "COP", "cad": "CAD", "dolares": "USD", "dollars": "USD", "euros": "EUR", "libras": "GBP",
             "pounds": "GBP", "nlg": "NLG", "guilders": "NLG", "florines": "NLG", "f": "NLG", "dfl": "NLG", "hfl": "NLG",
             "fl": "NLG", "jpy": "JPY", "yen": "JPY", "yenes": "JPY", "¥": "JPY"}
_SCALES = {"mil millones": 1e9, "millones": 1e6, "millon": 1e6, "million": 1e6, "millions": 1e6, "billion": 1e9,
           "billions": 1e9, "thousand": 1e3, "mil": 1e3, "mdp": 1e6}


# "a programme of activities for a period of at least two years at a time": how long what is
# delivered must cover (a term or notice period is never read here: only commitments are)
SPAN_OF = fastre.compile(
    rf"(?:(?:for|over|covering)\s+(?:a|the|each)\s+(?:period|term)\s+of|por\s+(?:un|el)\s+(?:per[ií]odo|plazo|t[eé]rmino)\s+(?:m[ií]nimo\s+)?de)\s+"
    rf"(?:(?:at\s+least|al\s+menos|por\s+lo\s+menos|no\s+less\s+than)\s+)?(?P<n>{_NUM})\s+(?P<unit>years?|months?|a[ñn]os|meses)\b"
    r"(?:\s+(?:at\s+a\s+time|each|cada\s+uno|cada\s+vez))?",
    re.I,
)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
             "5th": 5, "primer": 1, "primero": 1, "segundo": 2, "tercer": 3, "tercero": 3, "cuarto": 4, "quinto": 5, "sexto": 6}
# "at the end of the third project-year", "al término del segundo año": a deadline counted in years of the project
ORDINAL_DEADLINE = fastre.compile(
    r"(?:(?:at|by|before)\s+the\s+end\s+of\s+the|(?:al|antes\s+del)\s+(?:final|t[eé]rmino|finalizar|cierre)\s+del)\s+"
    r"(?P<ord>first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|primer|primero|segundo|tercer|tercero|cuarto|quinto|sexto)\s+"
    r"(?:(?:project|programme|program|fiscal)[- ])?(?P<unit>year|month|a[ñn]o|mes|semestre|semester)\b(?:\s+(?:of\s+the\s+project|del\s+proyecto|de\s+(?:ejecuci[oó]n|vigencia)))?",
    re.I,
)


@dataclass
class Hit:
    start: int
    end: int
    kind: str
    value: Optional[float]
    unit: Optional[str] = None
    period: Optional[str] = None
    currency: Optional[str] = None
    deadline: Optional[str] = None
    alone: bool = False  # a one-word frequency ("anualmente"), widened to its action at the end


# a bound right before an amount makes it a ceiling: "shall not exceed 2.700.000,- guilders"
_CAP_BEFORE = re.compile(rf"(?:{_AT_MOST})\s+$", re.I)
_VERB_FORM = fastre.compile(r"(?i)(?:\w+(?:ar|er|ir)(?:[aá]n?|emos)|shall|will|may|must|are|is|were|have|has)$")


# a unit's second word that starts a clause instead: "dos becas que", "two grants shall"
_UNIT_TAIL_STOP = _FUNCTION_WORDS | {"que", "se", "shall", "will", "deberan", "seran"}
# the words a lone frequency adverb is not read with: function words, articles, auxiliaries
_NOT_ACTION = _FUNCTION_WORDS | _ARTICLES | {"se", "be", "ser", "least", "menos"}


def _with_action(text: str, start: int, end: int) -> tuple[int, int]:
    """A frequency adverb alone ("anualmente") is read with the action it times: the verb
    right before it ("se evaluará y ajustará anualmente") or, leading a clause, the words
    after it ("Anualmente se realizará una reunión"), so that the indicator says what recurs."""
    before = re.search(r"(\w+)\s+$", text[max(0, start - 40) : start])
    if before and fold(before.group(1)) not in _NOT_ACTION:
        return start - len(before.group(0)), end
    after = re.match(r"(?:,?\s+(?:se\s+)?[\w-]+){1,3}", text[end:])
    if after:
        return start, end + len(after.group(0).rstrip(", "))
    return start, end


def _merge_restated(hits: list[Hit], text: str) -> None:
    """"f 500,000 (five hundred thousand guilders)": an amount restated in brackets is one target."""
    hits.sort(key=lambda h: h.start)
    i = 0
    while i + 1 < len(hits):
        a, b = hits[i], hits[i + 1]
        if a.value == b.value and re.fullmatch(r"\s*\(\s*", text[a.end : b.start]):
            close = re.match(r"\s*\)", text[b.end :])
            a.end = b.end + (close.end() if close else 0)
            a.currency = a.currency or b.currency
            a.unit = a.currency or a.unit
            a.kind = "cap" if "cap" in (a.kind, b.kind) else a.kind
            del hits[i + 1]
        else:
            i += 1


def _num(text: str, lang: str) -> Optional[float]:
    t = fold(text.strip())
    return {"once": 1.0, "twice": 2.0, "thrice": 3.0, "un": 1.0, "una": 1.0, "one": 1.0}.get(t) or parse_number(text, lang)


def _period(word: Optional[str]) -> Optional[str]:
    return _PERIOD.get(fold(word).strip()) if word else None


def _action_unit(text: str, lang: str) -> str:
    t = fold(text)
    if re.search(r"\breun|\bmeet|\bsesion|\bsession", t):
        return "reuniones" if lang == "es" else "meetings"
    if re.search(r"\binform|\breport", t):
        return "informes" if lang == "es" else "reports"
    return "veces" if lang == "es" else "times"


@lru_cache(maxsize=None)
def _rule_words(key: str) -> frozenset[str]:
    return frozenset(load_rules("indicators.json")[key])


def _after_fraction_bar(before: str) -> bool:
    """Whether ``before`` ends in a digit and "/" (then white space): the same test as
    ``re.search(r"\\d/\\s*$", before)`` without scanning the whole text."""
    core = before.rstrip()
    return len(core) >= 2 and core[-1] == "/" and core[-2].isdecimal()


def _ends_with_legal_word(before: str) -> bool:
    """``_LEGAL_REF.search(before)``, searched only where a match can start."""
    return _LEGAL_REF.search(before, max(0, len(before.rstrip()) - _LEGAL_WORD_WIDTH)) is not None


def _number_starts(text: str, pos: int) -> list[int]:
    """Every position from ``pos`` where a number can start (see _DIGIT_OR_NUMBER_WORD)."""
    return [m.start() for m in _DIGIT_OR_NUMBER_WORD.finditer(text, pos)] + [m.start() for m in _COUNT_WORD.finditer(text, pos)]


def find_indicators(text: str, lang: str = "es", currency_hint: Optional[str] = None) -> list[Hit]:
    """Every indicator in one commitment's text, as non-overlapping hits in reading order."""
    not_units = _rule_words("not_units")
    not_freq = _rule_words("not_frequency_nouns")
    hits: list[Hit] = []
    # None of the four count patterns matches before this (a search from here still sees
    # the text before it), nor anywhere when it is None.
    first = _COUNT_START.search(text)
    counts_from = first.start() if first else None

    def counted(pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        return iter(()) if counts_from is None else pattern.finditer(text, counts_from)

    numbers = _number_starts(text, counts_from) if counts_from is not None else []

    def numbered(pattern: fastre.Prefiltered) -> Iterator[re.Match[str]]:
        # ``counted`` for a pattern behind a core that opens with a number: its quick test
        # is tried where a number starts instead of scanning for it.
        return iter(()) if counts_from is None else pattern.finditer_tested_at(text, counts_from, numbers)

    def free(a: int, b: int) -> bool:
        return all(b <= h.start or a >= h.end for h in hits)

    for m in MONEY.finditer(text):
        amount_text = (m.group("amount") or m.group("amount2")).rstrip(".,")
        value = parse_number(amount_text, lang)
        if value is None or value == 0:
            continue
        scale = m.group("scale") or m.group("scale2")
        if scale:
            value *= _SCALES.get(fold(scale), 1)
        sign = fold(m.group("sign") or "").replace(" ", "").rstrip(".")
        if re.match(r"[a-z]{3}\$$", sign):
            sign = sign[:-1]  # "USD $10,000"
        word = fold(m.group("word") or m.group("word2") or "")
        code = fold(m.group("code") or "")
        qual = re.sub(r"\s+", " ", fold(m.group("qual") or m.group("qual2") or ""))
        currency = _CURRENCY.get(code) or _QUAL_CURRENCY.get(qual) or _CURRENCY.get(sign) or _CURRENCY.get(word)
        if currency is None and (sign == "$" or word == "pesos"):
            currency = "USD" if lang == "en" and word != "pesos" else currency_hint
        # "USD 50,000 annually", "50 mil pesos anuales": the amount is per period
        per = _MONEY_PER.match(text[m.end() :])
        period = _period(per.group("per")) or _PER_ADJ_PERIOD.get(fold(per.group("adj") or "")) if per else None
        end = m.end() + per.end() if per and period else m.end()
        # "shall not exceed 2.700.000,- guilders", "hasta US$50,000": a ceiling, read with its bound
        cap = _CAP_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
        start = m.start() - len(cap.group(0)) if cap else m.start()
        hits.append(Hit(start, end, "cap" if cap else "money", value, unit=currency or "money", currency=currency, period=period))
    _merge_restated(hits, text)
    for m in counted(PERCENT):
        if free(m.start(), m.end()):
            value = _num(m.group("n"), lang)
            if value is not None:
                hits.append(Hit(m.start(), m.end(), "cap" if m.group("cap") else "percentage", value, unit="%", period=_period(m.group("per"))))
    for m in numbered(FREQ_COUNT):
        value = _num(m.group("n"), lang)
        if m.group("adv") and not re.match(r"(?i)once|twice|thrice|\w+\s+(?:times?|veces|vez)", m.group(0)[m.start("n") - m.start() :]):
            continue  # "two annually" is a quantity with no noun; leave it to the adverb rule
        if value and free(m.start(), m.end()) and value == int(value) and value < 400:
            if m.group("k"):
                period = duration_iso(m.group("k"), m.group("kunit"), lang)
            elif m.group("adv"):
                period = _ADV_PERIOD.get(fold(m.group("adv")))
            else:
                period = _period(m.group("per"))
            hits.append(Hit(m.start(), m.end(), "frequency", value, unit=_action_unit(text, lang), period=period))
    for m in FREQ_EVERY.finditer(text):
        n = _num(m.group("n"), lang)
        if n and free(m.start(), m.end()):
            period = duration_iso(m.group("n"), m.group("unit"), lang)
            hits.append(Hit(m.start(), m.end(), "frequency", 1, unit=_action_unit(text, lang), period=period))
    for m in FREQ_ADVERB.finditer(text):
        # "a yearly report" is the adjective form, read below with its noun
        if re.match(r"(?i)(?:yearly|monthly|weekly|quarterly)$", m.group("adv")) and re.match(r"\s+[A-Za-z]{3,}", text[m.end() :]) \
                and not re.match(r"(?i)\s+(?:and|or|by|to|in|at|on|for|with|as|before|after|until|thereafter)\b", text[m.end() :]):
            continue
        if free(m.start(), m.end()):
            period, value = _ADVERB[re.sub(r"\s+", " ", fold(m.group("adv")))]
            alone = m.start("adv") == m.start() and " " not in m.group("adv")
            hits.append(Hit(m.start(), m.end(), "frequency", value, unit=_action_unit(text, lang), period=period, alone=alone))
    for m in numbered(DEADLINE_REL):
        if not free(m.start(), m.end()):
            continue
        value = _num(m.group("n"), lang)
        if value is None:
            continue
        lead = fold(m.group("lead") or "")
        end = m.end()
        kind = "cap" if re.match(_AT_MOST, lead, re.I) else "deadline"
        # "con treinta días" or "at least 3 days" only set a deadline when something follows: "de anticipación", "before"
        if (lead == "con" or re.match(_AT_LEAST, lead, re.I) or not lead) and not m.group("tail"):
            continue
        hits.append(Hit(m.start(), end, kind, value, unit=fold(m.group("unit")).split()[0], deadline=duration_iso(m.group("n"), m.group("unit"), lang)))
    for m in DEADLINE_ABS.finditer(text):
        if not free(m.start(), m.end()):
            continue
        dates = find_dates(text[m.start("date") :], lang)
        full = dates[0] if dates and dates[0].start == 0 else None
        end = m.start("date") + full.end if full else m.end()
        deadline = full.value if full else _month_day(m.group("date"))
        if deadline:
            hits.append(Hit(m.start(), end, "deadline", None, unit="date", deadline=deadline))
    for m in DEADLINE_YEAR.finditer(text):
        if free(m.start(), m.end()):
            hits.append(Hit(m.start(), m.end(), "deadline", None, unit="date", deadline=m.group("year")))
    for m in counted(QUANTITY):
        if not free(m.start("n"), m.end("unit")):
            continue
        n_text = m.group("n")
        bounded = m.group("cap") or m.group("min") or m.group("per") or m.group("peradv")
        # "un", "one" are articles unless a bound or a period makes them a count ("at least one delegation per year")
        if (is_ambiguous_word(n_text) and not (m.group("cap") or m.group("min") or m.group("per"))) or re.fullmatch(r"(?:1[89]|20)\d\d", n_text):
            continue
        # "96/100 dollars" spells the cents of an amount; "estos dos elegirán" counts people, not a target
        before = text[: m.start("n")]
        unit_words = m.group("unit").split()
        if _after_fraction_bar(before) or re.match(r"/\d", text[m.end("n") :]) or _VERB_FORM.match(unit_words[0]):
            continue
        if _ends_with_legal_word(before) or _MONTH_NEXT.match(text[m.end("n") :]):
            continue
        if fold(unit_words[0]) in not_units or fold(unit_words[0]) in _FUNCTION_WORDS:
            continue
        if DURATION.match(text[m.start("n") :]):
            continue  # a bare duration is a term or notice period, not a quantity to deliver
        if len(unit_words) > 1 and fold(unit_words[1]) in _UNIT_TAIL_STOP:
            unit_words = unit_words[:1]
        value = _num(n_text, lang)
        if not value:
            continue
        if not bounded and not _DELIVER.search(text[max(0, m.start() - 70) : m.start()]):
            continue  # "los 3 niveles de gobierno" describes; a target is something to deliver
        period = _period(m.group("per")) or (_PER_ADJ_PERIOD.get(fold(m.group("peradv"))) if m.group("peradv") else None)
        end = m.end() if period else m.start("unit") + len(" ".join(unit_words))
        start = m.start()
        # "two scholarships annually": the quantity carries the frequency word read on its own above
        hits[:] = [h for h in hits if not (h.kind == "frequency" and start <= h.start and h.end <= end)]
        hits.append(Hit(start, end, "cap" if m.group("cap") else "quantity", value, unit=" ".join(unit_words), period=period))
    for m in SPAN_OF.finditer(text):
        value = _num(m.group("n"), lang)
        if value and free(m.start(), m.end()):
            hits.append(Hit(m.start(), m.end(), "quantity", value, unit=fold(m.group("unit")), period=None))
    for m in ORDINAL_DEADLINE.finditer(text):
        if free(m.start(), m.end()):
            n = _ORDINALS.get(fold(m.group("ord")).rstrip("."))
            if n:
                hits.append(Hit(m.start(), m.end(), "deadline", n, unit=fold(m.group("unit")), deadline=None))
    explicit_freq = any(h.kind == "frequency" for h in hits)
    for m in list(FREQ_ADJ_ES.finditer(text)) + list(FREQ_ADJ_EN.finditer(text)):
        noun = fold(m.group("noun"))
        if noun in not_freq or noun in _FUNCTION_WORDS or not free(m.start(), m.end()):
            continue
        # "se reunirán dos veces al año para elaborar el Plan Anual": the plan is the purpose of the stated frequency
        if explicit_freq and _PURPOSE.search(text[max(0, m.start() - 40) : m.start()]):
            continue
        # "El Plan Anual de ... incluirá": the subject the clause describes, not a target it sets
        head = re.findall(r"\w+", fold(text[: m.start()]))
        if all(w in _ARTICLES for w in head):
            continue
        period = _ADJ.get(fold(m.group("adj")).replace("-", "")) or _ADJ.get(fold(m.group("adj")))
        hits.append(Hit(m.start(), m.end(), "frequency", 1, unit=m.group("noun"), period=period))
        break
    for h in hits:
        if h.alone:
            start, end = _with_action(text, h.start, h.end)
            if all(o is h or end <= o.start or start >= o.end for o in hits):
                h.start, h.end = start, end
    return sorted(hits, key=lambda h: h.start)


def _month_day(text: str) -> Optional[str]:
    """"31 de diciembre" / "December 31" → "--12-31" (ISO 8601 recurring day)."""
    m = re.search(rf"(\d{{1,2}})\s+(?:de\s+|of\s+)?({_MONTH_RE})|({_MONTH_RE})\s+(\d{{1,2}})", text, re.I)
    if not m:
        return None
    day = int(m.group(1) or m.group(4))
    month = MONTHS.get(fold(m.group(2) or m.group(3)))
    return f"--{month:02d}-{day:02d}" if month and 1 <= day <= 31 else None


def _commitment_offset(doc: Document, c: Commitment) -> Optional[Evidence]:
    ev = c.evidence
    if ev is None:
        return None
    page = doc.pages[ev.page - 1]
    if page.text[ev.start : ev.end] == c.text:
        return ev
    return None


def _currency_hint(doc: Document) -> Optional[str]:
    countries = {p.country for p in doc.parties}
    for code, cur in (("MX", "MXN"), ("CO", "COP"), ("AR", "ARS"), ("CL", "CLP")):
        if code in countries:
            return cur
    return None


def run(doc: Document, ctx: Context) -> None:
    low = ctx.options.low_conf if ctx else 60.0
    hint = _currency_hint(doc)
    indicators: list[Indicator] = []
    dates = [d for d in doc.dates if d.kind not in ("deadline", "reporting")]
    for idx, c in enumerate(doc.commitments):
        base = _commitment_offset(doc, c)
        found = [(c.text, h, base) for h in find_indicators(c.text, c.lang or "es", hint)]
        # items a lead-in carries in ``actions`` ("The Parties shall: (a) meet twice a year") measure it too
        for action in c.actions:
            if action and action not in c.text:
                found += [(action, h, None) for h in find_indicators(action, c.lang or "es", hint)]
        c.measurable = bool(found)
        for source, h, base in found:
            text = source[h.start : h.end]
            if base is not None:
                ev: Optional[Evidence] = evidence(base.page, base.start + h.start, base.start + h.end, doc, low)
            else:
                ev = locate(doc, text, c.evidence)
            ind = Indicator(text=text, value=h.value, unit=h.unit, period=h.period, kind=h.kind, currency=h.currency,
                            deadline=h.deadline, commitment=idx, lang=c.lang, evidence=ev)
            indicators.append(ind)
            if h.kind == "deadline" and h.deadline:
                dates.append(DateFact(kind="deadline", value=h.deadline, text=text, lang=c.lang, commitment=idx, evidence=ev))
            elif h.kind == "frequency" and h.period:
                dates.append(DateFact(kind="reporting", value=h.period, text=text, lang=c.lang, commitment=idx, evidence=ev))
    doc.indicators = indicators
    doc.dates = dates
