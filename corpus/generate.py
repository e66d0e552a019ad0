"""Generate the sample archive: agreements the project writes itself, with their gold.

    python -m corpus.generate --out corpus/sample            # the 14-file sample archive
    python -m corpus.generate --out data/train --count 500   # more agreements (text + gold)
    python -m corpus.generate --out data/test --count 100 --split heldout

Each agreement is drawn once, as data (parties, dates, clauses, commitments
with their indicators, in Spanish and English at the same time), then written
out in its languages and layout, rendered into its file format, and annotated
from the same draw: every gold ``text`` is the very string written into the
document, so the gold is right by construction. Output:

    <out>/<id>.<ext>          the archive file (txt, pdf, tif, png, jpg)
    <out>/gold/<id>.txt       the plain text as a reader would type it
    <out>/gold/<id>.json      its annotation in the gold format (FORMAT.md)

Everything is seeded: the same seed gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import click

from corpus import templates as T
from corpus import words as W

LANG_NAMES = {"es": ("español", "Spanish"), "en": ("inglés", "English")}
# Seeds of the extra agreements: training draws never reach the held-out range.
SPLIT_BASE = {"train": 0, "heldout": 1_000_000_000}
FORMAT_EXT = {
    "txt": "txt", "txt1252": "txt", "pdf": "pdf", "scan": "pdf", "mixed": "pdf",
    "tiff": "tif", "png": "png", "jpeg": "jpg",
}
IMAGE_FORMATS = {"scan", "tiff", "png", "jpeg", "mixed"}


# --- the drawn agreement ----------------------------------------------------------------

Bi = dict[str, str]  # {"es": ..., "en": ...}


@dataclass
class Indicator:
    text: Bi  # exact phrase in each language
    value: Optional[float]
    unit: Bi
    period: Optional[str]
    kind: str  # quantity | money | percentage | deadline | frequency | cap
    currency: Optional[str] = None
    deadline: Optional[str] = None


@dataclass
class Commit:
    party: Any  # "all" or an index into Agreement.parties
    strength: str  # binding | soft
    theme: str
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class Sentence:
    text: Bi
    commit: Optional[Commit] = None


@dataclass
class Para:
    sentences: list[Sentence]
    kind: str = "text"  # text | heading | item | title | signature


@dataclass
class Person:
    name: str
    prefix: str  # "Lic. ", "Dr. ", or ""
    female: bool


@dataclass
class PartySpec:
    name: Bi
    subject: Bi  # how a sentence names it as subject ("El Municipio de Tijuana", "UANO")
    intro: Bi  # how the opening paragraph presents it
    country: str
    level: str
    female: bool  # grammatical gender of the Spanish name
    city: str
    signer: Person
    title: Bi


@dataclass
class Spec:
    """What to draw: the sample archive fixes these, ``--count`` draws them."""

    id: str
    pair: str  # sister_city | friendship | universities | water | health | economy | education | mx_ca | gt_mx | us_co
    langs: tuple[str, ...]  # ("es",), ("en",), ("es", "en") ...
    layout: str = "mono"  # mono | sequential | alternating | columns
    fmt: str = "txt"
    paper: Optional[str] = None  # None (measurable) | "none" | "soft" | "unmeasurable"
    short: bool = False  # must fit on one page (single images)
    seed: int = 0


@dataclass
class Agreement:
    spec: Spec
    kind: str
    title: Bi
    parties: list[PartySpec]
    signed_on: dt.date
    term: Optional[str]
    paras: list[Para]
    listed: list[str] = field(default_factory=list)  # themes the text names (purpose, list of areas)
    notes: list[str] = field(default_factory=list)


# --- drawing helpers ------------------------------------------------------------------------


def _pick(rng: random.Random, seq: Sequence[Any]) -> Any:
    return seq[rng.randrange(len(seq))]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _person(rng: random.Random, lang: str) -> Person:
    if lang == "es":
        given, sex = _pick(rng, T.GIVEN_ES)
        a, b = rng.sample(T.SURNAMES_ES, 2)
        prefix = _pick(rng, ["", "", "Lic. ", "Dr. " if sex == "m" else "Dra. ", "Ing. ", "Mtro. " if sex == "m" else "Mtra. "])
        return Person(f"{given} {a} {b}", prefix, sex == "f")
    given, sex = _pick(rng, T.GIVEN_EN)
    surname = _pick(rng, T.SURNAMES_EN)
    middle = f" {_pick(rng, T.INITIALS)}." if rng.random() < 0.5 else ""
    return Person(f"{given}{middle} {surname}", "", sex == "f")


def _mx_municipality(rng: random.Random, city: str, state: str) -> PartySpec:
    signer = _person(rng, "es")
    if rng.random() < 0.3:
        name_es, subj_es = f"H. Ayuntamiento de {city}, {state}", f"El H. Ayuntamiento de {city}"
    else:
        name_es, subj_es = f"Municipio de {city}, {state}", f"El Municipio de {city}"
    title_es = "Presidenta Municipal" if signer.female else "Presidente Municipal"
    return PartySpec(
        name={"es": name_es, "en": f"Municipality of {city}, {state}"},
        subject={"es": subj_es, "en": f"The Municipality of {city}"},
        intro={"es": _lower_first(subj_es) + f", {state}, Estados Unidos Mexicanos",
               "en": f"the Municipality of {city}, {state}, United Mexican States"},
        country="MX", level="municipal", female=False, city=city, signer=signer,
        title={"es": title_es, "en": "Municipal President"},
    )


def _foreign_city(rng: random.Random, city: str, region: str, country: str) -> PartySpec:
    signer = _person(rng, "es" if country in ("GT", "CO") else "en")
    region_es = T.US_STATES_ES.get(region, region)
    country_es, country_en = T.COUNTRY_NAMES[country]
    if country == "GT":
        name = {"es": f"Municipalidad de {city}", "en": f"Municipality of {city}"}
        subject = {"es": f"La Municipalidad de {city}", "en": f"The Municipality of {city}"}
        title = {"es": "Alcaldesa Municipal" if signer.female else "Alcalde Municipal", "en": "Mayor"}
    else:
        name = {"es": f"Ciudad de {city}, {region_es}", "en": f"City of {city}, {region}"}
        subject = {"es": f"La Ciudad de {city}", "en": f"The City of {city}"}
        title = {"es": "Alcaldesa" if signer.female else "Alcalde", "en": "Mayor"}
    return PartySpec(
        name=name, subject=subject,
        intro={"es": f"{_lower_first(subject['es'])}, {region_es}, {country_es}",
               "en": f"{_lower_first(subject['en'])}, {region}, {country_en}"},
        country=country, level="municipal", female=True, city=city, signer=signer, title=title,
    )


def _university(rng: random.Random, name: str, acronym: str, country: str) -> PartySpec:
    signer = _person(rng, "es" if country == "MX" else "en")
    article = "El" if name.startswith("Instituto") else "La"
    if country == "MX":
        title = {"es": "Rectora" if signer.female else "Rector", "en": "Rector"}
    else:
        title = {"es": "Presidenta" if signer.female else "Presidente", "en": "President"}
    return PartySpec(
        name={"es": name, "en": name},
        subject={"es": f"{article} {acronym}", "en": acronym},
        intro={"es": f'{article.lower()} {name} (en lo sucesivo, "{acronym}")',
               "en": f'the {name} (hereinafter "{acronym}")'},
        country=country, level="other", female=article == "La", city="", signer=signer, title=title,
    )


def _water(rng: random.Random, city: str, region: str, country: str) -> PartySpec:
    if country == "MX":
        signer = _person(rng, "es")
        es = f"Junta Municipal de Agua y Saneamiento de {city}"
        en = f"Municipal Water and Sanitation Board of {city}"
        title = {"es": "Directora General" if signer.female else "Director General", "en": "General Director"}
        female = True
    else:
        signer = _person(rng, "en")
        es, en = f"Departamento de Agua de {city}", f"{city} Water Department"
        title = {"es": "Gerente General", "en": "General Manager"}
        female = False
    art = "La" if female else "El"
    return PartySpec(
        name={"es": es, "en": en}, subject={"es": f"{art} {es}", "en": f"The {en}"},
        intro={"es": f"{art.lower()} {es}, {region}", "en": f"the {en}, {region}"},
        country=country, level="municipal", female=female, city=city, signer=signer, title=title,
    )


_AGENCIES = {
    # pair: (MX es name, MX en name, MX title es m/f, MX title en, US es name, US en name, US title es m/f, US title en)
    "health": ("Secretaría de Salud del Estado de {s}", "Ministry of Health of the State of {s}",
               ("Secretario de Salud", "Secretaria de Salud"), "Secretary of Health",
               "Departamento de Servicios de Salud de {s}", "{s} Department of Health Services",
               ("Director", "Directora"), "Director"),
    "economy": ("Secretaría de Economía del Estado de {s}", "Ministry of Economy of the State of {s}",
                ("Secretario de Economía", "Secretaria de Economía"), "Secretary of Economy",
                "Departamento de Comercio de {s}", "{s} Department of Commerce",
                ("Director Ejecutivo", "Directora Ejecutiva"), "Executive Director"),
    "education": ("Secretaría de Educación del Estado de {s}", "Ministry of Education of the State of {s}",
                  ("Secretario de Educación", "Secretaria de Educación"), "Secretary of Education",
                  "Departamento de Educación de {s}", "{s} Department of Education",
                  ("Superintendente", "Superintendente"), "Superintendent"),
}


def _agency(rng: random.Random, pair: str, state: str, country: str) -> PartySpec:
    mx_es, mx_en, mx_t, mx_ten, us_es, us_en, us_t, us_ten = _AGENCIES[pair]
    if country == "MX":
        signer = _person(rng, "es")
        es, en = mx_es.format(s=state), mx_en.format(s=state)
        title = {"es": mx_t[signer.female], "en": mx_ten}
        female = True
    else:
        signer = _person(rng, "en")
        es, en = us_es.format(s=T.US_STATES_ES.get(state, state)), us_en.format(s=state)
        title = {"es": us_t[signer.female], "en": us_ten}
        female = False
    art = "La" if female else "El"
    return PartySpec(
        name={"es": es, "en": en}, subject={"es": f"{art} {es}", "en": f"The {en}"},
        intro={"es": f"{art.lower()} {es}", "en": f"the {en}"},
        country=country, level="state", female=female, city="", signer=signer, title=title,
    )


def draw_parties(rng: random.Random, pair: str) -> list[PartySpec]:
    if pair in ("sister_city", "friendship"):
        return [_mx_municipality(rng, *_pick(rng, T.MX_CITIES)), _foreign_city(rng, *_pick(rng, T.US_CITIES), "US")]
    if pair == "universities":
        return [_university(rng, *_pick(rng, T.MX_UNIVERSITIES), "MX"), _university(rng, *_pick(rng, T.US_UNIVERSITIES), "US")]
    if pair == "water":
        mx_city, mx_state = _pick(rng, T.MX_CITIES[:13])
        us_city, us_state = _pick(rng, T.US_CITIES[:11])
        return [_water(rng, mx_city, mx_state, "MX"), _water(rng, us_city, us_state, "US")]
    if pair in _AGENCIES:
        return [_agency(rng, pair, _pick(rng, T.MX_STATES), "MX"), _agency(rng, pair, _pick(rng, T.US_STATES), "US")]
    if pair == "mx_ca":
        return [_mx_municipality(rng, *_pick(rng, T.MX_CITIES)), _foreign_city(rng, *_pick(rng, T.CA_CITIES), "CA")]
    if pair == "gt_mx":
        return [_foreign_city(rng, *_pick(rng, T.GT_CITIES), "GT"), _mx_municipality(rng, "Tapachula", "Chiapas")]
    if pair == "us_co":
        return [_foreign_city(rng, *_pick(rng, T.US_CITIES), "US"), _foreign_city(rng, *_pick(rng, T.CO_CITIES), "CO")]
    raise ValueError(f"unknown pair {pair}")


PAIR_KIND = {
    "sister_city": "sister_city", "friendship": "friendship_city", "universities": "interinstitutional",
    "water": "interinstitutional", "health": "mou", "economy": "mou", "education": "cooperation",
    "mx_ca": "sister_city", "gt_mx": "cooperation", "us_co": "friendship_city",
}
PAIR_THEMES = {
    "sister_city": ["culture", "education", "tourism", "economic_development", "sports", "youth", "urban_development"],
    "friendship": ["culture", "tourism", "education", "youth"],
    "universities": ["education", "technology_innovation", "culture", "youth"],
    "water": ["water", "environment", "disaster_risk", "technology_innovation"],
    "health": ["health", "disaster_risk", "migration"],
    "economy": ["trade_investment", "economic_development", "tourism"],
    "education": ["education", "youth", "culture", "sports"],
    "mx_ca": ["tourism", "culture", "economic_development", "education"],
    "gt_mx": ["migration", "health", "public_safety", "economic_development"],
    "us_co": ["culture", "education", "technology_innovation", "public_safety"],
}
# (es name, es gender, en name) of the instrument.
DOC_NAMES = {
    "sister_city": [("Acuerdo de Hermanamiento", "m", "Sister City Agreement"),
                    ("Convenio de Hermanamiento", "m", "Sister Cities Agreement")],
    "friendship": [("Acuerdo de Amistad", "m", "Friendship Agreement"),
                   ("Declaración de Ciudades Amigas", "f", "Declaration of Friendship Cities")],
    "universities": [("Convenio General de Colaboración", "m", "General Cooperation Agreement"),
                     ("Convenio Marco de Colaboración Académica", "m", "Framework Agreement for Academic Cooperation")],
    "water": [("Convenio de Colaboración Interinstitucional", "m", "Interinstitutional Cooperation Agreement"),
              ("Memorándum de Entendimiento", "m", "Memorandum of Understanding")],
    "health": [("Memorándum de Entendimiento", "m", "Memorandum of Understanding")],
    "economy": [("Memorándum de Entendimiento", "m", "Memorandum of Understanding")],
    "education": [("Acuerdo de Cooperación", "m", "Cooperation Agreement")],
    "mx_ca": [("Acuerdo de Hermanamiento", "m", "Twinning Agreement")],
    "gt_mx": [("Convenio de Cooperación Transfronteriza", "m", "Cross-Border Cooperation Agreement")],
    "us_co": [("Acuerdo de Amistad", "m", "Friendship Agreement")],
}
LETTER_OF_INTENT = ("Carta de Intención", "f", "Letter of Intent")
PROCLAMATION = ("Proclamación de Ciudades Hermanas", "f", "Sister Cities Proclamation")


@dataclass
class DocRef:
    """How the text refers to itself: "el presente Acuerdo", "this Agreement"."""

    es: str
    female: bool
    en: str

    def the(self, lang: str) -> str:
        return (f"la presente {self.es}" if self.female else f"el presente {self.es}") if lang == "es" else f"this {self.en}"

    def of(self, lang: str) -> str:
        return (f"de la presente {self.es}" if self.female else f"del presente {self.es}") if lang == "es" else f"of this {self.en}"

    def short(self) -> "DocRef":
        head_es = self.es.split(" de ")[0]
        head_en = self.en.split()[-1] if not self.en.startswith("Memorandum") else "Memorandum"
        if self.en.startswith("Letter"):
            head_en = "Letter"
        return DocRef(head_es, self.female, head_en)


# --- indicators -----------------------------------------------------------------------------


def _count(rng: random.Random, n: int, lang: str) -> str:
    if n >= 1000:
        return W.number(n, lang, "digits")
    return W.number(n, lang, _pick(rng, ["both", "words", "digits"]))


def _quantity(rng: random.Random, unit: tuple[str, str], allow_least: bool) -> tuple[Bi, Indicator]:
    ranges = {
        "becas": (5, 30, 1), "estudiantes": (10, 50, 5), "exposiciones": (2, 4, 1), "pequeñas empresas": (10, 40, 5),
        "elementos de policía": (20, 60, 10), "jóvenes": (15, 40, 5), "árboles": (1000, 10000, 500),
        "proyectos conjuntos de investigación": (2, 6, 1), "dosis de vacuna": (5000, 20000, 1000),
        "servidores públicos": (30, 100, 10),
    }
    lo, hi, step = ranges.get(unit[0], (2, 20, 1))
    n = rng.randrange(lo, hi + 1, step)
    least = allow_least and rng.random() < 0.35
    yearly = rng.random() < 0.5
    per_es, per_en = _pick(rng, [(" por año", " per year"), (" cada año", " each year"), (" al año", " a year")])
    texts: Bi = {}
    for lang, u in (("es", unit[0]), ("en", unit[1])):
        prefix = ("al menos " if lang == "es" else "at least ") if least else ""
        per = (per_es if lang == "es" else per_en) if yearly else ""
        texts[lang] = f"{prefix}{_count(rng, n, lang)} {u}{per}"
    ind = Indicator(text=dict(texts), value=n, unit={"es": unit[0], "en": unit[1]},
                    period="P1Y" if yearly else None, kind="quantity")
    return texts, ind


def _money(rng: random.Random, country: str = "MX") -> tuple[Bi, Indicator]:
    kind = _pick(rng, ["millions", "usd", "usd_words", "mxn"] if country == "MX" else ["millions", "usd", "usd_words"])
    if kind == "millions":
        m = _pick(rng, [1.5, 2, 2.5, 3, 1.2])
        amount, currency = int(m * 1_000_000), "USD"
        ms = f"{m:g}"
        texts = {"es": f"US${ms} millones", "en": f"US${ms} million"}
    elif kind == "usd":
        amount, currency = _pick(rng, [50_000, 75_000, 120_000, 250_000, 30_000]), "USD"
        texts = {"es": f"USD {amount:,}", "en": f"USD {amount:,}"}
    elif kind == "usd_words":
        amount, currency = _pick(rng, [40_000, 60_000, 150_000, 200_000]), "USD"
        texts = {"es": f"{amount:,} dólares estadounidenses", "en": f"${amount:,}"}
    else:
        amount, currency = _pick(rng, [250_000, 500_000, 1_200_000, 800_000]), "MXN"
        texts = {"es": f"${amount:,}.00 pesos mexicanos", "en": f"MXN {amount:,}"}
    unit = {"es": currency, "en": currency}
    return texts, Indicator(text=dict(texts), value=amount, unit=unit, period=None, kind="money", currency=currency)


def _percentage(rng: random.Random, cap: bool) -> tuple[Bi, Bi, Indicator]:
    """Returns (phrase put in the sentence, indicator text, indicator)."""
    p = _pick(rng, [10, 15, 20, 25, 30] if not cap else [5, 8, 10, 12])
    if cap:
        phrase = {"es": f"no más del {p}%", "en": f"no more than {p}%"}
        return phrase, dict(phrase), Indicator(text=dict(phrase), value=p, unit={"es": "%", "en": "%"}, period=None, kind="cap")
    if rng.random() < 0.5:
        phrase = {"es": f"un {p}%", "en": f"{p}%"}
        text = {"es": f"{p}%", "en": f"{p}%"}
    else:
        phrase = {"es": f"un {p} por ciento", "en": f"{p} percent"}
        text = {"es": f"{p} por ciento", "en": f"{p} percent"}
    return phrase, text, Indicator(text=dict(text), value=p, unit={"es": "%", "en": "%"}, period=None, kind="percentage")


def _cap_days(rng: random.Random) -> tuple[Bi, Indicator]:
    n = _pick(rng, [15, 30, 45, 60, 90])
    texts = {
        "es": f"{_pick(rng, ['no más de', 'un máximo de'])} {_count(rng, n, 'es')} días",
        "en": f"{_pick(rng, ['no more than', 'a maximum of'])} {_count(rng, n, 'en')} days",
    }
    return texts, Indicator(text=dict(texts), value=n, unit={"es": "días", "en": "days"}, period=None, kind="cap")


def _frequency(rng: random.Random, unit: Bi, only_single: bool = False) -> tuple[Bi, Indicator]:
    rows = [r for r in T.FREQUENCIES if not only_single or r[0] == 1]
    value, period, forms_es, forms_en = _pick(rng, rows)
    i = rng.randrange(len(forms_es))
    texts = {"es": forms_es[i], "en": forms_en[i % len(forms_en)]}
    return texts, Indicator(text=dict(texts), value=value, unit=dict(unit), period=period, kind="frequency")


def _deadline(rng: random.Random, unit: Bi, signed: dt.date, doc: DocRef, hours: bool = False) -> tuple[Bi, Indicator]:
    """Returns (tail appended to the action, indicator); the indicator text is a prefix of the tail."""
    if hours:
        n = _pick(rng, [24, 48, 72])
        ind = {"es": f"dentro de las {_count(rng, n, 'es')} horas", "en": f"within {_count(rng, n, 'en')} hours"}
        tail = {"es": ind["es"] + " siguientes a su detección", "en": ind["en"] + " of their detection"}
        return tail, Indicator(text=ind, value=n, unit={"es": "horas", "en": "hours"}, period=None, kind="deadline", deadline=f"PT{n}H")
    form = _pick(rng, ["days", "months", "date", "date"])
    if form == "days":
        n = _pick(rng, [30, 60, 90, 120])
        ind = {"es": f"dentro de los {_count(rng, n, 'es')} días", "en": f"within {_count(rng, n, 'en')} days"}
        tail = {"es": ind["es"] + f" siguientes a la firma {doc.of('es')}",
                "en": ind["en"] + f" of the signing {doc.of('en')}"}
        return tail, Indicator(text=ind, value=n, unit={"es": "días", "en": "days"}, period=None, kind="deadline", deadline=f"P{n}D")
    if form == "months":
        n = _pick(rng, [3, 6, 12])
        ind = {"es": f"dentro de los {_count(rng, n, 'es')} meses", "en": f"within {_count(rng, n, 'en')} months"}
        tail = {"es": ind["es"] + f" siguientes a la entrada en vigor {doc.of('es')}",
                "en": ind["en"] + f" of the entry into force {doc.of('en')}"}
        return tail, Indicator(text=ind, value=n, unit={"es": "meses", "en": "months"}, period=None, kind="deadline", deadline=f"P{n}M")
    year = signed.year + rng.randint(1, 2)
    month = _pick(rng, [6, 12, 12])
    day = 30 if month == 6 else 31
    when = dt.date(year, month, day)
    es_lead, en_lead = _pick(rng, [("a más tardar el", "no later than"), ("antes del", "by")])
    ind = {"es": f"{es_lead} {W.deadline_date(when, 'es')}", "en": f"{en_lead} {W.deadline_date(when, 'en')}"}
    return dict(ind), Indicator(text=ind, value=None, unit=dict(unit), period=None, kind="deadline", deadline=when.isoformat())


def action_sentence_parts(rng: random.Random, action: dict, measurable: bool, signed: dt.date, doc: DocRef,
                          country: str = "MX") -> tuple[Bi, list[Indicator]]:
    """The action phrase in both languages, with its indicator if ``measurable``."""
    kind = action.get("kind")
    unit = {"es": action.get("unit", ("", ""))[0], "en": action.get("unit", ("", ""))[1]}
    if not kind or not measurable:
        if kind in (None, "freq", "deadline", "deadline_hours"):
            return {"es": action["es"], "en": action["en"]}, []
        raise ValueError("an action with a slot needs its indicator")
    if kind == "freq":
        tail, ind = _frequency(rng, unit)
        return {lang: f"{action[lang]} {tail[lang]}" for lang in ("es", "en")}, [ind]
    if kind in ("deadline", "deadline_hours"):
        tail, ind = _deadline(rng, unit, signed, doc, hours=kind == "deadline_hours")
        return {lang: f"{action[lang]} {tail[lang]}" for lang in ("es", "en")}, [ind]
    if kind == "qty":
        # "recibir a al menos diez" does not read: no "al menos" after the personal "a".
        texts, ind = _quantity(rng, action["unit"], allow_least=" a {X}" not in action["es"])
        return {lang: action[lang].replace("{X}", texts[lang]) for lang in ("es", "en")}, [ind]
    if kind == "money":
        texts, ind = _money(rng, country)
        return {lang: action[lang].replace("{X}", texts[lang]) for lang in ("es", "en")}, [ind]
    if kind in ("pct", "pct_cap"):
        phrase, _text, ind = _percentage(rng, cap=kind == "pct_cap")
        return {lang: action[lang].replace("{X}", phrase[lang]) for lang in ("es", "en")}, [ind]
    if kind == "cap":
        texts, ind = _cap_days(rng)
        return {lang: action[lang].replace("{X}", texts[lang]) for lang in ("es", "en")}, [ind]
    raise ValueError(kind)


# --- clause builders ------------------------------------------------------------------------


class Builder:
    """Draws the paragraphs of one agreement, both languages at once."""

    def __init__(self, rng: random.Random, spec: Spec, parties: list[PartySpec], doc: DocRef, signed: dt.date, themes: list[str]):
        self.rng, self.spec, self.parties, self.doc, self.signed, self.themes = rng, spec, parties, doc, signed, themes
        self.paras: list[Para] = []
        self.clause_no = 0
        # Short texts (one page images) keep headings on one line.
        self.clause_style = _pick(rng, [0, 1, 3]) if spec.short else rng.randrange(4)
        self.used_actions: set[str] = set()
        self.listed: list[str] = []

    def list_themes(self, themes: list[str]) -> None:
        self.listed += [t for t in themes if t not in self.listed]

    # paragraphs
    def add(self, es: str, en: str, kind: str = "text", commit: Optional[Commit] = None) -> None:
        self.paras.append(Para([Sentence({"es": es, "en": en}, commit)], kind))

    def add_sentences(self, sentences: list[Sentence]) -> None:
        self.paras.append(Para(sentences))

    def heading(self, key: str) -> None:
        es_name, en_name = T.HEADINGS[key]
        i = self.clause_no
        self.clause_no += 1
        style = self.clause_style
        if style == 0:
            es, en = f"{T.CLAUSE_NAMES_ES[i]}. {es_name}", f"{T.CLAUSE_NAMES_EN[i]}. {en_name}"
        elif style == 1:
            es, en = f"CLÁUSULA {T.CLAUSE_NAMES_ES[i]}.- {es_name}", f"CLAUSE {T.CLAUSE_NAMES_EN[i]}.- {en_name}"
        elif style == 2:
            es, en = f"ARTÍCULO {T.ROMAN[i]}\n{_cap(es_name.lower())}", f"ARTICLE {T.ROMAN[i]}\n{_cap(en_name.lower())}"
        else:
            es, en = f"Artículo {i + 1}. {_cap(es_name.lower())}", f"Article {i + 1}. {_cap(en_name.lower())}"
        self.add(es, en, kind="heading")

    # verb frames
    def subject_plural(self) -> Bi:
        es, en = _pick(self.rng, T.SUBJECTS_PL)
        return {"es": es, "en": en}

    def frame(self, strength: str, party: Any) -> tuple[Bi, Bi]:
        """(subject, verb) for a commitment of ``party`` ("all" or index)."""
        if party == "all":
            subj = self.subject_plural()
            verb = _pick(self.rng, T.BINDING_PL if strength == "binding" else T.SOFT_PL)
        else:
            subj = dict(self.parties[party].subject)
            verb = _pick(self.rng, T.BINDING_SG if strength == "binding" else T.SOFT_SG)
        return subj, {"es": verb[0], "en": verb[1]}

    def action_commitment(self, theme: str, strength: str, party: Any, measurable: bool, varied: bool = True) -> Sentence:
        def usable(t: str) -> list[dict]:
            return [a for a in T.ACTIONS[t] if a["es"] not in self.used_actions and (
                (a.get("kind") is not None) == measurable or (not measurable and a.get("kind") in ("freq", "deadline", "deadline_hours")))]

        # Never repeat an action in one agreement: fall back to the agreement's other themes.
        for t in [theme] + self.themes + PAIR_THEMES[self.spec.pair] + sorted(T.ACTIONS):
            if usable(t):
                theme = t
                break
        action = _pick(self.rng, usable(theme))
        self.used_actions.add(action["es"])
        phrase, indicators = action_sentence_parts(self.rng, action, measurable, self.signed, self.doc)
        if party != "all" and "{X}" not in action["es"]:
            phrase = {lang: phrase[lang].replace("sus instituciones", "las instituciones") for lang in phrase}
        subj, verb = self.frame(strength, party)
        singular = party != "all"
        if varied and party == "all" and self.rng.random() < 0.2:
            # "Cada Parte se compromete a ..." / "Each Party shall ...": each commits, so the party is "all".
            singular = True
            subj = {"es": "Cada Parte", "en": "Each Party"}
            verb = dict(zip(("es", "en"), _pick(self.rng, T.BINDING_SG if strength == "binding" else T.SOFT_SG)))
        if varied and strength == "binding" and self.rng.random() < 0.3:
            future = _future(phrase["es"], plural=not singular)
            if future:
                # A bare future ("Las Partes organizarán ...") binds as much as "se comprometen a".
                phrase = {"es": future, "en": phrase["en"]}
                verb = {"es": "", "en": _pick(self.rng, ["shall", "will"])}
        lead = self.rng.random() < 0.2
        texts = {}
        for lang in ("es", "en"):
            s = f"{subj[lang]} {verb[lang]} {phrase[lang]}.".replace(" , ", ", ").replace("  ", " ")
            if singular and lang == "en":
                s = s.replace(" their ", " its ")
            if lead:
                s = ("Asimismo, " if lang == "es" else "Furthermore, ") + _lower_first(s) if party == "all" else s
            texts[lang] = s
        return Sentence(texts, Commit(party, strength, theme, indicators))

    def soft_noun_commitment(self, theme: str) -> Sentence:
        key = theme if theme in T.SOFT_NOUNS else _pick(self.rng, sorted(T.SOFT_NOUNS))
        noun_es, noun_en = T.SOFT_NOUNS[key]
        verb_es, verb_en = _pick(self.rng, T.SOFT_NOUN_PL)
        subj = self.subject_plural()
        return Sentence({"es": f"{subj['es']} {verb_es} {noun_es}.", "en": f"{subj['en']} {verb_en} {noun_en}."},
                        Commit("all", "soft", key))

    def area_list(self, areas: list[str]) -> None:
        verb = _pick(self.rng, T.BINDING_PL)
        subj = self.subject_plural()
        self.add(f"{subj['es']} {verb[0]} cooperar en las siguientes áreas:",
                 f"{subj['en']} {verb[1]} cooperate in the following areas:",
                 commit=Commit("all", "binding", areas[0]))
        self.list_themes(areas)
        letters = "abcdefgh"
        for i, area in enumerate(areas):
            es, en = T.AREAS[area]
            end = "." if i == len(areas) - 1 else ";"
            self.add(f"{letters[i]}) {_cap(es)}{end}", f"{letters[i]}) {_cap(en)}{end}", kind="item")

    def action_list(self, themes: list[str], measurable_item: bool) -> None:
        """A lead-in and its items; an item with its own target is a commitment of its own (FORMAT.md)."""
        verb_es, verb_en = _pick(self.rng, T.ACTION_LIST_VERBS)
        self.add(f"Para el cumplimiento {self.doc.of('es')}, las Partes {verb_es} las siguientes acciones:",
                 f"To achieve the purpose of {self.doc.the('en')}, the Parties {verb_en} the following actions:",
                 commit=Commit("all", "binding", themes[0]))
        n = 3
        target = self.rng.randrange(n) if measurable_item else -1
        for i in range(n):
            theme = themes[i % len(themes)]
            sentence = self.action_commitment(theme, "binding", "all", measurable=i == target, varied=False)
            phrase = {lang: _action_of(sentence.text[lang]) for lang in ("es", "en")}
            end = "." if i == n - 1 else ";"
            item = {lang: _cap(phrase[lang]) + end for lang in ("es", "en")}
            commit = sentence.commit if i == target else None
            self.paras.append(Para([Sentence({"es": f"{'abc'[i]})", "en": f"{'abc'[i]})"}), Sentence(item, commit)], kind="item"))

    def body(self) -> tuple[str, str, str]:
        twinned = self.spec.pair in ("sister_city", "mx_ca")
        return _pick(self.rng, [b for b in T.BODIES if twinned or b[0] != "Comité de Hermanamiento"])

    def create_body(self, body: tuple[str, str, str]) -> Sentence:
        name_es, art, name_en = body
        fem = art == "La"
        verb = _pick(self.rng, [v for v in T.BINDING_PL if v[0] != "se obligan a"])
        subj = self.subject_plural()
        if self.rng.random() < 0.3:
            es = (f"Para el seguimiento {self.doc.of('es')} se {'creará una' if fem else 'creará un'} {name_es} "
                  f"{'integrada' if fem else 'integrado'} por representantes de cada Parte.")
            en = f"A {name_en} composed of representatives of each Party shall be established to monitor the implementation of {self.doc.the('en')}."
            return Sentence({"es": es, "en": en}, Commit("all", "binding", "governance"))
        es = (f"{subj['es']} {verb[0]} crear {'una' if fem else 'un'} {name_es} "
              f"{'integrada' if fem else 'integrado'} por representantes de cada una de ellas, "
              f"{'encargada' if fem else 'encargado'} de dar seguimiento a las acciones derivadas {self.doc.of('es')}.")
        en = (f"{subj['en']} {verb[1]} establish a {name_en} composed of representatives of each of them, "
              f"responsible for monitoring the actions arising from {self.doc.the('en')}.")
        return Sentence({"es": es, "en": en}, Commit("all", "binding", "governance"))

    def body_meets(self, body: tuple[str, str, str], measurable: bool) -> Sentence:
        name_es, art, name_en = body
        unit = {"es": "reuniones", "en": "meetings"}
        where = self.rng.random() < 0.5
        place = {"es": ", alternadamente en cada una de las ciudades" if where else "",
                 "en": ", alternately in each of the cities" if where else ""}
        if measurable:
            freq, ind = _frequency(self.rng, unit)
            inds = [ind]
        else:
            v = _pick(self.rng, T.VAGUE)
            freq, inds = {"es": v[0], "en": v[1]}, []
        return Sentence({"es": f"{art} {name_es} se reunirá {freq['es']}{place['es']}.",
                         "en": f"The {name_en} shall meet {freq['en']}{place['en']}."},
                        Commit("all", "binding", "governance", inds))

    def body_reports(self, body: tuple[str, str, str]) -> Sentence:
        name_es, art, name_en = body
        freq, ind = _frequency(self.rng, {"es": "informes de actividades", "en": "activity reports"}, only_single=True)
        return Sentence({"es": f"{art} {name_es} presentará a las Partes un informe de actividades {freq['es']}.",
                         "en": f"The {name_en} shall submit an activity report to the Parties {freq['en']}."},
                        Commit("all", "binding", "governance", [ind]))

    def body_work_plan(self, body: tuple[str, str, str]) -> Sentence:
        name_es, art, name_en = body
        tail, ind = _deadline(self.rng, {"es": "programa de trabajo", "en": "work program"}, self.signed, self.doc)
        return Sentence({"es": f"{art} {name_es} elaborará un programa de trabajo {tail['es']}.",
                         "en": f"The {name_en} shall prepare a work program {tail['en']}."},
                        Commit("all", "binding", "governance", [ind]))


# Verbs whose future reads as soft ("promoverán", "fomentarán", FORMAT.md): never conjugated as binding.
_NO_FUTURE = {"promover", "fomentar", "impulsar", "facilitar"}


def _future(phrase_es: str, plural: bool) -> Optional[str]:
    """Spanish future of a phrase's leading regular verb: "organizar un foro" -> "organizarán un foro"."""
    verb, _, rest = phrase_es.partition(" ")
    if not verb.endswith(("ar", "er", "ir")) or verb in _NO_FUTURE:
        return None
    return f"{verb}{'án' if plural else 'á'} {rest}"


def _action_of(sentence: str) -> str:
    """The action phrase of a drawn commitment sentence ("Las Partes acuerdan X." -> "X")."""
    body = sentence.rstrip(".")
    for es, en in T.BINDING_PL:
        for verb in (es, en):
            marker = f" {verb} "
            if marker in body:
                return body.split(marker, 1)[1]
    raise ValueError(sentence)


def _non_commitments(b: Builder, doc: DocRef, which: str) -> tuple[str, str]:
    rng = b.rng
    if which == "purpose":
        b.list_themes(b.themes[:3])
        areas = [T.AREAS[t] for t in b.themes[:3]]
        es_list = ", ".join(a[0] for a in areas[:-1]) + f" y {areas[-1][0]}" if len(areas) > 1 else areas[0][0]
        en_list = ", ".join(a[1] for a in areas[:-1]) + f" and {areas[-1][1]}" if len(areas) > 1 else areas[0][1]
        return (f"{_cap(doc.the('es'))} tiene por objeto establecer las bases de colaboración entre las Partes en materia de {es_list}.",
                f"The purpose of {doc.the('en')} is to establish the basis for cooperation between the Parties in the fields of {en_list}.")
    if which == "definitions":
        return (f'Para los efectos {doc.of("es")}, se entenderá por "Programa" el conjunto de actividades de cooperación que las Partes acuerden por escrito.',
                f'For the purposes of {doc.the("en")}, "Program" means the set of cooperation activities that the Parties agree upon in writing.')
    if which == "liaison":
        return (f"Para la ejecución {doc.of('es')}, cada Parte designa como enlace a su Dirección de Asuntos Internacionales.",
                f"For the implementation of {doc.the('en')}, each Party designates its Office of International Affairs as liaison.")
    if which == "participation":
        if rng.random() < 0.5:
            n = _pick(rng, [10, 12, 15, 20])
            return (f"Cada Parte podrá enviar delegaciones de hasta {_count(rng, n, 'es')} personas a los eventos de la otra Parte.",
                    f"Each Party may send delegations of up to {_count(rng, n, 'en')} persons to the events of the other Party.")
        return ("Las Partes podrán invitar a participar en las actividades a organizaciones de la sociedad civil, instituciones académicas y empresas de sus respectivas comunidades.",
                "The Parties may invite civil society organizations, academic institutions and businesses of their respective communities to take part in the activities.")
    if which == "funding":
        return (f"Las actividades previstas en {doc.the('es')} estarán sujetas a la disponibilidad presupuestal de cada Parte.",
                f"The activities provided for in {doc.the('en')} are subject to the availability of funds of each Party.")
    if which == "ip":
        return ("Los derechos de propiedad intelectual que se generen corresponderán a la Parte que los haya producido.",
                "Intellectual property rights arising from joint work belong to the Party that produced them.")
    if which == "amendments":
        return (f"{_cap(doc.the('es'))} podrá ser modificado por mutuo consentimiento de las Partes, mediante la firma del instrumento correspondiente.",
                f"{_cap(doc.the('en'))} may be amended by mutual written consent of the Parties.")
    if which == "disputes":
        return (f"Las controversias que surjan de la interpretación o aplicación {doc.of('es')} serán resueltas de común acuerdo entre las Partes.",
                f"Any dispute arising from the interpretation or implementation of {doc.the('en')} shall be settled amicably between the Parties.")
    if which == "other_instruments":
        return (f"{_cap(doc.the('es'))} no afecta los derechos y obligaciones de las Partes derivados de otros instrumentos internacionales.",
                f"{_cap(doc.the('en'))} shall not affect the rights and obligations of the Parties under other international instruments.")
    if which == "nature":
        return (f"{_cap(doc.the('es'))} no crea obligaciones jurídicas ni financieras para las Partes; constituye una expresión de su voluntad de colaborar.",
                f"{_cap(doc.the('en'))} does not create legal or financial obligations for the Parties; it expresses their willingness to cooperate.")
    raise ValueError(which)


def _fix_gender(text: str, female: bool) -> str:
    # "podrá ser modificado" agrees with the instrument's gender in Spanish.
    return text.replace("ser modificado", "ser modificada") if female else text


def _term_clause(b: Builder, doc: DocRef, term: Optional[str]) -> list[Sentence]:
    rng = b.rng
    the_es, the_en = _cap(doc.the("es")), _cap(doc.the("en"))
    if term is None:
        first = (f"{the_es} entrará en vigor en la fecha de su firma.", f"{the_en} shall enter into force on the date of its signature.")
    elif term == "indefinite":
        first = (f"{the_es} entrará en vigor a partir de la fecha de su firma y tendrá una vigencia indefinida.",
                 f"{the_en} shall enter into force upon signature and shall remain in force indefinitely.")
    else:
        n, unit = int(term[1:-1]), term[-1]
        es_unit, en_unit = ("años", "years") if unit == "Y" else ("meses", "months")
        if n == 1:
            es_unit, en_unit = es_unit[:-1] if unit == "Y" else "mes", en_unit[:-1]
        count_es = _count(rng, n, "es").replace("uno", "un")  # "un (1) año"
        count_en = _count(rng, n, "en")
        if rng.random() < 0.5:
            first = (f"{the_es} entrará en vigor en la fecha de su firma y tendrá una vigencia de {count_es} {es_unit}.",
                     f"{the_en} shall enter into force on the date of its signature and shall remain in force for a period of {count_en} {en_unit}.")
        else:
            first = (f"{the_es} tendrá una vigencia de {count_es} {es_unit} {'contado' if n == 1 else 'contados'} a partir de la fecha de su firma.",
                     f"{the_en} shall be valid for {count_en} {en_unit} from the date of its signature.")
    out = [Sentence({"es": first[0], "en": first[1]})]
    if term not in (None, "indefinite") and not b.spec.short:
        if rng.random() < 0.5:
            days = _pick(rng, [30, 60, 90])
            out.append(Sentence({
                "es": f"Se renovará automáticamente por periodos iguales, salvo que alguna de las Partes comunique a la otra su decisión de no renovarlo con {_count(rng, days, 'es')} días de anticipación.",
                "en": f"It shall be renewed automatically for equal periods unless either Party notifies the other of its decision not to renew it {_count(rng, days, 'en')} days in advance.",
            }))
        else:
            out.append(Sentence({"es": "Podrá ser renovado por periodos iguales previo acuerdo por escrito entre las Partes.",
                                 "en": "It may be renewed for equal periods by written agreement of the Parties."}))
    if doc.female:
        for s in out:
            s.text["es"] = s.text["es"].replace("renovarlo", "renovarla").replace("ser renovado", "ser renovada")
    return out


def _termination(b: Builder, doc: DocRef, with_obligation: bool) -> list[Sentence]:
    rng = b.rng
    n = _pick(rng, [30, 60, 90, 180])
    out = [Sentence({"es": f"Cualquiera de las Partes podrá dar por terminado {doc.the('es')} mediante aviso por escrito a la otra Parte con {_count(rng, n, 'es')} días de anticipación.",
                     "en": f"Either Party may terminate {doc.the('en')} by giving the other Party {_count(rng, n, 'en')} days' written notice."})]
    if doc.female:
        out[0].text["es"] = out[0].text["es"].replace("dar por terminado", "dar por terminada")
    if with_obligation:
        verb = _pick(rng, [v for v in T.BINDING_PL if v[0] in ("se comprometen a", "deberán")])
        out.append(Sentence({"es": f"En tal caso, las Partes {verb[0]} concluir las actividades que se encuentren en curso.",
                             "en": f"In that event, the Parties {verb[1]} complete the activities already under way."},
                            Commit("all", "binding", "governance")))
    return out


def _recitals(b: Builder, a: PartySpec, bp: PartySpec, lang_first: str) -> list[tuple[str, str]]:
    rng = b.rng
    name_a = a.city or a.name["es"]
    name_b = bp.city or bp.name["es"]
    name_a_en = a.city or a.name["en"]
    name_b_en = bp.city or bp.name["en"]
    theme = T.AREAS[b.themes[0]]
    people = _pick(rng, [400_000, 650_000, 900_000, 1_200_000, 2_500_000])
    since = b.signed.year - rng.randint(3, 15)
    if a.city and bp.city:
        ties = (f"Que {name_a} y {name_b} mantienen lazos históricos, culturales y económicos que unen a sus comunidades;",
                f"WHEREAS, {name_a_en} and {name_b_en} share historical, cultural and economic ties that bind their communities;")
    else:
        ties = (f"Que las Partes comparten el interés de fortalecer la cooperación en materia de {theme[0]} en la región fronteriza;",
                f"WHEREAS, the Parties share an interest in strengthening cooperation in {theme[1]} in the border region;")
    pool = [
        ties,
        (f"Que las comunidades que atienden las Partes suman más de {people:,} habitantes y comparten retos comunes en materia de {theme[0]};",
         f"WHEREAS, the communities served by the Parties are home to more than {people:,} residents and face common challenges in {theme[1]};"),
        (f"Que desde {since} las Partes han realizado visitas oficiales y actividades conjuntas;",
         f"WHEREAS, since {since} the Parties have exchanged official visits and held joint activities;"),
        ("Que la cooperación descentralizada es un instrumento eficaz para el desarrollo de las comunidades;",
         "WHEREAS, decentralized cooperation is an effective instrument for the development of communities;"),
        ("Que las Partes reconocen la importancia de compartir experiencias y buenas prácticas;",
         "WHEREAS, the Parties recognize the importance of sharing experience and good practices;"),
    ]
    chosen = [pool[0]] + rng.sample(pool[1:], rng.randint(1, 3))
    return chosen


def _title(doc_name: tuple[str, str, str], a: PartySpec, bp: PartySpec, rng: random.Random) -> Bi:
    es_name, _g, en_name = doc_name
    es = f"{es_name.upper()} ENTRE {a.intro['es'].upper()} Y {bp.intro['es'].upper()}"
    es = re.sub(r' \(EN LO SUCESIVO, "[^"]+"\)', "", es)
    en = f"{en_name.upper()} BETWEEN {a.intro['en'].upper()} AND {bp.intro['en'].upper()}"
    en = re.sub(r' \(HEREINAFTER "[^"]+"\)', "", en)
    if rng.random() < 0.3:
        # Some titles are set in ordinary case rather than capitals.
        es = f"{es_name} entre {a.intro['es']} y {bp.intro['es']}"
        en = f"{en_name} between {a.intro['en']} and {bp.intro['en']}"
        es = re.sub(r' \(en lo sucesivo, "[^"]+"\)', "", es)
        en = re.sub(r' \(hereinafter "[^"]+"\)', "", en)
    return {"es": es, "en": en}


def _intro(a: PartySpec, bp: PartySpec, doc: DocRef, recitals: bool = True) -> tuple[str, str]:
    def rep(p: PartySpec, lang: str) -> str:
        signer = f"{p.signer.prefix}{p.signer.name}"
        if lang == "es":
            return f"{p.intro['es']}, {'representada' if p.female else 'representado'} por su {p.title['es']}, {signer}"
        return f"{p.intro['en']}, represented by its {p.title['en']}, {signer}"

    es = (f"{_cap(rep(a, 'es'))}, y {rep(bp, 'es')}, a quienes en lo sucesivo se les denominará conjuntamente "
          f'"las Partes", celebran {doc.the("es")} al tenor de {"los siguientes considerandos y cláusulas" if recitals else "las siguientes cláusulas"}:')
    en = (f"{_cap(rep(a, 'en'))}, and {rep(bp, 'en')}, hereinafter jointly referred to as "
          f'"the Parties", enter into {doc.the("en")} under the following {"recitals and clauses" if recitals else "clauses"}:')
    return es, en


def _signing(b: Builder, doc: DocRef, place: PartySpec, langs: tuple[str, ...]) -> tuple[str, str]:
    rng = b.rng
    where_es = f"{place.city}, {place.intro['es'].split(', ')[1]}" if place.city else "la ciudad de Phoenix, Arizona"
    where_en = f"{place.city}, {place.intro['en'].split(', ')[1]}" if place.city else "the city of Phoenix, Arizona"
    date_es = W.date_es(b.signed, _pick(rng, W.DATE_STYLES_ES))
    date_en = W.date_en(b.signed, _pick(rng, W.DATE_STYLES_EN))
    both = len(langs) > 1
    copies_es = ", en idiomas español e inglés, siendo ambos textos igualmente auténticos" if both else ""
    copies_en = ", in the Spanish and English languages, both texts being equally authentic" if both else ""
    if rng.random() < 0.5:
        es = f"Leído que fue {doc.the('es')} y enteradas las Partes de su contenido y alcance, lo firman en {where_es}, {date_es}, en dos ejemplares originales{copies_es}."
        en = f"IN WITNESS WHEREOF, the Parties sign {doc.the('en')} in {where_en}, {date_en}, in two original copies{copies_en}."
    else:
        es = f"Firmado en {where_es}, {date_es}, en dos ejemplares{copies_es}."
        en = f"Signed in {where_en}, {date_en}, in duplicate{copies_en}."
    if doc.female:
        es = es.replace(" lo firman", " la firman")
    return es, en


def _signature_block(p: PartySpec, compact: bool = False) -> tuple[str, str]:
    name = f"{p.signer.prefix}{p.signer.name}"
    gap = "\n" if compact else "\n\n"
    who_es = p.subject["es"] if not p.subject["es"].split()[-1].isupper() else f"{p.subject['es'].split()[0]} {p.name['es']}"
    who_en = p.subject["en"] if not p.subject["en"].isupper() else p.name["en"]
    return (f"POR {who_es.upper()}{gap}{name}\n{p.title['es']}", f"FOR {who_en.upper()}{gap}{name}\n{p.title['en']}")


# --- the agreement --------------------------------------------------------------------------


def draw(spec: Spec, attempt: int = 0) -> Agreement:
    rng = random.Random(f"convenio-sample:{spec.seed}:{spec.id}:{attempt}")
    parties = draw_parties(rng, spec.pair)
    signed = W.random_date(rng)
    main_theme, *others = PAIR_THEMES[spec.pair]
    themes = [main_theme] + rng.sample(others, min(len(others), rng.randint(1, 3)))
    if spec.paper == "none":
        return _draw_proclamation(rng, spec, parties, signed, themes)
    doc_name = LETTER_OF_INTENT if spec.paper == "soft" else _pick(rng, DOC_NAMES[spec.pair])
    full = DocRef(doc_name[0], doc_name[1] == "f", doc_name[2])
    doc = full.short()
    b = Builder(rng, spec, parties, doc, signed, themes)
    a, bp = parties
    title = _title(doc_name, a, bp, rng)
    b.add(title["es"], title["en"], kind="title")
    b.add(*_intro(a, bp, doc, recitals=not spec.short))
    if not spec.short:
        b.add("CONSIDERANDO", "RECITALS", kind="heading")
        for es, en in _recitals(b, a, bp, spec.langs[0]):
            b.add(es, en)
    if not spec.short:
        b.add("Por lo anterior, las Partes convienen en sujetarse a las siguientes:", "NOW, THEREFORE, the Parties have agreed as follows:")
        b.add("CLÁUSULAS", "CLAUSES", kind="heading")

    b.heading("purpose")
    b.add(*_non_commitments(b, doc, "purpose"))
    if spec.pair in ("sister_city", "mx_ca", "friendship", "us_co") and spec.paper != "soft" and rng.random() < 0.7:
        verb = _pick(rng, T.BINDING_PL[:3])
        b.add(f"Las Partes {verb[0]} establecer formalmente una relación de hermanamiento entre las ciudades de {a.city} y {bp.city}.",
              f"The Parties {verb[1]} formally establish a sister city relationship between the cities of {a.city} and {bp.city}.",
              commit=Commit("all", "binding", "culture"))

    paper = spec.paper
    if paper == "soft":
        b.heading("commitments")
        for theme in themes[:3]:
            if rng.random() < 0.5:
                b.add_sentences([b.soft_noun_commitment(theme)])
            else:
                b.add_sentences([b.action_commitment(theme, "soft", "all", measurable=False)])
        b.heading("participation")
        b.add(*_non_commitments(b, doc, "participation"))
    else:
        if not spec.short and rng.random() < 0.6:
            b.heading("areas")
            b.area_list(themes)
        elif not spec.short and rng.random() < 0.6:
            b.heading("actions")
            b.action_list(themes[::-1], measurable_item=paper is None and rng.random() < 0.6)
        b.heading("commitments")
        n = 2 if spec.short else rng.randint(2, 4)
        for i in range(n):
            theme = themes[i % len(themes)]
            measurable = paper is None and (i == 0 or rng.random() < 0.5)
            strength = "binding" if measurable or rng.random() < 0.7 else "soft"
            b.add_sentences([b.action_commitment(theme, strength, "all", measurable)])
        if not spec.short:
            b.heading("party_commitments")
            sentences = []
            for idx in rng.sample(range(2), rng.randint(1, 2)):
                money = paper is None and rng.random() < 0.6
                if money:
                    # Money where the agreement's own subject has a budget line, else an export fund.
                    theme = next((t for t in themes if any(x.get("kind") == "money" for x in T.ACTIONS[t])), "trade_investment")
                    action = next(x for x in T.ACTIONS[theme] if x.get("kind") == "money")
                    b.used_actions.add(action["es"])
                    phrase, inds = action_sentence_parts(rng, action, True, signed, doc, parties[idx].country)
                    subj, verb = b.frame("binding", idx)
                    sentences.append(Sentence({lang: f"{subj[lang]} {verb[lang]} {phrase[lang]}." for lang in ("es", "en")},
                                              Commit(idx, "binding", theme, inds)))
                else:
                    theme = themes[-1]
                    sentences.append(b.action_commitment(theme, "binding" if rng.random() < 0.7 else "soft", idx,
                                                         measurable=paper is None and rng.random() < 0.4))
            b.add_sentences(sentences)
        b.heading("follow_up")
        body = b.body()
        follow = [b.create_body(body), b.body_meets(body, measurable=paper is None)]
        if paper is None and not spec.short and rng.random() < 0.6:
            follow.append(_pick(rng, [b.body_reports, b.body_work_plan])(body))
        b.add_sentences(follow)
        if not spec.short:
            for key in rng.sample(["definitions", "liaison", "participation", "funding", "ip", "other_instruments"], 2):
                b.heading(key)
                b.add(*_non_commitments(b, doc, key))
            if rng.random() < 0.35:
                b.heading("confidentiality")
                b.add("Las Partes no divulgarán la información que reciban con carácter confidencial sin el consentimiento previo y por escrito de la otra Parte.",
                      "Neither Party shall disclose information received in confidence without the prior written consent of the other Party.",
                      commit=Commit("all", "binding", "governance"))
    term = _pick(rng, ["P1Y", "P2Y", "P3Y", "P3Y", "P4Y", "P5Y", "P18M", "indefinite", None])
    b.heading("term")
    b.add_sentences(_term_clause(b, doc, term))
    if not spec.short:
        b.heading("amendments")
        es, en = _non_commitments(b, doc, "amendments")
        b.add(_fix_gender(es, doc.female), en)
        b.heading("termination")
        b.add_sentences(_termination(b, doc, with_obligation=paper != "soft" and rng.random() < 0.5))
        if rng.random() < 0.5:
            b.heading("disputes")
            b.add(*_non_commitments(b, doc, "disputes"))
    if spec.pair in ("health", "economy") or (spec.paper == "soft" and rng.random() < 0.5):
        b.heading("nature")
        es, en = _non_commitments(b, doc, "nature")
        b.add(es, en)
    b.add(*_signing(b, doc, a if a.city else bp, spec.langs))
    for p in parties:
        b.add(*_signature_block(p, compact=spec.short), kind="signature")
    return Agreement(spec, PAIR_KIND[spec.pair] if spec.paper != "soft" else "mou", title, parties, signed, term, b.paras, b.listed)


def _draw_proclamation(rng: random.Random, spec: Spec, parties: list[PartySpec], signed: dt.date, themes: list[str]) -> Agreement:
    """A ceremonial text with recitals and a declaration: no commitment at all."""
    a, bp = parties
    doc = DocRef(PROCLAMATION[0], True, "Proclamation")
    b = Builder(rng, spec, parties, doc, signed, themes)
    title = {"es": f"Proclamación de Ciudades Hermanas {a.city}-{bp.city}", "en": f"{bp.city}-{a.city} Sister Cities Proclamation"}
    b.add(title["es"], title["en"], kind="title")
    for es, en in _recitals(b, a, bp, spec.langs[0]):
        # A proclamation has no "Parties": its recitals speak of the two cities.
        b.add(es.replace("Que ", "CONSIDERANDO que ", 1).replace("las Partes", "ambas ciudades"),
              en.replace("the Parties", "the two cities"))
    b.list_themes(themes[:2])
    area_es = " y ".join(T.AREAS[t][0] for t in themes[:2])
    area_en = " and ".join(T.AREAS[t][1] for t in themes[:2])
    b.add(f"Por lo tanto, se proclama el {W.date_es(signed, 'plain')[3:]} como Día de las Ciudades Hermanas {a.city}-{bp.city}, en reconocimiento de la amistad duradera entre ambas comunidades y de su colaboración en {area_es}.",
          f"NOW, THEREFORE, {W.MONTHS_EN[signed.month - 1]} {signed.day}, {signed.year} is hereby proclaimed {bp.city}-{a.city} Sister Cities Day, in recognition of the enduring friendship between our communities and of their collaboration in {area_en}.")
    b.add(f"{_cap(doc.the('es'))} tiene carácter conmemorativo y no crea obligaciones para ninguna de las ciudades.",
          f"{_cap(doc.the('en'))} is ceremonial and creates no obligations for either city.")
    signer = bp if spec.langs[0] == "en" else a
    date_en = W.date_en(signed, "day_of").replace("this ", "")
    b.add(f"Dado en {signer.city}, {W.date_es(signed, 'plain')}.", f"Done by hand, this {date_en}.")
    name = f"{signer.signer.prefix}{signer.signer.name}"
    b.add(f"{name}\n{signer.title['es']}", f"{name}\n{signer.title['en']}", kind="signature")
    agreement = Agreement(spec, "other", title, parties, signed, None, b.paras, b.listed)
    agreement.parties = [signer, a if signer is bp else bp]
    agreement.notes.append("ceremonial proclamation; only its signer signs")
    agreement.parties[1] = _no_signer(agreement.parties[1])
    return agreement


def _no_signer(p: PartySpec) -> PartySpec:
    return PartySpec(p.name, p.subject, p.intro, p.country, p.level, p.female, p.city, Person("", "", False), p.title)


# --- writing the text in its layout ---------------------------------------------------------


@dataclass
class Written:
    """The document's plain text, its column halves (two-column layout) and the sentences in order."""

    text: str
    columns: Optional[tuple[str, str]]
    order: list[tuple[str, Sentence]]  # (lang, sentence) in reading order


def _para_text(p: Para, lang: str) -> str:
    return " ".join(s.text[lang] for s in p.sentences)


def _join(texts: list[str], kinds: list[str], compact: bool) -> str:
    """Paragraphs separated by blank lines; compact texts keep a heading on the line above its clause."""
    out = ""
    for i, (text, kind) in enumerate(zip(texts, kinds)):
        if i:
            out += "\n" if compact and kinds[i - 1] == "heading" else "\n\n"
        out += text
    return out


def _mono(paras: list[Para], lang: str, compact: bool = False) -> tuple[str, list[tuple[str, Sentence]]]:
    text = _join([_para_text(p, lang) for p in paras], [p.kind for p in paras], compact)
    return text, [(lang, s) for p in paras for s in p.sentences]


def write(agreement: Agreement) -> Written:
    spec, paras = agreement.spec, agreement.paras
    langs = spec.langs
    if spec.layout == "mono":
        text, order = _mono(paras, langs[0], spec.short)
        return Written(text, None, order)
    first, second = langs
    if spec.layout in ("sequential", "columns"):
        left, o1 = _mono(paras, first, spec.short)
        right, o2 = _mono(paras, second, spec.short)
        sep = "\n\n" if spec.layout == "columns" else "\n\n\n"
        return Written(left + sep + right, (left, right) if spec.layout == "columns" else None, o1 + o2)
    if spec.layout == "alternating":
        texts: list[str] = []
        order: list[tuple[str, Sentence]] = []
        for p in paras:
            if p.kind == "signature":
                texts.append(_para_text(p, first))  # signatures are printed once
                order += [(first, s) for s in p.sentences]
                continue
            for lang in (first, second):
                texts.append(_para_text(p, lang))
                order += [(lang, s) for s in p.sentences]
        return Written("\n\n".join(texts), None, order)
    raise ValueError(spec.layout)


# --- gold -----------------------------------------------------------------------------------


def gold(agreement: Agreement, written: Written) -> dict[str, Any]:
    spec = agreement.spec
    first = spec.langs[0]
    party_names = [p.name[first] for p in agreement.parties]
    commitments: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    index_of: dict[tuple[str, int], int] = {}
    for lang, sentence in written.order:
        c = sentence.commit
        if c is None:
            continue
        i = len(commitments)
        index_of[(lang, id(sentence))] = i
        commitments.append({
            "text": sentence.text[lang],
            "lang": lang,
            "party": "all" if c.party == "all" else party_names[c.party],
            "strength": c.strength,
            "measurable": bool(c.indicators),
            "theme": c.theme,
        })
        for ind in c.indicators:
            item: dict[str, Any] = {
                "text": ind.text[lang], "value": ind.value, "unit": ind.unit[lang], "period": ind.period,
                "commitment": i, "kind": ind.kind,
            }
            if ind.currency:
                item["currency"] = ind.currency
            if ind.deadline:
                item["deadline"] = ind.deadline
            indicators.append(item)
    if len(spec.langs) > 1:
        for (lang, sid), i in index_of.items():
            other = next((j for (l2, s2), j in index_of.items() if s2 == sid and l2 != lang), None)
            commitments[i]["counterpart"] = other
    themes: list[str] = []
    for c in commitments:
        if c["theme"] not in themes and c["theme"] != "governance":
            themes.append(c["theme"])
    for t in agreement.listed:
        if t not in themes:
            themes.append(t)
    signatories = []
    for p in agreement.parties:
        if p.signer.name:
            signatories.append({"name": p.signer.name, "title": p.title[first]})
    measurable = any(c["measurable"] for c in commitments)
    notes = [f"generated sample ({spec.pair}, {'+'.join(spec.langs)}, layout {spec.layout}, format {spec.fmt})"]
    notes += agreement.notes
    return {
        "id": spec.id,
        "source": f"convenio sample generator (corpus/generate.py), seed {spec.seed}",
        "title": agreement.title[first],
        "kind": agreement.kind,
        "languages": list(spec.langs),
        "parties": [{"name": p.name[first], "country": p.country, "level": p.level} for p in agreement.parties],
        "signatories": signatories,
        "signed_on": agreement.signed_on.isoformat(),
        "term": agreement.term,
        "themes": themes,
        "commitments": commitments,
        "indicators": indicators,
        "paper_only": not measurable,
        "notes": "; ".join(notes),
    }


def check_gold(g: dict[str, Any], text: str) -> None:
    """Fail loudly if the generator wrote gold that is not in its own text."""
    for c in g["commitments"]:
        if c["text"] not in text:
            raise AssertionError(f"{g['id']}: commitment not in text: {c['text'][:60]}")
    for ind in g["indicators"]:
        if ind["text"] not in text or ind["text"] not in g["commitments"][ind["commitment"]]["text"]:
            raise AssertionError(f"{g['id']}: indicator not in its commitment: {ind['text']}")


# --- rendering ------------------------------------------------------------------------------


def render(agreement: Agreement, written: Written, path: Path) -> None:
    fmt = agreement.spec.fmt
    if fmt == "txt":
        path.write_text(written.text + "\n", encoding="utf-8")
        return
    if fmt == "txt1252":
        path.write_bytes((written.text + "\r\n").replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode("cp1252"))
        return
    from corpus import render as R

    pages, columns = _render_input(written)
    if fmt == "pdf":
        R.text_pdf(pages, path, two_columns=columns)
        return
    rng = random.Random(f"convenio-render:{agreement.spec.seed}:{agreement.spec.id}")
    images = R.page_images(pages, dpi=300, two_columns=columns)
    if fmt == "png":
        _single(images, agreement).save(path, format="PNG", dpi=(300, 300), optimize=False)
        return
    if fmt == "jpeg":
        image = R.degrade(_single(images, agreement), rotate=rng.uniform(-1.5, 1.5), blur=0.6, dpi=200, seed=agreement.spec.seed)
        image.save(path, format="JPEG", quality=70, dpi=(200, 200))
        return
    scans = [R.degrade(im, rotate=rng.uniform(-1.2, 1.2), blur=0.4, seed=agreement.spec.seed + i) for i, im in enumerate(images)]
    if fmt == "scan":
        R.scanned_pdf(scans, path, dpi=300)
    elif fmt == "tiff":
        R.tiff(scans, path, dpi=300)
    elif fmt == "mixed":
        path.write_bytes(_mixed_pdf(R.text_pdf_bytes(pages, two_columns=columns), scans, scanned_pages=_scanned_pages(len(scans))))
    else:
        raise ValueError(fmt)


def _render_input(written: Written) -> tuple[list[str], Optional[list[tuple[str, str]]]]:
    if written.columns:
        return [], [written.columns]
    return [written.text], None


def _fits_one_page(written: Written) -> bool:
    from corpus import render as R

    pages, columns = _render_input(written)
    return len(R.layout(pages, columns)) == 1


def _single(images: list[Any], agreement: Agreement) -> Any:
    if len(images) != 1:
        raise AssertionError(f"{agreement.spec.id}: a single-image agreement ran to {len(images)} pages")
    return images[0]


def _scanned_pages(n: int) -> set[int]:
    """Which pages of a mixed PDF are scans: the last one (signatures) and every other one before it."""
    return {i for i in range(n) if i == n - 1 or i % 2 == 1}


def _mixed_pdf(text_pdf: bytes, scans: list[Any], scanned_pages: set[int]) -> bytes:
    """A PDF whose pages alternate between a text layer and a scanned image, as archives assemble them."""
    import pypdfium2 as pdfium

    buf = io.BytesIO()
    scan_pdf = _scan_pdf_bytes(scans)
    text_doc = pdfium.PdfDocument(text_pdf)
    scan_doc = pdfium.PdfDocument(scan_pdf)
    out = pdfium.PdfDocument.new()
    try:
        for i in range(len(text_doc)):
            src = scan_doc if i in scanned_pages else text_doc
            out.import_pages(src, [i])
        out.save(buf)
    finally:
        out.close()
        text_doc.close()
        scan_doc.close()
    return _fixed_file_id(buf.getvalue())


_FILE_ID = re.compile(rb"/ID\s*\[<([0-9A-Fa-f]+)><([0-9A-Fa-f]+)>\]")


_CREATED = re.compile(rb"/CreationDate\(D:\d{14}")


def _fixed_file_id(pdf: bytes) -> bytes:
    """PDFium stamps the clock and a random file /ID; pin both (same length, so offsets hold) for reproducible files."""
    pdf = _CREATED.sub(b"/CreationDate(D:20000101000000", pdf)
    digest = hashlib.sha256(_FILE_ID.sub(b"", pdf)).hexdigest().upper().encode()

    def same_length(m: re.Match[bytes]) -> bytes:
        a, b = m.group(1), m.group(2)
        return m.group(0).replace(a, digest[: len(a)], 1).replace(b, digest[: len(b)], 1) if a != b else m.group(0).replace(a, digest[: len(a)])

    return _FILE_ID.sub(same_length, pdf)


def _scan_pdf_bytes(scans: list[Any]) -> bytes:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    for image in scans:
        w, h = image.size[0] * 72.0 / 300, image.size[1] * 72.0 / 300
        c.setPageSize((w, h))
        c.drawImage(ImageReader(image), 0, 0, w, h)
        c.showPage()
    c.save()
    return buf.getvalue()


# --- the sample archive ---------------------------------------------------------------------

SAMPLE: list[Spec] = [
    Spec("hermanamiento-es-txt", "sister_city", ("es",), fmt="txt"),
    Spec("sister-city-en-pdf", "sister_city", ("en",), fmt="pdf"),
    Spec("universidades-bilingue-escaneado", "universities", ("es", "en"), "sequential", fmt="scan"),
    Spec("agua-es-tiff", "water", ("es",), fmt="tiff"),
    Spec("water-mou-en-png", "water", ("en",), fmt="png", short=True),
    Spec("hermanamiento-alterno-cp1252", "sister_city", ("es", "en"), "alternating", fmt="txt1252"),
    Spec("salud-dos-columnas-pdf", "health", ("es", "en"), "columns", fmt="pdf"),
    Spec("economia-en-mixto", "economy", ("en",), fmt="mixed"),
    Spec("proclamation-en-txt", "sister_city", ("en",), fmt="txt", paper="none"),
    Spec("carta-intencion-es-jpeg", "friendship", ("es",), fmt="jpeg", paper="soft", short=True),
    Spec("twinning-mx-ca-en-txt", "mx_ca", ("en",), fmt="txt"),
    Spec("transfronterizo-gt-mx-es-pdf", "gt_mx", ("es",), fmt="pdf"),
    Spec("amistad-bilingue-sin-metas-txt", "us_co", ("en", "es"), "sequential", fmt="txt", paper="unmeasurable"),
    Spec("educacion-columnas-escaneado", "education", ("en", "es"), "columns", fmt="scan"),
]


def _with_seed(spec: Spec, seed: int) -> Spec:
    return Spec(spec.id, spec.pair, spec.langs, spec.layout, spec.fmt, spec.paper, spec.short, seed)


def build(spec: Spec) -> tuple[Agreement, Written, dict[str, Any]]:
    agreement = draw(spec)
    written = write(agreement)
    attempt = 0
    while spec.short and not _fits_one_page(written):
        # A one-page image must hold the whole agreement: draw again (deterministically) until it does.
        attempt += 1
        agreement = draw(spec, attempt)
        written = write(agreement)
    g = gold(agreement, written)
    check_gold(g, written.text)
    return agreement, written, g


def emit(spec: Spec, out_dir: Path, gold_dir: Optional[Path] = None) -> Path:
    """Write one agreement (archive file + gold) and return the archive file's path."""
    agreement, written, g = build(spec)
    gold_dir = gold_dir or out_dir / "gold"
    gold_dir.mkdir(parents=True, exist_ok=True)
    (gold_dir / f"{spec.id}.txt").write_text(written.text + "\n", encoding="utf-8")
    (gold_dir / f"{spec.id}.json").write_text(json.dumps(g, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    path = out_dir / f"{spec.id}.{FORMAT_EXT[spec.fmt]}"
    render(agreement, written, path)
    return path


def generate(out_dir: Path | str, seed: int = 0, gold_dir: Path | str | None = None) -> list[Path]:
    """Write the sample archive into ``out_dir`` (gold into ``gold_dir``, default ``out_dir/gold``);
    returns the archive files."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gold = Path(gold_dir) if gold_dir else None
    return [emit(_with_seed(spec, seed), out, gold) for spec in SAMPLE]


PAIRS = sorted(PAIR_KIND)
LAYOUTS = [(("es",), "mono"), (("en",), "mono"), (("es",), "mono"), (("en",), "mono"),
           (("es", "en"), "sequential"), (("en", "es"), "sequential"), (("es", "en"), "alternating"),
           (("en", "es"), "alternating"), (("es", "en"), "columns"), (("en", "es"), "columns")]


def random_spec(index: int, seed: int, split: str, formats: Sequence[str] = ("txt",)) -> Spec:
    """The ``index``-th extra agreement of a split; train and held-out draws never share a seed."""
    doc_seed = SPLIT_BASE[split] + seed * 100_000 + index
    rng = random.Random(f"convenio-spec:{doc_seed}")
    langs, layout = _pick(rng, LAYOUTS)
    paper = _pick(rng, [None, None, None, None, None, "soft", "unmeasurable", "none"])
    fmt = _pick(rng, list(formats))
    if layout == "columns" and fmt == "txt":
        layout = "sequential"
    return Spec(f"{split}-{seed}-{index:05d}", _pick(rng, PAIRS), langs, layout, fmt, paper,
                short=fmt in ("png", "jpeg"), seed=doc_seed)


def generate_many(out_dir: Path | str, count: int, seed: int = 0, split: str = "train",
                  formats: Sequence[str] = ("txt",), gold_dir: Path | str | None = None) -> list[Path]:
    """Write ``count`` more agreements (for training or held-out evaluation)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gold = Path(gold_dir) if gold_dir else None
    return [emit(random_spec(i, seed, split, formats), out, gold) for i in range(count)]


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write into.")
@click.option("--gold", "gold_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the gold files (default: OUT/gold).")
@click.option("--seed", default=0, show_default=True, help="Wording seed; the same seed gives the same files.")
@click.option("--count", type=int, default=None, help="Write this many extra agreements instead of the sample archive.")
@click.option("--split", type=click.Choice(sorted(SPLIT_BASE)), default="train", show_default=True,
              help="With --count: draw from the training or the held-out seed range.")
@click.option("--formats", default="txt", show_default=True,
              help=f"With --count: comma-separated file formats to draw from ({', '.join(sorted(FORMAT_EXT))}).")
def main(out_dir: Path, gold_dir: Optional[Path], seed: int, count: Optional[int], split: str, formats: str) -> None:
    """Generate the sample archive (or more agreements) with gold annotations.

    \b
    Examples:
      python -m corpus.generate --out corpus/sample
      python -m corpus.generate --out data/train --count 500
      python -m corpus.generate --out data/heldout --count 100 --split heldout
      python -m corpus.generate --out corpus/sample --gold corpus/sample/.gold
    """
    if count is None:
        paths = generate(out_dir, seed=seed, gold_dir=gold_dir)
    else:
        fmts = [f.strip() for f in formats.split(",") if f.strip()]
        unknown = [f for f in fmts if f not in FORMAT_EXT]
        if unknown:
            raise click.BadParameter(f"unknown format(s): {', '.join(unknown)}", param_hint="--formats")
        paths = generate_many(out_dir, count, seed=seed, split=split, formats=fmts, gold_dir=gold_dir)
    click.echo(f"wrote {len(paths)} agreements to {out_dir} (gold in {gold_dir or Path(out_dir) / 'gold'})")


if __name__ == "__main__":
    main()
