"""The agreement page, the evidence page and page images with the evidence drawn.

Routes:
  /-/agreement/<document id>            one page per agreement
  /-/evidence/<kind>/<fact id>          the page a fact came from, span highlighted
  /-/evidence/<kind>/<fact id>.png      that page's image with the fact's box drawn
Page images are rendered on demand from the original file (pypdfium2 for PDFs,
Pillow for images), never stored.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from pathlib import Path
from typing import Any, Optional

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from pipeline.search import fold, mark
from pipeline.serve import DB_NAME, FLAGS_DB_NAME

# Fact kind in the URL -> (table, column holding the fact's text).
FACT_TABLES = {
    "commitment": ("commitments", "text"),
    "indicator": ("indicators", "text"),
    "party": ("parties", "name"),
    "signatory": ("signatories", "name"),
    "date": ("dates", "text"),
}
# Names are stored normalised ("City of Denton, Texas", "Government of Mexico",
# "Claudia Madero Peña"); their evidence is the mention as written
# ("CITY OF DENTON, TEXAS", "Mexico", "Lic. Claudia Madero Peña").
NAME_KINDS = ("party", "signatory")
TABLE_KINDS = {table: kind for kind, (table, _) in FACT_TABLES.items()}
IMAGE_WIDTH = 1100  # rendered page width in pixels: readable, and small enough to render per request
PDF_TYPES = ("application/pdf",)


def _dicts(results: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in results.rows]


async def _one(db: Any, sql: str, params: list[Any]) -> Optional[dict[str, Any]]:
    rows = _dicts(await db.execute(sql, params))
    return rows[0] if rows else None


def _json_list(value: Optional[str]) -> list[Any]:
    try:
        parsed = json.loads(value) if value else []
    except ValueError:
        return []
    return parsed if isinstance(parsed, list) else []


async def _check_view(datasette: Any, request: Any) -> None:
    await datasette.ensure_permissions(
        request.actor, [("view-database", DB_NAME), "view-instance"]
    )


def _pair_commitments(commitments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the side-by-side table: each commitment with its other-language counterpart."""
    by_id = {c["id"]: c for c in commitments}
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    for c in commitments:
        if c["id"] in seen:
            continue
        seen.add(c["id"])
        row = {c["lang"] or "?": c}
        other = by_id.get(c["counterpart_id"] or "")
        if other is not None and other["id"] not in seen and (other["lang"] or "?") not in row:
            seen.add(other["id"])
            row[other["lang"] or "?"] = other
        rows.append(row)
    return rows


# The parts of the measurability score: label, share column, key of the extractor's weight.
SCORE_PARTS = (
    ("with an indicator", "m_with_indicator", "with_indicator"),
    ("with a deadline", "m_with_deadline", "with_deadline"),
    ("naming who is responsible", "m_with_party", "with_party"),
    ("with money attached", "m_with_money", "with_money"),
)


def score_parts(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Each part of the score with its share, weight and the points it adds.

    The weights are the extractor's own, so a reader can check that the
    points add up to the score.
    """
    from extractors.measurability import WEIGHTS

    parts = []
    for label, column, key in SCORE_PARTS:
        share = float(doc.get(column) or 0.0)
        parts.append({"label": label, "share": share, "weight": WEIGHTS[key],
                      "points": round(100 * WEIGHTS[key] * share, 1)})
    return parts


def _date_evidence(dates: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The first agreement-level date fact of each kind that has evidence (signed, term, ...)."""
    found: dict[str, dict[str, Any]] = {}
    for d in dates:
        if d["page"] and not d["commitment_id"]:
            found.setdefault(d["kind"], d)
    return found


async def agreement_page(datasette: Any, request: Any) -> Response:
    await _check_view(datasette, request)
    doc_id = request.url_vars["id"]
    db = datasette.get_database(DB_NAME)
    doc = await _one(db, "select * from documents where id = ?", [doc_id])
    if doc is None:
        raise NotFound("No agreement with that id")
    params = [doc_id]
    parties = _dicts(await db.execute("select * from parties where document_id = ? order by idx", params))
    signatories = _dicts(await db.execute(
        "select s.*, p.name as party_name from signatories s left join parties p on p.id = s.party_id"
        " where s.document_id = ? order by s.rowid", params))
    dates = _dicts(await db.execute("select * from dates where document_id = ? order by rowid", params))
    commitments = _dicts(await db.execute("select * from commitments where document_id = ? order by idx", params))
    indicators = _dicts(await db.execute("select * from indicators where document_id = ? order by rowid", params))
    paths = _dicts(await db.execute(
        "select path, last_seen from document_paths where document_id = ? order by path", params))
    flags = _dicts(await db.execute(
        "select * from flags.flags where document_id = ? order by created_at desc, id desc", params))
    by_commitment: dict[str, list[dict[str, Any]]] = {}
    for ind in indicators:
        by_commitment.setdefault(ind["commitment_id"] or "", []).append(ind)
    for c in commitments:
        c["indicators"] = by_commitment.get(c["id"], [])
        c["deadlines"] = [d for d in dates if d["commitment_id"] == c["id"]]
        c["actions_list"] = _json_list(c.get("actions"))
    languages = _json_list(doc.get("languages"))
    commitment_langs = list(dict.fromkeys(
        [lang for lang in ("es", "en") if any(c["lang"] == lang for c in commitments)]
        + [c["lang"] or "?" for c in commitments]))
    can_flag = await datasette.permission_allowed(request.actor, "convenio-flag", default=False)
    return Response.html(await datasette.render_template(
        "convenio_agreement.html",
        {
            "doc": doc,
            "languages": languages,
            "themes": _json_list(doc.get("themes")),
            "countries": _json_list(doc.get("countries")),
            "parties": parties,
            "signatories": signatories,
            "dates": dates,
            "commitment_rows": _pair_commitments(commitments),
            "commitment_langs": commitment_langs,
            "loose_indicators": by_commitment.get("", []),
            "parts": score_parts(doc),
            "date_evidence": _date_evidence(dates),
            "levels": _json_list(doc.get("levels")),
            "flag_counts": {v: sum(1 for f in flags if f["verdict"] == v) for v in ("confirm", "dispute")},
            "paths": paths,
            "flags": flags,
            "can_flag": can_flag,
            "database": DB_NAME,
        },
        request=request,
    ))


def _name_key(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _names_match(span: str, name: str) -> bool:
    """The mention and the stored name agree up to case, accents, spacing,
    honorifics ("Lic.", "Dr.") or an added "City of"/"Government of"."""
    a, b = _name_key(span), _name_key(name)
    return bool(a and b) and (a in b or b in a)


def _highlighted(text: str, start: int, end: int) -> Markup:
    return Markup("{}<mark id=\"evidence\">{}</mark>{}").format(
        escape(text[:start]), escape(text[start:end]), escape(text[end:]))


async def _fact(datasette: Any, kind: str, fact_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if kind not in FACT_TABLES:
        raise NotFound("Unknown kind of fact")
    table, text_column = FACT_TABLES[kind]
    db = datasette.get_database(DB_NAME)
    fact = await _one(db, f"select *, [{text_column}] as fact_text from [{table}] where id = ?", [fact_id])
    if fact is None:
        raise NotFound("No such fact")
    page = await _one(db, "select * from pages where document_id = ? and number = ?",
                      [fact["document_id"], fact["page"]])
    if page is None:
        raise NotFound("This fact has no page evidence")
    return fact, page


def related_facts(kind: str, fact: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, kind, id) of the facts an auditor checks next: a commitment's other-language
    version, the commitment an indicator or deadline belongs to, the party a signatory signed for."""
    links = []
    if kind == "commitment" and fact.get("counterpart_id"):
        links.append(("the same commitment in the other language", "commitment", fact["counterpart_id"]))
    if kind in ("indicator", "date") and fact.get("commitment_id"):
        links.append(("the commitment it belongs to", "commitment", fact["commitment_id"]))
    if kind == "signatory" and fact.get("party_id"):
        links.append(("the party signed for", "party", fact["party_id"]))
    return links


async def evidence_page(datasette: Any, request: Any) -> Response:
    await _check_view(datasette, request)
    kind, fact_id = request.url_vars["kind"], request.url_vars["id"]
    fact, page = await _fact(datasette, kind, fact_id)
    db = datasette.get_database(DB_NAME)
    doc = await _one(db, "select id, title, path, media_type, pages from documents where id = ?",
                     [fact["document_id"]])
    text = page["text"] or ""
    start, end = fact.get("start"), fact.get("end")
    valid = isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)
    span = text[start:end] if valid else ""
    source = await asyncio.to_thread(_source_file, doc or {}, [], Path(db.path).parent)
    return Response.html(await datasette.render_template(
        "convenio_evidence.html",
        {
            "kind": kind,
            "fact": fact,
            "page": page,
            "doc": doc,
            "highlighted": _highlighted(text, start, end) if valid else text,
            "span": span,
            "span_matches": valid and span == (fact.get("fact_text") or ""),
            "names_match": valid and kind in NAME_KINDS and _names_match(span, fact.get("fact_text") or ""),
            "has_image": source is not None and _has_pages_as_images(doc or {}, source),
            "image_url": datasette.urls.path(f"/-/evidence/{kind}/{fact_id}.png"),
            "related": [(label, datasette.urls.path(f"/-/evidence/{k}/{i}") + "#evidence")
                        for label, k, i in related_facts(kind, fact)],
            "database": DB_NAME,
        },
        request=request,
    ))


def _has_pages_as_images(doc: dict[str, Any], source: Path) -> bool:
    media_type = doc.get("media_type") or ""
    return media_type in PDF_TYPES or media_type.startswith("image/") or source.suffix.lower() in (
        ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


def _candidates(path: str, base: Path) -> list[Path]:
    p = Path(path)
    return [p] if p.is_absolute() else [Path.cwd() / p, base / p]


def _source_file(doc: dict[str, Any], extra_paths: list[str], base: Path) -> Optional[Path]:
    """The original file of a document, if it is still where it was ingested from."""
    for path in [doc.get("path"), *extra_paths]:
        if not path:
            continue
        for candidate in _candidates(path, base):
            if candidate.is_file():
                return candidate
    return None


def _render_page(source: Path, number: int, media_type: str) -> tuple[Any, float, float, str]:
    """The page as a PIL image, upright as stored (before any OCR rotation), with
    the page's native size and unit ("pt" for PDFs, "px" for image files)."""
    from PIL import Image

    if media_type in PDF_TYPES or source.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(source))
        try:
            pdf_page = pdf[number - 1]
            width, height = pdf_page.get_size()
            scale = IMAGE_WIDTH / max(width, 1.0)
            return pdf_page.render(scale=scale).to_pil().convert("RGB"), width, height, "pt"
        finally:
            pdf.close()
    with Image.open(source) as img:
        img.seek(number - 1)
        return img.convert("RGB"), float(img.width), float(img.height), "px"


def _boxes(fact: dict[str, Any], page: dict[str, Any]) -> list[tuple[float, float, float, float]]:
    """Word boxes inside the fact's span, or the fact's own bbox, in page coordinates."""
    start, end = fact.get("start"), fact.get("end")
    boxes: list[tuple[float, float, float, float]] = []
    if isinstance(start, int) and isinstance(end, int):
        for word in _json_list(page.get("words")):
            if len(word) >= 7 and word[1] < end and word[2] > start:
                boxes.append((float(word[3]), float(word[4]), float(word[5]), float(word[6])))
    if not boxes:
        bbox = _json_list(fact.get("bbox"))
        if len(bbox) == 4:
            boxes.append((float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3])))
    return boxes


def _page_size(page: dict[str, Any], native: tuple[float, float, str]) -> tuple[float, float]:
    """The page's size in the unit of its word boxes."""
    if page.get("width") and page.get("height"):
        return float(page["width"]), float(page["height"])
    width, height, unit = native
    coord_unit = page.get("coord_unit") or unit
    if unit == "pt" and coord_unit == "px":
        # OCR of a rendered PDF page: pixels at the render resolution.
        factor = float(page.get("dpi") or 300.0) / 72.0
        return width * factor, height * factor
    return width, height


def draw_evidence(
    image: Any, page: dict[str, Any], boxes: list[tuple[float, float, float, float]],
    native: tuple[float, float, str],
) -> bytes:
    """PNG of ``image`` with ``boxes`` (page coordinates) drawn on it."""
    from PIL import Image, ImageDraw

    rotation = int(page.get("rotation") or 0) % 360
    if rotation:
        # OCR read the page after turning it by ``rotation`` degrees clockwise;
        # the word boxes are in that turned image's coordinates.
        image = image.rotate(-rotation, expand=True)
        if rotation in (90, 270):
            native = (native[1], native[0], native[2])
    skew = float(page.get("skew") or 0.0)
    if skew:
        # OCR also straightened the page (same size, turned about its centre).
        image = image.rotate(-skew, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    if image.width > IMAGE_WIDTH:
        image = image.resize((IMAGE_WIDTH, max(1, int(image.height * IMAGE_WIDTH / image.width))))
    width, height = _page_size(page, native)
    sx, sy = image.width / width, image.height / height
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for x0, y0, x1, y1 in boxes:
        rect = (x0 * sx - 2, y0 * sy - 2, x1 * sx + 2, y1 * sy + 2)
        draw.rectangle(rect, fill=(255, 214, 0, 90), outline=(220, 30, 30, 160), width=1 if len(boxes) > 1 else 3)
    if len(boxes) > 1:
        union = (min(b[0] for b in boxes) * sx - 6, min(b[1] for b in boxes) * sy - 6,
                 max(b[2] for b in boxes) * sx + 6, max(b[3] for b in boxes) * sy + 6)
        draw.rectangle(union, outline=(220, 30, 30, 255), width=3)
    out = io.BytesIO()
    Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB").save(out, "PNG")
    return out.getvalue()


def _evidence_png(source: Path, fact: dict[str, Any], page: dict[str, Any], media_type: str) -> bytes:
    image, width, height, unit = _render_page(source, int(page["number"]), media_type)
    return draw_evidence(image, page, _boxes(fact, page), (width, height, unit))


async def evidence_image(datasette: Any, request: Any) -> Response:
    await _check_view(datasette, request)
    kind, fact_id = request.url_vars["kind"], request.url_vars["id"]
    fact, page = await _fact(datasette, kind, fact_id)
    db = datasette.get_database(DB_NAME)
    doc = await _one(db, "select id, path, media_type from documents where id = ?", [fact["document_id"]])
    paths = [r["path"] for r in _dicts(await db.execute(
        "select path from document_paths where document_id = ?", [fact["document_id"]]))]
    source = await asyncio.to_thread(_source_file, doc or {}, paths, Path(db.path).parent)
    if source is None or not _has_pages_as_images(doc or {}, source):
        raise NotFound("No page image: the original file is gone or is not a PDF or image")
    try:
        png = await asyncio.to_thread(_evidence_png, source, fact, page, (doc or {}).get("media_type") or "")
    except (OSError, EOFError, ValueError) as exc:
        raise NotFound(f"Could not render the page image: {exc}")
    return Response(png, content_type="image/png", headers={"cache-control": "max-age=3600"})


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    kinds = "|".join(FACT_TABLES)
    return [
        (r"^/-/agreement/(?P<id>[^/]+)$", agreement_page),
        (rf"^/-/evidence/(?P<kind>{kinds})/(?P<id>[^/]+)\.png$", evidence_image),
        (rf"^/-/evidence/(?P<kind>{kinds})/(?P<id>[^/]+)$", evidence_page),
    ]


def _link(href: str, label: str, css: str = "", title: str = "") -> Markup:
    attrs = (Markup(' class="{}"').format(css) if css else "") + (Markup(' title="{}"').format(title) if title else "")
    return Markup('<a href="{}"{}>{}</a>').format(href, Markup(attrs), label)


def _short(doc_id: str) -> str:
    """Document ids are 64 hex digits; 12 are plenty to tell agreements apart on screen."""
    return doc_id[:12] + "…" if len(doc_id) > 16 else doc_id


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: Optional[str], database: str, datasette: Any) -> Any:
    """Link agreements to their page and facts to their evidence, in tables and canned queries."""
    if database not in (DB_NAME, FLAGS_DB_NAME) or value is None:
        return None
    keys = row.keys() if hasattr(row, "keys") else []
    if column == "document_id":
        # Foreign-key cells arrive as {"value": id, "label": title}.
        doc_id = value.get("value") if isinstance(value, dict) else value
        label = (value.get("label") or doc_id) if isinstance(value, dict) else _short(str(value))
        # Long titles are clamped on screen (convenio.css); the tooltip keeps the whole title.
        return _link(datasette.urls.path(f"/-/agreement/{doc_id}"), escape(label), "agreement-link", str(label))
    if table in ("documents", "paper_only") and column == "title" and "id" in keys:
        return _link(datasette.urls.path(f"/-/agreement/{row['id']}"), escape(value), "agreement-link", str(value))
    if table is None and column == "title" and "document_id" in keys and row["document_id"]:
        # Canned queries: the title opens the agreement too.
        return _link(datasette.urls.path(f"/-/agreement/{row['document_id']}"), escape(value), "agreement-link",
                     str(value))
    if column in ("text", "snippet") and "found" in keys and isinstance(value, str):
        # Search queries: mark the words the search found (their "found" column) in the text.
        return _marked(value, row["found"])
    if column == "found" and table is None and isinstance(value, str):
        words = _json_list(value)
        return escape(", ".join(str(w) for w in words)) if words else None
    if column == "page_id" and isinstance(value, str):
        return _link(datasette.urls.row(DB_NAME, "pages", value), "page text")
    if column == "evidence" and isinstance(value, str) and ":" in value:
        kind, _, fact_id = value.partition(":")
        if kind in FACT_TABLES:
            return _link(datasette.urls.path(f"/-/evidence/{kind}/{fact_id}#evidence"), "evidence", "evidence-link")
    if table in TABLE_KINDS and column == "page" and "id" in keys:
        return _link(datasette.urls.path(f"/-/evidence/{TABLE_KINDS[table]}/{row['id']}#evidence"),
                     Markup("p.&nbsp;{}").format(value), "evidence-link")
    return None


def _marked(text: str, found: Any) -> Markup:
    """``text`` escaped, with the words of the ``found`` JSON list in <mark>."""
    words = [str(w) for w in _json_list(found if isinstance(found, str) else None)]
    pieces = [Markup("<mark>{}</mark>").format(piece) if hit else escape(piece) for piece, hit in mark(text, words)]
    return Markup('<span class="hit">{}</span>').format(Markup("").join(pieces))


_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
_UNITS = (("year", "years"), ("month", "months"), ("week", "weeks"), ("day", "days"))


def human_duration(value: Any) -> str:
    """"P1Y" -> "1 year", "P6M" -> "6 months"; anything else unchanged."""
    match = _DURATION.match(str(value or ""))
    if not match or not any(match.groups()):
        return str(value or "")
    parts = [f"{int(n)} {_UNITS[i][0] if int(n) == 1 else _UNITS[i][1]}"
             for i, n in enumerate(match.groups()) if n]
    return ", ".join(parts)


def per_period(value: Any) -> str:
    """"P1Y" -> "per year", "P6M" -> "every 6 months"."""
    text = human_duration(value)
    if text.startswith("1 ") and "," not in text:
        return "per " + text[2:]
    return "every " + text


def human_number(value: Any) -> str:
    """12000.0 -> "12,000"; 2.5 -> "2.5"."""
    if isinstance(value, (int, float)):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return str(value)


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["duration"] = human_duration
    env.filters["number"] = human_number
    env.filters["per_period"] = per_period


@hookimpl
def menu_links(datasette: Any, actor: Any) -> list[dict[str, str]]:
    # datasette-search-all adds "Search all tables" (our search page) itself.
    return [
        {"href": datasette.urls.path(f"/{DB_NAME}/paper_only"), "label": "Paper-only agreements"},
        {"href": datasette.urls.path("/-/dashboards/convenio"), "label": "Dashboard"},
        {"href": datasette.urls.path(f"/{DB_NAME}/flags"), "label": "Auditor flags"},
    ]
