"""Readability figures: the published formulas on texts counted by hand, and only prose counts.

The expected figures below are worked out by hand from word, sentence and syllable counts:

    reading ease = 206.835 - 1.015 × words/sentences - 84.6 × syllables/words
    FK grade     = 0.39 × words/sentences + 11.8 × syllables/words - 15.59
    SMOG grade   = 1.0430 × √(polysyllables × 30 / sentences) + 3.1291
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from editorial.readability import (
    article_readability,
    count_syllables,
    prose_blocks,
    readability_of_text,
    split_sentences,
)
from tests.factories import ArticleFactory, FAQFactory

# 3 sentences, 18 words, 35 syllables; 5 words of 3+ syllables (recover, exercise,
# regularly, antibiotics, infections).
#   Most(1) people(2) recover(3) within(2) a(1) few(1) weeks(1)        7 words, 11 syllables
#   Exercise(3) regularly(4) and(1) drink(1) water(2)                   5 words, 11 syllables
#   Antibiotics(5) do(1) not(1) help(1) viral(2) infections(3)          6 words, 13 syllables
PLAIN = (
    "Most people recover within a few weeks. Exercise regularly and drink water. "
    "Antibiotics do not help viral infections."
)
# The same prose with Markdown, citation markers, links, code, a heading and a table.
MARKDOWN = """## Getting better quickly

**Most people** recover within a [few weeks](https://www.nhs.uk/conditions/back-pain/)[^nhs-back].
Exercise regularly and drink water[^nice-2020].

```python
print("Code is never read as prose. It has many syllables: configuration.")
```

> Antibiotics do not help *viral* infections[^cdc].

| Medicine | Usual adult dosage |
|----------|--------------------|
| Paracetamol | Two tablets every four hours |
"""


def test_one_short_sentence_matches_the_formulas():
    # "The cat sat on the mat." 1 sentence, 6 words, 6 syllables, no polysyllables.
    report = readability_of_text("The cat sat on the mat.")

    assert (report.sentences, report.words, report.syllables) == (1, 6, 6)
    assert report.flesch_reading_ease == pytest.approx(116.145, abs=0.01)
    assert report.flesch_kincaid_grade == pytest.approx(-1.45, abs=0.01)
    assert report.smog_grade == pytest.approx(3.1291, abs=0.01)


def test_a_paragraph_counted_by_hand_matches_the_formulas():
    report = readability_of_text(PLAIN)

    assert (report.sentences, report.words, report.syllables) == (3, 18, 35)
    assert report.polysyllables == 5
    # 206.835 - 1.015 × 6 - 84.6 × 35/18 = 36.245
    assert report.flesch_reading_ease == pytest.approx(36.245, abs=0.01)
    # 0.39 × 6 + 11.8 × 35/18 - 15.59 = 9.694
    assert report.flesch_kincaid_grade == pytest.approx(9.694, abs=0.01)
    # 1.0430 × √(5 × 30 / 3) + 3.1291 = 10.504
    assert report.smog_grade == pytest.approx(10.504, abs=0.01)


def test_markdown_markers_links_code_headings_and_tables_do_not_change_the_counts():
    plain, marked_up = readability_of_text(PLAIN), readability_of_text(MARKDOWN)

    counts = ("sentences", "words", "syllables", "polysyllables")
    assert [getattr(marked_up, name) for name in counts] == [
        getattr(plain, name) for name in counts
    ]
    assert marked_up.flesch_kincaid_grade == pytest.approx(plain.flesch_kincaid_grade)
    text = " ".join(prose_blocks(MARKDOWN))
    for not_prose in ("[^", "nhs-back", "https://", "print", "Getting better", "Paracetamol"):
        assert not_prose not in text


def test_bare_web_addresses_are_not_words():
    with_address = readability_of_text("Read more at https://www.nhs.uk/conditions/ today.")
    without = readability_of_text("Read more at today.")

    assert (with_address.words, with_address.syllables) == (without.words, without.syllables)


def test_each_list_item_and_paragraph_ends_a_sentence_even_without_a_full_stop():
    report = readability_of_text("Things that help:\n\n- Drink water\n- Rest\n- Take paracetamol")

    assert report.sentences == 4


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Take it with food, e.g. toast. Dr. Smith agrees.", 2),
        ("It lasts 2.5 days. Then it stops!", 2),
        ("Is it serious? Usually not. See a GP if it lasts (about 6 weeks).", 3),
        ("Trials by J. Smith et al. found no harm.", 1),
    ],
)
def test_sentences_split_at_their_ends_not_after_abbreviations(text, sentences):
    assert len(split_sentences(text)) == sentences


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("the", 1), ("cat", 1), ("make", 1), ("takes", 1), ("used", 1), ("jumped", 1),
        ("table", 2), ("centre", 2), ("wanted", 2), ("boxes", 2), ("changes", 2),
        ("people", 2), ("doctor", 2), ("being", 2), ("diet", 2), ("tissue", 2), ("lately", 2),
        ("medicine", 3), ("serious", 3), ("infection", 3), ("exercise", 3), ("sodium", 3),
        ("usual", 3), ("media", 3), ("recovery", 4), ("medication", 4), ("ibuprofen", 4),
        ("pneumonia", 4), ("diabetes", 4), ("paracetamol", 5), ("antibiotics", 5),
        ("COVID-19", 3), ("don't", 1), ("2024", 1),
    ],
)  # fmt: skip
def test_syllables_are_counted_by_english_spelling_rules(word, syllables):
    assert count_syllables(word) == syllables


def test_hardest_sentences_are_the_highest_grades_first_at_most_five():
    hard = "Musculoskeletal conditions necessitate comprehensive multidisciplinary evaluation."
    text = " ".join(["Rest a bit.", "Walk each day.", hard, "Drink water.", "Sleep well."])
    text += " Ask a pharmacist about medication interactions. Keep moving."

    report = readability_of_text(text)

    assert len(report.hardest_sentences) == 5
    assert report.hardest_sentences[0].text == hard
    assert report.hardest_sentences[1].text == "Ask a pharmacist about medication interactions."
    grades = [sentence.grade for sentence in report.hardest_sentences]
    assert grades == sorted(grades, reverse=True)


def test_per_sentence_grade_is_the_flesch_kincaid_grade_of_that_sentence():
    (sentence,) = readability_of_text("Antibiotics do not help viral infections.").hardest_sentences

    # 6 words, 13 syllables: 0.39 × 6 + 11.8 × 13/6 - 15.59 = 12.317
    assert (sentence.words, sentence.syllables) == (6, 13)
    assert sentence.grade == pytest.approx(12.317, abs=0.01)


def test_target_grade_comes_from_the_setting(settings):
    settings.READABILITY_TARGET_GRADE = 10
    assert readability_of_text(PLAIN).within_target  # grade 9.69

    settings.READABILITY_TARGET_GRADE = 8
    report = readability_of_text(PLAIN)
    assert report.target_grade == 8
    assert not report.within_target


def test_empty_text_has_no_figures():
    report = readability_of_text("## Only a heading\n\n```\ncode\n```")

    assert not report.has_text
    assert (report.sentences, report.words, report.hardest_sentences) == (0, 0, [])


@pytest.mark.django_db
def test_article_readability_reads_summary_body_and_faqs():
    article = ArticleFactory(summary="Most people recover within a few weeks.", body=MARKDOWN)
    FAQFactory(article=article, question="Will I get better?", answer="Yes, usually.")

    report = article_readability(article)

    # summary (1 sentence, 7 words) + body (3, 18) + FAQ question (1, 4) and answer (1, 2)
    assert (report.sentences, report.words) == (6, 31)


def test_settings_are_read_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.READABILITY_TARGET_GRADE, settings.CITATION_MAX_AGE_YEARS)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthsite.test_settings",
        "HEALTHSITE_READABILITY_TARGET_GRADE": "6.5",
        "HEALTHSITE_CITATION_MAX_AGE_YEARS": "5",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.split() == ["6.5", "5"]
