"""Raw documents (txt, md, html, pdf) -> normalised text records with stable, partition-safe ids.

Pure logic, no Dagster: the `documents` asset calls `read_document` for its partition and the raw
documents sensor calls `scan_documents` and `fingerprint`.

* `document_id_for` turns a path relative to the raw docs folder into a readable id that is a valid
  Dagster partition key ("payment_security_regulation.md" -> "payment_security_regulation-md",
  "규정/결제 보안.md" -> "규정__결제_보안-md-<hash>"). Plain names map one-to-one; any name that had
  to be altered beyond "/" -> "__" and "." -> "-" gets a short hash of the path, so two files can
  never share an id (and `scan_documents` still reports a collision if one ever happened).
* `read_document` detects the encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM, CP949/EUC-KR, then
  charset-normalizer), converts markup to readable text and normalises it (NFC, "\n" newlines, single
  spaces, at most one blank line in a row). PDF text, and .txt text that `text_looks_hard_wrapped`, is
  re-flowed into paragraphs (`assets.knowledge.reflow`: hard-wrapped lines joined, page numbers
  and running headers/footers dropped, hyphenation mended).
* `scan_documents` lists what it cannot take in `problems` with the reason: unsupported extensions,
  id collisions, symlinks that loop or are broken, symlinks to folders (not followed), and symlinks
  pointing outside the raw docs folder (refused unless `follow_external_symlinks=True`).
* `read_document` refuses a document over `max_document_chars` characters (default 20 M; text files
  over 4 bytes per allowed character are refused before being read) with `DocumentTooLargeError`,
  and a symlink pointing outside the folder unless `follow_external_symlinks=True`.
* Problems raise `DocumentError` subclasses (an `InputDataError`) whose message names the file.
"""

from __future__ import annotations

import errno
import hashlib
import html
import os
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assets.knowledge.reflow import PAGE_BREAK, reflow_text, text_looks_hard_wrapped
from resources import encoding as encoding_detection
from resources.errors import InputDataError
from resources.hashing import sha256_file

# Extension (lower case, with dot) -> format name.
SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
MAX_ID_LENGTH = 100
MAX_DOCUMENT_CHARS = 20_000_000
_HASH_SUFFIX_LENGTH = 10
_MAX_TITLE_CHARS = 200


# --------------------------------------------------------------------------------------------- errors


class DocumentError(InputDataError):
    """A raw document that cannot become text; the message is "<file>: <reason>"."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UnsupportedDocumentError(DocumentError):
    """The file extension is not one of `SUPPORTED_EXTENSIONS`."""


class EmptyDocumentError(DocumentError):
    """The document has no text left after normalisation."""


class BinaryDocumentError(DocumentError):
    """A text-format file that holds NUL bytes or cannot be decoded in any known encoding."""


class UnreadableDocumentError(DocumentError):
    """The file cannot be read (permissions, a folder, a corrupt or encrypted PDF)."""


class DocumentTooLargeError(DocumentError):
    """The document is over the size limit (`max_document_chars`)."""


class ExternalSymlinkError(UnreadableDocumentError):
    """The file is a symlink pointing outside the raw docs folder (refused by default)."""


class DocumentIdCollisionError(DocumentError):
    """Two files map to the same document id (practically impossible; reported, never merged)."""


# ------------------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class DocumentRecord:
    """One document as normalised text plus the hashes that tell when it changed."""

    doc_id: str
    relative_path: str
    format: str
    title: str
    text: str
    n_chars: int
    content_hash: str
    source_bytes_hash: str
    encoding: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-serialisable) of all fields."""
        return asdict(self)


@dataclass
class DocumentScan:
    """What `scan_documents` found: supported files by id, and files it could not take."""

    root: Path
    found: dict[str, Path] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def relative_path(self, doc_id: str) -> str:
        """The posix path of a found document relative to the scanned root."""
        return _relative_posix(self.found[doc_id], self.root)


# -------------------------------------------------------------------------------------- identifiers


def _relative_posix(path: Path, root: Path) -> str:
    try:
        relative = Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError:
        relative = Path(path).relative_to(root)
    return unicodedata.normalize("NFC", relative.as_posix())


def _plain_component(part: str) -> bool:
    """Letters/digits of any script, "-" and single "_", neither leading nor trailing "_"."""
    return (
        bool(part)
        and all(char.isalnum() or char in "_-" for char in part)
        and "__" not in part
        and not part.startswith("_")
        and not part.endswith("_")
    )


def _is_plain(relative: str) -> bool:
    """True when the path maps to an id by "/" -> "__" and "." -> "-" alone, one-to-one.

    Plain: every folder and the file stem pass `_plain_component` (so "__" can only come from "/"),
    and the file has one dot before a supported lower-case extension (so the last "-" of the file
    part is that dot). Such ids can be decoded back to the path, hence never collide.
    """
    *folders, name = relative.split("/")
    stem, dot, extension = name.rpartition(".")
    if not dot or f".{extension}" not in SUPPORTED_EXTENSIONS:
        return False
    return all(_plain_component(part) for part in (*folders, stem))


def _slug(relative: str) -> str:
    pieces = []
    for char in relative:
        if char == "/":
            pieces.append("__")
        elif char == ".":
            pieces.append("-")
        elif char.isalnum() or char in "_-":
            pieces.append(char)
        else:
            pieces.append("_")
    return "".join(pieces)


def document_id_for(path: Path, root: Path) -> str:
    """Stable, readable partition key for `path` (a file under `root`), at most 100 characters.

    Ids use letters/digits of any script, "_" and "-" only (no "...", control characters, "|", ",",
    "[" or "]", which Dagster forbids in partition keys).
    """
    relative = _relative_posix(Path(path), Path(root))
    slug = _slug(relative)
    if _is_plain(relative) and len(slug) <= MAX_ID_LENGTH:
        return slug
    digest = hashlib.sha256(relative.encode("utf-8")).hexdigest()[:_HASH_SUFFIX_LENGTH]
    head = slug[: MAX_ID_LENGTH - _HASH_SUFFIX_LENGTH - 1].rstrip("_-") or "doc"
    return f"{head}-{digest}"


def document_format(path: Path) -> str | None:
    """ "txt", "md", "html" or "pdf" for a supported extension, else None."""
    return SUPPORTED_EXTENSIONS.get(Path(path).suffix.lower())


# ---------------------------------------------------------------------------------------- scanning


def fingerprint(path: Path) -> str:
    """sha256 hex digest of the file's bytes (what the sensor compares between ticks)."""
    return sha256_file(path)


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") or part.startswith("~$") for part in relative.parts)


def scan_documents(root: Path, follow_external_symlinks: bool = False) -> DocumentScan:
    """All supported files under `root` (recursive) by document id; hidden files are ignored.

    Listed in `.problems` as (relative_path, reason), never silently skipped: unsupported extensions,
    id collisions, symlinks that loop, are broken or point to a folder (folders are not followed),
    entries that are not regular files, and symlinks pointing outside `root` unless
    `follow_external_symlinks`. A missing `root` raises `UnreadableDocumentError`.
    """
    root = Path(root)
    if not root.is_dir():
        raise UnreadableDocumentError(root, "raw documents folder does not exist or is not a folder")
    scan = DocumentScan(root=root)
    owners: dict[str, str] = {}
    resolved_root = root.resolve()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if _is_hidden(relative) or (path.is_dir() and not path.is_symlink()):
            continue
        problem = _entry_problem(path, resolved_root, follow_external_symlinks)
        if problem is not None:
            scan.problems.append((relative.as_posix(), problem))
            continue
        _add_to_scan(scan, owners, path, relative.as_posix())
    return scan


def symlink_target_problem(path: Path, resolved_root: Path, follow_external_symlinks: bool) -> str | None:
    """Why a symlink cannot be used as a document (loop, broken, folder, outside the root), or None."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        return "symlink loop (the link points back to itself)"
    except FileNotFoundError:
        return f"broken symlink (target {os.readlink(path)!r} does not exist)"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symlink loop (the link points back to itself)"
        return f"symlink cannot be resolved ({error.strerror or error})"
    if target.is_dir():
        return "symlink to a folder (folders behind symlinks are not followed)"
    if not follow_external_symlinks and resolved_root not in target.parents:
        return f"symlink points outside raw_docs (to {target}); set follow_external_symlinks to allow it"
    return None


def _entry_problem(path: Path, resolved_root: Path, follow_external_symlinks: bool) -> str | None:
    if path.is_symlink():
        problem = symlink_target_problem(path, resolved_root, follow_external_symlinks)
        if problem is not None:
            return problem
    if not path.is_file():
        return "not a regular file (a device, socket or pipe)"
    return None


def _add_to_scan(scan: DocumentScan, owners: dict[str, str], path: Path, relative: str) -> None:
    if document_format(path) is None:
        scan.problems.append((relative, _unsupported_reason(path)))
        return
    doc_id = document_id_for(path, scan.root)
    if doc_id in owners:
        scan.problems.append((relative, f"document id {doc_id!r} already used by {owners[doc_id]}; rename one"))
        return
    owners[doc_id] = relative
    scan.found[doc_id] = path


def _unsupported_reason(path: Path) -> str:
    supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
    extension = path.suffix or "(none)"
    return f"unsupported extension {extension!r} (supported: {supported})"


# ----------------------------------------------------------------------------------------- reading


def read_document(
    path: Path,
    root: Path,
    max_document_chars: int = MAX_DOCUMENT_CHARS,
    follow_external_symlinks: bool = False,
) -> DocumentRecord:
    """Read one document under `root` into a `DocumentRecord`, or raise a `DocumentError`.

    Over `max_document_chars` characters of normalised text: `DocumentTooLargeError`. A symlink
    pointing outside `root`: `ExternalSymlinkError` unless `follow_external_symlinks`.
    """
    path, root = Path(path), Path(root)
    relative = _relative_posix(path, root)
    kind = document_format(path)
    if kind is None:
        raise UnsupportedDocumentError(relative, _unsupported_reason(path))
    if path.is_symlink():
        problem = symlink_target_problem(path, root.resolve(), follow_external_symlinks)
        if problem is not None:
            error_type = ExternalSymlinkError if "outside raw_docs" in problem else UnreadableDocumentError
            raise error_type(relative, problem)
    if kind != "pdf":
        _check_byte_size(path, relative, max_document_chars)
    data = _read_bytes(path, relative)
    if not data:
        raise EmptyDocumentError(relative, "file is empty (0 bytes)")
    if kind == "pdf":
        raw_text, raw_title = pdf_to_text(path, relative)
        text, encoding = pdf_text_to_paragraphs(raw_text), None
    else:
        decoded, encoding = decode_text(data, relative)
        text, raw_title = _convert_markup(kind, decoded)
    if not text:
        raise EmptyDocumentError(relative, "no text left after normalisation")
    if len(text) > max_document_chars:
        reason = f"document has {len(text):,} characters, over the limit of {max_document_chars:,} (max_document_chars)"
        raise DocumentTooLargeError(relative, reason)
    title = _choose_title(raw_title, text, path)
    return DocumentRecord(
        doc_id=document_id_for(path, root),
        relative_path=relative,
        format=kind,
        title=title,
        text=text,
        n_chars=len(text),
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source_bytes_hash=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
    )


def _check_byte_size(path: Path, relative: str, max_document_chars: int) -> None:
    """Refuse, before reading it, a text file whose bytes must hold more than the allowed characters.

    Every supported text encoding spends at most 4 bytes on a character, so a file over
    4 * `max_document_chars` bytes is over the limit whatever it holds.
    """
    try:
        size = path.stat().st_size
    except OSError:
        return  # reported by _read_bytes with the reason
    if size > 4 * max_document_chars:
        reason = f"file is {size:,} bytes, over the limit of {max_document_chars:,} characters (max_document_chars)"
        raise DocumentTooLargeError(relative, reason)


def _read_bytes(path: Path, relative: str) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError as error:
        raise UnreadableDocumentError(relative, "is a folder, not a file") from error
    except OSError as error:
        raise UnreadableDocumentError(relative, f"cannot read file ({error.strerror or error})") from error


def _convert_markup(kind: str, decoded: str) -> tuple[str, str | None]:
    if kind == "md":
        return markdown_to_text(decoded)
    if kind == "html":
        return html_to_text(decoded)
    text = normalize_text(decoded)
    if kind == "txt" and text_looks_hard_wrapped(text):
        text = normalize_text(reflow_text(text))
    return text, None


def _choose_title(candidate: str | None, text: str, path: Path) -> str:
    for option in (candidate, _first_line(text), path.stem):
        cleaned = " ".join((option or "").split())
        if cleaned:
            return cleaned[:_MAX_TITLE_CHARS]
    return path.name


def _first_line(text: str) -> str:
    return next((line for line in text.split("\n") if line.strip()), "")


# -------------------------------------------------------------------------------------- encodings


def decode_text(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode a text file's bytes; returns (text, encoding) or raises `BinaryDocumentError`.

    The detection itself (BOMs, UTF-8, CP949, charset-normalizer) is `resources.encoding`, shared with the CSV reader.
    """
    try:
        return encoding_detection.decode_text(data)
    except encoding_detection.UndecodableTextError as error:
        raise BinaryDocumentError(name, error.reason) from error


# ---------------------------------------------------------------------------------- normalisation


_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n"})
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def _drop_controls(text: str) -> str:
    return "".join(char for char in text if char == "\n" or char == "\t" or unicodedata.category(char) != "Cc")


def normalize_text(text: str) -> str:
    """NFC, "\n" newlines, single spaces, stripped lines, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
    text = _drop_controls(_INVISIBLE.sub("", text))
    text = _HORIZONTAL_SPACE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip()


# ---------------------------------------------------------------------------------------- markdown
# Hand-written on purpose: markdown-it-py 4.3 (CommonMark) loses masking asterisks (홍*동, 010-****-1234) or
# keeps ** before Korean particles in 3 of the 14 shipped .md files (measured 2026-12-02).


_MD_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$|^\s{0,3}#{1,6}\s*$")
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_MD_BULLET = re.compile(r"^(\s*)[*+]\s+")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$")
_MD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links -> link text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links -> link text
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),  # autolinks
    (re.compile(r"`+([^`]+?)`+"), r"\1"),  # inline code
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # bold
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
    (re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),  # *italic*
    (re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"), r"\1"),  # _italic_
    (re.compile(r"<br\s*/?>", re.IGNORECASE), "\n"),
    (re.compile(r"</?(?:p|div|span|b|i|u|em|strong|sup|sub|small|details|summary|mark|kbd)\b[^>]*>", re.I), ""),
]


def _md_inline(line: str) -> str:
    for pattern, replacement in _MD_INLINE:
        line = pattern.sub(replacement, line)
    return html.unescape(line)


def _md_table_row(line: str) -> str | None:
    stripped = line.strip()
    if not (stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1):
        return None
    cells = [cell.strip() for cell in stripped[1:-1].split("|")]
    return " | ".join(cells)


def _md_block_line(line: str, in_code: bool) -> tuple[str | None, str | None]:
    """One markdown line -> (text line or None to drop it, heading text if it is a heading)."""
    if in_code:
        return line, None
    if "|" in line and _MD_TABLE_RULE.match(line):
        return None, None
    if _MD_RULE.match(line) or _MD_REF_DEF.match(line):
        return None, None
    if heading := _MD_ATX.match(line):
        text = _md_inline(heading.group(1) or "")
        return text, text
    line = _MD_BULLET.sub(r"\1- ", _MD_QUOTE.sub("", line))
    row = _md_table_row(line)
    return _md_inline(row if row is not None else line), None


def _split_front_matter(lines: list[str]) -> tuple[list[str], str | None]:
    """Drop a leading YAML front-matter block ("---" ... "---"), returning its `title:` if any."""
    if not lines or lines[0].strip() != "---":
        return lines, None
    for index, line in enumerate(lines[1:50], start=1):
        if line.strip() in ("---", "..."):
            titles = [entry.split(":", 1)[1] for entry in lines[1:index] if entry.lower().startswith("title:")]
            title = titles[0].strip().strip("\"'") if titles else None
            return lines[index + 1 :], title or None
    return lines, None


def markdown_to_text(source: str) -> tuple[str, str | None]:
    """Markdown -> (readable normalised text, title). Words stay, markup goes.

    The title is the front matter's `title:`, else the first ATX ("# ...") or setext heading.
    """
    source_lines, title = _split_front_matter(source.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    lines: list[str] = []
    in_code = False
    for line in source_lines:
        if _MD_FENCE.match(line):
            in_code = not in_code
            continue
        if not in_code and _MD_SETEXT.match(line) and lines and lines[-1].strip():
            title = title or lines[-1].strip()  # setext heading: the line above is the heading
            continue
        text, heading = _md_block_line(line, in_code)
        if heading and title is None:
            title = heading
        if text is not None:
            lines.append(text)
    return normalize_text("\n".join(lines)), title


# -------------------------------------------------------------------------------------------- html


_HTML_DROP = ("script", "style", "noscript", "template", "svg", "iframe", "object", "head", "title")
_HTML_BLOCKS = (
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "ul",
    "caption",
)
_HTML_ITEMS = ("li", "dt", "dd")
_PRESERVE_SPACE = ("pre", "textarea")


def html_to_text(source: str) -> tuple[str, str | None]:
    """HTML -> (text with block elements on their own lines, tables as "cell | cell", <title>)."""
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(source, "html.parser")
    title = _html_title(soup)
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    _collapse_html_whitespace(soup)
    for table in reversed(soup.find_all("table")):  # innermost first
        table.replace_with("\n" + _table_lines(table) + "\n")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_HTML_BLOCKS):
        if block.name in _HTML_ITEMS:  # one line per item, no blank line between items
            block.insert(0, "- " if block.name == "li" else "")
        else:
            block.insert_before("\n")
        block.insert_after("\n")
    return normalize_text(soup.get_text()), title


def _html_title(soup: Any) -> str | None:
    for tag in (soup.title, soup.find("h1")):
        if tag is not None:
            text = " ".join(tag.get_text(" ").split())
            if text:
                return text
    return None


def _collapse_html_whitespace(soup: Any) -> None:
    from bs4 import NavigableString

    for node in soup.find_all(string=True):
        if type(node) is not NavigableString or node.find_parent(_PRESERVE_SPACE):
            continue
        collapsed = re.sub(r"\s+", " ", str(node))
        if collapsed != str(node):
            node.replace_with(collapsed)


def _table_lines(table: Any) -> str:
    lines = []
    caption = table.find("caption")
    if caption is not None:
        lines.append(" ".join(caption.get_text(" ").split()))
    for row in table.find_all("tr"):
        cells = [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"], recursive=False)]
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- pdf


def _open_pdf(path: Path, relative: str) -> Any:
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocumentError(relative, "PDF is encrypted with a password")
        return reader
    except DocumentError:
        raise
    except Exception as error:  # pypdf raises many types for corrupt files
        raise UnreadableDocumentError(relative, f"not a readable PDF ({type(error).__name__}: {error})") from error


def pdf_to_text(path: Path, relative: str) -> tuple[str, str | None]:
    """(text of all pages joined by form feeds, metadata title) of a PDF, via pypdf."""
    reader = _open_pdf(path, relative)
    try:
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as error:
        reason = f"PDF text extraction failed ({type(error).__name__}: {error})"
        raise UnreadableDocumentError(relative, reason) from error
    return PAGE_BREAK.join(pages), _pdf_title(reader)


def pdf_text_to_paragraphs(raw_text: str) -> str:
    """Pages joined by form feeds -> normalised text re-flowed into paragraphs (`reflow_text`)."""
    pages = [normalize_text(page) for page in raw_text.split(PAGE_BREAK)]
    return normalize_text(reflow_text(PAGE_BREAK.join(pages)))


def _pdf_title(reader: Any) -> str | None:
    try:
        metadata = reader.metadata
    except Exception:  # noqa: BLE001 - pypdf raises many types on a damaged info dictionary; the title is optional
        return None
    title = metadata.title if metadata is not None else None
    return str(title) if title else None
