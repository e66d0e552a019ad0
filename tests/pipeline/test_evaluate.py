"""`convenio eval` agrees with the reference scorer and lists every miss."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.context import REPO_ROOT
from pipeline.evaluate import evaluate, evaluate_dir, format_report, predict, score_documents

SHARED = REPO_ROOT.parent / "shared"
SCORER = SHARED / "gold" / "score.py"
REAL = SHARED / "corpus" / "real"


def reference(gold_dir: Path, pred_dir: Path) -> dict:
    out = subprocess.run([sys.executable, str(SCORER), str(gold_dir), str(pred_dir), "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def comparable(report: dict) -> dict:
    keys = ("commitments", "indicators", "parties", "commitments_by_lang", "accuracy", "per_doc")
    return json.loads(json.dumps({k: report[k] for k in keys}))


def perturb(gold: dict, k: int) -> dict:
    """A plausible wrong prediction: items dropped, reworded, values and labels changed."""
    pred = json.loads(json.dumps(gold))
    if pred["commitments"] and k % 2:
        pred["commitments"].pop(0)
    for c in pred["commitments"][::3]:
        c["text"] = " ".join(c["text"].split()[: max(2, len(c["text"].split()) // 2)])
        c["strength"] = "soft" if c["strength"] == "binding" else "binding"
    for c in pred["commitments"][1::4]:
        c["party"] = "Somebody Else"
    pred["commitments"].append({"text": "Las Partes publicarán un informe conjunto", "lang": "es", "party": "all", "strength": "binding"})
    for ind in pred["indicators"][::2]:
        ind["value"] = (ind.get("value") or 0) + 1
    pred["indicators"].append({"text": "every week", "value": 1})
    for p in pred["parties"][k % 2 :: 2]:
        p["country"] = "ZZ"
    if k % 3 == 0:
        pred["parties"] = pred["parties"][:1]
    pred["signed_on"] = None if k % 4 == 0 else pred["signed_on"]
    pred["term"] = "P99Y" if k % 5 == 0 else pred["term"]
    pred["paper_only"] = (not pred["paper_only"]) if k % 3 == 1 else pred["paper_only"]
    return pred


def test_matches_reference_scorer_on_perturbed_predictions(tmp_path: Path) -> None:
    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    gold_dir.mkdir()
    pred_dir.mkdir()
    preds = {}
    for k, gf in enumerate(sorted(REAL.glob("*.json"))):
        shutil.copy(gf, gold_dir / gf.name)
        if k == 3:
            continue  # a missing prediction counts as empty
        pred = perturb(json.loads(gf.read_text(encoding="utf-8")), k)
        preds[gf.stem] = pred
        (pred_dir / gf.name).write_text(json.dumps(pred, ensure_ascii=False), encoding="utf-8")
    ours = evaluate(gold_dir, preds)
    assert comparable(ours) == comparable(reference(gold_dir, pred_dir))
    assert ours["accuracy"]["commitment_strength"][0] < 1.0  # the perturbation did bite
    kinds = {(m["field"], m["kind"]) for m in ours["misses"]}
    assert {("commitments", "miss"), ("commitments", "false_alarm"), ("indicators", "false_alarm"), ("indicator_value", "wrong"),
            ("party_country", "wrong"), ("commitment_strength", "wrong")} <= kinds


def test_matches_reference_scorer_on_pipeline_output(tmp_path: Path) -> None:
    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    gold_dir.mkdir()
    pred_dir.mkdir()
    for stem in ("es-024", "en-022", "en-019"):
        shutil.copy(REAL / f"{stem}.json", gold_dir)
        shutil.copy(REAL / f"{stem}.txt", gold_dir)
    preds = predict(sorted(gold_dir.glob("*.txt")))
    for stem, pred in preds.items():
        (pred_dir / f"{stem}.json").write_text(json.dumps(pred, ensure_ascii=False), encoding="utf-8")
    ours = evaluate(gold_dir, preds)
    assert comparable(ours) == comparable(reference(gold_dir, pred_dir))
    assert set(ours["by_language"]) == {"es", "en"}
    assert ours["by_language"]["en"]["documents"] == 2


def test_report_lists_misses_and_cli_prints_it(tmp_path: Path) -> None:
    text = (
        "SISTER CITY AGREEMENT\n\nThe City of Laredo, Texas, and the City of Monterrey, Nuevo León, hereinafter the Parties, "
        "agree as follows:\n\n1. The Parties shall meet twice a year.\n\nSigned this 4th day of May, 2015.\n"
    )
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    gold = {
        "id": "a", "languages": ["en"], "parties": [{"name": "City of Laredo, Texas", "country": "US"}, {"name": "Municipio de Saltillo", "country": "MX"}],
        "signed_on": "2015-05-04", "term": "P2Y",
        "commitments": [{"text": "The Parties shall meet twice a year.", "lang": "en", "party": "all", "strength": "binding"}],
        "indicators": [{"text": "twice a year", "value": 2, "commitment": 0}], "paper_only": False,
    }
    (tmp_path / "a.json").write_text(json.dumps(gold), encoding="utf-8")
    report = evaluate_dir(tmp_path)
    assert report["accuracy"]["signed_on"] == (1.0, 1)
    assert report["accuracy"]["term"] == (0.0, 1)
    assert any(m["field"] == "parties" and m["kind"] == "miss" and m["expected"] == "Municipio de Saltillo" for m in report["misses"])
    assert any(m["field"] == "parties" and m["kind"] == "false_alarm" and "Monterrey" in m["got"] for m in report["misses"])
    text_report = format_report(report)
    assert "a | term | wrong" in text_report
    result = CliRunner().invoke(cli, ["eval", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["parties"]["gold"] == 2


def test_themes_are_scored_as_sets_per_agreement_and_listed() -> None:
    gold_a = {"themes": ["education", "water", "culture"], "commitments": [], "indicators": [], "parties": []}
    pred_a = {"themes": ["education", "trade_investment"]}
    gold_b = {"themes": [], "commitments": [], "indicators": [], "parties": []}
    pred_b = {"themes": ["health"]}
    no_themes = {"commitments": [], "indicators": [], "parties": []}  # gold silent on themes: not scored
    report = score_documents([("a", gold_a, pred_a), ("b", gold_b, pred_b), ("c", no_themes, {"themes": ["sports"]})])
    assert report["themes"] == {"p": 0.333, "r": 0.333, "f1": 0.333, "tp": 1, "pred": 3, "gold": 3}
    listed = {(m["document"], m["kind"], m["expected"], m["got"]) for m in report["misses"] if m["field"] == "themes"}
    assert listed == {("a", "miss", "water", None), ("a", "miss", "culture", None),
                      ("a", "false_alarm", None, "trade_investment"), ("b", "false_alarm", None, "health")}
    assert "themes                 P=0.333" in format_report({**report, "documents": 3})
