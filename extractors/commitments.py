"""Commitments: sentences and clauses in which parties undertake to act (FORMAT.md).

The detector reads ``doc.segments`` in order and keeps a little state:
whether the text is still in the preamble (recitals before "han convenido" /
"have agreed as follows"), and which lead-in list ("The Parties shall:") the
current items belong to. Each sentence is classified by its *first decisive
cue*: an obligation ("shall", "deberán", "se comprometen a", a future-tense
action verb with a party as subject, a passive future), a soft undertaking
("procurarán", "endeavour"), or a permission ("may", "podrán"), after the
exclusions (definitions, dispute settlement through diplomatic channels,
designation of agencies, clauses about the agreement itself).

Language-specific vocabulary lives in ``extractors/rules/commitments_<lang>.json``.
A trained text classifier (``models/commitment_textcat``) or a local transformers
model (``--model``) decides only the sentences the rules mark as uncertain (a
future tense without a party as subject, a stative future); on the others its
probability is kept as the commitment's ``score``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Optional

from extractors import fastre
from pipeline.context import REPO_ROOT, Context
from pipeline.model import Commitment, Document, Party, Segment
from pipeline.search import fold  # noqa: F401 - one accent-folding rule for cues, names and search

RULES_DIR = REPO_ROOT / "extractors" / "rules"
LANGS = ("es", "en")
RULE_SCORE = 0.9  # confidence of a rule decision when no classifier gives one
_ITEM_PREFIX = re.compile(r"^(?:\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxlcIVXLC]{1,6})[.)]|\d{1,3}(?:\.\d{1,3})+|[•·▪●◦\-–—*])$")
_WORD = re.compile(r"\w+", re.UNICODE)
_CONJUNCTION = re.compile(r"\b(?:y|e|and|&)\b|,")
# Beyond this many positions where a rule list matches, scanning with each pattern is cheaper
# than trying each pattern at each position.
MAX_STARTS = 16
_SUBORDINATE = fastre.compile(r"\b(?:that|which|who|whom|as|if|que|quien|quienes|cual|cuales|cuando|si|donde|como)\s+(?:\w+\s+){0,2}$", re.I)


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    return [fastre.compile(p, re.IGNORECASE) for p in patterns]


@dataclass
class LangRules:
    """The compiled rule file of one language."""

    lang: str
    raw: dict[str, Any]
    # Each rule list joined into one pattern (fastre.either), by the list's id: most
    # sentences match none of a list, and one search says so.
    _joined: dict[int, tuple[list[re.Pattern[str]], Optional[re.Pattern[str]]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def _list(self, key: str) -> list[re.Pattern[str]]:
        return _compile(self.raw.get(key, []))

    @cached_property
    def preamble_end(self) -> list[re.Pattern[str]]:
        return self._list("preamble_end")

    @cached_property
    def formula_governs_infinitive(self) -> list[re.Pattern[str]]:
        return self._list("formula_governs_infinitive")

    @cached_property
    def recital_sections(self) -> list[re.Pattern[str]]:
        return self._list("recital_sections")

    @cached_property
    def recital_start(self) -> list[re.Pattern[str]]:
        return self._list("recital_start")

    @cached_property
    def recital_participle(self) -> list[re.Pattern[str]]:
        return self._list("recital_participle")

    @cached_property
    def indicator_ignore(self) -> list[re.Pattern[str]]:
        return self._list("indicator_ignore")

    @cached_property
    def exclusions(self) -> dict[str, list[re.Pattern[str]]]:
        return {k: self._list(k) for k in ("definition", "dispute", "designation", "status", "meta")}

    @cached_property
    def self_ref_subject(self) -> list[re.Pattern[str]]:
        return self._list("self_ref_subject")

    @cached_property
    def permission(self) -> list[re.Pattern[str]]:
        return self._list("permission")

    @cached_property
    def explicit_binding(self) -> list[re.Pattern[str]]:
        return self._list("explicit_binding")

    @cached_property
    def binding_override(self) -> list[re.Pattern[str]]:
        return self._list("binding_override")

    @cached_property
    def duty_leadin(self) -> list[re.Pattern[str]]:
        return self._list("duty_leadin")

    @cached_property
    def soft_explicit(self) -> list[re.Pattern[str]]:
        return self._list("soft_explicit")

    @cached_property
    def hedges(self) -> list[re.Pattern[str]]:
        return self._list("hedges")

    @cached_property
    def indicator_cues(self) -> list[re.Pattern[str]]:
        return self._list("indicator_cues")

    @cached_property
    def collective_subject(self) -> list[re.Pattern[str]]:
        return self._list("collective_subject")

    @cached_property
    def actor(self) -> re.Pattern[str]:
        return fastre.compile(r"\b(?:" + "|".join(self.raw["actors"]) + r")\b", re.IGNORECASE)

    @cached_property
    def soft_verb(self) -> re.Pattern[str]:
        return fastre.compile(r"^(?:" + "|".join(self.raw["soft_verbs"]) + r")", re.IGNORECASE)

    @cached_property
    def future_verb(self) -> Optional[re.Pattern[str]]:
        pattern = self.raw.get("future_verb")
        return fastre.compile(pattern, re.IGNORECASE) if pattern else None

    @cached_property
    def modal(self) -> Optional[re.Pattern[str]]:
        pattern = self.raw.get("modal")
        return fastre.compile(pattern, re.IGNORECASE) if pattern else None

    @cached_property
    def passive_participle(self) -> Optional[re.Pattern[str]]:
        pattern = self.raw.get("passive_participle")
        return fastre.compile(pattern, re.IGNORECASE) if pattern else None

    @cached_property
    def infinitive_start(self) -> re.Pattern[str]:
        return fastre.compile(self.raw["infinitive_start"], re.IGNORECASE)

    @cached_property
    def stative(self) -> set[str]:
        return {fold(w) for w in self.raw.get("stative_future", [])}

    @cached_property
    def copula(self) -> set[str]:
        return {fold(w) for w in self.raw.get("copula_future", [])}

    @cached_property
    def adverbial_start(self) -> set[str]:
        return {fold(w) for w in self.raw.get("adverbial_start", [])}

    @cached_property
    def determiners(self) -> set[str]:
        return {fold(w) for w in self.raw.get("determiners", [])}

    @cached_property
    def non_verb_initial(self) -> set[str]:
        return {fold(w) for w in self.raw.get("non_verb_initial", [])}

    def prepare(self) -> None:
        """Compile every rule (and each rule list joined as one) now rather than at first use."""
        for name, attr in vars(type(self)).items():
            if not isinstance(attr, cached_property):
                continue
            value = getattr(self, name)
            for patterns in value.values() if isinstance(value, dict) else [value]:
                if isinstance(patterns, list):
                    self._joined_of(patterns)

    def _joined_of(self, patterns: list[re.Pattern[str]]) -> Optional[re.Pattern[str]]:
        # Keyed by identity: the rule lists are this object's own, and the entry keeps the
        # list alive, so its id cannot be reused by another list.
        if id(patterns) not in self._joined:
            self._joined[id(patterns)] = (patterns, fastre.either(patterns))
        return self._joined[id(patterns)][1]

    def first_start(self, patterns: list[re.Pattern[str]], text: str) -> Optional[int]:
        """Where the earliest match of any pattern of the rule list ``patterns`` starts
        in ``text``: None when none matches, 0 when the list cannot be searched as one."""
        joined = self._joined_of(patterns)
        if joined is None:
            return 0
        m = joined.search(text)
        return None if m is None else m.start()

    def _positions(self, patterns: list[re.Pattern[str]], text: str) -> Optional[list[int]]:
        """Where some pattern of the rule list ``patterns`` matches (the joined pattern
        matches there exactly then), in order, stopping after ``MAX_STARTS + 1`` of them;
        None when the list cannot be searched as one."""
        joined = self._joined_of(patterns)
        if joined is None:
            return None
        found: list[int] = []
        m = joined.search(text)
        while m is not None and len(found) <= MAX_STARTS:
            found.append(m.start())
            m = joined.search(text, m.start() + 1)
        return found

    def matches(self, patterns: list[re.Pattern[str]], text: str) -> Iterator[tuple[int, list[re.Match[str]]]]:
        """``(index, list(patterns[index].finditer(text)))`` for each pattern that matches, in
        list order: each pattern is tried only where the list matches at all, not at every position."""
        positions = self._positions(patterns, text)
        if positions == []:
            return
        few = positions is not None and len(positions) <= MAX_STARTS
        begin = positions[0] if positions else 0
        for i, p in enumerate(patterns):
            found = fastre.finditer_at(p, text, positions) if few else list(p.finditer(text, begin))
            if found:
                yield i, found

    def any(self, patterns: list[re.Pattern[str]], text: str) -> Optional[re.Match[str]]:
        start = self.first_start(patterns, text)
        if start is None:
            return None
        # No pattern matches before ``start``; lookbehinds and word boundaries there
        # still see the text before it, so each search finds what a search from 0 would.
        for p in patterns:
            m = p.search(text, start)
            if m:
                return m
        return None


def load_rules(lang: str) -> LangRules:
    path = RULES_DIR / f"commitments_{lang}.json"
    return LangRules(lang, json.loads(path.read_text(encoding="utf-8")))


def get_rules(ctx: Context, lang: Optional[str]) -> LangRules:
    lang = lang if lang in LANGS else "en"
    return ctx.resource(f"commitments.rules.{lang}", lambda: load_rules(lang))


@dataclass
class Cue:
    start: int
    end: int
    kind: str  # explicit | soft | modal | future | passive | duty | permission | infinitive


@dataclass
class Decision:
    commitment: bool
    reason: str
    strength: str = "binding"
    cue: Optional[Cue] = None
    uncertain: bool = False  # the rules were unsure; a trained classifier may overrule


def find_cues(text: str, rules: LangRules) -> list[Cue]:
    cues: list[Cue] = []
    for kind, patterns in (
        ("explicit", rules.explicit_binding),
        ("soft", rules.soft_explicit),
        ("duty", rules.duty_leadin),
        ("permission", rules.permission),
    ):
        for _i, found in rules.matches(patterns, text):
            for m in found:
                if kind == "permission" and _SUBORDINATE.search(text[: m.start()]):
                    continue  # "any costs that may arise": a relative clause, not the main verb
                cues.append(Cue(m.start(), m.end(), kind))
    if rules.modal:
        for m in rules.modal.finditer(text):
            # "all measures which will facilitate": the modal of a relative clause is not the main verb
            if not _RELATIVE.search(text[max(0, m.start() - 12) : m.start()]):
                cues.append(Cue(m.start(), m.end(), "modal"))
    if rules.future_verb:
        for m in rules.future_verb.finditer(text):
            cues.extend(_spanish_future(text, m, rules))
    cues.sort(key=lambda c: (c.start, _PRIORITY[c.kind]))
    return cues


# At one position the more specific reading wins: "shall be entitled to" is a permission
# before it is a "shall".
_PRIORITY = {"duty": 0, "explicit": 1, "soft": 2, "permission": 3, "passive": 4, "modal": 5, "future": 6, "stative": 7, "infinitive": 8}
_RELATIVE = fastre.compile(r"\b(?:which|who|that|que|quienes?|cuales?)\s+$", re.I)


def _spanish_future(text: str, m: re.Match[str], rules: LangRules) -> list[Cue]:
    word = fold(m.group(0))
    if word in rules.copula:
        pp = rules.passive_participle.match(text, m.start()) if rules.passive_participle else None
        return [Cue(m.start(), pp.end(), "passive")] if pp else []
    if word in {fold(w) for w in rules.raw.get("not_future", [])}:
        return []
    if word in rules.stative:
        return [Cue(m.start(), m.end(), "stative")]
    se = re.search(r"\bse\s+$", text[max(0, m.start() - 6) : m.start()], re.IGNORECASE)
    if se:
        return [Cue(m.start() - (len(se.group(0))), m.end(), "passive")]
    return [Cue(m.start(), m.end(), "future")]


def _adverbial(chunk: str, rules: LangRules) -> bool:
    first = _WORD.findall(fold(chunk))[0]
    # Gerund and participial phrases ("reconociendo la importancia", "acting through") are not subjects.
    return first in rules.adverbial_start or first.endswith(("ando", "iendo", "yendo")) or (rules.lang == "en" and first.endswith("ing") and len(first) > 5)


def subject_chunks(text: str, rules: LangRules) -> list[str]:
    """Candidate subjects before the verb, nearest first: comma-separated chunks that
    are not adverbial phrases ("de acuerdo con su legislación", "In addition to ...").
    Where every chunk is adverbial, the subject is the last noun phrase of the nearest
    one ("Para la aplicación del Convenio las Partes" → "las Partes")."""
    chunks = [c.strip() for c in re.split(r"[,;]", text) if _WORD.search(c)]
    out = [c for c in reversed(chunks) if not _adverbial(c, rules)]
    if not out and chunks:
        words = chunks[-1].split()
        starts = [i for i, w in enumerate(words) if i > 0 and fold(w) in rules.determiners]
        k = len(starts) - 1
        # "... el Gobierno de Colombia y el Gobierno de la RDA": the subject is both noun phrases
        while k > 0 and fold(words[starts[k] - 1]) in {"y", "e", "and"}:
            k -= 1
        out = [" ".join(words[starts[k] :] if starts else words[-2:])]
    return out


def _has_actor(chunks: list[str], rules: LangRules) -> bool:
    for chunk in chunks[:1]:
        if rules.actor.search(chunk):
            return True
        # Proper names as subjects ("Corpozulia y Corpoguajira elaborarán"): a capitalised
        # word that does not merely start the sentence.
        words = chunk.split()
        if any(w[:1].isupper() for w in words[1:]) or (words and words[0][:1].isupper() and fold(words[0]) not in rules.determiners and len(words) <= 3):
            return True
    return False


def _is_self_reference(chunks: list[str], rules: LangRules) -> bool:
    return any(rules.any(rules.self_ref_subject, chunk) for chunk in chunks[:1])


def _strip_marker(text: str) -> str:
    return re.sub(r"^\s*(?:\(?\w{1,6}[.)]\s+|[-•·–—*]\s+)", "", text)


def classify(text: str, rules: LangRules, *, infinitive_ok: bool = False) -> Decision:
    """Decide whether one sentence is a commitment, and how strong."""
    body = _strip_marker(text)
    if rules.any(rules.recital_start, body):
        return Decision(False, "recital")
    for name in ("definition", "dispute", "designation", "status"):
        if rules.any(rules.exclusions[name], body):
            return Decision(False, name)
    cues = find_cues(body, rules)
    if infinitive_ok and rules.infinitive_start.match(body):
        cues.insert(0, Cue(0, len(body.split()[0]), "infinitive"))
    decisive: Optional[Cue] = None
    actorless: Optional[Cue] = None
    for cue in cues:
        if cue.kind == "permission":
            return Decision(False, "permission", cue=cue)
        if cue.kind == "stative":
            # "incluirá", "contemplará", "dependerá": usually a description, not an undertaking.
            actorless = actorless or cue
            continue
        if cue.kind == "future" or (cue.kind == "modal" and fold(body[cue.start : cue.end]) == "will"):
            chunks = subject_chunks(body[: cue.start], rules)
            if not _has_actor(chunks, rules):
                actorless = actorless or cue
                continue
        decisive = cue
        break
    cue = decisive or actorless
    if cue is None:
        return Decision(False, "no cue")
    if rules.any(rules.recital_participle, body) and "," not in body[: cue.start]:
        return Decision(False, "recital")
    if _is_self_reference(subject_chunks(body[: cue.start], rules), rules) or rules.any(rules.exclusions["meta"], body):
        return Decision(False, "about the agreement", cue=cue)
    if decisive is None:
        # "El Plan incluirá...", "The program will benefit...": a future without a party as
        # subject is usually a description; a trained classifier may say otherwise.
        return Decision(False, "future without actor", strength=strength(body, cue, rules), cue=cue, uncertain=True)
    return Decision(True, decisive.kind, strength=strength(body, decisive, rules), cue=decisive)


def strength(text: str, cue: Cue, rules: LangRules) -> str:
    """binding or soft: hedges and soft cues are soft, explicit obligations binding;
    otherwise the verbs the cue governs decide, the stronger one winning."""
    if rules.any(rules.hedges, text):
        return "soft"
    if rules.any(rules.binding_override, text):
        return "binding"
    if cue.kind == "soft":
        return "soft"
    if cue.kind == "passive":
        # "se estimulará el intercambio": the reflexive passive of soft verbs stays soft,
        # "se incentivará e incluirá" takes the stronger verb; other passives bind
        se = re.match(r"se\s+", text[cue.start : cue.end], re.IGNORECASE)
        if not se:
            return "binding"
        cue = Cue(cue.start + se.end(), cue.end, "future")
    elif cue.kind in ("explicit", "duty"):
        return "binding"
    verbs = verb_chain(text, cue, rules)
    if verbs and all(rules.soft_verb.match(fold(v)) for v in verbs):
        return "soft"
    return "binding"


_INSERTS = fastre.compile(r"\b(?:in\s+particular|in\s+principle|in\s+general|as\s+appropriate|where\s+appropriate|as\s+necessary|en\s+particular|en\s+especial)\b", re.I)
_SKIP_EN = {"not", "also", "jointly", "mutually", "actively", "further", "each", "both", "continue", "to", "reciprocally", "together", "equally", "duly", "separately", "hereby"}


def verb_chain(text: str, cue: Cue, rules: LangRules) -> list[str]:
    """The coordinated verbs a cue governs: "impulsarán y pondrán en marcha",
    "shall promote and implement"."""
    # Adverbial phrases between the modal and its verb ("shall in particular encourage")
    words = re.findall(r"[\w’'-]+|,", _INSERTS.sub(" ", text[cue.start :]))
    if not words:
        return []
    if cue.kind in ("future", "infinitive"):
        verbs = [words[0]]
        i = 1
    else:
        i = 1
        while i < len(words) and (fold(words[i]) in _SKIP_EN or fold(words[i]).endswith("ly")):
            i += 1
        if i >= len(words):
            return []
        if fold(words[i]) == "be":
            return ["be"]
        verbs = [words[i]]
        i += 1
    # Coordinated verbs: "X y Y", "X, Y y Z", "X and Y".
    while i + 1 < len(words) and fold(words[i]) in {"y", "e", "o", "and", "or", ","}:
        nxt = words[i + 1]
        if fold(nxt) in {"y", "e", "and", "or"}:
            i += 1
            continue
        if rules.lang == "es" and not (rules.future_verb and rules.future_verb.fullmatch(nxt)) and not re.match(r".*(?:ar|er|ir)$", fold(nxt)):
            break
        if rules.lang == "en" and (fold(nxt) in rules.determiners or fold(nxt) in {"shall", "will", "may", "can", "must"}):
            break
        verbs.append(nxt)
        i += 2
    return verbs


def is_verb_initial(text: str, rules: LangRules) -> bool:
    body = _strip_marker(text).lstrip("—–- ")
    first = fold(body.split()[0]) if body.split() else ""
    if rules.lang == "es":
        return bool(re.match(rules.raw.get("verb_initial_item", "^$"), fold(body)))
    if not first or first[0].isdigit() or first in rules.non_verb_initial:
        return False
    return not re.search(r"(?:tion|ment|ance|ence|ity|ness|ship|al|ic|ive|ous|ies|s)$", first)


def has_indicator_cue(text: str, rules: LangRules) -> bool:
    for p in rules.indicator_ignore:
        text = p.sub(" ", text)
    return rules.any(rules.indicator_cues, text) is not None


# --- party attribution -------------------------------------------------------

_GENERIC = {
    "gobierno", "government", "republica", "republic", "de", "del", "la", "el", "los", "las", "of", "the", "and", "y",
    "city", "ciudad", "municipio", "municipality", "estado", "state", "states", "estados", "unidos", "united", "h", "ayuntamiento",
    "county", "condado", "town", "villa", "federal", "federativa", "popular", "democratica", "kingdom", "reino", "gobiernos",
    "mexicanos", "libre", "soberano", "constitucional", "secretaria", "ministerio", "ministry", "department", "departamento",
    "universidad", "university", "instituto", "institute", "nacional", "national", "for", "para", "en", "in", "a", "al",
}


def load_demonyms() -> dict[str, list[str]]:
    raw = json.loads((RULES_DIR / "demonyms.json").read_text(encoding="utf-8"))
    return {k: [fold(v) for v in vs] for k, vs in raw.items() if not k.startswith("_")}


def get_demonyms(ctx: Context) -> dict[str, list[str]]:
    return ctx.resource("commitments.demonyms", load_demonyms)


def party_keys(party: Party, demonyms: dict[str, list[str]]) -> list[str]:
    """Words that name this party and no generic office: "colombia", "renton", "council"."""
    keys: set[str] = set()
    for name in [party.name, *party.aliases]:
        for w in _WORD.findall(fold(name)):
            if len(w) >= 4 and w not in _GENERIC:
                keys.add(w)
        # Agreements shorten institutions to their initials ("la UPB", "SDU will").
        initials = "".join(w[0] for w in re.findall(r"\w+", name) if w[0].isupper())
        if len(initials) >= 3:
            keys.add(fold(initials))
    return sorted(keys)


def attribute_party(
    subject: str,
    parties: list[Party],
    rules: LangRules,
    demonyms: dict[str, list[str]],
    lang: Optional[str] = None,
    aliases: Optional[dict[str, list[str]]] = None,
) -> str:
    """The party a subject names, or "all" (joint, each party, bodies, roles, no subject).

    A party is named when the subject holds its distinctive words ("Colombia",
    "Renton") or its country adjective ("la Parte mexicana"). Where several parties
    are named, the one whose words the subject covers best wins; a tie between
    different parties means a joint subject ("all"), a tie between the two language
    forms of one party goes to the form in the commitment's language.
    """
    all_keys = [party_keys(p, demonyms) for p in parties]
    phrases = [[fold(a) for a in (aliases or {}).get(p.name, [])] for p in parties]
    df = Counter(k for keys in all_keys for k in set(keys))
    if _names_several(subject, parties, all_keys, phrases):
        return "all"
    for chunk in subject_chunks(subject, rules):
        if _only_place_or_adverb(chunk):
            continue  # "..., State of Utah, United States of America, does hereby agree"
        folded = fold(chunk)
        words = set(_WORD.findall(folded))
        scored: list[tuple[float, Party]] = []
        hit_words: list[set[str]] = []
        for party, keys, defined in zip(parties, all_keys, phrases):
            found = _key_hits(folded, words, keys, defined)
            adjectives = demonyms.get(party.country or "", [])
            if not found and adjectives and _demonym_hit(folded, adjectives):
                found = {f"country:{party.country}"}
            if found:
                # Words shared by several party names ("education", "sinaloa") say less than
                # a word only one party has ("texas").
                weight = sum(1.0 / df.get(k, 1) if not k.startswith("alias:") else 10.0 for k in found)
                scored.append((weight + len(found) / max(len(keys), 1) / 100, party))
                hit_words.append(found)
        collective = rules.any(rules.collective_subject, chunk) is not None
        # Parties named by different words and joined by a conjunction ("Ensenada y Santa
        # Bárbara") act jointly.
        joint = _CONJUNCTION.search(folded) is not None and any(
            not (a & b) for i, a in enumerate(hit_words) for b in hit_words[i + 1 :]
        )
        if scored and not collective and not joint:
            scored.sort(key=lambda sp: -sp[0])
            best = [p for sc, p in scored if sc == scored[0][0]]
            if len(best) == 1:
                return best[0].name
            if len({p.country for p in best}) == 1 and len(best) == 2 and lang:
                same = [p for p in best if (p.lang or _guess_name_lang(p.name)) == lang]
                if len(same) == 1:
                    return same[0].name
            return "all"
        if scored or collective or rules.actor.search(chunk):
            return "all"
    return "all"


def _key_hits(folded: str, words: set[str], keys: list[str], defined: list[str]) -> set[str]:
    """The keys of one party found in a folded text (its ``words``), and its defined short
    names as ``alias:<name>``: "EL MUNICIPIO" names its party outright."""
    return {k for k in keys if k in words} | {f"alias:{a}" for a in defined if re.search(rf"\b{re.escape(a)}\b", folded)}


def _party_hits(text: str, parties: list[Party], all_keys: list[list[str]], phrases: list[list[str]]) -> set[str]:
    folded = fold(text)
    words = set(_WORD.findall(folded))
    return {p.name for p, keys, defined in zip(parties, all_keys, phrases) if _key_hits(folded, words, keys, defined)}


def _names_several(subject: str, parties: list[Party], all_keys: list[list[str]], phrases: list[list[str]]) -> bool:
    """"the City of Kyiv, Ukraine, and the City of Sarajevo, Bosnia and Herzegovina, have agreed":
    the last clause of the subject names two parties joined by a conjunction, so they act jointly."""
    clause = re.split(r"\b(?:that|que|whereby|por\s+el\s+cual)\b|[;:]", subject)[-1]
    if not re.search(r"\b(?:and|y|e)\b|&", clause, re.IGNORECASE):
        return False
    return len(_party_hits(clause, parties, all_keys, phrases)) >= 2


_ADVERB_ONLY = {"does", "do", "hereby", "also", "further", "jointly", "hereinafter", "therefore", "thus", "asimismo", "tambien",
                "igualmente", "por", "lo", "tanto", "mutually", "each", "respectively", "respectivamente"}


def _only_place_or_adverb(chunk: str) -> bool:
    from extractors.parties import place_only

    words = _WORD.findall(fold(chunk))
    return not words or all(w in _ADVERB_ONLY for w in words) or place_only(chunk)


def _demonym_hit(folded: str, adjectives: list[str]) -> bool:
    alt = "|".join(map(re.escape, adjectives))
    return bool(
        re.search(rf"\b(?:parte|party|side|lado|delegacion|delegation)\s+(?:{alt})\b", folded)
        or re.search(rf"\b(?:{alt})\s+(?:party|side|delegation|government)\b", folded)
    )


def _guess_name_lang(name: str) -> str:
    words = set(_WORD.findall(fold(name)))
    return "es" if words & {"de", "del", "la", "el", "los", "las", "y"} else "en"


# --- document walk -------------------------------------------------------------


@dataclass
class _LeadIn:
    index: Optional[int]  # commitment index, None when the lead-in is not a commitment
    clause: Optional[str]
    permission: bool = False


@dataclass
class _State:
    """Reading state, kept per language: a bilingual agreement has a preamble in each version."""

    operative: dict[str, bool]
    recitals: dict[str, bool] = field(default_factory=dict)
    infinitive_articles: dict[str, bool] = field(default_factory=dict)
    lead_in: Optional[_LeadIn] = None
    lang: Optional[str] = None


def _has_formula(segments: list[Segment], ctx: Context, seen: list[Optional[bool]]) -> dict[str, bool]:
    """Per language, whether some segment closes a preamble. What each segment searched
    showed goes into ``seen`` (None where the language's answer was known already), so
    that the reading pass does not search the same segment again."""
    found: dict[str, bool] = {}
    for pos, seg in enumerate(segments):
        if found.get(seg.lang, False):
            continue
        rules = get_rules(ctx, seg.lang)
        seen[pos] = rules.any(rules.preamble_end, seg.text) is not None
        found[seg.lang] = seen[pos]
    return found


def _ends_preamble(seg: Segment, rules: LangRules, seen: Optional[bool]) -> bool:
    return seen if seen is not None else rules.any(rules.preamble_end, seg.text) is not None


def _in_list(seg: Segment, lead: _LeadIn) -> bool:
    if seg.kind == "heading" or seg.clause is None:
        return False
    return lead.clause is None or seg.clause.startswith(lead.clause + " ")


def _starts_item(doc: Document, seg: Segment) -> bool:
    """True for the first sentence of a list item: only a marker precedes it on its line."""
    text = doc.pages[seg.evidence.page - 1].text
    line_start = text.rfind("\n", 0, seg.evidence.start) + 1
    prefix = text[line_start : seg.evidence.start].strip()
    if not prefix:
        # An inline item ("...; b) Intercambio") has its marker right before it.
        m = re.search(r"(?:\(?[a-z]\)|\(?\d{1,2}\))\s*$", text[max(0, seg.evidence.start - 6) : seg.evidence.start])
        return m is not None and seg.kind in ("item", "leadin")
    return _ITEM_PREFIX.match(prefix) is not None


def _formula_skip(text: str) -> bool:
    """The formula sentence itself ("han convenido lo siguiente:") carries no commitment."""
    t = fold(text.strip())
    return t.endswith((":", "siguiente.", "siguiente", "following.", "follows.", "follows", "following")) or len(t.split()) < 6


def _verbless_lead_in(seg: Segment, following: list[Segment], rules: LangRules) -> Optional[Decision]:
    """"A tal efecto, cada una de las Partes:" followed by "a) Facilitará ..." / "The Parties:
    (a) shall ...": the verbs are in the items, the undertaking is the lead-in's."""
    body = _strip_marker(seg.text)
    if not rules.actor.search(body) or len(body.split()) > 14 or not following or following[0].kind != "item":
        return None
    item = _strip_marker(following[0].text)
    cues = find_cues(item, rules)
    first = cues[0] if cues and cues[0].start == 0 else None
    if first is None and not is_verb_initial(item, rules):
        return None
    if first is not None and first.kind == "permission":
        return None
    cue = first or Cue(0, 0, "infinitive")
    return Decision(True, "verbless lead-in", strength=strength(item, cue, rules))


def _formula_carries_commitment(text: str, rules: LangRules) -> bool:
    """A resolution's formula may run into its only operative clause ("BE IT RESOLVED ... that
    the City of X does hereby agree to ..."): the words after the formula decide."""
    start = min(m.start() for p in rules.preamble_end if (m := p.search(text)))
    rest = text[start:]
    return len(rest.split()) >= 8 and classify(rest, rules).commitment


Classifier = Any  # callable(list[str], list[str]) -> list[float]: probability of being a commitment


def detect(doc: Document, ctx: Context, classifier: Optional[Classifier] = None) -> list[tuple[Segment, Commitment]]:
    segments = doc.segments
    seen: list[Optional[bool]] = [None] * len(segments)
    state = _State(operative={lang: not found for lang, found in _has_formula(segments, ctx, seen).items()})
    demonyms = get_demonyms(ctx)
    out: list[tuple[Segment, Commitment]] = []
    judged: set[int] = set()  # ids of commitments the classifier decided (and scored) itself
    aliases = defined_aliases(doc, demonyms)

    for pos, seg in enumerate(segments):
        rules = get_rules(ctx, seg.lang)
        text = seg.text
        lang = seg.lang
        if lang != state.lang:
            state.lang, state.lead_in = lang, None
        if rules.any(rules.recital_sections, text):
            state.recitals[lang], state.lead_in = True, None
            continue
        if _ends_preamble(seg, rules, seen[pos]):
            was_preamble = not state.operative.get(lang, True) or state.recitals.get(lang, False)
            state.operative[lang], state.recitals[lang] = True, False
            state.infinitive_articles[lang] = rules.any(rules.formula_governs_infinitive, text) is not None
            state.lead_in = None
            # Inside an article, "Las Partes ... acuerdan:" opens a list of undertakings; only the
            # formula that closes the preamble is skipped.
            if was_preamble and not _formula_carries_commitment(text, rules):
                continue
            if not was_preamble and _formula_skip(text) and not (seg.clause and seg.kind == "leadin"):
                continue
        if not state.operative.get(lang, True) or state.recitals.get(lang, False) or seg.kind == "heading":
            if seg.kind == "heading" and state.lead_in and not _in_list(seg, state.lead_in):
                state.lead_in = None
            continue
        lead = state.lead_in
        in_list = lead is not None and _in_list(seg, lead)
        if not in_list:
            state.lead_in = None
        item_start = _starts_item(doc, seg)
        decision = classify(text, rules, infinitive_ok=state.infinitive_articles.get(lang, False) and not in_list)
        if not decision.commitment and decision.reason == "no cue" and seg.kind == "leadin":
            decision = _verbless_lead_in(seg, segments[pos + 1 : pos + 2], rules) or decision
        if in_list and lead is not None and item_start:
            if lead.index is not None:
                own = decision.commitment and decision.reason != "infinitive" and not is_verb_initial(text, rules)
                measured = is_verb_initial(text, rules) and has_indicator_cue(text, rules)
                if not (own or measured):
                    out[lead.index][1].actions.append(text)
                    continue
                if measured and not own:
                    verbs = verb_chain(text, Cue(0, 0, "infinitive"), rules)
                    soft = bool(verbs) and all(rules.soft_verb.match(fold(v)) for v in verbs)
                    decision = Decision(True, "measured item", strength="soft" if soft else "binding")
            elif lead.permission:
                continue
        score = RULE_SCORE
        judged_here = False
        if decision.uncertain and classifier is not None:
            score = float(classifier([text], [lang])[0])
            decision.commitment = score >= 0.5
            judged_here = True
        elif decision.uncertain:
            score = 0.6
        if not decision.commitment:
            if seg.kind == "leadin":
                state.lead_in = _LeadIn(None, seg.clause, permission=decision.reason == "permission")
            continue
        cue_start = decision.cue.start if decision.cue else 0
        party = attribute_party(_strip_marker(text)[:cue_start], doc.parties, rules, demonyms, seg.lang, aliases)
        commitment = Commitment(
            text=text,
            lang=seg.lang,
            party=party,
            strength=decision.strength,
            clause=seg.clause,
            score=round(score, 3),
            evidence=seg.evidence,
        )
        out.append((seg, commitment))
        if judged_here:
            judged.add(id(commitment))
        if seg.kind == "leadin":
            state.lead_in = _LeadIn(len(out) - 1, seg.clause)
    if classifier is not None:
        # The rules decided these; the classifier's probability is kept as their confidence.
        ruled = [c for _, c in out if id(c) not in judged]
        for c, prob in zip(ruled, classifier([c.text for c in ruled], [c.lang for c in ruled]) if ruled else []):
            c.score = round(float(prob), 3)
    return out


def load_classifier(ctx: Context) -> Optional[Classifier]:
    """The transformers model given with --model, else the trained spaCy textcat in
    models/, else None (rules alone)."""
    opts = ctx.options
    if opts.transformer_dir:
        from extractors.classifiers import TransformerClassifier

        return ctx.resource(f"commitments.transformer.{opts.transformer_dir}", lambda: TransformerClassifier(Path(opts.transformer_dir)))
    path = Path(opts.models_dir) / "commitment_textcat"
    if (path / "meta.json").exists():
        from extractors.classifiers import TextcatClassifier

        return ctx.resource(f"commitments.textcat.{path}", lambda: TextcatClassifier(path))
    return None


_DEFINED_ALIAS = fastre.compile(
    r"(?:en\s+lo\s+sucesivo|en\s+adelante|hereinafter|hereafter)[^\"“«\n]{0,60}?[\"“«]\s*(?P<alias>[^\"”»\n]{2,40}?)\s*[\"”»]"
    # "Universidad Autónoma de Coahuila (UA de C)", "the University of Texas at San Antonio (UTSA)": initials in brackets
    r"|(?<=[\w.])\s*\((?-i:(?P<initials>(?=(?:[^)]*[A-Z]){2})[A-Z][A-Za-z.&\- ]{1,14}))\)",
    re.IGNORECASE,
)


def defined_aliases(doc: Document, demonyms: dict[str, list[str]]) -> dict[str, list[str]]:
    """Short names the text defines for a party ('... Saltillo, a quien en lo sucesivo se le
    denominará "EL MUNICIPIO"'): each goes to the party named last before the definition."""
    out: dict[str, list[str]] = {}
    keys = {p.name: party_keys(p, demonyms) for p in doc.parties}
    for page in doc.pages:
        for m in _DEFINED_ALIAS.finditer(page.text):
            alias = fold(m.group("alias") or m.group("initials")).strip()
            if re.fullmatch(r"(?:las|los|the)?\s*(?:partes|parties|signatarias|participantes)", alias):
                continue
            before = fold(page.text[max(0, m.start() - 400) : m.start()])
            best, best_pos = None, -1
            for name, ks in keys.items():
                pos = max((before.rfind(k) for k in ks), default=-1)
                if pos > best_pos:
                    best, best_pos = name, pos
            if best is not None:
                out.setdefault(best, []).append(alias)
    return out


def warm_up(ctx: Context) -> None:
    """Compile both languages' rules and load the classifier before a worker's first document."""
    for lang in LANGS:
        get_rules(ctx, lang).prepare()
    get_demonyms(ctx)
    load_classifier(ctx)


def run(doc: Document, ctx: Context) -> None:
    classifier = load_classifier(ctx)
    doc.commitments = [c for _, c in detect(doc, ctx, classifier)]
