"""The sample archive generator: determinism, gold validity, real file formats."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from corpus import generate as G
from corpus import words as W
from pipeline.context import REPO_ROOT

KINDS = {"sister_city", "friendship_city", "mou", "cooperation", "interinstitutional", "treaty", "other"}
THEMES = set(
    "education culture economic_development trade_investment tourism environment water energy health "
    "public_safety mobility urban_development technology_innovation migration governance sports youth "
    "agriculture disaster_risk other".split()
)
ISO_DURATION = re.compile(r"^P(\d+Y)?(\d+M)?(\d+D)?$")
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    G.generate(out, seed=0)
    return out


def _gold(sample: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((sample / "gold").glob("*.json"))}


def _archive_file(sample: Path, doc_id: str) -> Path:
    (path,) = [p for p in sample.iterdir() if p.is_file() and p.stem == doc_id]
    return path


# --- contents of the archive ---------------------------------------------------------------


def test_sample_has_every_file_kind_the_archive_needs(sample: Path) -> None:
    specs = {s.id: s for s in G.SAMPLE}
    gold = _gold(sample)
    assert set(gold) == set(specs) and 12 <= len(gold) <= 16
    fmts = {s.fmt for s in specs.values()}
    assert {"txt", "txt1252", "pdf", "scan", "tiff", "mixed"} <= fmts and fmts & {"png", "jpeg"}
    layouts = {s.layout for s in specs.values()}
    assert {"mono", "sequential", "alternating", "columns"} <= layouts
    langs = {tuple(g["languages"]) for g in gold.values()}
    assert ("es",) in langs and ("en",) in langs and any(len(x) == 2 for x in langs)
    paper = [doc_id for doc_id, g in gold.items() if g["paper_only"]]
    assert len(paper) >= 2
    assert any(not gold[d]["commitments"] for d in paper), "one paper-only text has no commitment at all"
    assert any(gold[d]["commitments"] for d in paper), "one paper-only text has commitments without targets"
    countries = {p["country"] for g in gold.values() for p in g["parties"]}
    assert {"MX", "US"} <= countries and len(countries) >= 4
    assert len({g["kind"] for g in gold.values()}) >= 4


def test_gold_follows_the_format(sample: Path) -> None:
    for doc_id, g in _gold(sample).items():
        text = (sample / "gold" / f"{doc_id}.txt").read_text(encoding="utf-8")
        assert g["id"] == doc_id and g["title"] and g["title"] in text
        assert g["kind"] in KINDS
        assert g["languages"] and set(g["languages"]) <= {"es", "en"}
        assert g["signed_on"] is None or ISO_DATE.match(g["signed_on"])
        assert g["term"] in (None, "indefinite") or ISO_DURATION.match(g["term"])
        assert set(g["themes"]) <= THEMES and g["themes"]
        names = [p["name"] for p in g["parties"]]
        assert len(names) == 2 and all(re.fullmatch(r"[A-Z]{2}", p["country"]) for p in g["parties"])
        for s in g["signatories"]:
            assert s["name"] in text and s["title"] in text
        for c in g["commitments"]:
            assert c["text"] in text, c["text"]
            assert c["lang"] in g["languages"]
            assert c["party"] == "all" or c["party"] in names
            assert c["strength"] in ("binding", "soft")
            assert c["theme"] in THEMES
        measurable = set()
        for ind in g["indicators"]:
            owner = g["commitments"][ind["commitment"]]
            assert ind["text"] in owner["text"], (ind["text"], owner["text"])
            assert ind["value"] is None or isinstance(ind["value"], (int, float))
            assert ind["period"] is None or ISO_DURATION.match(ind["period"])
            measurable.add(ind["commitment"])
        assert [c["measurable"] for c in g["commitments"]] == [i in measurable for i in range(len(g["commitments"]))]
        assert g["paper_only"] == (not measurable)


def test_bilingual_commitments_are_annotated_once_per_language_and_linked(sample: Path) -> None:
    seen = 0
    for g in _gold(sample).values():
        if len(g["languages"]) < 2:
            assert all("counterpart" not in c for c in g["commitments"])
            continue
        seen += 1
        cs = g["commitments"]
        by_lang = {lang: [c for c in cs if c["lang"] == lang] for lang in g["languages"]}
        assert len(by_lang["es"]) == len(by_lang["en"]) > 0
        for i, c in enumerate(cs):
            j = c["counterpart"]
            assert cs[j]["counterpart"] == i and cs[j]["lang"] != c["lang"]
            assert (cs[j]["party"], cs[j]["strength"], cs[j]["measurable"]) == (c["party"], c["strength"], c["measurable"])
        values = {lang: sorted(str(i["value"]) for i in g["indicators"] if cs[i["commitment"]]["lang"] == lang) for lang in g["languages"]}
        assert values["es"] == values["en"]
    assert seen >= 4


def test_permissions_recitals_and_clauses_about_the_agreement_are_not_annotated(sample: Path) -> None:
    for doc_id, g in _gold(sample).items():
        for c in g["commitments"]:
            low = c["text"].lower()
            assert not re.search(r"\b(podrá|podrán|may)\b", low), c["text"]
            assert not low.startswith(("que ", "whereas", "considerando"))
            assert "vigencia" not in low and "remain in force" not in low and "terminat" not in low


def test_the_reference_scorer_accepts_the_gold(sample: Path) -> None:
    scorer = REPO_ROOT.parent / "shared" / "gold" / "score.py"
    spec = importlib.util.spec_from_file_location("reference_score", scorer)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    report = module.score(sample / "gold", sample / "gold")
    for field in ("commitments", "indicators", "parties"):
        assert report[field]["f1"] == 1.0 and report[field]["gold"] > 0
    assert report["accuracy"]["paper_only"] == (1.0, len(G.SAMPLE))


# --- the files are what they claim ---------------------------------------------------------

MAGIC = {
    "pdf": (b"%PDF-",),
    "tif": (b"II*\x00", b"MM\x00*"),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
}


def test_files_have_the_magic_bytes_of_their_format(sample: Path) -> None:
    for spec in G.SAMPLE:
        path = _archive_file(sample, spec.id)
        ext = path.suffix[1:]
        assert ext == G.FORMAT_EXT[spec.fmt]
        head = path.read_bytes()[:8]
        if ext == "txt":
            assert not any(head.startswith(m) for ms in MAGIC.values() for m in ms)
        else:
            assert head.startswith(MAGIC[ext]), (path.name, head)


def test_plain_text_files_are_the_gold_text_in_their_encoding(sample: Path) -> None:
    for spec in G.SAMPLE:
        if spec.fmt not in ("txt", "txt1252"):
            continue
        gold = (sample / "gold" / f"{spec.id}.txt").read_text(encoding="utf-8")
        raw = _archive_file(sample, spec.id).read_bytes()
        if spec.fmt == "txt":
            assert raw.decode("utf-8") == gold
        else:
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")  # accents in Windows-1252 are not valid UTF-8
            assert b"\r\n" in raw
            assert raw.decode("cp1252").replace("\r\n", "\n") == gold


def _pdf_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w{4,}", text.lower()))


def test_scanned_pdfs_have_no_text_layer_and_text_pdfs_do(sample: Path) -> None:
    for spec in G.SAMPLE:
        if spec.fmt not in ("scan", "pdf", "mixed"):
            continue
        path = _archive_file(sample, spec.id)
        texts = _pdf_texts(path)
        gold_words = _words((sample / "gold" / f"{spec.id}.txt").read_text(encoding="utf-8"))
        if spec.fmt == "scan":
            assert len(texts) >= 2 and all(t.strip() == "" for t in texts)
            with pdfplumber.open(path) as pdf:
                assert all(len(p.images) == 1 for p in pdf.pages)
        elif spec.fmt == "pdf":
            assert all(t.strip() for t in texts)
            assert _words(" ".join(texts)) <= gold_words | {""}
        else:
            layer = [bool(t.strip()) for t in texts]
            assert any(layer) and not all(layer), layer
            assert _words(" ".join(texts)) < gold_words


def test_two_column_pdf_puts_one_language_in_each_column(sample: Path) -> None:
    spec = next(s for s in G.SAMPLE if s.layout == "columns" and s.fmt == "pdf")
    gold = json.loads((sample / "gold" / f"{spec.id}.json").read_text(encoding="utf-8"))
    first = next(c["text"] for c in gold["commitments"] if c["lang"] == spec.langs[0])
    second = next(c["text"] for c in gold["commitments"] if c["lang"] == spec.langs[1])
    with pdfplumber.open(_archive_file(sample, spec.id)) as pdf:
        left = " ".join((p.crop((0, 0, p.width / 2, p.height)).extract_text() or "") for p in pdf.pages)
        right = " ".join((p.crop((p.width / 2, 0, p.width, p.height)).extract_text() or "") for p in pdf.pages)
    squash = lambda s: re.sub(r"\s+", " ", s)  # noqa: E731 - line breaks differ from the plain text
    assert squash(first)[:40] in squash(left) and squash(first)[:40] not in squash(right)
    assert squash(second)[:40] in squash(right) and squash(second)[:40] not in squash(left)


def test_images_are_real_pages(sample: Path) -> None:
    for spec in G.SAMPLE:
        if spec.fmt not in ("tiff", "png", "jpeg"):
            continue
        with Image.open(_archive_file(sample, spec.id)) as im:
            frames = getattr(im, "n_frames", 1)
            assert im.width > 1000 and im.height > 1300
            assert im.info.get("dpi") and round(float(im.info["dpi"][0])) in (200, 300)
            if spec.fmt == "tiff":
                assert frames >= 2
            else:
                assert frames == 1
            assert im.convert("L").getextrema()[0] < 80  # there is ink on the page


# --- determinism and more agreements -------------------------------------------------------


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_generation_is_deterministic(sample: Path, tmp_path: Path) -> None:
    G.generate(tmp_path / "again", seed=0)
    assert _digest(tmp_path / "again") == _digest(sample)


def test_a_different_seed_changes_the_wording_not_the_plan(sample: Path) -> None:
    for spec in G.SAMPLE[:4]:
        a, _, ga = G.build(G._with_seed(spec, 0))
        b, _, gb = G.build(G._with_seed(spec, 7))
        assert ga["languages"] == gb["languages"] and ga["kind"] == gb["kind"]
        assert ga["paper_only"] == gb["paper_only"]
        assert [c["text"] for c in ga["commitments"]] != [c["text"] for c in gb["commitments"]]


def test_generate_many_splits_never_overlap(tmp_path: Path) -> None:
    train = G.generate_many(tmp_path / "train", 12, seed=0, split="train")
    heldout = G.generate_many(tmp_path / "heldout", 12, seed=0, split="heldout")
    assert len(train) == len(heldout) == 12
    texts_train = {(tmp_path / "train" / "gold" / f"{p.stem}.txt").read_text(encoding="utf-8") for p in train}
    texts_heldout = {(tmp_path / "heldout" / "gold" / f"{p.stem}.txt").read_text(encoding="utf-8") for p in heldout}
    assert not texts_train & texts_heldout
    again = G.generate_many(tmp_path / "again", 12, seed=0, split="train")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in train]
    golds = [json.loads((tmp_path / "train" / "gold" / f"{p.stem}.json").read_text(encoding="utf-8")) for p in train]
    assert any(g["paper_only"] for g in golds) or len(golds) < 8
    for g in golds:
        text = (tmp_path / "train" / "gold" / f"{g['id']}.txt").read_text(encoding="utf-8")
        assert all(c["text"] in text for c in g["commitments"])


def test_generate_many_varies_layouts_and_languages() -> None:
    specs = [G.random_spec(i, 0, "train") for i in range(200)]
    assert {s.layout for s in specs} >= {"mono", "sequential", "alternating"}
    assert {s.langs for s in specs} >= {("es",), ("en",), ("es", "en"), ("en", "es")}
    assert {s.paper for s in specs} >= {None, "soft", "unmeasurable", "none"}
    assert len({s.pair for s in specs}) == len(G.PAIR_KIND)


def test_command_line(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = subprocess.run(
        [sys.executable, "-m", "corpus.generate", "--out", str(out), "--count", "3", "--split", "heldout"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(list(out.glob("*.txt"))) == 3 and len(list((out / "gold").glob("*.json"))) == 3
    bad = subprocess.run(
        [sys.executable, "-m", "corpus.generate", "--out", str(out), "--count", "1", "--formats", "docx"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )
    assert bad.returncode == 2 and "docx" in bad.stderr


# --- numbers and dates ---------------------------------------------------------------------


def test_spanish_and_english_numbers() -> None:
    assert W.es_number(15) == "quince" and W.es_number(90) == "noventa" and W.es_number(2019) == "dos mil diecinueve"
    assert W.es_number(1998) == "mil novecientos noventa y ocho" and W.es_number(100) == "cien"
    assert W.es_apocope(W.es_number(21)) == "veintiún" and W.es_apocope(W.es_number(31)) == "treinta y un"
    assert W.en_number(45) == "forty-five" and W.en_number(2021) == "two thousand twenty-one"
    assert W.en_ordinal_words(22) == "twenty-second" and W.en_ordinal_words(30) == "thirtieth"
    assert [W.en_ordinal_suffix(n) for n in (1, 2, 3, 11, 12, 13, 21, 22)] == ["1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "22nd"]
    assert W.number(90, "es", "both") == "noventa (90)" and W.number(50000, "en", "digits") == "50,000"


def test_dates_in_their_written_forms() -> None:
    d = dt.date(2019, 3, 15)
    assert W.date_es(d, "long_words") == "a los quince días del mes de marzo de dos mil diecinueve"
    assert W.date_es(d, "numeric") == "el 15/03/2019"
    assert W.date_es(dt.date(2001, 5, 1), "long_words") == "al primer día del mes de mayo de dos mil uno"
    assert W.date_en(d, "day_of") == "this 15th day of March, 2019"
    assert W.date_en(d, "month_first") == "on March 15, 2019"
    assert W.date_en(dt.date(1998, 5, 22), "day_of_words") == "on the twenty-second day of May, nineteen ninety-eight"


def test_signing_dates_in_gold_match_the_text(sample: Path) -> None:
    """Every written form in the text names the gold date (day, month and year all appear)."""
    for doc_id, g in _gold(sample).items():
        text = (sample / "gold" / f"{doc_id}.txt").read_text(encoding="utf-8")
        d = dt.date.fromisoformat(g["signed_on"])
        forms = [W.date_es(d, s) for s in W.DATE_STYLES_ES] + [W.date_en(d, s) for s in W.DATE_STYLES_EN]
        forms += [f"{W.MONTHS_EN[d.month - 1]} {d.day}, {d.year}", W.en_ordinal_suffix(d.day) + f" day of {W.MONTHS_EN[d.month - 1]}, {d.year}"]
        assert any(f in text for f in forms), doc_id
