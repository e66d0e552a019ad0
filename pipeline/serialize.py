"""Document → JSON in the gold annotation format (FORMAT.md), plus evidence fields.

Field names and values follow the gold format so that ``convenio extract``
output can be scored by the reference scorer as it is; every extracted item
also carries ``page``, ``start`` and ``end`` (and ``bbox``/``confidence`` for
scanned pages).
"""

from __future__ import annotations

from typing import Any, Optional

from pipeline.model import Document, Evidence


def _evidence(ev: Optional[Evidence]) -> dict[str, Any]:
    if ev is None:
        return {"page": None, "start": None, "end": None}
    out: dict[str, Any] = {"page": ev.page, "start": ev.start, "end": ev.end}
    if ev.bbox is not None:
        out["bbox"] = list(ev.bbox)
    if ev.confidence is not None:
        out["confidence"] = ev.confidence
        out["low_confidence"] = ev.low_confidence
    return out


def to_format(doc: Document, doc_id: Optional[str] = None) -> dict[str, Any]:
    m = doc.measurability
    return {
        "id": doc_id or doc.id,
        "source": doc.path,
        "title": doc.title,
        "kind": doc.kind,
        "languages": doc.languages,
        "parties": [
            {"name": p.name, "country": p.country, "level": p.level, "kind": p.kind, "lang": p.lang, **_evidence(p.evidence)}
            for p in doc.parties
        ],
        "signatories": [
            {"name": s.name, "title": s.title, "party": s.party, **_evidence(s.evidence)} for s in doc.signatories
        ],
        "signed_on": doc.signed_on,
        "term": doc.term,
        "themes": doc.themes,
        "commitments": [
            {
                "text": c.text,
                "lang": c.lang,
                "party": c.party,
                "strength": c.strength,
                "measurable": c.measurable,
                "theme": c.theme,
                "clause": c.clause,
                "counterpart": c.counterpart,
                "actions": c.actions,
                **_evidence(c.evidence),
            }
            for c in doc.commitments
        ],
        "indicators": [
            {
                "text": i.text,
                "value": i.value,
                "unit": i.unit,
                "period": i.period,
                "kind": i.kind,
                "currency": i.currency,
                "deadline": i.deadline,
                "commitment": i.commitment,
                **_evidence(i.evidence),
            }
            for i in doc.indicators
        ],
        "dates": [
            {"kind": d.kind, "value": d.value, "text": d.text, "commitment": d.commitment, **_evidence(d.evidence)}
            for d in doc.dates
        ],
        "paper_only": doc.paper_only,
        "measurability": {
            "score": m.score,
            "commitments": m.commitments,
            "with_indicator": m.with_indicator,
            "with_deadline": m.with_deadline,
            "with_party": m.with_party,
            "with_money": m.with_money,
            "reasons": m.reasons,
        },
        "pages": [
            {"number": p.number, "source": p.source, "route_reason": p.route_reason, "lang": p.lang, "ocr_conf": p.ocr_conf}
            for p in doc.pages
        ],
        "errors": [{"stage": e.stage, "error_class": e.error_class, "message": e.message} for e in doc.errors],
    }
