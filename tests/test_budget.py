"""Hostile input stays within budget: crafted files cost time linear in their size and
bounded memory, and give one line naming the problem; hostile data files (rule packs,
config) never hang a run and never have their content echoed.

Time is compared as CPU time against a clean input of about the same size read in the
same process (a ratio, not a clock): the quadratic cases these guard were 100-1000x.
Memory is the peak RSS of a child process reading the file.
"""

from __future__ import annotations

import gc
import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tilint.readers import ReadError, read_document
from tilint.readers.html import parse_html
from tilint.readers.text import parse_text
from tilint.yamlutil import DataError, load_yaml

RATIO = 12  # generous: the failures these guard were two or three orders of magnitude


def cpu(fn, *args) -> float:
    """Best of three CPU times, with the cyclic GC off: in a long test session a full
    collection over everything earlier tests left alive can land inside one call and
    cost more than the work being measured."""
    best = float("inf")
    for _ in range(3):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            fn(*args)
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best


def no_worse_than_clean(fn, hostile: str, clean: str) -> None:
    fn(clean)  # warm caches and imports
    base = max(cpu(fn, clean), 0.02)
    assert cpu(fn, hostile) <= RATIO * base


# -- HTML ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param("<div>x" * 20_000, id="deep-divs"),
        pytest.param("<p>" + "<span>" * 20_000 + "<p>x" * 20_000, id="implied-ends-under-deep-inline"),
        pytest.param("</b>" * 40_000 + "<div>" * 20_000, id="unmatched-end-tags"),
        pytest.param("<a" * 60_000, id="unclosed-start-tags"),
        pytest.param("<!--" * 30_000, id="unclosed-comments"),
        pytest.param("<a x='" * 20_000, id="unclosed-attribute"),
    ],
)
def test_html_costs_linear_time(hostile: str):
    clean = "<p>Staff will offer a choice of who is present.</p>\n" * (len(hostile) // 50)
    no_worse_than_clean(parse_html, hostile, clean)


def test_a_lone_angle_bracket_is_text():
    blocks = parse_html("<p>Fewer than 3 visits</p><p>if x < y and a<b")
    assert [b.text for b in blocks] == ["Fewer than 3 visits", "if x < y and a<b"]
    assert [b.text[:4] for b in parse_html("<a" * 5)] == ["<a<a"]


def test_html_deeper_than_the_limit_is_an_error_not_silence():
    from tilint.readers.html import MAX_DEPTH

    with pytest.raises(ReadError, match=f"too deeply nested \\(over {MAX_DEPTH:,} levels\\)"):
        parse_html("<div>" * (MAX_DEPTH + 1) + "text")


def test_email_masking_is_linear():
    no_worse_than_clean(parse_text, "a." * 40_000, "Staff offer choice. " * 4_000)
    blocks = parse_text("Write to help.desk@example.org today.")
    assert blocks[0].text == "Write to today."  # the address is blanked, never linted


# -- Word and OpenDocument containers --------------------------------------------------------

_CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
_RELS = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(document_xml_chunks, path: Path) -> Path:
    """A .docx whose word/document.xml is streamed from ``document_xml_chunks``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            for chunk in document_xml_chunks:
                member.write(chunk)
    return path


def _understate(path: Path, name: bytes, size: int) -> None:
    """Rewrite the declared uncompressed size of ``name`` in both zip headers."""
    data = bytearray(path.read_bytes())
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        pos = 0
        while (j := data.find(signature, pos)) >= 0:
            n = struct.unpack_from("<H", data, j + name_len_at)[0]
            if data[j + name_at : j + name_at + n] == name:
                struct.pack_into("<I", data, j + size_at, size)
            pos = j + 4
    path.write_bytes(bytes(data))


def _peak_read(path: Path) -> tuple[str, float]:
    """(error or 'ok', peak RSS in MB) of reading ``path`` in a fresh process."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so the child
    # would report the test process's own peak
    script = (
        "import json, re, sys\n"
        "from pathlib import Path\n"
        "from tilint.readers import ReadError, read_document\n"
        "try:\n    read_document(Path(sys.argv[1])); out = 'ok'\n"
        "except ReadError as exc:\n    out = str(exc)\n"
        "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', Path('/proc/self/status').read_text()).group(1)\n"
        "print(json.dumps([out, int(hwm) / 1024]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=300, check=True)
    message, peak = json.loads(done.stdout)
    return message, peak


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc")
def test_a_part_that_inflates_past_its_declared_size_is_never_inflated_whole(tmp_path: Path):
    body = f'<w:p><w:r><w:t>{"x" * 1000}</w:t></w:r></w:p>'.encode()
    head = f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body>'.encode()
    chunks = [head, *(body * 1000 for _ in range(120)), b"</w:body></w:document>"]  # ~120 MB of XML
    path = _docx(chunks, tmp_path / "bomb.docx")
    _understate(path, b"word/document.xml", 500_000)
    assert path.stat().st_size < 1_000_000
    message, peak = _peak_read(path)
    assert message == "damaged Word document: cannot extract word/document.xml"
    assert peak < 120  # MB; inflating the part whole took 120 MB and more (a copy too) before


def test_too_many_xml_elements_is_refused_before_the_format_library_runs(tmp_path: Path):
    from tilint.readers._shared import ZIP_LIMITS

    n = ZIP_LIMITS["max_xml_elements"] // 3 + 1000  # three elements a paragraph
    head = f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body>'.encode()
    # varied text, so the part is honest about its size (no expansion-ratio refusal first)
    paragraphs = "".join(f"<w:p><w:r><w:t>{i * 7919 % 100003}</w:t></w:r></w:p>" for i in range(n)).encode()
    path = _docx([head, paragraphs, b"</w:body></w:document>"], tmp_path / "tiny.docx")
    with pytest.raises(ReadError, match=r"refused Word document: over 400,000 XML elements \(too large to read safely\)"):
        read_document(path)


def test_a_normal_document_still_reads(tmp_path: Path):
    import docx

    d = docx.Document()
    d.add_paragraph("Patients who fail to attend will be contacted.")
    d.add_picture(io.BytesIO(_png()), width=None)
    path = tmp_path / "ok.docx"
    d.save(path)
    assert [b.text for b in read_document(path).blocks] == ["Patients who fail to attend will be contacted."]


def _png() -> bytes:
    import zlib

    raw = b"\x00\xff\x00\x00" * 1
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))  # noqa: E731
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


# -- special files -----------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_never_opened(tmp_path: Path):
    fifo = tmp_path / "policy.md"
    os.mkfifo(fifo)
    with pytest.raises(ReadError, match="not a regular file"):
        read_document(fifo)  # would block forever if opened
    with pytest.raises(DataError, match="not a regular file"):
        load_yaml(fifo)


def test_a_link_to_an_endless_device_is_refused(tmp_path: Path):
    link = tmp_path / "policy.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(ReadError, match="not a regular file"):
        read_document(link)


# -- data files ---------------------------------------------------------------------------------


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path: Path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    path = tmp_path / ".tilint.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size < 1000
    with pytest.raises(DataError, match=r"too many YAML nodes once aliases are expanded \(over 1,000,000\)"):
        load_yaml(path)


def test_an_error_about_a_data_file_never_echoes_its_content(tmp_path: Path, run_cli):
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY----- hunter2hunter2\n")
    kv = tmp_path / "env.yaml"
    kv.write_text("DATABASE_PASSWORD: correct-horse-battery-staple\n")
    for pack in (secret, kv):
        result = run_cli("check", "--isolated", "--rules", str(pack), str(tmp_path))
        assert result.code == 2
        assert "hunter2" not in result.err and "correct-horse" not in result.err, result.err
        assert str(pack) in result.err
        assert len(result.err.strip().splitlines()) == 1


# -- configuration is untrusted ---------------------------------------------------------------


@pytest.mark.parametrize(
    "content, key",
    [
        ("extra-rules: [/etc/passwd]\n", "extra-rules"),
        ("extra-rules: [../outside.yaml]\n", "extra-rules"),
        ("extra-sources: [../../secret.yaml]\n", "extra-sources"),
        ("coverage: {framework: ../elsewhere/framework.yaml}\n", "coverage.framework"),
    ],
)
def test_a_config_cannot_name_files_outside_its_folder(tmp_path: Path, run_cli, content: str, key: str):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".tilint.yaml").write_text(content)
    (repo / "policy.md").write_text("Patients who fail to attend are removed.\n")
    result = run_cli("check", "policy.md", cwd=repo)
    assert result.code == 2
    assert f"{key}: " in result.err and "is outside this config's folder (name it on the command line instead)" in result.err
    assert "root:" not in result.err


def test_a_nested_config_may_name_a_pack_elsewhere_in_its_repository(tmp_path: Path, run_cli):
    (tmp_path / ".git").mkdir()
    (tmp_path / "shared.yaml").write_text("not: [a, pack]\n")
    (tmp_path / "orgs" / "a").mkdir(parents=True)
    (tmp_path / "orgs" / "a" / ".tilint.yaml").write_text("extra-rules: [../../shared.yaml]\n")
    (tmp_path / "orgs" / "a" / "p.md").write_text("Text.\n")
    result = run_cli("check", "p.md", cwd=tmp_path / "orgs" / "a")
    assert result.code == 2 and str((tmp_path / "shared.yaml").resolve()) in result.err  # loaded, then validated
    (tmp_path / "orgs" / "a" / ".tilint.yaml").write_text("extra-rules: [../../../elsewhere.yaml]\n")
    result = run_cli("check", "p.md", cwd=tmp_path / "orgs" / "a")
    assert "extra-rules: '../../../elsewhere.yaml' is outside this repository" in result.err


def test_a_config_pack_inside_its_folder_is_loaded(tmp_path: Path, run_cli):
    repo = tmp_path / "repo"
    (repo / "packs").mkdir(parents=True)
    (repo / ".tilint.yaml").write_text("extra-rules: [packs/none.yaml]\n")
    (repo / "packs" / "none.yaml").write_text("not: [a, pack]\n")
    result = run_cli("check", ".", cwd=repo)
    assert result.code == 2 and str((repo / "packs" / "none.yaml").resolve()) in result.err  # loaded, then validated


@pytest.mark.parametrize("model", ["pip", "./planted", "planted", "../x"])
def test_model_names_an_installed_pipeline_package_only(tmp_path: Path, run_cli, model: str):
    (tmp_path / "planted").mkdir()
    (tmp_path / "planted" / "config.cfg").write_text("[nlp]\nlang = \"en\"\n")
    (tmp_path / "policy.md").write_text("Addicts wait outside.\n")
    result = run_cli("check", "--isolated", "--model", model, "policy.md", cwd=tmp_path)
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and f"'{model}'" in lines[0] and "Traceback" not in result.err


def test_a_pack_regex_that_would_backtrack_exponentially_never_runs(tmp_path: Path, run_cli):
    from tests.test_rule_loading import HEAD, RULE

    pack = tmp_path / "pack.yaml"
    pack.write_text(HEAD + RULE.replace("- phrase: demo word", '- tokens: [{LOWER: {REGEX: "^(a+)+$"}}]'))
    (tmp_path / "policy.txt").write_text("a" * 60 + "! is one token that would take hours to match.\n")
    result = run_cli("check", "--isolated", "--rules", str(pack), str(tmp_path / "policy.txt"))
    assert result.code == 2
    assert result.err.strip() == f"tilint: error: {pack}:11: rule DM001: patterns[0].tokens[0].LOWER.REGEX: nests a repeat inside a repeat (like (a+)+), which can take exponential time; rewrite it without the nesting"


# -- blocks, table columns and paragraph length -------------------------------------------------


@pytest.fixture
def small_limits(monkeypatch):
    """The document limits scaled down 100x, so the hostile inputs build in milliseconds."""
    from tilint import readers

    monkeypatch.setitem(readers.DOCUMENT_LIMITS, "max_blocks", 1_000)
    monkeypatch.setitem(readers.DOCUMENT_LIMITS, "max_block_chars", 1_000)
    monkeypatch.setitem(readers.DOCUMENT_LIMITS, "max_table_columns", 10)


def _parse_md(text: str):
    from tilint.readers.markdown import parse_markdown

    return parse_markdown(text)


@pytest.mark.parametrize(
    "hostile, message",
    [
        pytest.param("x\n\n" * 1_001, "too many blocks (over 1,000 paragraphs, headings, list items and table cells)", id="paragraphs"),
        pytest.param("- x\n" * 1_001, "too many blocks (over 1,000 paragraphs, headings, list items and table cells)", id="list-items"),
        pytest.param("|a|b|\n|-|-|\n" + "|c|d|\n" * 400, "too many blocks (over 1,000 paragraphs, headings, list items and table cells)", id="table-cells"),
        pytest.param("Intro.\n\n" + "|a" * 11 + "|\n" + "|-" * 11 + "|\n", "a table row at line 3 has over 10 columns", id="wide-table"),
        pytest.param("Intro.\n\n" + "Staff offer choice. " * 51, "a paragraph at line 3 is over 1,000 characters (no paragraph breaks?)", id="long-paragraph"),
    ],
)
def test_an_oversized_markdown_file_is_refused_before_it_parses(small_limits, monkeypatch, hostile: str, message: str):
    from tilint.readers import markdown

    monkeypatch.setattr(markdown, "_parser", lambda: pytest.fail("markdown-it ran on a file over the limits"))
    with pytest.raises(ReadError) as err:
        _parse_md(hostile)
    assert str(err.value) == message


def test_markdown_at_the_limits_still_reads(small_limits):
    assert len(_parse_md("x\n\n" * 1_000)) == 1_000
    assert len(_parse_md("|" + "a|" * 10 + "\n|" + "-|" * 10 + "\n")) == 10
    assert len(_parse_md("Staff offer choice. " * 50)[0].text) == 999


def test_refusing_an_oversized_markdown_file_is_cheap():
    # full size: one million short paragraphs (78 s and 2.5 GB before) and 10,000 columns
    # (38 s and 1.8 GB), against reading a clean file of 5,000 paragraphs
    def parse(text: str):
        try:
            return _parse_md(text)
        except ReadError:
            return None

    clean = "Staff offer choice.\n\n" * 5_000
    no_worse_than_clean(parse, "x\n\n" * 1_000_000, clean)
    no_worse_than_clean(parse, "|a" * 10_000 + "|\n" + ("|-" * 10_000 + "|\n") * 100, clean)
    assert parse("x\n\n" * 1_000_000) is None


def test_a_single_line_text_file_is_refused_whole_not_linted(small_limits, tmp_path: Path, run_cli):
    path = tmp_path / "one-line.txt"
    path.write_text("Patients who fail to attend are discharged. " * 30)
    result = run_cli("check", "--isolated", "--format", "concise", str(path))
    assert result.code == 2
    assert f"{path}:1:1: error: a paragraph at line 1 is over 1,000 characters (no paragraph breaks?)" in result.out + result.err


def test_every_reader_keeps_to_the_block_limits(small_limits, tmp_path: Path):
    path = tmp_path / "many.html"
    path.write_text("<p>x</p>" * 1_001)
    with pytest.raises(ReadError, match=r"too many blocks \(over 1,000 "):
        read_document(path)
    path.write_text("<p>" + "Staff offer choice. " * 51 + "</p>")
    with pytest.raises(ReadError, match=r"a paragraph at line 1 is over 1,000 characters"):
        read_document(path)


# -- PDF: bombs no decompression limit sees ------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc")
def test_nested_forms_drawing_each_other_twice_are_refused_before_pdfium_draws_them(tmp_path: Path):
    from tests.fixtures_build import build_pdf_form_bomb

    path = build_pdf_form_bomb(tmp_path, depth=40)  # 2**40 lines of text from 8 KB
    assert path.stat().st_size < 10_000
    message, peak = _peak_read(path)
    assert message == "refused PDF: page 1 draws the same forms over and over (over 1,048,576 bytes of content; possible bomb)"
    assert peak < 120  # MB; depth 14 alone took 418 MB before, depth 40 would take terabytes


def test_a_page_with_too_many_characters_is_refused(tmp_path: Path, monkeypatch):
    from tests.fixtures_build import build_pdf_form_bomb
    from tilint.readers import pdf

    monkeypatch.setitem(pdf.LIMITS, "max_redrawn", 1 << 40)
    with pytest.raises(ReadError, match=r"^refused PDF: page 1 has over 100,000 characters \(too large to read safely\)$"):
        read_document(build_pdf_form_bomb(tmp_path, depth=12))  # 4,096 lines of 42 characters
    assert [b.text for b in read_document(build_pdf_form_bomb(tmp_path, depth=3)).blocks] == [" ".join(["Patients who fail to attend are removed."] * 8)]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc")
def test_an_object_stream_that_inflates_without_end_is_refused(tmp_path: Path):
    from tests.fixtures_build import build_pdf_objstm_bomb
    from tilint.readers.pdf import BOMB

    path = build_pdf_objstm_bomb(tmp_path, inflated=200 << 20)  # full size in the issue: 8 GB from 4 MB
    assert path.stat().st_size < 300_000
    message, peak = _peak_read(path)
    assert message == BOMB
    assert peak < 300  # MB


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)+$", "(.*a){20}", "^(\\w+\\s?)*$", "(x+x+)+y"])
def test_backtracking_patterns_are_refused_at_load(pattern: str):
    from tilint.regexsafe import regex_problem

    assert regex_problem(pattern) is not None


@pytest.mark.parametrize("pattern", ["^debrief", "^(care|support)ers?$", "^\\w+ed$", "(ab){2}", "^re-?(traumati[sz])"])
def test_ordinary_patterns_are_accepted(pattern: str):
    from tilint.regexsafe import regex_problem

    assert regex_problem(pattern) is None


_RE2_RUN = """
import sys
from tilint.nlp import get_nlp
from spacy.matcher import Matcher
nlp = get_nlp()
matcher = Matcher(nlp.vocab)
# not through a pack (which would refuse it): straight to the Matcher, as a pattern the
# check could miss would go; Python's engine takes 2**50 steps on this token
matcher.add("X", [[{"LOWER": {"REGEX": "^(a+)+$"}}]])
print(len(matcher(nlp("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab and aaaa"))))
"""


def test_with_re2_a_backtracking_regex_runs_in_linear_time():
    pytest.importorskip("re2")
    # a hang here would be the test's failure; the timeout only stops it
    done = subprocess.run([sys.executable, "-c", _RE2_RUN], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"  # only "aaaa" matches


_RE2_PORT_RUN = """
from spacy.attrs import NORM, ORTH
from tilint.coverage import _TokenPatterns
from tilint.nlp import get_nlp
nlp = get_nlp()
# tilint's own port of the Matcher (rules and coverage): its REGEX predicates must be RE2's too
port = _TokenPatterns(nlp.vocab, {"X": [[{"LOWER": {"REGEX": "^(a+)+$"}}]]})
doc = nlp.make_doc("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab and aaaa")
tokens = port.sentence(tuple(p) for p in doc.to_array([ORTH, NORM]).tolist())
print(len(port.run(tokens, {0})), type(port._regex[0][1]).__module__.split(".")[0])
"""


def test_with_re2_tilints_own_matcher_port_runs_regexes_in_linear_time():
    pytest.importorskip("re2")
    done = subprocess.run([sys.executable, "-c", _RE2_PORT_RUN], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "re2"]  # only "aaaa" matches, by RE2


# -- findings per paragraph ------------------------------------------------------------------


def test_findings_in_one_hard_wrapped_paragraph_cost_linear_time():
    """A hard-wrapped text file with no blank lines is one paragraph; every finding in it
    once rebuilt the paragraph's text, so the cost grew with findings x length."""
    import tilint

    line = "Residents who are non-compliant will be evicted, and addicts are seen last.\n"
    small, large = line * 150, line * 600  # 4x the findings in 4x the text
    tilint.lint_text(line, format="text")  # build the pipeline outside the measure
    one = cpu(lambda text: tilint.lint_text(text, format="text"), small)
    four = cpu(lambda text: tilint.lint_text(text, format="text"), large)
    assert len(tilint.lint_text(small, format="text")) >= 300
    assert four <= 4 * 2.5 * one  # linear is 4x; the quadratic cost was 16x
