"""Parties: names as written, country, level and kind, in Spanish and English."""

from __future__ import annotations

import json

import pytest

from extractors import parties
from extractors.parties import place_country
from pipeline.context import REPO_ROOT, Context
from pipeline.evaluate import match
from pipeline.model import Document, Page

REAL = REPO_ROOT.parent / "shared" / "corpus" / "real"


def run_on(text: str, lang: str = "es") -> Document:
    doc = Document(id="t", path="t.txt", languages=[lang], pages=[Page(number=1, text=text, source="plain", lang=lang)])
    parties.run(doc, Context())
    return doc


@pytest.mark.parametrize(
    "place, code",
    [
        ("Estados Unidos Mexicanos", "MX"), ("United Mexican States", "MX"), ("Texas", "US"), ("Nuevo León", "MX"),
        ("Kingdom of Morocco", "MA"), ("República Federativa del Brasil", "BR"), ("Japan", "JP"), ("Guadalajara", "MX"),
        # countries the hand-kept list lacked, completed from ISO 3166-1 (corpus/gazetteer.py)
        ("Government of the Lao People's Democratic Republic", "LA"), ("el Gobierno del Reino de Camboya", "KH"),
        ("Republic of Fiji", "FJ"), ("República de Mozambique", "MZ"),
    ],
)
def test_gazetteer(place: str, code: str) -> None:
    hit = place_country(place)
    assert hit is not None and hit[0] == code


def test_every_iso_country_is_in_the_gazetteer() -> None:
    from corpus import gazetteer

    assert gazetteer.main(["--check"]) == 0


def test_a_first_name_is_not_a_country() -> None:
    assert place_country("Chad Johnson, Mayor") is None
    assert place_country("Republic of Chad")[0] == "TD"


def test_former_countries_and_peoples_republics() -> None:
    assert place_country("Gobierno de la República Socialista Federativa de Yugoslavia")[0] == "YU"
    assert place_country("Gobierno de la República Democrática Alemana")[0] == "DD"
    assert place_country("Government of the Czechoslovak Socialist Republic")[0] == "CS"
    doc = run_on(
        "CULTURAL AGREEMENT\n\nThe Government of the Kingdom of the Netherlands and the Government of the "
        "People's Republic of Bulgaria, desiring to develop their relations, have agreed as follows:\n\n"
        "Article 1\n\nThe Parties shall exchange lecturers.",
        "en",
    )
    assert [(p.name, p.country) for p in doc.parties] == [
        ("Government of the Kingdom of the Netherlands", "NL"), ("Government of the People's Republic of Bulgaria", "BG")]


def test_cities_the_text_does_not_place_get_their_country_from_the_world_list() -> None:
    doc = run_on(
        "MEMORANDUM OF AGREEMENT BETWEEN THE CITIES OF SAN FERNANDO AND NAGA\n\n"
        "WHEREAS, the City of San Fernando and the City of Naga through their respective Mayors wish to cooperate;\n\n"
        "I. Both cities agree to exchange delegations.",
        "en",
    )
    assert {p.name: p.country for p in doc.parties} == {"City of San Fernando": "PH", "City of Naga": "PH"}


def test_a_region_that_says_it_is_one_stays_with_its_city() -> None:
    doc = run_on(
        "The City of Pittsburgh, Pennsylvania, USA and Saitama City, Saitama Prefecture, Japan, hereby agree to "
        "the following objectives:\n\n- Promote friendship.\n\nThe City of Chihuahua, State of Chihuahua, and the "
        "City of Moab, State of Utah, shall exchange students.",
        "en",
    )
    names = {p.name: p.country for p in doc.parties}
    assert names["Saitama City, Saitama Prefecture"] == "JP"
    assert names["City of Pittsburgh, Pennsylvania"] == "US"
    assert "State of Chihuahua" not in names and "State of Utah" not in names


def test_municipal_agreement_in_spanish() -> None:
    text = (
        "ACUERDO DE HERMANAMIENTO ENTRE EL MUNICIPIO DE ZAPOPAN, JALISCO Y LA CIUDAD DE SAN ANTONIO, TEXAS\n\n"
        "El H. Ayuntamiento de Zapopan, Jalisco, de los Estados Unidos Mexicanos, y la Ciudad de San Antonio, Texas, "
        "de los Estados Unidos de América, en adelante denominados las Partes, acuerdan lo siguiente:\n\n"
        "PRIMERA. Las Partes se reunirán una vez al año.\n\n"
        "Firmado en Zapopan el 3 de mayo de 2019.\n\n"
        "Por el H. Ayuntamiento de Zapopan\n\nJuan Pérez López\n\nPresidente Municipal"
    )
    doc = run_on(text)
    got = [(p.name, p.country, p.level) for p in doc.parties]
    assert got == [("H. Ayuntamiento de Zapopan, Jalisco", "MX", "municipal"), ("Ciudad de San Antonio, Texas", "US", "municipal")]
    for p in doc.parties:
        assert p.evidence is not None and doc.pages[0].text[p.evidence.start : p.evidence.end] == p.name


def test_national_governments_and_signature_lines() -> None:
    text = (
        "MEMORÁNDUM DE ENTENDIMIENTO\n\n"
        "El Gobierno de los Estados Unidos Mexicanos y el Gobierno de la República de Chile, en adelante las Partes,\n\n"
        "ARTÍCULO 1\n\nLas Partes cooperarán. La Secretaría de Economía coordinará las acciones.\n\n"
        "Hecho en Santiago el 2 de abril de 2014.\n\n"
        "Por el Gobierno de los Estados Unidos Mexicanos\n\nPor el Gobierno de la República de Chile"
    )
    doc = run_on(text)
    assert [(p.name, p.country, p.level, p.kind) for p in doc.parties] == [
        ("Gobierno de los Estados Unidos Mexicanos", "MX", "national", "government"),
        ("Gobierno de la República de Chile", "CL", "national", "government"),
    ]


def test_english_cities_with_country_qualifiers() -> None:
    text = (
        "SISTER CITY AGREEMENT\n\n"
        "The City of Tucson, Arizona, United States of America, and the City of Hermosillo, Sonora, United Mexican States, "
        "hereinafter the Parties, agree as follows:\n\n"
        "1. The cities will exchange students.\n\nSigned on March 4, 2012.\n\n"
        "For the City of Tucson\n\nMary Smith, Mayor\n\nFor the City of Hermosillo\n\nJosé Ruiz, Presidente Municipal"
    )
    doc = run_on(text, "en")
    assert [(p.name, p.country) for p in doc.parties] == [("City of Tucson, Arizona", "US"), ("City of Hermosillo, Sonora", "MX")]


def test_universities_in_the_party_statement_but_not_agencies_in_the_body() -> None:
    text = (
        "CONVENIO GENERAL DE COLABORACIÓN\n\n"
        "La Universidad Autónoma de Chihuahua y la University of Texas at El Paso, en adelante las Partes, convienen:\n\n"
        "PRIMERA. El Ministerio de Educación Nacional será informado.\n\nFirmado el 5 de junio de 2016."
    )
    doc = run_on(text)
    names = [p.name for p in doc.parties]
    assert "Universidad Autónoma de Chihuahua" in names
    assert any(n.startswith("University of Texas") for n in names)
    assert not any("Ministerio" in n for n in names)


def test_plural_governments_and_city_lists() -> None:
    doc = run_on("CONVENIO\n\nLos Gobiernos de la República de Colombia y de la República del Ecuador, deseosos de cooperar,\n\nARTÍCULO I\n\nTexto.")
    assert [(p.name, p.country) for p in doc.parties] == [("Gobierno de la República de Colombia", "CO"), ("Gobierno de la República del Ecuador", "EC")]
    doc = run_on("RESOLUTION APPROVING AN INTERLOCAL AGREEMENT WITH THE CITIES OF LAREDO, EL PASO AND SAN ANTONIO TO SHARE STAFF\n\nSECTION 1. Text.", "en")
    assert [p.name for p in doc.parties] == ["City of Laredo", "City of El Paso", "City of San Antonio"]
    assert {p.country for p in doc.parties} == {"US"}


def test_real_corpus_floors() -> None:
    tp = npred = ngold = right = matched = 0
    for gf in sorted(REAL.glob("*.json")):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        doc = run_on(gf.with_suffix(".txt").read_text(encoding="utf-8"), gold["languages"][0])
        pred = [{"name": p.name, "country": p.country} for p in doc.parties]
        pairs = match(gold["parties"], pred, key=lambda p: p["name"])
        tp, npred, ngold = tp + len(pairs), npred + len(pred), ngold + len(gold["parties"])
        for i, j in pairs:
            matched += 1
            right += pred[j]["country"] == gold["parties"][i]["country"]
    assert 2 * tp / (npred + ngold) >= 0.85
    assert right / matched >= 0.9


def test_caps_heading_statement_with_aliases_and_body_spelling() -> None:
    text = (
        "ACUERDO DE HERMANAMIENTO QUE CELEBRAN POR UNA PARTE EL H. AYUNTAMIENTO DE TAMPICO, TAMAULIPAS, EN LO SUCESIVO "
        "\"EL MUNICIPIO\", Y POR LA OTRA LA CIUDAD DE MCALLEN, TEXAS, ESTADOS UNIDOS DE AMÉRICA, EN LO SUCESIVO \"LA CIUDAD\":\n\n"
        "CLÁUSULAS\n\nPRIMERA.- \"EL MUNICIPIO\" otorgará 10 becas a estudiantes de la Ciudad de McAllen.\n\n"
        "Se firma en Tampico, Tamaulipas, a los quince días del mes de noviembre de dos mil veinticuatro.\n\n"
        "POR EL H. AYUNTAMIENTO DE TAMPICO\n\nMÓNICA RUIZ\nPRESIDENTA MUNICIPAL\n\nPOR LA CIUDAD DE MCALLEN\n\nJAVIER LÓPEZ\nALCALDE\n"
    )
    doc = run_on(text)
    assert [(p.name, p.country) for p in doc.parties] == [("H. Ayuntamiento de Tampico, Tamaulipas", "MX"), ("Ciudad de McAllen, Texas", "US")]
    assert doc.parties[0].aliases == ["EL MUNICIPIO"]


def test_country_qualifier_is_not_part_of_a_state_name() -> None:
    text = (
        "CARTA DE INTENCIÓN ENTRE EL GOBIERNO DEL ESTADO DE BAJA CALIFORNIA DE LOS ESTADOS UNIDOS MEXICANOS Y EL ESTADO DE "
        "CALIFORNIA DE LOS ESTADOS UNIDOS DE AMÉRICA\n\n1. Texto."
    )
    doc = run_on(text)
    assert [(p.name, p.country, p.level) for p in doc.parties] == [
        ("Gobierno del Estado de Baja California", "MX", "state"), ("Estado de California", "US", "state")]


def test_parties_named_only_as_places() -> None:
    doc = run_on("SISTER CITY AGREEMENT BETWEEN CHULA VISTA, CALIFORNIA, U.S.A. AND CEBU CITY, PHILIPPINES\n\nWe agree to exchange.", "en")
    assert [(p.name, p.country) for p in doc.parties] == [("Chula Vista, California", "US"), ("Cebu City", "PH")]


def test_real_corpus_as_a_wrapped_text_layer() -> None:
    """Text layers keep printed line breaks and drop blank lines; parties must survive that."""
    import re
    import textwrap

    tp = npred = ngold = 0
    for gf in sorted(REAL.glob("*.json")):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        paras = [p for p in re.split(r"\n\s*\n", gf.with_suffix(".txt").read_text(encoding="utf-8")) if p.strip()]
        wrapped = "\n".join("\n".join(textwrap.wrap(" ".join(p.split()), 75)) if len(p) > 75 else p for p in paras)
        doc = run_on(wrapped, gold["languages"][0])
        pred = [{"name": p.name} for p in doc.parties]
        pairs = match(gold["parties"], pred, key=lambda p: p["name"])
        tp, npred, ngold = tp + len(pairs), npred + len(pred), ngold + len(gold["parties"])
    assert 2 * tp / (npred + ngold) >= 0.85


def test_interinstitutional_agencies_take_the_dominant_country() -> None:
    text = (
        "CONVENIO DE COLABORACIÓN QUE CELEBRAN, POR UNA PARTE, LA SECRETARÍA DE TURISMO, EN LO SUCESIVO \"LA SECTUR\", Y POR LA "
        "OTRA, EL INSTITUTO NACIONAL DE ANTROPOLOGÍA, EN LO SUCESIVO \"EL INAH\"\n\nDECLARACIONES\n\nI. Declara LA SECTUR que es una "
        "dependencia de la Administración Pública Federal de los Estados Unidos Mexicanos con domicilio en la Ciudad de México.\n\n"
        "CLÁUSULAS\n\nPRIMERA. Texto."
    )
    doc = run_on(text)
    assert [(p.name, p.country, p.kind, p.aliases) for p in doc.parties] == [
        ("Secretaría de Turismo", "MX", "agency", ["LA SECTUR"]),
        ("Instituto Nacional de Antropología", "MX", "agency", ["EL INAH"]),
    ]


def test_bilingual_statements_name_each_party_once_in_the_first_language() -> None:
    text = (
        "MEMORÁNDUM DE ENTENDIMIENTO ENTRE LA SECRETARÍA DE SALUD DEL ESTADO DE SONORA Y EL DEPARTAMENTO DE SERVICIOS DE SALUD DE ARIZONA\n\n"
        "MEMORANDUM OF UNDERSTANDING BETWEEN THE MINISTRY OF HEALTH OF THE STATE OF SONORA AND THE ARIZONA DEPARTMENT OF HEALTH SERVICES\n\n"
        "La Secretaría de Salud del Estado de Sonora, representada por su Secretaria de Salud, Ana Ruiz, y el Departamento de Servicios "
        "de Salud de Arizona, representado por su Director, John Smith, en lo sucesivo \"las Partes\", celebran:\n\n"
        "The Ministry of Health of the State of Sonora, represented by its Secretary of Health, Ana Ruiz, and the Arizona Department "
        "of Health Services, represented by its Director, John Smith, hereinafter \"the Parties\", agree:\n\n"
        "Artículo 1. Texto.\n\nArticle 1. Text."
    )
    doc = run_on(text)
    assert [(p.name, p.country) for p in doc.parties] == [
        ("Secretaría de Salud del Estado de Sonora", "MX"), ("Departamento de Servicios de Salud de Arizona", "US")]


def test_names_before_an_english_head_and_water_utilities() -> None:
    text = (
        "MEMORANDUM OF UNDERSTANDING\n\nThe Municipal Water and Sanitation Board of Tijuana, Baja California, represented by its "
        "Director, and the San Diego Water Department, California, represented by its Manager, hereinafter \"the Parties\", agree:\n\n"
        "Article 1. Text."
    )
    doc = run_on(text, "en")
    assert [(p.name, p.country) for p in doc.parties] == [
        ("Municipal Water and Sanitation Board of Tijuana", "MX"), ("San Diego Water Department", "US")]


def test_similar_agencies_of_different_states_stay_apart() -> None:
    text = (
        "COOPERATION AGREEMENT\n\nThe Ministry of Education of the State of Baja California, represented by its Secretary, and the "
        "California Department of Education, represented by its Superintendent, hereinafter \"the Parties\", agree:\n\nArticle 1. Text."
    )
    doc = run_on(text, "en")
    assert [(p.name, p.country) for p in doc.parties] == [
        ("Ministry of Education of the State of Baja California", "MX"), ("California Department of Education", "US")]


@pytest.mark.parametrize(
    "title, lang, names",
    [
        ("Medellín-Yuma Sister Cities Proclamation", "en", [("City of Medellín", "CO"), ("City of Yuma", "US")]),
        ("Proclamación de Ciudades Hermanas Hermosillo-Spokane", "es", [("Ciudad de Hermosillo", "MX"), ("Ciudad de Spokane", "US")]),
    ],
)
def test_proclamations_naming_a_city_pair(title: str, lang: str, names: list[tuple[str, str]]) -> None:
    doc = run_on(title + "\n\nWHEREAS, both cities share ties;\n\nNOW, THEREFORE, the day is proclaimed.", lang)
    assert [(p.name, p.country) for p in doc.parties] == names
