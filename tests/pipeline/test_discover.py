"""Discovery: folders, archives read in place, unsafe archives refused, symlink loops cut."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from pipeline.discover import Item, Limits, Problem, discover


def _zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _found(paths: list[Path], limits: Limits = Limits()) -> tuple[dict[str, Item], dict[str, Problem]]:
    items: dict[str, Item] = {}
    problems: dict[str, Problem] = {}
    for entry in discover(paths, limits):
        if isinstance(entry, Item):
            items[entry.path] = entry
        else:
            problems[entry.path] = entry
    return items, problems


def test_folders_are_walked_recursively_in_a_stable_order(tmp_path: Path) -> None:
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / "a.txt").write_text("uno", encoding="utf-8")
    (tmp_path / "b" / "deep" / "c.PDF").write_bytes(b"%PDF-1.4 x")
    (tmp_path / "b" / "scan.tiff").write_bytes(b"II*\x00data")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.txt").write_text("hidden", encoding="utf-8")
    paths = [e.path for e in discover([tmp_path])]
    assert paths == [
        str(tmp_path / "a.txt"),
        str(tmp_path / "b" / "deep" / "c.PDF"),
        str(tmp_path / "b" / "scan.tiff"),
    ]
    item = next(e for e in discover([tmp_path / "a.txt"]) if isinstance(e, Item))
    assert item.size == 3 and item.read() == b"uno"
    assert item.mtime == os.stat(tmp_path / "a.txt").st_mtime


def test_unsupported_types_are_reported_as_skipped(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 office")
    (tmp_path / "photo.bmp").write_bytes(b"BM not an agreement")
    (tmp_path / "README").write_text("plain words", encoding="utf-8")
    (tmp_path / "scan.dat").write_bytes(b"%PDF-1.7 really a pdf")  # wrong extension, right bytes
    items, problems = _found([tmp_path])
    assert list(items) == [str(tmp_path / "scan.dat")]
    assert {Path(p).name for p in problems} == {"notes.docx", "photo.bmp", "README"}
    assert all(p.skipped and p.error_class == "UnsupportedType" and p.stage == "discover" for p in problems.values())


def test_zip_members_are_read_in_place_with_their_paths(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "letters.zip", {
        "2019/mou.txt": "Memorándum".encode("utf-8"),
        "2019/scan.png": b"\x89PNG\r\n\x1a\nfake",
        "2019/": b"",
        "__MACOSX/2019/._mou.txt": b"resource fork",
        "notes.xls": b"spreadsheet",
    })
    items, problems = _found([archive])
    assert set(items) == {f"{archive}/2019/mou.txt", f"{archive}/2019/scan.png"}
    member = items[f"{archive}/2019/mou.txt"]
    assert member.source == str(archive) and member.members == ("2019/mou.txt",)
    assert member.read().decode("utf-8") == "Memorándum"
    assert member.size == len("Memorándum".encode("utf-8"))
    assert problems[f"{archive}/notes.xls"].skipped
    assert not list(tmp_path.glob("2019"))  # nothing was extracted to disk


def test_path_traversal_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "evil.zip", {
        "../../etc/cron.txt": b"escape",
        "/abs/path.txt": b"absolute",
        "ok/fine.txt": b"fine",
    })
    items, problems = _found([archive])
    assert list(items) == [f"{archive}/ok/fine.txt"]
    refused = [p for p in problems.values() if p.error_class == "UnsafeArchive"]
    assert len(refused) == 2
    assert all(not p.skipped for p in refused)


def test_absurd_compression_ratio_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bomb.zip", {"zeros.txt": b"\0" * (8 << 20), "ok.txt": b"normal text " * 100})
    items, problems = _found([archive])
    assert list(items) == [f"{archive}/ok.txt"]
    problem = problems[f"{archive}/zeros.txt"]
    assert problem.error_class == "UnsafeArchive" and "ratio" in problem.message


def test_nested_archives_are_followed_to_the_depth_limit(tmp_path: Path) -> None:
    innermost = io.BytesIO()
    with zipfile.ZipFile(innermost, "w") as zf:
        zf.writestr("deepest.txt", b"three levels down")
    middle = io.BytesIO()
    with zipfile.ZipFile(middle, "w") as zf:
        zf.writestr("inner.txt", b"two levels down")
        zf.writestr("level3.zip", innermost.getvalue())
    archive = _zip(tmp_path / "outer.zip", {"top.txt": b"one level", "level2.zip": middle.getvalue()})
    items, problems = _found([archive], Limits(max_zip_depth=2))
    assert set(items) == {f"{archive}/top.txt", f"{archive}/level2.zip/inner.txt"}
    assert items[f"{archive}/level2.zip/inner.txt"].read() == b"two levels down"
    assert problems[f"{archive}/level2.zip/level3.zip"].error_class == "UnsafeArchive"
    items, problems = _found([archive], Limits(max_zip_depth=3))
    assert items[f"{archive}/level2.zip/level3.zip/deepest.txt"].read() == b"three levels down"
    assert not problems


def test_corrupt_and_encrypted_archives(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    archive = _zip(tmp_path / "locked.zip", {"secret.txt": b"x"})
    raw = bytearray(archive.read_bytes())
    # Set the "encrypted" flag bit in the local and central headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        raw[at + offset] |= 0x1
    archive.write_bytes(bytes(raw))
    items, problems = _found([tmp_path])
    assert not items
    assert problems[str(tmp_path / "broken.zip")].error_class == "CorruptFile"
    assert problems[f"{archive}/secret.txt"].error_class == "EncryptedFile"


def test_symlink_loops_and_broken_links(tmp_path: Path) -> None:
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    (tmp_path / "docs" / "sub" / "a.txt").write_text("texto", encoding="utf-8")
    (tmp_path / "docs" / "sub" / "loop").symlink_to(tmp_path / "docs", target_is_directory=True)
    (tmp_path / "docs" / "self").symlink_to(tmp_path / "docs" / "self")
    (tmp_path / "docs" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "docs" / "alias.txt").symlink_to(tmp_path / "docs" / "sub" / "a.txt")
    items, problems = _found([tmp_path / "docs"])
    assert set(items) == {str(tmp_path / "docs" / "sub" / "a.txt"), str(tmp_path / "docs" / "alias.txt")}
    assert {Path(p).name for p in problems} == {"self", "gone.txt"}
    assert all(not p.skipped for p in problems.values())


def test_missing_path_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    _, problems = _found([tmp_path / "absent"])
    assert problems[str(tmp_path / "absent")].error_class == "FileNotFoundError"


def test_items_pickle_for_workers(tmp_path: Path) -> None:
    import pickle

    archive = _zip(tmp_path / "a.zip", {"x.txt": b"payload"})
    item = next(e for e in discover([archive]) if isinstance(e, Item))
    clone = pickle.loads(pickle.dumps(item))
    assert clone == item and clone.read() == b"payload"
