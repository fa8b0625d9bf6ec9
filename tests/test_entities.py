"""Each extraction rule on a small case, with the real model and an empty or tiny watchlist."""

from __future__ import annotations

import pytest

from extract.entities import ORGANIZATION, PERSON, Mention, add_watchlist, find_mentions
from extract.nlp import load_model
from extract.watchlist import Watchlist, parse_watchlist

EMPTY = Watchlist()
LISTED = parse_watchlist({
    "people": [{"name": "Jafar Panahi", "aliases": ["Panahi"]},
               {"name": "Maryam Moghaddam", "aliases": ["Maryam Moghadam"]}],
    "organizations": [{"name": "Berlin International Film Festival", "aliases": ["Berlinale"]},
                      {"name": "Artists at Risk Connection", "aliases": ["ARC"]}],
})


@pytest.fixture(scope="module")
def plain():  # noqa: ANN201 - spaCy Language
    return add_watchlist(load_model(), EMPTY)


@pytest.fixture(scope="module")
def listed():  # noqa: ANN201
    return add_watchlist(load_model(), LISTED)


def names(mentions: list[Mention], kind: str) -> set[str]:
    return {m.name for m in mentions if m.kind == kind}


def run(nlp, text: str, watchlist: Watchlist = EMPTY) -> list[Mention]:  # noqa: ANN001
    return find_mentions(nlp(text), watchlist)


def test_watchlist_alias_resolves_to_canonical_name(listed) -> None:  # noqa: ANN001
    ms = run(listed, "The Berlinale selected a film by Maryam Moghadam.", LISTED)
    assert names(ms, ORGANIZATION) == {"Berlin International Film Festival"}
    assert names(ms, PERSON) == {"Maryam Moghaddam"}
    assert all(m.watchlisted for m in ms)


def test_one_word_alias_keeps_its_case(listed) -> None:  # noqa: ANN001
    ms = run(listed, "The story follows an arc that ARC described in a statement.", LISTED)
    assert [m.text for m in ms if m.kind == ORGANIZATION] == ["ARC"]


def test_listed_surname_inside_another_name_is_not_the_listed_person(listed) -> None:  # noqa: ANN001
    ms = run(listed, "Jafar Panahi was absent. His son, the director Panah Panahi, attended.", LISTED)
    assert names(ms, PERSON) == {"Jafar Panahi", "Panah Panahi"}


def test_person_label_is_consistent_in_a_document(plain) -> None:  # noqa: ANN001
    # the model labels the first "Jafar Panahi" ORG
    ms = run(plain, "ICFR condemns the new sentence against Jafar Panahi. "
                    "The director Jafar Panahi was sentenced on Monday.")
    assert {m.kind for m in ms if m.name == "Jafar Panahi"} == {PERSON}
    assert "Jafar Panahi" not in names(ms, ORGANIZATION)


def test_surname_alone_links_to_full_name_even_when_ner_missed_it(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Iranian filmmaker Sahar Daneshvar was arrested on Monday. "
                    "Daneshvar had been summoned twice.")
    assert names(ms, PERSON) == {"Sahar Daneshvar"}
    assert len([m for m in ms if m.kind == PERSON]) == 2
    assert [m.text for m in ms][-1] == "Daneshvar"


def test_given_name_links_to_the_nearest_full_name(plain) -> None:  # noqa: ANN001
    ms = run(plain, "When Kaveh Nourizadeh-Tabrizi was released, he called his sister "
                    "Leila Nourizadeh-Tabrizi. Kaveh, 41, had spent nine months in detention.")
    assert names(ms, PERSON) == {"Kaveh Nourizadeh-Tabrizi", "Leila Nourizadeh-Tabrizi"}


def test_titles_and_roles_are_stripped(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Dr. Reza Jamali said such cases were common. Mrs Nasrin Sotoudeh's lawyer spoke. "
                    "Festival director Alberto Barbera read a statement.")
    assert names(ms, PERSON) == {"Reza Jamali", "Nasrin Sotoudeh", "Alberto Barbera"}


def test_coordinated_organizations_are_split(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Amnesty International, Human Rights Watch and PEN Belarus called for the release "
                    "of the writer.")
    assert names(ms, ORGANIZATION) == {"Amnesty International", "Human Rights Watch", "PEN Belarus"}


def test_one_organization_with_and_in_its_name_stays_whole(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The actress was summoned by the Culture and Guidance Ministry on Sunday.")
    assert names(ms, ORGANIZATION) == {"Culture and Guidance Ministry"}


def test_names_in_a_list_with_a_role_are_recovered(plain) -> None:  # noqa: ANN001
    ms = run(plain, "We call for their release.\n\n- Roya Sadat, director\n- Aziz Deldar, actor\n")
    assert names(ms, PERSON) == {"Roya Sadat", "Aziz Deldar"}


def test_hyphenated_and_multi_part_names_stay_whole(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The producer Mohammad-Ali Farahani and the minister Robbert van der Berg met. "
                    "Berit Reiss-Andersen, the committee chair, spoke in Oslo.")
    assert names(ms, PERSON) == {"Mohammad-Ali Farahani", "Robbert van der Berg", "Berit Reiss-Andersen"}


def test_particle_names_and_possessives(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The Egyptian Initiative for Personal Rights said Ahmed al-Tayeb was detained. "
                    "Al-Tayeb's film was shown.")
    assert names(ms, PERSON) == {"Ahmed al-Tayeb"}
    assert names(ms, ORGANIZATION) == {"Egyptian Initiative for Personal Rights"}
    assert [m.text for m in ms if m.kind == PERSON][-1] == "Al-Tayeb"


def test_mention_offsets_and_sentence(plain) -> None:  # noqa: ANN001
    text = "Nothing happened. Then filmmaker Sahar Daneshvar was arrested."
    m = next(m for m in run(plain, text) if m.kind == PERSON)
    assert text[m.start : m.end] == m.text == "Sahar Daneshvar"
    assert m.sentence == "Then filmmaker Sahar Daneshvar was arrested."
    assert text[m.sent_start :].startswith(m.sentence)
    assert m.key == "sahar daneshvar"


# ---------------------------------------------------------------- context evidence


def test_role_noun_before_a_name_makes_it_a_person(plain) -> None:  # noqa: ANN001
    # the model labels this "Jafar Panahi" ORG; "filmmaker" before it says otherwise
    ms = run(plain, "The court sentenced the Iranian filmmaker Jafar Panahi on Monday.")
    assert "Jafar Panahi" in names(ms, PERSON)
    assert not names(ms, ORGANIZATION)


def test_speaker_of_an_organization_is_a_person(plain) -> None:  # noqa: ANN001
    ms = run(plain, '"He is a voice of his generation," said Srirak Plipat of Freemuse.')
    assert "Srirak Plipat" in names(ms, PERSON)
    assert "Srirak Plipat" not in names(ms, ORGANIZATION)


def test_appositive_role_makes_a_person(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The authorities must free the writer Maksim Znak. Znak, a lawyer, received 10 years.")
    assert "Maksim Znak" in names(ms, PERSON)
    assert "Maksim Znak" not in names(ms, ORGANIZATION)


def test_organization_head_noun_overrides_a_person_label(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Director Kirill Serebrennikov lives in exile. Mr Serebrennikov's Gogol Center "
                    "was closed in 2022.")
    assert "Gogol Center" in names(ms, ORGANIZATION)
    assert names(ms, PERSON) == {"Kirill Serebrennikov"}


def test_acronym_in_brackets_defines_an_organization_and_its_alias(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Scholars at Risk (SAR) welcomed the release of the scholar. "
                    "SAR has recorded more than 400 detentions.")
    assert names(ms, ORGANIZATION) == {"Scholars at Risk"}
    assert {m.text for m in ms if m.kind == ORGANIZATION} == {"Scholars at Risk", "SAR"}


def test_role_of_a_name_makes_it_an_organization(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The following have asked for help:\n\n"
                    "• Sahraa Karimi, filmmaker, former head of Afghan Film\n• Roya Sadat, director")
    assert "Afghan Film" in names(ms, ORGANIZATION)
    assert "Sahraa Karimi" in names(ms, PERSON)


def test_unlabelled_subject_that_reports_is_an_organization(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Memorial, which was dissolved by the Supreme Court in 2021, recognised the women "
                    "as political prisoners. OVD-Info counted the case among 1,000 prosecutions.")
    assert {"Memorial", "OVD-Info", "Supreme Court"} <= names(ms, ORGANIZATION)
    assert not names(ms, PERSON)


def test_photo_credit_splits_photographer_and_agency(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Cate Blanchett holds a sign.\nPhotograph: Andreas Rentz/Getty Images\n\n"
                    "Golshifteh Farahani speaks to reporters. (Reuters/Valentyn Ogirenko)")
    assert {"Andreas Rentz", "Valentyn Ogirenko"} <= names(ms, PERSON)
    assert {"Getty Images", "Reuters"} <= names(ms, ORGANIZATION)


def test_places_and_demonyms_labelled_org_are_dropped(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The Revolutionary Court in Isfahan sentenced the rapper. Protesters met in Gezi Park. "
                    "Interview: an activist on the Gezi trial. They include the Ugandan writer "
                    "Kakwenza Rukirabashaija, who fled Uganda.")
    orgs = names(ms, ORGANIZATION)
    assert "Revolutionary Court" in orgs
    assert not {"Isfahan", "Gezi", "Ugandan"} & orgs


def test_caption_words_and_awards_are_not_names(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Above: Juliette Binoche with the jury. Photograph: Stephane Cardinale\n\n"
                    "Below: the winners of the Freedom of Expression Awards.")
    found = names(ms, PERSON) | names(ms, ORGANIZATION)
    assert not {"Above", "Below", "Freedom of Expression Awards"} & found
    assert "Stephane Cardinale" in names(ms, PERSON)


def test_names_coordinated_before_an_organization_are_organizations(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Joint statement on artists in Belarus\n\nAmnesty International, Human Rights Watch, "
                    "PEN Belarus and the Belarusian Association of Journalists call on the authorities "
                    "to free Maria Kalesnikava and the writer Maksim Znak.")
    assert {"Amnesty International", "Human Rights Watch", "PEN Belarus",
            "Belarusian Association of Journalists"} <= names(ms, ORGANIZATION)


def test_dateline_is_cut_from_the_name_and_dropped(plain) -> None:  # noqa: ANN001
    ms = run(plain, "IDFA opens with a tribute to persecuted filmmakers\n\nAmsterdam - The International "
                    "Documentary Film Festival Amsterdam opened on Wednesday with a tribute to filmmakers "
                    "in prison.")
    assert "International Documentary Film Festival Amsterdam" in names(ms, ORGANIZATION)
    assert "Amsterdam" not in names(ms, ORGANIZATION)


def test_trailing_office_words_are_not_part_of_an_organization(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Press contact: Frauke Greiner, Berlinale press office.")
    assert "Berlinale press office" not in names(ms, ORGANIZATION)
    assert "Frauke Greiner" in names(ms, PERSON)


def test_director_of_the_single_word_name_is_an_organization(plain) -> None:  # noqa: ANN001
    # the model labels "Berlinale" GPE
    ms = run(plain, '"We call on the authorities to lift the ban," said Tricia Tuttle, '
                    "director of the Berlinale.")
    assert "Berlinale" in names(ms, ORGANIZATION)


def test_organization_after_a_person_of(plain) -> None:  # noqa: ANN001
    ms = run(plain, '"This is a political trial," said Emma Sinclair-Webb of Human Rights Watch.')
    assert "Human Rights Watch" in names(ms, ORGANIZATION)
    assert "Emma Sinclair-Webb" in names(ms, PERSON)


def test_name_coordinated_with_a_person_is_a_person(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The DGA also called on the State Department to press for the release of Jafar Panahi "
                    "and Mohammad Rasoulof.")
    assert {"Jafar Panahi", "Mohammad Rasoulof"} <= names(ms, PERSON)
    assert not {"Jafar Panahi", "Mohammad Rasoulof"} & names(ms, ORGANIZATION)


def test_maker_of_a_work_is_a_person(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The opening film, by Sepideh Farsi, follows the photographer Fatma Hassona in Gaza.")
    assert {"Sepideh Farsi", "Fatma Hassona"} <= names(ms, PERSON)
    assert "Sepideh Farsi" not in names(ms, ORGANIZATION)


def test_title_after_a_work_noun_is_not_an_entity(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The court sentenced the director to six years over their play Finist the Brave Falcon.")
    assert "Finist the Brave Falcon" not in names(ms, ORGANIZATION) | names(ms, PERSON)


def test_name_next_to_an_organization_noun_is_an_organization(plain) -> None:  # noqa: ANN001
    ms = run(plain, "A Tbilisi court fined the actor Ana Mikeladze-Kvaratskhelia for taking part in a "
                    "protest, her agency Studio 99 said. Her theatre company, Teatro Sin Fronteras, "
                    "staged a satire.")
    assert {"Studio 99", "Teatro Sin Fronteras"} <= names(ms, ORGANIZATION)
    assert names(ms, PERSON) == {"Ana Mikeladze-Kvaratskhelia"}


def test_bulleted_lines_under_an_organisations_heading(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Signatories:\n- Agnieszka Holland, filmmaker\n- Mati Diop, filmmaker\n\nOrganisations:\n"
                    "- European Film Academy\n- Directors Guild of America\n- Index on Censorship")
    assert names(ms, ORGANIZATION) == {"European Film Academy", "Directors Guild of America",
                                       "Index on Censorship"}
    assert names(ms, PERSON) == {"Agnieszka Holland", "Mati Diop"}


def test_name_words_after_a_role_noun_are_a_person(plain) -> None:  # noqa: ANN001
    # the model labels only "Ghedamsi", and as a place
    ms = run(plain, "The court sentenced the rapper to one year in prison, his lawyer Ayoub Ghedamsi "
                    "said on Friday.")
    assert "Ayoub Ghedamsi" in names(ms, PERSON)
    assert not names(ms, ORGANIZATION)


def test_credits_with_via_for_and_courtesy(plain) -> None:  # noqa: ANN001
    ms = run(plain, "1. The director on the square. Photo by Urs Flueeler for Keystone\n\n"
                    "2. The press conference. (Photo: Fabrice Coffrini/AFP via Getty Images)\n\n"
                    "3. Supporters hold portraits. Image courtesy of Freedom House")
    assert {"Urs Flueeler", "Fabrice Coffrini"} <= names(ms, PERSON)
    assert {"Keystone", "AFP", "Getty Images", "Freedom House"} <= names(ms, ORGANIZATION)


def test_acronym_in_another_language_still_names_the_organization(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The National Syndicate of Tunisian Journalists (SNJT) condemned the verdict. "
                    "Mahdi Jlassi, the head of the SNJT, said 20 journalists had been prosecuted.")
    assert names(ms, ORGANIZATION) == {"National Syndicate of Tunisian Journalists"}


def test_ordinal_before_a_festival_is_not_part_of_its_name(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The 58th Karlovy Vary International Film Festival (KVIFF) will take place from 28 June. "
                    "KVIFF will also screen a documentary.")
    assert names(ms, ORGANIZATION) == {"Karlovy Vary International Film Festival"}


def test_topic_label_before_a_colon_is_not_a_name(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Key cases:\n\n• Iran: the novelist Mehdi Kiani and the satirist Ahmad Reza Haeri\n"
                    "• Belarus: the poet Ihar Karnei\n• Eritrea: the journalist Dawit Isaak")
    found = names(ms, PERSON) | names(ms, ORGANIZATION)
    assert not {"Iran", "Belarus", "Eritrea"} & found
    assert {"Mehdi Kiani", "Ahmad Reza Haeri", "Ihar Karnei"} <= names(ms, PERSON)


def test_place_before_based_is_not_an_organization(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Li Yanhe, a Taiwan-based publisher, was sentenced by the court.")
    assert not names(ms, ORGANIZATION)
    assert "Li Yanhe" in names(ms, PERSON)


def test_appositive_organization_noun_makes_an_organization(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Espacio Público, a Caracas-based press freedom group, said it had lost contact with "
                    "three more reporters.")
    assert "Espacio Público" in names(ms, ORGANIZATION)
    assert not names(ms, PERSON)


def test_organization_label_on_a_name_the_document_calls_a_place_is_dropped(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Venezuela: journalists detained after covering election protests\n\nCARACAS - "
                    "Venezuela's National Union of Press Workers (SNTP) reported on Tuesday that at "
                    "least nine journalists had been detained since the presidential election, among "
                    "them the photographer Deisy Peña and the radio host Carlos Julio Rojas.")
    orgs = names(ms, ORGANIZATION)
    assert "National Union of Press Workers" in orgs
    assert not {"Venezuela", "CARACAS"} & orgs


def test_one_word_after_an_organization_role_is_an_organization(plain) -> None:  # noqa: ANN001
    # the model labels the second "Freemuse" GPE
    ms = run(plain, "Iran: singer arrested after online concert\n\nFreemuse is alarmed by the arrest of"
                    " the singer Parastoo Ahmadi, who was detained in Mazandaran province a day after"
                    " she posted a concert filmed without a hijab on YouTube. Her musicians, Soheil "
                    "Faghih-Nasiri and Ehsan Beiraghdar, were also arrested.\n\nThe judiciary's Mizan "
                    "news agency said a case had been opened against the \"concert organisers\". "
                    "Ahmadi's lawyer, Milad Panahipour, said she had been released on bail on Sunday "
                    "evening.\n\n\"Women's voices are treated as a crime,\" said Dr Srirak Plipat, "
                    "executive director of Freemuse. The Centre for Human Rights in Iran and the Iran"
                    " Human Rights Society have documented at least 30 cases of artists summoned "
                    "since January.")
    assert "Freemuse" in names(ms, ORGANIZATION)
    assert "Srirak Plipat" in names(ms, PERSON)


def test_caption_run_into_its_credit_keeps_the_name_only(plain) -> None:  # noqa: ANN001
    ms = run(plain, "US President Barack Obama tweet to student Ahmed Mohamed Image: Twitter / Barack Obama.")
    assert "Ahmed Mohamed" in names(ms, PERSON)
    assert "Ahmed Mohamed Image" not in names(ms, PERSON)


def test_comma_slogan_is_not_an_organization(plain) -> None:  # noqa: ANN001
    ms = run(plain, "Salehi was arrested after publishing songs for the Woman, Life, Freedom protests.")
    assert not any("Freedom" in n for n in names(ms, ORGANIZATION))


def test_unit_named_inside_an_organization_is_split(plain) -> None:  # noqa: ANN001
    ms = run(plain, '"Governments have learned that locking up a writer silences many more," said '
                    "Karin Deutsch Karlekar, director of Writers at Risk at PEN America.")
    assert {"Writers at Risk", "PEN America"} <= names(ms, ORGANIZATION)
    assert not any(n.endswith(" at") for n in names(ms, ORGANIZATION))


def test_listed_organization_extended_into_a_national_section() -> None:
    wl = parse_watchlist({"organizations": [{"name": "Amnesty International", "aliases": ["Amnesty"]}]})
    nlp = add_watchlist(load_model(), wl)
    ms = find_mentions(nlp("Protest in Bern. Photo: Amnesty International Switzerland, via Keystone."), wl)
    assert "Amnesty International Switzerland" in names(ms, ORGANIZATION)
    assert not any(m.watchlisted and m.name == "Amnesty International" for m in ms)
    ms = find_mentions(nlp("Amnesty International Iran researcher Raha Bahreini said he was tortured."), wl)
    assert "Amnesty International" in names(ms, ORGANIZATION)


def test_listed_organization_extended_into_its_society() -> None:
    wl = parse_watchlist({"organizations": [{"name": "Iran Human Rights"}]})
    nlp = add_watchlist(load_model(), wl)
    ms = find_mentions(nlp("The Iran Human Rights Society said the singer was held in Evin."), wl)
    assert names(ms, ORGANIZATION) == {"Iran Human Rights Society"}


def test_acronym_before_a_place_is_an_organization(plain) -> None:  # noqa: ANN001
    ms = run(plain, "The novelist Chang Ta-chun, a member of PEN Taipei, called the sentence absurd.")
    assert "PEN Taipei" in names(ms, ORGANIZATION)
