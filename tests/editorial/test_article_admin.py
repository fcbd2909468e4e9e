"""The article admin as editors use it: pages load, inlines save, and mistakes are explained."""

import datetime
import warnings

import pytest
from django.core.paginator import UnorderedObjectListWarning
from django.urls import reverse
from django.utils import timezone
from django.utils.deprecation import RemovedInDjango60Warning

from articles.models import FAQ, Article, ArticleStatus, Citation
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    CitationFactory,
    FAQFactory,
    ReviewerFactory,
    SourceFactory,
    image_file,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")
CHANGELIST_URL = reverse("admin:articles_article_changelist")


def today():
    return timezone.localdate()


def management_form(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def citation_row(index, *, key, source, **overrides):
    row = {
        "order": str(index),
        "key": key,
        "source": str(source.pk),
        "title": f"Guidance on {key}",
        "url": f"https://www.example.gov/{key}",
        "authors": "",
        "year": "2024",
        "doi": "",
        "pmid": "",
        "accessed_on": "",
    }
    row.update(overrides)
    return {f"citations-{index}-{name}": value for name, value in row.items()}


def faq_row(index, *, question, answer):
    return {
        f"faqs-{index}-order": str(index),
        f"faqs-{index}-question": question,
        f"faqs-{index}-answer": answer,
    }


def article_post(*, citations=(), faqs=(), **overrides):
    """POST data for the add view: a draft unless overridden, with inline rows."""
    data = {
        "title": "Back pain",
        "slug": "back-pain",
        "category": str(CategoryFactory().pk),
        "tags": "back, pain relief",
        "summary": "Most back pain gets better within a few weeks.",
        "author": "Sam Writer",
        "language": "en",
        "body": "## Overview\n\nMost back pain gets better.",
        "hero_alt": "",
        "hero_credit": "",
        "status": ArticleStatus.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "reviewer": "",
        "last_reviewed_on": "",
        "next_review_due": "",
        "_save": "Save",
    }
    data.update(management_form("citations", len(citations)))
    for row in citations:
        data.update(row)
    data.update(management_form("faqs", len(faqs)))
    for row in faqs:
        data.update(row)
    data.update(overrides)
    return data


def form_errors(response):
    return response.context["adminform"].form.errors


def inline_non_form_errors(response, prefix):
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == prefix:
            return list(inline.formset.non_form_errors())
    raise AssertionError(f"no inline formset {prefix!r}")


def listed_titles(response):
    return {article.title for article in response.context["cl"].result_list}


# --- Every admin page loads. ---


@pytest.mark.parametrize(
    ("model", "make"),
    [
        ("article", lambda: CitationFactory(article=ArticleFactory(tags=["back"])).article),
        ("category", CategoryFactory),
        ("source", lambda: CitationFactory().source),
    ],
)
def test_changelist_add_and_change_pages_load(admin_client, model, make):
    obj = make()
    FAQFactory(article=ArticleFactory(draft=True))

    changelist = admin_client.get(reverse(f"admin:articles_{model}_changelist"))
    add = admin_client.get(reverse(f"admin:articles_{model}_add"))
    change = admin_client.get(reverse(f"admin:articles_{model}_change", args=[obj.pk]))

    assert (changelist.status_code, add.status_code, change.status_code) == (200, 200, 200)
    assert str(obj) in changelist.content.decode()
    assert change.context["original"] == obj


def test_article_change_page_shows_its_citations_faqs_and_hero_preview(admin_client):
    article = ArticleFactory(hero_image=image_file(), hero_alt="A person stretching")
    CitationFactory(article=article, key="nhs-back-pain")
    FAQFactory(article=article, question="Should I rest?")

    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    content = response.content.decode()
    assert 'value="nhs-back-pain"' in content
    assert "Should I rest?" in content
    assert f'src="{article.hero_image.url}" alt="A person stretching"' in content


def test_category_changelist_counts_all_and_published_articles(admin_client):
    category = CategoryFactory()
    ArticleFactory.create_batch(2, category=category)
    ArticleFactory(category=category, draft=True)

    response = admin_client.get(reverse("admin:articles_category_changelist"))

    (row,) = response.context["cl"].result_list
    assert (row._article_count, row._published_count) == (3, 2)


def test_source_changelist_counts_citations(admin_client):
    source = SourceFactory()
    CitationFactory.create_batch(3, source=source)

    response = admin_client.get(reverse("admin:articles_source_changelist"))

    (row,) = response.context["cl"].result_list
    assert row._citation_count == 3


def test_admin_requires_staff(client):
    response = client.get(CHANGELIST_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- Adding an article with its inlines. ---


def test_add_article_saves_citations_faqs_tags_and_who_created_it(admin_client, admin_user):
    nhs, who = SourceFactory(), SourceFactory()
    data = article_post(
        body="## Overview\n\nMost back pain gets better.[^nhs-back-pain] Keep moving.[^who-2023]",
        citations=[
            citation_row(0, key="nhs-back-pain", source=nhs),
            citation_row(1, key="who-2023", source=who, pmid="33782057"),
        ],
        faqs=[
            faq_row(0, question="Should I rest?", answer="Keep gently active."),
            faq_row(1, question="When should I see a GP?", answer="If it lasts 6 weeks."),
        ],
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, response.context and form_errors(response)
    article = Article.objects.get(slug="back-pain")
    assert article.created_by == admin_user
    assert article.status == ArticleStatus.DRAFT
    assert [(c.key, c.source, c.pmid) for c in article.citations.all()] == [
        ("nhs-back-pain", nhs, ""),
        ("who-2023", who, "33782057"),
    ]
    assert [f.question for f in article.faqs.all()] == ["Should I rest?", "When should I see a GP?"]
    assert sorted(article.tags.names()) == ["back", "pain relief"]


def test_review_and_publication_fields_cannot_be_set_in_the_article_form(admin_client):
    """Only the review workflow publishes: a forged POST of those fields changes nothing."""
    reviewer = ReviewerFactory()
    data = article_post(
        status=ArticleStatus.PUBLISHED,
        published_at_0="2026-02-01",
        published_at_1="09:00:00",
        reviewer=str(reviewer.pk),
        last_reviewed_on="2026-01-20",
        next_review_due="2027-01-20",
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get(slug="back-pain")
    assert article.status == ArticleStatus.DRAFT
    assert article.reviewer is None and article.last_reviewed_on is None
    assert not article.is_published


def test_add_article_with_hero_image_and_alt_text(admin_client):
    data = article_post(hero_image=image_file(size=(1200, 675)), hero_alt="A woman stretching")

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get(slug="back-pain")
    assert article.hero_image.name.startswith("articles/hero/")
    assert (article.hero_width, article.hero_height) == (1200, 675)


# --- Mistakes are explained, and nothing is half-saved. ---


def test_body_citing_a_missing_key_is_refused_naming_the_key(admin_client):
    data = article_post(
        body="Claim.[^nhs] Another claim.[^missing]",
        citations=[citation_row(0, key="nhs", source=SourceFactory())],
        faqs=[faq_row(0, question="Q?", answer="A.")],
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    (error,) = inline_non_form_errors(response, "citations")
    assert error == (
        "The body cites [^missing], but this article has no citation with that key. "
        "Add a citation with that key, or correct the marker in the body."
    )
    assert "[^missing]" in response.content.decode()
    assert not Article.objects.exists()
    assert not Citation.objects.exists()
    assert not FAQ.objects.exists()


def test_body_citing_several_missing_keys_names_them_all(admin_client):
    response = admin_client.post(ADD_URL, article_post(body="A.[^one] B.[^two] C.[^one]"))

    (error,) = inline_non_form_errors(response, "citations")
    assert error.startswith("The body cites [^one], [^two], but this article has no citation")
    assert "with those keys" in error
    assert not Article.objects.exists()


def test_deleting_a_citation_the_body_still_cites_is_refused(admin_client):
    article = ArticleFactory(body="Claim.[^nhs]")
    citation = CitationFactory(article=article, key="nhs")
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    data = article_post(
        title=article.title,
        slug=article.slug,
        category=str(article.category_id),
        body=article.body,
        citations=[
            {
                **citation_row(0, key="nhs", source=citation.source),
                "citations-0-id": str(citation.pk),
                "citations-0-article": str(article.pk),
                "citations-0-DELETE": "on",
            }
        ],
    )
    data.update(management_form("citations", 1, initial=1))

    response = admin_client.post(change_url, data)

    assert response.status_code == 200
    assert "[^nhs]" in inline_non_form_errors(response, "citations")[0]
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_marker_in_a_code_span_needs_no_citation(admin_client):
    response = admin_client.post(ADD_URL, article_post(body="Write `[^key]` to cite a source."))

    assert response.status_code == 302
    assert Article.objects.filter(slug="back-pain").exists()


def test_duplicate_citation_key_in_the_inline_is_refused(admin_client):
    source = SourceFactory()
    data = article_post(
        body="Claim.[^nhs]",
        citations=[
            citation_row(0, key="nhs", source=source),
            citation_row(1, key="nhs", source=source),
        ],
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert inline_non_form_errors(response, "citations") == [
        "Please correct the duplicate data for key."
    ]
    assert not Article.objects.exists()
    assert not Citation.objects.exists()


def test_badly_formed_citation_key_is_refused_with_an_example(admin_client):
    data = article_post(
        body="Claim.[^NHS Back]",
        citations=[citation_row(0, key="NHS Back", source=SourceFactory())],
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    (inline,) = [
        i for i in response.context["inline_admin_formsets"] if i.formset.prefix == "citations"
    ]
    assert "[^nhs-back-pain]" in inline.formset.forms[0].errors["key"][0]
    assert not Article.objects.exists()


def test_hero_image_without_alt_text_is_refused_on_the_alt_field(admin_client):
    response = admin_client.post(ADD_URL, article_post(hero_image=image_file(), hero_alt=""))

    assert response.status_code == 200
    assert form_errors(response)["hero_alt"] == [
        "Describe the hero image for readers who cannot see it, or remove the image."
    ]
    assert not Article.objects.exists()


def test_hero_image_in_an_unsupported_format_is_refused(admin_client):
    data = article_post(hero_image=image_file("scan.bmp", image_format="BMP"), hero_alt="A scan")

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert form_errors(response)["hero_image"] == [
        "BMP images are not supported. Upload a JPEG, PNG, WebP or GIF file."
    ]
    assert not Article.objects.exists()


# --- Changelist: review-due filter and search. ---


@pytest.fixture
def review_dates():
    last = today() - datetime.timedelta(days=300)

    def article(title, days_from_today):
        return ArticleFactory(
            title=title,
            last_reviewed_on=last,
            next_review_due=today() + datetime.timedelta(days=days_from_today),
        )

    article("Overdue by a day", -1)
    article("Due today", 0)
    article("Due in 30 days", 30)
    article("Due in 31 days", 31)
    article("Due in 90 days", 90)
    article("Due in 91 days", 91)
    ArticleFactory(title="Undated draft", draft=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("overdue", {"Overdue by a day"}),
        ("30", {"Due today", "Due in 30 days"}),
        ("90", {"Due today", "Due in 30 days", "Due in 31 days", "Due in 90 days"}),
        ("none", {"Undated draft"}),
    ],
)
def test_review_due_filter(admin_client, review_dates, value, expected):
    response = admin_client.get(CHANGELIST_URL, {"review_due": value})

    assert response.status_code == 200
    assert listed_titles(response) == expected


def test_review_due_filter_off_lists_everything(admin_client, review_dates):
    response = admin_client.get(CHANGELIST_URL)

    assert len(listed_titles(response)) == 7
    for label in ("Overdue", "Within 30 days", "Within 90 days", "No date set"):
        assert label in response.content.decode()


def test_review_column_flags_overdue_articles(admin_client, review_dates):
    response = admin_client.get(CHANGELIST_URL, {"review_due": "overdue"})

    content = response.content.decode()
    assert '<strong class="review-overdue">Overdue by 1 day' in content


def test_the_article_list_fits_an_editors_screen(admin_client):
    reviewer = ReviewerFactory(name="Dr Ada Lee", credentials="MD, FACP")
    ArticleFactory(title="Gout", reviewer=reviewer, next_review_due=datetime.date(2027, 1, 3))
    response = admin_client.get(CHANGELIST_URL)

    assert response.context["cl"].list_display == [
        "action_checkbox", "title", "category", "status_and_review", "reviewer_name",
        "last_reviewed_on", "next_review", "broken_links", "updated_on", "helpful_share",
    ]  # fmt: skip
    html = response.content.decode()
    assert "Published<br>Not reviewed" in html  # status and where the content stands
    assert '<td class="field-reviewer_name">Dr Ada Lee</td>' in html  # without credentials
    assert '<td class="field-next_review">3 Jan 2027</td>' in html
    assert 'id="nav-sidebar"' not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sciatica", {"Sciatica explained"}),  # title
        ("lumbago", {"Back pain basics"}),  # body
        ("tendon", {"Tennis elbow"}),  # summary
    ],
)
def test_search_matches_title_summary_and_body(admin_client, query, expected):
    ArticleFactory(title="Sciatica explained")
    ArticleFactory(title="Back pain basics", body="Once called lumbago.")
    ArticleFactory(title="Tennis elbow", summary="A tendon problem.", draft=True)

    response = admin_client.get(CHANGELIST_URL, {"q": query})

    assert listed_titles(response) == expected


def test_status_filter(admin_client):
    ArticleFactory(title="Live")
    ArticleFactory(title="Work in progress", draft=True)

    response = admin_client.get(CHANGELIST_URL, {"status__exact": "draft"})

    assert listed_titles(response) == {"Work in progress"}


def test_source_search_and_type_filter(admin_client):
    SourceFactory(name="PubMed Central", source_type="respected_database")
    SourceFactory(name="NHS", source_type="government_authority")
    url = reverse("admin:articles_source_changelist")

    by_name = admin_client.get(url, {"q": "pubmed"})
    by_type = admin_client.get(url, {"source_type__exact": "government_authority"})

    assert [s.name for s in by_name.context["cl"].result_list] == ["PubMed Central"]
    assert [s.name for s in by_type.context["cl"].result_list] == ["NHS"]


def test_source_autocomplete_used_by_the_citation_inline(admin_client):
    SourceFactory(name="PubMed Central")
    SourceFactory(name="NHS")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "pub",
            "app_label": "articles",
            "model_name": "citation",
            "field_name": "source",
        },
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["PubMed Central"]


# --- URL fields in the admin assume https and raise no Django 6.0 warning. ---


@pytest.mark.parametrize("model", ["article", "source"])
def test_admin_forms_with_url_fields_raise_no_deprecation_warning(admin_client, model):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemovedInDjango60Warning)
        response = admin_client.get(reverse(f"admin:articles_{model}_add"))

    assert response.status_code == 200


def test_citation_url_typed_without_a_scheme_is_saved_as_https(admin_client):
    data = article_post(
        body="Claim.[^nhs]",
        citations=[
            citation_row(
                0, key="nhs", source=SourceFactory(), url="www.nhs.uk/conditions/back-pain/"
            )
        ],
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302
    assert Citation.objects.get().url == "https://www.nhs.uk/conditions/back-pain/"


@pytest.mark.parametrize(
    ("factory", "model_name", "field_name"),
    [(SourceFactory, "citation", "source"), (CategoryFactory, "article", "category")],
)
def test_autocomplete_lists_choices_alphabetically(admin_client, factory, model_name, field_name):
    for name in ("Zeta", "Alpha", "Mu"):
        factory(name=name)

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "term": "",
                "app_label": "articles",
                "model_name": model_name,
                "field_name": field_name,
            },
        )

    assert [r["text"] for r in response.json()["results"]] == ["Alpha", "Mu", "Zeta"]


def test_citation_marker_in_a_faq_answer_is_refused(admin_client):
    data = article_post(
        body="Claim.[^nhs]",
        citations=[citation_row(0, key="nhs", source=SourceFactory())],
        faqs=[faq_row(0, question="Should I rest?", answer="No, keep moving.[^nhs]")],
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert not Article.objects.exists()
