"""Full-text search support: accent-folded Snowball stems for Spanish and English.

SQLite's porter tokenizer only knows English, so convenio stores a second,
stemmed copy of each searchable text (``text_stem``) and indexes both; a query
is stemmed the same way, so "comprometen" finds "compromete".

The store calls ``stem_text`` for every commitment, ``stem_runs`` for every
page (each language block in its own language) and
``ensure_search`` once per database; Datasette calls ``stemmed_query`` (via the
convenio plugin) to turn what a reader typed into an FTS5 expression that
matches either the words as written or their stems.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator, Optional

import snowballstemmer

_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMERS = {"es": "spanish", "en": "english"}

# (table, indexed columns): the store fills ``text_stem`` with ``stem_text``.
SEARCHABLE: dict[str, tuple[str, ...]] = {
    "pages": ("text", "text_stem"),
    "commitments": ("text", "text_stem"),
}
# Accent-insensitive: "cooperacion" finds "cooperación" in the text column.
TOKENIZE = "unicode61 remove_diacritics 2"
STEM_COLUMN = "text_stem"


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# The combining diacritics block (accents, tilde, diaeresis): nearly every mark a
# decomposed Latin text holds, removed in one pass.
_DIACRITICS = re.compile("[" + "".join(c for c in map(chr, range(0x300, 0x370)) if unicodedata.combining(c)) + "]")


def _drop_combining(match: re.Match[str]) -> str:
    return "".join(c for c in match.group() if not unicodedata.combining(c))


# Texts up to this long are folded once and remembered: the extractors fold the same
# names, cue words and clauses over and over (on the benchmark pages a third of the
# folded text is a repeat).
_REMEMBERED_FOLD = 400


def fold(text: str) -> str:
    """Lower case without accents: compatibility decomposition, combining marks dropped."""
    return _fold_remembered(text) if len(text) <= _REMEMBERED_FOLD else _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        decomposed = _DIACRITICS.sub("", decomposed)
        if not decomposed.isascii():
            # Other combining marks are never ASCII: only the non-ASCII runs need looking at.
            decomposed = _NON_ASCII.sub(_drop_combining, decomposed)
    return decomposed.lower()


_fold_remembered = lru_cache(maxsize=8192)(_fold)


def _stemmer(name: str) -> Any:
    return snowballstemmer.stemmer(name)


class Stemmers:
    """One stemmer per language, made on first use: reused for every text of a
    document, a stemmer answers repeated words from its own cache."""

    def __init__(self) -> None:
        self._made: dict[str, Any] = {}

    def __call__(self, name: str) -> Any:
        if name not in self._made:
            self._made[name] = _stemmer(name)
        return self._made[name]


def stem_text(text: str, lang: str | None, stemmers: Optional[Stemmers] = None) -> str:
    """Stem every word with the stemmer of ``lang``.

    When the language is unknown the text is stemmed twice, the Spanish stems
    followed by the English ones: each run keeps the word order, so phrase
    queries on the stems still find adjacent words.
    """
    words = _WORD.findall(text.lower())
    names = [_STEMMERS[lang]] if lang in _STEMMERS else list(_STEMMERS.values())
    stemmer = stemmers or _stemmer
    stems: list[str] = []
    for name in names:
        stems.extend(stemmer(name).stemWords(words))
    return fold(" ".join(stems))


def stem_runs(
    text: str, runs: Iterable[tuple[int, int, str | None]], default_lang: str | None, stemmers: Optional[Stemmers] = None
) -> str:
    """Stem each ``(start, end, lang)`` run of ``text`` in its own language.

    A bilingual page (two columns, alternating paragraphs) has one page
    language but blocks in both: stemming English paragraphs as Spanish would
    make "university" miss "universities". Text outside every run, and runs
    of unknown language, take ``default_lang``.
    """
    pieces: list[str] = []
    pos = 0
    for start, end, lang in sorted(runs, key=lambda run: (run[0], run[1])):
        start, end = max(start, pos), min(end, len(text))
        if start > pos:
            pieces.append(stem_text(text[pos:start], default_lang, stemmers))
        if end > start:
            pieces.append(stem_text(text[start:end], lang or default_lang, stemmers))
        pos = max(pos, end)
    if pos < len(text):
        pieces.append(stem_text(text[pos:], default_lang, stemmers))
    return " ".join(piece for piece in pieces if piece)


@lru_cache(maxsize=100_000)
def word_stems(word: str) -> tuple[str, ...]:
    """Every stem a query word may have in ``text_stem``: the text's language is
    unknown at query time, so a word is stemmed as Spanish and as English. Cached:
    search results test every word of every page they show."""
    lowered = word.lower()
    stems = [fold(_stemmer(name).stemWord(lowered)) for name in _STEMMERS.values()]
    return tuple(dict.fromkeys(s for s in stems if s))


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


_QUERY_BITS = re.compile(r'\s+|(".*?")')


def stemmed_query(query: str, stem_column: str = STEM_COLUMN) -> str:
    """Turn a reader's query into an FTS5 expression over ``text`` and ``text_stem``.

    Every word (or quoted phrase) must match, either as written or through its
    Spanish or English stem; a trailing ``*`` keeps prefix search. Everything the
    reader typed ends up inside quoted FTS5 strings, so no query can inject FTS5
    operators or break the expression.
    """
    if query.count('"') % 2:
        query += '"'
    bits = [b for b in _QUERY_BITS.split(query) if b and b != '""']
    clauses: list[str] = []
    for bit in bits:
        phrase = bit.strip('"') if bit.startswith('"') else bit
        prefix = not bit.startswith('"') and phrase.endswith("*")
        words = _WORD.findall(phrase)
        if not words:
            continue
        star = "*" if prefix else ""
        literal = _quote(" ".join(words)) + star
        alternatives = [literal]
        if len(words) == 1:
            alternatives += [f"{stem_column} : {_quote(s)}{star}" for s in word_stems(words[0])]
        else:
            for name in _STEMMERS.values():
                stems = [fold(_stemmer(name).stemWord(w.lower())) for w in words]
                alternatives.append(f"{stem_column} : {_quote(' '.join(stems))}")
        unique = list(dict.fromkeys(alternatives))
        clauses.append("(" + " OR ".join(unique) + ")" if len(unique) > 1 else unique[0])
    # A query with no word at all (only punctuation) matches nothing rather than failing.
    return " AND ".join(clauses) if clauses else '""'


def _fts_ok(db: Any, table: str, columns: tuple[str, ...]) -> bool:
    """True when ``table`` already has an FTS5 index over ``columns`` with triggers."""
    fts = db[f"{table}_fts"]
    if not fts.exists():
        return False
    sql = db.execute("select sql from sqlite_master where name = ?", [f"{table}_fts"]).fetchone()[0]
    if "fts5" not in sql.lower() or "remove_diacritics 2" not in sql:
        return False
    if [c for c in fts.columns_dict if c in columns] != list(columns):
        return False
    triggers = {t.name for t in db[table].triggers}
    return {f"{table}_ai", f"{table}_ad", f"{table}_au"} <= triggers


def ensure_search(db: Any) -> list[str]:
    """Create the accent-insensitive FTS5 indexes and their sync triggers.

    Idempotent: an index already in the right shape is left alone; a missing or
    outdated one (wrong tokenizer, columns or triggers) is replaced and filled
    from its table. ``db`` is a ``sqlite_utils.Database``. Returns the tables
    whose index was (re)built.
    """
    built: list[str] = []
    for table, columns in SEARCHABLE.items():
        if not db[table].exists():
            continue
        missing = [c for c in columns if c not in db[table].columns_dict]
        for column in missing:
            db[table].add_column(column, str)
        if _fts_ok(db, table, columns):
            continue
        db[table].enable_fts(
            list(columns), fts_version="FTS5", tokenize=TOKENIZE, create_triggers=True, replace=True
        )
        built.append(table)
    return built


def rebuild(db: Any) -> None:
    """Refill every FTS index from its table (after bulk loads with triggers off,
    or to repair an index), creating the indexes first when missing."""
    ensure_search(db)
    for table in SEARCHABLE:
        if db[table].exists():
            db[table].rebuild_fts()


# --------------------------------------------------------------------------- highlighting


@dataclass(frozen=True)
class _Term:
    literal: str  # accent-folded, lower-case
    stems: frozenset[str]
    prefix: bool


def _terms(query: str) -> list[_Term]:
    """The words of a reader's query as ``stemmed_query`` reads them (phrases word by word)."""
    if query.count('"') % 2:
        query += '"'
    terms = []
    for bit in _QUERY_BITS.split(query):
        if not bit or bit == '""':
            continue
        quoted = bit.startswith('"')
        prefix = not quoted and bit.endswith("*")
        for word in _WORD.findall(bit.strip('"')):
            terms.append(_Term(fold(word), frozenset(word_stems(word)), prefix))
    return terms


def _matches(word: str, terms: list[_Term]) -> bool:
    folded = fold(word)
    stems = set(word_stems(word))
    for term in terms:
        if folded == term.literal or stems & term.stems:
            return True
        if term.prefix and (folded.startswith(term.literal) or any(s.startswith(t) for s in stems for t in term.stems)):
            return True
    return False


def found_words(text: str, query: str) -> list[str]:
    """The words of ``text`` a query finds, as written, each once, in reading order.

    A word is found when it is a query word (accents and case aside) or shares
    its Spanish or English stem, as in the search itself.
    """
    terms = _terms(query)
    return list(dict.fromkeys(m.group() for m in _found(text, terms))) if terms else []


def _found(text: str, terms: list[_Term]) -> Iterator[re.Match[str]]:
    """The occurrences of words the terms find, in reading order. A page repeats its
    words, and stemming is the cost: each distinct word is tested once."""
    tested: dict[str, bool] = {}
    for m in _WORD.finditer(text):
        word = m.group()
        if word not in tested:
            tested[word] = _matches(word, terms)
        if tested[word]:
            yield m


def excerpt(text: str, query: str, width: int) -> str:
    """About ``width`` characters of ``text`` around the first word the query finds,
    cut at spaces, with "… " marking the cuts."""
    if len(text) <= width:
        return text
    terms = _terms(query)
    first = next((m.start() for m in _found(text, terms)), 0) if terms else 0
    start = max(0, first - width // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + width)
    if end < len(text) and text.rfind(" ", start, end) > start:
        end = text.rfind(" ", start, end)
    return ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")


def mark(text: str, words: Iterable[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, matched) segments, every occurrence of ``words`` (whole
    words, case aside) matched."""
    wanted = {w.casefold() for w in words}
    segments: list[tuple[str, bool]] = []
    pos = 0
    for m in _WORD.finditer(text):
        if m.group().casefold() in wanted:
            if m.start() > pos:
                segments.append((text[pos:m.start()], False))
            segments.append((m.group(), True))
            pos = m.end()
    if pos < len(text):
        segments.append((text[pos:], False))
    return segments
