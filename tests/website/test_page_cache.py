"""Anonymous readers get cached pages; anything they could see change invalidates them."""

import datetime

import pytest
from django.urls import reverse

from articles.models import Article
from editorial.models import ReviewRequest
from editorial.services import decide_review, unpublish
from tests.factories import ArticleFactory, CitationFactory, ReviewerFactory, republish, role_user
from tests.signatures import signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what would happen on commit (cache invalidation), as in production."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_second_anonymous_request_is_served_without_queries(client, django_assert_num_queries):
    article = ArticleFactory(title="Cached article")
    first = client.get(article.get_absolute_url())
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(article.get_absolute_url())
    assert second.content == first.content
    assert "Cached article" in second.content.decode()


def test_public_pages_carry_revalidation_headers_and_answer_304(client):
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age=0" in cache_control
    assert "must-revalidate" in cache_control
    assert response["ETag"]

    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("url", ["/", "/topics/{category}/", "/reviewers/{reviewer}/"])
def test_listing_pages_are_cached_too(client, django_assert_num_queries, url):
    article = ArticleFactory()
    url = url.format(category=article.category.slug, reviewer=article.reviewer.slug)
    client.get(url)
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_staff_previews_and_the_admin_are_never_cached(admin_client):
    draft = ArticleFactory(draft=True, slug="draft")
    preview = admin_client.get("/articles/draft/")
    assert "no-store" in preview["Cache-Control"]
    live = ArticleFactory()
    staff_view = admin_client.get(live.get_absolute_url())
    assert "private" in staff_view["Cache-Control"]
    admin_page = admin_client.get(reverse("admin:articles_article_changelist"))
    assert "public" not in admin_page.get("Cache-Control", "")
    Article.objects.filter(pk=draft.pk).update(title="Changed draft")
    assert "Changed draft" in admin_client.get("/articles/draft/").content.decode()


def test_not_found_pages_are_not_stored(client):
    assert client.get("/articles/nope/").status_code == 404
    ArticleFactory(slug="nope")
    assert client.get("/articles/nope/").status_code == 200


def test_publishing_a_new_version_shows_at_once(client, commit):
    article = ArticleFactory(body="Old advice.")
    assert "Old advice." in client.get(article.get_absolute_url()).content.decode()
    article.body = "New advice."
    article.save()
    commit(republish, article, change_summary="Updated advice")
    assert "New advice." in client.get(article.get_absolute_url()).content.decode()


def test_unpublishing_removes_the_page_and_its_listing_at_once(client, commit):
    article = ArticleFactory(title="Soon gone")
    assert client.get(article.get_absolute_url()).status_code == 200
    assert "Soon gone" in client.get("/").content.decode()
    commit(unpublish, article=article, user=role_user("Editor"), reason="Outdated")
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Soon gone" not in client.get("/").content.decode()


def test_a_re_review_shows_its_new_date_immediately_after_sign_off(client, commit):
    reviewer_user = role_user("Medical reviewer")
    reviewer = ReviewerFactory(user=reviewer_user)
    article = ArticleFactory(
        body="Claim.[^c]",
        reviewer=reviewer,
        last_reviewed_on=datetime.date(2025, 1, 10),
        next_review_due=datetime.date(2026, 1, 10),
    )
    CitationFactory(article=article, key="c")
    republish(article)
    assert "10 January 2025" in client.get(article.get_absolute_url()).content.decode()
    review = ReviewRequest.objects.create(article=article, reviewer=reviewer)
    sign_off = commit(
        decide_review,
        review_request=review,
        user=reviewer_user,
        decision="approved",
        **signed(review, reviewer_user),
    )
    page = client.get(article.get_absolute_url()).content.decode()
    shown = f'<time datetime="{sign_off.reviewed_on:%Y-%m-%d}">'
    assert f"Page last reviewed:</dt> <dd>{shown}" in page


def test_a_reviewer_profile_edit_reaches_their_articles_pages(client, commit):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    reviewer = article.reviewer
    reviewer.credentials = "MD, PhD, FRCP"
    commit(reviewer.save)
    assert "MD, PhD, FRCP" in client.get(article.get_absolute_url()).content.decode()


def test_editing_a_draft_keeps_public_pages_cached(client, commit, django_assert_num_queries):
    live = ArticleFactory()
    client.get(live.get_absolute_url())
    draft = ArticleFactory(draft=True)
    draft.title = "Still a draft"
    commit(draft.save)
    with django_assert_num_queries(0):
        client.get(live.get_absolute_url())


def test_working_copy_edits_of_a_live_article_never_reach_readers(client, commit):
    article = ArticleFactory(body="Approved text.")
    article.body = "Unreviewed text."
    commit(article.save)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Approved text." in page and "Unreviewed text." not in page


def test_stored_pages_keep_their_security_headers(client):
    article = ArticleFactory()
    first = client.get(article.get_absolute_url())
    second = client.get(article.get_absolute_url())
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert second[header] == first[header], header


def stored_copies():
    from django.core.cache import cache

    return [key for key in cache._cache if "public-page:" in key]


def test_made_up_parameters_do_not_make_new_copies(client, django_assert_num_queries):
    article = ArticleFactory(title="Cached article")
    client.get(article.get_absolute_url())
    before = stored_copies()

    with django_assert_num_queries(0):
        for n in range(20):
            assert client.get(article.get_absolute_url(), {"junk": n}).status_code == 200

    assert stored_copies() == before


def test_the_parameters_a_page_reads_still_make_their_own_copies(client):
    for n in range(13):
        ArticleFactory(title=f"Article {n}")
    first = client.get("/", {"page": 1})
    search = client.get("/search/", {"q": "Article"})
    other_search = client.get("/search/", {"q": "nothing-like-this"})

    assert search.content != other_search.content
    assert b"Article 12" in search.content
    assert first.status_code == 200
    assert len(stored_copies()) == 3


def test_the_scheme_is_part_of_the_key(client):
    article = ArticleFactory()
    secure = client.get(article.get_absolute_url(), secure=True)
    plain = client.get(article.get_absolute_url())

    assert "https://testserver/" in secure.content.decode()
    assert "https://testserver/" not in plain.content.decode()
    assert "http://testserver/" in plain.content.decode()
