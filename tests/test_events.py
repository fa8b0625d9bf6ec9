"""Repression events: who the trigger governs, flags, dates and terms."""

from __future__ import annotations

from datetime import date

import pytest

from extract import entities, event_lexicon, nlp
from extract.event_time import resolve_period
from extract.events import Event, find_events, resolve_date
from extract.watchlist import parse_watchlist

# People the tests talk about are on the watchlist so the events, not the name
# recogniser, are what is tested.
PEOPLE = [
    "Jafar Panahi", "Mohammad Rasoulof", "Mostafa Aleahmad", "Deniz Yilmaz", "Ayse Kaya",
    "Reza Tavakoli", "Maryam Jalali", "Hossein Karimi", "Saleh Nikbakht", "Tahereh Saeedi",
    "Wang Lei", "Ai Ling", "Hadi Heidari", "Abolqasem Salavati", "Sara Moradi", "Toomaj Salehi",
    "Omar Haddad", "Nadia Salem", "Elena Petrova", "Samir Kassab", "Navid Afkari",
    "Taraneh Alidoosti", "Yusuf Celik", "Karim Nasseri", "Leila Nasseri", "Pavel Sidorov",
    "Li Ming", "Musa Kart", "Irina Kureichik", "Andrei Kureichik", "Olga Sevko", "Kian Pirfalak",
    "Mucella Yapici", "Mahsa Vahdat", "Zhenya Berkovich", "Svetlana Petriychuk",
]
WATCHLIST = parse_watchlist({"people": [{"name": n} for n in PEOPLE]}, "<test>")
PUB = date(2024, 3, 6)  # a Wednesday


@pytest.fixture(scope="module")
def model():  # noqa: ANN201 - spaCy Language
    return entities.add_watchlist(nlp.load_model(), WATCHLIST)


def run(model, text: str, published: date | None = PUB) -> list[Event]:  # noqa: ANN001
    doc = model(text)
    return find_events(doc, entities.find_mentions(doc, WATCHLIST), published)


def pairs(evs: list[Event], asserted_only: bool = True) -> set[tuple[str, str]]:
    return {(e.type, e.person) for e in evs if e.asserted or not asserted_only}


def one(evs: list[Event], etype: str, person: str) -> Event:
    found = [e for e in evs if e.type == etype and e.person == person]
    assert len(found) == 1, evs
    return found[0]


# ------------------------------------------------------------------ patterns


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jafar Panahi was arrested in Tehran.", {("arrest", "Jafar Panahi")}),
        ("Security agents detained Jafar Panahi at his home.", {("arrest", "Jafar Panahi")}),
        ("Rights groups condemned the arrest of Jafar Panahi.", {("arrest", "Jafar Panahi")}),
        ("Jafar Panahi's detention drew criticism in Europe.", {("arrest", "Jafar Panahi")}),
        ("Jafar Panahi was taken into custody.", {("arrest", "Jafar Panahi")}),
        ("The detained filmmaker Jafar Panahi wrote a letter.", {("arrest", "Jafar Panahi")}),
    ],
    ids=["passive-subject", "object", "nominal-of", "nominal-possessive", "into-custody",
         "participle"],
)
def test_argument_patterns(model, text: str, expected: set) -> None:  # noqa: ANN001
    assert pairs(run(model, text)) == expected


def test_coordination_gives_one_event_per_person(model) -> None:  # noqa: ANN001
    evs = run(model, "Mohammad Rasoulof and Mostafa Aleahmad were sentenced to one year in prison.")
    assert pairs(evs) == {("sentence", "Mohammad Rasoulof"), ("sentence", "Mostafa Aleahmad")}


def test_coordinated_objects(model) -> None:  # noqa: ANN001
    evs = run(model, "Police arrested Reza Tavakoli, Maryam Jalali and Hossein Karimi on Saturday.")
    assert pairs(evs) == {("arrest", "Reza Tavakoli"), ("arrest", "Maryam Jalali"),
                          ("arrest", "Hossein Karimi")}


def test_apposition(model) -> None:  # noqa: ANN001
    evs = run(model, "The director of the festival, Deniz Yilmaz, was detained on Friday, "
                     "the festival's spokesperson Ayse Kaya said.")
    assert pairs(evs) == {("arrest", "Deniz Yilmaz")}


def test_list_of_names_after_announcement(model) -> None:  # noqa: ANN001
    text = ("Security forces detained the following artists on 3 March:\n"
            "- Reza Tavakoli, painter\n- Maryam Jalali, actress\n- Hossein Karimi, musician\n\n"
            "Their families were not informed.")
    evs = run(model, text)
    assert pairs(evs) == {("arrest", "Reza Tavakoli"), ("arrest", "Maryam Jalali"),
                          ("arrest", "Hossein Karimi")}
    assert all(e.date == date(2024, 3, 3) for e in evs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jafar Panahi went on trial on Wednesday together with Musa Kart.",
         {("charge", "Jafar Panahi"), ("charge", "Musa Kart")}),
        ("Police arrested six staff members of the paper, including Ai Ling and Li Ming.",
         {("arrest", "Ai Ling"), ("arrest", "Li Ming")}),
        ("Among those detained in the crackdown are Ai Ling and Li Ming.",
         {("arrest", "Ai Ling"), ("arrest", "Li Ming")}),
        ("A court handed Ai Ling a two-year sentence.", {("sentence", "Ai Ling")}),
        ("Zhenya Berkovich and Svetlana Petriychuk were detained in May. They were later "
         "charged with justifying terrorism.",
         {("arrest", "Zhenya Berkovich"), ("arrest", "Svetlana Petriychuk"),
          ("charge", "Zhenya Berkovich"), ("charge", "Svetlana Petriychuk")}),
        ("Police have detained Andrei Kureichik's mother, Irina Kureichik, and questioned her "
         "for hours.", {("arrest", "Irina Kureichik"), ("summons", "Irina Kureichik")}),
        ("Police prevented Olga Sevko from boarding a flight to Vilnius.",
         {("ban", "Olga Sevko")}),
        ("Security forces shot dead Kian Pirfalak during a protest.",
         {("killing", "Kian Pirfalak")}),
        ("Police released Mahsa Vahdat without charge after holding her for two days.",
         {("release", "Mahsa Vahdat"), ("arrest", "Mahsa Vahdat")}),
        ("Mahsa Vahdat was freed after 18 days in detention.",
         {("release", "Mahsa Vahdat"), ("arrest", "Mahsa Vahdat")}),
        ("Ai Ling has been placed under house arrest.", {("arrest", "Ai Ling")}),
        ("Li Ming died in custody last week.", {("killing", "Li Ming")}),
    ],
    ids=["together-with", "including", "among-those", "handed-sentence", "they-group",
         "questioned-her", "prevented-from", "shot-dead", "holding-her", "days-in-detention",
         "house-arrest", "died-in-custody"],
)
def test_more_argument_patterns(model, text: str, expected: set) -> None:  # noqa: ANN001
    assert pairs(run(model, text)) == expected


def test_jailed_for_a_term_is_also_a_sentence(model) -> None:  # noqa: ANN001
    evs = run(model, "The court jailed Mucella Yapici for 18 years.")
    assert pairs(evs) == {("arrest", "Mucella Yapici"), ("sentence", "Mucella Yapici")}
    assert one(evs, "sentence", "Mucella Yapici").term == "18 years"


def test_without_charge_negates_only_the_charge(model) -> None:  # noqa: ANN001
    evs = run(model, "Police released Mahsa Vahdat without charges.")
    assert one(evs, "release", "Mahsa Vahdat").asserted
    assert all(not e.asserted for e in evs if e.type == "charge")


def test_lawyer_does_not_inherit(model) -> None:  # noqa: ANN001
    evs = run(model, "His lawyer, Saleh Nikbakht, said Jafar Panahi had been taken to Evin prison.")
    assert pairs(evs) == {("arrest", "Jafar Panahi")}


def test_relative_does_not_inherit_and_pronoun_skips_her(model) -> None:  # noqa: ANN001
    evs = run(model, "Jafar Panahi went to the court on Monday. His wife, Tahereh Saeedi, said "
                     "he was detained at the prosecutor's office.")
    assert pairs(evs) == {("arrest", "Jafar Panahi")}


def test_spokesperson_does_not_inherit(model) -> None:  # noqa: ANN001
    evs = run(model, "Foreign Ministry spokesperson Wang Lei said the artist Ai Ling had been "
                     "detained for picking quarrels.")
    assert pairs(evs) == {("arrest", "Ai Ling")}


def test_judge_does_not_inherit(model) -> None:  # noqa: ANN001
    evs = run(model, "Judge Abolqasem Salavati sentenced Hadi Heidari to 18 months in prison.")
    assert pairs(evs) == {("sentence", "Hadi Heidari")}


def test_film_plot_about_unnamed_people_gives_nothing(model) -> None:  # noqa: ANN001
    evs = run(model, "Sara Moradi's new film follows a student detained in 1988 who is later "
                     "executed. Two members of the crew were arrested too, Sara Moradi said.")
    assert evs == []


def test_released_a_film_is_not_a_release(model) -> None:  # noqa: ANN001
    assert run(model, "Jafar Panahi released a new film on Friday.") == []


def test_decree_of_an_official_is_not_a_ban_on_him(model) -> None:  # noqa: ANN001
    assert run(model, "Iran is not covered by President Wang Lei's travel ban.") == []


def test_holding_objects_is_not_an_arrest(model) -> None:  # noqa: ANN001
    assert run(model, "The museum holds portraits of Ai Ling and Li Ming.") == []


def test_only_people_get_events(model) -> None:  # noqa: ANN001
    assert run(model, "The Berlinale was banned from screening in Tehran.") == []


def test_one_event_per_person_type_sentence(model) -> None:  # noqa: ANN001
    evs = run(model, "Ai Ling was arrested on Monday and her arrest was confirmed by police.")
    assert [(e.type, e.person) for e in evs] == [("arrest", "Ai Ling")]


@pytest.mark.parametrize(
    ("text", "etype", "person"),
    [
        ("Yusuf Celik was charged with spreading propaganda.", "charge", "Yusuf Celik"),
        ("Taraneh Alidoosti was summoned and questioned for four hours.", "summons",
         "Taraneh Alidoosti"),
        ("Li Ming was freed on Friday after being pardoned.", "release", "Li Ming"),
        ("A court banned Pavel Sidorov from leaving the country.", "ban", "Pavel Sidorov"),
        ("Officers confiscated the passport of Elena Petrova at the airport.", "confiscation",
         "Elena Petrova"),
        ("Elena Petrova was questioned and her cameras were seized.", "confiscation",
         "Elena Petrova"),
        ("Karim Nasseri began a hunger strike on Monday.", "hunger_strike", "Karim Nasseri"),
        ("Samir Kassab was killed in an air strike.", "killing", "Samir Kassab"),
        ("Iran executed Navid Afkari on Saturday.", "killing", "Navid Afkari"),
    ],
    ids=["charge", "summons", "release", "ban", "confiscation-of", "confiscation-her",
         "hunger-strike", "killed", "executed"],
)
def test_event_types(model, text: str, etype: str, person: str) -> None:  # noqa: ANN001
    assert (etype, person) in pairs(run(model, text))


# ------------------------------------------------------------------ flags


def test_negation(model) -> None:  # noqa: ANN001
    ev = one(run(model, "Prosecutors said Ai Ling was not charged."), "charge", "Ai Ling")
    assert ev.negated and not ev.asserted


def test_denial_is_negation(model) -> None:  # noqa: ANN001
    ev = one(run(model, "Police denied that Ai Ling had been arrested."), "arrest", "Ai Ling")
    assert ev.negated


@pytest.mark.parametrize(
    ("text", "etype"),
    [
        ("Omar Haddad risks prosecution for his novel.", "charge"),
        ("Omar Haddad may be detained at the border.", "arrest"),
        ("Omar Haddad faces up to five years in prison if convicted.", "sentence"),
        ("Omar Haddad could be sentenced to death.", "sentence"),
        ("Omar Haddad was threatened with arrest.", "arrest"),
        ("Nadia Salem called for the release of Omar Haddad.", "release"),
        ("A court issued an arrest warrant for Omar Haddad.", "arrest"),
        ("Omar Haddad might be executed within days, Nadia Salem warned.", "killing"),
        ("Nadia Salem urged the authorities to release Omar Haddad.", "release"),
    ],
    ids=["risks", "may", "faces-if", "could", "threatened-with", "called-for", "warrant",
         "might", "urged-to"],
)
def test_hypothetical(model, text: str, etype: str) -> None:  # noqa: ANN001
    evs = run(model, text)
    ev = one(evs, etype, "Omar Haddad")
    assert ev.hypothetical and not ev.asserted
    assert all(e.person != "Nadia Salem" for e in evs)


def test_background_by_year(model) -> None:  # noqa: ANN001
    ev = one(run(model, "Ai Ling, who was arrested in 2010, presented her film on Friday."),
             "arrest", "Ai Ling")
    assert ev.background and ev.asserted and ev.date == date(2010, 1, 1)


def test_background_pluperfect_with_date(model) -> None:  # noqa: ANN001
    ev = one(run(model, "Ai Ling had been arrested in 2009."), "arrest", "Ai Ling")
    assert ev.background


def test_background_previously(model) -> None:  # noqa: ANN001
    ev = one(run(model, "Ai Ling had previously been jailed for her cartoons."), "arrest",
             "Ai Ling")
    assert ev.background


def test_pluperfect_is_background_except_in_reported_speech(model) -> None:  # noqa: ANN001
    assert one(run(model, "Ai Ling had been sentenced to eight years in prison."), "sentence",
               "Ai Ling").background
    ev = one(run(model, "His lawyer said Ai Ling had been taken into custody."), "arrest",
             "Ai Ling")
    assert not ev.background


def test_coordinated_clause_takes_the_head_date(model) -> None:  # noqa: ANN001
    evs = run(model, "In 2010 Jafar Panahi was arrested and later sentenced to six years.")
    ev = one(evs, "sentence", "Jafar Panahi")
    assert ev.background and ev.date == date(2010, 1, 1)


def test_date_inside_an_object_is_not_the_event_date(model) -> None:  # noqa: ANN001
    ev = one(run(model, "Police arrested Ai Ling over a documentary about the 2019 protests."),
             "arrest", "Ai Ling")
    assert ev.date is None and not ev.background


def test_earlier_this_week_is_not_background(model) -> None:  # noqa: ANN001
    ev = one(run(model, "Li Ming was freed from prison earlier this week."), "release", "Li Ming")
    assert not ev.background


def test_negation_shared_by_or(model) -> None:  # noqa: ANN001
    evs = run(model, "Until this week Ai Ling had never been arrested or questioned.")
    assert evs and all(e.negated for e in evs)


def test_acquittal_cancels_the_charge(model) -> None:  # noqa: ANN001
    evs = run(model, "Her co-producer, Li Ming, who stood trial alongside her, was acquitted.")
    assert one(evs, "charge", "Li Ming").negated


def test_seizure_without_owner_goes_to_the_person_of_the_story(model) -> None:  # noqa: ANN001
    evs = run(model, "Ai Ling was arrested at her home on Friday. Officers searched the flat for "
                     "three hours. They seized two cameras and a laptop.")
    assert ("confiscation", "Ai Ling") in pairs(evs)


def test_seizing_power_is_not_a_confiscation(model) -> None:  # noqa: ANN001
    evs = run(model, "Ai Ling wrote about the day the army seized power.")
    assert evs == []


def test_recent_event_is_not_background(model) -> None:  # noqa: ANN001
    ev = one(run(model, "Ai Ling was arrested on Friday."), "arrest", "Ai Ling")
    assert not ev.background and ev.date == date(2024, 3, 1)


# ------------------------------------------------------------------ dates and terms


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("on Friday", date(2024, 3, 6), date(2024, 3, 1)),
        ("in July", date(2023, 11, 20), date(2023, 7, 1)),
        ("on 3 March", date(2023, 3, 6), date(2023, 3, 3)),
        ("20 December", date(2023, 3, 6), date(2022, 12, 20)),
        ("2010", date(2023, 3, 6), date(2010, 1, 1)),
        ("six years", date(2023, 3, 6), None),
    ],
)
def test_resolve_date_never_after_publication(text: str, published: date,
                                              expected: date | None) -> None:
    assert resolve_date(text, published) == expected


def test_event_date_from_sentence(model) -> None:  # noqa: ANN001
    ev = one(run(model, "Ai Ling was detained in July.", date(2023, 11, 20)), "arrest", "Ai Ling")
    assert ev.date == date(2023, 7, 1) and ev.background


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("A court sentenced Toomaj Salehi to six years.", "six years"),
        ("A court sentenced Toomaj Salehi to ten years and a travel ban.",
         "ten years and a travel ban"),
        ("An Iranian court has sentenced Toomaj Salehi to death.", "death"),
        ("Toomaj Salehi was sentenced to six months in prison on Monday.", "six months in prison"),
        ("Toomaj Salehi is serving a six-year sentence.", "six-year"),
    ],
)
def test_term(model, text: str, term: str) -> None:  # noqa: ANN001
    assert one(run(model, text), "sentence", "Toomaj Salehi").term == term


def test_travel_ban_in_a_sentence_is_also_a_ban(model) -> None:  # noqa: ANN001
    evs = run(model, "A court sentenced Toomaj Salehi to ten years and a travel ban.")
    assert pairs(evs) == {("sentence", "Toomaj Salehi"), ("ban", "Toomaj Salehi")}


def test_matcher_is_built_once_per_vocab(model) -> None:  # noqa: ANN001
    assert event_lexicon.trigger_matcher(model.vocab) is event_lexicon.trigger_matcher(model.vocab)


def test_no_people_no_events(model) -> None:  # noqa: ANN001
    assert run(model, "Two journalists were arrested on Monday.", None) == []


# ------------------------------------------------------------------ background from the story


def test_background_shared_with_the_enclosing_dated_clause(model) -> None:  # noqa: ANN001
    evs = run(model, "Jafar Panahi was released on bail in February 2023, two days after he "
              "began a hunger strike.", date(2026, 11, 15))
    assert one(evs, "hunger_strike", "Jafar Panahi").background
    assert one(evs, "release", "Jafar Panahi").background


def test_relative_clause_about_a_person_keeps_its_date_to_itself(model) -> None:  # noqa: ANN001
    evs = run(model, "Jafar Panahi, who was sentenced in 2010, was arrested, his lawyer said.")
    assert one(evs, "sentence", "Jafar Panahi").background
    assert not one(evs, "arrest", "Jafar Panahi").background


def test_place_relative_clause_shares_the_date(model) -> None:  # noqa: ANN001
    evs = run(model, "Ai Ling was detained in May 2023 at the airport, where police seized her "
              "passport.")
    assert one(evs, "confiscation", "Ai Ling").background


@pytest.mark.parametrize(
    ("second", "background"),
    [
        ("She was barred from leaving the country.", True),
        ("She has been barred from leaving the country.", False),  # the perfect is news
        ("She was barred again from leaving the country.", False),
    ],
    ids=["simple-past-continues", "perfect", "again"],
)
def test_narration_carries_an_old_date(model, second: str, background: bool) -> None:  # noqa: ANN001
    evs = run(model, "Ai Ling was arrested in July 2019. " + second)
    assert one(evs, "ban", "Ai Ling").background is background


def test_pluperfect_does_not_carry_to_the_next_sentence(model) -> None:  # noqa: ANN001
    evs = run(model, "Ai Ling had been sentenced to six years. She was released on bail, her "
              "lawyer said.")
    assert one(evs, "sentence", "Ai Ling").background
    assert not one(evs, "release", "Ai Ling").background


def test_undated_mention_in_a_subordinate_clause_is_the_dated_old_event(model) -> None:  # noqa: ANN001
    evs = run(model, "Sara Moradi finishes the film she was banned from making. In 2011 a court "
              "banned Sara Moradi from making films for ten years.")
    assert all(e.background for e in evs if e.type == "ban") and len(evs) == 2


def test_undated_main_clause_stays_news_beside_an_old_event(model) -> None:  # noqa: ANN001
    evs = run(model, "Sara Moradi was arrested, her family said. Sara Moradi was first arrested "
              "in 2019.")
    assert [e.background for e in evs if e.type == "arrest"] == [False, True]


@pytest.mark.parametrize(
    ("text", "etype", "background"),
    [
        ("Ai Ling was freed on Monday after 14 months in detention.", "arrest", True),
        ("Ai Ling was freed on Monday after 14 months in detention.", "release", False),
        ("Ai Ling died in custody on Friday, nine days after her arrest.", "arrest", False),
        ("Ai Ling was released on Friday after serving a three-year sentence.", "sentence", True),
        ("Karim Nasseri, who is serving a six-year sentence, began a hunger strike on Monday.",
         "sentence", False),
        ("Ai Ling has been held for two years.", "arrest", True),
    ],
    ids=["months-in-detention", "the-release-is-news", "days-after", "served",
         "is-serving", "held-for-years"],
)
def test_time_gone_by_places_the_start_in_the_past(model, text: str, etype: str,  # noqa: ANN001
                                                   background: bool) -> None:
    person = "Karim Nasseri" if "Nasseri" in text else "Ai Ling"
    assert one(run(model, text), etype, person).background is background


# ------------------------------------------------------------------ date precision


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2010", (date(2010, 1, 1), "year")),
        ("in March 2010", (date(2010, 3, 1), "month")),
        ("on 3 March", (date(2024, 3, 3), "day")),
    ],
)
def test_resolve_period_keeps_the_precision(text: str, expected: tuple) -> None:
    assert resolve_period(text, PUB) == expected


def test_year_only_date_is_kept_with_its_precision(model) -> None:  # noqa: ANN001
    ev = one(run(model, "Ai Ling was arrested in 2010."), "arrest", "Ai Ling")
    assert (ev.date, ev.date_precision, ev.background) == (date(2010, 1, 1), "year", True)


@pytest.mark.parametrize(
    ("text", "published", "background"),
    [
        ("Ai Ling was arrested in 2023.", date(2024, 1, 10), True),  # a bare earlier year
        ("Ai Ling was arrested in December.", date(2024, 1, 10), False),  # month's end is near
        ("Ai Ling was arrested in October.", date(2024, 1, 10), True),
    ],
)
def test_background_counts_from_the_end_of_a_month(model, text: str, published: date,  # noqa: ANN001
                                                   background: bool) -> None:
    assert one(run(model, text, published), "arrest", "Ai Ling").background is background


# ------------------------------------------------------------------ more argument patterns


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Police searched the home of Ai Ling and took her laptop.",
         {("confiscation", "Ai Ling")}),
        ("Ai Ling took her camera to the protest.", set()),
        ("The festival invited Jafar Panahi and Mohammad Rasoulof. Both directors have been "
         "barred from travelling abroad.", {("ban", "Jafar Panahi"), ("ban", "Mohammad Rasoulof")}),
        ("The mother of the rapper Toomaj Salehi, Sara Moradi, was detained on Monday.",
         {("arrest", "Sara Moradi")}),
        ("His friend Ai Ling, a novelist who was imprisoned in 2006, will direct the play.",
         {("arrest", "Ai Ling")}),
        ("Ai Ling was arrested in Tehran and sentenced to six years.",
         {("arrest", "Ai Ling"), ("sentence", "Ai Ling")}),
        ("They urged the authorities to lift the travel ban imposed on his wife, Sara Moradi.",
         {("ban", "Sara Moradi")}),
        ("Ai Ling was taken in for questioning.", {("summons", "Ai Ling")}),
        ("Ai Ling was ordered to report to the prosecutor's office on Monday.",
         {("summons", "Ai Ling")}),
    ],
    ids=["took-laptop", "took-own-camera", "both-directors", "mother-of", "appositive-relative",
         "arrested-and-sentenced", "ban-imposed-on-lifted", "taken-for-questioning",
         "ordered-to-report"],
)
def test_more_patterns(model, text: str, expected: set) -> None:  # noqa: ANN001
    assert pairs(run(model, text)) == expected


def test_sibling_named_beside_the_subject_is_not_the_pronoun(model) -> None:  # noqa: ANN001
    evs = run(model, "Prosecutors have not charged Ai Ling, her sister Sara Moradi told reporters, "
              "although she has been held since Friday.")
    assert pairs(evs) == {("arrest", "Ai Ling")}


def test_two_subjects_the_name_gets_the_event(model) -> None:  # noqa: ANN001
    evs = run(model, "The writer Ai Ling was released on Friday after serving a three-year "
              "sentence, but she remains banned from leaving the country.")
    assert pairs(evs) == {("release", "Ai Ling"), ("sentence", "Ai Ling"), ("ban", "Ai Ling")}
    assert not one(evs, "ban", "Ai Ling").background
