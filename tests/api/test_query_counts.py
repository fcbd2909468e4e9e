"""The list and the detail cost the same number of queries whatever they show."""

import pytest

from tests.factories import ArticleFactory, CitationFactory, FAQFactory, republish

pytestmark = pytest.mark.django_db


def queries_for(api, django_assert_max_num_queries, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/api/v1/articles?limit=100", "/api/v1/categories",
                                  "/api/v1/reviewers", "/api/v1/sources"])  # fmt: skip
def test_lists_cost_the_same_for_2_and_20_items(api, path, django_assert_num_queries):
    for _ in range(2):
        ArticleFactory(tags=["a", "b"])
    api.get(path)  # this month's usage row exists from now on
    few = queries_for(api, None, path)
    for _ in range(18):
        ArticleFactory(tags=["c", "d"])
    with django_assert_num_queries(few):
        assert api.get(path).status_code == 200


def test_an_article_costs_the_same_whatever_it_holds(api, django_assert_num_queries):
    small = ArticleFactory()
    big = ArticleFactory(tags=["a", "b", "c", "d"])
    for _ in range(10):
        CitationFactory(article=big)
        FAQFactory(article=big)
    republish(big)
    api.get(f"/api/v1/articles/{small.pk}")
    few = queries_for(api, None, f"/api/v1/articles/{small.pk}")
    with django_assert_num_queries(few):
        assert api.get(f"/api/v1/articles/{big.pk}").status_code == 200
    assert few <= 5
