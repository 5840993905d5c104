"""Tests of raw document reading: formats, encodings, normalisation, ids, scanning and errors."""

from __future__ import annotations

import codecs
import hashlib
import os
import random
import re
import unicodedata
from pathlib import Path

import pytest

from assets.knowledge.documents import (
    MAX_ID_LENGTH,
    BinaryDocumentError,
    DocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    ExternalSymlinkError,
    UnreadableDocumentError,
    UnsupportedDocumentError,
    document_id_for,
    fingerprint,
    normalize_text,
    read_document,
    scan_documents,
)
from assets.knowledge.reflow import hard_wrap
from resources.errors import InputDataError
from resources.paths import data_dir

KOREAN = "전자금융거래의 안전성을 확보하기 위하여 금융회사는 보안 대책을 수립하여야 한다."


def make_pdf(pages: list[str], title: str | None = None) -> bytes:
    """A minimal valid PDF: a Type0 font whose ToUnicode CMap maps CID n to the n-th distinct char.

    No glyphs are embedded (nothing would render), but text extraction, which only needs the
    ToUnicode map, returns the exact Unicode text, Korean included.
    """
    chars = sorted({char for page in pages for char in page if char != "\n"})
    cid = {char: index + 1 for index, char in enumerate(chars)}
    mapping = "\n".join(f"<{cid[char]:04X}> <{ord(char):04X}>" for char in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{mapping}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    kids = " ".join(f"{7 + 2 * index} 0 R" for index in range(len(pages)))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        3: b"<< /Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        4: b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        5: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
        6: f"<< /Title ({title or ''}) >>".encode(),
    }
    for index, page in enumerate(pages):
        lines = ["<" + "".join(f"{cid[char]:04X}" for char in line) + "> Tj T*" for line in page.split("\n")]
        content = "\n".join(["BT /F1 12 Tf 14 TL 72 720 Td", *lines, "ET"]).encode()
        objects[7 + 2 * index] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {8 + 2 * index} 0 R >>"
        ).encode()
        objects[8 + 2 * index] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref, size = len(out), max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offsets[number]:010d} 00000 n \n" for number in range(1, size)).encode()
    info = "/Info 6 0 R " if title else ""
    out += f"trailer\n<< /Size {size} /Root 1 0 R {info}>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def write(root: Path, name: str, data: bytes | str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------------------ ids


def test_plain_names_map_readably(tmp_path: Path) -> None:
    assert document_id_for(tmp_path / "payment_security_regulation.md", tmp_path) == "payment_security_regulation-md"
    assert document_id_for(tmp_path / "kb-guide.txt", tmp_path) == "kb-guide-txt"
    assert document_id_for(tmp_path / "규정" / "전자금융.pdf", tmp_path) == "규정__전자금융-pdf"


def test_altered_names_get_a_hash_and_never_collide(tmp_path: Path) -> None:
    names = ["a b.md", "a_b.md", "a-b.md", "a.b.md", "a/b.md", "a__b.md", "a_/b.md", "a/_b.md", "A.MD", "a.md"]
    ids = [document_id_for(tmp_path / name, tmp_path) for name in names]
    assert len(set(ids)) == len(ids), ids
    assert re.fullmatch(r"a_b-md-[0-9a-f]{10}", ids[0])


def test_ids_are_partition_key_safe_short_and_stable(tmp_path: Path) -> None:
    names = ["x" * 300 + ".txt", "보고서 (최종)...v2, [draft] | 2024.html", "tab\tname.md", "줄\n바꿈.txt"]
    for name in names:
        doc_id = document_id_for(tmp_path / name, tmp_path)
        assert len(doc_id) <= MAX_ID_LENGTH
        assert re.fullmatch(r"[\w-]+", doc_id), doc_id
        assert "..." not in doc_id
        assert doc_id == document_id_for(tmp_path / name, tmp_path)


def test_nfd_file_names_give_the_nfc_id(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "결제보안.md")
    assert document_id_for(tmp_path / nfd, tmp_path) == "결제보안-md"


# -------------------------------------------------------------------------------------- formats


def test_txt_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "rule.txt", f"보안 규정\r\n\r\n\r\n\r\n{KOREAN}   끝.\t\t다음\r\n")
    record = read_document(path, tmp_path)
    assert record.doc_id == "rule-txt"
    assert record.relative_path == "rule.txt"
    assert record.format == "txt"
    assert record.title == "보안 규정"
    assert record.text == f"보안 규정\n\n{KOREAN} 끝. 다음"
    assert record.n_chars == len(record.text)
    assert record.content_hash == hashlib.sha256(record.text.encode()).hexdigest()
    assert record.source_bytes_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record.encoding == "utf-8"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp949", "euc-kr", "utf-16"])
def test_txt_encodings_read_the_same_text(tmp_path: Path, encoding: str) -> None:
    text = f"결제 보안 안내\n{KOREAN}\n값: 3,000원 (VAT 포함)"
    reference = read_document(write(tmp_path, "ref.txt", text), tmp_path)
    record = read_document(write(tmp_path, f"doc_{encoding}.txt", text.encode(encoding)), tmp_path)
    assert record.text == reference.text
    assert record.content_hash == reference.content_hash
    assert record.source_bytes_hash != reference.source_bytes_hash
    assert not record.text.startswith("\ufeff")


def test_cp949_only_characters(tmp_path: Path) -> None:
    text = "똠방각하 펲 뷁 - CP949 확장 완성형 문자"
    record = read_document(write(tmp_path, "cp949.txt", text.encode("cp949")), tmp_path)
    assert record.text == text
    assert record.encoding == "cp949"


def test_normalisation_nfc_spaces_and_invisible_characters(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "한글 자모")
    raw = f"{nfd}\u00a0\u00a0 텍스트\u200b입니다\u3000끝\r두번째\u2028세번째\x07"
    assert normalize_text(raw) == "한글 자모 텍스트입니다 끝\n두번째\n세번째"
    record = read_document(write(tmp_path, "nfd.txt", raw), tmp_path)
    assert record.text == unicodedata.normalize("NFC", record.text)


def test_markdown_keeps_words_and_drops_markup(tmp_path: Path) -> None:
    source = """---
title: 결제 보안 가이드
---
# 제1장 **총칙** #

전자금융거래는 *반드시* [암호화](https://example.com)되어야 한다. `TLS 1.2` 이상.
snake_case_name 과 2*3*4 는 그대로.

* 첫째 항목
+ 둘째 항목

| 구분 | 기준 |
|:---|---:|
| 비밀번호 | 8자 이상 |

```python
print("코드")
```
> 인용 &amp; 참고
![그림 설명](img.png)
"""
    record = read_document(write(tmp_path, "guide.md", source), tmp_path)
    assert record.format == "md"
    assert record.title == "결제 보안 가이드"
    assert record.text.split("\n") == [
        "제1장 총칙",
        "",
        "전자금융거래는 반드시 암호화되어야 한다. TLS 1.2 이상.",
        "snake_case_name 과 2*3*4 는 그대로.",
        "",
        "- 첫째 항목",
        "- 둘째 항목",
        "",
        "구분 | 기준",
        "비밀번호 | 8자 이상",
        "",
        'print("코드")',
        "인용 & 참고",
        "그림 설명",
    ]


def test_markdown_title_is_first_heading(tmp_path: Path) -> None:
    record = read_document(write(tmp_path, "a.md", "서문 없이\n\n## 두번째 수준 제목\n본문"), tmp_path)
    assert record.title == "두번째 수준 제목"
    setext = read_document(write(tmp_path, "b.md", "세텍스트 제목\n=====\n본문"), tmp_path)
    assert setext.title == "세텍스트 제목"
    assert setext.text == "세텍스트 제목\n본문"


def test_html_blocks_tables_and_scripts(tmp_path: Path) -> None:
    source = """<!DOCTYPE html><html><head><title>결제 보안 규정</title>
<style>p { color: red }</style><script>var x = "숨김";</script></head>
<body><h1>제1조</h1><p>첫 문단은
여러 줄에 걸쳐<br>이어진다.</p><!-- 주석 -->
<ul><li>하나</li><li>둘</li></ul>
<table><caption>기준표</caption><tr><th>항목</th><th>기준</th></tr>
<tr><td>비밀번호</td><td>8자 <b>이상</b></td></tr></table>
<div>끝&nbsp;문단 &amp; 참고</div><noscript>자바스크립트</noscript></body></html>"""
    record = read_document(write(tmp_path, "rule.html", source), tmp_path)
    assert record.format == "html"
    assert record.title == "결제 보안 규정"
    assert record.text.split("\n") == [
        "제1조",
        "",
        "첫 문단은 여러 줄에 걸쳐",
        "이어진다.",
        "",
        "- 하나",
        "- 둘",
        "",
        "기준표",
        "항목 | 기준",
        "비밀번호 | 8자 이상",
        "",
        "끝 문단 & 참고",
    ]
    assert "숨김" not in record.text and "주석" not in record.text and "color" not in record.text


def test_html_cp949_and_title_fallbacks(tmp_path: Path) -> None:
    source = '<html><head><meta charset="euc-kr"></head><body><h1>공지 사항</h1><p>내용입니다.</p></body></html>'
    record = read_document(write(tmp_path, "notice.htm", source.encode("cp949")), tmp_path)
    assert record.title == "공지 사항"
    assert record.text == "공지 사항\n\n내용입니다."
    plain = read_document(write(tmp_path, "plain.html", "<p>첫 줄이 제목</p><p>본문</p>"), tmp_path)
    assert plain.title == "첫 줄이 제목"


def test_pdf_pages_are_extracted_and_joined(tmp_path: Path) -> None:
    pages = ["전자금융 보안 규정\n제1조 목적입니다.", "Page two: 결제 수수료 3.5%"]
    path = write(tmp_path, "rules.pdf", make_pdf(pages, title="Security Rules"))
    record = read_document(path, tmp_path)
    assert record.format == "pdf"
    assert record.doc_id == "rules-pdf"
    assert record.title == "Security Rules"
    assert record.text == "전자금융 보안 규정\n제1조 목적입니다.\n\nPage two: 결제 수수료 3.5%"
    assert record.encoding is None


def test_pdf_text_is_reflowed_without_page_numbers_and_running_headers(tmp_path: Path) -> None:
    paragraph = " ".join(
        [KOREAN, "보안 대책에는 접근 통제와 암호화, 침해 사고 대응 절차가 포함되어야 하며 매년 점검한다.", KOREAN]
    )
    lines = hard_wrap(paragraph, random.Random(4))
    thirds = [lines[: len(lines) // 3], lines[len(lines) // 3 : 2 * len(lines) // 3], lines[2 * len(lines) // 3 :]]
    pages = ["\n".join(["한빛마켓 보안 안내서", *part, f"- {n + 1} -"]) for n, part in enumerate(thirds)]
    record = read_document(write(tmp_path, "wrapped.pdf", make_pdf(pages)), tmp_path)
    assert record.text == paragraph
    assert "한빛마켓 보안 안내서" not in record.text and "- 2 -" not in record.text


def test_pdf_without_title_uses_first_line(tmp_path: Path) -> None:
    record = read_document(write(tmp_path, "a.pdf", make_pdf(["Only line here"])), tmp_path)
    assert record.title == "Only line here"


# --------------------------------------------------------------------------------------- errors


def assert_error(error: pytest.ExceptionInfo[DocumentError], name: str) -> None:
    assert isinstance(error.value, InputDataError)
    assert name in str(error.value)
    assert error.value.reason in str(error.value)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("zero.txt", b""),
        ("blank.txt", "  \r\n\t\u3000\n\u200b "),
        ("only_markup.md", "# \n\n---\n"),
        ("only_script.html", "<html><head><title>t</title><script>x()</script></head><body> </body></html>"),
        ("blank.pdf", None),
    ],
)
def test_empty_documents(tmp_path: Path, name: str, data: bytes | str | None) -> None:
    path = write(tmp_path, name, make_pdf([" "]) if data is None else data)
    with pytest.raises(EmptyDocumentError) as error:
        read_document(path, tmp_path)
    assert_error(error, name)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("nul.txt", b"text\x00with NUL bytes"),
        ("random.md", bytes(range(128, 256)) * 8 + bytes(range(1, 32)) * 8),
        ("image.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
    ],
)
def test_binary_documents(tmp_path: Path, name: str, data: bytes) -> None:
    with pytest.raises(BinaryDocumentError) as error:
        read_document(write(tmp_path, name, data), tmp_path)
    assert_error(error, name)


def test_unsupported_extension(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedDocumentError) as error:
        read_document(write(tmp_path, "slides.pptx", b"PK\x03\x04"), tmp_path)
    assert_error(error, "slides.pptx")
    assert ".pptx" in str(error.value)


@pytest.mark.parametrize("data", [b"%PDF-1.4\nthis is not really a pdf", b"plain text with a pdf name"])
def test_corrupt_pdf_is_unreadable(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(UnreadableDocumentError) as error:
        read_document(write(tmp_path, "broken.pdf", data), tmp_path)
    assert_error(error, "broken.pdf")


def test_folder_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(UnreadableDocumentError, match="folder.txt"):
        read_document(tmp_path / "folder.txt", tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_permission_denied_is_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", "비밀")
    path.chmod(0)
    try:
        with pytest.raises(UnreadableDocumentError, match="secret.txt"):
            read_document(path, tmp_path)
    finally:
        path.chmod(0o644)


# ------------------------------------------------------------------------------------- scanning


def test_scan_finds_supported_files_and_reports_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "# A")
    write(tmp_path, "sub/b.txt", "B")
    write(tmp_path, "sub/c.pdf", make_pdf(["C"]))
    write(tmp_path, "d.HTML", "<p>D</p>")
    write(tmp_path, "notes.docx", b"PK")
    write(tmp_path, "README", "no extension")
    write(tmp_path, ".hidden.md", "hidden")
    write(tmp_path, ".git/config.txt", "hidden folder")
    write(tmp_path, "~$lock.md", "office lock file")
    scan = scan_documents(tmp_path)
    assert set(scan.found) == {"a-md", "sub__b-txt", "sub__c-pdf", document_id_for(tmp_path / "d.HTML", tmp_path)}
    assert scan.found["sub__b-txt"] == tmp_path / "sub" / "b.txt"
    assert scan.relative_path("sub__b-txt") == "sub/b.txt"
    assert [relative for relative, _ in scan.problems] == ["README", "notes.docx"]
    assert all("unsupported extension" in reason for _, reason in scan.problems)
    for doc_id, path in scan.found.items():
        assert read_document(path, tmp_path).doc_id == doc_id


def test_scan_of_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(UnreadableDocumentError, match="missing"):
        scan_documents(tmp_path / "missing")


def test_fingerprint_is_sha256_of_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "내용".encode("cp949"))
    assert fingerprint(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_shipped_sample_documents_read() -> None:
    root = data_dir() / "raw_docs"
    if not root.is_dir() or sum(1 for path in root.iterdir() if path.is_file()) < 2:
        pytest.skip("fewer than 2 shipped sample documents")
    scan = scan_documents(root)
    assert scan.found
    for path in scan.found.values():
        record = read_document(path, root)
        assert record.text and record.title


def test_bom_constants_are_detected(tmp_path: Path) -> None:
    record = read_document(write(tmp_path, "bom.md", codecs.BOM_UTF8 + "# 제목\n본문".encode()), tmp_path)
    assert (record.title, record.text, record.encoding) == ("제목", "제목\n본문", "utf-8-sig")


# -------------------------------------------------------------------------------- symlinks and size


@pytest.fixture
def linked_docs(tmp_path: Path) -> Path:
    """raw_docs with a real file, a looping pair, a broken link, a folder link, an inside and an outside link."""
    root = tmp_path / "raw_docs"
    (root / "sub").mkdir(parents=True)
    (root / "real.md").write_text(f"# 진짜\n{KOREAN}", encoding="utf-8")
    (root / "sub" / "inner.txt").write_text(KOREAN, encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("외부 비밀 문서", encoding="utf-8")
    (root / "loop_a.md").symlink_to(root / "loop_b.md")
    (root / "loop_b.md").symlink_to(root / "loop_a.md")
    (root / "self.txt").symlink_to(root / "self.txt")
    (root / "broken.txt").symlink_to(root / "missing.txt")
    (root / "folder_link").symlink_to(root / "sub")
    (root / "outside.txt").symlink_to(outside)
    return root


def test_scan_lists_looping_broken_folder_and_outside_symlinks_as_problems(linked_docs: Path) -> None:
    scan = scan_documents(linked_docs)
    assert sorted(scan.found) == ["real-md", "sub__inner-txt"]
    problems = dict(scan.problems)
    assert set(problems) == {"loop_a.md", "loop_b.md", "self.txt", "broken.txt", "folder_link", "outside.txt"}
    assert all("symlink loop" in problems[name] for name in ("loop_a.md", "loop_b.md", "self.txt"))
    assert "broken symlink" in problems["broken.txt"] and "missing.txt" in problems["broken.txt"]
    assert "symlink to a folder" in problems["folder_link"]
    assert problems["outside.txt"].startswith("symlink points outside raw_docs")


def test_outside_symlinks_are_read_only_when_allowed(linked_docs: Path) -> None:
    scan = scan_documents(linked_docs, follow_external_symlinks=True)
    assert "outside-txt" in scan.found and "outside.txt" not in dict(scan.problems)
    with pytest.raises(ExternalSymlinkError, match="outside.txt: symlink points outside raw_docs"):
        read_document(linked_docs / "outside.txt", linked_docs)
    record = read_document(linked_docs / "outside.txt", linked_docs, follow_external_symlinks=True)
    assert record.text == "외부 비밀 문서" and record.doc_id == "outside-txt"


def test_a_symlink_inside_the_folder_is_still_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(KOREAN, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").symlink_to(tmp_path / "a.txt")
    assert read_document(tmp_path / "sub" / "b.txt", tmp_path).text == KOREAN


def test_documents_over_the_size_limit_are_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(KOREAN * 10, encoding="utf-8")
    limit = len(KOREAN) * 10 - 1
    with pytest.raises(
        DocumentTooLargeError, match=rf"big.txt: document has {limit + 1} characters, over the limit of {limit} "
    ):
        read_document(path, tmp_path, max_document_chars=limit)
    with pytest.raises(DocumentTooLargeError, match=r"big.txt: file is [\d,]+ bytes, over the limit of 100 characters"):
        read_document(path, tmp_path, max_document_chars=100)  # refused from its size, before reading
    assert read_document(path, tmp_path, max_document_chars=limit + 1).n_chars == limit + 1
    assert issubclass(DocumentTooLargeError, DocumentError)
