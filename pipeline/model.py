"""The document model passed between pipeline stages.

Plain dataclasses, no behaviour beyond small helpers: every stage takes a
``Document`` and fills in more of it. Offsets are always character offsets
into ``Page.text`` (never into a re-joined document string) so that a fact's
evidence can be checked by slicing the page it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Optional

BBox = tuple[float, float, float, float]  # x0, y0, x1, y1 in page pixels/points (see Page.coord_unit)


@dataclass(slots=True)  # hundreds per page, made twice (load, layout): slots make them lighter
class Word:
    """A word with its position: from a PDF text layer or from OCR."""

    text: str
    start: int  # offset in Page.text
    end: int
    bbox: BBox
    conf: Optional[float] = None  # OCR confidence 0-100; None for text-layer words
    line: int = 0  # line number within the page, in reading order


@dataclass
class Block:
    """A run of page text read as one unit: a column, a paragraph or a region."""

    start: int  # offset in Page.text
    end: int
    lang: Optional[str] = None  # ISO 639-1, from language detection
    column: Optional[int] = None  # 0 = left/only column, 1 = right column
    bbox: Optional[BBox] = None


@dataclass
class Page:
    number: int  # 1-based
    text: str = ""
    source: str = "text"  # "plain" (text file) | "layer" (PDF text layer) | "ocr"
    route_reason: str = ""  # why the page was read the way it was (e.g. "no text layer")
    width: Optional[float] = None
    height: Optional[float] = None
    coord_unit: str = "pt"  # "pt" for text-layer coordinates, "px" for OCR image coordinates
    dpi: Optional[float] = None
    ocr_dpi: Optional[float] = None  # the resolution tesseract read the page image at (OCR pages)
    rotation: int = 0  # degrees the page image was turned before OCR
    skew: float = 0.0
    ocr_conf: Optional[float] = None  # mean word confidence on OCR pages
    ocr_lang: Optional[str] = None  # tesseract language string used, e.g. "spa+eng"
    image_hash: Optional[str] = None
    columns: int = 1
    lang: Optional[str] = None
    words: list[Word] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    # Rendered page image (PIL) handed from load to OCR; dropped after OCR so
    # that a long scan never holds every page image at once.
    image: Any = field(default=None, repr=False, compare=False)
    # Or, for long scans, a callable that renders the image on demand: OCR renders,
    # reads and drops one page at a time instead of load holding them all.
    render: Any = field(default=None, repr=False, compare=False)


@dataclass
class Evidence:
    """Where a fact comes from: ``doc.pages[page-1].text[start:end]`` is its text."""

    page: int
    start: int
    end: int
    bbox: Optional[BBox] = None
    confidence: Optional[float] = None  # OCR confidence of the words in the span
    low_confidence: bool = False


@dataclass
class Segment:
    """A sentence or clause, the unit extractors read."""

    text: str
    lang: str
    evidence: Evidence
    clause: Optional[str] = None  # legal numbering it sits under: "ARTÍCULO 3", "Article III", "1.", "a)"
    kind: str = "sentence"  # "heading" | "sentence" | "item" | "leadin"
    block: Optional[int] = None  # index in Page.blocks
    column: Optional[int] = None


@dataclass
class Party:
    name: str
    country: Optional[str] = None  # ISO 3166-1 alpha-2
    level: Optional[str] = None  # national | state | municipal | other
    kind: Optional[str] = None  # government | municipality | state | agency | university | other
    lang: Optional[str] = None
    aliases: list[str] = field(default_factory=list)
    evidence: Optional[Evidence] = None


@dataclass
class Signatory:
    name: str
    title: Optional[str] = None
    party: Optional[str] = None  # Party.name it signs for
    lang: Optional[str] = None
    evidence: Optional[Evidence] = None


@dataclass
class Commitment:
    text: str
    lang: str
    party: str = "all"  # "all" or a Party.name
    strength: str = "binding"  # binding | soft
    theme: Optional[str] = None
    clause: Optional[str] = None
    measurable: bool = False
    counterpart: Optional[int] = None  # index of the same commitment in the other language
    actions: list[str] = field(default_factory=list)  # list items carried by a lead-in
    score: Optional[float] = None  # classifier confidence
    evidence: Optional[Evidence] = None


@dataclass
class Indicator:
    text: str
    value: Optional[float] = None
    unit: Optional[str] = None
    period: Optional[str] = None  # ISO 8601 duration, e.g. "P1Y"
    kind: str = "quantity"  # quantity | money | percentage | deadline | frequency | cap
    currency: Optional[str] = None  # ISO 4217 for money
    deadline: Optional[str] = None  # ISO date or duration for deadlines
    commitment: Optional[int] = None  # index in Document.commitments
    lang: Optional[str] = None
    evidence: Optional[Evidence] = None


@dataclass
class DateFact:
    kind: str  # signed | entry_into_force | term | renewal | expiry | deadline | reporting
    value: Optional[str]  # ISO date, ISO duration, "indefinite", or "automatic" for renewal
    text: str
    lang: Optional[str] = None
    commitment: Optional[int] = None
    evidence: Optional[Evidence] = None


@dataclass
class Measurability:
    """Agreement-level measurability: a 0-100 score and the parts it is made of."""

    score: float = 0.0
    commitments: int = 0  # counted once per bilingual pair
    with_indicator: float = 0.0  # shares, 0-1
    with_deadline: float = 0.0
    with_party: float = 0.0
    with_money: float = 0.0
    reasons: list[str] = field(default_factory=list)


@dataclass
class FileError:
    path: str
    stage: str  # discover | load | ocr | layout | language | segment | extract | store
    error_class: str
    message: str


@dataclass
class Document:
    id: str  # sha256 of the file's bytes
    path: str
    media_type: str = ""
    size: int = 0
    title: Optional[str] = None
    kind: Optional[str] = None
    languages: list[str] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    signatories: list[Signatory] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    dates: list[DateFact] = field(default_factory=list)
    signed_on: Optional[str] = None
    term: Optional[str] = None
    themes: list[str] = field(default_factory=list)
    paper_only: Optional[bool] = None
    measurability: Measurability = field(default_factory=Measurability)
    errors: list[FileError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # The file's bytes while the document is being processed; never stored.
    data: Optional[bytes] = field(default=None, repr=False, compare=False)

    def page(self, number: int) -> Page:
        return self.pages[number - 1]

    def span_text(self, ev: Evidence) -> str:
        return self.pages[ev.page - 1].text[ev.start : ev.end]


_TRANSIENT = {"image", "render", "data"}


def to_dict(obj: Any) -> Any:
    """Like ``dataclasses.asdict`` but skips the transient fields (page images,
    file bytes) instead of deep-copying them."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in fields(obj) if f.name not in _TRANSIENT}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj
