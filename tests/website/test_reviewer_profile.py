import pytest

from tests.factories import ArticleFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def test_profile_shows_credentials_bio_and_reviewed_articles(client):
    reviewer = ReviewerFactory(
        name="Dr Lena Park",
        slug="lena-park",
        credentials="MBBS, MRCGP",
        specialty="General practice",
        bio="Lena is a GP.\n\nShe reviews articles on sleep.",
    )
    ArticleFactory(title="Insomnia basics", reviewer=reviewer)
    ArticleFactory(title="Unreviewed draft", draft=True)
    ArticleFactory(title="Someone else's article")
    response = client.get("/reviewers/lena-park/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dr Lena Park" in html and "MBBS, MRCGP" in html
    assert "General practice" in html
    assert "<p>She reviews articles on sleep.</p>" in html
    assert "Insomnia basics" in html
    assert "Unreviewed draft" not in html
    assert "Someone else&#x27;s article" not in html


def test_bio_is_escaped(client):
    ReviewerFactory(slug="hostile", bio="<script>alert(1)</script>")
    html = client.get("/reviewers/hostile/").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_inactive_reviewer_keeps_profile(client):
    ReviewerFactory(slug="retired", is_active=False)
    response = client.get("/reviewers/retired/")
    assert response.status_code == 200
    assert "No longer reviewing new articles." in response.content.decode()


def test_unknown_reviewer_is_404(client):
    assert client.get("/reviewers/nobody/").status_code == 404
