"""Date, duration and term normalisers in Spanish and English, and the document-level dates."""

from __future__ import annotations

import json

import pytest

from extractors import dates
from extractors.numbers import parse_digits, parse_number, parse_words
from pipeline.context import REPO_ROOT, Context
from pipeline.model import Document, Page

REAL = REPO_ROOT.parent / "shared" / "corpus" / "real"


def doc_of(text: str, lang: str = "es") -> Document:
    return Document(id="t", path="t.txt", languages=[lang], pages=[Page(number=1, text=text, source="plain", lang=lang)])


@pytest.mark.parametrize(
    "words, value",
    [
        ("uno", 1), ("veintiuno", 21), ("veintiún", 21), ("treinta y uno", 31), ("ciento ochenta", 180),
        ("dos mil diecinueve", 2019), ("mil novecientos noventa y cinco", 1995), ("dos mil veinticuatro", 2024),
        ("mil novecientos sesenta y siete", 1967), ("quinientos mil", 500000), ("tres millones", 3000000),
        ("DIECISÉIS", 16), ("Two Thousand and Six", 2006), ("twenty-one", 21), ("one hundred and twenty", 120),
        ("nineteen ninety-five", 1995), ("twenty-eighth", 28), ("thirty-first", 31), ("fifteen thousand", 15000),
    ],
)
def test_number_words(words: str, value: int) -> None:
    assert parse_words(words) == value


@pytest.mark.parametrize(
    "text, lang, value",
    [
        ("50,000", "en", 50000.0), ("2,507.81", "en", 2507.81), ("50.000", "es", 50000.0), ("1.234.567,89", "es", 1234567.89),
        ("1.5", "en", 1.5), ("1,5", "es", 1.5), ("noventa (90)", "es", 90.0), ("1°", "es", 1.0), ("21st", "en", 21.0),
    ],
)
def test_numbers_with_digits(text: str, lang: str, value: float) -> None:
    assert parse_number(text, lang) == value


def test_digits_reject_words() -> None:
    assert parse_digits("diez", "es") is None


@pytest.mark.parametrize(
    "text, lang, iso",
    [
        ("a los quince días del mes de marzo de dos mil diecinueve", "es", "2019-03-15"),
        ("a los 21 días del mes de octubre de mil novecientos noventa y cinco", "es", "1995-10-21"),
        ("a los veintiún días del mes de junio del año dos mil veintidós", "es", "2022-06-21"),
        ("a los cinco (5) días del mes de agosto de 2008", "es", "2008-08-05"),
        ("el 1° de septiembre de 2010", "es", "2010-09-01"),
        ("el 1º de julio de 2015", "es", "2015-07-01"),
        ("el día 7 de Noviembre del 2012", "es", "2012-11-07"),
        ("hoy dieciocho de febrero de mil novecientos ochenta", "es", "1980-02-18"),
        ("el treinta de setiembre del año de mil novecientos setenta", "es", "1970-09-30"),
        ("Marzo 3, 2021", "es", "2021-03-03"),
        ("15/03/2019", "es", "2019-03-15"),
        ("05/03/2019", "es", "2019-03-05"),
        ("this 15th day of March, 2019", "en", "2019-03-15"),
        ("this 2nd day of May, 2016", "en", "2016-05-02"),
        ("Signed this 28th day of October,Two Thousand and Six", "en", "2006-10-28"),
        ("the Twenty-First of June, 2013", "en", "2013-06-21"),
        ("March 15, 2019", "en", "2019-03-15"),
        ("Dec. 31, 2020", "en", "2020-12-31"),
        ("15 March 2019", "en", "2019-03-15"),
        ("05/03/2019", "en", "2019-05-03"),
        ("12/20/2004", "en", "2004-12-20"),
        ("2018-06-12", "en", "2018-06-12"),
        ("in the month of June 2017", "en", "2017-06"),
        ("en el mes de abril de 2009", "es", "2009-04"),
    ],
)
def test_parse_date_forms(text: str, lang: str, iso: str) -> None:
    assert dates.parse_date(text, lang) == iso


def test_modal_may_is_not_a_month() -> None:
    assert dates.parse_date("the parties may 2 times a year meet", "en") is None


def test_impossible_days_fall_back_to_the_month() -> None:
    assert dates.parse_date("el 31 de febrero de 2019", "es") == "2019-02"


@pytest.mark.parametrize(
    "text, iso",
    [
        ("cinco (5) años", "P5Y"), ("dieciocho meses", "P18M"), ("18 months", "P18M"), ("two years", "P2Y"),
        ("noventa (90) días", "P90D"), ("tres trimestres", "P9M"), ("un semestre", "P6M"), ("30 business days", "P30D"),
    ],
)
def test_durations(text: str, iso: str) -> None:
    assert dates.parse_duration(text) == iso


@pytest.mark.parametrize(
    "text, lang, term, renewal",
    [
        ("ARTÍCULO 9\n\nEl presente Memorándum tendrá una vigencia de tres (3) años, renovable automáticamente por periodos iguales.", "es", "P3Y", "automatic"),
        ("CLÁUSULA DÉCIMA\n\nEste Convenio estará vigente durante dieciocho meses a partir de su firma.", "es", "P18M", None),
        ("Article 8\n\nThis Agreement shall remain in force for a period of five (5) years and may be renewed by mutual consent.", "en", "P5Y", "renewable"),
        ("Article 8\n\nThis Memorandum shall be valid for a term of two years, automatically extended for one-year periods.", "en", "P2Y", "automatic"),
        ("Artículo 12\n\nEl presente Acuerdo tendrá duración indefinida.", "es", "indefinite", None),
        ("Article 6\n\nThis Agreement shall remain in force indefinitely.", "en", "indefinite", None),
        ("Article 6\n\nThis Agreement shall remain in effect until terminated by either Party.", "en", "indefinite", None),
    ],
)
def test_term_and_renewal(text: str, lang: str, term: str, renewal: str | None) -> None:
    doc = doc_of(text, lang)
    dates.run(doc, Context())
    assert doc.term == term
    got = next((d.value for d in doc.dates if d.kind == "renewal"), None)
    assert got == renewal


def test_delays_and_other_durations_are_not_the_term() -> None:
    doc = doc_of(
        "Artículo 3\n\nLos permisos podrán ser otorgados por dos años.\n\nArtículo 9\n\nEl presente Acuerdo entrará en vigor "
        "treinta (30) días después del canje de notas. Podrá ser denunciado con noventa (90) días de anticipación."
    )
    dates.run(doc, Context())
    assert doc.term is None
    entry = next(d for d in doc.dates if d.kind == "entry_into_force")
    assert entry.value == "P30D"


def test_signing_date_ignores_recitals_and_takes_the_signing_formula() -> None:
    text = (
        "CONVENIO ENTRE EL MUNICIPIO DE A Y LA CIUDAD DE B\n\n"
        "Considerando la declaración firmada el 2 de mayo de 2001 por ambos alcaldes;\n\n"
        "PRIMERA. Las Partes se reunirán dos veces al año.\n\n"
        "Firmado en la ciudad de B, a los doce días del mes de enero de dos mil dieciocho, en dos ejemplares."
    )
    doc = doc_of(text)
    dates.run(doc, Context())
    assert doc.signed_on == "2018-01-12"
    signed = next(d for d in doc.dates if d.kind == "signed")
    assert doc.pages[0].text[signed.evidence.start : signed.evidence.end] == signed.text


def test_signing_date_in_english_letterhead_and_expiry() -> None:
    text = (
        "Washington, D.C., June 3, 2015\n\nMEMORANDUM OF UNDERSTANDING\n\n1. The Parties will hold an annual meeting.\n\n"
        "2. This Memorandum shall enter into force upon signature and shall remain in force for a period of three years.\n\n"
        "Signed at Washington on the 3rd day of June, 2015."
    )
    doc = doc_of(text, "en")
    dates.run(doc, Context())
    assert doc.signed_on == "2015-06-03"
    assert doc.term == "P3Y"
    assert next(d.value for d in doc.dates if d.kind == "entry_into_force") == "2015-06-03"
    assert next(d.value for d in doc.dates if d.kind == "expiry") == "2018-06-03"


def test_year_only_when_day_is_blank() -> None:
    doc = doc_of("ORDINANCE\n\nSECTION 1. This ordinance takes effect at once.\n\nPASSED AND APPROVED this the ___ day of 2003\n\nMAYOR", "en")
    dates.run(doc, Context())
    assert doc.signed_on == "2003"


def test_real_corpus_signing_and_term_floors() -> None:
    signed = [0, 0]
    term = [0, 0]
    for gf in sorted(REAL.glob("*.json")):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        text = gf.with_suffix(".txt").read_text(encoding="utf-8")
        doc = doc_of(text, gold["languages"][0])
        dates.run(doc, Context())
        for d in doc.dates:
            assert doc.pages[0].text[d.evidence.start : d.evidence.end] == d.text
        if gold["signed_on"] is not None:
            signed[1] += 1
            signed[0] += doc.signed_on == gold["signed_on"]
        if gold["term"] is not None:
            term[1] += 1
            term[0] += doc.term == gold["term"]
    assert signed[1] and signed[0] / signed[1] >= 0.85
    assert term[1] and term[0] / term[1] >= 0.85


@pytest.mark.parametrize(
    "text, lang, iso",
    [
        ("Signed at Guadalajara on the 12th of July of 2011", "en", "2011-07-12"),
        ("this 3rd day of the month of May, 2014", "en", "2014-05-03"),
        ("el día quince de marzo del año dos mil diecinueve", "es", "2019-03-15"),
        ("June 1st, 2018", "en", "2018-06-01"),
    ],
)
def test_more_signing_forms(text: str, lang: str, iso: str) -> None:
    assert dates.parse_date(text, lang) == iso


def test_until_date_gives_expiry_and_entry_on_signature() -> None:
    text = (
        "CARTA DE INTENCIÓN\n\n1. Los Participantes organizarán un foro cada año.\n\n"
        "2. La presente Carta surtirá efectos a partir de la fecha de su firma y permanecerá vigente hasta el 9 de enero de 2022.\n\n"
        "Firmada en Mexicali el diez de enero de dos mil veinte."
    )
    doc = doc_of(text)
    dates.run(doc, Context())
    got = {d.kind: d.value for d in doc.dates}
    assert got["signed"] == "2020-01-10"
    assert got["entry_into_force"] == "2020-01-10"
    assert got["expiry"] == "2022-01-09"


def test_entry_on_execution_and_term_from_continue_in_effect() -> None:
    text = (
        "AGREEMENT\n\nThis Agreement is made and entered into this 9th day of September, 2014, by and between the parties.\n\n"
        "5. This Agreement shall take effect upon execution and shall continue in effect for a term of five (5) years, "
        "unless terminated by either party upon ninety (90) days written notice."
    )
    doc = doc_of(text, "en")
    dates.run(doc, Context())
    got = {d.kind: d.value for d in doc.dates}
    assert (doc.signed_on, doc.term) == ("2014-09-09", "P5Y")
    assert got["entry_into_force"] == "2014-09-09" and got["expiry"] == "2019-09-09"


def test_real_corpus_as_a_wrapped_text_layer() -> None:
    import re
    import textwrap

    signed = [0, 0]
    for gf in sorted(REAL.glob("*.json")):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        paras = [p for p in re.split(r"\n\s*\n", gf.with_suffix(".txt").read_text(encoding="utf-8")) if p.strip()]
        wrapped = "\n".join("\n".join(textwrap.wrap(" ".join(p.split()), 75)) if len(p) > 75 else p for p in paras)
        doc = doc_of(wrapped, gold["languages"][0])
        dates.run(doc, Context())
        if gold["signed_on"] is not None:
            signed[1] += 1
            signed[0] += doc.signed_on == gold["signed_on"]
        if gold["term"] is not None:
            assert doc.term == gold["term"], gf.stem
    assert signed[0] / signed[1] >= 0.85


@pytest.mark.parametrize(
    "closing",
    [
        "En la Ciudad de México, el quince de marzo de dos mil diecinueve, las Partes lo suscriben de conformidad.",
        "Ciudad de México, a quince de marzo de dos mil diecinueve.",
    ],
)
def test_closing_place_and_date_without_a_signing_verb_before_it(closing: str) -> None:
    text = "CONVENIO\n\nPRIMERA. Las Partes se reunirán el 3 de mayo de 2020.\n\nSEGUNDA. Texto.\n\n" + closing + "\n\nJuan Pérez"
    doc = doc_of(text)
    dates.run(doc, Context())
    assert doc.signed_on == "2019-03-15"


def test_a_meeting_date_in_the_body_is_not_the_signing_date() -> None:
    doc = doc_of("CONVENIO\n\nPRIMERA. Texto del convenio.\n\nSEGUNDA. Las Partes se reunirán el 3 de mayo de 2020.")
    dates.run(doc, Context())
    assert doc.signed_on is None


def test_common_words_are_not_signing_formulas() -> None:
    doc = doc_of(
        "CONVENIO\n\nPRIMERA. Dado el hecho de que el 4 de abril de 2011 ocurrió el sismo, las Partes cooperarán.\n\n"
        "SEGUNDA. The work done by the mayors on June 5, 2012 is recognised.\n\n" + "Texto de relleno. " * 40
    )
    dates.run(doc, Context())
    assert doc.signed_on is None


def test_day_led_dates_hold_a_month_then_a_year() -> None:
    import random

    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "corpus" / "heldout").glob("*.txt"))]
    texts += ["a los quince días del mes de marzo de dos mil diecinueve", "this 15th day of March, 2019", "15 March in the year of 2019",
              "el 1° de septiembre del año 2010", "the Twenty-Eighth of April of the year 2011", "3 de mayo, 2020"]
    words = " ".join(texts)
    rng = random.Random(5)
    texts += [words[a : a + rng.randrange(10, 300)] for a in (rng.randrange(len(words)) for _ in range(500))]
    for text in texts:
        first = dates._FIRST_MONTH.search(text)
        for pattern in dates._DAY_LED_DATES:
            if pattern.search(text):
                assert first is not None and dates._MONTH_THEN_YEAR.search(text, first.start()), text
