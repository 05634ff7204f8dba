"""The spaCy component (``nlp.add_pipe("tilint")``), its entry point, the example, and the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from importlib.metadata import entry_points

import pytest
import spacy
import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span

from tilint.component import SPAN_KEY, register_extensions
from tilint.config import Config
from tilint.linter import Linter

from .checkout import CHECKOUT, copy_worktree
from .conftest import ENGINE_PACK

ZZ = {"select": ["ZZ"], "extra_rules": [str(ENGINE_PACK)]}
TEXT = "Addicts wait outside.\n\nPatients who fail to\nattend will be discharged. The patient refused treatment.\n"
TEXTS = [
    "Patients who fail to attend twice will be discharged.",
    "Addicts wait outside the clinic.",
    "We offer every person a choice of appointment times.",
    "Staff may use restraint.\n\nThe patient refused treatment.",
    "The council refused the request.",
]


def _pipeline(**config) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("tilint", config={**ZZ, **config})
    return nlp


@pytest.fixture(scope="module")
def nlp() -> Language:
    return _pipeline()


def _rows(doc: Doc) -> list[tuple]:
    return [(f.rule_id, f.line, f.column, f.end_line, f.end_column, f.match) for f in doc._.tilint_findings]


def _spans(doc: Doc) -> list[tuple]:
    return [(s.label_, s.start_char, s.end_char, s.text, s._.tilint_finding.rule_id) for s in doc.spans[SPAN_KEY]]


def test_findings_and_spans_are_exact(nlp):
    doc = nlp(TEXT)
    assert _rows(doc) == [
        ("ZZ001", 1, 1, 1, 8, "Addicts"),
        ("ZZ004", 3, 14, 4, 7, "fail to\nattend"),
        ("ZZ002", 4, 40, 4, 47, "refused"),
    ]
    assert _spans(doc) == [
        ("ZZ001", 0, 7, "Addicts", "ZZ001"),
        ("ZZ004", 36, 50, "fail to\nattend", "ZZ004"),
        ("ZZ002", 83, 90, "refused", "ZZ002"),
    ]
    assert [s._.tilint_finding for s in doc.spans[SPAN_KEY]] == doc._.tilint_findings
    assert doc._.tilint_coverage is None


def test_findings_match_the_library_on_the_same_text(nlp):
    linter = Linter(Config(extra_rules=(str(ENGINE_PACK),), select=("ZZ",)))
    expected = [(f.rule_id, f.line, f.column, f.end_line, f.end_column, f.match, f.message) for f in linter.lint_text(TEXT, format="text")]
    assert [(*row, f.message) for row, f in zip(_rows(nlp(TEXT)), nlp(TEXT)._.tilint_findings)] == expected


def test_span_expands_to_the_users_token_boundaries():
    """A user's tokenizer may not split where tilint's does: the span covers whole tokens."""
    from spacy.tokenizer import Tokenizer

    nlp = spacy.blank("en")
    nlp.tokenizer = Tokenizer(nlp.vocab)  # whitespace only: "Note:Addicts" is one token
    nlp.add_pipe("tilint", config=ZZ)
    doc = nlp("Note:Addicts wait.")
    assert [t.text for t in doc] == ["Note:Addicts", "wait."]
    assert _rows(doc) == [("ZZ001", 1, 6, 1, 13, "Addicts")]
    assert _spans(doc) == [("ZZ001", 0, 12, "Note:Addicts", "ZZ001")]


def test_options_select_ignore_and_mentions():
    text = 'Avoid terms like "addict". Addicts wait.'
    assert [r[0] for r in _rows(_pipeline()(text))] == ["ZZ001"]
    assert [r[5] for r in _rows(_pipeline(mentions="report")(text))] == ["addict", "Addicts"]
    assert _rows(_pipeline(ignore=["ZZ001"])(text)) == []
    assert _rows(_pipeline(select=["ZZ004"])(text + " They fail to attend.")) == [("ZZ004", 1, 47, 1, 61, "fail to attend")]
    with pytest.raises(ValueError, match="mentions"):
        _pipeline(mentions="sometimes")


def test_inline_suppression_applies(nlp):
    doc = nlp("<!-- tilint-disable-next-line ZZ001 -->\nAddicts wait outside.\nAddicts wait inside.\n")
    assert _rows(doc) == [("ZZ001", 3, 1, 3, 8, "Addicts")]


def test_pipe_in_batches_equals_one_doc_at_a_time(nlp):
    one_by_one = [(_rows(nlp(t)), _spans(nlp(t))) for t in TEXTS]
    batched = [(_rows(d), _spans(d)) for d in nlp.pipe(TEXTS, batch_size=2)]
    assert batched == one_by_one
    assert [len(rows) for rows, _ in batched] == [1, 1, 0, 2, 0]


def test_users_own_components_are_untouched():
    @Language.component("test_upper_norm")
    def upper_norm(doc: Doc) -> Doc:
        for tok in doc:
            tok.norm_ = tok.text.upper()
        doc.spans["mine"] = [doc[0:1]]
        return doc

    @Language.component("test_after_tilint")
    def after(doc: Doc) -> Doc:
        doc.user_data["norms_after_tilint"] = [t.norm_ for t in doc]
        return doc

    nlp = spacy.blank("en")
    nlp.add_pipe("test_upper_norm")
    nlp.add_pipe("tilint", config=ZZ)
    nlp.add_pipe("test_after_tilint")
    doc = nlp("The patient refused treatment.")
    assert [t.norm_ for t in doc] == ["THE", "PATIENT", "REFUSED", "TREATMENT", "."]
    assert doc.user_data["norms_after_tilint"] == ["THE", "PATIENT", "REFUSED", "TREATMENT", "."]
    assert [s.text for s in doc.spans["mine"]] == ["The"]
    # tilint matched "refused" by its lemma although the user's norms say "REFUSED"
    assert _rows(doc) == [("ZZ002", 1, 13, 1, 20, "refused")]
    assert not doc.has_annotation("SENT_START")  # tilint's sentence splitting stays inside tilint

    plain = spacy.blank("en")
    plain.add_pipe("tilint", config=ZZ)
    doc = plain("The patient refused treatment.")
    assert _rows(doc) == [("ZZ002", 1, 13, 1, 20, "refused")]
    # tilint's lemma norms live in tilint's own vocabulary, never in the user's
    assert [t.norm_ for t in doc] == ["the", "patient", "refused", "treatment", "."]
    assert plain.vocab["refused"].norm_ == "refused"


def test_extensions_are_registered_once_and_never_replaced():
    register_extensions()
    register_extensions()
    assert Doc.has_extension("tilint_findings") and Span.has_extension("tilint_finding")
    assert Doc.get_extension("tilint_coverage")[0] is None  # (default, method, getter, setter)
    assert spacy.blank("en")("No pipeline ran.")._.tilint_findings is None


def test_coverage_option():
    from tilint.coverage import check_coverage

    text = "Staff are trained to recognise the signs of trauma.\n\nWe avoid practices that may re-traumatise people.\n"
    doc = _pipeline(coverage="samhsa-4r")(text)
    assert doc._.tilint_coverage.framework == "samhsa-4r"
    assert doc._.tilint_coverage.to_dict() == check_coverage(text, format="text").to_dict()


def test_pipeline_saved_to_disk_loads_with_the_same_settings(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.get_pipe_config("tilint") == nlp.get_pipe_config("tilint")
    assert _rows(loaded(TEXT)) == _rows(nlp(TEXT))


def test_factory_is_advertised_as_a_spacy_entry_point():
    (ep,) = [ep for ep in entry_points(group="spacy_factories") if ep.name == "tilint"]
    assert ep.value == "tilint.component:create_tilint_component"


def test_add_pipe_by_name_in_a_fresh_interpreter_without_importing_tilint(tmp_path):
    script = textwrap.dedent(
        f"""
        import json, spacy
        nlp = spacy.blank("en")
        nlp.add_pipe("tilint", config={json.dumps(ZZ)})
        doc = nlp("Addicts wait outside.")
        print(json.dumps([[s.label_, s.start_char, s.end_char] for s in doc.spans["tilint"]]))
        """
    )
    assert "import tilint" not in script and "from tilint" not in script
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [["ZZ001", 0, 7]]


def test_example_pipeline_script_runs(tmp_path):
    done = subprocess.run(
        [sys.executable, str(CHECKOUT / "examples" / "pipeline.py"), str(ENGINE_PACK)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[1] 'Patients who fail to attend twice will be discharged.'",
        "    1:14 ZZ004 warning 'fail to attend' -> try 'miss the appointment'",
        "[2] 'Addicts wait outside the clinic.'",
        "    1:1 ZZ001 warning 'Addicts' -> try 'People who use drugs'",
        "[3] 'We offer every person a choice of appointment times.'",
        "[4] 'Staff may use restraint.\\n\\nThe patient refused treatment.'",
        "    1:15 ZZ005 warning 'restraint' -> try 'state that restraint is a last resort'",
        "    3:13 ZZ002 info 'refused' -> try 'declined', 'chose not to'",
        "[5] 'The council refused the request.'",
        "4 findings in 5 texts",
    ]


# ---------------------------------------------------------------- installed from a wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel built from a copy of the work tree (the checkout itself is never written to)."""
    src = tmp_path_factory.mktemp("src")
    copy_worktree(src)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)], check=True, timeout=600)
    (path,) = dist.glob("tilint-*.whl")
    return path


@pytest.mark.slow
def test_wheel_ships_rules_schemas_and_py_typed(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    builtin = {p.relative_to(CHECKOUT / "rules").as_posix() for p in (CHECKOUT / "rules").rglob("*.yaml")}
    assert builtin and {f"tilint/_rules/{n}" for n in builtin} <= names
    assert {"tilint/py.typed", "tilint/component.py", "tilint/schemas/rule-pack.schema.json"} <= names
    assert not any(n.startswith(("tests/", "src/")) for n in names)


@pytest.mark.slow
def test_fresh_virtualenv_gets_the_component_and_the_cli(wheel, tmp_path):
    """A new venv with only the wheel and its dependencies (from the package index)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=900, env=env)
    script = f"""
import json, spacy
nlp = spacy.blank("en")
nlp.add_pipe("sentencizer")
nlp.add_pipe("tilint", config={json.dumps(ZZ)})
docs = list(nlp.pipe(["Addicts wait.", "All fine.", "They fail to attend."], batch_size=2))
print(json.dumps([[[s.label_, s.start_char, s.end_char] for s in d.spans["tilint"]] for d in docs]))
"""
    done = subprocess.run([str(python), "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [[["ZZ001", 0, 7]], [], [["ZZ004", 5, 19]]]

    rules = subprocess.run([str(venv / "bin" / "tilint"), "rules", "--format", "json"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert rules.returncode == 0, rules.stderr
    builtin_ids = [r["id"] for p in sorted((CHECKOUT / "rules").glob("*.yaml")) for r in (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("rules", [])]
    assert sorted(r["id"] for r in json.loads(rules.stdout)["rules"]) == sorted(builtin_ids)
    where = subprocess.run([str(python), "-c", "import tilint.ruleset as r; print(r.rules_dir())"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(venv)) and where.stdout.strip().endswith("tilint/_rules")
