"""Bilingual alignment of commitments: sequential halves, alternating paragraphs, columns."""

from __future__ import annotations

import pytest

from extractors import alignment, commitments
from pipeline import segment
from pipeline.context import Context, Options
from pipeline.model import Block, Commitment, Document, Page, Party

ES = [
    "PRIMERA.- Las Partes organizarán al menos dos ferias de artesanías al año.",
    "SEGUNDA.- El Municipio de Puebla otorgará quince becas a estudiantes de Cleveland.",
    "TERCERA.- Las Partes procurarán fomentar el turismo entre ambas ciudades.",
    "CUARTA.- Se creará un Comité de Hermanamiento que se reunirá cada cuatro meses.",
    "QUINTA.- La Ciudad de Cleveland aportará USD 20,000 para un fondo de intercambio cultural.",
]
EN = [
    "FIRST.- The Parties shall organize at least two handicraft fairs a year.",
    "SECOND.- The Municipality of Puebla shall grant fifteen scholarships to students from Cleveland.",
    "THIRD.- The Parties shall endeavour to foster tourism between both cities.",
    "FOURTH.- A Sister City Committee shall be created, which shall meet every four months.",
    "FIFTH.- The City of Cleveland shall contribute USD 20,000 to a cultural exchange fund.",
]
PARTIES = [Party("Municipio de Puebla", "MX"), Party("City of Cleveland, Ohio", "US")]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory) -> Context:
    return Context(options=Options(models_dir=tmp_path_factory.mktemp("no-models")))


def run_doc(ctx: Context, pages: list[tuple[str, list[tuple[int, int, str, int]]]]) -> Document:
    doc = Document(id="t", path="t", languages=["es", "en"], parties=list(PARTIES))
    for n, (text, blocks) in enumerate(pages, start=1):
        doc.pages.append(Page(number=n, text=text, lang="es", blocks=[Block(s, e, lang=l, column=c) for s, e, l, c in blocks]))
    segment.run(doc, ctx)
    commitments.run(doc, ctx)
    alignment.run(doc, ctx)
    return doc


def paragraphs_page(paras: list[tuple[str, str]], column_of=lambda i: 0) -> tuple[str, list[tuple[int, int, str, int]]]:
    text, blocks = "", []
    for i, (lang, para) in enumerate(paras):
        start = len(text)
        text += para + "\n\n"
        blocks.append((start, start + len(para), lang, column_of(i)))
    return text, blocks


def assert_linked(doc: Document, expected_pairs: int) -> None:
    linked = [(i, c.counterpart) for i, c in enumerate(doc.commitments) if c.counterpart is not None]
    assert len(linked) == 2 * expected_pairs
    for i, j in linked:
        a, b = doc.commitments[i], doc.commitments[j]
        assert b.counterpart == i, "links are symmetric"
        assert {a.lang, b.lang} == {"es", "en"}
        # Same clause number, as the texts were written: PRIMERA ↔ FIRST, ...
        assert alignment.clause_numbers(a.clause) == alignment.clause_numbers(b.clause)


def test_sequential_halves(ctx: Context):
    doc = run_doc(ctx, [paragraphs_page([("es", p) for p in ES] + [("en", p) for p in EN])])
    assert len(doc.commitments) == 10
    assert_linked(doc, 5)


def test_alternating_paragraphs(ctx: Context):
    paras = [x for pair in zip(ES, EN) for x in (("es", pair[0]), ("en", pair[1]))]
    doc = run_doc(ctx, [paragraphs_page(paras)])
    assert_linked(doc, 5)


def test_side_by_side_columns_over_two_pages(ctx: Context):
    pages = []
    for chunk in (slice(0, 3), slice(3, 5)):
        left, right = "\n\n".join(ES[chunk]), "\n\n".join(EN[chunk])
        text = left + "\n" + right
        pages.append((text, [(0, len(left), "es", 0), (len(left) + 1, len(text), "en", 1)]))
    doc = run_doc(ctx, pages)
    assert_linked(doc, 5)


def test_unmatched_commitment_stays_unlinked(ctx: Context):
    extra = "SEXTA.- El Municipio de Puebla publicará un boletín mensual de actividades."
    doc = run_doc(ctx, [paragraphs_page([("es", p) for p in ES + [extra]] + [("en", p) for p in EN])])
    assert_linked(doc, 5)
    lonely = [c for c in doc.commitments if c.text.startswith("El Municipio de Puebla publicará")]
    assert lonely and lonely[0].counterpart is None


def test_reordered_versions_link_by_content_not_position():
    lex = alignment.load_lexicon()
    es = [Commitment(t.split("- ", 1)[1], "es", clause=None) for t in ES]
    en = [Commitment(t.split("- ", 1)[1], "en", clause=None) for t in EN]
    pairs = alignment.align(es, en, lex)
    assert [(i, j) for i, j, _ in pairs] == [(i, i) for i in range(5)]
    # Without clause numbers and with one side missing its second clause, the rest still pair up.
    pairs = alignment.align(es[:1] + es[2:], en, lex)
    assert [(i, j) for i, j, _ in pairs] == [(0, 0), (1, 2), (2, 3), (3, 4)]


def test_monolingual_document_gets_no_counterparts(ctx: Context):
    doc = run_doc(ctx, [paragraphs_page([("es", p) for p in ES])])
    assert doc.commitments and all(c.counterpart is None for c in doc.commitments)


@pytest.mark.parametrize(
    "a,b",
    [("ARTÍCULO III", "Article 3"), ("TERCERA", "THIRD"), ("Cláusula Décima", "Clause 10"), ("ARTÍCULO 2 b)", "Article II b)"), ("4.", "4)")],
)
def test_clause_numbers_normalise_across_languages(a: str, b: str):
    assert alignment.clause_numbers(a) == alignment.clause_numbers(b)


def test_unrelated_sentences_score_low():
    lex = alignment.load_lexicon()
    a = Commitment("Las Partes organizarán al menos dos ferias de artesanías al año.", "es")
    b = Commitment("The City of Cleveland shall contribute USD 20,000 to a cultural exchange fund.", "en")
    c = Commitment("The Parties shall organize at least two handicraft fairs a year.", "en")
    assert alignment.pair_score(a, c, 0.0, 0.0, lex) > alignment.MIN_SCORE > alignment.pair_score(a, b, 0.0, 1.0, lex)
