"""tilint as a spaCy pipeline component: ``nlp.add_pipe("tilint")``.

The factory is registered with ``@Language.factory`` and advertised through the
``spacy_factories`` entry point, so after ``pip install tilint`` any pipeline can add
it by name without importing tilint first.

The component never reads or changes the tokens of the user's doc: tilint matches on
its own ``Token.norm_`` (the lookup lemma), which a user's pipeline neither has nor
should get. It lints ``doc.text`` with tilint's own engine (paragraphs split at blank
lines, like a ``.txt`` file, so inline suppression comments work too) and writes:

* ``doc._.tilint_findings``: list of :class:`~tilint.models.Finding`, lines and columns
  relative to ``doc.text`` (1-based, ``end_column`` exclusive);
* ``doc.spans["tilint"]``: one span per finding, labelled with the rule id, with
  ``span._.tilint_finding`` set (expanded to token boundaries);
* ``doc._.tilint_coverage``: a :class:`~tilint.coverage.CoverageReport` when the
  ``coverage`` option names a framework, else ``None``.

This module is imported by spaCy whenever *any* pipeline is created (entry points are
loaded eagerly), so it imports only spaCy at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

if TYPE_CHECKING:
    from .document import Document
    from .models import Finding

__all__ = ["TilintComponent", "create_tilint_component", "SPAN_KEY"]

SPAN_KEY = "tilint"
DOC_PATH = "<doc>"


def register_extensions() -> None:
    """Add tilint's ``._`` attributes once; an attribute that already exists is left alone."""
    for cls, name in ((Doc, "tilint_findings"), (Doc, "tilint_coverage"), (Span, "tilint_finding")):
        if not cls.has_extension(name):
            cls.set_extension(name, default=None)


class TilintComponent:
    """Lints each doc's text and records findings as extension attributes and spans."""

    def __init__(
        self,
        select: Sequence[str] = ("ALL",),
        ignore: Sequence[str] = (),
        extra_rules: Sequence[str] = (),
        mentions: str = "skip",
        coverage: Optional[str] = None,
    ):
        from .config import Config
        from .linter import Linter

        register_extensions()
        config = Config(
            select=tuple(select),
            ignore=tuple(ignore),
            extra_rules=tuple(extra_rules),
            mentions=mentions,
            coverage={"framework": coverage, "enabled": True} if coverage else {},
        )
        self.linter = Linter(config)  # loads and validates the rules now, not per doc

    def __call__(self, doc: Doc) -> Doc:
        from .readers import read_text

        source = read_text(doc.text, format="text", path=DOC_PATH)
        result = self.linter.lint_document(source)
        spans = []
        for finding in result.findings:
            span = self._span(doc, source, finding)
            if span is not None:
                span._.tilint_finding = finding
                spans.append(span)
        doc._.tilint_findings = result.findings
        doc._.tilint_coverage = result.coverage
        doc.spans[SPAN_KEY] = spans
        return doc

    @staticmethod
    def _span(doc: Doc, source: "Document", finding: "Finding") -> Optional[Span]:
        start = source.offset(finding.line, finding.column)
        end = source.offset(finding.end_line, finding.end_column)
        # "expand": where the user's tokenizer splits differently ("Note:Addicts" as one
        # token), the span covers the whole tokens rather than being dropped
        return doc.char_span(start, end, label=finding.rule_id, alignment_mode="expand")


@Language.factory(
    "tilint",
    default_config={"select": ["ALL"], "ignore": [], "extra_rules": [], "mentions": "skip", "coverage": None},
    assigns=["doc._.tilint_findings", "doc._.tilint_coverage", "span._.tilint_finding"],
)
def create_tilint_component(
    nlp: Language,  # noqa: ARG001 - required by spaCy's factory signature
    name: str,  # noqa: ARG001
    select: list[str],
    ignore: list[str],
    extra_rules: list[str],
    mentions: str,
    coverage: Optional[str],
) -> TilintComponent:
    """Build the component. Options mirror the config keys of the same names:

    ``select``/``ignore`` rule ids, prefixes or categories; ``extra_rules`` paths of
    extra rule packs; ``mentions`` ``skip`` or ``report``; ``coverage`` a framework
    name (e.g. ``samhsa-4r``) or ``None``. Config files are not read.
    """
    if mentions not in ("skip", "report"):
        raise ValueError(f"tilint: mentions must be 'skip' or 'report', not {mentions!r}")
    return TilintComponent(select=select, ignore=ignore, extra_rules=extra_rules, mentions=mentions, coverage=coverage)
