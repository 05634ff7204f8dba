"""What a commit-time check loads: spaCy without its command-line interface, and
everything spaCy offers still there when asked for."""

from __future__ import annotations

import json

from .conftest import fresh_python


def test_the_pipeline_is_built_without_spacys_cli_and_the_cli_still_imports():
    script = """
import json, sys
from tilint.linter import Linter
findings = Linter().lint_text("Patients who fail to attend twice are discharged.")
before = sorted(m for m in sys.modules if m == "spacy.cli" or m.startswith(("spacy.cli.", "typer", "requests")))
import spacy
import spacy.cli
from spacy.cli.info import info
details = spacy.info()  # the re-exported function loads the real one
print(json.dumps({"rules": [f.rule_id for f in findings], "before": before, "cli": spacy.cli.__name__,
                  "real": spacy.cli.info is info and hasattr(spacy.cli, "download"), "version": details["spacy_version"] == spacy.__version__}))
"""
    out = json.loads(fresh_python(script))
    assert out == {"rules": ["BL001"], "before": [], "cli": "spacy.cli", "real": True, "version": True}


def test_a_program_that_imported_spacy_first_keeps_its_spacy():
    script = """
import json, sys
import spacy, spacy.cli
cli = sys.modules["spacy.cli"]
from tilint.nlp import get_nlp
nlp = get_nlp()
print(json.dumps({"same": sys.modules["spacy.cli"] is cli and spacy.cli is cli, "tokens": len(nlp.make_doc("Two words"))}))
"""
    assert json.loads(fresh_python(script)) == {"same": True, "tokens": 2}


def test_a_spacy_that_needs_more_of_its_cli_at_import_is_imported_the_slow_way():
    # stand-in for a future spaCy whose start-up imports a name the stand-in lacks
    script = """
import builtins, json, sys
real_import = builtins.__import__
raised = []
def strict(name, globals=None, locals=None, fromlist=(), level=0):
    module = real_import(name, globals, locals, fromlist, level)
    if name == "spacy.cli.info" or (level and name == "cli.info" and (globals or {}).get("__name__") == "spacy"):
        if getattr(module, "__file__", None) is None:  # tilint's stand-in, not the real module
            raised.append(name)
            raise ImportError("cannot import name 'something_new'")
    return module
builtins.__import__ = strict
from tilint.nlp import get_nlp
nlp = get_nlp()
builtins.__import__ = real_import
import spacy.cli
print(json.dumps({"tokens": len(nlp.make_doc("Two words")), "cli": hasattr(spacy.cli, "download"), "fell back": len(raised)}))
"""
    assert json.loads(fresh_python(script)) == {"tokens": 2, "cli": True, "fell back": 1}
