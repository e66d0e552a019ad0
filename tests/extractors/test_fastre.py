"""fastre: rearranged regular expressions match exactly as ``re`` compiles them."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from extractors import commitments, dates, fastre, indicators, themes
from pipeline.context import REPO_ROOT, Context

TRICKY = "abcçdeéfghiıİjkKlmnñoópqrsſßtuúüvwxyzABCÑÉ0123456789٣ .,;:()-\n%$€µμσςΣ_"

PATTERNS = [
    (r"\b(?:uno|una|dos|tres|cuatro|cinco|cero|ciento|cien)\b", re.I),
    (r"(?:hasta|como\s+m[aá]ximo|up\s+to|at\s+most)?\s*(?P<n>\d+|diez|once)\s+(?:d[ií]as?|years?)", re.I),
    (r"(?:ı|i|İ|ſ|s|K|k|µ|μ|σ|ς|ß)+x?", re.I),
    (r"(?:ı|i|İ|ſ|s|K|k|µ|μ|σ|ς|ß)+x?", 0),
    (r"(?:ab|ac|ad|b|c)(?=x)|(?<=y)(?:zz|zy|zx)", 0),
    (r"(?:(a)|(b)|(c)|(?P<d>d))+", re.I),
    (r"(?:\d+|\s+|\w+|[^a]|é)", 0),
    (r"(?:\d{1,3}(?:[.,]\d{3})+|\d+|once|doce|[a-c]x)\s*%", re.I),
    (r"^(?:foo|bar|baz|qux)$", re.M),
    (r"(a|b|c)\1", 0),
    (r"(a)?(?(1)b|c)(?:b|c|d)", 0),
    (r"(?i:abc|abd|xyz)q|(?-i:Ab|Ac|Ad)z", re.I),
    (r"(?:ab|ac|k|K)", re.I | re.A),
    ("(?:ab  # first\n |ac|ad)  # comment", re.X),
    (r"(?:(?=a)ab|(?!b)ac|\bad|(?<=x)ae)", 0),
    (r"(?:[a-f]+|[e-k]x|[0-9]|,)+?(?:y|z|\n|$)", re.I),
    (r"(?>ab|a|abc)c", 0),
    (r"(?:a|b|c|)+d", 0),
]


def signature(pattern: re.Pattern[str], text: str) -> list[tuple]:
    out = [(m.span(), m.groups(), m.groupdict(), m.lastindex, m.lastgroup) for m in pattern.finditer(text)]
    for pos in range(0, len(text) + 1, 3):
        for method in (pattern.search, pattern.match, pattern.fullmatch):
            m = method(text, pos)
            out.append(m and (m.span(), m.groups(), m.lastindex))
    out.append(pattern.sub(lambda m: f"<{m.group(0)}>", text))
    out.append(pattern.split(text))
    return out


@pytest.mark.parametrize(("source", "flags"), PATTERNS)
def test_rearranged_patterns_match_like_re(source: str, flags: int) -> None:
    plain, fast = re.compile(source, flags), fastre.compile(source, flags)
    assert (fast.pattern, fast.flags, fast.groups, fast.groupindex) == (plain.pattern, plain.flags, plain.groups, plain.groupindex)
    rng = random.Random(source)
    for _ in range(400):
        text = "".join(rng.choice(TRICKY) for _ in range(rng.randrange(40)))
        assert signature(fast, text) == signature(plain, text), text


COMPILED = (re.Pattern, fastre.Prefiltered)


def _extractor_patterns() -> list[re.Pattern[str]]:
    found = [v for m in (indicators, dates, commitments) for v in vars(m).values() if isinstance(v, COMPILED)]
    found += dates._DAY_LED_DATES  # in a tuple, which the scan above does not open
    ctx = Context()
    for lang in commitments.LANGS:
        rules = commitments.get_rules(ctx, lang)
        for key in rules.raw:
            value = getattr(rules, key, None) if key in type(rules).__dict__ else None
            if isinstance(value, list):
                found += [p for p in value if isinstance(p, COMPILED)]
            elif isinstance(value, COMPILED):
                found.append(value)
        found += [p for ps in rules.exclusions.values() for p in ps]
    found += list(themes.load_lexicon().values())
    return found


def test_extractor_patterns_are_rearranged_without_falling_back() -> None:
    patterns = _extractor_patterns()
    assert len(patterns) > 100
    assert any(isinstance(p, fastre.Prefiltered) for p in patterns)
    for pattern in patterns:
        fastre._rearranged(pattern.pattern, pattern.flags)  # raises where compile() would fall back


def test_extractor_patterns_match_like_re_on_agreements() -> None:
    texts = [p.read_text(encoding="utf-8") for folder in (REPO_ROOT.parent / "shared" / "corpus" / "real", REPO_ROOT / "corpus" / "heldout")
             for p in sorted(Path(folder).glob("*.txt"))]
    assert texts
    for pattern in _extractor_patterns():
        plain = re.compile(pattern.pattern, pattern.flags)
        for text in texts:
            assert [(m.span(), m.groups()) for m in pattern.finditer(text)] == [(m.span(), m.groups()) for m in plain.finditer(text)]


def test_either_says_none_exactly_when_no_pattern_matches() -> None:
    patterns = [re.compile(p, re.I) for p in (r"\bhasta\b", r"se\s+comprometen?", r"(?P<n>\d+)\s*%", r"(?<=de )la")]
    joined = fastre.either(patterns)
    assert joined is not None
    rng = random.Random(7)
    words = ["hasta", "Se", "comprometen", "42 %", "de la", "la", "HASTAS", "x", " ", "ſe comprometen"]
    for _ in range(500):
        text = " ".join(rng.choice(words) for _ in range(rng.randrange(6)))
        assert (joined.search(text) is None) == all(p.search(text) is None for p in patterns), text


@pytest.mark.parametrize(
    "patterns",
    [
        [re.compile(r"(a)\1"), re.compile("b")],  # back-reference: numbering would change
        [re.compile("(?P<x>a)"), re.compile("(?P<x>b)")],  # clashing names
        [re.compile("a", re.I), re.compile("b")],  # mixed flags
        [re.compile("(?i)a"), re.compile("(?i)b")],  # inline global flags
        [re.compile("a # x", re.X), re.compile("b", re.X)],  # verbose comments
        [re.compile("a")],  # nothing to join
    ],
)
def test_either_refuses_what_it_cannot_join(patterns: list[re.Pattern[str]]) -> None:
    assert fastre.either(patterns) is None


def test_rule_lists_answer_as_before() -> None:
    rules = commitments.get_rules(Context(), "es")
    for text in ("Las Partes se comprometen a cooperar.", "CONSIDERANDO que las partes", "Para efectos del presente"):
        for patterns in (rules.recital_start, rules.permission, rules.hedges, *rules.exclusions.values()):
            expected = next((m for p in patterns if (m := p.search(text))), None)
            got = rules.any(patterns, text)
            assert (got and (got.re, got.span())) == (expected and (expected.re, expected.span()))


def test_the_unicode_facts_the_first_character_sets_rely_on() -> None:
    import _sre

    lower = list(map(_sre.unicode_tolower, range(0x110000)))
    # No character outside the Basic Multilingual Plane lower-cases into it, nor the reverse.
    assert all((code > 0xFFFF) == (low > 0xFFFF) for code, low in enumerate(lower))
    # A character and its lower case fall in the same class categories.
    for code, low in enumerate(lower):
        if code != low and not 0xD800 <= code <= 0xDFFF:
            for test in fastre._CATEGORY_TESTS.values():
                assert test(chr(code)) == test(chr(low)), hex(code)


def test_searches_skip_to_first_characters_with_every_case_form() -> None:
    pattern = fastre.compile(r"(?:kilo|iso|ss)\w*", re.I)
    assert pattern.search("xx KILO") and pattern.search("\u212aILO") and pattern.search("\u0130SO")
    assert pattern.search("ſs") and pattern.search("İso") and not pattern.search("xyz")
    plain = re.compile(pattern.pattern, re.I)
    for text in ("\u212ailo İso ſs", "KILO", "ıso", "abc"):
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in plain.finditer(text)]


BEHIND_EXAMPLES = [
    "US$1.5 millones", "USD 50,000 anuales", "$2,507.81", "50 mil pesos mexicanos", "f 500,000 (five hundred thousand guilders)",
    "Dfl. 2,000", "Fl.3", "EUR 3", "M.N. 5", "usd$ 4", "COP 7", "la cooperación de 5 dólares", "2.700.000,- guilders", "diez mil yenes",
    "ten pounds", "MXN5", "within 90 days after", "dentro de los noventa (90) días siguientes", "dos veces al año", "at least once a year",
    "cada dos años", "twice annually", "3 times every 2 years", "no más de un año", "con treinta días de anticipación", "in 3 weeks",
]


@pytest.mark.parametrize("name", ["MONEY", "DEADLINE_REL", "FREQ_COUNT"])
def test_patterns_behind_a_core_match_like_re(name: str) -> None:
    pattern = getattr(indicators, name)
    assert isinstance(pattern, fastre.Prefiltered)
    plain = re.compile(pattern.pattern, pattern.flags)
    agreement = (REPO_ROOT / "corpus" / "heldout").glob("*.txt")
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted(agreement))[:20000]
    rng = random.Random(name)
    texts = BEHIND_EXAMPLES + [f"se pagarán {t} cada mes" for t in BEHIND_EXAMPLES]
    texts += [words[a : a + rng.randrange(5, 200)] for a in (rng.randrange(len(words)) for _ in range(300))]
    for text in texts:
        assert signature(pattern, text) == signature(plain, text), text


@pytest.mark.parametrize(("source", "flags"), PATTERNS)
def test_finditer_at_finds_what_finditer_finds(source: str, flags: int) -> None:
    pattern = fastre.compile(source, flags)
    rng = random.Random(source)
    for _ in range(200):
        text = "".join(rng.choice(TRICKY) for _ in range(rng.randrange(40)))
        matching = [i for i in range(len(text) + 1) if pattern.match(text, i)]
        extra = rng.sample(range(len(text) + 1), min(3, len(text) + 1))
        starts = sorted(set(matching + extra))
        got = [(m.span(), m.groups()) for m in fastre.finditer_at(pattern, text, starts)]
        want = [(m.span(), m.groups()) for m in pattern.finditer(text, starts[0])] if starts else []
        assert got == want, text


def test_either_matches_where_some_pattern_matches_with_anchored_ones() -> None:
    patterns = [re.compile(p, re.I) for p in (r"^\s*acuerdan\b", r"\bconvienen\s*:", r"^\s*cl[áa]usulas", r"\s+la\b", r"\Ax")]
    joined = fastre.either(patterns)
    assert joined is not None
    rng = random.Random(11)
    words = ["acuerdan", " Acuerdan", "convienen:", "Cláusulas", "la", "x", " ", "\n", "lax"]
    for _ in range(500):
        text = "".join(rng.choice(words) for _ in range(rng.randrange(6)))
        for pos in range(len(text) + 1):
            assert (joined.match(text, pos) is None) == all(p.match(text, pos) is None for p in patterns), (text, pos)


def test_finditer_tested_at_tries_the_quick_test_at_the_given_starts_only() -> None:
    pattern = fastre.behind(fastre.compile(r"(?:at\s+least\s+)?(?P<n>\d+)\s+days", re.I), r"\d+\s+days", re.I)
    text = "at least 3 days, then 10 days"
    core_starts = [i for i in range(len(text) + 1) if pattern._needs.match(text, i)]
    assert core_starts == [9, 22, 23]
    whole = [m.span() for m in pattern.finditer(text)]
    assert [m.span() for m in pattern.finditer_tested_at(text, 0, core_starts + [0, 5])] == whole
    # From 10 on only "10 days" is left, found from 10 as finditer from 10 finds it.
    assert [m.span() for m in pattern.finditer_tested_at(text, 10, core_starts)] == [m.span() for m in pattern.finditer(text, 10)]
    # The caller vouches for the starts: positions where the quick test fails rule the text out.
    assert list(pattern.finditer_tested_at(text, 0, [0, 1, 2])) == []
    assert list(pattern.finditer_tested_at(text, 24, core_starts)) == []
