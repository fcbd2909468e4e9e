"""The audit trail as CSV: columns, an article's rows (with the signed statement), the
site-wide range, who may export it, and no spreadsheet formulas."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.audit import record_event
from editorial.audit_export import COLUMNS, safe_cell
from editorial.models import Decision
from editorial.services import decide_review, publish, submit_for_review
from tests.factories import cited_article, reviewer_with_account, role_user
from tests.signatures import signed

pytestmark = pytest.mark.django_db
URL = reverse("admin:editorial_audit_trail_csv")


def rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def trail():
    writer, editor = role_user("Writer"), role_user("Editor", username="ed")
    reviewer = reviewer_with_account(name="Dr Ada Lee")
    article = cited_article(published=False, created_by=writer, title="Sleep basics")
    review = submit_for_review(article=article, reviewer=reviewer, requested_by=writer)
    decide_review(review_request=review, user=reviewer.user, decision=Decision.APPROVED,
                  **signed(review, reviewer.user))  # fmt: skip
    publish(article=article, user=editor)
    record_event(article=article, actor=writer, action="edited", detail='=HYPERLINK("x")')
    other = cited_article(title="Hay fever")
    record_event(article=other, actor=None, action="edited", detail="Elsewhere")
    return article, editor, reviewer


def test_an_articles_trail_has_every_kind_of_entry_in_order(client, trail):
    article, editor, reviewer = trail
    client.force_login(editor)

    response = client.get(URL, {"article": article.pk})

    assert response["Content-Type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(response.content.decode()))) == COLUMNS
    got = rows(response)
    assert {row["article"] for row in got} == {"Sleep basics"}
    kinds = [(row["kind"], row["action"]) for row in got]
    assert ("audit entry", "submitted for review") in kinds
    assert ("sign-off", "Approved") in kinds
    assert ("published version", "Published") in kinds
    sign_off = next(row for row in got if row["kind"] == "sign-off")
    assert sign_off["by"] == reviewer.user.username
    assert "have reviewed “Sleep basics” as shown to me" in sign_off["statement"]
    assert sign_off["confirmed_by"] == "Password" and sign_off["content_fingerprint"]
    assert [row["time"] for row in got] == sorted(row["time"] for row in got)
    assert "'=HYPERLINK" in response.content.decode()  # not a formula


def test_the_site_wide_trail_for_a_date_range(client, trail):
    _, editor, _ = trail
    client.force_login(editor)
    today = timezone.localdate()

    everything = rows(client.get(URL, {"since": today.isoformat(), "until": today.isoformat()}))
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    nothing = rows(client.get(URL, {"since": tomorrow}))

    assert {"Sleep basics", "Hay fever"} <= {row["article"] for row in everything}
    assert nothing == []
    bad = client.get(URL, {"since": "last week"})
    assert bad.status_code == 400 and "2026-01-31" in bad.content.decode()


def test_only_editors_and_administrators_export(client, trail):
    client.force_login(role_user("Writer"))
    refused = client.get(URL)
    assert refused.status_code == 403
    assert "Only editors and administrators" in refused.content.decode()


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_formula_cells_are_quoted(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("Plain text") == "Plain text"


def test_editors_find_the_export_on_the_article_page_and_the_admin_home(client, trail):
    article, editor, _ = trail
    change_page = reverse("admin:articles_article_change", args=[article.pk])
    client.force_login(editor)
    assert f'href="{URL}?article={article.pk}"' in client.get(change_page).content.decode()
    home = client.get(reverse("admin:index")).content.decode()
    assert f'action="{URL}"' in home and 'name="since"' in home and 'name="until"' in home

    client.force_login(role_user("Writer", username="wr2"))
    assert URL not in client.get(change_page).content.decode()
    assert URL not in client.get(reverse("admin:index")).content.decode()
