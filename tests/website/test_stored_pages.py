"""Article pages are rendered once and stored with their live version (articles/article_pages.py).

These tests run with the page cache off (the test settings), so every request reaches the
view: each change a reader could see must show on the next request, served from a page
rendered again, never from the stored one.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Category, PublishedVersion
from articles.review_schedule import update_review_schedule
from editorial.services import unpublish
from tests.factories import ArticleFactory, CategoryFactory, ReviewerFactory, republish, role_user
from website import stored_pages as article_pages
from website.invalidation import mark_pages_stale

pytestmark = pytest.mark.django_db


def page(client, article, **extra) -> str:
    response = client.get(article.get_absolute_url(), **extra)
    assert response.status_code == 200
    return response.content.decode()


def stored(article) -> PublishedVersion:
    """The article's live version as stored now, with its rendered page."""
    return PublishedVersion.objects.get(pk=Article.objects.get(pk=article.pk).live_version_id)


def is_current(article) -> bool:
    return stored(article).rendered_with == article_pages.rendering_fingerprint()


def queries_for(client, article) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client, article)
    return len(captured.captured_queries)


@pytest.fixture
def article():
    return ArticleFactory(title="Back pain: first steps", tags=["back", "exercise"])


def test_first_view_stores_the_page_and_later_views_read_it_in_one_query(client, article):
    assert not is_current(article)
    first = page(client, article)
    assert is_current(article)
    assert queries_for(client, article) == 1
    assert page(client, article) == first
    assert "Back pain: first steps" in first
    for marker in (article_pages.ORIGIN, article_pages.REVIEW_NOTICE, article_pages.COPYRIGHT_YEAR):
        assert marker not in first


def test_a_stored_page_is_the_page_a_fresh_render_gives(client, article):
    page(client, article)
    from_store = page(client, article)
    mark_pages_stale([article.pk])
    assert page(client, article) == from_store


def test_each_request_gets_its_own_origin_in_absolute_urls(client, article, settings):
    settings.ALLOWED_HOSTS = ["testserver", "health.example"]
    page(client, article)  # stored
    html = page(client, article, HTTP_HOST="health.example")
    assert (
        f'<link rel="canonical" href="http://health.example{article.get_absolute_url()}">' in html
    )
    assert article_pages.ORIGIN not in html
    assert article_pages.ORIGIN in stored(article).rendered_page


def test_the_being_reviewed_notice_appears_on_its_day_without_a_new_render(client, monkeypatch):
    today = timezone.localdate()
    article = ArticleFactory(next_review_due=today - datetime.timedelta(days=20))
    assert "This article is being reviewed" not in page(client, article)
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + datetime.timedelta(days=15))
    assert queries_for(client, article) == 1  # still the stored page
    assert "This article is being reviewed" in page(client, article)


def test_the_footer_year_is_this_year(client, article, monkeypatch):
    page(client, article)
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2031, 1, 1))
    assert "&copy; 2031" in page(client, article)


def test_a_reviewer_profile_edit_reaches_the_stored_page(client, article):
    page(client, article)
    article.reviewer.credentials = "MD, PhD"
    article.reviewer.save()
    assert f"{article.reviewer.name}, MD, PhD" in page(client, article)


def test_a_category_rename_and_a_new_category_reach_the_stored_page(client, article):
    page(client, article)
    article.category.name = "Spine health"
    article.category.save()
    CategoryFactory(name="Sleep")
    html = page(client, article)
    assert "View all Spine health articles" in html
    assert ">Sleep</a>" in html  # the navigation


def test_tag_changes_reach_the_stored_page(client, article):
    page(client, article)
    article.tags.add("posture")
    republish(article)  # a new tag reaches readers when it is published
    assert ">posture</a>" in page(client, article)
    tag = Tag.objects.get(name="exercise")
    tag.name = "gentle exercise"
    tag.save()
    assert ">gentle exercise</a>" in page(client, article)


def test_changes_mark_only_the_pages_that_show_them(client, article):
    other = ArticleFactory(title="Unrelated page")
    page(client, article)
    page(client, other)
    article.tags.add("brand-new")  # a new tag, on one article
    ReviewerFactory()  # a new reviewer shows nowhere yet
    assert is_current(other)
    assert not is_current(article)


def test_live_article_fields_reach_the_stored_page(client, article):
    page(client, article)
    Article.objects.filter(pk=article.pk).update(is_sample=False)
    article.refresh_from_db()
    article.is_sample = True
    article.save()
    republish(article)  # what readers see of an article comes from its published version
    assert "Sample content." in page(client, article)


def test_a_new_review_date_reaches_the_stored_page(client, article):
    page(client, article)
    Article.objects.filter(pk=article.pk).update(next_review_due_override=datetime.date(2027, 3, 1))
    update_review_schedule(article=Article.objects.get(pk=article.pk))
    assert '<time datetime="2027-03-01">1 March 2027</time>' in page(client, article)


def test_related_cards_follow_the_articles_they_show(client, article):
    neighbour = ArticleFactory(title="Sciatica explained", category=article.category, tags=["back"])
    article.refresh_from_db()
    assert "Sciatica explained" in page(client, article)

    neighbour.title = "Sciatica: causes and care"
    neighbour.save()
    republish(neighbour, change_summary="New title")
    assert "Sciatica: causes and care" in page(client, article)

    unpublish(article=neighbour, user=role_user("Editor"), reason="Merged into another page")
    assert "Sciatica" not in page(client, article)


def test_after_a_deploy_readers_get_the_previous_rendering_until_it_is_rendered_again(
    client, article, monkeypatch
):
    before = page(client, article)
    previous = stored(article).rendered_with
    monkeypatch.setattr(article_pages, "rendering_fingerprint", lambda: "next-deploy")
    assert queries_for(client, article) == 1  # nothing it shows changed: served as stored
    assert page(client, article) == before
    assert stored(article).rendered_with == previous
    call_command("render_article_pages", stdout=StringIO())
    assert stored(article).rendered_with == "next-deploy"
    assert queries_for(client, article) == 1


def test_after_a_deploy_a_changed_page_is_rendered_again_on_its_next_view(
    client, article, monkeypatch
):
    page(client, article)
    monkeypatch.setattr(article_pages, "rendering_fingerprint", lambda: "next-deploy")
    article.title = "Back pain: a new title"
    article.save()
    republish(article, change_summary="New title")  # a new version: never rendered
    assert "Back pain: a new title" in page(client, article)
    Category.objects.filter(pk=article.category_id).update(name="Spine")
    mark_pages_stale([article.pk])  # as the category's edit does
    assert queries_for(client, article) > 1
    assert "Spine" in page(client, article)
    assert stored(article).rendered_with == "next-deploy"


def test_in_development_a_template_change_shows_at_once(client, article, monkeypatch, settings):
    page(client, article)
    settings.DEBUG = True
    monkeypatch.setattr(article_pages, "rendering_fingerprint", lambda: "edited-template")
    assert queries_for(client, article) > 1
    assert stored(article).rendered_with == "edited-template"


def test_render_article_pages_resumes_where_an_interrupted_run_stopped(monkeypatch):
    articles = [ArticleFactory() for _ in range(5)]
    render = article_pages.render_page
    rendered = []

    def render_then_stop(*args, **kwargs):
        if len(rendered) == 3:
            raise KeyboardInterrupt
        rendered.append(args[0].pk)
        return render(*args, **kwargs)

    monkeypatch.setattr(article_pages, "render_page", render_then_stop)
    with pytest.raises(KeyboardInterrupt):
        article_pages.render_stale_pages(batch_size=2)
    # The first batch at least (PostgreSQL rolls back the interrupted batch).
    done = sum(is_current(article) for article in articles)
    assert 2 <= done <= 3
    monkeypatch.setattr(article_pages, "render_page", render)
    assert article_pages.render_stale_pages(batch_size=2) == 5 - done
    assert all(is_current(article) for article in articles)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="claims need FOR UPDATE SKIP LOCKED")
@pytest.mark.django_db(transaction=True)
def test_render_article_pages_skips_the_pages_another_run_claimed():
    import threading

    articles = [ArticleFactory() for _ in range(3)]
    claimed = articles[1]
    locked, release = threading.Event(), threading.Event()

    def another_run():
        from django.db import connections, transaction

        with transaction.atomic():
            version = PublishedVersion.objects.select_for_update().filter(pk=stored(claimed).pk)
            assert version.values_list("pk", flat=True).get()
            locked.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=another_run)
    thread.start()
    try:
        assert locked.wait(10)
        assert article_pages.render_stale_pages(batch_size=10) == 2
        assert [is_current(article) for article in articles] == [True, False, True]
    finally:
        release.set()
        thread.join()
    assert article_pages.render_stale_pages() == 1


def test_render_article_pages_refuses_a_batch_size_below_one():
    with pytest.raises(CommandError, match="--batch-size must be at least 1, not 0"):
        call_command("render_article_pages", "--batch-size", "0")


def test_a_change_made_while_a_page_renders_keeps_that_page_from_being_stored(
    client, article, monkeypatch
):
    render = article_pages.render_page

    def render_while_an_editor_saves(*args, **kwargs):
        html = render(*args, **kwargs)
        mark_pages_stale([article.pk])  # as a change committed meanwhile would
        return html

    monkeypatch.setattr(article_pages, "render_page", render_while_an_editor_saves)
    page(client, article)
    assert stored(article).rendered_with.startswith("stale:")
    assert not is_current(article)


def test_the_feedback_thank_you_is_rendered_for_the_reader_and_never_stored(client, article):
    html = page(client, article, QUERY_STRING="feedback=thanks")
    assert "Thank you for your feedback" in html
    assert not is_current(article)
    assert "Thank you for your feedback" not in page(client, article)
    assert 'name="helpful"' in stored(article).rendered_page


def test_staff_previews_are_never_stored(admin_client):
    draft = ArticleFactory(draft=True, slug="draft-page")
    response = admin_client.get("/articles/draft-page/")
    assert response.status_code == 200
    assert "Preview." in response.content.decode()
    assert not PublishedVersion.objects.filter(article=draft).exists()


def test_render_article_pages_stores_every_stale_page_before_a_reader_asks(client):
    articles = [ArticleFactory() for _ in range(3)]
    ArticleFactory(draft=True)
    output = StringIO()
    call_command("render_article_pages", stdout=output)
    assert output.getvalue().strip() == "Rendered and stored 3 article pages."
    assert all(is_current(article) for article in articles)
    assert queries_for(client, articles[0]) == 1

    stored = page(client, articles[0])
    mark_pages_stale([articles[0].pk])
    assert page(client, articles[0]) == stored  # as the view would render it

    output = StringIO()
    call_command("render_article_pages", stdout=output)
    assert output.getvalue().strip() == "Rendered and stored 0 article pages."
