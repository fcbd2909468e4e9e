from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article, Category, Source
from reviewers.models import Reviewer
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

DEMO = settings.BASE_DIR / "demo" / "content"
ADMIN_LINE = "Demo admin: http://127.0.0.1:8000/admin/  user: admin  password: healthsite-demo"


def load_demo(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def slugs(folder: str) -> set[str]:
    return {path.stem for path in (DEMO / folder).glob("*.md")}


@pytest.fixture
def demo_articles() -> set[str]:
    articles = slugs("articles")
    if not articles:
        pytest.skip("demo/content/articles/ has no articles yet, so there is no demo to load")
    return articles


def test_load_demo_loads_the_bundled_content(demo_articles):
    load_demo()

    assert set(Article.objects.values_list("slug", flat=True)) == demo_articles
    assert set(Reviewer.objects.values_list("slug", flat=True)) == slugs("reviewers")
    assert set(Category.objects.values_list("slug", flat=True)) == slugs("categories")
    assert set(Source.objects.values_list("slug", flat=True)) == slugs("sources")
    assert not Article.objects.filter(is_sample=False).exists(), "demo articles say they're samples"


def test_loading_the_demo_again_changes_nothing(demo_articles):
    load_demo()
    before = list(Article.objects.order_by("pk").values_list("pk", "updated_at"))
    reviewers = list(Reviewer.objects.order_by("pk").values_list("pk", "updated_at"))

    output = load_demo()

    assert f"articles: 0 created, 0 updated, {len(demo_articles)} unchanged" in output
    assert list(Article.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert list(Reviewer.objects.order_by("pk").values_list("pk", "updated_at")) == reviewers


def test_if_empty_leaves_a_database_with_articles_alone():
    ArticleFactory()

    output = load_demo("--if-empty")

    assert "demo content not loaded" in output
    assert Article.objects.count() == 1


def test_no_admin_account_when_debug_is_off_and_no_flag_is_given(settings):
    settings.DEBUG = False

    output = load_demo()

    assert not get_user_model().objects.filter(username="admin").exists()
    assert "No demo admin account" in output
    assert "healthsite-demo" not in output


@pytest.mark.parametrize(
    ("debug", "args"), [(True, []), (False, ["--with-admin"])], ids=["debug", "flag"]
)
def test_admin_account_is_created_in_development_or_on_request(settings, debug, args):
    settings.DEBUG = debug

    output = load_demo(*args)

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("healthsite-demo")
    assert ADMIN_LINE in output


def test_an_existing_admin_keeps_its_password():
    UserFactory(username="admin", password="a-private-password")

    output = load_demo("--with-admin")

    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("a-private-password")
    assert "already existed" in output
    assert ADMIN_LINE not in output


def test_the_demo_has_a_spanish_translation_up_to_date_and_one_out_of_date(demo_articles):
    load_demo()

    current = Article.objects.get(slug="ejercicio-para-un-corazon-sano")
    behind = Article.objects.get(slug="trabajo-de-oficina-y-dolor-de-espalda")
    assert (current.language, current.translation_of.slug) == ("es", "exercise-for-a-healthy-heart")
    assert current.source_changed_at is None
    assert behind.translation_of.slug == "desk-posture-and-back-pain"
    source = behind.translation_of
    assert source.versions.count() == 2  # the earlier version, then the newer one
    assert behind.live_version.source_version.number == 1
    assert behind.source_changed_at == source.live_version.published_at
    assert behind.shows_outdated_translation_notice
    assert current.reviewer.slug == behind.reviewer.slug == "lucia-romero-vidal"
    assert current.is_sample and behind.is_sample
