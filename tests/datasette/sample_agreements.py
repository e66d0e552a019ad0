"""Agreements for the Datasette tests, written by the real store.

Four agreements built as pipeline ``Document``s with every fact's evidence
pointing into its page text, written with ``pipeline.store.write_document``:
a bilingual sister-city agreement (plain text, Spanish and English commitments
paired), a scanned memorandum (a PNG page whose words carry OCR boxes), and two
paper-only agreements (one Spanish, one English, state level).
"""

from __future__ import annotations

import re
import socket
import sqlite3
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from pipeline.model import (
    Commitment,
    DateFact,
    Document,
    Evidence,
    Indicator,
    Measurability,
    Page,
    Party,
    Signatory,
    Word,
)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "datasette"
REAL = REPO.parent / "shared" / "corpus" / "real"  # the project's annotated real agreements

SISTER_ES = """ACUERDO DE HERMANAMIENTO ENTRE EL MUNICIPIO DE CIUDAD JUÁREZ, CHIHUAHUA, Y LA CIUDAD DE EL PASO, TEXAS

PRIMERA. Las partes se comprometen a intercambiar cada año 20 estudiantes de nivel universitario.
SEGUNDA. El Municipio de Ciudad Juárez se compromete a aportar 500,000 pesos anuales para el programa cultural.
TERCERA. Las partes procurarán fomentar la cooperación en materia de protección civil.
CUARTA. El presente acuerdo entrará en vigor el día de su firma y tendrá una vigencia de cinco años.

Firmado el 10 de mayo de 2019.
Cruz Pérez Cuéllar, Presidente Municipal de Ciudad Juárez
"""

SISTER_EN = """SISTER CITY AGREEMENT BETWEEN THE MUNICIPALITY OF CIUDAD JUAREZ, CHIHUAHUA, AND THE CITY OF EL PASO, TEXAS

FIRST. The parties commit to exchange 20 university students every year.
SECOND. The Municipality of Ciudad Juarez shall contribute 500,000 pesos per year to the cultural program.
THIRD. The parties will endeavor to promote cooperation on civil protection.
FOURTH. This agreement shall enter into force on the day of its signature and remain in force for five years.

Signed on May 10, 2019.
Oscar Leeser, Mayor of the City of El Paso
"""

MOU_LINES = [
    "MEMORANDUM OF UNDERSTANDING",
    "between the University of Arizona and the Universidad de Sonora",
    "1. The parties shall exchange up to 10 students each year.",
    "2. The University of Arizona will host one joint workshop by December 2021.",
    "Signed on March 3, 2021 by Robert C. Robbins, President.",
]

PAPER_ES = """CONVENIO DE COLABORACIÓN ENTRE EL MUNICIPIO DE TIJUANA, BAJA CALIFORNIA, Y LA CIUDAD DE SAN DIEGO, CALIFORNIA

PRIMERA. Las partes procurarán fomentar el intercambio cultural y turístico.
SEGUNDA. Las partes podrán colaborar en temas de medio ambiente cuando lo estimen conveniente.

Firmado en Tijuana el 15 de enero de 2020.
"""

PAPER_EN = """MEMORANDUM OF UNDERSTANDING BETWEEN THE STATE OF TEXAS AND THE STATE OF NUEVO LEON

1. The Parties will endeavor to promote trade and investment between both states.
2. The Parties may exchange information on economic development.

Signed in Austin on June 1, 2022.
"""


def ev(doc: Document, page: int, text: str, occurrence: int = 0) -> Evidence:
    """Evidence for the ``occurrence``-th appearance of ``text`` on ``page``."""
    page_text = doc.pages[page - 1].text
    starts = [m.start() for m in re.finditer(re.escape(text), page_text)]
    start = starts[occurrence]
    evidence = Evidence(page=page, start=start, end=start + len(text))
    words = [w for w in doc.pages[page - 1].words if w.start < evidence.end and w.end > evidence.start]
    if words:
        evidence.bbox = (min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),
                         max(w.bbox[2] for w in words), max(w.bbox[3] for w in words))
        evidence.confidence = sum(w.conf or 0 for w in words) / len(words)
    return evidence


def sister_city(path: Path) -> Document:
    data = (SISTER_ES + "\f" + SISTER_EN).encode("utf-8")
    path.write_bytes(data)
    doc = Document(id="a" * 64, path=str(path), media_type="text/plain", size=len(data),
                   title="Acuerdo de hermanamiento Ciudad Juárez – El Paso", kind="sister_city",
                   languages=["es", "en"], signed_on="2019-05-10", term="P5Y", themes=["education", "culture"])
    doc.pages = [Page(number=1, text=SISTER_ES, source="plain", lang="es"),
                 Page(number=2, text=SISTER_EN, source="plain", lang="en")]
    doc.parties = [
        Party("Municipio de Ciudad Juárez", "MX", "municipal", "municipality", "es",
              evidence=ev(doc, 1, "MUNICIPIO DE CIUDAD JUÁREZ")),
        Party("City of El Paso", "US", "municipal", "municipality", "en", evidence=ev(doc, 2, "CITY OF EL PASO")),
    ]
    doc.signatories = [
        Signatory("Cruz Pérez Cuéllar", "Presidente Municipal", "Municipio de Ciudad Juárez", "es",
                  ev(doc, 1, "Cruz Pérez Cuéllar")),
        Signatory("Oscar Leeser", "Mayor", "City of El Paso", "en", ev(doc, 2, "Oscar Leeser")),
    ]
    es = [
        ("Las partes se comprometen a intercambiar cada año 20 estudiantes de nivel universitario.",
         "all", "binding", "education", "PRIMERA", True),
        ("El Municipio de Ciudad Juárez se compromete a aportar 500,000 pesos anuales para el programa cultural.",
         "Municipio de Ciudad Juárez", "binding", "culture", "SEGUNDA", True),
        ("Las partes procurarán fomentar la cooperación en materia de protección civil.",
         "all", "soft", "public_safety", "TERCERA", False),
    ]
    en = [
        ("The parties commit to exchange 20 university students every year.", "all", "binding", "education",
         "FIRST", True),
        ("The Municipality of Ciudad Juarez shall contribute 500,000 pesos per year to the cultural program.",
         "Municipio de Ciudad Juárez", "binding", "culture", "SECOND", True),
        ("The parties will endeavor to promote cooperation on civil protection.", "all", "soft", "public_safety",
         "THIRD", False),
    ]
    for page, lang, items in ((1, "es", es), (2, "en", en)):
        for text, party, strength, theme, clause, measurable in items:
            doc.commitments.append(Commitment(text, lang, party, strength, theme, clause, measurable,
                                              evidence=ev(doc, page, text)))
    for i in range(3):
        doc.commitments[i].counterpart = i + 3
        doc.commitments[i + 3].counterpart = i
    doc.indicators = [
        Indicator("20 estudiantes", 20, "students", "P1Y", "quantity", commitment=0, lang="es",
                  evidence=ev(doc, 1, "20 estudiantes")),
        Indicator("500,000 pesos anuales", 500000, "MXN", "P1Y", "money", "MXN", commitment=1, lang="es",
                  evidence=ev(doc, 1, "500,000 pesos anuales")),
        Indicator("20 university students", 20, "students", "P1Y", "quantity", commitment=3, lang="en",
                  evidence=ev(doc, 2, "20 university students")),
        Indicator("500,000 pesos per year", 500000, "MXN", "P1Y", "money", "MXN", commitment=4, lang="en",
                  evidence=ev(doc, 2, "500,000 pesos per year")),
    ]
    doc.dates = [
        DateFact("signed", "2019-05-10", "10 de mayo de 2019", "es", evidence=ev(doc, 1, "10 de mayo de 2019")),
        DateFact("term", "P5Y", "cinco años", "es", evidence=ev(doc, 1, "cinco años")),
        DateFact("entry_into_force", "2019-05-10", "el día de su firma", "es",
                 evidence=ev(doc, 1, "el día de su firma")),
        DateFact("expiry", "2024-05-10", "cinco años", "es", evidence=ev(doc, 1, "cinco años")),
    ]
    doc.paper_only = False
    doc.measurability = Measurability(score=46.7, commitments=3, with_indicator=2 / 3, with_deadline=0.0,
                                      with_party=1 / 3, with_money=1 / 3)
    return doc


def scanned_mou(path: Path) -> Document:
    """A PNG 'scan' whose OCR words (boxes, confidences) are where the text was drawn."""
    from corpus.render import find_font

    font = ImageFont.truetype(str(find_font()), 28)
    image = Image.new("RGB", (1700, 700), "white")
    draw = ImageDraw.Draw(image)
    text_parts: list[str] = []
    words: list[Word] = []
    offset = 0
    y = 60
    for line_no, line in enumerate(MOU_LINES):
        x = 80
        for token in line.split(" "):
            draw.text((x, y), token, font=font, fill="black")
            x0, y0, x1, y1 = draw.textbbox((x, y), token, font=font)
            words.append(Word(token, offset, offset + len(token), (x0, y0, x1, y1), conf=91.0, line=line_no))
            offset += len(token) + 1
            x = x1 + draw.textlength(" ", font=font)
        text_parts.append(line)
        y += 110
    image.save(path, dpi=(300, 300))
    text = "\n".join(text_parts)
    data = path.read_bytes()
    doc = Document(id="b" * 64, path=str(path), media_type="image/png", size=len(data),
                   title="Memorandum of Understanding University of Arizona – Universidad de Sonora",
                   kind="mou", languages=["en"], signed_on="2021-03-03", term="P3Y", themes=["education"])
    doc.pages = [Page(number=1, text=text, source="ocr", route_reason="image file", width=1700, height=700,
                      coord_unit="px", dpi=300, ocr_conf=91.0, ocr_lang="spa+eng", lang="en", words=words)]
    doc.parties = [
        Party("University of Arizona", "US", "other", "university", "en",
              evidence=ev(doc, 1, "University of Arizona")),
        Party("Universidad de Sonora", "MX", "other", "university", "en",
              evidence=ev(doc, 1, "Universidad de Sonora")),
    ]
    doc.signatories = [Signatory("Robert C. Robbins", "President", "University of Arizona", "en",
                                 ev(doc, 1, "Robert C. Robbins"))]
    c1 = "The parties shall exchange up to 10 students each year."
    c2 = "The University of Arizona will host one joint workshop by December 2021."
    doc.commitments = [
        Commitment(c1, "en", "all", "binding", "education", "1.", True, evidence=ev(doc, 1, c1)),
        Commitment(c2, "en", "University of Arizona", "soft", "technology_innovation", "2.", True, evidence=ev(doc, 1, c2)),
    ]
    doc.indicators = [
        Indicator("up to 10 students each year", 10, "students", "P1Y", "cap", commitment=0, lang="en",
                  evidence=ev(doc, 1, "up to 10 students each year")),
        Indicator("one joint workshop by December 2021", 1, "workshops", None, "deadline",
                  deadline="2021-12-31", commitment=1, lang="en",
                  evidence=ev(doc, 1, "one joint workshop by December 2021")),
    ]
    doc.dates = [
        DateFact("signed", "2021-03-03", "March 3, 2021", "en", evidence=ev(doc, 1, "March 3, 2021")),
        DateFact("deadline", "2021-12-31", "by December 2021", "en", commitment=1,
                 evidence=ev(doc, 1, "by December 2021")),
    ]
    doc.paper_only = False
    doc.measurability = Measurability(score=70.0, commitments=2, with_indicator=1.0, with_deadline=0.5,
                                      with_party=0.5, with_money=0.0)
    return doc


def paper_only_es(path: Path) -> Document:
    path.write_text(PAPER_ES, encoding="utf-8")
    doc = Document(id="c" * 64, path=str(path), media_type="text/plain", size=len(PAPER_ES.encode()),
                   title="Convenio de colaboración Tijuana – San Diego", kind="sister_city", languages=["es"],
                   signed_on="2020-01-15", term="indefinite", themes=["culture", "environment"])
    doc.pages = [Page(number=1, text=PAPER_ES, source="plain", lang="es")]
    doc.parties = [
        Party("Municipio de Tijuana", "MX", "municipal", "municipality", "es",
              evidence=ev(doc, 1, "MUNICIPIO DE TIJUANA")),
        Party("Ciudad de San Diego", "US", "municipal", "municipality", "es",
              evidence=ev(doc, 1, "CIUDAD DE SAN DIEGO")),
    ]
    for text, theme in (("Las partes procurarán fomentar el intercambio cultural y turístico.", "culture"),
                        ("Las partes podrán colaborar en temas de medio ambiente cuando lo estimen conveniente.",
                         "environment")):
        doc.commitments.append(Commitment(text, "es", "all", "soft", theme, None, False,
                                          evidence=ev(doc, 1, text)))
    doc.dates = [DateFact("signed", "2020-01-15", "15 de enero de 2020", "es",
                          evidence=ev(doc, 1, "15 de enero de 2020"))]
    doc.paper_only = True
    doc.measurability = Measurability(score=0.0, commitments=2, reasons=[
        "no commitment has an indicator, deadline or amount", "every commitment is soft"])
    return doc


def paper_only_en(path: Path) -> Document:
    path.write_text(PAPER_EN, encoding="utf-8")
    doc = Document(id="d" * 64, path=str(path), media_type="text/plain", size=len(PAPER_EN.encode()),
                   title="Memorandum of Understanding Texas – Nuevo León", kind="mou", languages=["en"],
                   signed_on="2022-06-01", term="P2Y", themes=["trade_investment"])
    doc.pages = [Page(number=1, text=PAPER_EN, source="plain", lang="en")]
    doc.parties = [
        Party("State of Texas", "US", "state", "state", "en", evidence=ev(doc, 1, "STATE OF TEXAS")),
        Party("State of Nuevo Leon", "MX", "state", "state", "en", evidence=ev(doc, 1, "STATE OF NUEVO LEON")),
    ]
    for text in ("The Parties will endeavor to promote trade and investment between both states.",
                 "The Parties may exchange information on economic development."):
        doc.commitments.append(Commitment(text, "en", "all", "soft", "trade_investment", None, False,
                                          evidence=ev(doc, 1, text)))
    doc.dates = [
        DateFact("signed", "2022-06-01", "June 1, 2022", "en", evidence=ev(doc, 1, "June 1, 2022")),
        DateFact("renewal", "automatic", "June 1, 2022", "en", evidence=ev(doc, 1, "June 1, 2022")),
        DateFact("expiry", "2024-06-01", "June 1, 2022", "en", evidence=ev(doc, 1, "June 1, 2022")),
    ]
    doc.paper_only = True
    doc.measurability = Measurability(score=0.0, commitments=2, reasons=["no commitment has an indicator"])
    return doc


def build_database(directory: Path) -> Path:
    """Write the four agreements (and their files) into ``directory/convenio.db``."""
    from pipeline import store

    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "convenio.db"
    db = store.connect(db_path)
    try:
        for make, name in ((sister_city, "juarez-el-paso.txt"), (scanned_mou, "arizona-sonora.png"),
                           (paper_only_es, "tijuana-san-diego.txt"), (paper_only_en, "texas-nuevo-leon.txt")):
            store.write_document(db, make(directory / name), version="test")
    finally:
        db.close()
    return db_path


def scanned_copy(text_path: Path, out: Path) -> Path:
    """A one-page scanned PDF of the start of a real agreement, upside down and skewed by 1.5 degrees."""
    from corpus import render

    paragraphs = text_path.read_text(encoding="utf-8").split("\n\n")
    page, size = [], 0
    for paragraph in paragraphs:
        if size + len(paragraph) > 1800:
            break
        page.append(paragraph)
        size += len(paragraph)
    image = render.page_images(["\n\n".join(page)], dpi=200)[0]
    image = render.degrade(image, rotate=1.5, upside_down=True, dpi=200)
    return render.scanned_pdf([image], out, dpi=200)


def text_pdf_copy(text_path: Path, out: Path) -> Path:
    """A real agreement printed to a PDF with a text layer."""
    from corpus import render

    return render.text_pdf([text_path.read_text(encoding="utf-8")], out)


def real_archive(directory: Path) -> list[Path]:
    """The real agreement texts plus a scanned and a printed PDF copy of two of them."""
    texts = sorted(REAL.glob("*.txt"))
    assert texts, f"the real corpus is missing from {REAL}"
    return [*texts, scanned_copy(texts[-1], directory / "scanned.pdf"), text_pdf_copy(texts[0], directory / "printed.pdf")]


AUDITOR_PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_flag(flags_db: Path, document_id: str, verdict: str, pipeline_paper_only: bool, note: str, user: str = "ana") -> None:
    """A flag row as an auditor's earlier visit would have left it (the flags table exists once Datasette is made)."""
    conn = sqlite3.connect(flags_db)
    with conn:
        conn.execute("insert into flags (document_id, verdict, pipeline_paper_only, note, user, created_at)"
                     " values (?, ?, ?, ?, ?, '2024-01-01T00:00:00+00:00')", [document_id, verdict, int(pipeline_paper_only), note, user])
    conn.close()
