"""Themes of commitments and agreements (FORMAT.md theme list)."""

from __future__ import annotations

import json

import pytest

from extractors import themes
from pipeline import segment
from pipeline.context import REPO_ROOT, Context
from pipeline.model import Block, Commitment, Document, Page

REAL = REPO_ROOT.parent / "shared" / "corpus" / "real"


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context()


@pytest.mark.parametrize(
    "text,theme",
    [
        ("Las Partes otorgarán diez becas a estudiantes universitarios.", "education"),
        ("The Parties shall exchange teachers between their public schools.", "education"),
        ("Se organizará un festival de música y danza tradicional.", "culture"),
        ("The City shall host an exhibition of local artists at its museum.", "culture"),
        ("Las Partes realizarán dos misiones comerciales para promover las exportaciones.", "trade_investment"),
        ("The Parties will promote investment and trade fairs.", "trade_investment"),
        ("Se editará una guía turística bilingüe para los visitantes.", "tourism"),
        ("The Parties shall restore the river basin and reduce water pollution.", "water"),
        ("El organismo operador ampliará la red de agua potable y saneamiento.", "water"),
        ("Las ciudades instalarán paneles solares en edificios públicos.", "energy"),
        ("The health departments will run a joint vaccination campaign.", "health"),
        ("Las policías municipales compartirán información para prevenir el delito.", "public_safety"),
        ("The Parties shall improve the border crossing and public transport.", "mobility"),
        ("Las Partes colaborarán en programas de vivienda y planeación urbana.", "urban_development"),
        ("The universities will set up a joint research and innovation center.", "technology_innovation"),
        ("Se brindará atención consular a los migrantes retornados.", "migration"),
        ("Las Partes organizarán un torneo deportivo de fútbol.", "sports"),
        ("The Parties shall create leadership programs for youth.", "youth"),
        ("Se capacitará a productores agrícolas en técnicas de riego y cultivo.", "agriculture"),
        ("The civil protection agencies shall prepare a joint earthquake and flood emergency plan.", "disaster_risk"),
    ],
)
def test_commitment_theme_from_its_words(ctx: Context, text: str, theme: str):
    assert themes.theme_of(text, ctx) == theme


def test_commitment_without_theme_words_takes_the_agreement_theme(ctx: Context):
    assert themes.theme_of("Las Partes se reunirán una vez al año.", ctx, ["tourism", "culture"]) == "tourism"
    assert themes.theme_of("The Parties shall meet once a year.", ctx, []) == "other"


def test_lexicon_only_uses_format_themes():
    lexicon = themes.load_lexicon()
    assert set(lexicon) <= set(themes.THEMES)


def test_run_fills_document_and_commitment_themes(ctx: Context):
    text = (
        "Acuerdo de cooperación turística y cultural.\n\n"
        "Las Partes promoverán el turismo y la difusión de sus destinos turísticos.\n\n"
        "Las Partes organizarán festivales culturales y exposiciones de arte.\n\n"
        "Las Partes se reunirán una vez al año."
    )
    doc = Document(id="t", path="t", languages=["es"], pages=[Page(1, text, lang="es", blocks=[Block(0, len(text), lang="es")])])
    segment.run(doc, ctx)
    doc.commitments = [Commitment(s.text, "es") for s in doc.segments[1:]]
    themes.run(doc, ctx)
    assert doc.themes[:2] == ["tourism", "culture"] or doc.themes[:2] == ["culture", "tourism"]
    assert [c.theme for c in doc.commitments] == ["tourism", "culture", doc.themes[0]]


def test_existing_document_themes_are_kept(ctx: Context):
    doc = Document(id="t", path="t", themes=["health"], pages=[Page(1, "Las Partes se reunirán.", lang="es")])
    doc.commitments = [Commitment("Las Partes se reunirán.", "es")]
    themes.run(doc, ctx)
    assert doc.themes == ["health"] and doc.commitments[0].theme == "health"


def test_real_sample_document_themes(ctx: Context):
    """Document themes on the real sample: most predicted themes are in the gold list."""
    tp = predicted = gold_total = 0
    for path in sorted(REAL.glob("*.txt")):
        gold = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
        lang = gold["languages"][0]
        doc = Document(id=path.stem, path=str(path), languages=[lang], pages=[Page(1, text, lang=lang, blocks=[Block(0, len(text), lang=lang)])])
        segment.run(doc, ctx)
        themes.run(doc, ctx)
        tp += len(set(doc.themes) & set(gold["themes"]))
        predicted += len(doc.themes)
        gold_total += len(gold["themes"])
    assert tp / predicted >= 0.8
    assert tp / gold_total >= 0.6


def test_scores_skip_only_themes_whose_words_cannot_occur():
    from pipeline.search import fold

    lexicon = themes.load_lexicon()
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "corpus" / "heldout").glob("*.txt"))]
    for text in texts + [para for t in texts for para in t.split("\n\n")]:
        folded = fold(text)
        expected = {t: n for t, p in lexicon.items() if (n := len(p.findall(folded)))}
        assert dict(themes.theme_scores(text, lexicon)) == expected
