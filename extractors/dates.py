"""Dates: signing, entry into force, term, renewal and expiry, normalised to ISO.

Legal texts write dates in set formulas ("a los quince días del mes de marzo de
dos mil diecinueve", "this 15th day of March, 2019", "Hecho en Bogotá el 1° de
septiembre de 2010"), so explicit rules read them; numbers in words go
through :mod:`extractors.numbers`. Numeric dates follow the locale of the
text they sit in (Spanish D/M/Y, US English M/D/Y).

Deadlines and reporting frequencies attached to commitments are added by
:func:`commitment_dates`, which the indicators extractor calls once
commitments exist (this module runs before them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Optional

from dateutil.relativedelta import relativedelta

from extractors import fastre
from extractors.numbers import NUMBER_WORDS, fold, parse_number, parse_words
from extractors.spans import Para, evidence, lang_at, paragraphs
from pipeline.context import Context
from pipeline.model import DateFact, Document

MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12, "ene": 1, "abr": 4, "ago": 8, "dic": 12,
}
_MONTH = r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|" \
    r"january|february|march|april|may|june|july|august|september|october|november|december|" \
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?"
_WORDS = rf"(?:{NUMBER_WORDS['es']}|{NUMBER_WORDS['en']})"
_DAY = rf"(?:\d{{1,2}}\s*(?:°|º|o\b|st\b|nd\b|rd\b|th\b|er\b)?|{_WORDS})"
_YEAR = rf"(?:\d{{4}}|{_WORDS})"

# Each pattern names day, month and year groups; "doubled" forms such as
# "tres (3) días" are allowed wherever a number is spelled out. Every match holds a
# month name.
_DAY_LED_DATES = (
    # a los quince días del mes de marzo de dos mil diecinueve / el 1° de septiembre de 2010 /
    # treinta días del mes de marzo del año de mil novecientos setenta y nueve
    fastre.compile(
        rf"(?P<day>{_DAY})(?:\s*\(\s*\d{{1,2}}\s*\))?\s+(?:d[ií]as?\s+)?(?:del\s+mes\s+de|de(?:l\s+mes\s+de)?)\s+"
        rf"(?P<month>{_MONTH})(?:\s*,\s*|\s+)(?:del?\s+)?(?:(?:a[ñn]o|year)\s+)?(?:de\s+)?(?P<year>{_YEAR})\b",
        re.I,
    ),
    # this 15th day of March, 2019 / the Twenty-Eighth of April, 2011 / 15 March 2019
    fastre.compile(
        rf"(?P<day>{_DAY})\s+(?:day\s+of\s+(?:the\s+month\s+of\s+)?|of\s+)?(?P<month>{_MONTH})(?:\s*,\s*|\s+)(?:in\s+the\s+year\s+(?:of\s+)?|of\s+(?:the\s+year\s+)?)?"
        rf"(?P<year>{_YEAR})\b",
        re.I,
    ),
)
# March 15, 2019 / marzo 15 de 2019 / Dec. 31st, 2020: the date pattern whose match opens with the month
_MONTH_FIRST_DATE = fastre.compile(
    rf"(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*,\s*|\s+de\s+|\s+)(?P<year>\d{{4}})\b",
    re.I,
)
# What follows the day in the two day-led patterns: a month, then a year, with either
# pattern's words between. Every match of theirs holds a match of this, which starts at
# a month and so is searched only from where a month first starts: far less text.
_MONTH_THEN_YEAR = fastre.compile(
    rf"(?:{_MONTH})(?:\s*,\s*|\s+)(?:(?:del?\s+)?(?:(?:a[ñn]o|year)\s+)?(?:de\s+)?|in\s+the\s+year\s+(?:of\s+)?|of\s+(?:the\s+year\s+)?)"
    rf"(?:{_YEAR})\b",
    re.I,
)
_NUMERIC = fastre.compile(r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})(?![\d/-])")
_ISO = fastre.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)")
_MONTH_YEAR = fastre.compile(rf"(?<!\d\s)(?P<month>{_MONTH})(?:\s+del?|,)?\s+(?P<year>\d{{4}})\b", re.I)
_FIRST_MONTH = fastre.compile(_MONTH, re.I)
# The month-led patterns end in a year of four digits, somewhere after the month.
_FOUR_DIGITS = re.compile(r"\d{4}")


@dataclass
class DateMention:
    start: int
    end: int
    value: str  # ISO date, or YYYY-MM / YYYY when the text gives no more
    text: str


def _year(text: str, lang: Optional[str]) -> Optional[int]:
    text = text.strip()
    if text.isdigit():
        y = int(text)
        if len(text) == 2:
            y += 2000 if y < 50 else 1900
        return y if 1800 <= y <= 2100 else None
    y = parse_words(text, lang)
    return y if y is not None and 1800 <= y <= 2100 else None


def _iso(y: int, m: int, d: Optional[int]) -> Optional[str]:
    try:
        if d is None:
            return f"{y:04d}-{m:02d}"
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def find_dates(text: str, lang: Optional[str] = None) -> list[DateMention]:
    """Every date in ``text``, longest reading first where readings overlap."""
    found: list[DateMention] = []
    # Where a month name first starts: the month-led patterns match nowhere before it (and
    # a search from there still sees the text before), none of them anywhere without one.
    first = _FIRST_MONTH.search(text)
    month_at = first.start() if first else None
    day_led = month_at is not None and _MONTH_THEN_YEAR.search(text, month_at) is not None
    month_led = month_at is not None and _FOUR_DIGITS.search(text, month_at) is not None
    searches = ([(p, 0) for p in _DAY_LED_DATES] if day_led else []) + ([(_MONTH_FIRST_DATE, month_at)] if month_led else [])
    for pattern, start in searches:
        for m in pattern.finditer(text, start):
            day = parse_number(m.group("day"), lang)
            month = MONTHS.get(fold(m.group("month")).rstrip("."))
            year = _year(m.group("year"), lang)
            if not day or not month or not year or not 1 <= day <= 31 or day != int(day):
                continue
            # "May" is also a modal verb; only a capitalised May is the month.
            if fold(m.group("month")) == "may" and not m.group("month")[0].isupper():
                continue
            iso = _iso(year, month, int(day))
            if iso:
                found.append(DateMention(m.start(), m.end(), iso, m.group(0)))
    for m in _NUMERIC.finditer(text):
        a, b, year = int(m.group("a")), int(m.group("b")), _year(m.group("year"), lang)
        if year is None:
            continue
        # en-US writes month first; Spanish (and most of the world) day first.
        month, day = (a, b) if lang == "en" else (b, a)
        if month > 12 and day <= 12:
            month, day = day, month
        iso = _iso(year, month, day) if 1 <= month <= 12 else None
        if iso:
            found.append(DateMention(m.start(), m.end(), iso, m.group(0)))
    for m in _ISO.finditer(text):
        iso = _iso(int(m.group("year")), int(m.group("month")), int(m.group("day")))
        if iso:
            found.append(DateMention(m.start(), m.end(), iso, m.group(0)))
    for m in _MONTH_YEAR.finditer(text, month_at) if month_led else ():
        month = MONTHS.get(fold(m.group("month")).rstrip("."))
        if not month or (fold(m.group("month")) == "may" and not m.group("month")[0].isupper()):
            continue
        iso = _iso(int(m.group("year")), month, None)
        if iso and 1800 <= int(m.group("year")) <= 2100:
            found.append(DateMention(m.start(), m.end(), iso, m.group(0)))
    return _non_overlapping(found)


def _non_overlapping(found: list[DateMention]) -> list[DateMention]:
    # Full dates beat partial ones, then longer spans beat shorter ones.
    found.sort(key=lambda d: (-len(d.value), -(d.end - d.start), d.start))
    kept: list[DateMention] = []
    for d in found:
        if all(d.end <= k.start or d.start >= k.end for k in kept):
            kept.append(d)
    return sorted(kept, key=lambda d: d.start)


def parse_date(text: str, lang: Optional[str] = None) -> Optional[str]:
    """The first date in ``text`` as ISO (``YYYY-MM-DD``, or ``YYYY-MM``), or None."""
    found = find_dates(text, lang)
    return found[0].value if found else None


# --- durations ---------------------------------------------------------------------------

_UNIT = {
    "dia": "D", "dias": "D", "day": "D", "days": "D", "semana": "W", "semanas": "W", "week": "W", "weeks": "W",
    "mes": "M", "meses": "M", "month": "M", "months": "M", "ano": "Y", "anos": "Y", "year": "Y", "years": "Y",
    "bimestre": "2M", "bimestres": "2M", "trimestre": "3M", "trimestres": "3M", "semestre": "6M", "semestres": "6M",
    "hora": "H", "horas": "H", "hour": "H", "hours": "H",
}
_NUM = rf"(?:\d+|{_WORDS})(?:\s*\(\s*\d+\s*\))?"
_UNIT_RE = r"(?:d[ií]as?(?:\s+(?:h[aá]biles|naturales|calendario))?|semanas?|mes(?:es)?|a[ñn]os?|bimestres?|trimestres?|semestres?|horas?|hours?|" \
    r"(?:business\s+|calendar\s+|working\s+)?days?|weeks?|months?|years?)"
DURATION = fastre.compile(rf"(?P<num>{_NUM})\s+(?:\(\s*\d+\s*\)\s+)?(?P<unit>{_UNIT_RE})\b", re.I)


def duration_iso(num_text: str, unit_text: str, lang: Optional[str] = None) -> Optional[str]:
    """"cinco (5) años" → P5Y; "18 months" → P18M; "tres trimestres" → P9M."""
    value = parse_number(num_text, lang)
    if value is None or value <= 0 or value != int(value):
        return None
    words = [w for w in fold(unit_text).split() if w not in ("business", "calendar", "working", "habiles", "naturales", "calendario")]
    unit_key = words[0] if words else ""
    unit = _UNIT.get(unit_key)
    if unit is None:
        return None
    if unit[0].isdigit():
        return f"P{int(value) * int(unit[:-1])}{unit[-1]}"
    if unit == "H":
        return f"PT{int(value)}H"
    return f"P{int(value)}{unit}"


def parse_duration(text: str, lang: Optional[str] = None) -> Optional[str]:
    m = DURATION.search(text)
    return duration_iso(m.group("num"), m.group("unit"), lang) if m else None


# --- the agreement's own dates -----------------------------------------------------------

_RECITAL = fastre.compile(
    r"^\s*(?:[\-•*]\s*)?(?:considerando|considerandos|visto|vistos|reconociendo|teniendo\s+en\s+cuenta|tomando\s+en\s+cuenta|"
    r"conscientes|deseosos|animados|inspirados|convencidos|reafirmando|destacando|whereas|recognizing|recognising|"
    r"considering|convinced|desiring|noting|mindful|bearing\s+in\s+mind|manifesting|acknowledging)\b",
    re.I,
)
# "hecho"/"done" are common words; only the formula forms ("Hecho en", "Done at") count
_SIGN_STRONG = fastre.compile(
    r"\b(?:hech[oa]\s+(?:y\s+firmad[oa]\s+)?(?:en|a|el)\b|dad[oa]\s+en\b|firmad[oa]s?|suscrit[oa]s?|celebrad[oa]\s+(?:en|a|el)\b|"
    r"otorgad[oa]\s+en|se\s+firma|firman|firmamos|suscriben|"
    r"signed(?:\s+(?:at|in|on|this|by|the|:|,)|\s*$)|done(?:\s+(?:and\s+signed\s+)?(?:at|in|on|this|by\s+hand)|\s*$)|"
    r"(?:executed|dated)(?:\s+(?:at|in|on|this|:|,)|\s*$)|in\s+witness\s+whereof|entered\s+into|"
    r"subscribed|en\s+fe\s+de\s+lo\s+cual)",
    re.I,
)
_SIGN_ENACTED = fastre.compile(r"\b(?:enacted|adopted|approved|passed|aprobad[oa]|promulgad[oa]|expedid[oa])\b", re.I)
_SIGN_AFTER = fastre.compile(r"^[^.;]*\b(?:firman|firmamos|suscriben|suscribimos|se\s+firma|signed|sign\s+(?:this|the\s+present))\b", re.I)
_NOT_SIGNING = fastre.compile(
    r"\b(?:vigor|vigencia|vigente|force|effect|effective|plazo|deadline|hasta|until|antes|before|later|tardar|expir\w*|"
    r"termina\w*|ratifica\w*|notifica\w*|reuni\w*|meet\w*|celebrad[oa]\s+en|held)\b",
    re.I,
)
_THIS_DAY = fastre.compile(r"\bthis\b[^.\n]{0,30}\bday\s+of\b", re.I)
_YEAR_ONLY = fastre.compile(r"\bday\s+of\b[\s'’`,]*(?P<year>(?:19|20)\d\d)\b", re.I)


# A paragraph outside the recitals and its sentences, each with its offset in the paragraph.
Clause = tuple[Para, list[tuple[int, str]]]


def _is_recital(para: Para) -> bool:
    return bool(_RECITAL.match(para.text))


def _signing(doc: Document, clauses: list[Clause]) -> Optional[tuple[int, DateMention]]:
    """The signing date: a date after a signing formula, else an enactment date, else a dated letterhead line."""
    strong: list[tuple[int, DateMention]] = []
    enacted: list[tuple[int, DateMention]] = []
    dateline: list[tuple[int, DateMention]] = []
    closing: list[tuple[int, DateMention]] = []
    last_page = len(doc.pages)
    tail_from = int(len(doc.pages[-1].text) * 0.6) if doc.pages else 0
    for para, _ in clauses:
        lang = lang_at(doc, para.page, para.start, para.text)
        mentions = find_dates(para.text, lang)
        for d in mentions:
            before = para.text[max(0, d.start - 250) : d.start]
            before = before[before.rfind(".\n") + 1 :] if ".\n" in before else before
            mention = DateMention(para.start + d.start, para.start + d.end, d.value, d.text)
            after = para.text[d.end : d.end + 80]
            after = after[: after.find(".")] if "." in after else after
            if (_SIGN_STRONG.search(before) or _THIS_DAY.search(para.text[max(0, d.start - 40) : d.end])
                    or _SIGN_AFTER.search(after)):
                strong.append((para.page, mention))
            elif _SIGN_ENACTED.search(para.text[max(0, d.start - 40) : d.start]):
                enacted.append((para.page, mention))
            else:
                line_start = para.text.rfind("\n", 0, d.start) + 1
                line_end = para.text.find("\n", d.end)
                line = para.text[line_start : line_end if line_end >= 0 else len(para.text)]
                # "The Hague, July 7, 1970." — a letter's place-and-date line
                if len(line) < 70 and len(line) - len(d.text) < 35 and not re.search(r"\b(?:vigor|force|effect|plazo|deadline)\b", line, re.I):
                    dateline.append((para.page, mention))
                elif (para.page == last_page and mention.start >= tail_from and len(d.value) == 10 and re.search(r"[A-Za-z]", d.text)
                      and not _NOT_SIGNING.search(para.text)):
                    # "en la Ciudad de México, el quince de marzo de 2019": a spelled date in the closing lines
                    closing.append((para.page, mention))
        if not mentions and (_SIGN_STRONG.search(para.text) or _SIGN_ENACTED.search(para.text)):
            m = _YEAR_ONLY.search(para.text)
            if m:
                y = m.group("year")
                strong.append((para.page, DateMention(para.start + m.start("year"), para.start + m.end("year"), y, y)))
    if strong:
        # Several candidates (bilingual versions, a proclamation and its signature) name the
        # same day; the most precise, latest one is the signature block's.
        return max(strong, key=lambda pd: (len(pd[1].value), pd[0], pd[1].start))
    if enacted:
        return enacted[0]
    if dateline:
        return dateline[0]
    if closing:
        return closing[-1]
    return None


_AGREEMENT = r"(?:convenio|acuerdo|memor[aá]ndum|instrumento|carta\s+de\s+intenci[oó]n|protocolo|tratado|" \
    r"agreement|memorandum|mou|instrument|arrangement|protocol|treaty|accord|letter\s+of\s+intent)"
_TERM_CUE = fastre.compile(
    r"(?:duraci[oó]n\s+(?:inicial\s+)?(?:de|ser[aá]|es|m[aá]xima)|vigencia\s+(?:inicial\s+)?(?:de|por|durante|ser[aá]|es\s+de|m[aá]xima)|"
    r"(?:firma|celebra|suscribe|concluye|concierta)\s+por\s+(?:un\s+)?(?:plazo|per[ií]odo|t[eé]rmino)\s+de|v[aá]lid[oa]s?|vigente|en\s+vigor\s+(?:por|durante)|regir[aá]|permanecer[aá]|plazo\s+de\s+vigencia|"
    r"duration|term\b|valid|in\s+(?:full\s+)?(?:force|effect)\s+(?:for|during)|(?:remain|be)\s+effective\s+for|shall\s+(?:last|run)|period\s+of)",
    re.I,
)
_DELAY = fastre.compile(
    # "tres años, después de cuyo término será prorrogado" is a term followed by a new clause
    r"^[^\w,;]*(?:(?:h[aá]biles|naturales|calendario)\s+)?(?:despu[eé]s|antes|de\s+anticipaci[oó]n|"
    r"de\s+antelaci[oó]n|de\s+aviso|after|before|prior|notice|in\s+advance|of\s+(?:written\s+)?notice)",
    re.I,
)
# a delay before entry into force also reads "treinta días a partir de" / "30 days following"
_ENTRY_DELAY = fastre.compile(r"^\W*(?:(?:h[aá]biles|naturales)\s+)?(?:despu[eé]s|contad[oa]s|a\s+partir|siguientes|after|following|from)", re.I)
_OTHER_SUBJECT = fastre.compile(
    r"\b(?:proyectos?|programas?|documento|permiso|becas?|comisi[oó]n|plan|estancias?|visas?|projects?|programs?|"
    r"programmes?|permits?|scholarships?|commission|committee|visas?)\b",
    re.I,
)
_INDEFINITE = fastre.compile(
    r"(?:sin\s+l[ií]mites?\s+de\s+tiempo|(?:duraci[oó]n|vigencia|plazo|tiempo)\s+(?:es\s+)?indefinid[oa]|"
    r"vigencia\s+(?:del?\s+presente\s+\w+\s+)?(?:ser[aá]\s+|es\s+)?indefinida|(?:tiempo|plazo)\s+indeterminado|"
    r"duraci[oó]n\s+indeterminada|indefinidamente|indefinite(?:ly)?\s*(?:period|term|duration)?|"
    r"(?:unlimited|indefinite)\s+(?:duration|period|term)|remain\s+in\s+(?:full\s+)?(?:force|effect)\s+until\s+"
    r"(?:it\s+is\s+)?terminated|no\s+(?:fixed\s+)?(?:expiration|expiry|termination)\s+date)",
    re.I,
)
_RENEW_AUTO = fastre.compile(
    r"(?:(?:prorrog|renov)\w*\s+(?:en\s+forma\s+|de\s+manera\s+)?autom[aá]tic\w*|autom[aá]ticamente\s+(?:prorrog|renov)\w*|"
    r"t[aá]cita(?:mente)?\s+(?:prorrog|renov)\w*|(?:prorrog|renov)\w*\s+t[aá]citamente|"
    r"automatic(?:ally)?\s+(?:renew|extend|extension|renewal)\w*|(?:renew|extend)\w*\s+automatically|tacit(?:ly)?\s+renew\w*)",
    re.I,
)
_RENEW = fastre.compile(r"\b(?:prorrogable|prorrogables|renovable|renovables|podr[aá]\s+(?:ser\s+)?(?:prorrog|renov)\w*|renewable|may\s+be\s+(?:renewed|extended))\b", re.I)
_ENTRY = fastre.compile(
    r"(?:entrar[aá]n?\s+en\s+vig(?:or|encia)|entrada\s+en\s+vigor|(?:enter|entry|enters|come|comes)\s+into\s+force|take\s+effect|"
    r"takes\s+effect|become\s+effective|becomes\s+effective|effective\s+(?:upon|on|as\s+of|immediately)|"
    r"surtir[aá]n?\s+(?:sus\s+)?efectos?\s+a\s+partir\s+de\s+(?:la\s+fecha\s+de\s+)?su\s+(?:firma|suscripci[oó]n))",
    re.I,
)
_UNTIL = fastre.compile(
    r"(?:vigente\s+hasta|vigencia\s+hasta|estar[aá]\s+en\s+vigor\s+hasta|surtir[aá]\s+efectos\s+hasta|concluir[aá]\s+(?:su\s+vigencia\s+)?el|"
    r"in\s+(?:force|effect)\s+(?:until|through)|valid\s+(?:until|through)|expires?\s+on|shall\s+expire\s+on|terminate\s+on)\s+(?:el\s+|the\s+)?",
    re.I,
)
_ON_SIGNATURE = fastre.compile(r"\b(?:firma|suscripci[oó]n|signature|signing|signed|execution|executed)\b", re.I)


def _sentences(para: Para) -> list[tuple[int, str]]:
    out, pos = [], 0
    for m in re.finditer(r"[^.;]+(?:[.;]|$)", para.text):
        if m.group(0).strip():
            out.append((m.start(), m.group(0)))
        pos = m.end()
    return out


def _fact(doc: Document, kind: str, value: Optional[str], page: int, start: int, end: int, ctx: Optional[Context]) -> DateFact:
    text = doc.pages[page - 1].text[start:end]
    low = ctx.options.low_conf if ctx else 60.0
    return DateFact(kind=kind, value=value, text=text, lang=lang_at(doc, page, start, text), evidence=evidence(page, start, end, doc, low))


def _term(doc: Document, clauses: list[Clause], ctx: Optional[Context]) -> list[DateFact]:
    """Term (ISO duration or "indefinite") and renewal from the duration clause."""
    facts: list[DateFact] = []
    for para, sentences in clauses:
        lang = lang_at(doc, para.page, para.start, para.text)
        for s_start, sent in sentences:
            base = para.start + s_start
            if not any(k.kind == "term" for k in facts):
                ind = _INDEFINITE.search(sent)
                if ind and not re.search(r"\b(?:proyectos?|projects?|programas?)\b", sent[: ind.start()], re.I):
                    facts.append(_fact(doc, "term", "indefinite", para.page, base + ind.start(), base + ind.end(), ctx))
                else:
                    fact = _term_duration(doc, para, s_start, sent, lang, ctx)
                    if fact:
                        facts.append(fact)
            if not any(k.kind == "renewal" for k in facts):
                auto = _RENEW_AUTO.search(sent)
                manual = None if auto else _RENEW.search(sent)
                # a bare "prorrogables" counts only in the duration clause itself
                if manual and not any(k.kind == "term" and k.evidence and k.evidence.page == para.page
                                      and para.start <= k.evidence.start < para.end for k in facts):
                    manual = None
                hit = auto or manual
                if hit:
                    facts.append(_fact(doc, "renewal", "automatic" if auto else "renewable", para.page, base + hit.start(), base + hit.end(), ctx))
    return facts


def _term_duration(doc: Document, para: Para, s_start: int, sent: str, lang: str, ctx: Optional[Context]) -> Optional[DateFact]:
    for cue in _TERM_CUE.finditer(sent):
        window = sent[cue.end() : cue.end() + 90]
        for m in DURATION.finditer(window):
            if _DELAY.match(window[m.end() :]):
                continue
            between = window[: m.start()]
            # the duration must follow its cue closely ("duración de cinco (5) años", "valid for a period of")
            if len(between) > 60 or re.search(r"[,;]|\b(?:despu[eé]s|after|antes|before|notificaci[oó]n|notice)\b", between, re.I):
                break
            head = sent[: cue.start()]
            if not re.search(_AGREEMENT, sent, re.I) and _OTHER_SUBJECT.search(head):
                break
            if re.search(r"\b(?:pr[oó]rroga|prorrog|renov|renew|extend)\w*\s*$", sent[: cue.start()], re.I):
                break
            iso = duration_iso(m.group("num"), m.group("unit"), lang)
            if iso:
                start = para.start + s_start + cue.end() + m.start()
                return _fact(doc, "term", iso, para.page, start, start + (m.end() - m.start()), ctx)
        # only the first cue with a duration close by counts
    return None


def _entry_into_force(doc: Document, clauses: list[Clause], signed: Optional[str], ctx: Optional[Context]) -> Optional[DateFact]:
    for para, sentences in clauses:
        lang = lang_at(doc, para.page, para.start, para.text)
        for s_start, sent in sentences:
            m = _ENTRY.search(sent)
            if not m:
                continue
            if not re.search(_AGREEMENT, sent, re.I) and not re.search(r"\b(?:this|el\s+presente|la\s+presente)\b", sent, re.I):
                continue
            tail = sent[m.end() :]
            value: Optional[str] = None
            dates = find_dates(tail, lang)
            dur = DURATION.search(tail)
            on_signature = _ON_SIGNATURE.search(m.group(0) + tail[:70])
            if dates and dates[0].start < 40 and not (on_signature and on_signature.start() < dates[0].start + len(m.group(0))):
                value = dates[0].value
            elif dur and dur.start() < 40 and _ENTRY_DELAY.match(tail[dur.end() :]):
                value = duration_iso(dur.group("num"), dur.group("unit"), lang)
            elif on_signature and signed and len(signed) == 10:
                value = signed
            base = para.start + s_start
            end = len(sent.rstrip(" .;\n"))
            return _fact(doc, "entry_into_force", value, para.page, base + m.start(), base + end, ctx)
    return None


def _expiry(start_iso: Optional[str], term: Optional[str]) -> Optional[str]:
    if not start_iso or len(start_iso) != 10 or not term or not term.startswith("P"):
        return None
    m = re.fullmatch(r"P(\d+)([YMWD])", term)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    delta = {"Y": relativedelta(years=n), "M": relativedelta(months=n), "W": relativedelta(weeks=n), "D": relativedelta(days=n)}[unit]
    return (date.fromisoformat(start_iso) + delta).isoformat()


def _until(doc: Document, clauses: list[Clause], ctx: Optional[Context]) -> Optional[DateFact]:
    """"vigente hasta el 31 de diciembre de 2024" / "in force until June 30, 2026": the expiry date as written."""
    for para, _ in clauses:
        for m in _UNTIL.finditer(para.text):
            lang = lang_at(doc, para.page, para.start, para.text)
            found = find_dates(para.text[m.end() : m.end() + 80], lang)
            if found and found[0].start == 0:
                d = found[0]
                return _fact(doc, "expiry", d.value, para.page, para.start + m.end() + d.start, para.start + m.end() + d.end, ctx)
    return None


def _span(start_iso: Optional[str], end_iso: Optional[str]) -> Optional[str]:
    """Whole years or months between two ISO dates, as a duration; None when not a round figure."""
    if not start_iso or not end_iso or len(start_iso) != 10 or len(end_iso) != 10:
        return None
    delta = relativedelta(date.fromisoformat(end_iso), date.fromisoformat(start_iso))
    # "hasta el 31 de diciembre" after a 1 January start reads as whole years too
    if delta.days in (30, 29, 27, 28) and date.fromisoformat(end_iso).month in (12,) and date.fromisoformat(end_iso).day == 31:
        delta = relativedelta(date.fromisoformat(end_iso) + relativedelta(days=1), date.fromisoformat(start_iso))
    if delta.days or (not delta.years and not delta.months):
        return None
    return f"P{delta.years}Y" if not delta.months else f"P{delta.years * 12 + delta.months}M"


def _clauses(doc: Document) -> list[Clause]:
    """The paragraphs outside the recitals, each with its sentences: what every date search reads."""
    return [(para, _sentences(para)) for para in paragraphs(doc) if not _is_recital(para)]


def run(doc: Document, ctx: Context) -> None:
    facts: list[DateFact] = []
    clauses = _clauses(doc)
    signing = _signing(doc, clauses)
    if signing:
        page, d = signing
        facts.append(_fact(doc, "signed", d.value, page, d.start, d.end, ctx))
        doc.signed_on = d.value
    entry = _entry_into_force(doc, clauses, doc.signed_on, ctx)
    if entry:
        facts.append(entry)
    term_facts = _term(doc, clauses, ctx)
    facts.extend(term_facts)
    term = next((f for f in term_facts if f.kind == "term"), None)
    until = _until(doc, clauses, ctx)
    if term:
        doc.term = term.value
        expires = _expiry(entry.value if entry else None, term.value)
        if expires and until is None:
            facts.append(DateFact(kind="expiry", value=expires, text=term.text, lang=term.lang, evidence=term.evidence))
    if until is not None:
        facts.append(until)
        if doc.term is None:
            start = entry.value if entry and entry.value and len(entry.value) == 10 else doc.signed_on
            doc.term = _span(start, until.value)
            if doc.term:
                facts.append(DateFact(kind="term", value=doc.term, text=until.text, lang=until.lang, evidence=until.evidence))
    doc.dates = [f for f in doc.dates if f.kind not in {"signed", "entry_into_force", "term", "renewal", "expiry"}] + facts
