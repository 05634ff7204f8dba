"""Hostile and broken input: every case is one clear ReadError line, never a traceback,
never a hang, never library noise on stdout/stderr."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from . import fixtures_build as fb
from tilint.readers import ReadError, read_document
from tilint.readers import _shared, pdf as pdf_reader

ZIP_DAMAGED = "damaged {}: not a valid zip container (truncated or corrupt file?)"


def error_of(path: Path, **kwargs: object) -> str:
    with pytest.raises(ReadError) as info:
        read_document(path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message and str(path) not in message
    return message


@pytest.fixture(autouse=True)
def no_library_noise(capfd: pytest.CaptureFixture[str]):
    yield
    out, err = capfd.readouterr()
    assert out == "" and err == "", (out, err)


# ------------------------------------------------------------ Word / ODT


def test_truncated_docx(tmp_path: Path) -> None:
    path = fb.truncate(fb.build_docx(tmp_path), tmp_path / "cut.docx")
    assert error_of(path) == ZIP_DAMAGED.format("Word document")


def test_corrupt_docx(tmp_path: Path) -> None:
    path = tmp_path / "noise.docx"
    path.write_bytes(os.urandom(3000))
    assert error_of(path) == ZIP_DAMAGED.format("Word document")


def test_old_binary_or_encrypted_word_file(tmp_path: Path) -> None:
    path = tmp_path / "protected.docx"  # Word saves password-protected .docx as an OLE file
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    assert error_of(path) == (
        "Word document is password-protected or in an old binary format; "
        "save it as .docx without a password"
    )


def test_docx_invalid_xml(tmp_path: Path) -> None:
    assert error_of(fb.build_docx_invalid_xml(tmp_path)) == (
        "damaged Word document: invalid XML in word/document.xml "
        "(line 1: Opening and ending tag mismatch: t line 1 and p, line 1, column 138)"
    )


def test_docx_entity_expansion_refused(tmp_path: Path) -> None:
    assert error_of(fb.build_docx_entities(tmp_path)) == (
        "refused Word document: word/document.xml declares a DTD (entity expansion is not allowed)"
    )


def test_docx_missing_main_part(tmp_path: Path) -> None:
    path = fb.drop_part(fb.build_docx(tmp_path), tmp_path / "hollow.docx", "word/document.xml")
    assert error_of(path) == "damaged Word document: word/document.xml is missing"


def test_docx_missing_content_types(tmp_path: Path) -> None:
    path = fb.drop_part(fb.build_docx(tmp_path), tmp_path / "noct.docx", "[Content_Types].xml")
    assert error_of(path) == "damaged Word document: [Content_Types].xml is missing"


def test_docx_that_is_a_spreadsheet(tmp_path: Path) -> None:
    import zipfile

    good = fb.build_docx(tmp_path)
    types = zipfile.ZipFile(good).read("[Content_Types].xml").replace(
        b"wordprocessingml.document.main+xml", b"spreadsheetml.sheet.main+xml")
    path = fb.replace_part(good, tmp_path / "sheet.docx", "[Content_Types].xml", types)
    assert error_of(path) == (
        "not a Word document (its content type is "
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml)"
    )


def test_docx_zip_bomb_refused_before_extracting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = fb.build_zip_bomb(tmp_path, "bomb.docx", "word/document.xml")
    opened: list[str] = []
    real_open = __import__("zipfile").ZipFile.open

    def spy(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr("zipfile.ZipFile.open", spy)
    message = error_of(path)
    assert message.startswith("refused Word document: part word/document.xml expands ")
    assert message.endswith("x (possible zip bomb)")
    assert opened == []  # nothing was inflated


def test_docx_total_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = fb.build_docx(tmp_path)
    monkeypatch.setitem(_shared.ZIP_LIMITS, "max_total", 10_000)
    message = error_of(path)
    assert message.startswith("refused Word document: parts expand to ")
    assert message.endswith("MB, over the 0 MB limit (possible zip bomb)")


def test_docx_member_count_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = fb.build_docx(tmp_path)
    monkeypatch.setitem(_shared.ZIP_LIMITS, "max_members", 3)
    assert error_of(path).startswith("refused Word document: ")
    assert error_of(path).endswith("parts in the archive (possible zip bomb)")


def test_odt_zip_bomb(tmp_path: Path) -> None:
    path = fb.build_zip_bomb(tmp_path, "bomb.odt", "content.xml")
    assert error_of(path).startswith("refused OpenDocument file: part content.xml expands ")


def test_truncated_odt(tmp_path: Path) -> None:
    path = fb.truncate(fb.build_odt(tmp_path), tmp_path / "cut.odt")
    assert error_of(path) == ZIP_DAMAGED.format("OpenDocument file")


def test_odt_invalid_xml_is_quiet(tmp_path: Path) -> None:
    # odfpy itself would print the whole part to stdout; the autouse fixture checks it does not.
    assert error_of(fb.build_odt_invalid_xml(tmp_path)) == (
        "damaged OpenDocument file: invalid XML in content.xml "
        "(line 1: Namespace prefix office on document-content is not defined, line 1, column 46)"
    )


def test_odt_missing_manifest(tmp_path: Path) -> None:
    path = fb.drop_part(fb.build_odt(tmp_path), tmp_path / "nomanifest.odt", "META-INF/manifest.xml")
    assert error_of(path) == "damaged OpenDocument file: META-INF/manifest.xml is missing"


def test_odt_that_is_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "sheet.odt"
    path.write_bytes(fb.zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                                   "content.xml": b"<x/>"}))
    assert error_of(path) == "not an OpenDocument text file (it is application/vnd.oasis.opendocument.spreadsheet)"


# ---------------------------------------------------------------------- PDF


def test_truncated_pdf(tmp_path: Path) -> None:
    path = fb.truncate(fb.build_pdf(tmp_path), tmp_path / "cut.pdf")
    assert error_of(path) == "damaged PDF: truncated (no %EOF end marker)"


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = fb.corrupt_pdf(fb.build_pdf(tmp_path), tmp_path / "corrupt.pdf")
    assert error_of(path) == "damaged PDF: data format error"


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_text("Dear colleague, this is plain text.\n")
    assert error_of(path) == "not a PDF file (no %PDF header)"


def test_password_protected_pdf(tmp_path: Path) -> None:
    assert error_of(fb.build_pdf_encrypted(tmp_path)) == "PDF is password-protected; save a copy without a password"


def test_password_protected_pdf_seen_by_pdfium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # When pypdf cannot judge (e.g. a cipher it lacks a dependency for), PDFium's error is used.
    monkeypatch.setattr(pdf_reader, "_preflight", lambda data, deadline: None)
    assert error_of(fb.build_pdf_encrypted(tmp_path)) == "PDF is password-protected; save a copy without a password"


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    assert error_of(fb.build_pdf_no_text(tmp_path)) == "no text layer (scanned pages?); run OCR first, e.g. ocrmypdf"


def test_pdf_decompression_bomb(tmp_path: Path) -> None:
    path = fb.build_pdf_bomb(tmp_path)
    start = time.monotonic()
    assert error_of(path) == "refused PDF: compressed streams inflate too far (possible decompression bomb)"
    assert time.monotonic() - start < 20


def test_pdf_total_inflation_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = fb.build_pdf_bomb(tmp_path, inflated=8 * 1024 * 1024)  # under pypdf's per-stream limit
    monkeypatch.setitem(pdf_reader.LIMITS, "max_inflated", 4 * 1024 * 1024)
    assert error_of(path) == "refused PDF: compressed streams inflate too far (possible decompression bomb)"


def test_pdf_page_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(pdf_reader.LIMITS, "max_pages", 1)
    assert error_of(fb.build_pdf(tmp_path)) == "PDF has 2 pages, over the 1-page limit"


def test_pdf_time_limit_is_per_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(pdf_reader.LIMITS, "max_page_seconds", 0.0)
    assert error_of(fb.build_pdf(tmp_path)) == "PDF page 1 took over 0 s to read"


def test_pdf_stuck_inside_a_page_is_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def spin(page, number: int, keep_boxes: bool):  # type: ignore[no-untyped-def]
        calls.append(number)
        while number == 2:  # a parser looping on one hostile page never reaches the between-page check
            pass
        return [], (0.0, 0.0, 1.0, 1.0)

    monkeypatch.setattr(pdf_reader, "_page_lines", spin)
    monkeypatch.setitem(pdf_reader.LIMITS, "max_page_seconds", 0.5)
    start = time.monotonic()
    assert error_of(fb.build_pdf(tmp_path)) == "PDF page 2 took over 0.5 s to read"
    assert calls == [1, 2]
    assert time.monotonic() - start < 5


# ------------------------------------------------------------------- files


@pytest.mark.parametrize("suffix", [".docx", ".odt", ".pdf", ".html", ".rst", ".md", ".txt"])
def test_empty_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    assert error_of(path) == "file is empty"


def test_size_limit(tmp_path: Path) -> None:
    path = fb.build_pdf(tmp_path)
    size_mb = path.stat().st_size / 1_048_576
    assert error_of(path, max_bytes=1000) == (
        f"file is {size_mb:.1f} MB, over the 0.0 MB limit (max-file-size)"
    )


def test_symlink_loop(tmp_path: Path) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.symlink_to(b)
    b.symlink_to(a)
    assert error_of(a) == "too many levels of symbolic links"


def test_missing_file(tmp_path: Path) -> None:
    assert error_of(tmp_path / "gone.docx") == "no such file or directory"


def test_directory_named_like_a_document(tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.mkdir()
    assert error_of(path) == "is a directory"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, where chmod 000 does not stop reading: simulate EACCES.
    path = tmp_path / "secret.docx"
    path.write_bytes(b"x")

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    assert error_of(path) == "permission denied"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read chmod 000 files")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    path = tmp_path / "secret.md"
    path.write_text("text")
    path.chmod(0)
    try:
        assert error_of(path) == "permission denied"
    finally:
        path.chmod(0o600)


def test_binary_file_with_html_suffix(tmp_path: Path) -> None:
    path = tmp_path / "image.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert error_of(path) == "binary file, not text"


def test_unforeseen_library_failure_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tilint.readers import html

    def boom(path: Path, data: bytes):  # type: ignore[no-untyped-def]
        raise AssertionError("internal state\nsecond line")

    monkeypatch.setattr(html, "read", boom)
    path = tmp_path / "page.html"
    path.write_text("<p>hi</p>")
    # Python's own exceptions ("'NoneType' object is not iterable") say nothing to a user
    assert error_of(path) == "could not read html file: its structure is damaged or of a kind tilint cannot read"

    class LibraryError(Exception):
        pass

    def library_boom(path: Path, data: bytes):  # type: ignore[no-untyped-def]
        raise LibraryError("bad header\nsecond line")

    monkeypatch.setattr(html, "read", library_boom)
    assert error_of(path) == "could not read html file (LibraryError: bad header)"


def test_deeply_nested_html_does_not_recurse(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<div>" * 50_000 + "<p>deep text</p>" + "</div>" * 50_000)
    doc = read_document(path)
    assert [b.text for b in doc.blocks] == ["deep text"]
