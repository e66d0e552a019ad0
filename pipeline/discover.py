"""The discover stage: from the paths an archivist names to a stream of files to process.

Folders are walked recursively (symlinks followed, loops cut by remembering
each directory's device and inode), ``.zip`` archives are read in place
(members keep their path: ``letters.zip/2019/mou.pdf``) and never extracted to
disk. Discovery yields lightweight ``Item``s (path, size, mtime and how to
read the bytes later) and ``Problem``s for what cannot or must not be read,
so that the batch records them and goes on.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import BinaryIO, Union

SUPPORTED_SUFFIXES = frozenset({".pdf", ".txt", ".text", ".png", ".jpg", ".jpeg", ".tif", ".tiff"})
ARCHIVE_SUFFIXES = frozenset({".zip"})
# Zip containers that are documents of other kinds, not archives of agreements.
_OFFICE_SUFFIXES = frozenset({".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".epub", ".jar"})
_MAGIC = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


@dataclass(frozen=True)
class Limits:
    max_zip_depth: int = 2  # an archive inside an archive is fine, one more level is refused
    max_ratio: float = 100.0  # uncompressed/compressed size above which a large member is a bomb
    ratio_floor: int = 1 << 20  # members smaller than this are never judged by their ratio
    max_member_bytes: int = 1 << 30
    max_file_bytes: int = 4 << 30


@dataclass(frozen=True)
class Item:
    """A file to process: on disk, or a member of a (possibly nested) zip archive."""

    path: str  # key and display path: "dir/a.pdf" or "dir/a.zip/member/b.pdf"
    size: int
    mtime: float
    source: str  # the file on disk (for a member: the outermost archive)
    members: tuple[str, ...] = ()  # member names from the outermost archive inwards

    def open(self) -> BinaryIO:
        """A stream of the file's bytes (members are decompressed as they are read)."""
        if not self.members:
            return open(self.source, "rb")
        stack = contextlib.ExitStack()
        try:
            handle: BinaryIO = stack.enter_context(open(self.source, "rb"))
            for depth, member in enumerate(self.members):
                archive = stack.enter_context(zipfile.ZipFile(handle))
                stream = stack.enter_context(archive.open(member))
                if depth < len(self.members) - 1:
                    # zipfile needs a seekable file: an inner archive is read into memory
                    # (bounded by Limits.max_member_bytes at discovery).
                    handle = io.BytesIO(stream.read())
                else:
                    handle = stream  # type: ignore[assignment]
            return _Closing(handle, stack)
        except BaseException:
            stack.close()
            raise

    def read(self) -> bytes:
        with self.open() as fh:
            return fh.read()


class _Closing(io.RawIOBase):
    """A read-only stream that closes the archives it came from when it is closed."""

    def __init__(self, inner: BinaryIO, stack: contextlib.ExitStack) -> None:
        super().__init__()
        self._inner = inner
        self._stack = stack

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        return self._inner.read(size)

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._stack.close()
        super().close()


@dataclass(frozen=True)
class Problem:
    """A path that will not be processed: refused, unreadable, or skipped by type."""

    path: str
    error_class: str
    message: str
    skipped: bool = False  # True: not an agreement file (recorded, not a failure)
    stage: str = "discover"


Found = Union[Item, Problem]


def _sniff(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return any(head.startswith(magic) for magic in _MAGIC)


def _unsupported(path: str, suffix: str) -> Problem:
    kind = f"'{suffix}' files" if suffix else "files without an extension"
    return Problem(path, "UnsupportedType", f"{kind} are not agreement documents convenio reads", skipped=True)


def discover(paths: Iterable[str | os.PathLike[str]], limits: Limits = Limits()) -> Iterator[Found]:
    """Yield every file under ``paths`` (recursively, archives included) in a stable order."""
    visited: set[tuple[int, int]] = set()
    for given in paths:
        root = os.path.abspath(os.fspath(given))
        if os.path.isdir(root):
            yield from _walk(root, visited, limits)
        elif os.path.lexists(root):
            yield from _file(root, limits)
        else:
            yield Problem(root, "FileNotFoundError", "no such file or directory")


def _walk(root: str, visited: set[tuple[int, int]], limits: Limits) -> Iterator[Found]:
    try:
        st = os.stat(root)
    except OSError as exc:
        yield Problem(root, type(exc).__name__, str(exc))
        return
    key = (st.st_dev, st.st_ino)
    if key in visited:
        return  # a symlink loop, or a folder reached twice: already walked
    visited.add(key)
    try:
        with os.scandir(root) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        yield Problem(root, type(exc).__name__, str(exc))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # hidden files and folders: version control, OS metadata
        path = entry.path
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError as exc:
            yield Problem(path, type(exc).__name__, str(exc))
            continue
        if is_dir:
            yield from _walk(path, visited, limits)
        else:
            yield from _file(path, limits)


def _file(path: str, limits: Limits) -> Iterator[Found]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        yield Problem(path, "FileNotFoundError", "broken symbolic link or file removed during discovery")
        return
    except OSError as exc:
        yield Problem(path, type(exc).__name__, str(exc))
        return
    if not stat.S_ISREG(st.st_mode):
        yield Problem(path, "UnsupportedType", "not a regular file", skipped=True)
        return
    suffix = os.path.splitext(path)[1].lower()
    if suffix in ARCHIVE_SUFFIXES:
        yield from _archive(path, st, limits)
    elif st.st_size > limits.max_file_bytes:
        yield Problem(path, "TooLarge", f"{st.st_size} bytes is above the {limits.max_file_bytes}-byte limit")
    elif suffix in SUPPORTED_SUFFIXES or (suffix not in _OFFICE_SUFFIXES and _sniff(path)):
        yield Item(path, st.st_size, st.st_mtime, path)
    else:
        yield _unsupported(path, suffix)


def _archive(path: str, st: os.stat_result, limits: Limits) -> Iterator[Found]:
    try:
        with open(path, "rb") as fh:
            yield from _members(Item(path, st.st_size, st.st_mtime, path), fh, 1, limits)
    except OSError as exc:
        yield Problem(path, type(exc).__name__, str(exc))


def _unsafe_name(name: str) -> str | None:
    if "\\" in name:
        name = name.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or (parts and len(parts[0]) == 2 and parts[0][1] == ":"):
        return "absolute member path"
    if ".." in parts:
        return "member path escapes the archive ('..')"
    return None


def _member_mtime(info: zipfile.ZipInfo) -> float:
    try:
        return datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return 0.0


def _members(archive: Item, handle: BinaryIO, depth: int, limits: Limits) -> Iterator[Found]:
    """Members of one archive; nested archives are opened (in memory) up to the depth limit."""
    try:
        zf = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        yield Problem(archive.path, "CorruptFile", f"not a readable zip archive: {exc}")
        return
    with zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            name = info.filename
            path = f"{archive.path}/{name}"
            leaf = PurePosixPath(name.replace("\\", "/")).name
            if leaf.startswith(".") or name.startswith("__MACOSX/"):
                continue
            unsafe = _unsafe_name(name)
            if unsafe:
                yield Problem(path, "UnsafeArchive", unsafe)
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                yield Problem(path, "UnsafeArchive", "symbolic link inside an archive")
                continue
            if info.flag_bits & 0x1:
                yield Problem(path, "EncryptedFile", "encrypted archive member")
                continue
            if info.file_size > limits.max_member_bytes:
                yield Problem(path, "TooLarge", f"member of {info.file_size} bytes is above the limit")
                continue
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.ratio_floor and ratio > limits.max_ratio:
                yield Problem(path, "UnsafeArchive",
                              f"compression ratio {ratio:.0f}:1 is above {limits.max_ratio:.0f}:1 (zip bomb)")
                continue
            suffix = os.path.splitext(leaf)[1].lower()
            member = Item(path, info.file_size, _member_mtime(info), archive.source, (*archive.members, name))
            if suffix in ARCHIVE_SUFFIXES:
                if depth >= limits.max_zip_depth:
                    yield Problem(path, "UnsafeArchive", f"archives nested deeper than {limits.max_zip_depth} levels")
                    continue
                try:
                    inner = io.BytesIO(zf.read(name))
                except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
                    yield Problem(path, "CorruptFile", f"unreadable archive member: {exc}")
                    continue
                yield from _members(member, inner, depth + 1, limits)
            elif suffix in SUPPORTED_SUFFIXES:
                yield member
            else:
                yield _unsupported(path, suffix)
