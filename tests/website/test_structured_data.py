"""JSON-LD on every public page: parsed from the page and checked against what the page shows
and what the models hold (the live version, never the working copy)."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    CitationFactory,
    FAQFactory,
    ReviewerFactory,
    SourceFactory,
    image_file,
    republish,
)
from tests.page_markup import markup
from website.structured_data import to_json_ld

pytestmark = pytest.mark.django_db

HISTORY_DATE = re.compile(
    r'<p class="history__date"><time datetime="([^"]+)">[^<]*</time>'
    r'( <span class="history__current">)?'
)


@pytest.fixture
def article():
    reviewer = ReviewerFactory(
        name="Dr Mira Okafor",
        slug="mira-okafor",
        credentials="D.Ac., M.S., L.Ac., Dipl. Ac., CYT",
        specialty="Acupuncture",
    )
    category = CategoryFactory(name="Back Pain", slug="back-pain")
    article = ArticleFactory(
        title="Lower back pain",
        slug="lower-back-pain",
        category=category,
        summary="Most lower back pain gets better on its own.",
        author="Sam Writer",
        reviewer=reviewer,
        last_reviewed_on=datetime.date(2025, 11, 2),
        next_review_due=datetime.date(2026, 11, 2),
        published_at=timezone.now() - datetime.timedelta(days=90),
        body="## Overview\n\nMost back pain improves within weeks.[^pmc] Keep active.[^nci]",
        hero_image=image_file(size=(1200, 675)),
        hero_alt="A drawing of a spine",
        tags=["exercise"],
    )
    pmc = SourceFactory(name="PubMed Central")
    nci = SourceFactory(name="National Cancer Institute")
    CitationFactory(
        article=article,
        key="pmc",
        source=pmc,
        title="Outcomes of acute back pain",
        url="https://pmc.example.org/articles/1",
        year=2021,
        order=1,
    )
    CitationFactory(
        article=article,
        key="nci",
        source=nci,
        title="Physical activity",
        url="https://www.cancer.gov/activity",
        year=None,
        order=2,
    )
    FAQFactory(article=article, question="Should I rest in bed?", answer="No, **keep moving**.")
    FAQFactory(article=article, question="Do I need a scan?", answer="Usually *not*.\n\nAsk a GP.")
    article.last_reviewed_on = datetime.date(2026, 2, 14)
    article.save()
    republish(article, published_at=timezone.now() - datetime.timedelta(days=5))
    return article


def test_article_page_is_a_medical_web_page_matching_the_page(client, article):
    response = client.get("/articles/lower-back-pain/")
    page = markup(response)
    data = page.json_ld()
    assert data["@context"] == "https://schema.org"
    web_page = page.graph_node("MedicalWebPage")
    live = article.live_version

    canonical = page.canonical()
    assert canonical == "http://testserver/articles/lower-back-pain/"
    assert web_page["url"] == web_page["mainEntityOfPage"] == canonical
    assert web_page["headline"] == live.title == "Lower back pain"
    assert page.find("h1") and "<h1>Lower back pain</h1>" in response.content.decode()
    assert web_page["description"] == live.summary == page.one_meta("description")

    # Dates: as the page shows them.
    assert web_page["lastReviewed"] == "2026-02-14" == live.reviewed_on.isoformat()
    assert web_page["lastReviewed"] == page.time_after("Page last reviewed:")
    history = HISTORY_DATE.findall(response.content.decode())
    current = [day for day, marker in history if marker]
    assert web_page["dateModified"][:10] == current[0]
    assert web_page["datePublished"][:10] == history[-1][0]  # the first version
    assert datetime.datetime.fromisoformat(web_page["dateModified"]) == live.published_at.replace(
        microsecond=0
    )
    assert datetime.datetime.fromisoformat(
        web_page["datePublished"]
    ) == article.published_at.replace(microsecond=0)

    reviewer = web_page["reviewedBy"]
    assert reviewer == {
        "@type": "Person",
        "name": "Dr Mira Okafor",
        "honorificSuffix": "D.Ac., M.S., L.Ac., Dipl. Ac., CYT",
        "url": "http://testserver/reviewers/mira-okafor/",
        "knowsAbout": "Acupuncture",
    }
    assert page.find("a", href="/reviewers/mira-okafor/")
    assert web_page["author"] == {"@type": "Person", "name": "Sam Writer"}
    assert web_page["publisher"] == {
        "@type": "Organization",
        "name": "healthsite",
        "url": "http://testserver/",
    }
    assert web_page["about"] == {"@type": "Thing", "name": "Back Pain"}
    assert web_page["image"]["url"] == page.one_meta("og:image")
    assert web_page["image"]["url"].startswith("http://testserver/media/articles/hero/")
    assert (web_page["image"]["width"], web_page["image"]["height"]) == (1200, 675)


def test_citations_are_the_live_version_sources(client, article):
    web_page = markup(client.get("/articles/lower-back-pain/")).graph_node("MedicalWebPage")
    assert web_page["citation"] == [
        {
            "@type": "CreativeWork",
            "name": "Outcomes of acute back pain",
            "url": "https://pmc.example.org/articles/1",
            "publisher": {"@type": "Organization", "name": "PubMed Central"},
            "datePublished": "2021",
        },
        {
            "@type": "CreativeWork",
            "name": "Physical activity",
            "url": "https://www.cancer.gov/activity",
            "publisher": {"@type": "Organization", "name": "National Cancer Institute"},
        },
    ]
    assert len(web_page["citation"]) == len(article.live_version.sources)


def test_breadcrumb_matches_the_visible_breadcrumbs(client, article):
    page = markup(client.get("/articles/lower-back-pain/"))
    items = page.graph_node("MedicalWebPage")["breadcrumb"]["itemListElement"]
    assert [item["position"] for item in items] == [1, 2, 3]
    assert [item["name"] for item in items] == [text for text, _ in page.breadcrumbs]
    assert page.breadcrumbs == [
        ("Home", "/"),
        ("Back Pain", "/topics/back-pain/"),
        ("Lower back pain", None),
    ]
    assert [item["item"] for item in items] == [
        "http://testserver/",
        "http://testserver/topics/back-pain/",
        page.canonical(),
    ]


def test_faq_page_lists_the_questions_with_plain_text_answers(client, article):
    response = client.get("/articles/lower-back-pain/")
    faq = markup(response).graph_node("FAQPage")
    assert faq["mainEntity"] == [
        {
            "@type": "Question",
            "name": "Should I rest in bed?",
            "acceptedAnswer": {"@type": "Answer", "text": "No, keep moving."},
        },
        {
            "@type": "Question",
            "name": "Do I need a scan?",
            "acceptedAnswer": {"@type": "Answer", "text": "Usually not.\nAsk a GP."},
        },
    ]
    html = response.content.decode()
    for question in faq["mainEntity"]:
        assert f'<h3 class="faq__question">{question["name"]}</h3>' in html


def test_structured_data_shows_the_live_version_not_the_working_copy(client, article):
    article.title = "Unreviewed new title"
    article.summary = "Unreviewed summary."
    article.save()
    article.faqs.update(question="Unreviewed question?")
    html = client.get("/articles/lower-back-pain/").content.decode()
    assert "Unreviewed" not in html
    web_page = markup(client.get("/articles/lower-back-pain/")).graph_node("MedicalWebPage")
    assert web_page["headline"] == "Lower back pain"


def test_article_without_faqs_or_image(client):
    ArticleFactory(slug="plain", title="Plain")
    data = markup(client.get("/articles/plain/")).json_ld()
    assert [node["@type"] for node in data["@graph"]] == ["MedicalWebPage"]
    assert "image" not in data["@graph"][0]
    assert data["@graph"][0]["citation"] == []


def test_reviewer_without_credentials_has_no_honorific_suffix(client):
    ArticleFactory(slug="plain", reviewer=ReviewerFactory(credentials="", specialty=""))
    web_page = markup(client.get("/articles/plain/")).graph_node("MedicalWebPage")
    assert set(web_page["reviewedBy"]) == {"@type", "name", "url"}


def test_dates_follow_the_site_time_zone_as_the_page_does(client, settings):
    settings.TIME_ZONE = "Pacific/Auckland"
    published = datetime.datetime(2026, 3, 1, 22, 30, tzinfo=datetime.UTC)  # 2 March there
    article = ArticleFactory(slug="late", published_at=published)
    response = client.get("/articles/late/")
    web_page = markup(response).graph_node("MedicalWebPage")
    assert web_page["datePublished"] == "2026-03-02T11:30:00+13:00"
    assert web_page["dateModified"] == "2026-03-02T11:30:00+13:00"
    assert [day for day, _ in HISTORY_DATE.findall(response.content.decode())] == ["2026-03-02"]
    assert article.live_version.published_at == published


def test_script_cannot_be_broken_out_of(client):
    hostile = "</script><script>alert(1)</script>"
    article = ArticleFactory(
        slug="hostile", title=hostile, summary="Fish & chips <!-- and --> more", author=hostile
    )
    FAQFactory(article=article, question=f"Why {hostile}?", answer="Because </script>.")
    republish(article)
    response = client.get("/articles/hostile/")
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    block = html[html.index('<script type="application/ld+json">') :]
    block = block[len('<script type="application/ld+json">') : block.index("</script>")]
    assert "<" not in block and ">" not in block and "&" not in block
    page = markup(response)
    web_page = page.graph_node("MedicalWebPage")
    assert web_page["headline"] == hostile
    assert web_page["description"] == "Fish & chips <!-- and --> more"
    assert page.graph_node("FAQPage")["mainEntity"][0]["name"] == f"Why {hostile}?"


def test_to_json_ld_escapes_markup_characters():
    data = {"a": "</script><!-- & \u2028", "n": 1}
    text = str(to_json_ld(data))
    assert not set("<>&") & set(text)
    assert "\\u003c/script\\u003e" in text
    assert json.loads(text) == data


def test_preview_has_no_structured_data(admin_client):
    ArticleFactory(slug="draft", draft=True)
    page = markup(admin_client.get("/articles/draft/"))
    assert page.json_ld_blocks == []


def test_reviewer_profile_is_a_profile_page(client):
    reviewer = ReviewerFactory(
        name="Dr Helena Marwick",
        slug="helena-marwick",
        credentials="MBBS, MRCGP",
        specialty="General practice",
        bio="Helena is a GP in Leeds.\n\nShe reviews articles on back pain.",
        photo=image_file("helena.jpg", size=(400, 400)),
    )
    ArticleFactory(reviewer=reviewer)
    page = markup(client.get("/reviewers/helena-marwick/"))
    profile = page.graph_node("ProfilePage")
    assert profile["url"] == page.canonical() == "http://testserver/reviewers/helena-marwick/"
    person = profile["mainEntity"]
    photo = page.find("img", alt="Portrait of Dr Helena Marwick")[0]["src"]
    assert person == {
        "@type": "Person",
        "name": "Dr Helena Marwick",
        "honorificSuffix": "MBBS, MRCGP",
        "url": "http://testserver/reviewers/helena-marwick/",
        "knowsAbout": "General practice",
        "description": "Helena is a GP in Leeds.\n\nShe reviews articles on back pain.",
        "image": f"http://testserver{photo}",
    }
    items = profile["breadcrumb"]["itemListElement"]
    assert [item["name"] for item in items] == [text for text, _ in page.breadcrumbs]


def test_category_page_is_a_collection_page(client, article):
    page = markup(client.get("/topics/back-pain/"))
    collection = page.graph_node("CollectionPage")
    assert collection["name"] == "Back Pain"
    assert collection["description"] == page.one_meta("description")
    assert collection["url"] == page.canonical() == "http://testserver/topics/back-pain/"
    items = collection["breadcrumb"]["itemListElement"]
    assert [(item["name"], item["item"]) for item in items] == [
        ("Home", "http://testserver/"),
        ("Back Pain", "http://testserver/topics/back-pain/"),
    ]
    assert [text for text, _ in page.breadcrumbs] == ["Home", "Back Pain"]


def test_tag_page_is_a_collection_page(client, article):
    page = markup(client.get("/tags/exercise/"))
    collection = page.graph_node("CollectionPage")
    assert collection["name"] == "Articles about exercise"
    assert collection["url"] == page.canonical() == "http://testserver/tags/exercise/"
    assert [item["name"] for item in collection["breadcrumb"]["itemListElement"]] == [
        text for text, _ in page.breadcrumbs
    ]


def test_home_page_describes_the_website_and_its_search(client, article):
    website = markup(client.get("/")).graph_node("WebSite")
    assert website["name"] == "healthsite"
    assert website["url"] == "http://testserver/"
    action = website["potentialAction"]
    assert action["target"]["urlTemplate"] == "http://testserver/search/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"


def test_search_page_has_one_block(client, article):
    page = markup(client.get("/search/?q=back"))
    assert page.graph_node("SearchResultsPage")["name"] == "Search results for “back”"
