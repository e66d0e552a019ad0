"""Shared helpers for the fact extractors: where text sits and which language it is in.

Extractors read ``Page.text`` directly (offsets must point into it), so these
helpers work on (page, offset) pairs rather than on a joined document string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from extractors import fastre
from pipeline.model import Document, Evidence, Page

RULES_DIR = Path(__file__).resolve().parent / "rules"

_ES_HINTS = {"el", "la", "los", "las", "de", "del", "y", "que", "en", "por", "para", "con", "se", "su", "sus", "partes", "presente"}
_EN_HINTS = {"the", "of", "and", "to", "in", "for", "with", "by", "shall", "will", "this", "that", "be", "parties", "agreement"}


@lru_cache(maxsize=None)
def load_rules(name: str) -> Any:
    """Read a rules file shipped in ``extractors/rules``; read-only data, so caching it is safe."""
    return json.loads((RULES_DIR / name).read_text(encoding="utf-8"))


def guess_lang(text: str) -> Optional[str]:
    """Spanish or English by function words: cheap, and reliable on a sentence or more."""
    words = re.findall(r"[a-záéíóúñ]+", text.lower())
    es = sum(w in _ES_HINTS for w in words)
    en = sum(w in _EN_HINTS for w in words)
    if not es and not en:
        return None
    return "es" if es > en else "en"


def lang_at(doc: Document, page_no: int, offset: int, window: str = "") -> str:
    """Language of the text at ``offset``: its block's, else the page's, else a guess."""
    page = doc.pages[page_no - 1]
    for block in page.blocks:
        if block.start <= offset < block.end and block.lang:
            return block.lang
    if page.lang and (len(doc.languages) <= 1 or not window):
        return page.lang
    guess = guess_lang(window) if window else None
    return guess or page.lang or (doc.languages[0] if doc.languages else None) or guess_lang(page.text) or "es"


def doc_lang(doc: Document) -> str:
    if doc.languages:
        return doc.languages[0]
    for page in doc.pages:
        if page.lang:
            return page.lang
    return guess_lang(" ".join(p.text[:4000] for p in doc.pages)) or "es"


@dataclass
class Para:
    """A paragraph of page text (lines up to a blank line) with its offsets."""

    page: int
    start: int
    end: int
    text: str


def paragraphs(doc: Document) -> Iterator[Para]:
    for page in doc.pages:
        yield from page_paragraphs(page)


# Text layers and OCR keep one line per printed line and often no blank line
# between paragraphs, so a paragraph also ends at a line that closes a sentence
# or before a line that opens a clause ("ARTÍCULO 2", "WHEREAS", "3.", "b)").
PARA_BREAK = fastre.compile(
    r"\n[ \t]*\n\s*|(?<=[.:;])[ \t]*\n\s*|\n(?=[ \t]*(?:ART[IÍ]CULO|Art[ií]culo|ARTICLE|Article|CL[AÁ]USULA|Cl[aá]usula|"
    r"PRIMER|SEGUND|TERCER|CUART|QUINT|SEXT|S[EÉ]PTIM|OCTAV|NOVEN|D[EÉ]CIM|Considerando|CONSIDERANDO|WHEREAS|Whereas|SECTION|Section|"
    r"Por\s+el|Por\s+la|POR\s+EL|POR\s+LA|For\s+the|FOR\s+THE|\d{1,2}\s*[.)]\s|[a-z]\)\s|[IVX]{1,5}\.\s))"
)


def page_paragraphs(page: Page) -> Iterator[Para]:
    pos = 0
    text = page.text
    for m in list(PARA_BREAK.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        if body:
            start = pos + lead
            yield Para(page.number, start, start + len(body), body)
        pos = m.end() if m else len(text)


def evidence(page: int, start: int, end: int, doc: Optional[Document] = None, low_conf: float = 60.0) -> Evidence:
    """Evidence for a span, carrying OCR confidence and a box when the page has words."""
    ev = Evidence(page=page, start=start, end=end)
    if doc is None:
        return ev
    words = [w for w in doc.pages[page - 1].words if w.end > start and w.start < end]
    if words:
        boxes = [w.bbox for w in words if w.bbox]
        if boxes:
            ev.bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        confs = [w.conf for w in words if w.conf is not None]
        if confs:
            ev.confidence = round(sum(confs) / len(confs), 1)
            ev.low_confidence = ev.confidence < low_conf
    return ev


def locate(doc: Document, text: str, near: Optional[Evidence] = None) -> Optional[Evidence]:
    """Find ``text`` in the pages, preferring the occurrence inside or after ``near``."""
    if not text:
        return None
    pages = list(doc.pages)
    if near is not None:
        page = doc.pages[near.page - 1]
        idx = page.text.find(text, max(0, near.start - 5))
        if idx < 0:
            idx = page.text.find(text)
        if idx >= 0:
            return evidence(page.number, idx, idx + len(text), doc)
    for page in pages:
        idx = page.text.find(text)
        if idx >= 0:
            return evidence(page.number, idx, idx + len(text), doc)
    return None
