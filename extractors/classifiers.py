"""Trained sentence classifiers for commitment detection.

Both answer the same question for a batch of sentences: the probability that
each is a commitment. ``extractors.commitments`` asks them only about the
sentences its rules are unsure of (a future tense without a party as subject,
an impersonal passive), and records the probability as the commitment's score.

- ``TextcatClassifier``: the spaCy text classifier trained by ``convenio train``
  (``models/commitment_textcat``).
- ``TransformerClassifier``: any local Hugging Face sequence-classification model
  (``convenio extract --model DIR``), loaded from disk only, never from the hub.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

POSITIVE_LABEL = "COMMITMENT"
NEGATIVE_LABEL = "OTHER"


class TextcatClassifier:
    def __init__(self, path: Path) -> None:
        import spacy

        self.nlp = spacy.load(path)

    def __call__(self, texts: list[str], langs: list[str]) -> list[float]:
        self.warm_tokenizer(texts)
        return [float(doc.cats.get(POSITIVE_LABEL, 0.0)) for doc in self.nlp.pipe(texts)]

    def warm_tokenizer(self, texts: list[str]) -> None:
        """Let the tokenizer cache the words of line-broken texts.

        spaCy caches how each space-separated chunk splits into tokens, but saves
        nothing more of a text once a special case has occurred in it, and a line
        break is one: the words of a sentence read from a PDF text layer would be
        split by the affix rules again every time. Tokenizing the text with spaces
        for line breaks caches its chunks (a chunk splits the same whatever surrounds
        it), so the text itself is read from the cache: same tokens, same scores.
        """
        for text in texts:
            if "\n" in text:
                self.nlp.tokenizer(text.replace("\n", " "))


class TransformerClassifier:
    """A local ``AutoModelForSequenceClassification`` directory (config, weights, tokenizer).

    The positive class is the label named ``COMMITMENT`` in the model's
    ``id2label`` if there is one, else label 1 of a two-label model.
    """

    def __init__(self, path: Path, max_length: int = 256, batch_size: int = 16) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        if not Path(path).is_dir():
            raise FileNotFoundError(f"transformers model directory not found: {path}")
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(str(path), local_files_only=True)
        self.model.eval()
        self.max_length = max_length
        self.batch_size = batch_size
        self.positive = positive_index(self.model.config)

    def __call__(self, texts: list[str], langs: list[str]) -> list[float]:
        import torch

        out: list[float] = []
        for i in range(0, len(texts), self.batch_size):
            batch = self.tokenizer(
                texts[i : i + self.batch_size], padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
            )
            with torch.no_grad():
                logits = self.model(**batch).logits
            probs = torch.softmax(logits, dim=-1)[:, self.positive]
            out.extend(float(p) for p in probs)
        return out


def positive_index(config: Any) -> int:
    labels = {str(v).upper(): int(k) for k, v in (getattr(config, "id2label", None) or {}).items()}
    if POSITIVE_LABEL in labels:
        return labels[POSITIVE_LABEL]
    if getattr(config, "num_labels", 2) < 2:
        raise ValueError("a commitment classifier needs at least two labels")
    return 1
