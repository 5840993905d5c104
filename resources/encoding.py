"""Text-encoding detection shared by the products CSV reader and the document reader.

Korean text files come as UTF-8, UTF-8 with a byte-order mark, UTF-16 with a BOM, or CP949/EUC-KR
(Windows). `detect_encoding(data)` tries exactly that order, then charset-normalizer as a last resort,
and raises `UndecodableTextError` (with a reason a person can read) when nothing fits.
`decode_text(data)` returns the decoded text with the encoding. `detect_file_encoding(path)` does the
same for a file of any size, reading it in blocks so the whole file is never held in memory.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

BOM_ENCODINGS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
CANDIDATE_ENCODINGS: tuple[str, ...] = ("utf-8", "cp949")
ALLOWED_CONTROLS = frozenset("\t\n\r\x0c")
BLOCK_BYTES = 8 << 20
SAMPLE_CHARS = 1 << 20  # files larger than this are judged "text-like" on their first million characters


class UndecodableTextError(ValueError):
    """The bytes are binary or in no known text encoding; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def looks_like_text(text: str) -> bool:
    """False when more than 0.5% of the characters are controls, private use or replacement chars."""
    if not text:
        return True
    odd_chars = [char for char in set(text) if _is_odd(char)]  # judge each distinct character once
    odd = sum(text.count(char) for char in odd_chars)
    return odd <= max(1, len(text) // 200)


def _is_odd(char: str) -> bool:
    return char == "\ufffd" or (unicodedata.category(char) in ("Cc", "Co", "Cn") and char not in ALLOWED_CONTROLS)


def _bom_encoding(head: bytes) -> str | None:
    return next((encoding for bom, encoding in BOM_ENCODINGS if head.startswith(bom)), None)


def _decodes_as_text(blocks: Iterable[bytes], encoding: str) -> bool:
    """True when every block decodes (incrementally, nothing kept) and the start looks like text."""
    decoder = codecs.getincrementaldecoder(encoding)()
    sample = ""
    try:
        for block in blocks:
            text = decoder.decode(block)
            if len(sample) < SAMPLE_CHARS:
                sample += text[: SAMPLE_CHARS - len(sample)]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return looks_like_text(sample)


def _detected_by_charset_normalizer(sample: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is not None and looks_like_text(str(best)):
        return best.encoding
    raise UndecodableTextError("not decodable as UTF-8, CP949/EUC-KR or any detected text encoding")


def _detect(head: bytes, blocks: Callable[[], Iterator[bytes]]) -> str:
    bom = _bom_encoding(head)
    if bom is not None:
        if not _decodes_fully(blocks(), bom):
            raise UndecodableTextError(f"starts with a {bom} byte-order mark but is not valid {bom}")
        return bom
    if any(b"\x00" in block for block in blocks()):
        raise UndecodableTextError("contains NUL bytes (a binary file, not text)")
    for encoding in CANDIDATE_ENCODINGS:
        if _decodes_as_text(blocks(), encoding):
            return encoding
    return _detected_by_charset_normalizer(b"".join(_limited(blocks(), SAMPLE_CHARS * 4)))


def _decodes_fully(blocks: Iterable[bytes], encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for block in blocks:
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _limited(blocks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    taken = 0
    for block in blocks:
        if taken >= limit:
            return
        yield block[: limit - taken]
        taken += len(block)


def _memory_blocks(data: bytes) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), BLOCK_BYTES):
        yield bytes(view[start : start + BLOCK_BYTES])


def _file_blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while block := handle.read(BLOCK_BYTES):
            yield block


def detect_encoding(data: bytes) -> str:
    """The encoding of `data` (a Python codec name); raises `UndecodableTextError`."""
    return _detect(data[:4], lambda: _memory_blocks(data))


def detect_file_encoding(path: Path) -> str:
    """`detect_encoding` for a file, read block by block; OSError passes through."""
    with path.open("rb") as handle:
        head = handle.read(4)
    return _detect(head, lambda: _file_blocks(path))


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of `data`, a byte-order mark removed; raises `UndecodableTextError`."""
    encoding = detect_encoding(data)
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as error:
        raise UndecodableTextError(f"detected as {encoding} but not valid {encoding}") from error
