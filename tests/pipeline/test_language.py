"""Language: deterministic detection, short blocks inheriting, per-block languages in bilingual text."""

from __future__ import annotations

import langdetect
import langdetect.detector_factory

from pipeline import language, layout, load
from pipeline.context import REPO_ROOT, Context
from pipeline.model import Block, Document, Page

ES = ("Las Partes se comprometen a intercambiar información técnica sobre la gestión del agua "
      "y a organizar un seminario anual con los municipios fronterizos.")
EN = ("The Parties shall exchange technical information on water management and hold an annual "
      "seminar with the border municipalities of both countries.")


REAL = REPO_ROOT.parent / "shared" / "corpus" / "real"
CTX = Context()  # one per test module, as one per worker in the batch


def read(text: str, ctx: Context = CTX) -> Document:
    doc = Document(id="t", path="t", data=text.encode("utf-8"))
    for stage in (load.run, layout.run, language.run):
        stage(doc, ctx)
    return doc


def test_detects_spanish_and_english() -> None:
    assert language.detect(ES, CTX) == "es"
    assert language.detect(EN, CTX) == "en"


def test_capitalised_titles_are_not_another_language() -> None:
    title = "ACUERDO ENTRE EL GOBIERNO DE LA REPÚBLICA DE COLOMBIA Y EL GOBIERNO DE LA REPÚBLICA FEDERATIVA DEL BRASIL"
    assert language.detect(title, CTX) == "es"


def test_too_short_to_tell() -> None:
    assert language.detect("Artículo 3", CTX) is None
    assert language.detect("", CTX) is None


def test_deterministic_and_leaves_the_library_global_alone() -> None:
    before = langdetect.detector_factory._factory
    snippet = "Programa de intercambio cultural y deportivo entre ciudades"
    results = {language.detect(snippet, ctx) for ctx in (Context(), Context(), CTX, CTX)}
    assert len(results) == 1
    assert langdetect.detector_factory._factory is before


def test_bilingual_text_blocks_carry_their_own_language() -> None:
    text = f"CONVENIO DE HERMANAMIENTO\n\n{ES}\n\nArtículo 2\n\n{ES}\n\nSISTER CITY AGREEMENT\n\n{EN}\n\nArticle 2\n\n{EN}"
    doc = read(text)
    page = doc.pages[0]
    langs = [(page.text[b.start:b.end][:12], b.lang) for b in page.blocks]
    assert [lang for _, lang in langs] == ["es", "es", "es", "es", "en", "en", "en", "en"], langs
    assert set(doc.languages) == {"es", "en"}
    assert page.lang in {"es", "en"}


def test_short_pages_take_the_document_language() -> None:
    doc = read(f"Anexo\f{ES}\f{ES}\fFirmas")
    assert [p.lang for p in doc.pages] == ["es", "es", "es", "es"]
    assert doc.languages == ["es"]


def test_blocks_are_filled_even_without_layout() -> None:
    doc = Document(id="t", path="t", pages=[Page(number=1, text=EN, source="plain")])
    language.run(doc, CTX)
    assert doc.pages[0].blocks == [Block(start=0, end=len(EN), lang="en", column=0)]
    assert doc.languages == ["en"]


def test_a_title_of_place_names_does_not_add_a_language() -> None:
    # 43 letters of place names: n-gram statistics call it Spanish.
    title = "Sacramento-Culiacán Sister Cities Proclamation"
    assert language.letters(title) >= language.MIN_LETTERS
    doc = read(f"{title}\n\n{EN}\n\n{EN}")
    page = doc.pages[0]
    assert doc.languages == ["en"]
    assert [b.lang for b in page.blocks] == ["en", "en", "en"]


def test_a_minor_language_needs_enough_text_to_count() -> None:
    weights = language.Counter({"en": 3000, "es": 120})
    assert language.document_languages(weights) == ["en"]
    weights = language.Counter({"en": 3000, "es": 600})
    assert language.document_languages(weights) == ["en", "es"]
    # A short bilingual text keeps both halves.
    assert language.document_languages(language.Counter({"es": 130, "en": 120})) == ["es", "en"]


def test_clear_function_word_votes_agree_with_ngram_detection() -> None:
    assert language.clear_vote(ES) == "es" and language.clear_vote(EN) == "en"
    portuguese = ("As Partes comprometem-se a intercambiar informação técnica sobre a gestão da água "
                  "e a organizar um seminário anual com os municípios da fronteira de ambos os países.")
    assert language.clear_vote(portuguese) is None


def _probabilities(factory: langdetect.DetectorFactory, text: str) -> list[tuple[str, float]]:
    detector = factory.create()
    detector.append(text)
    try:
        return [(p.lang, p.prob) for p in detector.get_probabilities()]
    except langdetect.LangDetectException as exc:
        return [("error", float(len(str(exc))))]


def test_array_detector_gives_the_stock_detector_s_floats() -> None:
    """Same languages and probabilities to the last bit as langdetect's own detector, on
    the paragraphs of real agreements and on texts in other languages and scripts."""
    stock = langdetect.DetectorFactory()
    stock.load_profile(langdetect.detector_factory.PROFILES_DIRECTORY)
    stock.set_seed(0)
    ours = language.detector_factory(Context())
    assert isinstance(ours, language.ArrayDetectorFactory)
    texts = [para for path in sorted(REAL.glob("*.txt"))
             for para in path.read_text(encoding="utf-8").split("\n\n") if len(para) > 40][:150]
    texts += [
        "As Partes comprometem-se a intercambiar informação técnica sobre a gestão da água.",
        "Les Parties s'engagent à échanger des informations techniques sur la gestion de l'eau.",
        "Die Vertragsparteien tauschen technische Informationen über die Wasserwirtschaft aus.",
        "双方将交流水资源管理方面的技术信息。", "Стороны обмениваются технической информацией.",
        "12345 ... !!!", "Ab", "MEMORANDUM OF UNDERSTANDING BETWEEN THE CITY OF TUCSON AND HERMOSILLO",
    ]
    assert len(texts) > 100
    for text in texts:
        assert _probabilities(ours, text) == _probabilities(stock, text), text[:60]
