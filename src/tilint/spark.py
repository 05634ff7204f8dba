"""tilint on Spark DataFrames (``pip install tilint[spark]``).

For analytics platforms that hold documents as rows (a Databricks table of policy
texts read from storage)::

    from tilint.spark import lint_dataframe, coverage_dataframe
    docs = spark.read.parquet("s3://estate/policies/")      # columns: id, text
    findings = lint_dataframe(docs, text_col="text", id_col="id")
    findings.groupBy("rule_id").count().show()
    coverage = coverage_dataframe(docs)                      # one row per document and principle

Both use ``mapInPandas``: each Python worker builds one linter (rules and the spaCy
pipeline compiled once) and reuses it for every batch of rows it is sent. Texts are
linted as Markdown unless ``format`` says otherwise ("text", "rst", "html").
"""

from __future__ import annotations

import json
from typing import Any, Iterator, Optional

from .config import Config
from .linter import shared_linter
from .readers import read_text

__all__ = ["FINDING_COLUMNS", "coverage_dataframe", "finding_rows", "lint_dataframe", "coverage_rows"]

EXTRA_HINT = "tilint.spark needs the spark extra: pip install 'tilint[spark]'"

# the JSON schema's finding fields, in order, as Spark SQL types (DDL)
FINDING_COLUMNS = (
    ("rule_id", "string"),
    ("name", "string"),
    ("category", "string"),
    ("severity", "string"),
    ("message", "string"),
    ("match", "string"),
    ("line", "int"),
    ("column", "int"),
    ("end_line", "int"),
    ("end_column", "int"),
    ("context", "string"),
    ("suggestions", "array<string>"),
    ("sources", "array<struct<id:string,title:string,organisation:string,year:string,url:string,section:string>>"),
    ("fixable", "boolean"),
    ("location", "string"),  # the JSON object of the schema, as text (its keys vary by format)
)
COVERAGE_COLUMNS = (
    ("framework", "string"),
    ("principle", "string"),
    ("name", "string"),
    ("status", "string"),
    ("score", "double"),
    ("evidence", "array<string>"),
    ("suggestion", "string"),
)


def _types() -> Any:
    try:
        from pyspark.sql import types
    except ImportError:
        raise ImportError(EXTRA_HINT) from None
    return types


def _schema(df: Any, id_col: str, columns: tuple[tuple[str, str], ...]) -> Any:
    types = _types()
    id_field = df.schema[id_col]
    ddl = ", ".join(f"`{name}` {kind}" for name, kind in columns)
    rest = types._parse_datatype_string(ddl)
    return types.StructType([types.StructField(id_col, id_field.dataType, id_field.nullable), *rest.fields])


def _document(text: Optional[str], doc_id: Any, format: str):
    return read_text(text or "", format=format, path=str(doc_id))


def finding_rows(doc_id: Any, text: Optional[str], config: Optional[Config] = None, format: str = "markdown") -> list[tuple]:
    """The findings of one text as rows of ``(doc_id, *FINDING_COLUMNS)`` (plain Python)."""
    result = shared_linter(config).lint_document(_document(text, doc_id, format))
    rows = []
    for f in result.findings:
        d = f.to_dict()
        sources = [
            {k: (str(s.get(k)) if s.get(k) is not None else None) for k in ("id", "title", "organisation", "year", "url", "section")}
            for s in d["sources"]
        ]
        location = json.dumps(d["location"], ensure_ascii=False, sort_keys=True) if "location" in d else None
        rows.append((doc_id, *(d[name] for name, _ in FINDING_COLUMNS[:-3]), sources, d["fixable"], location))
    return rows


def coverage_rows(doc_id: Any, text: Optional[str], config: Optional[Config] = None, format: str = "markdown") -> list[tuple]:
    """One row per principle of the configured framework: ``(doc_id, *COVERAGE_COLUMNS)``."""
    config = _coverage_config(config)
    report = shared_linter(config).lint_document(_document(text, doc_id, format)).coverage
    return [
        (doc_id, report.framework, p.id, p.name, p.status, float(p.score), [e.text for e in p.evidence], p.suggestion)
        for p in report.principles
    ]


def _coverage_config(config: Optional[Config]) -> Config:
    config = config or Config()
    # coverage only: no language rules
    return config.merged(select=(), extend_select=(), coverage={"framework": "samhsa-4r", **config.coverage, "enabled": True})


def _map(df: Any, text_col: str, id_col: str, columns: tuple, make_rows, config: Optional[Config], format: str) -> Any:
    import pandas as pd

    names = [id_col, *(name for name, _ in columns)]

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        for batch in batches:
            rows = [row for doc_id, text in zip(batch[id_col], batch[text_col]) for row in make_rows(doc_id, text, config, format)]
            yield pd.DataFrame.from_records(rows, columns=names)

    return df.select(id_col, text_col).mapInPandas(run, _schema(df, id_col, columns))


def lint_dataframe(df: Any, text_col: str = "text", id_col: str = "id", config: Optional[Config] = None, *, format: str = "markdown") -> Any:
    """A DataFrame of findings, one row per finding: ``id_col`` then the JSON schema's
    fields (``sources`` as an array of structs, ``location`` as JSON text)."""
    return _map(df, text_col, id_col, FINDING_COLUMNS, finding_rows, config, format)


def coverage_dataframe(df: Any, text_col: str = "text", id_col: str = "id", config: Optional[Config] = None, *, format: str = "markdown") -> Any:
    """A DataFrame of coverage, one row per document and principle (framework from
    ``config.coverage``, default ``samhsa-4r``), evidence sentences as an array."""
    return _map(df, text_col, id_col, COVERAGE_COLUMNS, coverage_rows, _coverage_config(config), format)
