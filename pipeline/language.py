"""Language stage: the language of every block, page and document.

langdetect is only trusted on blocks with enough letters; a short block (a
heading, "Article III", a signature line) takes the language of its
neighbours in the same column, then of its page. The detector factory is built
once per ``Context`` with a fixed seed, so results are deterministic without
touching the library's process-wide factory.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Optional

import numpy as np
from langdetect import DetectorFactory, LangDetectException
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode
from langdetect.detector_factory import PROFILES_DIRECTORY

from pipeline.context import Context
from pipeline.model import Block, Document, Page

MIN_LETTERS = 40  # below this langdetect guesses; above it, it is right on agreement prose
CORE = ("es", "en")  # the languages the extractors read
OTHER_MIN_PROB = 0.95  # a language outside CORE must win clearly...
OTHER_MIN_LETTERS = 150  # ...on a long enough text, or Spanish snippets turn Portuguese
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
BLOCK_MIN_LETTERS = 80  # a block shorter than this (a title, a list of place names) follows its neighbours
DOC_MIN_SHARE = 0.15  # a language joins doc.languages with this share of the letters...
DOC_MIN_LETTERS = 200  # ...or this many letters: a stray title must not make a document bilingual
_FUNCTION = {
    "es": {"de", "la", "el", "los", "las", "y", "en", "que", "del", "por", "con", "para", "se", "su", "sus", "al", "una"},
    "en": {"the", "of", "and", "to", "in", "that", "for", "with", "by", "shall", "will", "be", "is", "on", "this", "its"},
}


class ArrayDetector(Detector):
    """langdetect's detector with an n-gram's language probabilities as one numpy row.

    The detector samples some 500 n-grams a block and, for each, multiplies the
    probability of every one of its 55 languages in a Python loop: most of
    the language stage. The same products, then the same divisions by the same
    sequential sum, done as vector operations give the same floats bit for bit
    (IEEE arithmetic element by element; tested against the stock detector), so
    the same languages and probabilities: ~2 ms a block instead of ~3.5 (reading
    the n-grams out of the text, left as it is, is now half of it). An n-gram's row
    is built the first time a text holds it and kept by the factory (at most one
    per n-gram of the profiles).
    """

    def __init__(self, factory: "ArrayDetectorFactory") -> None:
        super().__init__(factory)
        self._rows = factory.rows

    def _row(self, ngram: str) -> np.ndarray:
        row = self._rows.get(ngram)
        if row is None:
            row = self._rows[ngram] = np.array(self.word_lang_prob_map[ngram])
        return row

    def _detect_block(self) -> None:
        # The stock loop, step for step: the same random draws in the same order (a choice
        # depends only on the list's length, so rows stand in for their n-grams).
        self.cleaning_text()
        ngrams = self._extract_ngrams()  # only n-grams of the profiles
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        rows = [self._row(w) for w in ngrams]
        langprob = np.zeros(len(self.langlist))
        rand = self.random
        rand.seed(self.seed)
        for _ in range(self.n_trial):
            prob = np.array(self._init_probability())
            alpha = self.alpha + rand.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            weight = alpha / self.BASE_FREQ
            i = 0
            while True:
                prob *= weight + rand.choice(rows)
                if i % 5 == 0 and (self._normalize_prob(prob) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT):
                    break
                i += 1
            langprob += prob / self.n_trial
        self.langprob = langprob.tolist()

    @staticmethod
    def _normalize_prob(prob: np.ndarray) -> float:
        # Python's sum of the floats, as the stock detector takes it: numpy's pairwise
        # summation could differ in the last bit and move the convergence test.
        np.divide(prob, sum(prob.tolist()), out=prob)
        return max(0.0, float(prob.max()))


class ArrayDetectorFactory(DetectorFactory):
    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, np.ndarray] = {}

    def _create_detector(self) -> ArrayDetector:
        if not self.langlist:
            return super()._create_detector()  # raises langdetect's own "load profiles" error
        return ArrayDetector(self)


def _factory() -> DetectorFactory:
    factory = ArrayDetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


def detector_factory(ctx: Optional[Context]) -> DetectorFactory:
    if ctx is None:
        return _factory()
    return ctx.resource("langdetect.factory", _factory)


def warm_up(ctx: Context) -> None:
    """Read langdetect's profiles before a worker's first document (half a second)."""
    detector_factory(ctx)


def letters(text: str) -> int:
    # Runs of letters, not single letters: the same count from far fewer match objects.
    return sum(map(len, _TOKEN.findall(text)))


def _lowered_tokens(text: str) -> list[tuple[str, int]]:
    """(lower-cased word, occurrences) per distinct word as written."""
    return [(token.lower(), n) for token, n in Counter(_TOKEN.findall(text)).items()]


def function_word_vote(text: str) -> Optional[str]:
    """es/en by function words: for short blocks where n-gram statistics are noise."""
    tokens = _lowered_tokens(text)
    counts = {lang: sum(n for t, n in tokens if t in words) for lang, words in _FUNCTION.items()}
    (best, n1), (_, n2) = sorted(counts.items(), key=lambda kv: -kv[1])
    return best if n1 >= 2 and n1 >= 2 * n2 + 1 else None


# Words of one language only among its neighbours (Portuguese, Catalan, Galician, Italian,
# French): a clear function-word vote settles es/en only when one of them is there too.
_MARKERS = {"es": {"y", "los", "las"}, "en": {"the"}}


def clear_vote(text: str) -> Optional[str]:
    """es/en when function words leave no doubt (agreement prose: n-gram detection would agree).

    langdetect costs ~2 ms a block; counting words costs almost nothing.
    """
    counts = {lang: 0 for lang in _FUNCTION}
    marked = {lang: False for lang in _FUNCTION}
    for t, n in _lowered_tokens(text):
        for lang, words in _FUNCTION.items():
            if t in words:
                counts[lang] += n
                marked[lang] = marked[lang] or t in _MARKERS[lang]
    (best, n1), (_, n2) = sorted(counts.items(), key=lambda kv: -kv[1])
    return best if n1 >= 6 and n1 >= 4 * n2 + 2 and marked[best] else None


def detect(text: str, ctx: Optional[Context] = None, n: Optional[int] = None) -> Optional[str]:
    """ISO 639-1 code, or None when the text is too short to tell (``n``: its letters, when counted already)."""
    n = letters(text) if n is None else n
    if n < MIN_LETTERS:
        return None
    clear = clear_vote(text)
    if clear:
        return clear
    upper = sum(1 for ch in text if ch.isupper())
    if upper * 2 > n:
        # The n-gram profiles are built from running text: capitals read as another language.
        text = text.lower()
    detector = detector_factory(ctx).create()
    detector.append(text)
    try:
        probs = detector.get_probabilities()
    except LangDetectException:
        return None
    if not probs:
        return None
    best = probs[0]
    if best.lang in CORE:
        return best.lang
    if best.prob >= OTHER_MIN_PROB and n >= OTHER_MIN_LETTERS:
        return best.lang.split("-")[0]
    core = [p for p in probs if p.lang in CORE]
    if core:
        return core[0].lang
    return function_word_vote(text) or (best.lang.split("-")[0] if best.prob >= OTHER_MIN_PROB else None)


def _block_text(page: Page, block: Block) -> str:
    return page.text[block.start : block.end]


def detect_block(text: str, ctx: Context, n: Optional[int] = None) -> Optional[str]:
    """A block's own language, or None when it is too short to decide alone (``n``: its letters, when counted already)."""
    n = letters(text) if n is None else n
    if n < BLOCK_MIN_LETTERS:
        # Titles and lines of place names ("Sacramento-Culiacán Sister Cities
        # Proclamation") fool n-gram statistics; only function words may speak for them.
        return function_word_vote(text)
    return detect(text, ctx, n)


def document_languages(weights: Counter[str]) -> list[str]:
    """Languages with enough of the document's letters, most letters first."""
    total = sum(weights.values())
    ranked = [lang for lang, _ in weights.most_common()]
    kept = [lang for lang in ranked if weights[lang] >= DOC_MIN_LETTERS or weights[lang] >= DOC_MIN_SHARE * total]
    return kept or ranked[:1]


def _fill_short_blocks(page: Page, detected: list[Optional[str]], page_lang: Optional[str]) -> None:
    for i, block in enumerate(page.blocks):
        lang = detected[i]
        if lang is None:
            lang = function_word_vote(_block_text(page, block))
        if lang is None:
            same = [j for j in range(len(page.blocks)) if detected[j] and page.blocks[j].column == block.column]
            before = [j for j in same if j < i]
            after = [j for j in same if j > i]
            # A short block is most often a heading: it belongs to the text it introduces.
            if after:
                lang = detected[after[0]]
            elif before:
                lang = detected[before[-1]]
        block.lang = lang or page_lang


def run(doc: Document, ctx: Context) -> None:
    weights: Counter[str] = Counter()
    previous: Optional[str] = None
    undecided: list[Page] = []
    for page in doc.pages:
        if not page.blocks and page.text.strip():
            page.blocks = [Block(start=0, end=len(page.text), column=0)]
        texts = [_block_text(page, b) for b in page.blocks]
        counts = [letters(text) for text in texts]
        detected = [detect_block(text, ctx, n) for text, n in zip(texts, counts)]
        page_weights: Counter[str] = Counter()
        for n, lang in zip(counts, detected):
            if lang:
                page_weights[lang] += n
        page_lang = page_weights.most_common(1)[0][0] if page_weights else detect(page.text, ctx)
        if page_lang is None:
            page_lang = function_word_vote(page.text) or previous
        if page_lang is None:
            undecided.append(page)
        _fill_short_blocks(page, detected, page_lang)
        page.lang = page_lang
        for block, n in zip(page.blocks, counts):
            if block.lang:
                weights[block.lang] += max(1, n)
        previous = page_lang or previous
    majority = weights.most_common(1)[0][0] if weights else None
    for page in undecided:  # leading pages too short to tell: the document's main language
        page.lang = majority
        for block in page.blocks:
            block.lang = block.lang or majority
    doc.languages = document_languages(weights)
