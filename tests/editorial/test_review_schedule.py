"""Review intervals, the editors' dashboard, the schedule re-review action, the reviewer's
queue on the admin home page, and the public "being reviewed" notice (issue 4)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, VersionKind
from articles.review_schedule import add_months, scheduled_review_due, update_review_schedule
from articles.versions import create_published_version
from editorial.dashboard import review_dashboard
from editorial.models import ReviewRequest, ReviewStatus
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    CitationFactory,
    ReviewerFactory,
    UserFactory,
    republish,
    role_user,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


# --- Interval rules ---------------------------------------------------------------------


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(datetime.date(2026, 1, 15), 12) == datetime.date(2027, 1, 15)
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2026, 11, 30), 36) == datetime.date(2029, 11, 30)


@pytest.mark.parametrize(
    ("site", "category", "article", "expected"),
    [
        (12, None, None, datetime.date(2027, 3, 1)),
        (12, 6, None, datetime.date(2026, 9, 1)),
        (12, 6, 24, datetime.date(2028, 3, 1)),
        (18, None, None, datetime.date(2027, 9, 1)),
    ],
)
def test_interval_comes_from_the_article_then_its_category_then_the_site(
    settings, site, category, article, expected
):
    settings.REVIEW_INTERVAL_MONTHS = site
    item = ArticleFactory.build(
        category=CategoryFactory(review_interval_months=category),
        review_interval_months=article,
    )
    assert scheduled_review_due(article=item, reviewed_on=datetime.date(2026, 3, 1)) == expected


@pytest.mark.parametrize("months", [0, 37])
def test_interval_is_between_1_and_36_months(months):
    category = CategoryFactory.build(review_interval_months=months)
    with pytest.raises(ValidationError) as raised:
        category.full_clean()
    assert "review_interval_months" in raised.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryFactory(review_interval_months=months)


def test_publishing_sets_next_review_from_the_interval():
    article = ArticleFactory(
        category=CategoryFactory(review_interval_months=6),
        last_reviewed_on=datetime.date(2026, 1, 10),
        next_review_due=None,
        draft=True,
    )
    Article.objects.filter(pk=article.pk).update(
        reviewer=ReviewerFactory(), last_reviewed_on=datetime.date(2026, 1, 10)
    )
    article.refresh_from_db()
    republish(article, published_at=timezone.now())
    assert article.next_review_due == datetime.date(2026, 7, 10)


def test_an_editor_date_overrides_the_schedule_until_the_next_review():
    article = ArticleFactory(
        last_reviewed_on=datetime.date(2026, 1, 10), next_review_due=datetime.date(2027, 1, 10)
    )
    article.next_review_due_override = datetime.date(2026, 6, 1)
    article.save()
    assert update_review_schedule(article=article) == datetime.date(2026, 6, 1)

    article.next_review_due_override = None
    article.save()
    assert update_review_schedule(article=article) == datetime.date(2027, 1, 10)

    article.next_review_due_override = datetime.date(2026, 6, 1)
    article.save()
    create_published_version(  # a new review clears the editor's date
        article=article,
        reviewer=article.reviewer,
        reviewed_on=datetime.date(2026, 5, 1),
        kind=VersionKind.REVIEWED_UNCHANGED,
        change_summary="Reviewed, no changes",
    )
    article.refresh_from_db()
    assert article.next_review_due_override is None
    assert article.next_review_due == datetime.date(2027, 5, 1)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (datetime.date(2026, 1, 10), "must be after the last review"),
        (datetime.date(2029, 1, 11), "at most 36 months apart"),
    ],
)
def test_an_editor_date_must_fall_within_36_months_after_the_last_review(override, message):
    article = ArticleFactory(last_reviewed_on=datetime.date(2026, 1, 10))
    article.next_review_due_override = override
    with pytest.raises(ValidationError) as raised:
        article.full_clean()
    assert message in " ".join(raised.value.message_dict["next_review_due_override"])


def test_changing_a_category_interval_in_the_admin_reschedules_its_articles(admin_client):
    category = CategoryFactory(review_interval_months=None)
    follows = ArticleFactory(
        category=category,
        last_reviewed_on=datetime.date(2026, 2, 1),
        next_review_due=datetime.date(2027, 2, 1),
    )
    own = ArticleFactory(
        category=category,
        last_reviewed_on=datetime.date(2026, 2, 1),
        next_review_due=datetime.date(2026, 5, 1),
        review_interval_months=3,
    )
    assert own.next_review_due_override is None
    data = {
        "name": category.name,
        "slug": category.slug,
        "description": "",
        "review_interval_months": "6",
    }
    response = admin_client.post(
        reverse("admin:articles_category_change", args=[category.pk]), data
    )
    assert response.status_code == 302
    follows.refresh_from_db()
    own.refresh_from_db()
    assert follows.next_review_due == datetime.date(2026, 8, 1)
    assert own.next_review_due == datetime.date(2026, 5, 1)


# --- Dashboard -----------------------------------------------------------------------


@pytest.fixture
def review_fixture(today):
    """A site with known answers: see the assertions in the tests below."""
    back, sleep = CategoryFactory(name="Back Pain"), CategoryFactory(name="Sleep")
    ana, ben = ReviewerFactory(name="Ana"), ReviewerFactory(name="Ben")

    def article(category, reviewer, due):
        return ArticleFactory(
            category=category,
            reviewer=reviewer,
            last_reviewed_on=due - datetime.timedelta(days=365),
            next_review_due=due,
        )

    overdue_back = article(back, ana, TODAY - datetime.timedelta(days=40))
    article(back, ana, TODAY - datetime.timedelta(days=1))  # overdue, awaiting a reviewer
    article(back, ben, TODAY + datetime.timedelta(days=10))  # due soon, awaiting a reviewer
    due_soon_sleep = article(sleep, ben, TODAY + datetime.timedelta(days=30))
    article(sleep, ben, TODAY + datetime.timedelta(days=31))  # fine
    article(sleep, ana, TODAY + datetime.timedelta(days=200))  # fine
    ArticleFactory(draft=True, category=back)  # drafts never count
    ReviewRequest.objects.create(
        article=overdue_back, reviewer=ben, due_on=TODAY - datetime.timedelta(days=2)
    )
    ReviewRequest.objects.create(
        article=due_soon_sleep, reviewer=ana, due_on=TODAY + datetime.timedelta(days=5)
    )
    return {"back": back, "sleep": sleep, "ana": ana, "ben": ben}


def test_dashboard_figures(review_fixture, django_assert_max_num_queries):
    # The eighth counts out-of-date translations per language.
    with django_assert_max_num_queries(8):
        dashboard = review_dashboard(today=TODAY)
        workload = {row.reviewer.name: row for row in dashboard.workload}

    assert (dashboard.overdue, dashboard.due_soon) == (2, 2)
    assert (dashboard.awaiting_reviewer, dashboard.in_review) == (2, 2)
    assert (dashboard.overall.published, dashboard.overall.within) == (6, 4)
    assert dashboard.overall.percent == 67
    assert [(s.label, s.within, s.published, s.percent) for s in dashboard.by_category] == [
        ("Back Pain", 1, 3, 33),
        ("Sleep", 3, 3, 100),
    ]
    assert [(r.due_on, r.is_overdue) for r in workload["Ben"].open_reviews] == [
        (TODAY - datetime.timedelta(days=2), True)
    ]
    assert workload["Ben"].overdue == 1 and workload["Ana"].overdue == 0
    assert len(dashboard.overdue_articles) == 2


def test_dashboard_filters_by_category_and_reviewer(review_fixture):
    by_sleep = review_dashboard(today=TODAY, category=review_fixture["sleep"])
    assert (by_sleep.overdue, by_sleep.due_soon, by_sleep.in_review) == (0, 1, 1)
    assert [s.label for s in by_sleep.by_category] == ["Sleep"]

    by_ana = review_dashboard(today=TODAY, reviewer=review_fixture["ana"])
    assert (by_ana.overdue, by_ana.due_soon, by_ana.overall.published) == (2, 0, 3)
    assert [row.reviewer.name for row in by_ana.workload] == ["Ana"]


def test_dashboard_page_shows_counts_links_and_chart(client, review_fixture):
    client.force_login(role_user("Editor", username="eddie"))
    response = client.get(reverse("admin:editorial_review_dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<span class="dashboard__number">2</span> overdue' in page
    assert "review_due=overdue" in page and "review_due=awaiting" in page
    assert "1 of 3 (33%)" in page and 'aria-label="33% within review date"' in page
    assert "(overdue)" in page  # Ben's overdue review in the workload table
    filtered = client.get(
        reverse("admin:editorial_review_dashboard"), {"category": review_fixture["sleep"].pk}
    ).content.decode()
    assert "3 of 3 (100%)" in filtered and "Back Pain" not in filtered.split("share-heading")[1]


def test_awaiting_reviewer_filter_on_the_article_list(admin_client, review_fixture):
    response = admin_client.get(
        reverse("admin:articles_article_changelist"), {"review_due": "awaiting"}
    )
    titles = {a.next_review_due for a in response.context["cl"].result_list}
    assert titles == {TODAY - datetime.timedelta(days=1), TODAY + datetime.timedelta(days=10)}


def test_writers_cannot_open_the_dashboard_without_review_permissions(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:editorial_review_dashboard")).status_code == 403


# --- Schedule re-review action ----------------------------------------------------------


def test_schedule_re_review_action(client, today):
    editor = role_user("Editor", username="eddie")
    reviewer = ReviewerFactory(name="Dr Cho")
    articles = []
    for _ in range(2):
        article = ArticleFactory(body="Claim.[^c]")
        CitationFactory(article=article, key="c")
        articles.append(article)
    in_review = articles[1]
    ReviewRequest.objects.create(article=in_review, reviewer=ReviewerFactory())
    client.force_login(editor)
    url = reverse("admin:articles_article_changelist")
    selected = {"action": "schedule_re_review", "_selected_action": [a.pk for a in articles]}

    form_page = client.post(url, selected)
    assert form_page.status_code == 200
    assert "Schedule re-review" in form_page.content.decode()

    response = client.post(
        url,
        {
            **selected,
            "apply": "1",
            "reviewer": reviewer.pk,
            "due_on": "2026-12-20",
            "note": "Annual re-review",
        },
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("Re-review scheduled with Dr Cho for 1 article" in m for m in messages)
    assert any(m.startswith(f"Not scheduled: {in_review.title}: ") for m in messages)
    scheduled = ReviewRequest.objects.get(article=articles[0], status=ReviewStatus.OPEN)
    assert (scheduled.reviewer, scheduled.due_on, scheduled.note) == (
        reviewer,
        datetime.date(2026, 12, 20),
        "Annual re-review",
    )


def test_reviewers_do_not_get_the_schedule_action(client):
    client.force_login(role_user("Medical reviewer", username="rita"))
    response = client.get(reverse("admin:articles_article_changelist"))
    assert "schedule_re_review" not in response.content.decode()


# --- The reviewer's queue on the admin home page -------------------------------------


def test_reviewer_sees_their_own_queue_first(client, today):
    user = role_user("Medical reviewer", username="rita")
    mine = ReviewerFactory(user=user)
    overdue = ReviewRequest.objects.create(
        article=ArticleFactory(title="Overdue one"), reviewer=mine, due_on=TODAY.replace(day=1)
    )
    ReviewRequest.objects.create(
        article=ArticleFactory(title="Someone else's"), reviewer=ReviewerFactory()
    )
    client.force_login(user)
    page = client.get(reverse("admin:index")).content.decode()
    assert page.index("My reviews") < page.index("app-articles")
    assert "Overdue one" in page and "(overdue)" in page
    assert "Someone else" not in page
    assert reverse("admin:editorial_reviewrequest_review", args=[overdue.pk]) in page
    assert reverse("admin:reviewers_reviewer_calendar_link", args=[mine.pk]) in page


# --- Public notice ---------------------------------------------------------------------


@pytest.mark.parametrize(("days_overdue", "shown"), [(30, False), (31, True)])
def test_article_long_past_its_review_date_says_it_is_being_reviewed(
    client, settings, today, days_overdue, shown
):
    settings.REVIEW_OVERDUE_GRACE_DAYS = 30
    article = ArticleFactory(
        last_reviewed_on=TODAY - datetime.timedelta(days=400),
        next_review_due=TODAY - datetime.timedelta(days=days_overdue),
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert ("This article is being reviewed." in page) is shown
    assert "Next review due:" in page
