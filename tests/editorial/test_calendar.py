"""Each reviewer's private calendar feed, its revocable address, and how the admin shows it."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from articles.models import ArticleStatus
from editorial.calendar_feed import new_calendar_link, token_hash
from editorial.models import CalendarLink, ReviewStatus
from tests.factories import (
    ArticleFactory,
    ReviewerFactory,
    ReviewRequestFactory,
    reviewer_with_account,
    role_user,
)

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 4, 14)


def feed_url(reviewer):
    """The reviewer's feed address, made for the test (it can be read only when made)."""
    if not hasattr(reviewer, "_test_feed_url"):
        reviewer._test_feed_url = new_calendar_link(reviewer=reviewer)
    return reviewer._test_feed_url


def token_of(url):
    return url.rsplit("/", 1)[-1].removesuffix(".ics")


def events(response):
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def reviewer():
    return reviewer_with_account(name="Dr Rita Osei")


def test_each_reviewer_gets_a_distinct_secret_stored_only_as_a_hash():
    first, second = ReviewerFactory(), ReviewerFactory()

    first_token, second_token = token_of(feed_url(first)), token_of(feed_url(second))

    assert len(first_token) == 43  # secrets.token_urlsafe(32)
    assert first_token != second_token
    assert feed_url(first) == f"/reviewers/calendar/{first_token}.ics"
    stored = CalendarLink.objects.get(reviewer=first)
    assert stored.token_hash == token_hash(first_token) != first_token
    assert first_token not in str(CalendarLink.objects.values())


def test_the_feed_has_an_event_on_each_review_due_date(client, reviewer):
    review = ReviewRequestFactory(
        reviewer=reviewer, due_on=DUE, note="Check the dosage table.", article__title="Gout"
    )
    later = ReviewRequestFactory(reviewer=reviewer, due_on=DUE + datetime.timedelta(days=9))
    ReviewRequestFactory(reviewer=reviewer, due_on=None)  # no date, no event
    ReviewRequestFactory(reviewer=reviewer, due_on=DUE, status=ReviewStatus.DECIDED)
    ReviewRequestFactory(reviewer=reviewer, due_on=DUE, status=ReviewStatus.CANCELLED)
    ReviewRequestFactory(due_on=DUE)  # someone else's

    response = client.get(feed_url(reviewer))

    assert response.status_code == 200
    found = events(response)
    assert set(found) == {f"review-{review.pk}@healthsite", f"review-{later.pk}@healthsite"}
    event = found[f"review-{review.pk}@healthsite"]
    assert str(event["SUMMARY"]) == "Review due: Gout"
    assert event.decoded("DTSTART") == DUE
    assert type(event.decoded("DTSTART")) is datetime.date  # all day
    assert event.decoded("DTEND") == DUE + datetime.timedelta(days=1)
    assert event.decoded("DTSTAMP").tzinfo is not None
    description = str(event["DESCRIPTION"])
    assert "Check the dosage table." in description
    assert f"http://testserver/admin/editorial/reviewrequest/{review.pk}/review/" in description
    assert found[f"review-{later.pk}@healthsite"].decoded("DTSTART") == datetime.date(2026, 4, 23)


def test_the_feed_has_the_next_review_date_of_each_published_article_they_reviewed(
    client, reviewer
):
    article = ArticleFactory(
        title="Back pain",
        reviewer=reviewer,
        last_reviewed_on=datetime.date(2026, 1, 5),
        next_review_due=datetime.date(2027, 1, 5),
    )
    ArticleFactory(reviewer=reviewer, status=ArticleStatus.UNPUBLISHED)
    ArticleFactory()  # reviewed by someone else

    found = events(client.get(feed_url(reviewer)))

    assert set(found) == {f"rereview-{article.pk}@healthsite"}
    event = found[f"rereview-{article.pk}@healthsite"]
    assert str(event["SUMMARY"]) == "Re-review due: Back pain"
    assert event.decoded("DTSTART") == datetime.date(2027, 1, 5)
    assert "You last reviewed it on 5 January 2026." in str(event["DESCRIPTION"])


def test_the_feed_is_a_valid_calendar_that_no_shared_cache_keeps(client, reviewer):
    ReviewRequestFactory(reviewer=reviewer, due_on=DUE)

    response = client.get(feed_url(reviewer))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == "Reviews: Dr Rita Osei"
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert client.head(feed_url(reviewer)).status_code == 200
    assert client.post(feed_url(reviewer)).status_code == 405


def test_the_same_review_keeps_the_same_uid_from_one_fetch_to_the_next(client, reviewer):
    ReviewRequestFactory(reviewer=reviewer, due_on=DUE)

    assert set(events(client.get(feed_url(reviewer)))) == set(
        events(client.get(feed_url(reviewer)))
    )


@pytest.mark.parametrize(
    "token",
    [
        "Q" * 20 + "w-_3" * 5 + "abc",  # well formed (43 characters), but nobody's
        "short",
        "x" * 100,
    ],
)
def test_a_wrong_token_is_not_found(client, reviewer, token):
    response = client.get(f"/reviewers/calendar/{token}.ics")

    assert response.status_code == 404


def test_a_token_that_differs_only_in_case_is_not_found(client, reviewer):
    token = token_of(feed_url(reviewer))
    other_case = token.swapcase()
    assert other_case != token

    assert client.get(f"/reviewers/calendar/{other_case}.ics").status_code == 404


def test_after_a_reset_the_old_address_is_not_found_and_the_new_one_works(client, reviewer):
    ReviewRequestFactory(reviewer=reviewer, due_on=DUE)
    old_url = feed_url(reviewer)

    new_url = new_calendar_link(reviewer=reviewer)

    assert new_url != old_url
    assert client.get(old_url).status_code == 404
    response = client.get(new_url)
    assert response.status_code == 200
    assert len(events(response)) == 1


# The admin ------------------------------------------------------------------------------------


def change_page(client, reviewer):
    return client.get(reverse("admin:reviewers_reviewer_change", args=[reviewer.pk]))


def link_page(client, reviewer):
    return reverse("admin:reviewers_reviewer_calendar_link", args=[reviewer.pk])


def make_link(client, reviewer):
    """What a reviewer or editor does: open the calendar link page and make a link."""
    return client.post(link_page(client, reviewer))


def test_a_reviewer_makes_their_own_feed_address_and_sees_it_once(client, reviewer):
    ReviewRequestFactory(reviewer=reviewer, due_on=DUE)
    client.force_login(reviewer.user)
    assert "Calendar feed" in change_page(client, reviewer).content.decode()

    made = make_link(client, reviewer)

    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    html = made.content.decode()
    url = html.split('<code class="calendar-link">')[1].split("</code>")[0]
    assert url.startswith("http://testserver/reviewers/calendar/")
    assert client.get(url).status_code == 200
    # Never shown again: not on the change page, not on the link page.
    token = token_of(url)
    assert token not in change_page(client, reviewer).content.decode()
    assert token not in client.get(link_page(client, reviewer)).content.decode()


def test_a_reviewer_cannot_see_or_make_anyone_else_s_feed_address(client, reviewer):
    colleague = reviewer_with_account(name="Dr Colleague")
    client.force_login(reviewer.user)

    other = change_page(client, colleague)

    assert other.status_code == 200
    assert "Calendar feed" not in other.content.decode()
    assert make_link(client, colleague).status_code == 403
    assert not CalendarLink.objects.filter(reviewer=colleague).exists()


def test_an_editor_can_make_a_reviewers_feed_address_and_a_writer_cannot(client, reviewer):
    client.force_login(role_user("Editor"))
    assert "Calendar feed" in change_page(client, reviewer).content.decode()
    assert make_link(client, reviewer).status_code == 200

    client.force_login(role_user("Writer"))
    page = change_page(client, reviewer)
    assert page.status_code == 200
    assert "Calendar feed" not in page.content.decode()
    assert make_link(client, reviewer).status_code == 403


def reset_action(client, *reviewers):
    return client.post(
        reverse("admin:reviewers_reviewer_changelist"),
        {"action": "reset_calendar_link", "_selected_action": [r.pk for r in reviewers]},
        follow=True,
    )


def test_an_editor_stops_a_reviewer_s_calendar_link_from_the_admin(client, reviewer):
    old_url = feed_url(reviewer)
    client.force_login(role_user("Editor"))

    response = reset_action(client, reviewer)

    assert "The calendar links of Dr Rita Osei have stopped working." in response.content.decode()
    assert client.get(old_url).status_code == 404


def test_a_reviewer_can_stop_only_their_own_calendar_link(client, reviewer):
    colleague = reviewer_with_account(name="Dr Colleague")
    urls = {r.pk: feed_url(r) for r in (reviewer, colleague)}
    client.force_login(reviewer.user)

    reset_action(client, reviewer, colleague)

    assert client.get(urls[reviewer.pk]).status_code == 404
    assert client.get(urls[colleague.pk]).status_code == 200


def test_a_writer_cannot_stop_calendar_links(client, reviewer):
    url = feed_url(reviewer)
    client.force_login(role_user("Writer"))

    changelist = client.get(reverse("admin:reviewers_reviewer_changelist"))
    assert "reset_calendar_link" not in changelist.content.decode()
    reset_action(client, reviewer)

    assert client.get(url).status_code == 200
