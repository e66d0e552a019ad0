"""Complete the countries of ``extractors/rules/places.json`` from ISO 3166-1.

The hand-kept entries (names as agreements write them, demonyms, short forms
such as "EE.UU.") stay as they are; every ISO country they lack is added with
its English and Spanish short and official names, so that a party such as
"the Government of the Lao People's Democratic Republic" or "el Gobierno del
Reino de Camboya" gets its country. Run when pycountry publishes new data:

    python -m corpus.gazetteer            # rewrites extractors/rules/places.json
    python -m corpus.gazetteer --check    # exit 1 if countries are missing

pycountry is a development dependency only (``pip install -e '.[data]'``);
convenio reads the JSON at run time.
"""

from __future__ import annotations

import argparse
import gettext
import json
import sys
from pathlib import Path

PLACES = Path(__file__).resolve().parent.parent / "extractors" / "rules" / "places.json"

# Bare short names that are also common first names or English words: only the
# official forms ("Republic of Chad") are safe to look for in running text.
AMBIGUOUS_SHORT = {"TD": {"Chad"}, "DM": {"Dominica"}, "GE": {"Georgia"}, "JE": {"Jersey"}, "TG": {"Togo"}}
# Territories that never sign cooperation agreements in their own name would only
# add false hits ("Heard Island", "Bouvet").
SKIP = {"AQ", "BV", "HM", "TF", "UM", "IO", "CX", "CC", "NF", "SJ", "PN", "GS", "AX", "WF", "TK", "NU", "MS", "BL", "MF", "SX", "BQ", "CW"}


def iso_names() -> dict[str, dict[str, list[str]]]:
    import pycountry

    es = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    out: dict[str, dict[str, list[str]]] = {}
    for c in pycountry.countries:
        if c.alpha_2 in SKIP:
            continue
        en = [c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)]
        es_names = [es.gettext(n) for n in en if n]
        banned = AMBIGUOUS_SHORT.get(c.alpha_2, set())
        out[c.alpha_2] = {
            "en": _unique(n for n in en if n and n not in banned),
            "es": _unique(n for n in es_names if n and n not in banned),
            "adj": [],
        }
    return out


def _unique(names) -> list[str]:
    seen: list[str] = []
    for n in names:
        # "Bolivia, Plurinational State of": the inverted ISO form never appears in a text.
        if "," in n or n in seen:
            continue
        seen.append(n)
    return seen


def complete(places: dict) -> list[str]:
    """Add the ISO countries ``places`` lacks; returns their codes."""
    added = []
    for code, names in iso_names().items():
        if code in places["countries"] or not (names["en"] or names["es"]):
            continue
        places["countries"][code] = names
        added.append(code)
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report missing countries")
    args = parser.parse_args(argv)
    places = json.loads(PLACES.read_text(encoding="utf-8"))
    added = complete(places)
    if args.check:
        print(f"{len(added)} ISO countries missing" + (f": {' '.join(sorted(added))}" if added else ""))
        return 1 if added else 0
    PLACES.write_text(json.dumps(places, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"added {len(added)} countries to {PLACES.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
