"""BlockBuilder's one-piece path for lines of single-spaced words gives the same block
text and breakpoints as adding word by word (property-based)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tilint.document import BlockBuilder

_NON_SPACE = re.compile(r"\S+")


class WordByWord(BlockBuilder):
    """The builder without its one-piece path: every word added on its own."""

    def add(self, text: str, line: int, column: int) -> None:
        parts, marks = self._parts, self._marks
        pos = 0
        for m in _NON_SPACE.finditer(text):
            i, j = m.span()
            if (i > pos or self._pending_space) and self._len:
                parts.append(" ")
                self._len += 1
            self._pending_space = False
            if marks:  # continuing the last breakpoint on the same line: no new one
                off, pline, pcol = marks[-1]
                if pline != line or column + i - pcol != self._len - off:
                    marks.append((self._len, line, column + i))
            else:
                marks.append((self._len, line, column + i))
            parts.append(m.group())
            self._len += j - i
            pos = j
        if pos < len(text):
            self._pending_space = True


pieces = st.lists(
    st.tuples(
        st.text(alphabet=st.sampled_from("ab .\t\u00a0\u2009é"), max_size=30),
        st.integers(1, 4),  # line
        st.integers(1, 9),  # column
        st.booleans(),  # a break_space() after it
    ),
    max_size=8,
)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(pieces)
def test_one_piece_lines_build_the_same_blocks(adds):
    fast, slow = BlockBuilder(), WordByWord()
    for text, line, column, brk in adds:
        for b in (fast, slow):
            b.add(text, line, column)
            if brk:
                b.break_space()
    assert fast.empty == slow.empty
    if not fast.empty:
        a, b = fast.build(), slow.build()
        assert a.text == b.text
        assert [a.position(i) for i in range(len(a.text) + 1)] == [b.position(i) for i in range(len(b.text) + 1)]
