"""The list and the detail cost the same number of queries whatever they show, whether
their articles' JSON is stored (api/fragments.py) or built."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import fragments
from tests.factories import ArticleFactory, CitationFactory, FAQFactory, republish

pytestmark = pytest.mark.django_db


def queries_for(api, path, *, stored):
    if not stored:
        fragments.summaries.clear()
        fragments.articles.clear()
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/api/v1/articles?limit=100", "/api/v1/categories",
                                  "/api/v1/reviewers", "/api/v1/sources"])  # fmt: skip
def test_lists_cost_the_same_for_2_and_20_items(api, path):
    for _ in range(2):
        ArticleFactory(tags=["a", "b"])
    api.get(path)  # the key is in the cache from now on
    few = queries_for(api, path, stored=False), queries_for(api, path, stored=True)
    for _ in range(18):
        ArticleFactory(tags=["c", "d"])
    many = queries_for(api, path, stored=False), queries_for(api, path, stored=True)
    assert few == many


def test_a_list_costs_two_queries_once_its_json_is_stored(api):
    for _ in range(3):
        ArticleFactory(tags=["a"])
    api.get("/api/v1/articles")
    # The articles' values that make up the key, and their tags; no usage write, no key.
    assert queries_for(api, "/api/v1/articles", stored=True) == 2
    assert queries_for(api, "/api/v1/articles", stored=False) == 4  # and the models, tags


def test_an_article_costs_the_same_whatever_it_holds(api):
    small = ArticleFactory()
    big = ArticleFactory(tags=["a", "b", "c", "d"])
    for _ in range(10):
        CitationFactory(article=big)
        FAQFactory(article=big)
    republish(big)
    api.get(f"/api/v1/articles/{small.pk}")
    built = [queries_for(api, f"/api/v1/articles/{a.pk}", stored=False) for a in (small, big)]
    api.get(f"/api/v1/articles/{small.pk}")
    stored = [queries_for(api, f"/api/v1/articles/{a.pk}", stored=True) for a in (small, big)]
    # Stored: the article's values, its translations, its tags. Built: and the models.
    assert stored == [3, 3]
    assert built == [5, 5]
