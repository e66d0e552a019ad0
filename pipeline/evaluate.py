"""`convenio eval`: run extraction on a gold folder and score it.

For every ``<id>.json`` gold file the document beside it (``<id>.txt``,
``.pdf`` or an image) is processed by the full pipeline, turned into the gold
format (:func:`pipeline.serialize.to_format`) and scored. The matching is the
reference scorer's (``shared/gold/score.py``, FORMAT.md), reimplemented here
because the project cannot import it at run time; a test runs both on the
same predictions and checks they agree. On top of the reference figures the
report gives the same figures per document language and lists every miss and
false alarm (document, text, expected, got).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Optional

from pipeline.context import Context, Options

WORD = re.compile(r"\w+", re.UNICODE)
EXACT_FIELDS = ("signed_on", "term", "paper_only", "party_country", "commitment_strength", "commitment_party", "indicator_value")
DOC_SUFFIXES = (".txt", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


# --- the reference matching (FORMAT.md "How outputs are scored") --------------------------


def norm(s: Optional[str]) -> str:
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.lower()


def toks(s: Optional[str]) -> list[str]:
    return WORD.findall(norm(s))


def overlap(a: Optional[str], b: Optional[str]) -> float:
    """Jaccard of the token sets, or 0.8 x the shorter text's share found in the other."""
    ta, tb = toks(a), toks(b)
    if not ta or not tb:
        return 0.0
    sa, sb = set(ta), set(tb)
    inter = len(sa & sb)
    jac = inter / len(sa | sb)
    cont = inter / min(len(sa), len(sb))
    return max(jac, 0.8 * cont if min(len(sa), len(sb)) >= 2 else jac)


def match(gold: list[Any], pred: list[Any], key: Callable[[Any], str] = lambda x: x, threshold: float = 0.5) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, best pairs first (ties broken as the reference scorer does)."""
    cands = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            s = overlap(key(g), key(p))
            if s >= threshold:
                cands.append((s, i, j))
    cands.sort(reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, i, j in cands:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((i, j))
    return pairs


class PRF:
    def __init__(self) -> None:
        self.tp = self.np = self.ng = 0

    def add(self, tp: int, npred: int, ngold: int) -> None:
        self.tp += tp
        self.np += npred
        self.ng += ngold

    def p(self) -> float:
        return self.tp / self.np if self.np else (1.0 if not self.ng else 0.0)

    def r(self) -> float:
        return self.tp / self.ng if self.ng else 1.0

    def f(self) -> float:
        p, r = self.p(), self.r()
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> dict[str, Any]:
        return {"p": round(self.p(), 3), "r": round(self.r(), 3), "f1": round(self.f(), 3), "tp": self.tp, "pred": self.np, "gold": self.ng}


def _text(c: Any) -> str:
    return c.get("text", "") if isinstance(c, dict) else str(c)


def _party_key(p: Any) -> str:
    return p.get("name", "") if isinstance(p, dict) else str(p)


def score_documents(docs: Iterable[tuple[str, dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """Score (id, gold, prediction) triples; the figures are the reference scorer's, plus the misses."""
    fields = {k: PRF() for k in ("commitments", "indicators", "parties")}
    themes = PRF()  # beyond the reference scorer, which does not score themes
    by_lang: dict[str, PRF] = {}
    exact = {k: [0, 0] for k in EXACT_FIELDS}
    per_doc: dict[str, Any] = {}
    misses: list[dict[str, Any]] = []

    def miss(doc_id: str, field: str, kind: str, text: Any, expected: Any, got: Any) -> None:
        misses.append({"document": doc_id, "field": field, "kind": kind, "text": text, "expected": expected, "got": got})

    for doc_id, gold, pred in docs:
        gc, pc = gold.get("commitments", []), pred.get("commitments", []) or []
        pairs = match(gc, pc, key=_text)
        fields["commitments"].add(len(pairs), len(pc), len(gc))
        for lang in {c.get("lang") for c in gc} | {c.get("lang") for c in pc if isinstance(c, dict)}:
            if not lang:
                continue
            gl = [c for c in gc if c.get("lang") == lang]
            pl = [c for c in pc if isinstance(c, dict) and c.get("lang") == lang]
            by_lang.setdefault(lang, PRF()).add(len(match(gl, pl, key=lambda c: c.get("text", ""))), len(pl), len(gl))
        _list_misses(doc_id, "commitments", gc, pc, pairs, _text, miss)
        for i, j in pairs:
            g, p = gc[i], pc[j]
            if not isinstance(p, dict):
                continue
            if "strength" in g:
                exact["commitment_strength"][1] += 1
                ok = p.get("strength") == g["strength"]
                exact["commitment_strength"][0] += int(ok)
                if not ok:
                    miss(doc_id, "commitment_strength", "wrong", g.get("text"), g["strength"], p.get("strength"))
            if "party" in g:
                exact["commitment_party"][1] += 1
                gp, pp = g["party"], p.get("party") or ""
                ok = (gp == "all" and pp == "all") or (gp != "all" and pp != "all" and overlap(gp, pp) >= 0.5)
                exact["commitment_party"][0] += int(ok)
                if not ok:
                    miss(doc_id, "commitment_party", "wrong", g.get("text"), gp, pp)
        gi, pi = gold.get("indicators", []), pred.get("indicators", []) or []
        ipairs = match(gi, pi, key=_text, threshold=0.4)
        fields["indicators"].add(len(ipairs), len(pi), len(gi))
        _list_misses(doc_id, "indicators", gi, pi, ipairs, _text, miss)
        for i, j in ipairs:
            if gi[i].get("value") is not None:
                exact["indicator_value"][1] += 1
                ok = False
                try:
                    ok = float(pi[j].get("value")) == float(gi[i]["value"])
                except (TypeError, ValueError):
                    pass
                exact["indicator_value"][0] += int(ok)
                if not ok:
                    miss(doc_id, "indicator_value", "wrong", gi[i].get("text"), gi[i]["value"], pi[j].get("value") if isinstance(pi[j], dict) else None)
        gp, pp = gold.get("parties", []), pred.get("parties", []) or []
        ppairs = match(gp, pp, key=_party_key, threshold=0.5)
        fields["parties"].add(len(ppairs), len(pp), len(gp))
        _list_misses(doc_id, "parties", gp, pp, ppairs, _party_key, miss)
        for i, j in ppairs:
            if isinstance(gp[i], dict) and gp[i].get("country"):
                exact["party_country"][1] += 1
                got = pp[j].get("country") if isinstance(pp[j], dict) else None
                exact["party_country"][0] += int(got == gp[i]["country"])
                if got != gp[i]["country"]:
                    miss(doc_id, "party_country", "wrong", gp[i].get("name"), gp[i]["country"], got)
        for k in ("signed_on", "term", "paper_only"):
            if k in gold and (gold[k] is not None or k == "paper_only"):
                exact[k][1] += 1
                exact[k][0] += int(pred.get(k) == gold[k])
                if pred.get(k) != gold[k]:
                    miss(doc_id, k, "wrong", None, gold[k], pred.get(k))
        if "themes" in gold:
            _score_themes(doc_id, gold.get("themes") or [], pred.get("themes") or [], themes, miss)
        per_doc[doc_id] = {
            "commitments": f"{len(pairs)}/{len(pc)}p/{len(gc)}g",
            "paper_only": f"{pred.get('paper_only')} vs {gold.get('paper_only')}",
            "signed_on": f"{pred.get('signed_on')} vs {gold.get('signed_on')}",
        }
    out: dict[str, Any] = {k: v.row() for k, v in fields.items()}
    out["commitments_by_lang"] = {k: v.row() for k, v in by_lang.items()}
    out["themes"] = themes.row()
    out["accuracy"] = {k: (round(a / n, 3) if n else None, n) for k, (a, n) in exact.items()}
    out["per_doc"] = per_doc
    out["misses"] = misses
    return out


def _score_themes(doc_id: str, gold: list[str], pred: list[str], prf: PRF, miss: Callable[..., None]) -> None:
    """An agreement's theme labels as a set: each one found, missed or wrongly added counts once."""
    g, p = set(gold), set(pred)
    prf.add(len(g & p), len(p), len(g))
    for theme in sorted(g - p):
        miss(doc_id, "themes", "miss", None, theme, None)
    for theme in sorted(p - g):
        miss(doc_id, "themes", "false_alarm", None, None, theme)


def _list_misses(doc_id: str, field: str, gold: list[Any], pred: list[Any], pairs: list[tuple[int, int]],
                 key: Callable[[Any], str], miss: Callable[..., None]) -> None:
    matched_g = {i for i, _ in pairs}
    matched_p = {j for _, j in pairs}
    for i, g in enumerate(gold):
        if i not in matched_g:
            miss(doc_id, field, "miss", key(g), key(g), None)
    for j, p in enumerate(pred):
        if j not in matched_p:
            miss(doc_id, field, "false_alarm", key(p), None, key(p))


# --- running the pipeline over a gold folder ------------------------------------------------


def gold_pairs(gold_dir: Path) -> list[tuple[Path, Optional[Path]]]:
    """Each gold file with the document it annotates (None when no document is beside it)."""
    out = []
    for gf in sorted(gold_dir.glob("*.json")):
        doc = next((gf.with_suffix(s) for s in DOC_SUFFIXES if gf.with_suffix(s).exists()), None)
        out.append((gf, doc))
    return out


def predict(paths: list[Path], options: Optional[Options] = None) -> dict[str, dict[str, Any]]:
    """Run the pipeline on each file; predictions in the gold format keyed by file stem."""
    from pipeline.process import process_path
    from pipeline.serialize import to_format

    ctx = Context(options=options or Options())
    preds = {}
    for path in paths:
        doc = process_path(path, ctx)
        preds[path.stem] = to_format(doc, doc_id=path.stem)
    return preds


def evaluate(gold_dir: Path, preds: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Overall figures (identical to the reference scorer's) and the same figures per document language."""
    triples = []
    for gf, _ in gold_pairs(gold_dir):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        triples.append((gf.stem, gold, preds.get(gf.stem, {})))
    report = score_documents(triples)
    langs = sorted({lang for _, gold, _ in triples for lang in (gold.get("languages") or [])})
    report["by_language"] = {}
    for lang in langs:
        subset = [(i, g, p) for i, g, p in triples if lang in (g.get("languages") or [])]
        sub = score_documents(subset)
        sub.pop("per_doc")
        sub.pop("misses")
        sub["documents"] = len(subset)
        report["by_language"][lang] = sub
    report["documents"] = len(triples)
    report["missing_documents"] = [gf.stem for gf, doc in gold_pairs(gold_dir) if doc is None]
    report["errors"] = {k: v.get("errors") for k, v in preds.items() if v.get("errors")}
    return report


def evaluate_dir(gold_dir: Path, options: Optional[Options] = None) -> dict[str, Any]:
    pairs = gold_pairs(Path(gold_dir))
    preds = predict([doc for _, doc in pairs if doc is not None], options)
    return evaluate(Path(gold_dir), preds)


def _fmt_prf(name: str, r: dict[str, Any]) -> str:
    return f"{name:22s} P={r['p']:.3f} R={r['r']:.3f} F1={r['f1']:.3f} (tp {r['tp']}, pred {r['pred']}, gold {r['gold']})"


def _fmt_acc(name: str, acc: tuple[Optional[float], int]) -> str:
    value, n = acc
    return f"{name:22s} acc={'-' if value is None else f'{value:.3f}'} (n={n})"


def format_report(report: dict[str, Any]) -> str:
    lines = [f"documents: {report['documents']}"]
    for k in ("commitments", "indicators", "parties"):
        lines.append(_fmt_prf(k, report[k]))
    for lang, r in sorted(report["commitments_by_lang"].items()):
        lines.append(_fmt_prf(f"  commitments[{lang}]", r))
    if report["themes"]["gold"] or report["themes"]["pred"]:
        lines.append(_fmt_prf("themes", report["themes"]))
    for k, acc in report["accuracy"].items():
        lines.append(_fmt_acc(k, acc))
    for lang, sub in report.get("by_language", {}).items():
        lines.append("")
        lines.append(f"language {lang} ({sub['documents']} documents)")
        for k in ("commitments", "indicators", "parties"):
            lines.append(_fmt_prf(f"  {k}", sub[k]))
        if sub["themes"]["gold"] or sub["themes"]["pred"]:
            lines.append(_fmt_prf("  themes", sub["themes"]))
        for k, acc in sub["accuracy"].items():
            lines.append(_fmt_acc(f"  {k}", acc))
    if report["misses"]:
        lines.append("")
        lines.append("misses and false alarms (document | field | kind | text | expected | got):")
        for m in report["misses"]:
            text = (m["text"] or "")
            text = text if len(text) <= 90 else text[:87] + "..."
            lines.append(f"  {m['document']} | {m['field']} | {m['kind']} | {text} | {_short(m['expected'])} | {_short(m['got'])}")
    if report.get("missing_documents"):
        lines.append("gold files without a document: " + ", ".join(report["missing_documents"]))
    for doc_id, errors in report.get("errors", {}).items():
        for e in errors:
            lines.append(f"error: {doc_id}: {e.get('stage')}: {e.get('error_class')}: {e.get('message')}")
    return "\n".join(lines)


def _short(v: Any) -> str:
    if v is None:
        return "-"
    s = str(v)
    return s if len(s) <= 60 else s[:57] + "..."
