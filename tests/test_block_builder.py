"""BlockBuilder's one-piece path for lines of single-spaced words gives the same block
text and breakpoints as adding word by word (property-based)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tilint.document import BlockBuilder


class WordByWord(BlockBuilder):
    """The builder without its one-piece path: every word added on its own."""

    def add(self, text: str, line: int, column: int) -> None:
        self._add_words(text, line, column)


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
