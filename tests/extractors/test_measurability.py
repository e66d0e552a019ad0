"""Paper-only verdict and the measurability score's parts."""

from __future__ import annotations

from extractors import measurability
from pipeline.context import Context
from pipeline.model import Commitment, Document, Indicator, Party


def doc_with(commitments: list[Commitment], indicators: list[Indicator]) -> Document:
    doc = Document(id="t", path="t.txt", commitments=commitments, indicators=indicators)
    doc.parties = [Party(name="Municipio de Tijuana"), Party(name="City of San Diego")]
    for ind in indicators:
        if ind.commitment is not None:
            commitments[ind.commitment].measurable = True
    return doc


def test_no_commitments_is_paper_only_with_a_reason() -> None:
    doc = doc_with([], [])
    measurability.run(doc, Context())
    assert doc.paper_only is True
    assert doc.measurability.score == 0
    assert "no commitments" in doc.measurability.reasons[0]


def test_soft_unmeasured_commitments_are_paper_only() -> None:
    doc = doc_with([Commitment(text="Las Partes promoverán el turismo.", lang="es", strength="soft")], [])
    measurability.run(doc, Context())
    assert doc.paper_only is True
    assert doc.measurability.with_indicator == 0
    assert any("soft" in r for r in doc.measurability.reasons)


def test_shares_count_bilingual_pairs_once() -> None:
    cs = [
        Commitment(text="El Municipio de Tijuana aportará 50 mil pesos.", lang="es", party="Municipio de Tijuana", counterpart=2),
        Commitment(text="Las Partes intercambiarán información.", lang="es"),
        Commitment(text="The Municipality of Tijuana will contribute 50 thousand pesos.", lang="en", party="Municipio de Tijuana", counterpart=0),
        Commitment(text="La Comisión se instalará dentro de 30 días.", lang="es"),
    ]
    inds = [
        Indicator(text="50 mil pesos", value=50000, kind="money", currency="MXN", commitment=0),
        Indicator(text="50 thousand pesos", value=50000, kind="money", currency="MXN", commitment=2),
        Indicator(text="dentro de 30 días", value=30, kind="deadline", deadline="P30D", commitment=3),
    ]
    doc = doc_with(cs, inds)
    measurability.run(doc, Context())
    m = doc.measurability
    assert doc.paper_only is False
    assert m.commitments == 3
    assert (m.with_indicator, m.with_money, m.with_deadline) == (round(2 / 3, 3), round(1 / 3, 3), round(1 / 3, 3))
    assert m.with_party == round(2 / 3, 3)  # a named party, and a body (the Commission)
    expected = 100 * sum(measurability.WEIGHTS[k] * getattr(m, k) for k in measurability.WEIGHTS)
    assert m.score == round(expected, 1)
    assert 0 < m.score < 100
