"""ISO 8601 dates and durations as the explorer's canned queries need them.

Stored dates may be partial ("2001", "1990-05": the text gave no more) and
terms or entry-into-force delays are ISO 8601 durations ("P5Y", "P18M",
"P30D"). SQLite's date functions cannot add "P1Y6M" to a date, and silently
turn "2001" into a wrong date, so the convenio plugin registers these as SQL
functions (``convenio_date``, ``convenio_add``) for the date queries.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Optional

from dateutil.relativedelta import relativedelta

_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?)?$")


def iso_date(value: Optional[str]) -> Optional[str]:
    """``value`` if it is a complete calendar date (YYYY-MM-DD), else None.

    A partial date ("2001", "1990-05") cannot place a window or a term end on
    a day, so the queries leave such agreements out rather than guess.
    """
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def duration(value: Optional[str]) -> Optional[relativedelta]:
    """An ISO 8601 duration ("P5Y", "P1Y6M", "P30D", "PT72H") as a relativedelta; None
    for anything else, including "indefinite" and zero-length durations."""
    match = _DURATION.match(value or "") if isinstance(value, str) else None
    if not match or not any(match.groups()):
        return None
    years, months, weeks, days, hours = (int(g) if g else 0 for g in match.groups())
    delta = relativedelta(years=years, months=months, weeks=weeks, days=days, hours=hours)
    # Hours only matter in whole days here; a zero step would make a renewal cycle loop forever.
    if not (years or months or weeks or days or hours >= 24):
        return None
    return delta


def add_duration(start: Optional[str], period: Optional[str]) -> Optional[str]:
    """The date ``period`` after ``start`` ("2019-05-10" + "P5Y" = "2024-05-10"), or None
    when either is missing, partial or not a duration."""
    day = iso_date(start)
    delta = duration(period)
    if day is None or delta is None:
        return None
    return (date.fromisoformat(day) + delta).isoformat()
