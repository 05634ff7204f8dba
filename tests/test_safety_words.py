"""Issue 18, "no silent skipping": for generated documents of many shapes (deep
lists, deep quotes, headings, code, every line ending), every word of prose the
reader yields is exactly the words of the source minus its markup and code.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tilint.readers import read_text

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8)
WORDS = st.lists(WORD, min_size=1, max_size=6)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])
SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def markdown_element(draw):
    """(source lines, prose words) of one Markdown block."""
    kind = draw(st.sampled_from(["paragraph", "heading", "list", "quote", "code", "table"]))
    if kind == "paragraph":
        lines = draw(st.lists(WORDS, min_size=1, max_size=3))
        return [" ".join(w) for w in lines], [x for w in lines for x in w]
    if kind == "heading":
        words = draw(WORDS)
        return ["#" * draw(st.integers(1, 6)) + " " + " ".join(words)], words
    if kind == "list":  # each item a child of the one before, up to 14 deep
        items = draw(st.lists(WORDS, min_size=1, max_size=14))
        bullet = draw(st.sampled_from("-*+"))
        return ["  " * i + f"{bullet} " + " ".join(w) for i, w in enumerate(items)], [x for w in items for x in w]
    if kind == "quote":  # up to 30 nested quotes
        depth = draw(st.integers(1, 30))
        words = draw(WORDS)
        return ["> " * depth + " ".join(words)], words
    if kind == "table":
        header, row = draw(WORDS), draw(WORDS)
        return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), "| " + " | ".join(row) + " |"], header + row
    words = draw(WORDS)
    return ["```", " ".join(words), "```"], []  # code: never prose


@st.composite
def document(draw, element, max_elements: int):
    """(source, prose words) of a document of generated elements, blank lines between,
    each line ending drawn from LF, CRLF and CR."""
    elements = draw(st.lists(element(), min_size=1, max_size=max_elements))
    lines: list[str] = []
    expected: list[str] = []
    for source, words in elements:
        lines += [*source, ""]
        expected += words
    endings = draw(st.lists(ENDINGS, min_size=len(lines), max_size=len(lines)))
    return _join(lines, endings), expected


def _join(lines: list[str], endings: list[str]) -> str:
    """Lines with the given endings; a lone CR before an empty line ending in LF
    would read as one CRLF, so that empty line ends in CR too."""
    out, previous = [], ""
    for line, end in zip(lines, endings):
        if previous == "\r" and not line and end.startswith("\n"):
            end = "\r"
        out.append(line + end)
        previous = end
    return "".join(out)


def _yielded(text: str, fmt: str) -> Counter:
    doc = read_text(text, format=fmt)
    return Counter(word for block in doc.blocks for word in block.text.split())


@SETTINGS
@given(document(markdown_element, 8))
def test_every_markdown_prose_word_reaches_the_engine(case):
    text, expected = case
    assert _yielded(text, "markdown") == Counter(expected)


@st.composite
def text_document(draw):
    paragraphs = draw(st.lists(st.lists(WORDS, min_size=1, max_size=3), min_size=1, max_size=8))
    lines = [line for p in paragraphs for line in [*(" ".join(w) for w in p), ""]]
    endings = draw(st.lists(ENDINGS, min_size=len(lines), max_size=len(lines)))
    return _join(lines, endings), [x for p in paragraphs for w in p for x in w]


@SETTINGS
@given(text_document())
def test_every_plain_text_word_reaches_the_engine(case):
    text, expected = case
    assert _yielded(text, "text") == Counter(expected)


@st.composite
def rst_element(draw):
    kind = draw(st.sampled_from(["paragraph", "title", "list", "quote", "literal"]))
    words = draw(WORDS)
    if kind == "paragraph":
        return [" ".join(words)], words
    if kind == "title":
        title = " ".join(words)
        return [title, "=" * len(title)], words
    if kind == "list":
        items = draw(st.lists(WORDS, min_size=1, max_size=5))
        return [f"* {' '.join(w)}" for w in items], [x for w in items for x in w]
    if kind == "quote":  # indented block quotes, up to 12 deep (blank lines between)
        depth = draw(st.integers(1, 12))
        out: list[str] = []
        for level in range(depth):
            out += ["    " * level + "lead " + " ".join(words), ""]
        return out[:-1], ["lead", *words] * depth
    return ["Code follows::", "", "    " + " ".join(words)], ["Code", "follows:"]


@SETTINGS
@given(document(rst_element, 6))
def test_every_rst_prose_word_reaches_the_engine(case):
    text, expected = case
    assert _yielded(text, "rst") == Counter(expected)
