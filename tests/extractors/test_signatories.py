"""Signatories with title and the party they sign for."""

from __future__ import annotations

from extractors import parties, signatories
from pipeline.context import Context
from pipeline.model import Document, Page


def run_on(text: str, lang: str = "es") -> Document:
    doc = Document(id="t", path="t.txt", languages=[lang], pages=[Page(number=1, text=text, source="plain", lang=lang)])
    parties.run(doc, Context())
    signatories.run(doc, Context())
    return doc


def test_por_el_blocks_with_name_then_title_lines() -> None:
    text = (
        "CONVENIO\n\nEl Gobierno del Estado de Sonora y el Gobierno del Estado de Arizona, en adelante las Partes,\n\n"
        "PRIMERA. Texto.\n\nFirmado en Hermosillo el 2 de junio de 2017.\n\n"
        "Por el Gobierno del Estado de Sonora,\n\nClaudia Pavlovich Arellano,\n\nGobernadora Constitucional.\n\n"
        "Por el Gobierno del Estado de Arizona,\n\n(Firma ilegible).\n"
    )
    doc = run_on(text)
    assert [(s.name, s.title, s.party) for s in doc.signatories] == [
        ("Claudia Pavlovich Arellano", "Gobernadora Constitucional", "Gobierno del Estado de Sonora")
    ]
    ev = doc.signatories[0].evidence
    assert ev is not None and doc.pages[0].text[ev.start : ev.end] == "Claudia Pavlovich Arellano"


def test_name_comma_title_in_caps_and_marks() -> None:
    text = (
        "RESOLUTION\n\nSECTION 1. Text.\n\nPASSED AND APPROVED this 3rd day of June, 2010\n\n"
        "JOHN A. DOE, MAYOR\nATTEST\nMARY ROE, CITY SECRETARY\n"
    )
    doc = run_on(text, "en")
    assert [(s.name, s.title) for s in doc.signatories] == [("John A. Doe", "Mayor"), ("Mary Roe", "City Secretary")]


def test_title_found_where_the_plenipotentiary_is_introduced() -> None:
    text = (
        "CONVENIO\n\nhan designado como Plenipotenciario al señor Pedro Gómez Ruiz, Ministro de Relaciones Exteriores;\n\n"
        "ARTÍCULO I\n\nTexto.\n\nHecho en Lima el 2 de marzo de 1990.\n\n(Fdo.) Pedro Gómez Ruiz. (Fdo.) Ilegible.\n"
    )
    doc = run_on(text)
    assert [(s.name, s.title) for s in doc.signatories] == [("Pedro Gómez Ruiz", "Ministro de Relaciones Exteriores")]


def test_by_lines_under_party_lines_and_alias_labels() -> None:
    text = (
        "SISTER CITIES AGREEMENT\n\nThis Agreement is entered into by and between the City of Laredo, Texas, and the Municipality "
        "of Saltillo, Coahuila.\n\n1. Text.\n\nIN WITNESS WHEREOF, the parties have signed.\n\n"
        "CITY OF LAREDO, TEXAS\nBy: Pete Saenz, Mayor\n\nMUNICIPALITY OF SALTILLO, COAHUILA\nBy: Isidro López Villarreal, Presidente Municipal\n"
    )
    doc = run_on(text, "en")
    assert [(s.name, s.title, s.party) for s in doc.signatories] == [
        ("Pete Saenz", "Mayor", "City of Laredo, Texas"),
        ("Isidro López Villarreal", "Presidente Municipal", "Municipality of Saltillo, Coahuila"),
    ]
    text = (
        "CONVENIO QUE CELEBRAN LA UNIVERSIDAD AUTÓNOMA DE NUEVO LEÓN, EN LO SUCESIVO \"LA UANL\", Y THE UNIVERSITY OF TEXAS AT "
        "SAN ANTONIO, EN LO SUCESIVO \"UTSA\"\n\nPRIMERA. Texto.\n\nSe firma en Monterrey el día 12 de agosto de 2016.\n\n"
        "POR \"LA UANL\"\nDr. Rogelio Garza Rivera\nRector\n\nPOR \"UTSA\"\nDr. Ricardo Romo\nPresident\n"
    )
    doc = run_on(text)
    assert [(s.name, s.party) for s in doc.signatories] == [
        ("Rogelio Garza Rivera", "Universidad Autónoma de Nuevo León"), ("Ricardo Romo", "University of Texas at San Antonio")]


def test_clause_headings_and_sentences_opening_with_por_are_not_signatures() -> None:
    text = (
        "ACUERDO DE COLABORACIÓN\n\nEl Municipio de Tijuana y la Ciudad de San Diego, en adelante las Partes,\n\n"
        "Por lo anterior, las Partes convienen en sujetarse a las siguientes:\n\nCLÁUSULAS\n\nPRIMERA. OBJETO\n\n"
        "Las Partes intercambiarán información.\n\nSEVENTH. PARTICIPATION OF THIRD PARTIES\n\n"
        "Firmado en Tijuana el 2 de junio de 2017.\n\nPor el Municipio de Tijuana\n\nJuan Pérez López\n\nPresidente Municipal\n"
    )
    doc = run_on(text)
    assert [(s.name, s.title) for s in doc.signatories] == [("Juan Pérez López", "Presidente Municipal")]


def test_a_party_line_in_capitals_stops_before_the_name_under_it() -> None:
    text = (
        "MEMORANDUM OF UNDERSTANDING\n\nThe Ministry of Economy of the State of Nuevo Leon and the California Department "
        "of Commerce agree as follows:\n\n1. The Parties shall exchange trade missions.\n\nSigned in Monterrey on May 2, 2018.\n\n"
        "FOR THE MINISTRY OF ECONOMY OF THE STATE OF NUEVO LEON\nRosa Isela Madero Pena\nSecretary of Economy\n"
    )
    doc = run_on(text, "en")
    assert all("\n" not in p.name and "Rosa" not in p.name for p in doc.parties)
    assert [(s.name, s.title) for s in doc.signatories] == [("Rosa Isela Madero Pena", "Secretary of Economy")]
