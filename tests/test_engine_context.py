"""Context the engine applies to every rule: prohibitions, rejected labels, mentions,
proper names. Each context that suppresses a finding is tested both ways: where it
must suppress, and a near miss where it must not."""

from __future__ import annotations

import pytest

from tilint.config import Config
from tilint.linter import Linter


@pytest.fixture(scope="module")
def found(zz_config):
    linter = Linter(zz_config)
    return lambda text, fmt="text": [(f.rule_id, f.match) for f in linter.lint_text(text, format=fmt)]


# -- prohibition scope -----------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Seclusion is never used in our homes.",
        "Seclusion must not be used.",
        "Seclusion is strictly prohibited.",
        "We never use seclusion.",
        "Staff do not use seclusion or any form of isolation.",
        "Under no circumstances should staff use seclusion.",
        "At no time will staff use seclusion.",
        "The home prohibits the use of seclusion.",
        "Seclusion, isolation and time out are not permitted here.",
    ],
)
def test_a_practice_named_to_forbid_it_is_not_flagged(found, text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text,match",
    [
        ("Seclusion is never used unless a child is at risk of harm.", "Seclusion"),  # a permission after all
        ("Seclusion is not used except as a last step.", "Seclusion"),
        ("Seclusion is never used as a punishment.", "Seclusion"),  # forbids one use, allows others
        ("Staff use seclusion when a child is upset and do not use time out.", "seclusion"),
        ("We do not use the garden when staff use seclusion.", "seclusion"),  # the cue is in another clause
        ("Under no circumstances will a child be moved from seclusion early.", "seclusion"),  # no verb of using
        ("Seclusion is used; restraint is never used.", "Seclusion"),
    ],
)
def test_a_prohibition_that_does_not_reach_the_practice_does_not_suppress(found, text, match):
    assert ("ZZ006", match) in found(text)


def test_a_rule_may_opt_out_of_prohibition_scope(found):
    assert found("Drunks are prohibited.") == [("ZZ009", "Drunks")]
    assert found("Addicts are prohibited.") == [("ZZ001", "Addicts")]
    assert found("Seclusion is prohibited.") == []  # ZZ006 keeps the default


def test_people_not_allowed_something_are_not_a_prohibited_practice(found):
    assert found("Drunks are not allowed visitors.") == [("ZZ009", "Drunks")]
    assert found("Seclusion rooms are not allowed to stay locked.") == [("ZZ006", "Seclusion")]
    assert found("Seclusion is not allowed in our homes.") == []


def test_list_under_a_prohibiting_lead_in(found):
    text = "Our approach.\n\nThe following must never be used:\n\n- seclusion\n- time out in seclusion\n\nWe do use:\n\n- seclusion\n"
    assert found(text, "markdown") == [("ZZ006", "seclusion")]  # the second list's item only


@pytest.mark.parametrize(
    "lead_in",
    [
        "The following behaviours will not be tolerated:",  # itself punitive, not a prohibition of a practice
        "Seclusion is not used except in these cases:",
        "Staff may use:",
    ],
)
def test_list_under_a_lead_in_that_does_not_forbid_is_checked(found, lead_in):
    assert ("ZZ006", "seclusion") in found(f"{lead_in}\n\n- seclusion\n", "markdown")


def test_table_column_under_a_prohibiting_header():
    from tilint.document import Block, Location
    from tilint.engine import _list_scopes

    def cell(text, row, col):
        return Block(text, kind="table_cell", location=Location(table=1, row=row, cell=col))

    header = [cell("Never used", 0, 0), cell("Used with review", 0, 1), cell("Words to avoid", 0, 2)]
    row = [cell("seclusion", 1, 0), cell("seclusion", 1, 1), cell("addicts", 1, 2)]
    assert _list_scopes(header + row) == {id(row[0]): "forbidden-use", id(row[2]): "terms"}  # forbids *using*: a wording listed there is a word not to use


def test_table_under_a_prohibiting_lead_in(found):
    table = "| Practice | Notes |\n|---|---|\n| seclusion | see section 4 |\n"
    assert found("These practices are never used:\n\n" + table, "markdown") == []
    assert found("These practices are used:\n\n" + table, "markdown") == [("ZZ006", "seclusion")]


def test_list_under_a_lead_in_about_words_is_a_list_of_mentions(found):
    assert found("Terms we no longer use:\n\n- addicts\n- an addict\n", "markdown") == []
    assert found("People we support:\n\n- addicts\n", "markdown") == [("ZZ001", "addicts")]
    assert found("Short-term beds:\n\n- addicts\n", "markdown") == [("ZZ001", "addicts")]
    assert found("## Terms we use:\n\n- addicts\n", "markdown") == [("ZZ001", "addicts")]  # a heading is not a lead-in


# -- label rejection -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "A child cannot be an addict.",
        "She is not an addict.",
        "A person is never simply an addict.",
        "We see it not as addict behaviour but as a way of coping.",
        "He was described to us, not as an addict but as a father.",
    ],
)
def test_a_label_named_to_reject_it_is_not_flagged(found, text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "This is not a problem for an addict who wants help.",  # the cue is about something else
        "She is not here because she is an addict.",
        "He is an addict and is not welcome.",
    ],
)
def test_a_nearby_negation_does_not_reject_the_label(found, text):
    assert ("ZZ001", "an addict") in found(text)


# -- mention cues ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Avoid addicts, junkies or users.",  # a list of short terms
        "Avoid: addicts.",  # colon-led
        "Avoid terms like junkie, user and addicts.",
        "Avoid using 'addicts'.",
        "We say people who use drugs rather than addicts.",
        "Do not use addicts.",
        "The term addicts is outdated.",
        "Outdated terms such as addicts harm people.",
        "Never describe someone as one of the 'addicts'.",
        "Say 'people who use drugs', not 'addicts'.",
        "He told us: 'the addicts on my street look out for me'.",  # someone's own words
    ],
)
def test_mentions_of_a_term_are_not_flagged(found, text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text,match",
    [
        ("Staff must avoid alcohol abuse at work events.", "abuse"),
        ("Avoid alcohol abuse.", "abuse"),  # avoid + a bare term: a practice, not a word
        ("We offer short-term beds for addicts.", "addicts"),
        ("In the autumn term addicts can join the course.", "addicts"),
        ("These 'addicts' need our help.", "addicts"),  # scare quotes in running prose
        ("Staff should avoid addicts who are using, for their own safety.", "addicts"),
    ],
)
def test_a_use_after_a_cue_word_is_still_flagged(found, text, match):
    assert any(m == match for _, m in found(text)), found(text)


# -- proper names ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "The Addicts Support Network meets on Tuesdays.",
        "She works for Addicts Anonymous in Leeds.",
        "They called the Sexual Abuse Referral Centre.",
        "We funded Parents and Families of Addicts Together (PFAT) last year.",
    ],
)
def test_words_inside_a_proper_name_are_not_flagged(found, text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    ["Addicts wait outside the Support Centre.", "We help Addicts every day.", "ADDICTS WAIT HERE."],
)
def test_capitals_alone_do_not_make_a_name(found, text):
    assert ("ZZ001", text.split()[0] if text[0] != "W" else "Addicts") in found(text)


# -- coordination ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,match",
    [
        ("Patients who fail or refuse to attend are discharged.", "fail or refuse to attend"),
        ("Patients who failed and/or declined to attend are discharged.", "failed and/or declined to attend"),
        ("Clients who fail / forget to attend pay a fee.", "fail / forget to attend"),
        ("Patients who fail to attend are discharged.", "fail to attend"),  # the single form
    ],
)
def test_a_coordinated_phrase_matches_like_its_single_form(found, text, match):
    assert found(text) == [("ZZ004", match)]


def test_coordination_needs_a_conjunction_and_keeps_correct_terms(found):
    assert found("Patients who fail quickly to attend are seen.") == []  # no conjunction: not the phrase


def test_a_coordinated_hit_whose_second_conjunct_is_a_correct_term_is_dropped():
    linter = Linter()  # the built-in packs: "alcohol abuse" is a pattern, "domestic abuse" a protected term
    assert [f.match for f in linter.lint_text("Alcohol or drug abuse is common.")] == ["Alcohol or drug abuse"]
    assert [f.match for f in linter.lint_text("We run alcohol and domestic abuse services.")] == []


# -- restrictive practice: a real safeguard in the same section -------------------------------
@pytest.fixture(scope="module")
def builtin():
    linter = Linter()
    return lambda text: [(f.rule_id, f.match) for f in linter.lint_text(text)]


def test_restraint_with_a_safeguard_in_its_section_is_not_flagged(builtin):
    text = "# Physical intervention\n\nStaff may use restraint to keep a child safe.\n\nIt is only ever a last resort, and we debrief afterwards.\n"
    assert builtin(text) == []


@pytest.mark.parametrize(
    "elsewhere",
    [
        "We aim to reduce waiting times for every family.",  # unrelated "reduce"
        "Please reply as soon as possible.",
        "We review this policy every year.",
    ],
)
def test_unrelated_words_do_not_count_as_a_safeguard(builtin, elsewhere):
    text = f"# Physical intervention\n\nStaff may use restraint to keep a child safe.\n\n{elsewhere}\n"
    assert ("RP001", "restraint") in builtin(text)


def test_a_limit_in_another_section_does_not_cover_restraint(builtin):
    text = "# Restraint\n\nStaff may use restraint to keep a child safe.\n\n# Visits\n\nVisits are allowed only when a parent agrees.\n"
    assert ("RP001", "restraint") in builtin(text)


def test_a_last_resort_commitment_anywhere_covers_the_whole_policy(builtin):
    text = "# Training\n\nStaff learn restraint holds each year.\n\n# Our approach\n\nPhysical contact to keep someone safe is a last resort.\n"
    assert builtin(text) == []


@pytest.mark.parametrize(
    "text,rule",
    [
        ("If you refuse, we will respect your decision.", None),
        ("If you refuse, we will end your tenancy.", "BL011"),
        ("We do not operate a zero tolerance approach.", None),
        ("We operate a zero tolerance approach.", "CO001"),
    ],
)
def test_respectful_or_negated_wording_is_not_flagged(builtin, text, rule):
    assert [r for r, _ in builtin(text)] == ([rule] if rule else [])


# -- neighbour lists see through a coordinated list ---------------------------------------
def test_a_neighbour_word_reaches_across_a_coordinated_list(found):
    assert found("She has lived through domestic, financial or other abuse.") == []  # not_preceded_by: [domestic]
    assert found("Domestic staff reported abuse.") == [("ZZ003", "abuse")]  # not a list: still flagged
    assert found("Domestic, he said, was the abuse.") == [("ZZ003", "abuse")]
    # a word between with no "and"/"or"/comma is no list: the neighbour is out of reach
    assert found("Bad behaviour at programme time is recorded.") == [("ZZ008", "Bad behaviour")]
    assert found("Bad behaviour programme, or other programme rooms.") == []


def test_a_second_relative_clause_keeps_its_person_subject(found):
    assert found("Tenants who owe rent, or who refuse access, get a letter.") == [("ZZ002", "refuse")]
    assert found("The council, or its board, refused the plan.") == []


def test_acronyms_under_discussion_are_mentions(found):
    assert found("We never use acronyms such as addicts in letters.") == []
    assert found("Acronyms confuse addicts.") == [("ZZ001", "addicts")]


def test_a_pack_sets_the_default_and_a_rule_may_override_it(tmp_path):
    from tilint.ruleset import load_ruleset

    rule = """
  - id: {id}
    name: {name}
    severity: warning
    message: "'{{match}}'"
    {override}
    patterns: [{{phrase: {phrase}}}]
    suggestions: ["x"]
    rationale: A test rule for the pack-level prohibition default and its override.
    sources: [VA]
    examples: {{fail: ["a", "b"], pass: ["c", "d"]}}
"""
    pack = tmp_path / "words.yaml"
    pack.write_text(
        "pack: words\nprefix: WD\ncategory: words\ndescription: Rules for the prohibition default test.\nprohibitions: report\nrules:"
        + rule.format(id="WD001", name="a", override="", phrase="drug abuse")
        + rule.format(id="WD002", name="b", override="prohibitions: skip", phrase="seclusion"),
        encoding="utf-8",
    )
    rules = load_ruleset(extra=[pack], builtin=False)
    assert [(r.id, r.prohibitions) for r in rules] == [("WD001", "report"), ("WD002", "skip")]
    from tilint.config import Config

    linter = Linter(Config(extra_rules=(str(pack),), select=("WD",)))
    got = [(f.rule_id, f.match) for f in linter.lint_text("Drug abuse is prohibited. Seclusion is prohibited.", format="text")]
    assert got == [("WD001", "Drug abuse")]


def test_an_item_that_allows_the_practice_is_not_forbidden_by_its_lead_in(found):
    text = "Avoid:\n\n- seclusion as a first response\n- seclusion unless a child is at risk\n"
    assert found(text, "markdown") == [("ZZ006", "seclusion")]


def test_avoiding_a_practice_is_a_prohibition_but_avoiding_a_word_is_not(found):
    assert found("Staff avoid seclusion.") == []  # ZZ006: a practice
    assert found("Staff avoid addicts at night.") == [("ZZ001", "addicts")]  # ZZ001: a wording rule


def test_a_quoted_wording_after_not_is_a_mention(found):
    assert found('Ask what happened, not "why are addicts late".') == []
    assert found("Most people who use drugs are not 'addicts' at all.") == []
    assert found('Ask what happened to the "addicts".') == [("ZZ001", "addicts")]
    assert found("We never met the 'addicts' before today.") == [("ZZ001", "addicts")]  # a word between: "never met the"


def test_a_heading_or_title_naming_a_practice_describes_no_use(found):
    assert found("# Seclusion\n\nStaff may use seclusion.\n", "markdown") == [("ZZ006", "seclusion")]
    assert found("- [Seclusion Record Form](forms/seclusion.pdf)\n", "markdown") == []
    assert found("Seclusion Is Used Here And Recorded Daily Whenever Needed.", "markdown") == [("ZZ006", "Seclusion")]


def test_a_fragment_that_opens_with_the_hit_has_the_person_as_its_subject(found):
    table = "| State | Response |\n|---|---|\n| Refuses food; upset | Offer a snack later |\n"
    assert found(table, "markdown") == [("ZZ002", "Refuses")]
    assert found("- Refuses food at lunch\n", "markdown") == [("ZZ002", "Refuses")]
    assert found("Refuses food at lunch.", "markdown") == []  # a paragraph: no subject, no finding
    assert found("- The council refuses late claims\n", "markdown") == []  # a subject that is not a person
    assert found("- Application refused\n", "markdown") == []  # the hit does not open the fragment
    assert found("| Code |\n|---|\n| REFUSED |\n", "markdown") == []  # a code, not a description


def test_forbidding_people_or_their_conduct_does_not_redeem_the_wording(found):
    # ZZ008 keeps the default (skip): a practice named to forbid it is not flagged...
    assert found("Time out for bad behaviour is never used.") == []  # what staff use
    # ...but a rule for people about their conduct is not a prohibition of a practice
    assert found("Bad behaviour is not permitted.") == [("ZZ008", "Bad behaviour")]
    assert found("The following are not allowed:\n\n- bad behaviour\n", "markdown") == [("ZZ008", "bad behaviour")]


def test_a_quoted_term_judged_as_wording_is_a_mention(found):
    assert found("'Addicts' is stigmatising and outdated.") == []
    assert found("The 'addicts' were offended by staff.") == [("ZZ001", "addicts")]  # about people, not words


# -- negated naming: the label after "as", or after the object of "call" -----------------
@pytest.mark.parametrize(
    "text",
    [
        "We never describe a person as an addict.",
        "Staff should not refer to people as addicts.",
        "We avoid labelling our tenants as addicts.",
        "Please do not think of anyone as an addict.",
        "No resident should ever be described as an addict.",
        "Residents are not to be called addicts.",
        "Never call a neighbour an addict.",
        "We don't treat people who use services as addicts.",
        "We never describe anyone as a user or an addict.",  # a later item of the label list
    ],
)
def test_a_label_named_by_a_negated_naming_verb_is_not_flagged(found, text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text,match",
    [
        ("We will not see addicts after 5pm.", "addicts"),  # the label is the object, not the complement
        ("We do not call addicts back after 5pm.", "addicts"),
        ("We do not see them often, as addicts rarely visit.", "addicts"),  # "as" opens another clause
        ("Staff describe the man as an addict.", "an addict"),  # no negation
        ("We do not know why staff described him as an addict.", "an addict"),  # the negation is in another clause
        ("Residents are called addicts by the press.", "addicts"),
        ("We do not describe our work with groups such as addicts.", "addicts"),  # "such as" is no naming "as"
    ],
)
def test_a_naming_verb_without_a_negation_over_its_label_does_not_reject(found, text, match):
    assert found(text) == [("ZZ001", match)]


def test_a_naming_verb_in_a_list_under_a_prohibiting_lead_in_rejects_its_label(found):
    text = "Staff must never:\n\n- describe a resident as an addict\n- shout at addicts\n"
    assert found(text, "markdown") == [("ZZ001", "addicts")]  # the second item uses the word


# -- a list inside the sentence, after a prohibiting lead-in and a colon -----------------------
def test_an_inline_list_after_a_prohibiting_lead_in_is_a_prohibition(found):
    assert found("The following are never used: time out, seclusion and isolation.") == []
    assert found("These are prohibited in our homes: seclusion, restraint chairs.") == []


@pytest.mark.parametrize(
    "text",
    [
        "The following are used: time out, seclusion and isolation.",  # no prohibition
        "If time out is not possible: seclusion may be used.",  # a condition, and a clause after the colon
        "Staff never shout; the following are used: seclusion.",  # the negation is in another clause
        "The following will not be tolerated: seclusion of peers.",  # a punitive lead-in, not a prohibition
    ],
)
def test_an_inline_list_after_a_lead_in_that_does_not_forbid_is_checked(found, text):
    assert ("ZZ006", "seclusion") in found(text)


def test_a_wording_listed_after_a_lead_in_that_forbids_using_it_is_a_mention(found):
    assert found("The following must never be used: addicts, drunks.") == []
    assert found("The following must never be used:\n\n- addicts\n", "markdown") == []
    # forbidding the people, not the word, still uses the word
    assert found("The following are not allowed in: addicts, drunks.") == [("ZZ001", "addicts"), ("ZZ009", "drunks")]


# -- one finding per span ----------------------------------------------------------------------
TIE_PACK = """pack: ties
prefix: TB
category: ties
description: Rules that match the same words, for the tie-break test.
rules:
"""
TIE_RULE = """  - id: {id}
    name: {name}
    severity: {severity}
    message: "'{{match}}'"
    patterns: [{{phrase: {phrase}}}]
    suggestions: ["x"]
    rationale: A test rule for the tie-break between rules that match the same words.
    sources: [VA]
    examples: {{fail: ["a", "b"], pass: ["c", "d"]}}
"""


@pytest.fixture(scope="module")
def ties(tmp_path_factory):
    pack = tmp_path_factory.mktemp("ties") / "ties.yaml"
    pack.write_text(
        TIE_PACK
        + TIE_RULE.format(id="TB001", name="same-span-info", severity="info", phrase="instant eviction")
        + TIE_RULE.format(id="TB002", name="same-span-warning", severity="warning", phrase="instant eviction")
        + TIE_RULE.format(id="TB003", name="same-span-warning-too", severity="warning", phrase="instant eviction")
        + TIE_RULE.format(id="TB004", name="inside-info", severity="info", phrase="eviction")
        + TIE_RULE.format(id="TB005", name="longer-info", severity="info", phrase="rent arrears lead to eviction")
        + TIE_RULE.format(id="TB006", name="overlap-info", severity="info", phrase="eviction notice")
        + TIE_RULE.format(id="TB007", name="section-warning", severity="warning", phrase="isolation room").replace("    suggestions:", "    context: {section_lacks: [last resort]}\n    suggestions:")
        + TIE_RULE.format(id="TB008", name="inside-section-info", severity="info", phrase="isolation"),
        encoding="utf-8",
    )

    def run(text, *, select=("TB",), ignore=()):
        linter = Linter(Config(extra_rules=(str(pack),), select=select, ignore=ignore))
        return [(f.rule_id, f.match, f.column) for f in linter.lint_text(text, format="markdown")]

    return run


def test_one_finding_per_span_higher_severity_then_lower_id(ties):
    # TB001 (info), TB002 and TB003 (warning) on the same words, TB004 (info) inside them
    assert ties("Expect instant eviction.") == [("TB002", "instant eviction", 8)]


def test_a_longer_span_wins_between_equal_severities(ties):
    assert ties("Rent arrears lead to eviction.") == [("TB005", "Rent arrears lead to eviction", 1)]


def test_spans_that_only_overlap_are_both_kept(ties):
    assert ties("An instant eviction notice.") == [("TB002", "instant eviction", 4), ("TB006", "eviction notice", 12)]


def test_ignoring_the_winner_lets_the_next_rule_report(ties):
    assert ties("Expect instant eviction.", ignore=("TB002",)) == [("TB003", "instant eviction", 8)]
    assert ties("Expect instant eviction.", select=("TB001", "TB004")) == [("TB001", "instant eviction", 8)]


def test_a_suppression_comment_on_the_winner_silences_the_span(ties):
    # decided: a comment that silences the winning rule silences the words; the rules it
    # shadowed do not come back (the user has judged this wording)
    text = "Expect instant eviction. <!-- tilint-disable-line TB002 -->\n"
    assert ties(text) == []
    # a comment naming only a shadowed rule leaves the winner
    assert ties("Expect instant eviction. <!-- tilint-disable-line TB003 -->\n") == [("TB002", "instant eviction", 8)]


def test_a_hit_its_section_condition_cancels_shadows_nothing(ties):
    # TB007 (warning) needs no "last resort" in its section; where one is, it is cancelled
    # and must not hide TB008 (info) inside its words
    assert ties("# A\n\nThe isolation room is open.\n") == [("TB007", "isolation room", 5)]
    assert ties("# A\n\nThe isolation room is open. It is a last resort.\n") == [("TB008", "isolation", 5)]


# -- official categories: the law's names, quoted ----------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "The coroner may record a conclusion of glue abuse.",
        "Inquest verdicts such as solvent abuse are set by law.",
        "Short-form conclusions include misadventure, glue abuse and an open conclusion.",
        "Several verdicts can be returned at an inquest, including glue abuse.",
        "Older records list the offence of glue abuse.",
    ],
)
def test_a_hit_named_as_an_official_category_is_a_mention(found, text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text,match",
    [
        ("The offence of assault on addicts carries a fine.", "addicts"),  # not the offence's name
        ("In conclusion, glue abuse is rising.", "abuse"),  # "conclusion" names no category here
        ("Glue abuse offences are rising.", "abuse"),  # the noun comes after the hit
        ("The verdict was a shock; glue abuse had not been suspected.", "abuse"),  # another clause
    ],
)
def test_a_category_noun_that_does_not_name_the_hit_does_not_make_a_mention(found, text, match):
    assert found(text) == [("ZZ003", match)] if "abuse" == match else found(text) == [("ZZ001", match)]


def test_a_title_case_line_is_a_name_only_when_a_name_head_ends_the_run_after_the_hit(found):
    assert found("- ☐ Addicts Support Services\n", "markdown") == []  # a service package on a form
    assert found("# Outreach For Addicts\n", "markdown") == [("ZZ001", "Addicts")]  # no name head after the hit
    assert found("# Addicts Wait Outside Daily\n", "markdown") == [("ZZ001", "Addicts")]


# -- a glossary entry defines its term: a mention ------------------------------------------------
@pytest.mark.parametrize(
    "text,fmt",
    [
        ("Addicts: a word some services once used for people who use drugs.", "text"),
        ("- **Glue abuse**: the old name for solvent use in records.\n", "markdown"),
        ("Addict – a person who is dependent on a drug, in the old Act.", "text"),
    ],
)
def test_the_term_a_definition_defines_is_a_mention(found, text, fmt):
    assert found(text, fmt) == []


@pytest.mark.parametrize(
    "text,match",
    [
        ("Addicts:", "Addicts"),  # a bare lead-in defines nothing
        ("Addicts: please wait outside the door.", "Addicts"),  # an instruction to people
        ("All addicts: see the nurse.", "addicts"),  # the hit does not open the sentence
        ("Addicts wait here: the nurse calls them in turn.", "Addicts"),  # no colon right after the hit
        ("Addicts means more people at the door.", "Addicts"),  # "means" is no definition
        ("Addicts: any resident found using will be asked to leave.", "Addicts"),  # a rule, not a definition
    ],
)
def test_a_hit_that_opens_an_instruction_or_a_clause_is_no_definition(found, text, match):
    assert found(text) == [("ZZ001", match)]


def test_a_lead_in_is_the_sentence_that_ends_in_the_colon(found):
    # "no longer" in the paragraph's first sentence does not make the list forbidden
    text = "Some conduct means the job can no longer go on. These are examples:\n\n- shouting at addicts\n"
    assert found(text, "markdown") == [("ZZ001", "addicts")]
    text = "Some staff shout. The following words are no longer used:\n\n- addicts\n"
    assert found(text, "markdown") == []  # the lead-in sentence itself is about words


@pytest.fixture(scope="module")
def found_at(zz_config):
    linter = Linter(zz_config)
    return lambda text, fmt="text": [(f.rule_id, f.match, f.line, f.column, f.end_column) for f in linter.lint_text(text, format=fmt)]


@pytest.mark.parametrize(
    "text,fmt,expected",
    [
        # negated naming: the label as object is still a use
        ("We never call a man an addict. We will not see addicts after 5pm.", "text", [("ZZ001", "addicts", 1, 48, 55)]),
        # an inline list after a lead-in that allows, next to one that forbids
        ("Never used: seclusion.\n\nUsed when needed: time out and seclusion.\n", "markdown", [("ZZ006", "seclusion", 3, 32, 41)]),
        # an official category names the first hit, not the second
        ("The offence of glue abuse differs from abuse by staff.", "text", [("ZZ003", "abuse", 1, 40, 45)]),
        # a glossary entry, then the same word in an instruction
        ("- Addicts: a word once used in records.\n- Addicts: please wait outside.\n", "markdown", [("ZZ001", "Addicts", 2, 3, 10)]),
    ],
)
def test_context_mechanisms_report_exact_positions(found_at, text, fmt, expected):
    assert found_at(text, fmt) == expected


# -- typographic apostrophes -------------------------------------------------------------
APOSTROPHE_PACK = """pack: apostrophe-test
prefix: ZZ
category: engine-test
description: A rule written with straight apostrophes.
rules:
  - id: ZZ010
    name: apostrophe-phrase
    severity: warning
    message: "'{match}' is a test phrase with an apostrophe."
    patterns:
      - phrase: what's wrong
      - phrase: will be sent away
    context:
      not_followed_by: ["from the child's record"]
    suggestions: ["what happened"]
    rationale: A test rule whose phrase and context are written with a straight apostrophe, for typographic apostrophes in documents.
    sources: [VA]
    examples:
      fail: ["Ask what's wrong.", "Pupils will be sent away."]
      pass: ["Ask what happened.", "The note will be sent away from the child's record."]
"""


@pytest.fixture(scope="module")
def apostrophe_found(tmp_path_factory):
    pack = tmp_path_factory.mktemp("pack") / "apostrophe.yaml"
    pack.write_text(APOSTROPHE_PACK, encoding="utf-8")
    linter = Linter(Config(extra_rules=(str(pack),), select=("ZZ010",)))
    return lambda text: [(f.rule_id, f.match) for f in linter.lint_text(text, format="text")]


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_a_phrase_written_with_a_straight_apostrophe_matches_either(apostrophe_found, apostrophe):
    # Word turns "what's" into "what’s"; rule packs are written with "'"
    assert apostrophe_found(f"Staff ask what{apostrophe}s wrong.") == [("ZZ010", f"what{apostrophe}s wrong")]


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_a_context_phrase_with_an_apostrophe_matches_either(apostrophe_found, apostrophe):
    assert apostrophe_found(f"The note will be sent away from the child{apostrophe}s record.") == []
    # ...and only the phrase it names: another possessive is no exception
    assert apostrophe_found(f"Pupils will be sent away from the teacher{apostrophe}s room.") == [("ZZ010", "will be sent away")]


# -- a list item continues its lead-in's sentence ---------------------------------------
def test_a_lead_in_ending_in_a_not_preceded_by_word_reaches_the_item_it_opens(found):
    # ZZ003 "abuse" is not flagged after "domestic": "...of domestic:" / "- abuse ..."
    text = "Workers are trained in the signs of domestic:\n\n- abuse and coercive control\n- stalking\n"
    assert found(text, fmt="markdown") == []


@pytest.mark.parametrize(
    "text",
    [
        # the lead-in ends in another word
        "Workers are trained in the signs of:\n\n- abuse and coercive control\n",
        # the hit does not open the item
        "Workers are trained in the signs of domestic:\n\n- verbal abuse and coercive control\n",
        # a paragraph, not a list item, after the lead-in
        "Workers are trained in the signs of domestic:\n\nabuse and coercive control are covered.\n",
    ],
)
def test_a_lead_in_reaches_only_an_item_it_opens(found, text):
    assert [r for r, _ in found(text, fmt="markdown")] == ["ZZ003"]


def test_a_rights_list_is_no_refusal(rule_linter):
    # BL011 is quiet after "right to" in a sentence; a rights list is the same sentence
    lint = lambda text: [(f.line, f.match) for f in rule_linter("BL011").lint_text(text, format="markdown") if f.rule_id == "BL011"]
    assert lint("You have the right to:\n\n- refuse any treatment offered to you\n- see your records\n") == []
    assert lint("A resident may be asked to leave if they:\n\n- refuse to pay rent for three months\n") == [(3, "refuse")]


# -- issue 11, session 3: names, quoted approaches, turning away, determiners, coordination --
@pytest.mark.parametrize(
    "text",
    [
        "She wrote to the Standing Conference on Addicts last year.",  # the head opens the name
        "The Addicts Outreach programme runs weekly.",  # a lower-case head straight after the name
    ],
)
def test_a_name_whose_head_opens_it_or_follows_in_lower_case_is_a_name(found, text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The conference on addicts was full.",  # no capitals: no name
        "At the Conference addicts spoke first.",  # the head is not linked to the hit by "on", "for"...
        "Our Addicts policy applies in the lobby.",  # a policy in lower case is the document's own stance
    ],
)
def test_a_head_that_does_not_make_a_name_leaves_the_hit(found, text):
    assert [r for r, _ in found(text)] == ["ZZ001"]


def test_a_neighbour_list_reaches_the_head_of_a_title_case_name(builtin):
    assert builtin("Any non-compliance with the Education (Early Childhood Services) Regulations 2008 is reported.") == []
    assert builtin("Non-compliance with Medication Plans is recorded.") == [("BL009", "Non-compliance")]  # no head at the end
    assert builtin("Non-compliance with treatment, as the Health Regulations say, is recorded.") == [("BL009", "Non-compliance")]


@pytest.mark.parametrize(
    "text,expected",
    [
        ('Many "zero tolerance" policies led to more exclusions.', []),  # other people's approaches
        ("Officials were asked about their 'zero tolerance' disciplinary policies.", []),
        ("The so-called zero tolerance approach failed.", []),
        ("We operate a 'zero tolerance' policy.", [("CO001", "zero tolerance")]),  # our own, singular: a use
        ("Zero tolerance policies apply on every ward.", [("CO001", "Zero tolerance")]),  # unquoted
    ],
)
def test_quoted_approaches_in_the_plural_and_so_called_are_mentions(builtin, text, expected):
    assert builtin(text) == expected


@pytest.mark.parametrize("text", ["We have moved away from seclusion.", "Staff use calm talk rather than seclusion.", "We are moving away from seclusion in our homes."])
def test_a_practice_turned_away_from_is_not_flagged(found, text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "We moved away from the old building, and seclusion is used there.",  # another clause
        "Seclusion rather than restraint is used.",  # the cue comes after the practice
    ],
)
def test_turning_away_from_something_else_does_not_suppress(found, text):
    assert ("ZZ006", "Seclusion" if text.startswith("Seclusion") else "seclusion") in found(text)


def test_avoid_with_a_determiner_names_a_practice_not_a_term(found):
    assert found("Avoid any glue or solvent abuse.") == [("ZZ003", "abuse")]
    assert found("Avoid addicts, junkies or users.") == []  # a list of bare terms is still a mention


def test_a_second_verb_shares_the_subject_of_the_first(found):
    assert found("The patient does not take the tablets prescribed by the doctor last week or refuses them.") == [("ZZ002", "refuses")]
    # without the join the subject is out of reach
    assert found("The patient who saw the doctor about the new tablets last week now refuses them.") == []


def test_a_neighbour_before_a_pair_of_verbs_governs_both(builtin):
    assert builtin("The panel decides whether to grant or refuse each appeal.") == []
    assert builtin("Tenants who sign or refuse the form get a copy.") == [("BL011", "refuse")]


def test_a_hyphen_neighbour_binds_only_its_own_compound(builtin):
    # SU003 skips a hit right after "-" ("non-alcoholic"); that hyphen belongs to "drug-users"
    assert builtin("Known drug-users or alcoholics are seen at the drop-in.") == [("SU007", "drug-users"), ("SU003", "alcoholics")]
    assert builtin("Non-alcoholic or low-alcohol drinks are served at the party.") == []
