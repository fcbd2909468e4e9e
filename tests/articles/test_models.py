"""Article, Category, Source and Citation rules, enforced by the database and by clean()."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from articles.models import Article, ArticleStatus, Citation, Source, SourceType
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    CitationFactory,
    ReviewerFactory,
    SourceFactory,
    image_file,
)

pytestmark = pytest.mark.django_db


def assert_violates(constraint_name, save):
    """Run save() and check the database refuses it because of the named constraint."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        save()
    message = str(excinfo.value)
    if constraint_name not in message:
        # SQLite names the columns, not the constraint, of a violated unique constraint.
        assert connection.vendor == "sqlite" and "UNIQUE constraint failed" in message, message


def today():
    return timezone.localdate()


# --- Database constraints: each one refuses bad rows even when clean() is bypassed. ---


@pytest.mark.parametrize(
    "missing", ["reviewer", "published_at", "last_reviewed_on", "next_review_due"]
)
def test_published_article_without_review_details_is_refused_by_the_database(missing):
    assert_violates("article_published_is_reviewed", lambda: ArticleFactory(**{missing: None}))


def test_draft_without_review_details_is_allowed():
    article = ArticleFactory(draft=True)

    assert Article.objects.filter(pk=article.pk, status=ArticleStatus.DRAFT).exists()


def test_hero_image_without_alt_text_is_refused_by_the_database():
    article = ArticleFactory(hero_image=image_file(), hero_alt="A runner stretching.")

    assert_violates(
        "article_hero_image_has_alt_text",
        lambda: Article.objects.filter(pk=article.pk).update(hero_alt=""),
    )


def test_alt_text_without_hero_image_is_allowed():
    article = ArticleFactory(hero_alt="Left over from a removed image.")

    assert Article.objects.get(pk=article.pk).hero_image.name == ""


def test_hero_image_with_alt_text_is_stored_with_its_dimensions():
    article = ArticleFactory(hero_image=image_file(size=(640, 360)), hero_alt="A bowl of oats.")

    article.refresh_from_db()
    assert article.hero_image.name.startswith("articles/hero/")
    assert (article.hero_width, article.hero_height) == (640, 360)


@pytest.mark.parametrize("days_after_last_review", [0, -1])
def test_next_review_on_or_before_last_review_is_refused_by_the_database(days_after_last_review):
    last = datetime.date(2026, 3, 1)
    next_due = last + datetime.timedelta(days=days_after_last_review)

    assert_violates(
        "article_next_review_after_last",
        lambda: ArticleFactory(last_reviewed_on=last, next_review_due=next_due),
    )


def test_next_review_the_day_after_last_review_is_allowed():
    last = datetime.date(2026, 3, 1)

    article = ArticleFactory(last_reviewed_on=last, next_review_due=last + datetime.timedelta(1))

    assert Article.objects.filter(pk=article.pk).exists()


def test_unknown_status_is_refused_by_the_database():
    assert_violates("article_status_valid", lambda: ArticleFactory(draft=True, status="archived"))


def test_citation_key_is_unique_within_an_article():
    citation = CitationFactory(key="nhs-back-pain")

    assert_violates(
        "citation_key_unique_in_article",
        lambda: CitationFactory(article=citation.article, key="nhs-back-pain"),
    )


def test_same_citation_key_is_allowed_in_two_articles():
    CitationFactory(key="nhs-back-pain")
    CitationFactory(key="nhs-back-pain")

    assert Citation.objects.filter(key="nhs-back-pain").count() == 2


@pytest.mark.parametrize("year", [1799, 2101])
def test_implausible_citation_year_is_refused_by_the_database(year):
    assert_violates("citation_year_plausible", lambda: CitationFactory(year=year))


@pytest.mark.parametrize("year", [1800, 2100, None])
def test_plausible_or_missing_citation_year_is_allowed(year):
    citation = CitationFactory(year=year)

    assert Citation.objects.get(pk=citation.pk).year == year


def test_source_without_trust_label_is_refused_by_the_database():
    assert_violates("source_trust_label_not_empty", lambda: SourceFactory(trust_label=""))


def test_unknown_source_type_is_refused_by_the_database():
    assert_violates("source_type_valid", lambda: SourceFactory(source_type="blog"))


def test_every_source_type_is_accepted_by_the_database():
    for source_type in SourceType:
        SourceFactory(source_type=source_type)

    assert Source.objects.count() == len(SourceType)


def test_source_type_suggests_a_trust_label():
    assert SourceType.GOVERNMENT_AUTHORITY.suggested_trust_label == "Governmental authority"
    assert SourceType.OTHER.suggested_trust_label == ""


# --- clean(): messages attached to the field the editor must change. ---


def test_clean_asks_for_alt_text_when_there_is_a_hero_image():
    article = ArticleFactory()
    article.hero_image = image_file()
    article.hero_alt = "   "

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()

    assert excinfo.value.message_dict["hero_alt"] == [
        "Describe the hero image for readers who cannot see it, or remove the image."
    ]


@pytest.mark.parametrize(
    ("field", "attribute", "expected"),
    [
        ("reviewer", "reviewer", "Choose the medical reviewer who approved this article."),
        ("last_reviewed_on", "last_reviewed_on", "Enter the date of the medical review."),
        ("next_review_due", "next_review_due", "Enter when the article is next due for review."),
    ],
)
def test_clean_names_each_missing_review_detail_of_a_published_article(field, attribute, expected):
    article = ArticleFactory()
    setattr(article, attribute, None)

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()

    assert excinfo.value.message_dict[field] == [f"A published article needs this. {expected}"]


def test_clean_names_a_missing_publication_date_of_a_published_article():
    article = ArticleFactory()
    article.published_at = None

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()

    assert "published_at" in excinfo.value.message_dict


def test_clean_lists_every_missing_review_detail_at_once():
    article = ArticleFactory(draft=True)
    article.status = ArticleStatus.PUBLISHED
    article.published_at = timezone.now()

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()

    assert {"reviewer", "last_reviewed_on", "next_review_due"} <= set(excinfo.value.message_dict)


def test_clean_refuses_a_next_review_not_after_the_last_review():
    article = ArticleFactory()
    article.next_review_due = article.last_reviewed_on

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()

    assert excinfo.value.message_dict["next_review_due"] == [
        "The next review must be after the last review date."
    ]


def test_clean_accepts_a_complete_published_article_and_a_bare_draft():
    for article in (ArticleFactory(), ArticleFactory(draft=True)):
        article.full_clean()  # raises ValidationError if anything is refused
        assert article.pk is not None


# --- Citation keys. ---


@pytest.mark.parametrize("key", ["nhs-back-pain", "who_2023", "1st-trial", "a"])
def test_citation_key_format_accepts_lowercase_slugs(key):
    citation = CitationFactory.build(article=ArticleFactory(), source=SourceFactory(), key=key)
    citation.full_clean()  # raises ValidationError if the key is refused
    assert citation.key == key


@pytest.mark.parametrize(
    "key", ["NHS", "back pain", "-leading-hyphen", "_leading", "ünïcode", "key\n", "a.b", "[^x]"]
)
def test_citation_key_format_refuses_anything_else_and_shows_an_example(key):
    citation = CitationFactory.build(article=ArticleFactory(), source=SourceFactory(), key=key)

    with pytest.raises(ValidationError) as excinfo:
        citation.full_clean()

    (message,) = excinfo.value.message_dict["key"]
    assert "lowercase letters, digits, hyphens and underscores" in message
    assert "[^nhs-back-pain]" in message


def test_duplicate_citation_key_in_one_article_fails_full_clean():
    existing = CitationFactory(key="who-2023")
    duplicate = CitationFactory.build(
        article=existing.article, source=existing.source, key="who-2023"
    )

    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_pmid_must_be_digits():
    citation = CitationFactory.build(
        article=ArticleFactory(), source=SourceFactory(), pmid="PMC123"
    )

    with pytest.raises(ValidationError) as excinfo:
        citation.full_clean()

    assert excinfo.value.message_dict["pmid"] == ["A PubMed ID is digits only, e.g. 33782057."]


def test_citation_str_shows_the_marker():
    citation = CitationFactory.build(key="nhs-back-pain", title="Back pain")

    assert str(citation) == "[^nhs-back-pain] Back pain"


# --- QuerySet: published(), due_for_review(on=), for_listing(). ---


def test_published_excludes_drafts_and_future_publication_times():
    now = timezone.now()
    live = ArticleFactory(published_at=now - datetime.timedelta(minutes=1))
    scheduled = ArticleFactory(published_at=now + datetime.timedelta(hours=1))
    draft = ArticleFactory(draft=True)
    unpublished_with_date = ArticleFactory(draft=True, published_at=now - datetime.timedelta(1))

    published = set(Article.objects.published())

    assert live in published
    assert not published & {scheduled, draft, unpublished_with_date}
    assert live.is_published
    assert not scheduled.is_published
    assert not draft.is_published
    assert not unpublished_with_date.is_published


def test_due_for_review_includes_the_day_itself_and_excludes_later_and_undated():
    on = datetime.date(2026, 6, 15)
    earlier = ArticleFactory(next_review_due=on - datetime.timedelta(1))
    same_day = ArticleFactory(next_review_due=on)
    next_day = ArticleFactory(next_review_due=on + datetime.timedelta(1))
    undated = ArticleFactory(draft=True)

    due = set(Article.objects.due_for_review(on=on))

    assert due == {earlier, same_day}
    assert not due & {next_day, undated}


def test_due_for_review_requires_the_date_by_keyword():
    with pytest.raises(TypeError):
        Article.objects.due_for_review(datetime.date(2026, 6, 15))


def test_review_is_overdue_only_after_the_due_date():
    last = today() - datetime.timedelta(days=365)
    overdue = ArticleFactory(last_reviewed_on=last, next_review_due=today() - datetime.timedelta(1))
    due_today = ArticleFactory(last_reviewed_on=last, next_review_due=today())

    assert overdue.review_is_overdue
    assert not due_today.review_is_overdue
    assert not ArticleFactory(draft=True).review_is_overdue


def test_for_listing_orders_newest_first_and_loads_category_and_reviewer(
    django_assert_num_queries,
):
    now = timezone.now()
    older = ArticleFactory(published_at=now - datetime.timedelta(days=2))
    newer = ArticleFactory(published_at=now - datetime.timedelta(days=1))
    same_time_a = ArticleFactory(published_at=now - datetime.timedelta(days=3))
    same_time_b = ArticleFactory(published_at=same_time_a.published_at)

    with django_assert_num_queries(1):
        listed = list(Article.objects.published().for_listing())
        names = [(a.live_category.name, a.live_version.reviewer.name) for a in listed]

    assert listed == [newer, older, same_time_b, same_time_a]
    assert len(names) == 4


def test_article_urls_and_str():
    article = ArticleFactory(slug="back-pain", title="Back pain")
    category = CategoryFactory(slug="bones")

    assert str(article) == "Back pain"
    assert article.get_absolute_url() == "/articles/back-pain/"
    assert category.get_absolute_url() == "/topics/bones/"


def test_reviewer_is_protected_while_it_has_reviewed_articles():
    from django.db.models import ProtectedError

    reviewer = ReviewerFactory()
    ArticleFactory(reviewer=reviewer)

    with pytest.raises(ProtectedError), transaction.atomic():
        reviewer.delete()


def test_deleting_a_draft_deletes_its_citations_but_not_the_source():
    citation = CitationFactory(article=ArticleFactory(draft=True))
    source = citation.source

    citation.article.delete()

    assert not Citation.objects.filter(pk=citation.pk).exists()
    assert Source.objects.filter(pk=source.pk).exists()


def test_a_published_article_cannot_be_deleted_so_its_history_is_kept():
    article = ArticleFactory()

    with pytest.raises(ProtectedError):
        article.delete()
    assert Article.objects.filter(pk=article.pk).exists()


def test_source_without_trust_label_takes_the_label_of_its_type():
    source = SourceFactory.build(source_type=SourceType.GOVERNMENT_AUTHORITY, trust_label="")
    source.full_clean()
    assert source.trust_label == "Governmental authority"


def test_source_of_type_other_needs_a_trust_label():
    source = SourceFactory.build(source_type=SourceType.OTHER, trust_label="  ")
    with pytest.raises(ValidationError) as excinfo:
        source.full_clean()
    assert "trust_label" in excinfo.value.message_dict
