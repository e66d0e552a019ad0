"""The transformers path: a local sequence-classification model decides commitments.

The test builds and trains a tiny BERT (one layer, a WordPiece vocabulary made
here) so that nothing is downloaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from click.testing import CliRunner  # noqa: E402

from extractors import commitments  # noqa: E402
from extractors.classifiers import TransformerClassifier, positive_index  # noqa: E402
from pipeline import segment  # noqa: E402
from pipeline.cli import cli  # noqa: E402
from pipeline.context import Context, Options  # noqa: E402
from pipeline.model import Block, Document, Page  # noqa: E402

SUBJECTS = ["the parties", "the city", "the committee", "each party", "the program", "the university"]
POSITIVE_VERBS = ["shall organize", "will organize", "shall fund", "will fund", "must organize", "will include"]
NEGATIVE_VERBS = ["may organize", "may fund", "can include", "could fund", "might include", "may include"]
OBJECTS = ["workshops", "visits", "festivals", "exchanges"]


def _sentences() -> list[tuple[str, int]]:
    out = []
    for i, s in enumerate(SUBJECTS):
        for j, o in enumerate(OBJECTS):
            out.append((f"{s} {POSITIVE_VERBS[(i + j) % len(POSITIVE_VERBS)]} {o} .", 1))
            out.append((f"{s} {NEGATIVE_VERBS[(i + 2 * j) % len(NEGATIVE_VERBS)]} {o} .", 0))
    return out


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    out = tmp_path_factory.mktemp("tiny-bert")
    words = sorted({w for s, _ in _sentences() for w in s.split()} | {"monthly", "."})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    tokenizer = BertTokenizer(vocab={w: i for i, w in enumerate(vocab)}, do_lower_case=True)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
        max_position_embeddings=64, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, num_labels=2, id2label={0: "OTHER", 1: "COMMITMENT"}, label2id={"OTHER": 0, "COMMITMENT": 1},
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    data = _sentences()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    batch = tokenizer([s for s, _ in data], padding=True, return_tensors="pt")
    labels = torch.tensor([y for _, y in data])
    for _ in range(30):
        loss = model(**batch, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def test_local_model_classifies_unseen_combinations(tiny_model: Path):
    clf = TransformerClassifier(tiny_model)
    # Subject/verb/object combinations the model was not trained on.
    pos = clf(["the university shall fund festivals .", "each party must organize visits ."], ["en", "en"])
    neg = clf(["the university may fund festivals .", "each party might include visits ."], ["en", "en"])
    assert min(pos) > 0.5 > max(neg)


def test_uncertain_sentences_follow_the_model(tiny_model: Path, tmp_path: Path):
    text = (
        "ARTICLE 1\nThe City of Laredo shall organize two workshops a year.\n\n"
        "ARTICLE 2\nThe program will include monthly workshops.\n\n"
        "ARTICLE 3\nThe program might include monthly visits."
    )
    page = Page(number=1, text=text, lang="en", blocks=[Block(0, len(text), lang="en")])
    doc = Document(id="t", path="t", pages=[page], languages=["en"])
    ctx = Context(options=Options(transformer_dir=tiny_model, models_dir=tmp_path))
    segment.run(doc, ctx)
    commitments.run(doc, ctx)
    clf = TransformerClassifier(tiny_model)
    p_include = clf(["The program will include monthly workshops."], ["en"])[0]
    texts = [c.text for c in doc.commitments]
    # The rule-certain obligation stands whatever the model says.
    assert texts[0] == "The City of Laredo shall organize two workshops a year."
    # "will" without a party as subject is left to the model.
    assert ("The program will include monthly workshops." in texts) == (p_include >= 0.5)
    assert p_include >= 0.5
    assert doc.commitments[-1].score == pytest.approx(p_include, abs=1e-3)
    assert "The program might include monthly visits." not in texts


def test_extract_command_takes_the_model(tiny_model: Path, tmp_path: Path):
    src = tmp_path / "agreement.txt"
    src.write_text("ARTICLE 1\nThe program will include monthly workshops.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["extract", str(src), "--out", str(out), "--model", str(tiny_model)])
    assert result.exit_code == 0, result.output
    payload = json.loads((out / "agreement.json").read_text(encoding="utf-8"))
    assert [c["text"] for c in payload["commitments"]] == ["The program will include monthly workshops."]


def test_missing_model_directory_is_an_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        TransformerClassifier(tmp_path / "absent")


def test_positive_label_lookup():
    from transformers import BertConfig

    assert positive_index(BertConfig(num_labels=2, id2label={0: "COMMITMENT", 1: "OTHER"})) == 0
    assert positive_index(BertConfig(num_labels=2)) == 1
