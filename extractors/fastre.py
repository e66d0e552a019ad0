"""Regular expressions whose alternations fail fast.

Python's ``re`` tries the alternatives of ``a|b|c`` one after the other at
every position of the text, so a list of a hundred words costs a hundred
failed comparisons wherever none of them can start. ``compile`` returns the
same regular expression rearranged so that it cannot behave differently:

- the alternatives of a branch are gathered by the characters they can start
  with, and each gathering is entered only behind a one-character lookahead
  (after one lookahead over all of them). Gatherings never share a first
  character and keep their alternatives in the original order, so at any
  position the alternatives that can match there are tried in the same
  order as before;
- alternatives of a gathering that all begin with the same character have it
  factored out, so that it is tested once.

Case-insensitive patterns are compared by the case folding ``re`` itself uses.
The compiled pattern has the same groups, matches and ``pattern`` string; a
branch whose first characters cannot be worked out (flags or constructs this
does not model) is left as ``re`` compiles it.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Optional, Union

try:  # the parser and compiler behind ``re`` (CPython 3.11 and later)
    import _sre
    from re import _compiler, _parser
    from re._casefix import _EXTRA_CASES
    from re._constants import (
        ANY,
        ASSERT,
        ASSERT_NOT,
        AT,
        AT_BEGINNING,
        AT_BEGINNING_STRING,
        ATOMIC_GROUP,
        BRANCH,
        CATEGORY,
        CATEGORY_DIGIT,
        CATEGORY_SPACE,
        CATEGORY_WORD,
        GROUPREF,
        GROUPREF_EXISTS,
        IN,
        INFO,
        LITERAL,
        MAX_REPEAT,
        MIN_REPEAT,
        POSSESSIVE_REPEAT,
        RANGE,
        SRE_FLAG_ASCII,
        SRE_FLAG_IGNORECASE,
        SRE_FLAG_LOCALE,
        SRE_FLAG_UNICODE,
        SRE_INFO_CHARSET,
        SUBPATTERN,
    )
except ImportError:  # pragma: no cover - other Python implementations: plain ``re``
    _parser = None

MAX_RANGE = 64  # character ranges larger than this are not expanded
MIN_GROUPS_FOR_LOOKAHEAD = 3  # fewer gatherings test their first characters one by one as fast
MAX_DEPTH = 2  # first characters only: rearranging deeper costs compile time for little
LOOKAHEAD = 1  # direction of a lookahead assertion in a parsed pattern

# What a class category accepts, as re tests it in a str pattern. A character and its
# lower case fall in the same categories (a test checks it over all of Unicode), so
# these tests read the same with and without IGNORECASE.
_CATEGORY_TESTS = {
    "CATEGORY_DIGIT": str.isdecimal,
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
}

_CATEGORIES = {"CATEGORY_DIGIT": CATEGORY_DIGIT, "CATEGORY_SPACE": CATEGORY_SPACE, "CATEGORY_WORD": CATEGORY_WORD} if _parser else {}

Item = tuple[Any, Any]  # (opcode, argument) of a parsed pattern


def compile(pattern: str, flags: int = 0) -> Union[re.Pattern[str], "Prefiltered"]:
    """``re.compile(pattern, flags)``, with its alternations rearranged to fail fast, and
    behind a quick test when every match needs some rare run of characters."""
    if _parser is None or not isinstance(pattern, str):
        return re.compile(pattern, flags)
    try:
        return _rearranged(pattern, flags)
    except Exception:  # noqa: BLE001 - anything unexpected: the pattern as re compiles it
        return re.compile(pattern, flags)


def _rearranged(pattern: str, flags: int) -> Union[re.Pattern[str], "Prefiltered"]:
    """What ``compile`` returns, raising where ``compile`` falls back to ``re``."""
    parsed = _parser.parse(pattern, flags)
    all_flags = parsed.state.flags | flags
    items = _sequence(parsed.data, all_flags)
    first = _first(parsed.data, all_flags)
    if first is not None and items and items[0][0] not in (LITERAL, IN, ASSERT):
        # Where no match can start, fail before entering the first group or repeat.
        items = [_lookahead(first[0], parsed.state), *items]
    rearranged = _parser.SubPattern(parsed.state, items)
    if _fast_start(parsed, all_flags) and not _fast_start(rearranged, all_flags):
        return re.compile(pattern, flags)  # re scans for the first character itself: keep that
    code = _compiler._code(rearranged, flags)
    if first is not None:
        code = _skip_to_first(code, first[1], all_flags)
    indexgroup: list[Optional[str]] = [None] * parsed.state.groups
    for name, index in parsed.state.groupdict.items():
        indexgroup[index] = name
    compiled = _sre.compile(
        pattern, all_flags, code, parsed.state.groups - 1, parsed.state.groupdict, tuple(indexgroup)
    )
    needs = _needs(parsed.data, parsed.state, all_flags, past_start=True)
    if needs is None or needs[0] < MIN_NEED_SCORE or len(needs[1]) > MAX_NEED_ALTERNATIVES:
        return compiled
    alternatives = [_parser.SubPattern(parsed.state, list(run)) for run in needs[1]]
    quick = _parser.SubPattern(parsed.state, _branch(alternatives, all_flags) if len(alternatives) > 1 else alternatives[0].data)
    return Prefiltered(compiled, _sre.compile(None, all_flags, _compiler._code(quick, flags), 0, {}, ()))


class Prefiltered:
    """A compiled pattern behind a quick test for the characters every match holds.

    Any match of the pattern contains one of a few fixed runs of characters (a word of
    a list, "%", "$"); a text that holds none of them holds no match and is not
    scanned. Behaves as the ``re.Pattern`` it wraps.
    """

    __slots__ = ("_pattern", "_needs", "pattern", "flags", "groups", "groupindex")

    def __init__(self, pattern: Union[re.Pattern[str], "Prefiltered"], needs: Union[re.Pattern[str], "Prefiltered"]) -> None:
        self._pattern, self._needs = pattern, needs
        self.pattern, self.flags, self.groups, self.groupindex = pattern.pattern, pattern.flags, pattern.groups, pattern.groupindex

    def _hopeless(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> bool:
        return self._needs.search(string, pos, endpos) is None

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Optional[re.Match[str]]:
        return None if self._hopeless(string, pos, endpos) else self._pattern.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Optional[re.Match[str]]:
        # A match is tried at ``pos`` only: the prefilter would read on to ``endpos`` first,
        # costing more than the attempt it could save.
        return self._pattern.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Optional[re.Match[str]]:
        return None if self._hopeless(string, pos, endpos) else self._pattern.fullmatch(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return iter(()) if self._hopeless(string, pos, endpos) else self._pattern.finditer(string, pos, endpos)

    def finditer_tested_at(self, string: str, pos: int, starts: Iterable[int]) -> Iterator[re.Match[str]]:
        """``finditer(string, pos)``, with the quick test tried at ``starts`` only: positions
        among which every match of the quick test from ``pos`` on starts (the caller
        vouches for that). A few known positions cost less than the test's own scan."""
        needs = self._needs
        if any(needs.match(string, start) for start in starts if start >= pos):
            return self._pattern.finditer(string, pos)
        return iter(())

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return [] if self._hopeless(string, pos, endpos) else self._pattern.findall(string, pos, endpos)

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        return string if self._hopeless(string) else self._pattern.sub(repl, string, count)

    def subn(self, repl: Any, string: str, count: int = 0) -> tuple[str, int]:
        return (string, 0) if self._hopeless(string) else self._pattern.subn(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> list[Any]:
        return [string] if self._hopeless(string) else self._pattern.split(string, maxsplit)

    def __repr__(self) -> str:
        return repr(self._pattern)


def behind(pattern: Union[re.Pattern[str], Prefiltered], core: str, flags: int = 0) -> Prefiltered:
    """``pattern`` behind a quick search for ``core``, a pattern that matches somewhere
    inside every match of ``pattern`` (its required middle, without the optional lead or
    tail): a text, or the part of it from ``pos``, where ``core`` finds nothing holds no
    match and is not scanned. The caller vouches for that containment."""
    return Prefiltered(pattern, compile(core, flags))


def finditer_at(pattern: Union[re.Pattern[str], Prefiltered], string: str, starts: list[int]) -> list[re.Match[str]]:
    """``list(pattern.finditer(string, starts[0]))``, given ``starts``: increasing positions
    among which every match of ``pattern`` from ``starts[0]`` on starts. The pattern is
    tried at those positions only, as a search would try it, instead of at every one."""
    if not starts:
        return []
    if _can_match_empty(pattern.pattern, pattern.flags):  # finditer's rule after an empty match is not repeated here
        return list(pattern.finditer(string, starts[0]))
    inner = pattern
    while isinstance(inner, Prefiltered):
        inner = inner._pattern
    found: list[re.Match[str]] = []
    resume = starts[0]
    for start in starts:
        if start < resume:
            continue
        m = inner.match(string, start)
        if m is not None:
            found.append(m)
            resume = m.end()
    return found


@functools.lru_cache(maxsize=None)
def _can_match_empty(pattern: str, flags: int) -> bool:
    if _parser is None:
        return True
    return bool(_parser.parse(pattern, flags).getwidth()[0] == 0)


# --- the characters every match holds ----------------------------------------------------

Need = tuple[float, list[list[Item]]]  # (how rare, alternatives: runs of one-character tests)

MIN_NEED_SCORE = 2.0  # rarer than about two letters, or the quick test costs more than it saves
MAX_NEED_ALTERNATIVES = 500
_COMMON_PUNCTUATION = set(".,;:-()'\"/")


def _char_weight(code: int) -> float:
    """How selective a required character is: symbols are rare, spaces everywhere."""
    c = chr(code)
    if c.isalpha():
        return 1.0
    if c.isdigit():
        return 0.5
    if c.isspace():
        return 0.1
    return 0.3 if c in _COMMON_PUNCTUATION else 3.0


def _item_weight(op: Any, av: Any) -> float:
    if op is LITERAL:
        return _char_weight(av)
    if op is IN and len(av) <= 3 and all(o is LITERAL for o, _ in av):
        return min(_char_weight(code) for _, code in av)
    return 0.1 if op is IN else 0.0


def _needs(seq: Any, state: Any, flags: int, past_start: bool = False) -> Optional[Need]:
    """The runs of characters one of which every match of ``seq`` contains, and how rare
    they are; None when nothing is certain. ``past_start`` leaves out what a match starts
    with: the scan of the pattern itself already fails fast where that cannot start."""
    best: Optional[Need] = None
    starting = past_start  # still in the optional items before, and the first item that must match

    def consider(candidate: Optional[Need]) -> None:
        nonlocal best
        if candidate is not None and not starting and (best is None or candidate[0] > best[0]):
            best = candidate

    run: list[Item] = []
    for op, av in seq:
        if op in (AT, ASSERT, ASSERT_NOT):  # zero-width: the characters around it stay adjacent
            continue
        if op in (LITERAL, IN, ANY):
            run.append((op, av))
            continue
        if run:
            consider((sum(_item_weight(o, a) for o, a in run), [run]))
            starting, run = False, []
        consider(_needs_item(op, av, state, flags))
        if starting and _parser.SubPattern(state, [(op, av)]).getwidth()[0] > 0:
            starting = False
    if run:
        consider((sum(_item_weight(o, a) for o, a in run), [run]))
    return best


def _needs_item(op: Any, av: Any, state: Any, flags: int) -> Optional[Need]:
    if op is SUBPATTERN:
        _group, add, remove, sub = av
        return None if add or remove else _needs(sub.data, state, flags)
    if op is BRANCH:
        score, runs = float("inf"), []
        for alternative in av[1]:
            found = _needs(alternative.data, state, flags)
            if found is None:
                return None
            score = min(score, found[0])
            runs += found[1]
        return score, runs
    if op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT) and av[0] >= 1:
        return _needs(av[2].data, state, flags)
    if op is ATOMIC_GROUP:
        return _needs(av.data, state, flags)
    return None


def _skip_to_first(code: list[int], start: _Start, flags: int) -> list[int]:
    """``code`` whose search skips, in re's own loop, the positions where no match can
    start: re works out such a set of first characters itself only for case-sensitive
    patterns that open with a character test.

    The compiled code opens with an information block (minimum and maximum width, and
    a literal prefix or a first-character set when re found one); a block without
    either is replaced by one with the set of characters that can start a match, with
    every case form spelled out.
    """
    info, skip, mask, low, high = code[:5]
    if info != INFO or mask or not low:  # re's own prefix or set, or a match may be empty
        return code
    if flags & SRE_FLAG_IGNORECASE:
        if any(lower > 0xFFFF for lower in start.codes):
            return code
        codes = sorted(c for lower in start.codes for c in _CASED_FORMS.get(lower, (lower,)))
    else:
        codes = sorted(start.codes)
    items = [(LITERAL, c) for c in codes] + [(CATEGORY, _CATEGORIES[name]) for name in sorted(start.categories)]
    charset, _cased = _compiler._optimize_charset(items)
    block = [INFO, 0, SRE_INFO_CHARSET, low, high]
    _compiler._compile_charset(charset, flags, block)
    block[1] = len(block) - 1
    return block + code[1 + skip :]


def _cased_forms_of_bmp() -> dict[int, tuple[int, ...]]:
    """Every character code of the Basic Multilingual Plane by the lower-case code re
    compares it as, where the two differ (the lower-case code first). No character
    outside the plane lower-cases into it (a test checks it over all of Unicode)."""
    forms: dict[int, list[int]] = {}
    for code, lower in enumerate(map(_sre.unicode_tolower, range(0x10000))):
        if lower != code:
            forms.setdefault(lower, [lower]).append(code)
    return {lower: tuple(codes) for lower, codes in forms.items()}


_CASED_FORMS = _cased_forms_of_bmp() if _parser else {}


def _fast_start(parsed: Any, flags: int) -> bool:
    """Whether re's search skips ahead to a literal prefix or a first-character set."""
    prefix, _skip, _got_all = _compiler._get_literal_prefix(parsed, flags)
    return bool(prefix) or bool(_compiler._get_charset_prefix(parsed, flags))


# --- what a match can start with -------------------------------------------------------


@dataclass(frozen=True)
class _Start:
    """The characters a match can start with: codes as re compares them (lower-cased
    under IGNORECASE, with its extra case equivalences) and class categories."""

    codes: frozenset[int] = frozenset()
    categories: frozenset[str] = frozenset()

    def __or__(self, other: _Start) -> _Start:
        return _Start(self.codes | other.codes, self.categories | other.categories)

    def overlaps(self, other: _Start) -> bool:
        if self.codes & other.codes or (self.categories and other.categories):
            return True
        return any(
            _CATEGORY_TESTS[name](chr(code))
            for a, b in ((self, other), (other, self))
            for name in a.categories
            for code in b.codes
        )


def _literal(code: int, flags: int) -> Optional[_Start]:
    if flags & (SRE_FLAG_LOCALE | SRE_FLAG_ASCII) or not flags & SRE_FLAG_UNICODE:
        return None
    if not flags & SRE_FLAG_IGNORECASE:
        return _Start(frozenset((code,)))
    lower = _sre.unicode_tolower(code)
    return _Start(frozenset((lower, *_EXTRA_CASES.get(lower, ()))))


def _charset(items: list[Item], flags: int) -> Optional[_Start]:
    start = _Start()
    for op, av in items:
        if op is LITERAL:
            found = _literal(av, flags)
        elif op is RANGE and av[1] - av[0] <= MAX_RANGE:
            found = _Start()
            for code in range(av[0], av[1] + 1):
                one = _literal(code, flags)
                if one is None:
                    return None
                found |= one
        elif op is CATEGORY and str(av) in _CATEGORY_TESTS and _literal(0, flags) is not None:
            found = _Start(categories=frozenset((str(av),)))
        else:  # negated sets, other categories, large ranges
            return None
        if found is None:
            return None
        start |= found
    return start


def _first(seq: Any, flags: int) -> Optional[tuple[list[Item], _Start]]:
    """The class items a match of ``seq`` can start with, and what they accept; None when
    unknown or when ``seq`` can match without consuming a character."""
    found = _first_or_empty(seq, flags)
    return None if found is None or found[2] else (found[0], found[1])


def _first_or_empty(seq: Any, flags: int) -> Optional[tuple[list[Item], _Start, bool]]:
    """(class items, what they accept, whether ``seq`` can match empty); None when unknown."""
    items: list[Item] = []
    start = _Start()
    for op, av in seq:
        if op in (AT, ASSERT, ASSERT_NOT):  # anchors and lookarounds consume nothing
            continue
        found = _first_item(op, av, flags)
        if found is None:
            return None
        more, accepted, can_be_empty = found
        items += more
        start |= accepted
        if not can_be_empty:
            return items, start, False
    return items, start, True


def _first_item(op: Any, av: Any, flags: int) -> Optional[tuple[list[Item], _Start, bool]]:
    """(class items, what they accept, whether the item can match empty) of one parsed item."""
    if op is LITERAL:
        start = _literal(av, flags)
        return None if start is None else ([(LITERAL, av)], start, False)
    if op is IN:
        start = _charset(av, flags)
        return None if start is None else (list(av), start, False)
    if op is SUBPATTERN:
        _group, add, remove, sub = av
        if add or remove:  # scoped flags: a lookahead outside the group would read them otherwise
            return None
        return _first_or_empty(sub.data, flags)
    if op is BRANCH:
        items: list[Item] = []
        start = _Start()
        can_be_empty = False
        for alternative in av[1]:
            found = _first_or_empty(alternative.data, flags)
            if found is None:
                return None
            items += found[0]
            start |= found[1]
            can_be_empty = can_be_empty or found[2]
        return items, start, can_be_empty
    if op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT):
        low, _high, sub = av
        found = _first_or_empty(sub.data, flags)
        return None if found is None else (found[0], found[1], found[2] or low == 0)
    return None


# --- rearranging ------------------------------------------------------------------------


def _sequence(seq: Any, flags: int) -> list[Item]:
    out: list[Item] = []
    for op, av in seq:
        if op is BRANCH:
            out += _branch([_subpattern(alt, flags) for alt in av[1]], flags)
        elif op is SUBPATTERN:
            group, add, remove, sub = av
            out.append((op, (group, add, remove, _subpattern(sub, (flags | add) & ~remove))))
        elif op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT):
            low, high, sub = av
            out.append((op, (low, high, _subpattern(sub, flags))))
        elif op is ATOMIC_GROUP:
            out.append((op, _subpattern(av, flags)))
        elif op in (ASSERT, ASSERT_NOT) and av[0] == LOOKAHEAD:  # lookbehinds keep their parsed width
            direction, sub = av
            out.append((op, (direction, _subpattern(sub, flags))))
        else:
            out.append((op, av))
    return out


def _subpattern(sub: Any, flags: int) -> Any:
    return _parser.SubPattern(sub.state, _sequence(sub.data, flags))


def _branch(alternatives: list[Any], flags: int, depth: int = 0) -> list[Item]:
    """A branch over ``alternatives`` (rearranged inside already), as a list of items."""
    state = alternatives[0].state
    plain: list[Item] = [(BRANCH, (None, alternatives))]
    if len(alternatives) == 2 and all(alt.data and alt.data[0][0] in (LITERAL, IN) for alt in alternatives):
        return plain  # two one-character tests fail as fast as a lookahead
    firsts = [_first(alt.data, flags) for alt in alternatives]
    if any(f is None for f in firsts):
        return plain
    # Alternatives that can start with the same character go together (connected components).
    groups: list[list[int]] = []
    starts: list[_Start] = []
    for i, (_items, start) in enumerate(firsts):  # type: ignore[misc]
        joined = [g for g, other in enumerate(starts) if other.overlaps(start)]
        for g in joined:
            start |= starts[g]
        merged = sorted([i, *(j for g in joined for j in groups[g])])
        for g in reversed(joined):
            del groups[g], starts[g]
        groups.append(merged)
        starts.append(start)
    groups.sort(key=lambda g: g[0])
    if len(groups) == 1:
        return _guarded([item for f in firsts for item in f[0]], _factor(alternatives, state, flags, depth), state)  # type: ignore[index]
    gathered = []
    for group in groups:
        items = [item for i in group for item in firsts[i][0]]  # type: ignore[index]
        gathered.append(_parser.SubPattern(state, _guarded(items, _factor([alternatives[i] for i in group], state, flags, depth), state)))
    branch: list[Item] = [(BRANCH, (None, gathered))]
    if len(groups) < MIN_GROUPS_FOR_LOOKAHEAD:
        return branch
    # One lookahead over every first character first: most positions fail there at once.
    return [_lookahead([item for f in firsts for item in f[0]], state), *branch]  # type: ignore[index]


def _guarded(items: list[Item], body: list[Item], state: Any) -> list[Item]:
    """``body`` behind a lookahead for its first characters, unless it starts with one
    character test already (then the lookahead would only repeat it)."""
    if body and body[0][0] in (LITERAL, IN):
        return body
    return [_lookahead(items, state), *body]


def _lookahead(items: list[Item], state: Any) -> Item:
    return (ASSERT, (LOOKAHEAD, _parser.SubPattern(state, [(IN, items)])))


def _factor(members: list[Any], state: Any, flags: int, depth: int) -> list[Item]:
    """Alternatives (in order) as items; a first item all of them share is taken out."""
    if len(members) == 1:
        return list(members[0].data)
    heads = [alt.data[0] if alt.data else None for alt in members]
    head = heads[0]
    if head is not None and head[0] in (LITERAL, IN) and all(h == head for h in heads):
        rests = [_parser.SubPattern(state, list(alt.data[1:])) for alt in members]
        return [head, *(_branch(rests, flags, depth + 1) if depth + 1 < MAX_DEPTH else [(BRANCH, (None, rests))])]
    return [(BRANCH, (None, members))]


def max_width(pattern: str, flags: int = 0) -> int:
    """The most characters a match of ``pattern`` can span (``re`` caps unbounded ones
    at its own maximum repeat)."""
    if _parser is None:
        raise ValueError("no pattern parser on this Python")
    return _parser.parse(pattern, flags).getwidth()[1]


def either(patterns: list[re.Pattern[str]]) -> Optional[re.Pattern[str]]:
    """One pattern that matches at a position of a text exactly when one of ``patterns``
    does, for a quick "none of them" or "where first" over a rule list; None when they
    cannot be joined safely (mixed flags, back-references, inline global flags, clashing
    group names). Only where it matches is meant: which pattern's match it returns is not."""
    if len(patterns) < 2 or _parser is None or len({p.flags for p in patterns}) != 1:
        return None
    flags = patterns[0].flags
    if flags & re.VERBOSE:  # a comment in one pattern would swallow the rest
        return None
    try:
        parsed = [_parser.parse(p.pattern, flags).data for p in patterns]
        if any(_refers_back(seq) for seq in parsed):
            return None
        anchored = [p.pattern for p, seq in zip(patterns, parsed) if _starts_anchored(seq)]
        free = [p.pattern for p, seq in zip(patterns, parsed) if not _starts_anchored(seq)]
        if not anchored or not free:
            return compile(_joined(anchored or free), flags)
        # Patterns held to the start of the text (or a line) would have their first characters
        # (often white space) gathered with everyone else's, slowing every position; kept
        # apart, they fail at their anchor. Alternatives reordered match at the same places.
        return compile(f"(?:{_joined(anchored)})|(?:{_joined(free)})", flags)
    except (re.error, TypeError):
        return None


def _joined(sources: list[str]) -> str:
    return "|".join(f"(?:{source})" for source in sources)


def _starts_anchored(seq: Any) -> bool:
    return bool(seq) and seq[0][0] is AT and seq[0][1] in (AT_BEGINNING, AT_BEGINNING_STRING)


def _refers_back(seq: Any) -> bool:
    """Whether a parsed pattern refers to a group by number or name (joined with other
    patterns, its groups would be numbered anew)."""
    for op, av in seq:
        if op in (GROUPREF, GROUPREF_EXISTS):
            return True
        children: list[Any] = []
        if op is BRANCH:
            children = list(av[1])
        elif op is SUBPATTERN:
            children = [av[3]]
        elif op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT):
            children = [av[2]]
        elif op is ATOMIC_GROUP:
            children = [av]
        elif op in (ASSERT, ASSERT_NOT):
            children = [av[1]]
        if any(_refers_back(child.data) for child in children):
            return True
    return False
