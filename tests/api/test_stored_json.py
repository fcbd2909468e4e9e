"""Each article's JSON is stored under the values it is made of (api/fragments.py): an answer
from the store is the same as one built afresh, and any change shows at once, even one made
with QuerySet.update, which moves no timestamp."""

import datetime

import pytest
from django.utils import timezone
from taggit.models import Tag

from api import fragments
from articles.models import Article, Category, PublishedVersion
from reviewers.models import Reviewer
from tests.factories import ArticleFactory, FAQFactory, image_file, republish

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles"


def detail(article):
    return f"/api/v1/articles/{article.pk}"


def built_afresh(api, path):
    fragments.summaries.clear()
    fragments.articles.clear()
    return api.get(path).content


def test_a_stored_answer_is_the_one_built_afresh(api):
    article = ArticleFactory(tags=["sleep", "rest"])
    FAQFactory(article=article)
    republish(article)
    ArticleFactory()
    for path in (LIST, detail(article)):
        built = built_afresh(api, path)
        assert api.get(path).content == built  # from the store
        assert len(fragments.summaries._parts) + len(fragments.articles._parts) >= 1


def shown(api, article):
    listed = next(a for a in api.get(LIST).json()["data"] if a["id"] == article.pk)
    return listed, api.get(detail(article)).json()["data"]


CHANGES = {
    "topic renamed": (
        lambda a: Category.objects.filter(pk=a.live_version.category_id).update(name="Renamed"),
        lambda data: data["category"]["name"] == "Renamed",
    ),
    "reviewer's credentials": (
        lambda a: Reviewer.objects.filter(pk=a.live_version.reviewer_id).update(credentials="FRCP"),
        lambda data: data["reviewer"]["credentials"] == "FRCP",
    ),
    "tag renamed": (
        lambda a: Tag.objects.filter(slug="sleep").update(name="Sleep well"),
        lambda data: "Sleep well" in [t["name"] for t in data["tags"]],
    ),
    "image renditions made": (
        lambda a: PublishedVersion.objects.filter(pk=a.live_version_id).update(hero_width=1234),
        lambda data: data["hero_image"]["width"] == 1234,
    ),
    "next review moved": (
        lambda a: Article.objects.filter(pk=a.pk).update(next_review_due=datetime.date(2031, 1, 1)),
        lambda data: data["next_review_due"] == "2031-01-01",
    ),
    "overdue for review": (
        lambda a: Article.objects.filter(pk=a.pk).update(
            next_review_due=datetime.date(2026, 1, 10)
        ),
        lambda data: data["being_reviewed"] is True,
    ),
    "translation out of date": (
        lambda a: Article.objects.filter(pk=a.pk).update(source_changed_at=timezone.now()),
        lambda data: data["translation_out_of_date"] is True,
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_to_anything_an_answer_shows_shows_at_once(api, change):
    make, check = CHANGES[change]
    article = ArticleFactory(tags=["sleep"], hero_image=image_file(), hero_alt="A bed")
    before = shown(api, article)
    assert not all(check(data) for data in before)
    make(Article.objects.select_related("live_version").get(pk=article.pk))
    listed, own = shown(api, article)
    assert check(listed) and check(own)
    assert api.get(LIST).content == built_afresh(api, LIST)


def test_a_new_translation_shows_on_its_sources_answer_at_once(api):
    source = ArticleFactory()
    api.get(detail(source))
    assert api.get(detail(source)).json()["data"]["translations"] == []
    ArticleFactory(translation_of=source, language="es")
    assert [t["language"] for t in api.get(detail(source)).json()["data"]["translations"]] == ["es"]


def test_each_host_gets_its_own_links(api):
    article = ArticleFactory()
    api.get(detail(article))
    other = api.get(detail(article), HTTP_HOST="localhost").json()["data"]
    assert other["api_url"].startswith("http://localhost/")
