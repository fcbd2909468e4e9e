""" "Was this helpful?": the form on the article page, what it stores, and what it refuses."""

import datetime
import hashlib

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleStatus
from feedback.models import Feedback
from feedback.services import client_hash
from tests.factories import ArticleFactory
from tests.html_tree import parse_html

pytestmark = pytest.mark.django_db

OWN_ORIGIN = "http://testserver"
READER_ADDRESS = "203.0.113.77"


def feedback_url(article):
    return reverse("feedback:send", kwargs={"slug": article.slug})


def send(client, article, *, origin=OWN_ORIGIN, referer=None, address=READER_ADDRESS, **data):
    """POST the form as a browser on our article page would (Origin header, no CSRF token)."""
    headers = {}
    if origin is not None:
        headers["Origin"] = origin
    if referer is not None:
        headers["Referer"] = referer
    extra = {name: data.pop(name) for name in list(data) if name.startswith("HTTP_")}
    data.setdefault("helpful", "yes")
    return client.post(feedback_url(article), data, headers=headers, REMOTE_ADDR=address, **extra)


def parse(response):
    return parse_html(response.content)


@pytest.fixture
def article():
    return ArticleFactory(slug="back-pain")


# --- The form on the page. ---


def test_article_page_ends_with_a_feedback_form_after_the_disclaimer(client, article):
    page = parse(client.get(article.get_absolute_url()))

    form = page.find("form", action=feedback_url(article))
    assert form is not None and form["method"] == "post"
    assert form.find("h2").text() == "Was this helpful?"
    disclaimer = page.find("aside", class_="disclaimer")
    assert page.position(disclaimer) < page.position(form)
    buttons = form.find_all("button", type="submit")
    assert [(b["name"], b["value"], b.text()) for b in buttons] == [
        ("helpful", "yes", "Yes"),
        ("helpful", "no", "No"),
    ]
    comment = form.find("textarea", name="comment")
    label = form.find("label", for_=comment["id"])
    assert label.text() == "Tell us more (optional)"
    assert comment["maxlength"] == "1000"
    # No per-visitor token: the page is the same for everyone, so it can be cached.
    assert not form.find("input", name="csrfmiddlewaretoken")


def test_article_page_sets_no_cookie_so_it_can_be_shared_from_a_cache(client, article):
    response = client.get(article.get_absolute_url())

    assert not response.cookies


def test_staff_preview_has_no_feedback_form(admin_client):
    draft = ArticleFactory(draft=True)

    page = parse(admin_client.get(draft.get_absolute_url()))

    assert page.find(id="feedback") is None


# --- Sending it. ---


def test_yes_with_a_comment_is_stored_and_the_reader_is_thanked(client, article):
    response = send(client, article, helpful="yes", comment="  Clear and calm, thank you.  ")

    assert response.status_code == 302
    assert response["Location"] == "/articles/back-pain/?feedback=thanks#feedback"
    feedback = Feedback.objects.get()
    assert (feedback.article, feedback.version) == (article, article.live_version)
    assert feedback.helpful is True
    assert feedback.comment == "Clear and calm, thank you."
    assert timezone.now() - feedback.created_at < datetime.timedelta(minutes=1)

    thanks = parse(client.get(response["Location"]))
    section = thanks.find(id="feedback")
    assert section.find(role="status").text().startswith("Thank you for your feedback.")
    assert section.find("form") is None


def test_no_without_a_comment_is_stored(client, article):
    response = send(client, article, helpful="no")

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.helpful, feedback.comment) == (False, "")


def test_the_form_keeps_working_when_the_page_comes_from_the_cache(client, settings, article):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 3600
    client.get(article.get_absolute_url())
    cached = client.get(article.get_absolute_url())  # the stored copy, where a cache is on
    assert parse(cached).find("form", action=feedback_url(article))

    response = send(client, article, helpful="yes")

    assert response.status_code == 302
    assert Feedback.objects.count() == 1
    thanks = client.get(response["Location"])
    assert "Thank you for your feedback" in thanks.content.decode()
    again = client.get(article.get_absolute_url())
    assert "Thank you for your feedback" not in again.content.decode()


def test_a_get_is_not_allowed(client, article):
    assert client.get(feedback_url(article)).status_code == 405


# --- Cross-site request forgery: the origin is checked instead of a token. ---


@pytest.mark.parametrize(
    ("origin", "referer"),
    [
        ("https://evil.example", None),
        ("https://evil.example", f"{OWN_ORIGIN}/articles/back-pain/"),  # Origin wins
        ("http://testserver.evil.example", None),
        ("https://testserver", None),  # same host, other scheme
        ("null", None),  # sandboxed frames and some redirects
        (None, "https://evil.example/articles/back-pain/"),
        (None, None),  # neither header: cannot tell where it came from
        (None, "not a url"),
    ],
    ids=[
        "other-site",
        "other-site-with-our-referer",
        "lookalike-host",
        "other-scheme",
        "null-origin",
        "other-site-referer",
        "no-headers",
        "garbage-referer",
    ],
)
def test_a_post_from_another_site_or_unknown_origin_is_refused(client, article, origin, referer):
    response = send(client, article, origin=origin, referer=referer, comment="Forged")

    assert response.status_code == 403
    assert "Your form was not sent" in response.content.decode()
    assert not Feedback.objects.exists()


def test_our_own_page_as_referer_is_enough_when_the_browser_sends_no_origin(client, article):
    response = send(client, article, origin=None, referer=f"{OWN_ORIGIN}/articles/back-pain/")

    assert response.status_code == 302
    assert Feedback.objects.count() == 1


def test_no_csrf_token_is_needed_from_our_own_origin_even_with_csrf_checks_on(article):
    client = Client(enforce_csrf_checks=True)

    assert send(client, article).status_code == 302
    assert send(client, article, origin="https://evil.example").status_code == 403
    assert Feedback.objects.count() == 1


def test_origins_in_csrf_trusted_origins_are_accepted(client, settings, article):
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.example.org", "https://*.example.net"]

    assert send(client, article, origin="https://www.example.org").status_code == 302
    assert send(client, article, origin="https://news.example.net").status_code == 302
    assert send(client, article, origin="http://news.example.net").status_code == 403
    assert send(client, article, origin="https://example.org").status_code == 403
    assert Feedback.objects.count() == 2


def test_https_site_accepts_its_https_origin_only(client, article):
    secure = {"secure": True, "headers": {"Origin": "https://testserver"}}
    plain = {"secure": True, "headers": {"Origin": "http://testserver"}}

    assert client.post(feedback_url(article), {"helpful": "yes"}, **secure).status_code == 302
    assert client.post(feedback_url(article), {"helpful": "yes"}, **plain).status_code == 403


# --- Rate limits. ---


def test_one_client_may_answer_on_one_article_only_so_often_an_hour(client, settings, article):
    settings.FEEDBACK_RATE_PER_ARTICLE = 3

    for _ in range(3):
        assert send(client, article).status_code == 302
    response = send(client, article, comment="Once more")

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    page = parse(response)
    assert page.find("h1").text() == "Too much feedback for now"
    assert "already sent feedback on this article several times in the last hour" in (page.text())
    assert Feedback.objects.count() == 3
    assert not Feedback.objects.filter(comment="Once more").exists()
    # Someone else, and the same reader on another article, may still answer.
    assert send(client, article, address="198.51.100.1").status_code == 302
    assert send(client, ArticleFactory()).status_code == 302


def test_one_client_may_send_only_so_much_feedback_an_hour_overall(client, settings):
    settings.FEEDBACK_RATE_PER_ARTICLE = 3
    settings.FEEDBACK_RATE_PER_HOUR = 4
    articles = ArticleFactory.create_batch(5)

    for article in articles[:4]:
        assert send(client, article).status_code == 302
    response = send(client, articles[4])

    assert response.status_code == 429
    assert "You have sent a lot of feedback in the last hour" in response.content.decode()
    assert Feedback.objects.count() == 4
    assert send(client, articles[4], address="198.51.100.1").status_code == 302


def test_the_limits_come_from_settings_and_start_again_when_the_hour_is_over(
    client, settings, article
):
    from django.core.cache import cache

    settings.FEEDBACK_RATE_PER_ARTICLE = 1
    assert send(client, article).status_code == 302
    assert send(client, article).status_code == 429

    cache.clear()  # the hour's counters expire

    assert send(client, article).status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_limit(client, settings, article):
    settings.FEEDBACK_RATE_PER_ARTICLE = 1
    settings.NUM_PROXIES = 0  # no proxy in front: the header is the client's own invention

    assert send(client, article, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 302
    assert send(client, article, HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 429


def test_behind_a_proxy_the_address_the_proxy_saw_identifies_the_client(client, settings, article):
    settings.FEEDBACK_RATE_PER_ARTICLE = 1
    settings.NUM_PROXIES = 1
    proxy = "10.0.0.5"

    def via_proxy(forwarded_for):
        return send(client, article, address=proxy, HTTP_X_FORWARDED_FOR=forwarded_for)

    assert via_proxy("192.0.2.1, 203.0.113.10").status_code == 302
    # The same reader putting a made-up address in front is still the same reader ...
    assert via_proxy("192.0.2.99, 203.0.113.10").status_code == 429
    # ... and another reader behind the same proxy is someone else.
    assert via_proxy("203.0.113.11").status_code == 302
    assert set(Feedback.objects.values_list("client_hash", flat=True)) == {
        client_hash("203.0.113.10"),
        client_hash("203.0.113.11"),
    }


# --- Mistakes are explained. ---


def test_an_answer_is_required_and_the_comment_is_kept_for_another_try(client, article):
    response = send(client, article, helpful="", comment="Needs more on sleep.")

    assert response.status_code == 400
    page = parse(response)
    assert page.find("h1").text() == "Your feedback was not sent"
    assert "Choose “Yes” or “No” to tell us whether the article helped." in page.text()
    assert page.find("textarea").text() == "Needs more on sleep."
    assert page.find("a", href=article.get_absolute_url())
    assert not Feedback.objects.exists()


def test_an_answer_other_than_yes_or_no_is_refused(client, article):
    response = send(client, article, helpful="maybe")

    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_a_comment_over_1000_characters_is_refused_saying_how_long_it_is(client, article):
    response = send(client, article, comment="x" * 1001)

    assert response.status_code == 400
    assert (
        "Your comment is 1,001 characters long; the limit is 1,000. Shorten it and send it again."
        in parse(response).text()
    )
    assert not Feedback.objects.exists()


def test_line_breaks_count_once_as_the_browser_counted_them(client, article):
    comment = ("y" * 99 + "\r\n") * 10  # 1,000 characters in the textarea, 1,010 sent

    assert send(client, article, comment=comment).status_code == 302
    stored = Feedback.objects.get().comment
    assert len(stored) == 999 and "\r" not in stored  # the last line break is trimmed


def test_the_database_refuses_an_overlong_comment():
    article = ArticleFactory()

    with pytest.raises(IntegrityError, match="feedback_comment_length"):
        Feedback.objects.create(article=article, helpful=True, comment="z" * 1001)


# --- Only published articles. ---


@pytest.mark.parametrize(
    "make",
    [
        lambda: ArticleFactory(draft=True),
        lambda: ArticleFactory(status=ArticleStatus.UNPUBLISHED),
        lambda: ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1)),
    ],
    ids=["draft", "unpublished", "scheduled"],
)
def test_only_published_articles_take_feedback(client, make):
    article = make()

    assert send(client, article).status_code == 404
    assert not Feedback.objects.exists()


def test_an_unknown_article_is_not_found(client):
    response = client.post("/articles/no-such-page/feedback/", {"helpful": "yes"},
                           headers={"Origin": OWN_ORIGIN})  # fmt: skip

    assert response.status_code == 404


# --- Privacy: the address is never stored. ---


def test_the_readers_address_is_stored_only_as_a_keyed_hash(client, settings, article):
    send(client, article, comment="Helpful")

    row = Feedback.objects.values().get()
    assert READER_ADDRESS not in repr(row)
    assert row["client_hash"] == client_hash(READER_ADDRESS)
    assert len(row["client_hash"]) == 64
    # Not a plain hash anyone could recompute for every IPv4 address ...
    assert row["client_hash"] != hashlib.sha256(READER_ADDRESS.encode()).hexdigest()
    # ... but keyed by the site's secret.
    settings.SECRET_KEY = "another-secret-key-for-this-test-only"
    assert client_hash(READER_ADDRESS) != row["client_hash"]


# --- What editors see in the admin. ---


def give_feedback(article, *answers):
    """Feedback rows, oldest first, one minute apart: (helpful, comment) each."""
    start = timezone.now() - datetime.timedelta(hours=1)
    return [
        Feedback.objects.create(
            article=article,
            version=article.live_version,
            helpful=helpful,
            comment=comment,
            created_at=start + datetime.timedelta(minutes=minute),
            client_hash=client_hash(f"192.0.2.{minute}"),
        )
        for minute, (helpful, comment) in enumerate(answers)
    ]


def helpful_column(response):
    return {
        article.title: response.context["cl"].model_admin.helpful_share(article)
        for article in response.context["cl"].result_list
    }


def test_article_changelist_shows_the_share_of_yes_without_a_query_per_row(admin_client):
    liked = ArticleFactory(title="Liked")
    give_feedback(liked, (True, ""), (True, ""), (False, "Too long"))
    ArticleFactory(title="Unanswered")
    url = reverse("admin:articles_article_changelist")

    response = admin_client.get(url)

    assert helpful_column(response) == {
        "Liked": "67% yes (3 answers)",
        "Unanswered": "None yet",
    }
    assert "67% yes (3 answers)" in response.content.decode()
    queries_for_two = count_queries(admin_client, url)
    for number in range(5):
        give_feedback(ArticleFactory(title=f"More {number}"), (True, "Fine"), (False, ""))
    assert count_queries(admin_client, url) == queries_for_two


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_changelist_can_sort_by_the_share_of_yes(admin_client):
    give_feedback(ArticleFactory(title="Mostly no"), (False, ""), (False, ""), (True, ""))
    give_feedback(ArticleFactory(title="All yes"), (True, ""))
    url = reverse("admin:articles_article_changelist")
    ArticleFactory(title="Unanswered")
    column = admin_client.get(url).context["cl"].list_display.index("helpful_share")

    ascending = admin_client.get(url, {"o": str(column)}).context["cl"].result_list
    descending = admin_client.get(url, {"o": f"-{column}"}).context["cl"].result_list

    assert [a.title for a in ascending if a._feedback_count] == ["Mostly no", "All yes"]
    assert [a.title for a in descending if a._feedback_count] == ["All yes", "Mostly no"]


def test_article_change_page_shows_the_share_and_the_five_latest_comments(admin_client):
    article = ArticleFactory()
    give_feedback(
        article,
        (True, "Oldest comment"),
        (False, "Second comment"),
        (True, ""),
        (True, "Third comment"),
        (False, "Fourth <b>comment</b>"),
        (True, "Fifth comment"),
        (True, "Newest comment"),
    )

    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    html = response.content.decode()
    assert "Reader feedback" in html
    assert "71% yes (7 answers)" in html
    page = parse(response)
    comments = [li.text() for li in page.find("ul", class_="feedback-comments").find_all("li")]
    assert [(c.split(" · ")[0], c.split(": ", 1)[1]) for c in comments] == [
        ("Yes", "Newest comment"),
        ("Yes", "Fifth comment"),
        ("No", "Fourth <b>comment</b>"),  # shown as text, not markup
        ("Yes", "Third comment"),
        ("No", "Second comment"),
    ]
    [link] = [a for a in page.find_all("a") if a.text() == "All feedback on this article"]
    listing = admin_client.get(link["href"])
    assert listing.status_code == 200
    assert len(listing.context["cl"].result_list) == 7


def test_feedback_admin_is_a_read_only_list_without_the_client_hash(admin_client):
    article = ArticleFactory(title="Back pain basics")
    [feedback] = give_feedback(article, (False, "Please add exercises."))
    changelist = reverse("admin:feedback_feedback_changelist")
    change = reverse("admin:feedback_feedback_change", args=[feedback.pk])

    listing = admin_client.get(changelist)
    detail = admin_client.get(change)

    assert listing.status_code == detail.status_code == 200
    html = listing.content.decode()
    assert "Back pain basics" in html and "Please add exercises." in html
    for page in (html, detail.content.decode()):
        assert feedback.client_hash not in page
        assert "client_hash" not in page and "Client hash" not in page
    assert admin_client.get(reverse("admin:feedback_feedback_add")).status_code == 403
    assert admin_client.post(change, {"helpful": "on", "comment": "Edited"}).status_code == 403
    feedback.refresh_from_db()
    assert (feedback.helpful, feedback.comment) == (False, "Please add exercises.")


@pytest.mark.parametrize(
    ("role", "reads_feedback"),
    [("Writer", False), ("Medical reviewer", False), ("Editor", True)],
)
def test_one_permission_decides_who_reads_feedback_in_the_list_and_beside_the_article(
    client, article, role, reads_feedback
):
    from tests.factories import role_user

    Feedback.objects.create(
        article=article, helpful=False, comment="Details about my aunt", client_hash="x" * 64
    )
    user = role_user(role)
    client.force_login(user)

    change_page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    changelist = client.get(reverse("admin:articles_article_changelist"))
    feedback_list = client.get(reverse("admin:feedback_feedback_changelist"))

    assert change_page.status_code == 200
    assert ("Details about my aunt" in change_page.content.decode()) is reads_feedback
    assert ("Reader feedback" in change_page.content.decode()) is reads_feedback
    assert ("helpful_share" in changelist.context["cl"].list_display) is reads_feedback
    assert (feedback_list.status_code == 200) is reads_feedback
    assert user.has_perm("feedback.view_feedback") is reads_feedback
