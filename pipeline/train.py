"""``convenio train``: train the commitment sentence classifier from annotated agreements.

Training data are the segments of annotated agreements, labelled by the gold
commitments they match (the scorer's token-overlap rule): the real sample in
``../shared/corpus/real`` and ``corpus/dev`` plus agreements drawn by the project's generator
(``corpus/generate.py``, training split: it never reaches the held-out seeds).
The component is a spaCy text classifier whose architecture and training
settings are in ``models/commitment_textcat.cfg``; the trained pipeline is
written to ``models/commitment_textcat/``.

``leave_one_out`` measures what the classifier adds on the real sample without
testing on what it learnt: each real agreement is scored by a model trained on
all the others (plus the synthetic ones).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

from pipeline.context import REPO_ROOT, Context, Options
from pipeline.evaluate import overlap, score_documents
from pipeline.model import Document

REAL_DIR = REPO_ROOT.parent / "shared" / "corpus" / "real"
DEV_DIR = REPO_ROOT / "corpus" / "dev"
# Annotated real agreements the models may learn from; corpus/heldout is never among them.
GOLD_DIRS = (REAL_DIR, DEV_DIR)
CONFIG_PATH = REPO_ROOT / "models" / "commitment_textcat.cfg"
MODEL_NAME = "commitment_textcat"
SYNTHETIC_DOCS = 120
LABELS = ("COMMITMENT", "OTHER")
DOC_SUFFIXES = (".txt", ".pdf")


@dataclass
class Example:
    text: str
    lang: str
    label: bool
    doc_id: str


def read_document(path: Path, ctx: Context) -> Document:
    """Run the stages up to segmentation (no extraction): what the classifier sees."""
    from pipeline.process import STAGES, new_document

    doc = new_document(str(path), path.read_bytes())
    for name, stage in STAGES:
        if name == "extract":
            break
        stage(doc, ctx)
    return doc


def label_segments(doc: Document, gold: dict[str, Any], doc_id: str) -> list[Example]:
    gold_texts = [c["text"] for c in gold.get("commitments", [])]
    out = []
    for seg in doc.segments:
        if seg.kind == "heading" or len(seg.text.split()) < 3:
            continue
        label = any(overlap(seg.text, g) >= 0.5 for g in gold_texts)
        out.append(Example(seg.text, seg.lang, label, doc_id))
    return out


def annotated(gold_dir: Path) -> list[tuple[str, Path, dict[str, Any]]]:
    out = []
    for gf in sorted(Path(gold_dir).glob("*.json")):
        src = next((gf.with_suffix(s) for s in DOC_SUFFIXES if gf.with_suffix(s).exists()), None)
        if src is not None:
            out.append((gf.stem, src, json.loads(gf.read_text(encoding="utf-8"))))
    return out


def collect(gold_dirs: Iterable[Path], ctx: Context) -> list[Example]:
    examples: list[Example] = []
    for gold_dir in gold_dirs:
        for doc_id, src, gold in annotated(gold_dir):
            examples.extend(label_segments(read_document(src, ctx), gold, doc_id))
    return examples


def synthetic_gold(out_dir: Path, count: int, seed: int = 0) -> Path:
    """Draw ``count`` training agreements with the project's generator; returns their gold folder."""
    subprocess.run(
        [sys.executable, "-m", "corpus.generate", "--out", str(out_dir), "--count", str(count), "--split", "train", "--seed", str(seed)],
        cwd=REPO_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out_dir / "gold"


def train_textcat(examples: list[Example], out_dir: Path, config_path: Path = CONFIG_PATH, seed: Optional[int] = None) -> dict[str, Any]:
    """Train the classifier described by ``config_path`` on ``examples`` and save it to ``out_dir``."""
    import spacy
    from spacy.training import Example as SpacyExample
    from spacy.util import compounding, load_config, load_model_from_config, minibatch

    config = load_config(config_path)
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    textcat = nlp.get_pipe("textcat")
    for label in LABELS:
        textcat.add_label(label)
    training = config["training"]
    rng = random.Random(training["seed"] if seed is None else seed)
    spacy.util.fix_random_seed(training["seed"] if seed is None else seed)

    def to_example(e: Example) -> Any:
        cats = {"COMMITMENT": float(e.label), "OTHER": float(not e.label)}
        return SpacyExample.from_dict(nlp.make_doc(e.text), {"cats": cats})

    data = [to_example(e) for e in examples]
    optimizer = nlp.initialize(lambda: data[:200])
    losses: dict[str, float] = {}
    for _ in range(int(training["max_epochs"])):
        rng.shuffle(data)
        losses = {}
        for batch in minibatch(data, size=compounding(8.0, 64.0, 1.2)):
            nlp.update(batch, sgd=optimizer, drop=float(training["dropout"]), losses=losses)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    stats = {
        "examples": len(examples),
        "positives": sum(e.label for e in examples),
        "documents": len({e.doc_id for e in examples}),
        "final_loss": round(losses.get("textcat", 0.0), 4),
    }
    (out_dir / "training.json").write_text(json.dumps(stats, indent=1), encoding="utf-8")
    return stats


def _gold_dirs(gold_dirs: Optional[Iterable[Path]]) -> list[Path]:
    return [Path(d) for d in (gold_dirs or GOLD_DIRS) if Path(d).is_dir()]


def train_all(models_dir: Optional[Path] = None, gold_dirs: Optional[Iterable[Path]] = None, synthetic: int = SYNTHETIC_DOCS) -> Path:
    """Train on the annotated real agreements and ``synthetic`` generated ones; write models/commitment_textcat."""
    models_dir = Path(models_dir or REPO_ROOT / "models")
    ctx = Context()
    dirs = _gold_dirs(gold_dirs)
    with tempfile.TemporaryDirectory() as tmp:
        if synthetic:
            dirs.append(synthetic_gold(Path(tmp), synthetic))
        examples = collect(dirs, ctx)
    out = models_dir / MODEL_NAME
    stats = train_textcat(examples, out)
    print(f"trained {out}: {stats['examples']} sentences ({stats['positives']} commitments) from {stats['documents']} agreements")
    return out


def predict_commitments(doc_path: Path, models_dir: Optional[Path]) -> dict[str, Any]:
    """Gold-format prediction for one file, with the classifier in ``models_dir`` (None: rules only)."""
    from pipeline.process import process_path
    from pipeline.serialize import to_format

    options = Options(models_dir=models_dir) if models_dir else Options(models_dir=Path(tempfile.gettempdir()) / "no-models")
    return to_format(process_path(doc_path, Context(options=options)), doc_id=doc_path.stem)


def leave_one_out(gold_dirs: Optional[Iterable[Path]] = None, synthetic: int = SYNTHETIC_DOCS) -> dict[str, Any]:
    """Each real agreement scored by a classifier trained without it; rules alone for comparison."""
    real = [item for d in _gold_dirs(gold_dirs) for item in annotated(d)]
    ctx = Context()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        synth = collect([synthetic_gold(tmp_path / "synthetic", synthetic)], ctx) if synthetic else []
        per_doc = {doc_id: label_segments(read_document(src, ctx), gold, doc_id) for doc_id, src, gold in real}
        with_model, rules_only = [], []
        for doc_id, src, gold in real:
            train = synth + [e for other, exs in per_doc.items() if other != doc_id for e in exs]
            model_dir = tmp_path / "fold" / doc_id
            train_textcat(train, model_dir / MODEL_NAME)
            with_model.append((doc_id, gold, predict_commitments(src, model_dir)))
            rules_only.append((doc_id, gold, predict_commitments(src, None)))
    return {"leave_one_out": _summary(score_documents(with_model)), "rules_only": _summary(score_documents(rules_only))}


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "commitments": report["commitments"],
        "commitments_by_lang": report["commitments_by_lang"],
        "strength": report["accuracy"]["commitment_strength"],
        "party": report["accuracy"]["commitment_party"],
    }


if __name__ == "__main__":
    if "--loo" in sys.argv:
        print(json.dumps(leave_one_out(), indent=1))
    else:
        train_all()
