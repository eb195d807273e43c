"""Deterministic zip files, read and compressed on a thread pool, written in order.

`write_zip` writes the entries it is given as they are, in the order given: the caller
picks and sorts them. Every entry is dated 1980-01-01 00:00 and made on Unix with its
mode; each is deflated at COMPRESS_LEVEL, or stored when its extension says it is already
compressed (STORED_SUFFIXES) or deflate would not make it smaller. Files are split into
CHUNK_BYTES slices compressed in parallel, as pigz does, so the bytes do not depend on the
number of threads. ZIP64 is used only for more than 65,535 entries.

Any change to the bytes written for the same entries must bump `packaging.FORMAT_VERSION`,
which names cached packages.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
import struct
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from planton_lambda.errors import PlantonLambdaError
from planton_lambda.packaging.parallel import batched, ordered_map

COMPRESS_LEVEL = 6  # zip's default
# zlib's largest hash table: about 10% faster than the default 8 at level 6, and no larger.
MEM_LEVEL = 9
# Deflating these again costs time and saves nothing.
STORED_SUFFIXES = frozenset(
    {".zip", ".jar", ".whl", ".egg", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".lz4", ".br", ".7z"}
    | {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".mp3", ".mp4", ".ogg"}
    | {".woff", ".woff2"}
)
# Files are split into chunks compressed in parallel (as pigz does), so one large shared
# library keeps every core busy; each chunk is primed with the 32 KiB before it.
CHUNK_BYTES = 1024 * 1024
DEFLATE_WINDOW = 32 * 1024
# A file's compressed data beyond this waits on disk, not in memory, until it is written.
SPILL_BYTES = 8 * 1024 * 1024


class ZipError(PlantonLambdaError):
    """A file that could not be zipped: it changed while being read, or the zip is too big."""


class FileChanged(ZipError):
    """A file read differently from one moment to the next: it is being edited."""


class ZipEntry(Protocol):
    """What `write_zip` reads of each file (`packaging.SourceFile` has it)."""

    @property
    def arcname(self) -> str: ...  # POSIX path inside the zip

    @property
    def path(self) -> str: ...  # where to read it

    @property
    def size(self) -> int: ...

    @property
    def mode(self) -> int: ...  # permission bits, 0o755 or 0o644


_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_END64 = struct.Struct("<IQHHIIQQQQ")
_END64_LOCATOR = struct.Struct("<IIQI")
_VERSION = 20  # 2.0: deflate
_VERSION_MADE_BY = (3 << 8) | _VERSION  # 3: Unix, so unzip and Lambda apply the modes
_VERSION_ZIP64 = 45
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest a zip can say
_DOS_TIME = 0
_UTF8_FLAG = 1 << 11
_STORED, _DEFLATED = 0, 8
_U16, _U32 = 0xFFFF, 0xFFFFFFFF


@dataclass(frozen=True)
class _Piece:
    """A slice of one file, read (and compressed) by one worker."""

    path: str
    offset: int
    length: int
    deflate: bool
    last: bool  # the file's final slice
    whole: bool  # the file's only slice: its bytes are kept for the writer


@dataclass(frozen=True)
class _Done:
    crc: int
    length: int
    raw: bytes | None  # the slice itself, for a file of one slice only
    packed: bytes | None  # the raw deflate stream of this slice, when deflated
    last: bool


@dataclass(frozen=True)
class _Central:
    name: bytes
    flags: int
    method: int
    crc: int
    packed_size: int
    size: int
    mode: int
    offset: int


@dataclass(frozen=True)
class ZipResult:
    digest: bytes  # SHA-256 of the zip's bytes
    size: int
    crcs: list[int]  # each entry's CRC-32, in the order given: what was read of each file


class ZipTooLarge(ZipError):
    """The zip grew past the `max_bytes` it was allowed; writing stopped there."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the zip is over {limit} bytes")
        self.limit = limit


def write_zip(
    files: Sequence[ZipEntry],
    out: BinaryIO,
    *,
    max_bytes: int | None = None,
    spill_dir: str | os.PathLike[str] | None = None,
) -> ZipResult:
    """Write `files` as a deterministic zip; returns its digest, size and entry CRCs.

    Slices are read and compressed by a thread pool (zlib and file reads release the GIL)
    while this thread writes finished files in order, so the bytes do not depend on the
    number of threads or on which finishes first. Memory stays bounded whatever the file
    sizes: IN_FLIGHT_BYTES of slices, plus up to SPILL_BYTES of one file's compressed
    data (a header needs its file's CRC and size before the data, so the rest of a large
    file's deflate stream waits in an unlinked temporary file in `spill_dir`). A large
    file that is stored is read again when written, and must give the same CRC.
    Raises ZipTooLarge as soon as the zip passes `max_bytes`.
    """
    writer = _ZipWriter(out, max_bytes)
    batches = batched(list(_pieces(files)), lambda p: p.length)
    entries = iter(files)
    pending = _Pending(spill_dir)
    try:
        for results in ordered_map(_process_batch, batches, lambda b: sum(p.length for p in b)):
            for done in results:
                pending.take(done)
                writer.check_room(pending.least_bytes())
                if done.last:
                    writer.add(next(entries), pending)
                    pending.close()
                    pending = _Pending(spill_dir)
    finally:
        pending.close()
    writer.finish()
    return ZipResult(writer.digest.digest(), writer.offset, writer.crcs)


def _pieces(files: Iterable[ZipEntry]) -> Iterator[_Piece]:
    for f in files:
        deflate = f.size > 0 and os.path.splitext(f.arcname)[1].lower() not in STORED_SUFFIXES
        if f.size <= CHUNK_BYTES:
            yield _Piece(f.path, 0, f.size, deflate, True, True)
            continue
        for offset in range(0, f.size, CHUNK_BYTES):
            length = min(CHUNK_BYTES, f.size - offset)
            yield _Piece(f.path, offset, length, deflate, offset + length == f.size, False)


def _process_batch(batch: Sequence[_Piece]) -> list[_Done]:
    return [_process(piece) for piece in batch]


def _process(piece: _Piece) -> _Done:
    primer_start = max(0, piece.offset - DEFLATE_WINDOW) if piece.deflate else piece.offset
    try:
        with open(piece.path, "rb") as stream:
            if primer_start:
                stream.seek(primer_start)
            data = stream.read(piece.offset - primer_start + piece.length)
    except OSError as error:
        raise ZipError(f"cannot read {piece.path}: {error.strerror or error}") from None
    primer, raw = data[: piece.offset - primer_start], data[piece.offset - primer_start :]
    if len(raw) != piece.length:
        raise FileChanged(f"{piece.path} changed while it was being packaged; build again")
    packed = _deflate(raw, primer, piece.last) if piece.deflate else None
    return _Done(zlib.crc32(raw), piece.length, raw if piece.whole else None, packed, piece.last)


def _deflate(raw: bytes, primer: bytes, last: bool) -> bytes:
    args = (COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY)
    compressor = zlib.compressobj(*args, primer) if primer else zlib.compressobj(*args)
    # A slice that is not the file's last ends on a byte boundary without the final-block
    # bit, so the next slice's stream simply continues it.
    return compressor.compress(raw) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


class _Pending:
    """The slices of one file seen so far: its CRC, sizes and deflate stream."""

    def __init__(self, spill_dir: str | os.PathLike[str] | None) -> None:
        self.spill_dir = spill_dir
        self.crc = 0
        self.size = 0
        self.packed_size = 0
        self.deflated = True  # every slice so far was deflated
        self.raw: bytes | None = None
        self.chunks: list[bytes] = []
        self.spill: BinaryIO | None = None

    def take(self, done: _Done) -> None:
        self.crc = crc32_combine(self.crc, done.crc, done.length) if self.size else done.crc
        self.size += done.length
        self.raw = done.raw
        if done.packed is None:
            self.deflated = False
            self.chunks = []
            return
        if not self.deflated:
            return
        self.packed_size += len(done.packed)
        if self.spill is not None:
            self.spill.write(done.packed)
        elif self.packed_size > SPILL_BYTES:
            # Closed by close(), once the file is written (or the zip abandoned).
            self.spill = tempfile.TemporaryFile(dir=self.spill_dir, prefix="spill-")  # noqa: SIM115
            for chunk in (*self.chunks, done.packed):
                self.spill.write(chunk)
            self.chunks = []
        else:
            self.chunks.append(done.packed)

    def least_bytes(self) -> int:
        """The fewest bytes this file's data can take in the zip, from the slices seen."""
        return min(self.packed_size, self.size) if self.deflated else self.size

    def packed_data(self) -> Iterator[bytes]:
        if self.spill is None:
            yield from self.chunks
            return
        self.spill.seek(0)
        while block := self.spill.read(CHUNK_BYTES):
            yield block

    def close(self) -> None:
        if self.spill is not None:
            self.spill.close()
            self.spill = None


def _reread(path: str, size: int, crc: int) -> Iterator[bytes]:
    """A large stored file, read again: it must still be what its slices said."""
    seen, left = 0, size
    try:
        with open(path, "rb") as stream:
            while left and (block := stream.read(min(CHUNK_BYTES, left))):
                seen = zlib.crc32(block, seen)
                left -= len(block)
                yield block
    except OSError as error:
        raise ZipError(f"cannot read {path}: {error.strerror or error}") from None
    if left or seen != crc:
        raise FileChanged(f"{path} changed while it was being packaged; build again")


class _ZipWriter:
    def __init__(self, out: BinaryIO, max_bytes: int | None) -> None:
        self.out = out
        self.max_bytes = max_bytes
        self.offset = 0
        self.digest = hashlib.sha256()
        self.central: list[_Central] = []
        self.crcs: list[int] = []

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.offset += len(data)
        if self.max_bytes is not None and self.offset > self.max_bytes:
            raise ZipTooLarge(self.max_bytes)

    def check_room(self, more: int) -> None:
        """Stop early when the zip cannot stay within `max_bytes` (a file still being read)."""
        if self.max_bytes is not None and self.offset + more > self.max_bytes:
            raise ZipTooLarge(self.max_bytes)

    def add(self, file: ZipEntry, pending: _Pending) -> None:
        size, crc = pending.size, pending.crc
        deflated = pending.deflated and pending.packed_size < size
        packed_size = pending.packed_size if deflated else size
        name = file.arcname.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8_FLAG
        method = _DEFLATED if deflated else _STORED
        if max(self.offset, size, packed_size) > _U32:
            raise ZipError("package is over 4 GiB, far beyond Lambda's limits")
        entry = _Central(name, flags, method, crc, packed_size, size, file.mode, self.offset)
        self.write(
            _LOCAL_HEADER.pack(
                0x04034B50, _VERSION, flags, method, _DOS_TIME, _DOS_DATE,
                crc, packed_size, size, len(name), 0,
            )
        )  # fmt: skip
        self.write(name)
        if deflated:
            data = pending.packed_data()
        elif pending.raw is not None or size == 0:
            data = iter([pending.raw or b""])
        else:
            data = _reread(file.path, size, crc)
        for chunk in data:
            self.write(chunk)
        self.central.append(entry)
        self.crcs.append(crc)

    def finish(self) -> None:
        start = self.offset
        for e in self.central:
            self.write(
                _CENTRAL_HEADER.pack(
                    0x02014B50, _VERSION_MADE_BY, _VERSION, e.flags, e.method, _DOS_TIME,
                    _DOS_DATE, e.crc, e.packed_size, e.size, len(e.name), 0, 0, 0, 0,
                    (stat.S_IFREG | e.mode) << 16, e.offset,
                )
            )  # fmt: skip
            self.write(e.name)
        size, count = self.offset - start, len(self.central)
        if self.offset > _U32:
            raise ZipError("package is over 4 GiB, far beyond Lambda's limits")
        if count > _U16:
            # Only the entry count needs ZIP64: offsets and sizes stay under 4 GiB.
            end64 = self.offset
            self.write(
                _END64.pack(
                    0x06064B50, _END64.size - 12, _VERSION_MADE_BY, _VERSION_ZIP64,
                    0, 0, count, count, size, start,
                )
            )  # fmt: skip
            self.write(_END64_LOCATOR.pack(0x07064B50, 0, end64, 1))
        shown = min(count, _U16)
        self.write(_END.pack(0x06054B50, 0, 0, shown, shown, size, start, 0))


# zlib's crc32_combine, which Python does not expose: the CRC of A+B from CRC(A), CRC(B)
# and len(B), by multiplying polynomials modulo the CRC-32 polynomial.
_CRC_POLY = 0xEDB88320


def _multmodp(a: int, b: int) -> int:
    m, product = 1 << 31, 0
    while True:
        if a & m:
            product ^= b
            if not a & (m - 1):
                return product
        m >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1


def _x2n_table() -> list[int]:
    table, p = [], 1 << 30  # x^1
    for _ in range(32):
        table.append(p)
        p = _multmodp(p, p)
    return table


_X2N = _x2n_table()


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    return _multmodp(_shift_by(length2), crc1) ^ crc2


@functools.lru_cache(maxsize=64)  # nearly every slice has the same length
def _shift_by(length: int) -> int:
    """x^(8 * length) modulo the polynomial: appending `length` zero bytes."""
    power, k = 1 << 31, 3  # x^0; a byte is 2^3 bits
    while length:
        if length & 1:
            power = _multmodp(_X2N[k & 31], power)
        length >>= 1
        k += 1
    return power
