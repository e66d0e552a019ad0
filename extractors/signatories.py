"""Signatories: who signed, with their title and the party they sign for.

Signature blocks come in a few shapes, read line by line in the last part of
the text (after the signing formula):

- "Por el Gobierno de X," / "For the City of X" — the party the next names sign for;
- a name line followed by a title line ("María Ángela Holguín," / "Ministra de Relaciones Exteriores.");
- "Name, Title" on one line ("EULINE BROCK, MAYOR", "(Fdo.) Carlos Lemos Simmonds, Ministro ...");
- "(Fdo.) Name" / "(sd.) NAME" with no title: the title is looked up where the
  text names the plenipotentiaries ("al señor Germán Zea, Ministro de Relaciones Exteriores").

"(Firma ilegible)" and similar yield no signatory.
"""

from __future__ import annotations

import re
from typing import Optional

from extractors.numbers import fold
from extractors.spans import evidence, lang_at
from pipeline.context import Context
from pipeline.model import Document, Signatory

_TITLE_WORDS = re.compile(
    r"\b(?:mayor|alcalde(?:sa)?|presidente|presidenta|president|ministr[oa]|minister|secretari[oa]|secretary|governor|gobernador[a]?|"
    r"embajador[a]?|ambassador|chairman|chairperson|chair|director[a]?|rector[a]?|attorney|manager|s[ií]ndic[oa]|regidor[a]?|"
    r"commissioner|comisionad[oa]|canciller|chancellor|consul|c[oó]nsul|jefe|head|representative|representante|dean|decano|"
    r"clerk|coordinador[a]?|coordinator|plenipotenciario|plenipotentiary|vice|delegation|delegaci[oó]n|officer|oficial|"
    r"prefect|prefecto|intendente|councilmember|concejal)\b",
    re.I,
)
_ILLEGIBLE = re.compile(r"ilegible|illegible|firma\s+ilegible|\bsin\s+firma\b", re.I)
_MARK = re.compile(r"^\s*(?:\((?:fdo|firmado|sd|signed|sgd|f)\.?\)|by\s*:|por\s*:|firma\s*:|signature\s*:|name\s*:|nombre\s*:)\s*", re.I)
# "Por el Gobierno de X", "FOR THE CITY OF Y": the party is a name, so it starts with a capital
# ("Por lo anterior, las Partes convienen ..." is a sentence, not a signature line)
_BEHALF = re.compile(r"^\s*(?:Por|POR|For|FOR|On\s+behalf\s+of|ON\s+BEHALF\s+OF)\s+(?:el|la|los|las|the|EL|LA|THE)?\s*(?P<party>[A-ZÁÉÍÓÚÑ\"“'].+?)[,.:]?\s*$")
# Clause headings ("PRIMERA. OBJETO", "Seventh. Participation of Third Parties") look like names in capitals
_HEADING_WORD = re.compile(
    r"(?i)^(?:primer[oa]?|segund[oa]|tercer[oa]?|cuart[oa]|quint[oa]|sext[oa]|s[eé]ptim[oa]|octav[oa]|noven[oa]|d[eé]cim[oa]|"
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|objeto|object|purpose|cl[aá]usulas?|"
    r"clauses?|declaraciones|antecedentes|considerandos|whereas|recitals|services|servicios|de|del|of|the|la|el)\b"
)
_SIGN_START = re.compile(
    r"^[ \t]*(?:Hech[oa]|Dad[oa]|Firmad[oa]|Suscrit[oa]|Signed|Done|In\s+witness|IN\s+WITNESS|En\s+fe\s+de\s+lo\s+cual|EN\s+FE|"
    r"PASSED\s+AND\s+APPROVED|ATTEST|Por\s+el|Por\s+la|For\s+the|\(Fdo|\(sd|\(Firmado)",
    re.M,
)
_ORG_LINE = re.compile(
    r"^\s*(?:THE\s+|EL\s+|LA\s+)?(?:CITY|TOWN|COUNTY|MUNICIPALITY|STATE|GOVERNMENT|UNIVERSITY|MUNICIPIO|CIUDAD|AYUNTAMIENTO|H\.\s*AYUNTAMIENTO|"
    r"GOBIERNO|ESTADO|UNIVERSIDAD|City|Town|County|Municipality|State|Government|University|Municipio|Ciudad|Ayuntamiento|Gobierno|Estado|Universidad)"
    r"\s+(?:OF|DE|DEL|of|de|del)\b[^,:]*(?:,[^,:]*)?$"
)
_NAME = re.compile(
    r"^(?:(?:Lic|Dr|Dra|Ing|Mtro|Mtra|Sr|Sra|Mr|Mrs|Ms|Hon|Prof|Arq|C)\.\s*)?"
    r"[A-ZÁÉÍÓÚÑ][\w'’.-]*(?:\s+(?:de\s+la\s+|de\s+los\s+|del\s+|de\s+|y\s+)?[A-ZÁÉÍÓÚÑ][\w'’.-]*){1,4}$"
)


def _is_name(text: str) -> bool:
    text = text.strip(" ,.;")
    if not text or len(text) > 60 or _TITLE_WORDS.search(text) or re.search(r"\d", text):
        return False
    if re.match(r"(?i)(?:to|attn|nr|art[ií]culo|article|anexo|annex|section|secci[oó]n)\b", text) or sum(len(w) > 1 for w in text.split()) < 2:
        return False
    if _HEADING_WORD.match(text) or re.search(r"(?i)\b(?:services|servicios|department|departamento|office|oficina)\b", text):
        return False
    if re.search(r"\b(?:City|Ciudad|Gobierno|Government|Rep[uú]blica|Republic|Municipio|Municipality|Municipalidad|Ayuntamiento|County|Town|Estado|State|Prefecture|Kingdom|Reino|Corporaci[oó]n|Universidad|University|Approved|Attest|Legal|Form|Witness|Testigo)\b", text, re.I):
        return False
    return bool(_NAME.match(text))


def _clean_name(text: str) -> str:
    name = text.strip(" ,.;")
    if name.isupper():
        name = " ".join(w.capitalize() if len(w) > 1 or not w.isalpha() else w for w in name.split())
    return re.sub(r"(?<=\.)(?=[A-ZÁÉÍÓÚ])", " ", name) if re.search(r"\.[A-ZÁÉÍÓÚ]", name) else name


def _clean_title(text: str) -> str:
    title = text.strip(" .,;")
    return title.title().replace(" De ", " de ").replace(" Del ", " del ").replace(" Of ", " of ") if title.isupper() else title


def _title_for(doc: Document, name: str) -> Optional[str]:
    """Title given where the text introduces the person: "Germán Zea, Ministro de Relaciones Exteriores"."""
    for page in doc.pages:
        m = re.search(re.escape(name) + r"\s*,\s*(?P<title>[^,;:\n]{4,90}?)(?=[,;:\n]|$)", page.text)
        if m and _TITLE_WORDS.search(m.group("title")):
            return m.group("title").strip(" .")
    return None


def _party_for(doc: Document, label: Optional[str]) -> Optional[str]:
    if not label:
        return None
    folded = set(re.findall(r"\w+", fold(label)))
    best, best_score = None, 0.0
    for p in doc.parties:
        # 'POR "LA UANL"' signs for the party the text defined as "LA UANL"
        if any(fold(a) in fold(label) for a in p.aliases):
            return p.name
        toks = set(re.findall(r"\w+", fold(p.name)))
        if not toks:
            continue
        score = len(toks & folded) / len(toks | folded)
        if score > best_score:
            best, best_score = p.name, score
    return best if best_score >= 0.3 else None


def run(doc: Document, ctx: Context) -> None:
    low = ctx.options.low_conf if ctx else 60.0
    found: list[Signatory] = []
    for page in doc.pages:
        text = page.text
        starts = [m.start() for m in _SIGN_START.finditer(text)]
        zone_start = starts[0] if starts else max(0, len(text) - 1000)
        # the block after the last signing formula, but never earlier than the last tenth of the page
        zone_start = max(zone_start, int(len(text) * 0.5)) if len(text) > 3000 else zone_start
        lines = [(m.start(), m.group(0)) for m in re.finditer(r"[^\n]+", text[zone_start:])]
        lines = [(zone_start + s, ln) for s, ln in lines]
        party_label: Optional[str] = None
        for k, (offset, line) in enumerate(lines):
            behalf = _BEHALF.match(line)
            if behalf and len(line) < 120 and not _MARK.match(line):
                party_label = behalf.group("party")
                continue
            if _ORG_LINE.match(line) and len(line) < 100:
                party_label = line.strip()
                continue
            body = _MARK.sub("", line)
            mark_len = len(line) - len(body)
            for piece in re.split(r"\s+(?=\((?:Fdo|Firmado|sd)\.?\))", body):
                piece_off = offset + mark_len + body.find(piece)
                piece = _MARK.sub("", piece)
                if _ILLEGIBLE.search(piece):
                    continue
                name_part, _, title_part = piece.partition(",")
                if not _is_name(name_part):
                    continue
                title = _clean_title(title_part) or None
                if title and not _TITLE_WORDS.search(title):
                    title = None
                nxt = lines[k + 1][1].strip() if k + 1 < len(lines) else ""
                if title is None and nxt and _TITLE_WORDS.search(nxt) and not _BEHALF.match(nxt) and len(nxt) < 120:
                    title = _clean_title(nxt)
                marked = bool(_MARK.match(line)) or piece_off > offset + mark_len
                if title is None and not marked and party_label is None:
                    continue  # a capitalised line with no title, mark or "Por el ..." is not a signature
                name = _clean_name(name_part)
                if title is None:
                    title = _title_for(doc, name_part.strip(" ,.;"))
                bare = re.sub(r"^(?:(?:Lic|Dr|Dra|Ing|Mtro|Mtra|Sr|Sra|Mr|Mrs|Ms|Hon|Prof|Arq)\.\s*)", "", name)
                same = next((s for s in found if fold(s.name) == fold(bare)), None)
                if same is not None:
                    same.title = same.title or title
                    continue
                name = bare
                start = text.find(name_part.strip(" ,.;"), piece_off)
                end = start + len(name_part.strip(" ,.;"))
                label = party_label
                if label is None:
                    after = " ".join(ln for _, ln in lines[k + 1 : k + 3])
                    label = after
                found.append(
                    Signatory(name=name, title=title, party=_party_for(doc, label), lang=lang_at(doc, page.number, start, line),
                              evidence=evidence(page.number, start, end, doc, low) if start >= 0 else None)
                )
                party_label = None
            if not _BEHALF.match(line) and not line.strip():
                party_label = None
    doc.signatories = found
