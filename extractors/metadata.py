"""Title and kind of agreement.

The title is the agreement's own heading as written: the first paragraph of
the first page (lines of an all-caps heading joined), skipping record
furniture such as "ORDINANCE NO ..." or "Nr. I". The kind comes from cue
words in the title first, then in the opening text.
"""

from __future__ import annotations

import re
from typing import Optional

from pipeline.context import Context
from pipeline.model import Document

_FURNITURE = re.compile(r"^(?:nr\.?|no\.?|n[uú]m\.?|ordinance\s+no|resolution\s+no|ley\s+\d|page|p[aá]gina|\d+)\b[^\n]{0,30}$", re.I)
_KINDS = [
    ("sister_city", r"sister[- ]?cit(?:y|ies)|sisterhood|ciudades?\s+herman|hermanamiento|twin(?:ning)?\s+cit"),
    ("friendship_city", r"friendship\s+cit|ciudades?\s+amigas?|amistad\s+entre\s+las\s+ciudades|friendly\s+cit"),
    ("mou", r"memorand(?:um|o)\s+(?:of|de)\s+entendimiento|memorandum\s+of\s+understanding|\bmou\b|carta\s+de\s+intenci[oó]n|letter\s+of\s+intent"),
    ("interinstitutional", r"interinstitucional|inter-?institutional"),
    ("cooperation", r"cooperaci[oó]n|colaboraci[oó]n|cooperation|collaboration|interlocal|coordinaci[oó]n"),
    ("treaty", r"\btratado\b|\btreaty\b|\bconvenci[oó]n\b|\bconvention\b|\bprotocolo\b|\bprotocol\b"),
    ("other", r"proclamation|proclama|\bordinance\b|ordenanza|\bcode\b|c[oó]digo|reglamento|§"),
]
_GOV_AGREEMENT = re.compile(r"\b(?:acuerdo|convenio|agreement)\b[^\n]{0,80}\b(?:gobierno|government|rep[uú]blica|republic)\b", re.I)


def title(doc: Document) -> Optional[str]:
    if not doc.pages:
        return None
    for para in re.split(r"\n\s*\n", doc.pages[0].text.strip()):
        lines = [ln.strip() for ln in para.strip().splitlines() if ln.strip()]
        if not lines:
            continue
        if len(lines) == 1 and _FURNITURE.match(lines[0]):
            continue
        text = " ".join(lines)
        # a running first paragraph (no heading) gives its first sentence, capped
        if len(text) > 400:
            text = re.split(r"(?<=[.;:])\s", text, maxsplit=1)[0][:400]
        return text
    return None


def kind(doc: Document, heading: Optional[str]) -> str:
    opening = doc.pages[0].text[:1500] if doc.pages else ""
    for source in (heading or "", opening):
        for name, pattern in _KINDS:
            if re.search(pattern, source, re.I):
                return name
        if source is heading and _GOV_AGREEMENT.search(source):
            return "treaty"
    return "other"


def run(doc: Document, ctx: Context) -> None:
    doc.title = title(doc)
    doc.kind = kind(doc, doc.title)
