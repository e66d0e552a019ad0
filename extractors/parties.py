"""Parties: who the agreement binds, with country (ISO 3166-1), level and kind.

Parties are named in a few places only — the title, the party statement
before the first article ("El Gobierno de la República de Colombia y el
Gobierno de ..."; "The City of X, State, and the City of Y ..."), the
signature lines ("Por el Gobierno de ...", "For the City of ...") and, in
municipal instruments, "sister city relationship with X". Reading only those
zones keeps ministries and institutes named in the body (executing agencies)
out of the party list. Names are kept as written; the country comes from the
name itself, the words right after it ("..., of the United Mexican States";
"City of X\\nRepublic of the Philippines") or the places gazetteer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from extractors.numbers import fold
from extractors.spans import PARA_BREAK, evidence, guess_lang, lang_at, load_rules
from pipeline.context import Context
from pipeline.model import Document, Party

_OPERATIVE = re.compile(
    r"^[ \t]*(?:ART[IÍ]CULO|Art[ií]culo|ARTICLE|Article|CL[AÁ]USULA|Cl[aá]usula|PRIMER[AO]\b|Primer[ao]\s*[.:-]|SECTION\s+1\b|"
    r"Section\s+1\b|SECCI[OÓ]N|§|1\s*[.)]\s|I\.\s)",
    re.M,
)
_AGREE_LINE = re.compile(
    r"\b(?:ACUERDAN|acuerdan\s*:|HAN\s+CONVENIDO|han\s+convenido|HAVE\s+AGREED|have\s+agreed|AGREE\s+AS\s+FOLLOWS|agree\s+as\s+follows|"
    r"HEREBY\s+ORDAINS|RESOLVED|resuelven|RESUELVEN)\b[^:.\n]*(?:\n[^:.\n]*)?[:.]?",
)
_SIGN_FORMULA = re.compile(
    r"^[ \t]*(?:Hech[oa]|Dad[oa]|Firmad[oa]|Suscrit[oa]|Signed|Done|In\s+witness|IN\s+WITNESS|En\s+fe\s+de\s+lo\s+cual|EN\s+FE|"
    r"PASSED\s+AND\s+APPROVED|ATTEST)\b",
    re.M,
)
_ON_BEHALF = re.compile(r"^[ \t]*(?:Por|POR|For|FOR|On\s+behalf\s+of|ON\s+BEHALF\s+OF)\s+(?:el\s+|la\s+|los\s+|las\s+|the\s+|EL\s+|LA\s+|THE\s+)?", re.M)
_STATEMENT_END = re.compile(
    r"\b(?:en\s+adelante|en\s+lo\s+sucesivo|hereinafter|hereafter|denominad[oa]s?|representad[oa]s?|a\s+quien(?:es)?|referred\s+to|"
    r"que\s+celebran|que\s+suscriben|celebrado\s+entre|entered\s+into\s+by|by\s+and\s+between)\b",
    re.I,
)
_ALIAS = re.compile(
    r"^\s*,?\s*(?:\(?\s*)?(?:(?:en\s+lo\s+sucesivo|en\s+adelante|hereinafter(?:\s+referred\s+to\s+as)?|hereafter)\s*,?\s*"
    r"(?:(?:denominad[oa]|llamad[oa]|called)\s+(?:como\s+)?)?)[\"“«']+(?P<alias>[^\"”»']{2,40})[\"”»']",
    re.I,
)
_SISTER = re.compile(
    r"(?:select|selecciona[r]?)\s+(?P<a>[^\n]{3,80}?)\s+as\s+(?:its|it'?s|their)\s+(?:official\s+)?sister\s+cit|"
    r"(?:sister[- ]cit(?:y|ies)|ciudad(?:es)?\s+herman\w*|hermanamiento)\s+(?:relationship|agreement|acuerdo|convenio|relaci[oó]n)?\s*"
    r"(?:with|con)\s+(?:the\s+|la\s+)?(?P<b>[A-ZÁÉÍÓÚÑ][^\n]{2,80}?)(?=\s+(?:under|in|within|to|for|and|as|bajo|en|para|y)\b|[.;:]|$)",
    re.I | re.M,
)
_BETWEEN = re.compile(r"\b(?:between|entre)\s+(?:the\s+|la\s+|el\s+)?(?P<a>[A-ZÁÉÍÓÚ][\w ]{2,40}?)\s+(?:and|y)\s+(?:the\s+|la\s+|el\s+)?(?P<b>[A-ZÁÉÍÓÚ][\w ]{2,40}?)\b(?=[\s,.;]|$)")


_PLACE_STOPS = frozenset(
    "Ordinance Resolution Council Mayor Manager Committee Commission Program Programme Agreement Acuerdo Convenio No "
    "Code Charter Secretary Attorney Staff Police Presidente Alcalde Cabildo Regidor Secretario".split()
)
_RECITAL = re.compile(r"^\s*(?:considerando|whereas|recognizing|recognising|considering|reconociendo|visto)\b", re.I)


@dataclass
class Mention:
    name: str
    page: int
    start: int
    end: int
    kind: str
    level: str
    weak: bool = False
    agency: bool = False
    country: Optional[str] = None
    zone: str = "preamble"
    context: str = ""
    keys: frozenset[str] = field(default_factory=frozenset)
    aliases: list[str] = field(default_factory=list)
    statement: bool = False


@lru_cache(maxsize=None)
def _gazetteer() -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """(pattern, code, type) sorted longest first, and region/city name → country."""
    places = load_rules("places.json")
    entries: list[tuple[str, str, str]] = []
    for code, names in places["countries"].items():
        for n in names["en"] + names["es"]:
            entries.append((n, code, "country"))
        for n in names["adj"]:
            entries.append((n, code, "adj"))
    for code, names in places["regions"].items():
        for n in names:
            entries.append((n, code, "region"))
    for code, names in places["cities"].items():
        for n in names:
            entries.append((n, code, "city"))
    entries.sort(key=lambda e: -len(e[0]))
    regions = {fold(n): code for code, names in places["regions"].items() for n in names}
    return entries, regions


# The place types each lookup searches, one alternation per set (longest name first among
# those types only: a set's own longest name may be shorter than another type's at the same
# spot). Lookups name one of these sets, so that ``warm_up`` builds every alternation they
# use (the big ones take a tenth of a second each).
ALL_PLACES = ("country", "adj", "region", "city")
PLACES = ("country", "region", "city")  # adjectives left out
COUNTRY = ("country",)
COUNTRY_ADJ = ("country", "adj")
REGION = ("region",)
REGION_COUNTRY = ("region", "country")
CITY = ("city",)
PLACE_TYPE_SETS = (ALL_PLACES, PLACES, COUNTRY, COUNTRY_ADJ, REGION, REGION_COUNTRY, CITY)


@lru_cache(maxsize=None)
def _place_regex(types: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """One alternation over every folded place name of the given types (longest first), and name → (code, type)."""
    table: dict[str, tuple[str, str]] = {}
    for name, code, typ in _gazetteer()[0]:
        if typ in types:
            table.setdefault(fold(name), (code, typ))
    alternation = "|".join(re.escape(n) for n in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])"), table


def place_country(text: str, types: tuple[str, ...] = ALL_PLACES) -> Optional[tuple[str, str, int]]:
    """First gazetteer place in ``text`` (longest name at a position): (code, type, offset)."""
    pattern, table = _place_regex(types)
    folded = fold(text)
    for m in pattern.finditer(folded):
        code, typ = table[m.group(0)]
        # adjectives must be capitalised in the source ("china" is a word too)
        if typ == "adj" and not text[m.start() : m.start() + 1].isupper():
            continue
        return code, typ, m.start()
    return None


def place_only(text: str) -> bool:
    """"United States of America", "State of Utah", "Bosnia and Herzegovina": nothing but a place."""
    bare = re.sub(r"(?i)^\s*(?:the\s+|el\s+|la\s+)?(?:state|estado|province|provincia|commonwealth)\s+(?:of|de|del)\s+", "", text)
    # a city alone is more often the party itself ("Ensenada will organize ...")
    return _covers(bare, REGION_COUNTRY)


def is_region(text: str) -> bool:
    return fold(text.strip(" .,")) in _gazetteer()[1]


@lru_cache(maxsize=None)
def _heads() -> list[tuple[re.Pattern[str], dict]]:
    rules = load_rules("parties.json")
    out = []
    for h in rules["heads"]:
        tail = r"\b" if h.get("prefix") else r"\s+"  # "the San Diego Water Department, California"
        out.append((re.compile(rf"(?<![\w])(?:{h['re']}){tail}", re.I if h.get("lang") else 0), h))
    return out


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _read_name(text: str, pos: int, stop_words: frozenset[str] = frozenset()) -> int:
    """End offset of a proper name starting at ``pos``: capitalised words and inner connectors.

    All-caps titles give no case cue, so there the name runs until a function
    word ("Y", "TO", "SOBRE") instead.
    """
    rules = load_rules("parties.json")
    connectors = set(rules["connectors"])
    stop_caps = set(rules["stop_caps"])
    # judged on the name's own line: the line under it may be a signatory's name in lower case
    caps = _is_caps(text[pos : pos + 60].split("\n")[0])
    end = prev_end = pos
    for m in re.finditer(r"[^\s,;:()\"“”]+", text[pos:]):
        s = pos + m.start()
        gap = text[prev_end:s]
        # a name runs over one line break only while it has no distinctive word yet
        # ("el Gobierno de la República\nde Colombia"), never from "City of X" into the next line
        if end > pos and (re.search(r"[,;:()\"“”]", gap) or ("\n" in gap and not caps and not _open_name(text[pos:end])
                                                                and not _wrapped_line(text, prev_end)) or gap.count("\n") > 1):
            break
        # an all-caps name never runs into a next line written in lower case (the signatory's name under it)
        if end > pos and caps and "\n" in gap and any(c.islower() for c in m.group(0)):
            break
        prev_end = pos + m.end()
        tok = m.group(0)
        # "People's Republic", "Lao People's Democratic Republic": part of a state's name, not a possessive
        possessive = re.search(r"['’]s$", tok) and not re.match(r"(?i)people['’]s$", tok)
        bare = re.sub(r"['’]s$", "", tok).rstrip(".")
        low = bare.lower()
        if bare in stop_words or bare.title() in stop_words:
            break
        if caps:
            if bare.upper() in stop_caps and end > pos:
                break
            if low in connectors:
                continue
            if not bare[:1].isalnum():
                break
            end = s + len(bare)
        elif low in connectors:
            continue
        elif low in ("y", "and", "&") and end > pos and _joins_name(text, pos + m.end()):
            continue  # "Junta Municipal de Agua y Saneamiento de Nogales"
        elif bare[:1].isupper() or (bare[:1].isdigit() and end > pos):
            end = s + len(bare)
        else:
            break
        # "Venezuela. Considerando": a sentence stop ends the name (but not "H." or "St.")
        if possessive or (tok.endswith(".") and len(bare) > 3):
            break
    return end


def _trim_country(text: str, start: int, end: int) -> int:
    """"ESTADO DE CALIFORNIA DE LOS ESTADOS UNIDOS DE AMÉRICA" → end before the country that only qualifies it."""
    name = text[start:end]
    for m in re.finditer(r"\s+(?:de|del|of)\s+(?:(?:los|las|la|el|the)\s+)?", name, re.I):
        tail = name[m.end() :]
        hit = place_country(tail, COUNTRY)
        if hit and hit[2] == 0 and len(fold(tail).strip()) <= len(fold(tail[: 60])) and _covers(tail):
            return start + m.start()
    return end


def _covers(text: str, types: tuple[str, ...] = COUNTRY) -> bool:
    """Whether ``text`` is one place of the given types and nothing else."""
    pattern, _ = _place_regex(types)
    return bool(pattern.fullmatch(fold(text).strip()))


# ", State of Chihuahua", ", Saitama Prefecture", ", Provincia de Buenos Aires": a region that says it is one
_NAMED_REGION = re.compile(
    r",\s*(?:(?i:State|Province|Prefecture|Department|Estado|Provincia|Prefectura|Departamento)\s+(?i:of|de|del)\s+"
    r"[A-ZÁÉÍÓÚÑ][\w.]*(?:\s+[A-ZÁÉÍÓÚÑ][\w.]*){0,2}|[A-ZÁÉÍÓÚÑ][\w.]*(?:\s+[A-ZÁÉÍÓÚÑ][\w.]*){0,2}\s+(?i:Prefecture|Province|County))(?![\w])"
)

_NEW_PARTY = re.compile(
    r"\s+(?:(?:el|la|los|las|the|EL|LA|THE)\s|(?:H\.|Gobierno|Government|City|Ciudad|Municipio|Municipality|Estado|State|Universidad|"
    r"University|Secretar[ií]a|Ministry|Departamento|Department|Rep[uú]blica|Republic|Reino|Kingdom|Ayuntamiento|County|Town)\b)"
)


def _joins_name(text: str, after: int) -> bool:
    """"y"/"and" continue a name only into another capitalised word that does not open a new party."""
    nxt = re.match(r"\s+(\S+)", text[after:])
    # "... and Saitama City": a name with its head after it opens a new party too
    named_city = re.match(r"\s+(?:[A-Z][\w'-]*\s+){1,3}(?:City|Town)\b(?!\s+(?:of|Council|Hall)\b)", text[after:])
    return bool(nxt) and nxt.group(1)[:1].isupper() and not _NEW_PARTY.match(text[after:]) and not named_city


def _wrapped_line(text: str, line_end: int) -> bool:
    """A long line broken mid-sentence (a text layer's wrapping), not a short line of a signature block."""
    return line_end - (text.rfind("\n", 0, line_end) + 1) >= 45


def _open_name(partial: str) -> bool:
    generic = set(load_rules("parties.json")["generic"]) | set(load_rules("parties.json")["connectors"])
    return all(t in generic for t in re.findall(r"\w+", fold(partial)))


def _title_case(name: str) -> str:
    if not _is_caps(name):
        return name
    small = set(load_rules("parties.json")["connectors"])
    words = re.split(r"(\s+|-)", name.lower())
    out = []
    for k, w in enumerate(words):
        if k and w in small:
            out.append(w)
        else:
            out.append(w[:1].upper() + w[1:])
    return "".join(out)


def _zones(text: str) -> dict[str, tuple[int, int]]:
    """Title, preamble (up to the first article) and signature zone offsets of a page's text."""
    first_break = re.search(r"\n\s*\n", text)
    title_end = first_break.start() if first_break else min(len(text), 300)
    op = _OPERATIVE.search(text, title_end)
    agree = _AGREE_LINE.search(text, title_end)
    pre_end = min([m.start() if m is op else m.end() for m in (op, agree) if m] or [title_end + 1500])
    pre_end = min(pre_end, title_end + 4000, len(text))
    signs = [m for m in _SIGN_FORMULA.finditer(text) if m.start() >= title_end]
    if signs:
        sig_start = signs[-1].start()
        pre_end = min(pre_end, max(sig_start, title_end))
    else:
        sig_start = max(pre_end, len(text) - 1200)
    return {"title": (0, title_end), "preamble": (title_end, pre_end), "signature": (max(sig_start, pre_end), len(text))}


def _mentions_in(doc: Document, page_no: int, start: int, end: int, zone: str) -> list[Mention]:
    page = doc.pages[page_no - 1]
    text = page.text
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for pattern, head in _heads():
        for m in pattern.finditer(text, start, end):
            if any(a <= m.start() < b for a, b in taken):
                continue
            if head.get("prefix"):
                mention = _prefixed(doc, page_no, m, head, zone, start, end)
                if mention is not None and not any(a <= mention.start < b for a, b in taken):
                    found.append(mention)
                    taken.append((mention.start, mention.end))
                continue
            name_start = m.end()
            plural = head.get("plural") and re.match(rf"{head['plural']}\b", m.group(0), re.I)
            if plural:
                if not _recital_at(text, m.start()):
                    found.extend(_plural(doc, page_no, m, head, zone, end))
                taken.append((m.start(), m.end()))
                continue
            stops = _PLACE_STOPS if head["kind"] in ("municipality", "state", "government") else frozenset()
            name_end = _read_name(text[:end], name_start, stops)
            if name_end <= name_start:
                continue
            if head["level"] != "national":
                name_end = _trim_country(text, name_start, name_end)
            # keep ", State" ("City of Renton, Washington"; "Municipio de Tampico, Tamaulipas")
            tail = re.match(r",\s*([A-ZÁÉÍÓÚÑ][\w.]*(?:\s+[A-ZÁÉÍÓÚÑ][\w.]*){0,3})", text[name_end:end])
            if tail and is_region(tail.group(1)) and head["level"] in ("municipal", "state"):
                name_end += tail.end()
            elif head["level"] == "municipal" and (named := _NAMED_REGION.match(text, name_end, end)):
                name_end = named.end()
            if head.get("agency") and re.search(r"\b(?:su|sus|its|his|her|their|por\s+su)\s+$", text[max(0, m.start() - 12) : m.start()], re.I):
                continue  # "representada por su Secretaria de Economía": a person's title, not a party
            alias = _ALIAS.match(text[name_end:end])
            head_start = m.start()
            if head.get("agency") and head["lang"] == "en":
                head_start = _place_prefix(text, head_start, start)
            # "H. Ayuntamiento" keeps its honorific; "el Gobierno" loses the article
            mention_start = head_start
            raw = text[mention_start:name_end]
            ctx_end = min(end, name_end + 140)
            found.append(
                Mention(
                    name=raw, page=page_no, start=mention_start, end=name_end, kind=head["kind"], level=head["level"],
                    weak=bool(head.get("weak")), agency=bool(head.get("agency")), zone=zone,
                    context=text[name_end:ctx_end], aliases=[alias.group("alias").strip()] if alias else [],
                )
            )
            taken.append((mention_start, name_end))
    # "Ministry of Health of the State of Sonora" holds "State of Sonora": keep the whole name only
    found = [f for f in found if not any(g is not f and g.start <= f.start and f.end <= g.end and (g.end - g.start) > (f.end - f.start) for g in found)]
    return sorted(found, key=lambda x: x.start)


_PREFIX_STOP = frozenset(
    "the a an and between with of by for to from whereas la el los las y entre con por para del de que this these its their "
    "memorandum agreement convenio acuerdo sister host twin partner friendship capital said each both other".split()
)


def _place_prefix(text: str, head_start: int, floor: int, joins: bool = True) -> int:
    """"the Arizona Department of Health Services", "the Municipal Water and Sanitation Board of X": the capitalised
    words right before an English agency head are part of its name."""
    before = text[max(floor, head_start - 60) : head_start]
    words = list(re.finditer(r"[A-Z][\w&.'’-]*|and", before))
    start = head_start
    expect_end = len(before)
    for w in reversed(words):
        if before[w.end() : expect_end].strip() or w.group(0).lower() in _PREFIX_STOP and w.group(0) != "and":
            break
        if w.group(0) == "and":
            if not joins:
                break
            expect_end = w.start()
            continue
        start = head_start - len(before) + w.start()
        expect_end = w.start()
    # a trailing "and" is never the first word of a name
    return start


def _recital_at(text: str, offset: int) -> bool:
    breaks = [m.end() for m in PARA_BREAK.finditer(text, 0, offset)]
    return bool(_RECITAL.match(text[breaks[-1] if breaks else 0 : offset + 1]))


def _prefixed(doc: Document, page_no: int, m: re.Match[str], head: dict, zone: str, floor: int, end: int) -> Optional[Mention]:
    """"the Sonoran Desert University", "Texas A&M University at Laredo": the name runs before the head word."""
    text = doc.pages[page_no - 1].text
    # a city's own name never runs over "and" ("USA and Saitama City")
    start = _place_prefix(text, m.start(), floor, joins=head["kind"] != "municipality")
    if start == m.start() or _is_caps(text[start : m.end()]) and not _is_caps(text[m.end() : m.end() + 40]):
        return None
    name_end = m.end()
    if head["kind"] == "municipality":
        # "Saitama City, Saitama Prefecture"
        named = _NAMED_REGION.match(text, name_end, end)
        return Mention(name=text[start : named.end() if named else name_end], page=page_no, start=start,
                       end=named.end() if named else name_end, kind=head["kind"], level=head["level"], zone=zone,
                       context=text[name_end : min(end, name_end + 140)])
    tail = re.match(r"\s+(?:of|at|in)\s+", text[name_end:end])
    if tail:
        more = _read_name(text[:end], name_end + tail.end(), _PLACE_STOPS)
        if more > name_end + tail.end():
            name_end = more
    return Mention(name=text[start:name_end], page=page_no, start=start, end=name_end, kind=head["kind"], level=head["level"],
                   agency=True, zone=zone, context=text[name_end : min(end, name_end + 140)],
                   aliases=[a.group("alias").strip()] if (a := _ALIAS.match(text[name_end:end])) else [])


def _plural(doc: Document, page_no: int, m: re.Match[str], head: dict, zone: str, end: int) -> list[Mention]:
    """"Los Gobiernos de A y de B", "the Cities of A, B and C" → one mention per member."""
    text = doc.pages[page_no - 1].text
    singular = {"Gobiernos": "Gobierno", "Ciudades": "Ciudad", "Governments": "Government", "Cities": "City"}[head["plural"]]
    joiner = " de " if head["lang"] == "es" else " of "
    out: list[Mention] = []
    pos = m.end()
    prev: Optional[Mention] = None
    for _ in range(12):
        # lower-case articles only: "El Paso" and "EL PASO" keep theirs
        lead = re.match(r"\s*(?:,\s*)?(?:(?:y|and|e|Y|AND)\s+)?(?:(?:de|of|DE|OF)\s+)?(?:(?:la|el|los|the|THE)\s+)?", text[pos:end])
        start = pos + (lead.end() if lead else 0)
        name_end = _read_name(text[:end], start, _PLACE_STOPS)
        if name_end <= start:
            break
        piece = text[start:name_end]
        if prev is not None and is_region(piece):
            prev.name += ", " + piece
            prev.end = name_end
        elif place_country(piece, COUNTRY) and prev is not None and head["kind"] == "municipality":
            pass  # "..., of the United Mexican States" qualifies the previous city
        else:
            article = "" if head["kind"] != "government" or re.match(r"(?i)rep|reino|kingdom|estados|united", piece) is None else ""
            name = f"{_title_case(singular) if not _is_caps(m.group(0)) else singular}{joiner}{article}{_title_case(piece)}"
            if head["kind"] == "government" and head["lang"] == "es" and re.match(r"(?i)rep[uú]blica|federaci|confedera", piece):
                name = f"Gobierno de la {_title_case(piece)}"
            prev = Mention(name=name, page=page_no, start=start, end=name_end, kind=head["kind"], level=head["level"], zone=zone,
                           context=text[name_end : min(end, name_end + 100)])
            out.append(prev)
        pos = name_end
        if not re.match(r"\s*(?:,|\by\b|\band\b|\be\b)", text[pos:end], re.I):
            break
    return out


def _mask_regions(text: str) -> str:
    """Blank out region names so "Nuevo México" and "New Mexico" do not read as the country Mexico."""
    pattern, _ = _place_regex(REGION)
    folded = fold(text)
    return "".join(" " if any(m.start() <= i < m.end() for m in pattern.finditer(folded)) else c for i, c in enumerate(text)) \
        if pattern.search(folded) else text


def _country(mention: Mention) -> Optional[str]:
    name = mention.name
    hit = place_country(_mask_regions(name), COUNTRY_ADJ)
    if hit:
        return hit[0]
    # the state after the last comma qualifies the city ("Mérida, Yucatán"), so it is read first
    tail = name.rsplit(",", 1)[-1] if "," in name else ""
    hit = (place_country(tail, REGION) if tail else None) or place_country(name, REGION)
    if hit:
        return hit[0]
    # words right after the name: ", of the United Mexican States", "in the great Kingdom of Morocco", next line
    ctx = mention.context
    cut = re.search(r"\b(?:y|and)\s+(?:el|la|the)\s+(?:Gobierno|Government|City|Ciudad|Municipio)", ctx)
    ctx = ctx[: cut.start()] if cut else ctx
    hit = place_country(ctx[:120], REGION)
    masked = place_country(_mask_regions(ctx[:120]), COUNTRY_ADJ)
    if masked and masked[2] < 100 and (hit is None or masked[2] <= hit[2] or hit[0] == masked[0]):
        return masked[0]
    if hit and hit[2] < 100:
        return hit[0]
    hit = place_country(name, CITY)
    return hit[0] if hit else None


@lru_cache(maxsize=None)
def _generic_words() -> frozenset[str]:
    return frozenset(load_rules("parties.json")["generic"])


def _distinct(name: str) -> tuple[str, ...]:
    generic = _generic_words()
    return tuple(t for t in re.findall(r"\w+", fold(name)) if t not in generic and len(t) > 1)


def _core(m: Mention) -> tuple[str, ...]:
    """The distinctive words of a name, in order: "Municipio de Tampico, Tamaulipas" → (tampico, tamaulipas)."""
    if m.level == "national" and m.kind == "government" and m.country:
        return ("@" + m.country,)
    return _distinct(m.name)


def _core_head(m: Mention) -> tuple[str, ...]:
    """The distinctive words before the first comma: the place itself, without its region."""
    return _distinct(m.name.split(",")[0])


def _keys(m: Mention) -> frozenset[str]:
    return frozenset(_core(m))


@lru_cache(maxsize=None)
def _place_words() -> frozenset[str]:
    places = load_rules("places.json")
    names = [n for c in places["countries"].values() for n in c["en"] + c["es"] + c["adj"]]
    names += [n for ns in places["regions"].values() for n in ns]
    return frozenset(t for n in names for t in re.findall(r"\w+", fold(n)))


def _canon(m: Mention) -> frozenset[str]:
    """The name's words in one language ("Secretaría de Salud" and "Ministry of Health" → {ministry, health})."""
    table = load_rules("parties.json")["bilingual"]
    return frozenset(w for w in (table.get(t, t) for t in _core(m)) if w)


def _canon_match(a: Mention, b: Mention) -> bool:
    """The two language versions of one name: the same words, or the same words with the state given only once
    ("Departamento de Agua de Sacramento, California" / "Sacramento Water Department")."""
    wa, wb = _canon(a), _canon(b)
    if len(wa) > 1 and wa == wb:
        return True
    places = _place_words()
    na, nb, pa, pb = wa - places, wb - places, wa & places, wb & places
    return len(na) > 1 and na == nb and (pa == pb or not pa or not pb)


def _same_party(a: Mention, b: Mention) -> bool:
    """Same words, in either language, or one name is the other plus a state/country ("Tampico" / "Tampico, Tamaulipas")."""
    ca, cb = _core(a), _core(b)
    if not ca or not cb:
        return False
    if ca == cb or _canon_match(a, b):
        return True
    # "City of Pittsburgh, Pennsylvania" / "City of Pittsburgh, Allegheny County": one city, two qualifiers
    if a.level == b.level == "municipal":
        head = _core_head(a)
        if head and head == _core_head(b):
            return True
    short, long_ = (ca, cb) if len(ca) < len(cb) else (cb, ca)
    return long_[: len(short)] == short and all(t in _place_words() for t in long_[len(short) :])


def find_mentions(doc: Document) -> list[Mention]:
    mentions: list[Mention] = []
    operative_seen = False
    for page in doc.pages:
        zones = _zones(page.text)
        order: tuple[str, ...] = ("preamble", "signature", "title") if page.number == 1 else ("preamble", "signature")
        if operative_seen:
            order = ("signature",)
        operative_seen = operative_seen or bool(_OPERATIVE.search(page.text) or _AGREE_LINE.search(page.text))
        if page.number != len(doc.pages) and not _SIGN_FORMULA.search(page.text):
            order = tuple(z for z in order if z != "signature")
        for zone in order:
            a, b = zones[zone]
            if b <= a:
                continue
            for mention in _mentions_in(doc, page.number, a, b, zone):
                if zone == "signature" and not _signature_ok(page.text, mention):
                    continue
                if mention.agency and zone == "preamble" and not _in_statement(page.text, mention):
                    continue
                # a heading that names the parties ("... QUE CELEBRAN LA UNIVERSIDAD X, EN LO SUCESIVO ...") is a party statement
                if mention.agency and zone == "title" and not _STATEMENT_END.search(page.text[a:b]):
                    continue
                mentions.append(mention)
        mentions.extend(_sister_mentions(doc, page.number))
    # The party statement names the parties as the text means them; in a bilingual text the first
    # statement (the first language) comes first, ahead of a second-language heading.
    for m in mentions:
        m.statement = m.zone in ("preamble", "title") and _in_statement(doc.pages[m.page - 1].text, m)
    # the words after a name run only up to the next party's name ("X, represented by ..., and the Y University, Arizona")
    for m in mentions:
        nxt = [o.start for o in mentions if o.page == m.page and o.start >= m.end and o is not m]
        if nxt:
            m.context = m.context[: max(0, min(nxt) - m.end)]
    rank = {"preamble": 1, "signature": 2, "title": 3, "sister": 4}
    return sorted(mentions, key=lambda m: (0 if m.statement else rank.get(m.zone, 5)))


def _signature_ok(text: str, mention: Mention) -> bool:
    """In the signature zone only "Por el X"/"For the X" lines and stand-alone city/government lines name parties."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    before = text[line_start : mention.start]
    if _ON_BEHALF.fullmatch(before) or (_ON_BEHALF.match(before) and len(before) < 20):
        return True
    return not before.strip() and not mention.agency and mention.kind in ("municipality", "government", "state")


def _in_statement(text: str, mention: Mention) -> bool:
    breaks = [m.end() for m in PARA_BREAK.finditer(text, 0, mention.start)]
    after = PARA_BREAK.search(text, mention.end)
    para = text[breaks[-1] if breaks else 0 : after.start() if after else len(text)]
    return bool(_STATEMENT_END.search(para))


def _sister_mentions(doc: Document, page_no: int) -> list[Mention]:
    text = doc.pages[page_no - 1].text
    out = []
    for m in _SISTER.finditer(text):
        group = "a" if m.group("a") else "b"
        raw = m.group(group).strip(" ,")
        start = m.start(group)
        raw = re.sub(r"^(?:the\s+)?(?:City|Ciudad|Municipio|Town)\s+(?:of|de)\s+", "", raw, flags=re.I)
        start = m.end(group) - len(m.group(group).strip(" ,")) if raw == m.group(group).strip(" ,") else start
        # "San Nicolas de los Garza, Nuevo Leon, Mexico": drop the trailing country, keep the state
        parts = [p.strip() for p in raw.split(",")]
        country = None
        while parts and place_country(parts[-1], COUNTRY) and len(parts) > 1:
            country = place_country(parts[-1], COUNTRY)
            parts.pop()
        name = ", ".join(parts)
        if not name or not name[:1].isupper():
            continue
        begin = text.find(name, m.start(group))
        if begin < 0:
            continue
        mention = Mention(name=name, page=page_no, start=begin, end=begin + len(name), kind="municipality", level="municipal",
                          zone="sister", context=text[begin + len(name) : begin + len(name) + 60])
        if country:
            mention.country = country[0]
        out.append(mention)
    return out


_BETWEEN_PLACES = re.compile(
    r"\b(?:between|entre)\s+(?:the\s+|la\s+|el\s+|los\s+|las\s+)?(?P<a>[^\n;:]{3,90}?),?\s+(?:and|y|e)\s+(?:the\s+|la\s+|el\s+|los\s+|las\s+)?"
    r"(?P<b>[^\n;:]{3,90}?)(?=\s*(?:[.;:(]|,\s*(?:en\s+adelante|en\s+lo\s+sucesivo|hereinafter|represent)|\s+(?:on|sobre|para|relativo|regarding|"
    r"concerning|en\s+materia|in\s+the\s+field|for|to|que|in|en)\b|\s*\n|$))",
    re.I,
)
_PLACE_HEAD = re.compile(r"^(?:the\s+)?(?:City|Town|Municipality|Ciudad|Municipio|Villa)\s+(?:of|de|del)\s+", re.I)


def _place_party(doc: Document, page_no: int, start: int, raw: str, lang: str) -> Optional[Mention]:
    """A party named by place only: "Chula Vista, California, U.S.A." or "México" (a country)."""
    raw = raw.strip(" ,")
    if not raw[:1].isupper():
        return None
    hit = place_country(raw)
    if hit is None:
        return None
    code, typ, offset = hit
    country_only = place_country(raw, COUNTRY)
    if country_only and country_only[2] == 0 and len(fold(raw).split()) <= 6 and not _PLACE_HEAD.match(raw):
        the = "the " if lang == "en" and re.match(r"(?i)the\s", doc.pages[page_no - 1].text[max(0, start - 4) : start + 1]) else ""
        written = _title_case(raw)
        name = f"Government of {the}{written}" if lang == "en" else f"Gobierno de {written}"
        return Mention(name=name, page=page_no, start=start, end=start + len(raw), kind="government", level="national",
                       zone="between", country=country_only[0])
    bare = _PLACE_HEAD.sub("", raw)
    parts = [p.strip() for p in bare.split(",") if p.strip()]
    if not parts or not parts[0][:1].isupper() or len(parts[0].split()) > 5:
        return None
    name_parts = parts[:2] if len(parts) > 1 and is_region(parts[1]) else parts[:1]
    name = ", ".join(name_parts)
    offset_in_raw = raw.find(name_parts[0])
    return Mention(name=_title_case(name), page=page_no, start=start + max(0, offset_in_raw), end=start + max(0, offset_in_raw) + len(name),
                   kind="municipality", level="municipal", zone="between", country=code)


_PAIR_NAME = r"[A-ZÁÉÍÓÚÑ][\w.'’]*(?:[ \t]+(?:de(?:l|[ \t]+la|[ \t]+los|[ \t]+las)?[ \t]+)?[A-ZÁÉÍÓÚÑ][\w.'’]*){0,3}"
_HYPHEN_PAIR = re.compile(
    rf"(?:(?P<a>{_PAIR_NAME})[ \t]*[-–][ \t]*(?P<b>{_PAIR_NAME})[ \t]+(?=(?:Sister|Friendship|Twin)[ \t]+Cit)|"
    rf"(?P<es>Ciudades[ \t]+(?:Hermanas|Amigas)|Hermanamiento|Sister[ \t]+Cities)[ \t]+(?P<c>{_PAIR_NAME})[ \t]*[-–][ \t]*(?P<d>{_PAIR_NAME}))"
)


def _pair_fallback(doc: Document) -> list[Mention]:
    """Proclamations name the two cities only as a pair: "Medellín-Yuma Sister Cities Proclamation"."""
    if not doc.pages:
        return []
    page = doc.pages[0]
    head = page.text[:600]
    m = _HYPHEN_PAIR.search(head)
    if not m:
        return []
    groups = ("a", "b") if m.group("a") else ("c", "d")
    lang = "es" if m.group("es") and not m.group("es").startswith("Sister") else "en"
    out = []
    for g in groups:
        place = m.group(g).strip()
        name = f"City of {place}" if lang == "en" else f"Ciudad de {place}"
        hit = place_country(place, PLACES)
        out.append(Mention(name=name, page=1, start=m.start(g), end=m.end(g), kind="municipality", level="municipal",
                           zone="pair", country=hit[0] if hit else None))
    return out


def _between_fallback(doc: Document) -> list[Mention]:
    """Instruments that name the parties only as places: "between Mexico and the Netherlands",
    "SISTER CITY AGREEMENT BETWEEN CHULA VISTA, CALIFORNIA AND CEBU CITY, PHILIPPINES"."""
    governmental = re.search(r"\b(?:Gobiernos?|Governments?|Embajada|Embassy|Ministerio|Ministry)\b", " ".join(p.text for p in doc.pages))
    for page in doc.pages:
        head = page.text[:6000]
        for m in _BETWEEN_PLACES.finditer(head):
            lang = lang_at(doc, page.number, m.start(), m.group(0))
            out = [_place_party(doc, page.number, m.start(g), m.group(g), lang) for g in ("a", "b")]
            if not all(out):
                continue
            found = [o for o in out if o is not None]
            if any(o.level == "national" for o in found) and not governmental:
                continue
            return found
    return []


def resolve(mentions: list[Mention]) -> list[Mention]:
    """One mention per party: the first strong one, merging repeats by country or name keys."""
    for m in mentions:
        if m.country is None:
            m.country = _country(m)
        m.keys = _keys(m)
    kept: list[Mention] = []
    for m in mentions:
        if not m.keys:
            continue
        same = next((k for k in kept if k.keys and _same_party(k, m) and _compatible(k, m)), None)
        if same is None:
            kept.append(m)
            continue
        if same.weak and not m.weak:
            kept[kept.index(same)] = _merge(m, same)
        elif not m.weak and m.keys > same.keys and m.level == same.level and _adds_region(same.name, m.name):
            # "Municipio de Tampico" then "Municipio de Tampico, Tamaulipas": keep the fuller statement
            kept[kept.index(same)] = _merge(m, same)
        else:
            _merge(same, m)
    strong = [k for k in kept if not k.weak]
    result = []
    for k in kept:
        if k.weak:
            # a bare "Republic of X" that only qualifies a city or state is not a party
            if any(s.country == k.country and s.level != "national" for s in strong):
                continue
            if any(s.page == k.page and 0 <= k.start - s.end < 60 for s in strong):
                continue
        result.append(k)
    return result


def _merge(into: Mention, other: Mention) -> Mention:
    into.country = into.country or other.country
    into.aliases = into.aliases + [a for a in other.aliases if a not in into.aliases]
    return into


def _adds_region(short: str, longer: str) -> bool:
    tail = re.match(re.escape(fold(short).strip(" ,.")) + r"\s*,\s*(.+)$", fold(longer).strip(" ,."))
    return bool(tail) and is_region(tail.group(1))


def _as_written(doc: Document, name: str) -> str:
    """An all-caps name ("CIUDAD DE MCALLEN") in the spelling the body uses ("Ciudad de McAllen"), else title case."""
    if not _is_caps(name):
        return name
    pattern = re.compile(re.escape(name).replace("\\ ", r"\s+"), re.I)
    for page in doc.pages:
        for m in pattern.finditer(page.text):
            if not _is_caps(m.group(0)) and m.group(0)[:1].isupper():
                return re.sub(r"\s+", " ", m.group(0))
    # word by word: "MCALLEN" → "McAllen" when the body writes it so
    body = " ".join(page.text for page in doc.pages)

    def respell(word: re.Match[str]) -> str:
        w = word.group(0)
        if len(w) > 2:
            for hit in re.finditer(rf"(?<!\w){re.escape(w)}(?!\w)", body, re.I):
                if not hit.group(0).isupper() and hit.group(0)[:1].isupper():
                    return hit.group(0)
        return w

    return re.sub(r"\w+", respell, _title_case(name))


def _compatible(a: Mention, b: Mention) -> bool:
    if a.level == "national" and b.level == "national":
        return True
    if _canon_match(a, b):
        return True  # "Departamento de Educación de Texas" / "Texas Department of Education"
    return a.level == b.level or a.weak or b.weak


def country_counts(text: str) -> dict[str, int]:
    # adjectives are left out: "Spanish" and "English" name the language versions, not countries
    pattern, table = _place_regex(PLACES)
    folded = fold(text)
    counts: dict[str, int] = {}
    for m in pattern.finditer(folded):
        code, typ = table[m.group(0)]
        if typ == "adj" and not text[m.start() : m.start() + 1].isupper():
            continue
        counts[code] = counts.get(code, 0) + 1
    return counts


_CITY_HEAD = re.compile(
    r"^(?:(?:the|el|la)\s+)?(?:(?:H\.\s*|Honorable\s+)?Ayuntamiento(?:\s+Constitucional)?\s+del?|Municipio\s+(?:Libre\s+)?de|"
    r"Municipalidad\s+de|Ciudad\s+de|Alcald[ií]a\s+(?:Mayor\s+)?de|(?:City|Town|Village|Borough|Municipality|County)\s+of)\s+|"
    r"\s+(?:City|Town)$",
    re.I,
)


@lru_cache(maxsize=1)
def _world_cities() -> dict[str, str]:
    return load_rules("cities.json")


def world_city_country(name: str, counts: dict[str, int]) -> Optional[str]:
    """The country of a city the hand-kept gazetteer does not know ("City of Naga" → PH), from the
    GeoNames list: a country the text names wins among namesakes, else the most populous city's."""
    place = _CITY_HEAD.sub("", name.split(",")[0].strip()).strip()
    countries = _world_cities().get(fold(place)) if place else None
    if not countries:
        return None
    codes = countries.split()
    named = [c for c in codes if c in counts]
    return named[0] if named else codes[0]


def dominant_country(text: str) -> Optional[str]:
    """The country the text's places point to, when one clearly dominates (an interinstitutional agreement
    between two Mexican agencies names Mexican places only)."""
    counts = country_counts(text)
    if not counts:
        return None
    code, n = max(counts.items(), key=lambda kv: kv[1])
    return code if n >= 2 and n / sum(counts.values()) >= 0.75 else None


def country_by_language(name: str, counts: dict[str, int]) -> Optional[str]:
    """A Spanish-named institution in a Mexico–US text is the Mexican one (and the other way round)."""
    rules = load_rules("parties.json")
    lang = guess_lang(name) or ("es" if re.search(r"\b(?:Universidad|Instituto|Secretar[ií]a|Estatal|Nacional|Aut[oó]noma)\b", name) else None)
    if lang is None:
        return None
    pool = rules["spanish_speaking"] if lang == "es" else rules["english_speaking"]
    present = [(n, c) for c, n in counts.items() if c in pool]
    if present:
        return max(present)[1]
    # the other party's country is never the answer for a name in the other language
    others = {c for c in counts if c not in pool}
    prior = rules["default_country_by_language"].get(lang)
    return prior if others and prior not in others else None


def warm_up(ctx: Context) -> None:
    """Build the gazetteer's alternations and word sets before a worker's first document."""
    for types in PLACE_TYPE_SETS:
        _place_regex(types)
    _heads()
    _generic_words()
    _place_words()
    _world_cities()


def run(doc: Document, ctx: Context) -> None:
    mentions = resolve(find_mentions(doc))
    if len(mentions) < 2:
        extra = [m for m in _between_fallback(doc) if all(not (m.country and m.country == k.country) for k in mentions)]
        mentions = resolve(mentions + extra)
    if len(mentions) < 2:
        mentions = resolve(mentions + _pair_fallback(doc))
    if any(m.country is None for m in mentions):
        text = " ".join(p.text for p in doc.pages)
        fallback = dominant_country(text)
        counts = country_counts(text)
        for m in mentions:
            city = world_city_country(m.name, counts) if m.kind == "municipality" else None
            m.country = m.country or city or country_by_language(m.name, counts) or fallback
    low = ctx.options.low_conf if ctx else 60.0
    doc.parties = [
        Party(
            name=re.sub(r"\s+", " ", _as_written(doc, m.name.strip(" ,."))),
            country=m.country,
            level=m.level,
            kind=m.kind,
            aliases=m.aliases,
            lang=lang_at(doc, m.page, m.start, doc.pages[m.page - 1].text[m.start : m.end]),
            evidence=evidence(m.page, m.start, m.end, doc, low),
        )
        for m in mentions
    ]
