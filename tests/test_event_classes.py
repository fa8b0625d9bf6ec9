"""Classes of event errors real statements show (issue 14), each on sentences written here."""

from __future__ import annotations

from datetime import date

import pytest

from extract import entities, nlp
from extract.events import Event, find_events
from extract.watchlist import parse_watchlist

PEOPLE = ["Omar Haddad", "Lina Saad", "Tariq Bello", "Mira Osei", "Pavel Dunn", "Ines Varga",
          "Kofi Mensah", "Ruth Adler"]
WATCHLIST = parse_watchlist({"people": [{"name": n} for n in PEOPLE]}, "<test>")
PUB = date(2026, 11, 30)


@pytest.fixture(scope="module")
def model():  # noqa: ANN201 - spaCy Language
    return entities.add_watchlist(nlp.load_model(), WATCHLIST)


def run(model, text: str) -> list[Event]:  # noqa: ANN001
    doc = model(text)
    return find_events(doc, entities.find_mentions(doc, WATCHLIST), PUB)


def asserted(model, text: str) -> set[tuple[str, str]]:  # noqa: ANN001
    return {(e.type, e.person) for e in run(model, text) if e.asserted}


@pytest.mark.parametrize("text", [
    "Release Omar Haddad now!",
    "Immediately release Omar Haddad and drop the case!",
    "The union calls for the release of Omar Haddad.",
    "We urge the authorities to release Omar Haddad without delay.",
    "Omar Haddad should be freed at once.",
    "Authorities must drop the case and release Omar Haddad.",
])
def test_demands_are_not_events(model, text: str) -> None:  # noqa: ANN001
    assert ("release", "Omar Haddad") not in asserted(model, text)


def test_a_presupposed_trigger_stays_when_not_coordinated(model) -> None:  # noqa: ANN001
    found = asserted(model, "The group asked the court to overturn the conviction of Omar Haddad.")
    assert ("sentence", "Omar Haddad") in found


def test_the_source_of_a_report_does_not_inherit_it(model) -> None:  # noqa: ANN001
    found = asserted(model, "According to his lawyer, Lina Saad, Omar Haddad was questioned for hours.")
    assert found == {("summons", "Omar Haddad")}


def test_a_name_in_a_parenthesis_does_not_inherit(model) -> None:  # noqa: ANN001
    found = asserted(model, "The editor (a former colleague of Lina Saad) and Omar Haddad were detained.")
    assert ("arrest", "Lina Saad") not in found


def test_companions_alongside_share_the_event(model) -> None:  # noqa: ANN001
    found = asserted(model, "Omar Haddad was detained alongside fellow poets Lina Saad and Tariq Bello.")
    assert {("arrest", "Omar Haddad"), ("arrest", "Lina Saad"), ("arrest", "Tariq Bello")} <= found


def test_a_numbered_group_names_its_members_in_apposition(model) -> None:  # noqa: ANN001
    found = asserted(model, "Three reporters Mira Osei, Pavel Dunn and Ines Varga have been released.")
    assert {("release", "Mira Osei"), ("release", "Pavel Dunn"), ("release", "Ines Varga")} <= found


def test_a_bare_number_refers_to_the_group_named_before(model) -> None:  # noqa: ANN001
    text = ("Police detained Kofi Mensah, Ruth Adler and Pavel Dunn at the rally on Friday. "
            "The three were charged with unlawful assembly.")
    found = asserted(model, text)
    assert {("charge", "Kofi Mensah"), ("charge", "Ruth Adler"), ("charge", "Pavel Dunn")} <= found


def test_the_group_noun_refers_to_the_list_just_before(model) -> None:  # noqa: ANN001
    text = ("Officers stopped several musicians, including Mira Osei and Tariq Bello, on Monday. "
            "The musicians were arrested and held overnight.")
    found = asserted(model, text)
    assert {("arrest", "Mira Osei"), ("arrest", "Tariq Bello")} <= found


def test_verdict_on_a_trigger_noun_reaches_the_people_of_its_for(model) -> None:  # noqa: ANN001
    found = asserted(model, "On Tuesday the sentences were upheld for two editors, including "
                            "Lina Saad and Omar Haddad.")
    assert {("sentence", "Lina Saad"), ("sentence", "Omar Haddad")} <= found


@pytest.mark.parametrize(("text", "etype"), [
    ("Omar Haddad remains imprisoned in the capital.", "arrest"),
    ("Omar Haddad remains in detention.", "arrest"),
    ("Omar Haddad has been behind bars since March.", "arrest"),
    ("Omar Haddad is serving a six-year sentence.", "sentence"),
])
def test_states_are_facts(model, text: str, etype: str) -> None:  # noqa: ANN001
    assert (etype, "Omar Haddad") in asserted(model, text)


@pytest.mark.parametrize("text", [
    "Omar Haddad was found guilty of spreading false news.",
    "A regional court found Omar Haddad guilty of insulting officials.",
])
def test_found_guilty_is_a_conviction(model, text: str) -> None:  # noqa: ANN001
    assert ("sentence", "Omar Haddad") in asserted(model, text)


def test_a_cut_sentence_has_the_new_term(model) -> None:  # noqa: ANN001
    (ev,) = [e for e in run(model, "Omar Haddad's sentence was cut to three years.")
             if e.type == "sentence"]
    assert ev.term == "three years"


def test_arrested_on_charges_is_also_a_charge(model) -> None:  # noqa: ANN001
    found = asserted(model, "Omar Haddad was arrested on charges of spreading propaganda.")
    assert {("arrest", "Omar Haddad"), ("charge", "Omar Haddad")} <= found


def test_a_headline_participle_is_passive(model) -> None:  # noqa: ANN001
    found = asserted(model, "Poets Lina Saad and Tariq Bello sentenced to prison")
    assert {("sentence", "Lina Saad"), ("sentence", "Tariq Bello")} <= found


def test_taken_in_for_questioning(model) -> None:  # noqa: ANN001
    found = asserted(model, "Omar Haddad and his brother were taken in for questioning on Saturday.")
    assert ("summons", "Omar Haddad") in found


def test_a_released_work_is_not_a_release(model) -> None:  # noqa: ANN001
    found = asserted(model, "The documentary by Omar Haddad was released in cinemas last week.")
    assert ("release", "Omar Haddad") not in found


def test_a_possessor_with_an_of_object_is_the_agent(model) -> None:  # noqa: ANN001
    found = asserted(model, "Omar Haddad was known for his questioning of official history.")
    assert ("summons", "Omar Haddad") not in found


def test_a_name_used_as_modifier_is_no_antecedent(model) -> None:  # noqa: ANN001
    text = ("Omar Haddad wrote against the Saad government for decades. "
            "He was arrested in 1990.")
    found = asserted(model, text)
    assert ("arrest", "Omar Haddad") in found
    assert ("arrest", "Lina Saad") not in found


def test_a_full_date_gives_day_precision(model) -> None:  # noqa: ANN001
    (ev,) = run(model, "On Sunday, 29 November 2026, police arrested Omar Haddad at home.")
    assert (ev.date, ev.date_precision) == (date(2026, 11, 29), "day")


def test_signatories_do_not_join_a_group(model) -> None:  # noqa: ANN001
    text = ("The letter, signed by Lina Saad and Tariq Bello, names the detained poets. "
            "Both were arrested in May.")
    found = asserted(model, text)
    assert ("arrest", "Lina Saad") not in found and ("arrest", "Tariq Bello") not in found


def test_jurors_in_an_including_list_do_not_share_the_event(model) -> None:  # noqa: ANN001
    text = "Omar Haddad was released, with the festival jurors, including juror Mira Osei, present."
    assert ("release", "Mira Osei") not in asserted(model, text)


def test_the_registry_is_what_config_digest_and_case_file_read() -> None:
    from extract import event_lexicon, event_types
    from pipeline import config
    from pipeline.reports import casefile, digest

    names = event_types.names()
    assert config.EVENT_TYPES == names == event_lexicon.EVENT_TYPES
    assert set(config.DEFAULT_ALERT_EVENTS) == {"arrest", "sentence", "killing", "summons",
                                                 "charge", "ban"}
    assert set(digest.EVENT_LABELS) == set(casefile.STATUS) == set(names)
    assert digest.EVENT_LABELS["arrest"] == "arrested" and casefile.STATUS["arrest"] == "detained"
    assert event_types.by_name()["hunger_strike"].title == "HUNGER STRIKE"


def test_config_rejects_a_type_the_registry_lacks(tmp_path) -> None:  # noqa: ANN001
    from pipeline.config import ConfigError, load_config

    path = tmp_path / "config.toml"
    path.write_text('[alerts]\nevents = ["arrest", "jailbreak"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="jailbreak"):
        load_config(path)


def test_an_including_list_skips_names_in_parentheses(model) -> None:  # noqa: ANN001
    text = ("Rights groups condemned the detention of six artists on Friday, including Mira Osei, "
            "Pavel Dunn (a friend of Ruth Adler) and Ines Varga.")
    found = asserted(model, text)
    assert {("arrest", "Mira Osei"), ("arrest", "Pavel Dunn"), ("arrest", "Ines Varga")} <= found
    assert ("arrest", "Ruth Adler") not in found


def test_coordinated_trigger_nouns_share_their_of_object(model) -> None:  # noqa: ANN001
    found = asserted(model, "The union condemns the arrest, detention and charging of Omar Haddad.")
    assert {("arrest", "Omar Haddad"), ("charge", "Omar Haddad")} <= found


def test_the_judge_who_convicted_gets_no_sentence(model) -> None:  # noqa: ANN001
    text = ("Omar Haddad and Lina Saad were convicted in May by magistrate Tariq Bello. "
            "The appeal judges ruled that Bello was wrong in convicting the two.")
    assert ("sentence", "Tariq Bello") not in asserted(model, text)


def test_a_group_word_reaches_the_list_that_follows_it(model) -> None:  # noqa: ANN001
    text = ("Police arrested eight reporters last week. Three of the reporters, editor Mira Osei, "
            "photographer Pavel Dunn and columnist Ines Varga, remain behind bars.")
    found = asserted(model, text)
    assert {("arrest", "Mira Osei"), ("arrest", "Pavel Dunn"), ("arrest", "Ines Varga")} <= found


def test_the_trial_is_the_trial_of_whom_the_text_was_just_about(model) -> None:  # noqa: ANN001
    text = ("Omar Haddad and Lina Saad were sentenced to life in prison on Friday. "
            "Observers who followed the trial said it was unfair.")
    found = asserted(model, text)
    assert {("charge", "Omar Haddad"), ("charge", "Lina Saad")} <= found


def test_a_place_noun_with_the_is_no_event_of_the_last_person(model) -> None:  # noqa: ANN001
    text = "Omar Haddad has been on hunger strike for 40 days, his sister told reporters outside the prison."
    assert ("arrest", "Omar Haddad") not in asserted(model, text)


# ---------------------------------------------------------------- second round (issue 14)


def test_a_bare_surname_the_mentions_left_out_is_the_named_person(model) -> None:  # noqa: ANN001
    text = "The poet Omar Haddad spoke at the fair. Two weeks later Haddad was arrested in Tunis."
    doc = model(text)
    full = [m for m in entities.find_mentions(doc, WATCHLIST) if m.start == text.index("Omar")]
    # only the full name is a mention, as when the model calls the surname a place
    found = {(e.type, e.person) for e in find_events(doc, full, PUB) if e.asserted}
    assert found == {("arrest", "Omar Haddad")}


def test_a_surname_two_people_share_stays_unresolved(model) -> None:  # noqa: ANN001
    text = "Omar Haddad and his brother Sami Haddad ran a studio. Haddad was arrested in Tunis."
    doc = model(text)
    full = [m for m in entities.find_mentions(doc, WATCHLIST) if m.text in ("Omar Haddad", "Sami Haddad")]
    assert not [e for e in find_events(doc, full, PUB) if e.type == "arrest"]


def test_a_subject_parsed_into_an_opening_date_is_the_subject(model) -> None:  # noqa: ANN001
    found = asserted(model, "On 3 May, 2026 Mira Osei and her co-defendants were sentenced to nine "
                            "years in prison.")
    assert ("sentence", "Mira Osei") in found


@pytest.mark.parametrize("text", [
    "The death of Tariq Bello in custody caused an outcry.",
    "Tariq Bello's death in detention led to protests.",
])
def test_a_death_in_custody_is_a_killing(model, text: str) -> None:  # noqa: ANN001
    assert ("killing", "Tariq Bello") in asserted(model, text)


@pytest.mark.parametrize("text", [
    "Tariq Bello received death threats after the film came out.",
    "The death of Tariq Bello at home was announced by his publisher.",
])
def test_a_death_outside_custody_is_no_killing(model, text: str) -> None:  # noqa: ANN001
    assert ("killing", "Tariq Bello") not in asserted(model, text)


def test_a_case_against_someone_is_a_charge(model) -> None:  # noqa: ANN001
    assert ("charge", "Pavel Dunn") in asserted(
        model, "Prosecutors opened a criminal case against Pavel Dunn last week.")
    assert not asserted(model, "In the case of Pavel Dunn, the festival paid for the flight.")


@pytest.mark.parametrize("text", [
    "Mira Osei received two years of probation.",
    "Mira Osei is serving a five-year prison term.",
])
def test_probation_and_prison_terms_are_sentences(model, text: str) -> None:  # noqa: ANN001
    assert ("sentence", "Mira Osei") in asserted(model, text)


@pytest.mark.parametrize("text", [
    "Kofi Mensah was abducted by armed men outside his home.",
    "Gunmen kidnapped Kofi Mensah on the road to the capital.",
    "Kofi Mensah was remanded in custody until his trial.",
])
def test_abductions_and_remands_are_arrests(model, text: str) -> None:  # noqa: ANN001
    assert ("arrest", "Kofi Mensah") in asserted(model, text)


def test_walking_into_a_police_station_is_no_arrest(model) -> None:  # noqa: ANN001
    assert ("arrest", "Ruth Adler") not in asserted(
        model, "Ruth Adler spoke to reporters before entering the police station.")
    assert ("arrest", "Ruth Adler") in asserted(
        model, "Ruth Adler was taken to a police station and held overnight.")


def test_a_ban_imposed_beside_a_trigger_falls_on_its_people(model) -> None:  # noqa: ANN001
    found = asserted(model, "Officials confiscated the passports of Lina Saad and Omar Haddad and "
                            "imposed a travel ban.")
    assert {("ban", "Lina Saad"), ("ban", "Omar Haddad")} <= found


@pytest.mark.parametrize(("text", "etype"), [
    ("Poet Omar Haddad detained at Cairo airport", "arrest"),
    ("Omar Haddad sentenced to six years", "sentence"),
    ("Journalist Omar Haddad freed on bail", "release"),
])
def test_a_headline_without_was_is_passive(model, text: str, etype: str) -> None:  # noqa: ANN001
    assert (etype, "Omar Haddad") in asserted(model, text)


def test_a_full_sentence_keeps_its_active_subject(model) -> None:  # noqa: ANN001
    assert not asserted(model, "The court released its ruling on Omar Haddad's appeal.")


@pytest.mark.parametrize("text", [
    "Omar Haddad was picked up by plainclothes officers.",
    "Omar Haddad was forcibly disappeared in 2022.",
    "Relatives have had no news since the enforced disappearance of Omar Haddad.",
    "Omar Haddad has been missing since he was seized by gunmen.",
    "Omar Haddad was transferred to Evin prison.",
])
def test_ways_of_saying_someone_was_taken(model, text: str) -> None:  # noqa: ANN001
    assert ("arrest", "Omar Haddad") in asserted(model, text)


def test_seized_property_stays_a_confiscation(model) -> None:  # noqa: ANN001
    found = asserted(model, "Police seized the laptops of Omar Haddad.")
    assert found == {("confiscation", "Omar Haddad")}


def test_facing_charges_is_a_charge_facing_prison_is_not(model) -> None:  # noqa: ANN001
    assert ("charge", "Omar Haddad") in asserted(model, "Omar Haddad faces charges of espionage.")
    assert not asserted(model, "Omar Haddad could face up to ten years in prison.")


def test_along_with_shares_the_event_whatever_the_parse(model) -> None:  # noqa: ANN001
    found = asserted(model, "Omar Haddad was arrested along with his colleague Lina Saad.")
    assert {("arrest", "Omar Haddad"), ("arrest", "Lina Saad")} <= found


@pytest.mark.parametrize("text", [
    "Omar Haddad was released from hospital on Monday.",
    "Omar Haddad was questioned by reporters about the film.",
])
def test_a_hospital_release_and_a_press_question_are_no_events(model, text: str) -> None:  # noqa: ANN001
    assert not asserted(model, text)


def test_a_protest_against_an_arrest_presupposes_it(model) -> None:  # noqa: ANN001
    found = asserted(model, "Omar Haddad signed a petition against the arrest of Lina Saad.")
    assert found == {("arrest", "Lina Saad")}
    assert not asserted(model, "Omar Haddad signed a petition for the release of Lina Saad.")


@pytest.mark.parametrize("text", [
    "Omar Haddad, a former political prisoner, spoke at the festival.",
    "Omar Haddad is a prisoner of conscience.",
])
def test_a_prisoner_in_apposition_is_held(model, text: str) -> None:  # noqa: ANN001
    assert ("arrest", "Omar Haddad") in asserted(model, text)


def test_prisoners_in_general_are_nobody_named(model) -> None:  # noqa: ANN001
    assert not asserted(model, "Omar Haddad made a film about prisoners in Syria.")


def test_the_named_co_defendants_share_the_case(model) -> None:  # noqa: ANN001
    found = asserted(model, "The court heard the case against Omar Haddad and his co-defendants: "
                            "Lina Saad, Pavel Dunn, and Mira Osei.")
    assert {("charge", n) for n in ("Omar Haddad", "Lina Saad", "Pavel Dunn", "Mira Osei")} <= found


@pytest.mark.parametrize("text", [
    "Omar Haddad was granted bail in a case filed by the police.",
    "Omar Haddad was arrested under administrative charges.",
    "Omar Haddad has been awaiting trial since 2020.",
    "The union urged the authorities to release Omar Haddad and drop all charges.",
])
def test_ways_of_saying_someone_is_charged(model, text: str) -> None:  # noqa: ANN001
    assert ("charge", "Omar Haddad") in asserted(model, text)


def test_a_demand_to_drop_charges_asks_for_the_release_still(model) -> None:  # noqa: ANN001
    found = asserted(model, "The union urged the authorities to release Omar Haddad and drop all charges.")
    assert ("release", "Omar Haddad") not in found


def test_a_risk_of_arrest_is_no_arrest(model) -> None:  # noqa: ANN001
    assert not asserted(model, "Omar Haddad risks being arrested.")
    assert not asserted(model, "Omar Haddad is expected to be released next week.")


def background(model, text: str) -> set[tuple[str, str]]:  # noqa: ANN001
    return {(e.type, e.person) for e in run(model, text) if e.asserted and e.background}


def test_arrested_before_is_background(model) -> None:  # noqa: ANN001
    found = background(model, "Lina Saad, who was arrested before, was released on Monday.")
    assert found == {("arrest", "Lina Saad")}
    assert not background(model, "Lina Saad was arrested before the festival began.")


def test_since_his_release_is_background_and_his_is_the_subject_ahead(model) -> None:  # noqa: ANN001
    text = "Lina Saad was released in May. Since his release, Omar Haddad has lived in Paris."
    assert ("release", "Omar Haddad") in background(model, text)
    assert {e.person for e in run(model, text) if e.sentence.startswith("Since")} == {"Omar Haddad"}


def test_an_appeal_for_a_release_asks_for_it(model) -> None:  # noqa: ANN001
    found = asserted(model, "The union appeals for the release of Omar Haddad, detained since June.")
    assert found == {("arrest", "Omar Haddad")}
    appealed = asserted(model, "The union will appeal the sentence of Omar Haddad.")
    assert ("sentence", "Omar Haddad") in appealed


def test_a_participle_after_a_name_and_comma_is_about_the_name(model) -> None:  # noqa: ANN001
    found = asserted(model, "Journalists demanded the release of Omar Haddad, arrested on Monday.")
    assert found == {("arrest", "Omar Haddad")}


@pytest.mark.parametrize(("text", "etype"), [
    ("Omar Haddad was called in for interrogation.", "summons"),
    ("Omar Haddad was placed in solitary confinement.", "arrest"),
    ("Omar Haddad was one of three journalists detained on Monday.", "arrest"),
    ("Omar Haddad, one of those detained, is a poet.", "arrest"),
])
def test_more_ways_of_saying_it(model, text: str, etype: str) -> None:  # noqa: ANN001
    assert (etype, "Omar Haddad") in asserted(model, text)


def test_the_profession_a_person_was_introduced_with_stands_for_them(model) -> None:  # noqa: ANN001
    found = asserted(model, "Poet Omar Haddad was arrested in May. The poet was later released.")
    assert ("release", "Omar Haddad") in found
    found = asserted(model, "Omar Haddad, a filmmaker, met the poet Lina Saad. The filmmaker was detained.")
    assert ("arrest", "Omar Haddad") in found and ("arrest", "Lina Saad") not in found


def test_a_profession_nobody_was_introduced_with_is_nobody(model) -> None:  # noqa: ANN001
    assert not asserted(model, "Omar Haddad met the poet in Paris. The poet was later arrested.")


def test_an_undated_headline_is_told_by_the_story_sentence(model) -> None:  # noqa: ANN001
    evs = run(model, "Filmmaker Omar Haddad arrested\nOmar Haddad was arrested on 24 November 2026 in Tunis.")
    assert [(e.type, e.date) for e in evs] == [("arrest", date(2026, 11, 24))]
    assert [e.type for e in run(model, "Filmmaker Omar Haddad arrested\nHe is a poet.")] == ["arrest"]


# ---------------------------------------------------------------- classes the dev2 pages show


@pytest.mark.parametrize("text", [
    "Omar Haddad and Lina Saad are both reported to have been released on bail.",
    "Omar Haddad is said to be held in a prison near the border.",
    "Omar Haddad appears to have been detained at the airport.",
])
def test_a_reported_fact_is_asserted(model, text: str) -> None:  # noqa: ANN001
    assert asserted(model, text)


@pytest.mark.parametrize("text", [
    "Officials said Omar Haddad was expected to be released.",
    "Omar Haddad asked to be released until the hearing.",
])
def test_an_expected_or_wished_event_is_not(model, text: str) -> None:  # noqa: ANN001
    assert ("release", "Omar Haddad") not in asserted(model, text)


@pytest.mark.parametrize("text", [
    "The blogger Omar Haddad was handed a four-year term.",
    "The poet Omar Haddad was given 10 years after a short trial.",
    "Omar Haddad was given seven years in prison for a poem.",
    "A judge meted out prison terms to Omar Haddad and Lina Saad on Monday.",
])
def test_a_prison_term_given_is_a_sentence(model, text: str) -> None:  # noqa: ANN001
    assert ("sentence", "Omar Haddad") in asserted(model, text)


@pytest.mark.parametrize("text", [
    "The court gave Omar Haddad two years to appeal.",
    "The festival gave Omar Haddad two years of funding.",
    "Omar Haddad was given 30 days to leave the country.",
])
def test_time_given_for_something_else_is_no_sentence(model, text: str) -> None:  # noqa: ANN001
    assert ("sentence", "Omar Haddad") not in asserted(model, text)


def test_a_prison_named_after_a_place_is_nobody(model) -> None:  # noqa: ANN001
    found = asserted(model, "The singers Lina Saad and Tariq Bello were arrested and taken to "
                            "Korvel Prison.")
    assert {p for _, p in found} == {"Lina Saad", "Tariq Bello"}


def test_a_group_subject_is_the_people_it_is_said_to_be(model) -> None:  # noqa: ANN001
    found = asserted(model, "The three poets charged are Omar Haddad, Lina Saad and Tariq Bello.")
    assert {("charge", p) for p in ("Omar Haddad", "Lina Saad", "Tariq Bello")} <= found
    found = asserted(model, "The two men arrested on Friday have been identified as stand-up "
                            "comedians Pavel Dunn and Kofi Mensah.")
    assert {("arrest", "Pavel Dunn"), ("arrest", "Kofi Mensah")} <= found


def test_the_men_refers_to_the_group_just_named(model) -> None:  # noqa: ANN001
    text = ("Police arrested Omar Haddad and Tariq Bello on Friday. "
            "The arrested men have been booked under section 188 of the penal code.")
    assert {("charge", "Omar Haddad"), ("charge", "Tariq Bello")} <= asserted(model, text)


@pytest.mark.parametrize(("text", "expected"), [
    ("Police booked Omar Haddad under section 295A of the penal code.", {("charge", "Omar Haddad")}),
    ("Omar Haddad booked a flight under his own name.", set()),
    ("Police summoned Omar Haddad in a sedition case.",
     {("charge", "Omar Haddad"), ("summons", "Omar Haddad")}),
    ("In this case Omar Haddad was arrested.", {("arrest", "Omar Haddad")}),
])
def test_an_indian_police_case_is_a_charge(model, text: str, expected: set) -> None:  # noqa: ANN001
    assert asserted(model, text) == expected


def test_denied_charges_exist(model) -> None:  # noqa: ANN001
    assert ("charge", "Omar Haddad") in asserted(model, "Omar Haddad denied the charges.")
    assert ("charge", "Omar Haddad") in asserted(model, "Omar Haddad rejected the charges against him.")
    assert ("charge", "Omar Haddad") not in asserted(model, "Omar Haddad escaped the charges.")


def test_each_received_a_term(model) -> None:  # noqa: ANN001
    found = asserted(model, "Omar Haddad and Lina Saad each received six months for spreading false news.")
    assert {("sentence", "Omar Haddad"), ("sentence", "Lina Saad")} <= found


def test_had_his_passport_confiscated(model) -> None:  # noqa: ANN001
    found = asserted(model, "On Monday, the filmmaker Omar Haddad had his passport "
                            "confiscated at the airport.")
    assert ("confiscation", "Omar Haddad") in found


def test_a_fatal_attack_is_a_killing(model) -> None:  # noqa: ANN001
    assert ("killing", "Omar Haddad") in asserted(
        model, "It followed the fatal stabbing of the radio host Omar Haddad.")
    assert ("killing", "Omar Haddad") not in asserted(
        model, "It followed the stabbing of the radio host Omar Haddad.")


def test_the_officer_in_charge_is_not_charged(model) -> None:  # noqa: ANN001
    found = asserted(model, "Inspector in-charge of the Tukoganj police station Kofi Mensah "
                            "told reporters that Omar Haddad was arrested.")
    assert found == {("arrest", "Omar Haddad")}


def test_a_legal_obstacle_is_no_ban(model) -> None:  # noqa: ANN001
    assert ("ban", "Omar Haddad") not in asserted(
        model, "Omar Haddad has been prevented from appointing a lawyer of his choice.")
    assert ("ban", "Omar Haddad") in asserted(
        model, "Omar Haddad was prevented from boarding a plane to Paris.")


@pytest.mark.parametrize(("text", "charged"), [
    ("Omar Haddad was convicted of spreading false news.", True),
    ("A court found Omar Haddad guilty of sedition.", True),
    ("Omar Haddad was sentenced to two years for propaganda.", True),
    ("Omar Haddad was sentenced to six months for airing the film.", False),
    ("Omar Haddad was sentenced to two years in prison.", False),
    ("Omar Haddad was jailed for six months.", False),
])
def test_a_conviction_that_names_its_offence_tells_the_charge(model, text: str, charged: bool) -> None:  # noqa: ANN001
    evs = [e for e in run(model, text) if e.asserted]
    assert ("sentence", "Omar Haddad") in {(e.type, e.person) for e in evs}
    charges = [e for e in evs if e.type == "charge"]
    assert bool(charges) == charged
    assert all(e.background for e in charges)  # the charge came before: no alert of its own


def test_a_release_tells_the_arrest_before_it(model) -> None:  # noqa: ANN001
    evs = [e for e in run(model, "Omar Haddad was released on bail on Monday.") if e.asserted]
    assert {e.type for e in evs} == {"release", "arrest"}
    (arrest,) = [e for e in evs if e.type == "arrest"]
    assert arrest.background and arrest.date is None
    for text in ("Omar Haddad was questioned for hours and released after questioning.",
                 "Omar Haddad was fined and released."):
        assert ("arrest", "Omar Haddad") not in asserted(model, text)  # not held: no arrest
    evs = [e for e in run(model, "Lina Saad was among hundreds pardoned by the king.") if e.asserted]
    assert {"release", "arrest", "sentence"} <= {e.type for e in evs}


def test_a_told_arrest_is_not_doubled_by_the_release(model) -> None:  # noqa: ANN001
    evs = run(model, "Omar Haddad was arrested on 3 May 2026. He was released two days later.")
    arrests = [e for e in evs if e.type == "arrest"]
    assert len(arrests) == 1 and arrests[0].date == date(2026, 5, 3)


def test_a_detention_ordered_by_a_court_is_a_detention(model) -> None:  # noqa: ANN001
    assert ("arrest", "Omar Haddad") in asserted(
        model, "On March 8, the court ordered Omar Haddad to be detained for four months.")
    assert ("release", "Omar Haddad") not in asserted(
        model, "The judge wanted Omar Haddad to be released.")


def test_those_excepted_do_not_share_the_event(model) -> None:  # noqa: ANN001
    found = asserted(model, "Police detained Omar Haddad, Lina Saad and Tariq Bello on Monday. "
                            "All of them were freed at midnight except for Lina Saad and Tariq Bello.")
    assert ("release", "Omar Haddad") in found
    assert not {("release", "Lina Saad"), ("release", "Tariq Bello")} & found


def test_the_source_of_a_report_keeps_her_own_event(model) -> None:  # noqa: ANN001
    found = asserted(model, "Three reporters remain in custody, according to Lina Saad, a veteran "
                            "journalist who was jailed from 2014 to 2016.")
    assert ("arrest", "Lina Saad") in found


def test_a_ruler_coordinated_by_a_misparse_is_no_victim(model) -> None:  # noqa: ANN001
    found = asserted(model, "With the arrest of Lina Saad, Ayatollah Omar Haddad and his government "
                            "cement their legacy.")
    assert found == {("arrest", "Lina Saad")}


def test_a_place_used_as_a_modifier_takes_no_pronoun(model) -> None:  # noqa: ANN001
    text = ("Unknown men seized the editor in the Jalal-Abad region. The next day, Jalal-Abad police "
            "arrested Omar Haddad. Police are holding him in a detention facility.")
    assert {p for _, p in asserted(model, text)} == {"Omar Haddad"}


def test_a_one_word_name_after_its_role_in_apposition(model) -> None:  # noqa: ANN001
    text = ("The lyricist was sentenced to seven years, while the singer, Tsewang, "
            "was sentenced to three years.")
    assert ("sentence", "Tsewang") in asserted(model, text)


def test_a_term_received_with_a_clause_after_it(model) -> None:  # noqa: ANN001
    text = ("Omar Haddad and Lina Saad each received six months for spreading false news, "
            "specifically targeting the president.")
    assert {("sentence", "Omar Haddad"), ("sentence", "Lina Saad")} <= asserted(model, text)


def test_a_possessive_belongs_to_its_clause_subject(model) -> None:  # noqa: ANN001
    text = ("Lina Saad was stopped at the border in June. Lina Saad later left. "
            "Omar Haddad is now in the second year of his incarceration.")
    found = asserted(model, text)
    assert ("arrest", "Omar Haddad") in found and ("arrest", "Lina Saad") not in found


def test_an_including_list_is_read_to_its_end(model) -> None:  # noqa: ANN001
    text = ("Sentences were confirmed for five reporters, including editor Omar Haddad, analyst "
            "Lina Saad (also a radio correspondent), and reporters Tariq Bello and Mira Osei.")
    found = asserted(model, text)
    assert {("sentence", p) for p in ("Omar Haddad", "Lina Saad", "Tariq Bello", "Mira Osei")} <= found


@pytest.mark.parametrize("text", [
    "Police filed a case against Omar Haddad on Monday.",
    "Omar Haddad was detained after cases were registered against him under the penal code.",
])
def test_a_case_opened_against_someone_is_a_charge(model, text: str) -> None:  # noqa: ANN001
    assert ("charge", "Omar Haddad") in asserted(model, text)


def test_the_suspects_are_the_group_just_named(model) -> None:  # noqa: ANN001
    text = ("Police detained Omar Haddad and Lina Saad on Friday. "
            "The two suspects were released on bail on Saturday.")
    assert {("release", "Omar Haddad"), ("release", "Lina Saad")} <= asserted(model, text)


def test_an_infinitive_goal_is_no_event(model) -> None:  # noqa: ANN001
    assert ("release", "Omar Haddad") not in asserted(
        model, "We urge the authorities to prevent the extradition of Omar Haddad and to secure "
               "his immediate release.")
    assert ("release", "Omar Haddad") in asserted(
        model, "Lawyers managed to secure the release of Omar Haddad last week.")
    assert ("sentence", "Omar Haddad") in asserted(
        model, "Omar Haddad was given a week to serve a nine-month sentence.")


def test_the_charges_as_subject_are_the_last_named_persons(model) -> None:  # noqa: ANN001
    text = "Police detained the blogger Omar Haddad on Monday. The charges stem from a post on his blog."
    assert ("charge", "Omar Haddad") in asserted(model, text)


def test_a_participle_joined_to_a_relative_clause_belongs_to_the_main_subject(model) -> None:  # noqa: ANN001
    text = ("Omar Haddad was reportedly tried in absentia during the crackdown that followed and "
            "sentenced to four months in prison.")
    assert ("sentence", "Omar Haddad") in asserted(model, text)


def test_a_counted_group_reaches_back_to_a_group_of_that_size(model) -> None:  # noqa: ANN001
    text = ("Police detained Omar Haddad and Lina Saad on Friday. The channels they ran had a large "
            "audience. Officials praised the police. The two suspects were later released on bail.")
    assert {("release", "Omar Haddad"), ("release", "Lina Saad")} <= asserted(model, text)


def test_a_press_release_is_no_release(model) -> None:  # noqa: ANN001
    evs = run(model, "According to a press release, Omar Haddad was arrested.")
    found = {(e.type, e.person) for e in evs}
    assert found == {("arrest", "Omar Haddad")}


# ---------------------------------------------------------------- classes that generalise
# (events6: general classes found on sentences written here, beside the dev misses)


@pytest.mark.parametrize("text", [
    "The group condemned the arrest of journalist Omar Haddad, poet Lina Saad, and cartoonist "
    "and translator Tariq Bello.",
    "The union is worried about the continued detention of writer Omar Haddad, poet Lina Saad, "
    "and cartoonist Tariq Bello.",
    "Police detained the poet Omar Haddad, the novelist Lina Saad and the cartoonist Tariq Bello.",
])
def test_a_list_of_names_shares_the_event_where_the_parse_drops_its_tail(model, text: str) -> None:  # noqa: ANN001
    found = asserted(model, text)
    assert {("arrest", n) for n in ("Omar Haddad", "Lina Saad", "Tariq Bello")} <= found


def test_ages_between_listed_names_keep_the_list(model) -> None:  # noqa: ANN001
    found = asserted(model, "Journalist Omar Haddad, 34, and poet Lina Saad, 29, were arrested on Monday.")
    assert {("arrest", "Omar Haddad"), ("arrest", "Lina Saad")} <= found


@pytest.mark.parametrize("text", [
    "The arrest of Omar Haddad, his lawyer Lina Saad said, was unlawful.",
    "The arrest of Omar Haddad was condemned by Lina Saad and Tariq Bello.",
])
def test_a_list_does_not_run_past_a_role_or_a_verb(model, text: str) -> None:  # noqa: ANN001
    found = asserted(model, text)
    assert ("arrest", "Omar Haddad") in found
    assert ("arrest", "Lina Saad") not in found and ("arrest", "Tariq Bello") not in found


def test_a_profession_nobody_else_has_stands_for_the_story_person(model) -> None:  # noqa: ANN001
    found = asserted(model, "Omar Haddad was arrested in May. The journalist was later sentenced to "
                            "three years in prison.")
    assert ("sentence", "Omar Haddad") in found
    found = asserted(model, "Omar Haddad is a poet from Basra. The poet was detained on Monday.")
    assert ("arrest", "Omar Haddad") in found


def test_a_profession_of_another_kind_is_not_the_story_person(model) -> None:  # noqa: ANN001
    found = asserted(model, "The poet Omar Haddad spoke in May. The journalist was later detained.")
    assert ("arrest", "Omar Haddad") not in found


@pytest.mark.parametrize(("text", "etype"), [
    ("Omar Haddad was stabbed to death in Mosul.", "killing"),
    ("Omar Haddad was gunned down outside his home.", "killing"),
    ("Omar Haddad was beaten to death in custody.", "killing"),
    ("The poet Omar Haddad, whose arrest in May sparked protests, spoke on Monday.", "arrest"),
    ("The authorities have held Omar Haddad since May.", "arrest"),
    ("Omar Haddad was thrown in jail in 2019.", "arrest"),
    ("Omar Haddad was released on parole in May.", "arrest"),
    ("A court convicted Omar Haddad of defamation.", "charge"),
])
def test_more_verb_forms_and_relatives(model, text: str, etype: str) -> None:  # noqa: ANN001
    assert (etype, "Omar Haddad") in asserted(model, text)


@pytest.mark.parametrize("text", [
    "Omar Haddad was stabbed in the arm during the protest.",
    "Omar Haddad was beaten by police during the protest.",
    "Omar Haddad was threatened with a gun.",
])
def test_an_attack_that_kills_no_one_is_no_killing(model, text: str) -> None:  # noqa: ANN001
    assert ("killing", "Omar Haddad") not in asserted(model, text)


@pytest.mark.parametrize("text", [
    "Omar Haddad was arrested on accusations of spying.",
    "Omar Haddad was jailed in 2019 over allegations of espionage.",
    "Omar Haddad was detained for two months pending trial on espionage charges.",
    "Omar Haddad's court hearing was postponed.",
])
def test_charges_said_in_other_words(model, text: str) -> None:  # noqa: ANN001
    assert ("charge", "Omar Haddad") in asserted(model, text)


@pytest.mark.parametrize("text", [
    "Omar Haddad's accusations against the minister were ignored.",
    "Omar Haddad risks prison if convicted of insulting the president. He denied the accusations.",
    "Omar Haddad spoke at a hearing in parliament.",
    "Omar Haddad, a diplomat, attended the court hearing.",
])
def test_an_accuser_or_a_hearing_of_no_one_is_no_charge(model, text: str) -> None:  # noqa: ANN001
    assert ("charge", "Omar Haddad") not in asserted(model, text)


@pytest.mark.parametrize(("text", "expected"), [
    ("Turkey Detains Journalist Omar Haddad\nThe ruling came on Monday.", {("arrest", "Omar Haddad")}),
    ("Iran Frees Omar Haddad And Lina Saad\nThe ruling came on Monday.",
     {("release", "Omar Haddad"), ("release", "Lina Saad")}),
    ("Iran: Poet Omar Haddad Handed Five-Year Prison Sentence\nThe ruling came on Monday.",
     {("sentence", "Omar Haddad")}),
])
def test_a_title_case_headline_is_read_past_its_parse(model, text: str, expected: set) -> None:  # noqa: ANN001
    assert expected <= asserted(model, text)


@pytest.mark.parametrize("text", [
    "Lawyer Of Omar Haddad Arrested\nThe ruling came on Monday.",
    "Turkey Must Release Omar Haddad\nThe ruling came on Monday.",
    "Release Omar Haddad Now\nThe ruling came on Monday.",
    "Omar Haddad Calls For Release Of Lina Saad\nThe ruling came on Monday.",
])
def test_a_title_case_headline_gives_no_event_to_the_wrong_name(model, text: str) -> None:  # noqa: ANN001
    found = asserted(model, text)
    assert ("arrest", "Omar Haddad") not in found and ("release", "Omar Haddad") not in found
    assert ("release", "Lina Saad") not in found


@pytest.mark.parametrize(("text", "expected"), [
    ("Omar Haddad was arrested on Monday. So was Lina Saad.", {("arrest", "Lina Saad")}),
    ("Omar Haddad was detained, as was Lina Saad.", {("arrest", "Lina Saad")}),
    ("The trial of Omar Haddad and his fellow defendants: Lina Saad, Tariq Bello, and Mira Osei "
     "opened on Monday.", {("charge", "Lina Saad"), ("charge", "Tariq Bello"), ("charge", "Mira Osei")}),
])
def test_who_else_the_text_says_it_happened_to(model, text: str, expected: set) -> None:  # noqa: ANN001
    assert expected <= asserted(model, text)


@pytest.mark.parametrize("text", [
    "Police arrested Omar Haddad on Monday, and so did the army with Lina Saad.",
    "Omar Haddad was arrested, as was reported by Lina Saad.",
])
def test_an_agent_or_a_source_after_so_or_as_is_not_the_one_it_happened_to(model, text: str) -> None:  # noqa: ANN001
    assert ("arrest", "Lina Saad") not in asserted(model, text)


@pytest.mark.parametrize(("text", "expected"), [
    ("The trial of Karim Benali opened on Monday.", ("charge", "Karim Benali")),
])
def test_a_name_the_model_calls_a_body_is_a_person_where_it_is_tried_or_held(
        model, text: str, expected: tuple[str, str]) -> None:  # noqa: ANN001
    # "Karim Benali" is on no watchlist: the model labels it ORG; a trial, an arrest or a
    # sentence befalls people (extract/entity_rules.personal_context)
    assert expected in asserted(model, text)


@pytest.mark.parametrize("text", [
    "Prosecutors accused Omar Haddad of spreading false news.",
    "Omar Haddad received six months for defamation.",
    "Omar Haddad was handed a two-year sentence for sedition.",
    "Omar Haddad was jailed for ten years for espionage.",
])
def test_a_charge_told_by_its_accuser_or_by_the_offence_of_a_term(model, text: str) -> None:  # noqa: ANN001
    assert ("charge", "Omar Haddad") in asserted(model, text)


@pytest.mark.parametrize("text", [
    "Lina Saad accused Omar Haddad of lying.",
    "Omar Haddad was handed a two-year sentence for his posts.",
    "Omar Haddad was given ten years for five years of work.",
])
def test_an_accusation_by_anyone_or_a_term_for_conduct_is_no_charge(model, text: str) -> None:  # noqa: ANN001
    assert ("charge", "Omar Haddad") not in asserted(model, text)


def test_a_pronoun_in_a_subordinate_clause_means_the_one_person_its_sentence_named(model) -> None:  # noqa: ANN001
    found = asserted(model, "Omar Haddad spoke on Monday. Protests followed the death of Lina Saad, "
                            "three days after she was arrested by the police.")
    assert ("arrest", "Lina Saad") in found and ("arrest", "Omar Haddad") not in found


def test_a_role_holder_in_the_sentence_leaves_the_pronoun_to_the_story_person(model) -> None:  # noqa: ANN001
    found = asserted(model, "Omar Haddad was detained in May. His lawyer Lina Saad left the court "
                            "after she was threatened.")
    assert found == {("arrest", "Omar Haddad")}


def test_a_term_for_conduct_told_in_a_clause_is_no_charge(model) -> None:  # noqa: ANN001
    found = asserted(model, "Omar Haddad was handed a five-year prison sentence for songs he sang "
                            "at a wedding.")
    assert ("sentence", "Omar Haddad") in found and ("charge", "Omar Haddad") not in found


@pytest.mark.parametrize("text", [
    "Omar Haddad Shot In Leg At Border Protest",
    "Omar Haddad Is Beaten By Police Outside Court",
    "Omar Haddad Was Stabbed Outside His Home",
    "Omar Haddad Tried To Leave The Country",
    "Omar Haddad Held Exhibition In Lagos",
])
def test_a_title_case_headline_keeps_the_checks_of_its_verb(model, text: str) -> None:  # noqa: ANN001
    # "shot" / "beaten" / "stabbed" kill only with "dead" or "to death"; "held" holds a person
    # only "for" or "since" a time; "tried" is a trial only in the passive
    assert asserted(model, text) == set()


def test_so_was_does_not_reach_a_possessor(model) -> None:  # noqa: ANN001
    text = "Lina Saad was arrested on Monday. As is Omar Haddad's habit, he wrote about it at once."
    assert asserted(model, text) == {("arrest", "Lina Saad")}
    also = "Lina Saad was arrested on Monday. So was Omar Haddad."
    assert ("arrest", "Omar Haddad") in asserted(model, also)
