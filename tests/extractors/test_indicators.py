"""Indicator normalisers in Spanish and English, and the indicators stage on commitments."""

from __future__ import annotations

import json
import re

import pytest

from extractors import indicators
from extractors.indicators import find_indicators
from pipeline.context import REPO_ROOT, Context
from pipeline.model import Commitment, Document, Evidence, Page

REAL = REPO_ROOT.parent / "shared" / "corpus" / "real"


def one(text: str, lang: str):
    hits = find_indicators(text, lang, "MXN")
    assert len(hits) == 1, [(text[h.start : h.end], h.kind) for h in hits]
    return hits[0], text[hits[0].start : hits[0].end]


@pytest.mark.parametrize(
    "text, lang, span, value, period, kind",
    [
        ("Las Partes se reunirán dos veces al año para revisar el programa.", "es", "dos veces al año", 2, "P1Y", "frequency"),
        ("El comité sesionará al menos tres veces por año.", "es", "al menos tres veces por año", 3, "P1Y", "frequency"),
        ("Los alcaldes se reunirán por lo menos una vez al año.", "es", "por lo menos una vez al año", 1, "P1Y", "frequency"),
        ("La Comisión rendirá un informe semestralmente.", "es", "semestralmente", 1, "P6M", "frequency"),
        ("El Grupo de Trabajo presentará informes trimestrales de avance.", "es", "informes trimestrales de avance", 1, "P3M", "frequency"),
        ("Ambas ciudades organizarán una feria anual en cada ciudad.", "es", "feria anual en", 1, "P1Y", "frequency"),
        ("The Parties shall meet twice a year.", "en", "twice a year", 2, "P1Y", "frequency"),
        ("The committee will meet at least four times per year.", "en", "at least four times per year", 4, "P1Y", "frequency"),
        ("The Coordinator shall report to the Council annually.", "en", "annually", 1, "P1Y", "frequency"),
        ("The cities will hold a monthly videoconference.", "en", "a monthly videoconference", 1, "P1M", "frequency"),
        ("Each city shall submit quarterly progress reports.", "en", "quarterly progress", 1, "P3M", "frequency"),
        ("The steering group will meet every two years.", "en", "every two years", 1, "P2Y", "frequency"),
    ],
)
def test_frequencies(text: str, lang: str, span: str, value: float, period: str, kind: str) -> None:
    hit, got = one(text, lang)
    assert span in got or got in span
    assert (hit.value, hit.period, hit.kind) == (value, period, kind)


@pytest.mark.parametrize(
    "text, lang, value, unit, deadline",
    [
        ("La Comisión se instalará dentro de los sesenta (60) días siguientes a la firma.", "es", 60, "dias", "P60D"),
        ("El municipio entregará el diagnóstico en un plazo máximo de 45 días hábiles.", "es", 45, "dias", "P45D"),
        ("La primera reunión se celebrará no después de seis meses a partir de la firma.", "es", 6, "meses", "P6M"),
        ("Las Partes designarán enlaces a más tardar en 30 días.", "es", 30, "dias", "P30D"),
        ("The City shall appoint a coordinator within 90 days of signature.", "en", 90, "days", "P90D"),
        ("The report shall be delivered no later than six months after the event.", "en", 6, "months", "P6M"),
        ("The agenda shall be circulated at least two weeks in advance of each meeting.", "en", 2, "weeks", "P2W"),
    ],
)
def test_relative_deadlines(text: str, lang: str, value: float, unit: str, deadline: str) -> None:
    hit, _ = one(text, lang)
    assert (hit.kind, hit.value, hit.unit, hit.deadline) == ("deadline", value, unit, deadline)


@pytest.mark.parametrize(
    "text, lang, deadline",
    [
        ("El Ayuntamiento publicará la convocatoria a más tardar el 31 de diciembre de 2021.", "es", "2021-12-31"),
        ("Las Partes firmarán el plan de trabajo a más tardar el 15 de marzo.", "es", "--03-15"),
        ("The Parties shall adopt the work plan by December 31, 2022.", "en", "2022-12-31"),
        ("Each city shall name its delegate no later than June 30, 2020.", "en", "2020-06-30"),
    ],
)
def test_absolute_deadlines(text: str, lang: str, deadline: str) -> None:
    hit, _ = one(text, lang)
    assert (hit.kind, hit.deadline) == ("deadline", deadline)


@pytest.mark.parametrize(
    "text, lang, value, currency",
    [
        ("El Gobierno aportará US$1.5 millones para el fondo.", "es", 1_500_000, "USD"),
        ("La Ciudad aportará USD 50,000 al programa.", "es", 50_000, "USD"),
        ("The City will contribute $2,507.81 to the joint fund.", "en", 2507.81, "USD"),
        ("El Municipio destinará 50 mil pesos anuales al intercambio.", "es", 50_000, "MXN"),
        ("Cada parte aportará cien mil dólares estadounidenses.", "es", 100_000, "USD"),
        ("The Foundation shall provide EUR 20.000 in grants.", "es", 20_000, "EUR"),
        ("The State will invest 3 million dollars in the corridor.", "en", 3_000_000, "USD"),
    ],
)
def test_money(text: str, lang: str, value: float, currency: str) -> None:
    hits = [h for h in find_indicators(text, lang, "MXN") if h.kind == "money"]
    assert len(hits) == 1
    assert (hits[0].value, hits[0].currency) == (value, currency)


@pytest.mark.parametrize(
    "text, lang, value, unit, period, kind",
    [
        ("La Universidad otorgará 10 becas a estudiantes de la otra ciudad.", "es", 10, "becas", None, "quantity"),
        ("Las Partes realizarán al menos dos misiones comerciales al año.", "es", 2, "misiones comerciales", "P1Y", "quantity"),
        ("The City will plant 5,000 trees in the shared corridor.", "en", 5000, "trees", None, "quantity"),
        ("Each Party will host twenty students per year.", "en", 20, "students", "P1Y", "quantity"),
        ("Las Partes reducirán las emisiones en un 20%.", "es", 20, "%", None, "percentage"),
        ("Fees shall rise by no more than 5% a year.", "en", 5, "%", "P1Y", "cap"),
        ("Visits shall last at most 15 days.", "en", 15, "days", None, "cap"),
    ],
)
def test_quantities_percentages_caps(text: str, lang: str, value: float, unit: str, period: str | None, kind: str) -> None:
    hit, _ = one(text, lang)
    assert (hit.value, hit.unit, hit.period, hit.kind) == (value, unit, period, kind)


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Las Partes intercambiarán información periódicamente.", "es"),
        ("La Comisión se reunirá cuando ambas Partes lo juzguen conveniente.", "es"),
        ("Los dos países fortalecerán sus lazos de amistad.", "es"),
        ("The Parties will consult as appropriate and from time to time.", "en"),
        ("Our two cities will promote exchanges between our two countries.", "en"),
        ("Hecho en dos ejemplares originales conforme al artículo 4 de la Ley 30.", "es"),
        ("The Parties shall meet regularly at mutually agreed intervals.", "en"),
    ],
)
def test_vague_words_and_references_are_not_indicators(text: str, lang: str) -> None:
    assert find_indicators(text, lang) == []


def test_subject_frequency_adjective_is_not_a_target() -> None:
    assert find_indicators("El Programa Anual de Trabajo incluirá los objetivos de cada proyecto.", "es") == []
    hits = find_indicators("Los enlaces elaborarán un Programa Anual de Trabajo.", "es")
    assert [h.period for h in hits] == ["P1Y"]


def _doc_with(text: str, commitments: list[str], lang: str = "es") -> Document:
    doc = Document(id="t", path="t.txt", languages=[lang], pages=[Page(number=1, text=text, source="plain", lang=lang)])
    for c in commitments:
        i = text.index(c)
        doc.commitments.append(Commitment(text=c, lang=lang, evidence=Evidence(1, i, i + len(c))))
    return doc


def test_stage_reads_commitments_only_and_sets_measurable_and_dates() -> None:
    text = (
        "PRIMERA. Las Partes podrán otorgar hasta 50 becas al año.\n\n"
        "SEGUNDA. Las Partes se reunirán dos veces al año.\n\n"
        "TERCERA. El Municipio entregará el informe dentro de los treinta (30) días siguientes a cada reunión.\n\n"
        "CUARTA. Las Partes promoverán el turismo."
    )
    commitments = [
        "Las Partes se reunirán dos veces al año.",
        "El Municipio entregará el informe dentro de los treinta (30) días siguientes a cada reunión.",
        "Las Partes promoverán el turismo.",
    ]
    doc = _doc_with(text, commitments)
    indicators.run(doc, Context())
    assert [(i.commitment, i.value, i.kind) for i in doc.indicators] == [(0, 2, "frequency"), (1, 30, "deadline")]
    assert [c.measurable for c in doc.commitments] == [True, True, False]
    for ind in doc.indicators:
        assert doc.pages[0].text[ind.evidence.start : ind.evidence.end] == ind.text
    kinds = {(d.kind, d.commitment, d.value) for d in doc.dates}
    assert ("reporting", 0, "P1Y") in kinds and ("deadline", 1, "P30D") in kinds


def test_real_corpus_floor_with_gold_commitments() -> None:
    from pipeline.evaluate import match

    tp = npred = ngold = right = matched = 0
    for gf in sorted(REAL.glob("*.json")):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        text = gf.with_suffix(".txt").read_text(encoding="utf-8")
        doc = _doc_with(text, [c["text"] for c in gold["commitments"]], gold["languages"][0])
        indicators.run(doc, Context())
        pred = [{"text": i.text, "value": i.value} for i in doc.indicators]
        pairs = match(gold["indicators"], pred, key=lambda x: x["text"], threshold=0.4)
        tp, npred, ngold = tp + len(pairs), npred + len(pred), ngold + len(gold["indicators"])
        for i, j in pairs:
            matched += 1
            right += pred[j]["value"] == gold["indicators"][i]["value"]
    f1 = 2 * tp / (npred + ngold)
    assert f1 >= 0.8
    assert right / matched >= 0.9


@pytest.mark.parametrize(
    "text, lang, span, kind, value, period, extra",
    [
        ("The City will contribute USD 50,000 annually to the program.", "en", "USD 50,000 annually", "money", 50000, "P1Y", "USD"),
        ("Cada parte aportará USD $10,000 por año al fondo.", "es", "USD $10,000 por año", "money", 10000, "P1Y", "USD"),
        ("Laredo and Saltillo shall exchange at least one delegation per year.", "en", "at least one delegation per year", "quantity", 1, "P1Y", None),
        ("Laredo will award two (2) scholarships annually to students.", "en", "two (2) scholarships annually", "quantity", 2, "P1Y", None),
        ("Las Partes concluirán el diagnóstico a más tardar en 2022.", "es", "a más tardar en 2022", "deadline", None, None, "2022"),
        ("The Parties shall finish the study by the end of 2021.", "en", "by the end of 2021", "deadline", None, None, "2021"),
        # a one-word frequency is read with the action it times
        ("El Plan se evaluará y ajustará anualmente.", "es", "ajustará anualmente", "frequency", 1, "P1Y", None),
        ("Anualmente se realizará una reunión de evaluación.", "es", "Anualmente se realizará una reunión", "frequency", 1, "P1Y", None),
        ("The team-leader shall submit a quarterly Report to both parties.", "en", "a quarterly Report", "frequency", 1, "P3M", None),
        ("Official delegations will visit each city in alternate years.", "en", "in alternate years", "frequency", 1, "P2Y", None),
        # ceilings and currencies written the European way
        ("The contribution of the Netherlands party shall not exceed 2.700.000,- guilders.", "en",
         "shall not exceed 2.700.000,- guilders", "cap", 2700000, None, "NLG"),
        ("La aportación no excederá de 3 millones de pesos.", "es", "no excederá de 3 millones de pesos", "cap", 3000000, None, None),
        ("The Netherlands shall contribute f 500,000 (five hundred thousand guilders) to the Fund.", "en",
         "f 500,000 (five hundred thousand guilders)", "money", 500000, None, "NLG"),
        ("a grant of six hundred sixteen and 96/100 United States dollars (US $ 616.96) to the Fund", "en", "US $ 616.96", "money", 616.96, None, "USD"),
        # the qualifier names the currency
        ("La Universidad aportará $1,200,000.00 pesos mexicanos al programa.", "es", "$1,200,000.00 pesos mexicanos", "money", 1200000, None, "MXN"),
        ("Cada Parte aportará 50 mil pesos colombianos al fondo.", "es", "50 mil pesos colombianos", "money", 50000, None, "COP"),
        # how long a programme must run, and deadlines counted in project years
        ("The committee shall recommend a programme of activities for a period of at least two years at a time.", "en",
         "for a period of at least two years at a time", "quantity", 2, None, None),
        ("The Authorities shall evaluate the project at the end of the third project-year.", "en",
         "at the end of the third project-year", "deadline", 3, None, None),
        ("Las Partes evaluarán el proyecto al término del segundo año de ejecución.", "es",
         "al término del segundo año de ejecución", "deadline", 2, None, None),
    ],
)
def test_more_forms(text: str, lang: str, span: str, kind: str, value: float | None, period: str | None, extra: str | None) -> None:
    hit, got = one(text, lang)
    assert got == span
    assert (hit.kind, hit.value, hit.period) == (kind, value, period)
    assert extra in (None, hit.currency, hit.deadline)


def test_descriptive_numbers_need_a_delivery_verb() -> None:
    assert find_indicators("Las Partes coordinarán a los 3 niveles de gobierno en la frontera.", "es") == []
    assert [h.value for h in find_indicators("The University will host 25 students from the partner city.", "en")] == [25]


@pytest.mark.parametrize(
    "text, lang, kind, value, period, deadline",
    [
        ("The Parties will exchange delegations at least once every two years.", "en", "frequency", 1, "P2Y", None),
        ("The committee shall meet twice annually.", "en", "frequency", 2, "P1Y", None),
        ("The newsletter will be published bimonthly.", "en", "frequency", 1, "P2M", None),
        ("The host city shall notify the visiting delegation 30 days before the visit.", "en", "deadline", 30, None, "P30D"),
        ("La Parte anfitriona notificará con quince (15) días de anticipación la agenda.", "es", "deadline", 15, None, "P15D"),
        ("Los becarios serán enviados 30 días después de la firma.", "es", "deadline", 30, None, "P30D"),
    ],
)
def test_timing_forms(text: str, lang: str, kind: str, value: float, period: str | None, deadline: str | None) -> None:
    hit, _ = one(text, lang)
    assert (hit.kind, hit.value, hit.period, hit.deadline) == (kind, value, period, deadline)


def test_items_carried_by_a_lead_in_are_read() -> None:
    text = "CLÁUSULA 3. Las Partes se comprometen a:\na) Organizar una misión comercial por lo menos tres veces al año;\nb) Intercambiar información."
    lead = "Las Partes se comprometen a:"
    doc = _doc_with(text, [lead])
    doc.commitments[0].actions = ["Organizar una misión comercial por lo menos tres veces al año;", "Intercambiar información."]
    indicators.run(doc, Context())
    assert [(i.text, i.value, i.commitment) for i in doc.indicators] == [("por lo menos tres veces al año", 3, 0)]
    ev = doc.indicators[0].evidence
    assert ev is not None and doc.pages[0].text[ev.start : ev.end] == "por lo menos tres veces al año"
    assert doc.commitments[0].measurable


@pytest.mark.parametrize(
    "text, lang",
    [
        ("The two communities shall exchange delegations.", "en"),
        ("Las dos instituciones intercambiarán docentes.", "es"),
        ("Recibir la conformidad de la empresa 0 consorcio sobre planillas presentadas.", "es"),
        ("estos dos elegirán al tercero, quien lo presidirá", "es"),
    ],
)
def test_parties_and_people_are_not_quantities(text: str, lang: str) -> None:
    assert indicators.find_indicators(text, lang) == []


def test_number_starts_hold_every_start_of_the_number_led_cores() -> None:
    # FREQ_COUNT and DEADLINE_REL test their cores only where a number starts: every
    # position where a core (or a number of either) can match must be among them.
    number = re.compile(rf"(?:{indicators._NUM}|once|twice|thrice|one|un|una)", re.I)
    cores = [indicators.FREQ_COUNT._needs, indicators.DEADLINE_REL._needs]
    texts = ["veintiuna semanas", "dentro de veintiuna semanas siguientes", "ningun mes después", "alguna vez al año",
             "someone twice a year", "Treinta y UNO días", "a1 becas 12 3 cada 2 años", "vEINTIUNO veces al año",
             "twenty-one days after", "noventa (90) días naturales", "ONCE A YEAR", "3.5 veces", "٣ days", "unos 4 días"]
    for path in sorted((REPO_ROOT / "corpus" / "heldout").glob("*.txt"))[:6]:
        texts += [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    for text in texts:
        starts = set(indicators._number_starts(text, 0))
        for i in range(len(text) + 1):
            if number.match(text, i) or any(core.match(text, i) for core in cores):
                assert i in starts, (text, i, text[i : i + 20])
        assert set(indicators._number_starts(text, 5)) == {i for i in starts if i >= 5}
