"""tilint on Spark DataFrames: the same findings and coverage as the library, row for row."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

import tilint
from tilint.config import Config
from tilint.spark import FINDING_COLUMNS, coverage_rows, finding_rows

TEXTS = [
    ("gp", "Patients who fail to attend three times will be removed from the practice list."),
    ("hostel", "# House rules\n\nAddicts and alcoholics are not admitted.\n\nResidents who abscond lose their bed."),
    ("clean", "Opening hours are nine to five, Monday to Friday."),
    ("ti", "All staff complete trauma-informed training. Restraint is used only as a last resort, followed by a debrief."),
    ("empty", ""),
]


def expected_findings(config=None):
    rows = []
    for doc_id, text in TEXTS:
        for f in tilint.lint_text(text, config=config):
            rows.append((doc_id, f.rule_id, f.match, f.line, f.column, f.end_line, f.end_column, tuple(f.suggestions), tuple(s.url for s in f.sources)))
    return rows


def test_finding_rows_follow_the_json_schema():
    rows = finding_rows("gp", TEXTS[0][1])
    d = tilint.lint_text(TEXTS[0][1])[0].to_dict()
    first = dict(zip(["id", *(name for name, _ in FINDING_COLUMNS)], rows[0]))
    assert first["id"] == "gp"
    for key in ("rule_id", "name", "category", "severity", "message", "match", "line", "column", "end_line", "end_column", "context", "suggestions", "fixable"):
        assert first[key] == d[key], key
    assert [s["url"] for s in first["sources"]] == [s["url"] for s in d["sources"]]
    assert all(isinstance(s["year"], str) for s in first["sources"])
    assert finding_rows("empty", None) == []


def test_coverage_rows_give_one_row_per_principle():
    rows = coverage_rows("ti", TEXTS[3][1])
    report = tilint.check_coverage(TEXTS[3][1])
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [("ti", "samhsa-4r", p.id, p.status) for p in report.principles]
    assert [r[6] for r in rows] == [[e.text for e in p.evidence] for p in report.principles]
    six = coverage_rows("ti", TEXTS[3][1], Config(coverage={"framework": "ohid-6"}))
    assert {r[1] for r in six} == {"ohid-6"} and len(six) == 6


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime (.ci/run installs default-jre-headless)")
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers import tilint from this environment
    session = (
        SparkSession.builder.master("local[2]")
        .appName("tilint-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.slow
def test_lint_dataframe_equals_the_library(spark):
    from tilint.spark import lint_dataframe

    df = spark.createDataFrame(TEXTS, ["doc", "body"]).repartition(2)
    out = lint_dataframe(df, text_col="body", id_col="doc").collect()
    got = sorted(
        (r.doc, r.rule_id, r.match, r.line, r.column, r.end_line, r.end_column, tuple(r.suggestions), tuple(s.url for s in r.sources))
        for r in out
    )
    assert got == sorted(expected_findings())
    assert len(got) >= 4
    assert out[0].location is None or isinstance(json.loads(out[0].location), dict)


@pytest.mark.slow
def test_coverage_dataframe_equals_the_library(spark):
    from tilint.spark import coverage_dataframe

    df = spark.createDataFrame(TEXTS, ["id", "text"])
    out = coverage_dataframe(df).collect()
    got = sorted((r.id, r.principle, r.status, tuple(r.evidence)) for r in out)
    expected = sorted(
        (doc_id, p.id, p.status, tuple(e.text for e in p.evidence)) for doc_id, text in TEXTS for p in tilint.check_coverage(text).principles
    )
    assert got == expected
    assert len(got) == 4 * len(TEXTS)
