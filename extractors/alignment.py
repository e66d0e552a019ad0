"""Bilingual alignment: link each commitment to the same commitment in the other language.

Bilingual agreements state every clause twice, in sequential halves, alternating
paragraphs or side-by-side columns; in all three layouts each language keeps the
clauses in the same order, so the link is a monotonic one-to-one alignment
(dynamic programming, as in sentence alignment of parallel texts). A pair's score
mixes: shared words through a small lexicon (``rules/lexicon_es_en.json``) and
cognates, shared numbers, shared names, the same clause number, similar length and
similar relative position. Pairs under ``MIN_SCORE`` stay unlinked.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Optional

import snowballstemmer

from extractors.commitments import fold
from pipeline.context import REPO_ROOT, Context
from pipeline.model import Commitment, Document

LEXICON_PATH = REPO_ROOT / "extractors" / "rules" / "lexicon_es_en.json"
MIN_SCORE = 0.4
WEIGHTS = {"lexical": 0.35, "numbers": 0.15, "names": 0.1, "clause": 0.15, "length": 0.1, "position": 0.15}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_STEMMERS = {"es": "spanish", "en": "english", "pt": "portuguese", "fr": "french"}
_STOP = {
    "de", "la", "el", "los", "las", "y", "en", "que", "del", "por", "para", "con", "se", "una", "un", "su", "sus", "al", "a", "o",
    "the", "of", "and", "to", "in", "that", "for", "with", "by", "be", "is", "on", "this", "its", "their", "an", "a", "or", "as", "at",
}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_ORDINALS = {
    "primero": 1, "primera": 1, "first": 1, "segundo": 2, "segunda": 2, "second": 2, "tercero": 3, "tercera": 3, "third": 3,
    "cuarto": 4, "cuarta": 4, "fourth": 4, "quinto": 5, "quinta": 5, "fifth": 5, "sexto": 6, "sexta": 6, "sixth": 6,
    "septimo": 7, "septima": 7, "seventh": 7, "octavo": 8, "octava": 8, "eighth": 8, "noveno": 9, "novena": 9, "ninth": 9,
    "decimo": 10, "decima": 10, "tenth": 10,
}


@dataclass
class Lexicon:
    """Spanish stem → English stems, and the stemmers that made them."""

    pairs: dict[str, set[str]]
    stemmers: dict[str, object]

    def stem(self, word: str, lang: str) -> str:
        folded = fold(word)
        stemmer = self.stemmers.get(lang)
        return fold(stemmer.stemWord(folded)) if stemmer is not None else folded  # type: ignore[attr-defined]

    @cached_property
    def reverse(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for es, ens in self.pairs.items():
            for en in ens:
                out.setdefault(en, set()).add(es)
        return out


def load_lexicon() -> Lexicon:
    raw = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    lex = Lexicon({}, {lang: snowballstemmer.stemmer(name) for lang, name in _STEMMERS.items()})
    for es, en in raw["pairs"]:
        for es_word in es.split():
            for en_word in en.split():
                if fold(es_word) in _STOP or fold(en_word) in _STOP:
                    continue
                lex.pairs.setdefault(lex.stem(es_word, "es"), set()).add(lex.stem(en_word, "en"))
    return lex


def content_stems(text: str, lang: str, lex: Lexicon) -> set[str]:
    return {lex.stem(w, lang) for w in _WORD.findall(text) if len(w) > 2 and fold(w) not in _STOP}


def lexical_score(a: Commitment, b: Commitment, lex: Lexicon) -> float:
    """Share of the shorter side's content words that have a translation or cognate on the other side."""
    sa, sb = content_stems(a.text, a.lang, lex), content_stems(b.text, b.lang, lex)
    if not sa or not sb:
        return 0.0
    if a.lang == "en" and b.lang == "es":
        sa, sb = sb, sa
        a, b = b, a
    table = lex.pairs if (a.lang, b.lang) == ("es", "en") else {}
    prefixes_b = {w[:5] for w in sb if len(w) >= 5}
    hits = 0
    for w in sa:
        if w in sb or table.get(w, set()) & sb or (len(w) >= 5 and w[:5] in prefixes_b):
            hits += 1
    return min(1.0, hits / min(len(sa), len(sb)))


def numbers(text: str) -> set[str]:
    return {n.replace(",", "").replace(".", "") for n in _NUMBER.findall(text)}


def names(text: str) -> set[str]:
    """Capitalised words that do not start a sentence: places, institutions, people."""
    words = text.split()
    out = set()
    for prev, w in zip([""] + words, words):
        clean = w.strip("()[],.;:\"'«»“”")
        if clean[:1].isupper() and prev and not prev.endswith((".", ":")) and len(clean) > 2 and not clean.isupper():
            out.add(fold(clean))
    return out


def clause_numbers(clause: Optional[str]) -> Optional[tuple[int, ...]]:
    if not clause:
        return None
    out: list[int] = []
    for token in re.findall(r"\w+", fold(clause)):
        if token.isdigit():
            out.append(int(token))
        elif token in _ORDINALS:
            out.append(_ORDINALS[token])
        elif len(token) == 1 and token.isalpha():
            out.append(ord(token) - ord("a") + 1)  # both versions letter their items alike
        elif len(token) <= 6 and all(ch in _ROMAN for ch in token):
            out.append(_roman(token))
    return tuple(out) or None


def _roman(token: str) -> int:
    total, prev = 0, 0
    for ch in reversed(token):
        value = _ROMAN[ch]
        total = total - value if value < prev else total + value
        prev = max(prev, value)
    return total


def _overlap(a: set[str], b: set[str]) -> Optional[float]:
    if not a and not b:
        return None
    return len(a & b) / len(a | b)


def pair_score(a: Commitment, b: Commitment, pos_a: float, pos_b: float, lex: Lexicon) -> float:
    parts = {
        "lexical": lexical_score(a, b, lex),
        "numbers": _overlap(numbers(a.text), numbers(b.text)),
        "names": _overlap(names(a.text), names(b.text)),
        "length": min(len(a.text), len(b.text)) / max(len(a.text), len(b.text), 1),
        "position": 1.0 - abs(pos_a - pos_b),
    }
    ca, cb = clause_numbers(a.clause), clause_numbers(b.clause)
    parts["clause"] = None if ca is None or cb is None else (1.0 if ca == cb else 0.5 if ca[:1] == cb[:1] else 0.0)
    # A feature that says nothing (no numbers on either side) keeps its weight out of the mean.
    total = sum(WEIGHTS[k] * v for k, v in parts.items() if v is not None)
    weight = sum(WEIGHTS[k] for k, v in parts.items() if v is not None)
    return total / weight if weight else 0.0


def align(left: list[Commitment], right: list[Commitment], lex: Lexicon) -> list[tuple[int, int, float]]:
    """Monotonic one-to-one alignment maximising the summed margin over MIN_SCORE."""
    n, m = len(left), len(right)
    if not n or not m:
        return []
    pos = lambda i, k: i / (k - 1) if k > 1 else 0.5  # noqa: E731
    scores = [[pair_score(left[i], right[j], pos(i, n), pos(j, m), lex) for j in range(m)] for i in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[""] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            options = [(best[i - 1][j], "up"), (best[i][j - 1], "left")]
            gain = scores[i - 1][j - 1] - MIN_SCORE
            if gain > 0:
                options.append((best[i - 1][j - 1] + gain, "diag"))
            best[i][j], move[i][j] = max(options, key=lambda o: o[0])
    pairs = []
    i, j = n, m
    while i > 0 and j > 0:
        step = move[i][j]
        if step == "diag":
            pairs.append((i - 1, j - 1, scores[i - 1][j - 1]))
            i, j = i - 1, j - 1
        elif step == "up":
            i -= 1
        else:
            j -= 1
    return list(reversed(pairs))


def run(doc: Document, ctx: Context) -> None:
    langs = Counter(c.lang for c in doc.commitments)
    if len(langs) < 2:
        return
    (la, _), (lb, _) = langs.most_common(2)
    if {la, lb} == {"es", "en"}:
        la, lb = "es", "en"
    lex = ctx.resource("alignment.lexicon", load_lexicon)
    left = [i for i, c in enumerate(doc.commitments) if c.lang == la]
    right = [i for i, c in enumerate(doc.commitments) if c.lang == lb]
    for c in doc.commitments:
        c.counterpart = None
    for i, j, _ in align([doc.commitments[k] for k in left], [doc.commitments[k] for k in right], lex):
        doc.commitments[left[i]].counterpart = right[j]
        doc.commitments[right[j]].counterpart = left[i]
