"""The head of every public page: title, description, canonical URL, robots, feeds, Open Graph
and Twitter card tags, and the site search form in the header."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, CategoryFactory, ReviewerFactory, image_file
from tests.page_markup import PageMarkup, markup

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    reviewer = ReviewerFactory(
        name="Dr Lena Ortiz",
        slug="lena-ortiz",
        credentials="MD",
        specialty="Sleep medicine",
        photo=image_file("lena.jpg", size=(400, 400)),
    )
    category = CategoryFactory(name="Sleep", slug="sleep", description="Rest and insomnia.")
    article = ArticleFactory(
        title="Insomnia",
        slug="insomnia",
        summary="Most insomnia improves with better sleep habits.",
        category=category,
        reviewer=reviewer,
        hero_image=image_file(size=(1200, 630)),
        hero_alt="A dark bedroom with a clock",
        tags=["night"],
    )
    return article


PUBLIC_PAGES = {
    "home": "/",
    "article": "/articles/insomnia/",
    "category": "/topics/sleep/",
    "tag": "/tags/night/",
    "reviewer": "/reviewers/lena-ortiz/",
    "search": "/search/?q=sleep",
    "empty search": "/search/",
}


@pytest.mark.parametrize("url", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_every_public_page_has_one_of_each_head_tag(client, site, url):
    page = markup(client.get(url))
    assert len(page.titles) == 1 and "healthsite" in page.titles[0]
    assert page.one_meta("description")
    canonical = page.canonical()
    assert canonical.startswith("http://testserver/")
    assert page.one_meta("og:url") == canonical
    assert page.one_meta("og:site_name") == "healthsite"
    assert page.one_meta("og:type") in {"article", "profile", "website"}
    assert page.one_meta("og:title")
    assert page.one_meta("og:description") == page.one_meta("description")
    assert page.one_meta("twitter:card") in {"summary", "summary_large_image"}
    assert page.one_meta("twitter:title") == page.one_meta("og:title")
    assert len(page.json_ld_blocks) == 1


@pytest.mark.parametrize("url", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_every_public_page_has_the_site_search_form(client, site, url):
    page = markup(client.get(url))
    forms = page.find("form", role="search", action="/search/", method="get")
    assert forms
    header_input = page.find("input", id="site-search-q", name="q", type="search")
    assert header_input
    assert page.find("label", **{"for": "site-search-q"})


def test_home_page_has_its_own_labelled_search_form(client, site):
    page = markup(client.get("/"))
    assert len(page.find("form", role="search")) == 2
    assert page.find("input", id="home-search-q", name="q")
    assert page.find("label", **{"for": "home-search-q"})


def test_article_head_describes_the_live_version_and_its_image(client, site):
    site.title = "Working copy title"
    site.summary = "Working copy summary."
    site.save()
    page = markup(client.get("/articles/insomnia/"))
    live = site.live_version
    assert page.titles == ["Insomnia | healthsite"]
    assert page.one_meta("description") == live.summary
    assert page.one_meta("og:title") == page.one_meta("twitter:title") == "Insomnia"
    assert page.one_meta("og:type") == "article"
    assert page.canonical() == "http://testserver/articles/insomnia/"
    image = page.one_meta("og:image")
    assert image == f"http://testserver{site.hero_image.url}"
    assert page.one_meta("og:image:width") == "1200"
    assert page.one_meta("og:image:height") == "630"
    assert page.one_meta("og:image:alt") == "A dark bedroom with a clock"
    assert page.one_meta("twitter:card") == "summary_large_image"
    assert page.one_meta("twitter:image") == image
    assert page.one_meta("article:section") == "Sleep"
    assert page.meta("article:tag") == ["night"]
    assert page.one_meta("article:modified_time") == timezone.localtime(
        live.published_at
    ).isoformat(timespec="seconds")
    assert page.meta("robots") == []


def test_article_without_image_has_a_summary_card(client):
    ArticleFactory(slug="plain")
    page = markup(client.get("/articles/plain/"))
    assert page.one_meta("twitter:card") == "summary"
    assert page.meta("og:image") == [] and page.meta("twitter:image") == []


def test_reviewer_profile_is_an_og_profile_with_the_photo(client, site):
    page = markup(client.get("/reviewers/lena-ortiz/"))
    assert page.one_meta("og:type") == "profile"
    assert page.titles == ["Dr Lena Ortiz, MD, medical reviewer | healthsite"]
    assert page.one_meta("description") == (
        "Dr Lena Ortiz, MD, Sleep medicine: medical reviewer at healthsite."
    )
    assert page.one_meta("og:image").startswith("http://testserver/media/reviewers/")
    assert page.one_meta("og:image:width") == "400"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/articles/insomnia/?utm_source=mail&ref=x", "http://testserver/articles/insomnia/"),
        ("/topics/sleep/?page=1", "http://testserver/topics/sleep/"),
        ("/topics/sleep/?utm_campaign=spring", "http://testserver/topics/sleep/"),
        ("/reviewers/lena-ortiz/?a=%22%3E%3Cscript%3E", "http://testserver/reviewers/lena-ortiz/"),
    ],
)
def test_canonical_url_drops_the_query_string(client, site, url, canonical):
    assert markup(client.get(url)).canonical() == canonical


def test_canonical_url_keeps_the_page_number(client, settings):
    settings.ARTICLES_PER_PAGE = 1
    category = CategoryFactory(slug="many")
    for day in range(3):
        ArticleFactory(
            category=category, published_at=timezone.now() - datetime.timedelta(days=day + 1)
        )
    page = markup(client.get("/topics/many/?page=2&utm_source=x"))
    assert page.canonical() == "http://testserver/topics/many/?page=2"
    assert page.titles[0].startswith(f"{category.name} articles (page 2)")


def test_canonical_url_follows_the_request_scheme_behind_a_proxy(client, site):
    headers = {"x-forwarded-proto": "https", "host": "testserver"}
    page = markup(client.get("/articles/insomnia/", headers=headers))
    assert page.canonical() == "https://testserver/articles/insomnia/"
    assert page.one_meta("og:image").startswith("https://testserver/media/")


def test_home_and_category_pages_link_their_feeds(client, site):
    home = markup(client.get("/"))
    assert home.link_hrefs("alternate", type="application/rss+xml") == ["http://testserver/feed/"]
    category = markup(client.get("/topics/sleep/"))
    assert category.link_hrefs("alternate", type="application/rss+xml") == [
        "http://testserver/topics/sleep/feed/",
        "http://testserver/feed/",
    ]


def test_search_pages_are_not_indexed_and_others_are(client, site):
    assert markup(client.get("/search/?q=sleep")).one_meta("robots") == "noindex"
    assert markup(client.get("/search/")).one_meta("robots") == "noindex"
    for url in ["/", "/articles/insomnia/", "/topics/sleep/", "/reviewers/lena-ortiz/"]:
        assert markup(client.get(url)).meta("robots") == [], url


def test_a_topic_with_nothing_published_is_not_indexed(client):
    empty = CategoryFactory(slug="nothing-yet")
    ArticleFactory(category=empty, draft=True)
    assert markup(client.get("/topics/nothing-yet/")).one_meta("robots") == "noindex"
    ArticleFactory(category=empty)
    assert markup(client.get("/topics/nothing-yet/")).meta("robots") == []


def test_preview_is_not_indexed(admin_client):
    ArticleFactory(slug="draft", draft=True)
    page = markup(admin_client.get("/articles/draft/"))
    assert page.one_meta("robots") == "noindex, nofollow"
    assert page.canonical() == "http://testserver/articles/draft/"


def test_editor_text_is_escaped_in_head_attributes(client):
    ArticleFactory(
        slug="hostile",
        title='"><script>alert(1)</script>',
        summary="'\" onload=alert(2) <b>",
    )
    response = client.get("/articles/hostile/")
    html = response.content.decode()
    head = html[: html.index("</head>")]
    assert "<script>alert" not in head
    assert "<b>" not in head
    page = markup(response)
    assert page.one_meta("og:title") == '"><script>alert(1)</script>'
    assert page.one_meta("description") == "'\" onload=alert(2) <b>"


def test_pages_without_page_meta_keep_the_default_head(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = PageMarkup(response.content.decode())
    assert page.titles == ["Page not found | healthsite"]
    assert page.meta("description")
