"""Paper-only verdict and a 0-100 measurability score with its parts.

An agreement is paper-only when none of its commitments is measurable
(FORMAT.md). The score says how far from paper-only it is, from four shares
over its commitments — with an indicator, with a deadline, with a named
responsible party, with money attached — each stored so a reader can see why
the score is what it is. A commitment stated in both languages
(``Commitment.counterpart``) counts once.
"""

from __future__ import annotations

import re

from pipeline.context import Context
from pipeline.model import Commitment, Document, Measurability

#: Weights of the four shares; an indicator matters most, money least often present.
WEIGHTS = {"with_indicator": 0.55, "with_deadline": 0.15, "with_party": 0.15, "with_money": 0.15}

# Bodies that make a duty someone's job even when the party is "all".
_BODY = re.compile(
    r"\b(?:comisi[oó]n|comit[eé]|secretar[ií]a|ministerio|coordinador|coordinaci[oó]n|grupo\s+de\s+trabajo|consejo|"
    r"commission|committee|secretariat|ministry|coordinator|working\s+group|council|agency|agencia|department|departamento)\b",
    re.I,
)


def unique_commitments(doc: Document) -> list[int]:
    """Indexes of commitments counted once: the second of a bilingual pair is skipped."""
    out = []
    for i, c in enumerate(doc.commitments):
        if c.counterpart is not None and 0 <= c.counterpart < i and doc.commitments[c.counterpart].counterpart in (i, None):
            continue
        out.append(i)
    return out


def _has_party(doc: Document, c: Commitment) -> bool:
    if c.party and c.party != "all":
        return True
    if _BODY.search(c.text):
        return True
    return any(p.name and p.name.lower() in c.text.lower() for p in doc.parties)


def measure(doc: Document) -> Measurability:
    idx = unique_commitments(doc)
    by_commitment: dict[int, set[str]] = {}
    for ind in doc.indicators:
        if ind.commitment is not None:
            by_commitment.setdefault(ind.commitment, set()).add(ind.kind)
    # an indicator on either version of a bilingual pair counts for the pair
    for i, c in enumerate(doc.commitments):
        if c.counterpart is not None and i in by_commitment:
            by_commitment.setdefault(c.counterpart, set()).update(by_commitment[i])
    n = len(idx)
    m = Measurability(commitments=n)
    if not n:
        m.reasons = ["no commitments found: the text only states intentions, recitals or clauses about the agreement itself"]
        return m
    with_ind = [i for i in idx if by_commitment.get(i)]
    with_deadline = [i for i in idx if "deadline" in by_commitment.get(i, set())]
    with_money = [i for i in idx if "money" in by_commitment.get(i, set())]
    with_party = [i for i in idx if _has_party(doc, doc.commitments[i])]
    m.with_indicator = round(len(with_ind) / n, 3)
    m.with_deadline = round(len(with_deadline) / n, 3)
    m.with_money = round(len(with_money) / n, 3)
    m.with_party = round(len(with_party) / n, 3)
    m.score = round(100 * sum(WEIGHTS[k] * getattr(m, k) for k in WEIGHTS), 1)
    soft = sum(1 for i in idx if doc.commitments[i].strength == "soft")
    reasons = [f"{len(with_ind)} of {n} commitments have a measurable target (quantity, amount, deadline or frequency)"]
    if not with_ind:
        reasons[0] = f"none of the {n} commitments has a quantity, amount, deadline or frequency"
    if with_deadline:
        reasons.append(f"{len(with_deadline)} with a deadline")
    else:
        reasons.append("no commitment has a deadline")
    reasons.append("no money is committed" if not with_money else f"{len(with_money)} with money attached")
    reasons.append(f"{len(with_party)} of {n} name who is responsible")
    if soft:
        reasons.append(f"{soft} of {n} are soft (promote, endeavour, procurar)")
    m.reasons = reasons
    return m


def run(doc: Document, ctx: Context) -> None:
    doc.measurability = measure(doc)
    measurable = [doc.commitments[i] for i in range(len(doc.commitments)) if doc.commitments[i].measurable]
    doc.paper_only = not measurable
