"""Layout stage: reading order, columns and blocks.

Text-layer and OCR pages are handled alike, from word boxes: a two-column page
is recognised by a vertical band of white (the gutter) that almost no word
crosses, each column is read top to bottom in full, the left one first, and
the page text is rebuilt so that lines of the two columns can never
interleave. Lines that cross the gutter (a title over both columns, a closing
line under them) are read before or after the columns.

Blocks: on a two-column page one block per column (``column`` 0 and 1) plus
any header/footer lines across both (``column`` None); on a single-column page
one block per paragraph. Plain-text pages get paragraph blocks from blank lines.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import accumulate
from statistics import median
from typing import Optional


from pipeline.context import Context
from pipeline.model import Block, BBox, Document, Page, Word

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
GUTTER_MIN_SHARE = 0.015  # of the text width: narrower white bands are word spaces lining up
SIDE_MIN_SHARE = 0.15  # each column holds at least this share of the words
MIN_COLUMN_LINES = 3


@dataclass
class Row:
    words: list[Word] = field(default_factory=list)
    top: float = 0.0
    bottom: float = 0.0

    def add(self, word: Word) -> None:
        if not self.words:
            self.top, self.bottom = word.bbox[1], word.bbox[3]
        else:
            self.top, self.bottom = min(self.top, word.bbox[1]), max(self.bottom, word.bbox[3])
        self.words.append(word)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def left(self) -> float:
        return min(w.bbox[0] for w in self.words)


def run(doc: Document, ctx: Context) -> None:
    for page in doc.pages:
        if page.words:
            arrange(page)
        else:
            page.blocks = paragraph_blocks(page.text)
            page.columns = 1


def paragraph_blocks(text: str, column: int = 0, offset: int = 0) -> list[Block]:
    """One block per paragraph (blank-line separated), spans trimmed of surrounding whitespace."""
    blocks = []
    start = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            s = start + chunk.index(stripped[0])
            blocks.append(Block(start=offset + s, end=offset + s + len(stripped), column=column))
        if match:
            start = match.end()
    return blocks


# --- columns ------------------------------------------------------------------


def _cover(words: list[Word], x0: float, unit: float, bins: int) -> list[int]:
    """How many words cover each of ``bins`` bins of width ``unit`` from ``x0``.

    A word covers the slice ``[int(left), ceil(right))`` of the bins, as a Python
    slice reads it (a negative stop counts from the end). Counted with a difference
    list: one update per word instead of one per bin.
    """
    diff = [0] * (bins + 1)
    for w in words:
        a = int((w.bbox[0] - x0) / unit)
        b = math.ceil((w.bbox[2] - x0) / unit)
        start, stop = max(0, a), min(bins, b)
        if stop < 0:
            stop = max(0, stop + bins)
        if start < stop:
            diff[start] += 1
            diff[stop] -= 1
    return list(accumulate(diff[:bins]))


def find_gutter(words: list[Word]) -> Optional[tuple[float, float]]:
    """(left, right) x of the white band between two columns, or None for a single column."""
    if len(words) < 20:
        return None
    x0 = min(w.bbox[0] for w in words)
    x1 = max(w.bbox[2] for w in words)
    width = x1 - x0
    if width <= 0:
        return None
    bins = 500
    unit = width / bins
    cover = _cover(words, x0, unit, bins)
    n_rows = len({w.line for w in words}) or 1
    # Titles and closing lines may cross the gutter; prose never leaves a white band this wide.
    tolerance = max(2, int(0.08 * n_rows))
    lo, hi = int(bins * 0.25), int(bins * 0.75)
    best: tuple[int, int] | None = None
    run_start = None
    for i in range(lo, hi + 1):
        free = i < hi and cover[i] <= tolerance
        if free and run_start is None:
            run_start = i
        elif not free and run_start is not None:
            if best is None or i - run_start > best[1] - best[0]:
                best = (run_start, i)
            run_start = None
    # A gutter is several word spaces wide: judged against the text's own size, since a
    # short page holding one narrow column has word spaces that line up by chance.
    heights = sorted(w.bbox[3] - w.bbox[1] for w in words)
    min_width = max(width * GUTTER_MIN_SHARE, 1.5 * heights[len(heights) // 2])
    if best is None or (best[1] - best[0]) * unit < min_width:
        return None
    # Widen to the real white band (the run was clipped to the central half).
    a, b = best
    while a > 0 and cover[a - 1] <= tolerance:
        a -= 1
    while b < bins and cover[b] <= tolerance:
        b += 1
    left_edge, right_edge = x0 + a * unit, x0 + b * unit
    left = [w for w in words if w.bbox[2] <= left_edge + unit]
    right = [w for w in words if w.bbox[0] >= right_edge - unit]
    if min(len(left), len(right)) < SIDE_MIN_SHARE * len(words):
        return None
    if min(len(_rows(left)), len(_rows(right))) < MIN_COLUMN_LINES:
        return None
    return left_edge, right_edge


# --- rows ---------------------------------------------------------------------


def _overlap(a_top: float, a_bottom: float, b_top: float, b_bottom: float) -> float:
    inter = min(a_bottom, b_bottom) - max(a_top, b_top)
    return inter / max(1e-6, min(a_bottom - a_top, b_bottom - b_top))


def _disjoint(a: Row, b: Row) -> bool:
    a0, a1 = a.left, max(w.bbox[2] for w in a.words)
    b0, b1 = b.left, max(w.bbox[2] for w in b.words)
    return a1 <= b0 or b1 <= a0


def _rows(words: list[Word]) -> list[Row]:
    """Visual lines: the source's lines (PDFium or tesseract), merged when they share a baseline band."""
    by_line: dict[int, list[Word]] = defaultdict(list)
    for w in words:
        by_line[w.line].append(w)
    # As Row.add would build them word by word: the first of equal values is kept either way.
    lines = [Row(ws, min(w.bbox[1] for w in ws), max(w.bbox[3] for w in ws)) for ws in by_line.values()]
    candidates = sorted(lines, key=lambda r: (r.top + r.bottom) / 2)
    rows: list[Row] = []
    for row in candidates:
        target = None
        for prev in reversed(rows[-3:]):
            # Same band and side by side: one visual line the source cut in two. Lines that
            # overlap horizontally are distinct lines, however close (skewed scans).
            if _overlap(prev.top, prev.bottom, row.top, row.bottom) >= 0.6 and _disjoint(prev, row):
                target = prev
                break
        if target is None:
            rows.append(row)
        else:
            for w in row.words:
                target.add(w)
    for row in rows:
        row.words.sort(key=lambda w: w.bbox[0])
    rows.sort(key=lambda r: r.top)
    return rows


def _paragraphs(rows: list[Row]) -> list[list[Row]]:
    """Split rows into paragraphs where the vertical gap is clearly wider than the line spacing."""
    if not rows:
        return []
    gaps = [rows[i].top - rows[i - 1].bottom for i in range(1, len(rows))]
    heights = [r.height for r in rows if r.height > 0]
    line_h = median(heights) if heights else 0.0
    typical = median(gaps) if gaps else 0.0
    threshold = max(typical, 0.0) + 0.6 * line_h
    paragraphs = [[rows[0]]]
    for gap, row in zip(gaps, rows[1:]):
        if gap > threshold:
            paragraphs.append([row])
        else:
            paragraphs[-1].append(row)
    return paragraphs


# --- page assembly ------------------------------------------------------------


@dataclass
class _Region:
    column: Optional[int]
    paragraphs: list[list[Row]]
    per_paragraph: bool  # one block per paragraph, or one for the whole region


def _union(words: list[Word]) -> BBox:
    return (
        min(w.bbox[0] for w in words),
        min(w.bbox[1] for w in words),
        max(w.bbox[2] for w in words),
        max(w.bbox[3] for w in words),
    )


def arrange(page: Page) -> None:
    words = page.words
    gutter = find_gutter(words)
    if gutter is None:
        regions = [_Region(0, _paragraphs(_rows(words)), per_paragraph=True)]
        page.columns = 1
    else:
        regions = _column_regions(words, gutter)
        page.columns = 2
    _assemble(page, regions)


def _column_regions(words: list[Word], gutter: tuple[float, float]) -> list[_Region]:
    left_edge, right_edge = gutter
    mid = (left_edge + right_edge) / 2
    spanning: list[Word] = []
    rest: list[Word] = []
    for row in _rows(words):
        lw = [w for w in row.words if (w.bbox[0] + w.bbox[2]) / 2 < mid]
        rw = [w for w in row.words if (w.bbox[0] + w.bbox[2]) / 2 >= mid]
        if lw and rw:
            # Across the gutter the row has only a word space (or a word on it): a title or a
            # closing line over both columns, not two column lines that happen to align.
            gap = min(w.bbox[0] for w in rw) - max(w.bbox[2] for w in lw)
            if gap < 0.5 * (right_edge - left_edge):
                spanning.extend(row.words)
                continue
        rest.extend(row.words)
    left = [w for w in rest if (w.bbox[0] + w.bbox[2]) / 2 < mid]
    right = [w for w in rest if (w.bbox[0] + w.bbox[2]) / 2 >= mid]
    top = min((w.bbox[1] for w in rest), default=0.0)
    bottom = max((w.bbox[3] for w in rest), default=0.0)
    header_rows, footer_rows = [], []
    for row in _rows(spanning):
        if row.bottom <= top + 1:
            header_rows.append(row)
        elif row.top >= bottom - 1:
            footer_rows.append(row)
        else:
            # A line across the gutter between column lines belongs with the column it starts in.
            (left if row.left < mid else right).extend(row.words)
    regions = []
    if header_rows:
        regions.append(_Region(None, _paragraphs(header_rows), per_paragraph=True))
    regions.append(_Region(0, _paragraphs(_rows(left)), per_paragraph=False))
    regions.append(_Region(1, _paragraphs(_rows(right)), per_paragraph=False))
    if footer_rows:
        regions.append(_Region(None, _paragraphs(footer_rows), per_paragraph=True))
    return regions


def _assemble(page: Page, regions: list[_Region]) -> None:
    parts: list[str] = []
    pos = 0
    new_words: list[Word] = []
    blocks: list[Block] = []
    line_no = 0

    def emit(s: str) -> None:
        nonlocal pos
        parts.append(s)
        pos += len(s)

    for region in regions:
        if not region.paragraphs:
            continue
        region_start: Optional[int] = None
        region_words: list[Word] = []
        for paragraph in region.paragraphs:
            if parts:
                emit("\n\n")
            para_start = pos
            para_words: list[Word] = []
            for r_index, row in enumerate(paragraph):
                if r_index:
                    emit("\n")
                # Words joined by single spaces: offsets follow from the text lengths.
                for w_index, word in enumerate(row.words):
                    if w_index:
                        pos += 1
                    end = pos + len(word.text)
                    para_words.append(Word(word.text, pos, end, word.bbox, word.conf, line_no))
                    pos = end
                parts.append(" ".join([w.text for w in row.words]))
                line_no += 1
            new_words.extend(para_words)
            if region_start is None:
                region_start = para_start
            region_words.extend(para_words)
            if region.per_paragraph and para_words:
                blocks.append(Block(start=para_start, end=pos, column=region.column, bbox=_union(para_words)))
        if not region.per_paragraph and region_words:
            blocks.append(Block(start=region_start or 0, end=pos, column=region.column, bbox=_union(region_words)))
    page.text = "".join(parts)
    page.words = new_words
    page.blocks = blocks
