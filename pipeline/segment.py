"""The segment stage: page blocks → clauses, sentences, list items and lead-ins.

Extractors read ``doc.segments``. Each segment is an exact slice of its page
text (leading list markers and whitespace trimmed off), carries the language of
the block it comes from and the legal numbering it sits under (``"ARTÍCULO 3
2. b)"``). Segments never cross a block, so a two-column page never mixes its
columns.

Sentence boundaries come from spaCy blank pipelines with a sentencizer (one per
language, cached on the Context); legal numbering and headings are rules, with
their vocabulary in ``extractors/rules/segment.json``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

from pipeline.context import REPO_ROOT, Context
from pipeline.model import Block, Document, Evidence, Page, Segment, Word

RULES_PATH = REPO_ROOT / "extractors" / "rules" / "segment.json"
SPACY_LANGS = {"es", "en", "pt", "fr", "it", "de", "nl"}

# List markers: "1.", "1)", "(1)", "a)", "(a)", "a.", "i.", "(iv)", "1.2.", bullets.
# The lookahead keeps "1.5 millones" and "3.000" from reading as markers.
_MARKER = re.compile(
    r"(?P<m>\((?:\d{1,3}|[a-zA-Z]|[ivxlcIVXLC]{1,6})\)"
    r"|(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxlc]{2,6}|[IVXLC]{2,6})[.)](?![\d\w])"
    r"|\d{1,3}(?:\.\d{1,3})+(?=[ \t]+[^\W\d_])"
    r"|[•·▪●◦\-–—*])"
    r"[ \t]+(?=\S)"
)
# Inline list items inside one paragraph: "...especialidad; b) Intercambio ...".
_INLINE_ITEM = re.compile(r"(?<=[;:])[ \t]+(?=(?:\(?[a-z]\)|\(?\d{1,2}\))[ \t]+\S)")
_OPEN_QUOTES = "\"“«'‘"
_CARDINALS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
_ROMAN = re.compile(r"^[ivxlcdm]+$", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
_STOP_ES = {"de", "la", "el", "los", "las", "y", "en", "que", "del", "por", "para", "con", "se", "una", "su", "sus", "al"}
_STOP_EN = {"the", "of", "and", "to", "in", "that", "for", "with", "by", "shall", "will", "be", "is", "on", "this", "its"}


@dataclass
class SegmentRules:
    heading_words: list[str]
    ordinal_words: list[str]
    abbreviations: set[str]

    @cached_property
    def heading(self) -> re.Pattern[str]:
        words = "|".join(self.heading_words)
        ords = "|".join(self.ordinal_words)
        number = rf"(?:\d+(?:\.\d+)*|[IVXLCDM]+\b|(?:{ords})\b)"
        return re.compile(
            rf"^(?P<label>(?:{words})\s*(?:No\.?\s*|N[°º]\.?\s*)?{number}\.?)(?P<sep>\s*[.:\-–—]+\s*|\s+|$)",
            re.IGNORECASE,
        )

    @cached_property
    def ordinal_heading(self) -> re.Pattern[str]:
        # "PRIMERA.-", "SEGUNDO:", "THIRD.-", "TERCERA." before the clause text: Mexican convenios
        # and their English versions number clauses this way. A bare full stop counts only after
        # a label in capitals, so that a sentence starting "Second." is not a heading.
        ords = "|".join(w for w in self.ordinal_words if w not in _CARDINALS)
        return re.compile(
            rf"^(?P<label>(?:{ords}))(?P<sep>\s*[.:]?\s*[\-–—]+\s*|\s*:\s*|(?<=(?-i:[A-ZÁÉÍÓÚ]))\.(?:\s+|$))(?=\S|$)",
            re.IGNORECASE,
        )


def load_rules() -> SegmentRules:
    raw = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    return SegmentRules(raw["heading_words"], raw["ordinal_words"], {a.lower() for a in raw["abbreviations"]})


def _build_nlp(lang: str) -> Any:
    import spacy

    nlp = spacy.blank(lang if lang in SPACY_LANGS else "xx")
    nlp.add_pipe("sentencizer")
    return nlp


def get_nlp(ctx: Context, lang: str) -> Any:
    key = lang if lang in SPACY_LANGS else "xx"
    return ctx.resource(f"segment.nlp.{key}", lambda: _build_nlp(key))


def _sentence_marks(nlp: Any) -> re.Pattern[str]:
    return re.compile("[" + re.escape("".join(sorted(nlp.get_pipe("sentencizer").punct_chars))) + "]")


def get_sentence_marks(ctx: Context, lang: str) -> re.Pattern[str]:
    """The characters after which the sentencizer of ``lang`` may start a sentence."""
    key = lang if lang in SPACY_LANGS else "xx"
    return ctx.resource(f"segment.marks.{key}", lambda: _sentence_marks(get_nlp(ctx, key)))


def get_rules(ctx: Context) -> SegmentRules:
    return ctx.resource("segment.rules", load_rules)


def guess_lang(text: str) -> str:
    """Cheap stopword vote used only when no stage has set a language."""
    words = [w.lower() for w in _WORD.findall(text)]
    es = sum(w in _STOP_ES for w in words)
    en = sum(w in _STOP_EN for w in words)
    return "en" if en > es else "es"


@dataclass
class WordIndex:
    """A page's words with their offsets, for finding a span's words by bisection."""

    words: list[Word]
    starts: list[int]
    ends: list[int]

    def overlapping(self, start: int, end: int) -> list[Word]:
        """The words with ``end > start`` and ``start < end``, in page order."""
        return self.words[bisect_right(self.ends, start) : bisect_left(self.starts, end)]


def word_index(page: Page) -> Optional[WordIndex]:
    """The page's words indexed by offset, or None when their offsets are not in order
    (only then does finding a span's words need a full scan)."""
    starts = [w.start for w in page.words]
    ends = [w.end for w in page.words]
    if all(a <= b for a, b in zip(starts, starts[1:])) and all(a <= b for a, b in zip(ends, ends[1:])):
        return WordIndex(page.words, starts, ends)
    return None


def span_evidence(
    page: Page, number: int, start: int, end: int, low_conf: float = 60.0, index: Optional[WordIndex] = None
) -> Evidence:
    """Evidence for ``page.text[start:end]``, with the box and OCR confidence of its words.

    ``index`` (from ``word_index(page)``) saves scanning every word of the page.
    """
    if index is not None:
        words = index.overlapping(start, end)
    else:
        words = [w for w in page.words if w.end > start and w.start < end]
    bbox = None
    confidence = None
    if words:
        bbox = (
            min(w.bbox[0] for w in words),
            min(w.bbox[1] for w in words),
            max(w.bbox[2] for w in words),
            max(w.bbox[3] for w in words),
        )
        confs = [w.conf for w in words if w.conf is not None]
        if confs:
            confidence = round(sum(confs) / len(confs), 1)
    low = confidence is not None and confidence < low_conf
    return Evidence(page=number, start=start, end=end, bbox=bbox, confidence=confidence, low_confidence=low)


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass
class _Unit:
    """A paragraph, list item or heading line: the span sentences are split from."""

    start: int
    end: int


@dataclass
class _Numbering:
    """The clause stack: an article heading and the list markers nested under it."""

    heading: Optional[str] = None
    markers: list[tuple[str, str]] = field(default_factory=list)  # (style, marker)

    def label(self) -> Optional[str]:
        parts = ([self.heading] if self.heading else []) + [m for _, m in self.markers]
        return " ".join(parts) if parts else None

    def set_heading(self, label: str) -> None:
        self.heading = label
        self.markers = []

    def push(self, marker: str) -> None:
        style = _marker_style(marker, self.markers)
        for i, (s, _) in enumerate(self.markers):
            if s == style:
                del self.markers[i:]
                break
        self.markers.append((style, marker))

    def end_list(self) -> None:
        self.markers = []


def _marker_style(marker: str, stack: list[tuple[str, str]]) -> str:
    core = marker.strip("().")
    wrap = "paren" if marker.startswith("(") else ("close" if marker.endswith(")") else "dot")
    if not core or not core[0].isalnum():
        return "bullet"
    if core.replace(".", "").isdigit():
        return f"num-{wrap}-{core.count('.')}"
    letter_styles = {s for s, _ in stack if s.startswith("alpha")}
    if len(core) > 1 and _ROMAN.match(core):
        return f"roman-{wrap}"
    if core.lower() in {"i", "v", "x"} and not letter_styles:
        return f"roman-{wrap}"
    case = "upper" if core.isupper() else "lower"
    return f"alpha-{case}-{wrap}"


def _initial_not_marker(marker: str, rest: str) -> bool:
    """"R. Verhagen" is a name with an initial, not item R: a one-letter marker needs a clause after it."""
    return len(marker) == 2 and marker[0].isalpha() and marker.endswith(".") and len(rest.split()) < 3


def _is_heading_line(text: str) -> bool:
    """A title line: all capitals without a final full stop, or a short line without punctuation."""
    stripped = text.strip()
    if not stripped:
        return False
    letters = "".join(filter(str.isalpha, stripped))
    if not letters:
        return True
    upper = sum(map(str.isupper, letters)) / len(letters)
    words = stripped.split()
    if upper > 0.8 and not stripped.endswith((".", ";")) and len(letters) > 2:
        return True
    return len(words) <= 8 and stripped[-1] not in ".;:,!?" and stripped[0].isupper() and upper < 0.8 and _titleish(words)


def _titleish(words: list[str]) -> bool:
    # Short unpunctuated lines read as titles ("Permiso de Residencia, Estudio y Trabajo");
    # a short line in lower case is more likely a wrapped sentence fragment.
    capitalised = sum(w[:1].isupper() for w in words if len(w) > 3)
    long_words = sum(len(w) > 3 for w in words)
    return long_words == 0 or capitalised / long_words >= 0.5


def _units(text: str, start: int, end: int, rules: SegmentRules) -> list[_Unit]:
    """Split a block into units: paragraphs, and new units at numbered/marked lines,
    after heading lines and after lines ending a lead-in or list item."""
    units: list[_Unit] = []
    cur: Optional[list[int]] = None
    prev_line = ""
    pos = start
    for raw in text[start:end].split("\n"):
        ls, le = strip_span(text, pos, pos + len(raw))
        pos += len(raw) + 1
        line = text[ls:le]
        if not line:
            if cur:
                units.append(_Unit(*cur))
            cur = None
            prev_line = ""
            continue
        starts_new = (
            cur is None
            or _MARKER.match(line) is not None
            or rules.heading.match(line) is not None
            or rules.ordinal_heading.match(line) is not None
            or prev_line.endswith((":", ";"))
            or _is_heading_line(prev_line)
            or (_is_heading_line(line) and prev_line.endswith("."))
        )
        if starts_new:
            if cur:
                units.append(_Unit(*cur))
            cur = [ls, le]
        else:
            assert cur is not None
            cur[1] = le
        prev_line = line
    if cur:
        units.append(_Unit(*cur))
    # Inline items ("...; b) Intercambio ...") start units of their own.
    out: list[_Unit] = []
    for u in units:
        cuts = [m.end() for m in _INLINE_ITEM.finditer(text, u.start, u.end)]
        bounds = [u.start, *cuts, u.end]
        for a, b in zip(bounds, bounds[1:]):
            a, b = strip_span(text, a, b)
            if a < b:
                out.append(_Unit(a, b))
    return out


def _one_sentence(text: str, start: int, end: int, marks: re.Pattern[str]) -> bool:
    """True when the sentencizer cannot split ``text[start:end]``.

    It starts a sentence only at a token that is not punctuation, after a token
    that is a sentence mark. If nothing but punctuation follows the first mark,
    no such token exists, whatever the tokenizer makes of the text: most clauses
    and list items are a single sentence ending in a full stop.
    """
    first = marks.search(text, start, end)
    return first is None or all(unicodedata.category(c)[0] == "P" for c in text[first.end() : end])


def _sentences(
    nlp: Any, text: str, start: int, end: int, rules: SegmentRules, marks: Optional[re.Pattern[str]] = None
) -> list[tuple[int, int]]:
    """Sentence spans in ``text[start:end]``, re-joined where spaCy split after an abbreviation or initial."""
    if marks is not None and _one_sentence(text, start, end, marks):
        # One sentence over every token: the whole span, less surrounding whitespace.
        return [strip_span(text, start, end)] if text[start:end].strip() else []
    chunk = text[start:end]
    if "\n" in chunk:
        # spaCy's tokenizer caches nothing of a text after a line break (a special case):
        # tokenizing it once with spaces fills the cache, with the same tokens.
        nlp.tokenizer(chunk.replace("\n", " "))
    doc = nlp(chunk)
    spans: list[list[int]] = []
    for sent in doc.sents:
        s, e = start + sent.start_char, start + sent.end_char
        if spans and _glued(text, spans[-1], s, rules):
            spans[-1][1] = e
        else:
            spans.append([s, e])
    # spaCy leaves an opening quote at the end of the sentence before it ('... DE "EL
    # MUNICIPIO". "EL MUNICIPIO" se compromete'): hand it to the sentence it opens.
    for prev, nxt in zip(spans, spans[1:]):
        tail = text[prev[0] : prev[1]].rstrip()
        if len(tail) >= 2 and tail[-1] in _OPEN_QUOTES and tail[-2].isspace():
            quote_at = prev[0] + len(tail) - 1
            prev[1], nxt[0] = quote_at, quote_at
    return [strip_span(text, s, e) for s, e in spans if text[s:e].strip()]


def _glued(text: str, prev: list[int], next_start: int, rules: SegmentRules) -> bool:
    before = text[prev[0] : prev[1]].rstrip()
    after = text[next_start : next_start + 40].lstrip()
    if not before.endswith("."):
        return not before.endswith(("!", "?", ";", ":")) and bool(after) and not after[0].isupper()
    last = before[:-1].split()[-1] if before[:-1].split() else ""
    token = last.lower().strip("(\"'«")
    if token in rules.abbreviations or (len(token) == 1 and token.isalpha()):
        return True
    # "1." as a running number or "Ord." followed by a number: no sentence ends there.
    if after[:1].isdigit() and token in rules.abbreviations:
        return True
    return bool(after) and (after[0].islower() or after[0] in ",;)")


def _block_lang(doc: Document, page: Page, block: Block, text: str) -> str:
    return block.lang or page.lang or (doc.languages[0] if doc.languages else None) or guess_lang(text)


def segment_block(
    doc: Document,
    page: Page,
    block_index: int,
    block: Block,
    ctx: Context,
    numbering: _Numbering,
    words: Optional[WordIndex] = None,
) -> list[Segment]:
    rules = get_rules(ctx)
    text = page.text
    lang = _block_lang(doc, page, block, text[block.start : block.end])
    nlp = get_nlp(ctx, lang)
    marks = get_sentence_marks(ctx, lang)
    low_conf = ctx.options.low_conf
    out: list[Segment] = []

    def emit(s: int, e: int, kind: str) -> None:
        s, e = strip_span(text, s, e)
        if s >= e:
            return
        out.append(
            Segment(
                text=text[s:e],
                lang=lang,
                evidence=span_evidence(page, page.number, s, e, low_conf, words),
                clause=numbering.label(),
                kind=kind,
                block=block_index,
                column=block.column,
            )
        )

    for unit in _units(text, block.start, block.end, rules):
        s, e = unit.start, unit.end
        line = text[s:e]
        head = rules.heading.match(line) or rules.ordinal_heading.match(line)
        marker = None if head else _MARKER.match(line)
        if head:
            numbering.set_heading(head.group("label").rstrip(".").strip())
            rest = s + head.end()
            rest_text = text[rest:e]
            # "ARTÍCULO 3" alone, or with a short title ("§ 4.60.120. Sister cities commission.").
            if not rest_text.strip() or (len(rest_text.split()) <= 6 and not rest_text.rstrip().endswith(":")):
                emit(s, e, "heading")
                continue
            emit(s, s + head.end(), "heading")
            s = rest
        elif marker and _initial_not_marker(marker.group("m"), text[s + marker.end() : e]):
            marker = None
            numbering.end_list()
        elif marker:
            numbering.push(marker.group("m"))
            s = s + marker.end()
        elif _is_heading_line(line) and not line.rstrip().endswith(":"):
            emit(s, e, "heading")
            continue
        else:
            numbering.end_list()
        sents = _sentences(nlp, text, s, e, rules, marks)
        for i, (a, b) in enumerate(sents):
            if text[a:b].endswith(":"):
                kind = "leadin"
            elif marker and i == 0:
                kind = "item"
            else:
                kind = "sentence"
            emit(a, b, kind)
    return out


def run(doc: Document, ctx: Context) -> None:
    segments: list[Segment] = []
    numbering = _Numbering()
    prev_lang: Optional[str] = None
    for page in doc.pages:
        blocks = page.blocks or [Block(start=0, end=len(page.text), lang=page.lang)]
        words = word_index(page)
        for i, block in enumerate(blocks):
            lang = block.lang or page.lang
            if prev_lang and lang and lang != prev_lang:
                numbering = _Numbering()  # the other language version numbers its clauses afresh
            prev_lang = lang or prev_lang
            segments.extend(segment_block(doc, page, i, block, ctx, numbering, words))
    doc.segments = segments
