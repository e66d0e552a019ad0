"""`convenio train`: labelling segments from gold, training and loading the spaCy classifier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractors import commitments
from extractors.classifiers import TextcatClassifier
from pipeline import segment, train
from pipeline.cli import cli
from pipeline.context import REPO_ROOT, Context, Options
from pipeline.model import Block, Document, Page

SHIPPED = REPO_ROOT / "models" / train.MODEL_NAME

# Varied training sentences written for this test (none from the real sample).
SUBJECTS_ES = ["Las Partes", "El Municipio", "La Universidad", "Cada Parte", "El Comité Técnico", "Ambas ciudades"]
SUBJECTS_EN = ["The Parties", "The City", "The University", "Each Party", "The Technical Committee", "Both cities"]
ACTIONS_ES = ["organizarán un foro anual", "se comprometen a otorgar becas", "deberán presentar un informe", "se obligan a financiar talleres", "realizarán visitas técnicas"]
ACTIONS_EN = ["shall organize an annual forum", "undertake to grant scholarships", "must submit a report", "agree to fund workshops", "will carry out technical visits"]
NON_ES = ["podrán invitar a otras instituciones", "cuentan con amplia experiencia en la materia", "han sostenido relaciones de amistad", "tienen su domicilio en el centro histórico"]
NON_EN = ["may invite other institutions", "have broad experience in the field", "have maintained friendly relations", "are located in the historic district"]


def _examples() -> list[train.Example]:
    out = []
    for i, (se, sn) in enumerate(zip(SUBJECTS_ES, SUBJECTS_EN)):
        for j, (ae, an) in enumerate(zip(ACTIONS_ES, ACTIONS_EN)):
            if (i + j) % 3 == 0:
                continue  # keep some combinations out of training
            out.append(train.Example(f"{se} {ae}.", "es", True, f"d{i}"))
            out.append(train.Example(f"{sn} {an}.", "en", True, f"d{i}"))
        for ne, nn in zip(NON_ES, NON_EN):
            out.append(train.Example(f"{se} {ne}.", "es", False, f"d{i}"))
            out.append(train.Example(f"{sn} {nn}.", "en", False, f"d{i}"))
    return out


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("textcat") / train.MODEL_NAME
    train.train_textcat(_examples(), out)
    return out


def test_trained_classifier_generalises_to_unseen_combinations(trained: Path):
    clf = TextcatClassifier(trained)
    held_out_pos = [f"{SUBJECTS_ES[i]} {ACTIONS_ES[j]}." for i in range(6) for j in range(5) if (i + j) % 3 == 0]
    held_out_pos += [f"{SUBJECTS_EN[i]} {ACTIONS_EN[j]}." for i in range(6) for j in range(5) if (i + j) % 3 == 0]
    held_out_neg = ["Los municipios podrán invitar a observadores.", "The agencies may invite observers.", "Both universities have broad experience."]
    pos = clf(held_out_pos, ["es"] * len(held_out_pos))
    neg = clf(held_out_neg, ["es"] * len(held_out_neg))
    assert sum(p > 0.5 for p in pos) / len(pos) >= 0.8
    assert all(p < 0.5 for p in neg)
    stats = json.loads((trained / "training.json").read_text())
    assert stats["examples"] == len(_examples()) and 0 < stats["positives"] < stats["examples"]


def test_model_is_small(trained: Path):
    size = sum(f.stat().st_size for f in trained.rglob("*") if f.is_file())
    assert size < 5_000_000


def test_segments_are_labelled_by_gold_overlap():
    text = "ARTÍCULO 1\nLas Partes realizarán un censo conjunto.\n\nARTÍCULO 2\nEl presente Acuerdo entrará en vigor al firmarse."
    doc = Document(id="t", path="t", languages=["es"], pages=[Page(1, text, lang="es", blocks=[Block(0, len(text), lang="es")])])
    segment.run(doc, Context())
    gold = {"commitments": [{"text": "Las Partes realizarán un censo conjunto.", "lang": "es"}]}
    examples = train.label_segments(doc, gold, "t")
    assert [(e.text, e.label) for e in examples] == [
        ("Las Partes realizarán un censo conjunto.", True),
        ("El presente Acuerdo entrará en vigor al firmarse.", False),
    ]


def _write_gold(folder: Path) -> None:
    docs = {
        "a": ("ARTICLE 1\nThe Parties shall hold a joint fair every year.\n\nARTICLE 2\nThis Agreement may be amended.", ["The Parties shall hold a joint fair every year."]),
        "b": ("PRIMERA.- Las Partes otorgarán cinco becas anuales.\n\nSEGUNDA.- El presente Convenio entrará en vigor al firmarse.", ["Las Partes otorgarán cinco becas anuales."]),
    }
    for name, (text, gold) in docs.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        lang = "en" if name == "a" else "es"
        payload = {"id": name, "languages": [lang], "commitments": [{"text": t, "lang": lang, "party": "all", "strength": "binding"} for t in gold]}
        (folder / f"{name}.json").write_text(json.dumps(payload), encoding="utf-8")


def test_train_command_writes_a_loadable_model(tmp_path: Path):
    real = tmp_path / "real"
    real.mkdir()
    _write_gold(real)
    models = tmp_path / "models"
    result = CliRunner().invoke(cli, ["train", "--gold", str(real), "--synthetic", "0", "--models-dir", str(models)])
    assert result.exit_code == 0, result.output
    assert (models / train.MODEL_NAME / "meta.json").exists()
    ctx = Context(options=Options(models_dir=models))
    clf = commitments.load_classifier(ctx)
    assert isinstance(clf, TextcatClassifier)
    probs = clf(["Las Partes otorgarán becas.", "This Agreement may be amended."], ["es", "en"])
    assert all(0.0 <= p <= 1.0 for p in probs)


def test_no_model_means_rules_only(tmp_path: Path):
    assert commitments.load_classifier(Context(options=Options(models_dir=tmp_path))) is None


@pytest.mark.skipif(not (SHIPPED / "meta.json").exists(), reason="no trained model shipped in models/")
def test_shipped_model_loads_and_scores():
    clf = TextcatClassifier(SHIPPED)
    probs = clf(["Las Partes organizarán un encuentro anual de jóvenes.", "Considerando la amistad entre ambos pueblos."], ["es", "es"])
    assert probs[0] > probs[1]


@pytest.mark.skipif(not (SHIPPED / "meta.json").exists(), reason="no trained model shipped in models/")
def test_warmed_tokenizer_gives_the_same_tokens_and_scores():
    # Sentences as text layers give them: wrapped lines, punctuation at line ends, specials.
    texts = [
        "Las Partes se comprometen a organizar 12 intercambios de\nestudiantes y 3 reuniones técnicas cada año,\na informar por escrito.",
        "The Parties shall exchange technical\ninformation (at least twice a year) :) and\nsubmit a joint report.",
        "El Municipio de León, Gto.,\nse obliga a:\n\ta) financiar talleres;\nb) otorgar becas.",
    ]
    cold, warm = TextcatClassifier(SHIPPED), TextcatClassifier(SHIPPED)
    for text in texts:
        expected = [(t.text, t.whitespace_) for t in cold.nlp.make_doc(text)]
        warm.warm_tokenizer([text])
        assert [(t.text, t.whitespace_) for t in warm.nlp.make_doc(text)] == expected
    scores = [float(d.cats.get("COMMITMENT", 0.0)) for d in cold.nlp.pipe(texts)]
    assert warm(texts, ["es", "en", "es"]) == scores
