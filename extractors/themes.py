"""Themes: the agreement's themes and one theme per commitment (FORMAT.md list).

Keyword lexicons in ``extractors/rules/themes.json`` (Spanish and English word
prefixes, matched on accent-folded text). The document's themes are the ones
its operative text talks about most; a commitment takes the theme its own words
(and its list items) point to, falling back to the document's main theme, so
that a bare "Las Partes se reunirán una vez al año" inherits the agreement's
subject rather than "other".
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Optional

from extractors import fastre
from extractors.commitments import fold
from pipeline.context import REPO_ROOT, Context
from pipeline.model import Commitment, Document

LEXICON_PATH = REPO_ROOT / "extractors" / "rules" / "themes.json"
THEMES = (
    "education", "culture", "economic_development", "trade_investment", "tourism", "environment", "water", "energy",
    "health", "public_safety", "mobility", "urban_development", "technology_innovation", "migration", "governance",
    "sports", "youth", "agriculture", "disaster_risk", "other",
)
MAX_DOC_THEMES = 5
SHORT_TEXT = 4000  # characters

HEAD = 4  # characters of a theme word looked up before its theme's pattern is run
# The first HEAD characters at every word start (zero-width, so none is skipped).
_HEADS = re.compile(r"\b(?=(\w.{0,%d}))" % (HEAD - 1), re.DOTALL)


class Lexicon(dict[str, re.Pattern[str]]):
    """Theme → pattern of its words at a word boundary, with the first ``HEAD``
    characters of those words (None for a theme with a shorter word, or one that does
    not start with a word character)."""

    heads: dict[str, Optional[frozenset[str]]]


def load_lexicon() -> Lexicon:
    raw = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    out = Lexicon()
    out.heads = {}
    for theme, words in raw.items():
        if theme.startswith("_"):
            continue
        if theme not in THEMES:
            raise ValueError(f"unknown theme {theme!r} in {LEXICON_PATH.name}")
        folded = [fold(w) for w in words]
        out[theme] = fastre.compile(r"\b(?:" + "|".join(re.escape(w) for w in folded) + ")")
        usable = all(len(w) >= HEAD and re.match(r"\w", w) for w in folded)
        out.heads[theme] = frozenset(w[:HEAD] for w in folded) if usable else None
    return out


def theme_scores(text: str, lexicon: Lexicon) -> Counter[str]:
    folded = fold(text)
    # A theme's pattern matches only where a word boundary is followed by one of its
    # words, which start with a word character: at a word start, followed by the head
    # of one. Each pattern is tried at the word starts its heads lead to, as a search
    # would try it there; themes none of whose heads occur score nothing (most themes,
    # for most sentences) and a whole agreement is not scanned once per theme.
    heads = getattr(lexicon, "heads", {})
    starts: dict[str, list[int]] = {}
    for m in _HEADS.finditer(folded):
        starts.setdefault(m.group(1), []).append(m.start())
    scores: Counter[str] = Counter()
    for theme, pattern in lexicon.items():
        theme_heads = heads.get(theme)
        if theme_heads is None:
            n = len(pattern.findall(folded))
        else:
            at = [starts[h] for h in theme_heads.intersection(starts)]
            n = len(fastre.finditer_at(pattern, folded, sorted(p for ps in at for p in ps))) if at else 0
        if n:
            scores[theme] = n
    return scores


def document_themes(doc: Document, lexicon: Lexicon) -> list[str]:
    """Themes whose words recur in the agreement: at least two hits and a quarter of the top theme's."""
    text = "\n".join(s.text for s in doc.segments) or "\n".join(p.text for p in doc.pages)
    scores = theme_scores(text, lexicon)
    if not scores:
        return ["other"]
    top = scores.most_common(1)[0][1]
    # A one-page letter names each subject once; a long treaty repeats the ones that matter.
    floor = 1 if len(text) < SHORT_TEXT else 2
    chosen = [t for t, n in scores.most_common() if n >= floor and n >= top * 0.2]
    return chosen[:MAX_DOC_THEMES] or [scores.most_common(1)[0][0]]


def commitment_theme(c: Commitment, lexicon: Lexicon, doc_themes: list[str]) -> str:
    scores = theme_scores(" ".join([c.text, *c.actions]), lexicon)
    rank = {t: i for i, t in enumerate(doc_themes)}
    if scores:
        # Ties go to the theme the agreement as a whole is most about.
        return max(scores, key=lambda t: (scores[t], -rank.get(t, len(rank))))
    return doc_themes[0] if doc_themes else "other"


def run(doc: Document, ctx: Context) -> None:
    lexicon = ctx.resource("themes.lexicon", load_lexicon)
    if not doc.themes:
        doc.themes = document_themes(doc, lexicon)
    for c in doc.commitments:
        c.theme = commitment_theme(c, lexicon, doc.themes)


def theme_of(text: str, ctx: Context, doc_themes: Optional[list[str]] = None) -> str:
    """The theme of a free-standing text (used by tests and the training data builder)."""
    lexicon = ctx.resource("themes.lexicon", load_lexicon)
    return commitment_theme(Commitment(text=text, lang=""), lexicon, doc_themes or [])
