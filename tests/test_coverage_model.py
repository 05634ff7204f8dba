"""The learned coverage classifier: corpus reader, evidence with scores and reasons,
followable suggestions, lazy loading, the wheel, and `make train` reproducibility."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from tilint.coverage import available_frameworks, check_coverage, load_framework
from tilint.coverage_model import LABELS, MODEL_DIR, classify

from .checkout import CHECKOUT, copy_worktree

sys.path.insert(0, str(CHECKOUT / "training"))
from corpus import CorpusError, read_corpus, read_file  # noqa: E402

# written for these tests (not from the training corpus): one per principle, and traps
SENTENCES = {
    "Many of the families we work with have lived through violence, loss or neglect.": {"realise"},
    "Every new support worker completes training on how trauma affects the people we support.": {"recognise"},
    "A panel of people with lived experience reviews this policy every year.": {"respond"},
    "Restraint is only used when every other way of keeping someone safe has failed, and we always talk with the person afterwards.": {"resist"},
    "Tenants who break the rules will be evicted without notice.": set(),
    "Major trauma patients are taken straight to the trauma unit.": set(),
    "If funding allows, we could train staff in trauma-informed care.": set(),
    "We will never give a second warning.": set(),
    "Trauma-informed care is an approach that recognises the impact of trauma.": set(),
}
NEUTRAL = "# Visiting policy\n\nVisiting hours are from 2pm to 8pm every day.\n\nPlease sign in at reception.\n"


def evidenced(text: str) -> set[str]:
    return {p.id for p in check_coverage(text, format="text").principles if p.evidence}


# ------------------------------------------------------------------- the classifier


@pytest.mark.parametrize("text", SENTENCES, ids=[t[:40] for t in SENTENCES])
def test_shipped_model_gives_evidence_for_written_sentences(text):
    assert evidenced(text) == SENTENCES[text]


def test_classifier_scores_every_label_in_batches():
    cats = classify(list(SENTENCES)[:4])
    assert [set(c) for c in cats] == [set(LABELS)] * 4
    assert [max(c, key=c.get) for c in cats] == ["realise", "recognise", "respond", "resist"]
    assert classify([]) == []


def test_spans_of_the_shared_pipeline_score_as_their_texts():
    # coverage hands the classifier the sentences the language pass already tokenised
    from tilint.nlp import get_nlp, sentences

    nlp = get_nlp()
    text = " ".join(SENTENCES) + " Staff can't say \u201cno\u201d — we'll ask, e.g. twice!"
    spans = sentences(nlp.make_doc(text), nlp)
    assert len(spans) == len(SENTENCES) + 1
    by_span, by_text = classify(spans), classify([s.text for s in spans])
    assert [sorted(c) for c in by_span] == [sorted(LABELS)] * len(spans)
    assert all(abs(a[k] - b[k]) < 1e-6 for a, b in zip(by_span, by_text) for k in LABELS)


def test_evidence_carries_score_and_why():
    report = check_coverage("Restraint is used only as a last resort and is always followed by a debrief.")
    (ev,) = report.get("resist").evidence
    assert ev.why[0].startswith("classifier: resist ") and "indicator: 'last resort'" in ev.why
    assert ev.score == max(0.75, float(ev.why[0].split()[-1]))
    assert ev.to_dict()["why"] == list(ev.why)


def test_json_output_shows_score_and_why(run_cli, write):
    path = write("policy.md", "# Policy\n\nRestraint is used only as a last resort and is always followed by a debrief.\n")
    result = run_cli("coverage", "--format", "json", str(path))
    assert result.code == 0, result.err
    data = result.json()
    (file_result,) = data["files"] if "files" in data else data
    principles = {p["id"]: p for p in file_result["coverage"]["principles"]}
    (ev,) = principles["resist"]["evidence"]
    assert ev["line"] == 3 and ev["score"] >= 0.75 and ev["why"][0].startswith("classifier: resist ")


def test_negated_practice_is_vetoed_even_when_the_classifier_proposes_it():
    assert evidenced("Restraint is not used as a last resort here.") == set()
    assert evidenced("Restraint is used only as a last resort here.") == {"resist"}


def test_lexical_frameworks_do_not_read_the_classifier():
    assert all(p.model is None for name in ("samhsa-6", "ohid-6") for p in load_framework(name).principles)
    assert all(p.model is not None for p in load_framework("samhsa-4r").principles)


def _sure(label: str):
    """A classifier that is certain every sentence evidences ``label`` and nothing else."""
    return lambda texts: [{name: float(name == label) for name in LABELS} for _ in texts]


def _never(texts):
    return [{name: 0.0 for name in LABELS} for _ in texts]


def test_the_classifier_alone_needs_the_organisations_own_practice():
    # no indicator of resist in either sentence; only the second states the service's own practice
    sure = _sure("resist")
    assert check_coverage("Some tenants have lost a home before.", classifier=sure).get("resist").evidence == []
    (ev,) = check_coverage("We see how often the people we house have lost a home.", classifier=sure).get("resist").evidence
    assert ev.score == 1.0 and ev.why == ("classifier: resist 1.00", "commitment: 'We'")
    # a service verb after a determiner is a noun: "the work they do" commits to nothing
    assert check_coverage("Staff feel they have no say over the work they do.", classifier=sure).get("resist").evidence == []
    (ev,) = check_coverage("The team work with each family to agree a plan.", classifier=sure).get("resist").evidence
    assert ev.why == ("classifier: resist 1.00", "commitment: 'work'")


def test_an_acknowledgement_needs_no_commitment_but_research_and_advice_never_count():
    # realise is acknowledged whoever says it; the commitment principles veto reported research
    # and advice to other bodies whatever the classifier says
    (ev,) = check_coverage("Some tenants have lost a home before.", classifier=_sure("realise")).get("realise").evidence
    assert ev.why == ("classifier: realise 1.00",)
    # ...but a list fragment is not a statement: it names things and acknowledges nothing
    assert check_coverage("- Loud music, shouting or slammed doors", classifier=_sure("realise")).get("realise").evidence == []
    # ...not even when it starts as a procedure step does (a commitment cue is no statement),
    # nor a sentence in lower case that continues a lead-in the reader cannot see
    for fragment in ("- Check in with the other children who may have been affected", "- they feel they have no say at all."):
        assert check_coverage(fragment, classifier=_sure("realise")).get("realise").evidence == [], fragment
    (ev,) = check_coverage("- Check in with the other children, who may have been affected.", classifier=_sure("realise")).get("realise").evidence
    assert ev.line == 1 and ev.column == 3
    for text in (
        "A survey of youth workers found that we train staff on trauma every year.",
        "Commissioners should make sure that staff complete trauma training.",
        "Other hostels are encouraged to train their staff in trauma-informed care.",
        # obligations a contract, licence or membership sets for another body
        "The Provider shall ensure that all support staff complete trauma training.",
        "Each licensee shall screen every child at admission for traumatic experiences.",
        "Members must train all frontline staff in trauma-informed practice.",
    ):
        assert check_coverage(text, classifier=_sure("recognise")).get("recognise").evidence == [], text


def test_the_classifier_never_vetoes_an_indicator_sentence():
    (ev,) = check_coverage("Restraint is used only as a last resort.", classifier=_never).get("resist").evidence
    assert ev.score == 0.75 and ev.why[:2] == ("classifier: resist 0.00", "indicator: 'last resort'")


def test_without_a_threshold_the_classifier_never_proposes_alone(tmp_path):
    text = (CHECKOUT / "rules" / "frameworks" / "samhsa-4r.yaml").read_text(encoding="utf-8")
    path = tmp_path / "filter-only.yaml"
    text = re.sub(r"threshold: [0-9.]+(, alone_needs_commitment: false)?}", "with_indicator: 0.5}", text)
    path.write_text(text, encoding="utf-8")
    fw = load_framework(path)
    assert {p.model.threshold for p in fw.principles} == {None}
    sure = _sure("realise")
    assert check_coverage("We see how often the people we house have lost a home.", framework=fw, classifier=sure).get("realise").evidence == []
    # with_indicator 0.5: a classifier that contradicts the indicator now vetoes it
    assert check_coverage("Restraint is used only as a last resort.", framework=fw, classifier=_never).get("resist").evidence == []


# ------------------------------------------------------------------ suggestions


@pytest.mark.parametrize(
    "framework,principle",
    [(name, p.id) for name in available_frameworks() for p in load_framework(name).principles],
)
def test_adopting_the_suggested_wording_reaches_covered(framework, principle):
    fw = load_framework(framework)
    before = check_coverage(NEUTRAL, framework=fw).get(principle)
    assert before.status == "missing" and "For example:" in before.suggestion
    after = check_coverage(NEUTRAL + "\n" + fw.principle(principle).example + "\n", framework=fw).get(principle)
    assert after.status == "covered", after.evidence


@pytest.mark.parametrize("framework", available_frameworks())
def test_a_sentence_counted_as_evidence_is_never_suggested_again(framework):
    fw = load_framework(framework)
    for p in fw.principles:
        first, second = [s.strip() for s in p.example.replace(". ", ".\n").split("\n", 1)]
        result = check_coverage(NEUTRAL + "\n" + first + "\n", framework=fw).get(p.id)
        assert result.status == "partial", (p.id, result.evidence)
        assert first not in result.suggestion and " ".join(second.split()) in " ".join(result.suggestion.split())
        for ev in result.evidence:
            assert ev.text not in result.suggestion


# ------------------------------------------------------------------ lazy loading


def _modules_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith(('tilint', 'spacy.pipeline.textcat')))))"
    done = subprocess.run([sys.executable, "-c", script], cwd=CHECKOUT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_scan_without_coverage_never_loads_the_model():
    scan = "from tilint.linter import Linter\nfrom tilint.config import Config\nLinter(Config()).lint_paths(['examples'])"
    assert "tilint.coverage_model" not in _modules_after(scan)
    lexical = "from tilint.coverage import check_coverage\ncheck_coverage('We offer a quiet room.', framework='samhsa-6')"
    assert "tilint.coverage_model" not in _modules_after(lexical)
    assert "tilint.coverage_model" in _modules_after("from tilint.coverage import check_coverage\ncheck_coverage('We offer a quiet room.')")


# ------------------------------------------------------------------ the corpus


def _entry(**over) -> dict:
    base = {"id": "z0001", "doc": "test-doc", "doctype": "policy", "sector": "health", "country": "UK",
            "text": "Staff are trained in trauma-informed care.", "labels": ["recognise"], "kind": "positive"}
    return {**base, **over}


@pytest.mark.parametrize(
    "entry,problem",
    [
        (_entry(labels=["realize"]), "z0001: unknown label(s) realize"),
        (_entry(kind="sanction"), "z0001: kind 'sanction' is a hard negative: labels must be []"),
        (_entry(labels=[]), "z0001: kind 'positive' needs at least one label"),
        (_entry(kind="rumour", labels=[]), "z0001: kind 'rumour' is not one of"),
        (_entry(sector="space"), "z0001: sector 'space' is not one of"),
        (_entry(note="x"), "z0001: unknown key(s) note"),
        ({k: v for k, v in _entry().items() if k != "doc"}, "z0001: missing key(s) doc"),
    ],
)
def test_corpus_reader_fails_loudly_with_file_and_id(tmp_path, entry, problem):
    path = tmp_path / "z-test.yaml"
    path.write_text(json.dumps([entry]), encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        read_file(path)
    assert str(info.value).startswith(f"{path}:") and problem in str(info.value)


def test_corpus_reader_rejects_repeated_ids_and_conflicting_texts(tmp_path):
    (tmp_path / "a.yaml").write_text(json.dumps([_entry()]), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(json.dumps([_entry(text="Other text.")]), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"b\.yaml:z0001: duplicate id \(also in a\.yaml\)"):
        read_corpus(tmp_path)
    (tmp_path / "b.yaml").write_text(json.dumps([_entry(id="z0002", labels=["respond"])]), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"b\.yaml:z0002: the same text as z0001 with other labels"):
        read_corpus(tmp_path)
    (tmp_path / "b.yaml").write_text(json.dumps([_entry(id="z0002")]), encoding="utf-8")
    assert [ex.id for ex in read_corpus(tmp_path)] == ["z0001"]  # boilerplate written twice: kept once


def test_the_training_corpus_is_valid_and_large_enough():
    examples = read_corpus()
    assert len(examples) >= 2500
    negatives = [ex for ex in examples if not ex.labels]
    assert len(negatives) >= 0.4 * len(examples)
    for label in LABELS:
        assert sum(label in ex.labels for ex in examples) >= 300, label


# ------------------------------------------------------------------ wheel and training


@pytest.mark.slow
def test_shipped_model_loads_from_an_installed_wheel(tmp_path):
    src = tmp_path / "src"
    copy_worktree(src)
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)], check=True, timeout=600)
    (wheel,) = dist.glob("tilint-*.whl")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)], check=True, timeout=600)
    script = textwrap.dedent(
        f"""
        import json
        from tilint.coverage import check_coverage
        from tilint.coverage_model import MODEL_DIR
        texts = {json.dumps(list(SENTENCES)[:4])}
        print(json.dumps([str(MODEL_DIR)] + [sorted(p.id for p in check_coverage(t).principles if p.evidence) for t in texts]))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(site)}  # the installed wheel, not this checkout
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    where, *found = json.loads(done.stdout)
    assert where.startswith(str(site)) and where.endswith("tilint/_coverage_model")
    assert found == [["realise"], ["recognise"], ["respond"], ["resist"]]


@pytest.mark.slow
def test_make_train_reproduces_the_shipped_model(tmp_path):
    """Training again from the corpus, config and seed gives the shipped scores (within 0.01)."""
    out = tmp_path / "model"
    done = subprocess.run([sys.executable, str(CHECKOUT / "training" / "train.py"), "--out", str(out)], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr
    from tilint.coverage_model import load_classifier, pipeline_classifier

    texts = list(SENTENCES)
    fresh = pipeline_classifier(load_classifier(out))(texts)
    shipped = pipeline_classifier(load_classifier(MODEL_DIR))(texts)
    for a, b in zip(fresh, shipped):
        assert all(abs(a[k] - b[k]) <= 0.01 for k in LABELS), (a, b)
