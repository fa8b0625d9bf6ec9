"""A document's language read on its first characters agrees with the reading of the longer
sample; close neighbours are read on the longer one. Every text here is written for these tests."""

from __future__ import annotations

import unicodedata

import pytest

from extract import langid, script_norm

# Paragraphs, each a few hundred characters; repeated with a number they make long documents.
PARAGRAPHS = {
    "en": "The festival learned with alarm that the director had been summoned by the police and "
          "questioned for six hours about her films, her travels abroad and the people she met. "
          "Her lawyer said that no charge had been filed and that her passport was still held. ",
    "fr": "Le festival a appris avec inquiétude que la réalisatrice avait été convoquée par la police "
          "et interrogée pendant six heures sur ses films, ses voyages et les personnes rencontrées. "
          "Son avocat précise qu'aucune accusation n'a été portée et que son passeport reste confisqué. ",
    "de": "Das Festival hat mit Sorge erfahren, dass die Regisseurin von der Polizei vorgeladen und "
          "sechs Stunden lang über ihre Filme, ihre Reisen und ihre Bekannten befragt wurde. Ihr "
          "Anwalt sagt, es gebe keine Anklage, doch ihr Reisepass sei weiterhin beschlagnahmt. ",
    "es": "El festival supo con preocupación que la directora fue citada por la policía e interrogada "
          "durante seis horas sobre sus películas, sus viajes al extranjero y las personas que conoció. "
          "Su abogado dijo que no hay cargos y que su pasaporte sigue retenido por las autoridades. ",
    "ru": "Фестиваль с тревогой узнал, что режиссёра вызвали в полицию и шесть часов допрашивали о её "
          "фильмах, поездках за границу и людях, с которыми она встречалась. Адвокат сообщил, что "
          "обвинение не предъявлено, но её паспорт по-прежнему не вернули. ",
    "id": "Festival itu mengetahui dengan cemas bahwa sutradara tersebut dipanggil oleh polisi dan "
          "diperiksa selama enam jam tentang film-filmnya, perjalanannya ke luar negeri, dan orang-orang "
          "yang ditemuinya. Pengacaranya mengatakan bahwa belum ada dakwaan, tetapi paspornya "
          "masih ditahan. ",
}


def document(code: str, paragraphs: int) -> str:
    return "".join(f"{i + 1}. {PARAGRAPHS[code]}" for i in range(paragraphs))


def whole_sample(text: str) -> str | None:
    """The detector's answer on the whole SAMPLE, as before DETECT_SAMPLE existed."""
    detector = langid._detector(tuple(langid.DOCUMENT_LANGUAGES), True)
    assert detector is not None
    found = detector.detect_language_of(text[: langid.SAMPLE])
    return langid._code(found) if found is not None else None


@pytest.mark.parametrize("code", sorted(PARAGRAPHS))
def test_long_documents_read_on_their_start_agree_with_the_whole_sample(code: str) -> None:
    text = document(code, 30)
    assert len(text) > langid.SAMPLE > langid.DETECT_SAMPLE
    assert langid.document_language(text) == whole_sample(text) == code


def test_a_close_language_is_read_on_the_longer_sample() -> None:
    text = document("id", 12)
    assert langid.document_language(text[: langid.DETECT_SAMPLE]) in langid.CLOSE_LANGUAGES
    assert langid.document_language(text) == whole_sample(text)


def test_a_document_that_changes_language_is_read_by_its_start() -> None:
    # what the page is about comes first; menus and footers in another language come later
    text = document("fr", 5) + document("en", 15)
    assert len(document("fr", 5)) > langid.DETECT_SAMPLE
    assert langid.document_language(text) == "fr"


def test_dominant_script_is_the_same_with_letters_already_seen() -> None:
    mixed = "Das Team ª º µ — Фестиваль, 映画祭 と フェスティバル, مهرجان, and a festival again."
    first = langid.dominant_script(mixed)
    assert langid.dominant_script(mixed) == first
    for char in mixed:
        if char.isalpha():
            name = unicodedata.name(char, "")
            assert script_norm.script_of(char) == (name.split(" ", 1)[0] if name else "")
    assert langid.dominant_script("Фестиваль узнал о задержании") == "CYRILLIC"
    assert langid.dominant_script("ひらがなとカタカナと漢字") == "HIRAGANA"
