"""Segmentation: legal numbering, headings, sentences, list items, lead-ins, evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import segment
from pipeline.context import REPO_ROOT, Context
from pipeline.model import Block, Document, Page, Word

REAL = REPO_ROOT.parent / "shared" / "corpus" / "real"


def make_doc(text: str, lang: str | None = "es", blocks: list[Block] | None = None) -> Document:
    page = Page(number=1, text=text, source="plain", lang=lang, blocks=blocks or [Block(0, len(text), lang=lang, column=0)])
    return Document(id="t", path="t.txt", pages=[page], languages=[lang] if lang else [])


@pytest.fixture(scope="module")
def ctx() -> Context:
    # One context for the module: spaCy pipelines load once, as they do per worker.
    return Context()


@pytest.fixture
def segs(ctx: Context):
    def run(text: str, lang: str | None = "es", **kw):
        doc = make_doc(text, lang, **kw)
        segment.run(doc, ctx)
        for s in doc.segments:
            assert doc.span_text(s.evidence) == s.text
        return doc.segments

    return run


def test_spanish_ordinal_clauses_and_items(segs):
    text = (
        "CONVENIO DE COLABORACIÓN\n\n"
        "PRIMERA.- OBJETO. El presente convenio tiene por objeto establecer las bases de colaboración.\n\n"
        "SEGUNDA.- Las partes se obligan a lo siguiente:\n"
        "a) Intercambiar información técnica;\n"
        "b) Organizar dos talleres al año.\n\n"
        "TERCERA.- El municipio aportará los recursos humanos necesarios."
    )
    s = segs(text)
    by_text = {x.text: x for x in s}
    lead = by_text["Las partes se obligan a lo siguiente:"]
    assert lead.kind == "leadin" and lead.clause == "SEGUNDA"
    item = by_text["Intercambiar información técnica;"]
    assert item.kind == "item" and item.clause == "SEGUNDA a)"
    assert by_text["Organizar dos talleres al año."].clause == "SEGUNDA b)"
    assert by_text["El municipio aportará los recursos humanos necesarios."].clause == "TERCERA"
    assert s[0].kind == "heading" and s[0].text == "CONVENIO DE COLABORACIÓN"


@pytest.mark.parametrize(
    "heading,label",
    [
        ("ARTÍCULO 3", "ARTÍCULO 3"),
        ("ARTICULO IV.", "ARTICULO IV"),
        ("Artículo 12", "Artículo 12"),
        ("Article III", "Article III"),
        ("SECTION 2.", "SECTION 2"),
        ("Cláusula Quinta", "Cláusula Quinta"),
        ("§ 2.10.040.", "§ 2.10.040"),
    ],
)
def test_article_headings_set_the_clause(heading: str, label: str, segs):
    s = segs(f"{heading}\nThe committee shall meet twice a year in either city.", lang="en")
    assert s[0].kind == "heading"
    body = s[-1]
    assert body.text == "The committee shall meet twice a year in either city."
    assert body.clause == label


def test_inline_heading_with_text_on_the_same_line(segs):
    s = segs("SECTION 4. The City shall publish an annual report on the program.", lang="en")
    assert s[-1].text == "The City shall publish an annual report on the program."
    assert s[-1].clause == "SECTION 4"


@pytest.mark.parametrize("marker", ["1.", "1)", "(1)", "a)", "(a)", "a.", "(iv)", "iv.", "2.3", "•", "-"])
def test_list_markers_are_stripped_and_recorded(marker: str, segs):
    s = segs(f"Article 2\nEach Party shall:\n{marker} designate a liaison officer;", lang="en")
    item = s[-1]
    assert item.text == "designate a liaison officer;"
    assert item.kind == "item"
    assert item.clause.startswith("Article 2 ")


def test_nested_numbering_pops_back_to_the_outer_level(segs):
    text = (
        "ARTÍCULO 5\n"
        "1. Las Partes establecerán un comité con las siguientes funciones:\n"
        "a) Elaborar un programa de trabajo;\n"
        "b) Evaluar los resultados.\n"
        "2. El comité se reunirá cada seis meses."
    )
    s = {x.text: x for x in segs(text)}
    assert s["Evaluar los resultados."].clause == "ARTÍCULO 5 1. b)"
    assert s["El comité se reunirá cada seis meses."].clause == "ARTÍCULO 5 2."


def test_plain_paragraph_after_a_list_ends_the_list(segs):
    text = "ARTÍCULO 2\nLas Partes cooperarán mediante:\n1. Becas.\n2. Visitas.\n\nLa cooperación se financiará con recursos propios."
    s = segs(text)
    assert s[-1].clause == "ARTÍCULO 2"
    assert s[-1].kind == "sentence"


def test_sentences_split_within_a_paragraph_but_not_after_abbreviations(segs):
    text = (
        "El Lic. Juan Pérez firmará por el Municipio. La Dra. Ana Ruiz firmará por la Universidad. "
        "Las reuniones se celebrarán conforme al Art. 5 del reglamento, i.e. cada trimestre."
    )
    s = segs(text)
    assert [x.text for x in s] == [
        "El Lic. Juan Pérez firmará por el Municipio.",
        "La Dra. Ana Ruiz firmará por la Universidad.",
        "Las reuniones se celebrarán conforme al Art. 5 del reglamento, i.e. cada trimestre.",
    ]


def test_english_abbreviations_and_initials(segs):
    text = "Mr. R. Verhagen of the U.S. Embassy will attend. The Parties shall meet in St. Louis, Mo. every year."
    s = segs(text, lang="en")
    assert len(s) == 2
    assert s[0].text.startswith("Mr. R. Verhagen")


def test_wrapped_lines_join_into_one_sentence(segs):
    text = "The Parties shall exchange information on urban\nplanning and public transport every\nsix months."
    s = segs(text, lang="en")
    assert len(s) == 1 and s[0].text == text


def test_inline_items_after_semicolons_become_items(segs):
    text = "Las modalidades serán: a) intercambio de expertos; b) becas de estudio; c) seminarios."
    s = segs(text)
    assert [x.text for x in s[1:]] == ["intercambio de expertos;", "becas de estudio;", "seminarios."]
    assert all(x.kind == "item" for x in s[1:])


def test_segments_stay_inside_their_block_and_take_its_language(segs):
    left = "CLÁUSULA PRIMERA. Las Partes se reunirán una vez al año"
    right = "FIRST CLAUSE. The Parties shall meet once a year"
    text = left + "\n" + right
    blocks = [Block(0, len(left), lang="es", column=0), Block(len(left) + 1, len(text), lang="en", column=1)]
    s = segs(text, lang=None, blocks=blocks)
    for x in s:
        block = blocks[x.block]
        assert block.start <= x.evidence.start and x.evidence.end <= block.end
        assert x.lang == block.lang and x.column == block.column
    assert {x.lang for x in s} == {"es", "en"}


def test_language_is_guessed_when_no_stage_set_it(segs):
    s = segs("The Parties shall meet once a year in the city of the host party.", lang=None)
    assert s[0].lang == "en"
    s = segs("Las Partes se reunirán una vez al año en la ciudad de la parte anfitriona.", lang=None)
    assert s[0].lang == "es"


def test_every_page_is_segmented_and_numbers_its_evidence(ctx):
    p1 = Page(number=1, text="ARTICLE 1\nThe Parties shall cooperate.", lang="en")
    p2 = Page(number=2, text="ARTICLE 2\nThe City shall report annually.", lang="en")
    doc = Document(id="t", path="t", pages=[p1, p2], languages=["en"])
    segment.run(doc, ctx)
    last = doc.segments[-1]
    assert last.evidence.page == 2 and doc.span_text(last.evidence) == "The City shall report annually."
    assert last.clause == "ARTICLE 2"


def test_ocr_words_give_box_and_confidence(ctx):
    text = "The City shall plant 500 trees."
    words, pos = [], 0
    for i, w in enumerate(text.split()):
        start = text.index(w, pos)
        pos = start + len(w)
        words.append(Word(w, start, pos, (10.0 * i, 5.0, 10.0 * i + 8, 15.0), conf=40.0 if w == "500" else 90.0))
    page = Page(number=1, text=text, source="ocr", lang="en", words=words, blocks=[Block(0, len(text), lang="en")])
    doc = Document(id="t", path="t", pages=[page], languages=["en"])
    segment.run(doc, ctx)
    ev = doc.segments[0].evidence
    assert ev.bbox == (0.0, 5.0, 58.0, 15.0)
    assert ev.confidence == pytest.approx((90 * 5 + 40) / 6, abs=0.1)
    assert not ev.low_confidence
    low = segment.span_evidence(page, 1, words[4].start, words[4].end, low_conf=60)
    assert low.low_confidence and low.confidence == 40.0


def test_names_with_initials_are_not_list_items(segs):
    s = segs("R. Verhagen\nChairman of the Netherlands Delegation.", lang="en")
    assert all(x.kind != "item" for x in s)


@pytest.mark.parametrize("path", sorted(REAL.glob("*.txt")), ids=lambda p: p.stem)
def test_real_gold_commitments_fall_within_segments(path: Path, segs):
    """Segments are the unit commitments are read from: every gold commitment of the
    real sample must lie inside one segment (or be one)."""
    from pipeline.evaluate import overlap

    gold = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    s = segs(path.read_text(encoding="utf-8"), lang=gold["languages"][0])
    for c in gold["commitments"]:
        assert any(overlap(c["text"], x.text) >= 0.5 for x in s), c["text"]


@pytest.mark.parametrize(
    "text",
    [
        "Las Partes se reunirán una vez al año.",
        "Las Partes se reunirán una vez al año.)",
        "Las Partes se reunirán una vez al año...",
        "Las Partes se reunirán. Cada año informarán.",
        "El Sr. Pérez firmará el 3.5 del anexo; la Dra. Gómez también.",
        'Las Partes acuerdan lo siguiente. "EL MUNICIPIO" se compromete a informar.',
        "Fin del texto. \n)",
        "Sin puntuación final",
        "Los ciudadanos de Osaka。Nagoya。 participarán.",
        "¿Se reunirán? ¡Sí! Cada año.",
        "   ",
    ],
)
def test_one_sentence_shortcut_agrees_with_the_sentencizer(ctx: Context, text: str) -> None:
    rules = segment.get_rules(ctx)
    for lang in ("es", "en", "xx"):
        nlp, marks = segment.get_nlp(ctx, lang), segment.get_sentence_marks(ctx, lang)
        padded = "  " + text + "  "
        expected = segment._sentences(nlp, padded, 1, len(padded) - 1, rules)
        assert segment._sentences(nlp, padded, 1, len(padded) - 1, rules, marks) == expected
    marks = segment.get_sentence_marks(ctx, "es")
    assert segment._one_sentence("Una sola frase.)", 0, 16, marks)
    assert not segment._one_sentence("Dos frases. Aquí.", 0, 17, marks)


def test_word_index_finds_the_words_a_scan_finds() -> None:
    text = "Las Partes  se reunirán dos veces al año."
    words, pos = [], 0
    for i, w in enumerate(text.split()):
        start = text.index(w, pos)
        pos = start + len(w)
        words.append(Word(w, start, pos, (10.0 * i, 5.0 + i, 10.0 * i + 8, 15.0 - i), conf=50.0 + i))
    page = Page(number=1, text=text, source="ocr", words=words)
    index = segment.word_index(page)
    assert index is not None
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 2):
            assert segment.span_evidence(page, 1, start, end, index=index) == segment.span_evidence(page, 1, start, end)
    shuffled = Page(number=1, text=text, source="ocr", words=[words[2], words[0], words[1]])
    assert segment.word_index(shuffled) is None
