"""The extract stage: run the fact extractors in dependency order.

Parties come first (commitments are attributed to them), commitments before
alignment and indicators (indicators attach to the commitment they measure),
and the measurability verdict last.
"""

from __future__ import annotations

from extractors import (
    alignment,
    commitments,
    dates,
    indicators,
    measurability,
    metadata,
    parties,
    signatories,
    themes,
)
from pipeline.context import Context
from pipeline.model import Document

EXTRACTORS = [
    metadata.run,
    parties.run,
    signatories.run,
    dates.run,
    commitments.run,
    alignment.run,
    indicators.run,
    themes.run,
    measurability.run,
]


# Extractors that build rules or load data lazily, and can do it before the first document.
WARM_UPS = [parties.warm_up, commitments.warm_up]


def warm_up(ctx: Context) -> None:
    for step in WARM_UPS:
        step(ctx)


def run(doc: Document, ctx: Context) -> None:
    for extractor in EXTRACTORS:
        extractor(doc, ctx)
